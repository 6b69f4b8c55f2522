"""Bad input to exactsparse.bilinear: typed ExactSparseError subclasses with clear messages."""

from __future__ import annotations

import sys

import pytest

from exactsparse.bilinear import (check_deconv_pitfall, convolve, cost_gap_grid,
                                  deconv_descent, hadamard_l1, l1_atoms, l1_bilinear_cost,
                                  random_counterexample, rescaling_minimum)
from exactsparse.exceptions import (ArgumentError, BudgetError, ExactSparseError,
                                    ExactTypeError, NonFiniteError, ParseError, ShapeError,
                                    SizeLimitError)


@pytest.mark.parametrize("x,h,exc,match", [
    ([], [1], ShapeError, "non-empty"),
    ([1], [], ShapeError, "non-empty"),
    ([0, 0], [1], ArgumentError, "normalisation N\\(.\\) = 1 is undefined"),
    ([1], [0, 0, 0], ArgumentError, "normalisation"),
    ([1, float("nan")], [1], NonFiniteError, "finite"),
    ([1], [float("inf")], NonFiniteError, "finite"),
    ([1, "a"], [1], ParseError, "'x'"),
    ([1, [2]], [1], ShapeError, "1-D"),
    ("12", [1], ShapeError, "1-D"),
    (3, [1], ShapeError, "1-D"),
    ([1, object()], [1], ExactTypeError, "exact numbers"),
    ([1] * 600, [1], SizeLimitError, "at most"),
])
def test_bad_signals(x, h, exc, match):
    with pytest.raises(exc, match=match):
        check_deconv_pitfall(x, h)


def test_errors_are_exactsparse_and_builtin():
    with pytest.raises(ExactSparseError):
        check_deconv_pitfall([0], [1])
    with pytest.raises(ValueError):
        check_deconv_pitfall([0], [1])


def test_circular_lengths():
    with pytest.raises(ShapeError, match="same length for circular"):
        check_deconv_pitfall([1, 2, 3], [1, 2], circular=True)
    with pytest.raises(ShapeError, match="same length"):
        convolve([1, 2], [1], circular=True)


@pytest.mark.parametrize("kw,match", [
    (dict(penalty="lp", p=0), "must lie in \\(0, 8\\]"),
    (dict(penalty="lp", p=-1), "must lie in"),
    (dict(penalty="lp", p=9), "must lie in"),
    (dict(penalty="lp"), "'p' must be given"),
    (dict(penalty="lp", p=float("nan")), "finite"),
    (dict(penalty="lp", p=0.3000001), "denominator"),
    (dict(penalty="lp", p="1/100"), "denominator"),
    (dict(penalty="l3"), "one of"),
    (dict(norm="l0"), "one of"),
    (dict(norm="lp", q="1/2"), "'q' must lie in \\[1, 16\\]"),
    (dict(norm="lp"), "'q' must be given"),
    (dict(penalty="log", eps=0), "'eps' must lie in"),
])
def test_bad_specifications(kw, match):
    with pytest.raises((ArgumentError, NonFiniteError), match=match):
        check_deconv_pitfall([1, 2], [1], **kw)


def test_bad_budget():
    with pytest.raises(BudgetError):
        check_deconv_pitfall([1, 2], [1], budget=0)


@pytest.mark.parametrize("kw,exc", [
    (dict(length=1), ArgumentError),
    (dict(length=10**6), SizeLimitError),
    (dict(length=8, sparsity=1), ArgumentError),
    (dict(length=8, sparsity=9), ArgumentError),
    (dict(length=8, seed=-1), ArgumentError),
    (dict(length=8, filter_length=0), ArgumentError),
    (dict(length=True), ArgumentError),
])
def test_bad_counterexample_arguments(kw, exc):
    with pytest.raises(exc):
        random_counterexample(**kw)


@pytest.mark.parametrize("args,kw,exc", [
    (([0, 0], [1]), dict(lam=1.0), ArgumentError),
    (([1, float("nan")], [1]), dict(lam=1.0), NonFiniteError),
    (([1], [1]), dict(lam=0.0), ArgumentError),
    (([1], [1]), dict(lam=1.0, norm="l3"), ArgumentError),
    (([1], [1]), dict(lam=1.0, iters=0), ArgumentError),
    (([1, 2], [1]), dict(lam=1.0, circular=True), ShapeError),
    (([1, 2], [1]), dict(lam=1.0, start="nowhere"), ArgumentError),
    (([1, 2], [1]), dict(lam=1.0, start=([1], [1])), ShapeError),
    (([], [1]), dict(lam=1.0), ShapeError),
])
def test_bad_descent_arguments(args, kw, exc):
    with pytest.raises(exc):
        deconv_descent(*args, **kw)


def test_bad_grid_and_matrix_arguments():
    with pytest.raises(ArgumentError):
        cost_gap_grid(8, sparsities=(9,))
    with pytest.raises(ArgumentError, match="nonzero"):
        l1_atoms([[0, 0]])
    with pytest.raises(ShapeError):
        l1_bilinear_cost([[1, 2]], [[1]])
    with pytest.raises(ShapeError):
        rescaling_minimum([[1, 2]], [[1]])
    with pytest.raises(ArgumentError):
        rescaling_minimum([[1]], [[1]], penalty="l3")
    with pytest.raises(NonFiniteError):
        hadamard_l1([1, float("inf")])


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    from exactsparse.bilinear import MissingExtraError, plot_trajectory
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    t = deconv_descent([1, 0, 1], [1.0], lam=0.1, iters=2)
    with pytest.raises(MissingExtraError, match=r"exactsparse\[plot\]") as info:
        plot_trajectory(t)
    assert isinstance(info.value, ImportError) and isinstance(info.value, ExactSparseError)


# ------------------------------------------------------- regressions of the capability fuzz
import numpy as np  # noqa: E402

import exactsparse.bilinear as B  # noqa: E402
from exactsparse.exceptions import ExactSparseError  # noqa: E402

_HUGE = 10**5000


@pytest.mark.parametrize("call", [
    lambda: B.ray_cost("1/2", 0.5, b"x"),
    lambda: B.ray_cost([1, 2], _HUGE, 1),
    lambda: B.ray_cost([[]], 0.5, 1),
    lambda: B.global_cost(1j, 0.5),
    lambda: B.global_cost([0, -3, 1], np.ones((2, 2))),
    lambda: B.penalised_threshold([3, 4], "abc", 1),
    lambda: B.penalised_threshold([3, 4], 5, None),
    lambda: B.frobenius_cost(np.array([[1, 2]]), 1j),
    lambda: B.frobenius_cost(np.array([["a", "b"]]), [[1]]),
    lambda: B.frobenius_cost([[float("inf")]], [[1]]),
    lambda: B.cost_gap_grid(length=6, sparsities=False),
    lambda: B.cost_gap_grid(length=6, sparsities=(1,), filter_lengths=(1,), seed=1.5),
    lambda: B.trivial_pairs(-1, 2),
    lambda: B.trivial_pairs([1, 2], _HUGE, circular=True),
    lambda: B.deconv_descent([3, 0, 4], 1j, 1, iters=5),
    lambda: B.deconv_descent([3, 0, 4], [1, 2], _HUGE, iters=5),
    lambda: B.deconv_descent([3], [3, -3, 1], 0.5, start=-1, iters=5),
    lambda: B.lp_escape((), [-1], [_HUGE]),
    lambda: B.check_deconv_pitfall([-2, 2], [3], penalty=np.ones((2, 2)), budget=1.0),
    lambda: B.check_deconv_pitfall([_HUGE, 1], [1, 0], budget=1.0),
    lambda: B.plot_cost_gap(None),
    lambda: B.plot_trajectory(None),
])
def test_fuzz_regressions_typed(call):
    with pytest.raises(ExactSparseError):
        call()


def test_frobenius_cost_exact_for_ints():
    from fractions import Fraction
    assert B.frobenius_cost([[1, 2]], [[3]]) == Fraction(14, 2)
    assert B.frobenius_cost([[10**400]], [[0]]) == Fraction(10**800, 2)


@pytest.mark.parametrize("call", [
    lambda: B.convolve([0, -2, 2], [3, 1], circular=np.array([["a", "b"]])),
    lambda: B.trivial_pairs([0], 4, circular=np.ones(3)),
    lambda: B.lp_escape([3, -2], [2, -3], 3, circular=np.ones((2, 2))),
    lambda: B.deconv_descent([3, -2], [3, 1], 1, circular=np.ones(2), iters=5),
    lambda: B.check_deconv_pitfall([3, -2], [1, 1], circular=np.ones(2), budget=1.0),
    lambda: B.global_cost([3, 3], 0.5, norm=np.ones(3)),
])
def test_fuzz_regressions_flags(call):
    with pytest.raises(ExactSparseError):
        call()

"""Bad input to certify_fsmf (issue 13) and malformed non-attainment / branch-and-bound
certificates."""

from __future__ import annotations

import json

import pytest

from exactsparse import verify
from exactsparse.exceptions import ArgumentError, BudgetError, ExactSparseError
from exactsparse.fsmf.hard import certify_fsmf
from exactsparse.fsmf.hard.certify import ToleranceError

LU = ([[0, 1], [1, 0]], "10/11", "10/11")


@pytest.mark.parametrize("tol", [0, -1e-3, 1, 1.5, True, "1e-9", float("nan"), None])
def test_bad_tolerance(tol):
    with pytest.raises(ToleranceError, match="Argument 'tol' must be"):
        certify_fsmf(*LU, budget=5, tol=tol)


def test_tolerance_error_is_typed():
    assert issubclass(ToleranceError, ArgumentError)
    assert issubclass(ToleranceError, ExactSparseError)


@pytest.mark.parametrize("budget", [0, -1, float("inf"), float("nan"), True, "5"])
def test_bad_budget(budget):
    with pytest.raises(BudgetError):
        certify_fsmf(*LU, budget=budget)


@pytest.fixture(scope="module")
def lu():
    return certify_fsmf(*LU, budget=20)


def _forge(res, mut):
    d = json.loads(res.to_json())
    mut(d)
    return verify(json.dumps(d), LU)


@pytest.mark.parametrize("mut, why", [
    (lambda d: d["certificate"]["family"]["X"][0].__setitem__(0, [[1, 0.5]]), "coefficient"),
    (lambda d: d["certificate"]["family"]["X"][0].__setitem__(0, [[1.5, "1"]]), "exponent"),
    (lambda d: d["certificate"]["family"]["X"][0].__setitem__(1, [[0, "1"]]), "support"),
    (lambda d: d["certificate"]["family"].__setitem__("X", []), "shape"),
    (lambda d: d["certificate"]["family"].__setitem__("t", "0"), "positive"),
    (lambda d: d["certificate"].__setitem__("tol", "0"), "tolerance"),
    (lambda d: d["certificate"]["parts"][0].__setitem__("attained", True), "attained"),
])
def test_malformed_family_invalid(lu, mut, why):
    v = _forge(lu, mut)
    assert not v.valid and v.message.startswith("invalid certificate")


def test_attainment_with_empty_supports_verifies():
    # issue 15: no variable at all (every column empty) used to raise IndexError in the
    # producer and in verify's Gröbner re-check
    import exactsparse as es
    inst = ([[-1, -2], [5, 5]], [[0], [0]], [[0], [0]])
    r = es.check_attainment(*inst)
    assert r.verdict == "infeasible" and es.verify(r, inst)      # X Yᵀ = 0 ≠ A
    zero = ([[0, 0], [0, 0]], [[0], [0]], [[0], [0]])
    r = es.check_attainment(*zero)
    assert r.verdict == "exact" and es.verify(r, zero)          # X Yᵀ = 0 = A


def test_hard_routines_clamp_a_budget_beyond_the_float_range():
    import exactsparse as es
    inst = ([[1, 2], [3, 4]], "1/1", "1/1")
    assert es.verify(es.certify_fsmf(*inst, budget=10**400), inst)
    assert es.verify(es.find_spurious_minima(*inst, budget=10**400), inst)


# ------------------------------------------------------- regressions of the capability fuzz
import numpy as np  # noqa: E402

import exactsparse.fsmf.hard as H  # noqa: E402


@pytest.mark.parametrize("call", [
    lambda: H.masked_bounds((np.eye(2), [[1, 0], [1, 1]]), budget=1.0),
    lambda: H.biclique_point(10**12, [0], [0]),
    lambda: H.biclique_point(H.biclique_to_masked("110/011"), 1.5, [0]),
    lambda: H.point_to_biclique([[True, False]], 0, 1),
    lambda: H.point_to_biclique(H.biclique_to_masked("110/011"), 0, 1),
    lambda: H.is_biclique("110/011", np.float32(2.5), [0]),
    lambda: H.masked_loss([[-3], [-3]], [[1], [1]], float("nan"), [1]),
    lambda: H.lift_solution(None, [[1], [1]], [[1], [1]], [1, 2]),
    lambda: H.lift_solution(H.reduce_fsmf([[1, 2]], [[1]], [[1], [1]]), [[1]], [[1], [1]], 5),
    lambda: H.lift_solution(H.reduce_fsmf([[1, 2], [2, -3]], [[1, 1], [0, 1]],
                                          [[1, 0], [1, 1]]), [[1, 1], [0, 1]],
                            [[1, 0], [1, 1]], [1, 2]),
])
def test_fuzz_regressions_typed(call):
    with pytest.raises(ExactSparseError):
        call()


def test_fuzz_regression_lu_family_zero():
    with pytest.raises(ExactSparseError):
        H.lu_family(0)

"""Bad input to the whole-chain refinement: typed errors naming the argument."""

import numpy as np
import pytest

from exactsparse import (ArgumentError, BudgetError, NonFiniteError, ShapeError)
from exactsparse.exceptions import ToleranceError
from exactsparse.butterfly import ButterflyFactors, butterfly_factorize, butterfly_patterns
from exactsparse.butterfly.refine import refine

A = np.random.default_rng(0).standard_normal((8, 8))
F = butterfly_factorize(A)


@pytest.mark.parametrize("budget", [0, -1, 0.0, -0.5, float("nan"), float("inf"), "1", True])
def test_bad_budget(budget):
    with pytest.raises(BudgetError, match="Argument 'budget'"):
        refine(F, A, budget=budget)


@pytest.mark.parametrize("rtol", [0, 1, -0.1, 1.5, float("nan"), float("inf"), "0.1", None, True])
def test_bad_rtol(rtol):
    with pytest.raises(ToleranceError, match=r"Argument 'rtol' must be a number in \(0, 1\)"):
        refine(F, A, rtol=rtol)


@pytest.mark.parametrize("max_iter", [0, -3, 2.5, "10", True])
def test_bad_max_iter(max_iter):
    with pytest.raises(ArgumentError, match="Argument 'max_iter' must be a positive integer"):
        refine(F, A, max_iter=max_iter)


def test_bad_method():
    with pytest.raises(ArgumentError, match="Argument 'method' must be one of"):
        refine(F, A, method="newton")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite(bad):
    B = A.copy()
    B[2, 3] = bad
    with pytest.raises(NonFiniteError, match="Argument 'A' must be finite"):
        refine(F, B)


def test_shapes_and_types():
    with pytest.raises(ShapeError, match=r"Argument 'A' must have shape \(8, 8\)"):
        refine(F, np.eye(16))
    with pytest.raises(ArgumentError, match="Argument 'F' must be a ButterflyFactors"):
        refine(A, A)
    pats = butterfly_patterns(8)
    G = ButterflyFactors(pats, [np.ones((2, *p.twiddle_shape)) for p in pats])
    with pytest.raises(ShapeError, match="Argument 'F' must be an unbatched product"):
        refine(G, A)
    with pytest.raises(ArgumentError, match="Argument 'A' must be a real or complex"):
        refine(F, np.array([["x"] * 8] * 8))


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_cli_bad_refine(tmp_path, capsys, value):
    from exactsparse.cli import main
    path = tmp_path / "A.npy"
    np.save(path, A)
    with pytest.raises(SystemExit) as exc:        # a usage error, like every bad budget
        main(["butterfly", "factorize", "--matrix", str(path), f"--refine={value}",
              "--quiet"])
    assert exc.value.code == 2
    assert "--refine" in capsys.readouterr().err


def test_non_finite_factors():
    # entries too large to square are no longer refused: refine rescales them
    # (tests/test_butterfly_refine.py::test_refine_is_scale_equivariant)
    pats = butterfly_patterns(8)
    tw = [np.ones(p.twiddle_shape) for p in pats]
    tw[1][0, 0, 0, 0] = np.nan
    with pytest.raises(NonFiniteError, match="Argument 'F' must be finite"):
        refine(ButterflyFactors(pats, tw), A)

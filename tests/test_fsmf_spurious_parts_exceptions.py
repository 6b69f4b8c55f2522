"""Bad input to the several-parts search: checked before any work, typed errors."""

import pytest

from exactsparse.exceptions import ArgumentError, BudgetError, ExactSparseError
from exactsparse.fsmf.hard import find_spurious_minima

GEN = ([[-2, -2, 1], [2, 3, -2], [3, 2, -1]], "10/11/01", "10/11/01")


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_bad_starts(bad):
    with pytest.raises(ArgumentError, match="Argument 'starts' must be an integer >= 1"):
        find_spurious_minima(*GEN, starts=bad)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_bad_budget(bad):
    with pytest.raises(BudgetError):
        find_spurious_minima(*GEN, budget=bad)


def test_bad_progress_and_shapes():
    with pytest.raises(ExactSparseError):
        find_spurious_minima(*GEN, progress=3)
    with pytest.raises(ExactSparseError):
        find_spurious_minima([[1, 2], [3, 4]], GEN[1], GEN[2])


def test_stated_constant_and_spurious_flag_are_checked():
    """A certificate holds exactly what verify proves: an edited ``constant`` (single masked
    core and several parts) or a minimum marked not spurious is invalid."""
    import numpy as np

    from exactsparse import verify
    from exactsparse.fsmf.hard import find_spurious_minima
    A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    Ib = np.array([[int(v) for v in r] for r in I.split("/")])
    Jb = np.array([[int(v) for v in r] for r in J.split("/")])
    A2 = np.kron(np.eye(2, dtype=int), np.array(A)).tolist()
    I2, J2 = np.kron(np.eye(2, dtype=int), Ib), np.kron(np.eye(2, dtype=int), Jb)
    for inst in ((A, I, J), (A2, I2, J2)):
        res = find_spurious_minima(*inst)
        assert res.verdict == "spurious" and verify(res, inst)
        d = res.to_dict()
        d["certificate"]["constant"] = "7"
        assert "constant" in verify(d, inst).message
        d = res.to_dict()
        d["certificate"]["minima"][0]["spurious"] = False
        v = verify(d, inst)
        assert not v.valid

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

"""Enumeration of support pairs up to symmetry, checked by brute force."""

import itertools

import numpy as np
import pytest

from exactsparse.exceptions import ShapeError, SizeLimitError
from exactsparse.supports import support_pairs
from exactsparse.sweep import greedy_block_loss, tractability_sweep


def _brute_orbits(m, n, r):
    """Orbits of all pairs under row perms of I, of J and a common column perm."""
    seen, count = set(), 0
    cells_I, cells_J = m * r, n * r
    for bits in itertools.product((0, 1), repeat=cells_I + cells_J):
        I = np.array(bits[:cells_I]).reshape(m, r)
        J = np.array(bits[cells_I:]).reshape(n, r)
        key = (I.tobytes(), J.tobytes())
        if key in seen:
            continue
        count += 1
        for pi in itertools.permutations(range(m)):
            for pj in itertools.permutations(range(n)):
                for pk in itertools.permutations(range(r)):
                    seen.add((np.ascontiguousarray(I[np.ix_(pi, pk)]).tobytes(),
                              np.ascontiguousarray(J[np.ix_(pj, pk)]).tobytes()))
    return count


@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 2, 2), (2, 2, 2), (2, 3, 2), (2, 2, 3)])
def test_orbit_count_matches_brute_force(shape):
    pairs = list(support_pairs(*shape))
    assert len(pairs) == _brute_orbits(*shape)
    assert all(I.shape == (shape[0], shape[2]) and J.shape == (shape[1], shape[2])
               for I, J in pairs)


def test_greedy_is_optimal_on_a_single_class():
    A = np.array([[3.0, 1.0], [1.0, 3.0]])
    assert abs(greedy_block_loss(A, np.ones((2, 1)), np.ones((2, 1))) - 4.0) < 1e-12


def test_small_sweep_agrees_on_tractable_pairs():
    recs = tractability_sweep(2, 2, 2, restarts=4, seed=3)
    assert len(recs) == 58
    for r in recs:
        if r.verdict == "tractable":
            assert abs(r.value - r.local) < 1e-6


def test_exceptions():
    with pytest.raises(ShapeError):
        next(support_pairs(0, 1, 1))
    with pytest.raises(SizeLimitError):
        next(support_pairs(6, 6, 5))

"""Row enclosures of the certified branch and bound (:mod:`exactsparse.fsmf.hard.bnb_rows`)
and of its checker: the Cauchy-Binet residual form ``||a||^2 - Q = det([M a]^T [M a]) /
det(M^T M)`` for rows with more cells than columns.

Independent route: ``Q`` at sampled points of each box by numpy least squares
(``lstsq``, no determinants), and the gradient by central differences of that."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from exactsparse.checks.fsmf_bnb_rows import D as _D, proj as _proj
from exactsparse.fsmf.hard._interval import Jet
from exactsparse.fsmf.hard.bnb_rows import row_q


def _q(M, a):
    x = np.linalg.lstsq(M, a, rcond=None)[0]
    return float(a @ a - ((a - M @ x) ** 2).sum())


def _case(q, p, seed, nb=40):
    """Random boxes of ``q x p`` matrices whose entries are chart variables (each its own
    variable), constants 1 or structural zeros."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 4, (q, p))           # 0: zero, 1: one, else a variable
    kind[np.arange(min(q, p)), np.arange(min(q, p))] = 2
    var = {}
    for j in range(q):
        for k in range(p):
            if kind[j, k] >= 2:
                var[(j, k)] = len(var)
    d = len(var)
    c = rng.uniform(-1, 1, (nb, d))
    w = rng.uniform(0, 0.2, (nb, d)) * (rng.random((nb, 1)) < 0.7)
    a = [Fraction(int(v)) for v in rng.integers(-3, 4, q)]
    return kind, var, (c - w, c + w), a


def _producer(kind, var, box, a):
    nb, d = box[0].shape

    def ent(j, k):
        if kind[j, k] == 0:
            return None
        if kind[j, k] == 1:
            return Jet.constant(1, nb, d, True)
        return Jet.variable(box, var[(j, k)], d, True)
    M = [[ent(j, k) for k in range(kind.shape[1])] for j in range(kind.shape[0])]
    return row_q(M, a, nb, d)


def _checker(kind, var, box, a):
    nb, d = box[0].shape

    def ent(j, k):
        if kind[j, k] == 0:
            return None
        z = np.zeros((nb, d, d))
        g = np.zeros((nb, d))
        if kind[j, k] == 1:
            return _D((np.ones(nb), np.ones(nb)), (g, g.copy()), (z, z.copy()))
        g[:, var[(j, k)]] = 1.0
        t = var[(j, k)]
        return _D((box[0][:, t].copy(), box[1][:, t].copy()), (g, g.copy()), (z, z.copy()))
    M = [[ent(j, k) for k in range(kind.shape[1])] for j in range(kind.shape[0])]
    return _proj(M, a, sum(x * x for x in a), nb, d, True)


def _matrix(kind, var, y):
    return np.array([[0.0 if kind[j, k] == 0 else 1.0 if kind[j, k] == 1 else y[var[(j, k)]]
                      for k in range(kind.shape[1])] for j in range(kind.shape[0])])


@pytest.mark.parametrize("q, p", [(2, 1), (3, 1), (3, 2), (4, 2), (4, 3), (5, 2), (5, 3)])
@pytest.mark.parametrize("seed", range(3))
def test_residual_form_encloses_least_squares(q, p, seed):
    """Value and gradient enclosures (producer and checker) contain numpy's ``Q`` and its
    central-difference gradient at sampled points of every non-singular box; producer
    and checker agree on which boxes are non-singular and on the value (to rounding)."""
    kind, var, box, a = _case(q, p, 100 * q + 10 * p + seed)
    af = np.array([float(x) for x in a])
    mine, ok = _producer(kind, var, box, a)
    theirs, ok2 = _checker(kind, var, box, a)
    assert np.array_equal(ok, ok2)
    assert np.allclose(mine.v[0], theirs.v[0], rtol=1e-12, atol=1e-12)
    assert np.allclose(mine.v[1], theirs.v[1], rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(seed)
    for b in range(len(ok)):
        for _ in range(10):
            y = rng.uniform(box[0][b], box[1][b])
            val = _q(_matrix(kind, var, y), af)
            for enc in (mine, theirs):
                assert enc.v[0][b] - 1e-9 <= val <= enc.v[1][b] + 1e-9
            if not ok[b]:
                continue
            h = 1e-6
            for t in range(len(y)):
                e = np.zeros(len(y))
                e[t] = h
                fd = (_q(_matrix(kind, var, y + e), af) - _q(_matrix(kind, var, y - e), af)) / (2 * h)
                for enc in (mine, theirs):
                    assert enc.g[0][b, t] - 1e-4 <= fd <= enc.g[1][b, t] + 1e-4


def test_residual_form_tighter_near_the_singular_set():
    """On narrow boxes near (not at) a rank drop, the enclosure stays narrow: width at
    most a few times the sampled range of ``Q``."""
    kind = np.array([[1, 1, 0], [2, 2, 1], [2, 0, 2], [0, 2, 2]])
    var = {(1, 0): 0, (1, 1): 1, (2, 0): 2, (3, 1): 3, (2, 2): 4, (3, 2): 5}
    y0 = np.array([0.3, 0.25, 0.05, -0.04, 0.6, 0.5])
    box = ((y0 - 1e-3)[None], (y0 + 1e-3)[None])
    a = [Fraction(v) for v in (1, -3, 2, 1)]
    q, ok = _producer(kind, var, box, a)
    assert ok[0]
    rng = np.random.default_rng(0)
    vals = [_q(_matrix(kind, var, rng.uniform(box[0][0], box[1][0])),
               np.array([1.0, -3, 2, 1])) for _ in range(200)]
    assert q.v[0][0] <= min(vals) + 1e-9 and max(vals) <= q.v[1][0] + 1e-9
    assert q.v[1][0] - q.v[0][0] <= 4 * (max(vals) - min(vals)) + 1e-6

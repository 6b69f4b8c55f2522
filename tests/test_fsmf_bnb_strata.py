"""Branch and bound of :mod:`exactsparse.fsmf.hard.bnb`: the full stratum alone bounds the
minimum (lower strata are limits of it, ``F`` being upper semicontinuous), resumed charts
give the tree of one uninterrupted run, and the checker rejects certificates without the
full stratum.

Independent routes: the certified lower bound is compared with the best of many numerical
local minimisations of the *plain* loss (scipy BFGS on ``(X, Y)``, no projection, no
charts), and the value of ``F`` at points of lower strata with numpy least squares."""

from __future__ import annotations

import json
import time
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import minimize

from exactsparse import verify
from exactsparse.fsmf.hard import certify_fsmf
from exactsparse.fsmf.hard.bnb import Problem, _chart, bnb_lower, charts, strata
from exactsparse.supports import check_pair

GEN = "10/11/01"


def plain_min(A, I, J, restarts=80, seed=0):
    """Best plain-loss local minimum over random starts (scipy, independent route)."""
    I, J = check_pair(I, J)
    Ia, Ja = np.asarray(I.array, bool), np.asarray(J.array, bool)
    A = np.array(A, float)
    nx, ny = int(Ia.sum()), int(Ja.sum())
    rng = np.random.default_rng(seed)

    def loss(z):
        X, Y = np.zeros(Ia.shape), np.zeros(Ja.shape)
        X[Ia], Y[Ja] = z[:nx], z[nx:]
        R = A - X @ Y.T
        return float((R ** 2).sum()), np.concatenate([(-2 * R @ Y)[Ia], (-2 * R.T @ X)[Ja]])
    return min(minimize(loss, rng.standard_normal(nx + ny) * 2, jac=True, method="BFGS").fun
               for _ in range(restarts))


def _problem(A):
    cells = tuple((i, j, Fraction(A[i][j])) for i in range(3) for j in range(3)
                  if (i, j) not in ((0, 2), (2, 0)))
    s = ((True, False), (True, True), (False, True))
    return Problem(3, 3, 2, cells, s, s)


def _F(A, Y):
    """Projected loss of the GEN core at ``Y`` (numpy least squares per row)."""
    I = np.array([[1, 0], [1, 1], [0, 1]], bool)
    total = 0.0
    for i in range(3):
        js = [j for j in range(3) if (i, j) not in ((0, 2), (2, 0))]
        a = np.array([A[i][j] for j in js], float)
        M = Y[np.ix_(js, np.flatnonzero(I[i]))]
        x = np.linalg.lstsq(M, a, rcond=None)[0]
        total += float(((a - M @ x) ** 2).sum())
    return total


@pytest.mark.parametrize("seed", range(4))
def test_lower_strata_are_limits_of_the_full_one(seed):
    """At random points with a zero column, ``F`` is at least the values at nearby points of
    the full stratum (upper semicontinuity, the reason only the full stratum is searched)."""
    rng = np.random.default_rng(seed)
    A = rng.integers(-3, 4, (3, 3)).tolist()
    J = np.array([[1, 0], [1, 1], [0, 1]], float)
    for _ in range(20):
        Y = rng.uniform(-1, 1, (3, 2)) * J
        Y[:, rng.integers(2)] = 0.0
        eps = rng.uniform(-1, 1, (3, 2)) * J * 1e-7
        assert _F(A, Y) >= _F(A, Y + eps) - 1e-6


def test_resumed_chart_equals_one_run():
    A = [[-1, 3, -1], [-2, 2, -2], [-1, 1, 0]]
    p = _problem(A)
    S = tuple(sorted(p.active()))
    pivots = charts(p, S)[0]
    target = 2.4          # the root box alone reaches 2.0
    whole = _chart(p, S, pivots, target, time.monotonic() + 600, 10 ** 7)
    assert whole[2] and whole[5] is None
    r = _chart(p, S, pivots, target, time.monotonic() - 1, 10 ** 7)     # root only
    runs = 1
    while r[5] is not None:
        r = _chart(p, S, pivots, target, time.monotonic() - 1, 10 ** 7, state=r[5])
        runs += 1
    assert runs > 2
    assert r[0] == whole[0] and r[1] == whole[1] and r[2] and r[3] == whole[3]


@pytest.mark.parametrize("ticks", [x + 0.5 for x in range(1, 10)])
def test_chart_stopped_between_chunks_has_every_leaf_evaluated(monkeypatch, ticks):
    """A chart whose deadline passes between two chunks of one level (a fake clock that
    ticks once per reading): every leaf of the returned tree (rebuilt by the checker's
    own ``_leaves``) was evaluated, and has a bound at least the chart's claim.  (Before
    the fix the children made from the level's earlier chunks stayed in the tree
    unevaluated, e.g. at 4.5 and 7.5 ticks, and the checker rejected a certificate
    where they lay below the claim.)"""
    import exactsparse.fsmf.hard.bnb as bnb
    from exactsparse.checks.fsmf_bnb import _leaves

    class Clock:
        now = 0

        def monotonic(self):
            self.now += 1
            return self.now
    monkeypatch.setattr(bnb, "_CHUNK", 2)
    monkeypatch.setattr(bnb, "time", Clock())
    p = _problem([[-1, 3, -1], [-2, 2, -2], [-1, 1, 0]])
    S = tuple(sorted(p.active()))
    pivots = charts(p, S)[0]
    tree, bound, complete, _, _, state = _chart(p, S, pivots, 2.4, ticks, 10 ** 7)
    assert state is not None and not complete and "S" in tree
    lo, hi = _leaves(tree, len(bnb.chart_vars(p, S, pivots)), 10 ** 6)
    assert len(lo) == len(state[2])                 # every leaf has its bound
    lb = bnb.lower_bounds(p, S, pivots, (lo, hi))[0]
    assert lb.min() >= bound - 1e-12


def test_only_the_full_stratum_is_searched():
    A = [[2, -3, -1], [-3, 0, 3], [-3, -1, -1]]
    p = _problem(A)
    bb = bnb_lower(p, Fraction(100), Fraction(1, 10 ** 6), 30)
    assert [st["nonzero"] for st in bb.certificate["strata"]] == [list(strata(p)[0])]


@pytest.fixture(scope="module")
def certified():
    A = [[2, -3, -1], [-3, 0, 3], [-3, -1, -1]]
    return A, certify_fsmf(A, GEN, GEN, budget=20)


def test_certificate_without_full_stratum_invalid(certified):
    A, res = certified
    d = json.loads(res.to_json())
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    assert len(part["bnb"]["strata"]) == 1
    # the empty stratum's constant is ||a||^2, far above the claim: alone it proves nothing
    part["bnb"]["strata"] = [{"nonzero": [], "charts": [], "bound": part["lower"]}]
    v = verify(json.dumps(d), (A, GEN, GEN))
    assert not v.valid and "stratum of every active column" in v.message


@pytest.mark.parametrize("n, r, seed", [(3, 2, 5), (3, 3, 6), (4, 2, 7)])
def test_random_general_lower_below_plain_minima(n, r, seed):
    """Random overlapping supports: the certified lower bound (certified or not) never
    exceeds the best plain-loss local minimum, and the certificate verifies."""
    rng = np.random.default_rng(seed)
    while True:
        I = (rng.random((n, r)) < 0.6).astype(int)
        J = (rng.random((n, r)) < 0.6).astype(int)
        if I.sum(0).min() and J.sum(0).min():
            break
    A = rng.integers(-3, 4, (n, n)).tolist()
    res = certify_fsmf(A, I, J, budget=6)
    c = res.certificate
    assert float(c["lower"]) <= plain_min(A, I, J) + 1e-9
    assert float(c["upper"]) >= float(c["lower"])
    assert verify(res, (A, I, J))


@pytest.mark.parametrize("q, p", [(3, 1), (3, 2), (4, 2), (4, 3), (2, 3)])
def test_cauchy_binet_floor_below_gram_determinants(q, p):
    """The Gram determinant floors (producer and checker, each its own code) are at most
    ``det(M^T M)`` (``det(M M^T)`` when ``q < p``) at sampled members of random interval
    matrices (numpy), equal to each other, and positive where numpy's minimum over the
    samples is clearly positive on narrow boxes."""
    from exactsparse.checks.fsmf_bnb_rows import binet as _binet
    from exactsparse.fsmf.hard._interval import Jet
    from exactsparse.fsmf.hard.bnb_rows import floor_det as _floor_det
    rng = np.random.default_rng(q * 10 + p)
    nb = 60
    c = rng.uniform(-1, 1, (nb, q, p))
    w = rng.uniform(0, 0.3, (nb, q, p)) * (rng.random((nb, 1, 1)) < 0.5)
    lo, hi = c - w, c + w

    class V:                        # an entry with a value interval only
        def __init__(self, v):
            self.v = v
    M = [[V((lo[:, j, k], hi[:, j, k])) for k in range(p)] for j in range(q)]
    zero = Jet((np.full(nb, -np.inf), np.full(nb, np.inf)), (np.zeros((nb, 0)),) * 2)
    mine = _floor_det(zero, M, nb).v[0]
    theirs = _binet(M, nb)
    assert np.array_equal(mine, theirs)
    for b in range(nb):
        for _ in range(30):
            X = rng.uniform(lo[b], hi[b])
            G = X.T @ X if q >= p else X @ X.T
            assert mine[b] <= np.linalg.det(G) + 1e-12
    narrow = w.max(axis=(1, 2)) == 0
    dets = np.array([np.linalg.det(c[b].T @ c[b] if q >= p else c[b] @ c[b].T)
                     for b in range(nb)])
    assert np.all(mine[narrow & (dets > 1e-9)] > 0)

"""Upper bounds for :mod:`.bnb`: exact rational points of a part (rationalised local
minima of the variable-projected loss, with exact least-squares ``X``) and the multistart
local search that finds them.

Examples
--------
>>> from fractions import Fraction
>>> from exactsparse.fsmf.hard.bnb import Problem
>>> p = Problem(1, 2, 1, ((0, 0, Fraction(1)), (0, 1, Fraction(2))), ((True,),),
...             ((True,), (True,)))
>>> exact_point(p, [[1.0], [2.0]])[0]       # [1, 2] is rank one: an exact fit
Fraction(0, 1)
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from ... import exact
from .bnb import chart_vars, charts

__all__ = ["exact_point", "local_minima", "plain_minima", "float_F"]


def float_F(p, S, pivots, y):
    """``F`` at one chart point (floats, least squares per row)."""
    Y = np.zeros((p.n, p.r))
    for k, j in zip(S, pivots):
        Y[j, k] = 1.0
    for (j, k), v in zip(chart_vars(p, S, pivots), y):
        Y[j, k] = v
    return _float_loss_Y(p, Y)[0]


def _float_loss_Y(p, Y):
    rows = {}
    for i, j, a in p.cells:
        rows.setdefault(i, []).append((j, float(a)))
    X = np.zeros((p.m, p.r))
    total = 0.0
    for i, cells in rows.items():
        K = [k for k in range(p.r) if p.Is[i][k]]
        M = np.array([[Y[j, k] for k in K] for j, _ in cells]) if K else np.zeros((len(cells), 0))
        a = np.array([v for _, v in cells])
        if K:
            x = np.linalg.lstsq(M, a, rcond=None)[0]
            X[i, K] = x
            total += float(((a - M @ x) ** 2).sum())
        else:
            total += float((a ** 2).sum())
    return total, X


def exact_point(p, Y):
    """``(loss, X, Y)``: rational ``Y`` (rationalized) with the exact least-squares ``X``
    (rows whose Gram matrix is singular use the rationalized float solution); ``loss`` is
    exact."""
    Yq = [[exact.rationalize(float(Y[j][k]), 1e-13) if p.Js[j][k] else Fraction(0)
           for k in range(p.r)] for j in range(p.n)]
    _, Xf = _float_loss_Y(p, np.array([[float(v) for v in row] for row in Yq]))
    Xq = [[exact.rationalize(float(Xf[i, k]), 1e-13) if p.Is[i][k] else Fraction(0)
           for k in range(p.r)] for i in range(p.m)]
    rows = {}
    for i, j, a in p.cells:
        rows.setdefault(i, []).append((j, a))
    for i, cells in rows.items():
        K = [k for k in range(p.r) if p.Is[i][k]]
        sol = _exact_ls([[Yq[j][k] for k in K] for j, _ in cells], [a for _, a in cells])
        if sol is not None:
            for k, v in zip(K, sol):
                Xq[i][k] = v
    loss = sum(((a - sum((Xq[i][k] * Yq[j][k] for k in range(p.r)), Fraction(0))) ** 2
                for i, j, a in p.cells), Fraction(0))
    return loss, Xq, Yq


def _exact_ls(M, a):
    """Exact solution of the normal equations ``M^T M x = M^T a`` (None when singular)."""
    if not M or not M[0]:
        return None
    p = len(M[0])
    G = [[sum((row[u] * row[v] for row in M), Fraction(0)) for v in range(p)] +
         [sum((row[u] * av for row, av in zip(M, a)), Fraction(0))] for u in range(p)]
    for c in range(p):
        piv = next((r for r in range(c, p) if G[r][c] != 0), None)
        if piv is None:
            return None
        G[c], G[piv] = G[piv], G[c]
        for r in range(p):
            if r != c and G[r][c] != 0:
                f = G[r][c] / G[c][c]
                G[r] = [x - f * y for x, y in zip(G[r], G[c])]
    return [G[c][p] / G[c][c] for c in range(p)]


def local_minima(p, starts, seed, deadline):
    """Float ``Y`` matrices of local minima of ``F`` found by multistart L-BFGS-B in the
    charts of the full stratum (best first)."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(seed)
    S = tuple(sorted(p.active()))
    found = []
    for pivots in charts(p, S):
        d = len(chart_vars(p, S, pivots))
        for _ in range(max(1, starts)):
            if time.monotonic() > deadline:
                break
            y0 = rng.uniform(-1, 1, d)
            if d:
                res = minimize(lambda y: float_F(p, S, pivots, y), y0, method="L-BFGS-B",
                               bounds=[(-1, 1)] * d)
                y, val = res.x, res.fun
            else:
                y, val = y0, float_F(p, S, pivots, y0)
            Y = np.zeros((p.n, p.r))
            for k, j in zip(S, pivots):
                Y[j, k] = 1.0
            for (j, k), v in zip(chart_vars(p, S, pivots), y):
                Y[j, k] = v
            found.append((float(val), Y))
    found.sort(key=lambda t: t[0])
    return found


def plain_minima(p, starts, seed, deadline):
    """Float ``Y`` matrices (``n x r``) of local minima of the *plain* loss
    ``sum_cells (A_ij - (X Y^T)_ij)^2`` (BFGS with the exact gradient from ``starts``
    random points, numpy; best first), as ``(loss, Y)``.  Much cheaper per start than
    :func:`local_minima`; the caller re-projects ``Y`` exactly (:func:`exact_point`)."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(seed)
    Wm = np.zeros((p.m, p.n))
    A = np.zeros((p.m, p.n))
    for i, j, a in p.cells:
        Wm[i, j], A[i, j] = 1.0, float(a)
    Ia, Ja = np.array(p.Is, bool).reshape(p.m, p.r), np.array(p.Js, bool).reshape(p.n, p.r)
    nx = int(Ia.sum())

    def unpack(z):
        X, Y = np.zeros((p.m, p.r)), np.zeros((p.n, p.r))
        X[Ia], Y[Ja] = z[:nx], z[nx:]
        return X, Y

    def loss(z):
        X, Y = unpack(z)
        R = Wm * (A - X @ Y.T)
        return float((R * R).sum()), np.concatenate([(-2 * R @ Y)[Ia], (-2 * R.T @ X)[Ja]])
    found = []
    scale = max(1.0, float(np.sqrt(np.abs(A).max())))
    for _ in range(max(1, starts)):
        if found and time.monotonic() > deadline:
            break
        z0 = rng.standard_normal(nx + int(Ja.sum())) * scale
        res = minimize(loss, z0, jac=True, method="BFGS", options={"maxiter": 400})
        found.append((float(res.fun), unpack(res.x)[1]))
    found.sort(key=lambda t: t[0])
    return found

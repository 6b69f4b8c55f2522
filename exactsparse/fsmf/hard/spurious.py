"""Certified spurious local minima of FSMF (masked rank-one cores).

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import time
from fractions import Fraction

import flint
import numpy as np

from ...results.fsmf import SpuriousResult
from ...exceptions import ArgumentError
from .certify import _deadline, _orient, _upper_point, _lower, _upper, _svd_part
from .hardcore import lift_solution, reduce_fsmf

__all__ = ["find_spurious_minima", "krawczyk_check"]


def _arb(f):
    return flint.arb(flint.fmpq(int(f.numerator), int(f.denominator)))


def _box(mid, rad):
    return [_arb(m) + flint.arb(0, float(r)) for m, r in zip(mid, rad)]


def krawczyk_check(core, mid, rad, C, prec=256):
    """Krawczyk test of ``grad F = 0`` on the box ``mid ± rad`` (chart ``y_0 = 1``).

    Returns ``(ok, value_ball, hessian_pd)``: ``ok`` means the box contains exactly one
    critical point; ``hessian_pd`` that the Hessian there is positive definite; the value
    ball contains ``F`` at that point.
    """
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        n = core.shape[1]
        free = list(range(1, n))
        box = _box(mid, rad)
        ym = [flint.arb(1)] + [_arb(v) for v in mid]
        yb = [flint.arb(1)] + box
        g = core.gradient(ym, free, flint.arb(0))
        H = core.hessian(yb, free, flint.arb(0))
        d = len(free)
        Cb = [[_arb(c) for c in row] for row in C]
        ok = True
        for a in range(d):
            K = ym[a + 1] - sum((Cb[a][b] * g[b] for b in range(d)), flint.arb(0))
            for b in range(d):
                e = (1 if a == b else 0) - sum((Cb[a][c] * H[c][b] for c in range(d)),
                                               flint.arb(0))
                K = K + e * (box[b] - ym[b + 1])
            ok = ok and box[a].contains_interior(K)
        Hs = [[(H[a][b] + H[b][a]) / 2 for b in range(d)] for a in range(d)]
        pd = all(flint.arb_mat([row[:k] for row in Hs[:k]]).det() > 0 for k in range(1, d + 1))
        return ok, core.value(yb, flint.arb(0)), pd
    except ZeroDivisionError:
        return False, flint.arb(0, flint.inf) if hasattr(flint, "inf") else None, False
    finally:
        flint.ctx.prec = old


def _certify_candidate(core, yf, hi):
    n = core.shape[1]
    mid = [Fraction(float(v)) for v in yf[1:]]
    Hf = np.array(core.hessian([1.0] + [float(v) for v in mid], list(range(1, n)), 0.0))
    try:
        C = [[Fraction(float(v)) for v in row] for row in np.linalg.inv(Hf)]
    except np.linalg.LinAlgError:
        return None
    rad = [Fraction(1, 10**11) * (1 + abs(v)) for v in mid]
    ok, vball, pd = krawczyk_check(core, mid, rad, C)
    if not (ok and pd and vball is not None):
        return None
    # widen the value ball slightly (still an enclosure) so that an independent
    # re-computation in ball arithmetic lies inside the reported interval
    pad = Fraction(1, 10**30) * (1 + abs(_upper(vball)))
    vlo, vhi = _lower(vball) - pad, _upper(vball) + pad
    return {"mid": mid, "rad": rad, "C": C, "value_lower": vlo, "value_upper": vhi,
            "spurious": hi < vlo, "certified": True}


def _boxes_meet(a, b):
    return all(abs(p - q) <= r + t for p, q, r, t in zip(a["mid"], b["mid"], a["rad"], b["rad"]))


def find_spurious_minima(A, I, J, starts=60, seed=0, budget=60.0):
    """Find and certify spurious local minima of ``||A - X Y^T||^2`` on fixed supports.

    Parameters
    ----------
    A : array_like of rationals; I, J : Support-like (``X Y^T`` convention)
    starts, seed : int
        Multistart local search on the masked variables (``starts >= 1``).
    budget : float
        Seconds (> 0); the search and the certification stop when it runs out (the
        minima certified so far are returned, ``reason`` says the budget ran out).

    Returns
    -------
    SpuriousResult
        ``kind="fsmf.spurious"``, ``verdict`` ``"spurious"`` (at least one certified) or
        ``"none-found"``; the certificate lists ``minima`` (each with ``value_lower``,
        ``value_upper``, the Krawczyk box and preconditioner, ``certified``) and the better
        exact point ``X``, ``Y`` with loss ``better``.

    Raises
    ------
    ArgumentError
        ``starts`` not an integer >= 1.
    BudgetError
        ``budget`` not a positive number.

    Notes
    -----
    Instances whose reduction (:func:`reduce_fsmf`) has a single masked rank-one part, plus
    any number of rectangles solved by truncated SVD (``svd`` parts) and complete classes,
    are handled; others give ``"none-found"`` with the reason.  The ``svd`` parts sit at a
    truncated SVD (a global, hence local, minimiser of their block, whose value lies in the
    part's exact ``[lower, upper]``, listed in ``svd_parts``); the parts share no cell
    outside the complete classes, so ``L >= constant + F(y) + sum of the svd tails`` near
    the point, with equality at it.  A certified spurious local minimum [1]_: (i) the Krawczyk operator
    maps the box into its interior, so it holds exactly one zero of ``grad F`` (reduced
    variable-projection loss, chart ``y_0 = 1``: the scaling direction is removed);
    (ii) the Hessian ball is positive definite (Sylvester), so that zero is a strict local
    minimum of ``F`` in the chart, hence a local minimum of ``L`` (``L(x, y) >= F(y)`` with
    equality at the least-squares ``x``, and complete classes fit the residual);
    (iii) an exact rational feasible point has a loss strictly below the value ball.
    On tractable instances no spurious local minimum exists (the loss splits into
    independent low-rank approximation problems), and none is reported.

    Examples
    --------
    >>> A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
    >>> res = find_spurious_minima(A, "1100/1010/1001", "1010/1001/1100")
    >>> [round(float(mm["value_lower"]), 6) for mm in res.certificate["minima"]]
    [4.694524]
    """
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 1:
        raise ArgumentError(f"Argument 'starts' must be an integer >= 1, not {starts!r}.")
    deadline = _deadline(budget)
    red = reduce_fsmf(A, I, J)
    masked = [p for p in red.parts if p.kind == "masked"]
    others = [p for p in red.parts if p.kind not in ("masked", "absorbed", "svd")]
    if len(masked) != 1 or others:
        return SpuriousResult(kind=SpuriousResult.KIND, verdict="none-found", certificate={
            "minima": [], "reason": "hard core is not a single masked rank-one part (plus "
                                    "truncated-SVD rectangles and complete classes)"},
            theorem="fsmf.spurious", backend="flint")
    part = masked[0]
    svd = {id(p): _svd_part(p) for p in red.parts if p.kind == "svd"}
    svd_lo = sum((v[0] for v in svd.values()), Fraction(0))
    svd_hi = sum((v[1] for v in svd.values()), Fraction(0))
    core, flipped = _orient(part.core)
    hi, x, y, cands = _upper_point(core, starts, seed, deadline)
    minima, reason = [], ""
    for val, yf in cands:
        if time.monotonic() > deadline:
            reason = "budget exhausted before every candidate was checked"
            break
        if abs(yf[0]) < 1e-8:
            continue
        yf = [v / yf[0] for v in yf]             # the chart y_0 = 1 of the certificate
        if max(abs(v) for v in yf) > 1e6 or min(abs(v) for v in yf) < 1e-8:
            continue
        c = _certify_candidate(core, yf, hi + svd_hi - svd_lo)
        if c is None or not c["spurious"]:
            continue
        if any(_boxes_meet(c, o) for o in minima):
            continue                             # the same critical point twice
        minima.append(c)
    for c in minima:
        c["value_lower"] += red.constant + svd_lo
        c["value_upper"] += red.constant + svd_hi
    xx, yy = (y, x) if flipped else (x, y)
    pieces = [([[v] for v in xx], [[v] for v in yy]) if p.kind == "masked"
              else svd[id(p)][2] if p.kind == "svd" else ((), ()) for p in red.parts]
    X, Y = lift_solution(red, I, J, pieces)
    svd_parts = [{"columns": list(p.columns), "cells": [list(t) for t in p.cells],
                  "lower": svd[id(p)][0], "upper": svd[id(p)][1]}
                 for p in red.parts if p.kind == "svd"]
    cert = {"minima": minima, "better": red.constant + hi + svd_hi, "X": X, "Y": Y,
            "svd_parts": svd_parts,
            "transposed": flipped, "constant": red.constant,
            "rows": list(part.rows), "cols": list(part.cols), "column": part.columns[0],
            "reason": reason}
    return SpuriousResult(kind=SpuriousResult.KIND, verdict="spurious" if minima else "none-found",
                  certificate=cert, theorem="fsmf.spurious", backend="flint")

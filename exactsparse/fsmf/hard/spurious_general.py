"""Certified local minima of one ``general`` FSMF part (used by :mod:`.spurious_parts`).

Variable projection on ``Y`` as in :mod:`.bnb`: ``F(Y) = ||a||^2 - sum_i Q_i(Y)`` and, for
every ``Y``, ``min_X L(X, Y) = F(Y)``.  ``F`` is invariant under scaling a column of ``Y``
by a nonzero number, so a chart fixes one *pivot* entry per active column to 1 (here the
entry of largest modulus at the candidate); the other active entries are the variables.
A candidate (multistart local search of :func:`.bnb_upper.local_minima`, Newton-polished in
the chart) is certified when, on a small box around it, the Gram matrices of the
projection are non-singular, the Krawczyk operator of ``grad F`` maps the box into its
interior (exactly one critical point in it) and the Hessian enclosure is positive definite
(a strict local minimum of ``F`` in the chart, hence a local minimum of ``L``).
Enclosures: :func:`.bnb.evaluate` (outward-rounded float intervals) turned into flint
balls for the Krawczyk and Sylvester tests of :mod:`.spurious_boxes`.

Examples
--------
The spec's overlapping supports ``I = J = [[1, 0], [1, 1], [0, 1]]`` with an integer
matrix: a certified local minimum whose value ball lies above the best exact point's loss
(a spurious one), and the best point itself.

>>> import time
>>> from exactsparse.fsmf.hard import reduce_fsmf
>>> A, S = [[-2, -2, 1], [2, 3, -2], [3, 2, -1]], "10/11/01"
>>> part = reduce_fsmf(A, S, S).parts[0]
>>> g = general_minima(A, S, S, part, 40, 0, time.monotonic() + 60)
>>> [round(float(m["value_lower"]), 6) for m in g.minima]
[0.681866, 4.507397]
>>> float(g.better[0]) < float(g.minima[1]["value_lower"])
True
"""

from __future__ import annotations

import math
import time
from collections import Counter
from fractions import Fraction
from typing import NamedTuple

import flint
import numpy as np

from ._common import arb_of, validate
from .bnb import chart_vars, evaluate, problem_of_part
from .bnb_upper import exact_point, local_minima
from .spurious_boxes import ball, krawczyk_inclusion, positive_definite

__all__ = ["GeneralMinima", "general_minima", "certify_general", "MAX_VARS"]

#: Largest number of chart variables of a general part handled.
MAX_VARS = 12

_WHY = {"singular": "a Gram matrix of the projection may be singular on the box, or a "
                    "column of Y vanishes (not covered)",
        "krawczyk": "the Krawczyk test failed", "indefinite": "the Hessian is not positive "
        "definite on the box (a saddle, or a degenerate minimum)",
        "newton": "Newton's method did not converge in the chart",
        "degenerate": "the Hessian is singular at the candidate (a critical point not "
                      "isolated modulo the scaling)"}


class GeneralMinima(NamedTuple):
    """``problem`` (:class:`.bnb.Problem`), ``minima`` (certified boxes, dicts with
    ``pivots``, ``mid``, ``rad``, ``C``, ``value_lower``, ``value_upper``; increasing
    value), ``better`` = ``(loss, Xp, Yp)`` the best exact point (rows/columns of the part
    by its factor columns), ``why`` (what stopped the other candidates)."""

    problem: object
    minima: list
    better: tuple
    why: str


def _jet(p, S, pivots, lo, hi):
    """The second-order jet on one box and whether it is smooth with finite enclosures
    (near a singular Gram matrix the float enclosures may overflow)."""
    lo, hi = np.atleast_2d(np.asarray(lo, float)), np.atleast_2d(np.asarray(hi, float))
    with np.errstate(all="ignore"):
        jet, smooth, *_ = evaluate(p, S, pivots, (lo, hi), second=lo.shape[1] > 0)
    parts = [*jet.v, *jet.g] + ([*jet.h] if jet.h is not None else [])
    return jet, bool(smooth[0]) and all(np.all(np.isfinite(x)) for x in parts)


def _chart(p, S, Y):
    """``(pivots, z)``: the largest entry of each active column as its pivot and the chart
    coordinates; None when a column is (numerically) zero."""
    act = p.active()
    pivots = tuple(max(act[k], key=lambda j: (abs(Y[j][k]), -j)) for k in S)
    scale = max(1.0, float(np.max(np.abs(Y))))
    if any(abs(Y[j][k]) < 1e-8 * scale for k, j in zip(S, pivots)):
        return None
    piv = dict(zip(S, pivots))
    return pivots, np.array([Y[j][k] / Y[piv[k]][k] for j, k in chart_vars(p, S, pivots)])


def _polish(p, S, pivots, z, steps=20):
    for _ in range(steps):
        jet, smooth = _jet(p, S, pivots, z, z)
        if not smooth:
            return None
        g = (jet.g[0][0] + jet.g[1][0]) / 2
        H = (jet.h[0][0] + jet.h[1][0]) / 2
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return "degenerate"
        z = z - step
        if not np.all(np.isfinite(z)) or np.max(np.abs(z), initial=0) > 1e8:
            return None
        size = np.max(np.abs(step), initial=0) / (1 + np.max(np.abs(z), initial=0))
        if size < 1e-13:
            return z
    # float noise may keep the steps above 1e-13: small ones are left to the Krawczyk test
    return z if size < 1e-8 else None     # else not near a regular critical point


def certify_general(p, S, pivots, z):
    """``(box, None)`` when a box around the chart point ``z`` passes the tests (see the
    module docstring; relative radii 1e-10, then 1e-8 and 1e-12), else ``(None, why)``
    with ``why`` the key of the first failure."""
    first = None
    for scale in (1e-10, 1e-8, 1e-12):
        box, why = _certify_box(p, S, pivots, z, scale)
        if box is not None or why in ("singular", "indefinite") and first is None:
            return box, why
        first = first or why
    return None, first


def _certify_box(p, S, pivots, z, scale):
    d = len(z)
    mid = [float(v) for v in z]
    rad = [float(scale * (1 + abs(v))) for v in mid]
    lo = np.nextafter(np.array(mid) - np.array(rad), -np.inf)
    hi = np.nextafter(np.array(mid) + np.array(rad), np.inf)
    jm, sm = _jet(p, S, pivots, mid, mid)
    jb, sb = _jet(p, S, pivots, lo, hi)
    if not (sm and sb):
        return None, "singular"
    Hm = (jm.h[0][0] + jm.h[1][0]) / 2 if d else np.zeros((0, 0))
    try:
        C = np.linalg.inv(Hm) if d else np.zeros((0, 0))
    except np.linalg.LinAlgError:
        return None, "indefinite"
    old = flint.ctx.prec
    flint.ctx.prec = 256
    try:
        mb = [arb_of(Fraction(v)) for v in mid]
        box = [x + arb_of(Fraction(r)) * flint.arb(0, 1) for x, r in zip(mb, rad)]
        g = [ball(jm.g[0][0][t], jm.g[1][0][t]) for t in range(d)]
        H = [[ball(jb.h[0][0][s][t], jb.h[1][0][s][t]) for t in range(d)] for s in range(d)]
        Cq = [[Fraction(float(v)) for v in row] for row in C]
        if not krawczyk_inclusion(box, mb, g, H, [[arb_of(v) for v in row] for row in Cq]):
            return None, "krawczyk"
        if not positive_definite(H):
            return None, "indefinite"
        gb = [ball(jb.g[0][0][t], jb.g[1][0][t]) for t in range(d)]
        val = ball(jm.v[0][0], jm.v[1][0]) + sum((gb[t] * (box[t] - mb[t]) for t in range(d)),
                                                 flint.arb(0))
    finally:
        flint.ctx.prec = old
    pad = Fraction(1, 10**12) * (1 + abs(Fraction(float(val.mid()))))
    return {"pivots": list(pivots), "mid": [Fraction(v) for v in mid],
            "rad": [Fraction(r) for r in rad], "C": Cq,
            "value_lower": Fraction(float(val.lower())) - pad,
            "value_upper": Fraction(float(val.upper())) + pad}, None


def _meet(a, b):
    return a["pivots"] == b["pivots"] and all(
        abs(p - q) <= r + t + Fraction(1, 10**7) * (1 + abs(p))
        for p, q, r, t in zip(a["mid"], b["mid"], a["rad"], b["rad"]))


def general_minima(A, I, J, part, starts, seed, end, extra=(), search=True):
    """Certified local minima and the best exact point of a ``general`` (or ``masked``)
    ``part`` of ``reduce_fsmf(A, I, J)``: a :class:`GeneralMinima` (``minima`` empty with
    ``why`` when none could be certified; the search stops at the monotonic time ``end``).
    ``extra`` adds candidate factors ``(Xp, Yp)`` (float arrays, rows and columns of the
    part by its factor columns); ``search=False`` skips the chart-wise local search."""
    A, I, J = validate(A, I, J)
    p = problem_of_part(A, I, J, part.cells, part.columns)
    S = tuple(sorted(p.active()))
    nvars = p.dims()
    if nvars > MAX_VARS:
        return GeneralMinima(p, [], None, f"{nvars} chart variables exceed the limit of "
                                          f"{MAX_VARS}")
    n_charts = math.prod(len(js) for js in p.active().values())
    # the local search gets 60 % of the remaining time, the certification the rest
    search_end = time.monotonic() + 0.6 * max(0.0, end - time.monotonic())
    found = local_minima(p, max(1, starts // n_charts), seed, search_end) if search else []
    found = sorted(found + [(0.0, _restrict(p, part, np.asarray(Yp if not p.transposed
                                                                  else Xp, float)))
                            for Xp, Yp in extra], key=lambda t: t[0])
    minima, why, seen = [], Counter(), []
    for _, Y in found:
        if time.monotonic() > end:
            why["budget"] += 1
            break
        ch = _chart(p, S, Y)
        z = None if ch is None else _polish(p, S, ch[0], ch[1])
        if z is None or isinstance(z, str):
            why["singular" if ch is None else z or "newton"] += 1
            continue
        ch = _chart(p, S, _to_Y(p, S, ch[0], z))          # re-pivot at the polished point
        if ch is None:
            why["singular"] += 1
            continue
        if any(q == ch[0] and np.max(np.abs(w - ch[1]), initial=0) < 1e-7 for q, w in seen):
            continue                                     # the same critical point again
        seen.append(ch)
        box, bad = certify_general(p, S, *ch)
        if box is None:
            why[bad] += 1
        elif not any(_meet(box, o) for o in minima):
            minima.append(box)
    minima.sort(key=lambda b: b["value_lower"])
    best = None
    for _, Y in found[:5] if search else ():
        pt = exact_point(p, Y)
        if best is None or pt[0] < best[0]:
            best = pt
    return GeneralMinima(p, minima, _part_point(p, best), _why_text(why))


def _restrict(p, part, Y):
    """A factor of the part (rows = the part's rows or columns) as the problem's ``Y``:
    entries off the supports set to 0."""
    Y = np.asarray(Y, float).reshape(p.n, p.r)
    return np.where(np.array(p.Js, bool), Y, 0.0)


def _to_Y(p, S, pivots, z):
    """The problem's ``Y`` at the chart point ``z`` (pivots 1, the variables ``z``)."""
    Y = np.zeros((p.n, p.r))
    Y[list(pivots), list(S)] = 1.0
    free = chart_vars(p, S, pivots)
    if free:
        Y[[j for j, _ in free], [k for _, k in free]] = z
    return Y


def _part_point(p, pt):
    """``(loss, Xp, Yp)`` in the part's orientation (``pt`` from :func:`exact_point`)."""
    if pt is None:
        return None
    loss, X, Y = pt
    return (loss, Y, X) if p.transposed else (loss, X, Y)


def _why_text(why):
    if not why:
        return ""
    return "; ".join("budget exhausted before every candidate was checked" if k == "budget"
                     else f"{n} candidate(s): {_WHY[k]}" for k, n in sorted(why.items()))

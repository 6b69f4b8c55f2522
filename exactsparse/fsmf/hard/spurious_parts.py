"""Certified spurious local minima of FSMF instances with several hard parts (used by
:func:`~exactsparse.fsmf.hard.find_spurious_minima`).

After :func:`~exactsparse.fsmf.hard.reduce_fsmf` the parts share no variable and no cell
outside the complete classes (which fit any residual on their union), so near any point

    L(X, Y) >= constant + sum over parts of F_part(Y_part),

with equality where every ``X`` block is a least-squares solution (``F_part`` is the
part's loss projected on ``Y``: :mod:`._masked` for masked rank-one parts, :mod:`.bnb` for
``general`` ones; ``svd`` parts sit at a truncated SVD, a global minimiser with an exact
``[lower, upper]``).  A point is a local minimum when every part is at a local minimum of
its ``F``; here each masked or general part is at a certified one (Krawczyk box, positive
definite Hessian in a chart that removes the scaling directions), and the minimum is
spurious when an exact rational point of the instance has a loss strictly below the sum of
the parts' lower bounds.  Each listed minimum puts one part at a certified local minimum
above that part's best point and every other part at its lowest certified local minimum.

Examples
--------
Two copies of the spec's masked 6-cycle, block-diagonally: a spurious local minimum with
one copy at its spurious minimum 4.6945235202 and the other at its global minimum
1.2772114616 (and symmetrically), and a better exact point (twice the global minimum).

>>> import numpy as np
>>> from exactsparse.fsmf.hard import find_spurious_minima, supported_loss
>>> A = np.kron(np.eye(2, dtype=int), [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]).tolist()
>>> I = np.kron(np.eye(2, dtype=int), [[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]])
>>> J = np.kron(np.eye(2, dtype=int), [[1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0]])
>>> res = find_spurious_minima(A, I, J, seed=1)
>>> c = res.certificate
>>> res.verdict, sorted(round(float(m["value_lower"]), 6) for m in c["minima"])
('spurious', [5.971735, 5.971735, 11.326619, 11.326619])
>>> [p["kind"] for p in c["parts"]], round(float(c["better"]), 6)
(['masked', 'masked'], 2.554423)
>>> supported_loss(A, I, J, c["X"], c["Y"]) == c["better"]
True
"""

from __future__ import annotations

import time
from fractions import Fraction

from ...results.fsmf import SpuriousResult
from ._common import orient
from .bounds import upper_point
from .hardcore import lift_solution
from .reductions import supported_loss
from .spurious_boxes import svd_summary
from .spurious_general import general_minima

__all__ = ["find_in_parts", "MAX_LISTED"]

#: Largest number of minima listed in one certificate.
MAX_LISTED = 20

def _masked(A, I, J, part, starts, seed, end):
    """``(entry, minima, better, why)`` of a masked part: candidates from the masked local
    search (:func:`.bounds.upper_point`), certified in the projected-loss chart of
    :mod:`.spurious_general` (which covers minima with zero entries in ``y`` too); the
    better point is the best of both searches."""
    core, flipped = orient(part.core)
    up = upper_point(core, starts, seed, end)
    pairs = [([[v] for v in core.best_x([float(t) for t in y])], [[v] for v in y])
             for _, y in up.candidates]
    pairs = [(b, a) for a, b in pairs] if flipped else pairs
    entry, minima, better, why = _general(A, I, J, part, starts, seed, end, pairs, False)
    x, y = (up.y, up.x) if flipped else (up.x, up.y)
    if better is None or up.value < better[0]:
        better = (up.value, [[v] for v in x], [[v] for v in y])
    return dict(entry, kind="masked"), minima, better, why


def _general(A, I, J, part, starts, seed, end, extra=(), search=True):
    g = general_minima(A, I, J, part, starts, seed, end, extra, search)
    entry = {"kind": "general", "columns": list(part.columns),
             "transposed": g.problem.transposed}
    return entry, g.minima, g.better, g.why


def _describe(k, entry):
    return f"part {k} ({entry['kind']}, columns {entry['columns']})"


def find_in_parts(A, I, J, red, starts, seed, end, progress=None):
    """:func:`~exactsparse.fsmf.hard.find_spurious_minima` on a reduction ``red`` with
    several masked parts or a general part (see the module docstring); returns a
    :class:`~exactsparse.results.fsmf.SpuriousResult` whose certificate lists the
    ``parts`` (``kind``, factor ``columns``, ``transposed``) and, per minimum, one box
    per part (``pivots`` of the chart, ``mid``, ``rad``, ``C``) with the part's value
    bounds."""
    svd, svd_lo, svd_hi, svd_entries = svd_summary(red)
    hard = [p for p in red.parts if p.kind in ("masked", "general")]
    if progress is not None:
        progress("local search", 0, None)
    found, notes = [], []
    for k, part in enumerate(hard):
        if progress is not None:
            progress("candidates", k, len(hard))
        now = time.monotonic()                    # the remaining time, shared by the parts
        share = now + max(0.0, end - now) / (len(hard) - k)
        f = (_masked if part.kind == "masked" else _general)(A, I, J, part, starts, seed, share)
        found.append(f)
        if f[3]:
            notes.append(f"{_describe(k, f[0])}: {f[3]}")
    if progress is not None:
        progress("candidates", len(hard), len(hard))
    if time.monotonic() > end:
        notes.append("budget exhausted (the search and the checks stopped early)")
    pieces, at = [], {id(p): f[2] for p, f in zip(hard, found)}
    for p in red.parts:
        pt = at.get(id(p), False)
        if pt is None:                       # no point found: the zero factors
            z = Fraction(0)
            pt = (None, [[z] * len(p.columns) for _ in p.rows],
                  [[z] * len(p.columns) for _ in p.cols])
        pieces.append(svd[id(p)].points if p.kind == "svd" else
                      (pt[1], pt[2]) if pt else ((), ()))
    X, Y = lift_solution(red, I, J, pieces)
    better = supported_loss(A, I, J, X, Y)
    minima = _combine(found, red.constant + svd_lo, red.constant + svd_hi, better)
    missing = [_describe(k, f[0]) for k, f in enumerate(found) if not f[1]]
    reason = "; ".join(([f"no local minimum certified for {', '.join(missing)} (every part "
                         "must be at a certified local minimum)"] if missing else []) + notes)
    cert = {"minima": minima, "better": better, "X": X, "Y": Y,
            "parts": [f[0] for f in found], "svd_parts": svd_entries,
            "constant": red.constant, "reason": reason}
    return SpuriousResult(kind=SpuriousResult.KIND,
                          verdict="spurious" if minima else "none-found",
                          certificate=cert, theorem="fsmf.spurious", backend="flint")


def _combine(found, lo0, hi0, better):
    """The listed minima: part ``a`` at a certified local minimum above its best point's
    loss, every other part at its lowest certified one; kept when ``better`` is strictly
    below the combined lower bound."""
    if any(not f[1] for f in found):
        return []
    base = [f[1][0] for f in found]
    out = []
    for a, f in enumerate(found):
        for box in f[1]:
            if box["value_lower"] <= f[2][0] or len(out) >= MAX_LISTED:
                continue
            boxes = base[:a] + [box] + base[a + 1:]
            lo = lo0 + sum((b["value_lower"] for b in boxes), Fraction(0))
            hi = hi0 + sum((b["value_upper"] for b in boxes), Fraction(0))
            if better < lo:
                out.append({"value_lower": lo, "value_upper": hi, "certified": True,
                            "parts": [dict(b) for b in boxes]})
    return out

"""Ball-arithmetic tests shared by the spurious-minimum search (:mod:`.spurious`,
:mod:`.spurious_general`): the Krawczyk inclusion and Sylvester's positive-definiteness
test, plus the conversion of a float interval to a flint ball.

Krawczyk [1]_: for ``g = grad F``, a box ``X = mid +- rad``, a preconditioner ``C`` and an
enclosure ``H`` of the Jacobian of ``g`` on ``X``, ``K = mid - C g(mid) + (Id - C H)(X -
mid)`` inside the interior of ``X`` proves that ``g`` has exactly one zero in ``X``.

References
----------
.. [1] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
   Fehlerschranken", Computing 4 (1969) 187-201.

Examples
--------
``g(y) = y^2 - 2`` on ``[1.41, 1.42]`` (derivative ``2 y``): one zero, ``sqrt 2``.

>>> box = [flint.arb("1.415") + flint.arb(0, 0.005)]
>>> mid = [flint.arb("1.415")]
>>> g = [mid[0] ** 2 - 2]
>>> H = [[2 * box[0]]]
>>> krawczyk_inclusion(box, mid, g, H, [[flint.arb(1) / flint.arb("2.83")]])
True
>>> positive_definite(H), positive_definite([[flint.arb(-1)]])
(True, False)
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ._common import arb_of
from .bounds import svd_interval

__all__ = ["krawczyk_inclusion", "positive_definite", "ball", "svd_summary"]


def krawczyk_inclusion(box, mid, g, H, Cb):
    """Whether ``K = mid - C g + (Id - C H)(box - mid)`` lies in the interior of the box
    (all arguments flint balls: ``box``, ``mid``, ``g`` vectors, ``H``, ``Cb`` matrices)."""
    d = len(box)
    zero = flint.arb(0)
    ok = True
    for a in range(d):
        K = mid[a] - sum((Cb[a][b] * g[b] for b in range(d)), zero)
        for b in range(d):
            e = (1 if a == b else 0) - sum((Cb[a][c] * H[c][b] for c in range(d)), zero)
            K = K + e * (box[b] - mid[b])
        ok = ok and box[a].contains_interior(K)
    return ok


def positive_definite(H):
    """Sylvester's criterion on the symmetrised Hessian ball (every leading minor > 0)."""
    d = len(H)
    Hs = [[(H[a][b] + H[b][a]) / 2 for b in range(d)] for a in range(d)]
    return all(flint.arb_mat([row[:k] for row in Hs[:k]]).det() > 0 for k in range(1, d + 1))


def ball(lo, hi):
    """A flint ball containing the float interval ``[lo, hi]`` (exact endpoints).

    >>> b = ball(0.1, 0.3)
    >>> b.contains(flint.arb(Fraction(1, 10).numerator) / 10), b.contains(flint.arb("0.3"))
    (True, True)
    """
    a, b = Fraction(float(lo)), Fraction(float(hi))
    return arb_of((a + b) / 2) + arb_of((b - a) / 2) * flint.arb(0, 1)


def svd_summary(red):
    """``(intervals, lower, upper, entries)`` of the ``svd`` parts of the reduction ``red``:
    ``{id(part): PartInterval}``, the sums of their exact lower and upper bounds, and the
    certificate's ``svd_parts`` list (columns, cells, lower, upper)."""
    svd = {id(p): svd_interval(p) for p in red.parts if p.kind == "svd"}
    lo = sum((iv.lower for iv in svd.values()), Fraction(0))
    hi = sum((iv.upper for iv in svd.values()), Fraction(0))
    entries = [{"columns": list(p.columns), "cells": [list(t) for t in p.cells],
                "lower": svd[id(p)].lower, "upper": svd[id(p)].upper}
               for p in red.parts if p.kind == "svd"]
    return svd, lo, hi, entries

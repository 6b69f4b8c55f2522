"""Vectorised interval arithmetic with first-order jets (internal to :mod:`.bnb`).

An interval is a pair ``(lo, hi)`` of float64 arrays; every operation rounds outward by
one ulp (``numpy.nextafter``), which encloses the exact result because IEEE-754
``+ - * /`` are correctly rounded (error at most half an ulp).  A :class:`Jet` holds the
enclosure of a value and of its gradient with respect to ``d`` variables, for many boxes at
once (leading axis).

Examples
--------
>>> import numpy as np
>>> a = (np.array([1.0]), np.array([2.0]))
>>> lo, hi = mul(a, a)
>>> bool(lo[0] <= 1.0 and hi[0] >= 4.0)
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["down", "up", "add", "sub", "neg", "mul", "sqr", "recip", "point", "const",
           "mag", "Jet"]


def down(x):
    return np.nextafter(x, -np.inf)


def up(x):
    return np.nextafter(x, np.inf)


def point(x):
    """The interval of a float array (exact)."""
    x = np.asarray(x, float)
    return x, x.copy()


def const(c, shape=()):
    """An interval enclosing the rational ``c`` (a Fraction or int)."""
    f = float(c)
    lo = f if type(c) is int or (hasattr(c, "denominator") and c.denominator == 1
                                 and abs(f) < 2 ** 53) else down(f)
    hi = f if lo == f else up(f)
    return np.full(shape, lo), np.full(shape, hi)


def add(a, b):
    return down(a[0] + b[0]), up(a[1] + b[1])


def neg(a):
    return -a[1], -a[0]


def sub(a, b):
    return add(a, neg(b))


def mul(a, b):
    p = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return down(np.minimum(np.minimum(p[0], p[1]), np.minimum(p[2], p[3]))), \
        up(np.maximum(np.maximum(p[0], p[1]), np.maximum(p[2], p[3])))


def sqr(a):
    lo2, hi2 = a[0] * a[0], a[1] * a[1]
    lo = np.where(a[0] >= 0, lo2, np.where(a[1] <= 0, hi2, 0.0))
    hi = np.maximum(lo2, hi2)
    return np.maximum(down(lo), 0.0), up(hi)


def recip(a):
    """``1 / a`` for intervals with ``lo > 0`` (callers mask the others)."""
    return down(1.0 / a[1]), up(1.0 / a[0])


def mag(a):
    return np.maximum(np.abs(a[0]), np.abs(a[1]))


def _bc(a):
    return a[0][..., None], a[1][..., None]


class Jet:
    """Value interval ``v`` (shape ``(nb,)``) and gradient interval ``g`` (``(nb, d)``)."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, g

    @staticmethod
    def constant(c, nb, d):
        v = const(c, (nb,))
        return Jet(v, (np.zeros((nb, d)), np.zeros((nb, d))))

    @staticmethod
    def variable(box, t, d):
        """The ``t``-th coordinate on the boxes ``box = (lo, hi)`` (arrays ``(nb, d)``)."""
        nb = box[0].shape[0]
        g = np.zeros((nb, d))
        g[:, t] = 1.0
        return Jet((box[0][:, t].copy(), box[1][:, t].copy()), (g, g.copy()))

    def __add__(self, o):
        return Jet(add(self.v, o.v), add(self.g, o.g))

    def __sub__(self, o):
        return Jet(sub(self.v, o.v), sub(self.g, o.g))

    def __neg__(self):
        return Jet(neg(self.v), neg(self.g))

    def __mul__(self, o):
        return Jet(mul(self.v, o.v), add(mul(self.g, _bc(o.v)), mul(_bc(self.v), o.g)))

    def scale(self, c):
        """Times the rational constant ``c``."""
        k = const(c)
        return Jet(mul(self.v, k), mul(self.g, k))

    def recip(self):
        """``1 / self`` where ``v.lo > 0`` (garbage elsewhere; callers mask)."""
        safe = (np.where(self.v[0] > 0, self.v[0], 1.0), np.where(self.v[0] > 0, self.v[1], 1.0))
        r = recip(safe)
        return Jet(r, neg(mul(self.g, _bc(mul(r, r)))))

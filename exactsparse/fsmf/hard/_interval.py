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
           "mag", "Jet", "gershgorin", "quadratic_floor"]


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


def _outer(a, b):
    """Interval outer products ``a_s b_t`` of gradient intervals ``(nb, d)``."""
    return mul((a[0][:, :, None], a[1][:, :, None]), (b[0][:, None, :], b[1][:, None, :]))


def _bc2(a):
    return a[0][:, None, None], a[1][:, None, None]


def _zeros(nb, d):
    z = np.zeros((nb, d, d))
    return z, z.copy()


class Jet:
    """Value interval ``v`` (shape ``(nb,)``), gradient interval ``g`` (``(nb, d)``) and,
    for second-order jets, Hessian interval ``h`` (``(nb, d, d)``; None otherwise: an
    operation with a first-order operand is first order)."""

    __slots__ = ("v", "g", "h")

    def __init__(self, v, g, h=None):
        self.v, self.g, self.h = v, g, h

    @staticmethod
    def constant(c, nb, d, second=False):
        v = const(c, (nb,))
        return Jet(v, (np.zeros((nb, d)), np.zeros((nb, d))), _zeros(nb, d) if second else None)

    @staticmethod
    def variable(box, t, d, second=False):
        """The ``t``-th coordinate on the boxes ``box = (lo, hi)`` (arrays ``(nb, d)``)."""
        nb = box[0].shape[0]
        g = np.zeros((nb, d))
        g[:, t] = 1.0
        return Jet((box[0][:, t].copy(), box[1][:, t].copy()), (g, g.copy()),
                   _zeros(nb, d) if second else None)

    def _h(self, o, f):
        return None if self.h is None or o.h is None else f(self.h, o.h)

    def __add__(self, o):
        return Jet(add(self.v, o.v), add(self.g, o.g), self._h(o, add))

    def __sub__(self, o):
        return Jet(sub(self.v, o.v), sub(self.g, o.g), self._h(o, sub))

    def __neg__(self):
        return Jet(neg(self.v), neg(self.g), None if self.h is None else neg(self.h))

    def __mul__(self, o):
        h = None
        if self.h is not None and o.h is not None:
            cross = _outer(self.g, o.g)
            cross = add(cross, (np.swapaxes(cross[0], 1, 2), np.swapaxes(cross[1], 1, 2)))
            h = add(add(mul(self.h, _bc2(o.v)), mul(_bc2(self.v), o.h)), cross)
        return Jet(mul(self.v, o.v), add(mul(self.g, _bc(o.v)), mul(_bc(self.v), o.g)), h)

    def scale(self, c):
        """Times the rational constant ``c``."""
        k = const(c)
        return Jet(mul(self.v, k), mul(self.g, k), None if self.h is None else mul(self.h, k))

    def recip(self):
        """``1 / self`` where ``v.lo > 0`` (garbage elsewhere; callers mask):
        ``(1/x)' = -x' / x^2``, ``(1/x)'' = -x'' / x^2 + 2 x' x'^T / x^3``."""
        safe = (np.where(self.v[0] > 0, self.v[0], 1.0), np.where(self.v[0] > 0, self.v[1], 1.0))
        r = recip(safe)
        r2 = mul(r, r)
        h = None
        if self.h is not None:
            r3 = mul(r2, r)
            o = _outer(self.g, self.g)
            h = sub(mul(add(o, o), _bc2(r3)), mul(self.h, _bc2(r2)))
        return Jet(r, neg(mul(self.g, _bc(r2))), h)

    def where(self, ok, v):
        """The jet where ``ok`` (bool ``(nb,)``), the value interval ``v`` with zero
        derivatives elsewhere."""
        k = ok[:, None]
        h = None if self.h is None else tuple(np.where(ok[:, None, None], x, 0.0)
                                              for x in self.h)
        return Jet((np.where(ok, self.v[0], v[0]), np.where(ok, self.v[1], v[1])),
                   (np.where(k, self.g[0], 0.0), np.where(k, self.g[1], 0.0)), h)


def gershgorin(h):
    """Per-coordinate lower bounds ``lam`` (``(nb, d)``) with ``delta^T H delta >= sum_s
    lam_s delta_s^2`` for every symmetric ``H`` in the interval matrices ``h`` (``(nb, d,
    d)``): ``lam_s = h_ss.lo - sum_{t != s} (|h_st| + |h_ts|) / 2`` (from ``|2 delta_s
    delta_t| <= delta_s^2 + delta_t^2``)."""
    d = h[0].shape[1]
    m = np.maximum(np.abs(h[0]), np.abs(h[1]))
    m = up(0.5 * up(m + np.swapaxes(m, 1, 2)))
    out = np.empty(h[0].shape[:2])
    for s in range(d):
        off = np.zeros(h[0].shape[0])
        for t in range(d):
            if t != s:
                off = up(off + m[:, s, t])
        out[:, s] = down(h[0][:, s, s] - off)
    return out


def quadratic_floor(g, lam, r):
    """Rigorous lower bound of ``min sum_s g_s delta_s + lam_s delta_s^2 / 2`` over
    ``|delta_s| <= r_s`` (``g`` an interval gradient, ``lam`` and ``r`` arrays, all
    ``(nb, d)``): per coordinate, ``-G s + lam s^2 / 2`` on ``s in [0, r]``, ``G = |g|``."""
    G = mag(g)
    quad = np.where(lam >= 0, down(lam * down(r * r)), down(lam * up(r * r)))
    at_r = down(-up(G * r) + down(0.5 * quad))
    pos = lam > 0
    safe = np.where(pos, lam, 1.0)
    vertex = -up(up(G * G) / (2 * safe))        # the global minimum when lam > 0
    inside = pos & (G < up(safe * r))            # else G >= lam r: decreasing on [0, r]
    term = np.where(inside, vertex, at_r)
    out = np.zeros(G.shape[0])
    for s in range(G.shape[1]):
        out = down(out + term[:, s])
    return out

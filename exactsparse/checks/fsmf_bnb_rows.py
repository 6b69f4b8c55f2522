"""Interval values with gradients and Hessians, and the enclosure of one row's projected
fit ``Q``, for the branch-and-bound checker :mod:`.fsmf_bnb` (its own code; nothing from
:mod:`exactsparse.fsmf` is imported).

Every operation rounds outward by one ulp (``numpy.nextafter``; IEEE-754 operations are
correctly rounded).  A row with matrix ``M`` (``q`` cells by ``p`` columns, entries
``D`` values or None for structural zeros) and observed entries ``a`` has
``Q = ||P_range(M) a||^2``; with more cells than columns, ``||a||^2 - Q = det([M a]^T
[M a]) / det(M^T M)`` (both Gram determinants as sums of squared maximal minors,
Cauchy-Binet); otherwise ``Q = ||a||^2`` where ``M`` has full row rank.

Examples
--------
>>> lo_, hi_ = mul((np.array([-1.0]), np.array([2.0])), (np.array([3.0]), np.array([3.0])))
>>> bool(lo_[0] <= -3 and hi_[0] >= 6)
True
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

__all__ = ["down", "up", "add", "sub", "mul", "num", "ex", "outer", "D", "const", "det",
           "jsum", "vdet", "binet", "mdet", "squares", "proj"]


def down(x):
    return np.nextafter(x, -np.inf)


def up(x):
    return np.nextafter(x, np.inf)


def add(a, b):
    return down(a[0] + b[0]), up(a[1] + b[1])


def sub(a, b):
    return down(a[0] - b[1]), up(a[1] - b[0])


def mul(a, b):
    p, q, r, s = a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]
    return (down(np.minimum(np.minimum(p, q), np.minimum(r, s))),
            up(np.maximum(np.maximum(p, q), np.maximum(r, s))))


def num(c):
    f = float(c)
    return (f, f) if Fraction(f) == c else (down(f), up(f))


def ex(a, *axes):
    """An interval array with new axes appended (for broadcasting)."""
    ix = (slice(None),) + (None,) * len(axes)
    return a[0][ix], a[1][ix]


def outer(a, b):
    return mul((a[0][:, :, None], a[1][:, :, None]), (b[0][:, None, :], b[1][:, None, :]))


class D:
    """A value interval ``v``, gradient interval ``g`` and Hessian interval ``h`` (arrays
    ``(nb,)``, ``(nb, d)``, ``(nb, d, d)``; ``h`` None for first-order values)."""

    def __init__(self, v, g, h=None):
        self.v, self.g, self.h = v, g, h

    def __add__(self, o):
        h = None if self.h is None or o.h is None else add(self.h, o.h)
        return D(add(self.v, o.v), add(self.g, o.g), h)

    def __sub__(self, o):
        h = None if self.h is None or o.h is None else sub(self.h, o.h)
        return D(sub(self.v, o.v), sub(self.g, o.g), h)

    def __mul__(self, o):
        h = None
        if self.h is not None and o.h is not None:
            x = outer(self.g, o.g)
            h = add(add(mul(self.h, ex(o.v, 1, 2)), mul(ex(self.v, 1, 2), o.h)),
                     add(x, (np.swapaxes(x[0], 1, 2), np.swapaxes(x[1], 1, 2))))
        return D(mul(self.v, o.v), add(mul(self.g, ex(o.v, 1)), mul(ex(self.v, 1), o.g)),
                  h)


def const(c, nb, d, second=False):
    lo, hi = num(c)
    z = np.zeros((nb, d, d))
    return D((np.full(nb, lo), np.full(nb, hi)), (np.zeros((nb, d)), np.zeros((nb, d))),
              (z, z.copy()) if second else None)


def det(rows):
    if len(rows) == 1:
        return rows[0][0]
    acc = None
    for c in range(len(rows)):
        t = rows[0][c] * det([r[:c] + r[c + 1:] for r in rows[1:]])
        acc = t if acc is None else (acc + t if c % 2 == 0 else acc - t)
    return acc


def jsum(terms, nb, d, second=False):
    terms = [t for t in terms if t is not None]
    if not terms:
        return const(0, nb, d, second)
    acc = terms[0]
    for t in terms[1:]:
        acc = acc + t
    return acc


def vdet(rows):
    """Interval determinant of a small matrix of value intervals (first-row expansion)."""
    if len(rows) == 1:
        return rows[0][0]
    acc = None
    for c in range(len(rows)):
        t = mul(rows[0][c], vdet([r[:c] + r[c + 1:] for r in rows[1:]]))
        acc = t if acc is None else (add(acc, t) if c % 2 == 0 else sub(acc, t))
    return acc


def binet(M, nb):
    """Lower bound of the Gram determinant of ``M`` (``q x p``; ``M^T M``, or ``M M^T``
    when ``q < p``) by the Cauchy-Binet formula: the sum of the squares of its maximal
    minors, each square's lower end ``0`` unless the minor's interval excludes 0."""
    q, p = len(M), len(M[0])
    s = min(p, q)
    z = np.zeros(nb)
    vals = [[(z, z) if x is None else x.v for x in row] for row in M]
    out = np.zeros(nb)
    for R in itertools.combinations(range(q), s):
        for C in itertools.combinations(range(p), s):
            lo, hi = vdet([[vals[r][c] for c in C] for r in R])
            sq = np.where(lo > 0, lo * lo, np.where(hi < 0, hi * hi, 0.0))
            out = down(out + np.maximum(down(sq), 0.0))
    return out


def mdet(rows):
    """Determinant of a small matrix of ``D`` values whose None entries are zeros (None
    when every expansion term has a zero factor)."""
    if len(rows) == 1:
        return rows[0][0]
    acc = None
    for c in range(len(rows)):
        if rows[0][c] is None:
            continue
        sub = mdet([r[:c] + r[c + 1:] for r in rows[1:]])
        if sub is None:
            continue
        t = rows[0][c] * sub
        if acc is None:
            acc = t if c % 2 == 0 else D((-t.v[1], -t.v[0]), (-t.g[1], -t.g[0]),
                                          None if t.h is None else (-t.h[1], -t.h[0]))
        else:
            acc = acc + t if c % 2 == 0 else acc - t
    return acc


def squares(vals, nb):
    """``sum x^2`` of the non-None values (None if none) with its lower end raised to
    the sum of the exact squares' lower ends, and that sum."""
    acc, low = None, np.zeros(nb)
    for x in vals:
        if x is None:
            continue
        acc = x * x if acc is None else acc + x * x
        lo, hi = x.v
        sq = np.where(lo > 0, lo * lo, np.where(hi < 0, hi * hi, 0.0))
        low = down(low + np.maximum(down(sq), 0.0))
    if acc is not None:
        acc = D((np.maximum(acc.v[0], low), acc.v[1]), acc.g, acc.h)
    return acc, low


def _recip(den, ok, second):
    """``1 / den`` (value, gradient, Hessian) where ``ok`` (``den`` certainly positive)."""
    dl = np.where(ok, den.v[0], 1.0)
    dh = np.where(ok, den.v[1], 1.0)
    inv = (down(1.0 / dh), up(1.0 / dl))
    inv2 = mul(inv, inv)
    rg = mul(den.g, (-inv2[1][:, None], -inv2[0][:, None]))
    rh = None
    if second:          # (1/x)'' = 2 x' x'^T / x^3 - x'' / x^2
        o = outer(den.g, den.g)
        rh = sub(mul(add(o, o), ex(mul(inv2, inv), 1, 2)), mul(den.h, ex(inv2, 1, 2)))
    return D(inv, rg, rh), dl, dh


def proj(M, a, na, nb, d, second=False):
    """``Q`` of one row with its non-singular mask; the value is clipped to
    ``[0, ||a||^2]``, and singular boxes get exactly that interval.  One column ``y``:
    ``Q = (a.y)^2 / |y|^2``; more cells than columns ``p >= 2``: ``||a||^2 - Q =
    det([M a]^T [M a]) / det(M^T M)``, both Gram determinants written as sums of squared
    maximal minors (Cauchy-Binet)."""
    p, q = len(M[0]), len(M)
    nah = up(float(na))
    if p == 1 < q:
        den, low = squares([row[0] for row in M], nb)
        ok = low > 0
        b = jsum([row[0] * const(x, nb, d, second) if row[0] is not None and x else None
                  for row, x in zip(M, a)], nb, d, second)
        if den is None:
            Q = const(0, nb, d, second)
        else:
            inv, dl, dh = _recip(den, ok, second)
            Q = b * b * inv
            b2 = b.v
            sl = np.where(b2[0] > 0, b2[0] * b2[0], np.where(b2[1] < 0, b2[1] * b2[1], 0.0))
            sh = np.maximum(b2[0] * b2[0], b2[1] * b2[1])
            Q = D((np.maximum(Q.v[0], down(np.maximum(down(sl), 0.0) / dh)),
                   np.minimum(Q.v[1], up(up(sh) / dl))), Q.g, Q.h)
    elif p < q:
        col = [None if x == 0 else const(x, nb, d, second) for x in a]
        den, low = squares([mdet([M[j] for j in T])
                            for T in itertools.combinations(range(q), p)], nb)
        ok = low > 0
        num, _ = squares([mdet([M[j] + [col[j]] for j in T])
                          for T in itertools.combinations(range(q), p + 1)], nb)
        if num is None or den is None:
            Q = const(na, nb, d, second)
        else:
            inv, dl, dh = _recip(den, ok, second)
            res = num * inv
            rl = np.maximum(res.v[0], np.maximum(down(num.v[0] / dh), 0.0))
            rr = np.minimum(res.v[1], up(num.v[1] / dl))
            Q = const(na, nb, d, second) - D((rl, rr), res.g, res.h)
    else:
        W = [[jsum([M[u][k] * M[v][k] if M[u][k] is not None and M[v][k] is not None
                    else None for k in range(p)], nb, d) for v in range(q)] for u in range(q)]
        ok = np.maximum(det(W).v[0], binet(M, nb)) > 0
        Q = const(na, nb, d, second)
    lo = np.where(ok, np.maximum(Q.v[0], 0.0), 0.0)
    hi = np.where(ok, np.minimum(Q.v[1], nah), nah)
    return D((lo, hi), Q.g, Q.h), ok

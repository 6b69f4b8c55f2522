"""Enclosures of one row's projected fit ``Q_i`` for :mod:`.bnb` (interval jets).

Row ``i`` of a part has the matrix ``M = [Y_jk]`` (``q`` cells ``j`` by its ``p`` columns
``k``) and ``Q = ||P_range(M) a||^2 = b^T G^{-1} b`` (``G = M^T M``, ``b = M^T a``), with
``0 <= Q <= ||a||^2``.  Three forms, each enclosed with forward-mode jets
(:mod:`._interval`):

* one column ``y`` (``p = 1 < q``): ``Q = (a.y)^2 / |y|^2``;
* ``q > p >= 2``: the *Cauchy-Binet residual form* ``||a||^2 - Q = det(B^T B) / det(M^T
  M)``, ``B = [M | a]``, both Gram determinants written as sums of squared maximal minors
  (for ``q = p + 1`` the numerator is ``(a.n)^2``, ``n`` the vector of signed minors, a
  normal of the range).  Same value as the cofactor form ``b^T adj(G) b / det G`` (``b =
  M^T a``), far fewer dependent operations, so much tighter enclosures where ``det G`` is
  small (the row near its singular set);
* ``q <= p``: ``Q = ||a||^2`` wherever ``M`` has full row rank.

``det G`` gets the Cauchy-Binet floor ``sum_T (det M_T)^2`` (:func:`floor_det`); where its
enclosure is not positive the row is singular and the caller uses ``[0, ||a||^2]``.

Examples
--------
One cell more than columns: ``M = [[1], [y]]``, ``a = (1, 2)``; ``Q = (1 + 2 y)^2 / (1 +
y^2)``, at ``y = 2`` it is ``5`` (``a`` lies in the range).

>>> import numpy as np
>>> from fractions import Fraction
>>> box = (np.array([[2.0]]), np.array([[2.0]]))
>>> M = [[Jet.constant(1, 1, 1)], [Jet.variable(box, 0, 1)]]
>>> q, ok = row_q(M, [Fraction(1), Fraction(2)], 1, 1)
>>> bool(ok[0] and q.v[0][0] <= 5 <= q.v[1][0])
True
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from ._interval import Jet, add, down, mul, sqr, sub, up

__all__ = ["det", "dot", "floor_det", "row_q"]


def det(Mx):
    """Determinant of a small square matrix of jets (Laplace expansion; None entries are
    structural zeros, and None is returned for a determinant that is structurally 0)."""
    n = len(Mx)
    if n == 1:
        return Mx[0][0]
    out, sign = None, 1
    for c in range(n):
        x = Mx[0][c]
        if x is not None:
            minor = det([row[:c] + row[c + 1:] for row in Mx[1:]])
            if minor is not None:
                term = x * minor
                out = (term if sign > 0 else -term) if out is None else \
                    (out + term if sign > 0 else out - term)
        sign = -sign
    return out


def dot(u, w):
    """``sum u_t w_t`` of two lists of jets (None entries are zeros; None if all are)."""
    out = None
    for x, y in zip(u, w):
        if x is not None and y is not None:
            t = x * y
            out = t if out is None else out + t
    return out


def _value_det(rows):
    """Interval determinant (Laplace expansion) of a small matrix of value intervals."""
    if len(rows) == 1:
        return rows[0][0]
    out = None
    for c in range(len(rows)):
        t = mul(rows[0][c], _value_det([r[:c] + r[c + 1:] for r in rows[1:]]))
        out = t if out is None else (add(out, t) if c % 2 == 0 else sub(out, t))
    return out


def floor_det(dt, M, nb):
    """``dt`` (the jet of the Gram determinant of ``M``, ``q x p``) with its lower end
    raised to the Cauchy-Binet bound ``sum_T (det M_T)^2 >= 0`` over the maximal square
    submatrices ``M_T`` (rows when ``q >= p``, else columns): far tighter than the
    expanded product on wide boxes, where it decides which rows are non-singular."""
    q, p = len(M), len(M[0])
    s = min(p, q)
    zero = (np.zeros(nb), np.zeros(nb))
    val = [[zero if x is None else x.v for x in row] for row in M]
    floor = np.zeros(nb)
    for R in itertools.combinations(range(q), s):
        for C in itertools.combinations(range(p), s):
            floor = down(floor + sqr(_value_det([[val[r][c] for c in C] for r in R]))[0])
    return Jet((np.maximum(dt.v[0], floor), dt.v[1]), dt.g, dt.h)


def _sum_sq(jets, nb):
    """The jet of ``sum x^2`` over the jets (None entries skipped; None if all are), its
    value's lower end raised to the sum of the squares' lower ends (``>= 0``)."""
    out, floor = None, np.zeros(nb)
    for x in jets:
        if x is not None:
            out = x * x if out is None else out + x * x
            floor = down(floor + sqr(x.v)[0])
    if out is None:
        return None, floor
    return Jet((np.maximum(out.v[0], floor), out.v[1]), out.g, out.h), floor


def _binet_residual(M, a, nb, d, second):
    """``(residual jet, ok)`` for ``q > p``: ``||a||^2 - Q = det(B^T B) / det(M^T M)``,
    ``B = [M | a]``, both Gram determinants as sums of squared maximal minors
    (Cauchy-Binet); ``ok`` where the denominator is certainly positive."""
    q, p = len(M), len(M[0])
    acol = [None if x == 0 else Jet.constant(x, nb, d, second) for x in a]
    den, floor = _sum_sq([det([M[j] for j in T]) for T in itertools.combinations(range(q), p)],
                         nb)
    ok = floor > 0
    num = _sum_sq([det([M[j] + [acol[j]] for j in T])
                   for T in itertools.combinations(range(q), p + 1)], nb)[0]
    if num is None or den is None:      # a in every range, or no full-rank minor
        return Jet.constant(0, nb, d, second), ok
    res = num * den.recip()
    safe = np.where(ok, den.v[0], 1.0)
    lo = np.maximum(res.v[0], np.maximum(down(num.v[0] / den.v[1]), 0.0))
    hi = np.minimum(res.v[1], up(num.v[1] / safe))
    return Jet((lo, hi), res.g, res.h), ok


def _one_column(M, a, nb, d, second):
    """``(Q jet, ok)`` for one column ``y`` (``p = 1 < q``): ``Q = (a.y)^2 / |y|^2``, the
    value also enclosed directly from ``(a.y)^2`` and ``|y|^2`` (fewer terms than the
    residual form, which is wider for a single column)."""
    den, floor = _sum_sq([row[0] for row in M], nb)
    ok = floor > 0
    b = None
    for row, x in zip(M, a):
        if row[0] is not None and x != 0:
            b = row[0].scale(x) if b is None else b + row[0].scale(x)
    if b is None or den is None:
        return Jet.constant(0, nb, d, second), ok
    Q = b * b * den.recip()
    b2 = sqr(b.v)
    safe = np.where(ok, den.v[0], 1.0)
    lo = np.maximum(Q.v[0], down(b2[0] / den.v[1]))
    hi = np.minimum(Q.v[1], up(b2[1] / safe))
    return Jet((lo, hi), Q.g, Q.h), ok


def row_q(M, a, nb, d):
    """Jet of ``Q = ||P_range(M) a||^2`` for one row, and where it is smooth (its value
    interval is intersected with ``[0, ||a||^2]``; singular boxes get that interval)."""
    second = any(x is not None and x.h is not None for row in M for x in row)
    zero = Jet.constant(0, nb, d, second)
    na = sum((x * x for x in a), Fraction(0))
    p, q = len(M[0]), len(M)
    if p == 1 < q:
        Q, ok = _one_column(M, a, nb, d, second)
    elif q > p:
        res, ok = _binet_residual(M, a, nb, d, second)
        Q = Jet.constant(na, nb, d, second) - res
    else:                                   # no more cells than columns: fit or not
        W = [[dot(M[u], M[v]) or zero for v in range(q)] for u in range(q)]
        dt = floor_det(det(W), M, nb)
        ok = dt.v[0] > 0
        Q = Jet.constant(na, nb, d, second)
    lo = np.where(ok, np.maximum(Q.v[0], 0.0), 0.0)
    hi = np.where(ok, np.minimum(Q.v[1], up(float(na))), up(float(na)))
    return Jet((lo, hi), Q.g, Q.h), ok

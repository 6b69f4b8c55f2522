"""Re-check of one certified local minimum of a ``general`` FSMF part (used by
:mod:`.fsmf_spurious`), in flint ball arithmetic with its own second-order jets; nothing
from :mod:`exactsparse.fsmf` is imported.

The part's loss projected on ``Y`` is ``F(Y) = ||a||^2 - sum_i Q_i(Y)``, ``Q_i`` the
squared norm of the projection of row ``i``'s observed entries ``a_i`` on the range of
``M_i = [Y_jk]`` (``j`` its cells, ``k`` its factor columns).  With ``p <= q`` columns
and cells, ``Q_i = b^T G^{-1} b`` (``G = M_i^T M_i``, ``b = M_i^T a_i``) is computed by
Gaussian elimination without pivoting, ``Q_i = sum_t b'_t^2 / D_t``: the pivots ``D_t``
(ratios of leading minors of ``G``) must be positive on the whole box, which proves ``G``
non-singular there (else the check fails: the certificate does not cover points where a
Gram matrix is singular).  With ``p > q``, ``M_i M_i^T`` positive definite on the box gives
``Q_i = ||a_i||^2``.  The chart fixes one pivot entry per factor column to 1 (``F`` is
invariant under scaling a column of ``Y`` by a nonzero number, so this removes the scaling
directions); the other active entries are the variables.

Examples
--------
One row, one column, ``a = (3, 4)``, ``y = (1, t)``: ``F(t) = 25 - (3 + 4t)^2 / (1 + t^2)``
has its minimum 0 at ``t = 4/3`` (the row fits exactly).

>>> from fractions import Fraction as Fr
>>> loc = [(0, 0, Fr(3)), (0, 1, Fr(4))]
>>> val = check_general_box(loc, [[True]], [[True], [True]], {0: 0},
...                         [Fr(4, 3)], [Fr(1, 10**6)], [[Fr(25, 162)]])
>>> val.contains(0) and val.rad() < 1e-9
True
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ._read import fail

__all__ = ["check_general_box", "active_columns", "chart_variables"]

_PREC = 256


def _q(v):
    v = Fraction(v)
    return flint.arb(flint.fmpq(int(v.numerator), int(v.denominator)))


class _Jet:
    """A ball value ``v``, gradient ``g`` (list) and Hessian ``h`` (list of lists)."""

    __slots__ = ("v", "g", "h")

    def __init__(self, v, g, h):
        self.v, self.g, self.h = v, g, h

    @classmethod
    def const(cls, c, d):
        z = flint.arb(0)
        return cls(c, [z] * d, [[z] * d for _ in range(d)])

    @classmethod
    def var(cls, x, t, d):
        out = cls.const(x, d)
        out.g = [flint.arb(1) if s == t else flint.arb(0) for s in range(d)]
        return out

    def __add__(self, o):
        return _Jet(self.v + o.v, [a + b for a, b in zip(self.g, o.g)],
                    [[a + b for a, b in zip(r, s)] for r, s in zip(self.h, o.h)])

    def __sub__(self, o):
        return _Jet(self.v - o.v, [a - b for a, b in zip(self.g, o.g)],
                    [[a - b for a, b in zip(r, s)] for r, s in zip(self.h, o.h)])

    def __mul__(self, o):
        d = len(self.g)
        return _Jet(self.v * o.v, [self.g[s] * o.v + self.v * o.g[s] for s in range(d)],
                    [[self.h[s][t] * o.v + self.v * o.h[s][t] + self.g[s] * o.g[t]
                      + self.g[t] * o.g[s] for t in range(d)] for s in range(d)])

    def inv(self):
        """``1 / self`` (the value ball must exclude 0)."""
        r = 1 / self.v
        r2 = r * r
        d = len(self.g)
        return _Jet(r, [-x * r2 for x in self.g],
                    [[2 * self.g[s] * self.g[t] * r2 * r - self.h[s][t] * r2
                      for t in range(d)] for s in range(d)])


def active_columns(loc, Is, Js):
    """``{k: [j, ...]}``: the entries ``Y_jk`` that meet a cell ``(i, j)`` of ``loc`` with
    ``Is[i][k]`` and ``Js[j][k]`` (the others never change the loss)."""
    out = {}
    for k in range(len(Is[0]) if Is else 0):
        js = sorted({j for i, j, _ in loc if Is[i][k] and Js[j][k]})
        if js:
            out[k] = js
    return out


def chart_variables(act, pivots):
    """The chart's variables ``(j, k)``: every active entry but the pivot, by ``(k, j)``."""
    return [(j, k) for k in sorted(act) for j in act[k] if j != pivots[k]]


def _eliminate(G, rhs):
    """``sum_t rhs'_t^2 / D_t`` by elimination of the symmetric jet matrix ``G`` (None for
    ``rhs`` gives only the pivot checks); fails unless every pivot is positive."""
    p = len(G)
    G = [row[:] for row in G]
    rhs = None if rhs is None else rhs[:]
    acc = None
    for t in range(p):
        if not G[t][t].v > 0:
            fail("a Gram matrix of the variable projection may be singular on a box.")
        ip = G[t][t].inv()
        if rhs is not None:
            term = rhs[t] * rhs[t] * ip
            acc = term if acc is None else acc + term
        for u in range(t + 1, p):
            f = G[u][t] * ip
            for w in range(t + 1, p):
                G[u][w] = G[u][w] - f * G[t][w]
            if rhs is not None:
                rhs[u] = rhs[u] - f * rhs[t]
    return acc


def _dot(u, w, d):
    acc = None
    for x, y in zip(u, w):
        if x is not None and y is not None:
            t = x * y
            acc = t if acc is None else acc + t
    return acc if acc is not None else _Jet.const(flint.arb(0), d)


def projected_loss(loc, Is, Js, act, pivots, y):
    """The jet of ``F`` at the balls ``y`` (one per chart variable)."""
    free = chart_variables(act, pivots)
    d = len(free)
    pos = {v: t for t, v in enumerate(free)}

    def entry(j, k):
        if pivots[k] == j:
            return _Jet.const(flint.arb(1), d)
        return _Jet.var(y[pos[(j, k)]], pos[(j, k)], d) if (j, k) in pos else None
    rows = {}
    for i, j, a in loc:
        rows.setdefault(i, []).append((j, a))
    total = _Jet.const(_q(sum((a * a for _, _, a in loc), Fraction(0))), d)
    for i, cells in sorted(rows.items()):
        K = [k for k in sorted(act) if Is[i][k] and any(Js[j][k] for j, _ in cells)]
        if not K:
            continue
        M = [[entry(j, k) if Js[j][k] else None for k in K] for j, _ in cells]
        if len(K) <= len(cells):
            cols = [[M[j][c] for j in range(len(cells))] for c in range(len(K))]
            G = [[_dot(cols[x], cols[z], d) for z in range(len(K))] for x in range(len(K))]
            b = [_dot(cols[x], [_Jet.const(_q(a), d) for _, a in cells], d)
                 for x in range(len(K))]
            total = total - _eliminate(G, b)
        else:
            _eliminate([[_dot(M[u], M[w], d) for w in range(len(cells))]
                        for u in range(len(cells))], None)
            total = total - _Jet.const(_q(sum((a * a for _, a in cells), Fraction(0))), d)
    return total


def check_general_box(loc, Is, Js, pivots, mid, rad, C):
    """Fail unless the box ``mid +- rad`` of the chart ``pivots`` (``{k: j}``, every active
    column of the part in local indices ``loc`` = ``[(i, j, A_ij)]``, supports ``Is``,
    ``Js``) holds exactly one critical point of ``F`` (Krawczyk inclusion with the
    preconditioner ``C``) where the Hessian is positive definite (Sylvester), so that
    point is a strict local minimum of ``F`` in the chart; returns a ball containing ``F``
    on the box (mean-value form ``F(mid) + grad F(box) . (box - mid)``)."""
    act = active_columns(loc, Is, Js)
    if set(pivots) != set(act) or any(pivots[k] not in act[k] for k in act):
        fail("a part's chart does not fix one active entry of every active column.")
    d = len(chart_variables(act, pivots))
    if len(mid) != d or len(rad) != d or len(C) != d or any(len(r) != d for r in C):
        fail("a part's box or preconditioner has the wrong size.")
    if any(not r > 0 for r in rad):
        fail("a box radius is not positive.")
    old = flint.ctx.prec
    flint.ctx.prec = _PREC
    try:
        m = [_q(v) for v in mid]
        box = [x + _q(r) * flint.arb(0, 1) for x, r in zip(m, rad)]
        at_mid = projected_loss(loc, Is, Js, act, pivots, m)
        on_box = projected_loss(loc, Is, Js, act, pivots, box)
        Cb = [[_q(v) for v in row] for row in C]
        zero = flint.arb(0)
        for a in range(d):
            K = m[a] - sum((Cb[a][b] * at_mid.g[b] for b in range(d)), zero)
            for b in range(d):
                e = (1 if a == b else 0) - sum((Cb[a][c] * on_box.h[c][b] for c in range(d)),
                                               zero)
                K += e * (box[b] - m[b])
            if not box[a].contains_interior(K):
                fail("Krawczyk inclusion fails on a part's box (projected-loss chart).")
        H = [[(on_box.h[a][b] + on_box.h[b][a]) / 2 for b in range(d)] for a in range(d)]
        for k in range(1, d + 1):
            if not flint.arb_mat([r[:k] for r in H[:k]]).det() > 0:
                fail("a part's Hessian is not positive definite on its box.")
        return at_mid.v + sum((on_box.g[t] * (box[t] - m[t]) for t in range(d)), zero)
    finally:
        flint.ctx.prec = old

"""Blow-up charts of the branch and bound where two columns of ``Y`` share a pivot.

In a chart of :mod:`.bnb` whose pivots give two columns ``k1 < k2`` the same pivot row
``j0``, the rows that use both columns are singular where ``y1 = Y[:, k1]`` and
``y2 = Y[:, k2]`` coincide, and ``F`` is discontinuous there (its limit depends on the
direction of ``y2 - y1``), so no box touching that set ever gets more than the trivial
bound ``Q_i <= ||a_i||^2``.  Such a chart (a :class:`Slab`) leaves its boxes inside the
slab ``max_{j in U} |y2_j - y1_j| <= eps`` (``U = (act[k1] | act[k2]) - {j0}``, entries
outside a column's support 0, ``eps = 1/4``) to *blow-up charts*, one per ``jp`` in
``U``: ``D = y2 - y1 = t u`` with ``u_jp = 1``, the other ``u_j`` in ``[-1, 1]``, ``t`` in
``[-eps, eps]``; ``y1_j = z_j`` on the common free entries ``C`` (in ``[-1, 1]``),
``y1_j = -t u_j`` on ``act[k1] - act[k2]``, ``y2_j = z_j + t u_j`` on ``C`` and
``y2_j = t u_j`` on ``act[k2] - act[k1]``.  For ``t != 0`` the columns ``y1|c`` and
``y1|c + t u|c`` of a row using both span the same space as ``y1|c`` and ``u|c``, so that
row's ``Q_i`` is computed with ``u`` in place of ``y2`` (independent of ``t`` and well
conditioned when the row's cells hold ``j0`` and ``jp``: ``y1_j0 = 1``, ``u_j0 = 0``,
``u_jp = 1``); the function ``G`` so defined equals ``F`` at every ``t != 0``.

Cover: every point of the slab with ``D != 0`` is a point of the blow-up chart
``jp = argmax |D_j|`` (``t = D_jp``, ``|t| <= eps``, ``u = D / t``); a point with ``D = 0``
is a limit of such points, and ``F`` is upper semicontinuous (a minimum over ``X`` of
continuous functions), so ``F`` there is at least their infimum.  Hence the least bound of
the blow-up charts bounds ``F`` on the slab, and the plain chart's other leaves the rest.
A leaf meeting ``t = 0`` never proves attainment.  The checker
(:mod:`exactsparse.checks.fsmf_bnb_blowup`) re-derives the layout, the slab test and
that every ``jp`` of ``U`` is listed.

Crosses: in a chart whose two columns ``k1, k2`` have distinct pivots ``j1, j2`` (some
row using both), the columns can be parallel only on the chart's boundary, where ``F``
is discontinuous too.  A point where ``y2 / y2_{j1}`` lies within ``eps`` of ``y1`` on
``U`` of the chart with ``k2``'s pivot moved to ``j1`` is, by scale invariance, a point of
that chart's blow-up charts (which parametrise ``y2 = y1 + t u`` with no bound on ``y2``
but ``|t| <= eps``), so a :class:`Cross` chart leaves those boxes to them (and likewise
with ``k1`` moved to ``j2``).

Examples
--------
>>> from fractions import Fraction
>>> from exactsparse.fsmf.hard.bnb import Problem, chart_vars
>>> p = Problem(1, 3, 2, ((0, 0, Fraction(1)), (0, 1, Fraction(2)), (0, 2, Fraction(3))),
...             ((True, True),), ((True, True),) * 3)
>>> slab, *blow = blowups(p, (0, 1), (0, 0))
>>> tuple(slab), slab.pair, [b.jp for b in blow]
((0, 0), (0, 1), [1, 2])
>>> chart_vars(p, (0, 1), blow[0])
[('z', 1), ('z', 2), ('t',), ('u', 2)]

Distinct pivots ``(0, 1)``: ``y1 = (1, a, b)``, ``y2 = (c, 1, e)`` (variables ``a, b,
c, e``); near ``y2 = c y1`` (``c, a`` near ``+-1``) the boxes go to the blow-ups of
``(0, 0)`` or ``(1, 1)``:

>>> import numpy as np
>>> cross, = blowups(p, (0, 1), (0, 1))
>>> [x[1] for x in cross.crosses]
[(0, 0), (1, 1)]
>>> box = np.array([[0.98, 0.49, 0.98, 0.49]]), np.array([[0.99, 0.5, 0.99, 0.5]])
>>> bool(cross.exempt(*box)[0])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._interval import Jet, down, mag, mul, sub, up

__all__ = ["Blowup", "Slab", "Cross", "blowups", "EPS"]

#: Half-width ``eps`` of the slab ``|y2 - y1|_inf <= eps`` handed to the blow-up charts.
EPS = 0.25
#: Margin of the float test that a box lies in the slab.
MARGIN = 2.0 ** -30


class Slab(tuple):
    """The pivots of a plain chart whose boxes inside the slab ``max_j |y2_j - y1_j| <=
    eps`` (``j`` in ``U``) are left to the blow-up charts (``pair``, ``eps``)."""

    def __new__(cls, pivots, pair, eps, diffs):
        self = super().__new__(cls, pivots)
        self.pair, self.eps, self.diffs = pair, eps, diffs
        return self

    def exempt(self, lo, hi):
        """Boxes ``(lo, hi)`` (arrays ``(nb, d)``) inside the slab (with a margin)."""
        ok = np.ones(len(lo), bool)
        for a, b in self.diffs:          # D_j = x_a - x_b (None: that entry is 0)
            top = (hi[:, a] if a is not None else 0.0) - (lo[:, b] if b is not None else 0.0)
            bot = (lo[:, a] if a is not None else 0.0) - (hi[:, b] if b is not None else 0.0)
            ok &= np.maximum(np.abs(top), np.abs(bot)) <= self.eps - MARGIN
        return ok


class Cross(tuple):
    """The pivots of a plain chart where two columns with *different* pivots can be
    parallel (on the chart's boundary): ``crosses`` lists ``(pair, into, wpos, terms,
    eps)``; a box where the moved column (whose pivot differs between the chart and
    ``into``), divided by its entry at the other column's pivot (variable ``wpos``),
    lies within ``eps`` of the other column on ``U`` of ``into`` (and, when the moved
    column is the first of the pair, within ``[-1, 1]`` on the common entries ``C``,
    the range of the blow-up charts' ``z``) is, after that rescaling (``F`` is scale
    invariant), a point of the blow-up charts of ``into``.  ``terms``: per ``j`` of
    ``U``, the positions (None: 0, -1: the pivot 1) of the moved and the other column's
    entries, then per ``j`` of ``C`` (first column moved) the moved one's and ``"z"``."""

    def __new__(cls, pivots, crosses):
        self = super().__new__(cls, pivots)
        self.crosses = crosses
        return self

    def exempt(self, lo, hi):
        """Boxes ``(lo, hi)`` covered by one of the blow-up charts (float intervals)."""
        out = np.zeros(len(lo), bool)
        nb = len(lo)

        def ent(t):
            if t is None:
                return np.zeros(nb), np.zeros(nb)
            if t < 0:
                return np.ones(nb), np.ones(nb)
            return lo[:, t], hi[:, t]
        for _, _, wpos, terms, eps in self.crosses:
            wl, wh = lo[:, wpos], hi[:, wpos]
            ok = (wl > 0) | (wh < 0)
            safe = (np.where(ok, wl, 1.0), np.where(ok, wh, 1.0))
            inv = (down(1.0 / safe[1]), up(1.0 / safe[0]))
            for a, b in terms:
                if b == "z":
                    ok &= mag(mul(ent(a), inv)) <= 1.0
                else:
                    ok &= mag(sub(mul(ent(a), inv), ent(b))) <= eps - MARGIN
            out |= ok
        return out


@dataclass(frozen=True)
class Blowup:
    """A blow-up chart: the replaced chart's ``pivots``, the columns ``pair`` sharing
    pivot ``j0``, the pivot ``jp`` of ``u``, its ``variables`` (names) and ``polys``: per
    ``(role, j, k)`` the entry as monomials ``((sign, (variable index, ...)), ...)``
    (``role`` 1 for the ``u`` column of a row using both columns, else 0)."""

    pivots: tuple
    pair: tuple
    jp: int
    variables: tuple
    polys: tuple
    eps: float = EPS

    @property
    def tcol(self):
        return self.variables.index(("t",))

    def box(self):
        """The initial box: ``t`` in ``[-eps, eps]``, every other variable in ``[-1, 1]``."""
        lo = [-self.eps if v == ("t",) else -1.0 for v in self.variables]
        return lo, [-x for x in lo]

    def entry(self, role, j, k, bx, nb, d, second):
        """The jet of entry ``(role, j, k)`` on the boxes ``bx`` (None: structurally 0)."""
        poly = dict(self.polys).get((role, j, k))
        if poly is None:
            return None
        out = None
        for s, mono in poly:
            term = Jet.constant(s, nb, d, second)
            for v in mono:
                term = term * Jet.variable(bx, v, d, second)
            out = term if out is None else out + term
        return out


def blowups(p, S, pivots):
    """The charts for ``pivots`` of stratum ``S``: ``[pivots]`` when no two columns share a
    pivot, more than one pair does, no row uses both, or ``U`` is empty; else the
    :class:`Slab` chart and the blow-up charts of its slab."""
    act = p.active()
    piv = dict(zip(S, pivots))
    pairs = [(a, b) for a in S for b in S if a < b and piv[a] == piv[b]]
    if not pairs:
        return [_crossed(p, S, pivots)]
    if len(pairs) != 1:
        return [tuple(pivots)]
    k1, k2 = pairs[0]
    j0 = piv[k1]
    rows = {}
    for i, j, _ in p.cells:
        rows.setdefault(i, []).append(j)
    both = [i for i, js in rows.items()
            if all(p.Is[i][k] and any(p.Js[j][k] for j in js) for k in (k1, k2))]
    U = sorted((set(act[k1]) | set(act[k2])) - {j0})
    if not both or not U:
        return [tuple(pivots)]
    C = sorted((set(act[k1]) & set(act[k2])) - {j0})
    plain = [(j, k) for k in S for j in act[k] if j != piv[k]]
    pos = {v: t for t, v in enumerate(plain)}
    out = [Slab(pivots, (k1, k2), EPS, tuple((pos.get((j, k2)), pos.get((j, k1))) for j in U))]
    for jp in U:
        names = []
        for k in S:
            if k == k1:
                names += [("z", j) for j in C]
            elif k == k2:
                names += [("t",)] + [("u", j) for j in U if j != jp]
            else:
                names += [(j, k) for j in act[k] if j != piv[k]]
        ix = {v: t for t, v in enumerate(names)}
        t = ix[("t",)]

        def u(j):
            return ((1, ()),) if j == jp else ((1, (ix[("u", j)],)),)
        polys = {}
        for k in S:
            for j in act[k]:
                if j == piv[k]:
                    polys[(0, j, k)] = ((1, ()),)
                elif k == k1:
                    polys[(0, j, k)] = (((1, (ix[("z", j)],)),) if j in C else
                                        tuple((-s, (t,) + m) for s, m in u(j)))
                elif k == k2:
                    tu = tuple((s, (t,) + m) for s, m in u(j))
                    polys[(0, j, k)] = ((1, (ix[("z", j)],)),) + tu if j in C else tu
                else:
                    polys[(0, j, k)] = ((1, (ix[(j, k)],)),)
        for j in U:
            polys[(1, j, k2)] = u(j)
        out.append(Blowup(tuple(pivots), (k1, k2), jp, tuple(names),
                          tuple(sorted(polys.items()))))
    return out



def _crossed(p, S, pivots):
    """``pivots`` as a :class:`Cross` chart when two of its columns (some row using both)
    can be rescaled onto the other's pivot into a chart with blow-up charts, else as a
    tuple."""
    act = p.active()
    piv = dict(zip(S, pivots))
    plain = [(j, k) for k in S for j in act[k] if j != piv[k]]
    pos = {v: t for t, v in enumerate(plain)}

    def at(j, k):
        return -1 if piv[k] == j else pos.get((j, k))
    crosses = []
    for k1, k2 in ((a, b) for a in S for b in S if a < b):
        for moved, other in ((k2, k1), (k1, k2)):
            jn = piv[other]
            if jn not in act[moved] or piv[moved] not in act[other]:
                continue                # (else |D| >= 1 at the moved column's pivot)
            into = tuple(jn if k == moved else piv[k] for k in S)
            slab = blowups(p, S, into)[0]
            if getattr(slab, "pair", None) != (k1, k2):
                continue
            U = sorted((set(act[k1]) | set(act[k2])) - {jn})
            # the blow-up charts take y1 on C (common entries) in [-1, 1]: when y1 is the
            # rescaled column, its entries there must stay in [-1, 1] (term (a, "z"))
            C = sorted(set(act[k1]) & set(act[k2]) - {jn}) if moved == k1 else []
            crosses.append(((k1, k2), into, pos[(jn, moved)],
                            tuple((at(j, moved), at(j, other)) for j in U) +
                            tuple((at(j, moved), "z") for j in C), slab.eps))
    return Cross(pivots, tuple(crosses)) if crosses else tuple(pivots)

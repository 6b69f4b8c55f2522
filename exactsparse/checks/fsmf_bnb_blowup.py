"""Layout of the blow-up charts of a branch-and-bound certificate (used by
:mod:`.fsmf_bnb`), re-derived here from the supports; nothing from :mod:`exactsparse.fsmf`
is imported.

A chart whose pivots give two columns ``k1 < k2`` the same pivot ``j0`` may leave its boxes
inside the slab ``max_{j in U} |y2_j - y1_j| <= eps`` (``U = (act[k1] | act[k2]) -
{j0}``; ``y1 = Y[:, k1]``, ``y2 = Y[:, k2]``, 0 outside a column's support; checked with
a margin by :func:`in_slab`) to blow-up charts with the same ``pair`` and ``eps``, one for
*every* ``jp`` in ``U``: variables ``z_j`` (``j`` in ``C = act[k1] & act[k2] - {j0}``),
``t`` in ``[-eps, eps]``, ``u_j`` (``j`` in ``U - {jp}``, ``u_jp = 1``) and the other
columns' chart variables, all in ``[-1, 1]`` but ``t``; ``y1`` is ``1`` at ``j0``,
``z_j`` on ``C`` and ``-t u_j`` on ``act[k1] - act[k2]``; ``y2`` is ``1`` at ``j0``,
``z_j + t u_j`` on ``C`` and ``t u_j`` on ``act[k2] - act[k1]``, so ``y2 - y1 = t u``.  A
row using both columns is evaluated with ``u`` (restricted to its cells) in place of
``y2``: for ``t != 0`` the two matrices have the same range (a column operation and a
scaling), so the value is ``F``.  Every point of the slab with ``y1 != y2`` is reached
(``jp`` an entry of largest ``|y2_j - y1_j| <= eps``, ``t`` that difference, ``u = (y2 -
y1) / t``), and a point with ``y1 = y2`` is a limit of such points (move one free entry
of ``U``), where ``F``, upper semicontinuous, is at least their infimum.  So the least
bound of the blow-up charts bounds ``F`` on the slab.  Leaves meeting ``t = 0`` never
prove attainment.

Examples
--------
>>> names, polys = layout({0: [0, 1, 2], 1: [0, 1, 2]}, (0, 1), (0, 0), (0, 1), 2)
>>> names
[('z', 1), ('z', 2), ('t',), ('u', 1)]
>>> polys[(0, 2, 1)]        # y2_2 = z_2 + t * u_2, u_2 = 1
((1, (1,)), (1, (2,)))
"""

from __future__ import annotations

import numpy as np

from ._read import fail, get, integer, rational, sequence

__all__ = ["required", "layout", "in_slab", "crosses", "in_cross"]

#: Margin of the float test that a box lies in a slab.
MARGIN = 2.0 ** -30


def in_slab(act, S, pivots, pair, eps, free, lo, hi):
    """Which boxes ``(lo, hi)`` of the plain chart ``pivots`` (variables ``free``) lie in
    the slab ``max_j |y2_j - y1_j| <= eps - MARGIN`` (``j`` in ``U``; an entry outside a
    column's support is 0): those points are covered by the blow-up charts."""
    pos = {v: t for t, v in enumerate(free)}
    k1, k2 = pair
    ok = np.ones(len(lo), bool)
    for j in required(act, S, pivots, pair):
        a, b = pos.get((j, k2)), pos.get((j, k1))
        top = (hi[:, a] if a is not None else 0.0) - (lo[:, b] if b is not None else 0.0)
        bot = (lo[:, a] if a is not None else 0.0) - (hi[:, b] if b is not None else 0.0)
        ok &= np.maximum(np.abs(top), np.abs(bot)) <= eps - MARGIN
    return ok


def required(act, S, pivots, pair):
    """The set ``U`` of ``u`` pivots a blow-up of ``pivots`` by ``pair`` must list (fails
    unless ``pair`` is two columns of ``S`` with the same pivot and ``U`` is not empty)."""
    if len(pair) != 2 or pair[0] >= pair[1] or not set(pair) <= set(S):
        fail("a blow-up pair is not two increasing columns of the stratum.")
    piv = dict(zip(S, pivots))
    k1, k2 = pair
    if piv[k1] != piv[k2]:
        fail("a blow-up pair's columns do not share their pivot.")
    U = (set(act[k1]) | set(act[k2])) - {piv[k1]}
    if not U:
        fail("a blow-up chart has no direction.")
    return U


def layout(act, S, pivots, pair, jp):
    """``(variable names, {(role, j, k): monomials})`` of a blow-up chart: role 1 is the
    ``u`` column of a row using both columns; a monomial is ``(sign, variable indices)``."""
    U = required(act, S, pivots, pair)
    if jp not in U:
        fail("a blow-up chart's direction pivot is not an entry of the pair's columns.")
    piv = dict(zip(S, pivots))
    k1, k2 = pair
    j0 = piv[k1]
    C = sorted((set(act[k1]) & set(act[k2])) - {j0})
    names = []
    for k in S:
        if k == k1:
            names += [("z", j) for j in C]
        elif k == k2:
            names += [("t",)] + [("u", j) for j in sorted(U) if j != jp]
        else:
            names += [(j, k) for j in act[k] if j != piv[k]]
    ix = {v: t for t, v in enumerate(names)}
    t = ix[("t",)]
    u = {j: ((1, ()),) if j == jp else ((1, (ix[("u", j)],)),) for j in U}
    polys = {(1, j, k2): u[j] for j in U}
    for k in S:
        for j in act[k]:
            if j == piv[k]:
                e = ((1, ()),)
            elif k == k1 and j in C:
                e = ((1, (ix[("z", j)],)),)
            elif k == k1:                               # y1_j = -t u_j
                e = tuple((-s, (t,) + m) for s, m in u[j])
            elif k == k2:                               # y2_j = [z_j +] t u_j
                e = tuple((s, (t,) + m) for s, m in u[j])
                e = ((1, (ix[("z", j)],)),) + e if j in C else e
            else:
                e = ((1, (ix[(j, k)],)),)
            polys[(0, j, k)] = e
    return names, polys


def crosses(act, S, pivots, ch, r, n):
    """The ``cross`` entries of a plain chart: ``[(pair, into, moved, eps)]``.  A cross
    lets the chart drop boxes where column ``moved`` of ``pair`` (the one whose pivot
    differs between ``pivots`` and ``into``), divided by its entry at the other
    column's pivot, lies within ``eps`` of the other column on ``U`` of ``into``: by the
    scale invariance of ``F`` those points are points of the blow-up charts of ``into``
    (whose listing with the same ``pair`` and ``eps`` the caller checks)."""
    out = []
    piv = dict(zip(S, pivots))
    for c in sequence(get(ch, "cross"), "cross"):
        pair = tuple(integer(k, "a cross column", 0, r) for k in sequence(get(c, "pair"), "pair"))
        into = tuple(integer(j, "a cross pivot", 0, n) for j in sequence(get(c, "into"), "into"))
        eps = rational(get(c, "t"), "a cross slab width")
        if len(pair) != 2 or pair[0] >= pair[1] or not set(pair) <= set(S) \
                or len(into) != len(S):
            fail("a cross is not two increasing columns of the stratum with a chart.")
        new = dict(zip(S, into))
        moved = [k for k in S if new[k] != piv[k]]
        if len(moved) != 1 or moved[0] not in pair or piv[moved[0]] == piv[sum(pair) - moved[0]]:
            fail("a cross does not move one column of a pair with distinct pivots.")
        k = moved[0]
        if new[k] != piv[sum(pair) - k] or new[k] not in act[k]:
            fail("a cross does not move a column onto the other column's pivot.")
        out.append((pair, into, k, eps))
    return out


def in_cross(act, S, pivots, cross, free, lo, hi):
    """Which boxes ``(lo, hi)`` of the plain chart ``pivots`` (variables ``free``) lie,
    for some cross ``(pair, into, moved, eps)``, in the set where ``max_{j in U} |y_j /
    y_jn - x_j| <= eps - MARGIN`` (``y`` the moved column, ``x`` the other, ``jn`` the
    other's pivot, ``U`` of ``into``; outward-rounded float intervals) and, when ``y`` is
    the pair's first column, ``|y_j / y_jn| <= 1`` on the entries both columns use (the
    blow-up charts' ``z`` lie in ``[-1, 1]``)."""
    pos = {v: t for t, v in enumerate(free)}
    piv = dict(zip(S, pivots))
    nb = len(lo)

    def ent(j, k):
        if piv[k] == j:
            return np.ones(nb), np.ones(nb)
        if (j, k) not in pos:
            return np.zeros(nb), np.zeros(nb)
        return lo[:, pos[(j, k)]], hi[:, pos[(j, k)]]
    out = np.zeros(nb, bool)
    for pair, into, k, eps in cross:
        other = sum(pair) - k
        jn = piv[other]
        wl, wh = ent(jn, k)
        ok = (wl > 0) | (wh < 0)
        il = np.nextafter(1.0 / np.where(ok, wh, 1.0), -np.inf)
        ih = np.nextafter(1.0 / np.where(ok, wl, 1.0), np.inf)
        for j in required(act, S, into, pair):
            al, ah = ent(j, k)
            xl, xh = ent(j, other)
            p = (al * il, al * ih, ah * il, ah * ih)
            ql = np.nextafter(np.minimum(np.minimum(p[0], p[1]), np.minimum(p[2], p[3])), -np.inf)
            qh = np.nextafter(np.maximum(np.maximum(p[0], p[1]), np.maximum(p[2], p[3])), np.inf)
            dl, dh = np.nextafter(ql - xh, -np.inf), np.nextafter(qh - xl, np.inf)
            ok &= np.maximum(np.abs(dl), np.abs(dh)) <= float(eps) - MARGIN
            if k == pair[0] and j in act[pair[1]]:      # z = y1_j of the blow-ups
                ok &= np.maximum(np.abs(ql), np.abs(qh)) <= 1.0
        out |= ok
    return out

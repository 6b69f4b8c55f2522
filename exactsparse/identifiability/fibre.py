"""Exact points of the fibre of ``(X, Y) ↦ X Yᵀ``: the witnesses ``"fibre-curve"`` and
``"fibre-root"`` of :func:`~exactsparse.identifiability.find_witness`.

The fibre of a point is ``{(X2, Y2): X2 Y2ᵀ = X Yᵀ}`` with supports in ``(I, J)``.  Through
the lifting ``(X, Y) ↦ (X_k Y_kᵀ)_k`` (arXiv:2110.01235 Theorem 4.8 [1]_) it is searched on
the rank-one contributions ``C_k``: one unknown entry ``C_k(i, j)`` of a contribution left
undetermined by partial completion is set to a parameter ``t``; the other contributions
follow by exact propagation in ``Q(t)`` (subtraction from ``Z`` and rank-one completion
along spanning trees, entries still free being fixed at their original value); every
equation of the lifted system (``sum_k C_k = Z`` and ``C_k = X2_k Y2_kᵀ``) is then a
rational function of ``t``.  If all vanish, the fibre contains a rational curve: any other
``t`` gives a witness (``"fibre-curve"``, the case of a rank-deficient Jacobian, where the
fibre is positive-dimensional); otherwise a rational root ``t ≠ t0`` of their gcd gives a
second exact solution (``"fibre-root"``, e.g. ``I = J = 110/101/011``, whose generic fibre
has two rational points).  Tried at the random point, at points where one multiply covered
entry of ``Z`` cancels, at points with two proportional rows of ``X`` (or ``Y``), and at a
few points with entries in ``{-2, -1, 1, 2, 3}``; only when ``sum_k |S_k| <= 120``, and at
most 120 propagations (the first and last unknown entry of each stuck column, at each
point).

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import flint
import networkx as nx

from .._budget import NO_DEADLINE
from ._common import PARAMS, factors_from_values, product, small_random_point
from .completion import run_completion
from .equivalence import is_witness

__all__ = ["fibre_search"]

#: The lifted search runs only when sum_k |S_k| is at most this (it is polynomial, but
#: each attempt is a value propagation in Q(t)).
_MAX_LIFTED = 120
#: Values of the special points (small integers, so that cancellations occur).
_SMALL = (-2, -1, 1, 2, 3)
#: Number of small-integer special points tried after the zero-entry points.
_N_SMALL_POINTS = 8
#: At most this many propagations in Q(t) per search (a failed search then stays well
#: under a second for sum_k |S_k| <= _MAX_LIFTED).
_MAX_ATTEMPTS = 120


class _RF:
    """An element of Q(t) as a reduced ``fmpq_poly`` fraction (denominator monic)."""

    __slots__ = ("num", "den")

    def __init__(self, num, den=None):
        num = num if isinstance(num, flint.fmpq_poly) else flint.fmpq_poly([num])
        den = flint.fmpq_poly([1]) if den is None else den
        if num == 0:
            self.num, self.den = flint.fmpq_poly([]), flint.fmpq_poly([1])
            return
        g = num.gcd(den)
        num, den = num // g, den // g
        lead = den[den.degree()]
        self.num, self.den = num / lead, den / lead

    def __add__(self, o):
        return _RF(self.num * o.den + o.num * self.den, self.den * o.den)

    def __sub__(self, o):
        return _RF(self.num * o.den - o.num * self.den, self.den * o.den)

    def __mul__(self, o):
        return _RF(self.num * o.num, self.den * o.den)

    def __truediv__(self, o):
        if o.num == 0:
            raise ZeroDivisionError
        return _RF(self.num * o.den, self.den * o.num)

    def __call__(self, t):
        d = self.den(t)
        if d == 0:
            raise ZeroDivisionError
        v = self.num(t) / d
        return Fraction(int(v.p), int(v.q))


def _const(v):
    return _RF(flint.fmpq_poly([flint.fmpq(v.numerator, v.denominator)]))


_T = _RF(flint.fmpq_poly([0, 1]))


def _propagate_values(pat, Z, vals, deadline=NO_DEADLINE):
    """Close ``vals[k][(i, j)]`` (values of ``C_k``) under subtraction from ``Z`` and rank-one
    propagation along spanning trees; False on a division by zero."""
    changed = True
    while changed:
        deadline.check("the fibre search")
        changed = False
        for e, ks in pat.cover.items():
            miss = [k for k in ks if e not in vals[k]]
            if len(miss) == 1:
                acc = Z[e]
                for l in ks:
                    if l != miss[0]:
                        acc = acc - vals[l][e]
                vals[miss[0]][e] = acc
                changed = True
        for k, (R, C) in enumerate(pat.rects):
            if len(vals[k]) == len(R) * len(C):
                continue
            G = nx.Graph()
            G.add_edges_from((("r", i), ("c", j)) for i, j in vals[k])
            for comp in nx.connected_components(G):
                rows = [u[1] for u in comp if u[0] == "r"]
                cols = [u[1] for u in comp if u[0] == "c"]
                if all((i, j) in vals[k] for i in rows for j in cols):
                    continue
                root = ("r", rows[0])
                u, v = {rows[0]: _const(Fraction(1))}, {}
                try:
                    for a, b in nx.bfs_edges(G.subgraph(comp), root):
                        if a[0] == "r":
                            v[b[1]] = vals[k][(a[1], b[1])] / u[a[1]]
                        else:
                            u[b[1]] = vals[k][(b[1], a[1])] / v[a[1]]
                except ZeroDivisionError:
                    return False
                for i in rows:
                    for j in cols:
                        if (i, j) not in vals[k]:
                            vals[k][(i, j)] = u[i] * v[j]
                changed = True
    return True


def _fibre_attempt(pat, X, Y, Zc, orig, reveal, deadline=NO_DEADLINE):
    """Reveal ``C_k(e) = t`` for ``reveal = (k, e)``, complete the other unknown entries (fixing
    the original value where propagation stalls), and return the candidate ``(X2, Y2)``
    pairs at the rational values of ``t`` that satisfy every equation."""
    vals = [dict() for _ in pat.rects]
    k0, e0 = reveal
    vals[k0][e0] = _T
    while True:
        if not _propagate_values(pat, Zc, vals, deadline):
            return []
        todo = [(k, (i, j)) for k, (R, C) in enumerate(pat.rects) for i in R for j in C
                if (i, j) not in vals[k]]
        if not todo:
            break
        k, e = todo[0]
        vals[k][e] = _const(orig[k][e])
    # factors as rational functions, then every equation of the lifted system
    try:
        X2, Y2 = factors_from_values(pat, vals, None)
    except ZeroDivisionError:
        return []
    eqs = [vals[k][(i, j)] - X2[i][k] * Y2[j][k]
           for k, (R, C) in enumerate(pat.rects) for i in R for j in C]
    for e, ks in pat.cover.items():
        acc = Zc[e]
        for k in ks:
            acc = acc - vals[k][e]
        eqs.append(acc)
    g = flint.fmpq_poly([])
    for q in eqs:
        g = q.num if g == 0 else g.gcd(q.num) if q.num != 0 else g
    t0 = orig[k0][e0]
    if g == 0:                                # a curve of solutions through the point
        ts = [t0 + s for s in PARAMS]
    else:
        ts = [Fraction(int(rt.p), int(rt.q)) for rt, _ in g.roots()]
        ts = [t for t in ts if t != t0]
    out = []
    for t in ts:
        tq = flint.fmpq(t.numerator, t.denominator)
        try:
            ev = lambda M: [[Fraction(0) if v is None else v(tq) for v in row]  # noqa: E731
                            for row in M]
            out.append((ev(X2), ev(Y2), "fibre-curve" if g == 0 else "fibre-root"))
        except ZeroDivisionError:
            continue
    return out


def _special_points(pat, rng):
    """The random point, then points with one doubly covered entry of ``Z`` equal to zero,
    then points with small integer entries (where cancellations create new solutions)."""
    X, Y = small_random_point(pat, rng)
    yield X, Y
    for (i, j), ks in sorted(pat.cover.items()):
        if len(ks) < 2:
            continue
        X, Y = ([[Fraction(rng.choice(_SMALL)) if S[a, k] else Fraction(0)
                  for k in range(pat.r)] for a in range(S.shape[0])] for S in (pat.I, pat.J))
        k = ks[-1]
        rest = sum((X[i][l] * Y[j][l] for l in ks[:-1]), Fraction(0))
        if rest != 0:
            X[i][k] = -rest / Y[j][k]
            yield X, Y
    for side, S in ((0, pat.I), (1, pat.J)):      # two proportional rows of X (or Y)
        rows = [tuple(k for k in range(pat.r) if S[a, k]) for a in range(S.shape[0])]
        for a, b in itertools.combinations(range(S.shape[0]), 2):
            if rows[a] != rows[b] or len(rows[a]) < 2:
                continue
            P = [[[Fraction(rng.choice(_SMALL)) if T[c, k] else Fraction(0)
                   for k in range(pat.r)] for c in range(T.shape[0])] for T in (pat.I, pat.J)]
            c = Fraction(rng.choice((-1, 2, -2, 3)))
            P[side][b] = [c * v for v in P[side][a]]
            yield P[0], P[1]
    for _ in range(_N_SMALL_POINTS):
        yield ([[Fraction(rng.choice(_SMALL)) if S[a, k] else Fraction(0)
                 for k in range(pat.r)] for a in range(S.shape[0])] for S in (pat.I, pat.J))


def fibre_search(pat, rng, deadline=NO_DEADLINE):
    """A second exact point of the fibre ``{X2 Y2ᵀ = X Yᵀ}`` found by one-parameter
    propagation, as ``(X, Y, X2, Y2, construction, columns)`` (tuples of tuples of Fraction;
    ``construction`` is ``"fibre-curve"`` or ``"fibre-root"``), or None.

    Each candidate is re-checked by :func:`~.equivalence.is_witness` (same product, supports
    exactly ``(I, J)``, not equivalent) before it is returned.  Raises
    :class:`~._common.OutOfBudget` when ``deadline`` passes."""
    if pat.degenerate() or sum(len(R) * len(C) for R, C in pat.rects) > _MAX_LIFTED:
        return None
    comp_known = _known_after_completion(pat, deadline)
    reveals = []                       # the first and last unknown entry of each stuck column
    for k, (R, C) in enumerate(pat.rects):
        unknown = [(i, j) for i in R for j in C if (i, j) not in comp_known[k]]
        reveals += [(k, e) for e in dict.fromkeys(unknown[:1] + unknown[-1:])]
    budget = _MAX_ATTEMPTS
    for X, Y in _special_points(pat, rng):
        X, Y = [list(r) for r in X], [list(r) for r in Y]
        orig = [{(i, j): X[i][k] * Y[j][k] for i in R for j in C}
                for k, (R, C) in enumerate(pat.rects)]
        Z = product(X, Y)
        Zc = {e: _const(Z[e[0]][e[1]]) for e in pat.cover}
        for k, e in reveals:
            budget -= 1
            if budget < 0:
                return None
            deadline.check("the fibre search")
            for X2, Y2, how in _fibre_attempt(pat, X, Y, Zc, orig, (k, e), deadline):
                if is_witness(pat, X, Y, X2, Y2):
                    fz = lambda M: tuple(map(tuple, M))  # noqa: E731
                    return fz(X), fz(Y), fz(X2), fz(Y2), how, (k,)
    return None


def _known_after_completion(pat, deadline):
    known = [set() for _ in pat.rects]
    for k, tree in run_completion(pat, True, deadline).steps:
        rows = {i for i, _ in tree}
        cols = {j for _, j in tree}
        known[k].update((i, j) for i in rows for j in cols)
    return known

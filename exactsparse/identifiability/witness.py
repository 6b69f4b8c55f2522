"""Equivalence of factorizations, canonical representatives, and witnesses of
non-identifiability.

Two pairs are *equivalent* when ``X2 = X D P`` and ``Y2 = Y D⁻¹ P`` (``D`` invertible
diagonal, ``P`` a permutation).  A *witness* that ``(I, J)`` is not identifiable is two
exact rational pairs with supports exactly ``(I, J)``, the same product ``X Yᵀ`` and not
equivalent [1]_.  Witnesses are built constructively, never by a random search:

``"degenerate"``
    an empty column ``k`` (``X_k = 0``): ``Y_k`` is not seen by ``Z``.
``"identical-columns"`` / ``"transvection"``
    columns ``k ≠ l`` with ``R_k ⊆ R_l`` and ``C_l ⊆ C_k``: ``X_l ← X_l + s X_k``,
    ``Y_k ← Y_k − s Y_l`` keeps supports and product (identical columns are a special case).
``"jacobian-kernel"``
    a kernel vector ``(δX, δY)`` of the Jacobian at a random point, not a scaling
    direction: ``X2 = X + s δX`` and ``Y2`` the solution of the linear system
    ``X2 Y2ᵀ = X Yᵀ`` on the support ``J`` (and the same with ``X`` and ``Y`` swapped);
    succeeds when the fibre is ruled along that direction.
``"dependent-columns"``
    a row ``j`` of ``Y`` and a set ``K`` of its columns such that every row of
    ``∪_{k∈K} R_k`` lies in at least two ``R_k``: choose ``X`` with ``sum_{k∈K} X_k = 0``
    (exact support), then ``Y[j, K] += s`` leaves ``X Yᵀ`` unchanged — an exact kernel
    vector of the Jacobian at a special point (and the same with ``X`` and ``Y`` swapped).
``"fibre-curve"`` / ``"fibre-root"``
    exact points of the fibre ``{(X2, Y2): X2 Y2ᵀ = X Yᵀ}``: one unknown entry ``C_k(i, j)``
    of a contribution left undetermined by partial completion is set to a parameter ``t``;
    the other contributions follow by exact propagation in ``Q(t)`` (subtraction from ``Z``
    and rank-one completion along spanning trees, entries still free being fixed at their
    original value); every equation of the lifted system (``sum_k C_k = Z`` and
    ``C_k = X2_k Y2_kᵀ``) is then a rational function of ``t``.  If all vanish, the fibre
    contains a rational curve: any other ``t`` gives a witness (``"fibre-curve"``, the case
    of a rank-deficient Jacobian, where the fibre is positive-dimensional); otherwise a
    rational root ``t ≠ t0`` of their gcd gives a second exact solution (``"fibre-root"``,
    e.g. ``I = J = 110/101/011``, whose generic fibre has two rational points).  Tried at
    the random point, at points where one multiply covered entry of ``Z`` cancels, at
    points with two proportional rows of ``X`` (or ``Y``), and at a few points with entries
    in ``{-2, -1, 1, 2, 3}``; only when ``sum_k |S_k| <= 120``, and at most 120
    propagations (the first and last unknown entry of each stuck column, at each point).

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import flint
import networkx as nx

from ..exceptions import ShapeError
from ..exact import nullspace as exact_nullspace, rref as exact_rref
from ..supports import rectangle_overlaps
from ._common import (check_seed, factors_from_values, fraction_rows, pattern, product,
                      support_of)

__all__ = ["Equivalence", "Witness", "equivalent", "canonical", "find_witness"]

_PARAMS = (1, 2, 3, -1, 5, 7, -2, 11, 13, 17)


@dataclass(frozen=True)
class Equivalence:
    """``X2 = X · diag(D) · P`` and ``Y2 = Y · diag(D)⁻¹ · P`` with
    ``(X D P)[:, k] = D[perm[k]] · X[:, perm[k]]``."""

    D: tuple
    perm: tuple


@dataclass(frozen=True)
class Witness:
    """Two factorizations of one product, not equivalent.

    Attributes
    ----------
    X, Y, X2, Y2 : tuple of tuple of Fraction
    construction : str
        ``"degenerate"``, ``"identical-columns"``, ``"transvection"``,
        ``"dependent-columns"``, ``"jacobian-kernel"``, ``"fibre-curve"`` or
        ``"fibre-root"``.
    columns : tuple of int
        The columns of ``(I, J)`` involved.
    exact_supports : bool
        Both pairs have supports exactly ``(I, J)`` (False only for a degenerate column
        whose non-empty side has one entry: there ``Y2_k = 0``, supports ``⊆ (I, J)``).
    """

    X: tuple
    Y: tuple
    X2: tuple
    Y2: tuple
    construction: str
    columns: tuple
    exact_supports: bool = True


# ----------------------------------------------------------------------------- equivalence
def _ratio(a, b):
    """``d`` with ``a = d b``: a Fraction, ``"any"`` (both zero) or None (none exists)."""
    nz = next((t for t, v in enumerate(b) if v != 0), None)
    if nz is None:
        return "any" if all(v == 0 for v in a) else None
    d = a[nz] / b[nz]
    return d if all(x == d * y for x, y in zip(a, b)) else None


def _column_scale(x2, y2, x, y):
    """The ``d ≠ 0`` with ``x2 = d x`` and ``y2 = y / d``, or None."""
    dx, dy = _ratio(x2, x), _ratio(y, y2)
    if dx is None or dy is None:
        return None
    d = dy if dx == "any" else dx
    if d == "any":
        d = Fraction(1)
    if d == 0 or (dy != "any" and dy != d):
        return None
    return d


def _columns(M):
    return [tuple(row[k] for row in M) for k in range(len(M[0]))]


def _match(X, Y, X2, Y2):
    cx, cy, cx2, cy2 = _columns(X), _columns(Y), _columns(X2), _columns(Y2)
    r = len(cx)
    G, scale = nx.Graph(), {}
    G.add_nodes_from(("a", k) for k in range(r))
    G.add_nodes_from(("b", l) for l in range(r))
    for k in range(r):
        for l in range(r):
            d = _column_scale(cx2[k], cy2[k], cx[l], cy[l])
            if d is not None:
                G.add_edge(("a", k), ("b", l))
                scale[(k, l)] = d
    M = nx.bipartite.hopcroft_karp_matching(G, top_nodes=[("a", k) for k in range(r)])
    if sum(1 for u in M if u[0] == "a") < r:
        return None
    perm = tuple(M[("a", k)][1] for k in range(r))
    D = [Fraction(1)] * r
    for k, l in enumerate(perm):
        D[l] = scale[(k, l)]
    return Equivalence(tuple(D), perm)


def _four(X, Y, X2, Y2):
    Xr = fraction_rows(X, "X")
    Yr = fraction_rows(Y, "Y")
    r = len(Xr[0])
    if len(Yr[0]) != r:
        raise ShapeError(f"Arguments 'X' ({len(Xr)}, {r}) and 'Y' ({len(Yr)}, {len(Yr[0])}) "
                         "must have the same number of columns r.")
    return Xr, Yr, fraction_rows(X2, "X2", (len(Xr), r)), fraction_rows(Y2, "Y2", (len(Yr), r))


def equivalent(X, Y, X2, Y2):
    """Whether ``(X2, Y2) = (X D P, Y D⁻¹ P)`` for an invertible diagonal ``D`` and a
    permutation ``P``, decided exactly.

    Parameters
    ----------
    X, X2 : array_like
        m×r exact matrices.
    Y, Y2 : array_like
        n×r exact matrices.

    Returns
    -------
    Equivalence or None
        ``D`` (indexed by the columns of ``X``) and ``perm`` when equivalent, else None.

    Raises
    ------
    ShapeError, FloatInExactError

    Notes
    -----
    Column ``k`` of ``X2`` may come from column ``l`` of ``X`` iff ``X2_k = d X_l`` and
    ``Y2_k = Y_l / d`` for one ``d ≠ 0``; the pairs are equivalent iff this bipartite
    graph has a perfect matching (Hopcroft–Karp).  Cost ``O(r² (m + n))``.  The
    equivalence is that of Zheng, Riccietti, Gribonval [1]_.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> e = equivalent([[1, 2]], [[3, 4]], [[4, 2]], [[2, "3/2"]])
    >>> e.perm, [str(d) for d in e.D]
    ((1, 0), ['2', '2'])
    >>> equivalent([[1, 1], [1, 1]], [[1, 0], [2, 3], [0, 1]],
    ...            [[1, 1], [1, 1]], [[1, 0], [4, 1], [0, 1]]) is None
    True
    """
    return _match(*_four(X, Y, X2, Y2))


def canonical(X, Y):
    """The representative of ``(X, Y)`` under column scaling: the first nonzero entry of each
    column of ``X`` is 1 (of ``Y`` when ``X_k = 0``).

    Columns are not reordered (permutations are not normalised).

    >>> Xc, Yc = canonical([[2, 0], [4, 3]], [[1, 1]])
    >>> [[str(v) for v in r] for r in Xc], [[str(v) for v in r] for r in Yc]
    ([['1', '0'], ['2', '1']], [['2', '3']])
    """
    Xr, Yr = fraction_rows(X, "X"), fraction_rows(Y, "Y")
    if len(Xr[0]) != len(Yr[0]):
        raise ShapeError(f"Arguments 'X' and 'Y' must have the same number of columns, not "
                         f"{len(Xr[0])} and {len(Yr[0])}.")
    for k in range(len(Xr[0])):
        col = [row[k] for row in Xr] if any(row[k] for row in Xr) else [row[k] for row in Yr]
        d = next((v for v in col if v != 0), Fraction(1))
        if any(row[k] for row in Xr):
            _scale(Xr, Yr, k, d)
        else:
            _scale(Yr, Xr, k, d)
    return tuple(map(tuple, Xr)), tuple(map(tuple, Yr))


def _scale(A, B, k, d):
    for row in A:
        row[k] = row[k] / d
    for row in B:
        row[k] = row[k] * d


# ----------------------------------------------------------------------------- witnesses
def _random_point(pat, rng):
    X = [[Fraction(rng.randrange(1, 50)) if pat.I[i, k] else Fraction(0) for k in range(pat.r)]
         for i in range(pat.m)]
    Y = [[Fraction(rng.randrange(1, 50)) if pat.J[j, k] else Fraction(0) for k in range(pat.r)]
         for j in range(pat.n)]
    return X, Y


def _valid(pat, X, Y, X2, Y2, exact=True):
    sI, sJ = tuple(map(tuple, pat.I.tolist())), tuple(map(tuple, pat.J.tolist()))
    if exact and (support_of(X2) != sI or support_of(Y2) != sJ):
        return False
    return product(X, Y) == product(X2, Y2) and _match(X, Y, X2, Y2) is None


def _first_valid(pat, build, construction, columns, exact=True):
    for s in _PARAMS:
        X, Y, X2, Y2 = build(Fraction(s))
        if _valid(pat, X, Y, X2, Y2, exact):
            fz = lambda M: tuple(map(tuple, M))  # noqa: E731
            return Witness(fz(X), fz(Y), fz(X2), fz(Y2), construction, columns, exact)
    return None


def _degenerate(pat, rng):
    for k, (R, C) in enumerate(pat.rects):
        if bool(R) == bool(C):
            continue
        swap = not R                     # X_k = 0: perturb Y_k (work on the swapped pair)
        side = C if swap else R
        X, Y = _random_point(pat, rng)
        A = Y if swap else X

        def build(s, A=A, side=side, k=k):
            A2 = [row[:] for row in A]
            if len(side) >= 2:
                A2[side[0]][k] += s
            else:
                A2[side[0]][k] = Fraction(0)
            return (X, Y, X, A2) if swap else (X, Y, A2, Y)
        w = _first_valid(pat, build, "degenerate", (k,), exact=len(side) >= 2)
        if w is not None:
            return w
    return None


def _transvection(pat, rng, k, l):
    """``R_k ⊆ R_l`` and ``C_l ⊆ C_k``: ``X_l += s X_k``, ``Y_k -= s Y_l``."""
    X, Y = _random_point(pat, rng)

    def build(s):
        X2 = [row[:] for row in X]
        Y2 = [row[:] for row in Y]
        for row in X2:
            row[l] += s * row[k]
        for row in Y2:
            row[k] -= s * row[l]
        return X, Y, X2, Y2
    same = pat.rects[k] == pat.rects[l]
    return _first_valid(pat, build, "identical-columns" if same else "transvection", (k, l))


def _transvections(pat, rng, identical_only):
    live = [k for k, (R, C) in enumerate(pat.rects) if R and C]
    rects = [pat.rects[k] for k in live]
    for p, q in rectangle_overlaps(rects, (pat.m, pat.n)):
        for k, l in ((live[p], live[q]), (live[q], live[p])):
            (Rk, Ck), (Rl, Cl) = pat.rects[k], pat.rects[l]
            if identical_only and (Rk, Ck) != (Rl, Cl):
                continue
            if set(Rk) <= set(Rl) and set(Cl) <= set(Ck):
                w = _transvection(pat, rng, k, l)
                if w is not None:
                    return w
    return None


def _doubly_covering(ks, rects, side):
    """The largest subset of ``ks`` in which every index of ``∪ rects[k][side]`` is covered
    by at least two members (iterated pruning)."""
    ks = list(ks)
    while True:
        count = {}
        for k in ks:
            for i in rects[k][side]:
                count[i] = count.get(i, 0) + 1
        keep = [k for k in ks if all(count[i] >= 2 for i in rects[k][side])]
        if len(keep) == len(ks):
            return keep
        ks = keep


def _zero_sum_columns(pat, rng, X, K, side):
    """Set the columns ``K`` of ``X`` (support side ``side``) to sum to zero, entries nonzero."""
    rows = sorted({i for k in K for i in pat.rects[k][side]})
    for i in rows:
        ks = [k for k in K if i in pat.rects[k][side]]
        vals = [Fraction(rng.randrange(1, 50)) for _ in ks[:-1]]
        vals[0] += 1 if sum(vals) == 0 else 0
        for k, v in zip(ks, vals + [-sum(vals)]):
            X[i][k] = v


def _dependent_columns(pat, rng):
    for side in (0, 1):                       # side 0: Y-row j, X columns dependent
        other = pat.J if side == 0 else pat.I
        for j in range(other.shape[0]):
            ks = [k for k in range(pat.r) if other[j, k] and pat.rects[k][0] and pat.rects[k][1]]
            K = _doubly_covering(ks, pat.rects, side)
            if len(K) >= 2:
                w = _dependent_witness(pat, rng, side, j, K)
                if w is not None:
                    return w
    return None


def _dependent_witness(pat, rng, side, j, K):
    X, Y = _random_point(pat, rng)
    _zero_sum_columns(pat, rng, X if side == 0 else Y, K, side)

    def build(s):
        B2 = [row[:] for row in (Y if side == 0 else X)]
        for k in K:
            B2[j][k] += s
        return (X, Y, X, B2) if side == 0 else (X, Y, B2, Y)
    return _first_valid(pat, build, "dependent-columns", tuple(K))


def _solve_other(pat, A2, Z, B, side):
    """Given the ``side`` factor ``A2`` (0: X, 1: Y), the other factor ``B2`` with
    ``X2 Y2ᵀ = Z`` and support in ``J`` (resp. ``I``), free values taken from ``B``; or None."""
    S = pat.J if side == 0 else pat.I
    B2 = [row[:] for row in B]
    for j in range(S.shape[0]):
        K = [k for k in range(pat.r) if S[j, k]]
        rhs = [Z[i][j] if side == 0 else Z[j][i] for i in range(len(A2))]
        y = _solve_one(A2, K, rhs, [B[j][k] for k in K])
        if y is None:
            return None
        for k, v in zip(K, y):
            B2[j][k] = v
    return B2


def _solve_one(A, K, rhs, default):
    """A solution ``y`` of ``A[:, K] y = rhs`` (free variables set to ``default``)."""
    if not K:
        return [] if all(v == 0 for v in rhs) else None
    rows = [[A[i][k] for k in K] + [rhs[i]] for i in range(len(A))]
    M = flint.fmpq_mat(len(rows), len(K) + 1,
                       [flint.fmpq(v.numerator, v.denominator) for row in rows for v in row])
    R, piv = exact_rref(M)
    if len(K) in piv:
        return None
    y = list(default)
    free = [c for c in range(len(K)) if c not in piv]
    for t, c in enumerate(piv):
        val = R[t, len(K)] - sum((R[t, f] * flint.fmpq(y[f].numerator, y[f].denominator)
                                  for f in free), flint.fmpq(0))
        y[c] = Fraction(int(val.p), int(val.q))
    return y


def _kernel_directions(pat, X, Y):
    from .jacobian import jacobian
    K = exact_nullspace(jacobian(X, Y, pat.I, pat.J))
    nx_ = pat.I.nnz
    xs = [(i, k) for i in range(pat.m) for k in range(pat.r) if pat.I[i, k]]
    ys = [(j, k) for j in range(pat.n) for k in range(pat.r) if pat.J[j, k]]
    for c in range(K.ncols()):
        col = [Fraction(int(K[t, c].p), int(K[t, c].q)) for t in range(K.nrows())]
        dX = [[Fraction(0)] * pat.r for _ in range(pat.m)]
        dY = [[Fraction(0)] * pat.r for _ in range(pat.n)]
        for t, (i, k) in enumerate(xs):
            dX[i][k] = col[t]
        for t, (j, k) in enumerate(ys):
            dY[j][k] = col[nx_ + t]
        yield dX, dY


def _jacobian_kernel(pat, rng):
    if pat.degenerate() or pat.I.nnz + pat.J.nnz > 400:
        return None
    X, Y = _random_point(pat, rng)
    Z = product(X, Y)
    for dX, dY in _kernel_directions(pat, X, Y):
        for side, A, dA, B in ((0, X, dX, Y), (1, Y, dY, X)):
            def build(s, A=A, dA=dA, B=B, side=side):
                A2 = [[a + s * d for a, d in zip(ra, rd)] for ra, rd in zip(A, dA)]
                B2 = _solve_other(pat, A2, Z, B, side)
                if B2 is None:
                    return X, Y, X, Y
                return (X, Y, A2, B2) if side == 0 else (X, Y, B2, A2)
            w = _first_valid(pat, build, "jacobian-kernel", ())
            if w is not None:
                return w
    return None


def find_witness(I, J, seed=0):
    """A witness that ``(I, J)`` is not identifiable, built constructively, or None.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    seed : int or None
        Seed (``>= 0``) for the free values of the witness point (the construction does not
        depend on it; only the numbers do).

    Returns
    -------
    Witness or None
        None when no construction applies (which does *not* prove identifiability).

    Raises
    ------
    ArgumentError
        ``seed`` is not an int ``>= 0`` or None.

    Notes
    -----
    Tried in order: degenerate column, identical columns, transvection (``R_k ⊆ R_l``,
    ``C_l ⊆ C_k``), dependent columns, Jacobian kernel, exact fibre search (see the module
    docstring).  Every non-degenerate pair with ``m, n, r <= 3`` that is not partially
    completable gets a witness.  For ``r = 2`` every pair
    that is not iteratively completable is caught by one of them, matching the theorem of
    Zheng, Riccietti, Gribonval [1]_ that completability is necessary when ``r = 2``.  Each
    candidate is re-checked exactly (same product, supports, non-equivalence) before it is
    returned.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> w = find_witness([[1, 1], [1, 1]], [[1, 0], [1, 1], [0, 1]])
    >>> w.construction
    'dependent-columns'
    >>> find_witness("100/010/001", "100/010/001") is None
    True
    """
    pat = pattern(I, J)
    rng = random.Random(check_seed(seed))
    for search in (_degenerate, lambda p, g: _transvections(p, g, True),
                   lambda p, g: _transvections(p, g, False), _dependent_columns,
                   _jacobian_kernel, _fibre_search):
        w = search(pat, rng)
        if w is not None:
            return w
    return None


# ----------------------------------------------------------------------------- fibre search
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


def _propagate_values(pat, Z, vals):
    """Close ``vals[k][(i, j)]`` (values of ``C_k``) under subtraction from ``Z`` and rank-one
    propagation along spanning trees; False on a division by zero."""
    changed = True
    while changed:
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


def _fibre_attempt(pat, X, Y, Zc, orig, reveal):
    """Reveal ``C_k(e) = t`` for ``reveal = (k, e)``, complete the other unknown entries (fixing
    the original value where propagation stalls), and return the candidate ``(X2, Y2)``
    pairs at the rational values of ``t`` that satisfy every equation."""
    vals = [dict() for _ in pat.rects]
    k0, e0 = reveal
    vals[k0][e0] = _T
    while True:
        if not _propagate_values(pat, Zc, vals):
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
        ts = [t0 + s for s in _PARAMS]
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
    X, Y = _random_point(pat, rng)
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


def _fibre_search(pat, rng):
    """Exact points of the fibre ``{X2 Y2ᵀ = X Yᵀ}`` found by one-parameter propagation."""
    if pat.degenerate() or sum(len(R) * len(C) for R, C in pat.rects) > _MAX_LIFTED:
        return None
    comp_known = _known_after_completion(pat)
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
            for X2, Y2, how in _fibre_attempt(pat, X, Y, Zc, orig, (k, e)):
                if _valid(pat, X, Y, X2, Y2):
                    fz = lambda M: tuple(map(tuple, M))  # noqa: E731
                    return Witness(fz(X), fz(Y), fz(X2), fz(Y2), how, (k,))
    return None


def _known_after_completion(pat):
    from .completion import _run
    known = [set() for _ in pat.rects]
    for k, tree in _run(pat, True).steps:
        rows = {i for i, _ in tree}
        cols = {j for _, j in tree}
        known[k].update((i, j) for i in rows for j in cols)
    return known

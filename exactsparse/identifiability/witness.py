"""Witnesses of non-identifiability.

Two pairs are *equivalent* when ``X2 = X D P`` and ``Y2 = Y D⁻¹ P`` (``D`` invertible
diagonal, ``P`` a permutation; see :mod:`.equivalence`).  A *witness* that ``(I, J)`` is not
identifiable is two exact rational pairs with supports exactly ``(I, J)``, the same product
``X Yᵀ`` and not equivalent [1]_.  Witnesses are built constructively, never by a random search:

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
    exact points of the fibre ``{(X2, Y2): X2 Y2ᵀ = X Yᵀ}`` found by propagating one free
    entry of a rank-one contribution as a parameter ``t`` in ``Q(t)`` (see :mod:`.fibre`).

Every candidate is re-checked exactly (:func:`~.equivalence.is_witness`: same product,
supports, not equivalent) before it is returned.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import flint

from .._budget import run_killable
from ..exact import nullspace as exact_nullspace, rref as exact_rref
from ..supports import rectangle_overlaps
from .._budget import NO_DEADLINE, Deadline, OutOfBudget, check_budget
from ._common import PARAMS, check_seed, pattern, product, small_random_point
from .equivalence import is_witness
from .fibre import fibre_search
from .jacobian import jacobian, jacobian_work

__all__ = ["Witness", "find_witness", "search_witness"]


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


def _first_valid(pat, build, construction, columns, exact=True, deadline=NO_DEADLINE,
                 params=PARAMS):
    for s in params:
        deadline.check(f"the {construction!r} witness construction")
        X, Y, X2, Y2 = build(Fraction(s))
        if is_witness(pat, X, Y, X2, Y2, exact):
            fz = lambda M: tuple(map(tuple, M))  # noqa: E731
            return Witness(fz(X), fz(Y), fz(X2), fz(Y2), construction, columns, exact)
    return None


def _degenerate(pat, rng, deadline):
    for k, (R, C) in enumerate(pat.rects):
        if bool(R) == bool(C):
            continue
        swap = not R                     # X_k = 0: perturb Y_k (work on the swapped pair)
        side = C if swap else R
        X, Y = small_random_point(pat, rng)
        A = Y if swap else X

        def build(s, A=A, side=side, k=k):
            A2 = [row[:] for row in A]
            if len(side) >= 2:
                A2[side[0]][k] += s
            else:
                A2[side[0]][k] = Fraction(0)
            return (X, Y, X, A2) if swap else (X, Y, A2, Y)
        w = _first_valid(pat, build, "degenerate", (k,), exact=len(side) >= 2,
                         deadline=deadline)
        if w is not None:
            return w
    return None


def _transvection(pat, rng, k, l, deadline):
    """``R_k ⊆ R_l`` and ``C_l ⊆ C_k``: ``X_l += s X_k``, ``Y_k -= s Y_l``."""
    X, Y = small_random_point(pat, rng)

    def build(s):
        X2 = [row[:] for row in X]
        Y2 = [row[:] for row in Y]
        for row in X2:
            row[l] += s * row[k]
        for row in Y2:
            row[k] -= s * row[l]
        return X, Y, X2, Y2
    same = pat.rects[k] == pat.rects[l]
    return _first_valid(pat, build, "identical-columns" if same else "transvection", (k, l),
                        deadline=deadline, params=_safe_params(X, Y, k, l))


def _safe_params(X, Y, k, l):
    """The values of :data:`PARAMS` for which no entry of ``X_l + s X_k`` or ``Y_k - s Y_l``
    vanishes on the support, then one integer above every vanishing value (on a large
    support every small ``s`` may cancel some entry)."""
    bad = {-x[l] / x[k] for x in X if x[k] != 0} | {y[k] / y[l] for y in Y if y[l] != 0}
    safe = [Fraction(s) for s in PARAMS if Fraction(s) not in bad]
    return safe + [Fraction(int(max((abs(b) for b in bad), default=0)) + 1)]


def _transvections(pat, rng, identical_only, deadline):
    live = [k for k, (R, C) in enumerate(pat.rects) if R and C]
    rects = [pat.rects[k] for k in live]
    if identical_only:
        pairs = _identical_pairs(rects)
    else:
        deadline.check("the search for overlapping rectangles")
        pairs = rectangle_overlaps(rects, (pat.m, pat.n))
    for p, q in pairs:
        deadline.check("the transvection witness search")
        for k, l in ((live[p], live[q]), (live[q], live[p])):
            (Rk, Ck), (Rl, Cl) = pat.rects[k], pat.rects[l]
            if identical_only and (Rk, Ck) != (Rl, Cl):
                continue
            if set(Rk) <= set(Rl) and set(Cl) <= set(Ck):
                w = _transvection(pat, rng, k, l, deadline)
                if w is not None:
                    return w
    return None


def _identical_pairs(rects):
    """Pairs ``(p, q)``, ``p < q``, of equal rectangles in the order of
    :func:`~exactsparse.supports.rectangle_overlaps` (sorted), found by hashing: ``O(r)``
    rectangles, not the ``O(sum |S_k|)`` of an overlap search."""
    groups = {}
    for p, rc in enumerate(rects):
        groups.setdefault(rc, []).append(p)
    return sorted((a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1:])


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


def _dependent_columns(pat, rng, deadline):
    for side in (0, 1):                       # side 0: Y-row j, X columns dependent
        other = pat.J if side == 0 else pat.I
        for j in range(other.shape[0]):
            deadline.check("the 'dependent-columns' witness search")
            ks = [k for k in range(pat.r) if other[j, k] and pat.rects[k][0] and pat.rects[k][1]]
            K = _doubly_covering(ks, pat.rects, side)
            if len(K) >= 2:
                w = _dependent_witness(pat, rng, side, j, K, deadline)
                if w is not None:
                    return w
    return None


def _dependent_witness(pat, rng, side, j, K, deadline):
    X, Y = small_random_point(pat, rng)
    _zero_sum_columns(pat, rng, X if side == 0 else Y, K, side)

    def build(s):
        B2 = [row[:] for row in (Y if side == 0 else X)]
        for k in K:
            B2[j][k] += s
        return (X, Y, X, B2) if side == 0 else (X, Y, B2, Y)
    return _first_valid(pat, build, "dependent-columns", tuple(K), deadline=deadline)


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


def _kernel_columns(pat, X, Y):
    """A basis of the kernel of the Jacobian at ``(X, Y)``: columns as lists of Fraction."""
    K = exact_nullspace(jacobian(X, Y, pat.I, pat.J))
    return [[Fraction(int(K[t, c].p), int(K[t, c].q)) for t in range(K.nrows())]
            for c in range(K.ncols())]


#: Above this estimated cost (rows · columns · min) a budgeted kernel runs in a child
#: process killed when the budget runs out (one uninterruptible FLINT call).
_FORK_WORK = 5 * 10**7


def _kernel_directions(pat, X, Y, deadline=NO_DEADLINE):
    if deadline.end is not None and jacobian_work(pat) > _FORK_WORK:
        ok, cols = run_killable(_kernel_columns, (pat, X, Y), max(deadline.left(), 0.0),
                                "the Jacobian kernel")
        if not ok:
            raise OutOfBudget(f"the time budget of {deadline.budget:g} s ran out during the "
                              f"'jacobian-kernel' witness search ({cols})")
    else:
        cols = _kernel_columns(pat, X, Y)
    nx_ = pat.I.nnz
    xs = [(i, k) for i in range(pat.m) for k in range(pat.r) if pat.I[i, k]]
    ys = [(j, k) for j in range(pat.n) for k in range(pat.r) if pat.J[j, k]]
    for col in cols:
        dX = [[Fraction(0)] * pat.r for _ in range(pat.m)]
        dY = [[Fraction(0)] * pat.r for _ in range(pat.n)]
        for t, (i, k) in enumerate(xs):
            dX[i][k] = col[t]
        for t, (j, k) in enumerate(ys):
            dY[j][k] = col[nx_ + t]
        yield dX, dY


def _jacobian_kernel(pat, rng, deadline):
    if pat.degenerate() or pat.I.nnz + pat.J.nnz > 400:
        return None
    X, Y = small_random_point(pat, rng)
    Z = product(X, Y)
    deadline.check("the 'jacobian-kernel' witness search")
    for dX, dY in _kernel_directions(pat, X, Y, deadline):
        deadline.check("the 'jacobian-kernel' witness search")
        for side, A, dA, B in ((0, X, dX, Y), (1, Y, dY, X)):
            def build(s, A=A, dA=dA, B=B, side=side):
                A2 = [[a + s * d for a, d in zip(ra, rd)] for ra, rd in zip(A, dA)]
                B2 = _solve_other(pat, A2, Z, B, side)
                if B2 is None:
                    return X, Y, X, Y
                return (X, Y, A2, B2) if side == 0 else (X, Y, B2, A2)
            w = _first_valid(pat, build, "jacobian-kernel", (), deadline=deadline)
            if w is not None:
                return w
    return None


def find_witness(I, J, seed=0, budget=None):
    """A witness that ``(I, J)`` is not identifiable, built constructively, or None.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    seed : int or None
        Seed (``>= 0``) for the free values of the witness point (the construction does not
        depend on it; only the numbers do).
    budget : float or None
        Time budget in seconds (None: no limit): the search stops, returning None, when it
        runs out.  A positive finite number (huge values are clamped to 10⁶ s).

    Returns
    -------
    Witness or None
        None when no construction applies or the budget ran out (neither proves
        identifiability; :func:`check_identifiable` tells the two apart).

    Raises
    ------
    ArgumentError
        ``seed`` is not an int ``>= 0`` or None.
    BudgetError
        ``budget`` is not a positive number of seconds or None.

    See Also
    --------
    exactsparse.identifiability.equivalent : the equivalence a witness escapes.
    exactsparse.identifiability.check_identifiable : the verdict, with this witness as its
        certificate.
    exactsparse.identifiability.completion : the sufficient criterion on the other side.

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
    The ``r = 2`` pair of the spec: the two factorizations of the witness have the same
    product, supports exactly ``(I, J)``, and are not related by a column scaling (nor a
    permutation).

    >>> import numpy as np
    >>> I, J = [[1, 1], [1, 1]], [[1, 0], [1, 1], [0, 1]]
    >>> w = find_witness(I, J)
    >>> w.construction
    'dependent-columns'
    >>> P = lambda X, Y: np.dot(np.array(X, dtype=object), np.array(Y, dtype=object).T)
    >>> bool((P(w.X, w.Y) == P(w.X2, w.Y2)).all())
    True
    >>> [[int(v != 0) for v in r] for r in w.X2] == I, [[int(v != 0) for v in r] for r in w.Y2] == J
    (True, True)
    >>> from exactsparse.identifiability import equivalent
    >>> equivalent(w.X, w.Y, w.X2, w.Y2) is None
    True

    Disjoint supports are identifiable: no construction applies.

    >>> find_witness("100/010/001", "100/010/001") is None
    True
    """
    seed = check_seed(seed)
    deadline = Deadline(check_budget(budget))
    pat = pattern(I, J)
    try:
        return search_witness(pat, seed, deadline)
    except OutOfBudget:
        return None


def search_witness(pat, seed, deadline=NO_DEADLINE):
    """The engine of :func:`find_witness` on a validated pattern; raises
    :class:`~._common.OutOfBudget` when ``deadline`` passes.  The ``"degenerate"`` and
    ``"identical-columns"`` constructions ignore the deadline: they cost ``O(r (m + n))``
    candidates checked in ``O((m + n) r²)`` each, and their witness is the only certificate
    :func:`exactsparse.verify` accepts for such pairs."""
    rng = random.Random(seed)
    for t, search in enumerate((_degenerate, lambda p, g, d: _transvections(p, g, True, d),
                                lambda p, g, d: _transvections(p, g, False, d),
                                _dependent_columns, _jacobian_kernel, _fibre)):
        if t >= 2:
            deadline.check("the witness search")
        w = search(pat, rng, NO_DEADLINE if t < 2 else deadline)
        if w is not None:
            return w
    return None


def _fibre(pat, rng, deadline):
    """The fibre search of :mod:`.fibre`, its answer as a :class:`Witness`."""
    found = fibre_search(pat, rng, deadline)
    return None if found is None else Witness(*found)

"""Generic local identifiability: the rank of the Jacobian of ``(X, Y) ↦ X Yᵀ`` on supports.

The variables are the entries of ``X`` on ``I`` and of ``Y`` on ``J``; the equations are
the entries of ``Z`` on ``∪_k S_k`` (the other entries of ``X Yᵀ`` vanish identically).
The ``r`` scaling directions ``(X_k, −Y_k)`` always lie in the kernel, so the rank is at
most ``nnz(I) + nnz(J) − r`` for a non-degenerate pair; equality at one point certifies
equality at a generic point (*generic local identifiability*) [1]_.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import flint
import numpy as np

from .._budget import run_killable
from ..exact import BACKENDS, PRIME62, as_matrix, check_prime, rank
from ..exceptions import ArgumentError, ExactTypeError, SizeLimitError
from .._budget import check_budget
from ..exceptions import show
from ._common import check_seed, fraction_rows, pattern

__all__ = ["JacobianRank", "jacobian", "jacobian_rank", "random_point"]

#: Random points have integer entries in [1, _RANGE]; a rank drop at such a point happens
#: with probability at most (rank) / _RANGE (Schwartz-Zippel).
_RANGE = 2**31

#: Default cap on the exact rank over Q: it is computed only when the Jacobian has at most
#: this many entries (rows × columns); above it ``rank`` is None unless the mod-p rank
#: already certifies it (it meets ``min(shape)`` or ``expected``).
MAX_EXACT_ENTRIES = 40_000


@dataclass(frozen=True)
class JacobianRank:
    """Ranks of the support-restricted Jacobian at one point.

    Attributes
    ----------
    rank : int or None
        Exact rank over Q at the point; None when it was not certified (the Jacobian has
        more than ``max_exact`` entries and the mod-p rank is below ``min(shape)`` and
        ``expected``).
    rank_mod_p : int
        Rank modulo ``prime`` (a lower bound for ``rank``).
    expected : int
        ``nnz(I) + nnz(J) − r'`` (``r'`` the columns non-empty on some side): the rank of
        a generically locally identifiable pair.
    prime : int
    method : str
        How ``rank`` was certified: ``"mod-p meets bound"`` (the mod-p lower bound equals the
        upper bound ``expected``), ``"mod-p meets shape"`` (it equals ``min(shape)``), the
        exact backend used (``"flint"``, ``"sympy"``), or ``"skipped"`` (``rank`` is None).
    shape : tuple of int
        ``(equations, variables)``.
    """

    rank: int
    rank_mod_p: int
    expected: int
    prime: int
    method: str
    shape: tuple

    @property
    def full(self):
        """Whether the rank reaches ``expected`` (generic local identifiability)."""
        return self.rank == self.expected


def random_point(I, J, seed=0):
    """A random point with supports exactly ``(I, J)``: positive integers below 2**31.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    seed : int or None
        Seed (``>= 0``) of :class:`random.Random`; None for fresh entropy.

    Returns
    -------
    X, Y : list of list of int
        m×r and n×r, nonzero exactly on ``I`` and ``J``.

    Raises
    ------
    SupportError, ShapeError, ArgumentError
        Invalid supports or seed.

    See Also
    --------
    jacobian : the Jacobian at such a point.
    jacobian_rank : its rank, exactly and mod p.

    Notes
    -----
    A rank drop of the Jacobian at this point happens with probability at most
    ``rank / 2**31`` (Schwartz–Zippel), which is why one point decides the generic rank with
    high probability; a full rank at one point is a proof [1]_.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> X, Y = random_point("10/11", "01/11", seed=1)
    >>> [[int(v != 0) for v in row] for row in X], [[int(v != 0) for v in row] for row in Y]
    ([[1, 0], [1, 1]], [[0, 1], [1, 1]])
    >>> random_point("10/11", "01/11", seed=1) == (X, Y)        # reproducible
    True
    """
    pat = pattern(I, J)
    rng = random.Random(check_seed(seed))
    X = [[rng.randrange(1, _RANGE) if pat.I[i, k] else 0 for k in range(pat.r)]
         for i in range(pat.m)]
    Y = [[rng.randrange(1, _RANGE) if pat.J[j, k] else 0 for k in range(pat.r)]
         for j in range(pat.n)]
    return X, Y


def _variables(pat):
    xs = {(i, k): t for t, (i, k) in enumerate(
        (i, k) for i in range(pat.m) for k in range(pat.r) if pat.I[i, k])}
    off = len(xs)
    ys = {(j, k): off + t for t, (j, k) in enumerate(
        (j, k) for j in range(pat.n) for k in range(pat.r) if pat.J[j, k])}
    return xs, ys


def _entries(pat, X, Y):
    """Nonzero Jacobian entries ``(row, column, value)`` and its shape."""
    xs, ys = _variables(pat)
    rows = {e: t for t, e in enumerate(sorted(pat.cover))}
    out = []
    for k, (R, C) in enumerate(pat.rects):
        for i in R:
            for j in C:
                t = rows[(i, j)]
                out.append((t, xs[(i, k)], Y[j][k]))
                out.append((t, ys[(j, k)], X[i][k]))
    return out, (len(rows), len(xs) + len(ys))


def jacobian(X, Y, I, J):
    """The Jacobian of ``(X, Y) ↦ X Yᵀ`` restricted to the supports, as an ``fmpq_mat``.

    Parameters
    ----------
    X, Y : array_like
        m×r and n×r exact matrices (ints, Fractions, ``"p/q"`` strings).
    I, J : array_like or Support
        Their supports (entries of ``X`` off ``I`` are ignored, and so for ``Y``).

    Returns
    -------
    flint.fmpq_mat
        Rows: the entries ``(i, j)`` of ``∪ S_k`` in lexicographic order; columns: the
        entries of ``X`` on ``I`` (row-major) then of ``Y`` on ``J``.  The entry of row
        ``(i, j)`` at variable ``X[i, k]`` is ``Y[j, k]``, at ``Y[j, k]`` it is ``X[i, k]``.

    Raises
    ------
    SupportError, ShapeError, FloatInExactError

    See Also
    --------
    jacobian_rank : its rank at a random point, exactly and mod p.
    random_point : a point with supports exactly ``(I, J)``.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> jacobian([[2]], [[3], [5]], [[1]], [[1], [1]])
    [3, 2, 0]
    [5, 0, 2]

    The ``r`` scaling directions ``(X_k, −Y_k)`` lie in the kernel:

    >>> X, Y = [[1, 2], [3, 0]], [[4, 5], [0, 6]]
    >>> Jm = jacobian(X, Y, "11/10", "11/01")
    >>> import flint
    >>> d0 = flint.fmpq_mat(6, 1, [1, 0, 3, -4, 0, 0])     # X[:, 0] on I, −Y[:, 0] on J
    >>> d1 = flint.fmpq_mat(6, 1, [0, 2, 0, 0, -5, -6])
    >>> zero = flint.fmpq_mat(Jm.nrows(), 1)
    >>> Jm * d0 == zero, Jm * d1 == zero
    (True, True)
    """
    pat = pattern(I, J)
    Xr = fraction_rows(X, "X", (pat.m, pat.r))
    Yr = fraction_rows(Y, "Y", (pat.n, pat.r))
    ents, (neq, nvar) = _entries(pat, Xr, Yr)
    M = flint.fmpq_mat(neq, nvar)
    for a, b, v in ents:
        M[a, b] = M[a, b] + flint.fmpq(v.numerator, v.denominator)
    return M


def _nmod_rank(ents, shape, p):
    """Rank mod ``p`` of the Jacobian given by its entries (see :func:`_entries`)."""
    neq, nvar = shape
    if not neq or not nvar:
        return 0
    N = flint.nmod_mat(neq, nvar, p)
    for a, b, v in ents:
        N[a, b] = int(v) % p
    return int(N.rank())


def jacobian_rank(I, J, seed=0, exact="auto", backend="flint", p=PRIME62,
                  max_exact=MAX_EXACT_ENTRIES, budget=None):
    """Rank of the support-restricted Jacobian at a random integer point, exactly and mod p.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    seed : int
        Seed of the random point (:func:`random_point`).
    exact : {"auto", True}
        ``"auto"``: compute the rank over Q only when the mod-p rank is below the bound
        ``nnz(I) + nnz(J) − r`` (otherwise the two are equal: the rank over Q lies between
        them, or the mod-p rank equals ``min(shape)``).  ``True``: always compute it with
        ``backend``.
    backend : {"flint", "sympy"}
        Exact backend for the rank over Q.
    p : int
        A prime below 2**63 (default: the largest prime below 2**62), validated as in
        :func:`exactsparse.exact.rank_mod_p`.
    max_exact : int or None
        With ``exact="auto"``, the rank over Q is computed only when the Jacobian has at
        most this many entries (rows × columns; default 40 000, well under a second); above
        it ``rank`` is None and ``method`` is ``"skipped"``.  None: no cap.
    budget : float or None
        Time budget in seconds (None: no limit).  A large Jacobian (estimated mod-p cost
        above 5·10⁷, or an exact rank over Q allowed on more than 10 000 entries) is then
        ranked in a child process killed when the budget runs out.

    Returns
    -------
    JacobianRank

    Raises
    ------
    ArgumentError
        ``p`` is not a prime below 2**63, ``exact`` or ``max_exact`` is invalid.
    BudgetError
        ``budget`` is not a positive number of seconds or None.
    SizeLimitError
        The rank did not finish within ``budget`` (the message states the Jacobian's shape).

    Notes
    -----
    The Jacobian has ``|∪ S_k|`` rows and ``nnz(I) + nnz(J)`` columns; the kernel contains
    the ``r`` scaling directions.  Rank ``nnz(I) + nnz(J) − r`` at a point ⇒ at a generic
    point: ``(I, J)`` is generically locally identifiable [1]_.  A lower rank at a random
    point means, with probability ≥ 1 − rank/2**31, a generic rank drop, hence positive-
    dimensional fibres and non-identifiability.  Cost: one rank mod p (FLINT ``nmod_mat``),
    plus one exact rank over Q when needed (``fmpz_mat``, slower when rank-deficient).

    See Also
    --------
    jacobian : the matrix itself.
    random_point : the point it is evaluated at.
    exactsparse.exact.rank_mod_p : the mod-p rank (a lower bound of the rank over Q).
    exactsparse.identifiability.check_identifiable : the verdict, which reports this rank.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    LU with ``n = 3`` (``I = J = tril(ones(3, 3))``) is identifiable: the rank mod p agrees
    with the exact rank over Q, and both equal ``nnz(I) + nnz(J) − r = 6 + 6 − 3``.

    >>> jr = jacobian_rank("100/110/111", "100/110/111", exact=True)
    >>> jr.rank, jr.rank_mod_p, jr.expected, jr.full
    (9, 9, 9, True)
    >>> jacobian_rank("100/110/111", "100/110/111", exact=True, backend="sympy").rank
    9

    Two identical columns (not identifiable): the rank drops below the bound.

    >>> jacobian_rank("11/11/11", "11/11/11")
    JacobianRank(rank=8, rank_mod_p=8, expected=10, prime=4611686018427387847, method='flint', shape=(9, 12))
    """
    if exact is not True and exact != "auto":
        raise ArgumentError(f"Argument 'exact' must be 'auto' or True, not {show(exact)}.")
    if backend not in BACKENDS:
        raise ExactTypeError(f"Argument 'backend' must be one of {BACKENDS}, not {show(backend)}.")
    if isinstance(p, (int, np.integer)) and not isinstance(p, bool) and abs(int(p)) >= 2**63:
        # checked here: exact.check_prime's message would print all digits of a huge int
        raise ArgumentError(f"Argument 'p' must be a prime below 2**63, not {show(p)}.")
    p = check_prime(p)
    if max_exact is not None and (isinstance(max_exact, bool) or not isinstance(
            max_exact, (int, np.integer)) or max_exact < 0):
        raise ArgumentError(f"Argument 'max_exact' must be an int >= 0 or None, not "
                            f"{show(max_exact)}.")
    budget = check_budget(budget)
    pat = pattern(I, J)
    if budget is not None and _may_be_slow(pat, exact, max_exact):
        ok, value = run_killable(_jacobian_rank, (pat, seed, exact, backend, p, max_exact),
                                 budget, "the Jacobian rank")
        if not ok:
            rows, cols = jacobian_shape_bound(pat)
            raise SizeLimitError(f"The rank of the {rows}×{cols} Jacobian was stopped: {value}; "
                                 f"raise 'budget'.")
        return value
    return _jacobian_rank(pat, seed, exact, backend, p, max_exact)


#: Above this estimated cost, a budgeted rank runs in a killable child process.
_FORK_WORK = 5 * 10**7
#: ... and so does an exact rank over Q (fraction-free elimination, slow when the rank is
#: deficient) on more than this many Jacobian entries.
_FORK_EXACT_ENTRIES = 10_000


def _may_be_slow(pat, exact, max_exact):
    """Whether the rank computation may take more than a fraction of a second: the mod-p
    rank above :data:`_FORK_WORK`, or an exact rank over Q allowed on a Jacobian of more
    than :data:`_FORK_EXACT_ENTRIES` entries."""
    rows, cols = jacobian_shape_bound(pat)
    if rows * cols * min(rows, cols) > _FORK_WORK:
        return True
    exact_allowed = exact is True or max_exact is None or rows * cols <= max_exact
    return exact_allowed and rows * cols > _FORK_EXACT_ENTRIES


def _jacobian_rank(pat, seed, exact, backend, p, max_exact):
    X, Y = random_point(pat.I, pat.J, seed)
    expected = expected_rank(pat)
    ents, shape = _entries(pat, X, Y)
    rp = _nmod_rank(ents, shape, p)
    if exact == "auto" and rp == expected:
        return JacobianRank(rp, rp, expected, p, "mod-p meets bound", shape)
    if exact == "auto" and rp == min(shape):
        return JacobianRank(rp, rp, expected, p, "mod-p meets shape", shape)
    if exact == "auto" and max_exact is not None and shape[0] * shape[1] > max_exact:
        return JacobianRank(None, rp, expected, p, "skipped", shape)
    rq = _exact_rank(ents, shape, backend)
    return JacobianRank(rq, rp, expected, p, backend, shape)


def jacobian_work(pat):
    """Estimated cost ``rows · columns · min(rows, columns)`` of the rank mod p of the
    Jacobian of a :class:`~._common.Pattern`: rows ``|∪ S_k|`` (counted with a sparse product
    of the supports, or bounded by ``min(m n, sum_k |S_k|)`` when that is above 10⁷),
    columns ``nnz(I) + nnz(J)``."""
    rows, cols = jacobian_shape_bound(pat)
    return rows * cols * min(rows, cols)


def jacobian_shape_bound(pat):
    """``(rows, columns)`` of the Jacobian: rows ``|∪ S_k|`` (exact, by a sparse product of
    the supports, when ``min(m n, sum_k |S_k|) <= 10⁷``; that bound otherwise)."""
    cols = pat.I.nnz + pat.J.nnz
    rows = min(pat.m * pat.n, pat.lifted_size)
    if rows <= 10**7 and rows * cols > 0:
        Ii = pat.I.csc.astype(np.int64)
        Jj = pat.J.csc.astype(np.int64)
        rows = int((Ii @ Jj.T).nnz)
    return rows, cols


def expected_rank(pat):
    """``nnz(I) + nnz(J) − r'`` over the ``r'`` columns non-empty on some side (a column
    empty on both sides is absent from the factorization); never negative."""
    live = sum(1 for R, C in pat.rects if R or C)
    return pat.I.nnz + pat.J.nnz - live


def _exact_rank(ents, shape, backend):
    if not shape[0] or not shape[1]:
        return 0
    M = flint.fmpz_mat(*shape)
    for a, b, v in ents:
        M[a, b] = int(v)
    if backend == "flint":
        return int(M.rank())
    return rank(as_matrix(M), backend="sympy")

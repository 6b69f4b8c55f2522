"""Exact matrices: validation into ``fmpq_mat`` and rank, rref, nullspace, solve, charpoly
with two backends (flint, sympy DomainMatrix over QQ) and rank modulo a prime."""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np

from ..exceptions import (ArgumentError, ExactTypeError, FloatInExactError, NonFiniteError,
                          ShapeError, SingularError)

from .scalars import BACKENDS, PRIME62, as_rational, fraction_str, short_repr

__all__ = ['as_matrix', 'to_fractions', 'to_strings', 'integer_matrix', 'frobenius_sq', 'check_backend', 'rank', 'check_prime', 'rank_mod_p', 'rref', 'nullspace', 'solve', 'charpoly', 'scale_pow2']


def as_matrix(A, name="A", allow_empty=False):
    """Validate an exact 2-D matrix and return it as a flint ``fmpq_mat``.

    Accepts nested lists, numpy integer/bool/object arrays, flint ``fmpz_mat``/``fmpq_mat``,
    sympy matrices and scipy.sparse matrices with integer data.  Floats raise
    :class:`FloatInExactError`; wrong dimensions or empty matrices raise :class:`ShapeError`.

    See Also
    --------
    to_fractions : the inverse view; as_rational

    Examples
    --------
    >>> import numpy as np, sympy
    >>> A = as_matrix([[1, "1/2"], [0, 3]])
    >>> A == as_matrix(np.array([[2, 1], [0, 6]])) / 2 == as_matrix(sympy.Matrix(to_fractions(A)))
    True
    """
    if isinstance(A, flint.fmpq_mat):
        M = A
    elif isinstance(A, flint.fmpz_mat):
        M = flint.fmpq_mat(A)
    else:
        rows = _rows_of(A, name)
        m = len(rows)
        n = len(rows[0]) if m else 0
        entries = []
        for i, row in enumerate(rows):
            if len(row) != n:
                raise ShapeError(f"Argument {name!r} must be a rectangular matrix; row {i} has "
                                 f"{len(row)} entries, row 0 has {n}.")
            for j, v in enumerate(row):
                f = as_rational(v, name, where=f" at ({i}, {j})")
                entries.append(flint.fmpq(f.numerator, f.denominator))
        M = flint.fmpq_mat(m, n, entries) if m and n else flint.fmpq_mat(m, n)
    if not allow_empty and (M.nrows() == 0 or M.ncols() == 0):
        raise ShapeError(f"Argument {name!r} must be a non-empty matrix, not of shape "
                         f"({M.nrows()}, {M.ncols()}).")
    return M


def _rows_of(A, name):
    mod = type(A).__module__ or ""
    if mod.startswith("scipy.sparse"):
        A = A.toarray()
    elif mod.startswith("sympy"):
        A = [[A[i, j] for j in range(A.shape[1])] for i in range(A.shape[0])]
    if isinstance(A, np.ndarray):
        if A.dtype.kind == "f" or A.dtype.kind == "c":
            if not np.all(np.isfinite(A)):
                raise NonFiniteError(f"Argument {name!r} must be finite; it contains NaN or inf.")
            bad = tuple(int(t) for t in np.argwhere(np.ones(A.shape, bool))[0]) if A.size else ()
            raise FloatInExactError(
                f"Argument {name!r} must hold exact numbers (int, Fraction, 'p/q'), not a "
                f"{A.dtype} array (first entry at {bad}); convert explicitly with "
                "exact.from_float or exact.rationalize.")
        if A.ndim != 2:
            raise ShapeError(f"Argument {name!r} must be 2-D, not {A.ndim}-D of shape {A.shape}.")
        return A.tolist() if A.dtype.kind in "iub" else [list(r) for r in A]
    if isinstance(A, (list, tuple)):
        if len(A) and not all(isinstance(r, (list, tuple, np.ndarray)) for r in A):
            raise ShapeError(f"Argument {name!r} must be 2-D (a list of rows), not 1-D.")
        return [list(r) for r in A]
    raise ExactTypeError(f"Argument {name!r} must be a matrix (nested lists, numpy array, "
                         f"flint or sympy matrix), not {type(A).__name__}.")


def to_fractions(M):
    """A matrix as a tuple of tuples of :class:`Fraction` (the inverse of :func:`as_matrix`).

    See Also
    --------
    as_matrix, to_strings

    Examples
    --------
    >>> to_fractions([[1, "2/4"]]), as_matrix(to_fractions([[1, "2/4"]])) == as_matrix([[1, "1/2"]])
    (((Fraction(1, 1), Fraction(1, 2)),), True)
    """
    M = as_matrix(M, allow_empty=True)
    return tuple(tuple(Fraction(int(v.p), int(v.q)) for v in row) for row in M.tolist())


def to_strings(M):
    """A matrix as a list of lists of ``"p/q"`` strings (the JSON form).

    See Also
    --------
    fraction_str, to_fractions

    Examples
    --------
    >>> to_strings([[1, "-2/4"]]), as_matrix(to_strings([[1, "-2/4"]])) == as_matrix([[1, "-1/2"]])
    ([['1', '-1/2']], True)
    """
    return [[fraction_str(v) for v in row] for row in to_fractions(M)]


def integer_matrix(M):
    """``(Z, d)`` with ``Z`` an ``fmpz_mat`` and ``M = Z / d`` (``d`` the common denominator).

    See Also
    --------
    rank_mod_p : reads ``Z`` modulo a prime.

    Examples
    --------
    >>> Z, d = integer_matrix([["1/2", "1/3"]])
    >>> Z, d, as_matrix(Z) / d == as_matrix([["1/2", "1/3"]])
    ([3, 2], 6, True)
    """
    Z, d = as_matrix(M, allow_empty=True).numer_denom()
    return Z, int(d)


def frobenius_sq(M):
    """Exact squared Frobenius norm ``sum A_ij^2`` as a Fraction.

    See Also
    --------
    EigenTail : the same sum over the eigenvalues of ``A^T A`` (``k = 0``).

    Examples
    --------
    >>> from exactsparse.exact import EigenTail
    >>> frobenius_sq([[1, "1/2"], [2, 0]]), EigenTail([[1, 2], [2, 4]], 0).rational_value()
    (Fraction(21, 4), Fraction(5, 1))
    """
    return sum((v * v for row in to_fractions(M) for v in row), Fraction(0))


def check_backend(backend):
    """``backend`` after checking it is one of :data:`BACKENDS`.

    See Also
    --------
    check_prime

    Examples
    --------
    >>> [check_backend(b) for b in BACKENDS]
    ['flint', 'sympy']
    >>> check_backend("numpy")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ExactTypeError: Argument 'backend' must be one of ('flint', 'sympy'), not 'numpy'.
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        shown = repr(backend) if isinstance(backend, str) else type(backend).__name__
        raise ExactTypeError(f"Argument 'backend' must be one of {BACKENDS}, not {shown[:80]}.")
    return backend




def _sympy_dm(M):
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix
    rows = [[QQ(f.numerator, f.denominator) for f in row] for row in to_fractions(M)]
    return DomainMatrix(rows, (M.nrows(), M.ncols()), QQ)


def _from_sympy_dm(D):
    rows = D.to_Matrix().tolist()
    m, n = D.shape
    return as_matrix([[Fraction(int(v.p), int(v.q)) for v in r] for r in rows] if m and n
                     else flint.fmpq_mat(m, n), allow_empty=True)


def rank(A, backend="flint"):
    """Exact rank over Q (``backend`` ``"flint"`` or ``"sympy"``; 0 for an empty matrix).

    See Also
    --------
    rank_mod_p : a fast lower bound; rref, nullspace

    Examples
    --------
    Rank-nullity: the rank and the kernel dimension add up to the number of columns.

    >>> A = [[1, 2, 3], [2, 4, 6], [1, 0, 0]]
    >>> rank(A), rank(A, backend="sympy"), rank(A) + nullspace(A).ncols()
    (2, 2, 3)
    """
    check_backend(backend)
    M = as_matrix(A, allow_empty=True)
    if M.nrows() == 0 or M.ncols() == 0:
        return 0
    if backend == "sympy":
        return int(_sympy_dm(M).rank())
    Z, _ = M.numer_denom()
    return int(Z.rank())


def check_prime(p, name="p"):
    """``p`` as an int after checking it is a prime ``2 <= p < 2**63`` (nmod's range).

    See Also
    --------
    rank_mod_p, check_backend

    Examples
    --------
    >>> check_prime(7), check_prime(PRIME62) == PRIME62
    (7, True)
    >>> check_prime(2**62)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ArgumentError: Argument 'p' must be a prime below 2**63, not 4611686018427387904.
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 2 <= p < 2**63 \
            or not flint.fmpz(int(p)).is_prime():
        raise ArgumentError(f"Argument {name!r} must be a prime below 2**63, not {short_repr(p)}.")
    return int(p)


def rank_mod_p(A, p=PRIME62):
    """Rank of the integer-scaled matrix modulo a prime ``p`` (default: a 62-bit prime).

    A rank modulo ``p`` is a lower bound for the rank over Q (equal for all but finitely
    many primes).  The denominators are cleared first; a prime dividing the common
    denominator is refused.

    See Also
    --------
    rank : the exact rank over Q; check_prime, integer_matrix

    Examples
    --------
    It agrees with :func:`rank` except at the primes dividing a nonzero minor (here 3):

    >>> A = [[1, 2], [1, "1/2"]]          # det = -3/2
    >>> rank_mod_p(A), rank(A), rank_mod_p(A, 5), rank_mod_p(A, 3)
    (2, 2, 2, 1)
    """
    p = check_prime(p)
    Z, d = integer_matrix(A)
    if d % p == 0:
        raise ExactTypeError(f"Argument 'p' divides the common denominator {d}; pick another prime.")
    if Z.nrows() == 0 or Z.ncols() == 0:
        return 0
    N = flint.nmod_mat(Z.nrows(), Z.ncols(), [int(v) % p for v in Z.entries()], p)
    return int(N.rank())


def rref(A, backend="flint"):
    """Reduced row echelon form ``(R, pivots)`` over Q, with ``R`` an ``fmpq_mat``.

    See Also
    --------
    rank : ``len(pivots)``; nullspace

    Examples
    --------
    ``R`` has the row space of ``A`` (stacking them adds no rank) and identity pivot columns:

    >>> A = [[2, 4, 1], [1, 2, 0]]
    >>> R, piv = rref(A)
    >>> piv, R.tolist(), rank(to_fractions(R) + to_fractions(A)) == len(piv) == rank(A)
    ((0, 2), [[1, 2, 0], [0, 0, 1]], True)
    >>> rref(A, backend="sympy") == (R, piv)
    True
    """
    check_backend(backend)
    M = as_matrix(A, allow_empty=True)
    if backend == "sympy":
        R, piv = _sympy_dm(M).rref()
        return _from_sympy_dm(R), tuple(int(p) for p in piv)
    R, r = M.rref()
    piv, rows = [], R.tolist()
    for i in range(r):
        piv.append(next(j for j, v in enumerate(rows[i]) if v != 0))
    return R, tuple(piv)


def nullspace(A, backend="flint"):
    """A basis of the right kernel ``{x : A x = 0}`` over Q, as an n×k ``fmpq_mat``.

    flint's ``fmpq_mat`` has no nullspace: the denominators are cleared and
    ``fmpz_mat.nullspace`` is used.

    See Also
    --------
    rank, rref, solve

    Examples
    --------
    ``A`` times the basis is the zero matrix, and the basis has ``n - rank`` columns:

    >>> A = as_matrix([[1, 2, 3], [2, 4, 6]])
    >>> K = nullspace(A)
    >>> A * K == flint.fmpq_mat(2, 2), K.ncols() == 3 - rank(A), nullspace(A, "sympy").ncols()
    (True, True, 2)
    """
    check_backend(backend)
    M = as_matrix(A, allow_empty=True)
    n = M.ncols()
    if backend == "sympy":
        K = _sympy_dm(M).nullspace()          # rows are basis vectors
        k = K.shape[0]
        if k == 0:
            return flint.fmpq_mat(n, 0)
        return _from_sympy_dm(K).transpose()
    Z, _ = M.numer_denom()
    B, k = Z.nullspace()
    cols = [[B[i, j] for j in range(k)] for i in range(n)]
    return flint.fmpq_mat(n, k, [v for row in cols for v in row]) if k else flint.fmpq_mat(n, 0)


def solve(A, b, backend="flint"):
    """The solution of the square non-singular system ``A x = b`` over Q (``b`` a matrix of
    right-hand sides); :class:`SingularError` when ``A`` is singular.

    See Also
    --------
    nullspace, rank

    Examples
    --------
    >>> A, b = as_matrix([[2, 1], [1, 3]]), as_matrix([[1], [0]])
    >>> x = solve(A, b)
    >>> x.tolist(), A * x == b, solve(A, b, backend="sympy") == x
    ([[3/5], [-1/5]], True, True)
    """
    check_backend(backend)
    M, B = as_matrix(A, "A"), as_matrix(b, "b")
    if M.nrows() != M.ncols() or B.nrows() != M.nrows():
        raise ShapeError(f"Arguments 'A' {(M.nrows(), M.ncols())} and 'b' "
                         f"{(B.nrows(), B.ncols())} must form a square system.")
    if rank(M) < M.nrows():
        raise SingularError("Argument 'A' is a singular matrix: A x = b has no unique solution.")
    if backend == "sympy":
        return _from_sympy_dm(_sympy_dm(M).lu_solve(_sympy_dm(B)))
    return M.solve(B)


def charpoly(A, backend="flint"):
    """Characteristic polynomial ``det(x I - A)``, coefficients from the constant term up.

    See Also
    --------
    EigenTail : sums of its roots.

    Examples
    --------
    Constant term ``det A``, next ``-trace A``; the sympy backend agrees:

    >>> charpoly([[5, 2], [2, 10]]), charpoly([[5, 2], [2, 10]], backend="sympy")[0]
    ((Fraction(46, 1), Fraction(-15, 1), Fraction(1, 1)), Fraction(46, 1))
    """
    check_backend(backend)
    M = as_matrix(A)
    if M.nrows() != M.ncols():
        raise ShapeError(f"Argument 'A' must be square, not of shape {(M.nrows(), M.ncols())}.")
    if backend == "sympy":
        coeffs = _sympy_dm(M).charpoly()       # highest degree first
        return tuple(Fraction(int(c.numerator), int(c.denominator)) for c in reversed(coeffs))
    return tuple(Fraction(int(c.p), int(c.q)) for c in M.charpoly().coeffs())


def scale_pow2(A):
    """``(A / 4**e, e)`` for a finite float or complex array ``A``: the power of two ``4**e``
    puts the largest entry of ``A / 4**e`` in ``[1/4, 1)`` (``e = 0`` for a zero matrix).

    Scaling by a power of two is exact (barring underflow of entries below ``2**-1074``
    times the largest), so ``||A - X Yᵀ||² = 16**e ||A / 4**e - (X / 2**e)(Y / 2**e)ᵀ||²``:
    numeric FSMF losses are computed in the scaled units, free of overflow and underflow,
    and compared relative to ``||A||``.

    >>> import numpy as np
    >>> B, e = scale_pow2(np.array([[1e300, -3.0]])); e, bool(0.25 <= abs(B).max() < 1)
    (499, True)
    >>> Fraction(float(B[0, 0])) * 4 ** e == Fraction(1e300)       # exact
    True
    """
    if not isinstance(A, np.ndarray) or A.dtype.kind not in "fc":
        raise ExactTypeError(f"Argument 'A' must be a float or complex numpy array, not "
                             f"{type(A).__name__}"
                             f"{f' of dtype {A.dtype}' if isinstance(A, np.ndarray) else ''}.")
    if not np.all(np.isfinite(A)):
        raise NonFiniteError("Argument 'A' must be finite; it contains NaN or infinity.")
    amax = float(np.max(np.abs(A))) if A.size else 0.0
    if amax == 0.0:
        return A.copy(), 0
    e = (math.frexp(amax)[1] + 1) // 2
    half = 2.0 ** (-e)
    return (A * half) * half, e

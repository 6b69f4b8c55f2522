"""Exact arithmetic behind one interface.

The domain of a value is part of the value: matrices handled here are python-flint
``fmpq_mat`` (exact rationals) once validated.  Two backends answer the same questions:
``"flint"`` (python-flint / FLINT 3: ``fmpz_mat``/``fmpq_mat`` rank, rref, nullspace, solve,
charpoly; ``nmod_mat`` rank modulo a 62-bit prime; ``arb`` certified balls) and ``"sympy"``
(``DomainMatrix`` over QQ, an independent second route in tests, and closed forms).

Floats never enter silently: a ``float`` reaching :func:`as_matrix` or :func:`as_rational`
raises :class:`~exactsparse.exceptions.FloatInExactError`; convert explicitly with
:func:`from_float` (the exact binary rational the float stores) or :func:`rationalize` (the
simplest rational within a tolerance).  This module imports nothing of the package but
:mod:`exactsparse.exceptions`.

>>> rank([[1, 2], [2, 4]]), rank([[1, 2], [2, 4]], backend="sympy"), rank_mod_p([[1, 2], [2, 4]])
(1, 1, 1)
"""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

import flint
import numpy as np

from .exceptions import (ArgumentError, ExactTypeError, FloatInExactError, NonFiniteError,
                         ParseError, PrecisionError, ShapeError, SingularError)

__all__ = [
    "BACKENDS", "PRIME62", "RATIONAL_RE", "check_backend", "check_prime", "parse_rational",
    "as_rational", "from_float", "rationalize", "arb_fraction", "fraction_str", "as_matrix",
    "to_fractions", "to_strings", "integer_matrix", "frobenius_sq", "rank", "rank_mod_p",
    "rref", "nullspace", "solve", "charpoly", "precision", "EigenTail", "eigen_tail",
]

BACKENDS = ("flint", "sympy")
#: The largest prime below 2**62, used for fast rank lower bounds.
PRIME62 = 2**62 - 57

#: ``"p/q"`` or ``"p"`` (spaces allowed around the parts): the one rational pattern of the
#: package (JSON certificates, checkers, :func:`parse_rational`); group 1 is ``p``, group 2
#: ``q`` or None.
RATIONAL_RE = re.compile(r"^\s*([+-]?\d+)\s*(?:/\s*(\d+))?\s*$")
_DECIMAL_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


# ----------------------------------------------------------------------------- scalars
def parse_rational(text, name="value"):
    """Parse ``"p/q"``, an integer string or a finite decimal string *exactly*.

    A decimal is read as the rational it writes: ``"0.1"`` is 1/10, never the float.
    :class:`ParseError` for anything else (or a zero denominator, or an exponent beyond
    ±10000).

    See Also
    --------
    fraction_str : the inverse; as_rational

    Examples
    --------
    >>> parse_rational("-3/6"), parse_rational("0.25"), parse_rational("1e-2")
    (Fraction(-1, 2), Fraction(1, 4), Fraction(1, 100))
    >>> all(parse_rational(fraction_str(q)) == q for q in (Fraction(-7, 3), Fraction(5)))
    True
    """
    s = str(text)
    if len(s) > 10_000:
        raise ParseError(f"Argument {name!r} is too long ({len(s)} characters > 10000).")
    m = RATIONAL_RE.match(s)
    if m:
        q = int(m.group(2)) if m.group(2) is not None else 1
        if q == 0:
            raise ParseError(f"Argument {name!r} has a zero denominator: {s!r}.")
        return Fraction(int(m.group(1)), q)
    d = _DECIMAL_RE.match(s)
    if d:
        if d.group(2) and abs(int(d.group(2)[1:])) > 10_000:
            raise ParseError(f"Argument {name!r} has an exponent beyond ±10000: {s.strip()!r}.")
        return Fraction(s.strip())
    raise ParseError(f"Argument {name!r} must be an integer, 'p/q' or a decimal, not {s!r}.")


def as_rational(x, name="x", where=""):
    """Convert one exact scalar to :class:`fractions.Fraction`; refuse floats.

    Accepts int, bool, Fraction, numpy integers, flint ``fmpz``/``fmpq``, sympy
    Integer/Rational and ``"p/q"`` strings; ``name`` and ``where`` go into the error message.

    See Also
    --------
    as_matrix : the same for every entry of a matrix; from_float, rationalize

    Examples
    --------
    Every exact representation of 3/4 gives the same Fraction:

    >>> import flint, sympy
    >>> {as_rational(v) for v in (Fraction(3, 4), "3/4", flint.fmpq(3, 4), sympy.Rational(3, 4))}
    {Fraction(3, 4)}
    >>> as_rational(0.75, "x")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.FloatInExactError: Argument 'x' must hold exact numbers (int, Fraction, 'p/q'), not float 0.75; convert explicitly with exact.from_float or exact.rationalize.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (bool, np.bool_)):
        return Fraction(int(x))
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, flint.fmpz):
        return Fraction(int(x))
    if isinstance(x, flint.fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise NonFiniteError(f"Argument {name!r} must be finite, not {float(x)!r}{where}.")
        raise FloatInExactError(
            f"Argument {name!r} must hold exact numbers (int, Fraction, 'p/q'), not float "
            f"{float(x)!r}{where}; convert explicitly with exact.from_float or exact.rationalize.")
    if isinstance(x, str):
        return parse_rational(x, name)
    if isinstance(x, (complex, np.complexfloating)):
        raise FloatInExactError(f"Argument {name!r} must be rational, not complex {x!r}{where}.")
    mod = type(x).__module__ or ""
    if mod.startswith("sympy"):
        if getattr(x, "is_Rational", False):
            return Fraction(int(x.p), int(x.q))
        if getattr(x, "is_Float", False):
            raise FloatInExactError(
                f"Argument {name!r} must hold exact numbers, not sympy Float {x}{where}; "
                "convert explicitly with exact.from_float or exact.rationalize.")
        raise ExactTypeError(f"Argument {name!r} must be rational, not the sympy value {x}{where}.")
    if isinstance(x, numbers.Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    raise ExactTypeError(
        f"Argument {name!r} must hold exact numbers, not {type(x).__name__} {x!r}{where}.")


def from_float(x, exact=True):
    """Convert a float (or an array of floats) to rationals *explicitly*.

    Parameters
    ----------
    x : float or array_like of float
    exact : bool
        Must be True: the result is the exact binary rational the float stores.  (Use
        :func:`rationalize` for a nearby small rational.)

    Returns
    -------
    Fraction, or a tuple (of tuples) of Fraction for a 1-D (2-D) input.

    See Also
    --------
    rationalize : a nearby simple rational instead.

    Examples
    --------
    The rational is exactly the float: converting back loses nothing.

    >>> from_float(0.1), float(from_float(0.1)) == 0.1
    (Fraction(3602879701896397, 36028797018963968), True)
    >>> from_float([[0.25, 2.0]])
    ((Fraction(1, 4), Fraction(2, 1)),)
    """
    if exact is not True:
        raise ExactTypeError("Argument 'exact' must be True; use exact.rationalize for tolerances.")
    return _map_float(x, lambda v: Fraction(v))


def rationalize(x, tol=1e-12):
    """The simplest rational (smallest denominator) within ``tol`` of a float
    (elementwise for arrays).

    See Also
    --------
    from_float : the exact value of the float instead.

    Examples
    --------
    >>> rationalize(0.3333333333333333), rationalize(3.14159, tol=1e-2)
    (Fraction(1, 3), Fraction(22, 7))
    >>> abs(rationalize(3.14159, tol=1e-2) - from_float(3.14159)) <= Fraction(1, 100)
    True
    """
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise ExactTypeError(f"Argument 'tol' must be a positive number, not {tol!r}.") from None
    if not tol > 0:
        raise ExactTypeError(f"Argument 'tol' must be positive, not {tol!r}.")
    return _map_float(x, lambda v: _simplest_within(Fraction(v), Fraction(tol)))


def _simplest_within(f, tol):
    return _simplest_between(f - tol, f + tol)


def _simplest_between(lo, hi):
    """The rational of smallest denominator in the closed interval [lo, hi] (continued
    fractions, i.e. a Stern-Brocot descent)."""
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -_simplest_between(-hi, -lo)
    fl = math.floor(lo)
    if fl == lo:
        return Fraction(fl)
    if fl + 1 <= hi:
        return Fraction(fl + 1)
    return fl + 1 / _simplest_between(1 / (hi - fl), 1 / (lo - fl))


def _map_float(x, fn):
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise ExactTypeError(f"Argument 'x' must be a float or an array of floats, not {arr.dtype}.")
    if not np.all(np.isfinite(arr)):
        raise NonFiniteError("Argument 'x' must be finite; it contains NaN or infinity.")
    if arr.ndim == 0:
        return fn(float(arr))
    if arr.ndim == 1:
        return tuple(fn(float(v)) for v in arr)
    if arr.ndim != 2:
        raise ShapeError(f"Argument 'x' must be a scalar, 1-D or 2-D, not {arr.ndim}-D.")
    return tuple(tuple(fn(float(v)) for v in row) for row in arr)


def arb_fraction(a):
    """The exact rational value of the midpoint of a flint ``arb`` (e.g. an endpoint
    ``ball.lower()``, which is exact).

    See Also
    --------
    precision

    Examples
    --------
    >>> ball = flint.arb(1) / 3
    >>> q = arb_fraction(ball)
    >>> ball.contains(flint.fmpq(q.numerator, q.denominator)), arb_fraction(flint.arb(3) / 4)
    (True, Fraction(3, 4))
    """
    man, exp = a.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def fraction_str(x):
    """``"p/q"`` (or ``"p"`` when integral) for a rational: the JSON form.

    See Also
    --------
    parse_rational : the inverse; to_strings

    Examples
    --------
    >>> fraction_str(Fraction(-3, 4)), fraction_str(2), parse_rational(fraction_str("6/8"))
    ('-3/4', '2', Fraction(3, 4))
    """
    f = as_rational(x)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


# ----------------------------------------------------------------------------- matrices
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
    if backend not in BACKENDS:
        raise ExactTypeError(f"Argument 'backend' must be one of {BACKENDS}, not {backend!r}.")
    return backend


_check_backend = check_backend      # the old private name, still used by fsmf.solve


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
        raise ArgumentError(f"Argument {name!r} must be a prime below 2**63, not {p!r}.")
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


# ----------------------------------------------------------------------------- eigen tails
class precision:
    """Context manager raising flint's working precision (bits) for arb arithmetic; the
    old precision is restored on exit (never lowered inside).

    See Also
    --------
    EigenTail.enclosure, arb_fraction

    Examples
    --------
    >>> before = flint.ctx.prec
    >>> with precision(256):
    ...     flint.ctx.prec
    256
    >>> flint.ctx.prec == before
    True
    """

    def __init__(self, bits):
        self.bits = int(bits)

    def __enter__(self):
        self.old = flint.ctx.prec
        flint.ctx.prec = max(self.old, self.bits)
        return self

    def __exit__(self, *exc):
        flint.ctx.prec = self.old
        return False


_MAX_PREC = 1 << 15


class EigenTail:
    """``tr(G) - (sum of the k largest eigenvalues of G)`` for a rational symmetric PSD ``G``.

    This is ``sum_{t > k} sigma_t(B)^2`` when ``G = B^T B`` (Eckart-Young), the optimal
    value of a best rank-``k`` approximation: the sum of the ``n - k`` smallest
    eigenvalues.  Held exactly as the characteristic polynomial of ``G`` and ``k``.  The
    eigenvalues are the roots of its irreducible factors, isolated by flint's certified
    root finder at increasing precision until all distinct roots have disjoint balls, so
    their order is certified (two roots closer than any float can separate are still
    ordered correctly).  :meth:`expr` gives a sympy closed form (rationals, radicals for
    quadratic factors, ``CRootOf`` otherwise), :meth:`enclosure` a certified ``arb`` ball
    computed independently of sympy.

    See Also
    --------
    eigen_tail, charpoly, precision

    Examples
    --------
    The value is the best rank-``k`` error: numpy's SVD of ``B`` (``G = B^T B``) agrees.

    >>> import numpy as np
    >>> B = np.array([[1, 0], [2, 1], [0, 3]])
    >>> t = EigenTail((B.T @ B).tolist(), 1)
    >>> t.expr(), t.rational_value()
    (15/2 - sqrt(41)/2, None)
    >>> bool(np.isclose(float(t.enclosure().mid()), np.linalg.svd(B, compute_uv=False)[1] ** 2))
    True
    """

    def __init__(self, G, k, backend="flint"):
        self.G = as_matrix(G, "G")
        self.k = int(k)
        self.n = self.G.nrows()
        self.coeffs = charpoly(self.G, backend=backend)
        self._sorted = None

    def _int_poly(self):
        den = math.lcm(*(c.denominator for c in self.coeffs))
        return flint.fmpz_poly([int(c * den) for c in self.coeffs])

    def roots(self):
        """Eigenvalues in decreasing order, certified: ``(ball, factor, j)`` with ``factor``
        an irreducible factor (integer coefficients, constant term first) and ``j`` the
        index of the root among that factor's roots in increasing order; repeated
        eigenvalues appear once per multiplicity."""
        if self._sorted is None:
            self._sorted = self._isolate()
        return self._sorted

    def _isolate(self):
        factors = []
        for f, mult in self._int_poly().factor()[1]:
            if f.coeffs()[-1] < 0:
                f = -f
            factors.append((tuple(int(c) for c in f.coeffs()), f, int(mult)))
        bits = 128
        while bits <= _MAX_PREC:
            with precision(bits):
                entries = []
                for coeffs, f, mult in factors:
                    balls = sorted((r.real for r, _ in f.complex_roots()),
                                   key=lambda b: b.mid())
                    entries.extend((b, coeffs, j, mult) for j, b in enumerate(balls))
                entries.sort(key=lambda e: e[0].mid(), reverse=True)
                if all(not a[0].overlaps(b[0]) for a, b in zip(entries, entries[1:])):
                    self._prec = bits
                    return [(b, c, j) for b, c, j, mult in entries for _ in range(mult)]
            bits *= 4
        raise PrecisionError(f"could not separate the eigenvalues of a {self.n}×{self.n} Gram "
                             f"matrix with {_MAX_PREC} bits")

    def enclosure(self, prec=128):
        """A certified real ball containing the value (flint ``arb``), at the precision
        that separated the roots (at least ``prec`` bits)."""
        if self.k >= self.n:
            return flint.arb(0)
        roots = self.roots()
        with precision(max(prec, self._prec)):
            return sum((b for b, _, _ in roots[self.k:]), flint.arb(0))

    def trace(self):
        """``tr(G)`` as a Fraction (the value at ``k = 0``)."""
        return sum((Fraction(int(self.G[i, i].p), int(self.G[i, i].q)) for i in range(self.n)),
                   Fraction(0))

    def is_rational(self):
        """Whether the value is rational (the top-k roots form complete rational factors)."""
        return self.rational_value() is not None

    def rational_value(self):
        """The value as a Fraction when the k largest eigenvalues sum to a rational."""
        if self.k >= self.n:
            return Fraction(0)
        if self.k == 0:
            return self.trace()
        split = self.top_factor_split()
        if split is None:
            return None
        return self.trace() - split[1]

    def top_factor_split(self):
        """Rational description of the top-k eigenvalues, or None.

        Returns ``(parts, total)`` where ``parts`` is a list of ``(poly_coeffs, count)``:
        irreducible factors of the characteristic polynomial whose roots are all among
        the k largest eigenvalues, used ``count`` times (a rational root, degree 1, may be
        used fewer times than its multiplicity), and ``total`` the exact sum.  None when
        the k-th and (k+1)-th largest eigenvalues are roots of one irreducible factor of
        degree > 1 split by the cut (the value is then irrational).
        """
        used = {}
        for _, coeffs, _ in self.roots()[: self.k]:
            used[coeffs] = used.get(coeffs, 0) + 1
        parts, total = [], Fraction(0)
        for coeffs, cnt in used.items():
            deg = len(coeffs) - 1
            if deg > 1 and cnt % deg:
                return None
            cf = [Fraction(c) for c in coeffs]
            if deg == 1:
                total += cnt * (-cf[0] / cf[1])
            else:
                total += (cnt // deg) * (-cf[-2] / cf[-1])
            parts.append((tuple(cf), cnt))
        return parts, total

    def expr(self):
        """The exact value as a sympy expression: the sum of the ``n − k`` smallest
        eigenvalues, each a rational, a radical (quadratic factor) or a ``CRootOf``."""
        import sympy
        rv = self.rational_value()
        if rv is not None:
            return sympy.Rational(rv.numerator, rv.denominator)
        return sympy.expand(sum((_root_expr(c, j) for _, c, j in self.roots()[self.k:]),
                                sympy.Integer(0)))


def _root_expr(coeffs, j):
    """The j-th smallest real root of the integer polynomial ``coeffs`` (constant first)."""
    import sympy
    x = sympy.Symbol("x")
    if len(coeffs) == 2:
        return sympy.Rational(-coeffs[0], coeffs[1])
    if len(coeffs) == 3:
        c, b, a = coeffs
        root = sympy.sqrt(sympy.Integer(b * b - 4 * a * c))
        return (-b + (root if j == 1 else -root)) / sympy.Integer(2 * a)
    return sympy.CRootOf(sympy.Poly(list(reversed(coeffs)), x), j)


def eigen_tail(G, k, backend="flint"):
    """Shorthand for :class:`EigenTail` ``(G, k, backend)``.

    See Also
    --------
    EigenTail

    Examples
    --------
    A rational tail: ``G = diag(4, 1)`` keeps 4 at ``k = 1`` and leaves ``1``.

    >>> eigen_tail([[4, 0], [0, 1]], 1).rational_value()
    Fraction(1, 1)
    """
    return EigenTail(G, k, backend)


def __getattr__(name):
    """``exact.parse_value``: moved to :func:`exactsparse.certificates.parse_value` (beside
    the JSON of the results whose values it reads); this alias keeps old callers working."""
    if name == "parse_value":
        import importlib   # not an import statement of the package: exact stays the bottom layer
        return importlib.import_module("exactsparse.certificates").parse_value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

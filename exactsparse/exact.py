"""Exact arithmetic behind one interface.

The domain of a value is part of the value: matrices handled here are python-flint
``fmpq_mat`` (exact rationals) once validated.  Two backends answer the same questions:

``"flint"``
    python-flint (FLINT 3): ``fmpz_mat``/``fmpq_mat`` rank, rref, nullspace, solve,
    charpoly; ``nmod_mat`` rank modulo a 62-bit prime; ``arb``/``acb`` certified balls.
``"sympy"``
    sympy's ``DomainMatrix`` over QQ, used as an independent second route in tests and where
    flint lacks a feature (algebraic numbers, closed forms).

Floats never enter silently: a ``float``/``numpy.floating`` reaching :func:`as_matrix` or
:func:`as_rational` raises :class:`~exactsparse.exceptions.FloatInExactError`.  Convert
explicitly with :func:`from_float` (the exact binary rational the float stores) or
:func:`rationalize` (the simplest rational within a tolerance).

Examples
--------
>>> from exactsparse import exact
>>> A = exact.as_matrix([[1, 2], [2, 4]])
>>> exact.rank(A), exact.rank(A, backend="sympy"), exact.rank_mod_p(A)
(1, 1, 1)
>>> exact.from_float(0.1)
Fraction(3602879701896397, 36028797018963968)
>>> exact.rationalize(0.1)
Fraction(1, 10)
>>> exact.as_matrix([[0.5]])
Traceback (most recent call last):
...
exactsparse.exceptions.FloatInExactError: Argument 'A' must hold exact numbers (int, Fraction, 'p/q'), not float 0.5 at (0, 0); convert explicitly with exact.from_float or exact.rationalize.
"""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

import flint
import numpy as np

from .exceptions import (ExactTypeError, FloatInExactError, NonFiniteError,
                         ParseError, ShapeError)

__all__ = [
    "BACKENDS", "PRIME62", "as_rational", "as_matrix", "from_float", "rationalize",
    "parse_rational", "to_fractions", "to_strings", "fraction_str", "rank", "rank_mod_p",
    "rref", "nullspace", "solve", "charpoly", "integer_matrix", "frobenius_sq",
    "eigen_tail", "EigenTail",
]

BACKENDS = ("flint", "sympy")
#: The largest prime below 2**62, used for fast rank lower bounds.
PRIME62 = 2**62 - 57

_RATIONAL_RE = re.compile(r"^\s*([+-]?\d+)\s*(?:/\s*(\d+))?\s*$")
_DECIMAL_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


# ----------------------------------------------------------------------------- scalars
def parse_rational(text, name="value"):
    """Parse ``"p/q"``, an integer string or a finite decimal string *exactly*.

    A decimal is read as the rational it writes: ``"0.1"`` is 1/10, never the float.

    >>> parse_rational("-3/6"), parse_rational("0.25"), parse_rational("1e-2")
    (Fraction(-1, 2), Fraction(1, 4), Fraction(1, 100))
    """
    s = str(text)
    m = _RATIONAL_RE.match(s)
    if m:
        q = int(m.group(2)) if m.group(2) is not None else 1
        if q == 0:
            raise ParseError(f"Argument {name!r} has a zero denominator: {s!r}.")
        return Fraction(int(m.group(1)), q)
    if _DECIMAL_RE.match(s):
        return Fraction(s.strip())
    raise ParseError(f"Argument {name!r} must be an integer, 'p/q' or a decimal, not {s!r}.")


def as_rational(x, name="x", where=""):
    """Convert one exact scalar to :class:`fractions.Fraction`; refuse floats.

    Accepts int, bool, Fraction, numpy integers, flint ``fmpz``/``fmpq``, sympy
    Integer/Rational and ``"p/q"`` strings.
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
    Fraction, or a tuple of tuples of Fraction for a 2-D input.

    >>> from_float(0.5), from_float([[0.25, 2.0]])
    (Fraction(1, 2), ((Fraction(1, 4), Fraction(2, 1)),))
    """
    if exact is not True:
        raise ExactTypeError("Argument 'exact' must be True; use exact.rationalize for tolerances.")
    return _map_float(x, lambda v: Fraction(v))


def rationalize(x, tol=1e-12):
    """The simplest rational within ``tol`` of a float (elementwise for arrays).

    >>> rationalize(0.3333333333333333), rationalize(3.14159, tol=1e-2)
    (Fraction(1, 3), Fraction(22, 7))
    """
    tol = float(tol)
    if not tol > 0:
        raise ExactTypeError(f"Argument 'tol' must be positive, not {tol!r}.")
    return _map_float(x, lambda v: _simplest_within(Fraction(v), Fraction(tol)))


def _simplest_within(f, tol):
    lo, hi = f - tol, f + tol
    # Stern-Brocot / continued-fraction search for the simplest rational in [lo, hi].
    return _simplest_between(lo, hi)


def _simplest_between(lo, hi):
    """The rational of smallest denominator in the closed interval [lo, hi]."""
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
    return tuple(tuple(fn(float(v)) for v in row) for row in arr)


def fraction_str(x):
    """``"p/q"`` (or ``"p"`` when integral) for a rational.

    >>> fraction_str(Fraction(-3, 4)), fraction_str(2)
    ('-3/4', '2')
    """
    f = as_rational(x)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


# ----------------------------------------------------------------------------- matrices
def as_matrix(A, name="A", allow_empty=False):
    """Validate an exact 2-D matrix and return it as a flint ``fmpq_mat``.

    Accepts nested lists, numpy integer/bool/object arrays, flint ``fmpz_mat``/``fmpq_mat``,
    sympy matrices and scipy.sparse matrices with integer data.  Floats raise
    :class:`FloatInExactError`; wrong dimensions or empty matrices raise :class:`ShapeError`.
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
    """A matrix as a tuple of tuples of :class:`Fraction`."""
    M = as_matrix(M, allow_empty=True)
    return tuple(tuple(Fraction(int(v.p), int(v.q)) for v in row) for row in M.tolist())


def to_strings(M):
    """A matrix as a list of lists of ``"p/q"`` strings (the JSON form)."""
    return [[fraction_str(v) for v in row] for row in to_fractions(M)]


def integer_matrix(M):
    """``(Z, d)`` with ``Z`` an ``fmpz_mat`` and ``M = Z / d``."""
    Z, d = as_matrix(M, allow_empty=True).numer_denom()
    return Z, int(d)


def frobenius_sq(M):
    """Exact squared Frobenius norm as a Fraction."""
    return sum((v * v for row in to_fractions(M) for v in row), Fraction(0))


def _check_backend(backend):
    if backend not in BACKENDS:
        raise ExactTypeError(f"Argument 'backend' must be one of {BACKENDS}, not {backend!r}.")


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
    """Exact rank over Q.

    >>> rank([[1, 2, 3], [2, 4, 6], [1, 0, 0]])
    2
    """
    _check_backend(backend)
    M = as_matrix(A, allow_empty=True)
    if M.nrows() == 0 or M.ncols() == 0:
        return 0
    if backend == "sympy":
        return int(_sympy_dm(M).rank())
    Z, _ = M.numer_denom()
    return int(Z.rank())


def rank_mod_p(A, p=PRIME62):
    """Rank of the integer-scaled matrix modulo a prime ``p`` (default: a 62-bit prime).

    A rank modulo ``p`` is a lower bound for the rank over Q (equal for all but finitely
    many primes).  The denominators are cleared first; a prime dividing the common
    denominator is refused.
    """
    Z, d = integer_matrix(A)
    if d % p == 0:
        raise ExactTypeError(f"Argument 'p' divides the common denominator {d}; pick another prime.")
    if Z.nrows() == 0 or Z.ncols() == 0:
        return 0
    N = flint.nmod_mat(Z.nrows(), Z.ncols(), [int(v) % p for v in Z.entries()], p)
    return int(N.rank())


def rref(A, backend="flint"):
    """Reduced row echelon form ``(R, pivots)`` over Q, with ``R`` an ``fmpq_mat``."""
    _check_backend(backend)
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
    """
    _check_backend(backend)
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
    """The solution of the square non-singular system ``A x = b`` over Q."""
    _check_backend(backend)
    M, B = as_matrix(A, "A"), as_matrix(b, "b")
    if M.nrows() != M.ncols() or B.nrows() != M.nrows():
        raise ShapeError(f"Arguments 'A' {(M.nrows(), M.ncols())} and 'b' "
                         f"{(B.nrows(), B.ncols())} must form a square system.")
    if backend == "sympy":
        return _from_sympy_dm(_sympy_dm(M).lu_solve(_sympy_dm(B)))
    return M.solve(B)


def charpoly(A, backend="flint"):
    """Characteristic polynomial ``det(x I - A)``, coefficients from the constant term up.

    >>> charpoly([[5, 2], [2, 10]])
    (Fraction(46, 1), Fraction(-15, 1), Fraction(1, 1))
    """
    _check_backend(backend)
    M = as_matrix(A)
    if M.nrows() != M.ncols():
        raise ShapeError(f"Argument 'A' must be square, not of shape {(M.nrows(), M.ncols())}.")
    if backend == "sympy":
        coeffs = _sympy_dm(M).charpoly()       # highest degree first
        return tuple(Fraction(int(c.numerator), int(c.denominator)) for c in reversed(coeffs))
    return tuple(Fraction(int(c.p), int(c.q)) for c in M.charpoly().coeffs())


# ----------------------------------------------------------------------------- eigen tails
class EigenTail:
    """``tr(G) - (sum of the k largest eigenvalues of G)`` for a rational symmetric PSD ``G``.

    This is ``sum_{t > k} sigma_t(B)^2`` when ``G = B^T B`` (Eckart-Young), the optimal
    value of a best rank-``k`` approximation.  Held exactly as the characteristic
    polynomial of ``G`` and ``k``; :meth:`expr` gives a sympy closed form (radicals when
    available, ``CRootOf`` otherwise) and :meth:`enclosure` a certified ``arb`` ball
    computed by flint's certified complex root isolation, independently of sympy.
    """

    def __init__(self, G, k, backend="flint"):
        self.G = as_matrix(G, "G")
        self.k = int(k)
        self.n = self.G.nrows()
        self.coeffs = charpoly(self.G, backend=backend)

    def _int_poly(self):
        den = math.lcm(*(c.denominator for c in self.coeffs))
        return flint.fmpz_poly([int(c * den) for c in self.coeffs])

    def enclosure(self, prec=128):
        """A certified real ball containing the value (flint ``arb``)."""
        if self.k >= self.n:
            return flint.arb(0)
        if self.k == 0:
            return flint.arb(flint.fmpq(*_pq(self.trace())))
        old = flint.ctx.prec
        flint.ctx.prec = max(prec, 64)
        try:
            roots = []
            fac = self._int_poly().factor()[1]
            for f, mult in fac:
                for r, m in f.complex_roots():
                    roots.extend([r.real] * (m * mult))
            roots.sort(key=lambda z: float(z.mid()), reverse=True)
            top = sum(roots[: self.k], flint.arb(0))
            return flint.arb(flint.fmpq(*_pq(self.trace()))) - top
        finally:
            flint.ctx.prec = old

    def trace(self):
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
        the k-th and (k+1)-th largest eigenvalues are conjugate roots of one irreducible
        factor of degree > 1 (the value is then irrational).
        """
        fac = self._int_poly().factor()[1]
        tagged = []                       # (ball, factor index)
        for idx, (f, mult) in enumerate(fac):
            for r, m in f.complex_roots():
                tagged.extend([(r.real, idx)] * (m * mult))
        tagged.sort(key=lambda t: float(t[0].mid()), reverse=True)
        _assert_separated(tagged)
        used = {}
        for _, idx in tagged[: self.k]:
            used[idx] = used.get(idx, 0) + 1
        parts, total = [], Fraction(0)
        for idx, cnt in used.items():
            f, mult = fac[idx]
            deg = f.degree()
            if deg > 1 and cnt % deg:
                return None
            coeffs = [Fraction(int(c)) for c in f.coeffs()]
            if deg == 1:
                root = -coeffs[0] / coeffs[1]
                total += cnt * root
            else:
                total += (cnt // deg) * (-coeffs[-2] / coeffs[-1])
            parts.append((tuple(coeffs), cnt))
        return parts, total

    def expr(self):
        """The exact value as a sympy expression (radicals when sympy finds them, else a sum
        of ``CRootOf``: the ``n − k`` smallest eigenvalues of ``G``)."""
        import sympy
        rv = self.rational_value()
        if rv is not None:
            return sympy.Rational(rv.numerator, rv.denominator)
        x = sympy.Symbol("x")
        poly = sympy.Poly([sympy.Rational(c.numerator, c.denominator)
                           for c in reversed(self.coeffs)], x)
        roots = []
        for fac, mult in sympy.factor_list(poly)[1]:
            fp = sympy.Poly(fac, x)
            rs = sympy.roots(fp) if fp.degree() <= 2 else {}
            if sum(rs.values()) != fp.degree():
                rs = {sympy.CRootOf(fp, i): 1 for i in range(fp.degree())}
            for r, m in rs.items():
                roots.extend([r] * (m * mult))
        roots.sort(key=lambda r: float(sympy.re(sympy.N(r, 30))), reverse=True)
        # tr(G) − (k largest) = sum of the n − k smallest eigenvalues.
        return sympy.expand(sum(roots[self.k:], sympy.Integer(0)))


def _pq(f):
    return int(f.numerator), int(f.denominator)


def _assert_separated(tagged):
    # Distinct real eigenvalues have disjoint balls at 128 bits unless they are equal roots
    # of the same factor (multiplicity), which share a factor index: safe either way.
    for (a, i), (b, j) in zip(tagged, tagged[1:]):
        if i != j and a.overlaps(b):
            raise ArithmeticError("eigenvalue isolation failed to separate distinct roots; "
                                  "increase precision")


def eigen_tail(G, k, backend="flint"):
    """Shorthand for :class:`EigenTail` ``(G, k, backend)``."""
    return EigenTail(G, k, backend)

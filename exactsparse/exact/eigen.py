"""Exact tails of Gram spectra: ``Σ_{t>k} σ_t(B)²`` as an algebraic number with a certified
enclosure (the optimal value of a best rank-k approximation, Eckart–Young).

``EigenTail(G, k)`` isolates the eigenvalues of the rational symmetric Gram matrix ``G``
with flint (roots of the characteristic polynomial, factored over Q) and gives the sum of the
``n − k`` smallest: exactly (:meth:`EigenTail.rational_value`, :meth:`EigenTail.expr`, a sympy
closed form) and as a certified ``arb`` ball (:meth:`EigenTail.enclosure`).  Core module: it
part of :mod:`exactsparse.exact`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np

from ..exceptions import ArgumentError, PrecisionError, ShapeError
from .matrices import as_matrix, charpoly
from .scalars import short_repr

__all__ = ["precision", "EigenTail", "eigen_tail"]


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
        if isinstance(bits, (bool, np.bool_)) or not isinstance(bits, (int, np.integer)) \
                or not 2 <= bits <= _MAX_PREC:
            raise ArgumentError(f"Argument 'bits' must be an integer in [2, {_MAX_PREC}], not "
                                f"{short_repr(bits)}.")
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
        self.n = self.G.nrows()
        if self.n != self.G.ncols():
            raise ShapeError(f"Argument 'G' must be square, not {self.n}×{self.G.ncols()}.")
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) \
                or k < 0:
            raise ArgumentError(f"Argument 'k' must be an integer >= 0, not {short_repr(k)}.")
        self.k = int(k)
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
        eigenvalues, each a rational, a radical (quadratic factor) or a ``CRootOf`` — or,
        when fewer, ``tr(G)`` minus the ``k`` largest (a short expression for a large block
        approximated at a small rank)."""
        import sympy
        rv = self.rational_value()
        if rv is not None:
            return sympy.Rational(rv.numerator, rv.denominator)
        roots = self.roots()
        if self.k < len(roots) - self.k:
            tr = sum((self.G[i, i] for i in range(self.n)), flint.fmpq(0))
            return sympy.expand(sympy.Rational(int(tr.p), int(tr.q)) - sum(
                (_root_expr(c, j) for _, c, j in roots[:self.k]), sympy.Integer(0)))
        return sympy.expand(sum((_root_expr(c, j) for _, c, j in roots[self.k:]),
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

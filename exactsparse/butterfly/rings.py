"""Exact coefficient rings for butterfly identification: Z ⊂ Q and Z[ζ_n] ⊂ Q(ζ_n).

A matrix over a ring is an integer numpy array with a trailing coefficient axis of length
``m``: ``m = 1`` for the integers, ``m = φ(n) = n/2`` for the cyclotomic integers of a
power-of-two order ``n``, where ``Φ_n(x) = x^{n/2} + 1`` and multiplication is a negacyclic
convolution.  Entries stay in int64 while a bound proves it safe, else Python ints.

Examples
--------
>>> R = CyclotomicRing(8)            # ζ = exp(2πi/8), basis 1, ζ, ζ², ζ³
>>> z = R.power(np.array([3]))       # ζ³
>>> R.mul(z, z).tolist()             # ζ⁶ = −ζ²
[[0, 0, -1, 0]]
>>> R.fractions(np.array([0, 1, 0, 0]), np.array([0, 0, 0, 2]))   # ζ / (2ζ³) = −ζ²/2
(Fraction(0, 1), Fraction(0, 1), Fraction(-1, 2), Fraction(0, 1))
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import flint
import numpy as np

from ..exceptions import ArgumentError, ExactTypeError, ShapeError
from ._common import as_array, validate_perm
from ..exceptions import show
from .supports import MAX_SIZE, check_entries, log2_size

__all__ = ["IntegerRing", "CyclotomicRing", "dft_cyclotomic", "cyclotomic_to_complex"]

_SAFE = 2 ** 62


def _maxabs(a):
    return max(abs(int(a.max())), abs(int(a.min()))) if a.size else 0


def _dtype_for(a, b, m):
    """int64 when a bound proves the product exact; Python ints (object) otherwise, and
    always when an operand already holds Python ints."""
    if np.asarray(a).dtype == object or np.asarray(b).dtype == object:
        return object
    return np.int64 if _maxabs(a) * _maxabs(b) * m < _SAFE else object


class IntegerRing:
    """The integers (inside Q), as arrays with a trailing axis of length 1."""

    m = 1
    name = "Q"

    def one(self):
        return np.ones(1, dtype=np.int64)

    def mul(self, a, b):
        dt = _dtype_for(a, b, 1)
        return a.astype(dt) * b.astype(dt)

    def fractions(self, num, den):
        """``num / den`` (two length-1 coefficient vectors) as a Fraction."""
        return Fraction(int(num[0]), int(den[0]))

    def to_json_field(self):
        return "Q"


class CyclotomicRing:
    """``Z[ζ_n]`` for ``n = 2^k >= 4``, coefficients in the power basis ``1, ζ, …, ζ^{n/2−1}``.

    Raises
    ------
    PowerOfTwoError
        ``n`` is not a power of two.
    """

    def __init__(self, n):
        k = log2_size(n, "n")
        if k < 2:
            raise ArgumentError(f"Argument 'n' must be a power of two >= 4, not {n}.")
        self.n, self.m = int(n), int(n) // 2
        self.name = f"Q(zeta_{n})"

    def one(self):
        e = np.zeros(self.m, dtype=np.int64)
        e[0] = 1
        return e

    def power(self, e):
        """``ζ^e`` for an integer array ``e`` (coefficient arrays, trailing axis ``m``)."""
        e = np.asarray(e, dtype=np.int64) % self.n
        out = np.zeros((*e.shape, self.m), dtype=np.int64)
        sign = np.where(e < self.m, 1, -1)
        np.put_along_axis(out, (e % self.m)[..., None], sign[..., None], axis=-1)
        return out

    def mul(self, a, b):
        """Negacyclic product along the last axis (``x^m = −1``), broadcasting."""
        dt = _dtype_for(a, b, self.m)
        a, b = np.broadcast_arrays(a.astype(dt), b.astype(dt))
        out = np.zeros(a.shape, dtype=dt)
        m = self.m
        for i in range(m):
            ai = a[..., i:i + 1]
            out[..., i:] += ai * b[..., :m - i]
            if i:
                out[..., :i] -= ai * b[..., m - i:]
        return out

    def _poly(self, coeffs):
        return flint.fmpq_poly([int(c) for c in coeffs])

    def fractions(self, num, den):
        """``num / den`` in ``Q(ζ_n)`` (``den`` ≠ 0) as a tuple of ``m`` Fractions."""
        phi = flint.fmpq_poly([1] + [0] * (self.m - 1) + [1])
        g, inv, _ = self._poly(den).xgcd(phi)
        q = (self._poly(num) * inv / g) % phi
        c = [Fraction(int(v.p), int(v.q)) for v in q.coeffs()]
        return tuple(c + [Fraction(0)] * (self.m - len(c)))

    def to_json_field(self):
        return f"cyclotomic:{self.n}"


def dft_cyclotomic(n, perm=None):
    """The DFT matrix ``[ω^{jk}]``, ``ω = e^{−2πi/n} = ζ_n^{−1}``, over ``Z[ζ_n]``.

    Parameters
    ----------
    n : int
        A power of two ``>= 4``.
    perm : array of int, optional
        Permutes the columns (``D[:, perm]``).

    Returns
    -------
    numpy.ndarray
        int64 of shape ``(n, n, n/2)``: the coefficients of each entry in the power basis
        ``1, ζ, …, ζ^{n/2−1}`` of ``Q(ζ_n)``.

    Raises
    ------
    PowerOfTwoError, ArgumentError
        ``n`` is not a power of two ``>= 4``.

    See Also
    --------
    cyclotomic_to_complex : evaluate the coefficients at ``ζ_n``.
    exactsparse.butterfly.identify_butterfly : identifies it exactly with ``cyclotomic=n``.

    Notes
    -----
    The DFT is ``B · P`` with ``B`` a butterfly product and ``P`` the bit reversal; its
    entries are roots of unity, so exact identification works in ``Q(ζ_n)`` [1]_.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
       sparse matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.

    Examples
    --------
    >>> D = dft_cyclotomic(4)
    >>> bool(np.allclose(cyclotomic_to_complex(D, 4), np.fft.fft(np.eye(4))))
    True
    """
    R = CyclotomicRing(n)
    check_entries(R.n * R.n * R.m, f"The DFT of size {R.n} over Q(zeta_{R.n})")
    j = np.arange(n)
    E = -np.outer(j, j)
    if perm is not None:
        p = validate_perm(perm, R.n)
        E = E if p is None else E[:, p]
    return R.power(E)


def cyclotomic_to_complex(coeffs, n):
    """Evaluate coefficient arrays at ``ζ_n = e^{2πi/n}`` (floating point, for checks).

    Parameters
    ----------
    coeffs : array_like
        Integer or rational coefficients with a trailing axis of length ``m`` (power basis
        ``1, ζ, …, ζ^{m−1}``).
    n : int
        The order of the root of unity.

    Returns
    -------
    numpy.ndarray of complex128
        Shape ``coeffs.shape[:-1]``.

    See Also
    --------
    dft_cyclotomic : the DFT in this representation.

    Examples
    --------
    >>> z = cyclotomic_to_complex([0, 0, 1, 0], 8)            # ζ_8² = i
    >>> bool(np.isclose(z, 1j))
    True
    >>> R = CyclotomicRing(8)                                  # products agree with C
    >>> a, b = np.array([1, 2, 0, -1]), np.array([0, 3, 1, 1])
    >>> bool(np.isclose(cyclotomic_to_complex(R.mul(a, b), 8),
    ...                 cyclotomic_to_complex(a, 8) * cyclotomic_to_complex(b, 8)))
    True
    """
    coeffs = as_array(coeffs, "coeffs")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_SIZE:
        raise ArgumentError(f"Argument 'n' must be a positive integer (at most 2**62), not "
                            f"{show(n)}.")
    if coeffs.dtype.kind not in "biufcO":
        raise ExactTypeError(f"Argument 'coeffs' must hold numbers, not an array of dtype "
                             f"{coeffs.dtype}.")
    if coeffs.ndim == 0 or coeffs.shape[-1] == 0:
        raise ShapeError(f"Argument 'coeffs' must have a non-empty trailing axis of "
                         f"coefficients, not shape {coeffs.shape}.")
    try:
        c = coeffs.astype(np.complex128)
    except (TypeError, ValueError, OverflowError):
        raise ExactTypeError(f"Argument 'coeffs' must hold numbers that fit a complex128, not "
                             f"{show(coeffs.ravel()[0]) if coeffs.dtype != object else 'objects'}"
                             f" of dtype {coeffs.dtype}.") from None
    z = np.exp(2j * np.pi * np.arange(coeffs.shape[-1]) / int(n))
    with np.errstate(all="ignore"):
        return c @ z

"""Shared, private helpers of :mod:`exactsparse.identifiability`.

The rank-one supports ``S_k = R_k × C_k`` of a pair ``(I, J)`` (``I`` m×r, ``J`` n×r, the
``X Yᵀ`` convention) and the inverse map "entry ``(i, j)`` → the columns ``k`` whose
``S_k`` contains it" (the *cover*, built on first use); time budgets and safe messages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from ..exact import as_matrix, to_fractions
from ..exceptions import ArgumentError, ShapeError, show

from ..supports import check_pair

__all__ = []


@dataclass(frozen=True)
class Pattern:
    """A validated support pair with its rank-one supports and cover.

    Attributes
    ----------
    I, J : Support
    rects : tuple of (tuple, tuple)
        ``(R_k, C_k)`` for every column ``k`` (empty tuples for a degenerate column).
    cover : dict
        ``(i, j) -> tuple of k`` with ``(i, j) ∈ S_k``, over the union of the ``S_k``.
    """

    I: object
    J: object
    rects: tuple

    @functools.cached_property
    def cover(self):
        """``(i, j) -> tuple of k`` (built on first use: ``O(sum_k |S_k|)`` time and memory,
        which the shortcuts of :func:`~.check.check_identifiable` avoid)."""
        cover = {}
        for k, (R, C) in enumerate(self.rects):
            for i in R:
                for j in C:
                    cover.setdefault((i, j), []).append(k)
        return {e: tuple(ks) for e, ks in cover.items()}

    @property
    def lifted_size(self):
        """``sum_k |S_k|``, the number of entries of the rank-one contributions."""
        return sum(len(R) * len(C) for R, C in self.rects)

    def identical_columns(self):
        """A pair ``(k, l)``, ``k < l``, of non-empty columns with ``S_k = S_l``, or None
        (``O(r (m + n))`` by hashing the rectangles)."""
        seen = {}
        for k, rc in enumerate(self.rects):
            if rc[0] and rc[1]:
                if rc in seen:
                    return seen[rc], k
                seen[rc] = k
        return None

    @property
    def m(self):
        return self.I.shape[0]

    @property
    def n(self):
        return self.J.shape[0]

    @property
    def r(self):
        return self.I.shape[1]

    def degenerate(self):
        """Columns ``k`` with exactly one of ``R_k``, ``C_k`` empty (``X_k = 0`` and ``Y_k``
        unseen by ``Z``, or the converse): such a pair is never identifiable."""
        return tuple(k for k, (R, C) in enumerate(self.rects) if bool(R) != bool(C))

    def absent(self):
        """Columns ``k`` with ``R_k`` and ``C_k`` both empty: ``X_k = Y_k = 0`` is forced, so
        the column is absent from every factorization and does not affect identifiability."""
        return tuple(k for k, (R, C) in enumerate(self.rects) if not R and not C)


def check_seed(seed):
    """A seed must be an int ``>= 0`` (or None: fresh entropy)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(f"Argument 'seed' must be an int >= 0 or None, not {show(seed)}.")
    return int(seed)


def pattern(I, J):
    """Validate ``(I, J)`` and build its :class:`Pattern` (cost ``O(nnz(I) + nnz(J) + r)``;
    the cover is built on first use)."""
    I, J = check_pair(I, J)
    rects = tuple((I.column(k), J.column(k)) for k in range(I.shape[1]))
    return Pattern(I, J, rects)


def fraction_rows(A, name, shape=None):
    """An exact matrix as a list of lists of Fraction, with an optional shape check."""
    M = as_matrix(A, name)
    if shape is not None and (M.nrows(), M.ncols()) != tuple(shape):
        raise ShapeError(f"Argument {name!r} must have shape {tuple(shape)}, not "
                         f"{(M.nrows(), M.ncols())}.")
    return [list(row) for row in to_fractions(M)]


def product(X, Y):
    """``X Yᵀ`` for lists of lists of Fraction."""
    r = len(X[0]) if X else 0
    return [[sum((x[k] * y[k] for k in range(r)), Fraction(0)) for y in Y] for x in X]


def fmpq_matrix(M, ncols):
    """A list of lists of Fraction as a ``flint.fmpq_mat`` (``ncols`` for an empty list)."""
    return flint.fmpq_mat(len(M), ncols, [flint.fmpq(v.numerator, v.denominator)
                                          for row in M for v in row])


def same_product(X, Y, X2, Y2, r):
    """Whether ``X Yᵀ = X2 Y2ᵀ`` (lists of lists of Fraction, ``r`` columns), exactly and
    without forming the m×n products: with ``M = [X, −X2]`` and ``N = [Y, Y2]`` the claim is
    ``M Nᵀ = 0``; writing ``M = C B`` with ``B`` the nonzero rows of the RREF of ``M`` (full
    row rank) and ``C`` of full column rank, ``M Nᵀ = 0`` iff ``B Nᵀ = 0``.  Cost
    ``O((m + n) r²)`` instead of ``O(m n r)``."""
    if not X or not Y or r == 0:
        return True
    M = fmpq_matrix([x + [-v for v in x2] for x, x2 in zip(X, X2)], 2 * r)
    N = fmpq_matrix([y + y2 for y, y2 in zip(Y, Y2)], 2 * r)
    R, rho = M.rref()
    if rho == 0:
        return True
    B = flint.fmpq_mat(rho, 2 * r, [R[i, j] for i in range(rho) for j in range(2 * r)])
    return B * N.transpose() == flint.fmpq_mat(rho, len(Y))


def support_of(M):
    """The 0/1 pattern of a list-of-lists matrix, as a tuple of tuples."""
    return tuple(tuple(int(v != 0) for v in row) for row in M)


def factors_from_values(pat, vals, zero):
    """Factors ``(X, Y)`` of rank-one blocks given by their values ``vals[k][(i, j)]`` on
    ``R_k x C_k``: ``X[:, k]`` is the column ``j0 = C[0]`` scaled by its entry at
    ``i0 = R[0]``, ``Y[:, k]`` the row ``i0``; entries outside the supports are ``zero``.
    Works for any field type (Fractions, rational functions); raises ZeroDivisionError
    when a pivot ``vals[k][(i0, j0)]`` is zero."""
    X = [[zero] * pat.r for _ in range(pat.m)]
    Y = [[zero] * pat.r for _ in range(pat.n)]
    for k, (R, C) in enumerate(pat.rects):
        if not R:                          # an absent column (both sides empty) stays 0
            continue
        i0, j0 = R[0], C[0]
        for i in R:
            X[i][k] = vals[k][(i, j0)] / vals[k][(i0, j0)]
        for j in C:
            Y[j][k] = vals[k][(i0, j)]
    return X, Y


#: Values of the parameter ``s`` tried along a one-parameter family of factorizations
#: (a witness construction, or a curve in the fibre) until one gives a valid witness.
PARAMS = (1, 2, 3, -1, 5, 7, -2, 11, 13, 17)


def small_random_point(pat, rng):
    """Factors ``(X, Y)`` (lists of lists of Fraction) with supports exactly ``(I, J)`` and
    integer entries in ``[1, 50)`` drawn from ``rng`` (a :class:`random.Random`)."""
    X = [[Fraction(rng.randrange(1, 50)) if pat.I[i, k] else Fraction(0) for k in range(pat.r)]
         for i in range(pat.m)]
    Y = [[Fraction(rng.randrange(1, 50)) if pat.J[j, k] else Fraction(0) for k in range(pat.r)]
         for j in range(pat.n)]
    return X, Y

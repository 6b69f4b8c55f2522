"""Masked rank-one approximation and its reduction to FSMF (NP-hardness), both ways.

Rank-one approximation with missing entries (binary weights) asks for

    min_{x, y}  sum_{(i, j) in Omega} (A_ij - x_i y_j)^2,

which is NP-hard (Gillis & Glineur [2]_).  Le, Riccietti & Gribonval [1]_ embed it in
fixed-support matrix factorization (FSMF): one full column (``I_0 = 1_m``, ``J_0 = 1_n``)
plus one single-entry column per missing entry ``(i, j)`` (``I_k = e_i``, ``J_k = e_j``), a
complete equivalence class that fits that entry exactly.  The two optimal values are equal
and solutions map both ways with the same loss, which this module does exactly.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] N. Gillis, F. Glineur, "Low-rank matrix approximation with weights or missing data
   is NP-hard", SIAM J. Matrix Anal. Appl. 32(4) (2011), arXiv:1012.0197.

Examples
--------
>>> A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
>>> mask = [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
>>> I, J = masked_to_fsmf(A, mask)[1:]
>>> I.tolist()
[[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]]
>>> J.tolist()
[[1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0]]
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ... import exact
from ...exceptions import ShapeError, show
from ...supports import Support, as_support, check_pair

__all__ = ["masked_loss", "supported_loss", "masked_to_fsmf", "masked_solution_to_fsmf",
           "fsmf_solution_to_masked"]


def _fractions(A, name="A"):
    return [list(r) for r in exact.to_fractions(exact.as_matrix(A, name))]


def _mask(mask, shape):
    W = as_support(mask, "mask")
    if W.shape != tuple(shape):
        raise ShapeError(f"Arguments 'A' {tuple(shape)} and 'mask' {W.shape} must have the "
                         "same shape.")
    return W


def _vector(v, size, name):
    if isinstance(v, (str, bytes, dict)) or not hasattr(v, "__iter__") \
            or getattr(v, "ndim", 1) != 1:
        raise ShapeError(f"Argument {name!r} must be a sequence of {size} rationals, not "
                         f"{show(v)}.")
    out = [exact.as_rational(t, name, where=f" at {k}") for k, t in enumerate(v)]
    if len(out) != size:
        raise ShapeError(f"Argument {name!r} must have {size} entries, not {len(out)}.")
    return out


def masked_loss(A, mask, x, y):
    """Exact loss ``sum_{(i,j) in Omega} (A_ij - x_i y_j)^2`` of a rank-one pair.

    Parameters
    ----------
    A : array_like of rationals, shape (m, n)
    mask : Support-like, shape (m, n)
        ``Omega`` (1 = observed).
    x, y : sequences of rationals, lengths m and n

    Returns
    -------
    Fraction

    See Also
    --------
    supported_loss : the FSMF loss; equal on the instance of :func:`masked_to_fsmf`.

    Examples
    --------
    Only the observed entries count: ``x y^T = [[1, 4], [1, 4]]`` fits the diagonal.

    >>> masked_loss([[1, 2], [3, 4]], "10/01", [1, 1], [1, 4])
    Fraction(0, 1)
    >>> masked_loss([[1, 2], [3, 4]], "11/11", [1, 1], [1, 4])
    Fraction(8, 1)
    """
    A = _fractions(A)
    m, n = len(A), len(A[0])
    W = _mask(mask, (m, n))
    x, y = _vector(x, m, "x"), _vector(y, n, "y")
    return sum(((A[i][j] - x[i] * y[j]) ** 2 for i in range(m) for j in range(n)
                if W[i, j]), Fraction(0))


def supported_loss(A, I, J, X, Y):
    """Exact FSMF loss ``||A - X Y^T||_F^2``; ``X``, ``Y`` must respect the supports.

    Parameters
    ----------
    A : array_like of rationals, shape (m, n)
    I, J : Support-like, shapes (m, r), (n, r) (``X Y^T`` convention)
    X, Y : matrices of rationals, shapes (m, r), (n, r)

    Returns
    -------
    Fraction

    Raises
    ------
    ShapeError
        Wrong shapes, or a nonzero of ``X``/``Y`` outside its support.

    See Also
    --------
    masked_loss, certify_fsmf

    Examples
    --------
    >>> supported_loss([[1, 2]], "1", "1/1", [[1]], [[1], [2]])
    Fraction(0, 1)
    >>> supported_loss([[1, 2]], "1", "1/0", [[1]], [[1], [2]])
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ShapeError: Argument 'Y' has a nonzero outside its support at (1, 0).
    """
    I, J = check_pair(I, J)
    M = exact.as_matrix(A, "A")
    Xm, Ym = exact.as_matrix(X, "X"), exact.as_matrix(Y, "Y")
    if (M.nrows(), M.ncols()) != (I.shape[0], J.shape[0]):
        raise ShapeError(f"Argument 'A' {(M.nrows(), M.ncols())} must have shape "
                         f"{(I.shape[0], J.shape[0])} to fit 'I' {I.shape} and 'J' {J.shape}.")
    for name, F, S in (("X", Xm, I), ("Y", Ym, J)):
        if (F.nrows(), F.ncols()) != S.shape:
            raise ShapeError(f"Argument {name!r} must have shape {S.shape}, not "
                             f"{(F.nrows(), F.ncols())}.")
        bad = [(i, k) for i in range(S.shape[0]) for k in range(S.shape[1])
               if F[i, k] != 0 and not S[i, k]]
        if bad:
            raise ShapeError(f"Argument {name!r} has a nonzero outside its support at {bad[0]}.")
    return exact.frobenius_sq(M - Xm * Ym.transpose())


def masked_to_fsmf(A, mask):
    """The FSMF instance ``(A, I, J)`` of a masked rank-one instance (Le et al. [1]_).

    Parameters
    ----------
    A : array_like of rationals, shape (m, n)
    mask : Support-like, shape (m, n)
        ``Omega``: 1 = observed, 0 = missing.

    Returns
    -------
    (A, I, J) : fmpq_mat, Support (m x r), Support (n x r)
        ``r = 1 + |Omega^c|``; column 0 is full, column ``k >= 1`` is the single entry of
        the ``k``-th missing entry in row-major order.

    See Also
    --------
    masked_solution_to_fsmf, fsmf_solution_to_masked : the solutions, both ways.
    masked_loss, supported_loss : the two losses.
    biclique_to_masked : the masked instances of bipartite graphs.

    Notes
    -----
    Theorem [1]_: ``min FSMF(A, I, J) = min_{x,y} sum_Omega (A_ij - x_i y_j)^2`` and a
    solution of either maps to one of the other with the same loss (the single-entry
    columns fit the missing entries exactly), so FSMF is NP-hard because masked rank-one
    approximation is [2]_.

    Examples
    --------
    The two losses are equal at corresponding points:

    >>> A, mask = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "110/011/101"
    >>> M, I, J = masked_to_fsmf(A, mask)
    >>> I.shape, J.shape
    ((3, 4), (3, 4))
    >>> x, y = [1, 2, 1], [1, Fraction(1, 2), 3]
    >>> X, Y = masked_solution_to_fsmf(A, mask, x, y)
    >>> supported_loss(M, I, J, X, Y) == masked_loss(A, mask, x, y)
    True
    """
    M = exact.as_matrix(A, "A")
    m, n = M.nrows(), M.ncols()
    W = _mask(mask, (m, n))
    missing = [(i, j) for i in range(m) for j in range(n) if not W[i, j]]
    I = np.zeros((m, 1 + len(missing)), bool)
    J = np.zeros((n, 1 + len(missing)), bool)
    I[:, 0] = True
    J[:, 0] = True
    for k, (i, j) in enumerate(missing, start=1):
        I[i, k] = J[j, k] = True
    return M, Support(I), Support(J)


def masked_solution_to_fsmf(A, mask, x, y):
    """Map a masked rank-one pair ``(x, y)`` to FSMF factors ``(X, Y)`` with equal loss.

    Returns
    -------
    (X, Y) : tuples of tuples of Fraction, shapes (m, r) and (n, r)
        Column 0 is ``(x, y)``; the single-entry column of a missing entry ``(i, j)``
        fits the residual ``A_ij - x_i y_j`` exactly.

    See Also
    --------
    masked_to_fsmf, fsmf_solution_to_masked

    Examples
    --------
    >>> A, mask = [[1, 5], [3, 4]], "10/11"
    >>> X, Y = masked_solution_to_fsmf(A, mask, [1, 3], [1, 2])
    >>> supported_loss(*masked_to_fsmf(A, mask), X, Y) == masked_loss(A, mask, [1, 3], [1, 2])
    True
    """
    A = _fractions(A)
    m, n = len(A), len(A[0])
    W = _mask(mask, (m, n))
    x, y = _vector(x, m, "x"), _vector(y, n, "y")
    missing = [(i, j) for i in range(m) for j in range(n) if not W[i, j]]
    r = 1 + len(missing)
    X = [[Fraction(0)] * r for _ in range(m)]
    Y = [[Fraction(0)] * r for _ in range(n)]
    for i in range(m):
        X[i][0] = x[i]
    for j in range(n):
        Y[j][0] = y[j]
    for k, (i, j) in enumerate(missing, start=1):
        X[i][k] = Fraction(1)
        Y[j][k] = A[i][j] - x[i] * y[j]
    return tuple(map(tuple, X)), tuple(map(tuple, Y))


def fsmf_solution_to_masked(X, Y):
    """Map FSMF factors of a :func:`masked_to_fsmf` instance back to ``(x, y)``.

    The full column 0 is the rank-one pair; the loss on ``Omega`` is unchanged and the
    single-entry columns only lower the loss on missing entries, so
    ``masked_loss(x, y) <= supported_loss(X, Y)`` with equality at any optimum.

    Returns
    -------
    (x, y) : tuples of Fraction

    See Also
    --------
    masked_to_fsmf, masked_solution_to_fsmf

    Examples
    --------
    >>> A, mask = [[1, 5], [3, 4]], "10/11"
    >>> M, I, J = masked_to_fsmf(A, mask)
    >>> X, Y = [[1, 2], [3, 0]], [[1, 0], [2, 1]]
    >>> x, y = fsmf_solution_to_masked(X, Y)
    >>> x, y
    ((Fraction(1, 1), Fraction(3, 1)), (Fraction(1, 1), Fraction(2, 1)))
    >>> masked_loss(A, mask, x, y) <= supported_loss(M, I, J, X, Y)
    True
    """
    Xf, Yf = exact.to_fractions(exact.as_matrix(X, "X")), exact.to_fractions(
        exact.as_matrix(Y, "Y"))
    return tuple(r[0] for r in Xf), tuple(r[0] for r in Yf)

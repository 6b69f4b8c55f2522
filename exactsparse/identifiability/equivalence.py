"""Equivalence of factorizations and canonical representatives.

Two pairs are *equivalent* when ``X2 = X D P`` and ``Y2 = Y D⁻¹ P`` (``D`` invertible
diagonal, ``P`` a permutation); ``(X, Y)`` is identifiable when every pair with the same
product and supports in ``(I, J)`` is equivalent to it [1]_.  This module decides the
equivalence exactly (a perfect matching of columns related by a scaling) and re-checks
candidate witnesses of non-identifiability (:func:`is_witness`), for :mod:`.witness` and
:mod:`.fibre`.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import networkx as nx

from ..exceptions import ShapeError
from ._common import fraction_rows, same_product, support_of

__all__ = ["Equivalence", "equivalent", "canonical", "match_columns", "is_witness"]


@dataclass(frozen=True)
class Equivalence:
    """``X2 = X · diag(D) · P`` and ``Y2 = Y · diag(D)⁻¹ · P`` with
    ``(X D P)[:, k] = D[perm[k]] · X[:, perm[k]]``."""

    D: tuple
    perm: tuple



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


def match_columns(X, Y, X2, Y2):
    """The :class:`Equivalence` of two pairs given as lists of lists of Fraction (no input
    checks), or None: a perfect matching of the columns related by a scaling."""
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

    See Also
    --------
    canonical : the representative under column scaling.
    exactsparse.identifiability.find_witness : two factorizations that are *not* equivalent.

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

    The equivalence is the defining relation: ``X2[:, k] = D[perm[k]] X[:, perm[k]]`` and
    ``Y2[:, k] = Y[:, perm[k]] / D[perm[k]]``, so both pairs have the same product.

    >>> from fractions import Fraction
    >>> X, Y, X2, Y2 = [[1, 2]], [[3, 4]], [[4, 2]], [[2, Fraction(3, 2)]]
    >>> all(X2[0][k] == e.D[l] * X[0][l] and Y2[0][k] == Y[0][l] / e.D[l]
    ...     for k, l in enumerate(e.perm))
    True

    The witness of the spec (``r = 2``): same product, not equivalent.

    >>> equivalent([[1, 1], [1, 1]], [[1, 0], [2, 3], [0, 1]],
    ...            [[1, 1], [1, 1]], [[1, 0], [4, 1], [0, 1]]) is None
    True
    """
    return match_columns(*_four(X, Y, X2, Y2))


def canonical(X, Y):
    """The representative of ``(X, Y)`` under column scaling: the first nonzero entry of each
    column of ``X`` is 1 (of ``Y`` when ``X_k = 0``).

    Parameters
    ----------
    X, Y : array_like
        m×r and n×r exact matrices.

    Returns
    -------
    X, Y : tuple of tuple of Fraction
        ``(X D, Y D⁻¹)`` for the diagonal ``D`` that normalises the columns; the product
        ``X Yᵀ`` is unchanged.  Columns are not reordered (permutations are not
        normalised).

    Raises
    ------
    ShapeError, FloatInExactError
        ``X`` and ``Y`` have different numbers of columns, or hold floats.

    See Also
    --------
    equivalent : decide equivalence up to scaling *and* permutation.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> Xc, Yc = canonical([[2, 0], [4, 3]], [[1, 1]])
    >>> [[str(v) for v in r] for r in Xc], [[str(v) for v in r] for r in Yc]
    ([['1', '0'], ['2', '1']], [['2', '3']])

    Same product, and an equivalent pair (two pairs related by a scaling have the same
    representative):

    >>> import numpy as np
    >>> P = lambda X, Y: np.dot(np.array(X, dtype=object), np.array(Y, dtype=object).T)
    >>> bool((P(Xc, Yc) == P([[2, 0], [4, 3]], [[1, 1]])).all())
    True
    >>> canonical([[6, 0], [12, 1]], [["1/3", 3]]) == (Xc, Yc)
    True
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



def is_witness(pat, X, Y, X2, Y2, exact=True):
    """Whether ``(X, Y)`` and ``(X2, Y2)`` (lists of lists of Fraction) witness that the pattern
    ``pat`` is not identifiable: same product, not equivalent, and (``exact``) ``(X2, Y2)``
    with supports exactly ``(I, J)``."""
    sI, sJ = tuple(map(tuple, pat.I.tolist())), tuple(map(tuple, pat.J.tolist()))
    if exact and (support_of(X2) != sI or support_of(Y2) != sJ):
        return False
    return match_columns(X, Y, X2, Y2) is None and same_product(X, Y, X2, Y2, pat.r)

"""Helpers shared by the modules of :mod:`exactsparse.fsmf.hard` (one place, public names).

Budget checks, the validated instance, orientation of a masked core, and conversions
between Fractions and flint balls.  Nothing here decides anything.

Examples
--------
>>> A, I, J = validate([[1, 2], [3, 4]], "1/1", "1/1")
>>> A[1][0], I.shape, J.shape
(Fraction(3, 1), (2, 1), (2, 1))
>>> lower(arb_of(Fraction(1, 3))) <= Fraction(1, 3) <= upper(arb_of(Fraction(1, 3)))
True
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import flint

from ... import exact
from ...exceptions import ShapeError
from ..._budget import check_budget as core_check_budget
from ...supports import check_pair

__all__ = ["check_budget", "deadline", "bipartite_labels", "validate", "orient", "lower", "upper", "arb_of", "pq",
           "common_denominator"]


def check_budget(budget):
    """``budget`` as a float number of seconds (the package's one budget policy,
    :func:`exactsparse._budget.check_budget`, without None: a huge budget is clamped).

    >>> check_budget(2), check_budget(10**400)
    (2.0, 1000000.0)
    >>> check_budget(0)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetError: Argument 'budget' must be a positive number of seconds, not 0.
    """
    return core_check_budget(budget, allow_none=False)


def deadline(budget):
    """The monotonic time at which ``budget`` seconds (checked) run out."""
    return time.monotonic() + check_budget(budget)


def validate(A, I, J):
    """``(A as rows of Fractions, I, J)`` of an FSMF instance, shapes checked.

    Raises :class:`ShapeError` when ``A`` is not ``m x n`` for ``I`` ``m x r`` and ``J``
    ``n x r`` (and whatever :func:`~exactsparse.supports.check_pair` raises).
    """
    I, J = check_pair(I, J)
    M = exact.as_matrix(A, "A")
    if (M.nrows(), M.ncols()) != (I.shape[0], J.shape[0]):
        raise ShapeError(f"Argument 'A' has shape {(M.nrows(), M.ncols())} but 'I' {I.shape} "
                         f"and 'J' {J.shape} need ({I.shape[0]}, {J.shape[0]}).")
    return exact.to_fractions(M), I, J


def orient(core):
    """``(core, False)``, or ``(core.transpose(), True)`` when it has more columns than rows
    (the exact machinery works on the smaller side: the columns)."""
    return (core.transpose(), True) if core.shape[1] > core.shape[0] else (core, False)


def lower(ball):
    """A Fraction at most every point of the flint ``arb`` ball."""
    return exact.arb_fraction(ball.lower())


def upper(ball):
    """A Fraction at least every point of the flint ``arb`` ball."""
    return exact.arb_fraction(ball.upper())


def pq(f):
    """``(numerator, denominator)`` of a Fraction as Python ints."""
    return int(f.numerator), int(f.denominator)


def arb_of(f):
    """The exact flint ``arb`` of a Fraction."""
    return flint.arb(flint.fmpq(*pq(f)))


def common_denominator(rows):
    """Least common multiple of the denominators of a matrix of Fractions (1 when empty).

    >>> common_denominator([[Fraction(1, 4), Fraction(1, 6)], [Fraction(2)]])
    12
    """
    den = 1
    for row in rows:
        for v in row:
            den = math.lcm(den, v.denominator)
    return den


def bipartite_labels(edges, m, n):
    """Connected-component labels of the bipartite graph on rows ``0..m-1`` and columns
    ``m..m+n-1`` with edges ``(i, j)`` (union-find; a row and a column share a label iff
    they are connected).

    >>> labels = bipartite_labels([(0, 0), (1, 0)], 3, 2)
    >>> labels[0] == labels[1] == labels[3], labels[2] != labels[0], labels[4] != labels[0]
    (True, True, True)
    """
    parent = list(range(m + n))

    def find(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u
    for i, j in edges:
        parent[find(i)] = find(m + j)
    return [find(u) for u in range(m + n)]

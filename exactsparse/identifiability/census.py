"""Exhaustive comparison of the identifiability criteria on all small support pairs.

Used by ``proofs_notebooks/identifiability.ipynb``; every row is a plain tuple of results.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..exceptions import ShapeError
from ..supports import Support
from .check import check_identifiable
from .completion import _run
from ._common import pattern

__all__ = ["CensusRow", "support_pairs", "census"]


def _patterns(m, r):
    """m×r 0/1 patterns without zero row or column, rows sorted (one per row permutation)."""
    rows = [t for t in itertools.product((0, 1), repeat=r) if any(t)]
    for combo in itertools.combinations_with_replacement(rows, m):
        if all(any(row[k] for row in combo) for k in range(r)):
            yield combo


def _canonical(I, J, r):
    best = None
    for sigma in itertools.permutations(range(r)):
        key = (tuple(sorted(tuple(row[k] for k in sigma) for row in I)),
               tuple(sorted(tuple(row[k] for k in sigma) for row in J)))
        best = key if best is None or key < best else best
    return best


def support_pairs(m, n, r):
    """All non-degenerate pairs ``(I, J)`` (m×r, n×r, no zero row or column) up to
    permutations of the rows of ``I``, of the rows of ``J`` and of the columns ``k``.

    >>> len(support_pairs(1, 1, 1)), len(support_pairs(2, 2, 2))
    (1, 10)
    """
    for v, name in ((m, "m"), (n, "n"), (r, "r")):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ShapeError(f"Argument {name!r} must be a positive integer, not {v!r}.")
    seen = set()
    for I in _patterns(m, r):
        for J in _patterns(n, r):
            seen.add(_canonical(I, J, r))
    return sorted(seen)


@dataclass(frozen=True)
class CensusRow:
    """One support pair and the outcome of every criterion."""

    I: str
    J: str
    r: int
    iterative: bool
    partial: bool
    jacobian_full: bool
    witness: str
    verdict: str


def census(max_m=3, max_n=3, max_r=3):
    """Run every criterion on :func:`support_pairs` for all ``m, n, r`` up to the bounds.

    Returns
    -------
    list of CensusRow
    """
    out = []
    for m, n, r in itertools.product(range(1, max_m + 1), range(1, max_n + 1),
                                     range(1, max_r + 1)):
        for I, J in support_pairs(m, n, r):
            out.append(_row(Support(list(I)), Support(list(J))))
    return out


def _row(I, J):
    pat = pattern(I, J)
    res = check_identifiable(I, J)
    w = res.certificate.get("witness")
    return CensusRow(str(I), str(J), I.shape[1], _run(pat, False).complete,
                     _run(pat, True).complete, res.jacobian_rank == res.expected_rank,
                     w["construction"] if w else "", res.verdict)

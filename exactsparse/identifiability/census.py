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

from ..supports import Support, support_pairs
from .check import check_identifiable
from .completion import run_completion
from ._common import pattern

__all__ = ["CensusRow", "census"]


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
    """Run every criterion on :func:`~exactsparse.supports.support_pairs` (non-degenerate
    pairs) for all ``m, n, r`` up to the bounds.

    Returns
    -------
    list of CensusRow
    """
    out = []
    for m, n, r in itertools.product(range(1, max_m + 1), range(1, max_n + 1),
                                     range(1, max_r + 1)):
        for I, J in support_pairs(m, n, r, nondegenerate=True):
            out.append(_row(Support(I), Support(J)))
    return out


def _row(I, J):
    pat = pattern(I, J)
    res = check_identifiable(I, J)
    w = res.certificate.get("witness")
    return CensusRow(str(I), str(J), I.shape[1], run_completion(pat, False).complete,
                     run_completion(pat, True).complete,
                     res.jacobian_rank == res.expected_rank, w["construction"] if w else "",
                     res.verdict)

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

    Parameters
    ----------
    max_m, max_n, max_r : int
        Bounds on the shapes ``m×r`` of ``I`` and ``n×r`` of ``J``.

    Returns
    -------
    list of CensusRow
        One row per pair: iterative and partial completability, whether the Jacobian rank
        reaches ``nnz(I) + nnz(J) − r``, the witness construction (or ``""``) and the
        verdict of :func:`~exactsparse.identifiability.check_identifiable`.

    See Also
    --------
    exactsparse.identifiability.check_identifiable : the verdict of one pair.
    exactsparse.supports.support_pairs : the pairs enumerated.

    Notes
    -----
    The census checks the theorems of Zheng, Riccietti, Gribonval [1]_ on every small pair:
    iterative completability implies identifiability, and for ``r = 2`` it is necessary.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> rows = census(2, 2, 2)
    >>> len(rows), sum(r.verdict == "identifiable" for r in rows)
    (21, 12)

    Completable pairs are identifiable; for ``r = 2`` the others all have a witness:

    >>> all(r.verdict == "identifiable" for r in rows if r.iterative)
    True
    >>> all(r.verdict == "not-identifiable" and r.witness for r in rows
    ...     if r.r == 2 and not r.iterative)
    True
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

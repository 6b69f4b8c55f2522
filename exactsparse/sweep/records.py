"""Sweeps: every small support pattern checked against a theorem.

:func:`~exactsparse.supports.support_pairs` enumerates support pairs ``(I, J)`` (m×r, n×r) up to the symmetries
of the factorization — row permutations of ``I``, row permutations of ``J`` and a common
permutation of the ``r`` columns — and :func:`tractability_sweep` checks the tractability
theorem of Le, Riccietti & Gribonval [1]_ on each of them against multi-start local
optimisation.  Parallel and distributed sweeps build on these generators.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import ArgumentError, NonFiniteError, ShapeError, show

from ..supports import support_pairs

__all__ = ["SweepRecord", "tractability_sweep", "greedy_block_loss", "int_tuple"]


def int_tuple(a):
    """A 2-D array as a tuple of tuples of Python ints (hashable, JSON-friendly).

    >>> int_tuple([[1, 0], [0, 1]])
    ((1, 0), (0, 1))
    """
    return tuple(tuple(int(v) for v in row) for row in np.asarray(a))

@dataclass(frozen=True)
class SweepRecord:
    """One instance of a sweep: supports, the random ``A``, and the values compared."""

    I: tuple
    J: tuple
    A: tuple
    verdict: str
    value: float          # block-SVD value: exact optimum if tractable, greedy otherwise
    local: float          # best value of the local solver over its restarts


def greedy_block_loss(A, I, J):
    """Loss of the block-SVD recipe applied class by class to the running residual.

    Each class takes the best rank-``|P|`` approximation of the residual on its whole
    rectangle ``S_P``.  On the disjoint family (pairwise disjoint ``S_P``) this is the
    global optimum; with overlapping classes — including the complete-class family, whose
    optimum works on ``S_P \\ T`` instead — it is only a feasible point, a baseline for
    the local solver.
    """
    from ..supports import check_pair, equivalence_classes
    I, J = check_pair(I, J)
    try:
        R = np.array(A, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ArgumentError(f"Argument 'A' must be a real matrix, not {show(A)}.") from None
    if R.shape != (I.shape[0], J.shape[0]):
        raise ShapeError(f"Argument 'A' must have shape ({I.shape[0]}, {J.shape[0]}) (rows of "
                         f"I, rows of J), not {show(A)}.")
    if not np.all(np.isfinite(R)):
        raise NonFiniteError(f"Argument 'A' must be finite, not {show(A)}.")
    for c in equivalence_classes(I, J):
        B = R[np.ix_(c.rows, c.cols)]
        U, s, Vh = np.linalg.svd(B, full_matrices=False)
        k = min(c.size, s.size)
        R[np.ix_(c.rows, c.cols)] = B - (U[:, :k] * s[:k]) @ Vh[:k]
    return float(np.sum(R ** 2))


def tractability_sweep(m, n, r, *, restarts=8, iters=300, seed=0, entries=(-3, 3)):
    """Check the tractability theorem on every support pair up to symmetry.

    For each pair a random integer ``A`` is drawn; tractable pairs get the exact block-SVD
    value from :func:`~exactsparse.fsmf.solve_fsmf`, the others the greedy block value of
    :func:`greedy_block_loss`; both are compared with the best of ``restarts`` runs of the
    alternating-least-squares local solver.

    Returns
    -------
    list of SweepRecord
    """
    from ..fsmf import als, check_tractable, solve_fsmf
    from .patterns import check_sizes
    m, n, r = check_sizes(m, n, r)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ArgumentError(f"Argument 'seed' must be a non-negative int or None, not "
                            f"{show(seed)}.")
    if not (isinstance(entries, (tuple, list)) and len(entries) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and abs(v) < 2**62
            for v in entries) and entries[0] <= entries[1]):
        raise ArgumentError(f"Argument 'entries' must be a pair (lo, hi) of ints with lo <= hi, "
                            f"not {show(entries)}.")
    rng = np.random.default_rng(seed)
    out = []
    for I, J in support_pairs(m, n, r):
        A = rng.integers(entries[0], entries[1] + 1, size=(m, n))
        verdict = check_tractable(I, J).verdict
        if verdict == "tractable":          # only the float value is kept: no exact path
            value = solve_fsmf(A, I, J, exact_mode=False).value_float
        else:
            value = greedy_block_loss(A, I, J)
        _, _, local = als(A.astype(float), I, J, restarts=restarts, iters=iters,
                          seed=int(rng.integers(2**31)))
        out.append(SweepRecord(int_tuple(I), int_tuple(J), int_tuple(A), verdict, value, local))
    return out

"""A quick test of the butterfly structure under given row and column permutations, and the
candidate permutations ``perm="auto"`` tries before any recovery.

Under the right permutations every split of the butterfly chain has rank-one blocks (ICASSP
2022 Lemma 2 [1]_), so every 2×2 minor inside a block vanishes; a few sampled minors per split
tell an exact (or noisy) product from a wrong permutation in ``O(L · samples)`` entries.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
"""

from __future__ import annotations

import math

import numpy as np

from ..exceptions import show
from ._common import check_int, check_perm_arguments, ldexp2
from .supports import bit_reversal_permutation, log2_size

__all__ = ["sampled_rank_one_score", "candidate_perms"]


# ----------------------------------------------------------------------------- quick test
def sampled_rank_one_score(A, row_perm=None, perm=None, samples=32, seed=0):
    """A cheap test of ``A[row_perm][:, perm]`` for the butterfly structure.

    For every split of the butterfly chain, ``samples`` random 2×2 minors inside rank-one
    blocks (two rows of one group, two columns of one block, as in
    :func:`recover_permutations`) are compared with their terms, ``Σ|ad − bc| / Σ(|ad| +
    |bc|)`` per split (the large minors weigh most, so noise on small entries barely moves
    it); the score is the largest over the splits.  ``O(L · samples)`` entries are read.  An
    exact product scores at rounding level, a noisy one about at its noise level, a wrong
    permutation ``O(1)``.

    Parameters
    ----------
    A : numpy.ndarray, shape (N, N)
    row_perm, perm : array of int or None (identity)
    samples : int
    seed : int

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> D = np.fft.fft(np.eye(64))
    >>> from exactsparse.butterfly import bit_reversal_permutation
    >>> sampled_rank_one_score(D, perm=bit_reversal_permutation(64)) < 1e-12
    True
    >>> sampled_rank_one_score(D) > 0.1
    True
    """
    A, row_perm, perm, rng = check_perm_arguments(A, row_perm, perm, seed)
    samples = check_int(samples, "samples")
    if samples > 1 << 20:
        from ..exceptions import SizeLimitError
        raise SizeLimitError(f"Argument 'samples' must be at most 2**20, not {show(samples)}.")
    N = A.shape[-1]
    L = log2_size(N, "N")
    if L < 2:
        return 0.0
    rows = np.arange(N) if row_perm is None else row_perm
    cols = np.arange(N) if perm is None else perm
    worst = 0.0
    for ell in range(1, L):
        n, members = N >> ell, 1 << ell
        j = rng.integers(0, n, samples)
        t = _two_distinct(rng, members, samples)
        k = rng.integers(0, members, samples)
        c = _two_distinct(rng, n, samples)
        r = rows[t * n + j[:, None]]
        q = cols[k[:, None] * n + c]
        a, b = A[r[:, 0], q[:, 0]], A[r[:, 0], q[:, 1]]
        cc, d = A[r[:, 1], q[:, 0]], A[r[:, 1], q[:, 1]]
        with np.errstate(all="ignore"):            # non-finite entries: a NaN score
            # scale-free: the samples by a power of two (exact), so that their products
            # neither overflow (NaN, read as 0 before) nor underflow (0/0, read as 0)
            big = max(float(np.abs(x).max()) for x in (a, b, cc, d))
            if np.isfinite(big) and big > 0:
                a, b, cc, d = (ldexp2(x, -math.frexp(big)[1]) for x in (a, b, cc, d))
            den = (np.abs(a * d) + np.abs(b * cc)).sum()
            val = float(np.abs(a * d - b * cc).sum() / den) if den > 0 else 0.0
        if math.isnan(val) or not np.isfinite(big):
            return math.nan                        # (before: max(0.0, nan) gave 0.0)
        worst = max(worst, val)
    return worst


def _two_distinct(rng, m, size):
    """``size`` pairs of distinct integers in ``range(m)`` (``m >= 2``), shape (size, 2)."""
    a = rng.integers(0, m, size)
    return np.stack([a, (a + rng.integers(1, m, size)) % m], axis=1)


def candidate_perms(N):
    """The permutations ``perm="auto"`` tries before a recovery: identity (None) and the
    bit reversal."""
    return (None, bit_reversal_permutation(N))

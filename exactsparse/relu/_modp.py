"""Dense rank modulo a prime below 2**20 with float64 BLAS (private helper of relu.ident).

Residues are kept *balanced*, ``|r| ≤ p/2 + 2`` (:func:`mod_p`: ``x − p·rint(x/p)``, exact for
``|x| < 2**53`` and 3–4× cheaper than ``np.mod``); two multiply to below ``2**38`` for
``p < 2**20``, so sums of up to ``2**14`` such products are exact in float64.  The elimination
is right-looking and blocked: a panel of ``block`` columns is reduced column by column
(numpy; only the pivot column and pivot row are reduced, the rest of the panel accumulates),
then the trailing matrix is updated with one BLAS product, the way LAPACK's ``getrf`` is
organised, and reduced only when its entries could pass ``2**53``.  ~``m n r`` flops for rank
``r``.

>>> import numpy as np, flint
>>> rng = np.random.default_rng(0)
>>> A = (rng.integers(0, 50, (40, 7)) @ rng.integers(0, 50, (7, 30))) % 1048573
>>> rank_mod_p_dense(A, 1048573), flint.nmod_mat(A.tolist(), 1048573).rank()
(7, 7)
>>> agree = []
>>> for t in range(60):                      # random low-rank shapes and blocks vs FLINT
...     m, n, r = rng.integers(1, 40, 3)
...     B = (rng.integers(0, 4, (m, r)) @ rng.integers(-2, 3, (r, n))) % 1048573
...     agree.append(rank_mod_p_dense(B, 1048573, block=int(rng.integers(1, 6)))
...                  == flint.nmod_mat(B.tolist(), 1048573).rank())
>>> all(agree)
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["rank_mod_p_dense", "mod_p"]


def mod_p(A, p):
    """Balanced residues of the float64 integer array ``A`` (``|A| < 2**53``) modulo ``p``,
    in place: ``A − p·rint(A/p)``, of absolute value ``≤ p/2 + 2`` (so ``0`` iff ``A ≡ 0``).

    The quotient ``rint(A·(1/p))`` is within one of the nearest integer to ``A/p`` (the
    product errs by < 2/p), and then only next to a half-integer; ``p·k`` and the difference
    are exact integers below ``2**53``.

    >>> x = np.array([7.0, -7.0, 2.0**53 - 1, 3 * 1048573.0])
    >>> r = mod_p(x.copy(), 1048573)
    >>> [int(v) % 1048573 for v in r] == [int(v) % 1048573 for v in x], bool(abs(r).max() < 524289)
    (True, True)
    """
    k = A * (1.0 / p)
    np.rint(k, out=k)
    k *= p
    A -= k
    return A


def rank_mod_p_dense(A, p, block=64):
    """Rank of the integer matrix ``A`` modulo the prime ``p < 2**20`` (``A`` integer-valued,
    ``|A| < 2**53`` when float)."""
    if p >= 1 << 20:
        raise ValueError(f"Argument 'p' must be below 2**20, not {p}.")
    A = np.asarray(A)
    A = (np.mod(A, p).astype(float) if A.dtype.kind in "iuO"
         else mod_p(np.array(A, dtype=float), p))
    m, n = A.shape
    rank, j = 0, 0
    h = (p // 2 + 2) ** 2                            # bound of a product of two residues
    # A trailing update adds at most block·h; ``budget`` of them stay below 2**53.
    budget, pending = max(1, ((1 << 53) - p) // (block * h) - 1), 0
    while j < n and rank < m:
        jb = min(block, n - j)
        P = A[rank:, j:j + jb]                       # a view: edits go to A
        mod_p(P, p)
        k, pcols = 0, []
        for c in range(jb):
            col = P[k:, c]
            mod_p(col, p)
            nz = np.flatnonzero(col)
            if nz.size == 0:
                continue
            i = rank + k + nz[0]
            if i != rank + k:
                A[[rank + k, i], :] = A[[i, rank + k], :]
            row = P[k, c:]
            mod_p(row, p)
            inv = pow(int(row[0]), -1, p)
            mult = mod_p(P[k + 1:, c] * inv, p)
            if c + 1 < jb:                            # panel entries grow by ≤ h a column
                P[k + 1:, c + 1:] -= np.outer(mult, row[1:])
            P[k + 1:, c] = mult                       # store the multipliers (L)
            pcols.append(c)
            k += 1
            if rank + k == m:
                break
        if k and j + jb < n:
            T = A[rank:, j + jb:]
            mod_p(T[:k], p)
            L = np.zeros((m - rank, k))
            for t, c in enumerate(pcols):
                L[t + 1:, t] = P[t + 1:, c]
            for t in range(1, k):                     # U12 = L11⁻¹ T_top (row t: ≤ k·h added)
                T[t] -= L[t, :t] @ T[:t]
                mod_p(T[t], p)
            if m - rank > k:
                low = T[k:]
                low -= L[k:, :] @ T[:k]                 # exact below 2**53 (see budget)
                pending += 1
                if pending >= budget:
                    mod_p(low, p)
                    pending = 0
        rank += k
        j += jb
    return rank

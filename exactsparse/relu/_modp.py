"""Dense rank modulo a prime below 2**20 with float64 BLAS (private helper of relu.ident).

Residues below ``p < 2**20`` multiply to below ``2**40``; a product of a ``n × k`` by a
``k × m`` residue matrix is exact in float64 while ``k · p² < 2**53`` (``k ≤ 8192``).  The
elimination is right-looking and blocked: a panel of ``block`` columns is reduced column by
column (numpy), then the trailing matrix is updated with one BLAS product, the way LAPACK's
``getrf`` is organised.  ~``m n r`` flops for rank ``r``.

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

__all__ = ["rank_mod_p_dense"]


def rank_mod_p_dense(A, p, block=64):
    """Rank of the integer matrix ``A`` modulo the prime ``p < 2**20``."""
    if p >= 1 << 20:
        raise ValueError(f"Argument 'p' must be below 2**20, not {p}.")
    A = np.mod(np.asarray(A, dtype=float), p)
    m, n = A.shape
    rank, j = 0, 0
    # Reduction of the trailing matrix is delayed: each update adds less than block·p² in
    # magnitude, so ``budget`` updates fit below 2**52; only the panel and the pivot rows are
    # reduced when they are used.
    budget, pending = max(1, (1 << 52) // (block * (p - 1) ** 2 + p) - 1), 0
    while j < n and rank < m:
        jb = min(block, n - j)
        P = A[rank:, j:j + jb]                       # a view: edits go to A
        np.mod(P, p, out=P)
        k, pcols = 0, []
        for c in range(jb):
            nz = np.flatnonzero(P[k:, c])
            if nz.size == 0:
                continue
            i = rank + k + nz[0]
            if i != rank + k:
                A[[rank + k, i], :] = A[[i, rank + k], :]
            inv = pow(int(P[k, c]), -1, p)
            mult = np.mod(P[k + 1:, c] * inv, p)
            if c + 1 < jb:
                sub = P[k + 1:, c + 1:]
                sub -= np.outer(mult, P[k, c + 1:])   # |values| < 2**40: exact
                np.mod(sub, p, out=sub)
            P[k + 1:, c] = mult                       # store the multipliers (L)
            pcols.append(c)
            k += 1
            if rank + k == m:
                break
        if k and j + jb < n:
            T = A[rank:, j + jb:]
            np.mod(T[:k], p, out=T[:k])
            L = np.zeros((m - rank, k))
            for t, c in enumerate(pcols):
                L[t + 1:, t] = P[t + 1:, c]
            for t in range(1, k):                     # U12 = L11⁻¹ T_top
                T[t] = np.mod(T[t] - np.mod(L[t, :t] @ T[:t], p), p)
            if m - rank > k:
                low = T[k:]
                low -= L[k:, :] @ T[:k]                 # exact below 2**53 (see budget)
                pending += 1
                if pending >= budget:
                    np.mod(low, p, out=low)
                    pending = 0
        rank += k
        j += jb
    return rank

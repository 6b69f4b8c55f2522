"""The ``butterfly-identifiable`` check: support pairs isomorphic to a chainable KS pair.

A pair ``(I, J)`` is a two-factor Kronecker-sparse chain up to isomorphism when its canonical
form equals that of ``(S₁, S₂ᵀ)`` for chainable KS patterns ``π₁ = (a₁, b₁, c₁, d₁)``
(m×r) and ``π₂`` (r×n) with block rank 1 (Zheng, Riccietti & Gribonval [1]_: exactly the
chains whose factorization is identifiable up to the scaling ambiguity, and recovered by
:func:`~exactsparse.identify_butterfly`).  The check draws random integer factors on the KS
supports and asks :func:`~exactsparse.identify_butterfly` to recover them from the product:
``"identified"`` when it returns factors multiplying back to ``Z``, ``"not-identified"``
otherwise, ``"not-ks"`` when the pair is no such chain.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.

Examples
--------
>>> butterfly_check((1, 2, 1, 2), (1, 1, 2, 2), 2, 0)[0]      # 1_{2x1} ⊗ I_2 chains
'identified'
>>> butterfly_check((3, 3), (3, 3), 2, 0)[0]
'not-ks'
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..butterfly import KSPattern, check_chainable, identify_butterfly
from ..exceptions import ChainabilityError
from .library import instance_seed
from .patterns import canonical_rows, rows_of

__all__ = ["ks_pairs", "butterfly_check"]


def _factorizations(size):
    """All (a, b, d) with a·b·d = size... as (a, x, d) with x the free middle factor."""
    out = []
    for a in range(1, size + 1):
        if size % a:
            continue
        for d in range(1, size // a + 1):
            if (size // a) % d == 0:
                out.append((a, size // (a * d), d))
    return out


@lru_cache(maxsize=64)
def ks_pairs(m, n, r):
    """Rank-one chainable KS pairs ``(π₁, π₂)`` with ``π₁`` m×r and ``π₂`` r×n, keyed by the
    canonical form of the support pair ``(S₁, S₂ᵀ)``."""
    out = {}
    for a1, b1, d1 in _factorizations(m):
        if r % (a1 * d1):
            continue
        p1 = KSPattern(a1, b1, r // (a1 * d1), d1)
        for a2, c2, d2 in _factorizations(n):
            if r % (a2 * d2):
                continue
            p2 = KSPattern(a2, r // (a2 * d2), c2, d2)
            try:
                if check_chainable(p1, p2) != 1:
                    continue
            except ChainabilityError:
                continue
            I = rows_of(p1.to_support())
            J = rows_of(p2.to_support().T)
            key, _ = canonical_rows(I, J, r)
            out.setdefault(key, (p1, p2))
    return out


def butterfly_check(I, J, r, seed):
    """``(verdict, detail)`` of the ``butterfly-identifiable`` check on row masks."""
    key, _ = canonical_rows(I, J, r)
    pair = ks_pairs(len(I), len(J), r).get(key)
    if pair is None:
        return "not-ks", {}
    p1, p2 = pair
    rng = np.random.default_rng(instance_seed(seed, I, J))
    S1, S2 = p1.to_support().to_numpy(), p2.to_support().to_numpy()
    X1 = S1 * rng.integers(1, 6, size=S1.shape) * rng.choice([-1, 1], size=S1.shape)
    X2 = S2 * rng.integers(1, 6, size=S2.shape) * rng.choice([-1, 1], size=S2.shape)
    Z = X1 @ X2
    res = identify_butterfly(Z.tolist(), patterns=[p1, p2])
    detail = {"patterns": [(p.a, p.b, p.c, p.d) for p in (p1, p2)]}
    return ("identified" if res.verdict == "butterfly" else "not-identified"), detail

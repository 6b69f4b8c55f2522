"""Exact projection onto a two-factor Kronecker-sparse chain (Monarch included).

For two chainable KS patterns ``π₁ = (a₁, b₁, c₁, d₁)``, ``π₂ = (a₂, b₂, c₂, d₂)`` of block
rank ``r``, the rank-one supports of the pair ``(supp X₁, supp X₂ᵀ)`` are pairwise disjoint or
identical (ICASSP 2022 Lemma 2 [2]_): the fixed-support problem

    min ‖A − X₁ X₂‖_F²,   supp X₁ ⊆ π₁,  supp X₂ ⊆ π₂,

is in the tractable family 1 of Le, Riccietti & Gribonval [1]_ and its global minimum is a
block SVD: the entries of ``A`` outside the product pattern are lost, and each of the
``a₁·d₂·(d₁/d₂)·(a₂/a₁)`` blocks (``b₁ × c₂``) of the product pattern takes its best
rank-``r`` approximation (Eckart–Young).  The optimal value is

    L* = ‖A off the product pattern‖² + Σ_blocks Σ_{t > r} σ_t(block)².

This module computes that optimum with a direct method (no iteration whose accuracy depends
on a tolerance): the Gram matrix of the smaller side of every block, its eigenvalues by a
batched LAPACK ``eigvalsh`` (``syevd`` without eigenvectors), and, for ``r = 1``, the top
eigenvector by two steps of shifted inverse iteration at the computed top eigenvalue (the
classical LAPACK route, ``stein``), checked by its residual; blocks whose residual is not at
rounding level, and ``r > 1``, use a batched ``eigh``.  For Monarch (``√N × √N`` rank-one
blocks) this is about three times faster than a batched ``numpy.linalg.svd`` of the blocks and
reaches the same loss to rounding.  The optimality is certified on request by the FSMF
tractability certificate of the support pair (:func:`two_factor_certificate`), which
:func:`exactsparse.verify` re-checks.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and tractability
   of sparse matrix factorization with fixed support", SIAM J. Matrix Anal. Appl. (2023),
   arXiv:2112.00386.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
.. [3] T. Dao et al., "Monarch: expressive structured matrices for efficient and accurate
   training", ICML 2022.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ArgumentError, ShapeError, show
from ._common import (blas_one_thread, check_kernel_array, linalg_guard, raise_non_finite,
                      validate_chain, validate_matrix, validate_option, validate_perm)
from .factors import ButterflyFactors
from .lowrank import check_rank
from .supports import KSPattern, chain_product, chain_ranks, check_entries

__all__ = ["project_two_factor", "two_factor_twiddles", "two_factor_certificate",
           "block_rank_approx"]

SCALINGS = ("unit", "sqrt")
#: inverse-iteration results whose residual or Rayleigh-quotient deficit is above this
#: multiple of ``m·eps·λ₁`` are recomputed with eigh
_RESIDUAL_FACTOR = 64


# ----------------------------------------------------------------------------- blocks
def block_rank_approx(B, r):
    """Best rank-``r`` approximation of every block of ``B`` (n, m, k), by a direct method.

    Returns ``(U, S, Vh)`` with ``U`` (n, m, r) and ``Vh`` (n, r, k) orthonormal where
    ``S > 0`` (and zero where ``S = 0``): ``U diag(S) Vh`` is a global minimiser of
    ``‖B − Z‖_F`` over rank-``r`` ``Z`` (Eckart–Young), computed from the Gram matrix of the
    smaller side (``eigvalsh`` plus inverse iteration for ``r = 1``, ``eigh`` otherwise).

    Examples
    --------
    The captured energy is the sum of the ``r`` largest squared singular values:

    >>> import numpy as np
    >>> B = np.random.default_rng(1).standard_normal((5, 6, 4))
    >>> U, S, Vh = block_rank_approx(B, 2)
    >>> s = np.linalg.svd(B, compute_uv=False)
    >>> bool(np.allclose(S, s[:, :2])), bool(np.allclose(U @ (S[..., None] * Vh),
    ...      U @ (U.transpose(0, 2, 1) @ B)))
    (True, True)
    """
    check_kernel_array(B, "B", ndim=3)
    r = check_rank(r, B.shape)
    with linalg_guard(B, "B"), np.errstate(all="ignore"):
        return _block_rank_approx(B, r)


def _block_rank_approx(B, r):
    n, m, k = B.shape
    if m > k:                                   # work on the smaller side: Bᴴ
        V, S, Uh = _block_rank_approx(B.conj().swapaxes(-1, -2), r)
        return Uh.conj().swapaxes(-1, -2), S, V.conj().swapaxes(-1, -2)
    # each block scaled by its largest entry: the Gram neither overflows nor underflows
    peak = np.max(np.abs(B), axis=(1, 2)) if B.size else np.zeros(n, B.real.dtype)
    peak = np.where(peak > 0, peak, 1).astype(B.real.dtype)
    B = B / peak[:, None, None]
    G = B @ B.conj().swapaxes(-1, -2)                       # (n, m, m), Hermitian
    if r == 1 and m > 1:
        u = _top_vector(G)[..., None]                        # (n, m, 1)
    else:
        t = min(r, m)
        w, vec = np.linalg.eigh(G)
        u = vec[..., ::-1][..., :t]
    rows = u.conj().swapaxes(-1, -2) @ B                    # (n, t, k) = Σ Vh
    S = np.sqrt(np.sum(np.abs(rows) ** 2, axis=-1))
    pos = S > 0
    Vh = rows / np.where(pos, S, 1)[..., None]
    S = S * peak[:, None]
    u = u * pos[:, None, :]
    if S.shape[-1] < r:                                     # r > min(m, k): pad with zeros
        pad = r - S.shape[-1]
        u = np.concatenate([u, np.zeros((n, m, pad), u.dtype)], axis=-1)
        S = np.concatenate([S, np.zeros((n, pad), S.dtype)], axis=-1)
        Vh = np.concatenate([Vh, np.zeros((n, pad, k), Vh.dtype)], axis=-2)
    return u, S, Vh


def _top_vector(G):
    """Unit top eigenvector of each Hermitian ``G`` (n, m, m): eigvalsh + inverse iteration."""
    n, m, _ = G.shape
    lam = np.linalg.eigvalsh(G)[:, -1]                       # λ₁ (ascending order)
    eps = np.finfo(G.real.dtype).eps
    scale = np.maximum(np.abs(lam), np.finfo(G.real.dtype).tiny)
    mu = lam + 4 * m * eps * scale                           # just above λ₁: μI − G ≻ 0
    shifted = mu[:, None, None] * np.eye(m, dtype=G.dtype) - G
    x = np.broadcast_to(np.linspace(1.0, 2.0, m, dtype=G.real.dtype), (n, m)).astype(G.dtype)
    for _ in range(2):
        x = np.linalg.solve(shifted, x[..., None])[..., 0]
        x /= np.linalg.norm(x, axis=-1, keepdims=True)
    Gx = (G @ x[..., None])[..., 0]
    theta = np.einsum("nm,nm->n", x.conj(), Gx).real
    resid = np.linalg.norm(Gx - theta[:, None] * x, axis=-1)
    tol = _RESIDUAL_FACTOR * m * eps * scale
    # an eigenvector (small residual) of the top eigenvalue (Rayleigh quotient at λ₁), else
    # the batched eigh: inverse iteration cannot land elsewhere unnoticed
    bad = ~(resid <= tol) | ~(theta >= lam - tol)
    if bad.any():
        _, vec = np.linalg.eigh(G[bad])
        x[bad] = vec[..., -1]
    return x


# ----------------------------------------------------------------------------- twiddles
def two_factor_twiddles(A, left, right, r, scaling="unit"):
    """Twiddles ``(T₁, T₂)`` of the global minimiser for the chain ``(left, right)``.

    ``A`` (..., m, n) is validated (finite, float/complex); the twiddles carry the batch in
    their first axis (``(K·a₁, d₁, b₁, c₁)`` and ``(K·a₂, d₂, b₂, c₂)``, as the hierarchical
    solver stores them).  ``scaling="unit"``: ``X₁`` has unit-norm (orthonormal) columns per
    block and ``X₂`` carries the singular values; ``"sqrt"`` splits ``√σ``.
    """
    check_kernel_array(A, "A")
    for name, pat in (("left", left), ("right", right)):
        if not isinstance(pat, KSPattern):
            raise ArgumentError(f"Argument {name!r} must be a KSPattern, not {show(pat)}.")
    prod = chain_product([left, right])
    if A.ndim < 2 or A.shape[-2:] != prod.shape:
        raise ShapeError(f"Argument 'A' must have shape (..., {prod.shape[0]}, "
                         f"{prod.shape[1]}) (the product {prod}), not {A.shape}.")
    if check_rank(r, (1, 1, 1)) != left.a * left.c // right.a:
        raise ArgumentError(f"Argument 'r' must be the rank {left.a * left.c // right.a} of "
                            f"the chain {left}·{right}, not {show(r)}.")
    validate_option(scaling, SCALINGS, "scaling")
    batch = A.shape[:-2]
    K = int(np.prod(batch, dtype=np.int64))
    a, d = prod.a, prod.d
    b1, c2 = left.b, right.c
    p, q = right.a // left.a, left.d // right.d
    A6 = A.reshape(K, a, prod.b, d, a, prod.c, d)
    # block (z, i, j, σ, u) = A[z, i, (β, σ), j, i, (u, γ), j]: entries (β, γ) of size b₁×c₂
    A8 = A6.reshape(K, a, b1, q, d, a, p, c2, d)
    Bv = np.einsum("zibsjiucj->zijsubc", A8)                 # a view (diagonal of i and j)
    B = np.ascontiguousarray(Bv).reshape(-1, b1, c2)
    with linalg_guard(A, "A"):
        U, S, Vh = _block_rank_approx(B, r)
    if scaling == "sqrt":
        root = np.sqrt(S)
        U, Vh = U * root[:, None, :], Vh * root[:, :, None]
    else:
        Vh = Vh * S[:, :, None]
    A1 = K * a
    TL = np.empty((A1, left.d, b1, left.c), A.dtype)
    TR = np.empty((A1 * p, d, right.b, c2), A.dtype)
    Lv = TL.reshape(A1, q, d, b1, p, r).transpose(0, 2, 1, 4, 3, 5)
    Rv = TR.reshape(A1, p, d, r, q, c2).transpose(0, 2, 4, 1, 3, 5)
    Lv[...] = U.reshape(A1, d, q, p, b1, r)
    Rv[...] = Vh.reshape(A1, d, q, p, r, c2)
    return TL, TR


# ----------------------------------------------------------------------------- public
def project_two_factor(A, patterns, *, scaling="unit", perm=None):
    """Globally optimal projection of ``A`` onto a two-factor KS chain (e.g. Monarch).

    Parameters
    ----------
    A : array_like, shape (..., m, n)
        Real or complex, finite; a batch is projected product by product.
    patterns : sequence of two KSPattern or (a, b, c, d) tuples
        A chainable pair (leftmost first) whose product has shape ``(m, n)``, e.g.
        :func:`~exactsparse.butterfly.monarch_patterns` or ``butterfly_patterns(4)``.
    scaling : {"unit", "sqrt"}
        ``"unit"``: the left factor has orthonormal columns on every block and the right one
        carries the singular values; ``"sqrt"`` splits ``√σ`` between both.
    perm : None, "identity", "bitrev" or array of int
        A known column permutation: projects ``A Pᵀ`` (``A[:, perm]``).

    Returns
    -------
    ButterflyFactors
        Two factors with ``optimal=True``: ``‖A Pᵀ − X₁X₂‖_F`` is the global minimum over the
        supports; :meth:`~ButterflyFactors.optimality_certificate` gives the certificate.

    Raises
    ------
    ArgumentError
        Not two patterns, a bad ``scaling``/``perm``, or non-numeric ``A``.
    ShapeError, ChainabilityError
        ``A`` does not match the chain, or the patterns are not chainable.
    NonFiniteError
        NaN or infinity in ``A``.

    See Also
    --------
    two_factor_certificate : the FSMF tractability certificate behind ``optimal=True``.
    exactsparse.butterfly.butterfly_factorize : routes two-factor chains here.
    exactsparse.fsmf.solve_fsmf : the same optimum for arbitrary tractable supports.

    Notes
    -----
    Theorem (Le, Riccietti & Gribonval 2023 [1]_, tractable family 1; ICASSP 2022 Thm 1 and
    Lemma 2 [2]_): for a chainable pair the rank-one supports of ``(supp X₁, supp X₂ᵀ)`` are
    disjoint or identical, so the problem splits into independent best rank-``r``
    approximations of the blocks, solved exactly by Eckart–Young.  Monarch is the pair
    ``(1, √N, √N, √N)``, ``(√N, √N, √N, 1)`` of Dao et al. [3]_ (``N`` blocks of size
    ``√N × √N``, rank one).  Cost: one pass over ``A`` plus a batched symmetric eigenvalue
    problem of the smaller block side.

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
       tractability of sparse matrix factorization with fixed support", SIAM J. Matrix
       Anal. Appl. (2023), arXiv:2112.00386.
    .. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022.
    .. [3] T. Dao et al., "Monarch: expressive structured matrices for efficient and
       accurate training", ICML 2022.

    Examples
    --------
    The loss equals the block-SVD value ``Σ_blocks Σ_{t>1} σ_t²`` computed independently
    (the Monarch blocks of ``N = 16`` are ``A[β·4 + σ, u·4 + γ]`` for fixed ``(σ, u)``):

    >>> import numpy as np
    >>> from exactsparse.butterfly import monarch_patterns
    >>> A = np.random.default_rng(0).standard_normal((16, 16))
    >>> F = project_two_factor(A, monarch_patterns(16))
    >>> blocks = A.reshape(4, 4, 4, 4).transpose(1, 2, 0, 3)      # (σ, u, β, γ)
    >>> s = np.linalg.svd(blocks, compute_uv=False)
    >>> best = float(np.sum(s[..., 1:] ** 2))
    >>> loss = float(np.sum((A - F.todense()) ** 2))
    >>> abs(loss - best) <= 1e-12 * best, F.optimal
    (True, True)
    >>> from exactsparse import verify
    >>> bool(verify(*F.optimality_certificate()))
    True
    """
    A = validate_matrix(A)
    pats, ranks = validate_chain(patterns, A.shape[-2:]) if patterns is not None else (None, None)
    if pats is None or len(pats) != 2:
        raise ArgumentError(f"Argument 'patterns' must be a chain of exactly two KS patterns, "
                            f"not {show(patterns)}.")
    validate_option(scaling, SCALINGS, "scaling")
    p = validate_perm(perm, A.shape[-1])
    if p is not None:
        A = A[..., p]
    if not np.isfinite(A).all():
        raise_non_finite(A)
    with blas_one_thread(), np.errstate(all="ignore"):
        TL, TR = two_factor_twiddles(A, pats[0], pats[1], ranks[0], scaling)
    if not (np.isfinite(TL).all() and np.isfinite(TR).all()):
        raise_non_finite(A)
    batch = A.shape[:-2]
    return ButterflyFactors(pats, [TL.reshape(*batch, *pats[0].twiddle_shape),
                                   TR.reshape(*batch, *pats[1].twiddle_shape)], p,
                            optimal=True)


def two_factor_certificate(patterns):
    """The FSMF tractability certificate of a two-factor chain, with its instance.

    Parameters
    ----------
    patterns : sequence of two KSPattern or (a, b, c, d) tuples
        A chainable pair.

    Returns
    -------
    result : exactsparse.fsmf.TractabilityResult
        ``verdict == "tractable"`` (family ``"disjoint"``, theorem ``"fsmf.disjoint"``).
    instance : tuple (I, J)
        The supports ``I = supp X₁`` (m × s) and ``J = (supp X₂)ᵀ`` (n × s) as 0/1 arrays, in
        the ``X Yᵀ`` convention of :mod:`exactsparse.fsmf`: ``exactsparse.verify(result,
        instance)`` re-checks the certificate from the supports alone.

    Raises
    ------
    ArgumentError, ChainabilityError
        Not a chainable pair.
    SizeLimitError
        Supports too large to build densely.

    See Also
    --------
    exactsparse.fsmf.check_tractable : computes the certificate.
    ButterflyFactors.optimality_certificate : the same, from a projection result.

    Examples
    --------
    >>> from exactsparse import verify
    >>> from exactsparse.butterfly import monarch_patterns
    >>> res, inst = two_factor_certificate(monarch_patterns(16))
    >>> res.verdict, res.theorem, bool(verify(res, inst))
    ('tractable', 'fsmf.disjoint', True)
    """
    from ..fsmf import check_tractable
    pats, _ = chain_ranks(patterns)
    if len(pats) != 2:
        raise ArgumentError(f"Argument 'patterns' must be a chain of exactly two KS patterns, "
                            f"not {show(patterns)}.")
    for pat in pats:
        check_entries(pat.shape[0] * pat.shape[1], f"The dense support of {pat}")
    I = pats[0].to_scipy().toarray()
    J = pats[1].to_scipy().toarray().T
    return check_tractable(I, J), (I, J)

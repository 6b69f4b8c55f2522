"""Numeric hierarchical factorization into butterfly / Kronecker-sparse factors.

Every split of a chainable KS chain is a set of independent best rank-``r`` problems on
blocks that tile the current matrix (disjoint rank-one supports, ICASSP 2022 Lemma 2 [1]_).
In the twiddle-tensor form a split is a reshape of the current tensor plus a batched solve:
a closed-form 2×2 Gram eigenproblem for the ``2×m`` / ``m×2`` rank-one blocks of the
butterfly left-to-right and right-to-left trees (read in memory order), a batched power
iteration on cache-sized chunks for larger rank-one blocks (balanced trees), a batched small
SVD or subspace iteration for rank-``r`` blocks.  The tree is any binary tree over the chain
(:mod:`~exactsparse.butterfly.trees`).  No dense ``N×N`` support and no index gathering is
ever built.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
.. [2] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
.. [3] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
   guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.
"""


from __future__ import annotations

import warnings

import numpy as np

from .._budget import Deadline, check_budget
from ..exceptions import ArgumentError, NonFiniteError, PrecisionError
from ._common import (ButterflyFitWarning, blas_one_thread, ldexp2, raise_non_finite,
                      safe_range, validate_chain, validate_matrix, validate_option,
                      validate_perm, validate_progress)
from .factors import ButterflyFactors
from .lowrank import MAX_SUBSPACE_ITER
from .projection import two_factor_twiddles
from .splits import split
from .supports import bit_reversal_permutation, butterfly_patterns, chain_product
from .trees import TREE_NAMES, left_size, parse_tree

__all__ = ["ButterflyFactors", "butterfly_factorize"]

TREES = TREE_NAMES
SCALINGS = ("unit", "sqrt")
#: kept under its former name, read by tests/test_butterfly_review.py
_MAX_SUBSPACE_ITER = MAX_SUBSPACE_ITER

# ----------------------------------------------------------------------------- the tree
def _factor_chain(holder, pats, ranks, tree, scaling, progress, owned=False, spare=None,
                  perm=None, rows=None):
    """Recursively split ``holder[0]`` (a twiddle, consumed) along ``tree`` (a parsed nested
    tuple, :func:`~exactsparse.butterfly.trees.parse_tree`); twiddles out.

    With ``"unit"`` scaling the part being factorized carries the scale and the rest stays
    orthonormal [3]_: a leaf on the left is unit-norm (the scale goes right); a left part that
    is split further takes the scale, and once it is factorized the column norms of its
    product are pushed into the right part before that one is factorized.  When the left
    part is a leaf, buffers are recycled: the right part of the next split is written into the
    memory of a consumed one (``owned`` says ``T`` is ours, ``spare`` is free memory); the
    mirror image when the right part is a leaf (the ``"right"`` tree).
    ``perm`` permutes the columns of ``T`` and ``rows`` its rows during the first split
    (when it peels one factor); ``perm="bitrev"`` (the butterfly chain, any tree) reads
    the columns bit-reversed at every split, as strided views (:func:`~.splits.split`).
    """
    T = holder.pop()
    if len(pats) == 1:
        return [T if T.base is None else T.copy()]
    k = left_size(tree)
    left, right = chain_product(pats[:k]), chain_product(pats[k:])
    # the big part of a split that peels one factor may go into recycled memory
    side = "right" if k == 1 else "left" if k == len(pats) - 1 else None
    TL, TR = split(T, left, right, ranks[k - 1], "right" if k == 1 else "left", scaling,
                    spare if side else None, perm, side, rows)
    if progress is not None:
        progress(T.size)
    free = _flat_buffer(T) if owned and side else None
    del T
    bitrev = isinstance(perm, str)              # pending on the parts' columns (p, c₂ > 2)
    first = _factor_chain([TL], pats[:k], ranks[:k - 1], tree[0], scaling, progress, True,
                          free if side == "left" else None,
                          perm if bitrev and right.a > 2 * left.a else None)
    if scaling == "unit" and k > 1 and len(pats) - k > 1:
        _push_column_scale(first, pats[:k], ranks[:k - 1], TR, right)
    return first + _factor_chain([TR], pats[k:], ranks[k:], tree[1], scaling, progress, True,
                                 free if side == "right" else None,
                                 perm if bitrev and right.c > 2 else None)


def _flat_buffer(T):
    """The whole contiguous buffer behind ``T`` (its base when ``T`` is a view of one; from
    ``T``'s start on when the base is a byte buffer, see :func:`.splits.empty_away`)."""
    base = T if T.base is None else T.base
    if not base.flags.c_contiguous:
        return None
    if base.dtype == T.dtype:
        return base.reshape(-1)
    if base.dtype == np.uint8 and base.ndim == 1 and T.flags.c_contiguous:
        start = T.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        n = (base.size - start) // T.itemsize
        if 0 <= start and start % T.itemsize == 0:
            return base[start:start + n * T.itemsize].view(T.dtype)
    return None


def _twiddle_product(TL, TR, left, right, r):
    """Twiddle of the product of two chainable factors (the inverse of a split)."""
    A1, p, q = TL.shape[0], right.a // left.a, left.d // right.d
    TL6 = TL.reshape(A1, q, right.d, left.b, p, r)
    TR6 = TR.reshape(A1, p, right.d, r, q, right.c)
    M = np.einsum("isjbur,iujrsg->ijbsug", TL6, TR6)
    return M.reshape(A1, right.d, left.b * q, p * right.c)


def _push_column_scale(tws, pats, ranks, TR, right):
    """Normalise the columns of the product of ``tws`` (in place, on its last factor) and
    multiply the matching rows of the right part ``TR`` by the removed norms."""
    P, pat = tws[0], pats[0]
    for t, nxt, r in zip(tws[1:], pats[1:], ranks):
        P, pat = _twiddle_product(P, t, pat, nxt, r), chain_product([pat, nxt])
    norms = np.sqrt(np.sum(np.abs(P) ** 2, axis=2))           # (A, d, c): columns (i, γ, j)
    flat = norms.transpose(0, 2, 1).ravel()
    div = np.where(flat == 0, 1, flat)
    last = pats[-1]
    tws[-1] /= div.reshape(-1, last.c, last.d).transpose(0, 2, 1)[:, :, None, :]
    # a zero column of the left product meets a row of TR that must be zero too
    TR *= flat.reshape(-1, right.b, right.d).transpose(0, 2, 1)[..., None]


def _to_twiddle(A, prod):
    """The twiddle ``(K·a, d, b, c)`` of the batch ``A`` restricted to the pattern ``prod``."""
    batch = A.shape[:-2]
    K = int(np.prod(batch, dtype=np.int64))
    a, b, c, d = prod.a, prod.b, prod.c, prod.d
    if a == 1 and d == 1:
        return A.reshape(K, 1, b, c)
    A6 = A.reshape(K, a, b, d, a, c, d)
    return np.ascontiguousarray(np.einsum("zibjicj->zijbc", A6)).reshape(K * a, d, b, c)


# ----------------------------------------------------------------------------- public entry
def butterfly_factorize(A, patterns=None, *, tree="left", scaling="unit", perm=None,
                        row_perm=None, progress=None, budget=None):
    """Hierarchical butterfly / Kronecker-sparse factorization ``A ≈ X_1 ⋯ X_K P``.

    Parameters
    ----------
    A : array_like, shape (..., m, n)
        A real or complex matrix (float32/float64/complex64/complex128; integers become
        float64), or a batch of matrices factorized in one call.
    patterns : sequence of KSPattern or (a, b, c, d) tuples, optional
        A chainable KS chain, leftmost factor first, whose product has shape ``(m, n)``.
        Default: the square-dyadic butterfly chain of ``N = n`` (``n`` a power of two).
    tree : str, nested tuple or sequence of int
        The factorization tree (:mod:`~exactsparse.butterfly.trees`): a preset —
        ``"left"``/``"comb"`` (peel the leftmost factor first; rank-one ``2×m`` blocks in
        closed form), ``"right"``/``"inverse-comb"`` (peel the rightmost first),
        ``"balanced"`` (halves, the left part of ``J`` factors getting ``⌈J/2⌉``: the
        convention of ICASSP 2022 [1]_) or ``"balanced-floor"`` (``⌊J/2⌋``) — a nested tuple
        of factor indices such as ``((0, 1), (2, 3))``, or a split order (the ``K − 1`` cut
        positions in the order they are made).  Every tree recovers exact products.
    scaling : {"unit", "sqrt"}
        ``"unit"`` (recommended) orthonormalises as in the error-guarantee analysis [3]_: the
        part being factorized carries the scale and every other part is orthonormal
        (unit-norm rank-one pieces), so the error stays within ``C_β`` of the best one and
        noise is removed best.  ``"sqrt"`` splits ``√σ`` between both sides at every split;
        on noisy inputs it can land above the noise level with deep trees.
    perm : None, "identity", "bitrev", "auto" or array of int
        A known column permutation ``P`` (``(P x)[k] = x[perm[k]]``): the solver factorizes
        ``A Pᵀ = A[:, perm]``.  ``"bitrev"`` is the bit-reversal of the radix-2 DFT;
        ``"auto"`` (unknown) first tests the identity and the bit reversal by a sampled
        rank-one test and keeps one that fits to ``√eps``, else recovers the permutation
        (:func:`~exactsparse.butterfly.permutations.recover_permutations`, butterfly chain
        only) and keeps the better fit.
    row_perm : None, "identity", "bitrev", "auto" or array of int
        A known row permutation ``R`` (``A ≈ Rᵀ X_1 ⋯ X_K P``: the solver factorizes
        ``A[row_perm][:, perm]``), or ``"auto"`` (unknown, recovered as for ``perm``).
    progress : callable or bool, optional
        Called with the number of entries processed after each split (for progress bars);
        ``True`` writes a split counter to stderr, ``False`` or None reports nothing.
    budget : float or None
        Time budget in seconds of the permutation search of ``"auto"`` (None: no limit;
        unused otherwise): the recovery stops when it runs out and its best permutations so
        far are factorized (a retry starts only while time is left; the factorizations
        themselves are not interrupted).  The result's ``perm_search`` says which happened.

    Returns
    -------
    ButterflyFactors
        Twiddle tensors of the factors (leftmost first) and the permutations ``perm`` and
        ``row_perm`` (None for the identity); ``relative_error(A)`` is measured against the
        given ``A``.  A two-factor chain (Monarch, ``N = 4``, ...) is one split, solved to
        global optimality by :func:`~exactsparse.butterfly.projection.project_two_factor`:
        ``optimal`` is then True and :meth:`~ButterflyFactors.optimality_certificate` gives
        its certificate.  ``perm_search`` is None without ``"auto"``, else ``"converged"``
        (the search ended by itself) or ``"budget"`` (the budget stopped it).

    Raises
    ------
    PowerOfTwoError
        Default chain and ``n`` not a power of two (pad the matrix).
    ShapeError
        Not square for the default chain, or a shape that does not match ``patterns``.
    ChainabilityError
        ``patterns`` not chainable.
    NonFiniteError
        NaN or infinity in ``A``.
    ArgumentError
        An invalid ``tree``, ``scaling``, ``perm``, ``row_perm`` (not a permutation of the
        right length, repeats, non-integers) or ``progress``, a non-numeric ``A``, or
        ``row_perm="auto"`` with a chain other than the butterfly chain.
    BudgetError
        ``budget`` not a positive finite number (or None).
    ShapeError
        A ``tree`` whose leaves are not the factors ``0 … K−1`` of the chain.

    Warns
    -----
    ButterflyFitWarning
        With a given permutation (``"bitrev"`` or an array), when the relative error
        (estimated with four random probes on 512 sampled rows) is above ``√eps`` of the dtype: ``A`` is not a
        butterfly product under that permutation; the message suggests ``perm="auto"``.
        With ``"auto"``, when no consistent permutations were found and the fit is above
        ``√eps``.

    See Also
    --------
    ButterflyFactors : the result (apply, densify, export).
    exactsparse.butterfly.identify_butterfly : the exact, certified counterpart over Q.
    exactsparse.butterfly.butterfly_patterns : the default chain.

    Notes
    -----
    Every split of a chainable chain is a set of independent best rank-``r`` problems on
    blocks with pairwise disjoint supports that tile the current matrix (ICASSP 2022 Lemma 2
    [1]_), solved exactly by a truncated SVD (closed form for rank-one ``2×m`` blocks).
    Exact recovery (ICASSP 2022 Thm 3 [1]_; [2]_): if ``A`` is an exact product in the model,
    every tree returns the true factors up to diagonal rescalings, so the relative error is at
    rounding level.  With the orthonormalised (``"unit"``) scaling the error is within a
    constant ``C_β`` (depending only on the architecture) of the best error [3]_.  Work: the
    left-to-right tree on the butterfly chain reads ``O(N²)`` entries in total (level ``ℓ``
    handles ``N²/2^ℓ`` entries), and stores ``2NL`` parameters.  BLAS is pinned to one thread
    during the batched small solves.  Scale-equivariant: a matrix whose entries are far from
    1 (found on a sample of entries; float64 beyond about ``1e±51``, float32 beyond
    ``5e-7 … 2e6``) is factorized as a copy scaled by a power of two, per batch member, which
    is multiplied back into the first twiddle (:func:`rescaled`); ordinary inputs are neither
    copied nor read in full.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022.
    .. [2] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
       sparse matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
    .. [3] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    On an exact butterfly product every tree reproduces it to rounding level:

    >>> import numpy as np, scipy.linalg
    >>> from exactsparse.butterfly import butterfly_patterns
    >>> rng = np.random.default_rng(0)
    >>> pats = butterfly_patterns(16)
    >>> Z = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    >>> [butterfly_factorize(Z, tree=t).relative_error(Z) < 1e-12
    ...  for t in ("left", "right", "balanced", ((0, 1), (2, 3)), [3, 1, 2])]
    [True, True, True, True, True]
    >>> H = scipy.linalg.hadamard(4)
    >>> F = butterfly_factorize(H)
    >>> [t.shape for t in F.twiddles]
    [(1, 2, 2, 2), (2, 1, 2, 2)]
    >>> F.relative_error(H) < 1e-15
    True
    >>> D = np.fft.fft(np.eye(8))
    >>> F = butterfly_factorize(D, perm="bitrev", tree="balanced")
    >>> F.relative_error(D) < 1e-14
    True

    Unknown row and column permutations are recovered (``A[row_perm][:, perm]`` is then a
    butterfly product):

    >>> r, c = rng.permutation(16), rng.permutation(16)
    >>> F = butterfly_factorize(Z[r][:, c], perm="auto", row_perm="auto")
    >>> F.relative_error(Z[r][:, c]) < 1e-12
    True
    >>> butterfly_factorize(np.eye(6))
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.PowerOfTwoError: Argument 'N' must be a power of two >= 2, not 6; pad the matrix with zeros to size 8 (e.g. numpy.pad), or give a chain of KS patterns.
    """
    A = validate_matrix(A)
    pats, ranks = validate_chain(patterns, A.shape[-2:])
    tree = parse_tree(tree, len(pats))
    validate_option(scaling, SCALINGS, "scaling")
    progress = validate_progress(progress, "butterfly_factorize")
    auto_c, auto_r = (isinstance(v, str) and v == "auto" for v in (perm, row_perm))
    p = None if auto_c else validate_perm(perm, A.shape[-1])
    rp = None if auto_r else validate_perm(row_perm, A.shape[-2], "row_perm")
    budget = check_budget(budget)
    A, shift = rescaled(A)                  # extreme magnitudes: a copy scaled by 2^-shift
    if auto_c or auto_r:
        F = auto_factorize(A, pats, ranks, tree, scaling, progress, p, rp, auto_r, auto_c,
                           patterns is None, budget=budget)
    else:
        F = _factorize(A, pats, ranks, tree, scaling, progress, p, rp)
        if p is not None or rp is not None:
            _warn_if_bad_fit(F, A, perm if rp is None else np.arange(1))
    return _scaled_back(F, shift)


def rescaled(A, force=False):
    """``(A · 2^-shift, shift)``, the batch ``A`` with its largest entries brought into
    ``[1/2, 1)`` (one power of two per batch member: ``shift`` has the batch shape), or
    ``(A, None)`` when no member needs it.

    The decision reads a sample of about 3000 entries per member (a strided grid and 1024
    scattered ones), so an ordinary input costs no pass over the matrix; only when a
    sampled maximum lies outside
    :func:`safe_range` (or is zero) is the exact ``max |A|`` computed, and a member whose
    exact maximum is in range (or zero) keeps ``shift = 0``.  ``force``: skip the sample and
    normalise every nonzero member (the retry after a non-finite solve).  Multiplying by a
    power of two is exact (barring subnormal results), so the factors of the copy, with
    ``2^shift`` multiplied into one twiddle, are those of ``A``."""
    lo, hi = safe_range(A.dtype)
    m, n = A.shape[-2:]
    if not force:
        rng = np.random.default_rng(0)      # a grid and scattered entries (fixed seed)
        ri, ci = rng.integers(0, m, 1024), rng.integers(0, n, 1024)
        sample = np.maximum(np.abs(A[..., ::max(1, m // 48), ::max(1, n // 48)]).max(
            axis=(-2, -1)), np.abs(A[..., ri, ci]).max(axis=-1))
        if np.all((sample >= lo) & (sample <= hi)):
            return A, None
    big = np.abs(A).max(axis=(-2, -1))      # unusual inputs only: one pass
    shift = np.frexp(big)[1].astype(np.int64)
    keep = (big == 0) if force else (big == 0) | ((big >= lo) & (big <= hi))
    shift = np.where(keep, 0, shift)
    if not shift.any():
        return A, None
    return ldexp2(A, -shift[..., None, None]), shift


def _scaled_back(F, shift):
    """``F`` with ``2^shift`` (per batch member) multiplied into its first twiddle, or
    spread evenly over all twiddles when the first one alone would overflow or lose nonzero
    entries to underflow (a maximum near the dtype's limits)."""
    if shift is None:
        return F
    tws = F.twiddles
    with np.errstate(over="ignore", under="ignore"):    # checked right below
        t0 = ldexp2(tws[0], _per_member(shift, tws[0]))
    small = np.abs(t0[tws[0] != 0])
    if np.isfinite(t0).all() and (small.size == 0 or small.min() >= np.finfo(t0.dtype).tiny):
        F.twiddles = (t0, *tws[1:])
        return F
    q, r = np.divmod(shift, len(tws))       # shift = K q + r: factor k gets q (+1 if k < r)
    F.twiddles = tuple(ldexp2(t, _per_member(q + (k < r), t)) for k, t in enumerate(tws))
    return F


def _per_member(shift, t):
    """``shift`` (batch shape) reshaped to broadcast against the twiddle ``t``."""
    return shift.reshape(shift.shape + (1,) * (t.ndim - shift.ndim))


#: Estimated relative error above which a given permutation is reported as probably wrong
#: (a wrong permutation of a butterfly product gives errors near 1; a noisy product under
#: its right permutation stays at the noise level and is not reported).
WRONG_PERM_ERROR = 0.05


def _warn_if_bad_fit(F, A, perm):
    """Warn (:class:`ButterflyFitWarning`) when ``F`` misses ``A`` by more than
    :data:`WRONG_PERM_ERROR` (estimated with four probes on 512 sampled rows: ``O(N)``
    reads, not a matrix read)."""
    err = estimated_error(F, A, rows=512)
    tol = WRONG_PERM_ERROR
    if err > tol:
        name = repr(perm) if isinstance(perm, str) else "the given permutation"
        warnings.warn(
            f"butterfly_factorize: estimated relative error ≈ {err:.3g} (random probes) with "
            f"perm={name}: 'A' is not a butterfly product under this permutation (error "
            f"above {tol:.2g}).  If it should be a product up to unknown permutations, try "
            f"perm='auto' (and row_perm='auto'), which recovers them; F.relative_error(A) "
            f"gives the exact error.",
            ButterflyFitWarning, stacklevel=3)


def estimated_error(F, A, probes=4, rows=None):
    """``max ‖(A − F) x‖ / ‖A x‖`` over a few Gaussian probes ``x`` (fixed seed): an
    estimate of the relative Frobenius error in ``O(N² + N L)`` per probe, without the
    dense product.  ``rows``: compare only that many random rows (``O(rows·N)``)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((A.shape[-1], probes)).astype(A.real.dtype)
    m = A.shape[-2]
    S = slice(None) if rows is None or rows >= m else np.sort(rng.choice(m, rows, False))
    with np.errstate(all="ignore"):
        ax = A[..., S, :] @ x
        fx = F.matmul(x)[..., S, :]
        num = np.linalg.norm(ax - fx, axis=-2)
        den = np.linalg.norm(ax, axis=-2)
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1), np.where(num > 0, np.inf, 0))
    return float(np.max(ratio))


def _factorize(A, pats, ranks, tree, scaling, progress, p, rp=None):
    """The solver on validated arguments (no fit warning)."""
    with blas_one_thread(), np.errstate(all="ignore"):   # non-finite results checked below
        try:
            tw = _run_tree(A, pats, ranks, tree, scaling, progress, p, rp)
        except (np.linalg.LinAlgError, NonFiniteError, PrecisionError):  # from the kernels
            tw = None
    if tw is not None and not all(t.all() for t in tw) and _too_large(A):
        tw = None           # a zero in the factors and an entry the sample of rescaled()
        #                     missed: its Gram overflowed (a zero piece); solve it normalised
    shift = None
    if tw is None and np.isfinite(A).all():     # large entries the sample missed: normalise
        B, shift = rescaled(A, force=True)
        if shift is not None:
            return _scaled_back(_factorize(B, pats, ranks, tree, scaling, progress, p, rp),
                                shift)
    if tw is None:
        raise_non_finite(A)
    batch = A.shape[:-2]
    tw = [t.reshape(*batch, *pat.twiddle_shape) for t, pat in zip(tw, pats)]
    return ButterflyFactors(pats, tw, p, rp, optimal=len(pats) == 2)


def _too_large(A):
    """True when some ``max |A|`` of the batch is above :func:`safe_range` (one pass over
    ``A``: only for factors with a zero entry, the trace of an overflowed piece)."""
    return bool((np.abs(A).max(axis=(-2, -1)) > safe_range(A.dtype)[1]).any())


def _permute_columns(A, p, rows=64):
    """``A[..., :, p]`` gathered by blocks of rows (cache-friendly, ~4× faster than one take)."""
    flat = A.reshape(-1, A.shape[-1])
    out = np.empty(flat.shape, A.dtype)
    for i in range(0, flat.shape[0], rows):
        np.take(flat[i:i + rows], p, axis=1, out=out[i:i + rows])
    return out.reshape(A.shape)


#: entries of the batch factorized at once: a batch of large matrices is solved one group at
#: a time, so that a batch of k costs k single calls in time and one call in extra memory
_GROUP = 1 << 22


def _batch_groups(A):
    """Views of groups of about ``_GROUP`` entries of the batch ``A`` (None: one group)."""
    batch, (m, n) = A.shape[:-2], A.shape[-2:]
    K = int(np.prod(batch, dtype=np.int64))
    g = max(1, _GROUP // (m * n))
    if K <= g:
        return None
    flat = A.reshape(K, m, n)
    if not np.may_share_memory(flat, A):          # not a view: one member at a time
        return [A[idx][None] for idx in np.ndindex(*batch)]
    return [flat[i:i + g] for i in range(0, K, g)]


def _run_tree(A, pats, ranks, tree, scaling, progress, perm=None, rows=None):
    """The twiddles of ``A[..., rows, :][..., perm]`` along ``tree`` (None: not finite).

    The permutations are folded into the first split when it peels one ``2 × c`` rank-one
    factor (no permuted copy of ``A``); the bit reversal on the butterfly chain is read as
    strided views at every split of any tree (no gather at all).  Otherwise ``A`` is
    permuted once, up front."""
    groups = _batch_groups(A)
    if groups is not None:
        parts = [_run_tree(G, pats, ranks, tree, scaling, progress, perm, rows)
                 for G in groups]
        if any(tw is None for tw in parts):
            return None
        return [np.concatenate(tws, axis=0) for tws in zip(*parts)]
    if len(pats) == 2:              # one split: the exact projection (global optimum)
        if rows is not None:
            A = A[..., rows, :]
        if perm is not None:
            A = _permute_columns(A, perm)
        tw = list(two_factor_twiddles(A, pats[0], pats[1], ranks[0], scaling))
        if progress is not None:
            progress(A.size)
        return tw if all(np.isfinite(t).all() for t in tw) else None
    prod = chain_product(pats)
    fused = (len(pats) > 1 and left_size(tree) == 1 and prod.a == prod.d == 1
             and pats[0].b == 2 and ranks[0] == 1)
    owned = False
    if rows is not None and not fused:
        A, rows, owned = A[..., rows, :], None, True
    if perm is not None and _bitrev_chain(pats, perm):
        perm = "bitrev"
    elif perm is not None and not fused:
        A, perm, owned = _permute_columns(A, perm), None, True
    T = _to_twiddle(A, prod)
    owned = owned or not np.may_share_memory(T, A)
    del A
    tw = _factor_chain([T], pats, ranks, tree, scaling, progress, owned, perm=perm, rows=rows)
    if not all(np.isfinite(t).all() for t in tw):
        return None
    return tw


def _bitrev_chain(pats, perm):
    """True when ``perm`` is the bit reversal and ``pats`` the butterfly chain: every split
    (of any tree) then reads its columns bit-reversed as a strided view."""
    n = perm.size
    return (n >= 4 and not n & (n - 1) and list(pats) == list(butterfly_patterns(n))
            and np.array_equal(perm, bit_reversal_permutation(n)))


def auto_factorize(A, pats, ranks, tree, scaling, progress, p, rp, auto_r, auto_c, chain,
                   retries=2, budget=None):
    """``perm`` and/or ``row_perm`` unknown: candidates first, then a recovery.

    The candidates (identity and bit reversal for each unknown side) are ranked by the
    sampled rank-one test (``O(L)`` entries each); the best one, if plausible, is solved and
    kept when its estimated error is below ``√eps`` or within 10× its (noisy) score and
    below 5 %.  Otherwise the permutations are
    recovered (butterfly chain only; up to ``retries`` times with new samples while the
    recovery reports ambiguities and ``budget`` seconds are left) and the best fit is
    returned, its ``perm_search`` set to ``"converged"`` or ``"budget"``."""
    from .permutations import candidate_perms, recover_permutations, sampled_rank_one_score
    m, n = A.shape[-2:]
    tol = float(np.sqrt(np.finfo(A.dtype).eps))
    if not chain:
        if auto_r:
            raise ArgumentError("Argument 'row_perm' must be None or a permutation with a "
                                "given chain of patterns, not 'auto' (the recovery needs the "
                                "butterfly chain).")
        fits = [(estimated_error(F, A), k, F) for k, F in enumerate(
            _factorize(A, pats, ranks, tree, scaling, progress, validate_perm(c, n), rp)
            for c in (None, "bitrev"))]
        F = min(fits, key=lambda t: (t[0], t[1]))[2]
        F.perm_search = "converged"
        return F
    A0 = A.reshape(-1, m, n)[0]
    rows = candidate_perms(m) if auto_r else (rp,)
    cols = candidate_perms(n) if auto_c else (p,)
    cands = sorted(((sampled_rank_one_score(A0, r, c), k, r, c) for k, (r, c) in
                    enumerate((r, c) for r in rows for c in cols)), key=lambda t: t[:2])
    best = None
    score, _, r, c = cands[0]
    if score <= 0.5:                        # NaN scores fail: the check below raises
        F = _factorize(A, pats, ranks, tree, scaling, progress, c, r)
        best = (estimated_error(F, A, probes=2, rows=256), F)
        if best[0] <= max(tol, min(10 * score, 0.05)):  # exact, or as noisy as its minors
            F.perm_search = "converged"
            return F
    if not np.isfinite(A).all():
        raise_non_finite(A)
    if A.ndim > 2:      # one ButterflyFactors holds one pair of permutations for its batch
        raise ArgumentError(
            f"Argument 'A' is a batch of shape {A.shape[:-2]} whose members do not all fit "
            f"the identity or the bit reversal: perm='auto'/row_perm='auto' recovers the "
            f"permutations of one matrix; call butterfly_factorize on each matrix.")
    known_r = None if auto_r else (np.arange(m) if rp is None else rp)
    known_c = None if auto_c else (np.arange(n) if p is None else p)
    dl, stop = Deadline(budget), "converged"
    for seed in range(retries):             # an ambiguous recovery is retried (new samples)
        if seed and dl.left() <= 0:
            stop = "budget"
            break
        rec = recover_permutations(A0, row_perm=known_r, perm=known_c, seed=seed,
                                   budget=None if budget is None else max(dl.left(), 1e-9))
        stop = rec.stop
        ident = [None if np.array_equal(q, np.arange(q.size)) else q
                 for q in (rec.row_perm, rec.perm)]
        F = _factorize(A, pats, ranks, tree, scaling, progress, ident[1], ident[0])
        err = estimated_error(F, A, probes=2)
        if best is None or err < best[0]:
            best = (err, F)
        if rec.consistent or best[0] <= tol or stop == "budget":
            break
    if not rec.consistent and best[0] > tol:
        why = (f"within the budget of {budget:g} s (the search was stopped) "
               if stop == "budget" else "")
        warnings.warn(
            f"butterfly_factorize: perm='auto'/row_perm='auto' found no consistent row and "
            f"column permutations {why}(relative error {best[0]:.3g}): 'A' may not be a "
            f"butterfly product up to permutations.", ButterflyFitWarning, stacklevel=3)
    best[1].perm_search = stop
    return best[1]

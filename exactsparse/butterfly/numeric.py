"""Numeric hierarchical factorization into butterfly / Kronecker-sparse factors.

Every split of a chainable KS chain is a set of independent best rank-``r`` problems on
blocks that tile the current matrix (disjoint rank-one supports, ICASSP 2022 Lemma 2 [1]_).
In the twiddle-tensor form a split is a reshape of the current tensor plus a batched solve:
a closed-form 2×2 Gram eigenproblem for the ``2×m`` / ``m×2`` rank-one blocks of the
butterfly left-to-right and right-to-left trees, a batched small SVD for small blocks, and a
batched subspace iteration for large blocks (balanced trees).  No dense ``N×N`` support and no
index gathering is ever built.

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

import numpy as np
import scipy.sparse as sp

from ..exceptions import ArgumentError, NonFiniteError, ShapeError
from .supports import (bit_reversal_permutation, butterfly_patterns, chain_product,
                       chain_ranks, log2_size)

__all__ = ["ButterflyFactors", "butterfly_factorize"]

TREES = ("left", "right", "balanced")
SCALINGS = ("unit", "sqrt")
_SMALL_SVD = 16        # blocks with min(b, c) above this use subspace iteration
_MAX_SUBSPACE_ITER = 60
_OVERSAMPLE = 6          # extra vectors: the iteration is memory-bound, more vectors are ~free
_SUBSPACE_RTOL = 1e-4     # stop when the energy gain is below this fraction of the error²

_controller = None


def _blas_one_thread():
    """A context manager pinning BLAS to one thread (cached threadpoolctl controller)."""
    global _controller
    from threadpoolctl import ThreadpoolController
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


# ----------------------------------------------------------------------------- factor object
class ButterflyFactors:
    """A product of Kronecker-sparse factors ``X_1 X_2 ⋯ X_K P`` stored as twiddle tensors.

    ``factors[0]`` is the leftmost factor; ``perm`` (or None) is the column permutation
    ``(P x)[k] = x[perm[k]]``.  A batch of products of the same chain shares ``patterns``;
    each twiddle then has shape ``(*batch_shape, a, d, b, c)``.

    Attributes
    ----------
    patterns : tuple of KSPattern
    twiddles : tuple of numpy.ndarray
    perm : numpy.ndarray or None
    batch_shape : tuple

    Examples
    --------
    >>> import numpy as np, scipy.linalg
    >>> F = butterfly_factorize(scipy.linalg.hadamard(8))
    >>> F.n_factors, F.shape
    (3, (8, 8))
    >>> bool(np.allclose(F.todense(), scipy.linalg.hadamard(8)))
    True
    >>> x = np.arange(8.0)
    >>> bool(np.allclose(F @ x, scipy.linalg.hadamard(8) @ x))
    True
    """

    def __init__(self, patterns, twiddles, perm=None):
        self.patterns, _ = chain_ranks(patterns)
        self.twiddles = tuple(np.asarray(t) for t in twiddles)
        if len(self.twiddles) != len(self.patterns):
            raise ShapeError(f"Argument 'twiddles' must hold {len(self.patterns)} tensors, "
                             f"not {len(self.twiddles)}.")
        self.batch_shape = self.twiddles[0].shape[:-4]
        for k, (p, t) in enumerate(zip(self.patterns, self.twiddles)):
            if t.shape != (*self.batch_shape, *p.twiddle_shape):
                raise ShapeError(f"Argument 'twiddles[{k}]' must have shape "
                                 f"{(*self.batch_shape, *p.twiddle_shape)}, not {t.shape}.")
        self.perm = None if perm is None else np.asarray(perm, dtype=np.int64)

    @property
    def shape(self):
        """``(m, n)`` of one product."""
        return (self.patterns[0].shape[0], self.patterns[-1].shape[1])

    @property
    def n_factors(self):
        return len(self.patterns)

    @property
    def dtype(self):
        return np.result_type(*self.twiddles)

    def __len__(self):
        return self.n_factors

    def __repr__(self):
        return (f"ButterflyFactors(shape={self.shape}, n_factors={self.n_factors}, "
                f"batch_shape={self.batch_shape}, perm={'yes' if self.perm is not None else None})")

    def matmul(self, x):
        """``Z @ x`` in ``O(nnz)`` per column, with numpy's ``@`` conventions.

        ``x`` of shape ``(n,)`` is one vector (result ``(*batch, m)``); ``x`` of ndim >= 2 is a
        matrix ``(..., n, k)`` whose leading axes broadcast against the batch (result
        ``(*batch, m, k)``).  A batch of vectors, one per product, goes through
        :meth:`matvec`.  The vector/matrix decision depends on ``x.ndim`` only, never on the
        batch shape.
        """
        x = np.asarray(x)
        if x.ndim == 0:
            raise ShapeError("Argument 'x' must be a vector or a matrix, not a scalar.")
        vec = x.ndim == 1
        if vec:
            x = x[:, None]
        return self._apply(x)[..., 0] if vec else self._apply(x)

    __matmul__ = matmul

    def matvec(self, x):
        """One vector per product: ``x`` of shape ``(*batch, n)`` (or ``(n,)``, broadcast) →
        ``(*batch, m)``."""
        x = np.asarray(x)
        if x.ndim == 0:
            raise ShapeError("Argument 'x' must be a vector or a batch of vectors.")
        return self._apply(x[..., None])[..., 0]

    def _apply(self, x):
        n = self.shape[1]
        if x.shape[-2] != n:
            raise ShapeError(f"Argument 'x' must have {n} rows, not shape {x.shape}.")
        if self.perm is not None:
            x = x[..., self.perm, :]
        try:
            lead = np.broadcast_shapes(self.batch_shape, x.shape[:-2])
        except ValueError:
            raise ShapeError(f"Argument 'x' of shape {x.shape} does not broadcast against the "
                             f"batch shape {self.batch_shape}.") from None
        x = np.broadcast_to(x, (*lead, n, x.shape[-1]))
        tws = [np.broadcast_to(t, (*lead, *t.shape[len(self.batch_shape):]))
               for t in self.twiddles]
        for p, t in zip(reversed(self.patterns), reversed(tws)):
            x = _apply_twiddle(t, p, x)
        return x

    def todense(self):
        """The dense product, shape ``(*batch, m, n)``."""
        n = self.shape[1]
        eye = np.eye(n, dtype=self.dtype)
        return self._apply(eye)

    def relative_error(self, A):
        """``‖A − Z‖_F / ‖A‖_F`` per product, computed with the dense product.

        ``A`` has shape ``(m, n)`` or ``(*batch, m, n)``; returns a float for an unbatched
        product, else an array of shape ``batch_shape``."""
        A = np.asarray(A)
        if A.ndim < 2 or A.shape[-2:] != self.shape:
            raise ShapeError(f"Argument 'A' must have trailing shape {self.shape}, not "
                             f"{A.shape}.")
        D = self.todense()
        lead = np.broadcast_shapes(self.batch_shape, A.shape[:-2])
        diff = np.broadcast_to(A - D, (*lead, *self.shape))
        num = np.linalg.norm(diff.reshape(*lead, -1), axis=-1)
        den = np.linalg.norm(np.broadcast_to(A, (*lead, *self.shape)).reshape(*lead, -1),
                             axis=-1)
        out = num / np.where(den == 0, 1, den)
        return float(out) if out.ndim == 0 else out

    def to_scipy(self):
        """The factors as a list of ``scipy.sparse.csr_matrix``, leftmost first.

        The permutation, when there is one, is appended as a last factor so that the product
        of the list equals the matrix.  Unbatched products only.
        """
        if self.batch_shape:
            raise ShapeError(f"to_scipy needs an unbatched product, not batch shape "
                             f"{self.batch_shape}; index the batch first.")
        out = []
        for p, t in zip(self.patterns, self.twiddles):
            rows, cols = p.indices()
            out.append(sp.csr_matrix((t.ravel(), (rows, cols)), shape=p.shape))
        if self.perm is not None:
            n = self.perm.size
            out.append(sp.csr_matrix((np.ones(n), (np.arange(n), self.perm)), shape=(n, n)))
        return out

    def to_faust(self):
        """The product as a ``pyfaust.Faust`` (needs the optional dependency pyfaust)."""
        try:
            import pyfaust
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_faust needs pyfaust (pip install pyfaust).") from None
        mats = self.to_scipy()
        dt = np.complex128 if np.iscomplexobj(self.twiddles[0]) else np.float64
        return pyfaust.Faust([m.astype(dt) for m in mats])

    def __getitem__(self, idx):
        """One product (or a sub-batch) of a batch."""
        if not self.batch_shape:
            raise ShapeError("Indexing needs a batched product.")
        tw = [t[idx] for t in self.twiddles]
        return ButterflyFactors(self.patterns, tw, self.perm)


def _apply_twiddle(t, p, x):
    """``X @ x`` for ``X`` of pattern ``p`` with twiddle ``t``; ``x`` of shape (*B, n, k)."""
    *B, _, k = x.shape
    xs = x.reshape(*B, p.a, p.c, p.d, k)
    y = np.einsum("...ijbc,...icjk->...ibjk", t, xs)
    return y.reshape(*B, p.shape[0], k)


# ----------------------------------------------------------------------------- validation
def _validate_matrix(A, name="A"):
    """``A`` as a float32/float64/complex numpy array of ndim >= 2 (finite-checked later)."""
    arr = np.asarray(A)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "f" and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "c" and arr.dtype not in (np.complex64, np.complex128):
        arr = arr.astype(np.complex128)
    elif arr.dtype.kind not in "fc":
        raise ArgumentError(f"Argument {name!r} must be a real or complex numeric array, not "
                            f"of dtype {arr.dtype}.")
    if arr.ndim < 2 or arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ShapeError(f"Argument {name!r} must be a non-empty matrix or a batch of matrices "
                         f"(ndim >= 2), not of shape {arr.shape}.")
    return arr


def _raise_non_finite(A, name="A"):
    bad = np.argwhere(~np.isfinite(A))
    if bad.size:
        raise NonFiniteError(f"Argument {name!r} must be finite, not one containing "
                             f"{A[tuple(bad[0])]!r} at {tuple(int(i) for i in bad[0])}.")
    raise ArgumentError(f"Argument {name!r} has entries too large to square in "
                        f"{A.dtype} (max |entry| {np.abs(A).max():.3g}); rescale it.")


def _validate_chain(patterns, shape):
    if patterns is None:
        m, n = shape
        if m != n:
            raise ShapeError(f"Argument 'A' must be square for a butterfly factorization "
                             f"(or give 'patterns'), not of shape {shape}.")
        L = log2_size(n, "N")
        return butterfly_patterns(n), (1,) * (L - 1)
    pats, ranks = chain_ranks(patterns)
    prod = chain_product(pats)
    if prod.shape != tuple(shape):
        raise ShapeError(f"Argument 'A' must have shape {prod.shape} (the product of the pattern "
                         f"chain, {prod}), not {tuple(shape)}.")
    return pats, ranks


def _validate_perm(perm, n):
    if perm is None or (isinstance(perm, str) and perm == "identity"):
        return None
    if isinstance(perm, str):
        if perm == "bitrev":
            return bit_reversal_permutation(n)
        raise ArgumentError(f"Argument 'perm' must be None, 'identity', 'bitrev', 'auto' or a "
                            f"permutation array, not {perm!r}.")
    p = np.asarray(perm)
    if p.shape != (n,) or p.dtype.kind not in "iu" or not np.array_equal(np.sort(p), np.arange(n)):
        raise ArgumentError(f"Argument 'perm' must be a permutation of range({n}), not "
                            f"{np.array2string(p, threshold=8)}.")
    return p.astype(np.int64)


def _validate_option(value, allowed, name):
    if value not in allowed:
        raise ArgumentError(f"Argument {name!r} must be one of {allowed}, not {value!r}.")
    return value


# ----------------------------------------------------------------------------- block solves
def _gram2(B):
    """``(p, s, w)``: squared norms of the two rows of ``B`` (..., 2, k) and ``Σ B₀ conj(B₁)``."""
    if hasattr(np, "vecdot"):
        ps = np.vecdot(B, B).real
        return ps[..., 0], ps[..., 1], np.vecdot(B[..., 1, :], B[..., 0, :])
    ps = np.einsum("...k,...k->...", B, B.conj()).real   # pragma: no cover - numpy < 2
    return ps[..., 0], ps[..., 1], np.einsum("...k,...k->...", B[..., 0, :], B[..., 1, :].conj())


def _pair_rank1(B):
    """Closed-form top eigenpair of the 2×2 Gram matrix ``B Bᴴ`` of ``B`` (..., 2, k).

    Returns ``(u, lam)``: ``u`` (..., 2) the unit top eigenvector and ``lam`` its
    eigenvalue, so that ``B ≈ u (uᴴ B)`` is the best rank-one approximation (Eckart–Young).
    """
    p, s, w = _gram2(B)
    return _eig2(p, s, w, B.dtype)


def _eig2(p, s, w, dtype):
    """Unit top eigenvector and eigenvalue of ``[[p, w], [w̄, s]]`` (batched, closed form).

    The branch on ``p ≥ s`` avoids cancellation; a zero matrix gets ``e₀``.
    """
    half = 0.5 * (p - s)
    rad = np.hypot(half, np.abs(w))
    big = half >= 0
    u = np.empty((*p.shape, 2), dtype=dtype)
    u[..., 0] = np.where(big, half + rad, w)
    u[..., 1] = np.where(big, np.conj(w), rad - half)
    nrm = np.sqrt(np.sum(np.abs(u) ** 2, axis=-1))
    zero = nrm == 0
    u[zero] = (1, 0)
    nrm[zero] = 1
    u /= nrm[..., None]
    return u, 0.5 * (p + s) + rad


def _balance(sigma, scaling, unit_side_carries):
    """Multipliers ``(f_unit, f_sigma)`` for the unit-vector side and the ``σ``-carrying side.

    ``"unit"`` scaling keeps one side unit-norm (the orthonormalisation of [3]_ for rank one):
    the scale stays where it is unless ``unit_side_carries``; ``"sqrt"`` splits ``√σ``.
    """
    inv = np.divide(1, sigma, out=np.zeros_like(sigma), where=sigma > 0)
    if scaling == "sqrt":
        root = np.sqrt(sigma)
        return root, np.sqrt(inv)
    if unit_side_carries:
        return sigma, inv
    # σ = 0: both pieces are zero (a unit vector there would be a spurious column/row that
    # the rest of the tree must then fit)
    return (sigma > 0).astype(sigma.dtype), np.ones_like(sigma)


def _lowrank(B, r):
    """Batched best rank-``r`` approximation ``U diag(S) Vh`` of ``B`` (n, m, k)."""
    n, m, k = B.shape
    if min(m, k) <= _SMALL_SVD or r >= min(m, k) // 2:
        U, S, Vh = np.linalg.svd(B, full_matrices=False)
        t = min(r, S.shape[-1])
        U, S, Vh = U[..., :t], S[..., :t], Vh[..., :t, :]
    else:
        U, S, Vh = _subspace_iteration(B, r)
    if S.shape[-1] < r:
        pad = r - S.shape[-1]
        U = np.concatenate([U, np.zeros((n, m, pad), U.dtype)], axis=-1)
        S = np.concatenate([S, np.zeros((n, pad), S.dtype)], axis=-1)
        Vh = np.concatenate([Vh, np.zeros((n, pad, k), Vh.dtype)], axis=-2)
    return U, S, Vh


def _subspace_iteration(B, r):
    """Batched subspace iteration (oversampling ``_OVERSAMPLE``) for the best rank-``r`` approximation.

    Each iteration reads ``B`` twice, so large blocks cost ``O(size)`` per iteration instead
    of the ``O(size · min(m, k))`` of a full SVD.  Stopping rule: the captured energy
    ``s² = Σ_{i≤r} s_i²`` of every block increases monotonically towards ``σ₁² + … + σ_r²``
    and the squared error of the approximation is ``‖B‖² − s²``; iteration stops when the last
    gain of ``s²`` is below ``_SUBSPACE_RTOL`` times that squared error (noisy blocks: the
    remaining excess error is negligible against the noise) or below ``100 ε ‖B‖²`` (exact
    blocks: rounding level).
    """
    n, m, k = B.shape
    l = min(r + _OVERSAMPLE, m, k)
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(B @ rng.standard_normal((k, l)).astype(B.dtype))
    norm2 = np.sum(np.abs(B) ** 2, axis=(1, 2))
    floor = 100 * np.finfo(B.dtype).eps * norm2
    prev = None
    for _ in range(_MAX_SUBSPACE_ITER):
        Zh = Q.conj().swapaxes(-1, -2) @ B                     # (n, l, k)
        ev = np.linalg.eigvalsh(Zh @ Zh.conj().swapaxes(-1, -2))   # σ_i² of Zh, ascending
        s2 = np.sum(ev[..., l - r:], axis=-1).real
        if prev is not None:
            gain = np.abs(s2 - prev)
            resid = np.maximum(norm2 - s2, 0)
            if np.all(gain <= np.maximum(_SUBSPACE_RTOL * resid, floor)):
                break
        prev = s2
        Q, _ = np.linalg.qr(B @ Zh.conj().swapaxes(-1, -2))
    Uc, S, Vh = np.linalg.svd(Zh, full_matrices=False)
    return Q @ Uc[..., :r], S[..., :r], Vh[..., :r, :]


# ----------------------------------------------------------------------------- one split
def _split(T, left, right, r, scale_to, scaling, spare=None, perm=None):
    """Best split ``M ≈ L R`` of the twiddle ``T`` of ``M`` (pattern ``left·right``).

    The blocks indexed by ``(i, j₂, σ, u)`` of the view ``T[i, j₂, β₁, σ, u, γ₂]`` are the
    disjoint rank-``r`` problems of the split; returns the twiddles of ``L`` and ``R``.
    ``R`` is written into ``spare`` (a free flat buffer, not aliasing ``T``) when it fits;
    ``perm`` (rank-one ``2 × c`` blocks only) permutes the columns of ``M`` on the fly.
    """
    A1 = T.shape[0]
    b1, c1, d1 = left.b, left.c, left.d
    b2, c2, d2 = right.b, right.c, right.d
    p, q = right.a // left.a, d1 // d2
    V = T.reshape(A1, d2, b1, q, p, c2)
    TL = np.empty((A1, d1, b1, c1), T.dtype)
    shape_r = (A1 * p, d2, b2, c2)
    size_r = A1 * p * d2 * b2 * c2
    if spare is not None and spare.size >= size_r and spare.dtype == T.dtype:
        TR = spare[:size_r].reshape(shape_r)
    else:
        TR = np.empty(shape_r, T.dtype)
    Lv = TL.reshape(A1, q, d2, b1, p, r).transpose(0, 2, 1, 4, 3, 5)
    Rv = TR.reshape(A1, p, d2, r, q, c2).transpose(0, 2, 4, 1, 3, 5)
    if r == 1 and b1 == 2 and perm is not None:
        _split_rows_permuted(V, Lv, Rv, scale_to, scaling, perm)
    elif r == 1 and b1 == 2:
        _split_rows(V, Lv, Rv, scale_to, scaling)
    elif r == 1 and c2 == 2:
        _split_cols(V, Lv, Rv, scale_to, scaling)
    else:
        _split_generic(V, Lv, Rv, r, scale_to, scaling)
    return TL, TR


def _split_rows(V, Lv, Rv, scale_to, scaling):
    """``2 × c`` rank-one blocks: closed-form 2×2 Gram eigenvector on the row side."""
    B = V.transpose(0, 1, 3, 4, 2, 5)                       # (A1, d2, q, p, 2, c2)
    u, lam = _pair_rank1(B)
    fu, fs = _balance(np.sqrt(lam), scaling, unit_side_carries=scale_to == "left")
    Lv[..., 0] = u * fu[..., None]
    np.matmul((u.conj() * fs[..., None])[..., None, :], B, out=Rv)


def _split_rows_permuted(V, Lv, Rv, scale_to, scaling, perm, budget=1 << 19):
    """:func:`_split_rows` on ``M[:, perm]`` without a permuted copy of ``M``: the columns of
    a few rows at a time are gathered into a cache-sized buffer and split at once."""
    A1, d2, b1, q, p, c2 = V.shape
    M = V.reshape(A1, d2, b1, q, p * c2)
    step = max(1, budget // (A1 * d2 * b1 * p * c2))
    for s0 in range(0, q, step):
        chunk = np.take(M[:, :, :, s0:s0 + step], perm, axis=-1)
        Vc = chunk.reshape(A1, d2, b1, -1, p, c2)
        _split_rows(Vc, Lv[:, :, s0:s0 + step], Rv[:, :, s0:s0 + step], scale_to, scaling)


def _split_cols(V, Lv, Rv, scale_to, scaling):
    """``b × 2`` rank-one blocks: closed-form 2×2 Gram eigenvector on the column side.

    The Gram of the two columns is accumulated over the (strided) row axis in memory order.
    """
    re = V.real if np.iscomplexobj(V) else V
    ps = np.einsum("ijbsuc,ijbsuc->ijsuc", re, re)
    if re is not V:
        ps += np.einsum("ijbsuc,ijbsuc->ijsuc", V.imag, V.imag)
    w = np.einsum("ijbsu,ijbsu->ijsu", V[..., 1].conj(), V[..., 0])
    u, lam = _eig2(ps[..., 0], ps[..., 1], w, V.dtype)
    fu, fs = _balance(np.sqrt(lam), scaling, unit_side_carries=scale_to == "right")
    cu = (u.conj() * fs[..., None])[:, :, None]                 # (A1, d2, 1, q, p, 2)
    left = V[..., 0] * cu[..., 0]
    left += V[..., 1] * cu[..., 1]
    Lv[..., 0] = np.moveaxis(left, 2, -1)
    Rv[..., 0, :] = u * fu[..., None]


def _split_generic(V, Lv, Rv, r, scale_to, scaling):
    """General rank-``r`` blocks: batched SVD (small) or subspace iteration (large)."""
    A1, d2, b1, q, p, c2 = V.shape
    B = np.ascontiguousarray(V.transpose(0, 1, 3, 4, 2, 5)).reshape(-1, b1, c2)
    U, S, Vh = _lowrank(B, r)
    mask = (S > 0).astype(S.dtype)        # σ = 0: both pieces zero, not a unit vector
    if scaling == "sqrt":
        fl = fr = np.sqrt(S)
    elif scale_to == "left":
        fl, fr = S, mask
    else:
        fl, fr = mask, S
    Lv[...] = (U * fl[:, None, :]).reshape(A1, d2, q, p, b1, r)
    Rv[...] = (Vh * fr[:, :, None]).reshape(A1, d2, q, p, r, c2)


# ----------------------------------------------------------------------------- the tree
def _split_index(n, tree):
    return {"left": 1, "right": n - 1}.get(tree, n // 2)


def _factor_chain(holder, pats, ranks, tree, scaling, progress, owned=False, spare=None,
                  perm=None):
    """Recursively split ``holder[0]`` (a twiddle, consumed) along the tree; twiddles out.

    With ``"unit"`` scaling the part being factorized carries the scale and the rest stays
    orthonormal [3]_: a leaf on the left is unit-norm (the scale goes right); a left part that
    is split further takes the scale, and once it is factorized the column norms of its
    product are pushed into the right part before that one is factorized.  When the left
    part is a leaf, buffers are recycled: the right part of the next split is written into the
    memory of a consumed one (``owned`` says ``T`` is ours, ``spare`` is free memory).
    ``perm`` permutes the columns of ``T`` during the first split (left tree only).
    """
    T = holder.pop()
    if len(pats) == 1:
        return [T if T.base is None else T.copy()]
    k = _split_index(len(pats), tree)
    left, right = chain_product(pats[:k]), chain_product(pats[k:])
    TL, TR = _split(T, left, right, ranks[k - 1], "right" if k == 1 else "left", scaling,
                    spare if k == 1 else None, perm)
    if progress is not None:
        progress(T.size)
    free = _flat_buffer(T) if owned and k == 1 else None
    del T
    first = _factor_chain([TL], pats[:k], ranks[:k - 1], tree, scaling, progress, True)
    if scaling == "unit" and k > 1 and len(pats) - k > 1:
        _push_column_scale(first, pats[:k], ranks[:k - 1], TR, right)
    return first + _factor_chain([TR], pats[k:], ranks[k:], tree, scaling, progress, True,
                                 free)


def _flat_buffer(T):
    """The whole contiguous buffer behind ``T`` (its base when ``T`` is a view of one)."""
    base = T if T.base is None else T.base
    return base.reshape(-1) if base.flags.c_contiguous and base.dtype == T.dtype else None


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
                        progress=None):
    """Hierarchical butterfly / Kronecker-sparse factorization ``A ≈ X_1 ⋯ X_K P``.

    Parameters
    ----------
    A : array_like, shape (..., m, n)
        A real or complex matrix (float32/float64/complex64/complex128; integers become
        float64), or a batch of matrices factorized in one call.
    patterns : sequence of KSPattern or (a, b, c, d) tuples, optional
        A chainable KS chain, leftmost factor first, whose product has shape ``(m, n)``.
        Default: the square-dyadic butterfly chain of ``N = n`` (``n`` a power of two).
    tree : {"left", "right", "balanced"}
        Order of the splits: peel the leftmost factor first (``"left"``, the fastest: rank-one
        ``2×m`` blocks in closed form), the rightmost first, or split the chain in halves.
    scaling : {"unit", "sqrt"}
        ``"unit"`` (recommended) orthonormalises as in the error-guarantee analysis [3]_: the
        part being factorized carries the scale and every other part is orthonormal
        (unit-norm rank-one pieces), so the error stays within ``C_β`` of the best one and
        noise is removed best.  ``"sqrt"`` splits ``√σ`` between both sides at every split;
        on noisy inputs it can land above the noise level with deep trees.
    perm : None, "identity", "bitrev", "auto" or array of int
        A known column permutation ``P`` (``(P x)[k] = x[perm[k]]``): the solver factorizes
        ``A Pᵀ``.  ``"bitrev"`` is the bit-reversal of the radix-2 DFT; ``"auto"`` tries
        the identity and the bit reversal and keeps the better fit.
    progress : callable, optional
        Called with the number of entries processed after each split (for progress bars).

    Returns
    -------
    ButterflyFactors
        Twiddle tensors of the factors (leftmost first) and the permutation.

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

    Notes
    -----
    Exact recovery (ICASSP 2022 Thm 3 [1]_; [2]_): if ``A`` is an exact product in the model,
    every tree returns the true factors up to diagonal rescalings, so the relative error is at
    rounding level.  With the orthonormalised (``"unit"``) scaling the error is within a
    constant ``C_β`` (depending only on the architecture) of the best error [3]_.  Work: the
    left-to-right tree on the butterfly chain reads ``O(N²)`` entries in total (level ``ℓ``
    handles ``N²/2^ℓ`` entries), and stores ``2NL`` parameters.  BLAS is pinned to one thread
    during the batched small solves.

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
    >>> import numpy as np, scipy.linalg
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
    >>> butterfly_factorize(np.eye(6))
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.PowerOfTwoError: Argument 'N' must be a power of two >= 2, not 6; pad the matrix with zeros to size 8 (e.g. numpy.pad), or give a chain of KS patterns.
    """
    A = _validate_matrix(A)
    pats, ranks = _validate_chain(patterns, A.shape[-2:])
    _validate_option(tree, TREES, "tree")
    _validate_option(scaling, SCALINGS, "scaling")
    if isinstance(perm, str) and perm == "auto":
        return _best_of(A, pats, tree, scaling, (None, "bitrev"), progress)
    p = _validate_perm(perm, A.shape[-1])
    with _blas_one_thread(), np.errstate(all="ignore"):   # non-finite results checked below
        try:
            tw = _run_tree(A, pats, ranks, tree, scaling, progress, p)
        except np.linalg.LinAlgError:
            tw = None
    if tw is None:
        _raise_non_finite(A)
    batch = A.shape[:-2]
    tw = [t.reshape(*batch, *pat.twiddle_shape) for t, pat in zip(tw, pats)]
    return ButterflyFactors(pats, tw, p)


def _permute_columns(A, p, rows=64):
    """``A[..., :, p]`` gathered by blocks of rows (cache-friendly, ~4× faster than one take)."""
    flat = A.reshape(-1, A.shape[-1])
    out = np.empty(flat.shape, A.dtype)
    for i in range(0, flat.shape[0], rows):
        np.take(flat[i:i + rows], p, axis=1, out=out[i:i + rows])
    return out.reshape(A.shape)


def _run_tree(A, pats, ranks, tree, scaling, progress, perm=None):
    prod = chain_product(pats)
    fused = (perm is not None and tree == "left" and prod.a == prod.d == 1 and len(pats) > 1
             and pats[0].b == 2 and ranks[0] == 1)
    if perm is not None and not fused:
        A, perm = _permute_columns(A, perm), None
        owned = True
    else:
        owned = False
    T = _to_twiddle(A, prod)
    owned = owned or not np.may_share_memory(T, A)
    del A
    tw = _factor_chain([T], pats, ranks, tree, scaling, progress, owned, perm=perm)
    if not all(np.isfinite(t).all() for t in tw):
        return None
    return tw


def _best_of(A, pats, tree, scaling, candidates, progress):
    best, err = None, np.inf
    for cand in candidates:
        F = butterfly_factorize(A, pats, tree=tree, scaling=scaling, perm=cand,
                                progress=progress)
        e = float(np.max(F.relative_error(A)))
        if e < err:
            best, err = F, e
    return best

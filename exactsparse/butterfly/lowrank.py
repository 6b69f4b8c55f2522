"""Best low-rank approximations of batches of blocks: the two-factor step of a split.

Every split of a chainable KS chain is a set of independent best rank-``r`` problems on
disjoint blocks (ICASSP 2022 Lemma 2 [1]_); this module solves a whole batch of them at
once: a closed-form 2×2 Gram eigenproblem for the ``2×m`` / ``m×2`` rank-one blocks, a
batched power iteration for larger rank-one blocks (:func:`rank1_power`, started from the
block's largest row: exact after one step on exact rank-one blocks), a batched small SVD for
small rank-``r`` blocks, and a batched subspace iteration for large ones (Eckart–Young: the
truncated SVD is the best approximation).

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
   guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ArgumentError, ShapeError, show
from ._common import check_int, check_kernel_array, linalg_guard, parse_dtype

__all__ = ["pair_rank1", "pair_gram", "eig2", "balance", "lowrank", "rank1_power",
           "check_rank", "MAX_SUBSPACE_ITER", "MAX_POWER_ITER"]

_SMALL_SVD = 16        # blocks with min(b, c) above this use subspace iteration
MAX_SUBSPACE_ITER = 60
_OVERSAMPLE = 6          # extra vectors: the iteration is memory-bound, more vectors are ~free
_SUBSPACE_RTOL = 1e-4     # stop when the energy gain is below this fraction of the error²
MAX_POWER_ITER = 30       # power steps before the unconverged blocks get an exact SVD


def pair_gram(X0, X1):
    """The 2×2 Gram ``[[p, w], [w̄, s]]`` of the row pairs ``(X0[k], X1[k])`` (..., c):
    ``p = ‖X0‖²``, ``s = ‖X1‖²`` (real) and ``w = Σ X0 conj(X1)`` over the last axis.

    >>> import numpy as np
    >>> p, s, w = pair_gram(np.array([[1., 2.]]), np.array([[3., 4.]]))
    >>> float(p[0]), float(s[0]), float(w[0])
    (5.0, 25.0, 11.0)
    """
    for name, X in (("X0", X0), ("X1", X1)):
        check_kernel_array(X, name)
    if X0.shape != X1.shape or X0.ndim < 1:
        raise ShapeError(f"Arguments 'X0' and 'X1' must have one shape (..., c), not "
                         f"{X0.shape} and {X1.shape}.")
    with np.errstate(all="ignore"):
        return _pair_gram(X0, X1)


def _pair_gram(X0, X1):
    if hasattr(np, "vecdot"):
        return np.vecdot(X0, X0).real, np.vecdot(X1, X1).real, np.vecdot(X1, X0)
    return (np.einsum("...k,...k->...", X0, X0.conj()).real,   # pragma: no cover - numpy < 2
            np.einsum("...k,...k->...", X1, X1.conj()).real,
            np.einsum("...k,...k->...", X0, X1.conj()))


def pair_rank1(B):
    """Closed-form top eigenpair of the 2×2 Gram matrix ``B Bᴴ`` of ``B`` (..., 2, k).

    Returns ``(u, lam)``: ``u`` (..., 2) the unit top eigenvector and ``lam`` its
    eigenvalue, so that ``B ≈ u (uᴴ B)`` is the best rank-one approximation (Eckart–Young).
    """
    check_kernel_array(B, "B")
    if B.ndim < 2 or B.shape[-2] != 2:
        raise ShapeError(f"Argument 'B' must have shape (..., 2, k), not {B.shape}.")
    with np.errstate(all="ignore"):
        p, s, w = _pair_gram(B[..., 0, :], B[..., 1, :])
        return _eig2(p, s, w, B.dtype)


def eig2(p, s, w, dtype):
    """Unit top eigenvector and eigenvalue of ``[[p, w], [w̄, s]]`` (batched, closed form).

    The branch on ``p ≥ s`` avoids cancellation; a zero matrix gets ``e₀``.
    """
    _check_eig2(p, s, w, dtype)
    with np.errstate(all="ignore"):
        return _eig2(p, s, w, dtype)


def _check_eig2(p, s, w, dtype):
    for name, v in (("p", p), ("s", s)):
        check_kernel_array(np.asarray(v) if isinstance(v, np.generic) else v, name, real=True)
    w = check_kernel_array(np.asarray(w) if isinstance(w, np.generic) else w, "w")
    if not np.shape(p) == np.shape(s) == np.shape(w):
        raise ShapeError(f"Arguments 'p', 's' and 'w' must have one shape, not "
                         f"{np.shape(p)}, {np.shape(s)} and {np.shape(w)}.")
    dt = parse_dtype(dtype)
    if dt is None or dt not in (np.float32, np.float64, np.complex64, np.complex128) \
            or (w.dtype.kind == "c" and dt.kind != "c"):
        raise ArgumentError(f"Argument 'dtype' must be a float or complex dtype (complex when "
                            f"'w' is), not {show(dtype)}.")


def _eig2(p, s, w, dtype):
    if np.ndim(p) == 0:                                      # one matrix: as a batch of one
        u, lam = _eig2(np.reshape(p, 1), np.reshape(s, 1), np.reshape(w, 1), dtype)
        return u[0], lam[0]
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


def balance(sigma, scaling, unit_side_carries):
    """Multipliers ``(f_unit, f_sigma)`` for the unit-vector side and the ``σ``-carrying side.

    ``"unit"`` scaling keeps one side unit-norm (the orthonormalisation of [2]_ for rank one):
    the scale stays where it is unless ``unit_side_carries``; ``"sqrt"`` splits ``√σ``.
    """
    check_kernel_array(sigma, "sigma", real=True)
    if not isinstance(scaling, str) or scaling not in ("unit", "sqrt"):
        raise ArgumentError(f"Argument 'scaling' must be 'unit' or 'sqrt', not {show(scaling)}.")
    if (sigma < 0).any():
        raise ArgumentError(f"Argument 'sigma' must hold singular values (>= 0), not "
                            f"{show(sigma)}.")
    inv = np.divide(1, sigma, out=np.zeros_like(sigma), where=sigma > 0)
    if scaling == "sqrt":
        root = np.sqrt(sigma)
        return root, np.sqrt(inv)
    if unit_side_carries:
        return sigma, inv
    # σ = 0: both pieces are zero (a unit vector there would be a spurious column/row that
    # the rest of the tree must then fit)
    return (sigma > 0).astype(sigma.dtype), np.ones_like(sigma)


def lowrank(B, r):
    """Batched best rank-``r`` approximation ``U diag(S) Vh`` of ``B`` (n, m, k)."""
    check_kernel_array(B, "B", ndim=3)
    n, m, k = B.shape
    r = check_rank(r, B.shape)
    with linalg_guard(B, "B"), np.errstate(all="ignore"):
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


def check_rank(r, shape):
    """``r`` for blocks of ``shape`` (n, m, k): a positive int whose zero padding
    ``n·(m + k)·r`` fits (checked before allocating)."""
    from .supports import check_entries
    r = check_int(r, "r")
    if not isinstance(shape, tuple) or len(shape) != 3:
        raise ArgumentError(f"Argument 'shape' must be a tuple (n, m, k), not {show(shape)}.")
    n, m, k = (check_int(v, "shape", 0) for v in shape)
    check_entries(max(n, 1) * (m + k + 1) * r, "The rank-r factors")
    return r


def _subspace_iteration(B, r):
    """Batched subspace iteration (oversampling ``_OVERSAMPLE``) for the best rank-``r``
    approximation.

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
    for _ in range(MAX_SUBSPACE_ITER):
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



def rank1_power(W, rtol=_SUBSPACE_RTOL, maxiter=MAX_POWER_ITER):
    """Batched best rank-one approximation of the blocks of ``W`` by a power iteration.

    ``W`` has shape ``(A, D, b, s, p, c)``: block ``(i, j, σ, u)`` is ``W[i, j, :, σ, u, :]``
    (``b`` rows, ``c`` columns; the layout of a split's view, so no copy is made).  Returns
    ``(u, row)``: ``u`` of shape ``(A, D, s, p, b)`` unit left vectors and ``row`` of shape
    ``(A, D, s, p, c)`` with ``B ≈ u ⊗ row`` (``‖row‖ = σ₁``), the best rank-one
    approximation of every block to the stopping rule.

    Start: ``v₀ = conj(row β*)`` for the row ``β*`` of largest norm, which is the exact right
    singular vector of a rank-one block, so exact blocks are done after one step
    (``y = B v``, ``x = yᴴ B``).  Each step computes the energies ``e₀ = ‖B v‖²`` and
    ``e₁ = ‖uᴴ B‖²`` (``u = y/‖y‖``), both increasing towards ``σ₁²``; the error² of
    ``u (uᴴ B)`` is ``R = ‖B‖² − e₁``.  The excess ``σ₁² − e₁`` after a step is about
    ``ρ/(1 − ρ)`` times the gain ``e₁ − e₀``, with ``ρ = σ₂²/σ₁² ≤ R/e₁`` (the half step
    ``v → u`` contracts the error angle by ``σ₂/σ₁``), so it is at most ``rtol · R`` when
    ``e₁ − e₀ ≤ rtol (e₁ − R)``.  A block has converged when ``e₁ − e₀ ≤ rtol · max(R, e₁ − R)``
    (the remaining excess is negligible against the error ``R``: one step on noisy
    butterflies) or ``≤ 100 ε ‖B‖²`` (exact blocks: rounding level).  Blocks still
    unconverged after ``maxiter`` steps get an exact batched SVD.  Meant for a chunk that
    fits in the cache: every step re-reads ``W`` twice (three times in the first).
    """
    check_kernel_array(W, "W", ndim=6)
    if W.shape[2] == 0 or W.shape[5] == 0:
        raise ShapeError(f"Argument 'W' must have blocks of at least one row and column "
                         f"(axes 2 and 5), not shape {W.shape}.")
    if isinstance(rtol, (bool, np.bool_)) or not isinstance(rtol, (int, float, np.floating)) \
            or not 0 <= rtol < 1:
        from ..exceptions import ToleranceError
        raise ToleranceError(f"Argument 'rtol' must be a number in [0, 1), not {show(rtol)}.")
    maxiter = check_int(maxiter, "maxiter")
    with linalg_guard(W, "W"), np.errstate(all="ignore"):
        return _rank1_power(W, rtol, maxiter)


def _rank1_power(W, rtol, maxiter):
    A, D, b, s, p, c = W.shape
    real = W.real.dtype
    rn = _sqnorm(W)                                          # (A, D, b, s, p)
    norm2 = rn.sum(axis=2)
    best = rn.argmax(axis=2)
    top = np.take_along_axis(rn, best[:, :, None], axis=2)[:, :, 0]
    v = np.take_along_axis(W, best[:, :, None, :, :, None], axis=2)[:, :, 0].conj()
    v *= _safe_inv(np.sqrt(top))[..., None]
    floor = 100 * np.finfo(real).eps * norm2
    y = np.einsum("adbspc,adspc->adbsp", W, v)               # B v
    x = np.einsum("adbspc,adbsp->adspc", W, y.conj())        # yᴴ B
    y = np.moveaxis(y, 2, -1)
    u, row, done = _power_outputs(y, x, norm2, floor, rtol)
    if done.all():                                           # the usual case: one step
        return u, row
    # the other blocks (noise-dominated ones) iterate on their own, gathered: a block's
    # result never depends on the other blocks of the batch
    a, d, s_, p_ = np.nonzero(~done)
    Wa = W[a, d, :, s_, p_, :]                               # (n, b, c)
    xa = x[a, d, s_, p_]
    ua, rowa = _power_loop(Wa, xa, norm2[a, d, s_, p_], floor[a, d, s_, p_], rtol,
                           maxiter - 1)
    u[a, d, s_, p_] = ua
    row[a, d, s_, p_] = rowa
    return u, row


def _power_outputs(y, x, norm2, floor, rtol):
    """``u = y/‖y‖``, ``row = x/‖y‖`` and the convergence test of one power step."""
    e0 = _sqnorm(y)
    xn2 = _sqnorm(x)
    e1 = xn2 * _safe_inv(e0)
    resid = np.maximum(norm2 - e1, 0)
    done = e1 - e0 <= np.maximum(rtol * np.maximum(resid, e1 - resid), floor)
    inv = _safe_inv(np.sqrt(e0))[..., None]
    return y * inv, x * inv, done


def _power_loop(W, x, norm2, floor, rtol, steps):
    """Power steps on gathered blocks ``W`` (n, b, c) from the row ``x`` of the previous
    step; each block is frozen at its first converged step, the others get an exact SVD."""
    n, b, c = W.shape
    u = np.empty((n, b), W.dtype)
    row = np.empty((n, c), W.dtype)
    active = np.ones(n, bool)
    x = np.array(x)
    for _ in range(steps):
        idx = np.nonzero(active)[0]
        Wi = W[idx]
        v = x[idx].conj() * _safe_inv(np.sqrt(_sqnorm(x[idx])))[:, None]
        y = np.einsum("nbc,nc->nb", Wi, v)
        x_new = np.einsum("nbc,nb->nc", Wi, y.conj())
        ui, ri, done = _power_outputs(y, x_new, norm2[idx], floor[idx], rtol)
        u[idx[done]], row[idx[done]] = ui[done], ri[done]
        active[idx[done]] = False
        x[idx] = x_new
        if not active.any():
            return u, row
    idx = np.nonzero(active)[0]
    U, S, Vh = np.linalg.svd(W[idx], full_matrices=False)
    u[idx] = U[..., 0]
    row[idx] = Vh[..., 0, :] * S[..., :1]
    return u, row


def _sqnorm(X):
    """``Σ |X|²`` over the last axis, real."""
    if np.iscomplexobj(X):
        return np.einsum("...k,...k->...", X.real, X.real) + np.einsum("...k,...k->...",
                                                                         X.imag, X.imag)
    return np.einsum("...k,...k->...", X, X)


def _safe_inv(x):
    return np.divide(1, x, out=np.zeros_like(x), where=x > 0)


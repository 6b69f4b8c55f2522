"""A local solver for FSMF: alternating least squares on the masked variables.

Used where no tractability theorem applies; its answers are *uncertified* (a local method
can stop at a spurious local minimum, see Le, Riccietti & Gribonval, arXiv:2112.00386).
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["als"]


def _update(A, X, Y, I, W):
    """Rows of X: least squares on the allowed columns and observed entries, Y fixed."""
    for i in range(A.shape[0]):
        ks = np.flatnonzero(I[i])
        if not ks.size:
            continue
        obs = slice(None) if W is None else np.flatnonzero(W[i])
        X[i, ks] = np.linalg.lstsq(Y[obs][:, ks], A[i, obs], rcond=None)[0]


def _loss(A, X, Y, W):
    R = A - X @ Y.T
    return float(np.linalg.norm(R if W is None else R * W) ** 2)


def als(A, I, J, *, mask=None, restarts=20, iters=1000, tol=1e-14, seed=0):
    """Best of ``restarts`` runs of alternating least squares.

    Parameters
    ----------
    A : ndarray, m×n (float or complex)
    I, J : bool ndarrays, m×r and n×r
    mask : bool ndarray, m×n, optional
        Observed entries: the loss is ``Σ_{mask} (A − X Yᵀ)²`` (missing entries cost
        nothing).  Default: every entry is observed.
    restarts, iters : int
    tol : float
        Relative decrease of the loss below which a run stops.
    seed : int

    Returns
    -------
    X, Y, loss
    """
    rng = np.random.default_rng(seed)
    W = None if mask is None else np.asarray(mask, bool)
    best = (None, None, np.inf)
    dtype = A.dtype
    with threadpool_limits(1):
        for _ in range(max(1, int(restarts))):
            X = rng.standard_normal(I.shape).astype(dtype) * I
            Y = rng.standard_normal(J.shape).astype(dtype) * J
            prev = np.inf
            for _ in range(int(iters)):
                _update(A, X, Y, I, W)
                _update(A.T, Y, X, J, None if W is None else W.T)
                loss = _loss(A, X, Y, W)
                if np.isfinite(prev) and prev - loss <= tol * max(prev, 1e-300):
                    break
                prev = loss
            if loss < best[2]:
                best = (X.copy(), Y.copy(), loss)
    return best

"""A local solver for FSMF: alternating least squares on the masked variables.

Used where no tractability theorem applies; its answers are *uncertified* (a local method
can stop at a spurious local minimum, see Le, Riccietti & Gribonval, arXiv:2112.00386).
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["als"]


def _update(A, X, Y, I):
    """Rows of X: least squares on the allowed columns, for fixed Y (A ≈ X Yᵀ)."""
    for i in range(A.shape[0]):
        ks = np.flatnonzero(I[i])
        if ks.size:
            X[i, ks] = np.linalg.lstsq(Y[:, ks], A[i], rcond=None)[0]


def als(A, I, J, *, restarts=20, iters=1000, tol=1e-14, seed=0):
    """Best of ``restarts`` runs of alternating least squares.

    Parameters
    ----------
    A : ndarray, m×n (float or complex)
    I, J : bool ndarrays, m×r and n×r
    restarts, iters : int
    tol : float
        Relative decrease of the loss below which a run stops.
    seed : int

    Returns
    -------
    X, Y, loss
    """
    rng = np.random.default_rng(seed)
    best = (None, None, np.inf)
    dtype = A.dtype
    with threadpool_limits(1):
        for _ in range(max(1, int(restarts))):
            X = rng.standard_normal(I.shape).astype(dtype) * I
            Y = rng.standard_normal(J.shape).astype(dtype) * J
            prev = np.inf
            for _ in range(int(iters)):
                _update(A, X, Y, I)
                _update(A.T, Y, X, J)
                loss = float(np.linalg.norm(A - X @ Y.T) ** 2)
                if np.isfinite(prev) and prev - loss <= tol * max(prev, 1e-300):
                    break
                prev = loss
            if loss < best[2]:
                best = (X.copy(), Y.copy(), loss)
    return best

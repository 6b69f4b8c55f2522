"""A local solver for FSMF: alternating least squares on the masked variables.

Used where no tractability theorem applies; its answers are *uncertified* (a local method
can stop at a spurious local minimum, see Le, Riccietti & Gribonval, arXiv:2112.00386).
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from ..exact import short_repr
from ..exceptions import (ArgumentError, BudgetError, ExactTypeError, NonFiniteError,
                          ShapeError)

__all__ = ["als"]


def _update(A, X, Y, I, W):
    """Rows of X: least squares on the allowed columns and observed entries, Y fixed."""
    for i in range(A.shape[0]):
        ks = np.flatnonzero(I[i])
        if not ks.size:
            continue
        obs = slice(None) if W is None else np.flatnonzero(W[i])
        X[i, ks] = np.linalg.lstsq(Y[obs][:, ks], A[i, obs], rcond=None)[0]


def _validate(A, I, J, mask):
    """``(A, I, J, mask)`` checked: A a finite float/complex 2-D array, I/J/mask boolean
    arrays of fitting shapes."""
    if not isinstance(A, np.ndarray) or A.dtype.kind not in "fc":
        raise ExactTypeError(f"Argument 'A' must be a float or complex numpy array, not "
                             f"{type(A).__name__}.")
    if A.ndim != 2 or 0 in A.shape or not np.all(np.isfinite(A)):
        raise (ShapeError if A.ndim != 2 or 0 in A.shape else NonFiniteError)(
            f"Argument 'A' must be a finite non-empty 2-D array (shape {A.shape}).")
    out = []
    for name, S, rows in (("I", I, A.shape[0]), ("J", J, A.shape[1]), ("mask", mask, None)):
        if S is None and name == "mask":
            out.append(None)
            continue
        try:
            S = np.asarray(S)
        except (ValueError, TypeError):
            S = np.array(None)
        if S.dtype.kind not in "biu" or S.ndim != 2 or (S.dtype.kind != "b" and (
                (S != 0) & (S != 1)).any()):
            raise ShapeError(f"Argument {name!r} must be a 2-D 0/1 array.")
        want = A.shape if name == "mask" else (rows, out[0].shape[1] if out else S.shape[1])
        if S.shape != want or (name != "mask" and S.shape[1] == 0):
            raise ShapeError(f"Argument {name!r} has shape {S.shape}, not {want}.")
        out.append(S.astype(bool))
    return (A, *out)


def _loss(A, X, Y, W):
    R = A - X @ Y.T
    return float(np.linalg.norm(R if W is None else R * W) ** 2)


def als(A, I, J, *, mask=None, restarts=20, iters=1000, tol=1e-14, seed=0, budget=None,
        stats=None):
    """Best of ``restarts`` runs of alternating least squares.

    Parameters
    ----------
    A : ndarray, m×n (float or complex)
    I, J : bool ndarrays, m×r and n×r
        The supports of ``X`` and ``Y`` (``X Yᵀ`` convention).
    mask : bool ndarray, m×n, optional
        Observed entries: the loss is ``Σ_{mask} (A − X Yᵀ)²`` (missing entries cost
        nothing).  Default: every entry is observed.
    restarts, iters : int
        Number of random starts; maximal number of sweeps per start.
    tol : float
        Relative decrease of the loss below which a run stops (in ``[0, 1]``).
    seed : int
        Seed of the numpy generator of the starting points (the result is reproducible).
    budget : float or None
        Seconds after which no new sweep starts (checked after every sweep; None: no
        limit); the best point so far is returned.
    stats : dict or None
        If given, filled with ``"restarts"`` (runs started) and ``"stopped"`` (None, or why
        the runs stopped early).

    Returns
    -------
    X, Y : ndarray, m×r and n×r
        The best point found, zero outside ``I`` and ``J``.
    loss : float
        Its (masked) loss.

    Notes
    -----
    Each half-step solves a least-squares problem exactly (rows of ``X`` with ``Y`` fixed,
    then rows of ``Y`` with ``X`` fixed), so within a run the loss never increases.  It is
    a local method: outside the tractable families it can stop at a spurious local minimum
    or crawl through a flat valley (Le, Riccietti & Gribonval [1]_), so its answers are
    *uncertified*; on a tractable instance use :func:`solve_fsmf`.  Inputs are not
    validated cheaply here (types, shapes, finiteness; ``solve_fsmf`` also scales ``A``).

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
       tractability of sparse matrix factorization with fixed support", SIAM J. Matrix
       Anal. Appl. (2023), arXiv:2112.00386.

    See Also
    --------
    solve_fsmf : global optimum on tractable instances (calls ``als`` on the others).
    fsmf_loss : the loss of a point.
    exactsparse.find_spurious_minima : certified spurious local minima.

    Examples
    --------
    Plain rank-2 approximation of a 4×3 matrix (the spec's first known instance): more
    sweeps never increase the loss, which reaches ``σ_3(A)²`` (Eckart-Young) and is the
    loss of the returned point:

    >>> import numpy as np
    >>> from exactsparse.fsmf import fsmf_loss
    >>> A = np.array([[4., 1, 2], [1, 3, 0], [2, 0, 1], [1, 1, 1]])
    >>> I, J = np.ones((4, 2), bool), np.ones((3, 2), bool)
    >>> losses = [als(A, I, J, restarts=1, iters=t)[2] for t in (1, 2, 5, 50)]
    >>> all(a >= b for a, b in zip(losses, losses[1:]))
    True
    >>> X, Y, loss = als(A, I, J, restarts=1)
    >>> sigma = np.linalg.svd(A, compute_uv=False)
    >>> round(loss, 9), round(float(sigma[2]) ** 2, 9), abs(fsmf_loss(A, X, Y) - loss) < 1e-12
    (0.285154574, 0.285154574, True)

    The supports are respected, and with a ``mask`` the missing entries cost nothing
    (changing one does not change the run):

    >>> I = np.array([[1, 0], [1, 1], [0, 1], [1, 1]], bool)
    >>> X, Y, loss = als(A, I, J, restarts=1, iters=20)
    >>> bool(np.all(X[~I] == 0)), bool(np.all(Y[~J] == 0))
    (True, True)
    >>> W = np.ones(A.shape, bool); W[0, 0] = False; B = A.copy(); B[0, 0] = 100
    >>> masked = [als(M, I, J, mask=W, restarts=1, iters=20)[2] for M in (A, B)]
    >>> masked[0] == masked[1]
    True
    """
    A, I, J, W = _validate(A, I, J, mask)
    for name, v, low, high in (("restarts", restarts, 1, 10**9), ("iters", iters, 1, 10**9),
                               ("seed", seed, 0, None)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < low \
                or (high is not None and v > high):
            raise ArgumentError(f"Argument {name!r} must be an integer >= {low}"
                                f"{'' if high is None else f' and <= {high}'}, not "
                                f"{short_repr(v)}.")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) \
            or not 0 <= tol <= 1:
        raise ArgumentError(f"Argument 'tol' must be a number in [0, 1], not {short_repr(tol)}.")
    tol = float(tol)
    if budget is not None and (isinstance(budget, bool) or not isinstance(
            budget, (int, float, np.integer, np.floating)) or not 0 <= budget < 1e12):
        raise BudgetError(f"Argument 'budget' must be None or seconds in [0, 1e12), not "
                          f"{short_repr(budget)}.")
    rng = np.random.default_rng(seed)
    best = (None, None, np.inf)
    dtype = A.dtype
    stop = None if budget is None else time.monotonic() + budget
    stats = {} if stats is None else stats
    stats.update(restarts=0, stopped=None)
    with threadpool_limits(1):
        for _ in range(max(1, int(restarts))):
            X = rng.standard_normal(I.shape).astype(dtype) * I
            Y = rng.standard_normal(J.shape).astype(dtype) * J
            stats["restarts"] += 1
            prev = np.inf
            for _ in range(max(1, int(iters))):
                _update(A, X, Y, I, W)
                _update(A.T, Y, X, J, None if W is None else W.T)
                loss = _loss(A, X, Y, W)
                if stop is not None and time.monotonic() > stop:
                    stats["stopped"] = (f"the time budget ran out during run "
                                        f"{stats['restarts']} of {int(restarts)}")
                    break
                if np.isfinite(prev) and prev - loss <= tol * max(prev, 1e-300):
                    break
                prev = loss
            if best[0] is None or loss < best[2]:
                best = (X.copy(), Y.copy(), loss)
            if stats["stopped"]:
                break
    return best

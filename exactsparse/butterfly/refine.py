"""Whole-chain refinement of a Kronecker-sparse factorization: :func:`refine`.

After the hierarchical initialisation (:func:`~exactsparse.butterfly.butterfly_factorize`)
all factors are refined together by block-coordinate descent: one sweep updates
``X_1, …, X_K`` in turn, each update the exact least-squares minimiser of
``‖A Pᵀ − L X_k R‖_F²`` over ``supp X_k ⊆ π_k`` with ``L = X_1⋯X_{k−1}`` (already updated)
and ``R = X_{k+1}⋯X_K`` fixed (Gauss–Seidel, as in PALM4MSA [2]_ but with exact steps
instead of projected gradient steps).

The step is cheap because of chainability: writing the rows of ``X_k`` (pattern
``(a, b, c, d)``) as ``(i, β, j)`` and its columns as ``(i, γ, j)``, the normal equations
couple only entries with the same ``(i, j)`` (the rank-one supports of a chainable split are
disjoint or identical, ICASSP 2022 Lemma 2 [1]_), and on each ``(i, j)`` block they read
``G_L X_{ij} G_R = N_{ij}`` with the ``b × b`` Gram ``G_L`` of columns of ``L``, the
``c × c`` Gram ``G_R`` of rows of ``R`` and ``N = Lᴴ A Pᵀ Rᴴ`` on the support, so that
``X_{ij} = G_L⁺ N_{ij} G_R⁺`` (a minimiser, the least-norm one).  For the butterfly chain the
Grams are diagonal and the step is a division.  Every step can only lower the error; a step
whose decrease is not confirmed in floating point is discarded, so the error never
increases.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
.. [2] L. Le Magoarou, R. Gribonval, "Flexible multilayer sparse approximations of matrices
   and applications", IEEE J. Sel. Topics Signal Process. 10(4), 2016 (PALM4MSA).
.. [3] J. Bolte, S. Sabach, M. Teboulle, "Proximal alternating linearized minimization for
   nonconvex and nonsmooth problems", Math. Program. 146, 2014.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time

import numpy as np

from .._budget import check_budget
from ..exceptions import ArgumentError, ShapeError, ToleranceError, show
from ._common import (blas_one_thread, ldexp2, pow2_normalised, raise_non_finite,
                      validate_matrix)
from .factors import ButterflyFactors
from .supports import check_entries

__all__ = ["refine", "Refinement", "METHODS", "STOP_REASONS"]

METHODS = ("bcd", "lbfgs")
#: why :func:`refine` stopped
STOP_REASONS = ("rtol", "budget", "max_iter", "exact")


@dataclasses.dataclass(frozen=True)
class Refinement:
    """Result of :func:`refine`.

    Attributes
    ----------
    factors : ButterflyFactors
        The refined factors (same chain and permutation as the input).
    history : tuple of (float, float)
        ``(seconds since the start, relative error)``; the first entry is the input at time
        0, then one entry per completed sweep (and one for a sweep cut by the budget).
    stop_reason : {"rtol", "budget", "max_iter", "exact"}
        Relative decrease of the last sweep below ``rtol``; time budget spent; ``max_iter``
        sweeps done; error zero.
    sweeps : int
        Completed sweeps.
    """

    factors: ButterflyFactors
    history: tuple
    stop_reason: str
    sweeps: int

    @property
    def initial_error(self):
        return self.history[0][1]

    @property
    def error(self):
        """Relative Frobenius error ``‖A − F‖_F / ‖A‖_F`` of :attr:`factors`."""
        return self.history[-1][1]

    def to_dict(self):
        """The summary as plain JSON types (the factors are not included)."""
        return {"stop_reason": self.stop_reason, "sweeps": self.sweeps,
                "initial_error": self.initial_error, "error": self.error,
                "history": [list(h) for h in self.history]}


def _apply(t, p, X):
    """``X_p @ X`` for the twiddle ``t`` of pattern ``p`` and a matrix ``X`` (n, k).

    Small ``b × c`` blocks with ``d > 1``: ``b·c`` fused multiply-adds over whole slices
    (memory-bound, about twice as fast as ``einsum`` here); otherwise one ``einsum``.
    """
    k = X.shape[-1]
    Xs = X.reshape(p.a, p.c, p.d, k)
    if p.b * p.c > 16 or p.d == 1:
        return np.einsum("ijbc,icjk->ibjk", t, Xs).reshape(p.shape[0], k)
    dtype = np.result_type(t, X)
    out = np.empty((p.a, p.b, p.d, k), dtype)
    tmp = np.empty((p.a, p.d, k), dtype)
    for b in range(p.b):
        np.multiply(t[:, :, b, 0, None], Xs[:, 0], out=out[:, b])
        for c in range(1, p.c):
            np.multiply(t[:, :, b, c, None], Xs[:, c], out=tmp)
            out[:, b] += tmp
    return out.reshape(p.shape[0], k)


def _blocks(M, a, e, d):
    """Rows ``(i, ε, j)`` of ``M`` (a·e·d, k) as ``(a, d, e, k)`` (a view when possible)."""
    return M.reshape(a, e, d, M.shape[-1]).transpose(0, 2, 1, 3)


def _pinv(G):
    """Batched Hermitian pseudo-inverse (eigenvalues below ``n·eps·λ_max`` dropped)."""
    if G.shape[-1] == 1:
        g = G[..., 0, 0].real
        inv = np.divide(1, g, out=np.zeros_like(g), where=g > 0)
        return inv[..., None, None].astype(G.dtype)
    w, V = np.linalg.eigh(G)
    cut = G.shape[-1] * np.finfo(w.dtype).eps * np.max(np.abs(w), axis=-1, keepdims=True)
    inv = np.divide(1, w, out=np.zeros_like(w), where=w > cut)
    return (V * inv[..., None, :]) @ V.conj().swapaxes(-1, -2)


def _quad(X, N, GL, GR):
    """``‖L X R‖² − 2 Re⟨X, N⟩`` on the blocks (the loss up to the constant ``‖A‖²``)."""
    return float(np.vdot(X, GL @ X @ GR).real) - 2 * float(np.vdot(X, N).real)


def _validate(F, A, budget, rtol, max_iter, method):
    if not isinstance(F, ButterflyFactors):
        raise ArgumentError(f"Argument 'F' must be a ButterflyFactors, not {show(F)}.")
    if F.batch_shape:
        raise ShapeError(f"Argument 'F' must be an unbatched product, not batch shape "
                         f"{F.batch_shape}; refine F[i] one at a time.")
    A = validate_matrix(A)
    if A.shape != F.shape:
        raise ShapeError(f"Argument 'A' must have shape {F.shape} (that of F), not {A.shape}.")
    if not np.isfinite(A).all():
        raise_non_finite(A)
    budget = check_budget(budget, allow_none=True)
    if isinstance(rtol, (bool, np.bool_)) or not isinstance(rtol, numbers.Real) \
            or not 0 < float(rtol) < 1:
        raise ToleranceError(f"Argument 'rtol' must be a number in (0, 1), not {show(rtol)}.")
    if isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, numbers.Integral) \
            or int(max_iter) < 1:
        raise ArgumentError(f"Argument 'max_iter' must be a positive integer, not "
                            f"{show(max_iter)}.")
    if not isinstance(method, str) or method not in METHODS:
        raise ArgumentError(f"Argument 'method' must be one of {METHODS}, not {show(method)}.")
    m, n = F.shape
    check_entries(len(F.patterns) * n * m + 2 * max(m, n) ** 2, "The work arrays of refine")
    return A, budget, float(rtol), int(max_iter)


def refine(F, A, *, budget=10.0, rtol=1e-4, max_iter=100, method="bcd"):
    """Refine all factors of ``F`` together towards ``A`` (block-coordinate least squares).

    Parameters
    ----------
    F : ButterflyFactors
        An unbatched product ``X_1 ⋯ X_K P`` (e.g. from
        :func:`~exactsparse.butterfly.butterfly_factorize`); its chain and permutation are
        kept.
    A : array_like, shape (m, n)
        The target, real or complex, finite.
    budget : float or None
        Time budget in seconds (None: no limit).  Checked before every factor update, so
        the overshoot is at most one update plus the setup of a sweep.
    rtol : float in (0, 1)
        Stop when a sweep lowers the relative error by less than ``rtol`` times its value.
    max_iter : int
        Most sweeps.
    method : {"bcd", "lbfgs"}
        ``"bcd"`` (default): exact block-coordinate descent, one least-squares solve per
        factor and sweep.  ``"lbfgs"``: quasi-Newton (scipy's L-BFGS-B) on all twiddles at
        once, real and imaginary parts as variables, gradient ``G_L X_k G_R − N`` per factor
        from one pass; ``sweeps`` then counts its iterations and the best point seen is
        returned.

    Returns
    -------
    Refinement
        ``factors`` (the refined product, ``optimal=False``), ``history`` of ``(seconds,
        relative error)``, ``stop_reason`` and ``sweeps``.

    Raises
    ------
    ArgumentError
        ``F`` not a ButterflyFactors, a bad ``max_iter`` or ``method``, non-numeric ``A``.
    ToleranceError
        ``rtol`` not in ``(0, 1)``.
    BudgetError
        ``budget`` not a positive finite number (or None).
    ShapeError
        A batched ``F``, or ``A`` not of ``F``'s shape.
    NonFiniteError
        NaN or infinity in ``A``.
    SizeLimitError
        Work arrays above ``MAX_ENTRIES`` (``K·N²`` entries are kept per sweep).

    See Also
    --------
    exactsparse.butterfly.butterfly_factorize : the hierarchical initialisation.
    exactsparse.butterfly.projection.project_two_factor : two factors: already optimal.

    Notes
    -----
    Each update (``"bcd"``) solves ``min ‖A Pᵀ − L X_k R‖_F`` over ``supp X_k ⊆ π_k``
    exactly: for a chainable chain the normal equations split over the ``(i, j)`` blocks of
    ``X_k`` (the rank-one supports of a chainable split are disjoint or identical [1]_) into
    ``G_L X_{ij} G_R = N_{ij}``, solved by pseudo-inverses.  The error is therefore
    non-increasing along the iterations (block-coordinate descent, a Gauss–Seidel variant of
    PALM4MSA [2]_ with exact steps; every limit point is a stationary point when the blocks
    are uniquely solvable [3]_); ``"lbfgs"`` keeps the best point it evaluates, so its
    error does not increase either.  A sweep costs ``O(K)`` applications of one factor to an
    ``N × N`` matrix plus batched small solves (BLAS pinned to one thread), and keeps
    ``K·N²`` entries (the products ``X_{k+1}⋯X_K Aᴴ``).

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022.
    .. [2] L. Le Magoarou, R. Gribonval, "Flexible multilayer sparse approximations of
       matrices and applications", IEEE J. Sel. Topics Signal Process. 10(4), 2016.
    .. [3] J. Bolte, S. Sabach, M. Teboulle, "Proximal alternating linearized minimization
       for nonconvex and nonsmooth problems", Math. Program. 146, 2014.

    Examples
    --------
    On a noisy butterfly product the refinement lowers the error of the hierarchical
    solution, and the history is non-increasing:

    >>> import numpy as np
    >>> from exactsparse.butterfly import ButterflyFactors, butterfly_factorize, butterfly_patterns
    >>> rng = np.random.default_rng(0)
    >>> pats = butterfly_patterns(32)
    >>> Z = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    >>> A = Z + 0.05 * np.linalg.norm(Z) / 32 * rng.standard_normal(Z.shape)
    >>> out = refine(butterfly_factorize(A), A, max_iter=20)
    >>> errs = [e for _, e in out.history]
    >>> errs[-1] < errs[0], all(b <= a for a, b in zip(errs, errs[1:]))
    (True, True)
    >>> abs(out.factors.relative_error(A) - out.error) < 1e-12
    True
    """
    start = time.perf_counter()
    A, budget, rtol, max_iter = _validate(F, A, budget, rtol, max_iter, method)
    pats = F.patterns
    dtype = np.result_type(A.dtype, F.dtype)
    Ap = A.astype(dtype, copy=False)
    if F.perm is not None:
        Ap = Ap[:, F.perm]
    if F.row_perm is not None:
        Ap = Ap[F.row_perm]
    tw = [t.astype(dtype, copy=True) for t in F.twiddles]
    Ap, tw, back = _normalised(Ap, tw)         # extreme magnitudes: scaled by powers of two
    with np.errstate(all="ignore"):
        norm2 = float(np.vdot(Ap, Ap).real)
    if not math.isfinite(norm2):
        raise_non_finite(Ap)                   # finite entries too large to square
    denom = math.sqrt(norm2) if norm2 > 0 else 1.0

    def rel(loss):
        return math.sqrt(max(loss, 0.0)) / denom

    with np.errstate(all="ignore"):
        Z = ButterflyFactors(pats, tw).todense()
        err = float(np.linalg.norm(Ap - Z)) / denom
    if not math.isfinite(err):
        raise_non_finite(Z, "F")
    history = [(0.0, err)]
    stop, sweeps = "max_iter", 0
    out_of_time = (lambda: False) if budget is None else \
        (lambda: time.perf_counter() - start > budget)
    if method == "lbfgs" and err > 0:
        with blas_one_thread(), np.errstate(all="ignore"):
            # A = 0: absolute errors, as ``rel`` (denom 1)
            return _scaled_back(_lbfgs(Ap, F, tw, denom * denom, history, start,
                                       out_of_time, rtol, max_iter), back)
    with blas_one_thread(), np.errstate(all="ignore"):
        while sweeps < max_iter:
            if err == 0:
                stop = "exact"
                break
            if out_of_time():
                stop = "budget"
                break
            done, loss = _sweep(Ap, pats, tw, norm2, out_of_time)
            if not done:                       # cut by the budget after some updates
                if loss is not None and rel(loss) < err:
                    history.append((time.perf_counter() - start, rel(loss)))
                stop = "budget"
                break
            sweeps += 1
            new = rel(loss)
            history.append((time.perf_counter() - start, min(new, err)))
            if err - new < rtol * err:
                stop = "rtol"
                break
            err = new
    out = ButterflyFactors(pats, tw, F.perm, F.row_perm)
    return _scaled_back(Refinement(out, tuple(history), stop, sweeps), back)


def _normalised(Ap, tw):
    """``(Ap · 2^-s, twiddles · 2^-e_k, e)`` with ``Σ e_k = s`` (exact, the product scaled as
    ``Ap``) when ``max |Ap|`` lies outside :func:`~._common.safe_range`, else ``(Ap, tw,
    None)``: the squares and Grams of the sweeps would under- or overflow (before, entries
    below about 1e-162 gave error 0 and stop ``"exact"``, above 1e154 an ``ArgumentError``).
    Every twiddle but the first is brought to a maximum in ``[1/2, 1)``."""
    with np.errstate(all="ignore"):
        Ap, shift = pow2_normalised(Ap)
    if not shift:
        return Ap, tw, None
    ex = [math.frexp(float(np.abs(t).max()))[1] for t in tw]
    ex[0] = shift - sum(ex[1:])
    return Ap, [ldexp2(t, -e) for t, e in zip(tw, ex)], ex


def _scaled_back(res, back):
    """The :class:`Refinement` ``res`` with ``2^e_k`` multiplied back into twiddle ``k``."""
    if back is not None:
        res.factors.twiddles = tuple(ldexp2(t, e) for t, e in zip(res.factors.twiddles, back))
    return res


def _sweep(Ap, pats, tw, norm2, out_of_time, grads=None):
    """One Gauss–Seidel sweep, updating ``tw`` in place.

    Returns ``(completed, loss)``: the exact ``‖A Pᵀ − X_1⋯X_K‖²`` after a full sweep (from
    the dense product built on the way), or the model loss of the last accepted update
    when the budget cut the sweep (None if nothing was updated).  With a list ``grads``,
    nothing is updated: ``grads[k]`` receives ``∂‖A Pᵀ − X_1⋯X_K‖²/∂ conj(X_k)`` on the
    support, ``G_L X_k G_R − N`` (a Wirtinger gradient), and the loss is the current one.
    """
    K = len(pats)
    m, n = Ap.shape
    # right side, old factors: the row Grams of R_k = X_{k+1}⋯X_K and V_k = R_k Aᴴ, kept
    # for k = K−1 .. 0 (R_k itself is dropped once its Gram is known)
    grams, right = [None] * K, [None] * K
    R, V = np.eye(n, dtype=Ap.dtype), np.ascontiguousarray(Ap.conj().T)
    for k in range(K - 1, -1, -1):
        p = pats[k]
        R4 = _blocks(R, p.a, p.c, p.d)                       # (a, d, c, n)
        grams[k] = R4 @ R4.conj().swapaxes(-1, -2)           # (a, d, c, c)
        right[k] = V
        if k:
            R, V = _apply(tw[k], p, R), _apply(tw[k], p, V)
    del R, V
    Lt = np.eye(m, dtype=Ap.dtype)               # (L_k)ᵀ, rows (i, β, j) of X_k
    loss = None
    for k, p in enumerate(pats):
        if out_of_time():
            return False, loss
        a, b, c, d = p.a, p.b, p.c, p.d
        V, GR = right[k], grams[k]
        right[k] = None
        L4 = _blocks(Lt, a, b, d)                            # (a, d, b, m)
        V4 = _blocks(V, a, c, d)                             # (a, d, c, m)
        GL = L4.conj() @ L4.swapaxes(-1, -2)                 # (a, d, b, b)
        N = L4.conj() @ V4.conj().swapaxes(-1, -2)           # (a, d, b, c)
        if grads is not None:
            grads[k] = GL @ tw[k] @ GR - N
            Lt = _apply(tw[k].swapaxes(-1, -2), p.T, Lt)
            continue
        X = _pinv(GL) @ N @ _pinv(GR)
        old = tw[k]
        q_new, q_old = _quad(X, N, GL, GR), _quad(old, N, GL, GR)
        if np.isfinite(X).all() and q_new <= q_old:
            tw[k] = X.astype(old.dtype, copy=False)
            loss = norm2 + q_new
        else:
            loss = norm2 + q_old
        Lt = _apply(tw[k].swapaxes(-1, -2), p.T, Lt)
    D = Ap - Lt.T                                              # Lt = (X_1⋯X_K)ᵀ now
    return True, float(np.vdot(D, D).real)


class _OutOfTime(Exception):
    pass


def _lbfgs(Ap, F, tw, norm2, history, start, out_of_time, rtol, max_iter):
    """Quasi-Newton (scipy's L-BFGS-B, unconstrained) on all twiddles at once, real and
    imaginary parts as separate variables; the objective is ``‖A Pᵀ − X_1⋯X_K‖² / ‖A‖²``,
    its gradient from one pass of :func:`_sweep` in gradient mode.  The best point seen is
    returned; the stopping rule is checked after every iteration."""
    from scipy.optimize import minimize
    pats = F.patterns
    cplx = np.iscomplexobj(tw[0])
    shapes = [t.shape for t in tw]
    sizes = [t.size for t in tw]
    cuts = np.cumsum(sizes)[:-1]

    def unpack(theta):
        if cplx:
            half = theta.size // 2
            theta = theta[:half] + 1j * theta[half:]
        return [c.reshape(sh).astype(tw[0].dtype) for c, sh in zip(np.split(theta, cuts),
                                                                      shapes)]

    def pack(ts):
        flat = np.concatenate([t.ravel() for t in ts])
        return np.concatenate([flat.real, flat.imag]) if cplx else flat.real.copy()

    best = {"loss": history[0][1] ** 2 * norm2, "tw": [t.copy() for t in tw]}
    state = {"last": history[0][1], "stop": "max_iter", "iters": 0}

    def fun(theta):
        if out_of_time():
            raise _OutOfTime
        cur = unpack(theta)
        grads = [None] * len(cur)
        _, loss = _sweep(Ap, pats, cur, norm2, lambda: False, grads)
        if loss < best["loss"]:
            best["loss"], best["tw"] = loss, cur
        return loss / norm2, 2 * pack(grads) / norm2

    def callback(intermediate_result):
        err = math.sqrt(max(best["loss"], 0.0) / norm2)
        history.append((time.perf_counter() - start, err))
        state["iters"] += 1
        prev, state["last"] = state["last"], err
        if err == 0:
            state["stop"] = "exact"
            raise StopIteration
        if prev - err < rtol * prev:
            state["stop"] = "rtol"
            raise StopIteration

    try:
        minimize(fun, pack(tw), jac=True, method="L-BFGS-B", callback=callback,
                 options={"maxiter": max_iter, "ftol": 0.0, "gtol": 0.0, "maxcor": 10})
    except _OutOfTime:
        state["stop"] = "budget"
        err = math.sqrt(max(best["loss"], 0.0) / norm2)
        if err < history[-1][1]:
            history.append((time.perf_counter() - start, err))
    out = ButterflyFactors(pats, [t.astype(F.dtype if not cplx else t.dtype, copy=False)
                                  for t in best["tw"]], F.perm, F.row_perm)
    return Refinement(out, tuple(history), state["stop"], state["iters"])

"""The penalised blind deconvolution problem solved numerically: the drift to the trivial pair.

``min_{x, h} ½‖y − x ∗ h‖² + λ‖x‖₁  s.t.  N(h) = 1`` is the scale-invariant problem
``min_{x, h ≠ 0} ½‖y − x ∗ h‖² + λ‖x‖₁ N(h)`` read at the normalised pair ``(N(h) x, h / N(h))``
(same product, same penalty).  It is solved by alternating proximal gradient steps (PALM,
monotone): an ISTA step in ``x`` (step ``1/‖h‖₁²``, since ``‖h ∗ ·‖₂ ≤ ‖h‖₁``, threshold
``λ N(h)/‖h‖₁²``) and a proximal step in ``h`` on ``λ‖x‖₁ N(h)`` (step ``1/‖x‖₁²``; block
shrinkage for ℓ2, soft thresholding for ℓ1); the objective is reported at the normalised
pair.  The filter is given as many taps as ``y`` so
that the trivial pair is feasible: the experiment asks whether the method finds the truth or
drifts to a Dirac.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..exceptions import ArgumentError, NonFiniteError, ShapeError, show
from ._common import as_flag

__all__ = ["DeconvTrajectory", "deconv_descent", "ray_cost", "global_cost", "cost_gap_grid",
           "CostGapGrid"]


def _floats(v, name, nonzero=True):
    try:
        a = np.asarray(v, dtype=float) if not isinstance(v, (str, bytes)) else None
    except (TypeError, ValueError, OverflowError):
        raise ArgumentError(f"Argument {name!r} must be a 1-D array of real numbers, not "
                            f"{show(v)}.") from None
    if a is None or a.ndim != 1 or a.size == 0:
        raise ShapeError(f"Argument {name!r} must be a non-empty 1-D array, not {show(v)}.")
    if not np.all(np.isfinite(a)):
        raise NonFiniteError(f"Argument {name!r} must be finite; it contains NaN or infinity.")
    if nonzero and not np.any(a):
        raise ArgumentError(f"Argument {name!r} must have a nonzero entry, not be all zero: "
                            "the normalisation N(.) = 1 is undefined for the zero signal.")
    return a


def _conv(x, h, circular):
    if circular:
        return np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(h)))
    return np.convolve(x, h)


def _corr(r, v, n, circular):
    """Adjoint of ``u ↦ u ∗ v`` (u of length n) applied to ``r``."""
    if circular:
        return np.real(np.fft.ifft(np.fft.fft(r) * np.conj(np.fft.fft(v))))
    return np.correlate(r, v, mode="valid")[:n] if len(r) >= len(v) else \
        np.array([np.dot(r[k:k + len(v)], v) for k in range(n)])


def _norm(v, norm):
    return float(np.sum(np.abs(v))) if norm == "l1" else float(np.linalg.norm(v))


def _real(v, name):
    """``v`` as a finite float (typed error otherwise)."""
    try:
        f = float(v) if not isinstance(v, (str, bytes, bool)) else math.nan
    except (TypeError, ValueError, OverflowError):
        f = math.nan
    if not math.isfinite(f):
        raise ArgumentError(f"Argument {name!r} must be a finite real number, not {show(v)}.")
    return f


def ray_cost(y, q_cost, lam):
    """Minimum over ``t ≥ 0`` of ``½‖y‖²(1 − t)² + λ t Q`` (an exact pair of ℓ1 cost ``Q``
    scaled by t): ``λQ − λ²Q²/(2‖y‖²)`` when ``λQ < ‖y‖²``, else ``½‖y‖²``.

    >>> ray_cost([3, 4], 5, 1.0), ray_cost([3, 4], 7, 1.0)
    (4.5, 6.02)
    """
    y, q_cost, lam = _floats(y, "y", nonzero=False), _real(q_cost, "q_cost"), _real(lam, "lam")
    Y = float(np.dot(y, y))
    return lam * q_cost - (lam * q_cost) ** 2 / (2 * Y) if lam * q_cost < Y else Y / 2


def global_cost(y, lam, norm="l2"):
    """The global minimum of ``½‖y − x ∗ h‖² + λ‖x‖₁`` s.t. ``N(h) = 1`` (any lengths letting
    a Dirac pair be feasible): ``min_z ½‖y − z‖² + λ N(z)``, attained by the Dirac pair
    ``(N(z) δ, z / N(z))``.

    Indeed ``N(x ∗ h) ≤ ‖x‖₁ N(h) = ‖x‖₁`` for every feasible pair.  For ``N = ℓ2`` the
    minimiser is ``z = (1 − λ/‖y‖)₊ y`` (on the ray of ``y``: the trivial pair); for ``N = ℓ1``
    it is the soft thresholding of ``y``, which is *not* on the ray of ``y`` when the entries
    of ``y`` differ in size.

    >>> global_cost([3, 4], 1.0), round(global_cost([3, 4], 1.0, "l1"), 6)
    (4.5, 6.0)
    """
    y, lam = _floats(y, "y", nonzero=False), _real(lam, "lam")
    if not isinstance(norm, str) or norm not in ("l2", "l1"):
        raise ArgumentError(f"Argument 'norm' must be 'l2' or 'l1', not {show(norm)}.")
    if norm == "l1":
        return float(np.sum(np.minimum(0.5 * y * y, lam * np.abs(y) - lam * lam / 2)))
    return ray_cost(y, float(np.linalg.norm(y)), lam)


@dataclass(frozen=True)
class DeconvTrajectory:
    """The iterates' costs: ``objective[k] = ½‖y − x_k ∗ h_k‖² + λ‖x_k‖₁`` (``N(h_k) = 1``),
    ``dirac[k] = ‖x_k‖_∞ / ‖x_k‖₁`` (1 exactly for a Dirac), ``planted_cost`` and
    ``trivial_cost`` (best points of the planted and trivial rays), ``global_cost`` (the
    exact global minimum, :func:`global_cost`), the final ``x``, ``h``."""

    objective: np.ndarray
    dirac: np.ndarray
    planted_cost: float
    trivial_cost: float
    global_cost: float
    x: np.ndarray
    h: np.ndarray
    lam: float

    @property
    def reached_global(self):
        """The run ended at the global minimum (relative tolerance 1e-6)."""
        return bool(self.objective[-1] <= self.global_cost * (1 + 1e-6) + 1e-12)

    @property
    def below_planted(self):
        """The run ended strictly below the best point of the planted ray."""
        return bool(self.objective[-1] < self.planted_cost * (1 - 1e-9))


def deconv_descent(x0, h0, lam, norm="l2", circular=False, start="planted", iters=2000,
                   seed=0):
    """Alternating proximal gradient on ``½‖y − x ∗ h‖² + λ‖x‖₁`` with ``N(h) = 1``,
    ``y = x0 ∗ h0``.

    Parameters
    ----------
    x0, h0 : array_like of float
        The planted pair; ``y = x0 ∗ h0``.
    lam : float
        λ > 0.
    norm : {"l2", "l1"}
        The normalisation of ``h``.
    circular : bool
        Circular convolution (``x0``, ``h0`` of equal length ``n``; ``x``, ``h`` of length n).
        Linear: ``x`` has ``len(x0)`` taps, ``h`` has ``len(y)`` taps (the trivial pair is
        feasible), ``x ∗ h`` is compared with ``y`` padded by zeros.
    start : {"planted", "random"} or (x, h)
        The planted pair (normalised), a seeded random pair, or a given pair.
    iters : int
        Number of alternating steps (at most 10⁶).

    Returns
    -------
    DeconvTrajectory

    References
    ----------
    .. [1] A. Benichoux, E. Vincent, R. Gribonval, ICASSP 2013.

    Examples
    --------
    >>> t = deconv_descent([3, 0, 0, 4], [0.6, 0.8], lam=0.5, iters=500)
    >>> round(t.planted_cost, 4), round(t.trivial_cost, 4), round(t.global_cost, 4)
    (3.255, 2.375, 2.375)
    >>> t.below_planted, t.reached_global     # leaves the truth, stalls at a local minimum
    (True, False)
    >>> r = deconv_descent([3, 0, 0, 4], [0.6, 0.8], lam=0.5, iters=500, start="random", seed=1)
    >>> r.reached_global, [float(round(v, 6)) for v in r.x]       # the Dirac (‖y‖ − λ) δ
    (True, [4.5, 0.0, 0.0, 0.0])
    """
    circular = as_flag(circular, "circular")
    x0, h0 = _floats(x0, "x0"), _floats(h0, "h0")
    if not isinstance(norm, str) or norm not in ("l2", "l1"):
        raise ArgumentError(f"Argument 'norm' must be 'l2' or 'l1', not {show(norm)}.")
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or _real(lam, "lam") <= 0:
        raise ArgumentError(f"Argument 'lam' must be a positive finite number, not {show(lam)}.")
    if not isinstance(iters, int) or not 1 <= iters <= 10**6:
        raise ArgumentError(f"Argument 'iters' must be an integer in [1, 1000000], not {show(iters)}.")
    if circular and len(x0) != len(h0):
        raise ShapeError(f"Arguments 'x0' and 'h0' must have the same length for circular "
                         f"convolution, not {len(x0)} and {len(h0)}.")
    y = _conv(x0, h0, circular)
    n, m = len(x0), (len(x0) if circular else len(y))
    target = y if circular else np.concatenate([y, np.zeros(n - 1)])
    Y = float(y @ y)
    c0 = _norm(h0, norm)
    planted = ray_cost(y, float(np.sum(np.abs(x0))) * c0, lam)
    trivial = ray_cost(y, _norm(y, norm), lam)   # (N(y) δ, y / N(y)) has cost N(y)
    best = global_cost(y, lam, norm)
    x, h = _start(start, x0, h0, n, m, norm, seed)
    obj, dirac = [], []
    for _ in range(iters + 1):
        r = _conv(x, h, circular) - target
        obj.append(0.5 * float(r @ r) + lam * float(np.sum(np.abs(x))) * _norm(h, norm))
        dirac.append(float(np.max(np.abs(x)) / max(np.sum(np.abs(x)), 1e-300)))
        # x-block: ISTA on ½‖r‖² + (λ N(h)) ‖x‖₁, step 1/‖h‖₁² (‖h ∗ ·‖ ≤ ‖h‖₁)
        L = max(float(np.sum(np.abs(h))) ** 2, 1e-300)
        x = _soft(x - _corr(r, h, n, circular) / L, lam * _norm(h, norm) / L)
        if not np.any(x):
            break
        # h-block: proximal step on ½‖r‖² + (λ ‖x‖₁) N(h), step 1/‖x‖₁²
        r = _conv(x, h, circular) - target
        L = float(np.sum(np.abs(x))) ** 2
        h = _prox_norm(h - _corr(r, x, m, circular) / L, lam * float(np.sum(np.abs(x))) / L,
                       norm)
        if not np.any(h):
            break
    c = _norm(h, norm)
    x, h = (x * c, h / c) if c > 0 else (x * 0, h)
    return DeconvTrajectory(np.array(obj), np.array(dirac), planted, trivial, best, x, h,
                            float(lam))


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def _prox_norm(v, t, norm):
    """Proximal map of ``t N(·)``: soft thresholding (ℓ1) or block shrinkage (ℓ2)."""
    if norm == "l1":
        return _soft(v, t)
    nv = float(np.linalg.norm(v))
    return v * max(0.0, 1 - t / nv) if nv > 0 else v


def _start(start, x0, h0, n, m, norm, seed):
    if isinstance(start, str) and start == "planted":
        c = _norm(h0, norm)
        h = np.zeros(m)
        h[:len(h0)] = h0 / c
        return x0 * c, h
    if isinstance(start, str) and start == "random":
        rng = np.random.default_rng(seed)
        x, h = rng.standard_normal(n), rng.standard_normal(m)
        c = _norm(h, norm)
        return x * c, h / c
    if isinstance(start, (str, bytes, dict)) or not isinstance(start, (list, tuple)) \
            or len(start) != 2:
        raise ArgumentError(f"Argument 'start' must be 'planted', 'random' or a pair (x, h), "
                            f"not {show(start)}.")
    x, h = _floats(start[0], "start[0]"), _floats(start[1], "start[1]")
    if (len(x), len(h)) != (n, m):
        raise ShapeError(f"Argument 'start' must hold x of length {n} and h of length {m}, "
                         f"not {len(x)} and {len(h)}.")
    c = _norm(h, norm)
    return x * c, h / c


@dataclass(frozen=True)
class CostGapGrid:
    """Mean ℓ1/ℓ2 costs over random trials: ``planted[i, j]`` = mean ``‖x0‖₁‖h0‖₂`` and
    ``trivial[i, j]`` = mean ``‖y‖₂`` for ``sparsities[i]`` spikes and ``filter_lengths[j]``
    taps; ``wins[i, j]`` the fraction of trials where the trivial pair strictly wins."""

    sparsities: tuple
    filter_lengths: tuple
    planted: np.ndarray
    trivial: np.ndarray
    wins: np.ndarray
    length: int


def cost_gap_grid(length=64, sparsities=(1, 2, 4, 8, 16), filter_lengths=(1, 2, 4, 8, 16),
                  trials=50, seed=0):
    """Planted versus trivial cost (ℓ1 penalty, ℓ2 normalisation, linear convolution) as the
    sparsity and the filter length vary; Gaussian spikes and filters.

    >>> g = cost_gap_grid(32, (1, 4), (1, 4), trials=5)
    >>> bool((g.trivial <= g.planted + 1e-12).all()), g.wins[0].tolist(), g.wins[1].tolist()
    (True, [0.0, 0.0], [1.0, 1.0])
    """
    if not isinstance(length, int) or not 1 <= length <= 10**5:
        raise ArgumentError(f"Argument 'length' must be an integer in [1, 100000], not {show(length)}.")
    for name, ks in (("sparsities", sparsities), ("filter_lengths", filter_lengths)):
        if not isinstance(ks, (list, tuple)) or not ks or any(
                isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= length
                for k in ks):
            raise ArgumentError(f"Argument {name!r} must be a non-empty list of integers in "
                                f"[1, {length}], not {show(ks)}.")
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 10**6:
        raise ArgumentError(f"Argument 'trials' must be an integer in [1, 10**6], not "
                            f"{show(trials)}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ArgumentError(f"Argument 'seed' must be a non-negative int or None, not "
                            f"{show(seed)}.")
    rng = np.random.default_rng(seed)
    shape = (len(sparsities), len(filter_lengths))
    planted, trivial, wins = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, k in enumerate(sparsities):
        for j, m in enumerate(filter_lengths):
            for _ in range(trials):
                x = np.zeros(length)
                x[rng.choice(length, size=k, replace=False)] = rng.standard_normal(k)
                h = rng.standard_normal(m)
                p, t = np.sum(np.abs(x)) * np.linalg.norm(h), np.linalg.norm(np.convolve(x, h))
                planted[i, j] += p
                trivial[i, j] += t
                wins[i, j] += t < p * (1 - 1e-12)
    return CostGapGrid(tuple(sparsities), tuple(filter_lengths), planted / trials,
                       trivial / trials, wins / trials, length)

"""Numerical local search on a masked rank-one core (internal, uncertified by itself)."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from ._masked import MaskedCore

__all__ = ["local_minima", "local_search"]


def _fg(core, free, j0):
    def f(z):
        y = _y(z, free, j0, core.shape[1])
        try:
            return float(core.value(y, 0.0)), np.array(core.gradient(y, free, 0.0))
        except ZeroDivisionError:
            return np.inf, np.zeros(len(free))
    return f


def _y(z, free, j0, n):
    y = [0.0] * n
    y[j0] = 1.0
    for a, j in enumerate(free):
        y[j] = float(z[a])
    return y


def local_search(core: MaskedCore, starts=40, seed=0, deadline=None):
    """Multistart BFGS + Newton polish, the starts spread over the charts ``y_{j0} = 1``.

    Returns ``(minima, points)``: ``minima`` a list of ``(value, y)`` of Newton-polished
    critical points with distinct values (float, best first; ``y`` in the chart of its
    start, i.e. one entry equal to 1), ``points`` every finite BFGS end point ``(value,
    y)`` (upper-bound candidates even when no critical point is nearby, e.g. when the
    infimum is approached at the boundary of a chart).  ``deadline`` (monotonic seconds)
    stops the search early.
    """
    n = core.shape[1]
    if n == 1:
        v = float(core.value([1.0], 0.0))
        return [(v, [1.0])], [(v, [1.0])]
    rng = np.random.default_rng(seed)
    found, points = [], []
    for s in range(max(1, int(starts))):
        if deadline is not None and time.monotonic() > deadline and s > 0:
            break
        j0 = s % n                           # chart y_{j0} = 1 (chart 0 first)
        end, crit = _one_start(core, j0, rng, deadline)
        if end is not None:
            points.append(end)
        if crit is not None and all(abs(crit[0] - v) > 1e-7 * (1 + abs(v)) for v, _ in found):
            found.append(crit)
        if deadline is not None and time.monotonic() > deadline:
            break
    return sorted(found, key=lambda t: t[0]), sorted(points, key=lambda t: t[0])


def _one_start(core, j0, rng, deadline):
    """One random start in the chart ``y_{j0} = 1``: ``(end point, polished critical
    point)`` as ``(value, y)`` pairs, each None when not finite / not found (the polish is
    skipped past the deadline)."""
    n = core.shape[1]
    free = [j for j in range(n) if j != j0]
    z0 = rng.standard_normal(len(free)) * rng.choice([0.3, 1.0, 3.0])
    res = minimize(_fg(core, free, j0), z0, jac=True, method="BFGS",
                   callback=_stopper(deadline), options={"gtol": 1e-12, "maxiter": 500})
    end = (float(res.fun), _y(res.x, free, j0, n)) \
        if np.all(np.isfinite(res.x)) and np.isfinite(res.fun) else None
    if deadline is not None and time.monotonic() > deadline:
        return end, None                 # keep the end point, skip the Newton polish
    z = _newton(core, free, j0, res.x)
    if z is None:
        return end, None
    y = _y(z, free, j0, n)
    return end, (float(core.value(y, 0.0)), y)


def _stopper(deadline):
    """A scipy callback that stops the minimiser (``StopIteration``) past ``deadline``."""
    def callback(*_):
        if deadline is not None and time.monotonic() > deadline:
            raise StopIteration
    return callback


def local_minima(core: MaskedCore, starts=40, seed=0, deadline=None):
    """Polished local minima only (see :func:`local_search`), best first.

    Examples
    --------
    The masked 6-cycle of the spec: the global minimum 1.2772114616 and the spurious one
    4.6945235202 are among the points found (with others that drift to the boundary of a
    chart), and the gradient of ``F`` (in all coordinates: ``F`` is scale invariant)
    vanishes at both.

    >>> from fractions import Fraction as F
    >>> A, mask = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "110/011/101"
    >>> core = MaskedCore(tuple(tuple(F(v) for v in r) for r in A),
    ...                   tuple(tuple(c == "1" for c in r) for r in mask.split("/")))
    >>> found = local_minima(core, starts=30)
    >>> {1.277211, 4.694524} <= {round(v, 6) for v, _ in found}
    True
    >>> [max(abs(g) for g in core.gradient(y, [0, 1, 2], 0.0)) < 1e-10 for v, y in found
    ...  if round(v, 6) in (1.277211, 4.694524)]
    [True, True]
    """
    return local_search(core, starts, seed, deadline)[0]


def _newton(core, free, j0, z, steps=8):
    z = np.asarray(z, float)
    for _ in range(steps):
        try:
            y = _y(z, free, j0, core.shape[1])
            g = np.array(core.gradient(y, free, 0.0))
            H = np.array(core.hessian(y, free, 0.0))
            step = np.linalg.solve(H, g)
        except (ZeroDivisionError, np.linalg.LinAlgError):
            return None
        z = z - step
        if not np.all(np.isfinite(z)) or np.max(np.abs(z)) > 1e150:
            return None                      # diverging Newton: no critical point here
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(z))):
            break
    return z

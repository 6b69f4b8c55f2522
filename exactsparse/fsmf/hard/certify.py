"""Certified optimal value of small FSMF instances: an exact interval ``[lo, hi]``.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] N. Gillis, F. Glineur, "Low-rank matrix approximation with weights or missing data
   is NP-hard", SIAM J. Matrix Anal. Appl. 32(4) (2011), arXiv:1012.0197.
"""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import flint
import numpy as np

from ... import exact
from ...results.fsmf import CertifyResult
from ...exceptions import BudgetError, SizeLimitError
from ...supports import check_pair
from ._critical import Unresolved, critical_values, stratum_core
from ._local import local_search
from ._masked import MaskedCore
from .hardcore import lift_solution, reduce_fsmf

__all__ = ["certify_fsmf", "masked_bounds", "TOLERANCE"]

#: Relative width under which an interval with a proven attained minimum is "certified".
TOLERANCE = 1e-9


def _deadline(budget):
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0 \
            or not math.isfinite(budget):
        raise BudgetError(f"Argument 'budget' must be a positive number of seconds, not "
                          f"{budget!r}.")
    return time.monotonic() + float(budget)


def _lower(ball):
    return exact.arb_fraction(ball.lower())


def _upper(ball):
    return exact.arb_fraction(ball.upper())


def _upper_point(core, starts, seed, deadline=None):
    """Best point found by the multistart (polished minima and raw end points, starts in
    every chart ``y_{j0} = 1``), rationalized; exact value.  Returns (hi, x, y, candidates)
    with ``candidates`` the polished local minima."""
    cands, points = local_search(core, starts=starts, seed=seed, deadline=deadline)
    trials = [yf for _, yf in cands[:3]] + [yf for _, yf in points[:5]] + \
        [[1.0] * core.shape[1], _als_point(core, starts, seed, deadline)]
    best = _best_point(core, [[exact.rationalize(v, 1e-13) for v in yf] for yf in trials])
    return (*best, cands)


def _als_point(core, starts, seed, deadline=None):
    """``y`` of the best of a few masked rank-one alternating-least-squares runs
    (vectorised closed-form updates ``x = (W∘A) y / (W y²)`` and symmetrically; on large
    cores the chart-wise BFGS above can stall far from any good point)."""
    m, n = core.shape
    A = np.array([[float(v) for v in row] for row in core.A])
    W = np.array(core.omega, float)
    WA = W * A
    rng = np.random.default_rng(seed)
    best = (np.inf, np.ones(n))
    for _ in range(min(5, max(1, starts // 10))):
        y = rng.standard_normal(n)
        for it in range(500):
            x = (WA @ y) / np.maximum(W @ (y * y), 1e-300)
            y = (WA.T @ x) / np.maximum(W.T @ (x * x), 1e-300)
            if it % 50 == 0 and deadline is not None and time.monotonic() > deadline:
                break
        loss = float(((WA - W * np.outer(x, y)) ** 2).sum())
        if np.isfinite(loss) and loss < best[0]:
            best = (loss, y)
        if deadline is not None and time.monotonic() > deadline:
            break
    return [float(v) for v in best[1]]


def _best_point(core, trials):
    """``(loss, x, y)`` of the best exact point: each rational ``y`` with its optimal ``x``
    (least squares); None when every trial is zero."""
    best = None
    for y in trials:
        if not any(y):
            continue
        x = core.best_x(y)
        val = _exact_loss(core, x, y)
        if best is None or val < best[0]:
            best = (val, x, y)
    return best


def _exact_loss(core, x, y):
    m, n = core.shape
    return sum(((core.A[i][j] - x[i] * y[j]) ** 2 for i in range(m) for j in range(n)
                if core.omega[i][j]), Fraction(0))


def _strata_bounds(core, deadline):
    """Upper bounds ``B[J]`` on ``sup Q_J`` over each open stratum (see Notes of
    :func:`masked_bounds`), plus the critical F-balls and boundary F-bounds."""
    with exact.precision(256):
        return _strata_bounds_prec(core, deadline)


def _strata_bounds_prec(core, deadline):
    n = core.shape[1]
    total = core.norm_sq()
    B, crit_F, boundary_F = {}, [], []
    for size in range(1, n + 1):
        for J in itertools.combinations(range(n), size):
            if time.monotonic() > deadline:
                raise TimeoutError("budget exhausted")
            sub = stratum_core(core, J)
            nq = flint.arb(flint.fmpq(*_pq(sub.norm_sq())))
            best = Fraction(-1)
            for fball in critical_values(sub, deadline):
                qball = nq - fball
                best = max(best, _upper(qball))
                crit_F.append((J, flint.arb(flint.fmpq(*_pq(total))) - qball))
            bnd = max((B[Jp] + _sub_sup(core, Jp, J, deadline) for Jp in _proper(J)),
                      default=None)
            if bnd is not None:
                boundary_F.append((J, total - bnd))
            B[J] = max(best, bnd if bnd is not None else Fraction(-1))
    return B, crit_F, boundary_F


def _strata_bounds_either(core, deadline):
    """:func:`_strata_bounds` of ``core``, or of its transpose (the same problem) when
    ``core`` cannot be resolved and the transpose is within the size limit too."""
    if min(core.shape) > 3:
        raise SizeLimitError(f"the core is {core.shape[0]}x{core.shape[1]}: its smaller side "
                             f"exceeds the exact limit of 3 (two free chart variables)")
    try:
        return _strata_bounds(core, deadline)
    except (Unresolved, SizeLimitError) as exc:
        other = core.transpose()
        if other.shape[1] > 3 or other.shape == core.shape and other == core:
            raise exc
        return _strata_bounds(other, deadline)


def _proper(J):
    for size in range(1, len(J)):
        yield from itertools.combinations(J, size)


def _sub_sup(core, Jp, J, deadline):
    """Upper bound on the ``lim sup`` of the ``Q`` of the rows observing ``J`` but not
    ``J'`` along a sequence of the stratum ``J`` tending to the stratum ``J'``: those rows
    only see the vanishing coordinates ``J \\ J'``, whose direction is free, so their sum
    is at most ``sup Q`` of their sub-core, i.e. its norm minus a rigorous lower bound of
    its masked minimum (recursively; 0 when that cannot be computed, which is the
    Cauchy-Schwarz bound ``_z_sum``)."""
    rows = [i for i in range(core.shape[0]) if any(core.omega[i][j] for j in J)
            and not any(core.omega[i][j] for j in Jp)]
    cols = [j for j in J if j not in Jp and any(core.omega[i][j] for i in rows)]
    if not rows:
        return Fraction(0)
    return _z_sum(core, Jp, J) - _lower_only(_sub(core, rows, cols), deadline)


def _lower_only(core, deadline):
    """A rigorous lower bound of the masked minimum of ``core`` (sum over the components
    of the mask; a component that cannot be resolved contributes 0)."""
    lo = Fraction(0)
    for rows, cols in _mask_components(core):
        sub = _sub(core, rows, cols)
        if all(all(r) for r in sub.omega):
            B = exact.as_matrix([list(r) for r in sub.A])
            tail = exact.eigen_tail(B.transpose() * B, 1)
            rv = tail.rational_value()
            lo += rv if rv is not None else max(Fraction(0), _lower(tail.enclosure(prec=256)))
            continue
        oriented, _ = _orient(sub)
        try:
            Bs, _, _ = _strata_bounds(oriented, deadline)
        except (Unresolved, SizeLimitError):
            continue
        lo += max(Fraction(0), oriented.norm_sq() - max(Bs.values()))
    return lo


def _z_sum(core, Jp, J):
    """``sum ||a_{i, Omega_i ∩ J}||^2`` over rows observing J but not J'."""
    out = Fraction(0)
    for i in range(core.shape[0]):
        obs = [j for j in J if core.omega[i][j]]
        if obs and not any(core.omega[i][j] for j in Jp):
            out += sum((core.A[i][j] ** 2 for j in obs), Fraction(0))
    return out


def _pq(f):
    return int(f.numerator), int(f.denominator)


def _orient(core):
    return (core.transpose(), True) if core.shape[1] > core.shape[0] else (core, False)


def _within(lo, hi):
    """``hi - lo <= TOLERANCE * (1 + hi)``, compared exactly (as the checker does)."""
    return lo <= hi and hi - lo <= Fraction(TOLERANCE) * (1 + hi)


def _mask_components(core):
    """Connected components of the bipartite graph rows--columns of the observed entries,
    as ``(rows, cols)`` index lists (rows/columns without observed entries are dropped)."""
    m, n = core.shape
    parent = list(range(m + n))

    def find(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u
    for i in range(m):
        for j in range(n):
            if core.omega[i][j]:
                parent[find(i)] = find(m + j)
    comps = {}
    for i in range(m):
        if any(core.omega[i]):
            comps.setdefault(find(i), ([], []))[0].append(i)
    for j in range(n):
        if any(core.omega[i][j] for i in range(m)):
            comps.setdefault(find(m + j), ([], []))[1].append(j)
    return sorted(comps.values())


def _sub(core, rows, cols):
    return MaskedCore(tuple(tuple(core.A[i][j] for j in cols) for i in rows),
                      tuple(tuple(core.omega[i][j] for j in cols) for i in rows))


def _close(lo, hi):
    """The certification rule of a masked (component) interval: ``lo == hi`` exactly, or
    ``0 < lo`` and relative width at most :data:`TOLERANCE` (an interval ``[0, hi]`` with
    ``hi > 0`` is never certified: it cannot separate an attained minimum from a
    non-attained infimum 0, e.g. the LU example)."""
    return lo == hi or (lo > 0 and hi - lo <= Fraction(TOLERANCE) * (1 + hi))


def masked_bounds(core, budget=10.0, starts=40, seed=0):
    """Exact interval for ``min_{x,y} sum_Omega (A_ij - x_i y_j)^2`` of a masked core.

    Parameters
    ----------
    core : MaskedCore
    budget : float
        Seconds; the lower bound is skipped (``lo = 0``) when it runs out.
    starts, seed : int
        Multistart local search for the upper bound.

    Returns
    -------
    dict
        ``lo``, ``hi`` (Fractions), ``x``, ``y`` (exact point with loss ``hi``),
        ``attained`` (True when proven, else None), ``certified``, ``reason``,
        ``critical`` (floats of the critical values found).

    Notes
    -----
    The mask is first split into the connected components of its bipartite row/column
    graph: the problem is a sum of independent problems, one per component (each with its
    own scaling), so ``lo`` and ``hi`` are sums.  A fully observed component is a rank-one
    truncated SVD (exact eigenvalue tail).  On a connected component:
    variable projection: for fixed ``y`` the best ``x`` is a least-squares solution, so
    ``min L = inf_y F(y)``, ``F = ||A_Omega||^2 - Q``, ``Q(y) = sum_i s_i(y)^2 / d_i(y)``
    (rows with ``d_i = 0`` contribute 0 to ``Q``), scale invariant.  Stratify by
    ``J = supp(y)``.  On the open stratum ``(R*)^J`` the chart ``y_{J[0]} = 1`` is a full
    chart and every ``d_i > 0``.  Let ``y^t`` (unit norm) with ``Q_J(y^t) -> sup``; a limit
    point ``y*`` either lies in the stratum (then ``sup`` is attained at a critical point,
    enclosed by :mod:`._critical`) or has a smaller support ``J'``: rows observing ``J'``
    are continuous at ``y*``; the others only see the vanishing coordinates ``J \\ J'``,
    whose direction is free, so their sum is at most ``sup Q`` of their sub-core, i.e. its
    norm minus a rigorous lower bound of its own masked minimum (recursively; 0, the
    Cauchy-Schwarz bound, when unresolved): ``sup <= B(J') + that``.  Hence
    ``B(J) = max(critical values, boundary bounds)`` bounds ``sup Q_J`` and
    ``lo = ||A_Omega||^2 - max_J B(J)`` is a rigorous lower bound (non-compactness and
    vanishing denominators are exactly the boundary terms).  When every boundary bound is
    above ``hi`` the infimum is attained at a critical point (so ``attained = True``).
    When ``hi`` is 0 exactly (an exact fit was found), ``lo = hi = 0``.
    ``certified`` needs ``lo == hi`` or ``lo > 0`` with relative width at most
    :data:`TOLERANCE` (see :func:`_close`).
    A stratum where every gradient numerator vanishes identically has ``F`` constant on
    each orthant of the chart (its values at ``(1, ±1, ...)`` are the critical values); when
    a stratum cannot be resolved (a curve of critical points, a vanishing resultant) and
    the transposed core is within the limit too, the transpose (same problem) is used.
    Size limit: at most 3 variables on the smaller side of every component (two free chart
    variables).
    """
    deadline = time.monotonic() + budget
    m, n = core.shape
    out = {"lo": Fraction(0), "hi": Fraction(0), "attained": True, "certified": True,
           "critical": [], "boundary": [], "reason": ""}
    x, y = [Fraction(0)] * m, [Fraction(0)] * n
    reasons = []
    for rows, cols in _mask_components(core):
        sub = _sub(core, rows, cols)
        if all(all(r) for r in sub.omega):
            r = _full_rank_one(sub)
        else:
            r = _connected_bounds(sub, deadline, starts, seed)
        out["lo"] += r["lo"]
        out["hi"] += r["hi"]
        out["critical"] += r.get("critical", [])
        out["boundary"] += r.get("boundary", [])
        if r["attained"] is not True:
            out["attained"] = None
        out["certified"] = out["certified"] and r["certified"]
        if r["reason"]:
            reasons.append(r["reason"])
        for a, i in enumerate(rows):
            x[i] = r["x"][a]
        for b, j in enumerate(cols):
            y[j] = r["y"][b]
    if out["lo"] == out["hi"]:
        out["attained"], out["certified"] = True, True
        reasons = []
    if not out["certified"]:
        out["attained"] = out["attained"] if out["attained"] is True else None
    out["reason"] = "; ".join(reasons)
    out["x"], out["y"] = x, y
    return out


def _full_rank_one(core):
    """A fully observed component: best rank-one approximation (exact eigenvalue tail)."""
    A = [list(r) for r in core.A]
    B = exact.as_matrix(A)
    tail = exact.eigen_tail(B.transpose() * B, 1)
    rv = tail.rational_value()
    lo = rv if rv is not None else max(Fraction(0), _lower(tail.enclosure(prec=256)))
    U, s, Vt = np.linalg.svd(np.array([[float(v) for v in r] for r in A]))
    trials = [[exact.rationalize(float(v), 1e-13) for v in Vt[0]]]
    trials += [list(r) for r in A if any(r)]          # exact when the rank is one
    best = _best_point(core, trials)
    if best is None:                                  # A = 0
        best = (Fraction(0), [Fraction(0)] * len(A), [Fraction(1)] * len(A[0]))
    hi, xv, yv = best
    if rv is not None and hi == rv:
        lo = hi
    return {"lo": lo, "hi": hi, "x": xv, "y": yv, "attained": True,
            "certified": _close(lo, hi),
            "reason": "" if _close(lo, hi) else "rank-one tail not closed"}


def _connected_bounds(core, deadline, starts, seed):
    oriented, flipped = _orient(core)
    hi, x, y, cands = _upper_point(oriented, starts, seed, deadline)
    out = {"hi": hi, "lo": Fraction(0), "attained": None, "certified": False,
           "critical": [], "boundary": [], "reason": ""}
    if hi == 0:
        out.update(lo=hi, attained=True, certified=True)
    else:
        try:
            B, crit, bnd = _strata_bounds_either(oriented, deadline)
            out["lo"] = max(Fraction(0), oriented.norm_sq() - max(B.values()))
            out["critical"] = sorted({round(float(b.mid()), 10) for _, b in crit})
            out["boundary"] = [float(v) for _, v in bnd]
            if out["lo"] == hi or all(v > hi for _, v in bnd):
                out["attained"] = True
                out["certified"] = _close(out["lo"], hi)
            if not out["certified"]:
                out["reason"] = "interval not closed (boundary bound below the upper " \
                                "bound, several critical values in it, or lower bound 0)"
        except (SizeLimitError, Unresolved, TimeoutError) as exc:
            out["reason"] = f"lower bound not computed: {exc}"
    out["x"], out["y"] = (y, x) if flipped else (x, y)
    return out


def _svd_part(part):
    """Exact interval for a rectangle with a class of size k (truncated SVD)."""
    A = [[v for v in row] for row in part.core.A]
    k = part.rank
    B = exact.as_matrix(A)
    tail = exact.eigen_tail(B.transpose() * B, k)
    ball = tail.enclosure(prec=256)
    rv = tail.rational_value()
    lo = rv if rv is not None else max(Fraction(0), _lower(ball))
    U, s, Vt = np.linalg.svd(np.array([[float(v) for v in r] for r in A]))
    Xp = [[exact.rationalize(U[i, t] * s[t], 1e-13) if t < len(s) else Fraction(0)
           for t in range(k)] for i in range(len(A))]
    Yp = [[exact.rationalize(Vt[t, j], 1e-13) if t < len(s) else Fraction(0)
           for t in range(k)] for j in range(len(A[0]))]
    hi = sum(((A[i][j] - sum((Xp[i][t] * Yp[j][t] for t in range(k)), Fraction(0))) ** 2
              for i in range(len(A)) for j in range(len(A[0]))), Fraction(0))
    if rv is not None and hi == rv:
        lo = hi
    return lo, hi, (Xp, Yp), True, _within(lo, hi)


def _part_interval(part, deadline, starts, seed, supports):
    if part.kind == "absorbed":
        return Fraction(0), Fraction(0), ((), ()), True, True, ""
    if part.kind == "svd":
        lo, hi, pts, att, cert = _svd_part(part)
        return lo, hi, pts, att, cert, ""
    if part.kind == "masked":
        left = max(0.05, deadline - time.monotonic())
        if deadline - time.monotonic() <= 0:
            left = 0.05
        mb = masked_bounds(part.core, budget=left, starts=starts, seed=seed)
        pts = ([[v] for v in mb["x"]], [[v] for v in mb["y"]])
        return mb["lo"], mb["hi"], pts, mb["attained"], mb["certified"], mb["reason"]
    hi, pts = _general_upper(part, supports, starts, seed)
    return Fraction(0), hi, pts, None, False, (
        "general core (several overlapping non-complete classes or a class of size > 1 "
        "with missing entries): no exact lower bound; upper bound from local search")


def _general_upper(part, supports, starts, seed):
    """Upper bound for a general core: the exact loss of a rationalised local minimiser
    (masked alternating least squares), or of the zero point if that is better."""
    from ..local import als
    I, J = supports
    core = part.core
    A = np.array([[float(v) for v in row] for row in core.A])
    Ip = I.array[np.ix_(part.rows, part.columns)]
    Jp = J.array[np.ix_(part.cols, part.columns)]
    X, Y, _ = als(A, Ip, Jp, mask=np.array(core.omega, bool), restarts=max(1, starts // 4),
                  seed=seed)
    Xq = [[exact.rationalize(float(v), 1e-12) if Ip[i, t] else Fraction(0)
           for t, v in enumerate(row)] for i, row in enumerate(X)]
    Yq = [[exact.rationalize(float(v), 1e-12) if Jp[j, t] else Fraction(0)
           for t, v in enumerate(row)] for j, row in enumerate(Y)]
    m, n = core.shape
    loss = sum(((core.A[i][j] - sum((Xq[i][t] * Yq[j][t] for t in range(part.rank)),
                                    Fraction(0))) ** 2
                for i in range(m) for j in range(n) if core.omega[i][j]), Fraction(0))
    zero = core.norm_sq()
    if loss <= zero:
        return loss, (Xq, Yq)
    return zero, ([[Fraction(0)] * part.rank for _ in part.rows],
                  [[Fraction(0)] * part.rank for _ in part.cols])


def certify_fsmf(A, I, J, budget=10.0, starts=40, seed=0):
    """Certified interval ``[lower, upper]`` for ``min ||A - X Y^T||_F^2`` on supports.

    Parameters
    ----------
    A : array_like of rationals, shape (m, n)
    I, J : Support-like, shapes (m, r), (n, r) (``X Y^T`` convention)
    budget : float
        Time budget in seconds (> 0); the exact lower bound stops when it runs out and the
        verdict is ``"unknown"`` with the best interval found.
    starts, seed : int
        Local search for the upper bound.

    Returns
    -------
    CertifyResult
        ``kind="fsmf.certify"``, ``verdict`` ``"certified"`` or ``"unknown"``; the
        certificate has ``lower``, ``upper`` (Fractions), ``X``, ``Y`` (an exact feasible
        point whose exact loss is ``upper``), ``attained``, ``certified``, ``parts``.

    Raises
    ------
    BudgetError
        ``budget`` not a positive number.
    ShapeError, SupportError, FloatInExactError
        Bad instance.

    Notes
    -----
    The instance is reduced to independent parts (:func:`reduce_fsmf`): complete classes
    are absorbed exactly, rectangles are truncated SVDs (exact value via the eigenvalue
    tail), masked rank-one cores get the stratified variable-projection bound of
    :func:`masked_bounds` — NP-hard in general [2]_, certified here when the smaller side
    has at most 3 rows/columns.  ``upper`` is the exact loss of the returned rational
    ``(X, Y)``; ``lower`` is the sum of the parts' rigorous lower bounds.  ``certified``
    means every part's minimum is proven attained and enclosed within a relative width of
    :data:`TOLERANCE`.

    Examples
    --------
    >>> A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
    >>> res = certify_fsmf(A, "1100/1010/1001", "1010/1001/1100", budget=30)
    >>> res.verdict, round(float(res.certificate["upper"]), 10)
    ('certified', 1.2772114616)
    >>> certify_fsmf(A, "1100/1010/1001", "1010/1001/1100", budget=0)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetError: Argument 'budget' must be a positive number of seconds, not 0.
    """
    deadline = _deadline(budget)
    red = reduce_fsmf(A, I, J)
    supports = check_pair(I, J)
    lo = hi = red.constant
    pieces, attained, certified, reasons, parts = [], True, True, [], []
    for part in red.parts:
        plo, phi, pts, att, cert, why = _part_interval(part, deadline, starts, seed, supports)
        if plo == phi:
            att, cert, why = True, True, ""
        lo, hi = lo + plo, hi + phi
        pieces.append(pts)
        attained = attained if att is True else (None if attained is not False else False)
        certified = certified and cert
        if why:
            reasons.append(why)
        parts.append({"kind": part.kind, "lower": plo, "upper": phi, "certified": cert,
                      "columns": list(part.columns), "cells": [list(c) for c in part.cells]})
    certified = certified and _within(lo, hi)
    if lo == hi:
        certified, attained = True, True
    X, Y = lift_solution(red, I, J, pieces)
    cert = {"lower": lo, "upper": hi, "X": X, "Y": Y,
            "attained": True if certified and attained is True else None,
            "certified": certified, "constant": red.constant, "parts": parts,
            "reason": "; ".join(reasons) if not certified else ""}
    return CertifyResult(kind=CertifyResult.KIND, verdict="certified" if certified else "unknown",
                  certificate=cert, theorem="fsmf.certify", backend="flint")

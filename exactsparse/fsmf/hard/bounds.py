"""Exact intervals ``[lo, hi]`` for the minimum of one part of a reduced FSMF instance.

A *masked* part is rank-one approximation with missing entries (NP-hard, Gillis &
Glineur [2]_): :func:`masked_bounds` gives an exact upper bound (the exact loss of a
rational point) and a rigorous lower bound (variable projection and stratification, see
its Notes).  A *svd* part (one class on a full rectangle) is a truncated SVD:
:func:`svd_interval` gives its exact value as an interval (eigenvalue tail) and a rational
point.  :func:`~exactsparse.fsmf.hard.certify_fsmf` sums these intervals over the parts of
:func:`~exactsparse.fsmf.hard.reduce_fsmf` (Le, Riccietti & Gribonval [1]_).

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
import time
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ... import exact
from ...exceptions import ExactTypeError, SizeLimitError, show
from ._common import arb_of, bipartite_labels, check_budget, lower, orient, upper
from ._critical import Unresolved, critical_values, stratum_core
from ._local import local_search
from ._masked import MaskedCore

__all__ = ["TOLERANCE", "MaskedBounds", "PartInterval", "UpperPoint", "masked_bounds",
           "svd_interval", "upper_point", "within", "within_relative", "close"]

#: Relative width under which an interval with a proven attained minimum is "certified".
TOLERANCE = 1e-9

#: Why a connected masked component with a lower bound is not certified.
_NOT_CLOSED = ("interval not closed (boundary bound below the upper bound, several critical "
               "values in it, or lower bound 0)")


@dataclass(frozen=True)
class MaskedBounds:
    """The interval of :func:`masked_bounds` (also readable as ``mb["lo"]`` etc.).

    Attributes
    ----------
    lo, hi : Fraction
        Rigorous lower bound; exact loss of ``(x, y)``.
    x, y : tuple of Fraction
        An exact point with loss ``hi``.
    attained : True or None
        True when the minimum is proven attained.
    certified : bool
        ``lo == hi``, or ``lo > 0``, attained and relative width at most :data:`TOLERANCE`.
    reason : str
        Why not certified ("" when certified).
    critical : tuple of float
        The critical values found (rounded midpoints of their balls).
    boundary : tuple of float
        The boundary bounds of the strata.
    """

    lo: Fraction
    hi: Fraction
    x: tuple
    y: tuple
    attained: object
    certified: bool
    reason: str = ""
    critical: tuple = ()
    boundary: tuple = ()

    def __getitem__(self, key):
        """The field ``key`` (the keys of the dict this type replaces)."""
        if key not in _MB_FIELDS:
            raise KeyError(key)
        return getattr(self, key)


_MB_FIELDS = frozenset(f.name for f in fields(MaskedBounds))


class PartInterval(NamedTuple):
    """Interval of one part: ``lower <= min <= upper``; ``points`` = ``(Xp, Yp)`` (rows of
    the part x its factor columns) with exact loss ``upper``; ``attained`` True or None;
    ``bnb`` the branch-and-bound certificate of ``lower`` when that route gave it."""

    lower: Fraction
    upper: Fraction
    points: tuple
    attained: object
    certified: bool
    reason: str = ""
    bnb: object = None


class UpperPoint(NamedTuple):
    """An exact point ``(x, y)`` of a masked core with exact loss ``value``, and the float
    local minima ``candidates`` (``(value, y)``, best first) found on the way."""

    value: Fraction
    x: list
    y: list
    candidates: list


def within(lo, hi, tol=TOLERANCE):
    """``lo <= hi`` and ``hi - lo <= tol * (1 + hi)`` (default :data:`TOLERANCE`), compared
    exactly (as the checker does).

    >>> within(Fraction(1), Fraction(1) + Fraction(1, 10**12)), within(Fraction(0), Fraction(1))
    (True, False)
    """
    return lo <= hi and hi - lo <= Fraction(tol) * (1 + hi)


def within_relative(lo, hi, tol=TOLERANCE):
    """``lo <= hi`` and ``hi - lo <= tol * hi``: the width relative to the upper bound
    (a scale-invariant rule, that of a whole :func:`~.certify.certify_fsmf` interval: an
    interval of ``s^2`` times the values is within it exactly when the interval is), or
    ``lo == hi``.

    >>> within_relative(Fraction(8), Fraction(8) + Fraction(1, 10**9))
    True
    >>> within_relative(Fraction(8, 10**10), Fraction(80196, 10**14))
    False
    """
    return lo == hi or (lo <= hi and hi - lo <= Fraction(tol) * hi)


def close(lo, hi, tol=TOLERANCE):
    """The certification rule of a masked (component) interval: ``lo == hi`` exactly, or
    ``0 < lo`` and relative width at most :data:`TOLERANCE` (an interval ``[0, hi]`` with
    ``hi > 0`` is never certified: it cannot separate an attained minimum from a
    non-attained infimum 0, e.g. the LU example)."""
    return lo == hi or (lo > 0 and hi - lo <= Fraction(tol) * (1 + hi))


def _exact_loss(core, x, y):
    m, n = core.shape
    return sum(((core.A[i][j] - x[i] * y[j]) ** 2 for i in range(m) for j in range(n)
                if core.omega[i][j]), Fraction(0))


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


def _tail_lower(A, k):
    """``(lo, rv)``: a rigorous lower bound on ``sum_{t > k} sigma_t(A)^2`` (the exact
    eigenvalue tail of ``A^T A``) and its rational value, or None when irrational."""
    B = exact.as_matrix([list(r) for r in A])
    tail = exact.eigen_tail(B.transpose() * B, k)
    rv = tail.rational_value()
    return (rv if rv is not None else max(Fraction(0), lower(tail.enclosure(prec=256)))), rv


def upper_point(core, starts, seed, deadline=None):
    """Best exact point of a masked core found by local search (its loss is an upper bound).

    Multistart BFGS in every chart ``y_{j0} = 1`` (polished minima and raw end points), a
    few masked alternating-least-squares runs and ``y = 1``; each ``y`` is rationalized and
    paired with its least-squares ``x``, and the exact loss is computed.

    Parameters
    ----------
    core : MaskedCore
    starts, seed : int
        Number of starts of the local search; random seed.
    deadline : float, optional
        :func:`time.monotonic` time after which the search stops early.

    Returns
    -------
    UpperPoint
        ``(value, x, y, candidates)``: ``value`` is the exact masked loss of ``(x, y)``.

    See Also
    --------
    masked_bounds : uses it for ``hi``.

    Examples
    --------
    >>> from exactsparse.fsmf.hard import masked_loss
    >>> A, mask = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "110/011/101"
    >>> core = MaskedCore(tuple(tuple(Fraction(v) for v in r) for r in A),
    ...                   tuple(tuple(c == "1" for c in r) for r in mask.split("/")))
    >>> up = upper_point(core, starts=10, seed=0)
    >>> up.value == masked_loss(A, mask, up.x, up.y), round(float(up.value), 6)
    (True, 1.277211)
    """
    cands, points = local_search(core, starts=starts, seed=seed, deadline=deadline)
    trials = [yf for _, yf in cands[:3]] + [yf for _, yf in points[:5]] + \
        [[1.0] * core.shape[1], _als_point(core, starts, seed, deadline)]
    best = _best_point(core, [[exact.rationalize(v, 1e-13) for v in yf] for yf in trials])
    return UpperPoint(*best, cands)


def _als_point(core, starts, seed, deadline=None):
    """``y`` of the best of a few masked rank-one alternating-least-squares runs
    (vectorised closed-form updates ``x = (W∘A) y / (W y²)`` and symmetrically; on large
    cores the chart-wise BFGS above can stall far from any good point)."""
    A = np.array([[float(v) for v in row] for row in core.A])
    W = np.array(core.omega, float)
    WA = W * A
    rng = np.random.default_rng(seed)
    best = (np.inf, np.ones(core.shape[1]))
    for _ in range(min(5, max(1, starts // 10))):
        x, y = _als_run(WA, W, rng.standard_normal(core.shape[1]), deadline)
        loss = float(((WA - W * np.outer(x, y)) ** 2).sum())
        if np.isfinite(loss) and loss < best[0]:
            best = (loss, y)
        if _past(deadline):
            break
    return [float(v) for v in best[1]]


def _als_run(WA, W, y, deadline):
    """At most 500 alternating updates from ``y`` (the deadline checked every 50)."""
    for it in range(500):
        x = (WA @ y) / np.maximum(W @ (y * y), 1e-300)
        y = (WA.T @ x) / np.maximum(W.T @ (x * x), 1e-300)
        if it % 50 == 0 and _past(deadline):
            break
    return x, y


def _past(deadline):
    return deadline is not None and time.monotonic() > deadline


# --- lower bound: stratification by the support of y (see Notes of masked_bounds) ---

def _strata_bounds(core, deadline):
    """Upper bounds ``B[J]`` on ``sup Q_J`` over each open stratum (see Notes of
    :func:`masked_bounds`), plus the critical F-balls and boundary F-bounds."""
    with exact.precision(256):
        n = core.shape[1]
        total = core.norm_sq()
        B, crit_F, boundary_F = {}, [], []
        for J in (J for size in range(1, n + 1) for J in itertools.combinations(range(n), size)):
            if time.monotonic() > deadline:
                raise TimeoutError("budget exhausted")
            best, crit = _stratum_critical(core, J, deadline)
            crit_F.extend((J, arb_of(total) - qball) for qball in crit)
            bnd = max((B[Jp] + _sub_sup(core, Jp, J, deadline) for Jp in _proper(J)),
                      default=None)
            if bnd is not None:
                boundary_F.append((J, total - bnd))
            B[J] = max(best, bnd if bnd is not None else Fraction(-1))
        return B, crit_F, boundary_F


def _stratum_critical(core, J, deadline):
    """``(max upper end, balls)`` of ``Q = ||A||^2 - F`` at the critical points of the
    open stratum ``J`` (-1 when there are none)."""
    sub = stratum_core(core, J)
    nq = arb_of(sub.norm_sq())
    qballs = [nq - fball for fball in critical_values(sub, deadline)]
    return max([Fraction(-1)] + [upper(q) for q in qballs]), qballs


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
            lo += _tail_lower(sub.A, 1)[0]
            continue
        oriented, _ = orient(sub)
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


def _mask_components(core):
    """Connected components of the bipartite graph rows--columns of the observed entries,
    as ``(rows, cols)`` index lists (rows/columns without observed entries are dropped)."""
    m, n = core.shape
    lab = bipartite_labels(((i, j) for i in range(m) for j in range(n) if core.omega[i][j]),
                           m, n)
    comps = {}
    for i in (i for i in range(m) if any(core.omega[i])):
        comps.setdefault(lab[i], ([], []))[0].append(i)
    for j in (j for j in range(n) if any(core.omega[i][j] for i in range(m))):
        comps.setdefault(lab[m + j], ([], []))[1].append(j)
    return sorted(comps.values())


def _sub(core, rows, cols):
    return MaskedCore(tuple(tuple(core.A[i][j] for j in cols) for i in rows),
                      tuple(tuple(core.omega[i][j] for j in cols) for i in rows))


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
    MaskedBounds
        ``lo``, ``hi`` (Fractions), ``x``, ``y`` (exact point with loss ``hi``),
        ``attained`` (True when proven, else None), ``certified``, ``reason``,
        ``critical`` (floats of the critical values found), ``boundary``.  The fields
        also read as ``mb["lo"]``.

    See Also
    --------
    certify_fsmf : the interval of a whole FSMF instance (sums of part intervals).
    svd_interval : the interval of a rectangle part.
    masked_to_fsmf : the FSMF instance with the same optimum.

    Notes
    -----
    The problem is NP-hard in general [2]_; the lower bound below is implemented when the
    smaller side of every component has at most 3 rows/columns.
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
    :data:`TOLERANCE`.
    A stratum where every gradient numerator vanishes identically has ``F`` constant on
    each orthant of the chart (its values at ``(1, ±1, ...)`` are the critical values); when
    a stratum cannot be resolved (a curve of critical points, a vanishing resultant) and
    the transposed core is within the limit too, the transpose (same problem) is used.

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, SIAM J. Matrix Anal. Appl. (2023),
       arXiv:2112.00386.
    .. [2] N. Gillis, F. Glineur, SIAM J. Matrix Anal. Appl. 32(4) (2011),
       arXiv:1012.0197.

    Examples
    --------
    The masked 6-cycle of the spec (global minimum 1.2772114616): ``hi`` is the exact loss
    of the returned point and ``lo <= hi`` is within the tolerance.

    >>> from exactsparse.fsmf.hard import masked_loss
    >>> A, mask = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "110/011/101"
    >>> core = MaskedCore(tuple(tuple(Fraction(v) for v in r) for r in A),
    ...                   tuple(tuple(c == "1" for c in r) for r in mask.split("/")))
    >>> mb = masked_bounds(core, budget=30)
    >>> mb.hi == masked_loss(A, mask, mb.x, mb.y), mb.lo <= mb.hi, within(mb.lo, mb.hi)
    (True, True, True)
    >>> mb.certified, round(float(mb["lo"]), 10)
    (True, 1.2772114616)
    """
    if not isinstance(core, MaskedCore):
        raise ExactTypeError(f"Argument 'core' must be a MaskedCore, not {show(core)}.")
    deadline = time.monotonic() + check_budget(budget)
    comps = []
    for rows, cols in _mask_components(core):
        sub = _sub(core, rows, cols)
        if all(all(r) for r in sub.omega):
            comps.append((rows, cols, _full_rank_one(sub)))
        else:
            comps.append((rows, cols, _connected_bounds(sub, deadline, starts, seed)))
    return _sum_components(core.shape, comps)


def _sum_components(shape, comps):
    """One :class:`MaskedBounds` from those of independent components ``(rows, cols, r)``:
    sums of the intervals, the point put together, attained/certified when all are."""
    x, y = [Fraction(0)] * shape[0], [Fraction(0)] * shape[1]
    for rows, cols, r in comps:
        for a, i in enumerate(rows):
            x[i] = r.x[a]
        for b, j in enumerate(cols):
            y[j] = r.y[b]
    lo = sum((r.lo for _, _, r in comps), Fraction(0))
    hi = sum((r.hi for _, _, r in comps), Fraction(0))
    if lo == hi:
        return MaskedBounds(lo, hi, tuple(x), tuple(y), True, True, "",
                            _concat(r.critical for _, _, r in comps),
                            _concat(r.boundary for _, _, r in comps))
    return MaskedBounds(lo, hi, tuple(x), tuple(y),
                        True if all(r.attained is True for _, _, r in comps) else None,
                        all(r.certified for _, _, r in comps),
                        "; ".join(r.reason for _, _, r in comps if r.reason),
                        _concat(r.critical for _, _, r in comps),
                        _concat(r.boundary for _, _, r in comps))


def _concat(seqs):
    return tuple(v for s in seqs for v in s)


def _full_rank_one(core):
    """A fully observed component: best rank-one approximation (exact eigenvalue tail)."""
    A = [list(r) for r in core.A]
    lo, rv = _tail_lower(A, 1)
    U, s, Vt = np.linalg.svd(np.array([[float(v) for v in r] for r in A]))
    trials = [[exact.rationalize(float(v), 1e-13) for v in Vt[0]]]
    trials += [list(r) for r in A if any(r)]          # exact when the rank is one
    best = _best_point(core, trials)
    if best is None:                                  # A = 0
        best = (Fraction(0), [Fraction(0)] * len(A), [Fraction(1)] * len(A[0]))
    hi, xv, yv = best
    if rv is not None and hi == rv:
        lo = hi
    return MaskedBounds(lo, hi, tuple(xv), tuple(yv), True, close(lo, hi),
                        "" if close(lo, hi) else "rank-one tail not closed")


def _connected_bounds(core, deadline, starts, seed):
    """A connected component with missing entries: upper point, then the stratified lower
    bound (in the orientation with at most 3 columns)."""
    oriented, flipped = orient(core)
    hi, x, y, _ = upper_point(oriented, starts, seed, deadline)
    x, y = (tuple(y), tuple(x)) if flipped else (tuple(x), tuple(y))
    if hi == 0:
        return MaskedBounds(hi, hi, x, y, True, True)
    try:
        B, crit, bnd = _strata_bounds_either(oriented, deadline)
    except (SizeLimitError, Unresolved, TimeoutError) as exc:
        return MaskedBounds(Fraction(0), hi, x, y, None, False,
                            f"lower bound not computed: {exc}")
    lo = max(Fraction(0), oriented.norm_sq() - max(B.values()))
    attained = lo == hi or all(v > hi for _, v in bnd)
    certified = attained and close(lo, hi)
    return MaskedBounds(lo, hi, x, y, True if attained else None, certified,
                        "" if certified else _NOT_CLOSED,
                        tuple(sorted({round(float(b.mid()), 10) for _, b in crit})),
                        tuple(float(v) for _, v in bnd))


def svd_interval(part):
    """Exact interval for a rectangle part with a class of size ``k`` (truncated SVD).

    Parameters
    ----------
    part : Part
        A part of kind ``"svd"`` of :func:`~exactsparse.fsmf.hard.reduce_fsmf`.

    Returns
    -------
    PartInterval
        ``lower`` (exact eigenvalue tail ``sum_{t > k} sigma_t^2`` when rational, else a
        rigorous lower bound), ``upper`` (exact loss of the rationalized truncated SVD
        ``points``), ``attained=True``, ``certified`` (relative width at most
        :data:`TOLERANCE`).

    See Also
    --------
    masked_bounds : the interval of a masked rank-one part.

    Notes
    -----
    Eckart-Young: the minimum of ``||B - X Y^T||^2`` over rank ``k`` is the tail of the
    squared singular values, attained at the truncated SVD (Le et al. [1]_, the block-SVD
    step of the tractable families).

    Examples
    --------
    ``[[1, 2], [3, 4]]`` at rank one: the minimum ``sigma_2^2 = 15 - sqrt(221)`` (exact,
    compared by sympy) lies in the interval.

    >>> import sympy
    >>> from exactsparse.fsmf.hard import reduce_fsmf
    >>> iv = svd_interval(reduce_fsmf([[1, 2], [3, 4]], "1/1", "1/1").parts[0])
    >>> bool(sympy.Rational(iv.lower) <= 15 - sympy.sqrt(221) <= sympy.Rational(iv.upper))
    True
    >>> iv.certified
    True
    """
    A = [list(row) for row in part.core.A]
    k = part.rank
    lo, rv = _tail_lower(A, k)
    U, s, Vt = np.linalg.svd(np.array([[float(v) for v in r] for r in A]))
    Xp = [[exact.rationalize(U[i, t] * s[t], 1e-13) if t < len(s) else Fraction(0)
           for t in range(k)] for i in range(len(A))]
    Yp = [[exact.rationalize(Vt[t, j], 1e-13) if t < len(s) else Fraction(0)
           for t in range(k)] for j in range(len(A[0]))]
    hi = sum(((A[i][j] - sum((Xp[i][t] * Yp[j][t] for t in range(k)), Fraction(0))) ** 2
              for i in range(len(A)) for j in range(len(A[0]))), Fraction(0))
    if rv is not None and hi == rv:
        lo = hi
    return PartInterval(lo, hi, (Xp, Yp), True, within(lo, hi))

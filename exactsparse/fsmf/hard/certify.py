"""Certified optimal value of small FSMF instances: an exact interval ``[lower, upper]``.

The instance is reduced to independent parts (:func:`~exactsparse.fsmf.hard.reduce_fsmf`),
each part gets an exact interval (:mod:`.bounds`), and the part solutions are lifted back
to exact factors whose exact loss is ``upper``.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] N. Gillis, F. Glineur, "Low-rank matrix approximation with weights or missing data
   is NP-hard", SIAM J. Matrix Anal. Appl. 32(4) (2011), arXiv:1012.0197.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from ... import exact
from ...results.fsmf import CertifyResult
from ...supports import check_pair
from ...exceptions import ArgumentError, ToleranceError, show
from ..._budget import check_progress
from ._common import deadline
from .bounds import (TOLERANCE, PartInterval, close, masked_bounds, svd_interval, within,
                     within_relative)
from .family import (SAMPLE_T, Laurent, evaluate, laurent_terms, masked_zero_family,
                     part_has_no_exact_fit)
from .family_general import general_exact_fit, general_family
from .bnb import bnb_lower, problem_of_part
from .bnb_upper import exact_point, local_minima, plain_minima
from .hardcore import lift_solution, reduce_fsmf

__all__ = ["certify_fsmf", "masked_bounds", "TOLERANCE", "check_tol", "ToleranceError"]


def check_tol(tol):
    """``tol`` as a Fraction; :class:`ToleranceError` unless ``0 < tol < 1``.

    >>> check_tol(1e-9) == Fraction(1e-9)
    True
    >>> check_tol(1)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ToleranceError: Argument 'tol' must be a number in (0, 1), not 1.
    """
    if isinstance(tol, bool) or not isinstance(tol, (int, float, Fraction)) or \
            not 0 < tol < 1:
        raise ToleranceError(f"Argument 'tol' must be a number in (0, 1), not {show(tol)}.")
    return Fraction(tol)

#: Why a ``general`` part has no lower bound.
_GENERAL = ("general core (several overlapping non-complete classes or a class of size > 1 "
            "with missing entries): lower bound 0 unless the branch and bound improves it")


def _part_interval(part, end, starts, seed, supports, inst, tol=Fraction(TOLERANCE),
                   progress=None):
    """The :class:`~.bounds.PartInterval` of one part of the reduction (an interval
    ``lower == upper`` is attained and certified, unless it is closed by a family)."""
    if part.kind == "absorbed":
        iv = PartInterval(Fraction(0), Fraction(0), ((), ()), True, True)
    elif part.kind == "svd":
        iv = svd_interval(part)
    elif part.kind == "masked":
        mb = masked_bounds(part.core, budget=max(0.05, end - time.monotonic()),
                           starts=starts, seed=seed)
        iv = PartInterval(mb.lo, mb.hi, ([[v] for v in mb.x], [[v] for v in mb.y]),
                          mb.attained, mb.certified, mb.reason)
        if iv.lower == 0 < iv.upper:
            fam = _family_interval(part, end, inst, supports)
            if fam is not None:
                return fam
        if not iv.certified:
            iv = _bnb_interval(part, iv, end, inst, supports, tol, starts, seed, progress)
    else:
        hi, pts = _general_upper(part, supports, starts, seed,
                                 0.1 * max(0.0, end - time.monotonic()))
        point = (hi, pts)
        fam, best = _general_family_interval(part, end, inst, supports, seed, hi)
        if best is not None:            # a family whose loss tends to best[0] < hi
            hi, pts = best[0], best[1:]
        if fam is not None and fam.attained is False:
            return fam
        if fam is not None:             # infimum 0 with an exact fit over C: a rational one?
            fit = general_exact_fit(part.core.A, part.core.omega, *_local_supports(
                part, supports), budget=min(1.0, 0.1 * max(0.0, end - time.monotonic())),
                seed=seed)
            if fit is not None:
                return PartInterval(Fraction(0), Fraction(0), fit, True, True)
        iv = PartInterval(Fraction(0), hi, pts, None, False, _GENERAL)
        iv = _bnb_interval(part, iv, end, inst, supports, tol, starts, seed, progress, point)
        # a family with an exact fit over C: an exact point of loss 0 may still be found
        if fam is not None and not (iv.lower == iv.upper or iv.attained is True):
            return fam
    if iv.lower == iv.upper and iv.bnb is None:
        iv = iv._replace(attained=True, certified=True, reason="")
    return iv


def _bnb_interval(part, iv, end, inst, supports, tol, starts, seed, progress=None,
                  point=None):
    """Improve a part's interval by certified branch and bound (:mod:`.bnb`): a local
    search for a better exact point (general parts), then the lower bound; the part keeps
    the better of the two lower bounds and carries the certificate when it is the new
    one.  When ``iv`` is closed by a family (its upper bound a limit), the best exact
    point (``point = (loss, (X, Y))`` or one found here) replaces it when its loss is
    within the tolerance of the limit: a point, not a limit, can prove attainment."""
    I, J = supports
    p = problem_of_part(inst, I, J, part.cells, part.columns)
    hi, pts = iv.upper, iv.points
    if not _is_family(pts):
        point = (hi, pts)
    left = end - time.monotonic()
    if left > 0:
        # cheap plain-loss restarts first, then a short projected search in the charts
        found = plain_minima(p, 2 * starts, seed, time.monotonic() + 0.1 * left)[:3]
        found += local_minima(p, max(2, starts // 10), seed,
                              time.monotonic() + 0.05 * left)[:3]
        for _, Yf in found:
            loss, Xq, Yq = exact_point(p, Yf)
            if point is None or loss < point[0]:
                point = (loss, ((Yq, Xq) if p.transposed else (Xq, Yq)))
            if loss <= hi:
                hi, pts = point
    if _is_family(pts) and point is not None and within(hi, point[0], tol):
        hi, pts = point                 # the limit is met to the tolerance by a point
    left = end - time.monotonic()
    if left <= 0.05:
        return iv._replace(upper=hi, points=pts,
                           reason=(iv.reason + "; " if iv.reason else "") +
                           "no time left for branch and bound")
    bb = bnb_lower(p, hi, tol, left, progress=progress)
    if bb.lower < iv.lower or bb.lower > hi or (bb.lower == iv.lower and not bb.complete):
        reason = bb.reason or "branch-and-bound bound not better"
        return iv._replace(upper=hi, points=pts, reason="; ".join(x for x in (iv.reason, reason)
                                                                    if x))
    ok = within(bb.lower, hi, tol) and (part.kind != "masked" or bb.lower > 0)
    reason = "" if ok else (bb.reason or "branch-and-bound interval wider than the tolerance")
    # attained: proven by the branch and bound, or the exact point pts (loss hi) reaches
    # the proven lower bound (never for a family: its upper bound is a limit, met by no
    # point in general)
    family = _is_family(pts)
    attained = True if ok and (bb.attained or bb.lower == hi) and not family else None
    if ok and attained is None:
        reason = ("infimum closed by a family (upper: the limit of its loss) and branch and "
                  "bound; no point is known to reach it" if family else
                  "the branch and bound does not prove attainment and the exact point's loss "
                  "is above the lower bound")
    return PartInterval(bb.lower, hi, pts, attained, ok, reason, bb.certificate)


def _family_interval(part, end, inst, supports):
    """A masked part with lower bound 0 < upper: when a Laurent family with loss -> 0
    exists (:func:`~.family.masked_zero_family`), the infimum is 0 (:func:`_closed_at_zero`),
    else None."""
    fam = masked_zero_family(part.core)
    if fam is None:
        return None
    x, y = fam
    return _closed_at_zero(part, ([[v] for v in x], [[v] for v in y]), end, inst, supports)


def _general_family_interval(part, end, inst, supports, seed, hi):
    """``(interval, best)`` for a general part with upper bound ``hi``, from a short search
    of Laurent families (:func:`~.family_general.general_family`, at most 1 s or 10 % of the
    time left): a family with loss -> 0 closes the infimum at 0 (``interval``,
    :func:`_closed_at_zero`); a family whose loss tends to a limit below ``hi`` is returned
    as ``best = (limit, X, Y)``, a better upper bound for the branch and bound."""
    if hi <= 0:
        return None, None
    budget = min(1.0, 0.1 * max(0.0, end - time.monotonic()))
    best = general_family(part.core.A, part.core.omega, *_local_supports(part, supports),
                          budget=budget, seed=seed)
    if best is None or best[0] >= hi:
        return None, None
    if best[0] == 0:
        return _closed_at_zero(part, best[1:], end, inst, supports), None
    return None, best


def _local_supports(part, supports):
    """The supports restricted to the part's rows (columns) and factor columns."""
    I, J = supports
    return (I.array[np.ix_(part.rows, part.columns)].tolist(),
            J.array[np.ix_(part.cols, part.columns)].tolist())


def _closed_at_zero(part, points, end, inst, supports):
    """The interval ``[0, 0]`` (certified) of a part closed by the Laurent family
    ``points = (Xp, Yp)``: not attained (``attained`` False) when the Gröbner basis of the
    part's exact-fit system is ``[1]``, undecided (None) otherwise."""
    I, J = supports
    ok, one = part_has_no_exact_fit(inst, I, J, part.cells, part.columns,
                                    max(0.5, end - time.monotonic()))
    attained = False if ok and one else None
    reason = "" if attained is False else (
        "infimum 0 closed by a family; "
        + ("an exact fit exists over the complex numbers, none found over the rationals"
           if ok else one))
    return PartInterval(Fraction(0), Fraction(0), points, attained, True, reason)


def _general_upper(part, supports, starts, seed, budget=None):
    """Upper bound for a general core: the exact loss of a rationalised local minimiser
    (masked alternating least squares), or of the zero point if that is better."""
    from ..local import als
    I, J = supports
    core = part.core
    A = np.array([[float(v) for v in row] for row in core.A])
    Ip, Jp = map(np.array, _local_supports(part, supports))
    X, Y, _ = als(A, Ip, Jp, mask=np.array(core.omega, bool), restarts=max(1, starts // 4),
                  seed=seed, budget=budget)
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


def certify_fsmf(A, I, J, budget=10.0, starts=40, seed=0, tol=TOLERANCE, progress=None):
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
    tol : float
        Relative width ``upper - lower <= tol * upper`` under which the interval is
        certified (scale invariant: ``s A`` is certified when ``A`` is; each part's
        interval also within ``tol * (1 + part upper)``); ``0 < tol < 1`` (default
        :data:`TOLERANCE` = 1e-9).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` (see
        :func:`~exactsparse._budget.check_progress`): ``("parts", k, n)`` as the parts of
        the reduction are bounded and ``("boxes", count, None)`` during branch and bound.

    Returns
    -------
    CertifyResult
        ``kind="fsmf.certify"``, ``verdict`` ``"certified"`` or ``"unknown"``; the
        certificate has ``lower``, ``upper`` (Fractions), ``X``, ``Y`` (an exact feasible
        point whose exact loss is ``upper``), ``attained``, ``certified``, ``constant``,
        ``parts`` (per-part intervals), ``tol`` and ``reason``.  ``attained`` is True
        when the optimum is certified and attained, False when the interval closes at an
        infimum that is proven not attained (then ``family`` holds the exact Laurent
        family ``X(t)``, ``Y(t)`` whose loss tends to ``upper`` as ``t -> 0+``, ``X``,
        ``Y`` are its value at ``t = 1/1000`` and the parts concerned carry
        ``attained: False`` and ``groebner_is_one: True``), None when undecided.

    Raises
    ------
    BudgetError
        ``budget`` not a positive number.
    ToleranceError
        ``tol`` not in ``(0, 1)``.
    ShapeError, SupportError, FloatInExactError
        Bad instance.
    ArgumentError
        The largest entry of ``A`` is above 1e100 or below 1e-100 in magnitude
        (:data:`MAX_MAGNITUDE`; the bounds use float enclosures).

    See Also
    --------
    reduce_fsmf : the parts whose intervals are summed.
    masked_bounds : the interval of a masked rank-one part.
    find_spurious_minima, check_attainment : the other hard-FSMF decisions.
    exactsparse.verify : re-checks the certificate independently.

    Notes
    -----
    The instance is reduced to independent parts (:func:`reduce_fsmf`, Le, Riccietti &
    Gribonval [1]_): complete classes are absorbed exactly, rectangles are truncated SVDs
    (exact value via the eigenvalue tail), masked rank-one cores get the stratified
    variable-projection bound of :func:`masked_bounds` — NP-hard in general (Gillis &
    Glineur [2]_; FSMF too, Le et al. [1]_), certified here when the smaller side has at
    most 3 rows/columns.  ``upper`` is the exact loss of the returned rational ``(X, Y)``;
    ``lower`` is the constant plus the sum of the parts' rigorous lower bounds.
    ``certified`` means every part's minimum is proven attained and enclosed within a
    relative width of :data:`TOLERANCE`.

    **Non-attainment of infima > 0.**  The parts use disjoint factor columns and disjoint
    cells, so the loss is ``L = c + sum_p L_p(v_p)`` with ``c`` the constant (entries no
    support reaches, complete classes) and ``L_p`` depending only on the part's variables
    ``v_p``.  Hence ``inf L = c + sum_p inf L_p``, and if ``L(v) = inf L`` then, since every
    ``L_p(v_p) >= inf L_p``, each ``L_p(v_p) = inf L_p``: the infimum of ``L`` is attained
    iff every part's is.  So when one part is closed by a family (infimum 0) and has no
    exact fit (Gröbner basis ``[1]``, so ``L_p > 0`` everywhere), the whole infimum is not
    attained, whatever the other parts and the constant are: ``attained`` is False with
    ``lower = c + (the other parts' lower bounds) > 0`` possible (e.g. the LU block next
    to an uncovered entry or to a rectangle with a nonzero SVD tail).  A ``general`` part
    (several overlapping classes) is closed the same way when the randomized search of
    :func:`~.family_general.general_zero_family` finds a family within a short slice of
    the budget (at most 1 s or 10 %), before the branch and bound; when its exact-fit
    system has a complex solution, an exact rational fit is searched
    (:func:`~.family_general.general_exact_fit`, ``attained`` True) and otherwise the
    branch and bound may still close it.  A family whose loss tends to a positive limit
    below the local search's value (:func:`~.family_general.general_family`) becomes the
    part's upper bound, closed from below by the branch and bound (``attained`` None: the
    limit of an infimum approached at infinity; an exact point within the tolerance of it
    is preferred).  Within one part, an infimum > 0 that is not attained is not detected
    (``attained`` None).

    Examples
    --------
    The spec's 3x3 instance (masked 6-cycle, global minimum 1.2772114616): ``lower`` is at
    most the exact loss of the returned exact ``X``, ``Y``, which equals ``upper``.

    >>> from exactsparse.fsmf.hard import supported_loss
    >>> A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    >>> res = certify_fsmf(A, I, J, budget=30)
    >>> c = res.certificate
    >>> c["lower"] <= supported_loss(A, I, J, c["X"], c["Y"]) == c["upper"]
    True
    >>> res.verdict, round(float(c["upper"]), 10)
    ('certified', 1.2772114616)

    The LU example: the infimum 0 is certified and not attained; the family's exact loss
    at ``t`` is ``t^2``, and no exact factorization exists (Gröbner basis ``[1]``).

    >>> res = certify_fsmf([[0, 1], [1, 0]], "10/11", "10/11", budget=30)
    >>> c = res.certificate
    >>> res.verdict, c["lower"], c["upper"], c["attained"]
    ('certified', Fraction(0, 1), Fraction(0, 1), False)
    >>> supported_loss([[0, 1], [1, 0]], "10/11", "10/11", c["X"], c["Y"])
    Fraction(1, 1000000)
    >>> certify_fsmf(A, I, J, budget=0)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetError: Argument 'budget' must be a positive number of seconds, not 0.
    """
    end = deadline(budget)
    tol = check_tol(tol)
    progress = check_progress(progress)
    red = reduce_fsmf(A, I, J)
    _check_magnitude(red.A)
    supports = check_pair(I, J)
    intervals = []
    for k, part in enumerate(red.parts):
        if progress is not None:
            progress("parts", k, len(red.parts))
        intervals.append(_retol(_part_interval(part, end, starts, seed, supports, red.A, tol,
                                               progress), part, tol))
    X, Y = lift_solution(red, I, J, [iv.points for iv in intervals])
    cert = _certificate(red, intervals, X, Y, tol)
    return CertifyResult(kind=CertifyResult.KIND,
                         verdict="certified" if cert["certified"] else "unknown",
                         certificate=cert, theorem="fsmf.certify", backend="flint")


#: Largest (and smallest nonzero) magnitude of the largest entry: the bounds are computed
#: with float enclosures of the loss (squares of entries, Gram determinants).
MAX_MAGNITUDE = Fraction(10) ** 100


def _check_magnitude(A):
    """Refuse matrices whose scale the float enclosures cannot represent."""
    big = max((abs(v) for row in A for v in row), default=Fraction(0))
    if big > MAX_MAGNITUDE or 0 < big * MAX_MAGNITUDE < 1:
        raise ArgumentError(
            f"Argument 'A' must have its largest entry between 1e-100 and 1e100 in "
            f"magnitude (the bounds use float enclosures), not about 1e{_log10(big)}; rescale "
            f"it: "
            f"the loss of s·A is s² times the loss of A.")


def _log10(x):
    """``round(log10(x))`` of a positive Fraction, without a float overflow."""
    return round((x.numerator.bit_length() - x.denominator.bit_length()) * 0.30103)


def _retol(iv, part, tol):
    """The part's ``certified`` flag under the user tolerance (the default rule of
    :mod:`.bounds` is with :data:`TOLERANCE`)."""
    if iv.lower == iv.upper or tol == Fraction(TOLERANCE) or iv.bnb is not None:
        return iv
    if part.kind == "masked":
        ok = iv.attained is True and close(iv.lower, iv.upper, tol)
    elif part.kind == "svd":
        ok = within(iv.lower, iv.upper, tol)
    else:
        ok = False
    return iv._replace(certified=ok)


def _is_family(points):
    """Do the points ``(X, Y)`` (of a part interval) hold Laurent entries (a family)?"""
    return any(isinstance(v, Laurent) for v in points[0] for v in v)


def _terms(M):
    return [[[[e, c] for e, c in laurent_terms(v)] for v in row] for row in M]


def _reasons(intervals, certified, lo, hi, tol):
    """The parts' reasons, and why the whole interval is not certified when every part
    is (its width relative to ``upper`` above ``tol``: values far below 1)."""
    out = [iv.reason for iv in intervals if iv.reason]
    if not certified and all(iv.certified for iv in intervals):
        out.insert(0, f"the width relative to the upper bound, {float((hi - lo) / hi):.3g}, "
                      f"is above tol = {float(tol):.3g} (each part is within tol (1 + its "
                      f"upper bound): a matrix of small entries; rescale it)")
    return out


def _certificate(red, intervals, X, Y, tol):
    """The certificate: sums of the part intervals plus the constant, the lifted point,
    and the rule ``certified`` = every part certified and the total within the tolerance
    (or ``lower == upper``); parts closed by a family carry ``family``/``attained``."""
    lo = red.constant + sum((iv.lower for iv in intervals), Fraction(0))
    hi = red.constant + sum((iv.upper for iv in intervals), Fraction(0))
    certified = lo == hi or (all(iv.certified for iv in intervals)
                                and within_relative(lo, hi, tol))
    fam = [_is_family(iv.points) for iv in intervals]
    if not certified:
        attained = None
    elif any(f and iv.attained is False for f, iv in zip(fam, intervals)):
        attained = False
    elif any(fam) or any(iv.attained is not True for iv in intervals):
        attained = None
    else:
        attained = True
    parts = []
    for part, iv, f in zip(red.parts, intervals, fam):
        d = {"kind": part.kind, "lower": iv.lower, "upper": iv.upper,
             "certified": iv.certified, "columns": list(part.columns),
             "cells": [list(c) for c in part.cells]}
        if f:
            d.update(family=True, attained=iv.attained,
                     groebner_is_one=iv.attained is False)
        if iv.bnb is not None:
            d.update(bnb=iv.bnb, attained=iv.attained)
        parts.append(d)
    cert = {"lower": lo, "upper": hi, "X": X, "Y": Y, "attained": attained,
            "certified": certified, "constant": red.constant, "parts": parts, "tol": tol,
            "reason": "; ".join(_reasons(intervals, certified, lo, hi, tol))
            if not certified or attained is None else ""}
    if any(fam):
        cert["family"] = {"t": SAMPLE_T, "X": _terms(X), "Y": _terms(Y)}
        cert["X"] = tuple(tuple(evaluate(v) for v in row) for row in X)
        cert["Y"] = tuple(tuple(evaluate(v) for v in row) for row in Y)
    return cert

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
from ._common import deadline
from .bounds import TOLERANCE, PartInterval, masked_bounds, svd_interval, within
from .hardcore import lift_solution, reduce_fsmf

__all__ = ["certify_fsmf", "masked_bounds", "TOLERANCE"]

#: Why a ``general`` part has no lower bound.
_GENERAL = ("general core (several overlapping non-complete classes or a class of size > 1 "
            "with missing entries): no exact lower bound; upper bound from local search")


def _part_interval(part, end, starts, seed, supports):
    """The :class:`~.bounds.PartInterval` of one part of the reduction (an interval
    ``lower == upper`` is attained and certified)."""
    if part.kind == "absorbed":
        iv = PartInterval(Fraction(0), Fraction(0), ((), ()), True, True)
    elif part.kind == "svd":
        iv = svd_interval(part)
    elif part.kind == "masked":
        mb = masked_bounds(part.core, budget=max(0.05, end - time.monotonic()),
                           starts=starts, seed=seed)
        iv = PartInterval(mb.lo, mb.hi, ([[v] for v in mb.x], [[v] for v in mb.y]),
                          mb.attained, mb.certified, mb.reason)
    else:
        hi, pts = _general_upper(part, supports, starts, seed)
        iv = PartInterval(Fraction(0), hi, pts, None, False, _GENERAL)
    if iv.lower == iv.upper:
        iv = iv._replace(attained=True, certified=True, reason="")
    return iv


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
        point whose exact loss is ``upper``), ``attained``, ``certified``, ``constant``,
        ``parts`` (per-part intervals) and ``reason``.

    Raises
    ------
    BudgetError
        ``budget`` not a positive number.
    ShapeError, SupportError, FloatInExactError
        Bad instance.

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
    >>> certify_fsmf(A, I, J, budget=0)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetError: Argument 'budget' must be a positive number of seconds, not 0.
    """
    end = deadline(budget)
    red = reduce_fsmf(A, I, J)
    supports = check_pair(I, J)
    intervals = [_part_interval(part, end, starts, seed, supports) for part in red.parts]
    X, Y = lift_solution(red, I, J, [iv.points for iv in intervals])
    cert = _certificate(red, intervals, X, Y)
    return CertifyResult(kind=CertifyResult.KIND,
                         verdict="certified" if cert["certified"] else "unknown",
                         certificate=cert, theorem="fsmf.certify", backend="flint")


def _certificate(red, intervals, X, Y):
    """The certificate: sums of the part intervals plus the constant, the lifted point,
    and the rule ``certified`` = every part certified and the total within the tolerance
    (or ``lower == upper``)."""
    lo = red.constant + sum((iv.lower for iv in intervals), Fraction(0))
    hi = red.constant + sum((iv.upper for iv in intervals), Fraction(0))
    certified = lo == hi or (all(iv.certified for iv in intervals) and within(lo, hi))
    attained = lo == hi or all(iv.attained is True for iv in intervals)
    parts = [{"kind": part.kind, "lower": iv.lower, "upper": iv.upper,
              "certified": iv.certified, "columns": list(part.columns),
              "cells": [list(c) for c in part.cells]}
             for part, iv in zip(red.parts, intervals)]
    return {"lower": lo, "upper": hi, "X": X, "Y": Y,
            "attained": True if certified and attained else None,
            "certified": certified, "constant": red.constant, "parts": parts,
            "reason": "" if certified else "; ".join(iv.reason for iv in intervals
                                                     if iv.reason)}

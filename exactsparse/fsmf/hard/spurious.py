"""Certified spurious local minima of FSMF (masked rank-one cores).

A local minimum of ``||A - X Y^T||^2`` on fixed supports is *spurious* when a feasible
point has a strictly smaller loss.  Outside the tractable families such minima exist (Le,
Riccietti & Gribonval [1]_); here they are certified by a Krawczyk uniqueness box for a
critical point of the variable-projected loss, a positive-definite Hessian enclosure and
an exact better point.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
   Fehlerschranken", Computing 4 (1969) 187-201.
"""

from __future__ import annotations

import time
from fractions import Fraction

import flint
import numpy as np

from ...results.fsmf import SpuriousResult
from ...exceptions import ArgumentError, show
from ..._budget import check_progress
from ._common import arb_of, deadline, lower, orient, upper
from .bounds import upper_point
from .hardcore import lift_solution, reduce_fsmf
from .spurious_boxes import krawczyk_inclusion, positive_definite, svd_summary

__all__ = ["find_spurious_minima", "krawczyk_check", "certified_minima"]

#: Why an instance without hard parts gets no certificate.
_NOTHING = ("hard core is not a single masked rank-one part (plus truncated-SVD "
            "rectangles and complete classes) nor several masked or general parts: nothing "
            "to certify, the reduction has only truncated-SVD rectangles and complete "
            "classes")


def _box(mid, rad):
    return [arb_of(m) + flint.arb(0, float(r)) for m, r in zip(mid, rad)]


def krawczyk_check(core, mid, rad, C, prec=256):
    """Krawczyk test of ``grad F = 0`` on the box ``mid ± rad`` (chart ``y_0 = 1``).

    Parameters
    ----------
    core : MaskedCore
        ``F`` is its variable-projected loss (see :mod:`._masked`).
    mid, rad : sequences of Fraction
        Centre and radii of the box in the free variables ``y_1, ...``.
    C : matrix of Fraction
        Preconditioner (an approximate inverse of the Hessian at ``mid``).
    prec : int
        Bits of the ball arithmetic.

    Returns
    -------
    (ok, value_ball, hessian_pd) : (bool, flint.arb, bool)
        ``ok``: the Krawczyk operator maps the box into its interior, so the box contains
        exactly one critical point; ``hessian_pd``: the Hessian ball is positive definite
        on the box (Sylvester), so that point is a strict local minimum; ``value_ball``
        contains ``F`` on the box.

    See Also
    --------
    find_spurious_minima : builds the boxes and the certificate.

    Notes
    -----
    Krawczyk [2]_: ``K(box) = mid - C g(mid) + (Id - C H(box)) (box - mid)``; ``K(box)``
    inside the interior of the box proves a unique zero of ``g = grad F`` in it.

    Examples
    --------
    The spurious minimum of the spec's 3x3 instance (value 4.6945235202): its certified
    box passes the test again.

    >>> A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    >>> mm = find_spurious_minima(A, I, J).certificate["minima"][0]
    >>> core = reduce_fsmf(A, I, J).parts[0].core
    >>> ok, ball, pd = krawczyk_check(core, mm["mid"], mm["rad"], mm["C"])
    >>> ok, pd, mm["value_lower"] <= lower(ball) <= upper(ball) <= mm["value_upper"]
    (True, True, True)
    """
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        n = core.shape[1]
        free = list(range(1, n))
        box = _box(mid, rad)
        ym = [flint.arb(1)] + [arb_of(v) for v in mid]
        yb = [flint.arb(1)] + box
        g = core.gradient(ym, free, flint.arb(0))
        H = core.hessian(yb, free, flint.arb(0))
        ok = krawczyk_inclusion(box, ym[1:], g, H, [[arb_of(c) for c in row] for row in C])
        return ok, core.value(yb, flint.arb(0)), positive_definite(H)
    except ZeroDivisionError:
        return False, flint.arb(0, flint.inf) if hasattr(flint, "inf") else None, False
    finally:
        flint.ctx.prec = old


def _certify_candidate(core, yf, hi):
    """The certificate of a float critical point ``yf`` (chart ``y_0 = 1``) as a strict
    local minimum (Krawczyk box, positive-definite Hessian) with ``spurious`` = ``hi`` below
    its value ball; None when the test fails."""
    n = core.shape[1]
    mid = [Fraction(float(v)) for v in yf[1:]]
    Hf = np.array(core.hessian([1.0] + [float(v) for v in mid], list(range(1, n)), 0.0))
    try:
        C = [[Fraction(float(v)) for v in row] for row in np.linalg.inv(Hf)]
    except np.linalg.LinAlgError:
        return None
    rad = [Fraction(1, 10**11) * (1 + abs(v)) for v in mid]
    ok, vball, pd = krawczyk_check(core, mid, rad, C)
    if not (ok and pd and vball is not None):
        return None
    # widen the value ball slightly (still an enclosure) so that an independent
    # re-computation in ball arithmetic lies inside the reported interval
    pad = Fraction(1, 10**30) * (1 + abs(upper(vball)))
    vlo, vhi = lower(vball) - pad, upper(vball) + pad
    return {"mid": mid, "rad": rad, "C": C, "value_lower": vlo, "value_upper": vhi,
            "spurious": hi < vlo, "certified": True}


def _boxes_meet(a, b):
    return all(abs(p - q) <= r + t for p, q, r, t in zip(a["mid"], b["mid"], a["rad"], b["rad"]))


def _in_chart(yf):
    """``yf`` scaled to the chart ``y_0 = 1`` of the certificate, or None when that chart
    is numerically unusable (``y_0`` ~ 0, or entries huge or ~ 0)."""
    if abs(yf[0]) < 1e-8:
        return None
    yf = [v / yf[0] for v in yf]
    if max(abs(v) for v in yf) > 1e6 or min(abs(v) for v in yf) < 1e-8:
        return None
    return yf


def certified_minima(core, candidates, better, end, progress=None, only_spurious=True):
    """``(minima, reason)``: the candidates (``(value, y)`` pairs) of the masked ``core``
    certified as strict local minima (chart ``y_0 = 1``) whose value ball lies above
    ``better`` (every certified one when not ``only_spurious``), one per critical point;
    ``reason`` says when the budget (monotonic time ``end``) stopped the checks."""
    minima = []
    for k, (_, yf) in enumerate(candidates):
        if progress is not None:
            progress("candidates", k, len(candidates))
        if time.monotonic() > end:
            return minima, "budget exhausted before every candidate was checked"
        yf = _in_chart(yf)
        c = None if yf is None else _certify_candidate(core, yf, better)
        if c is not None and (c["spurious"] or not only_spurious) and not any(_boxes_meet(c, o) for o in minima):
            minima.append(c)
    return minima, ""


def _check_starts(starts):
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 1:
        raise ArgumentError(f"Argument 'starts' must be an integer >= 1, not {show(starts)}.")


def _single_masked_part(red):
    """The masked part when the reduction is one masked part plus svd/absorbed parts."""
    masked = [p for p in red.parts if p.kind == "masked"]
    others = [p for p in red.parts if p.kind not in ("masked", "absorbed", "svd")]
    return masked[0] if len(masked) == 1 and not others else None


def find_spurious_minima(A, I, J, starts=60, seed=0, budget=60.0, progress=None):
    """Find and certify spurious local minima of ``||A - X Y^T||^2`` on fixed supports.

    Parameters
    ----------
    A : array_like of rationals; I, J : Support-like (``X Y^T`` convention)
    starts, seed : int
        Multistart local search on the masked variables (``starts >= 1``).
    budget : float
        Seconds (> 0); the search and the certification stop when it runs out (the
        minima certified so far are returned, ``reason`` says the budget ran out).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` (see
        :func:`~exactsparse._budget.check_progress`): ``("local search", 0, None)``, then
        ``("candidates", k, n)`` as the local minima found are certified.

    Returns
    -------
    SpuriousResult
        ``kind="fsmf.spurious"``, ``verdict`` ``"spurious"`` (at least one certified) or
        ``"none-found"``; the certificate lists ``minima`` (each with ``value_lower``,
        ``value_upper``, the Krawczyk box and preconditioner, ``certified``) and the better
        exact point ``X``, ``Y`` with loss ``better``.  With several hard parts it also
        lists the ``parts`` and each minimum gives one box per part (see
        :mod:`.spurious_parts`).

    Raises
    ------
    ArgumentError
        ``starts`` not an integer >= 1.
    BudgetError
        ``budget`` not a positive number.

    See Also
    --------
    krawczyk_check : the uniqueness test of one box.
    certify_fsmf : the certified global value.
    reduce_fsmf, check_attainment
    exactsparse.verify : re-runs the Krawczyk and Hessian tests independently.

    Notes
    -----
    Instances whose reduction (:func:`reduce_fsmf`) has a single masked rank-one part, plus
    any number of rectangles solved by truncated SVD (``svd`` parts) and complete classes,
    are handled as below; several masked parts or ``general`` parts (overlapping
    non-complete classes) by :func:`.spurious_parts.find_in_parts` (every part at a
    certified local minimum in the chart of the projection on ``Y``; a part where none can
    be certified, e.g. a singular Gram matrix on the box, gives ``"none-found"`` with the
    reason), and instances without such parts get ``"none-found"``.  The ``svd`` parts sit at a
    truncated SVD (a global, hence local, minimiser of their block, whose value lies in the
    part's exact ``[lower, upper]``, listed in ``svd_parts``); the parts share no cell
    outside the complete classes, so ``L >= constant + F(y) + sum of the svd tails`` near
    the point, with equality at it.  A certified spurious local minimum (such minima exist
    outside the tractable families, Le, Riccietti & Gribonval [1]_): (i) the Krawczyk
    operator [2]_ maps the box into its interior, so it holds exactly one zero of
    ``grad F`` (reduced variable-projection loss, chart ``y_0 = 1``: the scaling
    direction is removed);
    (ii) the Hessian ball is positive definite (Sylvester), so that zero is a strict local
    minimum of ``F`` in the chart, hence a local minimum of ``L`` (``L(x, y) >= F(y)`` with
    equality at the least-squares ``x``, and complete classes fit the residual);
    (iii) an exact rational feasible point has a loss strictly below the value ball.
    On tractable instances no spurious local minimum exists (the loss splits into
    independent low-rank approximation problems), and none is reported.

    Examples
    --------
    The spec's 3x3 instance: a certified local minimum near 4.6945235202, and an exact
    feasible point (on the supports) whose loss ``better`` is strictly below it.

    >>> from exactsparse.fsmf.hard import supported_loss
    >>> A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    >>> res = find_spurious_minima(A, I, J)
    >>> c = res.certificate
    >>> res.verdict, [round(float(mm["value_lower"]), 6) for mm in c["minima"]]
    ('spurious', [4.694524])
    >>> supported_loss(A, I, J, c["X"], c["Y"]) == c["better"] < c["minima"][0]["value_lower"]
    True
    """
    _check_starts(starts)
    end = deadline(budget)
    progress = check_progress(progress)
    red = reduce_fsmf(A, I, J)
    kinds = [p.kind for p in red.parts]
    if "masked" not in kinds and "general" not in kinds:
        return SpuriousResult(kind=SpuriousResult.KIND, verdict="none-found",
                              certificate={"minima": [], "reason": _NOTHING},
                              theorem="fsmf.spurious", backend="flint")
    part = _single_masked_part(red)
    if part is None:
        from .spurious_parts import find_in_parts      # (imports this module)
        return find_in_parts(A, I, J, red, starts, seed, end, progress)
    svd, svd_lo, svd_hi, svd_entries = svd_summary(red)
    core, flipped = orient(part.core)
    if progress is not None:
        progress("local search", 0, None)
    up = upper_point(core, starts, seed, end)
    minima, reason = certified_minima(core, up.candidates, up.value + svd_hi - svd_lo, end,
                                       progress)
    for c in minima:                 # F of the masked part -> the loss of the instance
        c["value_lower"] += red.constant + svd_lo
        c["value_upper"] += red.constant + svd_hi
    X, Y = _lift_better(red, I, J, svd, (up.y, up.x) if flipped else (up.x, up.y))
    cert = {"minima": minima, "better": red.constant + up.value + svd_hi, "X": X, "Y": Y,
            "svd_parts": svd_entries,
            "transposed": flipped, "constant": red.constant,
            "rows": list(part.rows), "cols": list(part.cols), "column": part.columns[0],
            "reason": reason}
    return SpuriousResult(kind=SpuriousResult.KIND,
                          verdict="spurious" if minima else "none-found",
                          certificate=cert, theorem="fsmf.spurious", backend="flint")


def _lift_better(red, I, J, svd, xy):
    """Exact factors of the instance from the better masked point ``xy`` and the svd
    parts' points (complete classes fit the rest)."""
    xx, yy = xy
    pieces = [([[v] for v in xx], [[v] for v in yy]) if p.kind == "masked"
              else svd[id(p)].points if p.kind == "svd" else ((), ()) for p in red.parts]
    return lift_solution(red, I, J, pieces)

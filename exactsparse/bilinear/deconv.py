"""The blind deconvolution pitfall, decided exactly: the planted pair against the trivial pairs.

For ``y = x0 ∗ h0`` (linear or circular convolution), a penalty ``P`` on the sparse factor and a
normalisation ``N(h) = 1`` of the filter, the noiseless problem is
``min P(x)  s.t.  x ∗ h = y, N(h) = 1``.  Every feasible pair ``(x, h)`` enters through its
normalised form ``(N(h) x, h / N(h))``.  The candidates compared are

``planted``   ``(N(h0) x0, h0 / N(h0))``;
``dirac-x``   ``(N(y) δ, y / N(y))`` — the sparse factor is a Dirac;
``dirac-h``   ``(y, δ)`` — the filter is a Dirac (the mirror case).

Benichoux, Vincent and Gribonval (ICASSP 2013) show that the trivial pairs are never worse
than the truth for the usual sparse penalties; :func:`check_deconv_pitfall` computes every
cost exactly (an algebraic number, or the logarithm of one), compares them with a certified
enclosure and exactly on ties, and gives the exact set of λ of the penalised problem
``min ½‖y − x ∗ h‖² + λ P(x)`` on which the trivial pair strictly wins.
"""

from __future__ import annotations

import time
from fractions import Fraction

from .._budget import check_progress
from ..exceptions import ArgumentError, BudgetError, PrecisionError, show
from ..results.bilinear import DeconvPitfallResult
from ._common import (MAX_LENGTH, as_flag, as_norm, as_penalty, as_signal, check_circular,
                      compare_keys, convolve, cost_expr, enclosure, exact_value)

__all__ = ["check_deconv_pitfall", "trivial_wins", "trivial_pairs", "penalised_threshold",
           "DeconvPitfallResult"]


def trivial_pairs(y, n, circular=False):
    """The trivial pairs ``{"dirac-x": (δ, y), "dirac-h": (y, δ)}`` (unnormalised).

    ``n`` is the length of the signals for circular convolution (δ has length ``n``).

    >>> trivial_pairs((1, 2), 2, circular=True)["dirac-x"]
    ((Fraction(1, 1), Fraction(0, 1)), (1, 2))
    """
    circular = as_flag(circular, "circular")
    if isinstance(y, (str, bytes, dict)) or not hasattr(y, "__iter__"):
        raise ArgumentError(f"Argument 'y' must be a 1-D sequence, not {show(y)}.")
    if circular and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LENGTH):
        raise ArgumentError(f"Argument 'n' must be an integer in [1, {MAX_LENGTH}], not "
                            f"{show(n)}.")
    delta = (Fraction(1),) + (Fraction(0),) * ((n - 1) if circular else 0)
    return {"dirac-x": (delta, tuple(y)), "dirac-h": (tuple(y), delta)}


def _ratio(v, name):
    """``v`` as (numerator, denominator) of an exact rational (typed error otherwise)."""
    try:
        if isinstance(v, (bool, float, complex)) or not isinstance(v, (int, Fraction, str)):
            raise TypeError
        f = Fraction(v)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        raise ArgumentError(f"Argument {name!r} must be an exact rational (int, Fraction or "
                            f"'p/q'), not {show(v)}.") from None
    return f.numerator, f.denominator


def penalised_threshold(y, trivial_cost, degree):
    """λ* (a sympy expression; None for ∞): the trivial ray ``{(t·x_T, h_T)}`` has penalised
    cost below ``½‖y‖²`` (that of x = 0) exactly for ``0 < λ < λ*``.

    Along the ray of a normalised exact pair of cost ``Q`` the cost is
    ``½‖y‖²(1 − t)² + λ Q t^d`` (d the degree of homogeneity), whose minimum over ``t > 0``
    is below ``½‖y‖²`` iff ``λ Q / ‖y‖² < max_t (t − t²/2) / t^d = g(d)``, with ``g(1) = 1`` and
    ``g(d) = (2(1 − d)/(2 − d))^(1 − d) / (2 − d)`` for ``d < 1``, ``+∞`` for ``d > 1``.

    >>> penalised_threshold((3, 4), 5, 1)        # ‖y‖² / Q = 25 / 5
    5
    """
    import sympy
    d = sympy.Rational(*_ratio(degree, "degree"))
    if d <= 0:
        raise ArgumentError(f"Argument 'degree' must be positive, not {show(degree)}.")
    if isinstance(trivial_cost, sympy.Basic):
        if not (trivial_cost.is_positive and trivial_cost.is_finite):
            raise ArgumentError(f"Argument 'trivial_cost' must be positive and finite, not "
                                f"{show(trivial_cost)}.")
    elif _ratio(trivial_cost, "trivial_cost")[0] <= 0:
        raise ArgumentError(f"Argument 'trivial_cost' must be positive, not "
                            f"{show(trivial_cost)}.")
    else:
        trivial_cost = sympy.Rational(*_ratio(trivial_cost, "trivial_cost"))
    if d > 1:
        return None
    Y = sum((sympy.Rational(v.numerator, v.denominator) ** 2 for v in as_signal(y, "y")),
            sympy.Integer(0))
    g = sympy.Integer(1) if d == 1 else (2 * (1 - d) / (2 - d)) ** (1 - d) / (2 - d)
    return Y * g / trivial_cost


def _entry(pair, penalty, norm, circular):
    cost, key = cost_expr(pair[0], pair[1], penalty, norm, circular)
    lo, hi = enclosure(cost)
    return {"x": pair[0], "h": pair[1], "cost": exact_value(cost), "cost_float": float(cost.evalf(30)),
            "enclosure": (lo, hi)}, cost, key


def check_deconv_pitfall(x, h, penalty="l1", norm="l2", circular=False, p=None, q=None,
                         eps=None, budget=60.0, progress=None):
    """Compare exactly the planted pair ``(x, h)`` with the trivial pairs of ``y = x ∗ h``.

    Parameters
    ----------
    x, h : sequence of int, Fraction, ``"p/q"`` or float
        The planted sparse signal and filter (floats are read as the exact binary rationals
        they store).  Neither may be all zero (the normalisation would be undefined).
    penalty : {"l1", "lp", "log", "tv"}
        ``Σ|x_j|``, ``Σ|x_j|^p`` (rational ``0 < p ≤ 8``; the theorem needs ``p ≤ 1``),
        ``Σ log(1 + |x_j|/eps)``, or the total variation of the zero-padded (cyclic for
        circular convolution) sequence.
    norm : {"l2", "l1", "lp"}
        Normalisation ``N`` of the filter (``lp``: rational ``1 ≤ q ≤ 16``).
    circular : bool
        Circular convolution (``x`` and ``h`` of equal length) instead of linear.
    budget : float
        Seconds; when the exact comparison does not finish the verdict is ``"unknown"``.
    progress : callable, optional
        Called as ``progress("pairs", k, n)`` (see
        :func:`~exactsparse._budget.check_progress`) before the exact cost of each pair.

    Returns
    -------
    DeconvPitfallResult
        ``verdict`` ``"trivial-wins"`` (strictly), ``"tie"``, ``"planted-wins"`` or
        ``"unknown"``; the certificate holds ``y``, each pair with its exact ``cost`` (a
        sympy-printable string), ``cost_float`` and certified rational ``enclosure``, the best
        ``trivial`` pair, the ``sign`` of trivial − planted, the statements of the theorem that
        apply (``cases``: ``"A"`` concave separable penalty, ``"B"`` shift-invariant seminorm
        with ``ℓ1`` normalisation) and, for homogeneous penalties, ``penalised``: the threshold
        ``lambda_max`` (None: every λ > 0) such that the trivial pair wins exactly for
        ``0 < λ < lambda_max`` (empty unless it wins the noiseless problem).

    Notes
    -----
    Case A: if ``N`` is a shift-invariant norm then ``N(x ∗ h) ≤ ‖x‖₁ N(h)``, and for
    ``P(x) = Σ φ(|x_j|)`` with φ concave, nondecreasing, ``φ(0) = 0``, ``φ(‖x‖₁) ≤ P(x)``: the
    trivial pair ``(N(y) δ, y / N(y))`` is never worse.  Case B: for a shift-invariant seminorm
    ``P`` and ``‖h‖₁ = 1``, ``P(x ∗ h) ≤ ‖h‖₁ P(x)`` so ``(y, δ)`` is never worse.  In the
    penalised problem the best point of each ray ``{(t x, h)}`` is compared; see
    :func:`penalised_threshold`.

    References
    ----------
    .. [1] A. Benichoux, E. Vincent, R. Gribonval, "A fundamental pitfall in blind
       deconvolution with sparse and shift-invariant priors", ICASSP 2013.

    Examples
    --------
    >>> r = check_deconv_pitfall([3, 0, 0, 4], ["3/5", "4/5"])
    >>> r.verdict, r.planted_cost, r.trivial_cost
    ('trivial-wins', '7', '5')
    >>> [str(v) for v in r.certificate["y"]]        # y = x ∗ h
    ['9/5', '12/5', '0', '12/5', '16/5']
    >>> str(r.certificate["penalised"]["lambda_max"])   # ‖y‖² / 5
    '5'

    See Also
    --------
    trivial_wins, exactsparse.bilinear.random_counterexample
    """
    circular = as_flag(circular, "circular")
    progress = check_progress(progress)
    start = time.monotonic()
    if not isinstance(budget, (int, float)) or not budget > 0:
        raise BudgetError(f"Argument 'budget' must be a positive number of seconds, not "
                          f"{show(budget)}.")
    x, h = as_signal(x, "x"), as_signal(h, "h")
    pen, nrm = as_penalty(penalty, p, eps), as_norm(norm, q)
    if circular:
        check_circular(x, h)
    y = convolve(x, h, circular)
    pairs = {"planted": (x, h), **trivial_pairs(y, len(x), circular)}
    cases = [c for c, ok in (("A", pen.concave), ("B", pen.name in ("l1", "tv") and nrm.q == 1))
             if ok]
    cert = {"convolution": "circular" if circular else "linear", "penalty": pen.to_dict(),
            "norm": nrm.to_dict(), "y": y, "cases": tuple(cases)}
    try:
        entries, costs, keys = {}, {}, {}
        for k, (name, pair) in enumerate(pairs.items()):
            if progress is not None:
                progress("pairs", k, len(pairs))
            entries[name], costs[name], keys[name] = _entry(pair, pen, nrm, circular)
            if time.monotonic() - start > budget:
                raise TimeoutError
        best = "dirac-x" if compare_keys(keys["dirac-x"], keys["dirac-h"]) <= 0 else "dirac-h"
        sign = compare_keys(keys[best], keys["planted"])
    except (TimeoutError, PrecisionError) as exc:
        cert["reason"] = f"budget of {budget} s exhausted" if isinstance(exc, TimeoutError) \
            else str(exc)
        return DeconvPitfallResult(kind=DeconvPitfallResult.KIND, verdict="unknown",
                                   certificate=cert, theorem=DeconvPitfallResult.THEOREM,
                                   backend="sympy")
    cert.update(pairs=entries, trivial=best, sign=sign)
    if pen.degree is not None:
        lam = penalised_threshold(y, costs[best], pen.degree) if sign < 0 else None
        cert["penalised"] = {"lambda_max": None if lam is None else exact_value(lam),
                             "lambda_max_float": None if lam is None else float(lam.evalf(30)),
                             "set": "empty" if sign >= 0 else
                             ("(0, lambda_max)" if lam is not None else "(0, oo)")}
    verdict = {-1: "trivial-wins", 0: "tie", 1: "planted-wins"}[sign]
    return DeconvPitfallResult(kind=DeconvPitfallResult.KIND, verdict=verdict, certificate=cert,
                               theorem=DeconvPitfallResult.THEOREM, backend="sympy")


def trivial_wins(x, h, **kwargs):
    """True when a trivial pair strictly beats the planted pair (see
    :func:`check_deconv_pitfall`).

    >>> trivial_wins([3, 0, 0, 4], ["3/5", "4/5"]), trivial_wins([1], [1, 2])
    (True, False)
    """
    r = check_deconv_pitfall(x, h, **kwargs)
    if r.verdict == "unknown":
        raise PrecisionError(f"the comparison was not decided: {r.certificate['reason']}")
    return r.verdict == "trivial-wins"

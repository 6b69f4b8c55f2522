"""Random counterexamples: sparse planted pairs that the trivial pair strictly beats, and the
escapes of the theorem checked on the same instances.

For linear convolution, the ℓ1 penalty and the ℓ2 normalisation, the trivial pair costs
``‖y‖₂`` and the planted pair ``‖x0‖₁ ‖h0‖₂``; ``‖x0 ∗ h0‖₂ ≤ ‖x0‖₁ ‖h0‖₂`` with equality only
when ``x0`` is a Dirac (the shifts of a nonzero finite filter are never parallel), so every
planted pair with at least two spikes is a counterexample.  Squaring both costs makes the
certificate integer arithmetic.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..exceptions import ArgumentError, SizeLimitError, show
from ..results.bilinear import CounterexampleResult
from ._common import (as_flag, as_norm, as_penalty, as_signal, compare_keys, convolve,
                      cost_expr, exact_value)
from .deconv import trivial_pairs

__all__ = ["random_counterexample", "lp_escape", "short_filter_escape",
           "CounterexampleResult", "ESCAPE_EXPONENTS"]

#: Exponents p > 1 of the ℓp^p penalty checked as escapes.
ESCAPE_EXPONENTS = (Fraction(3, 2), Fraction(2), Fraction(3))


def _int_arg(v, name, lo, hi, size=False):
    """An int in [lo, hi]; above ``hi`` a size argument is out of reach (SizeLimitError)."""
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        too_big = size and isinstance(v, (int, np.integer)) and v > hi
        raise (SizeLimitError if too_big else ArgumentError)(
            f"Argument {name!r} must be an integer in [{lo}, {hi}], not {show(v)}.")
    return int(v)


def lp_escape(x, h, p, circular=False):
    """``(sign, planted, trivial)`` for the ℓp^p penalty (ℓ2 normalisation): the sign of the
    best trivial cost minus the planted cost, with both exact costs (sympy).

    For ``p > 1`` the theorem does not apply; the trivial pairs may lose — or not: on the
    example of the spec, ``(N(y) δ, y/N(y))`` costs ``5³ = 125 > 27 + 64 = 91`` but the mirror
    pair ``(y, δ)`` costs ``Σ|y_j|³ = 8281/125 < 91``, and for ``p = 2`` all three tie (25).

    >>> [str(v) for v in lp_escape([3, 0, 0, 4], ["3/5", "4/5"], 3)]
    ['-1', '91', '8281/125']
    >>> lp_escape([3, 0, 0, 4], ["3/5", "4/5"], 2)[0]
    0
    """
    circular = as_flag(circular, "circular")
    pen, nrm = as_penalty("lp", p), as_norm("l2")
    x, h = as_signal(x, "x"), as_signal(h, "h")
    y = convolve(x, h, circular)
    planted = cost_expr(x, h, pen, nrm, circular)[0]
    trivial = min((cost_expr(a, b, pen, nrm, circular)[0]
                   for a, b in trivial_pairs(y, len(x), circular).values()),
                  key=lambda c: float(c.evalf(30)))
    return compare_keys(trivial, planted), planted, trivial


def short_filter_escape(x, h):
    """With the filter restricted to ``len(h)`` taps (linear convolution), a Dirac pair
    ``(c δ_k, y_shifted / c)`` is feasible iff the span of ``supp y`` is at most ``len(h)``.

    Returns ``(span of y, len(h), dirac_feasible)``.

    >>> short_filter_escape([3, 0, 0, 4], [3, 4])
    (5, 2, False)
    """
    x, h = as_signal(x, "x"), as_signal(h, "h")
    y = convolve(x, h)
    nz = [j for j, v in enumerate(y) if v]
    span = nz[-1] - nz[0] + 1 if nz else 0
    return span, len(h), span <= len(h)


def random_counterexample(length=8, seed=0, sparsity=None, filter_length=3, max_tries=100):
    """A seeded random sparse planted pair for which the trivial pair strictly wins (ℓ1 penalty,
    ℓ2 normalisation, linear convolution), with the escapes checked on it.

    Parameters
    ----------
    length : int
        Length of the sparse signal ``x`` (2 … 256).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    sparsity : int, optional
        Number of spikes (default ``max(2, length // 4)``), at least 2.
    filter_length : int
        Length of the filter ``h`` (1 … 64).

    Returns
    -------
    CounterexampleResult
        Exact integer certificate: ``trivial_cost_sq = ‖y‖₂² < planted_cost_sq =
        ‖x‖₁²‖h‖₂²``, plus the escapes (``lp`` for p in :data:`ESCAPE_EXPONENTS`,
        ``short_filter``).

    References
    ----------
    .. [1] A. Benichoux, E. Vincent, R. Gribonval, ICASSP 2013.

    Examples
    --------
    >>> r = random_counterexample(8, seed=0)
    >>> c = r.certificate
    >>> c["trivial_cost_sq"] < c["planted_cost_sq"]
    True
    >>> list(c["y"]) == list(convolve(c["x"], c["h"]))
    True

    See Also
    --------
    exactsparse.bilinear.check_deconv_pitfall
    """
    length = _int_arg(length, "length", 2, 256, size=True)
    filter_length = _int_arg(filter_length, "filter_length", 1, 64, size=True)
    sparsity = max(2, length // 4) if sparsity is None else _int_arg(sparsity, "sparsity", 2,
                                                                      length)
    seed = _int_arg(seed, "seed", 0, 2**63 - 1)
    rng = np.random.default_rng(seed)
    for _ in range(max_tries):
        x = [0] * length
        for j in rng.choice(length, size=sparsity, replace=False):
            x[int(j)] = int(rng.choice([-1, 1]) * rng.integers(1, 10))
        h = [int(v) for v in rng.integers(-5, 6, size=filter_length)]
        if not any(h):
            continue
        y = convolve(x, h)
        planted_sq = sum(abs(v) for v in x) ** 2 * sum(v * v for v in h)
        trivial_sq = int(sum(v * v for v in y))
        if trivial_sq < planted_sq:
            break
    else:  # pragma: no cover - k ≥ 2 spikes always give a strict inequality
        raise ArgumentError("no counterexample found; increase 'max_tries'.")
    escapes = {"lp": tuple({"p": p, "sign": s, "planted_cost": exact_value(a),
                            "trivial_cost": exact_value(b)}
                           for p in ESCAPE_EXPONENTS for s, a, b in [lp_escape(x, h, p)]),
               "short_filter": dict(zip(("span", "filter_length", "dirac_feasible"),
                                        short_filter_escape(x, h)))}
    import sympy
    cert = {"x": tuple(x), "h": tuple(h), "y": y, "seed": seed,
            "planted_cost_sq": int(planted_sq), "trivial_cost_sq": trivial_sq,
            "planted_cost": exact_value(sympy.sqrt(planted_sq)),
            "trivial_cost": exact_value(sympy.sqrt(trivial_sq)),
            "planted_cost_float": float(np.sqrt(planted_sq)),
            "trivial_cost_float": float(np.sqrt(trivial_sq)), "escapes": escapes}
    return CounterexampleResult(kind=CounterexampleResult.KIND, verdict="trivial-wins",
                                certificate=cert, theorem=CounterexampleResult.THEOREM,
                                backend="integer")

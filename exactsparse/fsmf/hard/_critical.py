"""Exact enclosure of every critical value of a masked rank-one core (internal).

On the stratum where ``supp(y) = J`` (all coordinates nonzero) the chart ``y_{J[0]} = 1``
is a full chart; ``F_J = N/D`` is a rational function of the ``|J| - 1`` remaining
variables with ``D`` a product of sums of squares, positive on the stratum.  Critical points
are common zeros of the numerators ``G_k = D dN/dz_k - N dD/dz_k`` off ``D = 0``:

* factors of ``G_k`` dividing ``D`` or equal to a variable are dropped (they vanish only
  off the stratum);
* one variable: the real roots of the remaining factor are isolated by flint's certified
  complex root isolation; two variables: for each pair of factors ``(f, g)`` the resultants
  ``res_{z2}(f, g)`` and ``res_{z1}(f, g)`` are computed, their real roots isolated, and
  every box of the grid either excluded (``f`` or ``g`` has no zero on it, in ball
  arithmetic) or kept;
* the value ``F`` is evaluated in ball arithmetic on each kept root/box;
* when every ``G_k`` vanishes identically, ``F`` is constant on each connected component
  of the stratum (the orthants of the chart) and its values at the points ``(1, ±1, ...)``
  are all the critical values.

The result is a list of real balls that contains every critical value of ``F`` on the
stratum (a superset: kept boxes that hold no common root only add candidates, which keeps
any lower bound valid).
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import flint

from ...exceptions import SizeLimitError
from ._common import arb_of, common_denominator
from ._masked import MaskedCore

__all__ = ["stratum_core", "critical_values", "Unresolved"]

MAX_DIM = 2


class Unresolved(Exception):
    """The stratum could not be resolved (positive-dimensional, precision, budget)."""


def stratum_core(core, J):
    """The sub-core on columns ``J`` keeping rows that observe a column of ``J``.

    >>> from fractions import Fraction as F
    >>> core = MaskedCore(((F(1), F(2)), (F(3), F(4))), ((True, False), (False, True)))
    >>> stratum_core(core, (1,))
    MaskedCore(A=((Fraction(4, 1),),), omega=((True,),))
    """
    rows = [i for i in range(core.shape[0]) if any(core.omega[i][j] for j in J)]
    return MaskedCore(tuple(tuple(core.A[i][j] for j in J) for i in rows),
                      tuple(tuple(core.omega[i][j] for j in J) for i in rows))


def _polys(sub, ctx):
    gens = ctx.gens()
    one = ctx.from_dict({(0,) * len(gens): 1})
    y = [one] + list(gens)
    den = common_denominator(sub.A)
    terms = []
    for i in range(sub.shape[0]):
        s, d = 0 * one, 0 * one
        for j in sub.observed(i):
            s = s + int(sub.A[i][j] * den) * y[j]
            d = d + y[j] * y[j]
        terms.append((s * s, d))
    ds = []
    for _, d in terms:
        if all(d != e for e in ds):
            ds.append(d)
    D = one
    for d in ds:
        D = D * d
    Q = 0 * one
    for s2, d in terms:
        Q = Q + s2 * (D // d)
    c = int(sub.norm_sq() * den * den)
    return c * D - Q, D, den * den


def _gradients(N, D, ctx):
    return [D * N.derivative(k) - N * D.derivative(k) for k in range(len(ctx.gens()))]


def _numerators(N, D, ctx):
    out = []
    for G in _gradients(N, D, ctx):
        if G.is_zero():
            raise Unresolved("a gradient numerator vanishes identically")
        keep = []
        for f, _ in G.factor()[1]:
            if f.total_degree() == 0 or len(list(f.monoms())) == 1:
                continue
            if not D.gcd(f).is_constant():
                continue
            keep.append(f)
        out.append(keep)
    return out


def _univariate(p, var, nv):
    coeffs = {}
    for e, c in p.terms():
        if any(e[t] for t in range(nv) if t != var):
            raise Unresolved("not univariate")
        coeffs[e[var]] = int(c)
    return flint.fmpz_poly([coeffs.get(k, 0) for k in range(max(coeffs) + 1)])


def _real_roots(P):
    roots = []
    for f, _ in P.factor()[1]:
        if f.degree() == 1 and f.coeffs()[0] == 0:
            continue                       # the root 0 lies off the stratum
        for r, _ in f.complex_roots():
            if r.imag.is_zero():
                roots.append(r.real)
    return roots


def _eval_poly(p, vals):
    total = flint.arb(0)
    for e, c in p.terms():
        t = flint.arb(int(c))
        for v, k in zip(vals, e):
            if k:
                t = t * v ** k
        total = total + t
    return total


def _value_ball(sub, zs, den):
    y = [flint.arb(1)] + list(zs)
    for i in range(sub.shape[0]):
        _, d = sub.sd(i, y, flint.arb(0))
        if d.contains(0):
            raise Unresolved("precision: a denominator ball contains 0")
    return sub.value(y, zero=flint.arb(0))


def critical_values(sub, deadline, prec=256):
    """Balls containing every critical value of ``F`` on the open stratum of ``sub``.

    ``sub`` has all its columns in the stratum (see :func:`stratum_core`).  Raises
    :class:`SizeLimitError` beyond two free variables, :class:`Unresolved` when a
    stratum cannot be resolved.

    Examples
    --------
    The masked 6-cycle of the spec: the global minimum 1.2772114616 and the spurious
    minimum 4.6945235202 are critical values of the full stratum.

    >>> import time
    >>> from fractions import Fraction as F
    >>> A, mask = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "110/011/101"
    >>> core = MaskedCore(tuple(tuple(F(v) for v in r) for r in A),
    ...                   tuple(tuple(c == "1" for c in r) for r in mask.split("/")))
    >>> balls = critical_values(stratum_core(core, (0, 1, 2)), time.monotonic() + 30)
    >>> [any(b.contains(flint.arb(v)) or abs(b.mid() - v) < 1e-9 for b in balls)
    ...  for v in (1.2772114616, 4.6945235202)]
    [True, True]
    """
    nv = sub.shape[1] - 1
    if nv == 0:
        return [arb_of(sub.value([Fraction(1)]))]
    if nv > MAX_DIM:
        raise SizeLimitError(f"a stratum with {nv} free variables exceeds the exact limit "
                             f"of {MAX_DIM} (resultant-based critical-value enumeration).")
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        ctx = flint.fmpz_mpoly_ctx.get(tuple(f"z{k}" for k in range(nv)), "lex")
        N, D, den = _polys(sub, ctx)
        if all(G.is_zero() for G in _gradients(N, D, ctx)):
            return _orthant_values(sub, nv)
        facs = _numerators(N, D, ctx)
        _check(deadline)
        if nv == 1:
            return [_value_ball(sub, [z], den) for f in facs[0]
                    for z in _real_roots(_univariate(f, 0, 1))]
        return _two_var(sub, facs, den, deadline)
    finally:
        flint.ctx.prec = old


def _orthant_values(sub, nv):
    """``F`` is locally constant on the stratum: its values at ``(1, ±1, ...)``, one per
    orthant of the chart, are all its critical values."""
    return [arb_of(sub.value([Fraction(1)] + [Fraction(e) for e in signs]))
            for signs in itertools.product((1, -1), repeat=nv)]


def _two_var(sub, facs, den, deadline):
    vals = []
    for f in facs[0]:
        for g in facs[1]:
            if f == g or f == -g:
                raise Unresolved("a curve of critical points (common gradient factor)")
            R1, R2 = f.resultant(g, 1), f.resultant(g, 0)
            if R1.is_zero() or R2.is_zero():
                raise Unresolved("a vanishing resultant")
            _check(deadline)
            for a in _real_roots(_univariate(R1, 0, 2)):
                for b in _real_roots(_univariate(R2, 1, 2)):
                    if _eval_poly(f, [a, b]).contains(0) and _eval_poly(g, [a, b]).contains(0):
                        vals.append(_value_ball(sub, [a, b], den))
    return vals


def _check(deadline):
    if time.monotonic() > deadline:
        raise TimeoutError("budget exhausted")

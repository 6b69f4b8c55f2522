"""Independent lower bound for a masked rank-one core (internal, used by the checkers).

The quantity is ``min_{x, y} sum_{(i, j) in Omega} (A_ij - x_i y_j)^2``.  The mathematics is
the stratified variable-projection bound of the decision routine, re-derived here with a
different backend (sympy polynomials, resultants and real root isolation; flint balls
only to evaluate on isolating boxes); nothing from :mod:`exactsparse.fsmf` is imported.

* For fixed ``y`` the best ``x`` is least squares, so the minimum is
  ``inf_y ||A_Omega||^2 - Q(y)``, ``Q(y) = sum_i s_i(y)^2 / d_i(y)`` with
  ``s_i = sum_{j in Omega_i} A_ij y_j``, ``d_i = sum_{j in Omega_i} y_j^2`` (rows with
  ``d_i = 0`` contribute 0).
* The mask splits into connected components of its bipartite row/column graph; the bound
  is the sum of the components' bounds (each clipped at 0).
* A fully observed component is a rank-one truncation: ``trace(G) - lambda_max(G)`` with
  ``G`` the Gram matrix, ``lambda_max`` enclosed from the characteristic polynomial.
* Otherwise columns are the smaller side (at most :data:`MAX_COLUMNS`); for every support
  ``J = supp(y)`` the critical points of ``Q_J`` in the chart ``y_{J[0]} = 1`` are zeros of
  the gradient numerators (factors vanishing only off the stratum dropped), found through
  resultants; ``B(J) = max(critical values, B(J') + S(J', J))`` bounds ``sup Q_J`` and
  ``lo = ||A_Omega||^2 - max_J B(J)``, where ``S(J', J)`` bounds the rows observing ``J``
  but not ``J'`` (they only see the coordinates ``J \\ J'``, whose direction is free): their
  norm minus a lower bound of their own masked minimum, computed recursively (0 when
  unresolved: Cauchy-Schwarz).  An unresolved component is retried transposed (the same
  problem) when both sides are within the limit.

Candidates form a superset of the critical points (grid points of resultant roots kept
unless a ball excludes a common zero), which only lowers the bound.  A degenerate stratum,
the size limit or an exhausted deadline raise :class:`Unchecked` (a stratum where every
gradient numerator vanishes is handled: ``Q_J`` is then constant on each orthant).
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import flint
import sympy

from ..exact import arb_fraction
from ..exceptions import SizeLimitError

__all__ = ["masked_lower", "Unchecked", "MAX_COLUMNS"]

#: Largest smaller side of a non-full component (two free chart variables per stratum).
MAX_COLUMNS = 3

_Z = sympy.symbols("z0 z1")
_MAX_BITS = 8192


class Unchecked(SizeLimitError):
    """The masked lower bound is out of reach of the re-check (size, degenerate stratum,
    exhausted deadline)."""


class _Imprecise(Exception):
    """A ball is too wide at the current precision (a finer level is needed)."""


def masked_lower(entries, bits=128, deadline=None):
    """A rigorous rational lower bound of the masked rank-one minimum.

    Parameters
    ----------
    entries : dict
        ``{(i, j): Fraction}``, the observed cells ``Omega`` and their values.
    bits : int
        Isolating intervals are refined to width ``2^-bits`` (balls at ``bits + 64``);
        raised automatically (up to 8192) when a ball is too wide to evaluate.
    deadline : float, optional
        ``time.monotonic()`` value after which :class:`Unchecked` is raised.

    Returns
    -------
    Fraction

    Examples
    --------
    >>> masked_lower({(0, 0): Fraction(1), (0, 1): Fraction(2), (1, 0): Fraction(3)})
    Fraction(0, 1)
    >>> masked_lower({(0, 0): Fraction(1), (0, 1): Fraction(1), (1, 0): Fraction(1),
    ...               (1, 1): Fraction(-1)})
    Fraction(2, 1)
    """
    deadline = float("inf") if deadline is None else deadline
    while True:
        try:
            return sum((max(Fraction(0), _component(comp, bits, deadline))
                        for comp in _components(entries)), Fraction(0))
        except _Imprecise as exc:
            if bits >= _MAX_BITS:
                raise Unchecked(f"precision: {exc} at {bits} bits") from None
            bits *= 4


def _components(entries):
    """The mask's connected components as lists of rows of ``{col: value}``."""
    parent = {}

    def find(u):
        while parent.setdefault(u, u) != u:
            u = parent[u]
        return u
    for i, j in entries:
        parent[find(("r", i))] = find(("c", j))
    comps = {}
    for (i, j), v in entries.items():
        comps.setdefault(find(("r", i)), {}).setdefault(i, {})[j] = Fraction(v)
    return [_relabel(rows) for _, rows in sorted(comps.items(), key=lambda t: str(t[0]))]


def _relabel(rows):
    cols = sorted({j for r in rows.values() for j in r})
    pos = {j: k for k, j in enumerate(cols)}
    return [{pos[j]: v for j, v in rows[i].items()} for i in sorted(rows)]


def _transpose(rows):
    n = 1 + max(j for r in rows for j in r)
    return [{i: r[j] for i, r in enumerate(rows) if j in r} for j in range(n)]


def _component(rows, bits, deadline):
    n = 1 + max(j for r in rows for j in r)
    if all(len(r) == n for r in rows):
        return _full_tail(rows, n, bits, deadline)
    if n > len(rows):
        rows, n = _transpose(rows), len(rows)
    if n > MAX_COLUMNS:
        raise Unchecked(f"a masked component has {n} > {MAX_COLUMNS} rows and columns "
                        f"(more than two free chart variables)")
    try:
        return _stratified(rows, n, bits, deadline)
    except Unchecked as exc:             # the transpose is the same problem: try it too
        if len(rows) > MAX_COLUMNS or len(rows) == n and _transpose(rows) == rows or \
                "time budget" in str(exc):
            raise
        return _stratified(_transpose(rows), len(rows), bits, deadline)


def _stratified(rows, n, bits, deadline):
    """``||a||^2 - max_J B(J)`` with the columns of ``rows`` (``n`` of them) as ``y``."""
    total = sum((v * v for r in rows for v in r.values()), Fraction(0))
    B = {}
    for size in range(1, n + 1):
        for J in itertools.combinations(range(n), size):
            _tick(deadline)
            best = max((hi for _, hi in _stratum_values(rows, J, bits, deadline)),
                       default=None)
            bnd = max((B[Jp] + _sub_sup(rows, Jp, J, bits, deadline) for Jp in _proper(J)),
                      default=None)
            B[J] = max(v for v in (best, bnd, Fraction(0)) if v is not None)
    return total - max(B.values())


def _proper(J):
    for size in range(1, len(J)):
        yield from itertools.combinations(J, size)


def _sub_sup(rows, Jp, J, bits, deadline):
    """Bound on the rows that observe ``J`` but not ``J'`` near the stratum ``J'``: their
    norm (Cauchy-Schwarz, :func:`_z_sum`) minus a rigorous lower bound of their own masked
    minimum on the columns ``J \\ J'`` (their direction there is free), 0 when that
    cannot be resolved."""
    sub = {(i, j): r[j] for i, r in enumerate(rows) if any(j in r for j in J)
           and not any(j in r for j in Jp) for j in J if j in r}
    if not sub:
        return Fraction(0)
    lo = Fraction(0)
    for comp in _components(sub):
        try:
            lo += max(Fraction(0), _component(comp, bits, deadline))
        except Unchecked as exc:
            if "time budget" in str(exc):
                raise
    return _z_sum(rows, Jp, J) - lo


def _z_sum(rows, Jp, J):
    return sum((sum((r[j] ** 2 for j in J if j in r), Fraction(0)) for r in rows
                if any(j in r for j in J) and not any(j in r for j in Jp)), Fraction(0))


def _tick(deadline):
    if time.monotonic() > deadline:
        raise Unchecked("the time budget of the masked re-check ran out")


# ------------------------------------------------------------------ fully observed
def _full_tail(rows, n, bits, deadline=float("inf")):
    M = sympy.Matrix([[sympy.Rational(r[j].numerator, r[j].denominator) for j in range(n)]
                      for r in rows])
    G = M.T * M if n <= len(rows) else M * M.T
    lam = sympy.Symbol("lam")
    roots = _real_roots(G.charpoly(lam).as_poly(), bits, deadline)
    top = max((hi for _, hi in roots), default=Fraction(0))      # G = 0: no nonzero root
    return _frac(G.trace()) - top


# ------------------------------------------------------------------ univariate roots
def _frac(q):
    q = sympy.Rational(q)
    return Fraction(int(q.p), int(q.q))


def _real_roots(p, bits, deadline=float("inf")):
    """Intervals ``(lo, hi)`` of Fractions of width ``<= 2^-bits`` containing every
    nonzero real root of the univariate ``p`` (exact for rational roots).

    sympy isolates the roots (``Poly.intervals`` without ``eps``); each isolating interval
    of an irreducible factor of degree >= 2 is then refined by exact bisection (sign
    changes in integer arithmetic), checking ``deadline`` at every step: sympy's own
    refinement to ``eps`` cannot be interrupted and took minutes on some resultants."""
    out = []
    for f, _ in sympy.factor_list(p)[1]:
        f = sympy.Poly(f, *p.gens)
        if f.degree() == 1:
            c1, c0 = f.all_coeffs()
            if c0 != 0:
                r = _frac(-c0 / c1)
                out.append((r, r))
            continue
        _tick(deadline)
        coeffs = [int(c) for c in f.clear_denoms()[1].all_coeffs()]
        for a, b in f.intervals(sqf=True):
            out.append(_bisect(coeffs, _frac(a), _frac(b), bits, deadline))
    return out


def _sign_at(coeffs, x):
    """Sign of the integer polynomial (highest degree first) at the Fraction ``x``."""
    p, q = x.numerator, x.denominator
    acc, qp = 0, 1
    for c in coeffs:               # Horner on the homogenised form sum c_k p^k q^(d-k)
        acc = acc * p + c * qp
        qp *= q
    return (acc > 0) - (acc < 0)


def _bisect(coeffs, a, b, bits, deadline):
    """Refine an isolating interval ``[a, b]`` (one simple irrational root inside, so the
    signs at the ends differ) to width ``<= 2^-bits``."""
    width = Fraction(1, 2 ** bits)
    if a == b:
        return a, b
    sa = _sign_at(coeffs, a)
    while b - a > width:
        _tick(deadline)
        mid = (a + b) / 2
        sm = _sign_at(coeffs, mid)
        if sm == 0:
            return mid, mid
        if sm == sa:
            a, sa = mid, sm
        else:
            b = mid
    return a, b


# ------------------------------------------------------------------ strata
def _stratum(rows, J):
    """Rows observing ``J``, restricted to ``J`` (as lists over ``J``)."""
    return [[r.get(j) for j in J] for r in rows if any(j in r for j in J)]


def _sd(row, y):
    s = sum((v * y[t] for t, v in enumerate(row) if v is not None), 0 * y[0])
    d = sum((y[t] * y[t] for t, v in enumerate(row) if v is not None), 0 * y[0])
    return s, d


def _q_value(sub, box, prec):
    """``(lo, hi)`` Fractions enclosing ``Q_J`` on the box (chart ``y_{J[0]} = 1``)."""
    if all(lo == hi for lo, hi in box):
        y = [Fraction(1)] + [lo for lo, _ in box]
        val = sum((s * s / d for s, d in (_sd(r, y) for r in sub)), Fraction(0))
        return val, val
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        y = [flint.arb(1)] + [_ball(lo, hi) for lo, hi in box]
        row_q = [[None if v is None else _arb(v) for v in r] for r in sub]
        val = flint.arb(0)
        for r in row_q:
            s, d = _sd(r, y)
            if not d > 0:
                raise _Imprecise("a denominator ball contains 0")
            val += s * s / d
        return _arb_frac(val.lower()), _arb_frac(val.upper())
    finally:
        flint.ctx.prec = old


def _arb(q):
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _ball(lo, hi):
    return _arb(lo).union(_arb(hi))


def _arb_frac(a):
    if not a.is_finite():
        raise _Imprecise("a non-finite ball")
    return arb_fraction(a)


def _polys(sub, nv):
    """Gradient numerators of ``Q_J`` (one per free variable) as sympy Polys, and ``D``."""
    z = _Z[:nv]
    y = [sympy.Integer(1)] + list(z)
    terms = []
    for r in sub:
        s = sum((sympy.Rational(v.numerator, v.denominator) * y[t]
                 for t, v in enumerate(r) if v is not None), sympy.Integer(0))
        d = sum((y[t] ** 2 for t, v in enumerate(r) if v is not None), sympy.Integer(0))
        terms.append((sympy.Poly(s, *z, domain="QQ"), sympy.Poly(d, *z, domain="QQ")))
    D = sympy.Poly(1, *z, domain="QQ")
    for d in {d.as_expr(): d for _, d in terms}.values():
        D = D * d
    grads = []
    for k in range(nv):
        G = sympy.Poly(0, *z, domain="QQ")
        for s, d in terms:
            w = sympy.Poly(sympy.cancel(D.as_expr() / d.as_expr()), *z, domain="QQ")
            G += (2 * s * s.diff(z[k]) * d - s * s * d.diff(z[k])) * w * w
        grads.append(G)
    return grads, D


def _kept_factors(G, D):
    """Irreducible factors of ``G`` that may vanish on the stratum."""
    if G.is_zero:
        raise Unchecked("a gradient numerator vanishes identically on a stratum")
    out = []
    for f, _ in G.factor_list()[1]:
        if f.is_ground or len(f.terms()) == 1 or not sympy.gcd(f, D).is_ground:
            continue
        out.append(f)
    return out


def _stratum_values(rows, J, bits, deadline):
    """Enclosures ``(lo, hi)`` of ``Q_J`` at a superset of its critical points."""
    sub = _stratum(rows, J)
    nv = len(J) - 1
    if nv == 0:
        return [_q_value(sub, [], 0)]
    grads, D = _polys(sub, nv)
    if all(G.is_zero for G in grads):      # Q_J constant on each orthant of the chart
        return [_q_value(sub, [(Fraction(e), Fraction(e)) for e in signs], 0)
                for signs in itertools.product((1, -1), repeat=nv)]
    facs = [_kept_factors(G, D) for G in grads]
    _tick(deadline)
    prec = bits + 64
    if nv == 1:
        return [_q_value(sub, [root], prec) for f in facs[0]
                for root in _real_roots(f, bits, deadline)]
    out = []
    for f in facs[0]:
        for g in facs[1]:
            _tick(deadline)
            out += [_q_value(sub, box, prec)
                    for box in _common_boxes(f, g, bits, prec, deadline)]
    return out


def _common_boxes(f, g, bits, prec, deadline=float("inf")):
    """Boxes of the grid of resultant roots that may hold a common zero of ``f``, ``g``."""
    z0, z1 = _Z
    if (f * g.LC() - g * f.LC()).is_zero:
        raise Unchecked("a curve of critical points (common gradient factor)")
    r0 = sympy.resultant(f.as_expr(), g.as_expr(), z1)
    r1 = sympy.resultant(f.as_expr(), g.as_expr(), z0)
    if r0 == 0 or r1 == 0:
        raise Unchecked("a vanishing resultant")
    _tick(deadline)
    xs = _real_roots(sympy.Poly(r0, z0), bits, deadline)
    ys = _real_roots(sympy.Poly(r1, z1), bits, deadline)
    return [(a, b) for a in xs for b in ys
            if _may_vanish(f, (a, b), prec) and _may_vanish(g, (a, b), prec)]


def _may_vanish(p, box, prec):
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        pt = [_ball(lo, hi) for lo, hi in box]
        val = flint.arb(0)
        for mon, c in p.terms():
            t = _arb(_frac(c))
            for v, e in zip(pt, mon):
                t *= v ** e
            val += t
        return val.contains(0)
    finally:
        flint.ctx.prec = old

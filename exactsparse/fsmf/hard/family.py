"""Exact one-parameter families closing an interval at a non-attained infimum.

A *Laurent family* is a point ``(x(t), y(t))`` whose entries are Laurent polynomials in
``t`` with rational coefficients; its loss is then a Laurent polynomial too, and when that
has no negative power of ``t`` its limit as ``t -> 0+`` (the constant term) bounds the
infimum from above.  For a masked rank-one core whose nonzero observed entries admit an
exact rank-one fit, :func:`masked_zero_family` builds such a family with loss ``-> 0`` by a
tropical (exponent) argument; :func:`part_has_no_exact_fit` proves, by a Gröbner basis
``[1]`` (weak Nullstellensatz), that no point of the part attains 0.  Together they
certify "infimum 0, not attained" (the LU example of Le, Riccietti & Gribonval [1]_).

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.

Examples
--------
The masked part of the LU example, ``[[0, 1], [1, *]]``: the family's loss is ``t^2``.

>>> from exactsparse.fsmf.hard._masked import MaskedCore
>>> F = Fraction
>>> core = MaskedCore(((F(0), F(1)), (F(1), F(0))), ((True, True), (True, False)))
>>> x, y = masked_zero_family(core)
>>> laurent_terms(sum(((core.A[i][j] - x[i] * y[j]) ** 2 for i, j in [(0, 0), (0, 1), (1, 0)]),
...                   Laurent()))
[(2, Fraction(1, 1))]
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ..._budget import run_killable
from ._common import bipartite_labels

__all__ = ["Laurent", "laurent_terms", "masked_zero_family", "part_has_no_exact_fit",
           "evaluate", "SAMPLE_T"]

#: The parameter at which a family is evaluated to give an exact sample point.
SAMPLE_T = Fraction(1, 1000)


class Laurent:
    """A Laurent polynomial ``sum c_e t^e`` (rational ``c_e``, integer ``e``); supports
    ``+``, ``-``, ``*``, ``**`` (non-negative integer) with Fractions and ints.

    >>> t = Laurent({1: 1})
    >>> laurent_terms((t + 1 / t) * t)
    [(0, Fraction(1, 1)), (2, Fraction(1, 1))]
    """

    __slots__ = ("c",)

    def __init__(self, coeffs=None):
        self.c = {int(e): Fraction(v) for e, v in (coeffs or {}).items() if v}

    @staticmethod
    def _of(v):
        return v if isinstance(v, Laurent) else Laurent({0: v})

    def __add__(self, other):
        out = dict(self.c)
        for e, v in Laurent._of(other).c.items():
            out[e] = out.get(e, 0) + v
        return Laurent(out)

    __radd__ = __add__

    def __neg__(self):
        return Laurent({e: -v for e, v in self.c.items()})

    def __sub__(self, other):
        return self + (-Laurent._of(other))

    def __rsub__(self, other):
        return Laurent._of(other) - self

    def __mul__(self, other):
        out = {}
        for e1, v1 in self.c.items():
            for e2, v2 in Laurent._of(other).c.items():
                out[e1 + e2] = out.get(e1 + e2, 0) + v1 * v2
        return Laurent(out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Laurent):
            if len(other.c) != 1:
                return NotImplemented
            (e, v), = other.c.items()
            return Laurent({k - e: w / v for k, w in self.c.items()})
        return Laurent({e: v / Fraction(other) for e, v in self.c.items()})

    def __rtruediv__(self, other):
        if len(self.c) != 1:
            return NotImplemented
        (e, v), = self.c.items()
        return Laurent({-e: Fraction(other) / v})

    def __pow__(self, k):
        out = Laurent({0: 1})
        for _ in range(k):
            out = out * self
        return out

    def __bool__(self):
        return bool(self.c)

    def __eq__(self, other):
        return isinstance(other, (Laurent, int, Fraction)) and self.c == Laurent._of(other).c

    __hash__ = None

    def __call__(self, t):
        t = Fraction(t)
        return sum((v * t ** e for e, v in self.c.items()), Fraction(0))

    def __repr__(self):
        return f"Laurent({laurent_terms(self)})"


def laurent_terms(v):
    """``[(exponent, coefficient), ...]`` sorted by exponent (a number is a constant)."""
    return sorted(Laurent._of(v).c.items())


def evaluate(v, t=SAMPLE_T):
    """The exact value at ``t`` of a Laurent polynomial or a number."""
    return v(t) if isinstance(v, Laurent) else Fraction(v)


def _rank_one_fit(core, nz, lab, m, n):
    """Nonzero ``(c, d)`` with ``c_i d_j = A_ij`` on every nonzero observed entry, or None
    when the cycles of the nonzero pattern are inconsistent."""
    c, d = [None] * m, [None] * n
    adj = {}
    for i, j in nz:
        adj.setdefault(("r", i), []).append(("c", j))
        adj.setdefault(("c", j), []).append(("r", i))
    for start in sorted(adj):
        if (c if start[0] == "r" else d)[start[1]] is not None:
            continue
        (c if start[0] == "r" else d)[start[1]] = Fraction(1)
        stack = [start]
        while stack:
            side, u = stack.pop()
            for side2, w in adj[(side, u)]:
                i, j = (u, w) if side == "r" else (w, u)
                if side == "r" and d[w] is None:
                    d[w] = core.A[i][j] / c[i]
                    stack.append((side2, w))
                elif side == "c" and c[w] is None:
                    c[w] = core.A[i][j] / d[j]
                    stack.append((side2, w))
    if any(c[i] * d[j] != core.A[i][j] for i, j in nz):
        return None
    return c, d


def _levels(zero_edges, lab, m):
    """Integer potentials ``p`` per component with ``p[row comp] >= p[col comp] + 1`` for
    every active zero edge (longest path in a DAG), or None when there is a cycle."""
    succ, nodes = {}, set()
    for i, j in zero_edges:
        a, b = lab[i], lab[m + j]
        if a == b:
            return None
        succ.setdefault(a, set()).add(b)
        nodes |= {a, b}
    p, state = {}, {}

    def visit(u):                       # p[u] = 1 + max p[successor]
        if state.get(u) == 1:
            return False
        if state.get(u) == 2:
            return True
        state[u] = 1
        for w in succ.get(u, ()):
            if not visit(w):
                return False
        p[u] = max((p[w] + 1 for w in succ.get(u, ())), default=0)
        state[u] = 2
        return True
    if not all(visit(u) for u in sorted(nodes)):
        return None
    return p


def masked_zero_family(core):
    """A Laurent family ``(x(t), y(t))`` of a masked rank-one core with loss ``-> 0``.

    Parameters
    ----------
    core : MaskedCore

    Returns
    -------
    (x, y) : lists of :class:`Laurent`, or None
        ``x_i = c_i t^{p_C}``, ``y_j = d_j t^{-p_D}`` (``C``, ``D`` the components of the
        nonzero observed pattern containing row ``i``, column ``j``); the loss is
        ``sum (c_i d_j)^2 t^{2 (p_C - p_D)}`` over the observed zeros, every exponent
        ``>= 2``.  None when no family of this shape exists (the nonzero entries admit no
        exact rank-one fit, or the exponent constraints have a cycle).

    Notes
    -----
    Rows (columns) with no nonzero observed entry are set to 0.  On each connected
    component of the nonzero observed entries a rank-one fit ``c_i d_j = A_ij`` is
    propagated from a root; each component ``C`` gets an integer level ``p_C`` with
    ``p_C >= p_D + 1`` whenever an observed zero joins a row of ``C`` to a column of ``D``
    (a longest-path labelling of that directed graph), so every observed zero is fitted by
    a product tending to 0.
    """
    m, n = core.shape
    obs = [(i, j) for i in range(m) for j in range(n) if core.omega[i][j]]
    nz = [(i, j) for i, j in obs if core.A[i][j] != 0]
    rows = {i for i, _ in nz}
    cols = {j for _, j in nz}
    lab = bipartite_labels(nz, m, n)
    fit = _rank_one_fit(core, nz, lab, m, n)
    if fit is None:
        return None
    c, d = fit
    zero = [(i, j) for i, j in obs if core.A[i][j] == 0 and i in rows and j in cols]
    p = _levels(zero, lab, m)
    if p is None:
        return None
    x = [Laurent({p.get(lab[i], 0): c[i]}) if i in rows else Laurent() for i in range(m)]
    y = [Laurent({-p.get(lab[m + j], 0): d[j]}) if j in cols else Laurent()
         for j in range(n)]
    return x, y


def _no_fit_now(entries, var_x, var_y):
    """Gröbner basis of ``sum_k x_ik y_jk = A_ij`` (``entries[(i, j)] = (A_ij, ks)``) is
    ``[1]``?"""
    names = [f"x{i}_{k}" for i, k in var_x] + [f"y{j}_{k}" for j, k in var_y]
    ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
    g = dict(zip(names, ctx.gens()))
    zero = ctx.from_dict({})            # also with no variable at all (empty supports)
    polys = []
    for (i, j), (a, ks) in sorted(entries.items()):
        p = zero - a.numerator
        for k in ks:
            p += a.denominator * g[f"x{i}_{k}"] * g[f"y{j}_{k}"]
        polys.append(p)
    G = flint.fmpz_mpoly_vec(polys, ctx).buchberger_naive()
    return bool(any(q.is_constant() and not q.is_zero() for q in G))


def part_has_no_exact_fit(A, I, J, cells, columns, budget):
    """``(True, is_one)`` or ``(False, reason)``: whether the Gröbner basis of the exact-fit
    system of one part (``sum_{k in columns} x_ik y_jk = A_ij`` on its ``cells``) is
    ``[1]``, i.e. no point fits the part exactly (weak Nullstellensatz); run in a child
    process killed after ``budget`` seconds.

    >>> from exactsparse.supports import check_pair
    >>> I, J = check_pair("10/11", "10/11")
    >>> A = [[Fraction(0), Fraction(1)], [Fraction(1), Fraction(0)]]
    >>> part_has_no_exact_fit(A, I, J, [(0, 0), (0, 1), (1, 0)], [0], 5)
    (True, True)
    """
    entries = {(i, j): (Fraction(A[i][j]), [k for k in columns if I[i, k] and J[j, k]])
               for i, j in cells}
    var_x = sorted({(i, k) for (i, j), (_, ks) in entries.items() for k in ks})
    var_y = sorted({(j, k) for (i, j), (_, ks) in entries.items() for k in ks})
    if not var_x:
        return True, any(a != 0 for a, _ in entries.values())
    return run_killable(_no_fit_now, (entries, var_x, var_y), budget, "the Gröbner basis")

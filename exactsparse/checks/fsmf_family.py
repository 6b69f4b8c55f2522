"""Checks of the non-attainment part of an ``fsmf.certify`` certificate (used by
:func:`.fsmf_hard.check_certify`).

A *family* is a point ``(X(t), Y(t))`` whose entries are Laurent polynomials in ``t``
(lists of ``[exponent, coefficient]``), supported on ``(I, J)``.  Its residual and loss on
the cells of a part are re-computed here with plain dictionaries of Fractions; when the
loss has no negative power of ``t`` its limit as ``t -> 0+`` (the constant term) is an
upper bound of the part's infimum.  A part that claims ``attained: False`` needs that
limit to equal its lower bound and the Gröbner basis of its exact-fit system
``sum_k x_ik y_jk = A_ij`` (its cells, its columns) to be ``[1]`` (weak Nullstellensatz:
no point fits it exactly), re-computed in a killed child process.  Only flint and
Fractions are used; nothing from :mod:`exactsparse.fsmf` is imported.

Examples
--------
>>> from fractions import Fraction
>>> t = {1: Fraction(1)}
>>> series_mul(t, {-1: Fraction(2)}), series_add({0: Fraction(1)}, {0: Fraction(-1)})
({0: Fraction(2, 1)}, {})
"""

from __future__ import annotations

from fractions import Fraction

import flint

from .._budget import run_killable
from ._read import fail, get, integer, rational, sequence

__all__ = ["series_add", "series_mul", "read_family", "family_limit", "check_no_fit",
           "FAMILY_GROEBNER_BUDGET"]

#: Seconds allowed to re-compute the Gröbner basis of one part (killed beyond it).
FAMILY_GROEBNER_BUDGET = 30.0
#: Largest exponent magnitude accepted in a family (a guard against huge inputs).
MAX_EXPONENT = 10**4


def series_add(a, b):
    """Sum of two Laurent polynomials ``{exponent: Fraction}`` (zero terms dropped)."""
    out = dict(a)
    for e, v in b.items():
        out[e] = out.get(e, 0) + v
    return {e: v for e, v in out.items() if v}


def series_mul(a, b):
    """Product of two Laurent polynomials ``{exponent: Fraction}``."""
    out = {}
    for e1, v1 in a.items():
        for e2, v2 in b.items():
            out[e1 + e2] = out.get(e1 + e2, 0) + v1 * v2
    return {e: v for e, v in out.items() if v}


def _entry(terms):
    out = {}
    for term in sequence(terms, "a family entry"):
        term = sequence(term, "a family term")
        if len(term) != 2:
            fail("a family term is not [exponent, coefficient].")
        e = integer(term[0], "a family exponent", -MAX_EXPONENT, MAX_EXPONENT + 1)
        out[e] = out.get(e, 0) + rational(term[1], "a family coefficient")
    return {e: v for e, v in out.items() if v}


def read_family(fam, I, J):
    """``(X, Y, t)``: the family's Laurent matrices (shapes of ``I``, ``J``, zero outside
    the supports) and its sample parameter ``t > 0``."""
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    out = []
    for key, rows, S in (("X", m, I), ("Y", n, J)):
        M = [[_entry(v) for v in sequence(row, f"family {key} row")]
             for row in sequence(get(fam, key), f"family {key}")]
        if len(M) != rows or any(len(row) != r for row in M):
            fail(f"the family's {key} has the wrong shape.")
        for i, row in enumerate(M):
            for k, v in enumerate(row):
                if v and not S[i, k]:
                    fail(f"family {key} entry ({i}, {k}) is outside its support.")
        out.append(M)
    t = rational(get(fam, "t"), "the family's t")
    if t <= 0:
        fail("the family's sample t must be positive.")
    return out[0], out[1], t


def value_at(series, t):
    """The exact value of a Laurent polynomial at ``t``."""
    return sum((v * t ** e for e, v in series.items()), Fraction(0))


def family_limit(A, X, Y, cells):
    """The limit as ``t -> 0+`` of the family's loss on ``cells``; fails when that loss has
    a negative power of ``t`` (the limit is then not established)."""
    total = {}
    for i, j in cells:
        res = {0: A[i][j]} if A[i][j] else {}
        for k in range(len(X[0])):
            if X[i][k] and Y[j][k]:
                res = series_add(res, {e: -v for e, v in series_mul(X[i][k], Y[j][k]).items()})
        total = series_add(total, series_mul(res, res))
    if any(e < 0 for e in total):
        fail("the family's loss on a part has a negative power of t: its limit is not "
             "established.")
    return total.get(0, Fraction(0))


def _no_fit_now(entries, var_x, var_y):
    names = [f"x{i}_{k}" for i, k in var_x] + [f"y{j}_{k}" for j, k in var_y]
    ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
    gens = dict(zip(names, ctx.gens()))
    polys = []
    for (i, j), (a, ks) in sorted(entries.items()):
        p = ctx.from_dict({}) - a.numerator
        for k in ks:
            p = p + a.denominator * gens[f"x{i}_{k}"] * gens[f"y{j}_{k}"]
        polys.append(p)
    G = flint.fmpz_mpoly_vec(polys, ctx).buchberger_naive()
    return bool(any(q.is_constant() and not q.is_zero() for q in G))


def check_no_fit(A, I, J, cells, columns, budget=None):
    """Fail unless the Gröbner basis of ``sum_{k in columns, I[i,k] J[j,k]} x_ik y_jk =
    A_ij`` over ``cells`` is ``[1]`` (re-computed in a child killed after ``budget``,
    default :data:`FAMILY_GROEBNER_BUDGET`, seconds)."""
    entries = {(i, j): (Fraction(A[i][j]), [k for k in columns if I[i, k] and J[j, k]])
               for i, j in cells}
    var_x = sorted({(i, k) for (i, _), (_, ks) in entries.items() for k in ks})
    var_y = sorted({(j, k) for (_, j), (_, ks) in entries.items() for k in ks})
    if not var_x:
        if not any(a for a, _ in entries.values()):
            fail("a part claims no exact fit, but it is fitted by 0.")
        return
    ok, value = run_killable(_no_fit_now, (entries, var_x, var_y),
                             FAMILY_GROEBNER_BUDGET if budget is None else budget,
                             "the Gröbner basis")
    if not ok:
        fail(f"the Gröbner basis of a part could not be re-checked: {value}")
    if not value:
        fail("a part claims no exact fit, but its Gröbner basis is not [1].")

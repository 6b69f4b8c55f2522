"""Certificate checkers for hard FSMF results (certify, spurious, reduce, attainment).

Only exact arithmetic (Fractions, flint balls and polynomials) and the support structure
are used; no decision routine of :mod:`exactsparse.fsmf` is imported.
"""

from __future__ import annotations

from fractions import Fraction

import flint

from .. import exact
from ..exceptions import CertificateError
from ..supports import check_pair, equivalence_classes

__all__ = ["CHECKS"]


def _instance(instance):
    if isinstance(instance, dict):
        instance = (instance["A"], instance["I"], instance["J"])
    if not isinstance(instance, (tuple, list)) or len(instance) != 3:
        raise CertificateError("invalid certificate: the instance must be (A, I, J).")
    A, I, J = instance
    I, J = check_pair(I, J)
    M = exact.as_matrix(A, "A")
    if (M.nrows(), M.ncols()) != (I.shape[0], J.shape[0]):
        raise CertificateError("invalid certificate: A does not fit I and J.")
    return [list(r) for r in exact.to_fractions(M)], I, J


def _loss(A, I, J, X, Y):
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    X = [[Fraction(v) for v in row] for row in X]
    Y = [[Fraction(v) for v in row] for row in Y]
    if len(X) != m or len(Y) != n or any(len(row) != r for row in X + Y):
        raise CertificateError("invalid certificate: X or Y has the wrong shape.")
    for F, S in ((X, I), (Y, J)):
        for i, row in enumerate(F):
            for k, v in enumerate(row):
                if v and not S[i, k]:
                    raise CertificateError(f"invalid certificate: factor entry ({i}, {k}) "
                                           "is outside its support.")
    return sum(((A[i][j] - sum((X[i][k] * Y[j][k] for k in range(r)), Fraction(0))) ** 2
                for i in range(m) for j in range(n)), Fraction(0))


def check_certify(result, instance):
    A, I, J = _instance(instance)
    c = result.certificate
    up = _loss(A, I, J, c["X"], c["Y"])
    if up != Fraction(c["upper"]):
        raise CertificateError(f"invalid certificate: the exact loss of (X, Y) is {up}, "
                               f"not the claimed upper bound {c['upper']}.")
    parts_lo = sum((Fraction(p["lower"]) for p in c["parts"]), Fraction(c["constant"]))
    if parts_lo != Fraction(c["lower"]) or Fraction(c["lower"]) > up:
        raise CertificateError("invalid certificate: lower bound inconsistent with its parts.")
    return f"upper bound {float(up):.10g} re-computed exactly"


# ---------------------------------------------------------------- spurious (independent)
def _masked_structure(A, I, J, c):
    k0 = int(c["column"])
    rows_all, cols_all = I.column(k0), J.column(k0)
    T = set()
    for cl in equivalence_classes(I, J):
        if k0 in cl.columns:
            if len(cl.columns) != 1:
                raise CertificateError("invalid certificate: the masked column is not alone.")
            continue
        if not cl.is_complete:
            raise CertificateError("invalid certificate: a class other than the masked "
                                   "column is not complete.")
        T |= {(i, j) for i in cl.rows for j in cl.cols}
    cells = {(i, j) for i in rows_all for j in cols_all} - T
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    if rows != list(c["rows"]) or cols != list(c["cols"]):
        raise CertificateError("invalid certificate: rows/cols of the core do not match.")
    covered = T | {(i, j) for i in rows_all for j in cols_all}
    const = sum((A[i][j] ** 2 for i in range(len(A)) for j in range(len(A[0]))
                 if (i, j) not in covered), Fraction(0))
    a = [[A[i][j] if (i, j) in cells else None for j in cols] for i in rows]
    if c["transposed"]:
        a = [list(col) for col in zip(*a)]
    return a, const


def _q(v):
    return flint.arb(flint.fmpq(int(Fraction(v).numerator), int(Fraction(v).denominator)))


def _F_parts(a, y):
    """Per row ``(s, d, obs)`` with ``s = sum a_ij y_j``, ``d = sum y_j^2`` over observed j."""
    out = []
    for row in a:
        obs = [j for j, v in enumerate(row) if v is not None]
        s = sum((_q(row[j]) * y[j] for j in obs), flint.arb(0))
        d = sum((y[j] * y[j] for j in obs), flint.arb(0))
        if obs and d.contains(0):
            raise CertificateError("invalid certificate: a denominator may vanish on the box.")
        out.append((s, d, obs))
    return out


def _grad_hess(a, y):
    n = len(y)
    g = [flint.arb(0) for _ in range(n)]
    H = [[flint.arb(0) for _ in range(n)] for _ in range(n)]
    val = flint.arb(0)
    for row, (s, d, obs) in zip(a, _F_parts(a, y)):
        if not obs:
            continue
        w = [_q(row[j]) if j in obs else flint.arb(0) for j in range(n)]
        e = [1 if j in obs else 0 for j in range(n)]
        val += sum((_q(row[j]) ** 2 for j in obs), flint.arb(0)) - s * s / d
        for j in range(n):
            g[j] += -2 * s * w[j] / d + 2 * s * s * e[j] * y[j] / (d * d)
            for k in range(n):
                h = 2 * w[j] * w[k] / d - 4 * s * (w[j] * e[k] * y[k] + w[k] * e[j] * y[j]) \
                    / (d * d) + 8 * s * s * e[j] * e[k] * y[j] * y[k] / (d * d * d)
                if j == k:
                    h -= 2 * s * s * e[j] / (d * d)
                H[j][k] -= h
    return val, g, H


def _check_minimum(a, mm, better):
    mid, rad, C = mm["mid"], mm["rad"], mm["C"]
    d = len(mid)
    old = flint.ctx.prec
    flint.ctx.prec = 256
    try:
        box = [_q(v) + flint.arb(0, float(r)) for v, r in zip(mid, rad)]
        _, gm, _ = _grad_hess(a, [flint.arb(1)] + [_q(v) for v in mid])
        val, _, Hb = _grad_hess(a, [flint.arb(1)] + box)
        gm, Hb = gm[1:], [row[1:] for row in Hb[1:]]
        for i in range(d):
            K = _q(mid[i]) - sum((_q(C[i][j]) * gm[j] for j in range(d)), flint.arb(0))
            for j in range(d):
                e = (1 if i == j else 0) - sum((_q(C[i][k]) * Hb[k][j] for k in range(d)),
                                               flint.arb(0))
                K += e * (box[j] - _q(mid[j]))
            if not box[i].contains_interior(K):
                raise CertificateError("invalid certificate: Krawczyk inclusion fails.")
        Hs = [[(Hb[i][j] + Hb[j][i]) / 2 for j in range(d)] for i in range(d)]
        for k in range(1, d + 1):
            if not flint.arb_mat([r[:k] for r in Hs[:k]]).det() > 0:
                raise CertificateError("invalid certificate: Hessian not positive definite.")
        return val
    finally:
        flint.ctx.prec = old


def check_spurious(result, instance):
    A, I, J = _instance(instance)
    c = result.certificate
    if not c["minima"]:
        return "no spurious minimum claimed"
    better = _loss(A, I, J, c["X"], c["Y"])
    if better != Fraction(c["better"]):
        raise CertificateError("invalid certificate: the better point's loss differs.")
    a, const = _masked_structure(A, I, J, c)
    for mm in c["minima"]:
        val = _check_minimum(a, mm, better) + _q(const)
        if not _q(better) < val:
            raise CertificateError("invalid certificate: the better point is not strictly "
                                   "below the local minimum value.")
    return f"{len(c['minima'])} spurious local minimum(s) re-checked"


def check_reduce(result, instance):
    A, I, J = _instance(instance)
    c = result.certificate
    classes = {k: cl for cl in equivalence_classes(I, J) for k in cl.columns}
    T = set()
    for cols in c["cec_columns"]:
        cl = classes[cols[0]]
        if not cl.is_complete or set(cl.columns) != set(cols):
            raise CertificateError("invalid certificate: a listed CEC is not complete.")
        T |= {(i, j) for i in cl.rows for j in cl.cols}
    seen = set()
    for p in c["parts"]:
        cells = {tuple(t) for t in p["cells"]}
        rect = set()
        for k in p["columns"]:
            cl = classes[k]
            rect |= {(i, j) for i in cl.rows for j in cl.cols}
        if cells & seen or cells & T or not cells <= rect:
            raise CertificateError("invalid certificate: parts overlap or leave their classes.")
        seen |= cells
    covered = {(i, j) for cl in classes.values() for i in cl.rows for j in cl.cols}
    if seen | T != covered:
        raise CertificateError("invalid certificate: parts and CECs do not cover the classes.")
    const = sum((A[i][j] ** 2 for i in range(len(A)) for j in range(len(A[0]))
                 if (i, j) not in covered), Fraction(0))
    if const != Fraction(c["constant"]):
        raise CertificateError("invalid certificate: wrong constant.")
    return f"{len(c['parts'])} part(s)"


def check_attainment(result, instance):
    A, I, J = _instance(instance)
    c = result.certificate
    losses = [_loss(A, I, J, X, Y) for X, Y in c["family"]]
    if any(b >= a for a, b in zip(losses, losses[1:])):
        raise CertificateError("invalid certificate: the family's losses do not decrease.")
    if c["groebner_is_one"] and not _groebner_one(A, I, J):
        raise CertificateError("invalid certificate: the Gröbner basis is not [1].")
    return "Gröbner basis [1] re-computed" if c["groebner_is_one"] else "family re-checked"


def _groebner_one(A, I, J):
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    names = [f"x{i}_{k}" for i in range(m) for k in range(r) if I[i, k]] + \
            [f"y{j}_{k}" for j in range(n) for k in range(r) if J[j, k]]
    ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
    g = dict(zip(names, ctx.gens()))
    den = 1
    for row in A:
        for v in row:
            den = den * v.denominator
    polys = []
    for i in range(m):
        for j in range(n):
            p = 0 * ctx.gens()[0] - int(A[i][j] * den)
            for k in range(r):
                if I[i, k] and J[j, k]:
                    p += den * g[f"x{i}_{k}"] * g[f"y{j}_{k}"]
            polys.append(p)
    G = flint.fmpz_mpoly_vec(polys, ctx).buchberger_naive()
    return any(p.is_constant() and not p.is_zero() for p in G)


CHECKS = {"fsmf.certify": check_certify, "fsmf.spurious": check_spurious,
          "fsmf.reduce": check_reduce, "fsmf.attainment": check_attainment}

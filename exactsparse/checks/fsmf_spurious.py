"""Certificate checker for certified spurious local minima (``fsmf.spurious``).

Independently re-derives the masked core from ``(A, I, J)`` (every other class complete
or a listed ``svd_parts`` rectangle whose ``[lower, upper]`` contains its re-computed
eigenvalue tail), re-runs the Krawczyk inclusion and the Hessian test in ball arithmetic,
and checks the exact better point.  A certificate with ``parts`` (several masked cores or
general parts, :func:`_check_parts`) is re-derived part by part (whole equivalence
classes, disjoint cells outside the complete classes) and each part's box is re-checked
in the chart of its variable projection by :mod:`.spurious_general`.  Reads the
certificate with :mod:`._read` and the exact FSMF quantities of :mod:`._fsmf_common`; no
decision routine is imported.
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ._fsmf_common import constant, loss, rectangle, structure, svd_tail_within
from ._read import fail, flag, get, integer, matrix_instance, rational, sequence
from .spurious_general import active_columns, check_general_box

__all__ = ["check_spurious", "CHECKS"]


def _svd_parts(A, c, classes, T):
    """Parse and check the ``svd_parts`` of a spurious certificate: each is one
    non-complete class on a full rectangle outside ``T`` with ``lower <= tail <= upper``.
    Returns ``{column tuple: (cells, lower, upper)}``."""
    of = {k: cl for cl in classes for k in cl.columns}
    out = {}
    for p in sequence(c.get("svd_parts", []), "svd_parts"):
        cols = tuple(sorted(integer(k, "an svd column", 0, max(of, default=0) + 1)
                            for k in sequence(get(p, "columns"), "columns")))
        if not cols or cols[0] not in of or tuple(sorted(of[cols[0]].columns)) != cols:
            fail("an svd part is not exactly one equivalence class.")
        cl = of[cols[0]]
        if cl.is_complete or cols in out:
            fail("an svd part is a complete class or listed twice.")
        cells = rectangle(cl) - T
        rows, cc = {i for i, _ in cells}, {j for _, j in cells}
        if not cells or len(cells) != len(rows) * len(cc):
            fail("an svd part's cells outside the complete classes are not a rectangle.")
        lo, up = rational(get(p, "lower"), "an svd lower"), rational(get(p, "upper"), "an svd upper")
        if not svd_tail_within(A, cells, len(cols), lower=lo, upper=up):
            fail("an svd part's [lower, upper] does not contain its eigenvalue tail.")
        out[cols] = (cells, lo, up)
    return out


def _masked_structure(A, I, J, c):
    """The masked core of a spurious certificate, re-derived from ``(A, I, J)``: the masked
    column is a class of its own, every other non-complete class is a listed svd part, and
    the stated ``rows``/``cols`` are the core's.  Returns the core ``a`` (None where
    unobserved, transposed when stated), the constant of the uncovered cells and the sum
    ``(lower, upper)`` of the svd parts' bounds."""
    k0 = int(c["column"])
    rows_all, cols_all = I.column(k0), J.column(k0)
    classes, _, T, _ = structure(I, J)
    svd = _svd_parts(A, c, classes, T)
    for cl in classes:
        if k0 in cl.columns:
            if len(cl.columns) != 1:
                fail("the masked column is not alone.")
        elif not cl.is_complete and tuple(sorted(cl.columns)) not in svd:
            fail("a class other than the masked column is neither complete nor a listed "
                 "svd part.")
    cells = {(i, j) for i in rows_all for j in cols_all} - T
    pieces = [cells] + [v[0] for v in svd.values()]
    if sum(len(p) for p in pieces) != len(set().union(*pieces)):
        fail("the masked core and the svd parts share a cell outside the complete classes.")
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    if rows != list(c["rows"]) or cols != list(c["cols"]):
        fail("rows/cols of the core do not match.")
    const = constant(A, T.union(*pieces))
    a = [[A[i][j] if (i, j) in cells else None for j in cols] for i in rows]
    if c["transposed"]:
        a = [list(col) for col in zip(*a)]
    lo = sum((v[1] for v in svd.values()), Fraction(0))
    up = sum((v[2] for v in svd.values()), Fraction(0))
    return a, const, (lo, up)


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
            fail("a denominator may vanish on the box.")
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
                fail("Krawczyk inclusion fails.")
        Hs = [[(Hb[i][j] + Hb[j][i]) / 2 for j in range(d)] for i in range(d)]
        for k in range(1, d + 1):
            if not flint.arb_mat([r[:k] for r in Hs[:k]]).det() > 0:
                fail("Hessian not positive definite.")
        return val
    finally:
        flint.ctx.prec = old


def _parse_minimum(mm, d):
    mid = [rational(v, "mid") for v in sequence(get(mm, "mid"), "mid")]
    rad = [rational(v, "rad") for v in sequence(get(mm, "rad"), "rad")]
    C = [[rational(v, "C") for v in sequence(row, "C row")] for row in sequence(get(mm, "C"), "C")]
    if len(mid) != d or len(rad) != d or len(C) != d or any(len(row) != d for row in C):
        fail("a minimum's box or preconditioner has the wrong size.")
    if any(not r > 0 for r in rad):
        fail("a box radius is not positive.")
    vlo, vhi = _claimed_values(mm)
    return {"mid": mid, "rad": rad, "C": C}, vlo, vhi


def _claimed_values(mm):
    """``(value_lower, value_upper)`` of a listed minimum marked certified and spurious."""
    if get(mm, "certified") is not True:
        fail("a listed minimum is not marked certified.")
    if mm.get("spurious", True) is not True:
        fail("a listed minimum is not marked spurious.")
    vlo = rational(get(mm, "value_lower"), "value_lower")
    vhi = rational(get(mm, "value_upper"), "value_upper")
    if vlo > vhi:
        fail("value_lower > value_upper.")
    return vlo, vhi


def check_spurious(result, instance):
    """Check an ``fsmf.spurious`` result: certified spurious local minima of
    ``||A - X Y^T||^2`` over factors supported on ``(I, J)``.

    Valid means: for verdict ``"none-found"`` nothing is claimed (no minima); for
    ``"spurious"`` the masked core re-derived from ``(A, I, J)`` matches the certificate
    (:func:`_masked_structure`), and for every listed minimum (boxes pairwise disjoint)
    the Krawczyk operator of the gradient maps its box into its interior (a unique critical
    point in the box) where the Hessian is positive definite (a strict local minimum), its
    value ball plus the constant and the svd parts' bounds lies in ``[value_lower,
    value_upper]``, and the certificate's exact point ``(X, Y)`` has a loss ``better``
    strictly below it, so the minimum is not global.  With ``parts``: every part's box
    passes the same tests in its chart (:func:`.spurious_general.check_general_box`), its
    value ball lies in the part's bounds, and the sum of the balls plus the constant and
    the svd bounds lies in the minimum's bounds, strictly above ``better``.
    """
    A, I, J = matrix_instance(instance)
    c = result.certificate
    minima = sequence(get(c, "minima"), "minima")
    if result.verdict not in ("spurious", "none-found"):
        fail(f"unknown verdict {result.verdict!r}.")
    if (result.verdict == "spurious") != bool(minima):
        fail("verdict 'spurious' must come with a non-empty list of minima (and only then).")
    if not minima:
        return "no spurious minimum claimed"
    better = loss(A, I, J, get(c, "X"), get(c, "Y"))
    if better != rational(get(c, "better"), "better"):
        fail("the better point's loss differs.")
    if "parts" in c:
        return _check_parts(A, I, J, c, minima, better)
    integer(get(c, "column"), "column", 0, I.shape[1])
    flag(get(c, "transposed"), "transposed")
    a, const, (svd_lo, svd_up) = _masked_structure(A, I, J, c)
    _same_constant(c, const)
    d = len(a[0]) - 1
    boxes = []
    for mm in minima:
        box, vlo, vhi = _parse_minimum(mm, d)
        for other in boxes:
            if all(abs(p - q) <= r + t for p, q, r, t in
                   zip(box["mid"], other["mid"], box["rad"], other["rad"])):
                fail("two listed minima have overlapping boxes (a duplicate).")
        boxes.append(box)
        old = flint.ctx.prec
        flint.ctx.prec = 256
        try:
            val = _check_minimum(a, box, better) + _q(const)
            if not (val + _q(svd_lo) >= _q(vlo) and val + _q(svd_up) <= _q(vhi)):
                fail("the re-computed value ball (plus the svd parts' bounds) is not inside "
                      "[value_lower, value_upper].")
            if not _q(better) < val or not better < vlo:
                fail("the better point is not strictly below the local minimum value.")
        finally:
            flint.ctx.prec = old
    return f"{len(minima)} spurious local minimum(s) re-checked"


# ------------------------------------------------- several parts (masked and general)
def _part_classes(e, of):
    """The classes of one listed part: whole classes (a masked part: one column alone in
    its class)."""
    kind = get(e, "kind")
    if kind not in ("masked", "general"):
        fail(f"unknown part kind {kind!r}.")
    cols = [integer(k, "a part column", 0, max(of, default=0) + 1)
            for k in sequence(get(e, "columns"), "columns")]
    if not cols or len(set(cols)) != len(cols) or any(k not in of for k in cols):
        fail("a part's columns are empty, repeated or degenerate.")
    cls = list({id(of[k]): of[k] for k in cols}.values())
    if {k for cl in cls for k in cl.columns} != set(cols):
        fail("a part's columns are not whole equivalence classes.")
    if kind == "masked" and len(cols) != 1:
        fail("the masked column is not alone.")
    return cols, cls


def _derive_parts(A, I, J, c, classes, of, T, svd):
    """The listed parts re-derived from ``(A, I, J)`` in local indices, ``(loc, Is, Js)``
    (transposed when stated); every non-complete class is in exactly one part or svd
    part, and no two share a cell outside ``T``.  Also returns the constant of the cells
    no piece or complete class covers."""
    used, out, pieces = set(svd), [], [v[0] for v in svd.values()]
    for e in sequence(get(c, "parts"), "parts"):
        ks, cls = _part_classes(e, of)
        for cl in cls:
            key = tuple(sorted(cl.columns))
            if cl.is_complete or key in used:
                fail("a part's class is complete or listed twice.")
            used.add(key)
        cells = set().union(*(rectangle(cl) for cl in cls)) - T
        if not cells:
            fail("a part has no cell outside the complete classes.")
        pieces.append(cells)
        rows, cols = sorted({i for i, _ in cells}), sorted({j for _, j in cells})
        ri, cj = {i: t for t, i in enumerate(rows)}, {j: t for t, j in enumerate(cols)}
        loc = [(ri[i], cj[j], A[i][j]) for i, j in sorted(cells)]
        Is = [[bool(I[i, k]) for k in ks] for i in rows]
        Js = [[bool(J[j, k]) for k in ks] for j in cols]
        out.append(([(j, i, v) for i, j, v in loc], Js, Is)
                   if flag(get(e, "transposed"), "transposed") else (loc, Is, Js))
    for cl in classes:          # (a class inside the complete classes' cells is harmless)
        if not cl.is_complete and tuple(sorted(cl.columns)) not in used and rectangle(cl) - T:
            fail("a non-complete class is in no listed part.")
    if sum(len(p) for p in pieces) != len(set().union(*pieces)):
        fail("two parts share a cell outside the complete classes.")
    return out, constant(A, T.union(*pieces))


def _part_box(data, b):
    """The value ball of one part's box (its tests re-run) and the box."""
    mid = [rational(v, "mid") for v in sequence(get(b, "mid"), "mid")]
    rad = [rational(v, "rad") for v in sequence(get(b, "rad"), "rad")]
    C = [[rational(v, "C") for v in sequence(row, "C row")] for row in sequence(get(b, "C"), "C")]
    lo, hi = rational(get(b, "value_lower"), "value_lower"), rational(get(b, "value_upper"),
                                                                       "value_upper")
    loc, Is, Js = data
    act = sorted(active_columns(loc, Is, Js))
    piv = [integer(j, "a pivot", 0, len(Js)) for j in sequence(get(b, "pivots"), "pivots")]
    if len(piv) != len(act):
        fail("a part's chart does not list one pivot per active column.")
    val = check_general_box(loc, Is, Js, dict(zip(act, piv)), mid, rad, C)
    if not (val >= _q(lo) and val <= _q(hi)):
        fail("a part's re-computed value ball is not inside its [value_lower, value_upper].")
    return val, (tuple(piv), mid, rad)


def _check_parts(A, I, J, c, minima, better):
    """:func:`check_spurious` for a certificate with ``parts``."""
    classes, of, T, _ = structure(I, J)
    svd = _svd_parts(A, c, classes, T)
    derived, const = _derive_parts(A, I, J, c, classes, of, T, svd)
    _same_constant(c, const)
    svd_lo = sum((v[1] for v in svd.values()), Fraction(0))
    svd_up = sum((v[2] for v in svd.values()), Fraction(0))
    seen = []
    old = flint.ctx.prec
    flint.ctx.prec = 256
    try:
        for mm in minima:
            boxes = sequence(get(mm, "parts"), "a minimum's parts")
            if len(boxes) != len(derived):
                fail("a minimum does not give one box per part.")
            vlo, vhi = _claimed_values(mm)
            total, where = _q(const), []
            for data, b in zip(derived, boxes):
                val, at = _part_box(data, b)
                total += val
                where.append(at)
            if any(all(_meet(x, y) for x, y in zip(where, o)) for o in seen):
                fail("two listed minima have overlapping boxes (a duplicate).")
            seen.append(where)
            if not (total + _q(svd_lo) >= _q(vlo) and total + _q(svd_up) <= _q(vhi)):
                fail("the re-computed value ball (plus the constant and the svd parts' "
                     "bounds) is not inside [value_lower, value_upper].")
            if not _q(better) < total + _q(svd_lo) or not better < vlo:
                fail("the better point is not strictly below the local minimum value.")
    finally:
        flint.ctx.prec = old
    return f"{len(minima)} spurious local minimum(s) of {len(derived)} parts re-checked"


def _same_constant(c, const):
    """The stated ``constant`` (the loss of the uncovered cells), when given, is the one
    re-computed from ``(A, I, J)``."""
    if "constant" in c and rational(c["constant"], "constant") != const:
        fail(f"the stated constant {c['constant']} is not the loss of the uncovered cells, "
             f"{const}.")


def _meet(a, b):
    """Two boxes ``(pivots, mid, rad)`` of one part in the same chart that intersect."""
    return a[0] == b[0] and all(abs(p - q) <= r + t for p, q, r, t in zip(a[1], b[1], a[2], b[2]))


CHECKS = {"fsmf.spurious": check_spurious}

"""Re-check of a branch-and-bound lower bound of one FSMF part (used by
:mod:`.fsmf_hard`), with its own interval arithmetic; nothing from
:mod:`exactsparse.fsmf` is imported.

The bound is over the variable-projected loss ``F(Y) = ||a||^2 - sum_i Q_i(Y)`` of the part
(``Q_i`` = squared norm of the projection of row ``i``'s observed entries on the span of
its factor columns restricted to those cells).  Every ``Y`` lies in a stratum (its set of
nonzero columns) and, there, in a chart (a pivot per column equal to 1, the other entries
in ``[-1, 1]``: scale the entry of largest modulus to 1, the sign goes to ``X``).  The
certificate must list the *full* stratum (every active column nonzero) with every chart;
the other strata are optional, because ``F`` is upper semicontinuous (a minimum over
``X`` of continuous functions) and invariant under scaling a column of ``Y``: a point
with a zero active column is the limit of points ``Y + eps e_j`` of the full stratum, so
``F`` there is at least the infimum over the full stratum's charts.  A stratum without
charts claims at most its *uncovered* constant (cells no nonzero column reaches),
checked exactly; a chart
gives a bisection tree (preorder ``S`` = split the widest side at its midpoint, ``L`` =
leaf) whose leaves are re-evaluated here: lower bound = the largest of the natural
interval enclosure, the mean-value form, the second-order (Taylor) form and the per-row
bound (see :func:`_leaf_bounds`), in float64 intervals rounded outward by one ulp after
every operation (IEEE operations are correctly rounded), and must reach the chart's
claimed bound.  Singular leaves (a Gram determinant enclosure not positive) use
``0 <= Q_i <= ||a_i||^2`` only.  Each row's ``Q_i`` is enclosed by the Cauchy-Binet
residual form (:mod:`.fsmf_bnb_rows`); in a plain chart a row's column with one variable
entry is replaced by 1 (same span where that entry is not 0; where it is 0, ``F`` is at
least its infimum nearby, and such leaves prove no attainment).  A plain chart may list
``cross`` entries (:func:`.fsmf_bnb_blowup.crosses`): its boxes where one column of a
pair, rescaled onto the other's pivot, lies in the slab of the blow-up charts of the
chart ``into`` are not evaluated, and those blow-up charts must be listed.

Examples
--------
A tree splitting ``[-1, 1]`` once has two leaves:

>>> lo, hi = _leaves("SLL", 1, 10)
>>> lo.ravel().tolist(), hi.ravel().tolist()
([-1.0, 0.0], [0.0, 1.0])
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from ._read import fail, flag, get, integer, rational, sequence
from .fsmf_bnb_blowup import crosses, in_cross, in_slab, layout, required
from .fsmf_bnb_rows import (D as _D, const as _const, down as _lo, num as _num,
                            proj as _proj, up as _hi)

__all__ = ["check_bnb", "MAX_LEAVES"]

#: Largest number of leaves re-evaluated for one part.
MAX_LEAVES = 2_000_000
_CHUNK = 50_000


def _local(A, I, J, cells, columns, transposed):
    """The part in local indices: ``(cells [(i, j, a)], Is, Js, m, n)`` (transposed when
    the certificate says so)."""
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    ri, cj = {i: a for a, i in enumerate(rows)}, {j: b for b, j in enumerate(cols)}
    loc = sorted((ri[i], cj[j], A[i][j]) for i, j in cells)
    Is = [[bool(I[i, k]) for k in columns] for i in rows]
    Js = [[bool(J[j, k]) for k in columns] for j in cols]
    if transposed:
        return sorted((j, i, a) for i, j, a in loc), Js, Is, len(cols), len(rows)
    return loc, Is, Js, len(rows), len(cols)


def _leaves(tree, d, limit, root=None):
    """The leaf boxes ``(lo, hi)`` (arrays) of a preorder bisection tree of ``root``
    (default ``[-1, 1]^d``)."""
    if not isinstance(tree, str) or set(tree) - {"S", "L"}:
        fail("a branch-and-bound tree is not a string of 'S' and 'L'.")
    out_lo, out_hi = [], []
    stack = [root or (np.full(d, -1.0), np.full(d, 1.0))]
    pos = 0
    while stack:
        if pos >= len(tree):
            fail("a branch-and-bound tree ends early.")
        lo, hi = stack.pop()
        if tree[pos] == "L":
            out_lo.append(lo)
            out_hi.append(hi)
            if len(out_lo) > limit:
                fail("too many branch-and-bound leaves.")
        else:
            if d == 0:
                fail("a chart without variables cannot be split.")
            t = int(np.argmax(hi - lo))
            mid = (lo[t] + hi[t]) / 2
            if not lo[t] < mid < hi[t]:
                fail("a branch-and-bound box is split below float resolution.")
            a_hi, b_lo = hi.copy(), lo.copy()
            a_hi[t] = mid
            b_lo[t] = mid
            stack.append((b_lo, hi))
            stack.append((lo, a_hi))
        pos += 1
    if pos != len(tree):
        fail("a branch-and-bound tree has trailing entries.")
    return np.array(out_lo).reshape(-1, d), np.array(out_hi).reshape(-1, d)


def _F(loc, Is, Js, S, pivots, free, box, force=None, gains=None, second=False,
       row_boxes=None, blow=None):
    """Value, gradient (and, when ``second``, Hessian) enclosures on the boxes: rows
    singular on a box (or ``force``d) count as ``Q in [0, ||a||^2]`` with no derivatives
    (the derivatives are then those of ``F`` plus those rows' ``Q``); returns ``(jet, all
    rows non-singular, per-row masks, per-row Q jets, gains)``.  ``row_boxes`` gives each
    non-constant row its own box.  ``blow = (pair, polys)`` evaluates a blow-up chart
    (:mod:`.fsmf_bnb_blowup`)."""
    nb, d = box[0].shape
    pos = {v: t for t, v in enumerate(free)}
    piv = dict(zip(S, pivots))

    def var(bx, t):
        g = np.zeros((nb, d))
        g[:, t] = 1.0
        z = np.zeros((nb, d, d))
        return _D((bx[0][:, t].copy(), bx[1][:, t].copy()), (g, g.copy()),
                  (z, z.copy()) if second else None)

    def ent(bx, j, k, role=0):
        if not (role or Js[j][k]):
            return None
        if blow is not None:
            acc = None
            for sg, mono in blow[1].get((role, j, k), ()):
                term = _const(sg, nb, d, second)
                for t in mono:
                    term = term * var(bx, t)
                acc = term if acc is None else acc + term
            return acc
        if piv[k] == j:
            return _const(1, nb, d, second)
        if (j, k) not in pos:
            return None
        g = np.zeros((nb, d))
        g[:, pos[(j, k)]] = 1.0
        t = pos[(j, k)]
        z = np.zeros((nb, d, d))
        return _D((bx[0][:, t].copy(), bx[1][:, t].copy()), (g, g.copy()),
                  (z, z.copy()) if second else None)
    total = _const(sum((a * a for _, _, a in loc), Fraction(0)), nb, d, second)
    ok_all = np.ones(nb, bool)
    masks, ids, qs = [], [], []
    by_row = {}
    for i, j, a in loc:
        by_row.setdefault(i, []).append((j, a))
    for i, cl in by_row.items():
        K = [k for k in S if Is[i][k] and any(Js[j][k] for j, _ in cl)]
        if not K:
            continue
        na = sum((a * a for _, a in cl), Fraction(0))
        bx = box if row_boxes is None else row_boxes[len(masks)]
        two = blow is not None and set(blow[0]) <= set(K)
        M = [[ent(bx, j, k, int(two and k == blow[0][1])) for k in K] for j, _ in cl]
        for c in range(len(K) if blow is None else 0):
            # a column with one nonzero entry spans the same line as a constant 1 where
            # that entry is nonzero; where it is 0, F (upper semicontinuous) is at least
            # its infimum nearby: the leaf proves no attainment unless 0 is excluded
            nz = [u for u in range(len(cl)) if M[u][c] is not None]
            if len(nz) == 1 and (cl[nz[0]][0], K[c]) in pos:
                M[nz[0]][c] = _const(1, nb, d, second)
                t = pos[(cl[nz[0]][0], K[c])]
                ok_all &= (bx[0][:, t] > 0) | (bx[1][:, t] < 0)
        q, ok = _proj(M, [a for _, a in cl], na, nb, d, second)
        if force is not None:
            ok = ok & ~force[len(masks)]
        masks.append(ok)
        ids.append(i)
        h = None if q.h is None else tuple(np.where(ok[:, None, None], x, 0.0) for x in q.h)
        q = _D((np.where(ok, q.v[0], 0.0), np.where(ok, q.v[1], _hi(float(na)))),
               (np.where(ok[:, None], q.g[0], 0.0), np.where(ok[:, None], q.g[1], 0.0)), h)
        ok_all &= ok
        qs.append(q)
        total = total - q
    gain = np.zeros(nb)
    if gains and masks:
        sing = ~np.array(masks)
        for b in np.flatnonzero(sing.sum(axis=0) >= 2):
            g = gains.get(frozenset(ids[t] for t in np.flatnonzero(sing[:, b])))
            if g:
                gain[b] = _lo(float(g))
        lo = np.where(gain > 0, _lo(total.v[0] + gain), total.v[0])
        total = _D((lo, total.v[1]), total.g, total.h)
    return total, ok_all, masks, qs, gain


def _lam(h):
    """Per-coordinate Gershgorin bounds: ``delta^T H delta >= sum_s lam_s delta_s^2`` for
    every symmetric ``H`` in ``h``, ``lam_s = h_ss.lo - sum_{t != s} (|h_st| + |h_ts|) / 2``."""
    m = np.maximum(np.abs(h[0]), np.abs(h[1]))
    m = _hi(0.5 * _hi(m + np.swapaxes(m, 1, 2)))
    out = np.empty(h[0].shape[:2])
    for s in range(m.shape[1]):
        off = np.zeros(m.shape[0])
        for t in range(m.shape[1]):
            if t != s:
                off = _hi(off + m[:, s, t])
        out[:, s] = _lo(h[0][:, s, s] - off)
    return out


def _floor(g, lam, r):
    """Lower bound of ``min sum_s g_s delta_s + lam_s delta_s^2 / 2`` over ``|delta_s| <=
    r_s``: per coordinate ``phi(s) = -|g| s + lam s^2 / 2`` on ``[0, r]``; the vertex value
    ``-|g|^2 / (2 lam)`` (a global minimum when ``lam > 0``) unless ``|g| >= lam r``
    (then ``phi`` decreases on ``[0, r]`` and ``phi(r)`` is the minimum)."""
    G = np.maximum(np.abs(g[0]), np.abs(g[1]))
    quad = np.where(lam >= 0, _lo(lam * _lo(r * r)), _lo(lam * _hi(r * r)))
    end = _lo(-_hi(G * r) + _lo(0.5 * quad))
    pos = lam > 0
    safe = np.where(pos, lam, 1.0)
    vertex = -_hi(_hi(G * G) / (2 * safe))
    term = np.where(pos & (G < _hi(safe * r)), vertex, end)
    out = np.zeros(G.shape[0])
    for s in range(G.shape[1]):
        out = _lo(out + term[:, s])
    return out


def _spread(g, rad):
    """``sum_s |g_s| rad_s`` rounded up (widened by n ulps for the float sum)."""
    out = np.zeros(rad.shape[0])
    for t in range(rad.shape[1]):
        out = _hi(out + _hi(np.maximum(np.abs(g[0][:, t]), np.abs(g[1][:, t])) * rad[:, t]))
    return out


def _leaf_bounds(loc, Is, Js, S, pivots, free, box, gains=None, blow=None):
    """Lower bounds of ``F`` on each leaf and the non-singular mask: the largest of the
    natural enclosure, the mean-value form, the second-order form (Taylor with the
    Lagrange remainder, Hessian enclosed on the box, per-coordinate Gershgorin bounds) and
    ``||a||^2 - sum_i`` (least upper bound of row ``i``'s ``Q_i`` among natural, mean
    value, second order and natural on the face where ``Q_i`` is largest in each
    coordinate in which it is monotone).  ``gains`` maps a set of rows to a checked lower
    bound of its sub-problem's minimum: where those rows are singular together their ``Q``
    sum is at most ``||a||^2`` minus it."""
    d = box[0].shape[1]
    second = d > 0
    val, ok, masks, qs, gain = _F(loc, Is, Js, S, pivots, free, box, gains=gains, second=second,
                                  blow=blow)
    mid = (box[0] + box[1]) / 2
    force = [~m for m in masks]
    cval, _, cmasks, cqs, _ = _F(loc, Is, Js, S, pivots, free, (mid, mid.copy()), force, gains,
                                 blow=blow)
    both = np.ones(len(mid), bool)
    for mk, cm in zip(masks, cmasks):
        both &= ~mk | cm
    rad = _hi(np.maximum(mid - box[0], box[1] - mid))
    best = _lo(cval.v[0] - _spread(val.g, rad))
    if second:
        best = np.fmax(best, _lo(cval.v[0] + _floor(cval.g, _lam(val.h), rad)))
        faces = []
        for q in qs:
            inc, dec = q.g[0] >= 0, q.g[1] <= 0
            faces.append((np.where(inc, box[1], box[0]), np.where(dec & ~inc, box[0], box[1])))
        fqs = _F(loc, Is, Js, S, pivots, free, box, force, None, False, faces, blow)[3]
        acc = np.zeros(len(mid))
        for q, cq, fq in zip(qs, cqs, fqs):
            ub = np.fmin(q.v[1], _hi(cq.v[1] + _spread(q.g, rad)))
            ub = np.fmin(ub, _hi(cq.v[1] - _floor((-cq.g[1], -cq.g[0]),
                                                  _lam((-q.h[1], -q.h[0])), rad)))
            acc = _hi(acc + np.fmin(ub, fq.v[1]))
        na = sum((a * a for _, _, a in loc), Fraction(0))
        best = np.fmax(best, _lo(_lo(_num(na)[0] - acc) + gain))
    return np.where(both, np.maximum(val.v[0], best), val.v[0]), ok


def check_bnb(A, I, J, cells, columns, cert, claimed, upper):
    """Fail unless ``cert`` proves that the part's minimum is at least ``claimed``.

    Returns ``(leaves, attained)``: the number of leaves re-evaluated, and whether the
    infimum is proven attained (every leaf and constant stratum whose bound is at most
    ``upper`` is non-singular)."""
    if get(cert, "method") != "bnb":
        fail("unknown lower-bound method.")
    transposed = flag(get(cert, "transposed"), "transposed")
    loc, Is, Js, m, n = _local(A, I, J, cells, columns, transposed)
    return _check_local(loc, Is, Js, n, len(columns), cert, claimed, upper, 0)


def _sub_rows(loc, Is, Js, rows):
    """The cells of ``rows`` renumbered (sorted rows and columns)."""
    cells = [(i, j, a) for i, j, a in loc if i in rows]
    ri = {i: t for t, i in enumerate(sorted({i for i, _, _ in cells}))}
    cj = {j: t for t, j in enumerate(sorted({j for _, j, _ in cells}))}
    return (sorted((ri[i], cj[j], a) for i, j, a in cells), [Is[i] for i in sorted(ri)],
            [Js[j] for j in sorted(cj)], len(cj))


def _check_groups(loc, Is, Js, r, cert, depth):
    """The row groups of a certificate, each with its sub-problem bound re-checked:
    ``{frozenset(rows): lower}``."""
    out = {}
    groups = sequence(cert["groups"], "groups") if "groups" in cert else []
    if groups and depth >= 2:
        fail("row groups nested too deep.")
    m = 1 + max((i for i, _, _ in loc), default=0)
    for g in groups:
        rows = frozenset(integer(i, "a group row", 0, m) for i in sequence(get(g, "rows"), "rows"))
        low = rational(get(g, "lower"), "a group lower bound")
        if len(rows) < 2 or rows in out or low <= 0:
            fail("a row group is too small, repeated or has no positive bound.")
        sub_loc, sIs, sJs, sn = _sub_rows(loc, Is, Js, rows)
        if flag(get(get(g, "bnb"), "transposed"), "transposed"):
            fail("a row group's sub-problem is not transposed.")
        _check_local(sub_loc, sIs, sJs, sn, r, get(g, "bnb"), low, low, depth + 1)
        out[rows] = low
    return out


def _check_local(loc, Is, Js, n, r, cert, claimed, upper, depth):
    """:func:`check_bnb` on a part in local indices."""
    if get(cert, "method") != "bnb":
        fail("unknown lower-bound method.")
    gains = _check_groups(loc, Is, Js, r, cert, depth)
    act = {}
    for k in range(r):
        js = sorted({j for i, j, _ in loc if Is[i][k] and Js[j][k]})
        if js:
            act[k] = js
    want = {S for size in range(len(act) + 1) for S in itertools.combinations(sorted(act), size)}
    seen, leaves, attained = set(), 0, True
    for st in sequence(get(cert, "strata"), "strata"):
        S = tuple(integer(k, "a stratum column", 0, r) for k in sequence(get(st, "nonzero"),
                                                                           "nonzero"))
        if S not in want or S in seen:
            fail("a stratum is unknown or listed twice.")
        seen.add(S)
        charts = sequence(get(st, "charts"), "charts")
        if not charts:
            const = sum((a * a for i, j, a in loc if not any(Is[i][k] and Js[j][k] for k in S)),
                        Fraction(0))
            b = rational(get(st, "bound"), "a stratum bound")
            if b > const or claimed > b:
                fail("a constant stratum's bound exceeds its uncovered entries, or is below "
                     "the claimed lower bound.")
            attained = attained and const > upper
            continue
        want_p = set(itertools.product(*(act[k] for k in S)))
        got_p, pending = {}, []     # pivots -> None (plain chart) or [pair, eps, ...]
        for ch in charts:
            pivots = tuple(integer(j, "a pivot", 0, n) for j in sequence(get(ch, "pivots"),
                                                                         "pivots"))
            if pivots not in want_p:
                fail("a chart is unknown.")
            blow, root, tcol, slab = None, None, None, None
            free = [(j, k) for k, pv in zip(S, pivots) for j in act[k] if j != pv]
            cross = crosses(act, S, pivots, ch, r, n) if "cross" in ch else []
            pending += [(x[0], x[1], x[3]) for x in cross]
            if "blowup" in ch:
                bl = get(ch, "blowup")
                pair = tuple(integer(k, "a blow-up column", 0, r)
                             for k in sequence(get(bl, "pair"), "pair"))
                eps = rational(get(bl, "t"), "a blow-up slab width")
                if not 0 < eps <= 2 or Fraction(float(eps)) != eps:
                    fail("a blow-up slab width is not a float in (0, 2].")
                seen_b = got_p.setdefault(pivots, [pair, eps, set(), False])
                if seen_b is None or seen_b[:2] != [pair, eps]:
                    fail("a chart is listed twice.")
                if "pivot" in bl:
                    if cross:
                        fail("a blow-up chart has crosses.")
                    jp = integer(get(bl, "pivot"), "a blow-up pivot", 0, n)
                    if jp in seen_b[2]:
                        fail("a chart is listed twice.")
                    seen_b[2].add(jp)
                    free, polys = layout(act, S, pivots, pair, jp)
                    blow, tcol = (pair, polys), free.index(("t",))
                    root = (np.array([-float(eps) if v == ("t",) else -1.0 for v in free]),
                            np.array([float(eps) if v == ("t",) else 1.0 for v in free]))
                else:
                    if seen_b[3]:
                        fail("a chart is listed twice.")
                    seen_b[3] = True
                    slab = (act, S, pivots, pair, float(eps))
            else:
                if pivots in got_p:
                    fail("a chart is listed twice.")
                got_p[pivots] = None
            bound = rational(get(ch, "bound"), "a chart bound")
            if claimed > bound:
                fail("a chart's bound is below the claimed lower bound.")
            lo, hi = _leaves(get(ch, "tree"), len(free), MAX_LEAVES - leaves, root)
            leaves += len(lo)
            fb = float(bound)
            for s in range(0, len(lo), _CHUNK):
                lb, ok = _leaf_bounds(loc, Is, Js, S, pivots, free,
                                      (lo[s:s + _CHUNK], hi[s:s + _CHUNK]), gains, blow)
                if slab is not None:     # boxes inside the slab: the blow-up charts' part
                    ex = in_slab(*slab, free, lo[s:s + _CHUNK], hi[s:s + _CHUNK])
                    lb, ok = np.where(ex, np.inf, lb), ok | ex
                if cross:           # boxes rescaled into another chart's blow-up charts
                    ex = in_cross(act, S, pivots, cross, free, lo[s:s + _CHUNK], hi[s:s + _CHUNK])
                    lb, ok = np.where(ex, np.inf, lb), ok | ex
                low = float(lb.min())
                if not np.all(lb >= fb - abs(fb)) or (low < np.inf and Fraction(low) < bound):
                    fail(f"a branch-and-bound leaf of chart {list(pivots)} (stratum "
                         f"{list(S)}) has lower bound {low:.12g} below the "
                         f"chart's claim {fb:.12g}.")
                if tcol is not None:     # F may differ from the chart's function at t = 0
                    ok = ok & ((lo[s:s + _CHUNK, tcol] > 0) | (hi[s:s + _CHUNK, tcol] < 0))
                if np.any(~ok & (lb <= float(upper))):
                    attained = False
        for pivots, b in got_p.items():
            if b is not None and (b[2] != required(act, S, pivots, b[0]) or not b[3]):
                fail(f"the blow-up charts of chart {list(pivots)} miss a direction or "
                     "their slab's complement.")
        if any(got_p.get(into) is None or got_p[into][:2] != [pair, eps]
               for pair, into, eps in pending):
            fail("a cross names a chart without blow-up charts of its pair and width.")
        if set(got_p) != want_p:
            fail("a stratum does not list every chart.")
    if tuple(sorted(act)) not in seen:
        fail("the strata do not include the stratum of every active column nonzero.")
    return leaves, attained

"""Certified branch-and-bound lower bounds for any FSMF part (general or masked cores).

The loss of one part, ``L(X, Y) = sum_{(i,j) in cells} (A_ij - sum_k X_ik Y_jk)^2`` over
factors on the supports, is projected on ``Y`` (for fixed ``Y`` each row of ``X`` is a
least-squares solution): ``F(Y) = ||A||^2 - sum_i Q_i(Y)``, ``Q_i = b^T G^{-1} b`` with
``M_i = [Y_jk]`` (``j`` the cells of row ``i``, ``k`` its columns), ``G = M_i^T M_i``,
``b = M_i^T a_i``; ``0 <= Q_i <= ||a_i||^2`` always (a projection).

Scaling: ``(X_k, Y_k) -> (X_k / s, s Y_k)`` leaves ``L`` unchanged, so every ``Y`` is covered
by the *strata* ``S`` (the set of nonzero columns) and, in a stratum, by the *charts*: one
pivot ``j_k`` per column with ``Y_{j_k k} = 1`` and every other entry in ``[-1, 1]`` (scale
the entry of largest modulus to ``+1``).  Only the *full* stratum (every active column
nonzero) is searched: ``F`` is upper semicontinuous (a minimum over ``X`` of continuous
functions), so at a point with a zero column it is at least ``limsup F(Y + eps e_j)``,
values on the full stratum.  Each chart is a compact cube; it is split by
bisection (widest side, lowest index first) into boxes, and each leaf box gets a rigorous
lower bound of ``F``: the largest of the natural interval enclosure, the mean-value form
``F(c) + grad F(box) . (box - c)``, the second-order form (Taylor with an interval
Hessian, per-coordinate Gershgorin) and the per-row bound ``||a||^2 - sum_i ub(Q_i)``
(:func:`lower_bounds`; outward-rounded float intervals, :mod:`._interval`; each row's
``Q_i`` by the Cauchy-Binet residual form of :mod:`.bnb_rows`; a row's column with a
single variable entry is replaced by 1, the same span wherever that entry is not 0).
Where the enclosure of ``det G`` is not positive, ``Q_i`` is bounded by ``||a_i||^2``
(``F`` is upper semicontinuous there, so the infimum over a box is the infimum over its
non-singular points and any bound valid on those is valid).  The certificate lists, per
chart, the bisection tree (preorder ``"S"``/``"L"``) and the chart's bound;
:func:`exactsparse.checks.fsmf_bnb.check_bnb` re-evaluates every leaf independently.  A
chart where two columns share a pivot leaves the slab around their coincidence (where
``F`` is discontinuous) to the blow-up charts of :mod:`.bnb_blowup`, and a chart where
two columns with distinct pivots can be parallel leaves those boxes to the blow-up charts
of the chart where one column is rescaled onto the other's pivot (crosses).

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM (2009) (mean-value form, branch and bound).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .bnb_blowup import blowups
from .bnb_rows import row_q
from ._interval import Jet, const, down, gershgorin, mag, point, quadratic_floor, up

__all__ = ["Problem", "problem_of_part", "bnb_lower", "BnBBound", "MAX_DIM", "MAX_BOXES",
           "strata", "charts", "chart_vars", "sub_problem", "evaluate", "lower_bounds"]

#: Largest number of free chart variables handled.
MAX_DIM = 8
#: Largest number of boxes evaluated per call.
MAX_BOXES = 2_000_000
_CHUNK = 20_000
#: Boxes narrower than this are not split further (their bound is kept as is).
MIN_WIDTH = 2.0 ** -40


@dataclass(frozen=True)
class Problem:
    """One part in local indices: ``cells`` ``{(i, j): A_ij}`` (Fractions), supports ``Is``
    (``m x r``) and ``Js`` (``n x r``) as tuples of bools, ``transposed`` when rows and
    columns were swapped (to get fewer chart variables)."""

    m: int
    n: int
    r: int
    cells: tuple          # ((i, j, A_ij), ...) sorted
    Is: tuple
    Js: tuple
    transposed: bool = False

    def transpose(self):
        return Problem(self.n, self.m, self.r,
                       tuple(sorted((j, i, a) for i, j, a in self.cells)), self.Js, self.Is,
                       not self.transposed)

    def active(self):
        """``{k: [j, ...]}``: the entries ``Y_jk`` that meet a cell ``(i, j)`` with
        ``Is[i][k]`` (the others never matter)."""
        out = {}
        for k in range(self.r):
            js = sorted({j for i, j, _ in self.cells if self.Is[i][k] and self.Js[j][k]})
            if js:
                out[k] = js
        return out

    def dims(self):
        """Free chart variables with every active column nonzero."""
        return sum(len(js) - 1 for js in self.active().values())

    def norm_sq(self):
        return sum((a * a for _, _, a in self.cells), Fraction(0))


def problem_of_part(A, I, J, cells, columns):
    """The :class:`Problem` of the part with ``cells`` (original indices) and factor
    ``columns``, in the orientation with fewer chart variables."""
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    ri, cj = {i: a for a, i in enumerate(rows)}, {j: b for b, j in enumerate(cols)}
    p = Problem(len(rows), len(cols), len(columns),
                tuple(sorted((ri[i], cj[j], Fraction(A[i][j])) for i, j in cells)),
                tuple(tuple(bool(I[i, k]) for k in columns) for i in rows),
                tuple(tuple(bool(J[j, k]) for k in columns) for j in cols))
    t = p.transpose()
    return t if t.dims() < p.dims() else p


def strata(p):
    """Every stratum: a tuple of nonzero active columns (all subsets, largest first)."""
    ks = sorted(p.active())
    return [S for size in range(len(ks), -1, -1) for S in itertools.combinations(ks, size)]


def charts(p, S):
    """The pivot tuples of stratum ``S`` (one active entry per column)."""
    act = p.active()
    return list(itertools.product(*(act[k] for k in S)))


def chart_vars(p, S, pivots):
    """The free variables ``(j, k)`` of a chart, sorted by ``(k, j)`` (a blow-up chart,
    :mod:`.bnb_blowup`, has its own)."""
    if hasattr(pivots, "variables"):
        return list(pivots.variables)
    act = p.active()
    return [(j, k) for k, pv in zip(S, pivots) for j in act[k] if j != pv]


def uncovered(p, S):
    """``sum A_ij^2`` over the cells no column of ``S`` reaches (a constant of the
    stratum)."""
    return sum((a * a for i, j, a in p.cells
                if not any(p.Is[i][k] and p.Js[j][k] for k in S)), Fraction(0))


def evaluate(p, S, pivots, box, force=None, groups=None, second=False, row_boxes=None):
    """Enclosures on the boxes ``box = (lo, hi)`` (arrays ``(nb, d)``) of the chart:
    ``(jet, smooth, row_ok, qs, gain)`` (``jet.v``, ``jet.g`` and, when ``second``,
    ``jet.h``: value, gradient and Hessian; ``qs`` the jets of the rows' ``Q_i``, ``gain``
    the lower-bound gain of the rows singular together, already in ``jet.v``).
    ``row_boxes`` (one box per non-constant row) evaluates each row on its own box.  A row whose Gram determinant enclosure is not
    positive on a box (or is ``force``d, one bool array per row) contributes
    ``Q_i in [0, ||a_i||^2]`` and no gradient, so ``value`` encloses ``F`` and
    ``gradient`` encloses the gradient of ``F`` plus the sum of those rows' ``Q_i``
    (smooth on the box).  ``smooth`` = every row non-singular."""
    nb, d = box[0].shape
    var = {v: t for t, v in enumerate(chart_vars(p, S, pivots))}
    blow = pivots if hasattr(pivots, "variables") else None
    piv = dict(zip(S, pivots if blow is None else blow.pivots))
    one = Jet.constant(1, nb, d, second)

    def entry(bx, j, k, role=0):
        if not (role or p.Js[j][k]):
            return None
        if blow is not None:            # role 1: u in place of y2 (rows using both)
            return blow.entry(role, j, k, bx, nb, d, second)
        if piv[k] == j:
            return one
        return Jet.variable(bx, var[(j, k)], d, second) if (j, k) in var else None
    total = Jet.constant(p.norm_sq(), nb, d, second)
    smooth = np.ones(nb, bool)
    rows = {}
    row_ok, row_ids, qs = [], [], []
    for i, j, a in p.cells:
        rows.setdefault(i, []).append((j, a))
    for i, cells in sorted(rows.items()):
        K = [k for k in S if p.Is[i][k] and any(p.Js[j][k] for j, _ in cells)]
        if not K:
            continue
        bx = box if row_boxes is None else row_boxes[len(row_ok)]
        two = blow is not None and set(blow.pair) <= set(K)
        M = [[entry(bx, j, k, int(two and k == blow.pair[1])) for k in K] for j, _ in cells]
        if blow is None:
            smooth &= _lone_entries(M, cells, K, var, one, bx)
        q, ok = row_q(M, [a for _, a in cells], nb, d)
        if force is not None:
            ok = ok & ~force[len(row_ok)]
        na = up(float(sum((a * a for _, a in cells), Fraction(0))))
        q = q.where(ok, (0.0, na))
        qs.append(q)
        total = total - q
        smooth &= ok
        row_ok.append(ok)
        row_ids.append(i)
    gain = np.zeros(nb)
    if groups is not None and row_ok:
        gain = _group_gain(gain, row_ok, row_ids, groups)
        total = Jet((np.where(gain > 0, down(total.v[0] + gain), total.v[0]), total.v[1]),
                    total.g, total.h)
    return total, smooth, row_ok, qs, gain


def _lone_entries(M, cells, K, var, one, bx):
    """Replace (in place) a row's column with one nonzero entry, a chart variable, by the
    constant 1: where that entry is not 0 the column spans the same line, so ``Q_i`` is
    unchanged, and where it is 0 (a face of the box) ``F``, upper semicontinuous, is at
    least its infimum over the rest of the box.  Returns the boxes where no replaced
    variable can be 0 (elsewhere the leaf does not prove attainment)."""
    ok = np.ones(len(bx[0]), bool)
    for c, k in enumerate(K):
        nz = [t for t in range(len(M)) if M[t][c] is not None]
        if len(nz) == 1 and (cells[nz[0]][0], k) in var:
            M[nz[0]][c] = one
            v = var[(cells[nz[0]][0], k)]
            ok &= (bx[0][:, v] > 0) | (bx[1][:, v] < 0)
    return ok


def _group_gain(lo, row_ok, row_ids, groups):
    """Raise the lower ends ``lo`` where several rows are singular together: their ``Q``
    sum is at most ``||a_G||^2 - min(sub-problem of the rows G)`` (``groups(G)`` returns
    that gain over ``sum ||a_i||^2``, a Fraction >= 0, or None)."""
    sing = np.array([~ok for ok in row_ok])             # (rows, nb)
    out = lo.copy()
    keys = {}
    for b in np.flatnonzero(sing.sum(axis=0) >= 2):
        keys.setdefault(tuple(np.flatnonzero(sing[:, b])), []).append(b)
    for key, idx in keys.items():
        gain = groups(frozenset(row_ids[t] for t in key))
        if gain:
            out[idx] = down(out[idx] + down(float(gain)))
    return out


def lower_bounds(p, S, pivots, box, groups=None, second=True):
    """Rigorous lower bounds of ``F`` on each box and the smooth flags: the max of the
    natural enclosure, the mean-value form ``F(c) - sum |grad F(box)|_s r_s`` and (when
    ``second``) the second-order form ``F(c) + min_{|delta_s| <= r_s} grad F(c).delta +
    lam |delta|^2 / 2``, ``lam`` a Gershgorin lower bound of the eigenvalues of the
    interval Hessian on the box (Taylor's theorem with the Lagrange remainder)."""
    second = second and box[0].shape[1] > 0
    jet, smooth, row_ok, qs, gain = evaluate(p, S, pivots, box, groups=groups, second=second)
    c = point((box[0] + box[1]) / 2)
    cjet, _, crow, cqs, _ = evaluate(p, S, pivots, (c[0], c[1]), [~r for r in row_ok], groups)
    csmooth = np.ones(len(box[0]), bool)
    for r, cr in zip(row_ok, crow):
        csmooth &= ~r | cr
    rad = up(np.maximum(c[0] - box[0], box[1] - c[0]))
    spread = up(np.sum(up(mag(jet.g) * rad), axis=1)) if rad.shape[1] else 0.0
    # the sum of n nonnegative terms rounded up at the end: widen by n ulps more
    spread = up(spread * (1 + 4 * 2.0 ** -52 * max(1, rad.shape[1])))
    best = down(cjet.v[0] - spread)
    if second:
        # fmax: a NaN (overflow of the Hessian near a singular row) is no bound
        best = np.fmax(best, down(cjet.v[0] + quadratic_floor(cjet.g, gershgorin(jet.h),
                                                              rad)))
        force = [~r for r in row_ok]
        faces = [_max_face(q, box) for q in qs]
        fqs = evaluate(p, S, pivots, box, force, None, False, faces)[3]
        best = np.fmax(best, _per_row(p, qs, cqs, fqs, rad, gain))
    lb = np.where(csmooth, np.maximum(jet.v[0], best), jet.v[0])
    return lb, smooth


def _max_face(q, box):
    """The face of each box where a row's ``Q`` is largest in every coordinate in which
    it is monotone (gradient enclosure of one sign): ``Q(u) <= Q(u')`` for ``u'`` the
    point of the face reached by moving those coordinates to that end."""
    inc, dec = q.g[0] >= 0, q.g[1] <= 0
    return (np.where(inc, box[1], box[0]), np.where(dec & ~inc, box[0], box[1]))


def _per_row(p, qs, cqs, fqs, rad, gain):
    """``||a||^2 - sum_i ub(Q_i) + gain``, ``ub`` the least of the natural, mean-value,
    second-order and monotone-face (natural enclosure on :func:`_max_face`) upper bounds
    of each row (a row singular on the box has ``[0, ||a_i||^2]`` and no derivatives, so
    all give ``||a_i||^2``)."""
    acc = None
    for q, cq, fq in zip(qs, cqs, fqs):
        mv = up(cq.v[1] + up(np.sum(up(mag(q.g) * rad), axis=1)))
        mv = up(mv * (1 + 4 * 2.0 ** -52 * rad.shape[1]))
        neg_g = (-cq.g[1], -cq.g[0])
        neg_h = (-q.h[1], -q.h[0])
        so = up(cq.v[1] - quadratic_floor(neg_g, gershgorin(neg_h), rad))
        ub = np.fmin(np.fmin(np.fmin(q.v[1], mv), so), fq.v[1])
        acc = ub if acc is None else up(acc + ub)
    if acc is None:
        return np.full(len(rad), -np.inf)
    return down(down(const(p.norm_sq())[0] - acc) + gain)


@dataclass
class BnBBound:
    """Result of :func:`bnb_lower`: ``lower`` (Fraction, rigorous), ``complete`` (every
    chart processed within the budget and limits), ``attained`` (every leaf whose bound is
    at most ``upper`` is smooth, and every constant stratum is above ``upper``),
    ``certificate`` (strata, charts, trees, bounds), ``boxes`` evaluated, ``reason``."""

    lower: Fraction
    complete: bool
    attained: bool
    certificate: dict
    boxes: int
    reason: str = ""


def _split(lo, hi):
    """Children of a box: bisect the widest side (lowest index on ties)."""
    w = hi - lo
    t = int(np.argmax(w))
    mid = (lo[t] + hi[t]) / 2
    l1, h1, l2, h2 = lo.copy(), hi.copy(), lo.copy(), hi.copy()
    h1[t] = mid
    l2[t] = mid
    return (l1, h1), (l2, h2)


def _branch(u, nodes, children, parent, next_id, out):
    """Split node ``u`` into the nodes ``next_id``, ``next_id + 1`` (appended to ``out``);
    returns the next free id."""
    nodes[next_id], nodes[next_id + 1] = _split(*nodes[u])
    children[u] = (next_id, next_id + 1)
    parent[next_id] = parent[next_id + 1] = u
    out += [next_id, next_id + 1]
    return next_id + 2


def _undo(unevaluated, parent, children, node_lb, leaf_lb):
    """Out of time: the parents of boxes not evaluated become leaves again (with the bound
    they already have); siblings are evaluated together, so no half-split remains."""
    for u in unevaluated:
        par = parent.get(u)
        if par is not None and par in children:
            for c in children.pop(par):
                leaf_lb.pop(c, None)
            leaf_lb[par] = node_lb[par]


def _chart(p, S, pivots, target, deadline, box_budget, groups=None, upper=None,
           progress=None, offset=0, state=None):
    """Branch and bound on one chart: ``(tree, bound, complete, smooth_ok, boxes, state)``;
    ``smooth_ok`` False when a leaf with a bound <= target is singular.  ``progress`` gets
    ``("boxes", offset + boxes, None)`` after each chunk of boxes.  ``state`` (returned by
    an earlier call stopped by its deadline) resumes that tree: its leaves below
    ``target`` are split, no box is evaluated twice."""
    d = len(chart_vars(p, S, pivots))
    complete, smooth_ok = True, True
    if state is None:
        b0 = pivots.box() if hasattr(pivots, "box") else ([-1.0] * d, [1.0] * d)
        nodes = {0: (np.array(b0[0], float), np.array(b0[1], float))}
        children, leaf_lb, node_lb, parent = {}, {}, {}, {}
        frontier, next_id = [0], 1
    else:
        nodes, children, leaf_lb, node_lb, parent, next_id, smooth_ok = state
        frontier = []
        for u in sorted(u for u, v in leaf_lb.items() if v < target and d and
                        float(np.max(nodes[u][1] - nodes[u][0])) >= MIN_WIDTH):
            del leaf_lb[u]
            next_id = _branch(u, nodes, children, parent, next_id, frontier)
        complete = all(v >= target for v in leaf_lb.values())   # leaves too small to split
    boxes, stop = 0, False
    while frontier and not stop:
        nxt = []
        for s0 in range(0, len(frontier), _CHUNK):
            if s0 and (time.monotonic() > deadline or boxes > box_budget):
                stop = True
                _undo(frontier[s0:], parent, children, node_lb, leaf_lb)
                _undo(nxt, parent, children, node_lb, leaf_lb)     # (never evaluated)
                nxt = []
                break
            chunk = frontier[s0:s0 + _CHUNK]
            lo = np.array([nodes[u][0] for u in chunk]).reshape(len(chunk), d)
            hi = np.array([nodes[u][1] for u in chunk]).reshape(len(chunk), d)
            lb, smooth = lower_bounds(p, S, pivots, (lo, hi), groups)
            if hasattr(pivots, "tcol"):     # F may differ from G at t = 0
                smooth &= (lo[:, pivots.tcol] > 0) | (hi[:, pivots.tcol] < 0)
            if hasattr(pivots, "exempt"):   # left to the blow-up charts
                ex = pivots.exempt(lo, hi)
                lb, smooth = np.where(ex, np.maximum(lb, target), lb), smooth | ex
            boxes += len(chunk)
            if progress is not None:
                progress("boxes", offset + boxes, None)
            late = time.monotonic() > deadline or boxes > box_budget
            for u, v, sm in zip(chunk, lb, smooth):
                node_lb[u] = float(v)
                width = float(np.max(nodes[u][1] - nodes[u][0])) if d else 0.0
                if v >= target or width < MIN_WIDTH or d == 0 or late:
                    leaf_lb[u] = float(v)
                    final = v >= target or width < MIN_WIDTH or d == 0  # else resumed
                    if v < target:
                        complete = False
                    if final and not sm and v <= (target if upper is None else upper):
                        smooth_ok = False
                    continue
                next_id = _branch(u, nodes, children, parent, next_id, nxt)
            if late:
                stop = True
                _undo(frontier[s0 + len(chunk):], parent, children, node_lb, leaf_lb)
                _undo(nxt, parent, children, node_lb, leaf_lb)
                nxt = []
                break
        frontier = nxt
    if stop:
        complete = False
    tree = []
    stack = [0]
    while stack:
        u = stack.pop()
        if u in children:
            tree.append("S")
            stack += [children[u][1], children[u][0]]
        else:
            tree.append("L")
    bound = min(leaf_lb.values())
    if not stop:            # smooth_ok is only known for a whole run: no resume
        return "".join(tree), bound, complete, smooth_ok, boxes, None
    return ("".join(tree), bound, complete, smooth_ok, boxes,
            (nodes, children, leaf_lb, node_lb, parent, next_id, smooth_ok))


def sub_problem(p, rows):
    """The part restricted to the cells of ``rows`` (local), renumbered (sorted rows and
    columns of those cells; not transposed)."""
    cells = [(i, j, a) for i, j, a in p.cells if i in rows]
    ri = {i: a for a, i in enumerate(sorted({i for i, _, _ in cells}))}
    cj = {j: b for b, j in enumerate(sorted({j for _, j, _ in cells}))}
    return Problem(len(ri), len(cj), p.r, tuple(sorted((ri[i], cj[j], a) for i, j, a in cells)),
                   tuple(p.Is[i] for i in sorted(ri)), tuple(p.Js[j] for j in sorted(cj)))


class _Groups:
    """Cached certified lower bounds of sub-problems (rows singular together), used to
    bound their ``Q`` sum; ``certs`` collects the certificates that were used."""

    def __init__(self, p, tol, deadline, depth):
        self.p, self.tol, self.deadline, self.depth = p, tol, deadline, depth
        self.cache, self.certs = {}, {}

    def __call__(self, rows):
        if rows not in self.cache:
            self.cache[rows] = self._compute(rows)
        gain, cert = self.cache[rows]
        if cert is not None:
            self.certs[rows] = cert
        return gain

    def _compute(self, rows):
        left = self.deadline - time.monotonic()
        if self.depth >= 2 or left < 0.2 or rows >= {i for i, _, a in self.p.cells if a}:
            return None, None    # (all rows but zero ones: that is the problem itself)
        from .bnb_upper import exact_point, plain_minima
        sub = sub_problem(self.p, rows)
        mins = plain_minima(sub, 10, 0, time.monotonic() + min(1.0, 0.05 * left))
        if not mins:
            return None, None
        up = exact_point(sub, mins[0][1])[0]
        # a loose tolerance: the gain only has to lift singular boxes above the target
        bb = bnb_lower(sub, up, max(self.tol, Fraction(1, 10**4)), min(0.2 * left, 10.0),
                       self.depth + 1)
        if bb.lower <= 0:
            return None, None
        return bb.lower, {"rows": sorted(rows), "lower": bb.lower, "bnb": bb.certificate}


def bnb_lower(p, upper, tol, budget, _depth=0, progress=None):
    """A certified lower bound of ``min F`` for the part :class:`Problem` ``p``.

    Parameters
    ----------
    p : Problem
    upper : Fraction
        The exact loss of a known point (boxes whose bound reaches
        ``upper - tol (1 + upper) / 2`` are not split further).
    tol : Fraction
        Relative tolerance.
    budget : float
        Seconds.
    progress : callable, optional
        ``progress(stage, done, total)`` (:func:`~exactsparse._budget.check_progress`):
        ``"boxes"`` evaluated so far, after each chunk of boxes.

    Returns
    -------
    BnBBound
    """
    deadline = time.monotonic() + budget
    target = float(upper - tol * (1 + upper) / 2)
    if p.dims() > MAX_DIM:
        return BnBBound(Fraction(0), False, False, {}, 0,
                        f"{p.dims()} chart variables exceed the branch-and-bound limit "
                        f"{MAX_DIM}")
    out, lo, complete, attained, boxes = [], None, True, True, 0
    groups = _Groups(p, tol, deadline, _depth)
    jobs, res = [], {}
    for S in strata(p)[:1]:            # the full stratum only (see the Notes)
        const = uncovered(p, S)
        if const >= Fraction(target):
            out.append({"nonzero": list(S), "charts": [], "bound": const})
            attained = attained and const > upper
            lo = const if lo is None else min(lo, const)
            continue
        out.append({"nonzero": list(S), "charts": []})
        jobs += [(len(out) - 1, S, c) for pivots in charts(p, S) for c in blowups(p, S, pivots)]
    up_f = float(up(float(upper)))
    # pass 1: a fair share of the time per chart; pass 2: the unfinished ones share the rest
    for todo in (jobs, None):
        if todo is None:
            todo = [job for job in jobs if not res[job][2]]
        for t, job in enumerate(todo):
            left = deadline - time.monotonic()
            if job in res and left < 0.5:
                continue
            end = time.monotonic() + max(0.0, left) / (len(todo) - t)
            r = _chart(p, job[1], job[2], target, end, MAX_BOXES - boxes, groups, up_f,
                       progress, boxes, res[job][5] if job in res else None)
            boxes += r[4]
            res[job] = r
    for job in jobs:
        tree, bound, ok, smooth = res[job][:4]
        claim = Fraction(bound) - Fraction(1, 10**12) * (1 + abs(Fraction(bound)))
        claim = min(claim, upper)
        c = job[2]
        ch = {"pivots": list(getattr(c, "pivots", c)), "tree": tree, "bound": claim}
        if hasattr(c, "pair"):
            ch["blowup"] = {"pair": list(c.pair), "t": Fraction(c.eps)}
            if hasattr(c, "jp"):
                ch["blowup"]["pivot"] = c.jp
        if hasattr(c, "crosses"):
            ch["cross"] = [{"pair": list(x[0]), "into": list(x[1]), "t": Fraction(x[4])}
                           for x in c.crosses]
        out[job[0]]["charts"].append(ch)
        complete, attained = complete and ok, attained and smooth
        lo = claim if lo is None else min(lo, claim)
    if time.monotonic() > deadline + 1.0:
        complete = False
    cert = {"method": "bnb", "transposed": p.transposed, "strata": out,
            "groups": [groups.certs[k] for k in sorted(groups.certs, key=sorted)]}
    lo = max(lo, Fraction(0)) if lo is not None else Fraction(0)
    reason = "" if complete else "branch and bound stopped by the budget or the box limit"
    return BnBBound(min(lo, upper), complete, attained and complete, cert, boxes, reason)

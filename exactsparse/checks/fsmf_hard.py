"""Certificate checkers for hard FSMF results (certify, reduce, attainment; spurious minima
are checked in :mod:`.fsmf_spurious`).

Only exact arithmetic (Fractions, flint balls, flint and sympy polynomials) and the support
structure are used; no decision routine of :mod:`exactsparse.fsmf` is imported.  Every
malformed or inconsistent certificate raises :class:`CertificateError` (``verify`` reports
it invalid).

The positive lower bound of a ``masked`` part of an ``fsmf.certify`` certificate is
re-computed by an independent route (:mod:`._masked_lower`: the stratified
variable-projection bound with sympy resultants and real root isolation) in a child
process killed after :data:`MASKED_CHECK_BUDGET` seconds, refined through
:data:`MASKED_CHECK_BITS` until it covers the claim; the claim is rejected when it exceeds
the re-computed bound, and also when the re-check cannot be done (size limit, degenerate
stratum, budget): nothing is accepted on trust.  A lower bound ``<= 0`` is trivially sound.
A part claiming ``lower == upper`` must moreover sit at an exact critical point (its exact
gradient is checked to vanish).  A certified masked part must have ``lower == upper`` or
``lower > 0`` within :data:`TOLERANCE`, so an interval ``[0, upper]`` (e.g. the LU example,
infimum 0 not attained) can never be certified.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import NamedTuple

import flint

from .._budget import run_killable
from ._fsmf_common import (constant, loss, rectangle, squared, stationary, state, structure,
                           svd_tail_within)
from ._masked_lower import masked_lower
from .fsmf_bnb import check_bnb
from .fsmf_family import check_no_fit, family_limit, read_family, value_at
from ._read import fail, flag, get, integer, matrix_instance, rational, sequence

__all__ = ["check_certify", "check_reduce", "check_attainment", "CHECKS", "TOLERANCE",
           "GROEBNER_BUDGET", "MAX_FAMILY_BOUND", "MASKED_CHECK_BUDGET", "MASKED_CHECK_BITS"]

#: Same value as :data:`exactsparse.fsmf.hard.certify.TOLERANCE` (not imported on purpose).
TOLERANCE = Fraction(1e-9)
#: Seconds allowed to re-compute a Gröbner basis (killed subprocess beyond it).
GROEBNER_BUDGET = 30.0
#: Seconds allowed to re-compute the lower bound of one masked part (killed beyond it).
MASKED_CHECK_BUDGET = 60.0
#: Root-isolation widths ``2^-bits`` tried in turn until the re-computed bound covers the
#: claimed one (claims come from 256-bit balls, so a finer level is usually needed).
MASKED_CHECK_BITS = (320, 1024, 2048)
#: A non-attainment family must end with a loss at most this (and its stated bound).
MAX_FAMILY_BOUND = Fraction(1, 10**6)

class _Part(NamedTuple):
    """One part of a reduction, read and structurally checked by :func:`_check_parts`."""

    kind: str            # "absorbed", "svd", "masked" or "general"
    cells: set           # its cells (i, j), outside the complete-class union
    columns: list        # its factor columns (a union of whole equivalence classes)
    classes: list        # those equivalence classes
    raw: object          # the part as found in the certificate (bounds, rows/cols, ...)


_PART_KINDS = ("absorbed", "svd", "masked", "general")


def _read_part(p, m, n, r):
    """The kind, columns and cells of one certificate part, with only their own
    consistency checked (known kind, no repeated column or cell, indices in range)."""
    kind = get(p, "kind")
    if kind not in _PART_KINDS:
        fail(f"unknown part kind {kind!r}.")
    cols = [integer(k, "a factor column", 0, r) for k in sequence(get(p, "columns"), "columns")]
    if len(set(cols)) != len(cols):
        fail("a factor column appears twice (in one part or in two parts).")
    raw = []
    for c in sequence(get(p, "cells"), "cells"):
        c = sequence(c, "cell")
        if len(c) != 2:
            fail("a cell is not a pair (i, j).")
        raw.append((integer(c[0], "a cell index", 0, m), integer(c[1], "a cell index", 0, n)))
    cells = set(raw)
    if len(cells) != len(raw):
        fail("duplicate cells in a part.")
    return kind, cols, cells


def _whole_classes(cols, of):
    """The equivalence classes of ``cols``, which must be a union of whole classes (no
    degenerate column)."""
    if any(k not in of for k in cols):
        fail("a part uses a degenerate (empty) factor column.")
    pcl = []
    for k in cols:
        if of[k] not in pcl:
            pcl.append(of[k])
    if {k for cl in pcl for k in cl.columns} != set(cols):
        fail("a part's columns are not a union of whole equivalence classes.")
    return pcl


def _check_part_kind(kind, cells, pcl, T):
    """The shape rules of each part kind: absorbed = complete classes and no cells; the
    others = non-complete classes whose cells outside ``T`` are exactly ``cells``; svd = one
    class on a full rectangle; masked = one class of size 1."""
    if kind == "absorbed":
        if cells or not pcl or not all(cl.is_complete for cl in pcl):
            fail("an absorbed part must hold only complete classes and no cells.")
        return
    if not pcl or any(cl.is_complete for cl in pcl):
        fail("a non-absorbed part must hold non-complete classes only.")
    if cells != set().union(*(rectangle(cl) for cl in pcl)) - T or not cells:
        fail("a part's cells are not its classes' cells outside the complete-class union.")
    rows = {i for i, _ in cells}
    cc = {j for _, j in cells}
    if kind == "svd" and (len(pcl) != 1 or len(cells) != len(rows) * len(cc)):
        fail("an svd part must be one class on a full rectangle.")
    if kind == "masked" and (len(pcl) != 1 or pcl[0].size != 1):
        fail("a masked part must be one class of size 1.")


def _check_cover(classes, T, covered, seen, used_cols):
    """The parts and the complete classes together cover exactly the classes' cells, and
    every non-complete class with a cell outside ``T`` is in some part."""
    if seen | T != covered:
        fail("the parts and the complete classes do not cover the classes' cells.")
    for cl in classes:
        if not cl.is_complete and rectangle(cl) - T and not set(cl.columns) <= used_cols:
            fail("a non-complete class with cells outside the complete-class union is in "
                 "no part.")


def _check_parts(parts, A, I, J):
    """Structural checks of the parts of a reduction; returns the parsed parts (a list of
    :class:`_Part`) and ``(T, covered)``.

    Valid means: the parts are pairwise disjoint in columns and cells, each is a union of
    whole equivalence classes shaped as its kind requires (:func:`_check_part_kind`), and
    with the complete classes they cover the classes' cells exactly (:func:`_check_cover`).
    """
    classes, of, T, covered = structure(I, J)
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    used_cols, seen, out = set(), set(), []
    for p in sequence(parts, "parts"):
        kind, cols, cells = _read_part(p, m, n, r)
        if used_cols & set(cols):
            fail("a factor column appears twice (in one part or in two parts).")
        used_cols |= set(cols)
        pcl = _whole_classes(cols, of)
        if cells & seen:
            fail("two parts share a cell.")
        seen |= cells
        _check_part_kind(kind, cells, pcl, T)
        out.append(_Part(kind, cells, cols, pcl, p))
    _check_cover(classes, T, covered, seen, used_cols)
    return out, T, covered


def _within(lo, hi, tol=TOLERANCE):
    return lo <= hi and hi - lo <= tol * (1 + hi)


def _within_relative(lo, hi, tol=TOLERANCE):
    return lo <= hi and hi - lo <= tol * hi


def _masked_lower_now(entries, claimed, budget):
    deadline = time.monotonic() + budget
    lo = None
    for bits in MASKED_CHECK_BITS:
        lo = masked_lower(entries, bits, deadline)
        if claimed <= lo:
            break
    return lo


def _check_masked_lower(A, cells, claimed, budget=None):
    """Fail unless ``claimed`` is at most an independently re-computed lower bound of the
    masked rank-one minimum on ``cells`` (child process killed after ``budget``, default
    :data:`MASKED_CHECK_BUDGET`, seconds)."""
    budget = MASKED_CHECK_BUDGET if budget is None else budget
    entries = {(i, j): A[i][j] for i, j in sorted(cells)}
    ok, value = run_killable(_masked_lower_now, (entries, claimed, budget), budget,
                             "the masked lower bound")
    if not ok:
        fail(f"masked lower bound could not be re-checked: {value}")
    if claimed > value:
        fail(f"a masked part's lower bound {float(claimed):.12g} exceeds the re-computed "
             f"lower bound {float(value):.12g}.")


# ----------------------------------------------------------------------------- certify
def _read_certify_header(result):
    """``(verdict, certified, attained, lower, upper)`` of an ``fsmf.certify`` result, each
    of its allowed type."""
    c = result.certificate
    if result.verdict not in ("certified", "unknown"):
        fail(f"unknown verdict {result.verdict!r}.")
    certified = flag(get(c, "certified"), "certified")
    attained = flag(get(c, "attained"), "attained", (True, False, None))
    lower, upper = rational(get(c, "lower"), "lower"), rational(get(c, "upper"), "upper")
    tol = rational(c["tol"], "tol") if "tol" in c else TOLERANCE
    if not 0 < tol < 1:
        fail(f"the tolerance must lie in (0, 1), not {tol}.")
    return result.verdict, certified, attained, lower, upper, tol


def _check_family_part(part, A, I, J, fam, plo, pup):
    """A part closed by the family: ``upper`` is the limit of the family's loss on its
    cells; ``attained: False`` needs ``lower == upper`` and a re-computed Gröbner basis
    ``[1]`` of its exact-fit system.  Returns its ``attained`` (False or None)."""
    p = part.raw
    if fam is None:
        fail("a part is closed by a family but the certificate has none.")
    if family_limit(A, fam[0], fam[1], sorted(part.cells)) != pup:
        fail("a part's upper bound is not the limit of the family's loss on its cells.")
    att = flag(get(p, "attained"), "a part's attained", (False, None))
    g1 = flag(get(p, "groebner_is_one"), "a part's groebner_is_one")
    if att is False:                    # no exact fit proves only that 0 is not attained
        if not g1 or plo != pup or pup != 0:
            fail("a part claims its infimum is not attained without the interval [0, 0] and "
                 "a Gröbner basis [1].")
        check_no_fit(A, I, J, sorted(part.cells), part.columns)
    elif g1:
        fail("a part with a Gröbner basis [1] must say attained False.")
    return att


def _check_part_bounds(part, A, I, J, X, Y, R, fam=None, tol=TOLERANCE):
    """``(lower, upper, certified, rechecked)`` of one part after checking its interval:
    ``upper`` is the exact loss of ``(X, Y)`` on its cells; ``lower == upper`` only at an
    exact critical point; ``lower`` is sound for its kind (0 for absorbed/general parts, at
    most the re-computed eigenvalue tail for svd parts, at most an independently
    re-computed bound for masked parts, ``rechecked`` = 1 then); ``certified`` only when
    the interval is within :data:`TOLERANCE` (and, for a masked part, ``lower > 0`` or
    ``lower == upper``)."""
    p, kind = part.raw, part.kind
    plo = rational(get(p, "lower"), "a part's lower")
    pup = rational(get(p, "upper"), "a part's upper")
    pcert = flag(get(p, "certified"), "a part's certified")
    by_family = flag(p["family"], "a part's family") if "family" in p else False
    if plo > pup:
        fail("a part's lower bound exceeds its upper bound.")
    if by_family:
        att = _check_family_part(part, A, I, J, fam, plo, pup)
    else:
        att = True
        if pup != squared(R, sorted(part.cells)):
            fail("a part's upper bound is not the exact loss of (X, Y) on its cells.")
        if plo == pup and plo > 0 and not stationary(I, J, X, Y, R, part.columns):
            fail("a part claims lower == upper but (X, Y) is not a critical point there.")
    if pcert and not _within(plo, pup, tol):
        fail("a part is certified but its interval is wider than the tolerance.")
    rechecked = 0
    if "bnb" in p:
        # a family's upper bound is a limit: with it, the part says nothing on attainment
        if kind not in ("masked", "general") or (by_family and kind != "general"):
            fail(f"a {kind} part cannot carry a branch-and-bound certificate.")
        _, proven = check_bnb(A, I, J, sorted(part.cells), part.columns, p["bnb"], plo, pup)
        claim = flag(get(p, "attained"), "a part's attained", (None,) if by_family
                     else (True, None))
        # attained when the branch and bound proves it, or when the exact loss of (X, Y)
        # on the part (checked above to be pup) equals the checked lower bound
        if claim is True and not ((proven or plo == pup) and pcert):
            fail("a part claims attainment that neither its branch and bound nor its exact "
                 "point proves.")
        att = claim
        rechecked = 1
    elif kind in ("absorbed", "general"):
        if plo > 0:
            fail(f"an {kind} part cannot have a positive lower bound.")
        if kind == "absorbed" and pcert and plo != pup:
            fail(f"an {kind} part is certified only when lower == upper.")
    elif kind == "svd":
        if not svd_tail_within(A, part.cells, len(part.columns), lower=plo):
            fail("an svd part's lower bound exceeds the re-computed eigenvalue tail.")
    elif plo > 0:
        _check_masked_lower(A, part.cells, plo)  # masked: independent re-computation
        rechecked = 1
    if kind == "general" and pcert and "bnb" not in p and plo != pup:
        fail("a general part is certified only by branch and bound or lower == upper.")
    if kind == "masked" and pcert and not (plo == pup or plo > 0):
        fail("a masked part with lower bound 0 < upper cannot be certified.")
    return plo, pup, pcert, rechecked, att


def _check_certify_verdict(verdict, certified, attained, lower, upper, all_cert, atts, tol):
    """The verdict follows from the interval: certified exactly when ``lower == upper`` or
    every part is certified and the width is within the tolerance; ``attained`` is True
    when certified and no part is closed by a family, False when certified and some part
    is proven not attained (``atts`` holds each part's checked attainment), else None."""
    # the whole interval: relative to upper (scale invariant), parts: tol (1 + upper)
    should = lower == upper or (all_cert and _within_relative(lower, upper, tol))
    if certified != should or (verdict == "certified") != certified:
        fail(f"verdict {verdict!r} / certified {certified} do not match the intervals "
             f"(every part certified and width within tolerance: {should}).")
    want = None
    if certified:
        want = False if False in atts else (True if all(a is True for a in atts) else None)
    if attained is not want:
        fail(f"attained must be {want} (certified {certified}, parts' attainment "
             f"{atts}), not {attained}.")


def check_certify(result, instance):
    """Check an ``fsmf.certify`` result: an interval ``[lower, upper]`` for the optimal
    value ``min ||A - X Y^T||^2`` over factors supported on ``(I, J)``.

    Valid means: ``upper`` is the exact loss of the certificate's factors ``(X, Y)``
    (supported on ``(I, J)``), so the optimum is at most ``upper``; the parts split the
    problem as the reduction does (:func:`_check_parts`); ``lower`` and ``upper`` are the
    uncovered entries' constant plus the parts' bounds, every part's lower bound is
    re-derived soundly (:func:`_check_part_bounds`), so the optimum is at least ``lower``;
    and the verdict, ``certified`` and ``attained`` follow from the interval
    (:func:`_check_certify_verdict`); when ``lower == upper``, ``(X, Y)`` is an exact
    critical point attaining the optimum.  Returns a short description of what was
    re-computed.
    """
    A, I, J = matrix_instance(instance)
    c = result.certificate
    verdict, certified, attained, lower, upper, tol = _read_certify_header(result)
    X, Y, R = state(A, I, J, get(c, "X"), get(c, "Y"))
    up = squared(R)
    fam = read_family(c["family"], I, J) if "family" in c else None
    if fam is not None:
        if any(value_at(fam[s][i][k], fam[2]) != (X, Y)[s][i][k]
               for s in (0, 1) for i in range(len(fam[s])) for k in range(I.shape[1])):
            fail("(X, Y) is not the family at its sample t.")
    elif up != upper:
        fail(f"the exact loss of (X, Y) is {up}, not the claimed upper bound {upper}.")
    parts, _, covered = _check_parts(get(c, "parts"), A, I, J)
    const = constant(A, covered)
    if rational(get(c, "constant"), "constant") != const:
        fail(f"the constant (uncovered entries) is {const}, not {c['constant']}.")
    lo_sum, up_sum, all_cert, rechecked, atts = const, const, True, 0, []
    for part in parts:
        plo, pup, pcert, n, att = _check_part_bounds(part, A, I, J, X, Y, R, fam, tol)
        lo_sum, up_sum, rechecked = lo_sum + plo, up_sum + pup, rechecked + n
        all_cert = all_cert and pcert
        atts.append(att)
    if lo_sum != lower or up_sum != upper:
        fail("lower/upper are not the constant plus the parts' bounds.")
    _check_certify_verdict(verdict, certified, attained, lower, upper, all_cert, atts, tol)
    if fam is None and lower == upper and not stationary(I, J, X, Y, R, range(I.shape[1])):
        fail("lower == upper but (X, Y) is not a critical point.")
    note = f"; lower bound of {rechecked} part(s) re-computed" if rechecked else ""
    if attained is False:
        note += ("; infimum closed by the family (loss -> upper as t -> 0+) and not attained "
                 "(Gröbner basis [1] re-computed)")
    what = ("the family's limit (upper bound) re-computed exactly as a Laurent polynomial "
            f"on its parts, and its sample point's loss {float(up):.10g}" if fam is not None
            else f"upper bound {float(up):.10g} re-computed exactly as the loss of (X, Y)")
    width = float(upper - lower)
    return (f"{what}, parts and consistency checked{note}; interval [{float(lower):.15g}, "
            f"{float(upper):.15g}], width {width:.3g}"
            + (f" ({width / float(upper):.3g} relative)" if upper else "")
            + f", tol {float(tol):.3g} ({'certified' if certified else 'not certified'})")


# ----------------------------------------------------------------------------- reduce
def _check_cec_columns(listed, I, classes, of):
    """``cec_columns`` lists every complete equivalence class exactly once."""
    seen = []
    for cols in sequence(listed, "cec_columns"):
        cols = [integer(k, "a CEC column", 0, I.shape[1]) for k in sequence(cols, "CEC")]
        if not cols or cols[0] not in of:
            fail("an empty or degenerate CEC is listed.")
        cl = of[cols[0]]
        if not cl.is_complete or sorted(cl.columns) != sorted(cols) or len(set(cols)) != \
                len(cols):
            fail("a listed CEC is not a complete class.")
        seen.append(tuple(sorted(cols)))
    complete = sorted(tuple(sorted(cl.columns)) for cl in classes if cl.is_complete)
    if sorted(seen) != complete:
        fail("cec_columns must list every complete class exactly once.")


def _check_sizes(sizes, A, I, parts):
    """The optional ``sizes`` report the instance's and the parts' dimensions."""
    want = {"before": {"m": len(A), "n": len(A[0]), "r": I.shape[1]},
            "parts": [{"kind": p.kind, "m": len({i for i, _ in p.cells}),
                       "n": len({j for _, j in p.cells}), "rank": len(p.columns),
                       "observed": len(p.cells)} for p in parts]}
    try:
        got = {"before": dict(sizes["before"]), "parts": [dict(q) for q in sizes["parts"]]}
    except (KeyError, TypeError, ValueError):
        fail("malformed sizes.")
    if got != want:
        fail("the reported sizes do not match the parts.")


def check_reduce(result, instance):
    """Check an ``fsmf.reduce`` result: the split of an FSMF instance into independent
    parts (overlap components, complete classes absorbed).

    Valid means: ``cec_columns`` lists exactly the complete equivalence classes of
    ``(I, J)``; the parts pass :func:`_check_parts` (disjoint unions of whole classes that,
    with the complete classes, cover the classes' cells), their optional ``rows``/``cols``
    are the rows/columns of their cells; ``constant`` is the sum of the squared entries of
    ``A`` no class covers; the optional ``sizes`` match.  Hence the optimal value is the
    constant plus the parts' optimal values.
    """
    A, I, J = matrix_instance(instance)
    c = result.certificate
    if result.verdict != "reduced":
        fail(f"unknown verdict {result.verdict!r}.")
    classes, of, _, _ = structure(I, J)
    _check_cec_columns(get(c, "cec_columns"), I, classes, of)
    parts, _, covered = _check_parts(get(c, "parts"), A, I, J)
    for part in parts:
        for key, idx in (("rows", 0), ("cols", 1)):
            if key in part.raw and sorted(part.raw[key]) != sorted({t[idx] for t in part.cells}):
                fail(f"a part's {key} do not match its cells.")
    if rational(get(c, "constant"), "constant") != constant(A, covered):
        fail("wrong constant.")
    if "sizes" in c:
        _check_sizes(c["sizes"], A, I, parts)
    return f"{len(parts)} part(s)"


# ----------------------------------------------------------------------------- attainment
def _check_family(c, A, I, J):
    """A non-attainment family: at least two exact points ``(X, Y)`` with strictly
    decreasing losses, the last at most ``loss_bound`` <= :data:`MAX_FAMILY_BOUND`."""
    family = sequence(get(c, "family"), "family")
    if len(family) < 2:
        fail("a non-attainment family needs at least two points.")
    losses = []
    for pt in family:
        pt = sequence(pt, "family point")
        if len(pt) != 2:
            fail("a family point is not (X, Y).")
        losses.append(loss(A, I, J, pt[0], pt[1]))
    if any(b >= a for a, b in zip(losses, losses[1:])):
        fail("the family's losses do not decrease strictly.")
    bound = rational(get(c, "loss_bound"), "loss_bound")
    if not (0 < bound <= MAX_FAMILY_BOUND) or losses[-1] > bound:
        fail(f"the family's last loss {float(losses[-1]):.3g} is not below the "
             f"stated bound (at most {float(MAX_FAMILY_BOUND):g}).")


def check_attainment(result, instance):
    """Check an ``fsmf.attainment`` result: whether ``A = X Y^T`` has an exact solution
    supported on ``(I, J)``, and whether the infimum 0 is attained.

    Valid means, by verdict: ``"exact"``/``"attained"``: the certificate's ``(X, Y)`` is
    supported on ``(I, J)`` and reproduces ``A`` exactly; ``"infeasible"``: the Gröbner
    basis of the equations ``A = X Y^T``, re-computed here (weak Nullstellensatz), is
    ``[1]``, so no complex solution exists; ``"not-attained"``: the same, plus an exact
    family of points whose losses decrease strictly below ``loss_bound`` (infimum 0 not
    attained); ``"unknown"``: nothing is claimed (and no Gröbner basis ``[1]``).
    """
    A, I, J = matrix_instance(instance)
    c = result.certificate
    verdict = result.verdict
    g1 = flag(get(c, "groebner_is_one"), "groebner_is_one")
    if verdict in ("not-attained", "infeasible"):
        if not g1:
            fail(f"verdict {verdict!r} needs the Gröbner basis [1].")
        if verdict == "not-attained":
            _check_family(c, A, I, J)
        ok, value = _groebner_one(A, I, J)
        if not ok:
            fail(f"the Gröbner basis could not be re-checked: {value}")
        if not value:
            fail("the Gröbner basis is not [1].")
        return "Gröbner basis [1] re-computed" + (
            f"; family of {len(c['family'])} exact points with decreasing losses"
            if verdict == "not-attained" else "")
    if verdict in ("exact", "attained"):
        if g1:
            fail("an exact factorization contradicts a Gröbner basis [1].")
        if loss(A, I, J, get(c, "X"), get(c, "Y")) != 0:
            fail("the claimed exact factorization does not reproduce A.")
        return "exact factorization re-checked (loss 0)"
    if verdict == "unknown":
        if g1:
            fail("verdict 'unknown' with a Gröbner basis [1] claimed.")
        return "nothing claimed"
    fail(f"unknown verdict {verdict!r}.")


def _groebner_one_now(A, I, J):
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
            p = ctx.from_dict({}) - int(A[i][j] * den)
            for k in range(r):
                if I[i, k] and J[j, k]:
                    p += den * g[f"x{i}_{k}"] * g[f"y{j}_{k}"]
            polys.append(p)
    G = flint.fmpz_mpoly_vec(polys, ctx).buchberger_naive()
    return bool(any(p.is_constant() and not p.is_zero() for p in G))


def _groebner_one(A, I, J, budget=None):
    """``(True, is_one)`` or ``(False, reason)``; the Buchberger run is in a forked child
    killed after ``budget`` (default :data:`GROEBNER_BUDGET`) seconds."""
    budget = GROEBNER_BUDGET if budget is None else budget
    return run_killable(_groebner_one_now, (A, I, J), budget, "the Gröbner basis")


CHECKS = {"fsmf.certify": check_certify, "fsmf.reduce": check_reduce,
          "fsmf.attainment": check_attainment}

"""Re-checking FSMF tractability and solution certificates.

Uses only the supports as arrays, exact rational arithmetic (:mod:`exactsparse.exact`) and,
for values, the Eckart–Young identity ``Σ_{t>k} σ_t(B)² = Σ_{t>k} λ_t(BᵀB)`` evaluated on
the characteristic polynomial.  It never calls :func:`check_tractable` or
:func:`solve_fsmf`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import flint
import numpy as np
import sympy

from .. import exact
from ..certificates import parse_value
from ..exceptions import FloatInExactError
from ..supports import as_support, rectangle_overlaps
from ._read import fail, flag, get, integer, rational, sequence, unpack

__all__ = ["check_classify", "check_solve", "CHECKS"]


def _indices(v, what, hi, nonempty=False):
    """Strictly increasing ints in ``[0, hi)`` (a canonical index list)."""
    out = [integer(x, what, 0, hi) for x in sequence(v, what)]
    if any(a >= b for a, b in zip(out, out[1:])) or (nonempty and not out):
        fail(f"{what} must be {'non-empty ' if nonempty else ''}increasing distinct indices.")
    return tuple(out)


def _classes(cert, I, J):
    """Check the class list against the supports (sparse: never an m×n array per class);
    return it as ``[(columns, rows, cols)]`` of canonical index tuples."""
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    seen, out, keys = set(), [], set()
    for p, cl in enumerate(sequence(get(cert, "classes"), "classes")):
        cl = sequence(cl, f"class {p}")
        if len(cl) != 3:
            fail(f"class {p} is not (columns, rows, cols)")
        cols_k = _indices(cl[0], f"class {p} columns", r, True)
        rows, cols = _indices(cl[1], f"class {p} rows", m), _indices(cl[2], f"class {p} cols", n)
        key = (rows, cols)
        if key in keys or not rows or not cols:
            fail(f"class {p} is empty or duplicates another class")
        keys.add(key)
        for k in cols_k:
            if k in seen:
                fail(f"column {k} is listed twice")
            seen.add(k)
            if I.column(k) != rows or J.column(k) != cols:
                fail(f"column {k} does not have the rows/columns claimed for class {p}")
        out.append((cols_k, rows, cols))
    degenerate = tuple(k for k in range(r) if not (I.column(k) and J.column(k)))
    if _indices(get(cert, "degenerate"), "degenerate", r) != degenerate:
        fail(f"the degenerate columns are {degenerate}, not {cert['degenerate']}")
    seen.update(degenerate)
    if len(seen) != r:
        fail("some columns belong to no class")
    return out


def _complete(cert, classes):
    """The complete classes, checked against ``|P| >= min(|R_P|, |C_P|)``."""
    complete = set(_indices(get(cert, "complete"), "complete", len(classes)))
    for p, (cols_k, rows, cols) in enumerate(classes):
        is_cec = len(cols_k) >= min(len(rows), len(cols))
        if is_cec != (p in complete):
            fail(f"class {p} is {'' if is_cec else 'not '}complete, contrary to the claim")
    return complete


def _in(cell, cl):
    """Whether ``cell = (i, j)`` lies in the rectangle of class ``cl``."""
    return cell[0] in cl[1] and cell[1] in cl[2]


_THEOREM_OF = {"disjoint": "fsmf.disjoint", "complete-classes": "fsmf.cec"}


def _check_header(result, cert, verdict):
    """Top-level fields must agree with the certificate and the verdict."""
    if result.backend != "combinatorial":
        fail(f"backend {result.backend!r} is not 'combinatorial'")
    if tuple(result.classes) != tuple(cert["classes"]) or \
            tuple(result.complete_classes) != tuple(cert["complete"]):
        fail("the 'classes'/'complete_classes' fields differ from the certificate")
    if verdict == "tractable":
        if result.family not in _THEOREM_OF or result.theorem != _THEOREM_OF[result.family]:
            fail(f"family {result.family!r} / theorem {result.theorem!r} do not name a "
                  "tractable family")
    elif result.family is not None or result.theorem != "fsmf.not-covered":
        fail("a not-covered verdict has no family and theorem 'fsmf.not-covered'")


def check_classify(result, instance):
    """Check an ``fsmf.classify`` result: whether the support pair ``(I, J)`` lies in a
    tractable family of fixed-support matrix factorization.

    Valid means: the certificate's equivalence classes (columns with equal rank-one
    supports), degenerate columns and complete classes are those of ``(I, J)``; for
    ``"tractable"``, every non-complete class's cells outside the complete classes form a
    stated rectangle and these rectangles are pairwise disjoint (and for family
    ``"disjoint"`` the classes themselves are), so the block SVD is optimal (theorem of the
    family); for ``"not-covered"``, the obstruction (two classes overlapping outside the
    complete ones, or a non-rectangular remainder) is exhibited at the stated cells.
    """
    I, J = (as_support(S, n) for S, n in zip(unpack(instance, ("I", "J")), ("I", "J")))
    cert = result.certificate
    if result.verdict not in ("tractable", "not-covered"):
        fail(f"unknown verdict {result.verdict!r}")
    _check_header(result, cert, result.verdict)
    return _check_structure(result.verdict, result.family, cert, I, J)


def _check_structure(verdict, family, cert, I, J):
    classes = _classes(cert, I, J)
    complete = _complete(cert, classes)
    shape = (I.shape[0], J.shape[0])
    if verdict == "tractable":
        return _check_rectangles(family, cert, classes, complete, shape)
    return _check_obstruction(get(cert, "obstruction"), classes, complete, shape)


def _check_rectangles(family, cert, classes, complete, shape):
    """Each non-complete class's cells outside the complete classes are exactly its stated
    rectangle, and the stated rectangles are pairwise disjoint (sparse overlap tests; only
    the complete classes meeting a class are looked at, on that class's block)."""
    rects = {}
    for key, rc in get(cert, "rectangles").items():
        p = int(key) if isinstance(key, str) and key.isdigit() and str(int(key)) == key else key
        p = integer(p, "a rectangle's class", 0, len(classes))
        if p in rects or p in complete:
            fail(f"class {p} has two rectangles, or one though it is complete")
        rc = sequence(rc, f"rectangle {p}")
        if len(rc) != 2:
            fail(f"rectangle {p} is not (rows, cols)")
        rects[p] = (_indices(rc[0], f"rectangle {p} rows", shape[0]),
                    _indices(rc[1], f"rectangle {p} cols", shape[1]))
    overlaps = rectangle_overlaps([(rows, cols) for _, rows, cols in classes], shape)
    if family == "disjoint" and overlaps:
        fail("family 'disjoint' claimed but two class rectangles intersect")
    meets = {}
    for a, b in overlaps:
        for p, q in ((a, b), (b, a)):
            if q in complete and p not in complete:
                meets.setdefault(p, []).append(classes[q])
    for p, (_, rows, cols) in enumerate(classes):
        if p in complete:
            continue
        if p not in rects:
            fail(f"non-complete class {p} has no rectangle")
        R, C = np.asarray(rows), np.asarray(cols)
        free = np.ones((R.size, C.size), bool)
        for q in meets.get(p, ()):
            free[np.ix_(np.isin(R, q[1]), np.isin(C, q[2]))] = False
        r_idx, c_idx = np.flatnonzero(free.any(axis=1)), np.flatnonzero(free.any(axis=0))
        want = (tuple(int(R[i]) for i in r_idx), tuple(int(C[j]) for j in c_idx))
        if not free[np.ix_(r_idx, c_idx)].all() or rects[p] != want:
            fail(f"the rectangle of class {p} is not S_P minus the complete classes")
    live = [rc for rc in rects.values() if rc[0] and rc[1]]
    if rectangle_overlaps(live, shape):
        fail("two remainder rectangles intersect")
    return f"{len(classes)} classes, {len(complete)} complete, rectangles disjoint"


def _check_obstruction(obs, classes, complete, shape):
    def in_T(cell):
        return any(_in(cell, classes[q]) for q in complete)

    def cell(c):
        c = sequence(c, "a cell")
        if len(c) != 2:
            fail("a cell is not (i, j)")
        return tuple(integer(v, "a cell index", 0, d) for v, d in zip(c, shape))
    kind = obs.get("type") if isinstance(obs, Mapping) else None
    if kind == "overlap":
        p, q = (integer(v, "an obstruction class", 0, len(classes))
                for v in sequence(obs["classes"], "classes"))
        ij = cell(obs["cell"])
        if p == q or p in complete or q in complete:
            fail("an overlap obstruction needs two distinct non-complete classes")
        if not (_in(ij, classes[p]) and _in(ij, classes[q]) and not in_T(ij)):
            fail(f"cell {ij} is not shared by classes {p}, {q} outside the complete ones")
        return f"classes {p} and {q} overlap at {ij} outside every complete class"
    if kind == "non-rectangular":
        p = integer(obs["class"], "the obstruction class", 0, len(classes))
        cells = sequence(obs["cells"], "cells")
        if len(cells) != 2:
            fail("a non-rectangular obstruction has two cells")
        (a, j1), (i2, b) = (cell(c) for c in cells)
        if p in complete:
            fail("a non-rectangular obstruction needs a non-complete class")
        cl = classes[p]
        free = [_in(c, cl) and not in_T(c) for c in ((a, j1), (i2, b))]
        if not (all(free) and _in((a, b), cl) and in_T((a, b))) or \
                cell(obs["missing"]) != (a, b):
            fail("the cells do not show a non-rectangular remainder")
        return f"S_{p} minus the complete classes is not a rectangle"
    fail(f"unknown obstruction {kind!r}")


# ----------------------------------------------------------------------------- solutions
def _support_ok(M, S, name):
    arr = np.array(M, dtype=object)
    if arr.shape != S.shape:
        fail(f"{name} has shape {arr.shape}, the support {S.shape}")
    nz = np.vectorize(lambda v: v != 0, otypes=[bool])(arr)
    if (nz & ~S.array).any():
        fail(f"{name} has a nonzero outside its support")


def _covered(shape, cert):
    """Cells covered by some class of the certificate."""
    covered = np.zeros(shape, bool)
    for _, rows, cols in cert["classes"]:
        covered[np.ix_(rows, cols)] = True
    return covered


def _blocks(cert):
    """``(rows, cols, k)`` of every non-empty rectangle with its class size ``k``."""
    for p, (rows, cols) in cert["rectangles"].items():
        if rows and cols:
            yield rows, cols, len(cert["classes"][int(p)][0])


def _lower_value(Aex, cert):
    """The optimal value from the certificate's structure (exact tail per rectangle)."""
    covered = _covered(Aex.shape, cert)
    rational = sum((v * v for v in Aex[~covered]), Fraction(0))
    tails = []
    for rows, cols, k in _blocks(cert):
        B = exact.as_matrix(Aex[np.ix_(rows, cols)].tolist())
        G = B.transpose() * B if B.ncols() <= B.nrows() else B * B.transpose()
        tails.append(exact.EigenTail(G, k))
    return rational, tails


def _finite_factors(result):
    for name in ("X", "Y"):
        for row in getattr(result, name):
            for v in row:
                if isinstance(v, bool) or not isinstance(v, (int, Fraction, float, complex)):
                    fail(f"{name} has an entry that is not a number")
                if isinstance(v, (float, complex)) and not np.isfinite(v):
                    fail(f"{name} has a non-finite entry")
    if isinstance(result.value_float, bool) or not isinstance(result.value_float, (int, float)) \
            or not np.isfinite(result.value_float):
        fail("value_float is not a finite number")


def _check_solve_fields(result, exact_instance):
    """The combinations of fields a solve result may have (never shape-shifting)."""
    flag(result.exact, "exact")
    flag(result.certified, "certified")
    flag(result.attained, "attained", (True, None))
    reason = result.certificate.get("reason")
    if reason is not None and (not isinstance(reason, str) or result.certified):
        fail("a 'reason' is a string, and only on an uncertified answer")
    if result.backend not in (("flint", "sympy") if result.certified else ("numpy",)):
        fail(f"backend {result.backend!r}: 'numpy' for an uncertified answer, 'flint' or "
             "'sympy' for a certified one")
    rationals = all(isinstance(v, (int, Fraction)) and not isinstance(v, bool)
                    for M in (result.X, result.Y) for row in M for v in row)
    floats = all(isinstance(v, (float, complex)) for M in (result.X, result.Y) for row in M
                 for v in row)
    if not (rationals if result.exact is True else floats):
        fail("'exact' is True exactly when X and Y hold rationals (else floats)")
    if result.verdict == "not-covered":
        if (result.value, result.attained, result.certified, result.family,
                result.enclosure, result.exact) != (None, None, False, None, None, False) \
                or result.theorem != "fsmf.local":
            fail("a not-covered answer carries no exact value, attainment, family or "
                  "enclosure, and theorem 'fsmf.local'")
        return
    if result.verdict != "optimal":
        fail(f"unknown verdict {result.verdict!r}")
    if result.attained is not True:
        fail("an optimal answer on a tractable instance is attained")
    if result.family not in _THEOREM_OF or result.theorem != _THEOREM_OF[result.family]:
        fail(f"family {result.family!r} / theorem {result.theorem!r} mismatch")
    if not exact_instance and (result.certified or result.value is not None or
                               result.enclosure is not None or result.exact):
        fail("a floating-point instance has no certified exact value or exact factors")
    if result.certified is not (result.value is not None) or \
            result.certified is not (result.enclosure is not None):
        fail("'certified' goes with an exact value and its enclosure, and only with them")
    if result.exact and not result.certified:
        fail("exact factors come with a certified value")


#: Relative tolerance (to ``||A||_F²``) of float losses; absolute slack for underflow.
_RTOL, _TINY = Fraction(1, 10**8), Fraction(1, 2**1070)


def check_solve(result, instance):
    """Check an ``fsmf.solve`` result: an optimal (or, when not covered, local) solution of
    ``min ||A - X Y^T||^2`` over factors supported on ``(I, J)``.

    Valid means: the fields go together as documented (:func:`_check_solve_fields`; a
    ``reason`` in the certificate is explanatory text, allowed on uncertified answers); the
    class structure passes the :func:`check_classify` checks; ``X``, ``Y`` are finite,
    supported on ``I``, ``J``, and ``value_float`` is their loss to ``1e-8 ||A||_F²``.  For
    ``"optimal"`` that loss is also the optimal value re-derived from the structure (squared
    uncovered entries plus each rectangle's eigenvalue tail, Eckart-Young): on an exact
    instance the loss of ``X``, ``Y`` is computed exactly (float factors read as the
    rationals they store) and must lie in the 256-bit enclosure of the optimum widened by
    ``1e-8 ||A||_F²``, equal it exactly when ``exact`` is claimed, and a certified ``value``
    string must lie in that enclosure and in its own (and equal the optimum exactly when
    every eigenvalue tail is rational); a float instance is compared with the
    block SVD to ``1e-8 ||A||_F²`` (uncertified).  Float comparisons run on ``A`` scaled by a
    power of two (:func:`exactsparse.exact.scale_pow2`) and the tolerances are relative to
    ``||A||``, so the check is scale-invariant and never overflows.  A ``"not-covered"``
    local point is only re-evaluated.
    """
    A, I, J = unpack(instance, ("A", "I", "J"))
    I, J = as_support(I, "I"), as_support(J, "J")
    try:
        M = exact.as_matrix(A, "A")
        Aex = np.array(exact.to_fractions(M), dtype=object).reshape(M.nrows(), M.ncols())
    except FloatInExactError:
        Aex = None
    _check_solve_fields(result, Aex is not None)
    _finite_factors(result)
    verdict = "tractable" if result.verdict == "optimal" else "not-covered"
    detail = _check_structure(verdict, result.family, result.certificate, I, J)
    _support_ok(result.X, I, "X")
    _support_ok(result.Y, J, "Y")
    if Aex is None:
        return _check_float_instance(A, result, detail)
    if Aex.shape != (I.shape[0], J.shape[0]):
        fail(f"A has shape {Aex.shape}, the supports need {(I.shape[0], J.shape[0])}")
    norm = sum((v * v for v in Aex.ravel()), Fraction(0))
    loss = _exact_loss(Aex, result)
    tol = _RTOL * norm + _TINY
    if abs(Fraction(result.value_float) - loss) > tol:
        fail(f"the loss {float(loss):.12g} of X, Y is not value_float "
             f"{result.value_float:.12g} (to 1e-8 ||A||²)")
    if result.verdict == "not-covered":
        return f"{detail}; local point with loss {float(loss):.6g} (uncertified)"
    rational, tails = _lower_value(Aex, result.certificate)
    with exact.precision(256):
        ball = flint.arb(flint.fmpq(rational.numerator, rational.denominator))
        for t in tails:
            ball += t.enclosure(256)
        lo, hi = exact.arb_fraction(ball.lower()), exact.arb_fraction(ball.upper())
    if not lo - tol <= loss <= hi + tol:
        fail(f"the loss {float(loss):.12g} of X, Y is not the optimal value {ball}")
    vals = [t.rational_value() for t in tails]
    optimum = None if any(v is None for v in vals) else rational + sum(vals, Fraction(0))
    if result.exact and loss != optimum:
        fail("the exact loss of X, Y differs from the optimal value")
    if result.certified:
        _check_value_string(result, lo, hi, optimum)
    return f"{detail}; optimal value re-derived from {len(tails)} block(s)"


def _exact_loss(Aex, result):
    """The exact loss of the factors (floats read as the binary rationals they store)."""
    if result.exact and not all(isinstance(v, (int, Fraction)) for M in (result.X, result.Y)
                                for r in M for v in r):
        fail("exact factors must be rationals")

    def rat(v):
        if isinstance(v, complex):
            if v.imag:
                fail("complex factors for a real instance")
            v = v.real
        return Fraction(v)
    X, Y = ([[rat(v) for v in row] for row in M] for M in (result.X, result.Y))
    r = len(X[0]) if X else 0
    if len(X) != Aex.shape[0] or len(Y) != Aex.shape[1] or any(len(row) != r for row in X + Y):
        fail("X, Y do not fit the shape of A")
    Xm, Ym = exact.as_matrix(X, "X"), exact.as_matrix(Y, "Y")
    return exact.frobenius_sq(exact.as_matrix(Aex.tolist(), "A") - Xm * Ym.transpose())


def _check_value_string(result, lo, hi, optimum):
    claimed = parse_value(result.value)          # whitelisted parser, no eval
    if optimum is not None:                      # a rational optimum is compared exactly
        want = sympy.Rational(optimum.numerator, optimum.denominator)
        if not (claimed.is_Rational and claimed == want) and \
                sympy.simplify(claimed - want) != 0:
            fail(f"the value {result.value} is not the exact optimum {optimum}")
    approx = sympy.N(claimed, 110)       # well below the 256-bit enclosure width
    if not approx.is_real:
        fail("the value is not a real number")
    v = Fraction(str(approx))
    slack = Fraction(1, 10**95) * (1 + abs(v))
    if not lo - slack <= v <= hi + slack:
        fail(f"the value {result.value} lies outside the re-derived enclosure")
    if abs(Fraction(result.value_float) - v) > Fraction(1, 10**9) * abs(v) + _TINY:
        fail("value_float does not match the exact value")
    elo, ehi = (rational(t, "an enclosure end") for t in result.enclosure)
    if not elo - slack <= v <= ehi + slack:
        fail("the value lies outside its own enclosure")
    if ehi - elo > Fraction(1, 10**12) * (1 + abs(v)):
        fail("the enclosure is wider than 1e-12 (relative)")


def _float_instance(A):
    """``A`` as a finite float64/complex128 matrix (long double and lists of floats too)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            A = np.asarray(A)
            A = A.astype(np.complex128 if np.iscomplexobj(A) else np.float64)
    except (TypeError, ValueError, OverflowError):
        fail("A is not a numeric matrix")
    if A.ndim != 2 or not np.all(np.isfinite(A)):
        fail("A is not a finite 2-D float matrix")
    return A


def _check_float_instance(A, result, detail):
    """Loss, value and (for "optimal") the block-SVD optimum, in units of ``A / 4**e``."""
    A = _float_instance(A)
    As, e = exact.scale_pow2(A)
    half = 2.0 ** (-e)
    X, Y = np.array(result.X), np.array(result.Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != A.shape[0] or Y.shape[0] != A.shape[1] \
            or X.shape[1] != Y.shape[1]:
        fail("X, Y do not fit the shape of A")
    with np.errstate(all="ignore"):
        Ls = float(np.sum(np.abs(As - (X * half) @ (Y * half).T) ** 2))
    Ns = float(np.sum(np.abs(As) ** 2))
    if not np.isfinite(Ls):
        fail("the loss of X, Y is not finite")
    scale = Fraction(16) ** e                     # ||.||² in original units = 16**e × scaled
    if abs(Fraction(result.value_float) - Fraction(Ls) * scale) > \
            _RTOL * Fraction(Ns) * scale + _TINY:
        fail(f"value_float {result.value_float:.12g} is not the loss of X, Y (to 1e-8 ||A||²)")
    if result.verdict == "not-covered":
        return f"{detail}; local point with loss {result.value_float:.6g} (uncertified)"
    cert = result.certificate
    best = float(np.sum(np.abs(As[~_covered(As.shape, cert)]) ** 2))
    for rows, cols, k in _blocks(cert):
        s = np.linalg.svd(As[np.ix_(rows, cols)], compute_uv=False)
        best += float(np.sum(s[k:] ** 2))
    if not abs(Ls - best) <= 1e-8 * Ns:
        fail("the loss of X, Y differs from the block-SVD value by more than 1e-8 ||A||²")
    return f"{detail}; numeric loss matches the block-SVD value to 1e-8 ||A||² (uncertified)"


CHECKS = {"fsmf.classify": check_classify, "fsmf.solve": check_solve}

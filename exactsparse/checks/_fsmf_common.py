"""Exact FSMF quantities shared by the hard-FSMF checkers (:mod:`.fsmf_hard`,
:mod:`.fsmf_spurious`).

Everything is re-derived from the instance ``(A, I, J)`` with Fractions (and, for an
irrational eigenvalue tail, a certified flint ball); no decision routine is imported.  ``A``
is a list of rows of Fractions and ``I``, ``J`` validated supports, as returned by
:func:`._read.matrix_instance`.

Examples
--------
>>> from fractions import Fraction
>>> from exactsparse.supports import check_pair
>>> I, J = check_pair("1", "1/1")
>>> A = [[Fraction(1), Fraction(2)]]
>>> X, Y, R = state(A, I, J, [[1]], [[1], [2]])
>>> R, squared(R)                       # A = X Yᵀ exactly: zero residual, zero loss
([[Fraction(0, 1), Fraction(0, 1)]], Fraction(0, 1))
>>> stationary(I, J, X, Y, R, [0])
True
"""

from __future__ import annotations

from fractions import Fraction

import flint

from .. import exact
from ..supports import equivalence_classes
from ._read import fail, rational, sequence

__all__ = ["factors", "residual", "state", "squared", "loss", "stationary", "rectangle",
           "structure", "constant", "svd_tail_within"]


def factors(I, J, X, Y):
    """``(X, Y)`` read from a certificate as lists of rows of Fractions, with the shapes of
    ``I``, ``J`` and no nonzero entry outside their supports."""
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    X = [[rational(v, "an entry of X") for v in sequence(row, "X row")]
         for row in sequence(X, "X")]
    Y = [[rational(v, "an entry of Y") for v in sequence(row, "Y row")]
         for row in sequence(Y, "Y")]
    if len(X) != m or len(Y) != n or any(len(row) != r for row in X + Y):
        fail("X or Y has the wrong shape.")
    for F, S in ((X, I), (Y, J)):
        for i, row in enumerate(F):
            for k, v in enumerate(row):
                if v and not S[i, k]:
                    fail(f"factor entry ({i}, {k}) is outside its support.")
    return X, Y


def residual(A, X, Y):
    """``A - X Y^T`` exactly, summing only over factor columns nonzero in both rows (the
    reductions of the NP-hardness gadgets have thousands of mostly-zero columns)."""
    nzX = [{k: v for k, v in enumerate(row) if v} for row in X]
    nzY = [{k: v for k, v in enumerate(row) if v} for row in Y]

    def dot(a, b):
        if len(a) > len(b):
            a, b = b, a
        return sum((v * b[k] for k, v in a.items() if k in b), Fraction(0))
    return [[A[i][j] - dot(nzX[i], nzY[j]) for j in range(len(Y))] for i in range(len(X))]


def state(A, I, J, X, Y):
    """Parsed factors and the exact residual ``(X, Y, A - X Y^T)``, computed once per
    certificate."""
    X, Y = factors(I, J, X, Y)
    return X, Y, residual(A, X, Y)


def squared(R, cells=None):
    """``sum R_ij^2`` over ``cells`` (default: every cell)."""
    if cells is None:
        cells = [(i, j) for i in range(len(R)) for j in range(len(R[0]))]
    return sum((R[i][j] ** 2 for i, j in cells), Fraction(0))


def loss(A, I, J, X, Y, cells=None):
    """The exact loss ``||A - X Y^T||^2`` (restricted to ``cells``) of certificate factors."""
    return squared(state(A, I, J, X, Y)[2], cells)


def stationary(I, J, X, Y, R, columns):
    """Whether the exact gradient of ``||A - X Y^T||^2`` w.r.t. the supported entries of
    ``columns`` vanishes (``R`` the residual)."""
    m, n = len(R), len(R[0])
    for k in columns:
        for i in range(m):
            if I[i, k] and sum((R[i][j] * Y[j][k] for j in range(n)), Fraction(0)) != 0:
                return False
        for j in range(n):
            if J[j, k] and sum((R[i][j] * X[i][k] for i in range(m)), Fraction(0)) != 0:
                return False
    return True


def rectangle(cl):
    """The cells ``rows × cols`` of an equivalence class."""
    return {(i, j) for i in cl.rows for j in cl.cols}


def structure(I, J):
    """``(classes, of, T, covered)``: the equivalence classes of ``(I, J)``, the class of
    each non-degenerate column, the union ``T`` of the complete classes' cells and the union
    of all classes' cells."""
    classes = equivalence_classes(I, J)
    of = {k: cl for cl in classes for k in cl.columns}
    T = set().union(*(rectangle(cl) for cl in classes if cl.is_complete)) if classes else set()
    covered = set().union(*(rectangle(cl) for cl in classes)) if classes else set()
    return classes, of, T, covered


def constant(A, covered):
    """``sum A_ij^2`` over the cells no class covers (no factorization can fit them)."""
    return sum((A[i][j] ** 2 for i in range(len(A)) for j in range(len(A[0]))
                if (i, j) not in covered), Fraction(0))


def svd_tail_within(A, cells, rank, lower=None, upper=None):
    """``lower <= tail <= upper`` (a bound given as None is not checked) for the
    eigenvalue tail of the rectangle on ``cells`` (the best rank-``rank`` error,
    Eckart-Young): exact when rational, else by a 256-bit ball; the tail is computed once."""
    rows = sorted({i for i, _ in cells})
    cols = sorted({j for _, j in cells})
    B = exact.as_matrix([[A[i][j] for j in cols] for i in rows])
    tail = exact.eigen_tail(B.transpose() * B, rank)
    rv = tail.rational_value()
    if rv is not None:
        return (lower is None or lower <= rv) and (upper is None or upper >= rv)
    with exact.precision(256):
        ball = tail.enclosure(prec=256)

        def q(b):
            return flint.arb(flint.fmpq(b.numerator, b.denominator))
        return bool((lower is None or q(lower) <= ball) and (upper is None or q(upper) >= ball))

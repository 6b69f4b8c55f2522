"""Which FSMF instances are tractable: :func:`check_tractable`.

Two families of supports make fixed-support matrix factorization
``min ||A - X Yᵀ||_F²`` (``supp X ⊆ I``, ``supp Y ⊆ J``) solvable to global optimality
in polynomial time (Le, Riccietti & Gribonval [1]_):

1. *Disjoint-or-identical rank-one supports* (paper; ICASSP 2022 Thm 1 [2]_): the
   rectangles ``S_P = R_P × C_P`` of distinct equivalence classes are pairwise disjoint.
2. *With complete equivalence classes* (derived formulation — a sufficient condition, see
   Notes): with ``T`` the union of the rectangles of the complete classes (CEC), every
   non-complete class leaves a rectangle ``S_P \\ T = R'_P × C'_P`` and these rectangles
   are pairwise disjoint.

Anything else is reported ``"not-covered"`` with an explicit obstruction: never a guess.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms,
   with guarantees", ICASSP 2022.
"""

from __future__ import annotations


import numpy as np

from ..results.fsmf import TractabilityResult
from ..supports import check_pair, degenerate_columns, equivalence_classes, rectangle_overlaps

__all__ = ["TractabilityResult", "check_tractable", "is_tractable"]


def check_tractable(I, J):
    """Decide whether the support pair ``(I, J)`` lies in a tractable FSMF family.

    Parameters
    ----------
    I : support, m×r
        Support of the left factor ``X``.
    J : support, n×r
        Support of the right factor ``Y`` (``X Yᵀ`` convention; for an r×n support use
        :func:`exactsparse.right_from_rx`).

    Returns
    -------
    TractabilityResult
        ``verdict`` is ``"tractable"`` (with ``family``) or ``"not-covered"`` (with an
        obstruction in the certificate).  Re-check with :func:`exactsparse.verify`.

    Raises
    ------
    SupportError, ShapeError
        Entries other than 0/1, or ``I`` and ``J`` with different numbers of columns.

    Notes
    -----
    Family 1 is Theorem 1 of [2]_ / the tractability theorem of [1]_.  Family 2 is the
    spec's *derived* formulation of the complete-class result — a sufficient condition: a
    complete class (``|P| >= min(|R_P|, |C_P|)``) fits any matrix supported on ``S_P``, so
    the entries of ``T`` cost nothing, and the remaining problem splits into independent
    best-rank-``|P|`` approximations on the disjoint rectangles ``R'_P × C'_P``.  Without
    the rectangle condition the remainder is low-rank approximation with missing entries,
    NP-hard already for rank one, and the answer is ``"not-covered"``.

    Cost: grouping the columns is linear in ``nnz(I) + nnz(J) + r``; overlaps are found with
    two sparse incidence products (linear in the number of pairs of classes sharing a row
    or a column); a remainder rectangle is computed on the block of one class only.

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
       tractability of sparse matrix factorization with fixed support", SIAM J. Matrix
       Anal. Appl. (2023), arXiv:2112.00386.
    .. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022, Theorem 1.

    See Also
    --------
    is_tractable : the verdict as a bool.
    solve_fsmf : the block-SVD solution on a tractable pair.
    exactsparse.verify : re-checks the certificate from the supports alone.
    exactsparse.supports.equivalence_classes, exactsparse.supports.complete_classes

    Examples
    --------
    Family 2 (the spec's instance "CEC overlapping a non-CEC"): row 2 is a complete class,
    the certificate's rectangle ``S_0 \\ T`` is rows 0-1 by all columns.  The value the
    theorem predicts, computed independently with numpy's SVD from the certificate, is
    ``(15 − √41)/2`` and equals the value :func:`solve_fsmf` returns:

    >>> import numpy as np
    >>> from exactsparse import verify
    >>> from exactsparse.fsmf import solve_fsmf
    >>> A = np.array([[1, 2, 0], [0, 1, 3], [5, -2, 7]])
    >>> I, J = [[1, 0], [1, 0], [1, 1]], [[1, 1], [1, 1], [1, 1]]
    >>> r = check_tractable(I, J)
    >>> r.verdict, r.family, r.theorem, r.complete_classes, dict(r.certificate["rectangles"])
    ('tractable', 'complete-classes', 'fsmf.cec', (1,), {'0': ((0, 1), (0, 1, 2))})
    >>> rows, cols = r.certificate["rectangles"]["0"]; size = len(r.classes[0][0])
    >>> tail = np.linalg.svd(A[np.ix_(rows, cols)], compute_uv=False)[size:]
    >>> best = solve_fsmf(A, I, J).value_float
    >>> [round(float(v), 10) for v in (tail @ tail, (15 - 41 ** 0.5) / 2, best)]
    [4.2984378813, 4.2984378813, 4.2984378813]
    >>> bool(verify(r, (I, J)))
    True

    Family 1 (ICASSP 2022 Theorem 1): the two-factor butterfly split of size 4 has four
    pairwise disjoint rank-one supports covering all 16 entries; each block of the Hadamard
    matrix has rank 1 = ``|P|``, so the optimal value is 0:

    >>> I = np.kron(np.ones((2, 2), int), np.eye(2, dtype=int))
    >>> J = np.kron(np.eye(2, dtype=int), np.ones((2, 2), int)).T
    >>> r = check_tractable(I, J); r.family, r.theorem
    ('disjoint', 'fsmf.disjoint')
    >>> H = np.kron([[1, 1], [1, -1]], [[1, 1], [1, -1]])
    >>> rects = r.certificate["rectangles"].values()
    >>> all(np.linalg.matrix_rank(H[np.ix_(R, C)]) == 1 for R, C in rects)
    True

    Outside both families the answer is an obstruction, never a guess: here two classes
    overlap at a cell no complete class covers.

    >>> r = check_tractable([[1, 0], [1, 1], [0, 1]], [[1, 0], [1, 1], [0, 1]])
    >>> r.verdict, dict(r.certificate["obstruction"])
    ('not-covered', {'type': 'overlap', 'classes': (0, 1), 'cell': (1, 1)})
    """
    I, J = check_pair(I, J)
    shape = (I.shape[0], J.shape[0])
    classes = equivalence_classes(I, J)
    complete = tuple(p for p, c in enumerate(classes) if c.is_complete)
    rects = [(c.rows, c.cols) for c in classes]
    overlaps = rectangle_overlaps(rects, shape)
    base = {
        "classes": tuple((c.columns, c.rows, c.cols) for c in classes),
        "complete": complete,
        "degenerate": degenerate_columns(I, J),
    }
    if not overlaps:
        cset = set(complete)                  # (a set: linear in the number of classes)
        rect = {p: rects[p] for p in range(len(classes)) if p not in cset}
        return _result("tractable", "disjoint", base, rect, complete)
    return _check_family2(classes, complete, overlaps, base)


def is_tractable(I, J):
    """``check_tractable(I, J).verdict == "tractable"``.

    Parameters
    ----------
    I, J : supports, m×r and n×r
        As :func:`check_tractable`.

    Returns
    -------
    bool

    Raises
    ------
    SupportError, ShapeError
        As :func:`check_tractable`.

    See Also
    --------
    check_tractable : the verdict with its certificate (use it when the answer matters).

    Examples
    --------
    The LU supports of size 2 are not covered: the non-complete class leaves the L-shaped
    remainder ``{0, 1}² \\ {(1, 1)}``, not a rectangle (and on ``[[0, 1], [1, 0]]`` the
    infimum 0 is not attained); a single complete class is:

    >>> from exactsparse.supports import full, lower_triangular
    >>> L = lower_triangular(2)
    >>> is_tractable(L, L), dict(check_tractable(L, L).certificate["obstruction"])["missing"]
    (False, (1, 1))
    >>> F = full(3, 3); is_tractable(F, F), check_tractable(F, F).verdict
    (True, 'tractable')
    """
    return check_tractable(I, J).verdict == "tractable"


def _result(verdict, family, base, rect_or_obstruction, complete):
    cert = dict(base)
    if verdict == "tractable":
        cert["rectangles"] = {str(p): rc for p, rc in sorted(rect_or_obstruction.items())}
        theorem = "fsmf.disjoint" if family == "disjoint" else "fsmf.cec"
    else:
        cert["obstruction"] = rect_or_obstruction
        theorem = "fsmf.not-covered"
    return TractabilityResult(
        kind=TractabilityResult.KIND, verdict=verdict, certificate=cert, theorem=theorem,
        backend="combinatorial", family=family,
        classes=base["classes"], complete_classes=complete)


def _check_family2(classes, complete, overlaps, base):
    cset = set(complete)
    cec_neighbours = {}
    for p, q in overlaps:
        if p in cset and q not in cset:
            cec_neighbours.setdefault(q, []).append(p)
        elif q in cset and p not in cset:
            cec_neighbours.setdefault(p, []).append(q)
    rect = {}
    for p, c in enumerate(classes):
        if p in cset:
            continue
        if p not in cec_neighbours:          # untouched by T: the whole rectangle remains
            rect[p] = (c.rows, c.cols)
            continue
        rem, obstruction = _remainder(p, c, [classes[q] for q in cec_neighbours[p]])
        if obstruction is not None:
            return _result("not-covered", None, base, obstruction, complete)
        rect[p] = rem
    # Remainders are subsets of the rectangles: only pairs that overlapped can clash.
    for a, b in overlaps:
        if a in cset or b in cset:
            continue
        (ra, ca), (rb, cb) = rect[a], rect[b]
        rows, cols = set(ra) & set(rb), set(ca) & set(cb)
        if rows and cols:
            obstruction = {"type": "overlap", "classes": (a, b), "cell": (min(rows), min(cols))}
            return _result("not-covered", None, base, obstruction, complete)
    return _result("tractable", "complete-classes", base, rect, complete)


def _remainder(p, c, cecs):
    """``S_P \\ T`` restricted to the block of class ``c``: a rectangle, or an obstruction."""
    rows, cols = np.asarray(c.rows), np.asarray(c.cols)
    covered = np.zeros((rows.size, cols.size), bool)
    for q in cecs:
        covered[np.ix_(np.isin(rows, q.rows), np.isin(cols, q.cols))] = True
    free = ~covered
    r_idx = np.flatnonzero(free.any(axis=1))
    c_idx = np.flatnonzero(free.any(axis=0))
    sub = free[np.ix_(r_idx, c_idx)]
    if sub.all():
        return (tuple(int(rows[i]) for i in r_idx), tuple(int(cols[j]) for j in c_idx)), None
    # A hole (a, b) in the bounding box of the free cells: row a and column b both have free
    # cells (a, j1) and (i2, b), so a rectangle holding them would hold (a, b) too.
    a, b = (int(t) for t in np.argwhere(~sub)[0])
    j1 = int(np.flatnonzero(sub[a])[0])
    i2 = int(np.flatnonzero(sub[:, b])[0])
    R = lambda i: int(rows[r_idx[i]])   # noqa: E731
    C = lambda j: int(cols[c_idx[j]])   # noqa: E731
    return None, {"type": "non-rectangular", "class": p,
                  "cells": ((R(a), C(j1)), (R(i2), C(b))), "missing": (R(a), C(b))}

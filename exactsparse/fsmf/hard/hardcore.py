"""Reduction of an FSMF instance to its hard core(s), with a map back.

Steps (Le, Riccietti & Gribonval [1]_): entries covered by no rank-one support are a
constant; the overlap graph of equivalence classes splits the instance into independent
components; in a component, the complete classes (CEC) fit any residual on the union ``T``
of their rectangles, so they are absorbed and the non-complete classes only see the entries
outside ``T``; non-complete classes whose remaining entries do not meet are independent
again.  A part with one class ``P`` whose remaining entries form a rectangle is a truncated
SVD (tractable); a part with one class of size 1 is *masked rank-one approximation* on
``R_P x C_P`` with the mask ``S_P \\ T`` (rows/columns without observed entries dropped),
the hard core certified by :func:`~exactsparse.fsmf.hard.certify_fsmf`; anything else is a
``general`` core (no exact certifier here).

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.

Examples
--------
>>> A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
>>> I, J = "1100/1010/1001", "1010/1001/1100"
>>> red = reduce_fsmf(A, I, J)
>>> [p.kind for p in red.parts], red.constant
(['masked'], Fraction(0, 1))
>>> red.parts[0].core.omega[0]
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
import numpy as np

from ...exceptions import ExactSparseError, ExactTypeError, ShapeError, show
from ...results.fsmf import ReductionResult
from ...supports import check_pair, overlap_components
from ._common import validate
from ._masked import MaskedCore
from .family import Laurent

__all__ = ["Part", "Reduction", "reduce_fsmf", "check_reduction", "lift_solution"]


@dataclass(frozen=True)
class Part:
    """One independent piece: ``kind`` in {"absorbed", "svd", "masked", "general"}.

    ``rows``/``cols`` index the original matrix; ``cells`` are the original entries the part
    is responsible for; ``columns`` the original factor columns it uses; ``rank`` the class
    size; ``core`` a :class:`MaskedCore` on ``rows x cols`` for ``"masked"`` and ``"svd"``.
    """

    kind: str
    rows: tuple
    cols: tuple
    cells: tuple
    columns: tuple
    rank: int
    core: MaskedCore | None


@dataclass(frozen=True)
class Reduction:
    """``constant`` (uncovered entries) + the parts; ``cecs`` are the absorbed classes."""

    A: tuple
    shape: tuple
    r: int
    constant: Fraction
    parts: tuple
    cecs: tuple

    def sizes(self):
        """Sizes before/after as plain data (``rank`` = number of factor columns of the
        part; an absorbed part has no cells)."""
        m, n = self.shape
        return {"before": {"m": m, "n": n, "r": self.r},
                "parts": [{"kind": p.kind, "m": len(p.rows), "n": len(p.cols),
                           "rank": len(p.columns), "observed": len(p.cells)}
                          for p in self.parts]}


def _cells(c):
    return {(i, j) for i in c.rows for j in c.cols}


def reduce_fsmf(A, I, J):
    """Reduce ``(A, I, J)`` to independent parts; ``min L = constant + sum of part minima``.

    Parameters
    ----------
    A : array_like of rationals, shape (m, n)
    I, J : Support-like, shapes (m, r) and (n, r) (``X Y^T`` convention)

    Returns
    -------
    Reduction
        ``constant`` (squared norm of the uncovered entries), ``parts`` (:class:`Part`:
        ``absorbed``, ``svd``, ``masked`` or ``general``) and ``cecs`` (the absorbed
        complete classes).  :func:`check_reduction` wraps it in a
        :class:`~exactsparse.results.fsmf.ReductionResult`.

    Raises
    ------
    ShapeError, SupportError, FloatInExactError
        Bad input (see :func:`exactsparse.supports.check_pair`).

    See Also
    --------
    check_reduction : the same as a result with a certificate.
    lift_solution : part solutions back to factors of the instance.
    certify_fsmf : sums exact intervals of the parts.

    Notes
    -----
    Le, Riccietti & Gribonval [1]_: the overlap graph of the equivalence classes splits the
    instance into independent components, and a complete class fits anything on its
    rectangle.  Exactness: the CEC of a component range over all matrices supported on
    their rectangles, so the loss on ``T`` is zero at the optimum whatever the other
    classes do (and the optimum over them is attained); what remains is a sum of
    independent problems on disjoint sets of entries.  Linear in the size of the class
    structure plus the overlap computations.

    Examples
    --------
    The spec's instance with a complete class overlapping a non-complete one: one ``svd``
    part on rows 0, 1 whose rank-one tail is the optimum ``(15 - sqrt(41)) / 2``.

    >>> A = [[1, 2, 0], [0, 1, 3], [5, -2, 7]]
    >>> red = reduce_fsmf(A, "10/10/11", "11/11/11")
    >>> [(p.kind, p.rows) for p in red.parts], red.constant
    ([('svd', (0, 1))], Fraction(0, 1))
    >>> s = np.linalg.svd(np.array(red.parts[0].core.A, float), compute_uv=False)
    >>> bool(abs(float(red.constant) + s[1] ** 2 - (15 - 41 ** 0.5) / 2) < 1e-12)
    True
    """
    Af, I, J = validate(A, I, J)
    m, n = len(Af), len(Af[0])
    covered, parts, cecs = set(), [], []
    for comp in overlap_components(I, J):
        covered |= set().union(*(_cells(c) for c in comp))
        cecs.extend(c for c in comp if c.is_complete)
        parts.extend(_component_parts(comp, Af))
    const = sum((Af[i][j] ** 2 for i in range(m) for j in range(n) if (i, j) not in covered),
                Fraction(0))
    return Reduction(Af, (m, n), I.shape[1], const, tuple(parts), tuple(cecs))


def _component_parts(comp, Af):
    """The parts of one overlap component: its complete classes absorb their union ``T``;
    the non-complete classes split on what they keep outside ``T`` (an ``absorbed`` part
    when there are none)."""
    cec = [c for c in comp if c.is_complete]
    rest = [c for c in comp if not c.is_complete]
    if not rest:
        return [Part("absorbed", (), (), (), tuple(k for c in cec for k in c.columns), 0,
                     None)]
    T = set().union(*(_cells(c) for c in cec)) if cec else set()
    return _split_noncomplete(rest, T, Af)


def _split_noncomplete(classes, T, Af):
    rest = {p: _cells(c) - T for p, c in enumerate(classes)}
    G = nx.Graph()
    G.add_nodes_from(p for p in rest if rest[p])
    for p in rest:
        for q in rest:
            if p < q and rest[p] & rest[q]:
                G.add_edge(p, q)
    out = []
    for comp in sorted(map(sorted, nx.connected_components(G))):
        cells = set().union(*(rest[p] for p in comp))
        out.append(_make_part([classes[p] for p in comp], cells, Af))
    return out


def _make_part(classes, cells, Af):
    rows = tuple(sorted({i for i, _ in cells}))
    cols = tuple(sorted({j for _, j in cells}))
    columns = tuple(k for c in classes for k in c.columns)
    rank = len(columns)
    core = MaskedCore(tuple(tuple(Af[i][j] if (i, j) in cells else Fraction(0) for j in cols)
                            for i in rows),
                      tuple(tuple((i, j) in cells for j in cols) for i in rows))
    cells_t = tuple(sorted(cells))
    if len(classes) == 1 and len(cells) == len(rows) * len(cols):
        return Part("svd", rows, cols, cells_t, columns, rank, core)
    if len(classes) == 1 and rank == 1:
        return Part("masked", rows, cols, cells_t, columns, rank, core)
    return Part("general", rows, cols, cells_t, columns, rank, core)


def check_reduction(A, I, J):
    """:func:`reduce_fsmf` as a result with a certificate (kind ``fsmf.reduce``).

    Parameters
    ----------
    A, I, J : the instance (``X Y^T`` convention)

    Returns
    -------
    ReductionResult
        ``verdict="reduced"``; the certificate lists the ``constant``, the ``cec_columns``,
        the ``sizes`` before/after and each part's kind, rows, cols, cells and factor
        ``columns``.

    Raises
    ------
    ShapeError, SupportError, FloatInExactError
        Bad input.

    See Also
    --------
    reduce_fsmf, lift_solution, certify_fsmf
    exactsparse.verify : re-checks that the parts' cells are disjoint, lie in their
        classes' rectangles outside the CEC union, and together with the CEC union and the
        uncovered entries partition the matrix.

    Notes
    -----
    The reduction of Le, Riccietti & Gribonval [1]_ (see :func:`reduce_fsmf`).

    Examples
    --------
    The masked 6-cycle of the spec: one masked part whose cells are the observed entries
    of its mask, plus the three single-entry complete classes.

    >>> res = check_reduction([[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001",
    ...                       "1010/1001/1100")
    >>> part = res.certificate["parts"][0]
    >>> res.verdict, part["kind"], [tuple(c) for c in part["cells"]]
    ('reduced', 'masked', [(0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 2)])
    >>> sorted(tuple(c) for c in res.certificate["cec_columns"])
    [(1,), (2,), (3,)]
    """
    red = reduce_fsmf(A, I, J)
    cert = {"constant": red.constant, "cec_columns": [list(c.columns) for c in red.cecs],
            "sizes": red.sizes(),
            "parts": [{"kind": p.kind, "rows": list(p.rows), "cols": list(p.cols),
                       "cells": [list(c) for c in p.cells], "columns": list(p.columns)}
                      for p in red.parts]}
    return ReductionResult(kind=ReductionResult.KIND, verdict="reduced", certificate=cert,
                  theorem="fsmf.reduce", backend="flint")


def lift_solution(red, I, J, pieces):
    """Assemble exact factors ``(X, Y)`` of the original instance from part solutions.

    Parameters
    ----------
    red : Reduction
        The reduction of ``(A, I, J)`` (:func:`reduce_fsmf`).
    I, J : Support-like
        The supports of the instance.
    pieces : sequence of (Xp, Yp)
        One per part: rows of ``Xp`` follow ``part.rows`` and its columns
        ``part.columns``; ``Yp`` likewise with ``part.cols`` (Fractions).

    Returns
    -------
    (X, Y) : tuples of tuples of Fraction
        Supported on ``I``, ``J``; the CEC columns fit the residual on their union
        exactly, so the loss equals ``constant + sum of the parts' losses``.

    See Also
    --------
    reduce_fsmf, certify_fsmf, masked_solution_to_fsmf

    Examples
    --------
    The masked 6-cycle: the point ``x = (1, 2, 1)``, ``y = (1, 1, 1)`` of its masked part
    lifts to factors on the supports (``supported_loss`` refuses any other) with the
    same loss.

    >>> from exactsparse.fsmf.hard import masked_loss, supported_loss
    >>> A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    >>> red = reduce_fsmf(A, I, J)
    >>> X, Y = lift_solution(red, I, J, [([[1], [2], [1]], [[1], [1], [1]])])
    >>> supported_loss(A, I, J, X, Y) == red.constant + masked_loss(
    ...     A, "110/011/101", [1, 2, 1], [1, 1, 1])
    True
    """
    if not isinstance(red, Reduction):
        raise ExactTypeError(f"Argument 'red' must be a Reduction (from reduce_fsmf), not "
                             f"{show(red)}.")
    I, J = check_pair(I, J)
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    if (m, n) != tuple(red.shape) or r != red.r:
        raise ShapeError(f"Arguments 'I', 'J' must be the supports reduced by 'red' (shape "
                         f"{tuple(red.shape)}, r = {red.r}), not of shape ({m}, {n}), r = {r}.")
    if isinstance(pieces, (str, bytes, dict)) or not hasattr(pieces, "__iter__"):
        raise ShapeError(f"Argument 'pieces' must be a sequence of (Xp, Yp), not {show(pieces)}.")
    X = [[Fraction(0)] * r for _ in range(m)]
    Y = [[Fraction(0)] * r for _ in range(n)]
    for part, piece in zip(red.parts, pieces):
        try:
            Xp, Yp = piece
            for a, k in enumerate(part.columns):
                for b, i in enumerate(part.rows):
                    X[i][k] = _entry(Xp[b][a])
                for b, j in enumerate(part.cols):
                    Y[j][k] = _entry(Yp[b][a])
        except ExactSparseError:
            raise
        except (TypeError, ValueError, IndexError, KeyError):
            raise ShapeError(f"Argument 'pieces' must hold one pair (Xp, Yp) per part, of "
                             f"shapes ({len(part.rows)}, {len(part.columns)}) and "
                             f"({len(part.cols)}, {len(part.columns)}), not {show(piece)}.") \
                from None
    _fit_cecs(red, X, Y, np.asarray(I.array, bool), np.asarray(J.array, bool))
    return tuple(map(tuple, X)), tuple(map(tuple, Y))


def _entry(v):
    """A part-solution entry: a Fraction, or kept as is when it is a Laurent polynomial of
    a family (:mod:`.family`; the arithmetic below is the same)."""
    return v if isinstance(v, Laurent) else Fraction(v)


def _fit_cecs(red, X, Y, Ia, Ja):
    """Fit the residual on the CEC union exactly; the product at ``(i, j)`` only involves
    the factor columns ``k`` with ``I[i, k]`` and ``J[j, k]`` (so the cost is not
    ``cells x r`` Fraction products on reductions with thousands of columns)."""
    done = set()
    for c in red.cecs:
        cells = [(i, j) for i in c.rows for j in c.cols if (i, j) not in done]
        done |= set(cells)
        R = {}
        for i, j in cells:
            ks = np.flatnonzero(Ia[i] & Ja[j])
            R[i, j] = red.A[i][j] - sum((X[i][k] * Y[j][k] for k in ks), Fraction(0))
        if len(c.columns) >= len(c.rows):
            for a, i in enumerate(c.rows):
                k = c.columns[a]
                X[i][k] = Fraction(1)
                for j in c.cols:
                    Y[j][k] = R.get((i, j), Fraction(0))
        else:
            for a, j in enumerate(c.cols):
                k = c.columns[a]
                Y[j][k] = Fraction(1)
                for i in c.rows:
                    X[i][k] = R.get((i, j), Fraction(0))

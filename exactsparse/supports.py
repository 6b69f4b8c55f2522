"""Support patterns as immutable 0/1 masks and as bipartite graphs.

A support of an m×r factor is a 0/1 mask.  For a pair ``(I, J)`` with ``I`` m×r and
``J`` n×r (the ``X Yᵀ`` convention of Le, Riccietti & Gribonval [1]_), column ``k`` gives
the *rank-one support* ``S_k = supp(I[:, k]) × supp(J[:, k])``; identical column pairs form
*equivalence classes*; a class ``P`` with ``|P| >= min(|R_P|, |C_P|)`` is *complete* (CEC);
classes whose rectangles ``S_P`` intersect are adjacent in the *overlap graph*, whose
connected components are independent sub-instances.

Graph convention (networkx bipartite): row ``i`` is the node ``("r", i)`` (``bipartite=0``),
column ``j`` is ``("c", j)`` (``bipartite=1``), an edge per nonzero.  Jupyter shows a picture.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import itertools  # noqa: F401 - used by the doctests
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .enumeration import support_pairs
from .exact import short_repr
from .exceptions import ArgumentError, NonFiniteError, ShapeError, SizeLimitError, SupportError

__all__ = [
    "Support", "as_support", "check_pair", "rank_one_supports", "right_from_rx",
    "EquivalenceClass", "equivalence_classes", "complete_classes", "degenerate_columns",
    "overlap_graph", "overlap_components", "cover_graph", "rectangle_overlaps",
    "full", "identity", "lower_triangular", "upper_triangular", "block_diagonal",
    "random_support", "support_pairs", "MAX_CELLS",
]


class Support:
    """An immutable 0/1 support pattern.

    Parameters
    ----------
    data : array_like, str, scipy.sparse matrix or Support
        numpy bool or 0/1 array, nested lists, a string of rows ``"110/011"`` (separated by
        ``/``, ``;``, ``,`` or newlines), or a scipy.sparse matrix (stored nonzeros all 1).
    name : str
        Argument name used in error messages.

    Raises
    ------
    SupportError
        An entry other than 0/1 (or bool).
    NonFiniteError
        NaN or infinity.
    ShapeError
        Not 2-D, ragged, or with a zero dimension.

    Examples
    --------
    >>> S = Support("110/011"); G = S.to_graph()   # one value whatever the form; T transposes
    >>> S == Support(S.csc) == Support(S.tolist()), S.T == Support(S.array.T), S == S.from_graph(G)
    (True, True, True)
    """

    __slots__ = ("_a", "_sp", "_hash", "_shape")

    def __init__(self, data, name="support"):
        if isinstance(data, Support):
            a, csc, shape = data._a, data._sp, data._shape
        elif sp.issparse(data):
            a, csc = None, _to_csc(data, name)
            shape = csc.shape
        else:
            a, csc = _to_bool_array(data, name), None
            shape = a.shape
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_sp", csc)
        object.__setattr__(self, "_shape", tuple(int(t) for t in shape))
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, key, value):
        raise AttributeError("Support is immutable")

    # -- basic data
    @property
    def shape(self):
        return self._shape

    @property
    def nnz(self):
        return int(self.csc.nnz) if self._a is None else int(self._a.sum())

    @property
    def array(self):
        """A read-only boolean numpy view (built on first use for sparse-backed supports, at
        most :data:`MAX_CELLS` cells)."""
        if self._a is None:
            _cells(*self._shape)
            a = self._sp.toarray() != 0
            a.setflags(write=False)
            object.__setattr__(self, "_a", a)
        return self._a

    @property
    def csc(self):
        """The pattern as a canonical scipy ``csc_matrix`` of int8 ones (read it, don't edit)."""
        if self._sp is None:
            object.__setattr__(self, "_sp", sp.csc_matrix(self._a, dtype=np.int8))
        return self._sp

    def to_numpy(self, dtype=np.int64):
        return self.array.astype(dtype)

    def __array__(self, dtype=None, copy=None):
        return self.array.astype(dtype) if dtype is not None else self.array.copy()

    def to_scipy(self):
        return self.csc.tocsr(copy=True)

    def tolist(self):
        return self.array.astype(int).tolist()

    @property
    def T(self):
        if self._a is None:
            return Support(self.csc.T.tocsc())
        return Support(self._a.T)

    def column(self, k):
        """Row indices of the nonzeros of column ``k`` (a tuple)."""
        return tuple(self.csc.indices[self.csc.indptr[k]:self.csc.indptr[k + 1]].tolist())

    def row(self, i):
        return tuple(np.flatnonzero(self.array[i, :]).tolist())

    def __getitem__(self, idx):
        return self.array[idx]

    def __eq__(self, other):
        if not isinstance(other, Support) or self.shape != other.shape:
            return False
        if self._a is not None and other._a is not None:
            return bool(np.array_equal(self._a, other._a))
        return (self.csc != other.csc).nnz == 0

    def __hash__(self):
        if self._hash is None:
            c = self.csc
            object.__setattr__(self, "_hash", hash((self.shape, c.indptr.tobytes(),
                                                    c.indices.tobytes())))
        return self._hash

    def __str__(self):
        return "/".join("".join("1" if v else "0" for v in row) for row in self.array)

    def __repr__(self):
        if self.shape[0] * self.shape[1] <= 64:
            return f"Support({str(self)!r})"
        return f"Support(shape={self.shape}, nnz={self.nnz})"

    def __reduce__(self):
        return (Support, (self.csc.copy(),) if self._a is None else (self._a.copy(),))

    def _repr_html_(self): from .display import support_html; return support_html(self)  # noqa
    def _repr_latex_(self): from .display import support_latex; return support_latex(self)  # noqa

    # -- graphs
    def to_graph(self):
        """The bipartite graph: nodes ``("r", i)`` (bipartite=0), ``("c", j)`` (bipartite=1)."""
        G = nx.Graph()
        m, n = self.shape
        G.add_nodes_from((("r", i) for i in range(m)), bipartite=0)
        G.add_nodes_from((("c", j) for j in range(n)), bipartite=1)
        coo = self.csc.tocoo()
        G.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in zip(coo.row, coo.col))
        return G

    @classmethod
    def from_graph(cls, G, shape=None):
        """Inverse of :meth:`to_graph`; ``shape`` defaults to the largest indices + 1."""
        for u in G.nodes:
            if not (isinstance(u, tuple) and len(u) == 2 and u[0] in ("r", "c")):
                raise SupportError(f"Argument 'G' must have nodes ('r', i) / ('c', j), not {u!r}.")
        for u in G.nodes:
            if isinstance(u[1], bool) or not isinstance(u[1], (int, np.integer)) or u[1] < 0:
                raise SupportError(f"Argument 'G' has node {u!r}, not ('r'|'c', int >= 0).")
        if shape is None:
            shape = tuple(1 + max((u[1] for u in G.nodes if u[0] == t), default=-1) for t in "rc")
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise ShapeError(f"Argument 'shape' must be a pair (m, n), not {shape!r}.")
        shape = _cells(_dim(shape[0], "m"), _dim(shape[1], "n"))
        for u in G.nodes:
            if u[1] >= shape[0 if u[0] == "r" else 1]:
                raise SupportError(f"Argument 'G' has node {u!r} outside shape {tuple(shape)}.")
        a = np.zeros(shape, bool)
        for u, v in G.edges:
            (r, c) = (u, v) if u[0] == "r" else (v, u)
            if r[0] != "r" or c[0] != "c":
                raise SupportError(f"Argument 'G' has an edge {u!r}-{v!r} that is not row-column.")
            a[r[1], c[1]] = True
        return cls(a)


def _to_csc(data, name):
    c = sp.csc_matrix(data)
    if c.ndim != 2 or 0 in c.shape:
        raise ShapeError(f"Argument {name!r} must be non-empty, not of shape {c.shape}.")
    c.eliminate_zeros()
    vals = np.asarray(c.data)
    if vals.size and not np.all(vals == 1):
        raise SupportError(f"Argument {name!r} must have stored entries equal to 1, "
                           f"not {vals[vals != 1][0].item()!r}.")
    c.sum_duplicates()
    c.sort_indices()
    return sp.csc_matrix((np.ones(c.indices.size, np.int8), c.indices.copy(), c.indptr.copy()),
                         shape=c.shape)


def _row_lengths(data):
    """The row lengths of a ragged nested sequence (at most 12 shown), or None."""
    try:
        lens = [len(r) for r in data]
    except TypeError:
        return None
    return lens if len(lens) <= 12 else lens[:12] + ["..."]


def _to_bool_array(data, name):
    if isinstance(data, str):
        rows = [r.strip() for r in data.replace(";", "/").replace(",", "/")
                .replace("\n", "/").split("/") if r.strip()]
        bad = [c for r in rows for c in r if c not in "01"]
        if bad:
            raise SupportError(f"Argument {name!r} must be a string of 0/1 rows like '110/011', "
                               f"not one containing {bad[0]!r}.")
        data = [[int(c) for c in r] for r in rows]
    try:
        arr = np.asarray(data)
    except ValueError:
        lens = _row_lengths(data)
        raise ShapeError(f"Argument {name!r} must be a rectangular 0/1 matrix, not ragged rows"
                         + (f" of lengths {lens}." if lens else ".")) from None
    if arr.dtype == object:
        raise ShapeError(f"Argument {name!r} must be a rectangular 0/1 matrix, not ragged rows.")
    if arr.ndim != 2:
        raise ShapeError(f"Argument {name!r} must be 2-D, not {arr.ndim}-D of shape {arr.shape}.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ShapeError(f"Argument {name!r} must be non-empty, not of shape {arr.shape}.")
    if arr.dtype == bool:
        out = arr.copy()
    elif arr.dtype.kind in "iuf":
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise NonFiniteError(f"Argument {name!r} must be a 0/1 matrix, not one with NaN/inf.")
        bad = np.argwhere((arr != 0) & (arr != 1))
        if bad.size:
            i, j = (int(t) for t in bad[0])
            raise SupportError(f"Argument {name!r} must be a 0/1 matrix, not one containing "
                               f"{arr[i, j].item()!r} at ({i}, {j}).")
        out = arr != 0
    else:
        raise SupportError(f"Argument {name!r} must be a 0/1 matrix, not of dtype {arr.dtype}.")
    out.setflags(write=False)
    return out


def as_support(S, name="support"):
    """``S`` as a validated :class:`Support` (``S`` itself if it is one).

    >>> S = as_support("10/01"); as_support(S) is S, S == as_support(np.eye(2)) == identity(2)
    (True, True)
    """
    return S if isinstance(S, Support) else Support(S, name)


def check_pair(I, J):
    """Validate a support pair ``(I, J)`` (m×r and n×r); return the two Supports.

    >>> check_pair("10/11", "110/011")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    exactsparse.exceptions.ShapeError: Arguments 'I' (2, 2) and 'J' (2, 3) must have the same...
    """
    I, J = as_support(I, "I"), as_support(J, "J")
    if I.shape[1] != J.shape[1]:
        raise ShapeError(f"Arguments 'I' {I.shape} and 'J' {J.shape} must have the same number "
                         f"of columns r (X Yᵀ convention; for an r×n right support use "
                         "right_from_rx).")
    return I, J


def right_from_rx(J_rx):
    """Convert a right support in the ``X @ Y`` convention (r×n) to the ``X Yᵀ`` one (n×r).

    >>> J_rx = Support("110/011")      # the transpose; see also check_pair
    >>> str(right_from_rx(J_rx)), np.array_equal(right_from_rx(J_rx).array, J_rx.array.T)
    ('10/11/01', True)
    """
    return as_support(J_rx, "J_rx").T


def rank_one_supports(I, J):
    """The rank-one supports ``S_k = (R_k, C_k)`` as pairs of tuples of indices.

    ``S_k`` is the support of the outer product of the columns ``k``:

    >>> I, J = Support("10/11"), Support("11/01")
    >>> S = rank_one_supports(I, J); S
    (((0, 1), (0,)), ((1,), (0, 1)))
    >>> all(np.array_equal(np.isin(range(2), R)[:, None] & np.isin(range(2), C),
    ...                    np.outer(I[:, k], J[:, k])) for k, (R, C) in enumerate(S))
    True
    """
    I, J = check_pair(I, J)
    return tuple((I.column(k), J.column(k)) for k in range(I.shape[1]))


@dataclass(frozen=True)
class EquivalenceClass:
    """Identical columns of ``(I, J)``: indices, row set, column set (see equivalence_classes)."""

    columns: tuple
    rows: tuple
    cols: tuple

    @property
    def size(self):
        return len(self.columns)

    @property
    def is_complete(self):
        """``|P| >= min(|R_P|, |C_P|)``: the class fits any matrix supported on ``S_P``."""
        return self.size >= min(len(self.rows), len(self.cols))

    @property
    def area(self):
        return len(self.rows) * len(self.cols)


def degenerate_columns(I, J):
    """Columns ``k`` with ``I[:, k] = 0`` or ``J[:, k] = 0`` (they contribute nothing).

    >>> I, J = Support("100/110"), Support("101/101")
    >>> degenerate_columns(I, J), tuple(np.flatnonzero(~I.array.any(0) | ~J.array.any(0)).tolist())
    ((1, 2), (1, 2))
    """
    I, J = check_pair(I, J)
    bad = (np.diff(I.csc.indptr) == 0) | (np.diff(J.csc.indptr) == 0)
    return tuple(np.flatnonzero(bad).tolist())


def equivalence_classes(I, J):
    """The equivalence classes of non-degenerate columns, ordered by first column.

    Linear in ``nnz(I) + nnz(J) + r`` (columns are grouped by hashing their index sets).

    Columns share a class exactly when their column pairs are identical:

    >>> I, J = Support("1101/1101/0010/0010"), Support("1100/1101/0011/0010")
    >>> cl = equivalence_classes(I, J); [(c.columns, c.rows, c.cols, c.is_complete) for c in cl]
    [((0, 1), (0, 1), (0, 1), True), ((2,), (2, 3), (2, 3), False), ((3,), (0, 1), (1, 2), False)]
    >>> P, of = np.vstack([I.array, J.array]), {k: c for c in cl for k in c.columns}
    >>> all((of[k] is of[l]) == np.array_equal(P[:, k], P[:, l]) for k in of for l in of)
    True
    """
    I, J = check_pair(I, J)
    groups = {}
    Ic, Jc = I.csc, J.csc
    for k in range(I.shape[1]):
        R = tuple(Ic.indices[Ic.indptr[k]:Ic.indptr[k + 1]].tolist())
        C = tuple(Jc.indices[Jc.indptr[k]:Jc.indptr[k + 1]].tolist())
        if R and C:
            groups.setdefault((R, C), []).append(k)
    return tuple(EquivalenceClass(tuple(ks), R, C) for (R, C), ks in groups.items())


def complete_classes(I, J):
    """The complete equivalence classes (CEC), ``|P| >= min(|R_P|, |C_P|)`` [1]_.

    >>> [c.columns for c in complete_classes("1101/1101/0010/0010", "1100/1101/0011/0010")]
    [(0, 1)]
    """
    return tuple(c for c in equivalence_classes(I, J) if c.is_complete)


def _incidence(sets, size):
    indptr = np.zeros(len(sets) + 1, np.int64)
    indptr[1:] = np.cumsum([len(s) for s in sets])
    idx = np.fromiter((i for s in sets for i in s), np.int64, count=int(indptr[-1]))
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise ValueError("index out of range")
    return sp.csc_matrix((np.ones(idx.size, np.int32), idx, indptr), shape=(size, len(sets)))


def rectangle_overlaps(rects, shape):
    """Pairs ``(p, q)``, p < q, of rectangles ``(rows, cols)`` that intersect.

    Two strategies, chosen by their cost: sparse incidence products ``RᵀR ∘ CᵀC`` (cost
    ``Σ_i deg(i)² + Σ_j deg(j)²``, small for sparse patterns) or packed bitsets of the row
    and column sets compared pairwise (cost ``p² (m + n) / 64`` words, small for few dense
    rectangles).
    """
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ShapeError(f"Argument 'shape' must be a pair (m, n), not {type(shape).__name__}.")
    shape = (_dim(shape[0], "m"), _dim(shape[1], "n"))
    if max(shape) > MAX_CELLS:
        raise SizeLimitError(f"Argument 'shape' {short_repr(shape)} has a side over the limit "
                             f"of {MAX_CELLS} (exactsparse.supports.MAX_CELLS).")
    try:
        p = len(rects)
        Rm = _incidence([r for r, _ in rects], shape[0])
        Cm = _incidence([c for _, c in rects], shape[1])
    except (TypeError, ValueError, OverflowError):
        raise ShapeError("Argument 'rects' must be a sequence of (rows, cols) pairs of index "
                         "sequences inside 'shape'.") from None
    if p < 2:
        return []
    deg_r = np.diff(Rm.tocsr().indptr).astype(np.float64)
    deg_c = np.diff(Cm.tocsr().indptr).astype(np.float64)
    sparse_cost = float(deg_r @ deg_r + deg_c @ deg_c)
    dense_cost = p * p * (shape[0] + shape[1]) / 64.0
    if sparse_cost <= 4 * dense_cost:
        both = ((Rm.T @ Rm) != 0).multiply((Cm.T @ Cm) != 0).tocoo()
        return sorted((int(a), int(b)) for a, b in zip(both.row, both.col) if a < b)
    return _packed_overlaps(Rm, Cm)


def _packed_overlaps(Rm, Cm):
    R = np.packbits(Rm.T.toarray().astype(bool), axis=1).view(np.uint8)
    C = np.packbits(Cm.T.toarray().astype(bool), axis=1).view(np.uint8)
    out = []
    for a in range(R.shape[0] - 1):
        hit = (R[a] & R[a + 1:]).any(axis=1) & (C[a] & C[a + 1:]).any(axis=1)
        out.extend((a, a + 1 + int(b)) for b in np.flatnonzero(hit))
    return out


def overlap_graph(I, J, classes=None):
    """Graph on class indices, ``p ~ q`` when ``S_p`` and ``S_q`` intersect.

    >>> I, J = Support("1101/1101/0010/0010"), Support("1100/1101/0011/0010")
    >>> S = [np.isin(range(4), c.rows)[:, None] & np.isin(range(4), c.cols)
    ...      for c in equivalence_classes(I, J)]
    >>> sorted(overlap_graph(I, J).edges), [(p, q) for p, q in itertools.combinations(range(3), 2)
    ...                                     if (S[p] & S[q]).any()]
    ([(0, 2)], [(0, 2)])
    >>> [[c.columns for c in comp] for comp in overlap_components(I, J)]
    [[(0, 1), (3,)], [(2,)]]
    """
    I, J = check_pair(I, J)
    classes = equivalence_classes(I, J) if classes is None else classes
    G = nx.Graph()
    G.add_nodes_from(range(len(classes)))
    shape = (I.shape[0], J.shape[0])
    G.add_edges_from(rectangle_overlaps([(c.rows, c.cols) for c in classes], shape))
    return G


def overlap_components(I, J):
    """Connected components of the overlap graph, as tuples of classes (independent parts).

    Doctested in :func:`overlap_graph`: the classes of different components do not overlap."""
    classes = equivalence_classes(I, J)
    G = overlap_graph(I, J, classes)
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: c[0])
    return tuple(tuple(classes[p] for p in comp) for comp in comps)


def cover_graph(I, J):
    """Bipartite graph of covered entries: edge (``("r", i)``, ``("c", j)``) with attribute
    ``ks`` the tuple of columns ``k`` whose ``S_k`` contains ``(i, j)``.

    >>> I, J = Support("110/011"), Support("101/011")
    >>> G, O = cover_graph(I, J), I.array[:, None, :] & J.array[None, :, :]   # O[i, j, k]
    >>> sorted((e[0][1], e[1][1], e[2]) for e in G.edges(data="ks")) == [
    ...     (i, j, tuple(np.flatnonzero(O[i, j]).tolist())) for i, j in zip(*np.nonzero(O.any(2)))]
    True
    """
    I, J = check_pair(I, J)
    G = nx.Graph()
    G.add_nodes_from((("r", i) for i in range(I.shape[0])), bipartite=0)
    G.add_nodes_from((("c", j) for j in range(J.shape[0])), bipartite=1)
    for k, (R, C) in enumerate(rank_one_supports(I, J)):
        for i in R:
            for j in C:
                e = (("r", i), ("c", j))
                if G.has_edge(*e):
                    G.edges[e]["ks"] = G.edges[e]["ks"] + (k,)
                else:
                    G.add_edge(*e, ks=(k,))
    return G


# ----------------------------------------------------------------------------- generators
#: Most cells (m·n, or nonzeros if stored sparse) a generator builds, checked before allocating.
MAX_CELLS = 10**8


def _dim(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ShapeError(f"Argument {name!r} must be a positive integer, not {short_repr(v)}.")
    return int(v)


def _cells(m, n, cells=None):
    """``(m, n)`` validated, with ``cells`` (default ``m·n``) at most :data:`MAX_CELLS`."""
    cells = m * n if cells is None else cells
    if cells > MAX_CELLS:
        raise SizeLimitError(f"A {short_repr(m)}×{short_repr(n)} support needs "
                             f"{short_repr(cells)} cells, more than the limit of {MAX_CELLS} "
                             "(exactsparse.supports.MAX_CELLS).")
    return m, n


def full(m, n):
    """All-ones m×n support, ``np.ones((m, n))`` (doctested in :func:`lower_triangular`)."""
    return Support(np.ones(_cells(_dim(m, "m"), _dim(n, "n")), bool))


def identity(n):
    """Identity support of size n, ``np.eye(n)``, stored sparse (at most
    :data:`MAX_CELLS` nonzeros; doctested in :func:`lower_triangular`)."""
    n = _dim(n, "n")
    _cells(n, n, n)
    return Support(sp.identity(n, dtype=np.int8, format="csc"))


def lower_triangular(n):
    """Lower-triangular (L of LU) support, ``np.tril``; the generators against numpy:

    >>> ones = np.ones((3, 3))
    >>> (lower_triangular(3), upper_triangular(3), identity(3), full(3, 3)) == tuple(
    ...     Support(a) for a in (np.tril(ones), np.triu(ones), np.eye(3), ones))
    True
    """
    return Support(np.tril(np.ones(_cells(_dim(n, "n"), n), bool)))


def upper_triangular(n):
    """Upper-triangular (U of LU) support, ``np.triu`` (doctested in :func:`lower_triangular`)."""
    return Support(np.triu(np.ones(_cells(_dim(n, "n"), n), bool)))


def block_diagonal(*shapes):
    """Block-diagonal support with all-ones blocks of the given ``(rows, cols)`` shapes.

    >>> B, ones = block_diagonal((1, 2), (2, 1)), np.ones
    >>> str(B), B == Support(sp.block_diag([ones((1, 2)), ones((2, 1))]).toarray())
    ('110/001/001', True)
    """
    if not shapes:
        raise ShapeError("Argument 'shapes' must name at least one block.")
    for sh in shapes:
        if not isinstance(sh, (tuple, list)) or len(sh) != 2:
            raise ShapeError(f"Argument 'shapes' must hold (rows, cols) pairs, not {sh!r}.")
    shapes = [(_dim(a, "rows"), _dim(b, "cols")) for a, b in shapes]
    _cells(sum(p for p, _ in shapes), sum(q for _, q in shapes), sum(p * q for p, q in shapes))
    blocks = [sp.csc_matrix(np.ones((p, q), np.int8)) for p, q in shapes]
    return Support(sp.block_diag(blocks, format="csc"))


def random_support(m, n, density, seed=None):
    """Random support with i.i.d. Bernoulli(``density``) entries (``seed`` for numpy).

    >>> S = random_support(200, 100, 0.3, seed=1)    # shape, seed, density (mean of entries)
    >>> S.shape, S == random_support(200, 100, 0.3, seed=1), abs(S.nnz / 20000 - 0.3) < 0.01
    ((200, 100), True, True)
    """
    m, n = _dim(m, "m"), _dim(n, "n")
    if isinstance(density, bool) or not isinstance(density, (int, float, np.integer,
                                                              np.floating)) \
            or not 0 <= density <= 1:
        raise ArgumentError(f"Argument 'density' must lie in [0, 1], not {density!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ArgumentError(f"Argument 'seed' must be None or an integer >= 0, not {seed!r}.")
    return Support(np.random.default_rng(seed).random(_cells(m, n)) < density)

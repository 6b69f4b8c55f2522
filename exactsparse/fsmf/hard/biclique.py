"""Maximum-edge biclique -> masked rank-one approximation (a derived NP-hardness gadget).

Gillis & Glineur [1]_ prove masked rank-one approximation NP-hard by a reduction from the
maximum-edge biclique problem (MBP).  Their construction was not available to us, so this
module implements a reduction **derived here** (same source problem, same conclusion, own
gadget and own proof, given in the Notes of :func:`biclique_to_masked`).  Composed with
:func:`~exactsparse.fsmf.hard.reductions.masked_to_fsmf` (Le, Riccietti & Gribonval [2]_) it
turns any bipartite graph into an FSMF instance whose infimum (not always attained)
determines the maximum biclique size: ``beta(G) = floor(|E| - inf FSMF)``.

The gadget.  For a bipartite graph with biadjacency ``B`` (``m x n``, ``e`` edges, ``q``
non-edges) and ``c = max(1, 32 e^4)``, the masked instance has size ``(m+q) x (n+q)``:

* ``A_ij = 1`` observed on every edge ``(i, j)``; non-edges of ``B`` are *missing*;
* the ``k``-th non-edge ``(i, j)`` (row-major order) gets a private row ``m+k`` and column
  ``n+k`` with observed entries ``A[i, n+k] = 0``, ``A[m+k, j] = 0``, ``A[m+k, n+k] = c``.

Minimising over the gadget's two private variables leaves the penalty
``g(w) = 2c|w| - w^2`` (``|w| <= c``), ``c^2`` (``|w| >= c``) on the product ``w = x_i y_j``
of the non-edge: an exact penalty of slope ``2c`` that forces ``x y^T`` to vanish on the
non-edges.

References
----------
.. [1] N. Gillis, F. Glineur, "Low-rank matrix approximation with weights or missing data
   is NP-hard", SIAM J. Matrix Anal. Appl. 32(4) (2011), arXiv:1012.0197.
.. [2] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.

Examples
--------
>>> inst = biclique_to_masked("110/011")          # a path with 4 edges, beta = 2
>>> inst.shape, inst.c, inst.gadgets
((4, 5), 8192, ((0, 2), (1, 0)))
>>> x, y = biclique_point(inst, [0], [0, 1])
>>> 4 - 2 <= masked_loss(inst.A, inst.mask, x, y) <= 4 - 2 + Fraction(1, 4)
True
>>> point_to_biclique(inst, x, y)
([0], [0, 1])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ... import exact
from ...exceptions import ArgumentError, ExactTypeError, ShapeError, SizeLimitError, show
from ...supports import Support, as_support
from .reductions import masked_loss, masked_to_fsmf  # noqa: F401 (masked_loss: doctests)

__all__ = ["BicliqueInstance", "biclique_to_masked", "biclique_point", "point_to_biclique",
           "max_biclique", "is_biclique"]

#: Largest smaller side accepted by the brute-force :func:`max_biclique`.
MAX_BRUTE_SIDE = 22


@dataclass(frozen=True)
class BicliqueInstance:
    """The masked rank-one instance of a bipartite graph (see :func:`biclique_to_masked`).

    Attributes
    ----------
    biadjacency : Support
        ``B`` (``m x n``), the graph.
    A : tuple of tuple of Fraction
        The ``(m+q) x (n+q)`` data (0 on missing entries).
    mask : Support
        Observed entries ``Omega``.
    c : int
        Gadget constant ``max(1, 32 e^4)``.
    gadgets : tuple of (int, int)
        The non-edges of ``B`` in row-major order; the ``k``-th uses row ``m+k`` and column
        ``n+k``.
    """

    biadjacency: Support
    A: tuple
    mask: Support
    c: int
    gadgets: tuple

    @property
    def shape(self):
        return len(self.A), len(self.A[0])

    @property
    def edges(self):
        """Number of edges ``e`` of the graph."""
        return int(self.biadjacency.nnz)

    def fsmf(self):
        """The FSMF instance ``(A, I, J)`` of :func:`masked_to_fsmf` (same infimum).

        Note that ``r = 1 + (number of missing entries)`` grows like ``(m + q)(n + q)``."""
        return masked_to_fsmf(self.A, self.mask)


def _graph(G):
    """Biadjacency Support of a networkx bipartite graph (nodes ('r', i) / ('c', j)) or of
    a 0/1 matrix / support string."""
    if hasattr(G, "nodes") and hasattr(G, "edges"):
        return Support.from_graph(G)
    return as_support(G, "G")


def gadget_constant(e):
    """``c = max(1, 32 e^4)``: large enough for the lower bound of the Notes of
    :func:`biclique_to_masked` (``16 e^3 (1 + sqrt(e)) <= 32 e^4``).

    >>> e = 6
    >>> gadget_constant(e), 16 * e ** 3 * (1 + e ** 0.5) <= gadget_constant(e)
    (41472, True)
    """
    return max(1, 32 * int(e) ** 4)


def biclique_to_masked(G):
    """Masked rank-one instance whose optimum determines the maximum-edge biclique of ``G``.

    Parameters
    ----------
    G : networkx.Graph or Support-like
        A bipartite graph with nodes ``("r", i)`` / ``("c", j)`` (as produced by
        :meth:`Support.to_graph`), or its 0/1 biadjacency matrix (``m x n``).

    Returns
    -------
    BicliqueInstance
        ``A``, ``mask`` of shape ``(m+q, n+q)`` (``q`` = number of non-edges), the gadget
        constant ``c`` and the gadget list.

    Raises
    ------
    SupportError, ShapeError
        ``G`` is not a bipartite graph / 0/1 matrix.

    See Also
    --------
    biclique_point, point_to_biclique : the two directions of the theorem below.
    max_biclique, is_biclique : the source problem, by brute force.
    masked_to_fsmf : the next reduction (to FSMF); :meth:`BicliqueInstance.fsmf`.

    Notes
    -----
    **Theorem (derived here; sufficient condition, proof below).**  Let ``e`` be the number
    of edges, ``beta`` the maximum number of edges of a biclique ``R x C`` (all pairs
    edges), ``L(x, y)`` the masked loss and ``L* = inf L``.  Then

    1. every biclique with ``k`` edges gives an explicit rational point with
       ``e - k <= L <= e - k + 1/4`` (:func:`biclique_point`);
    2. every point ``(x, y)`` gives a biclique with at least ``e - L(x, y) - 1/2`` edges
       (:func:`point_to_biclique`, a prefix rectangle of the rows/columns sorted by
       ``|x_i|``, ``|y_j|``);
    3. hence ``e - beta - 1/2 <= L* <= e - beta``, i.e. ``beta = floor(e - L*)``: masked
       rank-one approximation (and FSMF, by :func:`masked_to_fsmf`) is NP-hard.  Any point
       with ``L <= L* + 1/4`` gives ``beta = floor(e - L + 1/4)``, and item 2 turns it into
       a maximum biclique (``>= beta - 3/4`` edges, an integer).

    *Proof.*  For a non-edge with product ``w = x_i y_j`` and gadget variables ``s``
    (row), ``t`` (column), the gadget loss is ``(x_i t)^2 + (s y_j)^2 + (c - s t)^2
    >= 2|w||st| + (c - st)^2`` (AM-GM, equality when ``|x_i t| = |s y_j|``), whose
    infimum over ``p = st`` is ``g(w) = 2c|w| - w^2`` if ``|w| <= c`` and ``c^2`` otherwise;
    so ``g(w) >= min(c|w|, c^2)``.  Replacing ``(x, y)`` by ``(|x|, |y|)`` does not increase
    the loss, so take ``x, y >= 0``; ``L >= sum_E (1 - w)^2 = e - sum_E h(w)`` with
    ``h(w) = 2w - w^2 <= int_0^1 2(1-t) [w >= t] dt``.  If ``L > e`` item 2 is trivial.
    Otherwise every non-edge has ``w <= tau = e/c`` (as ``c^2 > e``) and every edge
    ``w <= W = 1 + sqrt(e)``; with ``a = max x``, ``b = max y`` we get ``ab <= W``.  For
    ``t > t0 = sqrt(tau W)`` the cells with ``w >= t`` lie in ``R_t x C_t``,
    ``R_t = {x_i >= t/b}``, ``C_t = {y_j >= t/a}``, on which ``w >= t^2/(ab) > tau``: no
    non-edge, so ``R_t x C_t`` is a biclique and a pair of prefixes of the sorted orders.
    Therefore ``sum_E h(w) <= 2 t0 e + max_t |R_t||C_t|`` and ``2 t0 e <= 1/2`` as
    ``c >= 16 e^3 (1 + sqrt(e))``.  Item 1: ``x = 1_R``, ``y = 1_C`` leave every non-edge
    with a zero endpoint; its gadget takes ``(s, t) = (1, c)``, ``(delta, c/delta)`` or
    ``(c/delta, delta)`` at cost 0 or ``delta^2``, and ``q delta^2 <= 1/4``.

    The infimum is in general not attained (a gadget whose non-edge has exactly one
    endpoint in the biclique only approaches cost 0), which is why item 1 carries ``1/4``.

    Examples
    --------
    >>> inst = biclique_to_masked([[1, 1], [1, 0]])
    >>> inst.shape, inst.edges, inst.c
    ((3, 3), 3, 2592)
    >>> [[int(v) for v in row] for row in inst.A]
    [[1, 1, 0], [1, 0, 0], [0, 0, 2592]]
    >>> inst.mask.tolist()
    [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
    """
    B = _graph(G)
    m, n = B.shape
    dense = B.array
    gadgets = tuple((i, j) for i in range(m) for j in range(n) if not dense[i, j])
    q = len(gadgets)
    c = gadget_constant(int(dense.sum()))
    A = [[Fraction(0)] * (n + q) for _ in range(m + q)]
    W = np.zeros((m + q, n + q), bool)
    W[:m, :n] = dense
    for i in range(m):
        for j in range(n):
            if dense[i, j]:
                A[i][j] = Fraction(1)
    for k, (i, j) in enumerate(gadgets):
        W[i, n + k] = W[m + k, j] = W[m + k, n + k] = True
        A[m + k][n + k] = Fraction(c)
    return BicliqueInstance(biadjacency=Support(dense), A=tuple(map(tuple, A)),
                            mask=Support(W), c=c, gadgets=gadgets)


def is_biclique(G, rows, cols):
    """``True`` when every pair of ``rows x cols`` is an edge (empty sets are bicliques).

    Parameters
    ----------
    G : networkx.Graph or Support-like
        As in :func:`biclique_to_masked`.
    rows, cols : sequences of int

    Raises
    ------
    ArgumentError
        An index out of range or repeated.

    See Also
    --------
    max_biclique, biclique_point

    Examples
    --------
    >>> is_biclique("110/011", [0, 1], [1]), is_biclique("110/011", [0, 1], [0, 1])
    (True, False)
    """
    B = _graph(G)
    rows, cols = _indices(rows, B.shape[0], "rows"), _indices(cols, B.shape[1], "cols")
    dense = B.array
    return bool(all(dense[i, j] for i in rows for j in cols))


def _instance(inst):
    if not isinstance(inst, BicliqueInstance):
        raise ExactTypeError(f"Argument 'inst' must be a BicliqueInstance (from "
                             f"biclique_to_masked), not {show(inst)}.")
    return inst


def _entries(v, name):
    if isinstance(v, (str, bytes, dict)) or not hasattr(v, "__len__") \
            or not hasattr(v, "__iter__") or getattr(v, "ndim", 1) != 1:
        raise ArgumentError(f"Argument {name!r} must be a sequence, not {show(v)}.")
    return v


def _indices(v, size, name):
    out = []
    for t in _entries(v, name):
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < size:
            raise ArgumentError(f"Argument {name!r} must hold indices in [0, {size}), "
                                f"not {show(t)}.")
        out.append(int(t))
    if len(set(out)) != len(out):
        raise ArgumentError(f"Argument {name!r} has a repeated index.")
    return sorted(out)


def biclique_point(inst, rows, cols):
    """Exact rational point of ``inst`` with loss in ``[e - k, e - k + 1/4]``.

    Parameters
    ----------
    inst : BicliqueInstance
    rows, cols : sequence of int
        A biclique ``R x C`` of the graph, ``k = |R| |C|`` edges.

    Returns
    -------
    (x, y) : tuples of Fraction, lengths ``m + q`` and ``n + q``

    Raises
    ------
    ArgumentError
        ``rows x cols`` is not a biclique, or bad indices.

    See Also
    --------
    point_to_biclique : the other direction; biclique_to_masked (Notes, item 1).

    Examples
    --------
    The 6-cycle (``e = 6``) and a biclique with ``k = 2`` edges:

    >>> inst = biclique_to_masked("110/011/101")
    >>> x, y = biclique_point(inst, [0], [0, 1])
    >>> 6 - 2 <= masked_loss(inst.A, inst.mask, x, y) <= 6 - 2 + Fraction(1, 4)
    True
    """
    inst = _instance(inst)
    m, n = inst.biadjacency.shape
    R, C = _indices(rows, m, "rows"), _indices(cols, n, "cols")
    if not is_biclique(inst.biadjacency, R, C):
        raise ArgumentError(f"rows {R} x cols {C} is not a biclique of the graph.")
    q = len(inst.gadgets)
    delta = Fraction(1, 2 * max(1, math.isqrt(q - 1) + 1 if q else 1))
    x = [Fraction(int(i in R)) for i in range(m)] + [Fraction(0)] * q
    y = [Fraction(int(j in C)) for j in range(n)] + [Fraction(0)] * q
    c = Fraction(inst.c)
    for k, (i, j) in enumerate(inst.gadgets):
        s, t = {(0, 0): (Fraction(1), c), (0, 1): (delta, c / delta),
                (1, 0): (c / delta, delta)}[(int(x[i]), int(y[j]))]
        x[m + k], y[n + k] = s, t
    return tuple(x), tuple(y)


def point_to_biclique(inst, x, y):
    """A biclique with at least ``e - L(x, y) - 1/2`` edges from any point ``(x, y)``.

    The rows and columns of the graph are sorted by ``|x_i|``, ``|y_j|`` (decreasing) and
    the largest all-edge rectangle of prefixes is returned (Notes of
    :func:`biclique_to_masked`, item 2).  Works for exact or float points (floats are only
    compared, never fed to an exact routine).

    Returns
    -------
    (rows, cols) : sorted lists of int
        Empty lists when the graph has no edge.

    Raises
    ------
    ShapeError
        ``x``, ``y`` of the wrong lengths.
    ArgumentError, FloatInExactError
        A non-finite or non-numeric entry.

    See Also
    --------
    biclique_point : the other direction; biclique_to_masked (Notes, item 2).

    Examples
    --------
    A perturbed point of a biclique of the 6-cycle (``e = 6``) gives back a biclique with
    at least ``e - L - 1/2`` edges:

    >>> inst = biclique_to_masked("110/011/101")
    >>> x, y = biclique_point(inst, [0], [0, 1])
    >>> x, y = (Fraction(9, 10),) + x[1:], y[:1] + (Fraction(4, 5),) + y[2:]
    >>> R, C = point_to_biclique(inst, x, y)
    >>> L = masked_loss(inst.A, inst.mask, x, y)
    >>> R, C, is_biclique("110/011/101", R, C), len(R) * len(C) >= 6 - L - Fraction(1, 2)
    ([0], [0, 1], True, True)
    """
    inst = _instance(inst)
    x, y = _entries(x, "x"), _entries(y, "y")
    m, n = inst.biadjacency.shape
    M, N = inst.shape
    if len(x) != M or len(y) != N:
        raise ShapeError(f"Arguments 'x', 'y' must have lengths {M}, {N}, not "
                         f"{len(x)}, {len(y)}.")
    ax = [abs(_number(v, "x")) for v in x][:m]          # every entry is validated
    ay = [abs(_number(v, "y")) for v in y][:n]
    ro = sorted(range(m), key=lambda i: -ax[i])
    co = sorted(range(n), key=lambda j: -ay[j])
    dense = inst.biadjacency.array
    best, width = (0, 0), n
    for p, i in enumerate(ro, start=1):
        first_gap = next((t for t, j in enumerate(co) if not dense[i, j]), n)
        width = min(width, first_gap)
        if p * width > best[0] * best[1]:
            best = (p, width)
    p, w = best
    return sorted(ro[:p]), sorted(co[:w])


def _number(v, name):
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            raise ArgumentError(f"Argument {name!r} has a non-finite entry {show(v)}.")
        return float(v)
    return exact.as_rational(v, name)


def max_biclique(G):
    """Maximum-edge biclique by exhaustive search over subsets of the smaller side.

    Parameters
    ----------
    G : networkx.Graph or Support-like
        As in :func:`biclique_to_masked`.

    Returns
    -------
    (rows, cols) : sorted lists of int
        A biclique with the largest number of edges ``|rows| |cols|`` (``2^min(m, n)``
        work).

    Raises
    ------
    SizeLimitError
        ``min(m, n) > MAX_BRUTE_SIDE``.

    See Also
    --------
    is_biclique, biclique_to_masked

    Examples
    --------
    >>> R, C = max_biclique("111/110/011")
    >>> R, C, is_biclique("111/110/011", R, C), len(R) * len(C)
    ([0, 1], [0, 1], True, 4)
    """
    B = _graph(G)
    dense = np.asarray(B.array)
    flipped = dense.shape[1] > dense.shape[0]
    D = dense.T if flipped else dense
    if D.shape[1] > MAX_BRUTE_SIDE:
        raise SizeLimitError(f"max_biclique enumerates 2^{D.shape[1]} column sets; the "
                             f"limit is 2^{MAX_BRUTE_SIDE}.")
    rows, cols = _best_column_set(D)
    return (cols, rows) if flipped else (rows, cols)


def _best_column_set(D):
    """``(rows, cols)`` maximising ``|rows| |cols|`` over the column sets ``cols`` of the
    0/1 matrix ``D`` (``rows`` = the rows containing all of them), as bit masks."""
    m, n = D.shape
    masks = [sum(1 << j for j in range(n) if D[i, j]) for i in range(m)]
    best = (0, 0)
    for S in range(1, 1 << n):
        size = sum(1 for r in masks if r & S == S) * bin(S).count("1")
        if size > best[0]:
            best = (size, S)
    S = best[1]
    return ([i for i in range(m) if masks[i] & S == S] if S else []), \
        [j for j in range(n) if S >> j & 1]

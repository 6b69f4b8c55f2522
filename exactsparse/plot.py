"""Pictures of supports, support pairs, butterfly chains and FSMF loss landscapes.

matplotlib is an optional extra (``pip install 'exactsparse[plot]'``); without it every
plotting function raises :class:`~exactsparse.exceptions.MissingExtraError` naming the extra,
while :func:`fsmf_landscape` (the numbers behind :func:`plot_landscape`) needs only the core.
Each function draws on the given ``ax`` (or a new figure) and returns it, as networkx's and
pandas' plotting functions do.

Layer: a presentation layer above the capabilities, allowed to import the core, ``fsmf``
(its loss :func:`~exactsparse.fsmf_loss`, so a landscape is the package's own loss) and
``butterfly`` (its Kronecker-sparse patterns); nothing imports it.

Examples
--------
>>> from exactsparse.supports import Support
>>> ax = plot_support(Support("110/011"))
>>> ax.images[0].get_array().tolist()           # the image is the 0/1 pattern
[[1, 1, 0], [0, 1, 1]]
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

from . import exact
from .butterfly import KSPattern, butterfly_patterns
from .exceptions import ArgumentError, FloatInExactError, MissingExtraError, SizeLimitError
from .fsmf import fsmf_loss
from .supports import as_support, check_pair

__all__ = ["plot_support", "plot_bipartite", "plot_pair", "plot_butterfly_factors",
           "fsmf_landscape", "plot_landscape", "design_curve", "require_matplotlib"]

_INSTALL = "pip install 'exactsparse[plot]'"


def _pyplot():
    """``matplotlib.pyplot``, or a :class:`MissingExtraError` naming the extra."""
    try:
        import matplotlib.pyplot as plt   # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingExtraError(f"Plotting needs matplotlib, which is not installed: "
                                f"{_INSTALL}.") from None
    return plt


def require_matplotlib():
    """Raise :class:`MissingExtraError` (naming the extra) now when matplotlib is absent: a
    command that will draw at the end checks this before a long computation."""
    _pyplot()


def _axes(ax, **kwargs):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(**kwargs)
    return ax


def _draw_pattern(ax, a, title=None, cmap="Greys", vmax=1):
    m, n = a.shape
    ax.imshow(a, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest", aspect="equal")
    ax.set_xticks(range(n) if n <= 10 else [])
    ax.set_yticks(range(m) if m <= 10 else [])
    ax.tick_params(length=0, labelsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_support(S, ax=None, title=None):
    """Draw a support as a 0/1 image (black = nonzero).

    Parameters
    ----------
    S : Support-like
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to ``"m×n, nnz k"``.

    Returns
    -------
    matplotlib.axes.Axes
        Its ``images[0]`` holds the 0/1 pattern.

    Raises
    ------
    MissingExtraError
        matplotlib is not installed.
    SupportError, ShapeError
        ``S`` is not a support.

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_support(np.eye(3, dtype=int))
    >>> bool((ax.images[0].get_array() == np.eye(3)).all())
    True
    """
    S = as_support(S, "S")
    _pyplot()
    ax = _axes(ax, figsize=(2.5, 2.5))
    return _draw_pattern(ax, S.to_numpy(), title or f"{S.shape[0]}×{S.shape[1]}, nnz {S.nnz}")


def plot_bipartite(S, ax=None):
    """Draw the bipartite graph of a support (:meth:`Support.to_graph`): rows on the left,
    columns on the right, an edge per nonzero.

    Returns
    -------
    matplotlib.axes.Axes
        Its first ``LineCollection`` holds one segment per edge, from ``(0, -i)`` (row ``i``)
        to ``(1, -j)`` (column ``j``) (rows and columns are centred vertically).

    Examples
    --------
    >>> ax = plot_bipartite("110/011")
    >>> len(ax.collections[-1].get_segments())       # the edges, after the nodes
    4
    """
    import networkx as nx   # noqa: PLC0415 - drawing helpers, loaded with matplotlib
    S = as_support(S, "S")
    _pyplot()
    m, n = S.shape
    ax = _axes(ax, figsize=(2.5, 0.35 * max(m, n) + 0.8))
    G = S.to_graph()
    top = (max(m, n) - 1) / 2
    pos = {("r", i): (0.0, (m - 1) / 2 - i - top) for i in range(m)}
    pos.update({("c", j): (1.0, (n - 1) / 2 - j - top) for j in range(n)})
    nx.draw_networkx_nodes(G, pos, nodelist=[("r", i) for i in range(m)], node_color="#1f77b4",
                           node_size=120, ax=ax)
    nx.draw_networkx_nodes(G, pos, nodelist=[("c", j) for j in range(n)], node_color="#ff7f0e",
                           node_size=120, node_shape="s", ax=ax)
    nx.draw_networkx_edges(G, pos, ax=ax, width=1.0, edge_color="#444")
    if max(m, n) <= 16:
        nx.draw_networkx_labels(G, pos, labels={u: str(u[1]) for u in G}, font_size=6, ax=ax)
    ax.set_title("rows | columns", fontsize=9)
    ax.set_axis_off()
    return ax


def plot_pair(I, J, fig=None, title=None):
    """Draw a support pair: ``I`` (m×r), ``J`` (n×r) and the rank-one supports
    ``S_k = supp I[:, k] × supp J[:, k]`` on the m×n grid, shaded by how many cover a cell
    (a cell covered twice or more is where rank-one supports overlap).

    Parameters
    ----------
    I, J : Support-like, m×r and n×r
    fig : matplotlib Figure, optional
    title : str, optional
        A title above the three panels.

    Returns
    -------
    matplotlib.figure.Figure
        Three axes; the third image is the coverage count ``1_I 1_Jᵀ``.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_pair("11/01", "10/11")
    >>> cover = fig.axes[2].images[0].get_array()
    >>> cover.tolist(), bool((cover == np.array([[1, 1], [0, 1]]) @ np.array([[1, 0], [1, 1]]).T).all())
    ([[1, 2], [0, 1]], True)
    """
    I, J = check_pair(I, J)
    plt = _pyplot()
    fig = fig if fig is not None else plt.figure(figsize=(7.5, 2.6))
    axes = fig.subplots(1, 3)
    _draw_pattern(axes[0], I.to_numpy(), f"I ({I.shape[0]}×{I.shape[1]})")
    _draw_pattern(axes[1], J.to_numpy(), f"J ({J.shape[0]}×{J.shape[1]})")
    cover = I.to_numpy() @ J.to_numpy().T
    _draw_pattern(axes[2], cover, "rank-one supports (coverage)", cmap="Blues",
                  vmax=max(1, int(cover.max())))
    if max(cover.shape) <= 12:
        for (i, j), v in np.ndenumerate(cover):
            if v:
                axes[2].text(j, i, str(v), ha="center", va="center", fontsize=7,
                             color="white" if v == cover.max() else "black")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _patterns(chain):
    if isinstance(chain, numbers.Integral) and not isinstance(chain, bool):
        return butterfly_patterns(int(chain))
    cert = getattr(chain, "certificate", None)
    if cert is not None:
        if "patterns" not in cert:
            raise ArgumentError("Argument 'chain' must carry the butterfly patterns, not a "
                                f"result with verdict {getattr(chain, 'verdict', None)!r}.")
        chain = cert["patterns"]
    try:
        return tuple(p if isinstance(p, KSPattern) else KSPattern(*p) for p in chain)
    except TypeError:
        raise ArgumentError("Argument 'chain' must be a size N, a butterfly result or a "
                            f"sequence of (a, b, c, d) patterns, not {chain!r}.") from None


def plot_butterfly_factors(chain, fig=None, max_size=1024):
    """Draw the supports of a chain of Kronecker-sparse factors, leftmost first.

    Parameters
    ----------
    chain : int, sequence of KSPattern / (a, b, c, d), or a butterfly result
        An int ``N`` means the square-dyadic butterfly chain of size ``N``
        (:func:`~exactsparse.butterfly.butterfly_patterns`); a result of
        :func:`~exactsparse.identify_butterfly` gives its identified ``patterns``.
    max_size : int
        Largest factor side drawn (a bigger chain raises :class:`SizeLimitError`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per factor, its image the support ``I_a ⊗ 1_{b×c} ⊗ I_d``.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_butterfly_factors(4)
    >>> [int(ax.images[0].get_array().sum()) for ax in fig.axes]   # 2 nonzeros per row
    [8, 8]
    """
    pats = _patterns(chain)
    side = max((max(p.a * p.b * p.d, p.a * p.c * p.d) for p in pats), default=0)
    if not pats or side > max_size:
        raise SizeLimitError(f"Argument 'chain' must have factors of side at most {max_size}"
                             f", not {len(pats)} factors of side up to {side}.")
    plt = _pyplot()
    fig = fig if fig is not None else plt.figure(figsize=(2.2 * len(pats), 2.4))
    axes = np.atleast_1d(fig.subplots(1, len(pats)))
    for k, (ax, p) in enumerate(zip(axes, pats)):
        _draw_pattern(ax, p.to_support().to_numpy(),
                      f"factor {k + 1}: ({p.a},{p.b},{p.c},{p.d})")
    fig.tight_layout()
    return fig


def _point(P, name):
    if not (isinstance(P, (tuple, list)) and len(P) == 2):
        raise ArgumentError(f"Argument {name!r} must be a pair (X, Y) of factors, not "
                            f"{type(P).__name__}.")
    return P


def _as_array(M, exact_mode, name):
    """A matrix (exact: lists, numpy, flint, sympy; or floats) as a numpy array of Fractions
    (``exact_mode``) or of floats."""
    try:
        fr = np.array(exact.to_fractions(exact.as_matrix(M, name)), dtype=object)
    except FloatInExactError:
        if exact_mode:
            raise
        return np.asarray(M, dtype=float)
    return fr if exact_mode else fr.astype(float)


def _combine(Ps, coeffs):
    """``Σ c_k P_k`` for points ``P_k = (X_k, Y_k)`` of arrays."""
    X = sum(c * P[0] for c, P in zip(coeffs, Ps))
    Y = sum(c * P[1] for c, P in zip(coeffs, Ps))
    return X, Y


def fsmf_landscape(A, P0, P1, P2=None, *, extent=(-0.25, 1.25), points=41, exact=False):
    """The FSMF loss ``||A − X Yᵀ||_F²`` on the line through two points ``(X, Y)``, or on the
    plane through three, computed by :func:`~exactsparse.fsmf_loss`.

    Parameters
    ----------
    A : matrix
    P0, P1, P2 : pairs (X, Y)
        The line is ``P0 + s (P1 − P0)``; with ``P2`` the plane adds ``t (P2 − P0)``.
        Straight lines stay on the supports when the points do.
    extent : (float, float)
        Range of ``s`` (and ``t``): ``0`` is ``P0``, ``1`` is ``P1`` (``P2``).
    points : int
        Samples per axis (2…401 on a line, 2…101 on a plane).
    exact : bool
        Evaluate with exact Fractions (``s`` rational; the matrices must be exact) instead
        of floats.

    Returns
    -------
    s, loss : ndarray
        On a line; ``s, t, loss`` (``loss[i, j]`` at ``s[j]``, ``t[i]``) on a plane.

    Raises
    ------
    ArgumentError
        A point is not a pair, ``extent`` is not two finite increasing numbers.
    SizeLimitError
        ``points`` out of range.
    ShapeError
        The factors do not fit ``A``.

    Examples
    --------
    The loss along the segment from ``(X, Y)`` to ``(2X, Y)`` is a parabola in ``s``:

    >>> import numpy as np
    >>> A, X, Y = [[1, 2], [3, 4]], [[1], [1]], [[1], [2]]
    >>> s, loss = fsmf_landscape(A, (X, Y), (np.multiply(X, 2), Y), extent=(0, 1), points=3)
    >>> R = lambda c: np.array(A) - c * np.outer([1, 1], [1, 2])     # numpy, independently
    >>> np.allclose(loss, [float((R(c) ** 2).sum()) for c in (1, 1.5, 2)], rtol=1e-14)
    True
    """
    P0, P1 = _point(P0, "P0"), _point(P1, "P1")
    P2 = None if P2 is None else _point(P2, "P2")
    cap = 401 if P2 is None else 101
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) \
            or not 2 <= points <= cap:
        raise SizeLimitError(f"Argument 'points' must be an integer in [2, {cap}], not "
                             f"{points!r}.")
    try:
        lo, hi = (Fraction(v) if exact else float(v) for v in extent)
    except (TypeError, ValueError, OverflowError):
        raise ArgumentError(f"Argument 'extent' must be two finite numbers, not {extent!r}.") \
            from None
    if not lo < hi or not np.isfinite(float(lo)) or not np.isfinite(float(hi)):
        raise ArgumentError(f"Argument 'extent' must be two finite increasing numbers, not "
                            f"{extent!r}.")
    grid = [lo + (hi - lo) * Fraction(k, points - 1) if exact else
            lo + (hi - lo) * k / (points - 1) for k in range(points)]

    A = _as_array(A, exact, "A")
    Ps = [tuple(_as_array(M, exact, f"P{k}[{i}]") for i, M in enumerate(P))
          for k, P in enumerate((P0, P1, P2)) if P is not None]

    def loss(s, t=0):
        X, Y = _combine(Ps, [1 - s - t, s] + ([t] if P2 is not None else []))
        return fsmf_loss(A.tolist() if exact else A, X.tolist() if exact else X,
                         Y.tolist() if exact else Y)

    if P2 is None:
        return np.array(grid, dtype=object if exact else float), np.array(
            [loss(s) for s in grid], dtype=object if exact else float)
    values = np.array([[loss(s, t) for s in grid] for t in grid], dtype=object if exact else float)
    g = np.array(grid, dtype=object if exact else float)
    return g, g.copy(), values


def plot_landscape(A, P0, P1, P2=None, *, ax=None, extent=(-0.25, 1.25), points=None,
                   labels=("P0", "P1", "P2")):
    """Plot :func:`fsmf_landscape`: the loss along the line ``P0 → P1`` (a curve), or on the
    plane through ``P0, P1, P2`` (filled contours), the points marked.

    Returns
    -------
    matplotlib.axes.Axes
        On a line, ``ax.lines[0]`` holds ``(s, loss)``.

    Examples
    --------
    >>> A, X, Y = [[1, 2], [3, 4]], [[1], [1]], [[1], [2]]
    >>> ax = plot_landscape(A, (X, Y), ([[2], [2]], Y), points=5)
    >>> ax.lines[0].get_xdata().tolist()
    [-0.25, 0.125, 0.5, 0.875, 1.25]
    """
    _pyplot()
    ax = _axes(ax, figsize=(4.5, 3.2))
    if P2 is None:
        s, loss = fsmf_landscape(A, P0, P1, extent=extent, points=points or 201)
        ax.plot(s, loss, "-", color="#1f77b4")
        for x, label in ((0, labels[0]), (1, labels[1])):
            y = float(fsmf_loss(A, *(P0 if x == 0 else P1)))
            ax.plot([x], [y], "o", color="#d62728")
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, 6), fontsize=8)
        ax.set_xlabel(f"s  ({labels[0]} + s·({labels[1]} − {labels[0]}))")
        ax.set_ylabel(r"$\|A - XY^\top\|_F^2$")
        return ax
    s, t, loss = fsmf_landscape(A, P0, P1, P2, extent=extent, points=points or 61)
    cs = ax.contourf(s, t, np.log10(loss - loss.min() + 1e-3), levels=30, cmap="viridis")
    ax.figure.colorbar(cs, ax=ax, label="log10(loss − min + 1e-3)")
    for (x, y), label in zip(((0, 0), (1, 0), (0, 1)), labels):
        ax.plot([x], [y], "o", color="#d62728")
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8,
                    color="white")
    ax.set_xlabel("s")
    ax.set_ylabel("t")
    return ax


def design_curve(result, path=None, ax=None):
    """Draw a :func:`~exactsparse.butterfly.design.design_chain` result: relative error
    against parameter count of every fitted chain, the Pareto front as a line, the chosen
    chain highlighted; saved to ``path`` when given.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` holds the Pareto front ``(params, error)``.

    Examples
    --------
    >>> import scipy.linalg
    >>> from exactsparse.butterfly import design_chain
    >>> res = design_chain(scipy.linalg.hadamard(8), 48)
    >>> ax = design_curve(res)
    >>> ax.lines[0].get_xdata().tolist() == [f.chain.params for f in res.pareto]
    True
    """
    if not all(hasattr(result, k) for k in ("fits", "pareto", "chosen", "error")):
        raise ArgumentError(f"Argument 'result' must be a design_chain result, not "
                            f"{type(result).__name__}.")
    plt = _pyplot()
    ax = _axes(ax, figsize=(5, 3.4))
    floor = 1e-17                                  # exact fits drawn on the log axis
    ys = [max(f.error, floor) for f in result.pareto]
    ax.plot([f.chain.params for f in result.pareto], ys, "-o", color="#1f77b4", ms=4,
            drawstyle="steps-post", label="Pareto front" + ("" if result.front_exact
                                                            else " (partial)"))
    ax.scatter([f.chain.params for f in result.fits], [max(f.error, floor) for f in
               result.fits], s=10, color="#999", label="fitted chains", zorder=1)
    ax.scatter([result.chosen.params], [max(result.error, floor)], s=80, marker="*",
               color="#d62728", label=f"chosen {result.chosen}", zorder=3)
    ax.axvline(result.budget, color="#444", ls=":", lw=1, label="budget")
    ax.set_yscale("log")
    ax.set_xlabel("parameters")
    ax.set_ylabel("relative error")
    ax.set_title(f"{result.shape[0]}×{result.shape[1]}: {len(result.fits)} fitted, "
                 f"{len(result.skipped)} skipped", fontsize=9)
    ax.legend(fontsize=7)
    if path is not None:
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=120)
        plt.close(ax.figure)
    return ax

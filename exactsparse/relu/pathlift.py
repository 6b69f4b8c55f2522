"""The path-lifting Φ(θ) of a layered ReLU network, the activation matrix α(X, θ) and DΦ.

For every output ``o`` the coordinates of Φ are the paths ending at ``o``:

* input paths ``x{i0}->h1.{i1}->…->h{L−1}.{i_{L−1}}->o{o}`` with value
  ``W_L[o, i_{L−1}] ⋯ W_1[i1, i0]``;
* bias paths starting at a hidden neuron ``h{s}.{i_s}->…->o{o}`` with value
  ``W_L[o, i_{L−1}] ⋯ W_{s+1}[i_{s+1}, i_s] · b_s[i_s]``;
* the output bias ``o{o}`` with value ``b_L[o]``.

**Order** (the documented index of Φ): by output ``o``, then by start layer ``s = 0, …, L``,
then lexicographically on ``(i_{L−1}, …, i_s)`` (the neuron nearest the output varies
slowest).  The size is ``N_L (1 + Σ_{s=0}^{L−1} Π_{j=s}^{L−1} N_j)``.

Φ is invariant under rescaling of hidden neurons (any λ ≠ 0) and ``R_θ(x) = α(x, θ) Φ(θ)``
where ``α`` holds, per path, the product of the activation indicators of its hidden neurons
(times ``x_{i0}`` for input paths) [1]_.

References
----------
.. [1] P. Stock, R. Gribonval, "An embedding of ReLU networks and an analysis of their
   identifiability", Constructive Approximation (2022), arXiv:2107.09370.

Examples
--------
>>> from exactsparse.relu import Network
>>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
>>> {k: str(v) for k, v in pathlift(net).items()}
{'x0->h1.0->o0': '2', 'x1->h1.0->o0': '-4', 'x0->h1.1->o0': '-3', 'x1->h1.1->o0': '0', 'h1.0->o0': '2', 'h1.1->o0': '1', 'o0': '5'}
>>> A = activation_matrix(net, [[2, 1]]); phi = list(pathlift(net).values())
>>> sum(a * p for a, p in zip(A[0], phi)) == net([2, 1])[0]
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exact import as_rational
from ..exact import rank as exact_rank
from ..exceptions import ArgumentError, ShapeError, SizeLimitError, show
from .network import KinkError, as_network, neuron_name

__all__ = ["path_count", "path_names", "path_name", "iter_pathlift", "pathlift",
           "pathlift_vector", "pathlift_blocks", "PathBlock", "activation_patterns",
           "activation_matrix", "pathlift_jacobian", "pathlift_jacobian_rank",
           "param_names", "MAX_PATHS"]

#: Default largest Φ materialised by :func:`pathlift` (use the streaming API beyond).
MAX_PATHS = 2_000_000


def _widths(widths):
    """``widths`` as a list of >= 2 positive ints (typed error otherwise)."""
    if isinstance(widths, (str, bytes, dict)) or not hasattr(widths, "__iter__"):
        raise ArgumentError(f"Argument 'widths' must be a list of positive ints, not "
                            f"{show(widths)}.")
    widths = list(widths)
    if len(widths) < 2 or any(isinstance(w, bool) or not isinstance(w, (int, np.integer))
                              or w < 1 for w in widths):
        raise ArgumentError(f"Argument 'widths' must be a list of at least 2 positive ints, "
                            f"not {show(widths)}.")
    return [int(w) for w in widths]


def _index(v, name, size):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < size:
        raise ArgumentError(f"Argument {name!r} must be an int in [0, {show(size)}), "
                            f"not {show(v)}.")
    return int(v)


def path_count(widths):
    """``|Φ| = N_L (1 + Σ_{s<L} Π_{j=s}^{L−1} N_j)``.

    >>> path_count([1, 2, 1]), path_count([2, 3, 1]), path_count([2, 3, 2, 1]), path_count([2, 2, 2, 2])
    (5, 10, 21, 30)
    """
    widths = _widths(widths)
    L = len(widths) - 1
    return widths[L] * (1 + sum(math.prod(widths[s:L]) for s in range(L)))


def _group_size(widths, s):
    L = len(widths) - 1
    return math.prod(widths[s:L]) if s < L else 1


def path_name(widths, output, start, flat):
    """The name of the path with index ``flat`` in the group (``output``, ``start`` layer).

    >>> path_name([2, 2, 1], 0, 0, 1), path_name([2, 2, 1], 0, 1, 1), path_name([2, 2, 1], 0, 2, 0)
    ('x1->h1.0->o0', 'h1.1->o0', 'o0')
    """
    widths = _widths(widths)
    L = len(widths) - 1
    output, start = _index(output, "output", widths[L]), _index(start, "start", L + 1)
    return _path_name(widths, output, start, _index(flat, "flat", _group_size(widths, start)))


def _path_name(widths, output, start, flat):
    L = len(widths) - 1
    idx = []
    for l in range(start, L):                # i_s varies fastest
        idx.append(flat % widths[l])
        flat //= widths[l]
    names = [neuron_name(l, i, L) for l, i in zip(range(start, L), idx)]
    return "->".join(names + [neuron_name(L, output, L)])


def path_names(widths):
    """All path names in the documented order (see the module docstring)."""
    widths = _widths(widths)
    if path_count(widths) > MAX_PATHS:
        raise SizeLimitError(f"Argument 'widths' gives {show(path_count(widths))} paths, more "
                             f"than MAX_PATHS = {MAX_PATHS}.")
    L = len(widths) - 1
    return [_path_name(widths, o, s, f) for o in range(widths[L]) for s in range(L + 1)
            for f in range(_group_size(widths, s))]


def _samples(X, d):
    """``X`` as a list of rows of length ``d`` (typed error otherwise); entries unchecked."""
    try:
        if isinstance(X, (str, bytes, dict)) or getattr(X, "ndim", 2) != 2:
            raise TypeError
        rows = [list(x) for x in X]
    except TypeError:
        raise ShapeError(f"Argument 'X' must be a 2-D list of samples (one row of {d} inputs "
                         f"each), not {show(X)}.") from None
    bad = [k for k, r in enumerate(rows) if len(r) != d or any(
        isinstance(t, (bytes, list, tuple, dict, np.ndarray)) for t in r)]  # "p/q" strings are exact
    if not rows or bad:
        raise ShapeError(f"Argument 'X' must hold at least one sample, each of {d} numbers, "
                         f"not {show(X)}.")
    return rows


def _check_limit(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ArgumentError(f"Argument {name!r} must be a positive int, not {show(v)}.")
    return int(v)


def _check_size(net, max_paths, what):
    max_paths = _check_limit(max_paths, "max_paths")
    size = path_count(net.widths)
    if size > max_paths:
        raise SizeLimitError(
            f"Argument 'net' has |Φ| = {size} paths > max_paths = {max_paths}: {what} would "
            "not fit in memory; use the streaming API (iter_pathlift, pathlift_blocks) or "
            "the forward-pass routines (path_norm, path_magnitudes).")
    return size


def iter_pathlift(net):
    """Stream ``(path name, value)`` in the documented order without materialising Φ.

    Memory is O(depth); values are Fractions (exact nets) or floats.
    """
    net = as_network(net)
    W, b, widths, L = net.weights, net.biases, net.widths, net.depth
    one = Fraction(1) if net.exact else 1.0

    def down(layer, value, names, start):
        # ``names`` ends at a neuron of ``layer``; extend towards layer ``start``.
        if layer == start:
            i = names[-1][1]
            factor = one if start == 0 else b[start - 1][i]
            yield "->".join(neuron_name(l, j, L) for l, j in reversed(names)), value * factor
            return
        i = names[-1][1]
        for j in range(widths[layer - 1]):
            yield from down(layer - 1, value * W[layer - 1][i][j], names + [(layer - 1, j)], start)

    for o in range(widths[L]):
        for s in range(L):
            # order: i_{L−1} slowest, so recurse from the output
            yield from down(L, one, [(L, o)], s)
        yield neuron_name(L, o, L), b[L - 1][o]


def pathlift(net, max_paths=MAX_PATHS):
    """Φ(θ) as an ordered dict ``path name → value`` (exact Fractions for exact nets).

    Raises :class:`~exactsparse.exceptions.SizeLimitError` (with the size) above
    ``max_paths``; use :func:`iter_pathlift` or :func:`pathlift_blocks` to stream.
    """
    net = as_network(net)
    _check_size(net, max_paths, "pathlift")
    return dict(iter_pathlift(net))


def pathlift_vector(net, max_paths=MAX_PATHS):
    """Φ(θ) as a list in the documented order (see :func:`path_names`)."""
    net = as_network(net)
    _check_size(net, max_paths, "pathlift_vector")
    return [v for block in pathlift_blocks(net) for v in block.fractions()] if net.exact \
        else [float(v) for block in pathlift_blocks(net) for v in block.values]


@dataclass(frozen=True)
class PathBlock:
    """A contiguous block of Φ: paths ``offset, …, offset + len(values) − 1`` of the group
    (``output``, ``start`` layer); the exact values are ``values / denominator``."""

    output: int
    start: int
    offset: int
    values: np.ndarray
    denominator: int

    def fractions(self):
        """The block's values as Fractions."""
        d = self.denominator
        return [Fraction(int(v), d) for v in self.values]

    def names(self, widths):
        """The block's path names."""
        return [_path_name(widths, self.output, self.start, self.offset + k)
                for k in range(len(self.values))]


def _integer_layers(net):
    """``[(Z_l, z_l, D_l)]`` with nested ``Z_l`` (see :meth:`Network.integer_layers`)."""
    return [([flat[i * m:(i + 1) * m] for i in range(len(z))], z, D)
            for (flat, z, D), m in zip(net.integer_layers(), net.widths[:-1])]


def pathlift_blocks(net, block_size=1 << 16):
    """Stream Φ(θ) in :class:`PathBlock` blocks of at most ``max(block_size, max width)`` paths (numpy
    arrays: int64 when every path product fits, else Python ints; float64 for float nets).

    Memory is O(block_size + width²); the order is the documented one.

    >>> from exactsparse.relu import random_network
    >>> net = random_network([3, 4, 4, 2], seed=0)
    >>> [v for blk in pathlift_blocks(net, 5) for v in blk.fractions()] == list(pathlift(net).values())
    True
    """
    net = as_network(net)
    if not isinstance(block_size, int) or block_size < 1:
        raise ArgumentError(f"Argument 'block_size' must be a positive int, not {show(block_size)}.")
    widths, L = net.widths, net.depth
    if net.exact:
        layers = _integer_layers(net)
        bound = 1
        for Z, z, _ in layers:
            bound *= max(1, max(abs(v) for r in Z for v in r), max(abs(v) for v in z))
        dtype = np.int64 if bound < 2**62 else object
        Zs = [np.array(Z, dtype=dtype) for Z, _, _ in layers]
        zs = [np.array(z, dtype=dtype) for _, z, _ in layers]
        Ds = [D for _, _, D in layers]
    else:
        Zs = [W for W, _ in net.numpy_layers()]
        zs = [b for _, b in net.numpy_layers()]
        Ds = [1] * L
        dtype = float
    for o in range(widths[L]):
        for s in range(L):
            den = math.prod(Ds[s - 1:]) if s > 0 else math.prod(Ds)
            v = Zs[L - 1][o, :].copy()
            yield from _expand(v, L - 1, s, 0, Zs, zs, widths, block_size, o, den)
        yield PathBlock(o, L, 0, np.array([zs[L - 1][o]], dtype=dtype), Ds[L - 1])


def _expand(v, layer, s, offset, Zs, zs, widths, block_size, o, den):
    """``v`` holds partial products of paths from ``o`` down to neurons of ``layer`` (flat,
    the layer's index fastest), ``offset`` the index of ``v[0]`` among them."""
    if layer == s:
        if s > 0:
            v = v * zs[s - 1][(offset + np.arange(len(v))) % widths[s]]
        yield PathBlock(o, s, offset, v, den)
        return
    n_next = widths[layer - 1]
    chunk = max(1, block_size // n_next)
    for a in range(0, len(v), chunk):
        part = v[a:a + chunk]
        rows = (offset + a + np.arange(len(part))) % widths[layer]
        grown = (part[:, None] * Zs[layer - 1][rows, :]).ravel()
        yield from _expand(grown, layer - 1, s, (offset + a) * n_next, Zs, zs, widths,
                           block_size, o, den)


# ----------------------------------------------------------------------------- activations
def activation_patterns(net, X, on_kink="ignore"):
    """Exact hidden activations per sample: a list over samples of ``[a_1, …, a_{L−1}]``
    (tuples of 0/1, ``a_l[i] = 1`` iff the pre-activation is > 0).

    With ``on_kink="error"`` a zero pre-activation raises
    :class:`~exactsparse.relu.KinkError` naming the sample and the neuron.
    """
    net = as_network(net)
    net.require_exact("activation patterns")
    rows = _samples(X, net.widths[0])
    n = len(rows)
    fast = _float_patterns(net, rows)
    if fast is not None:                          # every sign certified by the error bound
        per_layer = [list(map(tuple, a.astype(int).tolist())) for a in fast]
        return [[per_layer[l][s] for l in range(net.depth - 1)] for s in range(n)], rows
    pre = net.preactivations(rows)
    per_layer = []                                # per hidden layer: one tuple per sample
    for l in range(1, net.depth):
        vals = pre[l - 1].entries()               # row-major: neuron i, sample s at i·n + s
        if on_kink == "error" and any(v == 0 for v in vals):
            k = next(k for k, v in enumerate(vals) if v == 0)
            i, s = divmod(k, n)
            raise KinkError(
                f"Sample {s} ({[str(as_rational(t, 'X')) for t in rows[s]]}) lies on a "
                f"kink of neuron {neuron_name(l, i, net.depth)}: its pre-activation is "
                "exactly 0.")
        bits = [1 if v > 0 else 0 for v in vals]
        per_layer.append(list(zip(*[bits[i * n:(i + 1) * n] for i in range(len(bits) // n)])))
    out = [[per_layer[l][s] for l in range(net.depth - 1)] for s in range(n)]
    return out, rows


_U = 2.0 ** -53


def _float_patterns(net, rows):
    """The activation patterns (per hidden layer an ``n × N_l`` bool array) from a float64
    forward pass whose every pre-activation sign is certified, or ``None``.

    Certification (a running a-priori bound): with ``x̂``, ``Ŵ``, ``b̂`` the correctly rounded
    inputs and weights (``|Ŵ − W| ≤ u|Ŵ|``, ``u = 2⁻⁵³``, up to a factor 1 + u) and ``e`` a
    bound of ``|f − f̂|`` on the previous activations, the computed ``ẑ = fl(Ŵ f̂ + b̂)``
    satisfies ``|z − ẑ| ≤ |Ŵ| e + c (|Ŵ| (|f̂| + e) + |b̂|)`` with ``c = (m + 4) u`` for ``m``
    inputs (the γ_{m+1} bound of any summation order, plus the rounding of ``W`` and ``b``);
    ReLU is 1-Lipschitz, so the bound carries over to ``f = ReLU(z)``.  The bound is inflated
    by 1 % (its own rounding) plus 1e-290 per term (underflow).  A sign is certified when
    ``|ẑ|`` exceeds the bound; any uncertain entry (an exact zero — a kink — always is) sends
    the caller to the exact route.
    """
    try:
        f = np.array([[float(as_rational(v, "X")) for v in r] for r in rows], dtype=float)
    except Exception:  # noqa: BLE001 - the exact route reports bad input precisely
        return None
    if f.ndim != 2 or f.shape[1] != net.widths[0] or not np.isfinite(f).all():
        return None
    e = 2 * _U * np.abs(f) + 1e-300
    out = []
    with np.errstate(all="ignore"):
        for W, b in net.numpy_layers()[:-1]:
            Wa = np.abs(W)
            c = (W.shape[1] + 4) * _U
            z = f @ W.T + b
            err = (e @ Wa.T + c * ((np.abs(f) + e) @ Wa.T + np.abs(b))) * 1.01 \
                + 1e-290 * (W.shape[1] + 2)
            if not (np.isfinite(z).all() and np.isfinite(err).all()):
                return None
            if (np.abs(z) <= err).any():
                return None
            pos = z > 0
            out.append(pos)
            f, e = np.where(pos, z, 0.0), np.where(pos, err, 0.0)   # f = 0 exactly if z < 0
    return out


def activation_matrix(net, X, output=None, max_entries=20_000_000):
    """α(X, θ): one row per (sample, output), one column per path (documented order), exact
    Fractions, so that ``R_θ(x)_o = Σ_p α[(x, o), p] Φ_p``.

    With ``output=o`` only the rows of output ``o`` and the columns of the paths ending at
    ``o`` (the block that repeats for every output).
    """
    net = as_network(net)
    widths, L = net.widths, net.depth
    outs = range(widths[L]) if output is None else [output]
    per_out = path_count(widths) // widths[L]
    ncols = per_out * (widths[L] if output is None else 1)
    max_entries = _check_limit(max_entries, "max_entries")
    if output is not None:
        _index(output, "output", widths[L])
    X = _samples(X, widths[0])
    nrows = len(X) * len(outs)
    if nrows * ncols > max_entries:
        raise SizeLimitError(f"α(X, θ) would have {nrows}×{ncols} entries > max_entries = "
                             f"{max_entries}.")
    pats, rows = activation_patterns(net, X)
    A = []
    for n, x in enumerate(rows):
        xs = [as_rational(v, "X") for v in x]
        block = []
        for s in range(L):
            vec = [Fraction(1)]
            for l in range(L - 1, s - 1, -1):     # i_{L−1} slowest
                fac = xs if l == 0 else [Fraction(a) for a in pats[n][l - 1]]
                vec = [u * f for u in vec for f in fac]
            block.extend(vec)
        block.append(Fraction(1))
        for o in outs:
            row = [Fraction(0)] * ncols
            base = 0 if output is not None else o * per_out
            row[base:base + per_out] = block
            A.append(row)
    return A


# ----------------------------------------------------------------------------- Jacobian
def param_names(widths):
    """Parameter names in the order of θ: per layer ``W{l}[i,j]`` row-major, then ``b{l}[i]``."""
    widths = _widths(widths)
    count = sum(widths[l] * (widths[l - 1] + 1) for l in range(1, len(widths)))
    if count > MAX_PATHS:
        raise SizeLimitError(f"Argument 'widths' gives {show(count)} parameters, more than "
                             f"{MAX_PATHS}.")
    names = []
    for l in range(1, len(widths)):
        names += [f"W{l}[{i},{j}]" for i in range(widths[l]) for j in range(widths[l - 1])]
        names += [f"b{l}[{i}]" for i in range(widths[l])]
    return names


def _param_offsets(widths):
    offs, k = [], 0
    for l in range(1, len(widths)):
        offs.append(k)
        k += widths[l] * (widths[l - 1] + 1)
    return offs


def _paths_with_params(net):
    """For every path (documented order): the list of ``(param index, value)`` factors."""
    W, b, widths, L = net.weights, net.biases, net.widths, net.depth
    offs = _param_offsets(widths)

    def w_idx(l, i, j):          # W_l[i, j], l 1-based
        return offs[l - 1] + i * widths[l - 1] + j

    def b_idx(l, i):
        return offs[l - 1] + widths[l] * widths[l - 1] + i

    def down(layer, i, factors, start):
        if layer == start:
            yield factors + ([] if start == 0 else [(b_idx(start, i), b[start - 1][i])])
            return
        for j in range(widths[layer - 1]):
            yield from down(layer - 1, j, factors + [(w_idx(layer, i, j), W[layer - 1][i][j])],
                            start)

    for o in range(widths[L]):
        for s in range(L):
            yield from down(L, o, [], s)
        yield [(b_idx(L, o), b[L - 1][o])]


def pathlift_jacobian(net, max_paths=20_000):
    """DΦ(θ): the exact |Φ| × #params Jacobian (rows: paths in the documented order,
    columns: :func:`param_names`), as lists of Fractions."""
    net = as_network(net)
    net.require_exact("the Jacobian of Φ")
    _check_size(net, max_paths, "pathlift_jacobian")
    J = []
    for factors in _paths_with_params(net):
        row = [Fraction(0)] * net.n_params
        for k, (p, _) in enumerate(factors):
            row[p] += math.prod((v for m, (_, v) in enumerate(factors) if m != k), start=Fraction(1))
        J.append(row)
    return J


def pathlift_jacobian_rank(net, backend="flint", max_paths=20_000):
    """The exact rank of DΦ(θ) over Q (``#params − #hidden`` off the degenerate set).

    >>> from exactsparse.relu import random_network
    >>> net = random_network([2, 3, 2, 1], seed=3)
    >>> pathlift_jacobian_rank(net), net.n_params - net.n_hidden
    (15, 15)
    """
    return exact_rank(pathlift_jacobian(net, max_paths), backend=backend)

"""The :class:`Network` value: a layered ReLU network with exact or float weights.

A layered network with widths ``N_0 = d, …, N_L = k`` has parameters
``θ = (W_l ∈ R^{N_l×N_{l−1}}, b_l ∈ R^{N_l})_{l=1..L}`` and realises
``f_0 = x``, ``f_l = relu(W_l f_{l−1} + b_l)`` (``0 < l < L``),
``R_θ(x) = W_L f_{L−1} + b_L``.

Neurons are named ``x{i}`` (inputs), ``h{l}.{i}`` (hidden neuron ``i`` of layer ``l``, both
0-based except ``l`` which runs ``1..L−1``) and ``o{i}`` (outputs).

Weights are exact (int, :class:`~fractions.Fraction`, ``"p/q"`` strings, flint/sympy
rationals) or floats; a network is exact when every weight is.  Exact routines given a float
network raise :class:`~exactsparse.exceptions.FloatInExactError`: convert explicitly with
:meth:`Network.to_exact` (the exact binary rationals the floats store).

JSON form (layered): ``{"layers": [{"W": [[...], ...], "b": [...]}, ...]}``, entries as
``"p/q"`` strings (exact) or JSON numbers (float networks).

Examples
--------
>>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
>>> net.widths, net.n_params, net.n_hidden
((2, 2, 1), 9, 2)
>>> net([2, 1]), net(["1/2", "-7/3"])
((Fraction(2, 1),), (Fraction(101, 6),))
>>> Network.from_json(net.to_json()) == net
True
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import flint
import numpy as np

from ..exact import as_rational
from ..exceptions import (ArgumentError, ExactTypeError, FloatInExactError, NonFiniteError,
                          ParseError, ShapeError, show)

__all__ = ["Network", "as_network", "neuron_name", "DegenerateNetworkError", "KinkError",
           "random_network"]


class DegenerateNetworkError(ArgumentError):
    """A hidden neuron has all-zero outgoing weights, or all-zero incoming weights and bias
    (the degenerate set S of Stock & Gribonval): the message names the neuron."""


class KinkError(ArgumentError):
    """A sample lies on a kink: some hidden pre-activation is exactly zero (the message names
    the sample and the neuron)."""


def neuron_name(layer, index, depth):
    """The documented name of neuron ``index`` of ``layer`` in a network of ``depth`` layers.

    >>> neuron_name(0, 1, 2), neuron_name(1, 0, 2), neuron_name(2, 0, 2)
    ('x1', 'h1.0', 'o0')
    """
    for v, name in ((layer, "layer"), (index, "index"), (depth, "depth")):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**63:
            raise ArgumentError(f"Argument {name!r} must be a non-negative int below 2**63, "
                                f"not {show(v)}.")
    if layer == 0:
        return f"x{index}"
    if layer == depth:
        return f"o{index}"
    return f"h{layer}.{index}"


def _is_float(v):
    return isinstance(v, (float, np.floating)) or (
        getattr(v, "is_Float", False) and (type(v).__module__ or "").startswith("sympy"))


def _vector(v, name):
    if isinstance(v, np.ndarray):
        if v.ndim != 1:
            raise ShapeError(f"Argument {name!r} must be a 1-D vector, not of shape {v.shape}.")
        return v.tolist()
    if isinstance(v, (list, tuple)):
        if any(isinstance(e, (list, tuple, np.ndarray)) for e in v):
            raise ShapeError(f"Argument {name!r} must be a 1-D vector, not nested lists.")
        return list(v)
    raise ExactTypeError(f"Argument {name!r} must be a vector (list or numpy array), "
                         f"not {type(v).__name__}.")


def _matrix(W, name):
    if isinstance(W, np.ndarray):
        if W.ndim != 2:
            raise ShapeError(f"Argument {name!r} must be a 2-D matrix, not of shape {W.shape}.")
        return W.tolist()
    if isinstance(W, (list, tuple)) and all(isinstance(r, (list, tuple, np.ndarray)) for r in W):
        rows = [_vector(r, name) for r in W]
        if rows and any(len(r) != len(rows[0]) for r in rows):
            raise ShapeError(f"Argument {name!r} must be rectangular; its rows have lengths "
                             f"{sorted({len(r) for r in rows})}.")
        return rows
    raise ShapeError(f"Argument {name!r} must be a 2-D matrix (list of rows), "
                     f"not {type(W).__name__}.")


def _scalar(v, name, where, numeric):
    if _is_float(v) or (numeric and isinstance(v, (int, np.integer, Fraction))):
        f = float(v)
        if not math.isfinite(f):
            raise NonFiniteError(f"Argument {name!r} must be finite, not {show(f)}{where}.")
        return f
    return as_rational(v, name, where)


def _layer_items(layers):
    if isinstance(layers, dict):
        if "layers" not in layers:
            raise ParseError("A network dict must have a 'layers' key: "
                             "{'layers': [{'W': ..., 'b': ...}, ...]}.")
        layers = layers["layers"]
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ShapeError("Argument 'layers' must be a non-empty list of layers, "
                         f"not {type(layers).__name__} {show(layers, 60)}.")
    out = []
    for l, layer in enumerate(layers, start=1):
        if isinstance(layer, dict):
            if "W" not in layer or "b" not in layer:
                raise ParseError(f"Layer {l} must have keys 'W' and 'b', not {sorted(layer)}.")
            W, b = layer["W"], layer["b"]
        elif isinstance(layer, (list, tuple)) and len(layer) == 2:
            W, b = layer
        else:
            raise ShapeError(f"Layer {l} must be a dict {{'W', 'b'}} or a pair (W, b).")
        out.append((_matrix(W, f"W{l}"), _vector(b, f"b{l}")))
    return out


class Network:
    """An immutable layered ReLU network (see the module docstring).

    Parameters
    ----------
    layers : list of dict or list of (W, b), or dict with key ``"layers"``
        ``W`` of layer ``l`` is ``N_l × N_{l−1}``, ``b`` has ``N_l`` entries.
    numeric : bool
        Store every weight as a float (a float network).  By default the network is exact
        unless some weight is a float.

    Raises
    ------
    ShapeError
        Layers that do not chain (the message names the layer and both shapes).
    NonFiniteError
        A NaN or infinite weight.
    """

    __slots__ = ("_W", "_b", "exact", "widths", "_cache")

    def __init__(self, layers, numeric=False):
        if not isinstance(numeric, (bool, np.bool_)):
            raise ArgumentError(f"Argument 'numeric' must be a bool, not {show(numeric)}.")
        items = _layer_items(layers)
        numeric = bool(numeric) or any(_is_float(v) for W, b in items for r in W for v in r) \
            or any(_is_float(v) for _, b in items for v in b)
        Ws, bs = [], []
        prev = None
        for l, (W, b) in enumerate(items, start=1):
            rows, cols = len(W), (len(W[0]) if W else 0)
            if rows == 0 or cols == 0:
                raise ShapeError(f"Layer {l}: W{l} must be non-empty, not of shape ({rows}, {cols}).")
            if prev is not None and cols != prev:
                raise ShapeError(f"Layer {l}: W{l} has shape ({rows}, {cols}) but the previous "
                                 f"layer W{l - 1} has shape ({prev}, {len(Ws[-1][0])}); "
                                 f"W{l} needs {prev} columns.")
            if len(b) != rows:
                raise ShapeError(f"Layer {l}: b{l} has shape ({len(b)},) but W{l} has shape "
                                 f"({rows}, {cols}); b{l} needs {rows} entries.")
            Ws.append(tuple(tuple(_scalar(v, f"W{l}", f" at ({i}, {j})", numeric)
                                  for j, v in enumerate(r)) for i, r in enumerate(W)))
            bs.append(tuple(_scalar(v, f"b{l}", f" at ({i},)", numeric) for i, v in enumerate(b)))
            prev = rows
        object.__setattr__(self, "_W", tuple(Ws))
        object.__setattr__(self, "_b", tuple(bs))
        object.__setattr__(self, "exact", not numeric)
        object.__setattr__(self, "widths", (len(Ws[0][0]),) + tuple(len(W) for W in Ws))
        object.__setattr__(self, "_cache", {})

    def __setattr__(self, key, value):
        raise AttributeError("Network is immutable")

    # ------------------------------------------------------------------ accessors
    @property
    def depth(self):
        """The number ``L`` of affine layers."""
        return len(self._W)

    @property
    def weights(self):
        """``(W_1, …, W_L)`` as tuples of tuples (Fractions, or floats)."""
        return self._W

    @property
    def biases(self):
        """``(b_1, …, b_L)`` as tuples."""
        return self._b

    @property
    def n_params(self):
        """``Σ_l N_l (N_{l−1} + 1)``."""
        return sum(len(W) * (len(W[0]) + 1) for W in self._W)

    @property
    def n_hidden(self):
        """The number of hidden neurons ``N_1 + … + N_{L−1}``."""
        return sum(self.widths[1:-1])

    def __eq__(self, other):
        return isinstance(other, Network) and self._W == other._W and self._b == other._b \
            and self.exact == other.exact

    def __hash__(self):
        return hash((self._W, self._b))

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        return f"Network(widths={list(self.widths)}, {kind})"

    def require_exact(self, what="this routine"):
        """Raise :class:`FloatInExactError` unless the network is exact."""
        if not self.exact:
            raise FloatInExactError(
                f"Argument 'net' must have exact weights for {what}, not float weights; "
                "convert explicitly with net.to_exact() (exact binary rationals).")

    def fmpq_layers(self):
        """``[(W_l, b_l)]`` as flint ``fmpq_mat`` (``b_l`` a column), cached (exact only)."""
        self.require_exact("flint layers")
        if "fmpq" not in self._cache:
            self._cache["fmpq"] = [
                (flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in r] for r in W]),
                 flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator)] for v in b]))
                for W, b in zip(self._W, self._b)]
        return self._cache["fmpq"]

    def integer_layers(self):
        """``[(Z_l, z_l, D_l)]`` with ``W_l = Z_l / D_l``, ``b_l = z_l / D_l`` (Z_l a flat
        row-major list of ints, ``D_l`` the lcm of the layer's denominators), cached."""
        self.require_exact("integer layers")
        if "int" not in self._cache:
            out = []
            for W, b in zip(self._W, self._b):
                D = math.lcm(*(v.denominator for r in W for v in r), *(v.denominator for v in b))
                if D == 1:
                    out.append(([v.numerator for r in W for v in r], [v.numerator for v in b], 1))
                else:
                    out.append(([v.numerator * (D // v.denominator) for r in W for v in r],
                                [v.numerator * (D // v.denominator) for v in b], D))
            self._cache["int"] = out
        return self._cache["int"]

    def numpy_layers(self):
        """``[(W_l, b_l)]`` as float64 arrays (exact weights rounded)."""
        if "np" not in self._cache:
            self._cache["np"] = [(np.array([[float(v) for v in r] for r in W], dtype=float),
                                  np.array([float(v) for v in b], dtype=float))
                                 for W, b in zip(self._W, self._b)]
        return self._cache["np"]

    # ------------------------------------------------------------------ conversions
    def to_exact(self):
        """The exact network holding the binary rationals the float weights store."""
        if self.exact:
            return self
        return Network([{"W": [[Fraction(v) for v in r] for r in W], "b": [Fraction(v) for v in b]}
                        for W, b in zip(self._W, self._b)])

    def to_float(self):
        """The float network with the weights rounded to float64."""
        return Network([{"W": W, "b": b} for W, b in self.numpy_layers()], numeric=True)

    def to_dict(self):
        """The JSON form ``{"layers": [{"W": ..., "b": ...}]}`` (``"p/q"`` strings if exact)."""
        conv = _fstr if self.exact else float
        return {"layers": [{"W": [[conv(v) for v in r] for r in W], "b": [conv(v) for v in b]}
                           for W, b in zip(self._W, self._b)]}

    def to_json(self, **kwargs):
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, text):
        """Parse the JSON form (a string, or a path to a ``.json`` file)."""
        if isinstance(text, str) and text.strip().startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ParseError(f"Network JSON could not be parsed: {exc}.") from None
        else:
            try:
                with open(text, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ParseError(f"Network file {show(text)} could not be read: {exc}.") from None
        return cls(data)

    # ------------------------------------------------------------------ evaluation
    def __call__(self, x):
        """``R_θ(x)`` as a tuple (Fractions for an exact net and exact x, else floats)."""
        return tuple(self.evaluate([x])[0])

    def evaluate(self, X):
        """``R_θ`` at every row of ``X`` (n × d): exact rows of Fractions when the network and
        ``X`` are exact, else a float64 array."""
        rows = _matrix(X, "X") if not isinstance(X, np.ndarray) or X.ndim == 2 else None
        if rows is None:
            raise ShapeError(f"Argument 'X' must be 2-D (one sample a row), not {X.shape}.")
        if any(len(r) != self.widths[0] for r in rows):
            raise ShapeError(f"Argument 'X' must have {self.widths[0]} columns (the input "
                             f"width), not {sorted({len(r) for r in rows})}.")
        if not self.exact or any(_is_float(v) for r in rows for v in r):
            F = np.array([[float(v) for v in r] for r in rows], dtype=float).T
            if not np.all(np.isfinite(F)):
                raise NonFiniteError("Argument 'X' must be finite; it contains NaN or inf.")
            for l, (W, b) in enumerate(self.numpy_layers(), start=1):
                F = W @ F + b[:, None]
                if l < self.depth:
                    F = np.maximum(F, 0.0)
            return F.T
        pre = self.preactivations(rows)
        last = pre[-1]
        return [[Fraction(int(v.p), int(v.q)) for v in row] for row in last.transpose().tolist()]

    def preactivations(self, X):
        """Exact pre-activations ``[W_l f_{l−1} + b_l]_{l=1..L}`` as ``N_l × n`` fmpq_mat
        (the last one is the output)."""
        self.require_exact("exact evaluation")
        n = len(X)
        vals = [[as_rational(X[s][i], "X", f" at ({s}, {i})") for s in range(n)]
                for i in range(self.widths[0])]
        F = flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in r] for r in vals])
        out = []
        for l, (W, b) in enumerate(self.fmpq_layers(), start=1):
            B = flint.fmpq_mat(b.nrows(), n, [b[i, 0] for i in range(b.nrows()) for _ in range(n)])
            P = W * F + B
            out.append(P)
            if l < self.depth:
                F = flint.fmpq_mat(P.nrows(), n, [v if v > 0 else 0 for v in P.entries()])
        return out


def _fstr(v):
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def as_network(net, name="net"):
    """``net`` as a :class:`Network` (a Network, its JSON dict/text, or a list of layers)."""
    if isinstance(net, Network):
        return net
    if isinstance(net, str):
        return Network.from_json(net)
    if isinstance(net, (dict, list, tuple)):
        return Network(net)
    raise ExactTypeError(f"Argument {name!r} must be a Network, its JSON dict or a list of "
                         f"layers, not {type(net).__name__}.")


def random_network(widths, seed=0, low=-3, high=3, zero=False):
    """A random exact network with integer weights in ``[low, high]`` (nonzero unless
    ``zero``), for tests and examples.

    >>> random_network([2, 3, 1], seed=1).widths
    (2, 3, 1)
    """
    if isinstance(widths, (str, bytes, dict)) or not hasattr(widths, "__iter__") \
            or len(list(widths)) < 2 or any(isinstance(w, bool) or not isinstance(
                w, (int, np.integer)) or not 1 <= w <= 10**4 for w in widths):
        raise ArgumentError(f"Argument 'widths' must be a list of at least 2 ints in "
                            f"[1, 10000], not {show(widths)}.")
    widths = [int(w) for w in widths]
    if sum(a * (b + 1) for a, b in zip(widths[:-1], widths[1:])) > 10**7:
        raise SizeLimitError(f"Argument 'widths' gives more than 10**7 parameters: "
                             f"{show(widths)}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ArgumentError(f"Argument 'seed' must be a non-negative int or None, not "
                            f"{show(seed)}.")
    for v, name in ((low, "low"), (high, "high")):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or abs(v) > 10**6:
            raise ArgumentError(f"Argument {name!r} must be an int in [-10**6, 10**6], not "
                                f"{show(v)}.")
    if not isinstance(zero, (bool, np.bool_)):
        raise ArgumentError(f"Argument 'zero' must be a bool, not {show(zero)}.")
    values = [v for v in range(low, high + 1) if zero or v != 0]
    if not values:
        raise ArgumentError(f"Arguments 'low', 'high' must leave a nonzero value to draw, not "
                            f"{low}, {high}.")
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return rng.choice(values, size=shape).tolist()
    return Network([{"W": draw(n, m), "b": draw(n)} for m, n in zip(widths[:-1], widths[1:])])

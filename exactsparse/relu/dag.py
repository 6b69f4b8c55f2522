"""DAG ReLU networks: skip connections, identity neurons, max-pooling neurons.

The documented node/edge JSON form (nodes in topological order; inputs are ``x0 … x{d−1}``)::

    {"inputs": 2,
     "nodes": [{"name": "h0", "kind": "relu", "bias": "1", "in": {"x0": 1, "x1": "-2"}},
               {"name": "m0", "kind": "max", "in": {"h0": 1, "x1": 1}},
               {"name": "o0", "kind": "output", "bias": 5, "in": {"m0": 2, "x0": "1/2"}}]}

Kinds: ``relu`` (``relu(Σ w u + b)``), ``identity`` (``Σ w u + b``), ``max`` (max-pooling:
``max_u w u``, no bias) and ``output`` (``Σ w u + b``, a sink; outputs in order of appearance).
Φ has one coordinate per path ending at an output: the product of its weights, times the
bias of its first neuron when that neuron is not an input (max neurons have no bias).  The
path-norm is the forward pass of ``|θ|^q`` on the all-ones input where ReLU and identity
become the identity and max becomes a sum [1]_.

References
----------
.. [1] A. Gonon, N. Brisebarre, E. Riccietti, R. Gribonval, "A path-norm toolkit for modern
   networks: consequences, promises and challenges", ICLR 2024.

Examples
--------
>>> from exactsparse.relu import Network, pathlift, path_norm
>>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
>>> dag = DagNetwork.from_network(net)
>>> dag([2, 1]) == net([2, 1]), dag_pathlift(dag) == pathlift(net)
(True, True)
>>> skip = DagNetwork({"inputs": 1, "nodes": [
...     {"name": "h0", "kind": "relu", "bias": -1, "in": {"x0": 1}},
...     {"name": "m0", "kind": "max", "in": {"h0": 2, "x0": 1}},
...     {"name": "o0", "kind": "output", "bias": 0, "in": {"m0": 1, "x0": -1}}]})
>>> skip([3]), skip([-2])
((Fraction(1, 1),), (Fraction(2, 1),))
>>> path_norm(skip, 1).value == sum(abs(v) for v in dag_pathlift(skip).values())
True
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

from ..exact import as_rational
from ..exceptions import (ArgumentError, ExactTypeError, NonFiniteError, ParseError, ShapeError,
                          SizeLimitError, show)
from .network import Network, neuron_name

__all__ = ["DagNetwork", "dag_pathlift", "DAG_KINDS"]

DAG_KINDS = ("relu", "identity", "max", "output")


def _value(v, where, numeric):
    if isinstance(v, float) or numeric:
        f = float(as_rational(v, "net", f" {where}")) if isinstance(v, str) else float(v)
        if not math.isfinite(f):
            raise NonFiniteError(f"Argument 'net' must have finite weights, not {show(f)} {where}.")
        return f
    return as_rational(v, "net", f" {where}")


class DagNetwork:
    """An immutable DAG ReLU network (see the module docstring for the JSON form)."""

    __slots__ = ("inputs", "nodes", "exact")

    def __init__(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise ParseError(f"DAG network JSON could not be parsed: {exc}.") from None
        if not isinstance(data, dict) or "inputs" not in data or "nodes" not in data:
            raise ParseError("A DAG network must be a dict with keys 'inputs' and 'nodes'.")
        d = data["inputs"]
        if not isinstance(d, int) or d < 1:
            raise ShapeError(f"Argument 'inputs' must be a positive int, not {show(d)}.")
        numeric = any(isinstance(v, float) for node in data["nodes"]
                      for v in [*dict(node.get("in", {})).values(), node.get("bias", 0)])
        known, nodes, outputs = {f"x{i}" for i in range(d)}, [], set()
        for k, node in enumerate(data["nodes"]):
            name, kind = node.get("name"), node.get("kind")
            if not isinstance(name, str) or name in known:
                raise ParseError(f"Node {k} needs a new unique 'name', not {name!r}.")
            if kind not in DAG_KINDS:
                raise ParseError(f"Node {name!r} has kind {show(kind)}, not one of {DAG_KINDS}.")
            ins = node.get("in")
            if not isinstance(ins, dict) or not ins:
                raise ShapeError(f"Node {name!r} needs a non-empty 'in' mapping.")
            for u in ins:
                if u not in known:
                    raise ShapeError(f"Node {name!r} reads {show(u)}, which is not an input or an "
                                     "earlier node (nodes must be in topological order).")
                if u in outputs:
                    raise ShapeError(f"Node {name!r} reads the output {show(u)}; outputs are sinks.")
            if kind == "max" and node.get("bias", 0) not in (0, "0"):
                raise ArgumentError(f"Max-pooling node {name!r} has no bias, not {node['bias']!r}.")
            edges = tuple((u, _value(w, f"on edge {u}->{name}", numeric)) for u, w in ins.items())
            bias = _value(node.get("bias", 0), f"as bias of {name}", numeric)
            nodes.append((name, kind, bias, edges))
            known.add(name)
            if kind == "output":
                outputs.add(name)
        if not outputs:
            raise ShapeError("A DAG network needs at least one node of kind 'output'.")
        object.__setattr__(self, "inputs", d)
        object.__setattr__(self, "nodes", tuple(nodes))
        object.__setattr__(self, "exact", not numeric)

    def __setattr__(self, key, value):
        raise AttributeError("DagNetwork is immutable")

    def __eq__(self, other):
        return isinstance(other, DagNetwork) and (self.inputs, self.nodes) == (other.inputs,
                                                                                other.nodes)

    def __hash__(self):
        return hash((self.inputs, self.nodes))

    def __repr__(self):
        return f"DagNetwork(inputs={self.inputs}, nodes={len(self.nodes)})"

    @property
    def outputs(self):
        """Output node names, in order."""
        return [name for name, kind, _, _ in self.nodes if kind == "output"]

    @classmethod
    def from_network(cls, net):
        """The DAG form of a layered :class:`Network` (same neuron names)."""
        L = net.depth
        nodes = []
        for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
            for i, (row, bias) in enumerate(zip(W, b)):
                nodes.append({"name": neuron_name(l, i, L), "kind": "output" if l == L else "relu",
                              "bias": bias,
                              "in": {neuron_name(l - 1, j, L): w for j, w in enumerate(row)}})
        return cls({"inputs": net.widths[0], "nodes": nodes})

    def to_dict(self):
        """The JSON form (``"p/q"`` strings for exact weights)."""
        conv = (lambda v: str(v)) if self.exact else float  # noqa: E731
        return {"inputs": self.inputs,
                "nodes": [{"name": n, "kind": k, **({} if k == "max" else {"bias": conv(b)}),
                           "in": {u: conv(w) for u, w in e}} for n, k, b, e in self.nodes]}

    def __call__(self, x):
        """``R_θ(x)`` (exact for exact nets and exact ``x``)."""
        if len(x) != self.inputs:
            raise ShapeError(f"Argument 'x' must have {self.inputs} entries, not {len(x)}.")
        val = {f"x{i}": (float(v) if not self.exact or isinstance(v, float)
                         else as_rational(v, "x")) for i, v in enumerate(x)}
        for name, kind, bias, edges in self.nodes:
            terms = [w * val[u] for u, w in edges]
            s = max(terms) if kind == "max" else sum(terms) + bias
            val[name] = max(s, 0 * s) if kind == "relu" else s
        return tuple(val[o] for o in self.outputs)

    def forward_abs(self, q):
        """The output sum of the forward pass of ``|θ|^q`` on ones (max → sum)."""
        exact = self.exact and isinstance(q, int)
        one = Fraction(1) if exact else 1.0
        val = {f"x{i}": one for i in range(self.inputs)}
        for name, kind, bias, edges in self.nodes:
            s = sum((abs(w) ** q * val[u] for u, w in edges), 0 * one)
            val[name] = s if kind == "max" else s + abs(bias) ** q
        return sum((val[o] for o in self.outputs), 0 * one)


def dag_pathlift(dag, max_paths=2_000_000):
    """Φ of a DAG network: path name → value, by output, depth-first over incoming edges."""
    if not isinstance(dag, DagNetwork):
        raise ExactTypeError(f"Argument 'dag' must be a DagNetwork, not {show(dag)}.")
    node = {name: (kind, bias, edges) for name, kind, bias, edges in dag.nodes}
    one = Fraction(1) if dag.exact else 1.0
    out = {}

    def back(name, suffix, prod):
        if len(out) > max_paths:
            raise SizeLimitError(f"The DAG has more than max_paths = {max_paths} paths.")
        if name.startswith("x") and name not in node:
            out["->".join([name, *suffix])] = prod
            return
        kind, bias, edges = node[name]
        if kind != "max":
            out["->".join([name, *suffix])] = prod * bias
        for u, w in edges:
            back(u, [name, *suffix], prod * w)

    for o in dag.outputs:
        back(o, [], one)
    return out

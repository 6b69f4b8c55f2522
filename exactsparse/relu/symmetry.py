"""Rescaling and permutation symmetries, the canonical representative, equivalence.

A positive rescaling of hidden neuron ``v`` by ``λ_v > 0`` multiplies its incoming weights
and bias by ``λ_v`` and divides its outgoing weights by ``λ_v``; permuting the hidden neurons
of a layer permutes the rows of ``(W_l, b_l)`` and the columns of ``W_{l+1}``.  Both preserve
the function ``R_θ`` (negative ``λ`` preserve Φ but not the function).

**Canonical representative** (exact, rational).  For each hidden layer in order: divide each
neuron's (incoming row, bias) by its ℓ1 (or ℓ∞) norm and multiply its outgoing column by the
same factor; then sort the layer's neurons lexicographically by (normalised row, bias).  Off
the degenerate set S (a hidden neuron with zero outgoing weights, or zero incoming weights
and bias) and without duplicate neurons (equal keys), two networks are equivalent under
positive rescaling and permutation iff their canonical forms are equal [1]_.

References
----------
.. [1] P. Stock, R. Gribonval, "An embedding of ReLU networks and an analysis of their
   identifiability", Constructive Approximation (2022), arXiv:2107.09370.

Examples
--------
>>> from exactsparse.relu import Network
>>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
>>> other = permute(rescale(net, [[2, "1/3"]]), [[1, 0]])
>>> r = equivalent(net, other)
>>> r.verdict, permute(rescale(net, r.certificate["scaling"]), r.certificate["permutation"]) == other
('equivalent', True)
>>> other(["1/2", "-7/3"]) == net(["1/2", "-7/3"])
True
"""

from __future__ import annotations

import random
from fractions import Fraction

from ..exact import as_rational
from ..exceptions import ArgumentError, ShapeError, show
from ..results.relu import CanonicalResult, EquivalenceResult
from .network import DegenerateNetworkError, Network, as_network, neuron_name

__all__ = ["rescale", "permute", "permute_paths", "degenerate_neurons", "canonical_form",
           "equivalent"]


def _mutable(net):
    return [[list(r) for r in W] for W in net.weights], [list(b) for b in net.biases]


def _build(Ws, bs, numeric=False):
    return Network([{"W": W, "b": b} for W, b in zip(Ws, bs)], numeric=numeric)


def _per_hidden(net, values, name):
    hidden = net.widths[1:-1]
    if not isinstance(values, (list, tuple)) or len(values) != len(hidden) \
            or any(not isinstance(v, (list, tuple)) or len(v) != n for v, n in zip(values, hidden)):
        raise ShapeError(f"Argument {name!r} must hold one list per hidden layer with widths "
                         f"{list(hidden)}, not {show(values, 80)}.")


def rescale(net, lam):
    """Rescale hidden neuron ``h{l}.{i}`` by ``lam[l−1][i]`` (nonzero): incoming weights and
    bias × λ, outgoing weights ÷ λ.  Exact for exact nets and exact λ."""
    net = as_network(net)
    _per_hidden(net, lam, "lam")
    Ws, bs = _mutable(net)
    for l, row in enumerate(lam, start=1):
        for i, v in enumerate(row):
            v = as_rational(v, "lam", f" at ({l - 1}, {i})") if net.exact else float(v)
            if v == 0:
                raise ArgumentError(f"Argument 'lam' must be nonzero, not 0 for neuron "
                                    f"{neuron_name(l, i, net.depth)}.")
            Ws[l - 1][i] = [w * v for w in Ws[l - 1][i]]
            bs[l - 1][i] *= v
            for r in Ws[l]:
                r[i] = r[i] / v
    return _build(Ws, bs, numeric=not net.exact)


def permute(net, perm):
    """Permute hidden neurons: new neuron ``j`` of layer ``l`` is old ``perm[l−1][j]``."""
    net = as_network(net)
    _per_hidden(net, perm, "perm")
    Ws, bs = _mutable(net)
    for l, p in enumerate(perm, start=1):
        if sorted(p) != list(range(len(p))):
            raise ArgumentError(f"Argument 'perm' must hold permutations; layer {l} has {show(p)}.")
        Ws[l - 1] = [Ws[l - 1][i] for i in p]
        bs[l - 1] = [bs[l - 1][i] for i in p]
        Ws[l] = [[r[i] for i in p] for r in Ws[l]]
    return _build(Ws, bs, numeric=not net.exact)


def permute_paths(phi, perm):
    """Rename the paths of ``phi`` (name → value) as :func:`permute` renames the neurons:
    old ``h{l}.{perm[l−1][j]}`` becomes ``h{l}.{j}``.  Equivariance of Φ reads
    ``pathlift(permute(net, perm)) == permute_paths(pathlift(net), perm)`` (as mappings).

    >>> permute_paths({"x0->h1.0->o0": 1, "x0->h1.1->o0": 2}, [[1, 0]])
    {'x0->h1.1->o0': 1, 'x0->h1.0->o0': 2}
    """
    if not isinstance(phi, dict):
        raise ArgumentError(f"Argument 'phi' must be a dict path name -> value (from "
                            f"pathlift), not {show(phi)}.")
    where = [{old: new for new, old in enumerate(p)} for p in perm]

    def rename(token):
        if not token.startswith("h"):
            return token
        l, i = map(int, token[1:].split("."))
        return f"h{l}.{where[l - 1][i]}"
    return {"->".join(rename(t) for t in name.split("->")): v for name, v in phi.items()}


def degenerate_neurons(net):
    """Names of the hidden neurons in the degenerate set S, with the reason.

    >>> degenerate_neurons(Network([{"W": [[1], [0]], "b": [0, 0]}, {"W": [[1, 1]], "b": [0]}]))
    [('h1.1', 'zero incoming weights and bias')]
    """
    net = as_network(net)
    out = []
    for l in range(1, net.depth):
        W, b, Wn = net.weights[l - 1], net.biases[l - 1], net.weights[l]
        for i in range(net.widths[l]):
            name = neuron_name(l, i, net.depth)
            if all(v == 0 for v in W[i]) and b[i] == 0:
                out.append((name, "zero incoming weights and bias"))
            elif all(r[i] == 0 for r in Wn):
                out.append((name, "zero outgoing weights"))
    return out


def _norm(values, norm):
    return max(abs(v) for v in values) if norm == "linf" else sum(abs(v) for v in values)


def canonical_form(net, norm="l1"):
    """The canonical representative of ``net`` under positive rescaling and permutation.

    Raises
    ------
    DegenerateNetworkError
        A hidden neuron in the degenerate set S (the message names it).

    Examples
    --------
    >>> from exactsparse.relu import Network
    >>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
    >>> c = canonical_form(net)
    >>> c.verdict, c.network["layers"][0]["W"], c.network["layers"][1]["W"]
    ('canonical', [['1/4', '-1/2'], ['3/4', '0']], [['8', '-4']])
    >>> Network(c.network)([2, 1]) == net([2, 1])
    True
    """
    net = as_network(net)
    net.require_exact("canonical_form")
    if not isinstance(norm, str) or norm not in ("l1", "linf"):
        raise ArgumentError(f"Argument 'norm' must be 'l1' or 'linf', not {show(norm)}.")
    bad = degenerate_neurons(net)
    if bad:
        raise DegenerateNetworkError(
            f"Argument 'net' is degenerate: neuron {bad[0][0]} has {bad[0][1]}; no canonical "
            "representative (Φ does not determine the parameters on S).")
    Ws, bs = _mutable(net)
    scaling, perms, dups = [], [], []
    for l in range(1, net.depth):
        lam = []
        for i in range(net.widths[l]):
            s = Fraction(1) / _norm(Ws[l - 1][i] + [bs[l - 1][i]], norm)
            lam.append(s)
            Ws[l - 1][i] = [w * s for w in Ws[l - 1][i]]
            bs[l - 1][i] *= s
            for r in Ws[l]:
                r[i] = r[i] / s
        keys = [tuple(Ws[l - 1][i]) + (bs[l - 1][i],) for i in range(net.widths[l])]
        p = sorted(range(len(keys)), key=lambda i: (keys[i], tuple(r[i] for r in Ws[l])))
        Ws[l - 1] = [Ws[l - 1][i] for i in p]
        bs[l - 1] = [bs[l - 1][i] for i in p]
        Ws[l] = [[r[i] for i in p] for r in Ws[l]]
        dups += [neuron_name(l, j, net.depth) for j in range(1, len(p))
                 if keys[p[j]] == keys[p[j - 1]]]
        scaling.append(lam)
        perms.append(p)
    return CanonicalResult(
        kind=CanonicalResult.KIND, verdict="duplicate-neurons" if dups else "canonical",
        certificate={"network": {"layers": [{"W": W, "b": b} for W, b in zip(Ws, bs)]}, "norm": norm, "scaling": scaling,
                     "permutation": perms, "duplicates": dups},
        theorem=CanonicalResult.THEOREM, backend="integer")


def _probe_inputs(d, seed, count):
    rng = random.Random(seed)
    pts = [[Fraction(0)] * d] + [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    pts += [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)]
            for _ in range(count)]
    return pts


def _function_witness(net1, net2, seed, count):
    X = _probe_inputs(net1.widths[0], seed, count)
    for x, y1, y2 in zip(X, net1.evaluate(X), net2.evaluate(X)):
        if list(y1) != list(y2):
            return {"input": x, "outputs1": list(y1), "outputs2": list(y2)}
    return None


def _first_difference(c1, c2):
    for l, (L1, L2) in enumerate(zip(c1["layers"], c2["layers"]), start=1):
        for i, (r1, r2) in enumerate(zip(L1["W"], L2["W"])):
            for j, (u, v) in enumerate(zip(r1, r2)):
                if u != v:
                    return {"layer": l, "param": "W", "index": [i, j],
                            "value1": as_rational(u), "value2": as_rational(v)}
        for i, (u, v) in enumerate(zip(L1["b"], L2["b"])):
            if u != v:
                return {"layer": l, "param": "b", "index": [i],
                        "value1": as_rational(u), "value2": as_rational(v)}
    return None


def equivalent(net1, net2, norm="l1", seed=0, probes=64):
    """Decide whether ``net2`` is ``net1`` up to positive rescaling and permutation.

    Returns an :class:`~exactsparse.results.relu.EquivalenceResult`: ``equivalent`` with
    ``(scaling, permutation)`` mapping ``net1`` onto ``net2``; ``not-equivalent`` with the
    first differing canonical coordinate and, when one of ``probes`` rational inputs
    separates the functions, that input; ``unknown`` for degenerate or duplicate neurons
    when no separating input was found (the canonical form is then not a complete invariant).

    Examples
    --------
    >>> a = Network([{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}])
    >>> b = Network([{"W": [[-1], [1]], "b": [1, 1]}, {"W": [[1, 1]], "b": [-2]}])
    >>> r = equivalent(a, b)
    >>> r.verdict, r.certificate.get("input")       # same function on R, not equivalent
    ('not-equivalent', None)
    """
    net1, net2 = as_network(net1, "net1"), as_network(net2, "net2")
    net1.require_exact("equivalent")
    net2.require_exact("equivalent")

    def result(verdict, cert):
        return EquivalenceResult(kind=EquivalenceResult.KIND, verdict=verdict, certificate=cert,
                                 theorem=EquivalenceResult.THEOREM, backend="integer")
    if net1.widths != net2.widths:
        return result("not-equivalent", {"widths": [list(net1.widths), list(net2.widths)]})
    bad = degenerate_neurons(net1) + degenerate_neurons(net2)
    if bad:
        w = _function_witness(net1, net2, seed, probes)
        if w:
            return result("not-equivalent", w)
        return result("unknown", {"reason": f"degenerate neuron {bad[0][0]} ({bad[0][1]})"})
    c1, c2 = canonical_form(net1, norm), canonical_form(net2, norm)
    n1, n2 = c1.to_dict()["certificate"]["network"], c2.to_dict()["certificate"]["network"]
    if n1 == n2:
        scaling, perms = [], []
        for lam1, p1, lam2, p2 in zip(c1.certificate["scaling"], c1.certificate["permutation"],
                                      c2.certificate["scaling"], c2.certificate["permutation"]):
            inv2 = {j: k for k, j in enumerate(p2)}
            p = [p1[inv2[j]] for j in range(len(p2))]
            lam = [None] * len(p)
            for j, i in enumerate(p):
                lam[i] = lam1[i] / lam2[j]
            scaling.append(lam)
            perms.append(p)
        return result("equivalent", {"scaling": scaling, "permutation": perms})
    cert = {"coordinate": _first_difference(n1, n2)}
    w = _function_witness(net1, net2, seed, probes)
    if w:
        cert.update(w)
    elif c1.verdict != "canonical" or c2.verdict != "canonical":
        dup = (c1.certificate["duplicates"] or c2.certificate["duplicates"])[0]
        return result("unknown", {"reason": f"duplicate neurons (e.g. canonical {dup}): the "
                                  "canonical form is not a complete invariant", **cert})
    return result("not-equivalent", cert)

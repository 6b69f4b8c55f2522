"""Identifiability of shallow ReLU networks on a bounded box Ω (one hidden layer).

``R(x) = Σ_j v_j relu(w_j·x + b_j) + c`` (one output).  Sufficient conditions (derived in the
spec, following the analysis of Stock & Gribonval [1]_): (a) ``w_j ≠ 0`` and ``v_j ≠ 0``;
(b) each hyperplane ``H_j = {w_j·x + b_j = 0}`` meets the interior of Ω; (c) the ``H_j`` are
distinct; (d) ``Σ_{j∈J} v_j w_j ≠ 0`` for every nonempty ``J``.  When (d) fails for ``J``,
``relu(z) = z + relu(−z)`` gives a second network with the same function on all of R^d:
flip ``(w_j, b_j) → (−w_j, −b_j)`` for ``j ∈ J`` and add ``Σ_J v_j b_j`` to ``c`` — not
related to the first by rescaling and permutation (a non-identifiability witness).

References
----------
.. [1] P. Stock, R. Gribonval, "An embedding of ReLU networks and an analysis of their
   identifiability", Constructive Approximation (2022), arXiv:2107.09370.

Examples
--------
>>> from exactsparse.relu import Network
>>> net = Network([{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}])
>>> r = shallow_identifiability(net, [(-5, 5)])
>>> r.verdict, r.certificate["flipped"]
('not-identifiable', (0, 1))
>>> other = Network(r.to_dict()["certificate"]["witness"])
>>> [other([t]) == net([t]) for t in range(-5, 6)] == [True] * 11
True
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from ..exact import as_rational
from ..exceptions import ArgumentError, ShapeError, SizeLimitError, show
from ..results.relu import ShallowResult
from .network import as_network

__all__ = ["shallow_identifiability", "MAX_SHALLOW_NEURONS"]

#: Above this many hidden neurons condition (d) (a subset-sum search) is not attempted.
MAX_SHALLOW_NEURONS = 18


def _box(domain, d):
    if domain is None:
        return [(Fraction(-1), Fraction(1))] * d
    if not isinstance(domain, (list, tuple)) or len(domain) != d:
        raise ShapeError(f"Argument 'domain' must be {d} intervals (lo, hi), not {show(domain, 60)}.")
    out = []
    for i, iv in enumerate(domain):
        lo, hi = (as_rational(v, "domain", f" at ({i},)") for v in iv)
        if not lo < hi:
            raise ArgumentError(f"Argument 'domain' interval {i} must have lo < hi, not {show(iv)}.")
        out.append((lo, hi))
    return out


def _range(w, b, box):
    lo = b + sum(min(wi * l, wi * h) for wi, (l, h) in zip(w, box))
    hi = b + sum(max(wi * l, wi * h) for wi, (l, h) in zip(w, box))
    return lo, hi


def _same_hyperplane(w1, b1, w2, b2):
    a, c = list(w1) + [b1], list(w2) + [b2]
    k = next(i for i, v in enumerate(a) if v != 0)
    if c[k] == 0:
        return False
    t = c[k] / a[k]
    return all(t * x == y for x, y in zip(a, c))


def shallow_identifiability(net, domain=None):
    """Check the sufficient conditions (a)–(d) on the box ``domain`` (default ``[−1, 1]^d``).

    Returns a :class:`~exactsparse.results.relu.ShallowResult`: ``identifiable`` (all four
    hold), ``not-identifiable`` (condition (d) fails: ``flipped`` and the ``witness`` network
    with the same function), or ``unknown`` (``failed`` names the condition and the neuron).
    """
    net = as_network(net)
    net.require_exact("shallow_identifiability")
    if net.depth != 2 or net.widths[-1] != 1:
        raise ShapeError(f"Argument 'net' must have one hidden layer and one output, not "
                         f"widths {list(net.widths)}.")
    W, b = net.weights[0], net.biases[0]
    v, c = list(net.weights[1][0]), net.biases[1][0]
    box = _box(domain, net.widths[0])
    h = len(W)

    def result(verdict, cert):
        cert = {"domain": [list(iv) for iv in box], **cert}
        return ShallowResult(kind=ShallowResult.KIND, verdict=verdict, certificate=cert,
                             theorem=ShallowResult.THEOREM, backend="integer")
    for j in range(h):
        if all(x == 0 for x in W[j]) or v[j] == 0:
            return result("unknown", {"failed": "a", "neuron": j})
    for j in range(h):
        lo, hi = _range(W[j], b[j], box)
        if not lo < 0 < hi:
            return result("unknown", {"failed": "b", "neuron": j})
    for i, j in itertools.combinations(range(h), 2):
        if _same_hyperplane(W[i], b[i], W[j], b[j]):
            return result("unknown", {"failed": "c", "neuron": j, "other": i})
    if h > MAX_SHALLOW_NEURONS:
        raise SizeLimitError(f"Argument 'net' has {h} hidden neurons > {MAX_SHALLOW_NEURONS}: "
                             "condition (d) is a subset-sum search over 2^h subsets.")
    d = net.widths[0]
    for size in range(1, h + 1):
        for J in itertools.combinations(range(h), size):
            if all(sum((v[j] * W[j][i] for j in J), Fraction(0)) == 0 for i in range(d)):
                W2 = [[-x for x in W[j]] if j in J else list(W[j]) for j in range(h)]
                b2 = [-b[j] if j in J else b[j] for j in range(h)]
                c2 = c + sum((v[j] * b[j] for j in J), Fraction(0))
                witness = {"layers": [{"W": W2, "b": b2}, {"W": [v], "b": [c2]}]}
                return result("not-identifiable", {"failed": "d", "flipped": list(J),
                                                   "witness": witness})
    return result("identifiable", {"failed": None})

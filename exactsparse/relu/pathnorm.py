"""Path-norms by one forward pass, the Lipschitz bound, per-edge path-magnitude scores.

``‖Φ(θ)‖_q^q = Σ_paths |Φ_p|^q`` is the output, summed over the outputs, of the network with
parameters ``|θ|^q`` (entrywise), identity activations and input all ones [1]_: a forward pass,
never materialising Φ.  Exact (a Fraction) for integer ``q`` on exact nets; float64 for any
real ``q ≥ 1``.

Lipschitz bound: ``‖R_θ(x) − R_θ(x′)‖_1 ≤ ‖Φ_in‖_1 ‖x − x′‖_∞ ≤ ‖Φ‖_1 ‖x − x′‖_∞`` where
``Φ_in`` are the input paths (the Jacobian of ``R_θ`` is a sum over active input paths).

References
----------
.. [1] A. Gonon, N. Brisebarre, E. Riccietti, R. Gribonval, "A path-norm toolkit for modern
   networks: consequences, promises and challenges", ICLR 2024.

Examples
--------
>>> from exactsparse.relu import Network, pathlift
>>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
>>> r = path_norm(net, 1)
>>> r.value, r.value == sum(abs(v) for v in pathlift(net).values())
(Fraction(17, 1), True)
>>> path_norm(net, 2).value == sum(v * v for v in pathlift(net).values())
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

import flint
import numpy as np

from ..exceptions import ArgumentError, ExactTypeError, SizeLimitError, show
from ..results.relu import PathNormResult
from .dag import DagNetwork
from .network import as_network

__all__ = ["path_norm", "path_norm_q", "lipschitz_bound", "path_magnitudes"]


def _root(s, q):
    """``float(s) ** (1/q)``; a typed error when ``s`` does not fit a float."""
    try:
        return float(s) ** (1.0 / q)
    except OverflowError:
        raise SizeLimitError("The path-norm of 'net' does not fit a float (weights too "
                             "large).") from None


def _check_q(q):
    if isinstance(q, bool) or not isinstance(q, Real):
        raise ExactTypeError(f"Argument 'q' must be a real number >= 1, not {show(q)}.")
    if q < 1 or (not isinstance(q, Integral) and not math.isfinite(float(q))) \
            or (isinstance(q, Integral) and q > 10**6):
        raise ArgumentError(f"Argument 'q' must be a finite real number >= 1, not {show(q)} (at most 10**6 when an int).")
    if isinstance(q, Integral) or (isinstance(q, Fraction) and q.denominator == 1):
        return int(q)
    if float(q).is_integer():
        return int(q)
    return float(q)


def _exact_forward(net, q, with_bias=True):
    """``(v, den)``: the forward pass of ``|θ|^q`` on all ones is ``v / den`` (v an fmpz
    column), with integer matrices ``|Z_l|^q`` (``W_l = Z_l / D_l``)."""
    v, den = flint.fmpz_mat(net.widths[0], 1, [1] * net.widths[0]), 1
    for (flat, z, D), m in zip(net.integer_layers(), net.widths[:-1]):
        Zq = flint.fmpz_mat(len(z), m, [abs(x) ** q for x in flat] if q > 1 else
                            [abs(x) for x in flat])
        v = Zq * v
        if with_bias:
            v = v + flint.fmpz_mat(len(z), 1, [abs(x) ** q * den for x in z])
        den *= D ** q
    return v, den


def _exact_sum(net, q, with_bias=True):
    v, den = _exact_forward(net, q, with_bias)
    return Fraction(int(sum(v.entries(), flint.fmpz(0))), den)


def _float_forward(net, q, with_bias=True):
    v = np.ones(net.widths[0])
    for W, b in net.numpy_layers():
        v = np.abs(W) ** q @ v + (np.abs(b) ** q if with_bias else 0.0)
    return v


def path_norm_q(net, q=1):
    """``‖Φ(θ)‖_q^q`` exactly (a Fraction) for integer ``q`` on an exact net, else a float."""
    net = as_network(net)
    q = _check_q(q)
    if net.exact and isinstance(q, int):
        return _exact_sum(net, q)
    return float(_float_forward(net, q).sum())


def path_norm(net, q=1):
    """The path-norm ``‖Φ(θ)‖_q`` as a :class:`~exactsparse.results.relu.PathNormResult`:
    ``value`` the exact ``‖Φ‖_q^q`` (integer ``q``, exact net) else None, ``value_float``
    ``‖Φ‖_q``.  One forward pass of ``|θ|^q`` on the all-ones input.  ``net`` may be a
    :class:`~exactsparse.relu.DagNetwork` (max-pooling neurons become sums)."""
    if isinstance(net, DagNetwork):
        q = _check_q(q)
        exact = net.exact and isinstance(q, int)
        s = net.forward_abs(q)
        val, vf = (s if exact else None), _root(s, q)
        return PathNormResult(kind=PathNormResult.KIND, verdict="computed",
                              certificate={"q": q, "value": val, "value_float": vf},
                              theorem=PathNormResult.THEOREM,
                              backend="integer" if exact else "numpy")
    net = as_network(net)
    q = _check_q(q)
    exact = net.exact and isinstance(q, int)
    if exact:
        val = path_norm_q(net, q)
        vf = _root(val, q)
    else:
        val, vf = None, path_norm_q(net, q) ** (1.0 / q)
    return PathNormResult(kind=PathNormResult.KIND, verdict="computed",
                          certificate={"q": q if isinstance(q, int) else float(q), "value": val,
                                       "value_float": vf},
                          theorem=PathNormResult.THEOREM, backend="flint" if exact else "numpy")


def lipschitz_bound(net):
    """The constant ``C = ‖Φ_in‖_1`` with ``‖R_θ(x) − R_θ(x′)‖_1 ≤ C ‖x − x′‖_∞`` (exact for
    exact nets): the ℓ1 mass of the input paths, ≤ ‖Φ‖_1.

    >>> from exactsparse.relu import Network
    >>> lipschitz_bound(Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}]))
    Fraction(9, 1)
    """
    net = as_network(net)
    if net.exact:
        return _exact_sum(net, 1, with_bias=False)
    return float(_float_forward(net, 1, with_bias=False).sum())


def path_magnitudes(net, q=1):
    """Per-parameter path-magnitude scores for pruning: for each weight ``W_l[i, j]`` the
    ℓq^q mass ``Σ_{p ∋ (j→i)} |Φ_p|^q`` of the paths through that edge, and for each bias
    ``b_l[i]`` that of the paths starting at its neuron.

    Returns ``[(S_l, s_l)]`` per layer (nested lists; Fractions for integer ``q`` on exact nets).
    Computed as ``|W_l[i,j]|^q · in(j) · out(i)`` with ``in`` a forward and ``out`` a backward
    pass of ``|θ|^q``.

    >>> from exactsparse.relu import Network
    >>> net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
    >>> S = path_magnitudes(net)
    >>> [[str(v) for v in r] for r in S[0][0]], [str(v) for v in S[1][0][0]]
    ([['2', '4'], ['3', '0']], ['8', '4'])
    """
    net = as_network(net)
    q = _check_q(q)
    exact = net.exact and isinstance(q, int)
    if exact:
        Ws = [[[abs(x) ** q for x in r] for r in W] for W in net.weights]
        bs = [[abs(x) ** q for x in b] for b in net.biases]
        zero, one = Fraction(0), Fraction(1)
    else:
        Ws = [(np.abs(W) ** q).tolist() for W, _ in net.numpy_layers()]
        bs = [(np.abs(b) ** q).tolist() for _, b in net.numpy_layers()]
        zero, one = 0.0, 1.0
    ins = [[one] * net.widths[0]]                  # mass arriving at each neuron
    for W, b in zip(Ws, bs):
        ins.append([sum((w * u for w, u in zip(r, ins[-1])), zero) + c for r, c in zip(W, b)])
    outs = [[one] * net.widths[-1]]                # mass from each neuron to the outputs
    for W in reversed(Ws[1:]):
        outs.insert(0, [sum((W[i][j] * outs[0][i] for i in range(len(W))), zero)
                        for j in range(len(W[0]))])
    scores = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        S = [[W[i][j] * ins[l][j] * outs[l][i] for j in range(len(W[0]))] for i in range(len(W))]
        scores.append((S, [b[i] * outs[l][i] for i in range(len(b))]))
    return scores

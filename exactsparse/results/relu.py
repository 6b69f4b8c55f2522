"""Result types of :mod:`exactsparse.relu` (value types only, no decision code)."""

from __future__ import annotations

import dataclasses

from ..certificates import Result

__all__ = ["PathLiftResult", "CanonicalResult", "EquivalenceResult", "PathNormResult",
           "LocalIdentResult", "ShallowResult"]


@dataclasses.dataclass(frozen=True)
class PathLiftResult(Result):
    """Φ(θ) of :func:`~exactsparse.relu.path_lifting` (kind ``"relu.pathlift"``).

    ``verdict`` is ``"computed"``; the certificate holds ``phi`` (path name → Fraction, in the
    documented order) and ``size``.  ``verify`` recomputes every path product.
    """

    KIND = "relu.pathlift"
    THEOREM = "relu.embedding"


@dataclasses.dataclass(frozen=True)
class CanonicalResult(Result):
    """Canonical representative of :func:`~exactsparse.relu.canonical_form`
    (kind ``"relu.canonical"``).

    ``verdict`` is ``"canonical"`` or ``"duplicate-neurons"`` (two hidden neurons of a layer
    with the same normalised incoming weights and bias: the representative is then not
    unique and the network is not identifiable).  The certificate holds ``network`` (the
    canonical net, JSON form), ``norm`` (``"l1"``/``"linf"``), ``scaling`` (per hidden layer,
    λ of each original neuron) and ``permutation`` (per hidden layer: canonical neuron ``j``
    is original neuron ``permutation[l][j]``), and ``duplicates`` (canonical neuron names).
    """

    KIND = "relu.canonical"
    THEOREM = "relu.canonical"

    @property
    def network(self):
        """The canonical network as its JSON dict."""
        return self.to_dict()["certificate"]["network"]


@dataclasses.dataclass(frozen=True)
class EquivalenceResult(Result):
    """Verdict of :func:`~exactsparse.relu.equivalent` (kind ``"relu.equivalent"``).

    ``"equivalent"``: ``scaling`` (λ > 0 per hidden neuron of the first net) and
    ``permutation`` with ``permute(rescale(net1, λ), π) == net2``.  ``"not-equivalent"``:
    ``widths`` when the architectures differ, else ``coordinate`` (the first differing entry of
    the canonical forms: ``layer``, ``param``, ``index``, ``value1``, ``value2``) and, when a
    point was found where the functions differ, ``input`` with ``outputs1``/``outputs2``.
    ``"unknown"``: ``reason`` (degenerate or duplicate neurons and no differing input found).
    """

    KIND = "relu.equivalent"
    THEOREM = "relu.canonical"


@dataclasses.dataclass(frozen=True)
class PathNormResult(Result):
    """Path-norm of :func:`~exactsparse.relu.path_norm` (kind ``"relu.pathnorm"``).

    Certificate: ``q``, ``value`` (exact ‖Φ‖_q^q for integer ``q`` on exact nets, else
    None), ``value_float`` (‖Φ‖_q as a float).
    """

    KIND = "relu.pathnorm"
    THEOREM = "relu.pathnorm"

    @property
    def value(self):
        return self.certificate["value"]

    @property
    def value_float(self):
        return self.certificate["value_float"]


@dataclasses.dataclass(frozen=True)
class LocalIdentResult(Result):
    """Local identifiability from a finite sample, :func:`~exactsparse.relu.local_identifiability`
    (kind ``"relu.local_ident"``).

    ``verdict``: ``"locally-identifiable"`` (C_S: R_Γ = D), ``"not-locally-identifiable"``
    (C_N fails: R_Γ = R_A < D), ``"inconclusive"`` (C_N holds, C_S fails) or ``"unknown"``
    (ranks not settled within the budget).  Certificate: ``C_N``, ``C_S``, ``rank_gamma``,
    ``rank_A``, ``D``, ``frozen`` (the frozen outgoing edge per hidden neuron), ``prime`` and
    ``exact`` (whether each rank was certified by the mod-p rank reaching an upper bound or
    by an exact rank over Q).
    """

    KIND = "relu.local_ident"
    THEOREM = "relu.local_ident"


@dataclasses.dataclass(frozen=True)
class ShallowResult(Result):
    """Sufficient conditions for a one-hidden-layer network on a box,
    :func:`~exactsparse.relu.shallow_identifiability` (kind ``"relu.shallow"``).

    ``verdict``: ``"identifiable"`` (conditions (a)–(d) hold on ``domain``),
    ``"not-identifiable"`` (``flipped`` neurons ``J`` with ``Σ_J v_j w_j = 0`` and the
    ``witness`` network with the same function), ``"unknown"`` (``failed`` ∈ {a, b, c} and the
    ``neuron``).
    """

    KIND = "relu.shallow"
    THEOREM = "relu.shallow"

"""Result types of :mod:`exactsparse.bilinear`."""

from __future__ import annotations

import dataclasses

from ..certificates import Result

__all__ = ["DeconvPitfallResult", "CounterexampleResult"]


@dataclasses.dataclass(frozen=True)
class DeconvPitfallResult(Result):
    """Result of :func:`~exactsparse.bilinear.check_deconv_pitfall` (kind ``"bilinear.deconv"``).

    ``verdict`` is ``"trivial-wins"`` (a trivial pair is strictly cheaper than the planted one),
    ``"tie"``, ``"planted-wins"`` or ``"unknown"`` (budget exhausted; ``reason``).  The
    certificate holds the ``convolution`` (``"linear"``/``"circular"``), the ``penalty``
    (``name``, ``p``, ``eps``) and ``norm`` (``name``, ``q``), ``y = x ∗ h``, the applicable
    statements ``cases``, and per pair (``planted``, ``dirac-x``, ``dirac-h``) the unnormalised
    factors ``x``, ``h`` (with ``x ∗ h = y``), the exact ``cost`` of the normalised pair, its
    ``cost_float`` and a certified rational ``enclosure``; ``trivial`` names the cheaper
    trivial pair and ``sign`` is the sign of its cost minus the planted cost; ``penalised``
    holds ``lambda_max`` (exact string or None for +∞), ``lambda_max_float`` and ``set``.
    """

    KIND = "bilinear.deconv"
    THEOREM = "bilinear.pitfall"

    @property
    def planted_cost(self):
        """The exact cost of the planted pair (a sympy-printable string)."""
        return self._cost("planted")

    @property
    def trivial_cost(self):
        """The exact cost of the best trivial pair (a sympy-printable string)."""
        return self._cost(self.certificate.get("trivial"))

    @property
    def planted_cost_float(self):
        return self._cost("planted", "cost_float")

    @property
    def trivial_cost_float(self):
        return self._cost(self.certificate.get("trivial"), "cost_float")

    def _cost(self, pair, key="cost"):
        pairs = self.certificate.get("pairs")
        if pairs is None or pair is None:
            return None
        v = pairs[pair][key]
        return v if key != "cost" else str(v)


@dataclasses.dataclass(frozen=True)
class CounterexampleResult(Result):
    """Result of :func:`~exactsparse.bilinear.random_counterexample` (kind
    ``"bilinear.counterexample"``).

    ``verdict`` is ``"trivial-wins"``.  The certificate holds the generated planted pair ``x``,
    ``h`` (integers), ``y = x ∗ h`` (linear convolution), the ``seed``, the ℓ1 cost of the
    ℓ2-normalised planted pair as its square ``planted_cost_sq = ‖x‖₁²‖h‖₂²`` and of the trivial
    pair ``trivial_cost_sq = ‖y‖₂²`` (exact integers, ``trivial < planted``), their square roots
    as strings ``planted_cost``, ``trivial_cost``, and the ``escapes`` checked on the same
    instance: ``lp`` (for each exponent ``p > 1`` whether the trivial pair still wins, with
    both costs) and ``short_filter`` (with the filter restricted to the length of ``h`` no
    Dirac pair is feasible: the span of ``y`` is longer than ``h``).
    """

    KIND = "bilinear.counterexample"
    THEOREM = "bilinear.pitfall"

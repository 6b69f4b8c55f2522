"""ℓ1 penalties in bilinear models: the blind deconvolution pitfall, decided exactly.

Modules: :mod:`~exactsparse.bilinear.deconv` (exact costs of the planted and trivial pairs,
certified comparison, the λ-set of the penalised problem), :mod:`~exactsparse.bilinear.counterexample`
(seeded random counterexamples and the escapes), :mod:`~exactsparse.bilinear.numeric` (the
penalised problem solved numerically: the drift to the trivial pair),
:mod:`~exactsparse.bilinear.matrix` (the matrix and Hadamard analogues),
:mod:`~exactsparse.bilinear.plot` (pictures, matplotlib optional).

Reference: A. Benichoux, E. Vincent, R. Gribonval, *A fundamental pitfall in blind
deconvolution with sparse and shift-invariant priors*, ICASSP 2013.
"""

from ._common import convolve
from .counterexample import (CounterexampleResult, lp_escape, random_counterexample,
                             short_filter_escape)
from .deconv import (DeconvPitfallResult, check_deconv_pitfall, penalised_threshold,
                     trivial_pairs, trivial_wins)
from .matrix import (FactorizationValue, frobenius_cost, hadamard_l1, hadamard_l2,
                     l1_atoms, l1_bilinear_cost, nuclear_factorization, nuclear_norm,
                     rescaling_minimum)
from .numeric import (CostGapGrid, DeconvTrajectory, cost_gap_grid, deconv_descent,
                      global_cost, ray_cost)
from .plot import MissingExtraError, plot_cost_gap, plot_trajectory

__all__ = [
    "convolve", "check_deconv_pitfall", "trivial_wins", "trivial_pairs", "penalised_threshold",
    "DeconvPitfallResult", "random_counterexample", "lp_escape", "short_filter_escape",
    "CounterexampleResult",
    "deconv_descent", "DeconvTrajectory", "ray_cost", "global_cost", "cost_gap_grid",
    "CostGapGrid", "plot_cost_gap", "plot_trajectory", "MissingExtraError",
    "FactorizationValue", "nuclear_norm", "nuclear_factorization", "frobenius_cost",
    "l1_atoms", "l1_bilinear_cost", "hadamard_l1", "hadamard_l2", "rescaling_minimum",
]

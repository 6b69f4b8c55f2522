"""FSMF beyond the tractable families: reductions, hard cores, certification, spurious minima.

Le, Riccietti & Gribonval (SIMAX 2023, arXiv:2112.00386) show FSMF is NP-hard through
masked rank-one approximation (Gillis & Glineur, SIMAX 2011); this package implements the
reduction (fed by a derived maximum-edge-biclique gadget, :mod:`.biclique`), the reduction
of any instance to its hard core(s), a certified interval for the optimum of small cores,
certified spurious local minima, and non-attainment certificates.
"""

from .biclique import (BicliqueInstance, biclique_point, biclique_to_masked, is_biclique,
                       max_biclique, point_to_biclique)
from .attainment import check_attainment, lu_family, no_exact_factorization
from .certify import certify_fsmf, masked_bounds
from .hardcore import check_reduction, lift_solution, reduce_fsmf
from .reductions import (supported_loss, fsmf_solution_to_masked, masked_loss,
                         masked_solution_to_fsmf, masked_to_fsmf)
from .spurious import find_spurious_minima
from ...results.fsmf import AttainmentResult, CertifyResult, ReductionResult, SpuriousResult


__all__ = ["ReductionResult", "CertifyResult", "AttainmentResult", "SpuriousResult",
           "masked_to_fsmf", "masked_solution_to_fsmf", "fsmf_solution_to_masked",
           "masked_loss", "supported_loss", "reduce_fsmf", "check_reduction", "lift_solution",
           "certify_fsmf", "masked_bounds", "find_spurious_minima", "check_attainment",
           "no_exact_factorization", "lu_family", "BicliqueInstance", "biclique_to_masked",
           "biclique_point", "point_to_biclique", "max_biclique", "is_biclique"]

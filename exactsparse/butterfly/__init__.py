"""Butterfly and Kronecker-sparse factorizations: patterns, a numeric hierarchical solver, and
exact identification with certificates.

Modules: :mod:`~exactsparse.butterfly.supports` (KS patterns, chainability, butterfly
supports, bit reversal), :mod:`~exactsparse.butterfly.numeric` (the hierarchical solver in
twiddle form and the :class:`ButterflyFactors` value), :mod:`~exactsparse.butterfly.exact`
(exact identification over Q, with certificates re-checked by :func:`exactsparse.verify`).
"""

from .exact import ButterflyIdentification, identify_butterfly, is_butterfly
from .numeric import ButterflyFactors, butterfly_factorize
from .supports import (KSPattern, bit_reversal_permutation, butterfly_patterns,
                       butterfly_supports, chain_product, chain_ranks, check_chainable,
                       log2_size, monarch_patterns)

__all__ = [
    "KSPattern", "check_chainable", "chain_product", "chain_ranks", "butterfly_patterns",
    "butterfly_supports", "monarch_patterns", "bit_reversal_permutation", "log2_size",
    "ButterflyFactors", "butterfly_factorize",
    "ButterflyIdentification", "identify_butterfly", "is_butterfly",
]

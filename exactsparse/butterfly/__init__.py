"""Butterfly and Kronecker-sparse factorizations: patterns, a numeric hierarchical solver, and
exact identification with certificates.

Modules, by mathematical object:

- :mod:`~exactsparse.butterfly.supports` — KS patterns, chainability, butterfly supports,
  bit reversal;
- :mod:`~exactsparse.butterfly.factors` — the :class:`ButterflyFactors` value (a product of
  KS factors in twiddle form);
- :mod:`~exactsparse.butterfly.lowrank` — batched best low-rank approximations of the blocks
  of one split (the two-factor step);
- :mod:`~exactsparse.butterfly.trees` — factorization trees: nested tuples, split orders,
  the presets (comb, inverse comb, balanced of ICASSP 2022);
- :mod:`~exactsparse.butterfly.numeric` — the hierarchical solver
  :func:`butterfly_factorize` (splits along a tree);
- :mod:`~exactsparse.butterfly.projection` — the exact (globally optimal, certified)
  projection onto a two-factor chain such as Monarch: :func:`project_two_factor`;
- :mod:`~exactsparse.butterfly.refine` — whole-chain refinement by exact block-coordinate
  least squares: :func:`refine`;
- :mod:`~exactsparse.butterfly.permutations` — recovering unknown row and column
  permutations (``perm="auto"``, ``row_perm="auto"``);
- :mod:`~exactsparse.butterfly.design` — chain design: the chainable chains of a size
  within a parameter budget, and the best one for a matrix (:func:`design_chain`);
- :mod:`~exactsparse.butterfly.workspace` — the solver's scratch memory kept between calls
  (:func:`release_workspace`, :data:`~exactsparse.butterfly.workspace.WORKSPACE_LIMIT`);
- :mod:`~exactsparse.butterfly.exact` and :mod:`~exactsparse.butterfly.rings` — exact
  identification over Q or Q(ζ_n), with certificates re-checked by
  :func:`exactsparse.verify`.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
.. [2] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
"""

from ._common import ButterflyFitWarning
from .design import KSChain, ChainDesign, ChainFit, design_chain, enumerate_chains
from .exact import ButterflyIdentification, identify_butterfly, is_butterfly
from .factors import ButterflyFactors
from .numeric import butterfly_factorize
from .projection import project_two_factor, two_factor_certificate
from .refine import Refinement, refine
from .supports import (KSPattern, bit_reversal_permutation, butterfly_patterns,
                       butterfly_supports, chain_product, chain_ranks, check_chainable,
                       log2_size, monarch_patterns)
from .workspace import release_workspace, workspace_bytes

__all__ = [
    "KSPattern", "check_chainable", "chain_product", "chain_ranks", "butterfly_patterns",
    "butterfly_supports", "monarch_patterns", "bit_reversal_permutation", "log2_size",
    "ButterflyFactors", "butterfly_factorize", "ButterflyFitWarning",
    "ButterflyIdentification", "identify_butterfly", "is_butterfly",
    "project_two_factor", "two_factor_certificate", "refine", "Refinement",
    "KSChain", "ChainFit", "ChainDesign", "enumerate_chains", "design_chain",
    "release_workspace", "workspace_bytes",
]

"""Identifiability of two-layer sparse factorizations ``Z = X Yᵀ`` with fixed supports.

Modules, by mathematical object:

- :mod:`.completion` — iterative and partial completion on supports, and
  :func:`recover_factors` on values;
- :mod:`.jacobian` — generic local identifiability (Jacobian rank over Q and mod p);
- :mod:`.equivalence` — equivalence of factorizations and canonical representatives;
- :mod:`.witness` — witnesses of non-identifiability (constructions);
- :mod:`.fibre` — the exact fibre search behind the ``"fibre-*"`` witnesses;
- :mod:`.check` — :func:`check_identifiable` / :func:`is_identifiable`.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from .check import IdentifiabilityResult, check_identifiable, is_identifiable
from .completion import Completion, completion, is_completable, recover_factors
from .jacobian import JacobianRank, jacobian, jacobian_rank, random_point
from .equivalence import Equivalence, canonical, equivalent
from .witness import Witness, find_witness

__all__ = [
    "IdentifiabilityResult", "check_identifiable", "is_identifiable",
    "Completion", "completion", "is_completable", "recover_factors",
    "JacobianRank", "jacobian", "jacobian_rank", "random_point",
    "Equivalence", "Witness", "canonical", "equivalent", "find_witness",
]

"""Fixed-support matrix factorization (FSMF): tractability, solvers, hardness.

``min ||A − X Yᵀ||_F²`` subject to ``supp X ⊆ I``, ``supp Y ⊆ J`` (Le, Riccietti &
Gribonval, SIAM J. Matrix Anal. Appl. 2023, arXiv:2112.00386).
"""

from .hard import *  # noqa: F401,F403
from .hard import __all__ as _hard_all
from .local import als
from .solve import FSMFSolution, fsmf_loss, solve_fsmf
from .tractable import TractabilityResult, check_tractable, is_tractable

__all__ = ["check_tractable", "is_tractable", "TractabilityResult", "solve_fsmf",
           "FSMFSolution", "fsmf_loss", "als", *_hard_all]

"""exactsparse: exact analysis of sparse matrix factorizations with fixed supports.

The public API is flat; the modules are organised by mathematical object or result:
:mod:`~exactsparse.supports`, :mod:`~exactsparse.exact`, :mod:`~exactsparse.certificates`,
:mod:`~exactsparse.fsmf`, :mod:`~exactsparse.identifiability`, :mod:`~exactsparse.butterfly`.
"""

__version__ = "0.1.0"

from . import exact  # noqa: E402
from .certificates import Result  # noqa: E402
from .checks import Verification, verify  # noqa: E402
from .exceptions import *  # noqa: E402,F401,F403
from .exceptions import __all__ as _exc_all  # noqa: E402
from .supports import (Support, block_diagonal, complete_classes,  # noqa: E402
                       equivalence_classes, full, identity, lower_triangular,
                       overlap_components, overlap_graph, random_support,
                       rank_one_supports, right_from_rx, upper_triangular)

from . import butterfly as _bf  # noqa: E402
from . import fsmf as _fsmf  # noqa: E402
from . import identifiability as _ident  # noqa: E402
from .butterfly import *  # noqa: E402,F401,F403
from .fsmf import *  # noqa: E402,F401,F403
from .identifiability import *  # noqa: E402,F401,F403

__all__ = [
    "__version__", "exact", "Result", "verify", "Verification",
    "Support", "rank_one_supports", "right_from_rx", "equivalence_classes", "complete_classes",
    "overlap_graph", "overlap_components", "full", "identity", "lower_triangular",
    "upper_triangular", "block_diagonal", "random_support",
    *_exc_all, *_fsmf.__all__, *_ident.__all__, *_bf.__all__,
]

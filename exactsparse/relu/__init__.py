"""ReLU networks: exact path-lifting, canonical forms, path-norms, local identifiability.

Modules: :mod:`~exactsparse.relu.network` (the :class:`Network` value),
:mod:`~exactsparse.relu.pathlift` (Φ, α, DΦ), :mod:`~exactsparse.relu.symmetry` (rescaling,
permutation, canonical form, equivalence), :mod:`~exactsparse.relu.pathnorm` (path-norms,
Lipschitz bound, path-magnitude scores), :mod:`~exactsparse.relu.ident` (local
identifiability from a sample), :mod:`~exactsparse.relu.dag` (DAG networks: skip connections,
identity and max-pooling neurons).  See docs/relu.md.

At the top level, ``exactsparse.relu_equivalent`` is :func:`equivalent` (the name
``exactsparse.equivalent`` belongs to the identifiability capability).
"""

from .network import *  # noqa: F401,F403
from .network import __all__ as _a1
from .pathlift import *  # noqa: F401,F403
from .pathlift import __all__ as _a2
from .symmetry import *  # noqa: F401,F403
from .symmetry import __all__ as _a3
from .pathnorm import *  # noqa: F401,F403
from .pathnorm import __all__ as _a4
from .ident import *  # noqa: F401,F403
from .ident import __all__ as _a5
from .dag import *  # noqa: F401,F403
from .dag import __all__ as _a6
from .shallow import *  # noqa: F401,F403
from .shallow import __all__ as _a7

from .torch_io import *  # noqa: F401,F403  (torch itself is imported on first use)
from .torch_io import __all__ as _a8

__all__ = [*_a1, *_a2, *_a3, *_a4, *_a5, *_a6, *_a7, *_a8, "path_lifting", "relu_equivalent"]

#: :func:`equivalent` under a name unique in the flat top-level namespace
#: (``exactsparse.equivalent`` is the identifiability one).
relu_equivalent = equivalent  # noqa: F405


def path_lifting(net, max_paths=MAX_PATHS):  # noqa: F405
    """Φ(θ) as a :class:`~exactsparse.results.relu.PathLiftResult` (exact nets).

    >>> r = path_lifting(Network([{"W": [[2]], "b": [1]}, {"W": [[3]], "b": [0]}]))
    >>> dict(r.certificate["phi"])
    {'x0->h1.0->o0': Fraction(6, 1), 'h1.0->o0': Fraction(3, 1), 'o0': Fraction(0, 1)}
    """
    from ..results.relu import PathLiftResult
    net = as_network(net)  # noqa: F405
    net.require_exact("path_lifting")
    phi = pathlift(net, max_paths)  # noqa: F405
    return PathLiftResult(kind=PathLiftResult.KIND, verdict="computed",
                          certificate={"phi": phi, "size": len(phi)},
                          theorem=PathLiftResult.THEOREM, backend="integer")

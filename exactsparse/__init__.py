"""exactsparse: exact analysis of sparse matrix factorizations with fixed supports.

The public API is flat; the modules are organised by mathematical object or result:
:mod:`~exactsparse.supports`, :mod:`~exactsparse.exact`, :mod:`~exactsparse.certificates`,
:mod:`~exactsparse.fsmf`, :mod:`~exactsparse.identifiability`, :mod:`~exactsparse.butterfly`.

Names are loaded on first use (PEP 562): ``import exactsparse`` loads only the exceptions, so
that ``exactsparse.checks`` (the certificate checkers) and the result types can be imported
and run without loading any decision routine.

>>> import exactsparse as es
>>> r = es.check_tractable("1/1", "1/1")
>>> r.verdict, bool(es.verify(r, ("1/1", "1/1")))
('tractable', True)
"""

import importlib

from .exceptions import *  # noqa: F401,F403
from .exceptions import __all__ as _exc_all

__version__ = "0.1.0"

#: Core names and the module that defines them.
_CORE = {
    "Result": "certificates", "verify": "checks", "Verification": "checks",
    **{name: "supports" for name in (
        "Support", "rank_one_supports", "right_from_rx", "equivalence_classes",
        "complete_classes", "overlap_graph", "overlap_components", "full", "identity",
        "lower_triangular", "upper_triangular", "block_diagonal", "random_support")},
}
#: Capabilities whose ``__all__`` is re-exported here, searched in this order.
_CAPABILITIES = ("fsmf", "identifiability", "butterfly", "bilinear", "relu", "sweep")
_SUBMODULES = ("exact", "supports", "certificates", "checks", "fileio", "kinds", "results",
               "display", "plot",
               "examples", *_CAPABILITIES)


def _capability_names():
    names = []
    for cap in _CAPABILITIES:
        names.extend(importlib.import_module(f"{__name__}.{cap}").__all__)
    return names


def __getattr__(name):
    if name == "__all__":
        return ["__version__", *_exc_all, *_CORE, *_capability_names()]
    if name in _CORE:
        value = getattr(importlib.import_module(f"{__name__}.{_CORE[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        for cap in _CAPABILITIES:
            module = importlib.import_module(f"{__name__}.{cap}")
            if name in module.__all__:
                value = getattr(module, name)
                break
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__getattr__("__all__")) | set(_SUBMODULES))

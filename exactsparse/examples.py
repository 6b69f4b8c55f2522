"""Built-in FSMF examples: the "Known instances" of Le, Riccietti & Gribonval.

Each example is a named ``(A, I, J)`` with a description and, where the literature or the
project's spec publishes one, the published optimal value (``published``, a float, for
display and for tests that compare against an *independent* source).  :func:`run_demo`
classifies, solves and verifies each one (the ``exactsparse demo`` command).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Example", "EXAMPLES", "get_example", "run_demo"]


@dataclass(frozen=True)
class Example:
    name: str
    description: str
    A: tuple
    I: tuple
    J: tuple
    published: object = None     # published optimal value (float) or None


def _t(a):
    return tuple(tuple(int(v) for v in row) for row in np.asarray(a))


_H4 = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]

EXAMPLES = (
    Example("low-rank", "plain rank-2 approximation (one non-complete class)",
            ((4, 1, 2), (1, 3, 0), (2, 0, 1), (1, 1, 1)), _t(np.ones((4, 2))),
            _t(np.ones((3, 2))), 0.2851545744),
    Example("butterfly-4", "4×4 butterfly split of the Hadamard matrix (disjoint supports)",
            _t(_H4), _t(np.kron(np.ones((2, 2)), np.eye(2))),
            _t(np.kron(np.eye(2), np.ones((2, 2))).T), 0.0),
    Example("cec-overlap", "a complete class overlapping a non-complete one",
            ((1, 2, 0), (0, 1, 3), (5, -2, 7)), ((1, 0), (1, 0), (1, 1)), _t(np.ones((3, 2))),
            4.2984378813),
    Example("single-cec", "a single complete class: every A is fitted exactly",
            ((3, -1, 4), (1, 5, -9), (2, 6, 5)), _t(np.ones((3, 3))), _t(np.ones((3, 3))), 0.0),
    Example("lu-2", "LU supports: infimum 0 not attained (not covered)",
            ((0, 1), (1, 0)), ((1, 0), (1, 1)), ((1, 0), (1, 1)), None),
    Example("overlap-no-cec", "overlapping classes without complete classes (not covered)",
            ((1, 2, 0), (3, 1, 4), (0, 2, 5)), ((1, 0), (1, 1), (0, 1)), ((1, 0), (1, 1), (0, 1)),
            None),
    Example("six-cycle", "masked rank-one approximation on a 6-cycle (spurious minimum)",
            ((2, 1, 0), (0, 1, 1), (-1, 0, 3)), ((1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1)),
            ((1, 0, 1, 0), (1, 0, 0, 1), (1, 1, 0, 0)), 1.2772114616),
)


def get_example(name):
    """The built-in example called ``name``."""
    for ex in EXAMPLES:
        if ex.name == name:
            return ex
    from .exceptions import ArgumentError
    raise ArgumentError(f"Argument 'name' must be one of {[e.name for e in EXAMPLES]}, "
                        f"not {name!r}.")


def run_demo():
    """Classify, solve and verify every built-in example; return JSON-ready rows."""
    from .checks import verify
    from .cli.fsmf import classify_dict, solve_dict
    from .fsmf import check_tractable, solve_fsmf
    rows = []
    for ex in EXAMPLES:
        c = check_tractable(ex.I, ex.J)
        s = solve_fsmf(ex.A, ex.I, ex.J)
        v = verify(s, (ex.A, ex.I, ex.J))
        rows.append({"name": ex.name, "description": ex.description,
                     "classify": classify_dict(c), "solve": solve_dict(s),
                     "verify": v.message, "valid": v.valid})
    return rows

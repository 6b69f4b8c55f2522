"""Built-in FSMF examples: the "Known instances" of Le, Riccietti & Gribonval.

Each example is a named ``(A, I, J)`` with a description and, where the literature or the
project's spec publishes one, the published optimal value (``published``, a float, for
display and for tests that compare against an *independent* source).  :func:`iter_demo`
classifies, solves and verifies each one, yielding a :class:`DemoRow` of results as each
finishes (the ``exactsparse demo`` command turns them into text or JSON);
:func:`run_demo` collects them.

Examples
--------
>>> ex = get_example("single-cec")
>>> row = next(iter_demo([ex]))
>>> row.classification.verdict, row.solution.value, bool(row.verification)
('tractable', '0', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Example", "EXAMPLES", "DemoRow", "get_example", "int_tuple", "iter_demo",
           "run_demo"]


@dataclass(frozen=True)
class Example:
    name: str
    description: str
    A: tuple
    I: tuple
    J: tuple
    published: object = None     # published optimal value (float) or None


def int_tuple(a):
    """A 2-D array-like as a tuple of tuples of Python ints (hashable, exact).

    >>> int_tuple(np.eye(2))
    ((1, 0), (0, 1))
    """
    return tuple(tuple(int(v) for v in row) for row in np.asarray(a))


_t = int_tuple      # the former private name, kept while sweep.py still imports it


_H4 = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]

EXAMPLES = (
    Example("low-rank", "plain rank-2 approximation (one non-complete class)",
            ((4, 1, 2), (1, 3, 0), (2, 0, 1), (1, 1, 1)), int_tuple(np.ones((4, 2))),
            int_tuple(np.ones((3, 2))), 0.2851545744),
    Example("butterfly-4", "4×4 butterfly split of the Hadamard matrix (disjoint supports)",
            int_tuple(_H4), int_tuple(np.kron(np.ones((2, 2)), np.eye(2))),
            int_tuple(np.kron(np.eye(2), np.ones((2, 2))).T), 0.0),
    Example("cec-overlap", "a complete class overlapping a non-complete one",
            ((1, 2, 0), (0, 1, 3), (5, -2, 7)), ((1, 0), (1, 0), (1, 1)),
            int_tuple(np.ones((3, 2))),
            4.2984378813),
    Example("single-cec", "a single complete class: every A is fitted exactly",
            ((3, -1, 4), (1, 5, -9), (2, 6, 5)), int_tuple(np.ones((3, 3))),
            int_tuple(np.ones((3, 3))), 0.0),
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


@dataclass(frozen=True)
class DemoRow:
    """One example of the demo: its classification, solution and the verification of the
    solution's certificate (results, not JSON)."""

    example: Example
    classification: object      # TractabilityResult
    solution: object            # FSMFSolution
    verification: object        # exactsparse.checks.Verification


def iter_demo(examples=EXAMPLES):
    """Classify, solve and verify each example, yielding a :class:`DemoRow` as each
    finishes.

    See Also
    --------
    run_demo : the same rows as a list.
    """
    from .checks import verify
    from .fsmf import check_tractable, solve_fsmf
    for ex in examples:
        c = check_tractable(ex.I, ex.J)
        s = solve_fsmf(ex.A, ex.I, ex.J)
        yield DemoRow(ex, c, s, verify(s, (ex.A, ex.I, ex.J)))


def run_demo(examples=EXAMPLES):
    """Classify, solve and verify every built-in example; a list of :class:`DemoRow`.

    >>> rows = run_demo([get_example("butterfly-4"), get_example("lu-2")])
    >>> [(row.solution.verdict, row.verification.valid) for row in rows]
    [('optimal', True), ('not-covered', True)]
    """
    return list(iter_demo(examples))

"""Result types of :mod:`exactsparse.fsmf` (classification, solution, hardness).

Examples
--------
Each class is the one its row of :data:`exactsparse.kinds.KINDS` names, and a result read
back from JSON is of that class (whichever modules were imported before):

>>> from exactsparse.kinds import kind_spec
>>> classes = [globals()[name] for name in __all__]
>>> all(kind_spec(c.KIND).result_class() is c and c.THEOREM in kind_spec(c.KIND).theorems
...     for c in classes)
True
>>> r = TractabilityResult(kind=TractabilityResult.KIND, verdict="tractable",
...                        certificate={}, theorem="fsmf.disjoint", backend="combinatorial",
...                        family="disjoint", classes=(), complete_classes=())
>>> from exactsparse.certificates import Result
>>> type(Result.from_json(r.to_json())).__name__, Result.from_json(r.to_json()) == r
('TractabilityResult', True)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..certificates import Result

__all__ = ["TractabilityResult", "FSMFSolution", "ReductionResult", "CertifyResult",
           "AttainmentResult", "SpuriousResult"]


@dataclasses.dataclass(frozen=True)
class TractabilityResult(Result):
    """Verdict of :func:`~exactsparse.check_tractable`.

    Attributes
    ----------
    verdict : {"tractable", "not-covered"}
    family : {"disjoint", "complete-classes"} or None
    classes : tuple of (columns, rows, cols)
        The equivalence classes of non-degenerate columns.
    complete_classes : tuple of int
        Indices (into ``classes``) of the complete classes.
    certificate : FrozenDict
        ``classes``, ``complete``, ``degenerate`` and, when tractable, ``rectangles``
        (``class index -> (rows, cols)`` of ``S_P \\ T`` for each non-complete class);
        when not covered, ``obstruction``: ``{"type": "overlap", "classes": (p, q),
        "cell": (i, j)}`` or ``{"type": "non-rectangular", "class": p, "cells": ((i1, j1),
        (i2, j2)), "missing": (i1, j2)}``.

    See Also
    --------
    exactsparse.check_tractable : returns it.
    exactsparse.checks.fsmf.check_classify : what :func:`~exactsparse.verify` re-checks.

    Examples
    --------
    >>> from exactsparse import check_tractable, verify
    >>> from exactsparse.certificates import Result
    >>> r = check_tractable("10/11", "11/01")
    >>> Result.from_json(r.to_json()) == r, bool(verify(r.to_json(), ("10/11", "11/01")))
    (True, True)
    """

    KIND = "fsmf.classify"
    THEOREM = "fsmf.disjoint"
    family: object
    classes: tuple
    complete_classes: tuple


@dataclasses.dataclass(frozen=True)
class FSMFSolution(Result):
    """Result of :func:`~exactsparse.solve_fsmf` (the same fields whatever the path taken).

    Attributes
    ----------
    verdict : {"optimal", "not-covered"}
        ``"optimal"``: a tractability theorem applies and ``X``, ``Y`` are global minimisers.
        ``"not-covered"``: no theorem applies; ``X``, ``Y`` come from a local solver
        (alternating least squares) and are *uncertified*.
    family : str or None
        The tractable family, as in :func:`~exactsparse.check_tractable`.
    value : str or None
        Exact optimal value, a sympy-parsable expression (exact path only).
    value_float : float
        The loss as a float (of ``value`` when exact, else of the returned ``X``, ``Y``).
    enclosure : tuple of str or None
        ``(lower, upper)`` rational bounds (``"p/q"``) from a certified flint ``arb`` ball.
    attained : bool or None
        True when the optimum is attained (always, on tractable instances); None if unknown.
    certified : bool
        True when ``value`` is exact and certified (exact path on a tractable instance).
    exact : bool
        True when ``X`` and ``Y`` are exact rationals (Fractions); else floats.
    X, Y : tuple of tuples
        The factors (m×r and n×r).

    See Also
    --------
    exactsparse.solve_fsmf : returns it.
    exactsparse.fsmf_loss : the loss of ``X``, ``Y`` (``value_float``, exactly ``value``).

    Examples
    --------
    A rank-one matrix on full rank-one supports: the exact factors multiply back to ``A``.

    >>> from exactsparse import solve_fsmf
    >>> from exactsparse.certificates import Result
    >>> s = solve_fsmf([[4, 2], [2, 1]], [[1], [1]], [[1], [1]])
    >>> s.value, s.X_array().dot(s.Y_array().T).tolist() == [[4, 2], [2, 1]]
    ('0', True)
    >>> Result.from_json(s.to_json()) == s
    True
    """

    KIND = "fsmf.solve"
    THEOREM = "fsmf.disjoint"
    _STRING_FIELDS = ("value", "enclosure")
    family: object
    value: object
    value_float: float
    enclosure: object
    attained: object
    certified: bool
    exact: bool
    X: tuple
    Y: tuple

    def X_array(self):
        """``X`` as a numpy array (object dtype of Fractions when exact)."""
        return np.array(self.X, dtype=object if self.exact else None)

    def Y_array(self):
        """``Y`` as a numpy array (object dtype of Fractions when exact)."""
        return np.array(self.Y, dtype=object if self.exact else None)


@dataclasses.dataclass(frozen=True)
class ReductionResult(Result):
    """Result of :func:`~exactsparse.check_reduction`: ``verdict`` ``"reduced"``; the
    certificate lists the ``constant`` (uncovered entries), the absorbed ``cec_columns``, the
    ``sizes`` before and after, and the independent ``parts`` (kind, rows, cols, cells,
    columns).

    Examples
    --------
    The 6-cycle instance of the spec: its uncovered entries are constant, its 3 single-entry
    complete classes are absorbed, one part remains:

    >>> from exactsparse import check_reduction, verify
    >>> A, I, J = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100"
    >>> r = check_reduction(A, I, J)
    >>> r.verdict, len(r.certificate["parts"]), bool(verify(r, (A, I, J)))
    ('reduced', 1, True)
    """

    KIND = "fsmf.reduce"
    THEOREM = "fsmf.reduce"


@dataclasses.dataclass(frozen=True)
class CertifyResult(Result):
    """Result of :func:`~exactsparse.certify_fsmf`: ``verdict`` ``"certified"`` or
    ``"unknown"``; the certificate has ``lower``, ``upper`` (Fractions), an exact feasible
    point ``X``, ``Y`` whose exact loss is ``upper``, ``attained``, ``certified``,
    ``constant``, per-part intervals ``parts`` and the ``reason`` when not certified.
    (Its table row and JSON round trip are doctested in the module docstring.)"""

    KIND = "fsmf.certify"
    THEOREM = "fsmf.certify"


@dataclasses.dataclass(frozen=True)
class AttainmentResult(Result):
    """Result of :func:`~exactsparse.check_attainment`: ``verdict`` ``"not-attained"``
    (a family with loss → the infimum and a proof that no exact factorization exists),
    ``"infeasible"`` (the proof alone), ``"exact"`` (an exact factorization ``X``, ``Y``) or
    ``"unknown"`` with the ``reason``.
    (Its table row and JSON round trip are doctested in the module docstring.)"""

    KIND = "fsmf.attainment"
    THEOREM = "fsmf.attainment"


@dataclasses.dataclass(frozen=True)
class SpuriousResult(Result):
    """Result of :func:`~exactsparse.find_spurious_minima`: ``verdict`` ``"spurious"`` (at
    least one certified spurious local minimum) or ``"none-found"`` (with the ``reason``);
    the certificate lists ``minima`` (Krawczyk box, preconditioner, value bounds) and a
    better exact point.
    (Its table row and JSON round trip are doctested in the module docstring.)"""

    KIND = "fsmf.spurious"
    THEOREM = "fsmf.spurious"

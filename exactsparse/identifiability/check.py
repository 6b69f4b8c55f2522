"""Decide fixed-support identifiability of ``(I, J)``: a verdict with its certificate.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

import numpy as np

from ..certificates import FrozenDict
from ..results.identifiability import IdentifiabilityResult
from ..exceptions import ArgumentError, NotCoveredError, SizeLimitError
from .._budget import Deadline, OutOfBudget, check_budget, check_progress
from ..exceptions import show
from ._common import pattern
from .completion import run_completion
from .jacobian import MAX_EXACT_ENTRIES, expected_rank, jacobian_rank, jacobian_work
from .witness import search_witness

__all__ = ["IdentifiabilityResult", "check_identifiable", "is_identifiable"]

#: Above this many variables (nnz(I) + nnz(J)) the Jacobian rank is skipped by default.
MAX_JACOBIAN_SIZE = 5000
#: The Jacobian rank is skipped when its estimated cost ``rows · columns · min(rows,
#: columns)`` (a dense elimination mod p, ~4·10⁸ per second) exceeds this: the rows are the
#: entries of ``∪ S_k``, up to ``m n``, so a pair with few variables can still have a huge
#: Jacobian (``I = J = ones((250, 2))``: 62 500 × 1 000).  ``verify`` recomputes this rank.
MAX_JACOBIAN_WORK = 4 * 10**9
#: Default time budget of :func:`check_identifiable` (seconds).
DEFAULT_BUDGET = 60.0


def _witness_data(w):
    return FrozenDict(X=w.X, Y=w.Y, X2=w.X2, Y2=w.Y2, construction=w.construction,
                      columns=w.columns, exact_supports=w.exact_supports)


def _unknown(stuck, reason, budget=None):
    cert = {"criterion": "none", "stuck": tuple(stuck), "reason": reason}
    if budget is not None:
        cert["budget"] = budget
    return "unknown", cert, "ident.jacobian"


def _witness_verdict(witness):
    return "not-identifiable", {"criterion": witness.construction,
                                "witness": _witness_data(witness)}, "ident.witness"


def _decide(pat, seed, deadline):
    """(verdict, certificate, theorem): completion, then the witness search, within
    ``deadline``.

    Shortcuts that make the cost match the instance: a degenerate pair and a pair with two
    identical non-empty columns go straight to the witness search (a degenerate pair is
    never identifiable; two identical rectangles ``S_k = S_l`` cover each other entirely,
    so neither contribution is ever observable and completion is stuck on both — the
    search then starts with the ``"degenerate"`` or ``"identical-columns"`` construction,
    in ``O(r (m + n))`` plus one exact product check).  Iterative completion only runs when
    partial completion succeeds (it recovers a subset of what partial completion does)."""
    comp = None
    try:
        if not pat.degenerate() and pat.identical_columns() is None:
            comp = run_completion(pat, True, deadline)
            if comp.complete:
                plain = run_completion(pat, False, deadline)
                if plain.complete:
                    return "identifiable", {"criterion": "iterative-completion",
                                            "steps": plain.steps, "order": plain.order}, \
                        "ident.completion"
                return "identifiable", {"criterion": "partial-completion", "steps": comp.steps,
                                        "order": comp.order}, "ident.partial"
        witness = search_witness(pat, seed, deadline)
    except OutOfBudget as exc:
        if comp is None:
            return _unknown((), f"{exc}; no criterion was decided", deadline.budget)
        return _unknown(comp.stuck, f"{exc}; partial completion is stuck at "
                        f"{list(comp.stuck)}", deadline.budget)
    if witness is not None:
        return _witness_verdict(witness)
    if pat.degenerate():                  # not reached: the degenerate construction applies
        return _unknown(pat.degenerate(), "degenerate column but no witness was built")
    if comp is None:                      # not reached: identical columns have a witness
        comp = run_completion(pat, True)
    return _unknown(comp.stuck, "partial completion stuck and no witness construction "
                                "applies")


def _jacobian(pat, seed, max_jacobian_size, max_exact, deadline):
    """``(JacobianRank or None, note or None)`` within the size caps and ``deadline``."""
    if pat.I.nnz + pat.J.nnz > max_jacobian_size:
        return None, (f"Jacobian rank skipped: nnz(I) + nnz(J) = {pat.I.nnz + pat.J.nnz} "
                      f"exceeds max_jacobian_size = {max_jacobian_size}")
    work = jacobian_work(pat)
    if work > MAX_JACOBIAN_WORK:
        return None, (f"Jacobian rank skipped: its estimated cost (rows × columns × "
                      f"min(rows, columns) = {work:.3g}) exceeds MAX_JACOBIAN_WORK = "
                      f"{MAX_JACOBIAN_WORK:.3g}")
    left = deadline.left()
    if left <= 0:
        return None, f"Jacobian rank skipped: the time budget of {deadline.budget:g} s ran out"
    if deadline.end is None:
        return jacobian_rank(pat.I, pat.J, seed, max_exact=max_exact), None
    try:
        return jacobian_rank(pat.I, pat.J, seed, max_exact=max_exact, budget=left), None
    except SizeLimitError as exc:
        return None, f"Jacobian rank skipped: {exc}"


def _check_int(name, value, low=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or (
            low is not None and value < low):
        raise ArgumentError(f"Argument {name!r} must be an int"
                            f"{'' if low is None else f' >= {low}'}, not {show(value)}.")
    return int(value)


def check_identifiable(I, J, seed=0, max_jacobian_size=MAX_JACOBIAN_SIZE,
                       max_exact=MAX_EXACT_ENTRIES, budget=DEFAULT_BUDGET, progress=None):
    """Decide whether every ``(X, Y)`` with supports exactly ``(I, J)`` is identifiable.

    Parameters
    ----------
    I : array_like or Support
        m×r support of ``X``.
    J : array_like or Support
        n×r support of ``Y`` (``Z = X Yᵀ``; see :func:`exactsparse.right_from_rx`).
    seed : int
        Seed (``>= 0``) of the random point of the Jacobian rank and of the witness values.
    max_jacobian_size : int
        Compute the Jacobian rank only when ``nnz(I) + nnz(J)`` is at most this (default
        5000) and its estimated cost ``rows · columns · min(rows, columns)`` is at most
        ``MAX_JACOBIAN_WORK`` (4·10⁹, a few seconds; the rows are the ``|∪ S_k|`` entries
        of ``Z``); otherwise both ranks are None and ``certificate["jacobian_note"]`` says
        why.
    max_exact : int or None
        Cap on the exact rank over Q, in Jacobian entries (rows × columns; default
        40 000).  The rank over Q is reported when the mod-p rank certifies it (it equals
        ``expected_rank`` or ``min(rows, columns)``: the rank over Q lies between the mod-p
        rank and these bounds) or when the Jacobian is below the cap; otherwise
        ``jacobian_rank`` is None and ``certificate["jacobian"]["method"]`` is
        ``"skipped"``.  None: no cap (the exact rank may then take minutes at 32×32).
    budget : float or None
        Time budget in seconds (default 60; None: no limit).  When it runs out the verdict
        is ``"unknown"`` with ``certificate["reason"]`` naming the step that was running and
        ``certificate["budget"]``; the Jacobian rank is then skipped (or killed, when it
        runs in a child process).  A positive finite number; huge values (even ``10**400``)
        are clamped to 10⁶ s.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` (see
        :func:`~exactsparse._budget.check_progress`) as each step starts:
        ``("criteria", 0, 2)`` (completion, witnesses), then ``("jacobian rank", 1, 2)``.

    Returns
    -------
    IdentifiabilityResult
        ``verdict`` ``"identifiable"`` (certificate: completion steps with spanning trees),
        ``"not-identifiable"`` (certificate: an exact witness) or ``"unknown"`` (the
        criterion that failed); each is re-checked by :func:`exactsparse.verify`.  The
        certificate also holds ``jacobian`` (``seed``, ``prime``, ``method``, ``shape``;
        None when skipped), from which ``verify`` recomputes the mod-p rank, and ``absent``
        (the columns empty on both sides).

    Raises
    ------
    SupportError, ShapeError
        A support is not 0/1, or ``I`` and ``J`` have different numbers of columns.
    ArgumentError
        ``seed``, ``max_jacobian_size`` or ``max_exact`` is not a non-negative int.
    BudgetError
        ``budget`` is not a positive number of seconds or None.

    See Also
    --------
    is_identifiable : the bare verdict.
    exactsparse.identifiability.completion : the sufficient criterion (certificate steps).
    exactsparse.identifiability.find_witness : the witnesses of non-identifiability.
    exactsparse.identifiability.jacobian_rank : generic local identifiability.
    exactsparse.verify : re-checks the certificate without calling this function.

    Notes
    -----
    The criteria work on the rank-one contributions ``C_k = X_k Y_kᵀ``: by the lifting
    theorem (arXiv:2110.01235 Theorem 4.8 [1]_), a non-degenerate ``(X, Y)`` is identifiable
    iff ``(C_k)_k`` is determined by ``Z = sum_k C_k`` among rank-one matrices supported in
    the ``S_k``.  Theorems of Zheng, Riccietti, Gribonval [1]_: iterative completability implies
    identifiability for every ``r``, and is necessary for ``r = 2`` (so the verdict for
    ``r = 2`` is never ``"unknown"``); degenerate pairs are never identifiable.  Partial
    completion (derived) is also sufficient.  A witness comes from one of the constructions
    of :func:`find_witness`.  The Jacobian rank (generic local identifiability) is reported
    alongside; it never decides the verdict alone.  Cost: ``O(sum_k |S_k|)`` per completion
    pass plus ``O(r²)`` overlap tests, plus one rank mod p (and at most one capped exact
    rank): a dense 32×32 pair with ``r = 32`` takes well under a few seconds.  A pair with
    two identical columns skips completion (both are stuck) and costs ``O(r (m + n))``
    plus one exact product: ``I = J = ones((2000, 2))`` takes about a second.

    *Degenerate columns.*  A column empty on exactly one side (``X_k = 0`` but
    ``Y_k ≠ 0``, or the converse) makes the pair not identifiable (``Y_k`` is unseen by
    ``Z``): verdict ``"not-identifiable"`` with the ``"degenerate"`` witness.  A column
    empty on *both* sides is forced to zero in every factorization, so it is simply absent:
    the verdict is that of the pair without it (listed in ``certificate["absent"]``), and
    ``expected_rank`` leaves it out (``nnz(I) + nnz(J) − r'``, ``r'`` the other columns).

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> res = check_identifiable("100/010/001", "100/010/001")
    >>> res.verdict, res.certificate["order"], res.jacobian_rank, res.expected_rank
    ('identifiable', (0, 1, 2), 3, 3)
    >>> res = check_identifiable("11/11/11", "11/11/11")
    >>> res.verdict, res.certificate["criterion"], res.jacobian_rank, res.expected_rank
    ('not-identifiable', 'identical-columns', 8, 10)
    >>> check_identifiable([[1, 0]], [[1, 0]]).verdict     # column 1 is absent
    'identifiable'

    Each verdict is re-checked from its certificate alone:

    >>> from exactsparse import verify
    >>> I, J = [[1, 1, 0], [1, 1, 1], [0, 1, 0]], [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    >>> res = check_identifiable(I, J)
    >>> res.verdict, res.certificate["criterion"], verify(res, (I, J)).valid
    ('identifiable', 'partial-completion', True)
    >>> res = check_identifiable("11/11", "10/11/01")
    >>> res.verdict, res.certificate["criterion"], verify(res, ("11/11", "10/11/01")).valid
    ('not-identifiable', 'dependent-columns', True)
    """
    seed = _check_int("seed", seed, 0)
    max_jacobian_size = _check_int("max_jacobian_size", max_jacobian_size)
    if max_exact is not None:
        max_exact = _check_int("max_exact", max_exact, 0)
    deadline = Deadline(check_budget(budget))
    progress = check_progress(progress)
    if progress is not None:
        progress("criteria", 0, 2)
    pat = pattern(I, J)
    verdict, cert, theorem = _decide(pat, seed, deadline)
    if progress is not None:
        progress("jacobian rank", 1, 2)
    jr, note = _jacobian(pat, seed, max_jacobian_size, max_exact, deadline)
    cert["absent"] = pat.absent()
    cert["jacobian"] = None if jr is None else FrozenDict(
        seed=seed, prime=jr.prime, method=jr.method, shape=jr.shape)
    if note is not None:
        cert["jacobian_note"] = note
    if jr is not None and jr.rank is None:
        cert["jacobian_note"] = (f"exact rank over Q skipped: the {jr.shape[0]}×{jr.shape[1]} "
                                 f"Jacobian exceeds max_exact={max_exact} entries and the "
                                 f"mod-p rank {jr.rank_mod_p} certifies no bound")
    return IdentifiabilityResult(
        kind=IdentifiabilityResult.KIND, verdict=verdict, certificate=cert, theorem=theorem,
        backend="flint", jacobian_rank=None if jr is None else jr.rank,
        jacobian_rank_mod_p=None if jr is None else jr.rank_mod_p,
        expected_rank=expected_rank(pat))


def is_identifiable(I, J, seed=0, budget=DEFAULT_BUDGET):
    """``True``/``False`` for ``check_identifiable(I, J).verdict``.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    seed : int
        As in :func:`check_identifiable`.
    budget : float or None
        As in :func:`check_identifiable` (default 60 seconds).

    Returns
    -------
    bool

    Raises
    ------
    NotCoveredError
        When the verdict is ``"unknown"`` (no guess is made; use
        :func:`check_identifiable` to see which criterion failed), including when the
        budget ran out (the message gives the reason).

    See Also
    --------
    check_identifiable : the verdict with its certificate.
    exactsparse.identifiability.is_completable : the sufficient combinatorial criterion.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    LU with ``n = 3`` is unique up to diagonal scaling; the ``r = 2`` pair of the spec is
    not (two factorizations of one product, not a rescaling of each other):

    >>> is_identifiable("100/110/111", "100/110/111")
    True
    >>> is_identifiable("11/11", "10/11/01")
    False
    >>> from exactsparse.identifiability import equivalent
    >>> X, Y, Y2 = [[1, 1], [1, 1]], [[1, 0], [2, 3], [0, 1]], [[1, 0], [4, 1], [0, 1]]
    >>> equivalent(X, Y, X, Y2) is None
    True
    >>> is_identifiable("110/111/010", "100/110/011")
    True
    """
    res = check_identifiable(I, J, seed, max_jacobian_size=0, budget=budget)
    if res.verdict == "unknown":
        raise NotCoveredError(f"Identifiability of (I, J) is undecided: "
                              f"{res.certificate['reason']}.")
    return res.verdict == "identifiable"

"""Iterative and partial completion of rank-one contributions, on supports and on values.

Write ``Z = X Yᵀ = sum_k C_k`` with ``C_k = X_k Y_kᵀ`` supported on the rectangle
``S_k = R_k × C_k`` (``R_k = supp(I[:, k])``, ``C_k = supp(J[:, k])``).  An entry of ``C_k``
is *known* once it can be read off ``Z``: either every other contribution covering it is
known there (subtract them), or it lies in a connected component of the bipartite graph of
the known entries of ``C_k`` (a rank-one matrix without zeros is determined on a connected
spanning set of entries: ratios propagate along paths).

*Iterative completion* only completes a whole rectangle at once, from its observable part
``O_k = S_k \\ ∪_{l unrecovered, l ≠ k} S_l``; *partial completion* (derived) also completes
connected sub-rectangles and subtracts them.  Both are monotone closures, so the greedy
order is as good as any.  When every entry of every ``C_k`` is known, every pair ``(X, Y)``
with supports exactly ``(I, J)`` is identifiable [1]_.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from .._budget import NO_DEADLINE, Deadline, OutOfBudget, check_budget
from ..exceptions import ArgumentError, CompletionError, SizeLimitError, SupportError, show
from ._common import factors_from_values, fmpq_matrix, fraction_rows, pattern

__all__ = ["Completion", "completion", "is_completable", "recover_factors",
           "run_completion"]


@dataclass(frozen=True)
class Completion:
    """Outcome of :func:`completion`.

    Attributes
    ----------
    steps : tuple of (int, tuple of (int, int))
        ``(k, tree)``: the edges ``tree`` (entries of ``S_k``) are known for ``C_k`` and form
        a spanning tree of a connected part; all entries ``rows(tree) × cols(tree)`` of
        ``C_k`` become known.  Replayable by :func:`exactsparse.verify`.
    order : tuple of int
        Columns in the order in which their contribution became fully known.
    stuck : tuple of int
        Non-degenerate columns whose contribution could not be completed.
    partial : bool
        Whether partial completion was allowed.
    """

    steps: tuple
    order: tuple
    stuck: tuple
    partial: bool

    @property
    def complete(self):
        """Whether every non-degenerate contribution was completed."""
        return not self.stuck


class _State:
    """Known entries per contribution and, per entry, how many covers still miss it."""

    def __init__(self, pat):
        self.pat = pat
        self.known = [set() for _ in pat.rects]
        self.missing = {e: len(ks) for e, ks in pat.cover.items()}
        self.size = [len(R) * len(C) for R, C in pat.rects]

    def observable(self, k, e):
        return e in self.known[k] or self.missing[e] == 1

    def mark(self, k, entries):
        """Mark entries known for ``k``; return the columns that may now progress."""
        woken = set()
        for e in entries:
            if e in self.known[k]:
                continue
            self.known[k].add(e)
            self.missing[e] -= 1
            if self.missing[e] == 1:
                woken.update(self.pat.cover[e])
        return woken


def _components(R, C, observed):
    """Spanning trees (edge lists) of the components with edges of a bipartite graph."""
    adj = {("r", i): [] for i in R}
    adj.update({("c", j): [] for j in C})
    for i, j in observed:
        adj[("r", i)].append(("c", j))
        adj[("c", j)].append(("r", i))
    seen, trees = set(), []
    for root in adj:
        if root in seen or not adj[root]:
            continue
        seen.add(root)
        tree, queue = [], deque([root])
        while queue:
            u = queue.popleft()
            for w in adj[u]:
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
                    tree.append((u[1], w[1]) if u[0] == "r" else (w[1], u[1]))
        trees.append(tree)
    return trees


def _closure(tree):
    rows = sorted({i for i, _ in tree})
    cols = sorted({j for _, j in tree})
    return [(i, j) for i in rows for j in cols]


def _process(state, k, partial):
    """Try to progress on ``k``; return the new steps and the woken columns."""
    R, C = state.pat.rects[k]
    observed = [(i, j) for i in R for j in C if state.observable(k, (i, j))]
    steps, woken = [], set()
    for tree in _components(R, C, observed):
        spans = len(tree) == len(R) + len(C) - 1
        if not (partial or spans):
            continue
        closure = _closure(tree)
        if all(e in state.known[k] for e in closure):
            continue
        steps.append((k, tuple(tree)))
        woken |= state.mark(k, closure)
    return steps, woken


def run_completion(pat, partial, deadline=NO_DEADLINE):
    """Run completion on an already validated :class:`~._common.Pattern` (the shared engine
    of :func:`completion`, :func:`recover_factors`, the verdict and the fibre search).
    Raises :class:`~._common.OutOfBudget` when ``deadline`` passes."""
    what = "partial completion" if partial else "iterative completion"
    deadline.check(what)
    state = _State(pat)
    live = [k for k, n in enumerate(state.size) if n]
    queue, queued = deque(live), set(live)
    steps, order = [], []
    while queue:
        deadline.check(what)
        k = queue.popleft()
        queued.discard(k)
        if len(state.known[k]) == state.size[k]:
            continue
        new, woken = _process(state, k, partial)
        steps.extend(new)
        if len(state.known[k]) == state.size[k]:
            order.append(k)
        for w in woken:
            if w not in queued and len(state.known[w]) < state.size[w]:
                queue.append(w)
                queued.add(w)
    stuck = tuple(k for k in live if len(state.known[k]) < state.size[k])
    return Completion(tuple(steps), tuple(order), stuck, bool(partial))


def completion(I, J, partial=True):
    """Run iterative (``partial=False``) or partial completion on the supports ``(I, J)``.

    Parameters
    ----------
    I : array_like or Support
        m×r support of ``X``.
    J : array_like or Support
        n×r support of ``Y`` (``Z = X Yᵀ``; use :func:`exactsparse.right_from_rx` for an
        r×n right factor).
    partial : bool
        Also complete connected sub-rectangles of a contribution (derived criterion).

    Returns
    -------
    Completion
        The replayable steps, the recovery order and the contributions left incomplete.

    Raises
    ------
    SupportError, ShapeError
        ``I`` or ``J`` not a 0/1 matrix, or different numbers of columns.

    See Also
    --------
    is_completable : the bare verdict.
    recover_factors : the same steps run on the values of ``Z``.
    exactsparse.identifiability.check_identifiable : the verdict with its certificate.

    Notes
    -----
    Completion works on the rank-one contributions ``C_k = X_k Y_kᵀ``: by the lifting
    theorem (arXiv:2110.01235 Theorem 4.8 [1]_), a non-degenerate ``(X, Y)`` is identifiable
    iff its contributions ``(C_k)_k`` are determined by ``Z = sum_k C_k``.  Theorem (Zheng,
    Riccietti, Gribonval [1]_): if iterative completion recovers every contribution, every
    ``(X, Y)`` with supports exactly ``(I, J)`` is identifiable; for ``r = 2`` the converse
    holds.  Partial completion is a derived strengthening (each step
    only uses entries whose value is forced by ``Z``), sufficient as well.  Cost
    ``O(sum_k |S_k| · t)`` where ``t`` is the number of times a contribution is revisited
    (at most the number of steps touching its rectangle).

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    The pair of the spec where iterative completion is stuck and partial completion is not:

    >>> I, J = [[1, 1, 0], [1, 1, 1], [0, 1, 0]], [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    >>> c = completion(I, J, partial=False)
    >>> c.complete, c.stuck
    (False, (0, 1, 2))
    >>> c = completion(I, J)
    >>> c.complete, c.order
    (True, (0, 1, 2))

    Every step is a spanning tree of entries of ``S_k = R_k × C_k`` (so it determines the
    rank-one ``C_k`` on ``rows(tree) × cols(tree)``):

    >>> S = [({i for i in range(3) if I[i][k]}, {j for j in range(3) if J[j][k]})
    ...      for k in range(3)]
    >>> all(all(i in S[k][0] and j in S[k][1] for i, j in tree)
    ...     and len(tree) == len({i for i, _ in tree}) + len({j for _, j in tree}) - 1
    ...     for k, tree in c.steps)
    True
    """
    return run_completion(pattern(I, J), _check_partial(partial))


def _check_partial(partial):
    if not isinstance(partial, (bool, np.bool_)):
        raise ArgumentError(f"Argument 'partial' must be a bool, not {show(partial)}.")
    return bool(partial)


def is_completable(I, J, partial=False):
    """Whether (iterative, or with ``partial=True`` partial) completion succeeds.

    Parameters
    ----------
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    partial : bool
        Allow partial completion (default: iterative completion only).

    Returns
    -------
    bool
        ``completion(I, J, partial).complete``.  True implies that every ``(X, Y)`` with
        supports exactly ``(I, J)`` is identifiable [1]_ (and, for ``r = 2``, False implies
        that some is not).

    Raises
    ------
    SupportError, ShapeError, ArgumentError
        As :func:`completion`.

    See Also
    --------
    completion : the steps and the stuck contributions.
    exactsparse.identifiability.check_identifiable : the verdict with its certificate.

    Notes
    -----
    A degenerate column (empty ``R_k`` or ``C_k``) is ignored here; see
    :func:`exactsparse.check_identifiable` for the verdict.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    Disjoint rank-one supports are completable; the ``r = 2`` example of the spec is not, and
    it is indeed not identifiable (two factorizations of one ``Z``, not a rescaling):

    >>> is_completable("100/010/001", "100/010/001")
    True
    >>> is_completable("11/11", "10/11/01")
    False
    >>> import numpy as np
    >>> X, Y, Y2 = [[1, 1], [1, 1]], [[1, 0], [2, 3], [0, 1]], [[1, 0], [4, 1], [0, 1]]
    >>> bool((np.dot(X, np.transpose(Y)) == np.dot(X, np.transpose(Y2))).all())
    True
    """
    return run_completion(pattern(I, J), _check_partial(partial)).complete


# ----------------------------------------------------------------------------- on values
def _check_Z_support(Zr, pat):
    for i, row in enumerate(Zr):
        for j, v in enumerate(row):
            ks = pat.cover.get((i, j), ())
            if v != 0 and not ks:
                raise SupportError(
                    f"Argument 'Z' must vanish outside the union of the rank-one supports "
                    f"S_k = supp(I[:, k]) × supp(J[:, k]), not Z[{i}, {j}] = {v}.")
            if v == 0 and len(ks) == 1:
                raise SupportError(
                    f"Argument 'Z' must be nonzero at ({i}, {j}), which only S_{ks[0]} "
                    f"covers (supports exactly (I, J)), not Z[{i}, {j}] = 0.")


def _edge_value(Zr, pat, vals, k, e):
    if e in vals[k]:
        return vals[k][e]
    others = [l for l in pat.cover[e] if l != k]
    v = Zr[e[0]][e[1]] - sum((vals[l][e] for l in others), Fraction(0))
    if v == 0:
        raise CompletionError(
            f"Contribution C_{k} could not be completed: its entry {e} evaluates to 0, so Z is "
            "not X Yᵀ with supports exactly (I, J).")
    return v


def _propagate(tree, values):
    """Rank-one factors ``u`` (rows) and ``v`` (columns) along a tree, ``u_root = 1``."""
    u, v = {tree[0][0]: Fraction(1)}, {}
    pending = list(tree)
    while pending:
        rest = []
        for (i, j) in pending:
            if i in u and j not in v:
                v[j] = values[(i, j)] / u[i]
            elif j in v and i not in u:
                u[i] = values[(i, j)] / v[j]
            elif i not in u:
                rest.append((i, j))
        if len(rest) == len(pending):
            break
        pending = rest
    return u, v


def _apply_step(Zr, pat, vals, k, tree):
    values = {e: _edge_value(Zr, pat, vals, k, e) for e in tree}
    u, v = _propagate(tree, values)
    for i in u:
        for j in v:
            new = u[i] * v[j]
            old = vals[k].get((i, j))
            if old is not None and old != new:
                raise CompletionError(
                    f"Contribution C_{k} could not be completed: entry {(i, j)} is {old} from "
                    f"one part and {new} from another (Z is not of rank-one-sum form).")
            vals[k][(i, j)] = new


def recover_factors(Z, I, J, partial=True, budget=None):
    """Recover ``(X, Y)`` with ``Z = X Yᵀ`` and supports exactly ``(I, J)`` by completion.

    Parameters
    ----------
    Z : array_like
        m×n exact matrix (ints, Fractions, ``"p/q"`` strings; floats are refused).
    I, J : array_like or Support
        m×r and n×r supports (``X Yᵀ`` convention).
    partial : bool
        Allow partial completion (default) or only iterative completion.
    budget : float or None
        Time budget in seconds (None: no limit); a positive finite number (huge values are
        clamped to 10⁶ s).

    Returns
    -------
    X, Y : tuple of tuple of Fraction
        Normalised so that the first nonzero entry of each column of ``X`` equals 1.

    Raises
    ------
    SupportError
        ``Z`` is nonzero outside ``∪ S_k``, or zero on an entry only one ``S_k`` covers.
    CompletionError
        A contribution cannot be completed (names it): the supports are not completable, a
        degenerate column, or ``Z`` is not of the form ``X Yᵀ`` with supports ``(I, J)``.
    ShapeError, FloatInExactError
        ``Z`` is not m×n, or holds floats.
    BudgetError
        ``budget`` is not a positive number of seconds or None.
    SizeLimitError
        The recovery did not finish within ``budget`` (the message says where it stopped).

    See Also
    --------
    completion : the steps on supports alone.
    exactsparse.identifiability.check_identifiable : whether the recovery is unique.
    exactsparse.identifiability.equivalent : compare with another factorization.

    Notes
    -----
    The completion algorithm of Zheng, Riccietti, Gribonval [1]_, on the rank-one
    contributions of the lifting (arXiv:2110.01235 Theorem 4.8): for each step take a
    spanning tree of the known entries of ``C_k``, set ``u_root = 1`` and propagate
    ``v_b = Z'_ab / u_a``, ``u_a = Z'_ab / v_b``, then ``C_k = u vᵀ`` on the component and
    ``Z' ← Z' − C_k``.  Cost ``O(r · sum_k |S_k|)`` exact operations.  The result is checked:
    ``X Yᵀ = Z`` exactly.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, arXiv:2110.01235.

    Examples
    --------
    >>> X, Y = recover_factors([[2, 6], [3, 9]], [[1], [1]], [[1], [1]])
    >>> [[str(v) for v in r] for r in X], [[str(v) for v in r] for r in Y]
    ([['1'], ['3/2']], [['2'], ['6']])

    A product on the partially completable pair of the spec: the recovered factors multiply
    back to ``Z`` exactly and are a column rescaling of the factors used to build it.

    >>> import numpy as np
    >>> I, J = [[1, 1, 0], [1, 1, 1], [0, 1, 0]], [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    >>> X0, Y0 = [[2, 1, 0], [3, -1, 5], [0, 4, 0]], [[1, 0, 0], [7, 2, 0], [0, 3, 1]]
    >>> Z = np.dot(X0, np.transpose(Y0))
    >>> X, Y = recover_factors(Z.tolist(), I, J)
    >>> bool((np.dot(np.array(X, dtype=object), np.array(Y, dtype=object).T) == Z).all())
    True
    >>> from exactsparse.identifiability import equivalent
    >>> [str(d) for d in equivalent(X0, Y0, X, Y).D]
    ['1/2', '1', '1/5']
    >>> recover_factors([[1, 5], [1, 0]], [[1], [1]], [[1], [0]])
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.SupportError: Argument 'Z' must vanish outside the union of the rank-one supports S_k = supp(I[:, k]) × supp(J[:, k]), not Z[0, 1] = 5.
    """
    partial = _check_partial(partial)
    deadline = Deadline(check_budget(budget))
    pat = pattern(I, J)
    Zr = fraction_rows(Z, "Z", (pat.m, pat.n))
    try:
        return _recover(Zr, pat, partial, deadline)
    except OutOfBudget as exc:
        raise SizeLimitError(f"recover_factors: {exc} (an m×n = {pat.m}×{pat.n} product with "
                             f"sum_k |S_k| = {pat.lifted_size}); raise 'budget'.") from None


def _recover(Zr, pat, partial, deadline):
    if pat.degenerate():
        k = pat.degenerate()[0]
        raise CompletionError(f"Contribution C_{k} could not be completed: column {k} of I or "
                              "J is empty, so X_k or Y_k is not determined by Z.")
    _check_Z_support(Zr, pat)
    comp = run_completion(pat, partial, deadline)
    if comp.stuck:
        raise CompletionError(
            f"Contribution C_{comp.stuck[0]} could not be completed: (I, J) is not "
            f"{'partially' if partial else 'iteratively'} completable (stuck: "
            f"{list(comp.stuck)}).")
    vals = [dict() for _ in pat.rects]
    for k, tree in comp.steps:
        deadline.check("the value propagation")
        _apply_step(Zr, pat, vals, k, tree)
    X, Y = factors_from_values(pat, vals, Fraction(0))
    deadline.check("the check X Yᵀ = Z")
    _check_product(Zr, X, Y)
    return tuple(map(tuple, X)), tuple(map(tuple, Y))


def _check_product(Zr, X, Y):
    P = fmpq_matrix(X, len(X[0])) * fmpq_matrix(Y, len(Y[0])).transpose()
    for i, row in enumerate(Zr):
        for j, v in enumerate(row):
            if P[i, j] != flint.fmpq(v.numerator, v.denominator):
                raise CompletionError(
                    f"Z is not X Yᵀ with supports (I, J): the completed factors give "
                    f"{P[i, j]} at {(i, j)}, Z has {v}.")

"""Exact Laurent families with loss ``-> 0`` on a general (rank > 1) part.

A *Laurent family* (:mod:`.family`) is a point ``(X(t), Y(t))`` whose entries are Laurent
polynomials in ``t``.  On a part of the reduction with cells ``Omega`` the residual
``R_ij(t) = A_ij - sum_k X_ik(t) Y_jk(t)`` is a Laurent polynomial; when every residual
has valuation ``>= 1`` (only positive powers of ``t``) the loss ``sum R_ij(t)^2`` has no
negative power and constant term 0, so the part's infimum is 0.  When moreover the part
has no exact fit (Gröbner basis ``[1]``, :func:`~.family.part_has_no_exact_fit`) the
infimum 0 is not attained — the phenomenon behind the non-closedness of the set of
supported products (Le, Riccietti & Gribonval [1]_, the LU example and its relatives).

:func:`general_zero_family` searches such a family for the local core of a ``general``
part (several overlapping classes), by randomized sequential solving in Laurent
polynomials (Notes there).

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

from .family import Laurent

__all__ = ["general_zero_family", "general_exact_fit", "general_family"]

#: Free values are ``c t^e`` with ``c`` drawn from here (mostly 1) and ``|e| <= 3``.
_COEFFS = (1, 1, 1, 1, -1, 2, -2)
_EXPONENTS = range(-3, 4)
#: Longest long division, and largest exponent magnitude, a trial may produce.
_MAX_STEPS = 40
_MAX_EXPONENT = 60


def _cells_and_monomials(A, omega, Ip, Jp):
    """``[(i, j, a, [k, ...]), ...]``: the observed cells, their targets and the factor
    columns ``k`` with ``Ip[i, k]`` and ``Jp[j, k]``."""
    r = len(Ip[0]) if len(Ip) else 0
    return [(i, j, Fraction(A[i][j]), [k for k in range(r) if Ip[i][k] and Jp[j][k]])
            for i in range(len(A)) for j in range(len(A[0])) if omega[i][j]]


def _divide(rest, p, prec):
    """``(q, r)`` with ``rest = q p + r`` and every exponent of ``r`` at least ``prec``
    (long division by the leading term of ``p``), or None when it takes too many steps."""
    e0 = min(p.c)
    c0 = p.c[e0]
    q, r = Laurent(), rest
    for _ in range(_MAX_STEPS):
        if not r.c or min(r.c) >= prec:
            return q, r
        f = min(r.c)
        term = Laurent({f - e0: r.c[f] / c0})
        q, r = q + term, r - term * p
    return None


def _free(rng, exact=False):
    """A free value: ``c t^e`` (a constant ``c`` in the exact-fit search)."""
    return Laurent({0 if exact else rng.choice(_EXPONENTS): rng.choice(_COEFFS)})


def _pick_cell(todo, val, rng):
    """Most of the time a cell with the fewest unknown variables, but at least one (the
    most constrained first, so few cells are left with every variable set by others);
    otherwise a random remaining cell."""
    if rng.random() < 0.85:
        unknown = [sum((("x", c[0], k) not in val) + (("y", c[1], k) not in val)
                       for k in c[3]) for c in todo]
        least = min((u for u in unknown if u), default=0)
        pool = [c for c, u in zip(todo, unknown) if u == least] if least else todo
    else:
        pool = todo
    return pool[rng.randrange(len(pool))]


def _solve_cell(cell, val, rng, prec):
    """Assign the cell's unknown variables: all but one get free values, the last one is
    solved so that the cell's residual has valuation ``>= prec``; a solution 0 is replaced
    by a small free value (a variable is never set to 0).  With ``prec`` None (exact-fit
    search) values are constants, the last one is solved exactly and may be 0.  False
    when it fails."""
    i, j, a, ks = cell
    exact = prec is None

    def partner(v):
        return ("y", j, v[2]) if v[0] == "x" else ("x", i, v[2])
    unknown = [v for k in ks for v in (("x", i, k), ("y", j, k)) if v not in val]
    # never divide by a partner already set to 0 (only possible in the exact search)
    solvable = [v for v in unknown if partner(v) not in val or val[partner(v)]]
    if not solvable:
        val.update((w, _free(rng, exact)) for w in unknown)
        return True
    v = solvable[rng.randrange(len(solvable))]
    for w in unknown:
        if w != v:
            val[w] = _free(rng, exact)
    rest = Laurent({0: a}) if a else Laurent()
    for kk in ks:
        if kk != v[2]:
            rest = rest - val[("x", i, kk)] * val[("y", j, kk)]
    p = val[partner(v)]
    if exact:
        val[v] = rest / p
        return True
    out = _divide(rest, p, prec)
    if out is None:
        return False
    q = out[0]
    if not q.c:
        q = Laurent({prec - min(p.c) + rng.randrange(2): rng.choice(_COEFFS)})
    val[v] = q
    return max(abs(e) for e in q.c) <= _MAX_EXPONENT


def _trial(cells, shape, rng, exact=False):
    """One randomized sequential solve; the point ``(X, Y)`` of Laurent polynomials (the
    variables in no cell are 0; constants when ``exact``), or None when a step failed."""
    m, n, r = shape
    prec = None if exact else rng.choice((1, 2, 2, 3, 4))
    val, todo = {}, list(cells)
    while todo:
        cell = _pick_cell(todo, val, rng)
        todo.remove(cell)
        if not _solve_cell(cell, val, rng, prec):
            return None
    X = [[val.get(("x", i, k), Laurent()) for k in range(r)] for i in range(m)]
    Y = [[val.get(("y", j, k), Laurent()) for k in range(r)] for j in range(n)]
    return X, Y


def _residuals(A, omega, X, Y):
    """The residuals ``A_ij - sum_k X_ik Y_jk`` (Laurent) of the observed cells."""
    for i, row in enumerate(A):
        for j, a in enumerate(row):
            if omega[i][j]:
                yield Laurent({0: a}) - sum((X[i][k] * Y[j][k] for k in range(len(X[i]))),
                                            Laurent())


def general_zero_family(A, omega, Ip, Jp, budget=1.0, seed=0):
    """An exact Laurent family ``(X(t), Y(t))`` on a general part with loss ``-> 0``.

    Parameters
    ----------
    A : sequence of sequences of Fraction, shape (m, n)
        The part's local matrix (``core.A`` of a :class:`~.hardcore.Part`).
    omega : sequence of sequences of bool, shape (m, n)
        Its observed cells (``core.omega``).
    Ip, Jp : array_like of 0/1, shapes (m, r), (n, r)
        The supports restricted to the part's rows/columns and factor columns.
    budget : float
        Seconds of search; None is returned when they run out.
    seed : int
        Seed of the randomized search (deterministic for a given seed and number of
        trials).

    Returns
    -------
    (X, Y) : lists of lists of :class:`~.family.Laurent`, or None
        Supported on ``(Ip, Jp)``; every observed residual ``A_ij - (X Y^T)_ij`` has only
        positive powers of ``t``, so the loss on the observed cells is a Laurent
        polynomial with no negative power and constant term 0 (checked exactly before
        returning).  None when no such family was found within the budget (which proves
        nothing).

    See Also
    --------
    exactsparse.fsmf.hard.family.masked_zero_family : the rank-one (masked) case, in
        closed form.
    exactsparse.fsmf.hard.family.part_has_no_exact_fit : the Gröbner test that makes the
        infimum 0 not attained.
    exactsparse.fsmf.hard.certify_fsmf : closes such parts at ``[0, 0]``.

    Notes
    -----
    Each trial visits the observed cells in a random order (preferring a cell with a
    single unknown variable whose partner is known, i.e. propagation).  At a cell
    ``sum_k x_ik y_jk = A_ij``, all unknown variables but one get free values ``c t^e``
    (``c`` small and nonzero, ``|e| <= 3``) and the last one, ``x_ik`` say, is solved by
    long division of ``A_ij - sum_{l != k} x_il y_jl`` by the leading term of ``y_jk``
    until the remainder (the cell's residual) has valuation at least a random precision
    ``>= 1``; a quotient 0 is replaced by a small nonzero free value, so no variable is
    pinned at 0 before a later cell needs it.  Cells whose variables were all known are
    residual cells: a trial is accepted only when all residuals, computed exactly, have
    valuation ``>= 1``; then ``sum R_ij^2`` has valuation ``>= 2`` (leading coefficients
    of squares cannot cancel, and conversely).  This is a heuristic search: failure proves
    nothing; success is an exact certificate of ``inf = 0`` (Le, Riccietti &
    Gribonval [1]_ for the non-closedness it reveals).

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
       tractability of sparse matrix factorization with fixed support", SIAM J. Matrix
       Anal. Appl. (2023), arXiv:2112.00386.

    Examples
    --------
    The general part of ``A = [[0, -3, 3], [2, 3, -3], [2, -1, 0]]`` on
    ``I = J = [[1, 0], [1, 1], [0, 1]]`` (cells ``(0, 2)``, ``(2, 0)`` unreachable): no
    exact fit (``x00 y00 x10 y10 = x00 y10 x10 y00`` forces ``0 * 3 = -3 * 2``), yet the
    loss of the family tends to 0: no negative power of ``t`` and constant term 0.

    >>> from fractions import Fraction as F
    >>> from exactsparse.fsmf.hard.family import Laurent, laurent_terms
    >>> A = [[F(0), F(-3), F(0)], [F(2), F(3), F(-3)], [F(0), F(-1), F(0)]]
    >>> omega = [[1, 1, 0], [1, 1, 1], [0, 1, 1]]
    >>> S = [[1, 0], [1, 1], [0, 1]]
    >>> X, Y = general_zero_family(A, omega, S, S)
    >>> loss = sum(((A[i][j] - X[i][0] * Y[j][0] - X[i][1] * Y[j][1]) ** 2
    ...             for i in range(3) for j in range(3) if omega[i][j]), Laurent())
    >>> min(e for e, _ in laurent_terms(loss)) >= 1
    True
    >>> all(not X[i][k] for i, k in [(0, 1), (2, 0)])      # supported on I
    True
    """
    best = general_family(A, omega, Ip, Jp, budget, seed)
    return best[1:] if best is not None and best[0] == 0 else None


def general_family(A, omega, Ip, Jp, budget=1.0, seed=0):
    """The Laurent family of lowest limit found on a general part: ``(limit, X, Y)``.

    Parameters
    ----------
    A, omega, Ip, Jp, budget, seed
        As in :func:`general_zero_family`.

    Returns
    -------
    (limit, X, Y) or None
        ``X``, ``Y`` lists of lists of :class:`~.family.Laurent` whose observed residuals
        have no negative power of ``t``, so the loss tends to ``limit`` (a Fraction, the
        sum of the squared constant terms of the residuals) as ``t -> 0+``: an exact upper
        bound of the part's infimum, met by no point in general.  The lowest limit over
        the trials, returned as soon as it is 0; None when no trial gave a family.

    See Also
    --------
    general_zero_family : the limit-0 case (infimum 0).
    exactsparse.fsmf.hard.certify_fsmf : pairs a positive limit with a branch-and-bound
        lower bound (an infimum approached only at infinity).

    Notes
    -----
    The trials of :func:`general_zero_family`; a trial counts when every residual has
    valuation ``>= 0`` (residual cells may keep a constant term).  Le, Riccietti &
    Gribonval (SIAM J. Matrix Anal. Appl. 2023, arXiv:2112.00386) for the non-closedness
    that such families reveal.

    Examples
    --------
    ``A = [[1, -3, -3], [0, -3, -3], [0, 3, 0]]`` on ``I = J = [[1, 0], [1, 1], [0, 1]]``
    (cells ``(0, 2)``, ``(2, 0)`` unreachable): the part's infimum is 1 (branch and bound
    proves it up to 2e-12), approached by ``y_00 -> 0`` with ``x_21 y_21 -> 0``.  The
    family's exact loss tends to its limit: no negative power, constant term ``limit``.

    >>> from fractions import Fraction as F
    >>> from exactsparse.fsmf.hard.family import Laurent, laurent_terms
    >>> A = [[F(1), F(-3), F(0)], [F(0), F(-3), F(-3)], [F(0), F(3), F(0)]]
    >>> omega = [[1, 1, 0], [1, 1, 1], [0, 1, 1]]
    >>> S = [[1, 0], [1, 1], [0, 1]]
    >>> limit, X, Y = general_family(A, omega, S, S, budget=5)
    >>> loss = sum(((A[i][j] - X[i][0] * Y[j][0] - X[i][1] * Y[j][1]) ** 2
    ...             for i in range(3) for j in range(3) if omega[i][j]), Laurent())
    >>> terms = dict(laurent_terms(loss))
    >>> min(terms) >= 0 and terms.get(0, 0) == limit, limit
    (True, Fraction(1, 1))
    """
    best = None
    for fam in _trials(A, omega, Ip, Jp, budget, seed):
        limit = _family_limit(A, omega, *fam)
        if limit is not None and (best is None or limit < best[0]):
            best = (limit, *fam)
            if limit == 0:
                break
    return best


def general_exact_fit(A, omega, Ip, Jp, budget=1.0, seed=0):
    """An exact rational fit ``(X, Y)`` of a general part's observed cells, or None.

    Parameters
    ----------
    A, omega, Ip, Jp, budget, seed
        As in :func:`general_zero_family`.

    Returns
    -------
    (X, Y) : lists of lists of Fraction, or None
        Supported on ``(Ip, Jp)`` with ``(X Y^T)_ij = A_ij`` on every observed cell
        (checked exactly), so the part's minimum 0 is attained; None when none was found
        within the budget (which proves nothing).

    See Also
    --------
    general_zero_family : the same search in Laurent polynomials (infimum 0).

    Notes
    -----
    The randomized sequential solve of :func:`general_zero_family` with constant free
    values and exact solutions (0 allowed; a variable whose partner is 0 is never the
    solved one); a trial is kept when every observed residual is exactly 0.

    Examples
    --------
    ``A = X Y^T`` for integer ``X``, ``Y`` on ``I = J = [[1, 0], [1, 1], [0, 1]]``:

    >>> from fractions import Fraction as F
    >>> A = [[F(-2), F(2), F(0)], [F(-4), F(5), F(1)], [F(0), F(2), F(2)]]
    >>> omega = [[1, 1, 0], [1, 1, 1], [0, 1, 1]]
    >>> S = [[1, 0], [1, 1], [0, 1]]
    >>> X, Y = general_exact_fit(A, omega, S, S)
    >>> all(A[i][j] == X[i][0] * Y[j][0] + X[i][1] * Y[j][1]
    ...     for i in range(3) for j in range(3) if omega[i][j])
    True
    """
    fit = next((fam for fam in _trials(A, omega, Ip, Jp, budget, seed, True)
                if all(not res for res in _residuals(A, omega, *fam))), None)
    if fit is None:
        return None
    return tuple([[v(0) if v else Fraction(0) for v in row] for row in M] for M in fit)


def _trials(A, omega, Ip, Jp, budget, seed, exact=False):
    """The successful randomized trials (points ``(X, Y)``), until the budget runs out."""
    if not len(A) or not len(A[0]):
        return
    cells = _cells_and_monomials(A, omega, Ip, Jp)
    shape = (len(A), len(A[0]), len(Ip[0]) if len(Ip) else 0)
    rng = random.Random(seed)
    end = time.monotonic() + budget
    while time.monotonic() < end:
        fam = _trial(cells, shape, rng, exact)
        if fam is not None:
            yield fam


def _family_limit(A, omega, X, Y):
    """The limit of the exact loss on the observed cells as ``t -> 0+`` (its constant
    term), or None when it has a negative power of ``t``."""
    loss = sum((res * res for res in _residuals(A, omega, X, Y)), Laurent())
    if loss.c and min(loss.c) < 0:
        return None
    return loss.c.get(0, Fraction(0))

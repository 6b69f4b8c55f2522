"""Non-attainment of the FSMF infimum: exact families and Gröbner-basis certificates.

The infimum of ``||A - X Y^T||^2`` on fixed supports need not be attained (Le, Riccietti &
Gribonval [1]_, the LU example).  An infimum 0 is not attained when no exact
factorization exists, which a reduced Gröbner basis ``[1]`` of the polynomial system
``X Y^T = A`` proves (weak Nullstellensatz), together with an exact family whose losses
tend to 0.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import time
from fractions import Fraction

import flint

from ... import exact
from ..._budget import run_killable
from ...results.fsmf import AttainmentResult
from ...exceptions import ArgumentError, SizeLimitError, show
from ._common import check_budget, common_denominator, validate
from .certify import certify_fsmf

__all__ = ["exact_factorization_system", "no_exact_factorization", "lu_family",
           "check_attainment", "groebner_with_budget"]

MAX_VARIABLES = 40

#: Stated bound on the last loss of a non-attainment family (checked by ``verify``).
FAMILY_BOUND = Fraction(1, 10**9)


def exact_factorization_system(A, I, J, backend="flint"):
    """The polynomial system ``X Y^T = A`` on the supports (integer coefficients).

    Parameters
    ----------
    A, I, J : the instance (``X Y^T`` convention)
    backend : {"flint", "sympy"}

    Returns
    -------
    (polys, names)
        One polynomial per entry, ``den * ((X Y^T)_ij - A_ij)`` with ``den`` the common
        denominator of ``A`` (flint ``fmpz_mpoly``, or sympy expressions), and the variable
        names ``x_i_k``, ``y_j_k`` of the support entries, in that order.

    Raises
    ------
    SizeLimitError
        More than :data:`MAX_VARIABLES` variables.
    ShapeError, SupportError, FloatInExactError
        Bad instance.

    See Also
    --------
    groebner_with_budget, no_exact_factorization : decide whether the system has a solution.

    Examples
    --------
    Every polynomial vanishes at an exact factorization ``x = (1, 3)``, ``y = (1, 2)`` of
    ``[[1, 2], [3, 6]]``:

    >>> polys, names = exact_factorization_system([[1, 2], [3, 6]], "1/1", "1/1")
    >>> names
    ['x_0_0', 'x_1_0', 'y_0_0', 'y_1_0']
    >>> [int(p(*map(flint.fmpz, (1, 3, 1, 2)))) for p in polys]
    [0, 0, 0, 0]
    """
    Af, I, J = validate(A, I, J)
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    names = [f"x_{i}_{k}" for i in range(m) for k in range(r) if I[i, k]] + \
            [f"y_{j}_{k}" for j in range(n) for k in range(r) if J[j, k]]
    if len(names) > MAX_VARIABLES:
        raise SizeLimitError(f"Argument 'I'/'J' give {len(names)} variables; the Gröbner "
                             f"certificate is limited to {MAX_VARIABLES}.")
    den = common_denominator(Af)
    g, const = _ring(names, backend)
    polys = []
    for i in range(m):
        for j in range(n):
            p = const(-int(Af[i][j] * den))
            for k in (k for k in range(r) if I[i, k] and J[j, k]):
                p = p + den * g(f"x_{i}_{k}") * g(f"y_{j}_{k}")
            polys.append(p)
    return polys, names


def _ring(names, backend):
    """``(variable, constant)`` constructors of the polynomial ring of ``backend``."""
    if backend == "sympy":
        import sympy
        sym = {s: sympy.Symbol(s) for s in names}
        return (lambda s: sym[s]), (lambda c: sympy.Integer(c))
    ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
    gens = dict(zip(names, ctx.gens()))
    zero = ctx.from_dict({})            # also with no variable at all (empty supports)
    return (lambda s: gens[s]), (lambda c: ctx.from_dict({(0,) * len(names): c}) if c
                                 else zero)


def no_exact_factorization(A, I, J, backend="flint", budget=60.0):
    """True when a reduced Gröbner basis of ``X Y^T = A`` on the supports is ``[1]``.

    Then no factorization (real or complex) with these supports reproduces ``A`` (weak
    Nullstellensatz), so an infimum 0 cannot be attained.

    Parameters
    ----------
    A, I, J : the instance (``X Y^T`` convention)
    backend : {"flint", "sympy"}
    budget : float
        Seconds; the computation runs in a subprocess killed at the budget.

    Returns
    -------
    bool

    Raises
    ------
    TimeoutError
        The budget ran out.

    See Also
    --------
    check_attainment : the decision with its certificate.
    groebner_with_budget : the same answer without raising on the budget.

    Examples
    --------
    The LU example has no exact factorization; a rank-one matrix on full supports has one.

    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11")
    True
    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11", backend="sympy")
    True
    >>> no_exact_factorization([[1, 2], [3, 6]], "1/1", "1/1")
    False
    """
    ok, value = groebner_with_budget(A, I, J, budget=budget, backend=backend)
    if not ok:
        raise TimeoutError(value)
    return value


def _groebner_is_one(A, I, J, backend):
    polys, names = exact_factorization_system(A, I, J, backend)
    if backend == "sympy":
        import sympy
        G = sympy.groebner(polys, *[sympy.Symbol(s) for s in names], order="grevlex")
        return list(G.exprs) == [1]
    G = flint.fmpz_mpoly_vec(polys, polys[0].context()).buchberger_naive().autoreduction()
    return bool(any(p.is_constant() and not p.is_zero() for p in G))


def groebner_with_budget(A, I, J, budget=10.0, backend="flint"):
    """Whether the Gröbner basis of ``X Y^T = A`` is ``[1]``, within ``budget`` seconds.

    The computation runs in a forked process killed at the budget.  Bad input raises in
    the caller (the system is built here first, so size limits and type errors surface
    directly).

    Returns
    -------
    (True, is_one) or (False, reason)

    See Also
    --------
    no_exact_factorization, exact_factorization_system

    Examples
    --------
    >>> groebner_with_budget([[0, 1], [1, 0]], "10/11", "10/11")
    (True, True)
    """
    budget = check_budget(budget)
    exact_factorization_system(A, I, J, backend)            # validation in-process
    return run_killable(_groebner_is_one, (A, I, J, backend), budget, "the Gröbner basis")


def lu_family(eps):
    """An exact family for the LU example ``A = [[0, 1], [1, 0]]``, loss ``eps^4``.

    ``X = [[e, 0], [1/e, 1/e]]``, ``Y = [[e, 0], [1/e, -1/e]]`` (both lower triangular):
    ``X Y^T = [[e^2, 1], [1, 0]]``.

    See Also
    --------
    check_attainment : uses it as the non-attainment family.

    Examples
    --------
    >>> from exactsparse.fsmf.hard import supported_loss
    >>> X, Y = lu_family(Fraction(1, 10))
    >>> supported_loss([[0, 1], [1, 0]], "10/11", "10/11", X, Y)
    Fraction(1, 10000)
    """
    if isinstance(eps, int) and not isinstance(eps, bool) and eps.bit_length() > 4096:
        raise SizeLimitError(f"Argument 'eps' must have at most 4096 bits, not {show(eps)}.")
    e = exact.as_rational(eps, "eps")
    if e == 0:
        raise ArgumentError("Argument 'eps' must be nonzero, not 0 (the family has 1/eps "
                            "entries).")
    X = ((e, Fraction(0)), (1 / e, 1 / e))
    Y = ((e, Fraction(0)), (1 / e, -1 / e))
    return X, Y


def check_attainment(A, I, J, backend="flint", budget=30.0):
    """Decide non-attainment of a zero infimum via a Gröbner basis ``[1]``.

    Parameters
    ----------
    A, I, J : the instance (``X Y^T`` convention)
    backend : "flint" or "sympy"
    budget : float
        Seconds (> 0) for the Gröbner basis (run in a killable subprocess) and the search
        for an exact factorization.

    Returns
    -------
    AttainmentResult
        kind ``fsmf.attainment``; verdict

        * ``"not-attained"``: the Gröbner basis is ``[1]`` and an exact family with losses
          decreasing below ``loss_bound`` is known (the LU example: points at
          ``eps = 1/10, 1/100, 1/1000``, losses ``eps^4``), so the infimum 0 is not
          attained;
        * ``"infeasible"``: the Gröbner basis is ``[1]`` (no exact factorization; nothing
          is claimed about the infimum);
        * ``"exact"``: an exact rational factorization ``X``, ``Y`` (loss 0, in the
          certificate) was found, so the infimum 0 is attained;
        * ``"unknown"``: neither (budget exhausted, or feasible over the complex numbers
          but no exact rational factorization found), with ``reason``.

    Raises
    ------
    BudgetError
        ``budget`` not a positive number.
    ShapeError, SupportError, FloatInExactError, SizeLimitError
        Bad instance, or more than :data:`MAX_VARIABLES` variables.

    See Also
    --------
    no_exact_factorization, lu_family, certify_fsmf, find_spurious_minima

    Notes
    -----
    LU example [1]_: ``I = J = tril(ones(2, 2))``, ``A = [[0, 1], [1, 0]]``: ``inf L = 0``
    (losses ``eps^4``) but ``x_00 y_00 = 0``, ``x_00 y_10 = 1``, ``x_10 y_00 = 1`` have no
    common solution: the Gröbner basis is ``[1]``.

    Examples
    --------
    The LU example: the family's exact losses decrease to 0, yet no exact factorization
    exists.

    >>> from exactsparse.fsmf.hard import supported_loss
    >>> A, I, J = [[0, 1], [1, 0]], "10/11", "10/11"
    >>> res = check_attainment(A, I, J)
    >>> res.verdict, res.certificate["groebner_is_one"]
    ('not-attained', True)
    >>> [supported_loss(A, I, J, X, Y) for X, Y in res.certificate["family"]]
    [Fraction(1, 10000), Fraction(1, 100000000), Fraction(1, 1000000000000)]

    A matrix with an LU factorization on the same supports: the exact factors multiply
    back to ``A``.

    >>> res = check_attainment([[2, 1], [1, 1]], I, J)
    >>> c = res.certificate
    >>> res.verdict, supported_loss([[2, 1], [1, 1]], I, J, c["X"], c["Y"])
    ('exact', Fraction(0, 1))
    """
    budget = check_budget(budget)
    start = time.monotonic()
    Af, I2, J2 = validate(A, I, J)
    ok, value = groebner_with_budget(A, I, J, budget=budget, backend=backend)
    cert = {"groebner_is_one": bool(ok and value), "family": [], "reason": ""}
    if ok and value:
        verdict, extra = _no_factorization(Af, I2, J2)
    else:
        verdict, extra = _exact_point(A, I, J, budget - (time.monotonic() - start),
                                      "" if ok else value)
    cert.update(extra)
    return AttainmentResult(kind=AttainmentResult.KIND, verdict=verdict, certificate=cert,
                            theorem="fsmf.attainment", backend=backend)


def _no_factorization(Af, I, J):
    """The Gröbner basis is [1]: ``not-attained`` with the LU family on the LU example,
    else ``infeasible``."""
    if str(I) == "10/11" and str(J) == "10/11" and [list(r) for r in Af] == [[0, 1], [1, 0]]:
        eps = [Fraction(1, 10 ** k) for k in (1, 2, 3)]
        return "not-attained", {"family": [lu_family(e) for e in eps], "eps": eps,
                                "loss_bound": FAMILY_BOUND}
    return "infeasible", {}


def _exact_point(A, I, J, left, reason):
    """The Gröbner basis is not [1] (or not computed, ``reason``): ``exact`` with an exact
    factorization found by :func:`certify_fsmf` in the time ``left``, else ``unknown``."""
    if left > 0:
        res = certify_fsmf(A, I, J, budget=max(left, 0.05), starts=20)
        if res.certificate["upper"] == 0:
            return "exact", {"X": res.certificate["X"], "Y": res.certificate["Y"]}
    return "unknown", {"reason": reason or ("the Gröbner basis is not [1] but no exact "
                                            "rational factorization was found")}

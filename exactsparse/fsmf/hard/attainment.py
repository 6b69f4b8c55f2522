"""Non-attainment of the FSMF infimum: exact families and Gröbner-basis certificates.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import flint

from ... import exact
from ..._budget import run_killable
from ...results.fsmf import AttainmentResult
from ...exceptions import BudgetError, SizeLimitError
from .hardcore import _validate

__all__ = ["exact_factorization_system", "no_exact_factorization", "lu_family",
           "check_attainment", "groebner_with_budget"]

MAX_VARIABLES = 40

#: Stated bound on the last loss of a non-attainment family (checked by ``verify``).
FAMILY_BOUND = Fraction(1, 10**9)


def _check_budget(budget):
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0 \
            or not math.isfinite(budget):
        raise BudgetError(f"Argument 'budget' must be a positive number of seconds, not "
                          f"{budget!r}.")
    return float(budget)


def exact_factorization_system(A, I, J, backend="flint"):
    """The polynomial system ``X Y^T = A`` on the supports (integer coefficients).

    Returns ``(polys, names)``: flint ``fmpz_mpoly`` (or sympy ``Poly`` expressions for
    ``backend="sympy"``) and the variable names ``x_i_k``, ``y_j_k``.
    """
    Af, I, J = _validate(A, I, J)
    m, n, r = I.shape[0], J.shape[0], I.shape[1]
    names = [f"x_{i}_{k}" for i in range(m) for k in range(r) if I[i, k]] + \
            [f"y_{j}_{k}" for j in range(n) for k in range(r) if J[j, k]]
    if len(names) > MAX_VARIABLES:
        raise SizeLimitError(f"Argument 'I'/'J' give {len(names)} variables; the Gröbner "
                             f"certificate is limited to {MAX_VARIABLES}.")
    den = 1
    for row in Af:
        for v in row:
            den = den * v.denominator // _gcd(den, v.denominator)
    if backend == "sympy":
        import sympy
        sym = {s: sympy.Symbol(s) for s in names}
        g = lambda s: sym[s]  # noqa: E731
        const = lambda c: sympy.Integer(c)  # noqa: E731
    else:
        ctx = flint.fmpz_mpoly_ctx.get(tuple(names), "degrevlex")
        gens = dict(zip(names, ctx.gens()))
        g = lambda s: gens[s]  # noqa: E731
        const = lambda c: ctx.from_dict({(0,) * len(names): c}) if c else 0 * ctx.gens()[0]  # noqa: E731
    polys = []
    for i in range(m):
        for j in range(n):
            p = const(-int(Af[i][j] * den))
            for k in range(r):
                if I[i, k] and J[j, k]:
                    p = p + den * g(f"x_{i}_{k}") * g(f"y_{j}_{k}")
            polys.append(p)
    return polys, names


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def no_exact_factorization(A, I, J, backend="flint", budget=60.0):
    """True when a reduced Gröbner basis of ``X Y^T = A`` on the supports is ``[1]``.

    Then no factorization (real or complex) with these supports reproduces ``A`` (weak
    Nullstellensatz), so an infimum 0 cannot be attained.  The computation is killed after
    ``budget`` seconds (``TimeoutError``).

    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11")
    True
    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11", backend="sympy")
    True
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

    The computation runs in a forked process killed at the budget.  Returns
    ``(True, is_one)`` or ``(False, reason)``.  Bad input raises in the caller (the system
    is built here first, so size limits and type errors surface directly).
    """
    budget = _check_budget(budget)
    exact_factorization_system(A, I, J, backend)            # validation in-process
    return run_killable(_groebner_is_one, (A, I, J, backend), budget, "the Gröbner basis")


def lu_family(eps):
    """An exact family for the LU example ``A = [[0, 1], [1, 0]]``, loss ``eps^4``.

    ``X = [[e, 0], [1/e, 1/e]]``, ``Y = [[e, 0], [1/e, -1/e]]`` (both lower triangular):
    ``X Y^T = [[e^2, 1], [1, 0]]``.

    >>> from exactsparse.fsmf.hard.reductions import supported_loss
    >>> X, Y = lu_family(Fraction(1, 10))
    >>> supported_loss([[0, 1], [1, 0]], "10/11", "10/11", X, Y)
    Fraction(1, 10000)
    """
    e = exact.as_rational(eps, "eps")
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

    Notes
    -----
    LU example [1]_: ``I = J = tril(ones(2, 2))``, ``A = [[0, 1], [1, 0]]``: ``inf L = 0``
    (losses ``eps^4``) but ``x_00 y_00 = 0``, ``x_00 y_10 = 1``, ``x_10 y_00 = 1`` have no
    common solution: the Gröbner basis is ``[1]``.
    """
    budget = _check_budget(budget)
    start = time.monotonic()
    Af, I2, J2 = _validate(A, I, J)
    ok, value = groebner_with_budget(A, I, J, budget=budget, backend=backend)
    cert = {"groebner_is_one": bool(ok and value), "family": [], "reason": ""}
    if ok and value:
        if str(I2) == "10/11" and str(J2) == "10/11" and \
                [list(r) for r in Af] == [[0, 1], [1, 0]]:
            eps = [Fraction(1, 10 ** k) for k in (1, 2, 3)]
            cert.update(family=[lu_family(e) for e in eps], eps=eps, loss_bound=FAMILY_BOUND)
            verdict = "not-attained"
        else:
            verdict = "infeasible"
    else:
        reason = "" if ok else value
        left = budget - (time.monotonic() - start)
        X = Y = None
        if left > 0:
            from .certify import certify_fsmf
            res = certify_fsmf(A, I, J, budget=max(left, 0.05), starts=20)
            if res.certificate["upper"] == 0:
                X, Y = res.certificate["X"], res.certificate["Y"]
        if X is not None:
            verdict = "exact"
            cert.update(X=X, Y=Y)
        else:
            verdict = "unknown"
            cert["reason"] = reason or ("the Gröbner basis is not [1] but no exact rational "
                                        "factorization was found")
    return AttainmentResult(kind=AttainmentResult.KIND, verdict=verdict, certificate=cert,
                  theorem="fsmf.attainment", backend=backend)

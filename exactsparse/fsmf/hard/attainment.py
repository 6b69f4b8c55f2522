"""Non-attainment of the FSMF infimum: exact families and Gröbner-basis certificates.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ... import exact
from ...certificates import Result
from ...exceptions import SizeLimitError
from .hardcore import _validate

__all__ = ["exact_factorization_system", "no_exact_factorization", "lu_family",
           "check_attainment"]

MAX_VARIABLES = 40


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


def no_exact_factorization(A, I, J, backend="flint"):
    """True when a reduced Gröbner basis of ``X Y^T = A`` on the supports is ``[1]``.

    Then no factorization (real or complex) with these supports reproduces ``A`` (weak
    Nullstellensatz), so an infimum 0 cannot be attained.

    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11")
    True
    >>> no_exact_factorization([[0, 1], [1, 0]], "10/11", "10/11", backend="sympy")
    True
    """
    polys, names = exact_factorization_system(A, I, J, backend)
    if backend == "sympy":
        import sympy
        G = sympy.groebner(polys, *[sympy.Symbol(s) for s in names], order="grevlex")
        return list(G.exprs) == [1]
    G = flint.fmpz_mpoly_vec(polys, polys[0].context()).buchberger_naive().autoreduction()
    return any(p.is_constant() and not p.is_zero() for p in G)


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


def check_attainment(A, I, J, backend="flint"):
    """Decide non-attainment of a zero infimum via a Gröbner basis ``[1]``.

    Returns a Result (kind ``fsmf.attainment``) with verdict ``"not-attained"`` when the
    system ``X Y^T = A`` is infeasible and a family with loss tending to 0 is known (the LU
    example, certificate ``family``: points at ``eps = 1/10, 1/100, 1/1000``, losses
    ``eps^4``), ``"exact"``
    when ``A`` has an exact factorization (the infimum 0 would be attained),
    ``"infeasible"`` when no exact factorization exists (nothing is claimed about the
    infimum), and the Gröbner basis evidence.

    Notes
    -----
    LU example [1]_: ``I = J = tril(ones(2, 2))``, ``A = [[0, 1], [1, 0]]``: ``inf L = 0``
    (losses ``eps^2``) but ``x_00 y_00 = 0``, ``x_00 y_10 = 1``, ``x_10 y_00 = 1`` have no
    common solution: the Gröbner basis is ``[1]``.
    """
    infeasible = no_exact_factorization(A, I, J, backend)
    Af, I2, J2 = _validate(A, I, J)
    family = []
    if infeasible and str(I2) == "10/11" and str(J2) == "10/11" and \
            [list(r) for r in Af] == [[0, 1], [1, 0]]:
        family = [lu_family(Fraction(1, 10 ** k)) for k in (1, 2, 3)]
    verdict = "exact" if not infeasible else ("not-attained" if family else "infeasible")
    return Result(kind="fsmf.attainment", verdict=verdict,
                  certificate={"groebner_is_one": infeasible, "family": family},
                  theorem="fsmf.attainment", backend=backend)

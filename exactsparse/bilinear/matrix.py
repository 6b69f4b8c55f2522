"""Matrix and Hadamard analogues of the pitfall: which factorizations a penalty on both
factors prefers, evaluated exactly.

- ``min { ½(‖U‖_F² + ‖V‖_F²) : U Vᵀ = M } = ‖M‖_*`` (nuclear norm), attained by
  ``U = P Σ^½``, ``V = Q Σ^½`` from an SVD ``M = P Σ Qᵀ``.
- ``min { Σ_k ‖u_k‖₁ ‖v_k‖₁ : U Vᵀ = M, any rank } = ‖M‖₁`` (entrywise), attained by one atom
  ``M_ij e_i e_jᵀ`` per nonzero entry: ℓ1 on both factors selects a *degenerate*
  factorization (rank = number of nonzeros), not sparse low-rank factors.
- ``β = u ⊙ v``: ``min ‖u‖₁ + ‖v‖₁ = 2 Σ √|β_i|`` (an ℓ½-type penalty on β) and
  ``min ½(‖u‖² + ‖v‖²) = ‖β‖₁``, both attained at ``|u_i| = |v_i| = √|β_i|``.
- Applied to the column scales of ``X Yᵀ = (X D)(Y D⁻¹)ᵀ`` — the rescaling ambiguity of
  fixed-support factorization — the same identities give the balanced penalties
  (:func:`rescaling_minimum`).

All values are exact (rationals, square roots, ``CRootOf``) as sympy expressions.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exact import as_matrix, to_fractions
from ..exceptions import ArgumentError, ShapeError, SizeLimitError, show
from ._common import as_signal

__all__ = ["FactorizationValue", "nuclear_norm", "nuclear_factorization", "frobenius_cost",
           "l1_atoms", "l1_bilinear_cost", "hadamard_l1", "hadamard_l2", "rescaling_minimum"]


@dataclass(frozen=True)
class FactorizationValue:
    """An exact minimum ``value`` (sympy expression), its ``value_float`` and factors
    ``U``, ``V`` attaining it (tuples; exact where possible, floats for the SVD factors)."""

    name: str
    value: object
    value_float: float
    U: tuple
    V: tuple


def _rows(M, name="M"):
    return to_fractions(as_matrix(M, name))


def _real_rows(M, name):
    """``M`` as a list of rows of finite real numbers (ints, Fractions or floats kept as
    they are); typed error otherwise."""
    try:
        if isinstance(M, (str, bytes, dict)):
            raise TypeError
        rows = [list(r) for r in M]
        if any(isinstance(r, (str, bytes, dict)) for r in M):
            raise TypeError
    except TypeError:
        raise ShapeError(f"Argument {name!r} must be a 2-D matrix, not {show(M)}.") from None
    for r in rows:
        for k, v in enumerate(r):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or (
                    isinstance(v, (float, np.floating)) and not math.isfinite(v)):
                raise ArgumentError(f"Argument {name!r} must hold finite real numbers, not "
                                    f"{show(v)}.")
            if isinstance(v, np.integer):
                r[k] = int(v)
            elif isinstance(v, np.floating):
                r[k] = float(v)
    return rows


def _sym(f):
    import sympy
    f = Fraction(f)
    return sympy.Rational(f.numerator, f.denominator)


def nuclear_norm(M):
    """The nuclear norm ``Σ σ_i`` of a rational matrix, exactly: ``Σ √λ`` over the eigenvalues
    λ of ``MᵀM`` (roots of its characteristic polynomial, in radicals when of degree ≤ 2,
    else ``CRootOf``).

    >>> nuclear_norm([[3, 0], [4, 5]])            # σ = 3√5, √5
    4*sqrt(5)
    >>> nuclear_norm([[1, 2], [2, 4]])
    5
    """
    import sympy
    A = _rows(M)
    G = sympy.Matrix([[sum((_sym(A[k][i]) * _sym(A[k][j]) for k in range(len(A))),
                           sympy.Integer(0)) for j in range(len(A[0]))]
                      for i in range(len(A[0]))])
    t = sympy.Symbol("t")
    total = sympy.Integer(0)
    for factor, mult in sympy.factor_list(G.charpoly(t).as_expr(), t)[1]:
        poly = sympy.Poly(factor, t)
        roots = sympy.roots(poly) if poly.degree() <= 2 else \
            {sympy.CRootOf(poly, i): 1 for i in range(poly.degree())}
        for root, m in roots.items():
            if root != 0:
                total += mult * m * sympy.sqrt(root)
    return sympy.nsimplify(sympy.radsimp(total)) if total.is_algebraic and not \
        total.has(sympy.CRootOf) else total


def nuclear_factorization(M):
    """``U = P Σ^½``, ``V = Q Σ^½`` (floats) with ``U Vᵀ = M`` and ``½(‖U‖² + ‖V‖²) = ‖M‖_*``.

    >>> r = nuclear_factorization([[3, 0], [4, 5]])
    >>> r.value, round(r.value_float, 9), round(float(frobenius_cost(r.U, r.V)), 9)
    (4*sqrt(5), 8.94427191, 8.94427191)
    """
    import numpy as np
    A = np.array([[float(v) for v in row] for row in _rows(M)])
    P, s, Qt = np.linalg.svd(A, full_matrices=False)
    U, V = P * np.sqrt(s), Qt.T * np.sqrt(s)
    value = nuclear_norm(M)
    return FactorizationValue("nuclear", value, float(value.evalf(30)),
                              tuple(map(tuple, U)), tuple(map(tuple, V)))


def frobenius_cost(U, V):
    """``½(‖U‖_F² + ‖V‖_F²)`` (exact for exact input, float otherwise)."""
    U, V = _real_rows(U, "U"), _real_rows(V, "V")
    try:
        total = sum(v * v for row in U + V for v in row)
    except OverflowError:      # a float beside an integer too large for a float
        raise SizeLimitError("Arguments 'U', 'V' mix floats with integers too large to "
                             "convert to float; give exact entries (int, Fraction, 'p/q') "
                             "throughout, or floats throughout.") from None
    return Fraction(total) / 2 if isinstance(total, (int, Fraction)) else total / 2


def l1_atoms(M):
    """The single-entry factorization: ``U = [M_ij e_i]``, ``V = [e_j]`` over the nonzero entries
    (k = their number), with ``U Vᵀ = M`` and ``Σ_k ‖u_k‖₁ ‖v_k‖₁ = ‖M‖₁``, the minimum over
    factorizations of any rank (``Σ_k ‖u_k‖₁‖v_k‖₁ ≥ Σ_ij |Σ_k u_ik v_jk|``).

    >>> r = l1_atoms([[1, 2], [3, 4]])
    >>> r.value, len(r.U[0]), l1_bilinear_cost(r.U, r.V)
    (10, 4, Fraction(10, 1))
    """
    A = _rows(M)
    m, n = len(A), len(A[0])
    nz = [(i, j) for i in range(m) for j in range(n) if A[i][j]]
    if not nz:
        raise ArgumentError("Argument 'M' must have a nonzero entry (the zero matrix has the "
                            "empty factorization).")
    U = tuple(tuple(A[i][j] if i == r else Fraction(0) for (i, j) in nz) for r in range(m))
    V = tuple(tuple(Fraction(1) if j == c else Fraction(0) for (i, j) in nz) for c in range(n))
    value = sum(abs(A[i][j]) for i, j in nz)
    try:
        value_float = float(value)
    except OverflowError:
        raise SizeLimitError("Argument 'M' gives an l1-atoms value that does not fit a "
                             "float.") from None
    return FactorizationValue("l1-atoms", _sym(value), value_float, U, V)


def l1_bilinear_cost(U, V):
    """``Σ_k ‖u_k‖₁ ‖v_k‖₁`` over the columns of ``U`` and ``V`` (exact)."""
    U, V = _rows(U, "U"), _rows(V, "V")
    if len(U[0]) != len(V[0]):
        raise ShapeError(f"Arguments 'U' and 'V' must have as many columns, not {len(U[0])} "
                         f"and {len(V[0])}.")
    return sum((sum(abs(r[k]) for r in U) * sum(abs(r[k]) for r in V)
                for k in range(len(U[0]))), Fraction(0))


def _hadamard(beta):
    import sympy
    b = as_signal(beta, "beta", allow_zero=True)
    u = tuple(sympy.sign(_sym(t)) * sympy.sqrt(_sym(abs(t))) for t in b)
    v = tuple(sympy.sqrt(_sym(abs(t))) for t in b)
    return b, u, v


def hadamard_l1(beta):
    """``min {‖u‖₁ + ‖v‖₁ : u ⊙ v = β} = 2 Σ √|β_i|`` with the minimiser
    ``u = sign(β)√|β|``, ``v = √|β|`` (AM–GM per coordinate).

    >>> r = hadamard_l1([4, -2, 0])
    >>> r.value, [a * b for a, b in zip(r.U, r.V)]
    (2*sqrt(2) + 4, [4, -2, 0])
    """
    import sympy
    b, u, v = _hadamard(beta)
    value = 2 * sum((sympy.sqrt(_sym(abs(t))) for t in b), sympy.Integer(0))
    return FactorizationValue("hadamard-l1", value, float(value.evalf(30)), u, v)


def hadamard_l2(beta):
    """``min {½(‖u‖² + ‖v‖²) : u ⊙ v = β} = ‖β‖₁``, attained at the same ``u``, ``v``.

    >>> hadamard_l2([4, -2, 0]).value
    6
    """
    b, u, v = _hadamard(beta)
    value = _sym(sum(abs(t) for t in b))
    return FactorizationValue("hadamard-l2", value, float(value), u, v)


def rescaling_minimum(U, V, penalty="l1"):
    """Minimum over positive diagonal ``D`` of the penalty of ``(U D, V D⁻¹)`` (same product):
    ``2 Σ_k √(‖u_k‖₁ ‖v_k‖₁)`` for ``‖U‖₁ + ‖V‖₁`` and ``Σ_k ‖u_k‖₂ ‖v_k‖₂`` for
    ``½(‖U‖_F² + ‖V‖_F²)`` — the Hadamard identities applied to the column scales.

    >>> rescaling_minimum([[1, 0], [1, 2]], [[4, 1], [0, 1]])     # 2√(2·4) + 2√(2·2)
    4 + 4*sqrt(2)
    >>> rescaling_minimum([[3], [4]], [[1], [0]], penalty="l2")
    5
    """
    import sympy
    U, V = _rows(U, "U"), _rows(V, "V")
    if len(U[0]) != len(V[0]):
        raise ShapeError(f"Arguments 'U' and 'V' must have as many columns, not {len(U[0])} "
                         f"and {len(V[0])}.")
    if not isinstance(penalty, str) or penalty not in ("l1", "l2"):
        raise ArgumentError(f"Argument 'penalty' must be 'l1' or 'l2', not {show(penalty)}.")
    total = sympy.Integer(0)
    for k in range(len(U[0])):
        if penalty == "l1":
            a, b = sum(abs(r[k]) for r in U), sum(abs(r[k]) for r in V)
            total += 2 * sympy.sqrt(_sym(a * b))
        else:
            a, b = sum(r[k] ** 2 for r in U), sum(r[k] ** 2 for r in V)
            total += sympy.sqrt(_sym(a * b))
    return total

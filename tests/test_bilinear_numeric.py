"""The numerical demonstration and the matrix/Hadamard identities of exactsparse.bilinear,
against independent routes (scipy minimisation, numpy SVD, exact AM–GM on random data)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

from exactsparse.bilinear import (cost_gap_grid, deconv_descent, frobenius_cost, global_cost,
                                  hadamard_l1, hadamard_l2, l1_atoms, l1_bilinear_cost,
                                  nuclear_factorization, nuclear_norm, ray_cost,
                                  rescaling_minimum)


# ----------------------------------------------------------------------------- numerics
def test_ray_cost_against_scipy():
    y = np.array([1.0, -2.0, 0.5])
    Y = y @ y
    for Q, lam in ((2.0, 0.3), (5.0, 1.0), (1.0, 10.0)):
        f = lambda t: 0.5 * Y * (1 - t) ** 2 + lam * Q * t  # noqa: E731
        ref = minimize_scalar(f, bounds=(0, 1), method="bounded", options={"xatol": 1e-12}).fun
        assert ray_cost(y, Q, lam) == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("norm", ["l2", "l1"])
def test_global_cost_against_scipy(norm):
    """min_z ½‖y − z‖² + λ N(z) by a derivative-free minimiser from several starts."""
    rng = np.random.default_rng(3)
    y, lam = rng.standard_normal(4), 0.4
    N = (lambda z: np.abs(z).sum()) if norm == "l1" else np.linalg.norm
    f = lambda z: 0.5 * np.sum((y - z) ** 2) + lam * N(z)  # noqa: E731
    ref = min(minimize(f, z0, method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}).fun
              for z0 in (y, np.zeros(4), rng.standard_normal(4)))
    assert global_cost(y, lam, norm) == pytest.approx(ref, abs=1e-7)


def test_spec_sentence_fails_for_l1_normalisation():
    """For N = ℓ1 the best point of the trivial ray (h = y/‖y‖₁) is not a global minimiser of
    the penalised problem when the entries of y differ: the soft-thresholded Dirac pair is
    strictly better.  For N = ℓ2 they coincide."""
    y = np.convolve([3, 0, 0, 4], [0.6, 0.8])
    lam = 0.5
    assert global_cost(y, lam, "l1") < ray_cost(y, np.abs(y).sum(), lam) - 1e-3
    assert global_cost(y, lam, "l2") == ray_cost(y, np.linalg.norm(y), lam)


def test_descent_is_monotone_and_drifts():
    rng = np.random.default_rng(1)
    x0 = np.zeros(32)
    x0[rng.choice(32, 4, replace=False)] = rng.standard_normal(4)
    h0 = rng.standard_normal(5)
    t = deconv_descent(x0, h0, lam=0.1, iters=1500)
    assert np.all(np.diff(t.objective) <= 1e-10)
    assert t.objective[0] == pytest.approx(0.5 * 0 + 0.1 * np.abs(x0).sum()
                                           * np.linalg.norm(h0))
    assert t.below_planted                       # leaves the truth
    assert t.trivial_cost < t.planted_cost
    # circular convolution, random start: reaches the exact global minimum, a Dirac
    h0c = np.concatenate([h0, np.zeros(27)])
    t = deconv_descent(x0, h0c, lam=0.1, circular=True, start="random", iters=3000)
    assert t.reached_global and t.dirac[-1] == pytest.approx(1.0)


def test_descent_random_start_reaches_trivial_on_spec_example():
    wins = [deconv_descent([3, 0, 0, 4], [0.6, 0.8], lam=0.5, iters=1000, start="random",
                           seed=s).reached_global for s in range(6)]
    assert sum(wins) >= 3


def test_cost_gap_grid_consistent():
    g = cost_gap_grid(24, (1, 3), (1, 5), trials=10, seed=2)
    assert np.all(g.trivial <= g.planted + 1e-12)
    assert g.wins[0, 0] == 0 and g.wins[1].min() == 1.0   # one spike ties; three always lose


def test_plots_draw():
    pytest.importorskip("matplotlib", reason="plots need the 'plot' extra (matplotlib)")
    import matplotlib
    matplotlib.use("Agg")
    from exactsparse.bilinear import plot_cost_gap, plot_trajectory
    ax = plot_cost_gap(cost_gap_grid(16, (1, 2), (1, 2), trials=2))
    assert len(ax.images) == 1
    ax = plot_trajectory(deconv_descent([3, 0, 0, 4], [0.6, 0.8], lam=0.5, iters=10))
    assert len(ax.lines) == 3


# ----------------------------------------------------------------------------- matrices
def _random_rational(rng, m, n, den=4):
    return [[Fraction(int(rng.integers(-6, 7)), int(rng.integers(1, den + 1)))
             for _ in range(n)] for _ in range(m)]


def _matmul(U, V):
    return [[sum(U[i][k] * V[j][k] for k in range(len(U[0]))) for j in range(len(V))]
            for i in range(len(U))]


@pytest.mark.parametrize("seed", range(5))
def test_nuclear_norm_matches_svd_and_bounds_factorizations(seed):
    rng = np.random.default_rng(seed)
    m, n, r = 3, 3, int(rng.integers(1, 4))
    U, V = _random_rational(rng, m, r), _random_rational(rng, n, r)
    M = _matmul(U, V)
    if not any(any(row) for row in M):
        return
    value = nuclear_norm(M)
    ref = np.linalg.svd(np.array(M, dtype=float), compute_uv=False).sum()
    assert float(value.evalf(30)) == pytest.approx(ref, rel=1e-12)
    assert float(frobenius_cost(U, V)) >= ref - 1e-12         # AM–GM, any factorization
    f = nuclear_factorization(M)
    assert np.allclose(np.array(f.U) @ np.array(f.V).T, np.array(M, float))
    assert frobenius_cost(f.U, f.V) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_l1_atoms_minimal_over_random_factorizations(seed):
    rng = np.random.default_rng(seed)
    U, V = _random_rational(rng, 3, 2), _random_rational(rng, 4, 2)
    M = _matmul(U, V)
    if not any(any(row) for row in M):
        return
    a = l1_atoms(M)
    assert _matmul(a.U, a.V) == M
    norm1 = sum(abs(v) for row in M for v in row)
    assert a.value == norm1 and l1_bilinear_cost(a.U, a.V) == norm1
    assert l1_bilinear_cost(U, V) >= norm1                    # exact inequality
    assert len(a.U[0]) == sum(1 for row in M for v in row if v)   # rank = number of nonzeros


@pytest.mark.parametrize("seed", range(5))
def test_hadamard_identities(seed):
    import sympy
    rng = np.random.default_rng(seed)
    beta = [Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 4))) for _ in range(4)]
    r1, r2 = hadamard_l1(beta), hadamard_l2(beta)
    for r in (r1, r2):
        assert [sympy.simplify(a * b) for a, b in zip(r.U, r.V)] == \
            [sympy.Rational(b.numerator, b.denominator) for b in beta]
    l1 = sum(abs(float(b)) for b in beta)
    assert r1.value_float == pytest.approx(2 * sum(np.sqrt(abs(float(b))) for b in beta))
    assert r2.value == sympy.Rational(sum(abs(b) for b in beta).numerator,
                                      sum(abs(b) for b in beta).denominator)
    assert r2.value_float == pytest.approx(l1)
    # random factorizations u ⊙ v = β cost at least the minima
    for _ in range(20):
        u = [Fraction(int(rng.integers(1, 9)), int(rng.integers(1, 5))) * (1 - 2 * (b < 0))
             for b in beta]
        v = [b / a for a, b in zip(u, beta)]
        assert float(sum(abs(a) + abs(b) for a, b in zip(u, v))) >= r1.value_float - 1e-12
        assert float(sum(a * a + b * b for a, b in zip(u, v)) / 2) >= l1 - 1e-12


def test_rescaling_minimum_against_scipy():
    U = np.array([[1.0, 0.5], [2.0, -1.0], [0.0, 3.0]])
    V = np.array([[4.0, 1.0], [0.0, -2.0]])
    for pen, f in (("l1", lambda d: np.abs(U * d).sum() + np.abs(V / d).sum()),
                   ("l2", lambda d: 0.5 * ((U * d) ** 2).sum() + 0.5 * ((V / d) ** 2).sum())):
        ref = minimize(lambda s: f(np.exp(s)), np.zeros(2), method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-12}).fun
        exact = rescaling_minimum([[Fraction(v) for v in r] for r in U],
                                  [[Fraction(v) for v in r] for r in V], pen)
        assert float(exact) == pytest.approx(ref, rel=1e-7)

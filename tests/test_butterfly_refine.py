"""Whole-chain refinement (exactsparse.butterfly.refine).

Independent checks: the dense products of ``to_scipy`` (the error, and the gradient of
``‖A − L X_k R‖²`` on the support of ``X_k`` at the moment of its update, which must vanish
for an exact block-coordinate step), and the monotonicity of the history.
"""

import numpy as np
import pytest
import scipy.fft
from hypothesis import given, settings, strategies as st

from exactsparse.butterfly import (ButterflyFactors, butterfly_factorize, butterfly_patterns,
                                   chain_ranks, monarch_patterns)
from exactsparse.butterfly.refine import STOP_REASONS, Refinement, refine

CHAINS = [
    (butterfly_patterns(16), (16, 16)),
    (monarch_patterns(16), (16, 16)),
    ([(1, 4, 8, 4), (4, 8, 4, 1)], (16, 16)),               # rank 2
    ([(1, 2, 4, 4), (2, 4, 4, 2), (4, 4, 4, 1)], (8, 16)),  # rank 2, three factors
    ([(2, 3, 4, 2), (4, 4, 3, 1)], (12, 12)),               # block-diagonal product
]


def _dense(F):
    return [m.toarray() for m in F.to_scipy()]


def _noisy_butterfly(N, noise, seed=0):
    rng = np.random.default_rng(seed)
    pats = butterfly_patterns(N)
    Z = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    return Z + noise * np.linalg.norm(Z) / N * rng.standard_normal(Z.shape)


@pytest.mark.parametrize("pats,shape", CHAINS, ids=lambda v: str(v))
@pytest.mark.parametrize("cplx", [False, True])
def test_each_step_is_an_exact_least_squares_solve(pats, shape, cplx):
    rng = np.random.default_rng(1)
    pats = chain_ranks(pats)[0]
    A = rng.standard_normal(shape)
    if cplx:
        A = A + 1j * rng.standard_normal(shape)
    F = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats])
    out = refine(F, A, max_iter=1, rtol=0.5)
    old, new = _dense(F), _dense(out.factors)
    for k, p in enumerate(pats):
        L = np.eye(shape[0])
        for M in new[:k]:
            L = L @ M
        R = np.eye(p.shape[1])
        for M in old[k + 1:]:
            R = R @ M
        grad = L.conj().T @ (L @ new[k] @ R - A) @ R.conj().T
        S = p.to_scipy().toarray() > 0
        scale = np.linalg.norm(L) * np.linalg.norm(R) * np.linalg.norm(A)
        assert np.abs(grad[S]).max() <= 1e-12 * scale
    prod = np.linalg.multi_dot(new) if len(new) > 1 else new[0]
    err = np.linalg.norm(A - prod) / np.linalg.norm(A)
    assert abs(err - out.error) <= 1e-12
    assert out.error <= out.initial_error


def test_history_never_increases_and_improves_noisy_butterfly():
    A = _noisy_butterfly(64, 0.1)
    F = butterfly_factorize(A)
    out = refine(F, A, max_iter=30, rtol=1e-6, budget=60)
    errs = [e for _, e in out.history]
    times = [t for t, _ in out.history]
    assert errs[0] == pytest.approx(F.relative_error(A), rel=1e-12)
    assert all(b <= a for a, b in zip(errs, errs[1:]))
    assert all(b >= a for a, b in zip(times, times[1:]))
    assert errs[-1] < errs[0]
    assert out.factors.relative_error(A) == pytest.approx(out.error, rel=1e-10)
    assert out.stop_reason in STOP_REASONS and not out.factors.optimal


def test_improves_dct_strictly():
    N = 64
    A = scipy.fft.dct(np.eye(N), norm="ortho", axis=0)
    F = butterfly_factorize(A)
    e0 = F.relative_error(A)
    out = refine(F, A, max_iter=10, rtol=1e-8, budget=60)
    assert out.factors.relative_error(A) < e0 - 1e-3
    assert out.sweeps >= 1


def test_random_orthogonal_and_permutation_kept():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.standard_normal((32, 32)))
    with pytest.warns(Warning, match="not a butterfly product"):
        F = butterfly_factorize(Q, perm="bitrev")
    out = refine(F, Q, max_iter=5)
    assert np.array_equal(out.factors.perm, F.perm)
    assert out.factors.relative_error(Q) < F.relative_error(Q)


def test_stops_on_rtol():
    A = _noisy_butterfly(32, 0.05)
    out = refine(butterfly_factorize(A), A, rtol=0.5, max_iter=50)
    assert out.stop_reason == "rtol" and out.sweeps == 1


def test_stops_on_max_iter():
    A = np.random.default_rng(3).standard_normal((32, 32))
    out = refine(butterfly_factorize(A), A, rtol=1e-12, max_iter=2, budget=None)
    assert out.stop_reason == "max_iter" and out.sweeps == 2 and len(out.history) == 3


def test_stops_on_budget():
    A = np.random.default_rng(4).standard_normal((256, 256))
    F = butterfly_factorize(A)
    out = refine(F, A, budget=1e-9, rtol=1e-12, max_iter=10**6)
    assert out.stop_reason == "budget" and out.sweeps == 0
    assert out.error == pytest.approx(F.relative_error(A), rel=1e-12)
    out = refine(F, A, budget=0.3, rtol=1e-12, max_iter=10**6)
    assert out.stop_reason == "budget"
    assert out.factors.relative_error(A) <= F.relative_error(A) + 1e-12
    assert out.factors.relative_error(A) == pytest.approx(out.error, rel=1e-9)


def test_exact_input_stops_at_once():
    pats = butterfly_patterns(16)
    rng = np.random.default_rng(5)
    Z = ButterflyFactors(pats, [rng.integers(-2, 3, p.twiddle_shape).astype(float)
                                for p in pats]).todense()
    out = refine(butterfly_factorize(Z), Z)
    assert out.error < 1e-14 and out.stop_reason in ("exact", "rtol")


def test_two_factor_optimum_is_a_fixed_point():
    A = np.random.default_rng(6).standard_normal((16, 16))
    F = butterfly_factorize(A, monarch_patterns(16))
    out = refine(F, A, max_iter=3)
    assert out.error == pytest.approx(F.relative_error(A), rel=1e-12)
    assert out.stop_reason == "rtol"


def test_to_dict():
    A = _noisy_butterfly(16, 0.1)
    out = refine(butterfly_factorize(A), A, max_iter=2)
    d = out.to_dict()
    assert isinstance(out, Refinement)
    assert set(d) == {"stop_reason", "sweeps", "initial_error", "error", "history"}
    assert d["history"][0][0] == 0.0


def test_cli_refine(tmp_path, capsys):
    import json
    from exactsparse.cli import main
    A = np.random.default_rng(7).standard_normal((32, 32))
    path = tmp_path / "A.npy"
    np.save(path, A)
    assert main(["butterfly", "factorize", "--matrix", str(path), "--json", "--quiet"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["optimal"] is False and "refine_stop" not in plain
    assert main(["butterfly", "factorize", "--matrix", str(path), "--refine", "5", "--json",
                 "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(plain) < set(data)
    assert data["refine_stop"] in STOP_REASONS and data["refine_sweeps"] >= 1
    assert data["initial_error"] == pytest.approx(plain["relative_error"], rel=1e-12)
    assert data["relative_error"] < data["initial_error"]
    np.save(path, A[:4, :4])               # N = 4: two factors, the exact projection
    assert main(["butterfly", "factorize", "--matrix", str(path), "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["optimal"] is True


@settings(max_examples=15, deadline=None)
@given(st.integers(0, len(CHAINS) - 1), st.integers(0, 2**31 - 1), st.integers(1, 4))
def test_refine_is_monotone(idx, seed, sweeps):
    pats, shape = CHAINS[idx]
    rng = np.random.default_rng(seed)
    A = rng.standard_normal(shape)
    F = butterfly_factorize(A, pats)
    out = refine(F, A, max_iter=sweeps, rtol=1e-12, budget=None)
    errs = [e for _, e in out.history]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(errs, errs[1:]))
    assert out.factors.relative_error(A) == pytest.approx(out.error, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("cplx", [False, True])
def test_lbfgs_improves_and_is_monotone(cplx):
    N = 32
    A = scipy.fft.dct(np.eye(N), norm="ortho", axis=0)
    if cplx:
        A = A + 0.5j * np.random.default_rng(8).standard_normal((N, N))
    F = butterfly_factorize(A)
    out = refine(F, A, method="lbfgs", max_iter=30, rtol=1e-9, budget=60)
    errs = [e for _, e in out.history]
    assert all(b <= a for a, b in zip(errs, errs[1:]))
    assert out.factors.relative_error(A) < F.relative_error(A) - 1e-3
    assert out.factors.relative_error(A) == pytest.approx(out.error, rel=1e-9)
    assert out.stop_reason in ("max_iter", "rtol")


def test_lbfgs_first_iteration_descends():
    """One L-BFGS iteration from a random start lowers the error on each of a few chains
    (its first direction is minus the gradient: a wrong gradient would not descend)."""
    for pats, shape in CHAINS:
        rng = np.random.default_rng(9)
        pats = chain_ranks(pats)[0]
        A = rng.standard_normal(shape)
        F = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats])
        out = refine(F, A, method="lbfgs", max_iter=1, rtol=1e-12)
        assert out.error < out.initial_error
        assert out.factors.relative_error(A) == pytest.approx(out.error, rel=1e-9)


def test_lbfgs_budget():
    A = np.random.default_rng(10).standard_normal((256, 256))
    F = butterfly_factorize(A)
    out = refine(F, A, method="lbfgs", budget=0.3, rtol=1e-12, max_iter=10**6)
    assert out.stop_reason == "budget"
    assert out.factors.relative_error(A) <= F.relative_error(A) + 1e-12


@pytest.mark.parametrize("method", ["bcd", "lbfgs"])
@pytest.mark.parametrize("e", [-1060, -1000, -560, 520, 1000])
def test_refine_is_scale_equivariant(e, method):
    # before: entries below ~1e-162 squared to 0 (initial error 0.0, stop "exact", nothing
    # refined, true error 0.89); above ~1e154 an ArgumentError "too large to square"
    A = np.random.default_rng(4).standard_normal((32, 32))
    ref = refine(butterfly_factorize(A), A, max_iter=6, method=method)
    As = np.ldexp(A, e)                     # exact (e = -1060: subnormal entries, 14 bits)
    out = refine(butterfly_factorize(As), As, max_iter=6, method=method)
    tol = 1e-3 if e < -1022 else 1e-9
    assert out.initial_error == pytest.approx(ref.initial_error, rel=tol)
    assert out.error < out.initial_error and out.stop_reason != "exact"
    if method == "bcd":        # L-BFGS-B uses absolute tolerances: not scale-equivariant
        assert out.error == pytest.approx(ref.error, rel=tol)
    # the reported error is that of the returned factors, against As (numpy, rescaled)
    Z = np.ldexp(np.linalg.multi_dot(_dense(out.factors)), -e)
    true = np.linalg.norm(Z - A) / np.linalg.norm(A)
    assert np.isfinite(Z).all() and true == pytest.approx(out.error, rel=tol)

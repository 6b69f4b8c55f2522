"""Scale equivariance of butterfly_factorize and a scale-safe relative_error.

Expected values come from an independent route: the same input at unit scale, and a
relative error computed here with numpy after dividing by max |A| (so it cannot under- or
overflow), never from ``relative_error`` itself.
"""

import numpy as np
import pytest
import scipy.linalg

from exactsparse.butterfly import ButterflyFactors, butterfly_factorize, butterfly_patterns
from exactsparse.butterfly.numeric import rescaled


def independent_error(F, A):
    """``‖A − Z‖_F / ‖A‖_F`` per batch member, both divided by ``max |A|`` first."""
    A = np.asarray(A)
    Z = F.todense()
    s = np.abs(A).max(axis=(-2, -1), keepdims=True)
    s = np.where(s == 0, 1, s)
    A, Z = A.astype(np.complex128) / s, Z.astype(np.complex128) / s
    num = np.sqrt(np.sum(np.abs(A - Z) ** 2, axis=(-2, -1)))
    den = np.sqrt(np.sum(np.abs(A) ** 2, axis=(-2, -1)))
    return num / np.where(den == 0, 1, den)


def _product(N, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    pats = butterfly_patterns(N)
    return ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]
                            ).todense().astype(dtype)


def _inputs(dtype):
    rng = np.random.default_rng(1)
    Z = _product(64, dtype=dtype)
    return {"hadamard": scipy.linalg.hadamard(64).astype(dtype),
            "noisy": (Z + 1e-3 * np.abs(Z).max() * rng.standard_normal(Z.shape)).astype(dtype),
            "random": rng.standard_normal((32, 32)).astype(dtype)}


def _same_error(scaled, unit, rtol, floor):
    """Equal up to ``rtol`` relative, or both at the rounding floor."""
    return abs(scaled - unit) <= rtol * unit or (scaled <= floor and unit <= floor)


F64_SCALES = [2.0 ** 250, 2.0 ** -250, 1e80, 1e-90, 1e-300, 1e300, 2.0 ** -1000]
F32_SCALES = [2.0 ** 40, 2.0 ** -40, 3e8, 1e-13, 1e-12, 1e30, 1e-30]


@pytest.mark.parametrize("s", F64_SCALES)
@pytest.mark.parametrize("name", ["hadamard", "noisy", "random"])
def test_float64_error_is_scale_free(s, name):
    A = _inputs(np.float64)[name]
    unit = independent_error(butterfly_factorize(A), A)
    As = A * s
    F = butterfly_factorize(As)
    assert all(np.isfinite(t).all() for t in F.twiddles)
    err = independent_error(F, As)
    assert _same_error(err, unit, 1e-12, 1e-14), (err, unit)
    assert _same_error(F.relative_error(As), unit, 1e-12, 1e-14)


@pytest.mark.parametrize("s", F32_SCALES)
@pytest.mark.parametrize("name", ["hadamard", "noisy", "random"])
def test_float32_error_is_scale_free(s, name):
    A = _inputs(np.float32)[name]
    unit = independent_error(butterfly_factorize(A), A)
    As = (A.astype(np.float64) * s).astype(np.float32)
    F = butterfly_factorize(As)
    assert F.twiddles[0].dtype == np.float32
    err = independent_error(F, As)
    assert _same_error(err, unit, 1e-4, 1e-6), (err, unit)


@pytest.mark.parametrize("s,dtype", [(1e80, np.float64), (1e-90, np.float64),
                                     (1e-300, np.float64), (3e8, np.float32),
                                     (1e-13, np.float32), (1e-12, np.float32)])
def test_the_reported_cases_at_n_1024(s, dtype):
    A = (scipy.linalg.hadamard(1024) * s).astype(dtype)
    F = butterfly_factorize(A)
    floor = 1e-14 if dtype == np.float64 else 1e-6
    assert independent_error(F, A) <= floor
    assert F.relative_error(A) <= floor


@pytest.mark.parametrize("k", [250, -250, 40, -700])
def test_power_of_two_scale_goes_into_the_factors(k):
    A = _inputs(np.float64)["noisy"]
    F, G = butterfly_factorize(A), butterfly_factorize(np.ldexp(A, k))
    assert np.allclose(np.ldexp(G.todense(), -k), F.todense(), rtol=0,
                       atol=1e-12 * np.abs(A).max())


@pytest.mark.parametrize("s", [2.0 ** 250, 1e-200])
def test_complex_dft_with_bit_reversal(s):
    D = np.fft.fft(np.eye(64))
    F = butterfly_factorize(D * s, perm="bitrev", tree="balanced")
    assert independent_error(F, D * s) < 1e-13


def test_auto_permutations_at_a_tiny_scale():
    rng = np.random.default_rng(3)
    Z = _product(32)
    c = rng.permutation(32)
    A = Z[:, c] * 1e-250
    F = butterfly_factorize(A, perm="auto")
    assert independent_error(F, A) < 1e-12


def test_batch_members_are_scaled_separately():
    A = _inputs(np.float64)["noisy"]
    unit = independent_error(butterfly_factorize(A), A)
    B = np.stack([A * 1e-200, A, A * 1e200, np.zeros_like(A)])
    F = butterfly_factorize(B)
    err = independent_error(F, B)
    assert np.allclose(err[:3], unit, rtol=1e-12, atol=0)
    assert err[3] == 0 and not F[3].todense().any()
    assert np.allclose(F.relative_error(B)[:3], unit, rtol=1e-12, atol=0)


def test_zero_matrix():
    Z = np.zeros((16, 16))
    F = butterfly_factorize(Z)
    assert not F.todense().any() and F.relative_error(Z) == 0.0
    assert rescaled(Z)[1] is None


def test_ordinary_inputs_are_not_copied():
    A = _inputs(np.float64)["noisy"]
    B, shift = rescaled(A)
    assert B is A and shift is None
    assert rescaled(np.ldexp(A, 300))[1] is not None


def test_large_entries_the_sample_misses():
    # three rows in four far above the rest: found by the scattered sample (or the retry)
    H = scipy.linalg.hadamard(256).astype(float)
    r = np.arange(256) % 4 == 0
    A = H.copy()
    A[r] *= 2.0 ** 100
    A[~r] *= 2.0 ** 300
    assert independent_error(butterfly_factorize(A), A) < 1e-13
    one = np.ones((64, 64))
    one[37, 11] = 1e200                   # one huge entry: a retry after the overflow
    unit = independent_error(butterfly_factorize(one / 1e200), one / 1e200)
    F = butterfly_factorize(one)
    assert _same_error(independent_error(F, one), unit, 1e-6, 1e-14)


@pytest.mark.parametrize("s,dtype", [(1e-300, np.float64), (1e18, np.float32),
                                     (1e-30, np.float32), (1e300, np.float64)])
def test_relative_error_is_scale_safe(s, dtype):
    A = _inputs(np.float64)["noisy"]
    F = butterfly_factorize(A)
    unit = independent_error(F, A)
    G = ButterflyFactors(F.patterns, [F.twiddles[0] * s, *F.twiddles[1:]])
    G = ButterflyFactors(G.patterns, [t.astype(dtype) for t in G.twiddles])
    As = (A * s).astype(dtype)
    got = G.relative_error(As)
    assert np.isfinite(got) and abs(got - unit) <= (1e-10 if dtype == np.float64 else 1e-3) * unit
    H = (scipy.linalg.hadamard(256) * 1e18).astype(np.float32)
    assert butterfly_factorize(H).relative_error(H) < 1e-6


def test_relative_error_of_ordinary_input_unchanged():
    A = _inputs(np.float64)["random"]
    F = butterfly_factorize(A)
    expected = np.linalg.norm(A - F.todense()) / np.linalg.norm(A)
    assert abs(F.relative_error(A) - expected) <= 1e-15 * expected
    Z = np.zeros_like(A)
    assert F.relative_error(Z) == pytest.approx(np.linalg.norm(F.todense()))

"""Leftovers of the butterfly review: a time budget for the permutation search (library and
``--perm-budget``), ``--refine`` as a usage error, and entries the rescale sample misses."""

import json
import math
import pickle
import time
import warnings

import numpy as np
import pytest

from exactsparse.butterfly import (ButterflyFactors, ButterflyFitWarning, butterfly_factorize,
                                   butterfly_patterns)
from exactsparse.butterfly.permutations import recover_permutations
from exactsparse.cli import main
from exactsparse.exceptions import BudgetError


def _product(N, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    pats = butterfly_patterns(N)
    return ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]
                            ).todense().astype(dtype)


def _is_perm(p, n):
    """A permutation of range(n) (None: the identity, as the results report it)."""
    return p is None or np.array_equal(np.sort(np.asarray(p)), np.arange(n))


@pytest.fixture(scope="module")
def gauss1024():
    """A Gaussian matrix: no butterfly structure, the unbudgeted search takes ~10 s."""
    return np.random.default_rng(0).standard_normal((1024, 1024))


# ----------------------------------------------------------------------------- 1. budget
def test_recovery_stops_within_budget(gauss1024):
    start = time.monotonic()
    rec = recover_permutations(gauss1024, budget=0.3)
    elapsed = time.monotonic() - start
    assert elapsed < 3.0                                 # unbudgeted: ~10 s
    assert rec.stop == "budget" and rec.consistent is False
    assert _is_perm(rec.row_perm, 1024) and _is_perm(rec.perm, 1024)


def test_recovery_keeps_a_known_permutation_when_stopped(gauss1024):
    r = np.random.default_rng(3).permutation(1024)
    rec = recover_permutations(gauss1024, row_perm=r, budget=0.2)
    assert rec.stop == "budget" and np.array_equal(rec.row_perm, r)
    assert _is_perm(rec.perm, 1024)


def test_recovery_exact_within_a_budget():
    B = _product(64, seed=1)
    rng = np.random.default_rng(2)
    r, c = rng.permutation(64), rng.permutation(64)
    A = B[np.argsort(r)][:, np.argsort(c)]
    rec = recover_permutations(A, budget=60)
    assert rec.stop == "converged" and rec.consistent
    # the recovered permutations make A a butterfly product: the solver fits it exactly
    F = butterfly_factorize(A[rec.row_perm][:, rec.perm])
    assert F.relative_error(A[rec.row_perm][:, rec.perm]) < 1e-12
    rp, cp, ok = rec                                    # still a 3-tuple
    assert ok and np.array_equal(rp, rec.row_perm)


def test_recovery_result_pickles_with_its_stop():
    rec = recover_permutations(_product(16), budget=10)
    back = pickle.loads(pickle.dumps(rec))
    assert back.stop == rec.stop == "converged"
    assert all(np.array_equal(a, b) for a, b in zip(back[:2], rec[:2]))


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, "1", True])
def test_budget_validated(bad):
    A = _product(16)
    with pytest.raises(BudgetError, match="budget"):
        recover_permutations(A, budget=bad)
    with pytest.raises(BudgetError, match="budget"):
        butterfly_factorize(A, perm="auto", budget=bad)


def test_factorize_auto_stops_within_budget(gauss1024):
    start = time.monotonic()
    with pytest.warns(ButterflyFitWarning, match="budget"):
        F = butterfly_factorize(gauss1024, perm="auto", row_perm="auto", budget=0.5)
    elapsed = time.monotonic() - start
    assert elapsed < 6.0                                 # unbudgeted: ~23 s
    assert F.perm_search == "budget"
    assert _is_perm(F.perm, 1024) and _is_perm(F.row_perm, 1024)
    err = F.relative_error(gauss1024)
    assert np.isfinite(err) and 0.5 < err <= 1.0 + 1e-9  # Gaussian: no good fit exists


def test_factorize_perm_search_flag():
    B = _product(16, seed=4)
    rng = np.random.default_rng(5)
    A = B[rng.permutation(16)][:, rng.permutation(16)]
    F = butterfly_factorize(A, perm="auto", row_perm="auto", budget=30)
    assert F.perm_search == "converged" and F.relative_error(A) < 1e-12
    assert butterfly_factorize(B).perm_search is None
    assert butterfly_factorize(B, perm="auto").perm_search == "converged"  # the identity


def _cli(capsys, argv):
    code = main(["butterfly", "factorize", *argv, "--quiet"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_perm_budget_stops(capsys, tmp_path, gauss1024):
    path = tmp_path / "G.npy"
    np.save(path, gauss1024)
    start = time.monotonic()
    code, out, err = _cli(capsys, [str(path), "--perm", "auto", "--row-perm", "auto",
                                   "--perm-budget", "0.5", "--json"])
    assert time.monotonic() - start < 8.0
    data = json.loads(out)
    assert code == 0 and data["perm_search_stop"] == "budget"
    assert _is_perm(data["found_perm"], 1024) and _is_perm(data["found_row_perm"], 1024)
    assert "--perm-budget" in err                        # the warning says why


def test_cli_perm_search_stop_keys(capsys, tmp_path):
    B = _product(16, seed=6)
    rng = np.random.default_rng(7)
    path = tmp_path / "P.npy"
    np.save(path, B[rng.permutation(16)][:, rng.permutation(16)])
    _, out, _ = _cli(capsys, [str(path), "--perm", "auto", "--row-perm", "auto", "--json"])
    data = json.loads(out)
    assert data["perm_search_stop"] == "converged" and data["relative_error"] < 1e-12
    _, out, _ = _cli(capsys, [str(path), "--json"])
    assert json.loads(out)["perm_search_stop"] is None


@pytest.mark.parametrize("flag", ["--perm-budget", "--refine"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "abc"])
def test_cli_bad_seconds_are_usage_errors(capsys, tmp_path, flag, value):
    path = tmp_path / "H.npy"
    np.save(path, _product(8))
    with pytest.raises(SystemExit) as exc:
        main(["butterfly", "factorize", str(path), flag, value, "--quiet"])
    assert exc.value.code == 2 and flag in capsys.readouterr().err


@pytest.mark.parametrize("perms", [[], ["--perm", "bitrev"], ["--row-perm", "identity"]])
def test_cli_perm_budget_without_auto_is_a_usage_error(capsys, tmp_path, perms):
    path = tmp_path / "H.npy"
    np.save(path, _product(8))
    with pytest.raises(SystemExit) as exc:
        main(["butterfly", "factorize", str(path), *perms, "--perm-budget", "5", "--quiet"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--perm-budget" in err and "auto" in err
    code, _, _ = _cli(capsys, [str(path), "--perm", "auto", "--perm-budget", "5"])
    assert code == 0                                   # with an 'auto' it is accepted


def test_cli_help_documents_perm_budget(capsys):
    with pytest.raises(SystemExit):
        main(["butterfly", "factorize", "--help"])
    out = capsys.readouterr().out
    assert "--perm-budget" in out and "default 30" in out


# ------------------------------------------------------------- 3. entries the sample misses
def _indep_error(F, A):
    """``‖A − F‖_F / ‖A‖_F`` in float64/complex128, both scaled by the same power of two."""
    D = F.todense().astype(np.complex128)
    A = np.asarray(A).astype(np.complex128)
    k = np.frexp(np.abs(A).max())[1]
    return float(np.linalg.norm(np.ldexp((A - D).real, -k) + 1j * np.ldexp((A - D).imag, -k))
                 / np.linalg.norm(np.ldexp(A.real, -k) + 1j * np.ldexp(A.imag, -k)))


SPIKES = [(np.float64, 1e100, "left"), (np.float64, 1e100, "balanced"),
          (np.float64, 1e300, "balanced"), (np.float64, 1e300, "balanced-floor"),
          (np.float64, 1.7e308, "left"), (np.float64, 1.7e308, "right"),
          (np.float32, 1e10, "left"), (np.float32, 1e20, "balanced"),
          (np.float32, 3e38, "left"), (np.complex64, 3e38, "left"),
          (np.complex128, 1e300, "balanced")]


@pytest.mark.parametrize("dtype,value,tree", SPIKES)
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
def test_one_huge_entry_missed_by_the_sample(dtype, value, tree, scaling):
    # B + (value - B[i, j]) e_i e_jᵀ is within ‖B‖_F of the butterfly product
    # value · e_i e_jᵀ (one nonzero per factor): the relative error of the best fit is
    # at most about ‖B‖_F / value, far below 1e-6; before, the factors silently lost the
    # entry (error 1) or overflowed (NaN)
    A = _product(256, seed=8, dtype=dtype)
    i, j = 3, 5                                          # off the sample's grid and draws
    A[i, j] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F = butterfly_factorize(A, tree=tree, scaling=scaling)
    assert all(np.isfinite(t).all() for t in F.twiddles)
    D = F.todense().astype(np.complex128)
    assert abs(D[i, j] - value) <= (1e-5 if scaling == "unit" else 1e-2) * value
    err = _indep_error(F, A)
    assert abs(F.relative_error(A) - err) <= 1e-6 + 1e-3 * err
    # the same as for the input brought into range by hand (exact: a power of two)
    k = int(np.frexp(abs(value))[1])
    P = (np.ldexp(A.real, -k) + 1j * np.ldexp(A.imag, -k)).astype(dtype) \
        if np.iscomplexobj(A) else np.ldexp(A, -k)
    err_by_hand = _indep_error(butterfly_factorize(P, tree=tree, scaling=scaling), P)
    assert abs(err - err_by_hand) <= 1e-6 + 1e-2 * err_by_hand
    # "unit" reaches the bound; "sqrt" loses accuracy on this dynamic range (float64
    # 1e100: about 1e-4, float32 1e10: about 5e-2, the same when scaled by hand) but no
    # longer drops the entry (error 1 before)
    assert err < (1e-6 if scaling == "unit" else 0.2)


def test_huge_entry_in_one_member_of_a_batch():
    A = np.stack([_product(256, seed=9), _product(256, seed=10)])   # 64: all sampled
    A[1, 3, 5] = 1e300
    F = butterfly_factorize(A, tree="balanced")
    assert F.relative_error(A)[0] < 1e-12                # the ordinary member, untouched
    assert _indep_error(F[1], A[1]) < 1e-6


@pytest.mark.parametrize("dtype,value", [(np.float64, 1e-300), (np.float64, 1e-320),
                                         (np.float32, 1e-40), (np.float64, 0.0)])
@pytest.mark.parametrize("tree", ["left", "balanced"])
def test_one_tiny_entry_is_handled(dtype, value, tree):
    # already handled before: a tiny entry is (relatively) a zero; A is within
    # |B[i, j]| of the product B, so the error stays within a small multiple of that
    B = _product(256, seed=11, dtype=dtype)
    A = B.copy()
    i, j = 3, 5
    A[i, j] = value
    F = butterfly_factorize(A, tree=tree)
    bound = abs(float(B[i, j])) / np.linalg.norm(A.astype(np.float64))
    err = _indep_error(F, A)
    assert all(np.isfinite(t).all() for t in F.twiddles)
    assert err <= 10 * bound and abs(F.relative_error(A) - err) <= 1e-3 * err + 1e-6


@pytest.mark.parametrize("scale", [1e-310, 1e300, 1e308 / 50])
def test_uniformly_extreme_scale(scale):
    B = _product(256, seed=12)
    A = B * scale                   # 1e308 / 50 with "sqrt": non-finite factors before
    for scaling in ("unit", "sqrt"):
        F = butterfly_factorize(A, scaling=scaling)
        assert all(np.isfinite(t).all() for t in F.twiddles)
        assert _indep_error(F, A) < 1e-8

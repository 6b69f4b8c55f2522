"""Unknown row and column permutations of a butterfly product (issue #14, item 1).

Expected values come from independent routes: the planted product ``B`` and permutations
(``A = B[r⁻¹][:, c⁻¹]``), numpy's dense products and SVDs (the rank-one conditions of every
split, checked block by block), and the solver run on the planted, unpermuted product.
"""

import json

import numpy as np
import pytest
import scipy.linalg

from exactsparse import verify
from exactsparse.butterfly import (ButterflyFactors, ButterflyFitWarning, bit_reversal_permutation,
                                   butterfly_factorize, butterfly_patterns, identify_butterfly)
from exactsparse.butterfly.permutations import recover_permutations, sampled_rank_one_score
from exactsparse.butterfly.rings import dft_cyclotomic
from exactsparse.cli import main


def planted(N, rng, complex_=False):
    pats = butterfly_patterns(N)
    tw = [rng.standard_normal(p.twiddle_shape) for p in pats]
    if complex_:
        tw = [t + 1j * rng.standard_normal(t.shape) for t in tw]
    return ButterflyFactors(pats, tw).todense()


def shuffle(B, rng):
    """``A`` with ``A[r][:, c] = B`` for random permutations ``r``, ``c``."""
    N = B.shape[0]
    r, c = rng.permutation(N), rng.permutation(N)
    A = np.empty_like(B)
    A[np.ix_(r, c)] = B
    return A, r, c


def worst_block_ratio(B):
    """max σ₂/σ₁ over the rank-one blocks of every split of the butterfly chain (numpy SVD):
    rows ``t·n + j`` (one ``j``), columns ``[k n, (k+1) n)``, ``n = N / 2^ℓ``."""
    N = B.shape[0]
    worst = 0.0
    ell = 1
    while N >> ell >= 2:
        n, m = N >> ell, 1 << ell
        X = B.reshape(m, n, m, n).transpose(1, 2, 0, 3)          # (j, k, t, c)
        s = np.linalg.svd(X, compute_uv=False)
        worst = max(worst, float((s[..., 1] / np.maximum(s[..., 0], 1e-300)).max()))
        ell += 1
    return worst


def rel(A, B):
    return float(np.linalg.norm(A - B) / np.linalg.norm(A))


@pytest.mark.parametrize("N", [4, 8, 16, 64, 256])
@pytest.mark.parametrize("complex_", [False, True])
def test_random_permutations_are_recovered_exactly(N, complex_):
    rng = np.random.default_rng(N + complex_)
    B = planted(N, rng, complex_)
    A, r, c = shuffle(B, rng)
    assert worst_block_ratio(A) > 1e-3 or N <= 4      # the shuffled matrix is not in the model
    rp, cp, ok = recover_permutations(A)
    assert ok
    assert sorted(rp) == list(range(N)) and sorted(cp) == list(range(N))
    assert worst_block_ratio(A[rp][:, cp]) < 1e-10      # every split has rank-one blocks
    F = butterfly_factorize(A, perm="auto", row_perm="auto")
    assert rel(A, F.todense()) < 1e-12                  # measured against the given A
    assert F.relative_error(A) < 1e-12
    x = rng.standard_normal(N)
    assert np.allclose(F @ x, A @ x)


@pytest.mark.slow
def test_random_permutations_n1024():
    rng = np.random.default_rng(1024)
    B = planted(1024, rng)
    A, r, c = shuffle(B, rng)
    F = butterfly_factorize(A, perm="auto", row_perm="auto")
    assert rel(A, F.todense()) < 1e-12


def test_one_side_unknown():
    rng = np.random.default_rng(3)
    B = planted(64, rng)
    N = 64
    c = rng.permutation(N)
    A = np.empty_like(B)
    A[:, c] = B                                          # A[:, c] = B, rows known
    F = butterfly_factorize(A, perm="auto")
    assert F.row_perm is None and rel(A, F.todense()) < 1e-12
    r = rng.permutation(N)
    A = np.empty_like(B)
    A[r] = B
    F = butterfly_factorize(A, row_perm="auto")
    assert F.perm is None and rel(A, F.todense()) < 1e-12
    F = butterfly_factorize(A, row_perm=r)               # a known row permutation
    assert np.array_equal(F.row_perm, r) and rel(A, F.todense()) < 1e-12


@pytest.mark.parametrize("N, complex_", [(64, False), (64, True), (256, True), (256, False)])
@pytest.mark.filterwarnings("ignore::exactsparse.butterfly.ButterflyFitWarning")
def test_noisy_within_twice_the_known_permutation_error(N, complex_):
    rng = np.random.default_rng(7 + N)
    B = planted(N, rng, complex_=complex_)
    noise = rng.standard_normal(B.shape) + (1j * rng.standard_normal(B.shape) if complex_
                                            else 0)
    Bn = B + 1e-3 * np.linalg.norm(B) / np.linalg.norm(noise) * noise
    known = rel(Bn, butterfly_factorize(Bn).todense())   # planted (identity) permutations
    A, r, c = shuffle(Bn, rng)
    F = butterfly_factorize(A, perm="auto", row_perm="auto")
    assert rel(A, F.todense()) <= 2 * known
    assert 5e-4 < known < 2e-3


@pytest.mark.slow
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.filterwarnings("ignore::exactsparse.butterfly.ButterflyFitWarning")
def test_noisy_within_twice_the_known_permutation_error_many_seeds(complex_):
    # issue #14 over 12 seeds per dtype at N = 256 (benchmarks/bench_perm_seeds.py: more)
    N = 256
    ratios = []
    for seed in range(12):
        rng = np.random.default_rng(1000 * seed + 7 + N)
        B = planted(N, rng, complex_=complex_)
        noise = rng.standard_normal(B.shape) + (1j * rng.standard_normal(B.shape) if complex_
                                                else 0)
        Bn = B + 1e-3 * np.linalg.norm(B) / np.linalg.norm(noise) * noise
        known = rel(Bn, butterfly_factorize(Bn).todense())
        A, r, c = shuffle(Bn, rng)
        F = butterfly_factorize(A, perm="auto", row_perm="auto")
        ratios.append(rel(A, F.todense()) / known)
    assert max(ratios) <= 2, ratios


def test_dft_auto_keeps_the_bit_reversal_and_identity_rows():
    N = 64
    D = np.fft.fft(np.eye(N))
    F = butterfly_factorize(D, perm="auto", row_perm="auto")
    assert np.array_equal(F.perm, bit_reversal_permutation(N)) and F.row_perm is None
    assert rel(D, F.todense()) < 1e-13
    assert sampled_rank_one_score(D, perm=bit_reversal_permutation(N)) < 1e-12
    assert sampled_rank_one_score(D) > 0.1


@pytest.mark.parametrize("N", [16, 128])
def test_shuffled_hadamard_and_dft(N):
    # degenerate for the pairing (Hadamard: ratios ±1 everywhere); any consistent
    # permutations will do, the product must match
    rng = np.random.default_rng(N)
    for M in (scipy.linalg.hadamard(N).astype(float), np.fft.fft(np.eye(N))):
        A, r, c = shuffle(M, rng)
        F = butterfly_factorize(A, perm="auto", row_perm="auto")
        assert rel(A, F.todense()) < 1e-12


def test_not_a_butterfly_up_to_permutations_warns():
    A = np.random.default_rng(0).standard_normal((16, 16))
    with pytest.warns(ButterflyFitWarning, match="no consistent"):
        F = butterfly_factorize(A, perm="auto", row_perm="auto")
    assert rel(A, F.todense()) > 0.1


def test_factors_with_row_perm_apply_and_export():
    rng = np.random.default_rng(2)
    pats = butterfly_patterns(8)
    r, c = rng.permutation(8), rng.permutation(8)
    F = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats], c, r)
    B = ButterflyFactors(pats, F.twiddles).todense()
    Z = F.todense()
    assert np.allclose(Z[r][:, c], B)                      # Z[row_perm][:, perm] = X_1 ⋯ X_L
    mats = F.to_scipy()
    P = mats[0]
    for m in mats[1:]:
        P = P @ m
    assert np.allclose(P.toarray(), Z)
    x = rng.standard_normal((8, 3))
    assert np.allclose(F @ x, Z @ x)
    assert "row_perm=yes" in repr(F)


# ----------------------------------------------------------------------------- exact side
def test_exact_identification_with_unknown_permutations_is_certified():
    rng = np.random.default_rng(5)
    H = scipy.linalg.hadamard(32)
    Z, r, c = shuffle(H, rng)
    res = identify_butterfly(Z, perm="auto", row_perm="auto")
    assert res.verdict == "butterfly"
    inst = {"Z": Z, "perm": "auto", "row_perm": "auto"}
    assert verify(res, inst)
    rp, cp = np.array(res.certificate["row_perm"]), np.array(res.certificate["perm"])
    assert sorted(rp) == list(range(32)) and sorted(cp) == list(range(32))
    assert worst_block_ratio(Z[rp][:, cp].astype(float)) < 1e-12
    assert verify(res, {"Z": Z, "perm": cp, "row_perm": rp})   # the explicit permutations
    assert not verify(res, Z).valid                          # not a certificate for Z itself
    again = type(res).from_json(res.to_json())
    assert verify(again, inst)


def _tampered(res, key, value):
    cert = dict(res.certificate)
    cert[key] = value
    return type(res)(kind=res.kind, verdict=res.verdict, certificate=cert, theorem=res.theorem,
                     backend=res.backend)


def test_tampered_permutations_are_rejected():
    rng = np.random.default_rng(6)
    Z, r, c = shuffle(scipy.linalg.hadamard(16), rng)
    res = identify_butterfly(Z, perm="auto", row_perm="auto")
    inst = {"Z": Z, "perm": "auto", "row_perm": "auto"}
    cp = list(res.certificate["perm"])
    swapped = cp.copy()
    swapped[0], swapped[5] = swapped[5], swapped[0]
    for key, bad in (("perm", swapped), ("perm", [0] * 16), ("perm", cp[:-1]),
                     ("perm", cp[:-1] + [16]), ("row_perm", "auto"), ("perm", None)):
        v = verify(_tampered(res, key, bad), inst)
        assert not v.valid, (key, bad)


def test_exact_dft_over_cyclotomics_with_unknown_permutations():
    rng = np.random.default_rng(8)
    D = dft_cyclotomic(16)
    r, c = rng.permutation(16), rng.permutation(16)
    Z = np.empty_like(D)
    Z[np.ix_(r, c)] = D
    res = identify_butterfly(Z, cyclotomic=16, perm="auto", row_perm="auto")
    assert res.verdict == "butterfly"
    assert verify(res, {"Z": Z, "perm": "auto", "row_perm": "auto"})


def test_exact_unknown_when_no_permutation_found():
    Z = np.random.default_rng(1).integers(-5, 6, (8, 8))
    res = identify_butterfly(Z, perm="auto", row_perm="auto")
    assert res.verdict == "unknown" and "no permutation is refuted" in res.certificate["reason"]
    assert verify(res, {"Z": Z, "perm": "auto", "row_perm": "auto"})


def test_not_butterfly_does_not_refute_unknown_permutations():
    P = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    res = identify_butterfly(P)
    assert res.verdict == "not-butterfly"
    assert verify(res, P)
    assert not verify(res, {"Z": P, "perm": "auto"}).valid


def test_known_row_perm_not_butterfly_certificate_maps_rows():
    Z = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])
    rp = np.array([3, 1, 2, 0])
    res = identify_butterfly(Z, row_perm=rp)
    assert res.verdict == "not-butterfly"
    assert verify(res, {"Z": Z, "row_perm": rp})
    assert not verify(res, Z).valid


# ----------------------------------------------------------------------------- CLI
def test_cli_unknown_permutations(tmp_path, capsys):
    rng = np.random.default_rng(9)
    Z, r, c = shuffle(scipy.linalg.hadamard(16), rng)
    path = tmp_path / "Z.txt"
    path.write_text("\n".join(" ".join(str(v) for v in row) for row in Z) + "\n")
    assert main(["butterfly", "identify", "--matrix", str(path), "--perm", "auto",
                 "--row-perm", "auto", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["verdict"] == "butterfly"
    saved = tmp_path / "r.json"
    saved.write_text(out)
    assert main(["verify", str(saved), "--matrix", str(path), "--perm", "auto",
                 "--row-perm", "auto", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["butterfly", "verify", str(saved), str(path), "--perm", "auto",
                 "--row-perm", "auto"]) == 0
    capsys.readouterr()
    assert main(["verify", str(saved), "--matrix", str(path)]) == 1    # Z itself: no
    capsys.readouterr()
    npy = tmp_path / "Z.npy"
    np.save(npy, Z.astype(float))
    assert main(["butterfly", "factorize", str(npy), "--perm", "auto", "--row-perm", "auto",
                 "--out", str(tmp_path / "f.npz"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["relative_error"] < 1e-12
    rp, cp = (np.arange(16) if data[k] is None else np.array(data[k])
              for k in ("found_row_perm", "found_perm"))
    assert worst_block_ratio(Z[rp][:, cp].astype(float)) < 1e-12
    saved = np.load(tmp_path / "f.npz")
    assert np.array_equal(saved["perm"] if "perm" in saved else np.arange(16), cp)
    assert np.array_equal(saved["row_perm"] if "row_perm" in saved else np.arange(16), rp)


@pytest.mark.parametrize("e", [-1060, -1000, -400, 300, 1000])
@pytest.mark.parametrize("complex_", [False, True])
def test_recovery_and_quick_test_are_scale_free(e, complex_):
    # before: max |A| above ~1e80 or below ~1e-100 gave wrong permutations silently (above
    # ~1e154 an ArgumentError), and the quick test scored every permutation 0.0 beyond
    # ~1e±154 (NaN or 0/0 read as a perfect fit)
    rng = np.random.default_rng(8)
    B = planted(64, rng, complex_)
    A, _, _ = shuffle(B, rng)
    As = np.ldexp(A.real, e) + (1j * np.ldexp(A.imag, e) if complex_ else 0)   # exact
    rec = recover_permutations(As)
    assert rec.consistent and worst_block_ratio(A[rec.row_perm][:, rec.perm]) < 1e-8
    tol = 1e-3 if e < -1000 else 1e-12      # e = -1060: subnormal entries, 14 bits
    for r, c in [(None, None), (rec.row_perm, rec.perm)]:
        assert sampled_rank_one_score(As, r, c) == pytest.approx(
            sampled_rank_one_score(A, r, c), rel=tol, abs=tol)
    assert sampled_rank_one_score(A) > 0.1


def test_quick_test_of_nan_entries_is_nan():
    # the docstring's "non-finite entries: a NaN score" (before: max(0.0, nan) gave 0.0)
    assert np.isnan(sampled_rank_one_score(np.full((8, 8), np.nan)))


@pytest.mark.parametrize("k", [100, 300])
def test_exact_identification_of_huge_integers_with_unknown_permutations(k):
    # before: "unknown" from k = 100 on (the float copy's recovery was not scale-free)
    rng = np.random.default_rng(1)
    H = scipy.linalg.hadamard(32)[rng.permutation(32)][:, rng.permutation(32)]
    M = np.array([[int(v) * 10**k for v in row] for row in H], dtype=object)
    res = identify_butterfly(M, perm="auto", row_perm="auto")
    assert res.verdict == "butterfly"
    assert verify(res, {"Z": M, "perm": "auto", "row_perm": "auto"})

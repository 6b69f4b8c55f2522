"""Butterfly / Kronecker-sparse factorization: patterns, numeric solver, exact identification.

Expected values come from independent routes: dense factors built entry by entry from the
definition ``X[i·b·d + β·d + j, i·c·d + γ·d + j] = T[i, j, β, γ]`` and multiplied with ``@``,
Kronecker products with ``np.kron``, ``scipy.linalg.hadamard``, ``np.fft``.
"""

import json
from fractions import Fraction

import numpy as np
from ks_helpers import dense_factor
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from exactsparse import verify
from exactsparse.butterfly import (ButterflyFactors, KSPattern, bit_reversal_permutation,
                                   butterfly_factorize, butterfly_patterns, butterfly_supports,
                                   chain_product, chain_ranks, check_chainable,
                                   identify_butterfly, is_butterfly, monarch_patterns)
from exactsparse.cli import main

RNG = np.random.default_rng(20240605)
RANK2_CHAIN = [(1, 2, 4, 8), (2, 4, 4, 4), (4, 4, 2, 2)]


# ----------------------------------------------------------------------------- helpers
def random_product(patterns, complex_=False, rng=RNG, integer=False):
    """``(Z, factors)`` with ``Z = X_1 ⋯ X_K`` multiplied densely with ``@``."""
    mats = []
    for p in patterns:
        shape = (p[0], p[3], p[1], p[2])
        T = rng.integers(-3, 4, size=shape) if integer else rng.standard_normal(shape)
        if complex_:
            T = T + 1j * rng.standard_normal(shape)
        mats.append(dense_factor(p, T))
    Z = mats[0]
    for X in mats[1:]:
        Z = Z @ X
    return Z, mats


def bf(n):
    return [tuple(p.__dict__.values()) for p in butterfly_patterns(n)]


def rel(A, B):
    return np.linalg.norm(A - B) / np.linalg.norm(A)


# ----------------------------------------------------------------------------- patterns
@pytest.mark.parametrize("n", [2, 4, 8, 32])
def test_butterfly_supports_match_kronecker_formula(n):
    L = n.bit_length() - 1
    expected = [np.kron(np.eye(n >> l), np.kron(np.ones((2, 2)), np.eye(2 ** (l - 1))))
                for l in range(L, 0, -1)]          # S_L, ..., S_1 (leftmost first)
    got = [S.to_numpy() for S in butterfly_supports(n)]
    assert all(np.array_equal(g, e) for g, e in zip(got, expected))


@pytest.mark.parametrize("pattern", [(1, 2, 3, 1), (2, 3, 2, 2), (3, 1, 2, 4)])
def test_ks_pattern_support_is_kronecker(pattern):
    a, b, c, d = pattern
    expected = np.kron(np.eye(a), np.kron(np.ones((b, c)), np.eye(d)))
    p = KSPattern(*pattern)
    assert np.array_equal(p.to_support().to_numpy(), expected)
    assert p.nnz == expected.sum() and p.shape == expected.shape


def test_ks_pattern_unpacks_like_its_fields():
    """``a, b, c, d = p`` and ``p[i]`` give the documented fields; equality, hashing and the
    JSON of results are unchanged (a pattern is not equal to the tuple)."""
    p = KSPattern(2, 3, 4, 5)
    a, b, c, d = p
    assert (a, b, c, d) == (p.a, p.b, p.c, p.d) == (2, 3, 4, 5)
    assert tuple(p) == (2, 3, 4, 5) and list(p) == [2, 3, 4, 5] and len(p) == 4
    assert p[0] == 2 and p[-1] == 5 and p[1:3] == (3, 4)
    with pytest.raises(IndexError):
        p[4]
    assert p == KSPattern(*p) and hash(p) == hash(KSPattern(2, 3, 4, 5)) and p != (2, 3, 4, 5)
    assert len({p, KSPattern(2, 3, 4, 5), KSPattern(5, 4, 3, 2)}) == 2
    assert KSPattern(*butterfly_patterns(8)[0]) == butterfly_patterns(8)[0]
    r = identify_butterfly(scipy.linalg.hadamard(4))
    assert type(r).from_json(r.to_json()) == r


def test_chain_product_is_support_of_product():
    for chain in (bf(16), RANK2_CHAIN, [tuple(p.__dict__.values()) for p in monarch_patterns(16)]):
        pats, _ = chain_ranks(chain)
        M = pats[0].to_support().to_numpy()
        for p in pats[1:]:
            M = M @ p.to_support().to_numpy()
        assert np.array_equal(M > 0, chain_product(pats).to_support().to_numpy() == 1)


def test_chainable_ranks():
    assert chain_ranks(bf(64))[1] == (1,) * 5
    assert chain_ranks(RANK2_CHAIN)[1] == (2, 2)
    assert check_chainable(*monarch_patterns(64)) == 1


def test_bit_reversal_independent():
    for n in (2, 8, 64):
        L = n.bit_length() - 1
        expected = [int(format(k, f"0{L}b")[::-1], 2) for k in range(n)]
        assert bit_reversal_permutation(n).tolist() == expected


def test_support_graph_conversion():
    G = butterfly_supports(8)[0].to_graph()
    assert G.number_of_edges() == 16


# ------------------------------------------------------------------------ numeric: exact inputs
@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("n", [2, 8, 64])
def test_exact_recovery_random_products(tree, scaling, complex_, n):
    Z, _ = random_product(bf(n), complex_)
    F = butterfly_factorize(Z, tree=tree, scaling=scaling)
    assert F.n_factors == n.bit_length() - 1
    assert rel(Z, F.todense()) <= 1e-14


@pytest.mark.parametrize("n", [4, 64, 1024])
@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
def test_hadamard(n, tree):
    H = scipy.linalg.hadamard(n).astype(float)
    assert rel(H, butterfly_factorize(H, tree=tree).todense()) <= 1e-14


@pytest.mark.parametrize("n", [4, 32, 256])
@pytest.mark.parametrize("tree", ["left", "balanced"])
def test_dft_bitrev(n, tree):
    D = np.fft.fft(np.eye(n))
    F = butterfly_factorize(D, perm="bitrev", tree=tree)
    assert rel(D, F.todense()) <= 1e-14
    x = RNG.standard_normal(n)
    assert np.allclose(F @ x, np.fft.fft(x))


def test_dft_needs_permutation_and_auto_finds_it():
    D = np.fft.fft(np.eye(16))
    assert rel(D, butterfly_factorize(D).todense()) > 1e-2
    F = butterfly_factorize(D, perm="auto")
    assert F.perm is not None and rel(D, F.todense()) <= 1e-14


def test_reverse_order_product_is_not_in_the_model():
    pats = bf(16)
    Z, mats = random_product(pats)
    R = mats[-1]
    for X in mats[-2::-1]:
        R = R @ X
    assert rel(Z, butterfly_factorize(Z).todense()) <= 1e-14
    assert rel(R, butterfly_factorize(R).todense()) > 1e-3


def test_factors_are_essentially_unique():
    """Recovered factors equal the true ones up to diagonal rescalings (ICASSP Thm 3)."""
    Z, mats = random_product(bf(8))
    F = butterfly_factorize(Z)
    got = [dense_factor(p, t) for p, t in zip(bf(8), F.twiddles)]
    D = np.ones(8)                                  # Y_k = D_{k-1} X_k D_k^{-1}, D_0 = I
    for X, Y in zip(mats, got):
        DX = D[:, None] * X
        mask = DX != 0
        ratio = np.where(mask, DX / np.where(mask, Y, 1), np.nan)   # = D_k[j] on the support
        D = np.nanmean(ratio, axis=0)
        assert np.allclose(np.where(mask, ratio, D[None, :]), D[None, :], rtol=1e-10)
    assert np.allclose(D, 1, rtol=1e-10)            # D_K = I: the product is unchanged


@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
@pytest.mark.parametrize("chain", [RANK2_CHAIN, [(1, 4, 8, 4), (4, 8, 4, 1)],
                                   [(1, 4, 4, 4), (4, 4, 4, 1)]])
def test_general_ks_chains(tree, chain):
    Z, _ = random_product(chain)
    F = butterfly_factorize(Z, chain, tree=tree)
    assert rel(Z, F.todense()) <= 1e-13


def test_rectangular_chain():
    chain = [(1, 2, 3, 2), (3, 2, 1, 1)]
    assert chain_ranks(chain)[1] == (1,)
    Z, _ = random_product(chain)
    assert Z.shape == (4, 3)
    F = butterfly_factorize(Z, chain)
    assert rel(Z, F.todense()) <= 1e-14


def test_large_blocks_use_subspace_iteration():
    Z, _ = random_product(bf(1024))
    F = butterfly_factorize(Z, tree="balanced")
    assert rel(Z, F.todense()) <= 1e-13


# ------------------------------------------------------------- numeric: noise, dtypes, batches
@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
def test_noisy_input_lands_at_noise_level(tree):
    Z, _ = random_product(bf(256))
    noise = RNG.standard_normal(Z.shape)
    noise *= 1e-3 * np.linalg.norm(Z) / np.linalg.norm(noise)
    F = butterfly_factorize(Z + noise, tree=tree)
    A = F.todense()
    assert 0.5e-3 <= rel(Z + noise, A) <= 1.01e-3
    assert rel(Z, A) < 0.5e-3            # denoised: error vs clean below the noise


def test_twiddle_product_inverts_split():
    from exactsparse.butterfly.numeric import _twiddle_product
    chain = RANK2_CHAIN[:2]
    pats, (r,) = chain_ranks(chain)
    TL = RNG.standard_normal(pats[0].twiddle_shape)
    TR = RNG.standard_normal(pats[1].twiddle_shape)
    prod = chain_product(pats)
    P = _twiddle_product(TL, TR, pats[0], pats[1], r)
    expected = dense_factor(chain[0], TL) @ dense_factor(chain[1], TR)
    assert np.allclose(dense_factor(tuple(prod.__dict__.values()), P), expected)


def test_unit_scaling_factors_are_normalised():
    Z, _ = random_product(bf(16))
    F = butterfly_factorize(Z)
    for t in F.twiddles[:-1]:            # peeled factors: unit-norm columns of each 2×1 piece
        assert np.allclose(np.linalg.norm(t, axis=-2), 1)


def test_float32():
    Z, _ = random_product(bf(64))
    F = butterfly_factorize(Z.astype(np.float32))
    assert F.dtype == np.float32 and rel(Z, F.todense()) <= 1e-5


def test_batched():
    Zs = np.stack([np.stack([random_product(bf(16))[0] for _ in range(2)]) for _ in range(3)])
    F = butterfly_factorize(Zs)
    assert F.batch_shape == (3, 2)
    assert np.all(F.relative_error(Zs) <= 1e-14)
    one = butterfly_factorize(Zs[1, 0])
    assert np.allclose(F[1, 0].todense(), one.todense())
    x = RNG.standard_normal(16)
    assert np.allclose(F @ x, Zs @ x)


def test_matvec_vectors_and_matrices():
    B, _ = random_product(bf(32), complex_=True)
    perm = RNG.permutation(32)
    Z = B[:, np.argsort(perm)]                      # Z = B P with (P x)[k] = x[perm[k]]
    F = butterfly_factorize(Z, perm=perm)
    x = RNG.standard_normal((32, 3))
    assert np.allclose(F @ x, Z @ x) and np.allclose(F @ x[:, 0], Z @ x[:, 0])


def test_to_scipy_product():
    D = np.fft.fft(np.eye(16))
    F = butterfly_factorize(D, perm="bitrev")
    mats = F.to_scipy()
    assert len(mats) == F.n_factors + 1
    P = mats[0].toarray()
    for M in mats[1:]:
        P = P @ M.toarray()
    assert rel(D, P) <= 1e-14
    assert all(M.nnz <= 2 * 16 for M in mats)


def test_to_faust():
    pyfaust = pytest.importorskip("pyfaust")
    H = scipy.linalg.hadamard(32).astype(float)
    Fa = butterfly_factorize(H).to_faust()
    assert isinstance(Fa, pyfaust.Faust)
    assert rel(H, Fa.toarray()) <= 1e-14


@settings(max_examples=25, deadline=None)
@given(L=st.integers(1, 5), seed=st.integers(0, 2 ** 32 - 1),
       tree=st.sampled_from(["left", "right", "balanced"]))
def test_property_exact_products_are_recovered(L, seed, tree):
    Z, _ = random_product(bf(2 ** L), rng=np.random.default_rng(seed))
    assert rel(Z, butterfly_factorize(Z, tree=tree).todense()) <= 1e-13


@settings(max_examples=25, deadline=None)
@given(L=st.integers(1, 6), seed=st.integers(0, 2 ** 32 - 1))
def test_property_error_never_exceeds_input(L, seed):
    """The approximation is a projection: ‖A − Â‖ ≤ ‖A‖ for any input."""
    A = np.random.default_rng(seed).standard_normal((2 ** L, 2 ** L))
    assert np.linalg.norm(A - butterfly_factorize(A).todense()) <= np.linalg.norm(A) * (1 + 1e-12)


# ----------------------------------------------------------------------------- exact identification
@pytest.mark.parametrize("n", [2, 4, 16, 64])
def test_identify_hadamard(n):
    H = scipy.linalg.hadamard(n)
    r = identify_butterfly(H)
    assert r.verdict == "butterfly" and r.certificate["essentially_unique"]
    assert verify(r, H)
    X = [dense_factor(p, np.array(t, dtype=object))
         for p, t in zip(bf(n), r.certificate["factors"])]
    P = X[0]
    for M in X[1:]:
        P = P @ M
    assert (P == H).all()


def test_identify_hadamard_1024_and_json_roundtrip():
    H = scipy.linalg.hadamard(1024)
    r = identify_butterfly(H)
    assert r.verdict == "butterfly"
    assert verify(r.to_json(), H)


def test_identify_rational_products():
    Z, _ = random_product(bf(16), integer=True)
    Zq = [[Fraction(int(v), 6) for v in row] for row in np.rint(Z).astype(int)]
    r = identify_butterfly(Zq)
    assert r.verdict == "butterfly" and verify(r, Zq) and verify(r.to_json(), Zq)
    strings = [[f"{v.numerator}/{v.denominator}" for v in row] for row in Zq]
    assert is_butterfly(strings)


def test_identify_not_butterfly_first_level():
    P = np.eye(8, dtype=int)[bit_reversal_permutation(8)]
    r = identify_butterfly(P)
    assert r.verdict == "not-butterfly" and r.certificate["level"] == 0
    assert r.certificate["determinant"] != 0 and verify(r, P)


def test_identify_not_butterfly_deep_level():
    """Z = X_L R with R block diagonal but not butterfly: the first split passes."""
    n = 16
    XL = dense_factor(bf(n)[0], RNG.integers(1, 4, size=(1, n // 2, 2, 2)))
    R = np.kron(np.eye(2, dtype=int), RNG.integers(-5, 6, size=(n // 2, n // 2)))
    Z = XL @ R
    r = identify_butterfly(Z)
    assert r.verdict == "not-butterfly" and r.certificate["level"] >= 1
    (i1, i2), (j1, j2) = r.certificate["rows"], r.certificate["cols"]
    assert Z[i1, j1] * Z[i2, j2] - Z[i1, j2] * Z[i2, j1] != 0
    assert verify(r, Z)


def test_identify_degenerate_block_is_reported():
    n = 8
    T = RNG.integers(1, 4, size=(1, n // 2, 2, 2))
    T[0, 0, :, 0] = 0                       # one zero rank-one piece in the first split
    Z = dense_factor(bf(n)[0], T) @ random_product(bf(n)[1:], integer=True)[0].astype(int)
    r = identify_butterfly(Z)
    assert r.verdict == "butterfly" and not r.certificate["essentially_unique"]
    assert r.certificate["splits"][0]["degenerate"] >= 1
    assert verify(r, Z)


def test_verify_rejects_tampered_certificates():
    H = scipy.linalg.hadamard(8)
    d = json.loads(identify_butterfly(H).to_json())
    d["certificate"]["factors"][0][0][0][0][0] = "2"
    assert not verify(json.dumps(d), H)
    d = json.loads(identify_butterfly(H).to_json())
    d["certificate"]["splits"][0]["degenerate"] = 1
    assert not verify(json.dumps(d), H)
    assert not verify(identify_butterfly(H), np.eye(8, dtype=int))
    P = np.eye(8, dtype=int)[bit_reversal_permutation(8)]
    d = json.loads(identify_butterfly(P).to_json())
    d["certificate"]["cols"] = [5, 6]
    assert not verify(json.dumps(d), P)


@settings(max_examples=20, deadline=None)
@given(L=st.integers(1, 4), seed=st.integers(0, 2 ** 32 - 1))
def test_property_identify_integer_products(L, seed):
    rng = np.random.default_rng(seed)
    Z, _ = random_product(bf(2 ** L), rng=rng, integer=True)
    Z = np.rint(Z).astype(np.int64)
    r = identify_butterfly(Z)
    assert r.verdict == "butterfly" and verify(r, Z)


@settings(max_examples=20, deadline=None)
@given(L=st.integers(2, 4), seed=st.integers(0, 2 ** 32 - 1))
def test_property_verdicts_agree_with_numeric(L, seed):
    """Random integer matrices: the exact verdict matches the numeric fit (and verifies)."""
    Z = np.random.default_rng(seed).integers(-2, 3, size=(2 ** L, 2 ** L))
    r = identify_butterfly(Z)
    assert verify(r, Z)
    err = rel(Z, butterfly_factorize(Z).todense()) if np.any(Z) else 0.0
    assert (r.verdict == "butterfly") == (err <= 1e-12)


# ----------------------------------------------------------------------------- CLI
def test_cli_factorize(tmp_path, capsys):
    path = tmp_path / "dft.npy"
    np.save(path, np.fft.fft(np.eye(32)))
    out = tmp_path / "f.npz"
    assert main(["butterfly", "factorize", str(path), "--out", str(out), "--perm", "bitrev",
                 "--tree", "balanced", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_factors"] == 5 and data["relative_error"] <= 1e-14 and data["seconds"] >= 0
    z = np.load(out)
    F = ButterflyFactors([tuple(p) for p in z["patterns"]],
                         [z[f"twiddle_{k}"] for k in range(5)], z["perm"])
    assert rel(np.fft.fft(np.eye(32)), F.todense()) <= 1e-14


def test_cli_identify(tmp_path, capsys):
    path = tmp_path / "h.txt"
    np.savetxt(path, scipy.linalg.hadamard(8), fmt="%d")
    assert main(["butterfly", "identify", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "butterfly"
    assert verify({"kind": data["kind"], "verdict": data["verdict"],
                   "certificate": data["certificate"], "theorem": data["theorem"],
                   "backend": "integer"}, scipy.linalg.hadamard(8))


# ----------------------------------------------------------------------------- cyclotomic (DFT)
@pytest.mark.parametrize("n", [4, 8, 16, 32, 64])
def test_dft_exact_in_cyclotomic_field(n):
    from exactsparse.butterfly.rings import cyclotomic_to_complex, dft_cyclotomic
    D = dft_cyclotomic(n)
    assert np.allclose(cyclotomic_to_complex(D, n), np.fft.fft(np.eye(n)))   # independent
    r = identify_butterfly(D, cyclotomic=n, perm="bitrev")
    assert r.verdict == "butterfly" and r.certificate["essentially_unique"]
    assert verify(r, (D, "bitrev")) and verify(r, {"Z": D, "perm": bit_reversal_permutation(n)})
    assert not verify(r, D)                     # a certificate for D Pᵀ does not certify D
    # the exact factors, evaluated at ζ = e^{2πi/n}, multiply back to the DFT (with P)
    mats = [dense_factor(p, cyclotomic_to_complex(np.array(t, dtype=float), n))
            for p, t in zip(bf(n), r.certificate["factors"])]
    prod = mats[0]
    for X in mats[1:]:
        prod = prod @ X
    assert np.allclose(prod[:, np.argsort(bit_reversal_permutation(n))], np.fft.fft(np.eye(n)))


def test_dft_without_permutation_is_not_butterfly_exactly():
    from exactsparse.butterfly.rings import dft_cyclotomic
    D = dft_cyclotomic(16)
    r = identify_butterfly(D, cyclotomic=16)
    assert r.verdict == "not-butterfly" and verify(r, D)
    d = json.loads(r.to_json())
    d["certificate"]["determinant"] = ["0"] * 8
    assert not verify(json.dumps(d), D)


def test_cyclotomic_certificate_rejects_other_instance():
    from exactsparse.butterfly.rings import dft_cyclotomic
    D = dft_cyclotomic(8)
    r = identify_butterfly(D, cyclotomic=8, perm="bitrev")
    assert not verify(r, dft_cyclotomic(8, perm=bit_reversal_permutation(8)))


def test_cli_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    path = tmp_path / "h.npy"
    np.save(path, scipy.linalg.hadamard(16).astype(float))
    assert main(["butterfly", "factorize", str(path)]) == 0
    assert "factorizing" not in capsys.readouterr().err          # not a TTY under pytest
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(["butterfly", "factorize", str(path)]) == 0
    assert "factorizing: entries" in capsys.readouterr().err
    assert main(["butterfly", "factorize", str(path), "--quiet"]) == 0
    assert "factorizing" not in capsys.readouterr().err


# ----------------------------------------------------------------- hardening (issue 15)
def test_bitrev_on_hadamard_warns_and_suggests_auto():
    # Independent route: the Sylvester Hadamard matrix is a butterfly product in natural
    # column order (scipy builds it as a Kronecker power), so the bit reversal is the wrong
    # permutation; the dense relative error (numpy) is large.
    import warnings
    from exactsparse.butterfly import ButterflyFitWarning
    H = scipy.linalg.hadamard(16).astype(float)
    with pytest.warns(ButterflyFitWarning, match="perm='auto'") as rec:
        F = butterfly_factorize(H, perm="bitrev")
    err = np.linalg.norm(F.todense() - H) / np.linalg.norm(H)
    assert err > 0.5
    assert "relative error" in str(rec[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ButterflyFitWarning)
        F = butterfly_factorize(H, perm="auto")               # keeps the identity: no warning
        assert np.abs(F.todense() - H).max() < 1e-12
        D = np.fft.fft(np.eye(16))
        F = butterfly_factorize(D, perm="bitrev")             # the right permutation
        assert np.abs(F.todense() - D).max() < 1e-12
        butterfly_factorize(np.random.default_rng(0).standard_normal((16, 16)))  # no perm


def test_fit_warning_with_an_explicit_wrong_permutation():
    from exactsparse.butterfly import ButterflyFitWarning
    D = np.fft.fft(np.eye(8))
    with pytest.warns(ButterflyFitWarning, match="the given permutation"):
        butterfly_factorize(D, perm=np.arange(8)[::-1].copy())


def test_no_fit_warning_for_a_noisy_product_under_its_right_permutation():
    """A noisy DFT (1e-3) under its bit reversal, and a noisy product under its known random
    permutations, fit at the noise level (dense numpy error): no warning; the wrong
    permutation still warns."""
    import warnings
    from exactsparse.butterfly import ButterflyFitWarning
    rng = np.random.default_rng(3)
    N = 64
    D = np.fft.fft(np.eye(N)) / np.sqrt(N)
    Dn = D + 1e-3 * rng.standard_normal((N, N)) / np.sqrt(N)
    B = butterfly_factorize(rng.standard_normal((N, N))).todense()   # a real butterfly product
    p, r = rng.permutation(N), rng.permutation(N)
    Bn = B + 1e-3 * np.linalg.norm(B) / N * rng.standard_normal((N, N))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ButterflyFitWarning)
        F = butterfly_factorize(Dn, perm="bitrev")
        assert np.linalg.norm(F.todense() - Dn) / np.linalg.norm(Dn) < 5e-3
        C = Bn[np.argsort(r)][:, np.argsort(p)]          # C[r][:, p] is the noisy product
        G = butterfly_factorize(C, perm=p, row_perm=r)
        assert G.relative_error(C) < 5e-3
    with pytest.warns(ButterflyFitWarning, match="not a butterfly product"):
        butterfly_factorize(Dn, perm=np.arange(N)[::-1].copy())

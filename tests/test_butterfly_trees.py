"""Factorization trees of the butterfly solver: presets, nested tuples, split orders, the
ICASSP 2022 balanced convention, the rank-one power iteration, batches.

Independent routes: planted products multiplied densely with ``@`` from factors built entry
by entry (``ks_helpers.dense_factor``); the trees of the reference code of Le, Zheng,
Riccietti, Gribonval (ICASSP 2022) rebuilt here from its description (nodes are runs
``{low, …, high−1}`` of the factor numbering ``Z = X_L ⋯ X_1``, the left child holds the
high indices); ``numpy.linalg.svd`` for best rank-one approximations; a loop over single
matrices for batches.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ks_helpers import dense_factor

from exactsparse.butterfly import butterfly_factorize, butterfly_patterns, monarch_patterns
from exactsparse.butterfly.lowrank import rank1_power
from exactsparse.butterfly.trees import (ALIASES, PRESETS, parse_tree, preset_tree,
                                         split_order, tree_from_split_order, tree_leaves)
from exactsparse.cli import main

RNG = np.random.default_rng(20261202)
RANK2_CHAIN = [(1, 2, 4, 8), (2, 4, 4, 4), (4, 4, 2, 2)]
ALL_PRESETS = PRESETS + tuple(ALIASES)


def planted(patterns, complex_=False, rng=RNG):
    """``Z = X_1 ⋯ X_K`` from random twiddles, multiplied densely."""
    Z = None
    for p in patterns:
        p = tuple(p.__dict__.values()) if hasattr(p, "__dict__") else tuple(p)
        T = rng.standard_normal((p[0], p[3], p[1], p[2]))
        if complex_:
            T = T + 1j * rng.standard_normal(T.shape)
        X = dense_factor(p, T)
        Z = X if Z is None else Z @ X
    return Z


def rel(A, B):
    return np.linalg.norm(A - B) / np.linalg.norm(A)


# ----------------------------------------------------------------- the reference trees
def reference_tree(kind, L):
    """The trees of the ICASSP 2022 reference code, rebuilt from its description, mapped to
    product-order indices (their index ``i`` is the factor ``X_{i+1}`` of ``Z = X_L ⋯ X_1``,
    i.e. our index ``L − 1 − i``)."""
    def gen(low, high, how):
        if high - low == 1:
            return L - 1 - low
        split = {"balanced": (low + high) // 2, "comb": high - 1}[how]
        return (gen(split, high, how), gen(low, split, how))   # left child: high indices
    return gen(0, L, kind)


def floor_tree(factors):
    """The pre-2026-12 balanced tree: the left part of J factors gets ⌊J/2⌋ of them."""
    if len(factors) == 1:
        return factors[0]
    k = len(factors) // 2
    return (floor_tree(factors[:k]), floor_tree(factors[k:]))


@pytest.mark.parametrize("L", range(1, 22))
def test_balanced_is_the_icassp_convention(L):
    t = preset_tree("balanced", L)
    assert t == reference_tree("balanced", L)
    assert t == parse_tree("balanced", L)
    if L >= 2:                              # left part of the root: ⌈L/2⌉ factors
        assert len(tree_leaves(t[0])) == -(-L // 2)


@pytest.mark.parametrize("L", range(1, 22))
def test_balanced_floor_and_comb(L):
    assert preset_tree("balanced-floor", L) == floor_tree(list(range(L)))
    assert preset_tree("comb", L) == preset_tree("left", L) == reference_tree("comb", L)
    assert split_order(preset_tree("left", L)) == tuple(range(1, L))
    assert split_order(preset_tree("right", L)) == tuple(range(L - 1, 0, -1))


def test_ceil_and_floor_differ_exactly_for_odd_runs():
    assert preset_tree("balanced", 3) == ((0, 1), 2)
    assert preset_tree("balanced-floor", 3) == (0, (1, 2))
    for L in (2, 4, 8, 16):
        assert preset_tree("balanced", L) == preset_tree("balanced-floor", L)
    for L in (3, 5, 6, 7, 9, 10, 11):
        assert preset_tree("balanced", L) != preset_tree("balanced-floor", L)


# ----------------------------------------------------------------- random trees
@st.composite
def trees(draw, n):
    def build(lo, hi):
        if hi - lo == 1:
            return lo
        k = draw(st.integers(lo + 1, hi - 1))
        return (build(lo, k), build(k, hi))
    return build(0, n)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 12))
def test_split_order_round_trip(data, n):
    t = data.draw(trees(n))
    assert tree_leaves(t) == tuple(range(n))
    order = split_order(t)
    assert sorted(order) == list(range(1, n))
    assert tree_from_split_order(order, n) == t
    assert parse_tree(order, n) == t
    # lists instead of tuples, numpy integers as leaves: the same tree
    as_lists = (lambda f: f(f))(lambda f: lambda x: [f(f)(x[0]), f(f)(x[1])]
                                if isinstance(x, tuple) else np.int64(x))(t)
    assert parse_tree(as_lists, n) == t


@settings(max_examples=25, deadline=None)
@given(data=st.data(), L=st.integers(2, 6), complex_=st.booleans())
def test_random_trees_recover_planted_products(data, L, complex_):
    pats = butterfly_patterns(2 ** L)
    Z = planted(pats, complex_)
    t = data.draw(trees(L))
    F = butterfly_factorize(Z, tree=t)
    assert rel(Z, F.todense()) <= 1e-12
    G = butterfly_factorize(Z, tree=list(split_order(t)))
    assert all(np.array_equal(a, b) for a, b in zip(F.twiddles, G.twiddles))


@pytest.mark.parametrize("tree", ALL_PRESETS)
@pytest.mark.parametrize("L", [1, 2, 3, 5, 7])
def test_presets_recover_planted_products(tree, L):
    Z = planted(butterfly_patterns(2 ** L), complex_=L % 2 == 1)
    assert rel(Z, butterfly_factorize(Z, tree=tree).todense()) <= 1e-12


@pytest.mark.parametrize("tree", ALL_PRESETS)
@pytest.mark.parametrize("chain", [RANK2_CHAIN, monarch_patterns(16), butterfly_patterns(64)])
def test_presets_on_general_chains(tree, chain):
    Z = planted(chain)
    assert rel(Z, butterfly_factorize(Z, chain, tree=tree).todense()) <= 1e-12


@pytest.mark.parametrize("tree", [((0, 1), 2), (0, (1, 2)), [2, 1], [1, 2]])
def test_nested_trees_on_a_rank_two_chain(tree):
    Z = planted(RANK2_CHAIN, complex_=True)
    assert rel(Z, butterfly_factorize(Z, RANK2_CHAIN, tree=tree).todense()) <= 1e-12


def test_odd_depth_balanced_trees_both_conventions():
    Z = planted(butterfly_patterns(2 ** 9))
    for t in ("balanced", "balanced-floor", [5, 2, 1, 3, 4, 7, 6, 8]):
        assert rel(Z, butterfly_factorize(Z, tree=t).todense()) <= 1e-12


@pytest.mark.parametrize("tree", PRESETS)
def test_noisy_every_preset_at_the_noise_level(tree):
    Z = planted(butterfly_patterns(512))
    noise = RNG.standard_normal(Z.shape)
    noise *= 1e-3 * np.linalg.norm(Z) / np.linalg.norm(noise)
    F = butterfly_factorize(Z + noise, tree=tree)
    Fl = butterfly_factorize(Z + noise, tree="left")
    assert rel(Z + noise, F.todense()) <= 1.001e-3
    assert rel(Z, F.todense()) <= 1.05 * rel(Z, Fl.todense()) < 0.5e-3


# ----------------------------------------------------------------- batches
@pytest.mark.parametrize("tree", PRESETS)
def test_batch_equals_loop_over_single(tree):
    pats = butterfly_patterns(64)
    A = np.stack([planted(pats) + 1e-4 * RNG.standard_normal((64, 64)) for _ in range(3)])
    F = butterfly_factorize(A, tree=tree)
    assert F.batch_shape == (3,)
    for i in range(3):
        G = butterfly_factorize(A[i], tree=tree)
        for a, b in zip(F.twiddles, G.twiddles):
            np.testing.assert_allclose(a[i], b, rtol=1e-10, atol=1e-12)


def test_batch_float32_and_2d_batch():
    pats = butterfly_patterns(32)
    A = np.stack([planted(pats) for _ in range(4)]).astype(np.float32).reshape(2, 2, 32, 32)
    F = butterfly_factorize(A, tree="balanced")
    assert F.batch_shape == (2, 2) and F.twiddles[0].dtype == np.float32
    assert np.all(F.relative_error(A) <= 1e-5)


# ----------------------------------------------------------------- the rank-one solver
def svd_rank1_error(B):
    s = np.linalg.svd(B, compute_uv=False)
    return np.sqrt(np.sum(s[1:] ** 2))


@pytest.mark.parametrize("kind", ["exact", "noisy", "dense", "zero", "complex"])
def test_rank1_power_matches_svd(kind):
    rng = np.random.default_rng(1)
    A, D, b, s, p, c = 2, 1, 9, 3, 2, 7
    if kind == "dense":
        W = rng.standard_normal((A, D, b, s, p, c))
    else:
        x = rng.standard_normal((A, D, b, s, p, 1))
        y = rng.standard_normal((A, D, 1, s, p, c))
        if kind == "complex":
            x = x + 1j * rng.standard_normal(x.shape)
            y = y + 1j * rng.standard_normal(y.shape)
        W = x * y
        if kind == "noisy":
            W = W + 1e-3 * rng.standard_normal(W.shape)
        if kind == "zero":
            W[0, 0, :, 1, 1, :] = 0
            W[1, 0, 0, 0, 0, :] = 0            # a zero first row: start from another one
    u, row = rank1_power(W)
    for i, j, k, m in np.ndindex(A, D, s, p):
        B = W[i, j, :, k, m, :]
        err = np.linalg.norm(B - np.outer(u[i, j, k, m], row[i, j, k, m]))
        best = svd_rank1_error(B)
        assert err <= best * (1 + 1e-3) + 1e-13 * np.linalg.norm(B)
        if kind in ("exact", "complex", "zero"):
            assert err <= 1e-13 * max(np.linalg.norm(B), 1)


# ----------------------------------------------------------------- CLI
def test_cli_tree_presets(tmp_path, capsys):
    H = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], float)
    np.save(tmp_path / "H.npy", H)
    for t in ("balanced-floor", "inverse-comb", "comb"):
        assert main(["butterfly", "factorize", str(tmp_path / "H.npy"), "--tree", t,
                     "--json", "--quiet"]) == 0
        assert '"tree": "' + t + '"' in capsys.readouterr().out


@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
def test_batch_in_groups_equals_loop(monkeypatch, tree):
    """A batch larger than one group is solved group by group (also a non-contiguous one)."""
    import exactsparse.butterfly.numeric as nm
    monkeypatch.setattr(nm, "_GROUP", 2 * 32 * 32)
    pats = butterfly_patterns(32)
    A = np.stack([planted(pats) for _ in range(6)]).reshape(3, 2, 32, 32)
    for B in (A, A.transpose(1, 0, 2, 3)):
        F = butterfly_factorize(B, tree=tree)
        assert F.batch_shape == B.shape[:2]
        for idx in np.ndindex(*B.shape[:2]):
            G = butterfly_factorize(np.ascontiguousarray(B[idx]), tree=tree)
            for a, b in zip(F.twiddles, G.twiddles):
                np.testing.assert_allclose(a[idx], b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("tree", PRESETS)
@pytest.mark.parametrize("dtype, tol", [(np.complex64, 2e-6), (np.complex128, 1e-14)])
def test_dft_every_preset_every_precision(tree, dtype, tol):
    D = np.fft.fft(np.eye(128)).astype(dtype)
    F = butterfly_factorize(D, tree=tree, perm="bitrev")
    assert F.twiddles[0].dtype == dtype
    assert rel(D, F.todense()) <= tol


@pytest.mark.parametrize("tree", PRESETS)
def test_memory_layouts(tree):
    """Fortran order, negative and non-unit strides: the same matrix, the same recovery."""
    Z = planted(butterfly_patterns(64))
    for A in (np.asfortranarray(Z), np.ascontiguousarray(Z[::-1])[::-1],
              np.ascontiguousarray(Z[:, ::-1])[:, ::-1], np.repeat(Z, 2, axis=1)[:, ::2]):
        assert np.array_equal(A, Z)
        assert rel(Z, butterfly_factorize(A, tree=tree).todense()) <= 1e-13


# ----------------------------------------------------------------- split orders as arrays
@settings(max_examples=30, deadline=None)
@given(st.integers(2, 9).flatmap(lambda K: st.tuples(st.just(K), st.permutations(range(1, K)))),
       st.sampled_from(["int64", "int32", "uint8", "int16"]))
def test_split_order_as_any_integer_array_like(Kord, dtype):
    """A numpy array (any integer dtype) or a range gives the tree of the same list."""
    K, order = Kord
    expected = parse_tree(list(order), K)
    assert parse_tree(np.array(order, dtype=dtype), K) == expected
    assert tree_from_split_order(np.array(order, dtype=dtype), K) == expected
    assert split_order(expected) == split_order(parse_tree(tuple(order), K))


def test_split_order_array_in_the_solver():
    Z = planted(butterfly_patterns(16))
    F = butterfly_factorize(Z, tree=np.array([2, 1, 3]))
    G = butterfly_factorize(Z, tree=[2, 1, 3])
    assert all(np.array_equal(a, b) for a, b in zip(F.twiddles, G.twiddles))
    assert parse_tree(range(1, 4), 4) == preset_tree("left", 4)
    assert parse_tree(np.array([[0, 1], [2, 3]]), 4) == ((0, 1), (2, 3))


# ----------------------------------------------------------------- trees on the command line
def test_cli_presets_are_the_library_names():
    from exactsparse.butterfly.trees import TREE_NAMES
    from exactsparse.cli.butterfly import TREE_PRESETS
    assert set(TREE_PRESETS) == set(TREE_NAMES)


@pytest.mark.parametrize("flags, tree", [
    (["--tree", "((0,1),(2,3))"], ((0, 1), (2, 3))),
    (["--tree", " [[0, 1], [2, 3]] "], ((0, 1), (2, 3))),
    (["--tree", "(0,((1,2),3))"], (0, ((1, 2), 3))),
    (["--split-order", "2,1,3"], ((0, 1), (2, 3))),
    (["--split-order", "3, 1, 2"], ((0, (1, 2)), 3)),          # the reference inversed comb
])
def test_cli_any_tree(tmp_path, capsys, flags, tree):
    """``--tree TEXT`` / ``--split-order CUTS`` give the factors of the library call with the
    nested tuple written by hand, and they multiply back to the planted product."""
    import json
    Z = planted(butterfly_patterns(16))
    np.save(tmp_path / "Z.npy", Z)
    out = tmp_path / "f.npz"
    assert main(["butterfly", "factorize", "--matrix", str(tmp_path / "Z.npy"), "--out",
                 str(out), "--json", "--quiet", *flags]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["relative_error"] <= 1e-12
    F = butterfly_factorize(Z, tree=tree)
    saved = np.load(out)
    for k, t in enumerate(F.twiddles):
        np.testing.assert_allclose(saved[f"twiddle_{k}"], t, rtol=1e-12, atol=1e-13)
    assert data["tree"] == json.loads(json.dumps(tree))      # the nested tuple, as lists

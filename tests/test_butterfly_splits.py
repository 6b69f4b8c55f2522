"""One split of the hierarchical butterfly solver, and the permutations folded into it.

The reference is always the straightforward route: the input permuted explicitly with numpy
fancy indexing (``A[r][:, c]``) and factorized with ``perm=None``; the folded routes (the bit
reversal read as strided views at every split of every tree, the row permutation read
inside the first split, cache-sized chunks) must agree with it to rounding.
"""

import numpy as np
import pytest

from exactsparse.butterfly import (ButterflyFactors, bit_reversal_permutation,
                                   butterfly_factorize, butterfly_patterns, chain_product)
from exactsparse.butterfly import splits

RNG = np.random.default_rng(20261202)
#: the inputs carry 1e-3 noise: the fit warning of a given permutation is expected
pytestmark = pytest.mark.filterwarnings("ignore:butterfly_factorize. estimated")


def noisy_butterfly(n, complex_=False, noise=1e-3, batch=(), rng=RNG):
    pats = butterfly_patterns(n)
    tw = [rng.standard_normal((*batch, *p.twiddle_shape)) for p in pats]
    if complex_:
        tw = [t + 1j * rng.standard_normal(t.shape) for t in tw]
    Z = ButterflyFactors(pats, tw).todense()
    E = rng.standard_normal(Z.shape)
    return Z + noise * np.linalg.norm(Z) / np.linalg.norm(E) * E


def planted(B, r=None, c=None):
    """``A`` with ``A[r][:, c] = B`` (the butterfly ``B`` behind the permutations)."""
    n = B.shape[-1]
    r = np.arange(n) if r is None else r
    c = np.arange(n) if c is None else c
    A = np.empty_like(B)
    A[..., r[:, None], c[None, :]] = B
    return A


def rel_diff(X, Y):
    return float(np.max(np.abs(X - Y)) / np.max(np.abs(Y)))


def in_frame(F):
    """``F``'s approximation of ``A``, read as ``A[row_perm][:, perm]``."""
    X = F.todense()
    if F.row_perm is not None:
        X = X[..., F.row_perm, :]
    return X if F.perm is None else X[..., F.perm]


def assert_same_factors(F, G, tol=1e-11):
    """Same twiddles (to rounding) and same product (``G`` factorizes the explicitly
    permuted input)."""
    assert len(F.twiddles) == len(G.twiddles)
    for a, b in zip(F.twiddles, G.twiddles):
        assert a.shape == b.shape
        assert rel_diff(a, b) < tol
    assert rel_diff(in_frame(F), in_frame(G)) < tol


@pytest.mark.parametrize("n", [8, 64, 256])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
def test_bitrev_fold_matches_explicit_permutation(n, complex_, scaling):
    br = bit_reversal_permutation(n)
    A = planted(noisy_butterfly(n, complex_), c=br)
    F = butterfly_factorize(A, perm="bitrev", scaling=scaling)
    G = butterfly_factorize(A[:, br], scaling=scaling)
    assert_same_factors(F, G)
    assert np.array_equal(F.perm, br)
    assert F.relative_error(A) == pytest.approx(G.relative_error(A[:, br]), rel=1e-10)


@pytest.mark.parametrize("n", [16, 512])
def test_bitrev_fold_on_the_dft(n):
    """The DFT's 2×2 Grams are exact ties (equal row norms): the phase of each rank-one
    piece is decided by rounding, so the twiddles agree up to the diagonal gauge; the
    product, the error and the moduli of the twiddles agree to rounding."""
    D = np.fft.fft(np.eye(n))
    br = bit_reversal_permutation(n)
    F = butterfly_factorize(D, perm="bitrev")
    G = butterfly_factorize(D[:, br])
    assert rel_diff(in_frame(F), G.todense()) < 1e-13
    assert rel_diff(F.todense(), D) < 1e-13
    for a, b in zip(F.twiddles, G.twiddles):
        assert rel_diff(np.abs(a), np.abs(b)) < 1e-12


TREES = ["left", "right", "balanced", "balanced-floor", [4, 1, 2, 3, 5], [2, 5, 1, 3, 4]]


@pytest.mark.parametrize("tree", TREES)
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
def test_bitrev_fold_in_every_tree_matches_explicit_permutation(tree, complex_, scaling):
    """Every tree reads the bit reversal as strided views (no gathered copy of ``A``)."""
    n = 64
    br = bit_reversal_permutation(n)
    A = planted(noisy_butterfly(n, complex_), c=br)
    F = butterfly_factorize(A, perm="bitrev", tree=tree, scaling=scaling)
    G = butterfly_factorize(A[:, br], tree=tree, scaling=scaling)
    assert_same_factors(F, G)
    assert F.relative_error(A) == pytest.approx(G.relative_error(A[:, br]), rel=1e-10)


@pytest.mark.parametrize("tree", TREES[1:4])
@pytest.mark.parametrize("n", [8, 16, 512])
def test_bitrev_fold_on_the_dft_in_every_tree(tree, n):
    """DFT ties: products and errors agree to rounding, twiddles up to the diagonal gauge."""
    D = np.fft.fft(np.eye(n))
    br = bit_reversal_permutation(n)
    F = butterfly_factorize(D, perm="bitrev", tree=tree)
    G = butterfly_factorize(D[:, br], tree=tree)
    assert rel_diff(in_frame(F), G.todense()) < 1e-13
    assert rel_diff(F.todense(), D) < 1e-13
    for a, b in zip(F.twiddles, G.twiddles):
        assert rel_diff(np.abs(a), np.abs(b)) < 1e-12


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_split_bitrev_anywhere_matches_explicit_gather(k):
    """A split at cut ``k`` of the butterfly chain of 32 with ``perm="bitrev"``: the left
    part comes back with its columns to be read bit-reversed (when ``p > 2``), the right
    part with its blocks in order and its columns to be read bit-reversed (when ``c > 2``)."""
    n = 32
    pats = butterfly_patterns(n)
    left, right = chain_product(pats[:k]), chain_product(pats[k:])
    M = RNG.standard_normal((n, n)) + 1j * RNG.standard_normal((n, n))
    br = bit_reversal_permutation(n)
    scale = "right" if k == 1 else "left"
    TL, TR = splits.split(M.reshape(1, 1, n, n), left, right, 1, scale, "unit", perm="bitrev")
    TL2, TR2 = splits.split(M[:, br].reshape(1, 1, n, n), left, right, 1, scale, "unit")
    p, c = right.a // left.a, right.c
    assert rel_diff(TL[..., bit_reversal_permutation(p)], TL2) < 1e-13
    assert rel_diff(TR[..., bit_reversal_permutation(c)], TR2) < 1e-13


@pytest.mark.parametrize("tree", ["right", "balanced"])
def test_bitrev_is_not_gathered(monkeypatch, tree):
    """The right and balanced trees no longer gather ``A[:, bitrev]``."""
    from exactsparse.butterfly import numeric

    def fail(*args, **kw):
        raise AssertionError("gathered copy")
    monkeypatch.setattr(numeric, "_permute_columns", fail)
    br = bit_reversal_permutation(64)
    A = planted(noisy_butterfly(64), c=br)
    assert butterfly_factorize(A, perm="bitrev", tree=tree).relative_error(A) < 2e-3


def test_bitrev_given_as_an_array_is_folded_too():
    br = bit_reversal_permutation(64)
    A = planted(noisy_butterfly(64), c=br)
    assert_same_factors(butterfly_factorize(A, perm=br.copy()), butterfly_factorize(A[:, br]))


@pytest.mark.parametrize("tree", ["left", "right", "balanced", ((0, 1), ((2, 3), (4, 5)))])
@pytest.mark.parametrize("complex_", [False, True])
def test_row_and_column_permutations_match_explicit_permutation(tree, complex_):
    n = 64
    r, c = RNG.permutation(n), RNG.permutation(n)
    A = planted(noisy_butterfly(n, complex_), r, c)
    F = butterfly_factorize(A, perm=c, row_perm=r, tree=tree)
    G = butterfly_factorize(A[r][:, c], tree=tree)
    assert_same_factors(F, G)
    assert np.array_equal(F.row_perm, r) and np.array_equal(F.perm, c)


@pytest.mark.parametrize("perm", [None, "bitrev"])
def test_row_permutation_alone_and_with_bitrev(perm):
    n = 128
    B = noisy_butterfly(n)
    br = bit_reversal_permutation(n)
    c = None if perm is None else br
    for r in (RNG.permutation(n), br):
        A = planted(B, r, c)
        F = butterfly_factorize(A, perm=perm, row_perm=r)
        G = butterfly_factorize(A[r] if perm is None else A[r][:, br])
        assert_same_factors(F, G)
        assert F.relative_error(A) < 2e-3


def test_batch_with_permutations_matches_each_member():
    n = 32
    r, c = RNG.permutation(n), bit_reversal_permutation(n)
    A = planted(noisy_butterfly(n, batch=(3,)), r, c)
    F = butterfly_factorize(A, perm=c, row_perm=r)
    for k in range(3):
        G = butterfly_factorize(A[k][r][:, c])
        for a, b in zip(F.twiddles, G.twiddles):
            assert rel_diff(a[k], b) < 1e-11


def test_row_permutation_is_not_copied(monkeypatch):
    """The left tree reads the row permutation inside its first split: no permuted copy of
    ``A`` is made, the peak memory is that of the unpermuted call (the chunks are made
    small against ``A``)."""
    import tracemalloc
    monkeypatch.setattr(splits, "_PAIR_CHUNK", 1 << 14)
    n = 256
    r = RNG.permutation(n)
    A = planted(noisy_butterfly(n), r)

    def peak(**kw):
        butterfly_factorize(A, **kw)                      # warm up
        tracemalloc.start()
        butterfly_factorize(A, **kw)
        out = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return out

    assert peak(row_perm=r) < peak() + 0.1 * A.nbytes
    assert peak(row_perm=r, perm="bitrev") < peak() + 0.1 * A.nbytes


@pytest.mark.parametrize("budget", [64, 4096, 1 << 40])
@pytest.mark.parametrize("perm", [None, "bitrev", "random"])
def test_chunk_size_does_not_change_the_split(monkeypatch, budget, perm):
    n = 64
    p = RNG.permutation(n) if perm == "random" else perm
    r = np.arange(n)[::-1].copy()
    A = planted(noisy_butterfly(n, complex_=True), r,
                bit_reversal_permutation(n) if perm == "bitrev" else p)
    ref = butterfly_factorize(A, perm=p, row_perm=r)
    monkeypatch.setattr(splits, "_PAIR_CHUNK", budget)
    F = butterfly_factorize(A, perm=p, row_perm=r)
    assert_same_factors(F, ref, tol=1e-13)


def test_split_with_rows_and_bitrev_matches_explicit_gathers():
    n = 32
    pats = butterfly_patterns(n)
    left, right = pats[0], chain_product(pats[1:])
    M = RNG.standard_normal((n, n)) + 1j * RNG.standard_normal((n, n))
    r, br = RNG.permutation(n), bit_reversal_permutation(n)
    TL, TR = splits.split(M.reshape(1, 1, n, n), left, right, 1, "right", "unit",
                          perm="bitrev", rows=r)
    TL2, TR2 = splits.split(M[r][:, br].reshape(1, 1, n, n), left, right, 1, "right", "unit")
    assert rel_diff(TL, TL2) < 1e-13
    assert rel_diff(TR[..., bit_reversal_permutation(n // 2)], TR2) < 1e-13


@pytest.mark.parametrize("shape", [(3, 5, 2, 7, 2, 3), (1, 1, 2, 64, 2, 64), (4, 16, 2, 2, 2, 2),
                                   (2, 3, 2, 1, 2, 5)])
@pytest.mark.parametrize("budget", [1, 30, 200, 5000, 10**9])
def test_pair_chunks_tile_the_blocks_once(shape, budget):
    """The chunks of a 2×c split cover every block ``(i, j, σ)`` exactly once."""
    A1, d2, _, q, _, _ = shape
    seen = np.zeros((A1, d2, q), int)
    for ia, ja, sq in splits._pair_chunks(shape, budget):
        seen[ia, ja, sq] += 1
    assert (seen == 1).all()


@pytest.mark.parametrize("budget", [16, 1000, 1 << 40])
@pytest.mark.parametrize("complex_", [False, True])
def test_row_chunks_do_not_change_the_bitrev_right_tree(monkeypatch, budget, complex_):
    """The b×2 splits of the right tree read the bit-reversed view in slabs of rows."""
    n = 64
    br = bit_reversal_permutation(n)
    A = planted(noisy_butterfly(n, complex_), c=br)
    G = butterfly_factorize(A[:, br], tree="right")
    monkeypatch.setattr(splits, "_SLAB_CHUNK", budget)
    assert_same_factors(butterfly_factorize(A, perm="bitrev", tree="right"), G)


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("contiguous_rows", [True, False])
def test_column_slab_split_matches_the_strided_pairs(cplx, contiguous_rows):
    """The ``b × 2`` split read as two column slabs (the bit-reversed view) gives the pieces
    of the same split read from the gathered pairs (independent route: ``_split_cols`` on a
    contiguous copy), whichever way the slab's Gram is summed."""
    from exactsparse.butterfly.splits import _split_col_slabs, _split_cols
    rng = np.random.default_rng(5)
    A1, d2, b1, q, p = 1, 2, 8, 2, 6
    shape = (A1, d2, b1, q, 2, p)
    X = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if cplx else 0)
    if not contiguous_rows:                 # slabs whose rows are strided in memory
        big = np.zeros(shape[:-1] + (2 * p,), X.dtype)
        big[..., ::2] = X
        X = big[..., ::2]
    V = X.swapaxes(-1, -2)                  # (A1, d2, b1, q, p, 2), columns as slabs
    assert V.strides[-1] > V.strides[-2] > 0
    pieces = []
    for fn, src in ((_split_col_slabs, V), (_split_cols, np.ascontiguousarray(V))):
        TL = np.zeros((A1, q, d2, b1, p, 1), X.dtype)
        TR = np.zeros((A1, p, d2, 1, q, 2), X.dtype)
        fn(src, TL.transpose(0, 2, 1, 4, 3, 5), TR.transpose(0, 2, 4, 1, 3, 5), "left", "unit")
        pieces.append((TL, TR))
    (L0, R0), (L1, R1) = pieces
    prod0 = np.einsum("aqjbp,apjqc->ajbqpc", L0[..., 0], R0[:, :, :, 0])
    prod1 = np.einsum("aqjbp,apjqc->ajbqpc", L1[..., 0], R1[:, :, :, 0])
    assert np.allclose(prod0, prod1, atol=1e-12)
    # and each is the best rank-one approximation of its block (Eckart-Young, via SVD)
    B = np.ascontiguousarray(V.transpose(0, 1, 3, 4, 2, 5))        # blocks (b1 × 2)
    s = np.linalg.svd(B, compute_uv=False)
    err = np.linalg.norm(B - prod0.transpose(0, 1, 3, 4, 2, 5), axis=(-2, -1))
    assert np.allclose(err, s[..., 1], atol=1e-12)

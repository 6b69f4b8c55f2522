"""Exact two-factor projections (exactsparse.butterfly.projection).

Expected values come from an independent route: the rank-one supports of the pair
``(supp X₁, supp X₂ᵀ)`` are read off the 0/1 supports built by ``KSPattern.indices``,
grouped into classes of identical rectangles, and every block ``A[R, C]`` is given to
``numpy.linalg.svd`` (the optimal loss of FSMF family 1, Le–Riccietti–Gribonval 2023).
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exactsparse import verify
from exactsparse.butterfly import (KSPattern, butterfly_factorize, butterfly_patterns,
                                   monarch_patterns)
from exactsparse.butterfly.projection import (block_rank_approx, project_two_factor,
                                              two_factor_certificate)

CHAINS = [
    monarch_patterns(16),
    monarch_patterns(64),
    butterfly_patterns(4),
    [(1, 4, 8, 4), (4, 8, 4, 1)],          # rank 2, full product
    [(2, 3, 4, 2), (4, 4, 3, 1)],          # rank 2, block-diagonal product (a = 2)
    [(1, 3, 4, 2), (2, 4, 5, 1)],          # rank 2, rectangular 6 × 10, blocks 3 × 5
    [(1, 3, 3, 2), (3, 2, 2, 1)],          # rank 1, rectangular 6 × 6 blocks 3 × 2
]


def _dense_support(p):
    pat = p if isinstance(p, KSPattern) else KSPattern(*p)
    S = np.zeros(pat.shape, bool)
    rows, cols = pat.indices()
    S[rows, cols] = True
    return S


def optimal_loss(A, pats):
    """Σ_{uncovered} A² + Σ_classes Σ_{t>|P|} σ_t(A[R, C])², by numpy's SVD."""
    I, Jt = _dense_support(pats[0]), _dense_support(pats[1])
    classes = {}
    for k in range(I.shape[1]):
        R, C = tuple(np.flatnonzero(I[:, k])), tuple(np.flatnonzero(Jt[k]))
        if R and C:
            classes.setdefault((R, C), []).append(k)
    covered = np.zeros(A.shape, bool)
    loss = 0.0
    for (R, C), ks in classes.items():
        assert not covered[np.ix_(R, C)].any()          # disjoint-or-identical
        covered[np.ix_(R, C)] = True
        s = np.linalg.svd(A[np.ix_(R, C)], compute_uv=False)
        loss += float(np.sum(s[len(ks):] ** 2))
    return loss + float(np.sum(np.abs(A[~covered]) ** 2))


def _loss(F, A):
    """``‖A − X₁X₂P‖²`` (``todense`` includes the permutation)."""
    return float(np.sum(np.abs(A - F.todense()) ** 2))


@pytest.mark.parametrize("pats", CHAINS, ids=str)
@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
def test_loss_equals_block_svd(pats, cplx, scaling):
    rng = np.random.default_rng(len(str(pats)))
    shape = (KSPattern(*pats[0]).shape[0] if not isinstance(pats[0], KSPattern)
             else pats[0].shape[0],
             KSPattern(*pats[1]).shape[1] if not isinstance(pats[1], KSPattern)
             else pats[1].shape[1])
    A = rng.standard_normal(shape)
    if cplx:
        A = A + 1j * rng.standard_normal(shape)
    F = project_two_factor(A, pats, scaling=scaling)
    best = optimal_loss(A, F.patterns)
    assert F.optimal
    assert abs(_loss(F, A) - best) <= 1e-12 * best


def test_monarch_1024_matches_batched_svd():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((1024, 1024))
    F = butterfly_factorize(A, monarch_patterns(1024))
    blocks = A.reshape(32, 32, 32, 32).transpose(1, 2, 0, 3)   # (σ, u, β, γ)
    s = np.linalg.svd(blocks, compute_uv=False)
    best = float(np.sum(s[..., 1:] ** 2))
    assert F.optimal
    assert abs(_loss(F, A) - best) <= 1e-12 * best


def test_factorize_routes_two_factor_and_keeps_perm():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((16, 16))
    perm = rng.permutation(16)
    with pytest.warns(Warning, match="not a butterfly product"):
        F = butterfly_factorize(A, monarch_patterns(16), perm=perm)
    assert F.optimal and np.array_equal(F.perm, perm)
    best = optimal_loss(A[:, perm], F.patterns)
    assert abs(_loss(F, A) - best) <= 1e-12 * best
    G = project_two_factor(A, monarch_patterns(16), perm=perm)
    assert abs(_loss(G, A) - best) <= 1e-12 * best


def test_batch_equals_one_by_one():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((2, 3, 16, 16))
    F = project_two_factor(A, monarch_patterns(16))
    assert F.batch_shape == (2, 3) and F.optimal and F[1, 2].optimal
    for i in range(2):
        for j in range(3):
            best = optimal_loss(A[i, j], F.patterns)
            assert abs(_loss(F[i, j], A[i, j]) - best) <= 1e-12 * best


def test_exact_input_recovered_and_zero_blocks():
    rng = np.random.default_rng(6)
    pats = monarch_patterns(16)
    from exactsparse.butterfly import ButterflyFactors
    Z = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    assert project_two_factor(Z, pats).relative_error(Z) < 1e-13
    Z[:, :4] = 0                      # some zero blocks: zero factors there, finite output
    F = project_two_factor(Z, pats)
    assert all(np.isfinite(t).all() for t in F.twiddles)
    assert F.relative_error(Z) < 1e-13
    F0 = project_two_factor(np.zeros((16, 16)), pats)
    assert all(not t.any() for t in F0.twiddles)


def test_unit_scaling_left_orthonormal():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((16, 16))
    F = project_two_factor(A, [(1, 4, 8, 4), (4, 8, 4, 1)], scaling="unit")
    # X₁ column (u·2 + ρ)·4 + j: the pair ρ = 0, 1 of one rank-2 block shares its rows
    X1 = F.to_scipy()[0].toarray()
    for u in range(4):
        for j in range(4):
            pair = X1[:, [(u * 2) * 4 + j, (u * 2 + 1) * 4 + j]]
            assert np.allclose(pair.T @ pair, np.eye(2))
            assert np.array_equal(pair[:, 0] != 0, pair[:, 1] != 0)


def test_butterfly_deeper_chain_not_optimal():
    A = np.random.default_rng(8).standard_normal((8, 8))
    F = butterfly_factorize(A)
    assert not F.optimal
    with pytest.raises(Exception, match="optimal=False"):
        F.optimality_certificate()


def test_certificate_verifies_and_tampered_is_rejected():
    F = butterfly_factorize(np.random.default_rng(9).standard_normal((16, 16)),
                            monarch_patterns(16))
    res, inst = F.optimality_certificate()
    assert res.verdict == "tractable" and res.theorem == "fsmf.disjoint"
    assert verify(res, inst)
    cert = dict(res.certificate)
    rects = dict(cert["rectangles"])
    key = sorted(rects)[0]
    rows, cols = rects[key]
    rects[key] = (rows, cols[:-1])              # a rectangle that does not match the supports
    cert["rectangles"] = rects
    bad = dataclasses.replace(res, certificate=cert)
    out = verify(bad, inst)
    assert not out.valid and "invalid certificate" in out.message
    # the certificate of another chain does not belong to this instance
    other, _ = two_factor_certificate(butterfly_patterns(16)[:1] + (KSPattern(2, 8, 8, 1),))
    out = verify(other, inst)
    assert not out.valid and "invalid certificate" in out.message


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 7), st.integers(1, 4),
       st.integers(0, 2**31 - 1))
def test_block_rank_approx_is_eckart_young(m, k, n, r, seed):
    B = np.random.default_rng(seed).standard_normal((n, m, k))
    U, S, Vh = block_rank_approx(B, r)
    s = np.linalg.svd(B, compute_uv=False)
    t = min(r, m, k)
    assert np.allclose(S[:, :t], s[:, :t], atol=1e-12 * max(1, np.abs(B).max()))
    Z = U @ (S[..., None] * Vh)
    best = np.sum(s[:, t:] ** 2, axis=-1)
    loss = np.sum((B - Z) ** 2, axis=(1, 2))
    assert np.all(np.abs(loss - best) <= 1e-10 * (1 + np.sum(B ** 2, axis=(1, 2))))


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_extreme_scales(scale):
    A = np.random.default_rng(10).standard_normal((16, 16))
    F = project_two_factor(A * scale, monarch_patterns(16))
    best = optimal_loss(A, F.patterns)
    loss = float(np.sum((A - F.todense() / scale) ** 2))
    assert abs(loss - best) <= 1e-12 * best


@pytest.mark.parametrize("pats", CHAINS, ids=str)
def test_certificate_of_every_two_factor_chain(pats):
    res, inst = two_factor_certificate(pats)
    assert res.verdict == "tractable"
    assert verify(res, inst).valid
    # independent reading: the rank-one supports are pairwise disjoint or identical
    I, Jt = _dense_support(pats[0]), _dense_support(pats[1])
    rects = {(tuple(np.flatnonzero(I[:, k])), tuple(np.flatnonzero(Jt[k])))
             for k in range(I.shape[1])}
    cells = [set((r, c) for r in R for c in C) for R, C in rects]
    assert sum(map(len, cells)) == len(set().union(*cells))


@pytest.mark.parametrize("m", [2, 3, 5, 8])
def test_top_vector_orthogonal_to_the_start_vector(m):
    # a block whose top left singular vector is orthogonal to the fixed start vector
    # linspace(1, 2, m) of the inverse iteration: still the top singular value
    x0 = np.linspace(1.0, 2.0, m)
    u2 = x0 / np.linalg.norm(x0)
    v = np.zeros(m)
    v[:2] = x0[1], -x0[0]
    u1 = v / np.linalg.norm(v)
    B = (3 * np.outer(u1, np.eye(m)[0]) + np.outer(u2, np.eye(m)[1]))[None]
    U, S, Vh = block_rank_approx(B, 1)
    assert S[0, 0] == pytest.approx(3.0, rel=1e-14)
    assert np.sum((B - U @ (S[..., None] * Vh)) ** 2) == pytest.approx(1.0, rel=1e-12)

"""Chain design (exactsparse.butterfly.design): the enumeration against an independent brute
force, parameter and flop counts from dense supports built with np.kron, and the design on
planted products.  Expected values never come from the functions under test."""

import functools
import itertools
from collections import defaultdict

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from exactsparse import BudgetTooSmallError
from exactsparse.butterfly import (ButterflyFactors, KSPattern, butterfly_factorize,
                                   butterfly_patterns, chain_ranks, monarch_patterns)
from exactsparse.butterfly.design import (KSChain, design_chain, enumerate_chains,
                                          smallest_chain, split_lower_bound)


# ----------------------------------------------------------------------------- brute force
def dense(p):
    """The 0/1 support I_a ⊗ 1_{b×c} ⊗ I_d, built with np.kron."""
    a, b, c, d = p
    return np.kron(np.kron(np.eye(a, dtype=np.int64), np.ones((b, c), np.int64)),
                   np.eye(d, dtype=np.int64))


def chainable(p, q):
    """The definition (a₁ | a₂, d₂ | d₁, a₁c₁/a₂ = b₂d₂/d₁ ∈ ℕ): the rank, or None."""
    a1, _, c1, d1 = p
    a2, b2, _, d2 = q
    if a2 % a1 or d1 % d2 or (a1 * c1) % a2 or (b2 * d2) % d1:
        return None
    r = a1 * c1 // a2
    return r if r == b2 * d2 // d1 else None


def support_product(seq):
    return functools.reduce(lambda X, Y: (X @ Y > 0).astype(np.int64), [dense(p) for p in seq])


def brute_force(m, n, K, P, max_rank=None):
    """Every sequence of ≤ K 4-tuples with a·b·c·d ≤ P whose sizes fit, kept when the
    definition of the enumerated set holds, checked on dense supports."""
    tuples = [(a, b, c, d) for a in range(1, P + 1) for b in range(1, P + 1)
              for c in range(1, P + 1) for d in range(1, P + 1) if a * b * c * d <= P]
    by_rows = defaultdict(list)
    for t in tuples:
        by_rows[t[0] * t[1] * t[3]].append(t)
    found = set()
    stack = [(t,) for t in by_rows[m]]
    while stack:
        seq = stack.pop()
        if sum(np.prod(t) for t in seq) > P:
            continue
        last = seq[-1]
        if last[0] * last[2] * last[3] == n and accepted(seq, m, n, max_rank):
            found.add(seq)
        if len(seq) < K:
            stack.extend(seq + (t,) for t in by_rows[last[0] * last[2] * last[3]])
    return found


def accepted(seq, m, n, max_rank):
    ranks = [chainable(p, q) for p, q in zip(seq, seq[1:])]
    if None in ranks:
        return False
    if not (support_product(seq) == 1).all() or support_product(seq).shape != (m, n):
        return False
    for k, r in enumerate(ranks):
        left, right = support_product(seq[:k + 1]), support_product(seq[k + 1:])
        side = min(left.sum(axis=0).max(), right.sum(axis=1).max())   # block sides
        if r > side or (max_rank is not None and r > max_rank):
            return False
    for i, j in itertools.combinations(range(len(seq)), 2):       # runs i..j
        run = seq[i:j + 1]
        if support_product(run).sum() < sum(dense(p).sum() for p in run):
            return False
    return True


def enumerated(m, n, K, P, max_rank=None):
    out = [tuple((p.a, p.b, p.c, p.d) for p in c.patterns)
           for c in enumerate_chains(m, n, max_factors=K, max_params=P, max_rank=max_rank)]
    assert len(out) == len(set(out)), "a chain was yielded twice"
    return set(out)


@pytest.mark.parametrize("m, n, K, P, R", [
    (4, 4, 3, 16, None), (4, 4, 4, 14, 1), (6, 4, 3, 24, None), (2, 8, 3, 16, None),
    (6, 6, 3, 30, None), (8, 8, 3, 40, 1), (7, 7, 3, 49, None), (1, 5, 2, 5, None),
    (8, 4, 3, 32, 2), (9, 6, 2, 54, None)])
def test_enumeration_equals_brute_force(m, n, K, P, R):
    assert enumerated(m, n, K, P, R) == brute_force(m, n, K, P, R)


@pytest.mark.slow
@pytest.mark.parametrize("m, n, K, P, R", [(8, 8, 4, 48, 1), (8, 8, 3, 64, None),
                                           (12, 8, 3, 48, 2)])
def test_enumeration_equals_brute_force_larger(m, n, K, P, R):
    """Measured: 117 s, 20 s and 14 s on a loaded 2-core machine (all equal)."""
    assert enumerated(m, n, K, P, R) == brute_force(m, n, K, P, R)


def test_prime_size_has_only_dense_and_low_rank_chains():
    got = enumerated(7, 7, 4, 49)
    assert got == {((1, 7, 7, 1),)} | {((1, 7, r, 1), (1, r, 7, 1)) for r in (1, 2, 3)}


def test_known_chains_are_enumerated():
    got = enumerated(16, 16, 4, 128, 1)
    assert tuple((p.a, p.b, p.c, p.d) for p in butterfly_patterns(16)) in got
    assert tuple((p.a, p.b, p.c, p.d) for p in monarch_patterns(16)) in got


def test_params_and_flops_from_dense_supports():
    for c in enumerate_chains(8, 8, max_params=64):
        mats = [dense((p.a, p.b, p.c, p.d)) for p in c.patterns]
        assert c.params == sum(int(S.sum()) for S in mats)
        assert c.flops == sum(2 * int(S.sum()) - S.shape[0] for S in mats)
        assert c.ranks == chain_ranks(c.patterns)[1]
        # applying the chain with dense matrices: the multiplications are the nonzeros
        assert c.flops == sum(2 * int((S != 0).sum()) - int((S.sum(axis=1) > 0).sum())
                              for S in mats)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 3))
def test_every_chain_multiplies_to_the_full_pattern(m, n, K):
    for c in enumerate_chains(m, n, max_factors=K, max_params=m * n):
        assert c.params <= m * n and c.n_factors <= K
        assert (support_product([(p.a, p.b, p.c, p.d) for p in c.patterns]) == 1).all()


def test_smallest_chain_is_the_cheapest():
    for m, n in [(8, 8), (1, 5), (2, 2), (6, 9)]:
        every = list(enumerate_chains(m, n))
        assert smallest_chain(m, n).params == min(c.params for c in every) == min(m * n, m + n)


# ----------------------------------------------------------------------------- lower bound
def test_split_lower_bound_by_explicit_blocks():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 12))
    for d, a, r in [(2, 3, 1), (4, 2, 2), (1, 1, 3), (8, 12, 1)]:
        tail = 0.0
        for j in range(d):
            for i in range(a):
                s = np.linalg.svd(A[j::d, i * (12 // a):(i + 1) * (12 // a)], compute_uv=False)
                tail += float(np.sum(s[r:] ** 2))
        assert split_lower_bound(A, d, a, r) == pytest.approx(np.sqrt(tail) / np.linalg.norm(A))


# ----------------------------------------------------------------------------- design
def independent_error(A, patterns):
    F = butterfly_factorize(A, patterns)
    return float(np.linalg.norm(A - F.todense()) / np.linalg.norm(A))


def planted(pats, seed=0):
    rng = np.random.default_rng(seed)
    return ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()


@pytest.mark.parametrize("budget", [40, 96, 200])
def test_chosen_within_budget_and_error_is_a_refit(budget):
    A = np.random.default_rng(2).standard_normal((16, 16))
    res = design_chain(A, budget, max_rank=2)
    assert res.chosen.params <= budget
    assert res.error == pytest.approx(independent_error(A, res.chosen.patterns), rel=1e-9)
    assert all(f.chain.params <= budget for f in res.fits + res.skipped)
    assert all(f.lower_bound <= f.error + 1e-12 for f in res.fits)
    assert res.error <= min(f.error for f in res.fits) + 1e-13


def test_planted_butterfly_is_found():
    Z = planted(butterfly_patterns(16))
    res = design_chain(Z, 2 * 16 * 4, max_rank=1)
    assert res.error < 1e-10 and res.chosen_optimal
    assert independent_error(Z, res.chosen.patterns) < 1e-10


def test_exact_ties_go_to_the_cheapest_chain():
    """H_16 = F_4 ⋯ F_1 (radix-2 fast Hadamard transform): among the exact chains of 128
    parameters the radix-2 butterfly has the fewest flops (2·128 − 4·16 = 192)."""
    H = scipy.linalg.hadamard(16)
    res = design_chain(H, 128, max_rank=1)
    assert res.chosen.patterns == butterfly_patterns(16) and res.chosen.flops == 192
    assert independent_error(H, res.chosen.patterns) < 1e-14


def test_planted_monarch_and_low_rank_are_found():
    M = planted(monarch_patterns(16), seed=3)
    assert design_chain(M, 128, max_rank=1).error < 1e-10
    U = np.random.default_rng(4).standard_normal((12, 3))
    res = design_chain(U @ U.T, 72)                       # rank 3: 3·(12 + 12) = 72
    assert res.error < 1e-10


def test_bit_reversed_dft_picks_the_radix_2_butterfly():
    """DFT_64 Pᵀ is exact on the radix-r chains, all of N·Σ radices = 768 parameters for
    radices (2,…,2) and (4, 4, 4); flops 2·768 − 64 K are least for the K = 6 radix-2 chain."""
    from exactsparse.butterfly import bit_reversal_permutation
    D = np.fft.fft(np.eye(64))[:, bit_reversal_permutation(64)]
    res = design_chain(D, 768, max_rank=1)
    assert res.chosen.patterns == butterfly_patterns(64) and res.front_exact
    assert independent_error(D, res.chosen.patterns) < 1e-13


def test_pareto_front_recomputed_from_the_fits():
    A = scipy.linalg.hadamard(16) + 0.1 * np.random.default_rng(5).standard_normal((16, 16))
    res = design_chain(A, 160, max_rank=1)
    pts = [(f.chain.params, f.error) for f in res.fits]
    front = {p for p in pts if not any(q[0] <= p[0] and q[1] < p[1] for q in pts)}
    assert {(f.chain.params, f.error) for f in res.pareto} == front
    assert res.front_exact and all(s.status == "dominated" for s in res.skipped)
    # a dominated candidate really is: a fit with fewer params reaches its lower bound
    for s in res.skipped:
        assert any(f.chain.params <= s.chain.params and f.error <= s.lower_bound + 1e-13
                   for f in res.fits)


def test_time_budget_runs_out_partial_front():
    A = np.random.default_rng(6).standard_normal((32, 32))
    res = design_chain(A, 32 * 32, time_budget=1e-6, max_rank=4)
    assert len(res.fits) >= 1 and not res.front_exact
    assert not res.enumeration_complete or any(s.status == "time" for s in res.skipped)


def test_budget_too_small_names_the_smallest_chain():
    with pytest.raises(BudgetTooSmallError, match=r"at least 16 parameters.*\(1,8,1,1\)"
                                                  r"·\(1,1,8,1\).*not 15"):
        design_chain(np.eye(8), 15)


def test_to_dict_is_json_ready():
    import json
    res = design_chain(scipy.linalg.hadamard(8), 48)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["chosen"]["params"] == res.chosen.params and d["front_exact"] is True
    assert KSChain.of([KSPattern(*p) for p in d["chosen"]["patterns"]]) == res.chosen


def test_design_curve_picture(tmp_path):
    pytest.importorskip("matplotlib", reason="the picture needs matplotlib")
    from exactsparse.plot import design_curve
    res = design_chain(scipy.linalg.hadamard(16), 128, max_rank=1)
    ax = design_curve(res, tmp_path / "curve.png")
    assert (tmp_path / "curve.png").stat().st_size > 0
    xs = ax.lines[0].get_xdata().tolist()
    assert xs == [f.chain.params for f in res.pareto]


@pytest.mark.parametrize("e", [-1060, -700, -565, 520, 1000])
def test_bounds_and_design_are_scale_invariant(e):
    # before: entries below ~1e-162 gave every bound 0.0 (squares underflow), entries
    # above ~1e154 an ArgumentError "too large to square"; both are relative quantities
    A = np.random.default_rng(5).standard_normal((16, 16))
    As = np.ldexp(A, e)                         # exact (e = -1060: 14-bit subnormals)
    tol = 1e-3 if e < -1022 else 1e-12
    for d, a, r in [(4, 4, 1), (1, 1, 3), (2, 8, 2)]:
        w = 16 // a                             # the blocks A[j::d, i w:(i+1) w], numpy SVD
        s2 = [np.linalg.svd(A[j::d, i * w:(i + 1) * w], compute_uv=False) ** 2
              for j in range(d) for i in range(a)]
        want = np.sqrt(sum(s[r:].sum() for s in s2) / np.sum(A ** 2))
        assert split_lower_bound(As, d, a, r) == pytest.approx(want, rel=tol)
    ref, out = design_chain(A, 128, time_budget=20), design_chain(As, 128, time_budget=20)
    assert out.chosen == ref.chosen and out.error == pytest.approx(ref.error, rel=tol)

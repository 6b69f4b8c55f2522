"""Fast paths of exactsparse.relu local identifiability: balanced residues, the blocked rank
modulo a prime with delayed reduction, and activation patterns from a certified float pass.

Expected values from independent routes: Python integers' ``%``, FLINT ``nmod_mat.rank``,
and the signs of FLINT's exact pre-activations (``Network.preactivations``)."""

from __future__ import annotations

import random
from fractions import Fraction as F

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exactsparse as es
from exactsparse.relu import KinkError, Network, local_identifiability, random_network
from exactsparse.relu._modp import mod_p, rank_mod_p_dense
from exactsparse.relu.pathlift import activation_patterns

P = 1048573


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(2 ** 53) + 1, 2 ** 53 - 1), min_size=1, max_size=50),
       st.sampled_from([3, 65521, P]))
def test_mod_p_is_a_balanced_residue(xs, p):
    r = mod_p(np.array(xs, dtype=float), p)
    assert [int(v) % p for v in r] == [x % p for x in xs]
    assert np.abs(r).max() <= p / 2 + 2


def test_mod_p_next_to_half_multiples():
    k = np.arange(-(2 ** 20), 2 ** 20, 997, dtype=np.int64)
    xs = [int(v) * P + P // 2 + d for v in k for d in (-1, 0, 1, 2)]
    r = mod_p(np.array(xs, dtype=float), P)
    assert [int(v) % P for v in r] == [x % P for x in xs] and np.abs(r).max() <= P / 2 + 2


@pytest.mark.parametrize("block", [1, 5, 64])
def test_rank_mod_p_vs_flint(block):
    rng = np.random.default_rng(block)
    for _ in range(12):
        m, n, r = (int(v) for v in rng.integers(1, 90, 3))
        A = (rng.integers(-P, P, (m, r)) @ rng.integers(-3, 4, (r, n))) % P
        if rng.random() < 0.3:                          # repeated and zero rows
            A[rng.integers(0, m, m // 3)] = 0
        want = flint.nmod_mat(A.tolist(), P).rank()
        assert rank_mod_p_dense(A, P, block=block) == want
        assert rank_mod_p_dense(A.astype(float) - 5 * P, P, block=block) == want


def test_rank_mod_p_large_full_rank_and_deficient():
    rng = np.random.default_rng(7)
    A = rng.integers(0, P, (300, 420))
    A[:, 200] = (3 * A[:, 5] + 7 * A[:, 9]) % P            # rank unchanged: 300 rows
    assert rank_mod_p_dense(A, P) == flint.nmod_mat(A.tolist(), P).rank() == 300
    B = (rng.integers(0, P, (300, 250)) @ rng.integers(0, 5, (250, 300))) % P
    assert rank_mod_p_dense(B, P) == flint.nmod_mat(B.tolist(), P).rank()


def _exact_signs(net, X):
    pre = net.preactivations(X)
    n = len(X)
    return [[tuple(1 if pre[l][i, s] > 0 else 0 for i in range(net.widths[l + 1]))
             for l in range(net.depth - 1)] for s in range(n)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=4), st.integers(0, 10 ** 6))
def test_float_patterns_equal_exact_signs(widths, seed):
    rng = random.Random(seed)
    net = Network([{"W": [[F(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(m)]
                          for _ in range(n)],
                    "b": [F(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(n)]}
                   for m, n in zip(widths, widths[1:] + [1])])
    X = [[F(rng.randint(-50, 50), rng.randint(1, 30)) for _ in range(widths[0])]
         for _ in range(15)]
    pats, _ = activation_patterns(net, X)
    assert pats == _exact_signs(net, X)


def test_near_kink_samples_are_decided_exactly():
    # pre-activation x − 1/3 at x = 1/3 ± 2⁻⁶⁰: below float resolution, signs still exact
    net = Network([{"W": [[1], [-1]], "b": [F(-1, 3), F(1, 3)]}, {"W": [[1, 1]], "b": [0]}])
    eps = F(1, 2 ** 60)
    X = [[F(1, 3) + eps], [F(1, 3) - eps], [F(5)]]
    pats, _ = activation_patterns(net, X)
    assert pats == _exact_signs(net, X) == [[(1, 0)], [(0, 1)], [(1, 0)]]
    with pytest.raises(KinkError, match="Sample 1"):
        activation_patterns(net, [[F(2)], [F(1, 3)]], on_kink="error")


def test_fast_local_ident_still_verifies():
    rng = random.Random(3)
    net = Network([{"W": [[F(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4))
                           for _ in range(m)] for _ in range(n)],
                    "b": [F(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(n)]}
                   for m, n in [(4, 12), (12, 8), (8, 1)]])
    X = [[F(rng.randint(-100, 100), rng.randint(1, 50)) for _ in range(4)] for _ in range(100)]
    r = local_identifiability(net, X, exact="never")      # full row rank: certified mod p
    assert r.certificate["exact"]["rank_gamma"] and r.certificate["rank_gamma"] == 100
    assert es.verify(r, (net, X)).valid
    small = random_network([3, 5, 2], seed=4)
    Xs = [[F(rng.randint(-99, 99), rng.randint(40, 97)) for _ in range(3)] for _ in range(6)]
    r2, r3 = local_identifiability(small, Xs), local_identifiability(small, Xs, exact="never")
    assert es.verify(r2, (small, Xs)).valid
    assert r3.certificate["rank_gamma"] == r2.certificate["rank_gamma"]


def test_rank_mod_p_of_python_integers():
    A = np.array([[2 ** 80, 3], [2 ** 81, 6], [5, 2 ** 70 + 1]], dtype=object)
    want = flint.nmod_mat([[int(v) % P for v in r] for r in A.tolist()], P).rank()
    assert rank_mod_p_dense(A, P) == want == 2

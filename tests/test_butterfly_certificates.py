"""Butterfly certificates and edge cases: forged certificates, the permutation bound to the
instance, zero blocks, 1-D batches, big integers, checker independence, hostile numbers,
the stopping rule of the balanced tree.

Every expected value comes from an independent route: dense products of object arrays of
Fractions built here, numpy products, or hand-computed determinants."""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys
import time
from fractions import Fraction as F

import numpy as np
from ks_helpers import dense_factor
import pytest
import scipy.linalg

from exactsparse import verify
from exactsparse.butterfly import (ButterflyFactors, butterfly_factorize, butterfly_patterns,
                                   identify_butterfly)
from exactsparse.certificates import Result

RNG = np.random.default_rng(7)
P4 = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]       # bit reversal, N = 4


def dense(T, pat, dtype=object):
    return dense_factor(pat, T, dtype)


def pats(n):
    L = n.bit_length() - 1
    return [(2 ** (k - 1), 2, 2, n >> k) for k in range(1, L + 1)]


def fraction_product(tws, n):
    Z = None
    for T, p in zip(tws, pats(n)):
        X = dense(T, p)
        Z = X if Z is None else Z.dot(X)
    return Z


# ----------------------------------------------------------------------------- overflow forge
def test_forged_certificate_through_int64_overflow_is_rejected():
    T0 = [[[[F(2**31 + 1, 2**32), F(1, 2**32)], [F(1, 2**32), F(1, 2**32)]],
           [[F(1, 2**32), F(1, 2**32)], [F(1, 2**32), F(1, 2**32)]]]]
    T1 = [[[[F(2), F(1)], [F(1), F(1)]]], [[[F(1), F(1)], [F(1), F(1)]]]]
    Y = dense(T0, (1, 2, 2, 2)).dot(dense(T1, (2, 2, 2, 1)))
    J = np.zeros((4, 4), dtype=object)
    J[0, 0] = J[0, 1] = 1                       # the int64 wrap of (2^32 Y)·2^32
    Z = Y - J
    assert (Y != Z).any()                       # the forged factors do not multiply to Z
    block = Z[np.ix_([0, 2], [0, 1])]
    assert block[0, 0] * block[1, 1] - block[0, 1] * block[1, 0] != 0   # Z is not butterfly
    cert = {"field": "Q", "patterns": [(1, 2, 2, 2), (2, 2, 2, 1)], "perm": None,
            "factors": [T0, T1],
            "splits": [{"level": 0, "left": (1, 2, 2, 2), "right": (2, 2, 2, 1), "blocks": 4,
                        "degenerate": 0}], "essentially_unique": True}
    forged = Result(kind="butterfly.identify", verdict="butterfly", certificate=cert,
                    theorem="butterfly.exact", backend="integer")
    assert not verify(forged, Z.tolist())
    assert not verify(forged.to_json(), Z.tolist())
    assert verify(forged, Y.tolist())           # the same factors do certify their product
    r = identify_butterfly(Z.tolist())
    assert r.verdict == "not-butterfly" and verify(r, Z.tolist())


# ----------------------------------------------------------------------------- perm binding
def test_perm_is_bound_to_the_instance_bitrev_n4():
    a, b = identify_butterfly(P4), identify_butterfly(P4, perm="bitrev")
    assert (a.verdict, b.verdict) == ("not-butterfly", "butterfly")
    assert verify(a, P4) and not verify(b, P4)
    assert verify(b, (P4, "bitrev")) and verify(b, {"Z": P4, "perm": [0, 2, 1, 3]})
    assert not verify(a, (P4, "bitrev"))


def test_perm_is_bound_to_the_instance_hadamard_transposition():
    H = scipy.linalg.hadamard(8)
    p = np.array([0, 1, 2, 4, 3, 5, 6, 7])
    a, b = identify_butterfly(H), identify_butterfly(H, perm=p)
    assert (a.verdict, b.verdict) == ("butterfly", "not-butterfly")
    assert verify(a, H) and not verify(b, H)
    assert verify(b, (H, p)) and not verify(a, (H, p))
    # tampering with the perm of a valid certificate is caught
    d = json.loads(b.to_json())
    d["certificate"]["perm"] = None
    assert not verify(json.dumps(d), (H, p))


# ----------------------------------------------------------------------------- zero blocks
@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
@pytest.mark.parametrize("scaling", ["unit", "sqrt"])
def test_zero_twiddle_block_exact_recovery_every_tree(tree, scaling):
    rng = np.random.default_rng(0)
    N = 16
    tw = [rng.standard_normal(p.twiddle_shape) for p in butterfly_patterns(N)]
    tw[1][0, 0] = 0
    Z = np.eye(N)
    for T, p in zip(tw, pats(N)):
        Z = Z @ dense(T, p, dtype=float)
    F_ = butterfly_factorize(Z, tree=tree, scaling=scaling)
    assert np.linalg.norm(F_.todense() - Z) <= 1e-13 * np.linalg.norm(Z)


# ----------------------------------------------------------------------------- 1-D batches
@pytest.mark.parametrize("k", [3, 4])
def test_one_dimensional_batches(k):
    H = scipy.linalg.hadamard(4).astype(float)
    B = np.stack([(i + 1) * H for i in range(k)])
    F_ = butterfly_factorize(B)
    assert F_.todense().shape == (k, 4, 4)
    assert np.allclose(F_.todense(), B)
    err = F_.relative_error(B)
    assert err.shape == (k,) and np.all(err <= 1e-14)
    X = RNG.standard_normal((4, k))                       # a matrix, not k vectors
    assert np.allclose(F_ @ X, B @ X)
    x = RNG.standard_normal(4)
    assert np.allclose(F_ @ x, B @ x)
    xs = RNG.standard_normal((k, 4))                      # one vector per product
    assert np.allclose(F_.matvec(xs), np.einsum("kij,kj->ki", B, xs))
    Fa = butterfly_factorize(B, perm="auto")
    assert np.all(Fa.relative_error(B) <= 1e-14) and Fa.perm is None


# ----------------------------------------------------------------------------- big integers
def test_entry_beyond_int64():
    Z = [[1, 0, 0, 0], [0, 0, 1, 0], [2**63, 1, 0, 0], [0, 0, 0, 1]]
    r = identify_butterfly(Z)
    # rows 0, 2 and cols 0, 1 form one rank-one block of the first split: det = 1·1 − 0·2^63
    assert r.verdict == "not-butterfly" and verify(r, Z)


@pytest.mark.parametrize("D", [3 * 2**31, 2**40, 2**70])
def test_large_denominators(D):
    Z = [[F(v, D) for v in row] for row in P4]
    r = identify_butterfly(Z)
    assert r.verdict == "not-butterfly"
    assert F(r.certificate["determinant"]) == F(1, D * D)       # hand-computed minor
    assert verify(r, Z)
    H = scipy.linalg.hadamard(4).tolist()
    ZH = [[F(v, D) for v in row] for row in H]
    rH = identify_butterfly(ZH)
    assert rH.verdict == "butterfly" and verify(rH, ZH)
    prod = fraction_product(rH.certificate["factors"], 4)
    assert (prod == np.array(ZH, dtype=object)).all()


def test_uint64_beyond_int63():
    u, v = [2, 1, 2, 1], [2**62, 1, 3, 5]
    Z = [[a * b for b in v] for a in u]
    Zu = np.array(Z, dtype=np.uint64)
    r = identify_butterfly(Zu)
    assert r.verdict == "butterfly" and verify(r, Zu) and verify(r, Z)
    prod = fraction_product(r.certificate["factors"], 4)
    assert (prod == np.array(Z, dtype=object)).all()


# ----------------------------------------------------------------------------- checker imports
def test_checker_imports_no_decision_routine():
    import exactsparse.checks.butterfly as ck
    tree = ast.parse(pathlib.Path(ck.__file__).read_text(encoding="utf-8"))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mods.add("." * node.level + (node.module or ""))
            if node.level and not node.module:
                mods.update("." * node.level + a.name for a in node.names)
        elif isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
    assert not any("butterfly" in m for m in mods), mods
    root = pathlib.Path(ck.__file__).resolve().parents[2]
    code = f"""
import sys, types, importlib
for name, sub in [("exactsparse", ""), ("exactsparse.checks", "checks")]:
    m = types.ModuleType(name); m.__path__ = [{str(root / 'exactsparse')!r} + ("/" + sub if sub else "")]
    sys.modules[name] = m
importlib.import_module("exactsparse.checks.butterfly")
print(sorted(k for k in sys.modules if k.startswith("exactsparse.butterfly")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ----------------------------------------------------------------------------- hostile numbers
@pytest.mark.parametrize("bad", ["1e50000000", "1.5", 0.5, True, "2**3", None])
def test_certificate_numbers_must_be_integers_or_p_over_q(bad):
    H = scipy.linalg.hadamard(8).tolist()
    d = json.loads(identify_butterfly(H).to_json())
    d["certificate"]["factors"][0][0][0][0][0] = bad
    t0 = time.perf_counter()
    assert not verify(json.dumps(d), H)
    assert time.perf_counter() - t0 < 2


# ----------------------------------------------------------------------------- tampering
def _tampered(H, mutate):
    d = json.loads(identify_butterfly(H).to_json())
    mutate(d["certificate"])
    return verify(json.dumps(d), H)


@pytest.mark.parametrize("mutate", [
    lambda c: c["splits"][0].__setitem__("degenerate", 1),
    lambda c: c["splits"][1].__setitem__("blocks", 4),
    lambda c: c["splits"][0].__setitem__("degenerate", "0"),
    lambda c: c.__setitem__("essentially_unique", 1),
    lambda c: c.__setitem__("perm", [0, 1, 2, 3, 4, 5, 7, 6]),
    lambda c: c.__setitem__("perm", "bitrev"),
    lambda c: c["factors"][1][0][0][0].__setitem__(1, "3/2"),
    lambda c: c["factors"][2][3][0][1].__setitem__(0, "0"),
], ids=["degenerate", "blocks", "count-as-string", "unique-not-bool", "perm-swap",
        "perm-bitrev", "entry", "entry-zeroed"])
def test_tampered_certificates_are_rejected(mutate):
    H = scipy.linalg.hadamard(8).tolist()
    assert _tampered(H, lambda c: None)
    assert not _tampered(H, mutate)


def test_degenerate_block_exact_count():
    # factor 0 of N = 8 has a zero column pair: twiddle block (j = 0) zero in column γ = 1
    tws = [[[[[F(int(RNG.integers(1, 5))) for _ in range(2)] for _ in range(2)]
             for _ in range(p[3])] for _ in range(p[0])] for p in pats(8)]
    tws[0][0][0][0][1] = tws[0][0][0][1][1] = F(0)        # column 2 of X_0 (γ = 1, j = 0) zero
    Z = fraction_product(tws, 8)
    r = identify_butterfly(Z.tolist())
    assert r.verdict == "butterfly" and verify(r, Z.tolist())
    # split 0: the piece of column 2 of X_0 is zero, nothing else is (entries ≥ 1)
    assert [s["degenerate"] for s in r.certificate["splits"]] == [1, 0]
    assert r.certificate["essentially_unique"] is False
    assert (fraction_product(r.certificate["factors"], 8) == Z).all()


# ----------------------------------------------------------------------------- by construction
@pytest.mark.parametrize("seed", range(6))
def test_identify_on_products_built_here(seed):
    rng = np.random.default_rng(seed)
    n = [4, 8, 16][seed % 3]
    tws = [[[[[F(int(rng.integers(1, 6)) * int(rng.choice([-1, 1])), int(rng.integers(1, 4)))
               for _ in range(2)] for _ in range(2)] for _ in range(p[3])] for _ in range(p[0])]
           for p in pats(n)]
    Z = fraction_product(tws, n)
    r = identify_butterfly(Z.tolist())
    assert r.verdict == "butterfly" and verify(r, Z.tolist())
    assert (fraction_product(r.certificate["factors"], n) == Z).all()
    # perturb one entry: its rank-one block of the first split (2 × n/2, all entries built
    # from nonzero factors) gets rank 2 unless the block holds a zero entry
    Z2 = Z.copy()
    i, j = int(rng.integers(n)), int(rng.integers(n))
    Z2[i, j] += 1
    r2 = identify_butterfly(Z2.tolist())
    if r2.verdict == "not-butterfly":
        (a, b), (c, d) = r2.certificate["rows"], r2.certificate["cols"]
        assert Z2[a, c] * Z2[b, d] - Z2[a, d] * Z2[b, c] == F(r2.certificate["determinant"]) != 0
    assert verify(r2, Z2.tolist())
    rows = [i, i ^ (n // 2)]                     # the block of (i, j) in the first split
    blk = Z2[np.ix_(rows, list(range(n)))]
    if all(v != 0 for v in Z[np.ix_(rows, list(range(n)))].ravel()):
        assert r2.verdict == "not-butterfly"
        assert any(blk[0, j] * blk[1, k] != blk[0, k] * blk[1, j] for k in range(n))


# ----------------------------------------------------------------------------- stopping rule
def test_balanced_tree_noisy_stops_early(monkeypatch):
    """The rank-one power iteration of the balanced tree converges in a few steps on noisy
    butterflies: capped at 3 steps, no block falls back to the exact SVD."""
    import exactsparse.butterfly.lowrank as lw
    import exactsparse.butterfly.splits as nm
    rng = np.random.default_rng(0)
    N = 1024
    A0 = ButterflyFactors(butterfly_patterns(N), [rng.standard_normal(p.twiddle_shape)
                                                  for p in butterfly_patterns(N)]).todense()
    A = A0 + 1e-3 * np.linalg.norm(A0) / N * rng.standard_normal(A0.shape)
    calls, fallback = [], []
    real, real_svd = lw.rank1_power, np.linalg.svd
    monkeypatch.setattr(nm, "rank1_power", lambda W: calls.append(1) or real(W, maxiter=3))
    monkeypatch.setattr(np.linalg, "svd", lambda *a, **k: fallback.append(1) or real_svd(*a, **k))
    Fb = butterfly_factorize(A, tree="balanced")
    assert len(calls) > 0 and not fallback
    Fl = butterfly_factorize(A, tree="left")
    clean_b, clean_l = Fb.relative_error(A0), Fl.relative_error(A0)
    assert clean_b <= 1.05 * clean_l and Fb.relative_error(A) <= 1.1e-3

"""Bad input to the butterfly capability: typed errors whose messages name the argument, the
expectation and what was received."""

import json

import numpy as np
import pytest
import scipy.linalg

from exactsparse import (ArgumentError, ChainabilityError, ExactSparseError, FloatInExactError,
                         NonFiniteError, PowerOfTwoError, ShapeError, verify)
from exactsparse.butterfly import (ButterflyFactors, KSPattern, bit_reversal_permutation,
                                   butterfly_factorize, butterfly_patterns, chain_ranks,
                                   check_chainable, identify_butterfly, monarch_patterns)
from exactsparse.cli import main


@pytest.mark.parametrize("n", [3, 6, 12, 1000])
def test_not_power_of_two_suggests_padding(n):
    with pytest.raises(PowerOfTwoError, match=rf"not {n}; pad the matrix with zeros to size"):
        butterfly_factorize(np.eye(n))
    with pytest.raises(PowerOfTwoError, match="pad"):
        identify_butterfly(np.eye(n, dtype=int))
    with pytest.raises(ValueError):                 # also a ValueError for foreign callers
        bit_reversal_permutation(n)


def test_size_one_is_not_a_butterfly_size():
    with pytest.raises(PowerOfTwoError, match="not 1"):
        butterfly_factorize(np.ones((1, 1)))


def test_non_square():
    with pytest.raises(ShapeError, match=r"must be square.*\(4, 8\)"):
        butterfly_factorize(np.ones((4, 8)))
    with pytest.raises(ShapeError, match="must be square"):
        identify_butterfly(np.ones((4, 8), dtype=int))


@pytest.mark.parametrize("shape", [(4,), (0, 0), ()])
def test_bad_dimensions(shape):
    with pytest.raises(ShapeError, match="Argument 'A'"):
        butterfly_factorize(np.ones(shape))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("tree", ["left", "right", "balanced"])
def test_non_finite(bad, tree):
    A = scipy.linalg.hadamard(16).astype(float)
    A[3, 5] = bad
    with pytest.raises(NonFiniteError, match=r"must be finite.*\(3, 5\)"):
        butterfly_factorize(A, tree=tree)


def test_non_finite_complex_and_permuted():
    A = np.fft.fft(np.eye(8))
    A[2, 1] = complex(np.nan, 0)
    with pytest.raises(NonFiniteError, match=r"\(2, 1\)"):
        butterfly_factorize(A, perm="bitrev")


def test_non_numeric_dtype():
    with pytest.raises(ArgumentError, match="real or complex numeric array"):
        butterfly_factorize(np.array([["a", "b"], ["c", "d"]]))


def test_non_chainable_patterns_name_both_and_the_condition():
    with pytest.raises(ChainabilityError, match=r"left=\(2, 2, 2, 1\) and right=\(1, 2, 2, 2\)"
                                                r".*a₁ = 2 must divide a₂ = 1"):
        check_chainable((2, 2, 2, 1), (1, 2, 2, 2))
    with pytest.raises(ChainabilityError, match="inner sizes"):
        check_chainable((1, 2, 2, 2), (1, 2, 2, 1))
    with pytest.raises(ChainabilityError, match="d₂ = 4 must divide d₁ = 2"):
        check_chainable((1, 2, 2, 2), (1, 1, 2, 4))
    with pytest.raises(ChainabilityError, match="same integer r"):
        check_chainable((1, 2, 2, 2), (4, 1, 1, 1))
    with pytest.raises(ChainabilityError):
        butterfly_factorize(np.eye(8), patterns=list(butterfly_patterns(8))[::-1])


@pytest.mark.parametrize("bad", [(0, 1, 1, 1), (1, 2, 2), (1.5, 1, 1, 1), "abcd"])
def test_bad_pattern(bad):
    with pytest.raises(ArgumentError, match="Argument"):
        chain_ranks([bad])


def test_pattern_values_are_validated():
    with pytest.raises(ArgumentError, match="Argument 'b' must be a positive integer, not -2"):
        KSPattern(1, -2, 1, 1)
    with pytest.raises(ArgumentError, match="non-empty sequence"):
        chain_ranks([])
    with pytest.raises(ArgumentError, match="perfect square"):
        monarch_patterns(8)


def test_shape_does_not_match_patterns():
    with pytest.raises(ShapeError, match=r"must have shape \(16, 16\)"):
        butterfly_factorize(np.eye(8), patterns=monarch_patterns(16))


@pytest.mark.parametrize("kw", [{"tree": "middle"}, {"scaling": "none"}, {"perm": "random"},
                                {"perm": [0, 0, 1, 2]}, {"perm": [0, 1, 2]}])
def test_bad_options(kw):
    with pytest.raises(ArgumentError, match="Argument"):
        butterfly_factorize(np.eye(4), **kw)


def test_factor_object_validates():
    with pytest.raises(ShapeError, match=r"twiddles\[0\]"):
        ButterflyFactors(butterfly_patterns(4), [np.ones((1, 2, 2)), np.ones((2, 1, 2, 2))])
    with pytest.raises(ShapeError, match="must hold 2 tensors"):
        ButterflyFactors(butterfly_patterns(4), [np.ones((1, 2, 2, 2))])
    F = butterfly_factorize(np.eye(4))
    with pytest.raises(ShapeError, match="must have 4 rows"):
        F @ np.ones(5)
    with pytest.raises(ShapeError, match="batched"):
        F[0]
    with pytest.raises(ShapeError, match="unbatched"):
        butterfly_factorize(np.stack([np.eye(4)] * 2)).to_scipy()


def test_identify_refuses_floats_and_bad_entries():
    with pytest.raises(FloatInExactError, match="from_float"):
        identify_butterfly(np.eye(4))
    with pytest.raises(ExactSparseError):
        identify_butterfly([[1, "x"], [0, 1]])


def test_identify_rank_r_chain_is_refused():
    chain = [(1, 2, 4, 8), (2, 4, 4, 4), (4, 4, 2, 2)]
    with pytest.raises(ArgumentError, match="rank-one splits"):
        identify_butterfly(np.zeros((16, 16), dtype=int), chain)


def test_identify_rank_deficient_blocks_do_not_divide_by_zero():
    Z = np.zeros((8, 8), dtype=int)
    r = identify_butterfly(Z)
    assert r.verdict == "butterfly" and not r.certificate["essentially_unique"]
    assert verify(r, Z)
    Z[0, 0] = 1
    r = identify_butterfly(Z)
    assert r.verdict == "butterfly" and verify(r, Z)


def test_verify_with_malformed_certificates():
    H = scipy.linalg.hadamard(4)
    d = json.loads(identify_butterfly(H).to_json())
    d["certificate"]["patterns"] = [[2, 2, 2, 1], [1, 2, 2, 2]]
    assert not verify(json.dumps(d), H)
    d = json.loads(identify_butterfly(H).to_json())
    d["verdict"] = "maybe"
    assert not verify(json.dumps(d), H)
    d = json.loads(identify_butterfly(H).to_json())
    del d["certificate"]["factors"]
    assert not verify(json.dumps(d), H)


def test_cli_errors(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n3 x\n")
    assert main(["butterfly", "identify", str(bad)]) == 1
    assert "ParseError" in capsys.readouterr().err
    npy = tmp_path / "six.npy"
    np.save(npy, np.eye(6))
    assert main(["butterfly", "factorize", str(npy), "--quiet"]) == 1
    assert "PowerOfTwoError" in capsys.readouterr().err
    assert main(["butterfly", "factorize", str(tmp_path / "missing.npy")]) == 1
    assert "does not exist" in capsys.readouterr().err
    nan = tmp_path / "nan.npy"
    A = np.eye(4)
    A[1, 1] = np.nan
    np.save(nan, A)
    assert main(["butterfly", "factorize", str(nan)]) == 1
    assert "NonFiniteError" in capsys.readouterr().err


def test_cyclotomic_input_validation():
    from exactsparse.butterfly.rings import CyclotomicRing
    with pytest.raises(ShapeError, match=r"must be an integer array of shape \(N, N, 4\)"):
        identify_butterfly(np.zeros((8, 8), dtype=int), cyclotomic=8)
    with pytest.raises(PowerOfTwoError):
        CyclotomicRing(12)
    with pytest.raises(ArgumentError, match=">= 4"):
        CyclotomicRing(2)

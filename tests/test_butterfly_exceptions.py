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


@pytest.mark.parametrize("command", [["factorize", "--quiet"], ["design", "--budget", "16"]])
def test_cli_non_finite_input_names_its_position(tmp_path, capsys, command):
    """The first NaN/inf of the matrix file is named by row and column (exit 1)."""
    cases = []
    for k, (i, j, v, shown) in enumerate([(2, 3, np.nan, "nan"), (0, 1, -np.inf, "-inf"),
                                          (3, 0, complex(0, np.inf), "infj")]):
        A = np.eye(4, dtype=complex if isinstance(v, complex) else float)
        A[3, 3] = np.nan                                   # a later one is not the first
        A[i, j] = v
        np.save(tmp_path / f"bad{k}.npy", A)
        cases.append((tmp_path / f"bad{k}.npy", shown, i, j))
    (tmp_path / "big.txt").write_text("1 2\n3 4\n5 6\n7 1e400\n")
    cases.append((tmp_path / "big.txt", "a number beyond the float range", 3, 1))
    for path, value, i, j in cases:
        assert main(["butterfly", *command, "--matrix", str(path)]) == 1
        err = capsys.readouterr().err.strip()
        assert err == (f"exactsparse: error: NonFiniteError: File {str(path)!r} (--matrix) must "
                       f"hold finite numbers, not {value} at row {i}, column {j} (counting "
                       f"from 0)."), err


def test_cli_float_matrix_for_exact_commands_gives_command_line_advice(tmp_path, capsys):
    """identify/verify are exact: a float .npy is refused with the files and the command
    to use, not with Python advice (exact.from_float)."""
    from exactsparse.butterfly import identify_butterfly
    H = scipy.linalg.hadamard(4)
    np.save(tmp_path / "Hf.npy", H.astype(float))
    (tmp_path / "r.json").write_text(identify_butterfly(H).to_json())
    for argv, command in ((["identify", str(tmp_path / "Hf.npy")], "identify"),
                          (["verify", str(tmp_path / "r.json"), "--matrix",
                            str(tmp_path / "Hf.npy")], "verify")):
        assert main(["butterfly", *argv]) == 1
        err = capsys.readouterr().err
        assert f"FloatInExactError: File {str(tmp_path / 'Hf.npy')!r} (--matrix) holds float64 " \
               f"entries, but butterfly {command} is exact" in err
        assert "integer .npy" in err and "p/q" in err
        assert "exactsparse butterfly factorize --matrix" in err
        assert "from_float" not in err and "rationalize" not in err


def test_cli_verify_permutation_mismatch_names_the_flag(tmp_path, capsys):
    """A result identified under a permutation, re-checked without it: the message says which
    flag gives it (not a Python dict)."""
    from exactsparse.butterfly import identify_butterfly
    H = scipy.linalg.hadamard(8)
    Hs = H[[2, 0, 3, 1, 4, 5, 6, 7]][:, [1, 3, 0, 2, 4, 5, 6, 7]]
    np.savetxt(tmp_path / "Hs.txt", Hs, fmt="%d")
    r = identify_butterfly(Hs, perm="auto", row_perm="auto")
    (tmp_path / "r.json").write_text(r.to_json())
    for extra, flag in (([], "--perm"), (["--perm", "auto"], "--row-perm")):
        assert main(["butterfly", "verify", str(tmp_path / "r.json"), "--matrix",
                     str(tmp_path / "Hs.txt"), *extra]) == 1
        out = capsys.readouterr().out
        assert f"{flag} FILE|bitrev on the command line" in out and "{'Z'" not in out, out
    assert main(["butterfly", "verify", str(tmp_path / "r.json"), "--matrix",
                 str(tmp_path / "Hs.txt"), "--perm", "auto", "--row-perm", "auto"]) == 0


def test_cyclotomic_input_validation():
    from exactsparse.butterfly.rings import CyclotomicRing
    with pytest.raises(ShapeError, match=r"must be an integer array of shape \(N, N, 4\)"):
        identify_butterfly(np.zeros((8, 8), dtype=int), cyclotomic=8)
    with pytest.raises(PowerOfTwoError):
        CyclotomicRing(12)
    with pytest.raises(ArgumentError, match=">= 4"):
        CyclotomicRing(2)


# ----------------------------------------------------------------- hardening (issue 15)
from exactsparse import BudgetError, NotCoveredError, SizeLimitError  # noqa: E402
from exactsparse.butterfly import (ButterflyFitWarning, butterfly_supports,  # noqa: E402
                                   is_butterfly, log2_size)
from exactsparse.butterfly.rings import cyclotomic_to_complex, dft_cyclotomic  # noqa: E402

HUGE = 10**5000


@pytest.mark.parametrize("A", [[[1.0, 2.0], [3.0]], [[1.0, [2.0]], [3.0, 4.0]]],
                         ids=["ragged", "nested"])
def test_ragged_input_is_shape_error(A):
    with pytest.raises(ShapeError, match="Argument 'A' must be a rectangular array"):
        butterfly_factorize(A)


@pytest.mark.parametrize("progress", [None, False, True, np.bool_(False)])
def test_progress_accepts_bools(progress, capsys):
    H = scipy.linalg.hadamard(8).astype(float)
    F = butterfly_factorize(H, progress=progress)
    assert np.abs(F.todense() - H).max() < 1e-12            # independent: dense compare


def test_progress_callable_and_bad():
    seen = []
    butterfly_factorize(np.eye(8), progress=seen.append)
    assert len(seen) == 2                                     # L - 1 = 2 splits for N = 8
    with pytest.raises(ArgumentError, match="Argument 'progress' must be None, a bool or a "
                                            "callable, not 3"):
        butterfly_factorize(np.eye(8), progress=3)


@pytest.mark.parametrize("call, size", [
    (lambda: butterfly_supports(2**30), "1152921504606846976"),
    (lambda: bit_reversal_permutation(2**40), "1099511627776"),
    (lambda: KSPattern(2**20, 2, 2, 2**20).to_support(), "4835703278458516698824704"),
    (lambda: dft_cyclotomic(2**12), "34359738368"),
], ids=["supports", "bitrev", "to_support", "dft"])
def test_size_limit_before_allocating(call, size):
    import time
    t = time.perf_counter()
    with pytest.raises(SizeLimitError, match=rf"{size} entries, above the limit MAX_ENTRIES"):
        call()
    assert time.perf_counter() - t < 1.0                      # nothing was allocated


@pytest.mark.parametrize("call", [lambda: butterfly_patterns(HUGE),
                                  lambda: monarch_patterns(HUGE),
                                  lambda: KSPattern(HUGE, 1, 1, 1),
                                  lambda: log2_size(2**63)],
                         ids=["patterns", "monarch", "KSPattern", "log2"])
def test_huge_sizes_are_size_limit_errors(call):
    with pytest.raises(SizeLimitError, match="at most 2\\*\\*62"):
        call()


def test_huge_negative_int_message():
    with pytest.raises(PowerOfTwoError, match="an integer of 16610 bits"):
        log2_size(-HUGE)
    with pytest.raises(ArgumentError, match="an integer of 16610 bits"):
        KSPattern(-HUGE, 1, 1, 1)
    with pytest.raises(ArgumentError, match="Argument 'perm' must be"):
        butterfly_factorize(np.eye(4), perm=HUGE)


def test_monarch_exact_square_root_of_large_squares():
    # the largest square below 2**62 (no float square root; independent: s*s == n)
    s = 2**31 - 1
    assert monarch_patterns(s * s)[0] == KSPattern(1, s, s, s)
    with pytest.raises(ArgumentError, match="perfect square"):
        monarch_patterns(s * s + 1)


def test_chain_ranks_accepts_numpy_rows():
    assert chain_ranks(np.array([[1, 2, 2, 2], [2, 2, 2, 1]]))[1] == (1,)
    with pytest.raises(ArgumentError, match="non-empty sequence"):
        chain_ranks(np.zeros((0, 4), dtype=int))


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "1", True, -HUGE],
                         ids=["0", "-1", "nan", "inf", "str", "bool", "-huge"])
def test_identify_bad_budget(bad):
    with pytest.raises(BudgetError, match="Argument 'budget' must be a positive"):
        identify_butterfly([[1, 1], [1, -1]], budget=bad)


def test_identify_budget_unknown_and_huge_budget():
    H = scipy.linalg.hadamard(16)
    res = identify_butterfly(H, budget=1e-9)
    assert res.verdict == "unknown" and res.certificate["level"] == 0
    assert "time budget of 1e-09 s ran out" in res.certificate["reason"]
    with pytest.raises(NotCoveredError, match="undecided"):
        is_butterfly(H, budget=1e-9)
    res = identify_butterfly(H, budget=10**400)              # clamped, no OverflowError
    assert res.verdict == "butterfly" and verify(res, H)


def test_butterfly_factors_typed_errors():
    pats = butterfly_patterns(4)
    with pytest.raises(ArgumentError, match="Argument 'twiddles' must be a sequence"):
        ButterflyFactors(pats, 5)
    with pytest.raises(ShapeError, match="Argument 'twiddles\\[0\\]' must be a rectangular"):
        ButterflyFactors(pats, [[[1], [2, 3]], np.ones((2, 1, 2, 2))])
    with pytest.raises(ArgumentError, match="Argument 'twiddles\\[0\\]' must be a numeric"):
        ButterflyFactors(pats, [np.array(["a"]), np.ones((2, 1, 2, 2))])
    tw = [np.ones(p.twiddle_shape) for p in pats]
    with pytest.raises(ArgumentError, match="Argument 'perm' must be"):
        ButterflyFactors(pats, tw, perm="abc")
    with pytest.raises(ArgumentError, match=r"permutation of 0\.\.3, not an array where 0 appears twice \(3 is missing\)"):
        ButterflyFactors(pats, tw, perm=[0, 0, 1, 2])


@pytest.mark.parametrize("coeffs, n, err", [
    ([HUGE], 4, "ExactTypeError"), ([[1, [2]]], 4, "ShapeError"), ([], 4, "ShapeError"),
    ([0, 1], HUGE, "ArgumentError"), ([0, 1], 0, "ArgumentError"), ("ab", 4, "ExactTypeError"),
], ids=["huge-coeff", "ragged", "empty", "huge-n", "zero-n", "str"])
def test_cyclotomic_to_complex_typed(coeffs, n, err):
    import exactsparse.exceptions as exc
    with pytest.raises(getattr(exc, err)):
        cyclotomic_to_complex(coeffs, n)


def test_fit_warning_category_is_user_warning():
    # pyproject turns RuntimeWarnings raised in exactsparse into errors; this must not be one
    assert issubclass(ButterflyFitWarning, UserWarning)
    assert not issubclass(ButterflyFitWarning, RuntimeWarning)

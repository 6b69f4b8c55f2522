"""Bad input for the identifiability routines: typed errors naming the argument."""

import pytest

import exactsparse as es
from exactsparse.cli import main
from exactsparse.exceptions import (ArgumentError, CompletionError, ExactSparseError,
                                    ExactTypeError, FloatInExactError, NotCoveredError,
                                    ShapeError, SupportError)


@pytest.mark.parametrize("fn", [es.check_identifiable, es.is_completable, es.find_witness,
                                es.jacobian_rank, es.completion])
def test_non_binary_support(fn):
    with pytest.raises(SupportError, match="Argument 'I' must be a 0/1 matrix.*2 at \\(0, 1\\)"):
        fn([[1, 2]], [[1, 1]])


@pytest.mark.parametrize("fn", [es.check_identifiable, es.is_completable, es.jacobian_rank])
def test_column_mismatch(fn):
    with pytest.raises(ShapeError, match="same number of columns r"):
        fn("11/11", "1/1")


def test_empty_support():
    with pytest.raises(ShapeError, match="non-empty"):
        es.check_identifiable([[]], [[1]])


def test_recover_wrong_shape():
    with pytest.raises(ShapeError, match="Argument 'Z' must have shape \\(2, 2\\)"):
        es.recover_factors([[1, 2, 3]], "1/1", "1/1")


def test_recover_float():
    with pytest.raises(FloatInExactError, match="Argument 'Z'"):
        es.recover_factors([[0.5]], [[1]], [[1]])


def test_recover_unsupported_entry_named():
    with pytest.raises(SupportError, match=r"not Z\[1, 0\] = 7"):
        es.recover_factors([[1, 0], [7, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]])


def test_recover_zero_on_observed_entry_named():
    with pytest.raises(SupportError, match=r"nonzero at \(0, 1\), which only S_0"):
        es.recover_factors([[1, 0]], [[1]], [[1], [1]])


def test_recover_not_completable():
    with pytest.raises(CompletionError, match="Contribution C_0 could not be completed"):
        es.recover_factors([[1, 5, 1], [1, 5, 1]], "11/11", "10/11/01")


def test_recover_not_rank_one_sum():
    with pytest.raises(CompletionError, match="could not be completed|is not X Yᵀ"):
        es.recover_factors([[1, 2], [3, 5]], [[1], [1]], [[1], [1]])


def test_recover_degenerate():
    with pytest.raises(CompletionError, match="column 1 of I or J is empty"):
        es.recover_factors([[1, 0], [0, 0]], [[1, 0], [0, 0]], [[1, 1], [0, 0]])


def test_degenerate_pair_is_not_identifiable_with_witness():
    I, J = [[1, 0], [0, 0]], [[1, 1], [0, 1]]
    res = es.check_identifiable(I, J)
    assert res.verdict == "not-identifiable" and res.certificate["criterion"] == "degenerate"
    assert es.verify(res, (I, J))


def test_degenerate_single_entry_uses_subset_witness():
    res = es.check_identifiable([[1, 0]], [[1, 1]])
    assert res.verdict == "not-identifiable"
    assert res.witness["exact_supports"] is False
    assert es.verify(res, ([[1, 0]], [[1, 1]]))


def test_equivalent_shapes():
    with pytest.raises(ShapeError, match="Argument 'X2' must have shape"):
        es.equivalent([[1]], [[1]], [[1, 1]], [[1]])
    with pytest.raises(ShapeError, match="same number of columns"):
        es.equivalent([[1]], [[1, 1]], [[1]], [[1, 1]])


def test_equivalent_float():
    with pytest.raises(FloatInExactError):
        es.equivalent([[1.0]], [[1]], [[1]], [[1]])


def test_jacobian_arguments():
    with pytest.raises(ArgumentError, match="Argument 'exact'"):
        es.jacobian_rank("1", "1", exact=False)
    with pytest.raises(ExactTypeError, match="Argument 'backend'"):
        es.jacobian_rank("1", "1", backend="numpy")
    with pytest.raises(ShapeError, match="Argument 'X' must have shape"):
        es.jacobian([[1, 1]], [[1]], "1", "1")


def test_check_bad_max_jacobian_size():
    with pytest.raises(ArgumentError, match="max_jacobian_size"):
        es.check_identifiable("1", "1", max_jacobian_size=1.5)


def test_is_identifiable_unknown_raises(monkeypatch):
    # No pair with m, n, r <= 3 is undecided any more: disable the witness search on the
    # cyclic pair (not partially completable, r = 3) to obtain an honest "unknown".
    import exactsparse.identifiability.check as check
    monkeypatch.setattr(check, "search_witness", lambda *a, **k: None)
    I, J = "110/101/011", "110/101/011"
    res = es.check_identifiable(I, J)
    assert res.verdict == "unknown" and res.certificate["stuck"] == (0, 1, 2)
    assert es.verify(res, (I, J))             # the replay confirms completion is stuck
    with pytest.raises(NotCoveredError, match="undecided"):
        es.is_identifiable(I, J)


# --------------------------------------------------------------- review fixes (issue 4)
@pytest.mark.parametrize("p", [1, 4, 6, 9, 15, 2**61 + 1, 0, -7, 2**70, 2**63 + 29, "x",
                               1.5, True, None])
def test_jacobian_rank_rejects_bad_prime(p):
    # p = 1, 4, 6 used to abort the interpreter inside FLINT; p = 9 was accepted as prime.
    # Independent route: exact.rank_mod_p refuses the same values.
    with pytest.raises(ArgumentError):
        es.exact.rank_mod_p([[1]], p)
    with pytest.raises(ArgumentError, match="Argument 'p' must be a prime below 2\\*\\*63"):
        es.jacobian_rank("100/010/001", "100/010/001", p=p)


def test_jacobian_rank_accepts_primes():
    # 2**61 - 1 is a Mersenne prime; rank of the Id_3 Jacobian is 3 (three 1×1 blocks).
    jr = es.jacobian_rank("100/010/001", "100/010/001", p=2**61 - 1)
    assert (jr.rank, jr.rank_mod_p, jr.prime) == (3, 3, 2**61 - 1)


@pytest.mark.parametrize("bad", [-1, 1.5, "x", True])
def test_jacobian_rank_bad_max_exact(bad):
    with pytest.raises(ArgumentError, match="max_exact"):
        es.jacobian_rank("1", "1", max_exact=bad)
    with pytest.raises(ArgumentError, match="max_exact"):
        es.check_identifiable("1", "1", max_exact=bad)


@pytest.mark.parametrize("seed", [[1], -1, 1.5, "3", True])
def test_seed_validated(seed):
    for fn in (es.find_witness, es.check_identifiable, es.random_point):
        with pytest.raises(ArgumentError, match="Argument 'seed'"):
            fn("11/11/11", "11/11/11", seed=seed)


def test_find_witness_seed_none():
    assert es.find_witness("11/11/11", "11/11/11", seed=None) is not None


def test_errors_are_library_errors():
    with pytest.raises(ExactSparseError):
        es.check_identifiable("12", "1")
    with pytest.raises(ValueError):
        es.check_identifiable("12", "1")


def test_verify_garbage():
    assert not es.verify({"kind": "ident.check"}, ("1", "1"))
    res = es.check_identifiable("1", "1")
    assert not es.verify(res, "not an instance")


def test_cli_errors(tmp_path, capsys):
    (tmp_path / "I.txt").write_text("12\n")
    (tmp_path / "J.txt").write_text("11\n")
    assert main(["ident", "check", "--left", str(tmp_path / "I.txt"), "--right",
                 str(tmp_path / "J.txt")]) == 1
    assert "SupportError" in capsys.readouterr().err
    (tmp_path / "I.txt").write_text("11\n")
    with pytest.raises(SystemExit) as exc:          # a usage error: exit code 2
        main(["ident", "check", "--left", str(tmp_path / "I.txt")])
    assert exc.value.code == 2
    assert "--right" in capsys.readouterr().err
    (tmp_path / "Z.txt").write_text("1 0\n")
    assert main(["ident", "recover", "--matrix", str(tmp_path / "Z.txt"), "--left",
                 str(tmp_path / "J.txt"), "--right", str(tmp_path / "J.txt")]) == 1
    assert "Argument 'Z'" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["no", None, 1])
def test_partial_must_be_bool(bad):
    with pytest.raises(ArgumentError, match="Argument 'partial'"):
        es.completion("10/01", "10/01", partial=bad)
    with pytest.raises(ArgumentError, match="Argument 'partial'"):
        es.is_completable("10/01", "10/01", partial=bad)
    with pytest.raises(ArgumentError, match="Argument 'partial'"):
        es.recover_factors([[1, 0], [0, 1]], "10/01", "10/01", partial=bad)


# ----------------------------------------------------------------- hardening (issue 15)
@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "1", True, [1], -10**400],
                         ids=["0", "-1", "nan", "inf", "str", "bool", "list", "-huge"])
def test_bad_budget(bad):
    from exactsparse.exceptions import BudgetError
    for call in (lambda: es.check_identifiable("1", "1", budget=bad),
                 lambda: es.is_identifiable("1", "1", budget=bad),
                 lambda: es.find_witness("1", "1", budget=bad),
                 lambda: es.jacobian_rank("1", "1", budget=bad),
                 lambda: es.recover_factors([[1]], "1", "1", budget=bad)):
        with pytest.raises(BudgetError, match="Argument 'budget' must be a positive"):
            call()


@pytest.mark.parametrize("seed", [-10**5000, -2**70, "x", 1.5], ids=["-huge", "-2**70", "x",
                                                                     "1.5"])
def test_huge_or_bad_seed_message(seed):
    with pytest.raises(ArgumentError, match="Argument 'seed' must be an int >= 0"):
        es.check_identifiable("1", "1", seed=seed)


def test_huge_int_in_message_is_described_by_size():
    with pytest.raises(ArgumentError, match="an integer of 16610 bits"):
        es.check_identifiable("1", "1", seed=-10**5000)
    with pytest.raises(ArgumentError, match="an integer of 16610 bits"):
        es.jacobian_rank("1", "1", p=10**5000)

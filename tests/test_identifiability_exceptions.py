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


def test_is_identifiable_unknown_raises():
    I, J = "001/011/110", "011/011/110"
    assert es.check_identifiable(I, J).verdict == "unknown"
    with pytest.raises(NotCoveredError, match="undecided"):
        es.is_identifiable(I, J)


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

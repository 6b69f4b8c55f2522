"""Typed errors of exactsparse.fileio on malformed files (issue #15)."""

import json

import numpy as np
import pytest

from exactsparse.exceptions import (NonFiniteError, ParseError, ShapeError, SizeLimitError,
                                    SupportError)
from exactsparse.fileio import read_matrix, read_support, read_table


@pytest.mark.parametrize("name, text", [("a.txt", "1" * 5001 + " 2\n3 4\n"),
                                        ("b.csv", "1/" + "3" * 5001 + "\n"),
                                        ("c.txt", "1." + "0" * 5001 + "\n"),
                                        ("d.json", "[[" + "1" * 5001 + "]]"),
                                        ("e.json", "[" * 100000)])
def test_numbers_over_the_digit_limit(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    for read in (read_matrix, read_support, read_table):
        with pytest.raises(SizeLimitError, match=name):
            read(p)


def test_text_error_names_file_and_line(tmp_path):
    p = tmp_path / "m.txt"
    p.write_text("1 2\n3 " + "9" * 5001 + "\n")
    with pytest.raises(SizeLimitError, match=r"m\.txt', line 2: .*5001 digits"):
        read_matrix(p)


@pytest.mark.parametrize("path", [None, 3, b"x\0y", "no/such/file.txt"])
def test_bad_paths(path):
    with pytest.raises(ParseError):
        read_matrix(path)


def test_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(ParseError, match="not a regular file"):
        read_matrix(tmp_path)
    with pytest.raises(ParseError, match="not a regular file"):
        read_support(tmp_path)


def test_numeric_overflow_is_non_finite(tmp_path):
    p = tmp_path / "m.txt"
    p.write_text("1e400 1\n")
    assert read_matrix(p)[0][0] == 10**400                      # exact: fine
    with pytest.raises(NonFiniteError, match="float range"):
        read_matrix(p, numeric=True)
    q = tmp_path / "inf.npy"
    np.save(q, np.array([[np.inf, 1.0]]))
    with pytest.raises(NonFiniteError):
        read_matrix(q, numeric=True)


def test_npy_of_strings_is_a_parse_error(tmp_path):
    q = tmp_path / "s.npy"
    np.save(q, np.array([["a", "b"]]))
    with pytest.raises(ParseError, match="numeric"):
        read_matrix(q, numeric=True)


def test_support_file_with_other_values(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps([[0, 1], ["1/2", 1]]))
    with pytest.raises(SupportError, match=r"\(1, 0\)"):
        read_support(p)
    p.write_text(json.dumps([[0, 10**100]]))
    with pytest.raises(SupportError):
        read_support(p)


def test_non_utf8(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(b"\xff\xfe1 2\n")
    with pytest.raises(ParseError, match="UTF-8"):
        read_matrix(p)
    with pytest.raises(ShapeError):
        (tmp_path / "e.txt").write_text("# nothing\n")
        read_matrix(tmp_path / "e.txt")


def test_non_finite_position_is_named(tmp_path):
    """Every command reading a float matrix names the first non-finite entry (row, column)."""
    M = np.ones((3, 4))
    M[2, 1] = np.inf
    M[2, 3] = np.nan
    np.save(tmp_path / "m.npy", M)
    with pytest.raises(NonFiniteError, match=r"inf at row 2, column 1"):
        read_matrix(tmp_path / "m.npy", numeric=True)
    (tmp_path / "big.txt").write_text("1 2\n3 1" + "0" * 400 + "\n")
    with pytest.raises(NonFiniteError, match=r"beyond the float range at row 1, column 1"):
        read_matrix(tmp_path / "big.txt", numeric=True)

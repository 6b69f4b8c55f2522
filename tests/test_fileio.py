"""Reading matrices and supports from files."""

from fractions import Fraction

import numpy as np
import pytest

from exactsparse.exceptions import ParseError, ShapeError, SupportError
from exactsparse.fileio import read_matrix, read_support


def test_text_entries_exact(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("# comment\n1 2/3 0.1\n-4, 1e-2, 5\n")
    assert read_matrix(p) == [[1, Fraction(2, 3), Fraction(1, 10)], [-4, Fraction(1, 100), 5]]


def test_support_compact_lines(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("110\n011\n")
    assert str(read_support(p)) == "110/011"


def test_npy_float_numeric(tmp_path):
    np.save(tmp_path / "a.npy", np.eye(2))
    assert read_matrix(tmp_path / "a.npy", numeric=True).dtype == np.float64


@pytest.mark.parametrize("text,err,msg", [
    ("1 2\n3 x\n", ParseError, "line 2"),
    ("1 2\n3\n", ParseError, "row 1"),
    ("", ShapeError, "empty"),
    ("1/0\n", ParseError, "line 1"),
])
def test_bad_text(tmp_path, text, err, msg):
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(err, match=msg):
        read_matrix(p)


def test_bad_json_and_missing(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("[[1, 2], [3,")
    with pytest.raises(ParseError, match="bad.json"):
        read_matrix(p)
    with pytest.raises(ParseError, match="does not exist"):
        read_matrix(tmp_path / "nope.txt")


def test_bad_support_file(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("1 2\n0 1\n")
    with pytest.raises(SupportError):
        read_support(p)


def test_non_utf8_file(tmp_path):
    p = tmp_path / "bin.txt"
    p.write_bytes(b"\xff\xfe1 2\n")
    with pytest.raises(ParseError, match="UTF-8"):
        read_matrix(p)
    with pytest.raises(ParseError, match="UTF-8"):
        read_support(p)

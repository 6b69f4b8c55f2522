"""Reading matrices and supports from files."""

import json
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactsparse.exceptions import ParseError, ShapeError, SupportError
from exactsparse.fileio import read_matrix, read_support
from exactsparse.supports import Support


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


def _fractions(max_size=4):
    entry = st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**4)
    return st.integers(1, max_size).flatmap(lambda n: st.lists(
        st.lists(entry, min_size=n, max_size=n), min_size=1, max_size=max_size))


def _masks(max_size=6):
    shapes = st.tuples(st.integers(1, max_size), st.integers(1, max_size))
    return shapes.flatmap(lambda s: st.lists(
        st.lists(st.booleans(), min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0]))


@given(_fractions(), st.sampled_from(["txt", "csv", "json"]))
@settings(max_examples=60, deadline=None)
def test_rational_matrices_round_trip_exactly(rows, ext):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"m.{ext}"
        if ext == "json":
            p.write_text(json.dumps([[str(v) for v in r] for r in rows]))
        else:
            sep = ", " if ext == "csv" else " "
            p.write_text("\n".join(sep.join(str(v) for v in r) for r in rows) + "\n")
        exact, numeric = read_matrix(p), read_matrix(p, numeric=True)
    assert exact == rows                       # Fraction equality: nothing rounded
    assert np.array_equal(numeric, np.array([[float(v) for v in r] for r in rows]))


@given(_masks())
@settings(max_examples=60, deadline=None)
def test_supports_round_trip_through_every_format(mask):
    S = Support(mask)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / "compact.txt").write_text(str(S).replace("/", "\n") + "\n")
        (d / "spaced.csv").write_text(
            "\n".join(",".join(str(int(v)) for v in r) for r in mask) + "\n")
        (d / "s.json").write_text(json.dumps(S.tolist()))
        np.save(d / "s.npy", np.array(mask, dtype=np.int8))
        for name in ("compact.txt", "spaced.csv", "s.json", "s.npy"):
            assert read_support(d / name) == S, name

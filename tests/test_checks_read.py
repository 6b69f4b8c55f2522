"""The shared certificate readers of ``exactsparse.checks._read``.

Expected values come from Python's own ``Fraction`` parsing and from hand-written cases; the
property tests check that every reader either returns the canonical value or raises
CertificateError with the "invalid certificate" prefix, never another exception.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from exactsparse.certificates import from_jsonable, to_jsonable
from exactsparse.checks import _read
from exactsparse.exceptions import CertificateError


@pytest.mark.parametrize("v, want", [
    ("1/3", Fraction(1, 3)), (" -4 / 6 ", Fraction(-2, 3)), ("+7", Fraction(7)), (3, Fraction(3)),
    (np.int64(-2), Fraction(-2)), (Fraction(5, 7), Fraction(5, 7))])
def test_rational_accepts_exact_numbers(v, want):
    assert _read.rational(v) == want


@pytest.mark.parametrize("v", ["1/0", "1.5", "1e3", "2**3", "nan", "", 0.5, True, np.bool_(False),
                               None, [1], "1" * 5000 + "/3", "1/2/3"])
def test_rational_refuses_everything_else(v):
    with pytest.raises(CertificateError, match="^invalid certificate: "):
        _read.rational(v, "x")


@given(st.fractions(max_denominator=10**6))
def test_rational_reads_the_json_form(q):
    assert _read.rational(to_jsonable(q)) == q == from_jsonable(to_jsonable(q))


@given(st.text(max_size=12))
def test_rational_never_raises_another_error(s):
    try:
        f = _read.rational(s)
    except CertificateError as exc:
        assert str(exc).startswith("invalid certificate: ")
    else:
        assert f == Fraction("".join(s.split()))     # Python's own parser agrees


@pytest.mark.parametrize("call", [
    lambda: _read.integer(True, "k", 0, 3), lambda: _read.integer(-1, "k", 0, 3),
    lambda: _read.integer(1.0, "k", 0, 3), lambda: _read.flag(0, "f"),
    lambda: _read.flag("true", "f"), lambda: _read.sequence("ab", "s"),
    lambda: _read.sequence({"a": 1}, "s"), lambda: _read.sequence(5, "s"),
    lambda: _read.get([], "k"), lambda: _read.get(None, "k"), lambda: _read.get({}, "k"),
    lambda: _read.unpack((1, 2), ("A", "I", "J")), lambda: _read.unpack({"A": 1}, ("A", "I")),
    lambda: _read.unpack("AIJ", ("A", "I", "J")),
    lambda: _read.matrix_instance(([[1, 2]], "1", "1")),
])
def test_readers_fail_as_certificate_errors(call):
    with pytest.raises(CertificateError, match="^invalid certificate: "):
        call()


def test_readers_return_canonical_values():
    assert _read.integer(2, "k", 0, 3) == 2
    assert _read.flag(None, "f", (True, False, None)) is None
    assert _read.sequence(iter((1, 2)), "s") == [1, 2]
    assert _read.get({"k": 0}, "k") == 0
    assert _read.unpack({"J": 2, "I": 1}, ("I", "J")) == (1, 2)
    assert _read.unpack([1, 2], ("I", "J")) == (1, 2)
    A, I, J = _read.matrix_instance(([["1/2", 2]], "1", "1/1"))
    assert A == [[Fraction(1, 2), Fraction(2)]] and I.shape == (1, 1) and J.shape == (2, 1)

"""Bad input to the result readers: always CertificateError, never another exception."""

import json
from fractions import Fraction

import pytest

from exactsparse.certificates import Result, parse_value
from exactsparse.exceptions import CertificateError, ParseError

GOOD = {"kind": "demo", "verdict": "yes", "certificate": {"q": "1/3"},
        "theorem": "fsmf.disjoint", "backend": "flint"}


def test_base_class_names_no_kind_or_theorem():
    assert Result.KIND is None and Result.THEOREM is None
    r = Result.from_dict(GOOD)
    assert type(r) is Result and r.certificate["q"] == Fraction(1, 3)


@pytest.mark.parametrize("kind", [["fsmf.solve"], {"a": 1}, {1, 2}, 5, None, 1.5, b"x", True])
def test_from_dict_kind_not_a_string(kind):
    with pytest.raises(CertificateError, match="^invalid certificate: the kind must be a string"):
        Result.from_dict(dict(GOOD, kind=kind))


@pytest.mark.parametrize("d", [None, [], "fsmf.solve", {"verdict": "yes"}])
def test_from_dict_not_a_result(d):
    with pytest.raises(CertificateError, match="^invalid certificate"):
        Result.from_dict(d)


@pytest.mark.parametrize("data", [b"\xff\xfe{", b'{"kind": "\xe9"}', "\ud800".encode("utf-8",
                                                                                     "surrogatepass")])
def test_from_json_bytes_not_utf8(data):
    with pytest.raises(CertificateError, match="^invalid certificate: not JSON"):
        Result.from_json(data)


def test_from_json_utf8_bytes_accepted():
    assert Result.from_json(json.dumps(GOOD).encode("utf-8")) == Result.from_dict(GOOD)


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_from_json_deeply_nested(depth):
    text = json.dumps(dict(GOOD, certificate="@")).replace('"@"', "[" * depth + "]" * depth)
    with pytest.raises(CertificateError, match="^invalid certificate: .*nested too deeply"):
        Result.from_json(text)


def test_from_dict_deeply_nested():
    cert = []
    for _ in range(100_000):
        cert = [cert]
    with pytest.raises(CertificateError, match="nested too deeply"):
        Result.from_dict(dict(GOOD, certificate=cert))


@pytest.mark.parametrize("text", [None, 5, "1" * 100_001, "x.y", "open('f')", "2**(10**9)",
                                  "1.5", "lambda: 1", "y"])
def test_parse_value_refuses(text):
    with pytest.raises(ParseError):
        parse_value(text)


def test_parse_value_long_sum_is_refused_cleanly():
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_value("+".join(["1"] * 40_000))


# ----------------------------------------------------------------------------- issue #15
def test_rationals_over_the_digit_limit():
    from exactsparse.certificates import from_jsonable, to_jsonable
    from exactsparse.exceptions import SizeLimitError
    big = "1" * 5000
    assert from_jsonable([big, "1/" + big]) == (big, "1/" + big)     # stay strings
    with pytest.raises(SizeLimitError, match="digits"):
        to_jsonable(Fraction(10**5000, 3))


def test_complex_numbers_round_trip():
    r = Result("demo", "yes", {"z": (1 - 2j, 0.5j)}, "fsmf.disjoint", "numpy")
    back = Result.from_json(r.to_json())
    assert back == r and back.certificate["z"] == (1 - 2j, 0.5j)


def test_header_fields_stay_strings():
    d = dict(GOOD, kind="00", verdict="1/2")
    r = Result.from_dict(d)
    assert r.kind == "00" and r.verdict == "1/2"
    assert Result.from_json(r.to_json()) == r


def test_subclass_from_json_refuses_another_kind():
    """``ButterflyIdentification.from_json`` on a result of another (or an unknown) kind is a
    CertificateError naming both; ``Result.from_json`` still reads any kind."""
    import json

    import scipy.linalg

    from exactsparse.butterfly import ButterflyIdentification, identify_butterfly
    from exactsparse.certificates import Result
    from exactsparse.exceptions import CertificateError
    d = json.loads(identify_butterfly(scipy.linalg.hadamard(4)).to_json())
    for kind in ("butterflx.identify", "fsmf.solve"):
        bad = json.dumps({**d, "kind": kind})
        with pytest.raises(CertificateError, match="ButterflyIdentification reads"):
            ButterflyIdentification.from_json(bad)
    unknown = json.dumps({**d, "kind": "butterflx.identify"})
    assert type(Result.from_json(unknown)) is Result       # read, and verify will refuse it

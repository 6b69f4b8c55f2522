"""Bad input to the display functions: untrusted values are never evaluated, HTML is escaped,
non-2-D supports are refused."""

import pytest

from exactsparse import display
from exactsparse.certificates import Result
from exactsparse.exceptions import ExactSparseError, ShapeError


def test_untrusted_value_is_not_evaluated():
    assert display.latex_of("__import__('os').system('true')") is None
    assert display.latex_of("1 +") is None and display.latex_of(object()) is None
    assert display.latex_of(0.5) is None and display.latex_of(True) is None


def test_html_is_escaped():
    r = Result(kind="<k>", verdict="<script>alert(1)</script>", certificate={"<x>": 1},
               theorem="<t>", backend="<b>")
    h = r._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h and "&lt;x&gt;" in h


def test_latex_text_is_escaped():
    r = Result(kind="a_b", verdict="50%#", certificate={}, theorem="x", backend="y")
    assert r"a\_b" in r._repr_latex_() and r"50\%\#" in r._repr_latex_()


@pytest.mark.parametrize("bad", [[1, 0, 1], [[[1]]], 5])
def test_support_must_be_2d(bad):
    with pytest.raises(ShapeError, match="Argument 'S' must be a 2-D support") as exc:
        display.support_svg(bad)
    assert isinstance(exc.value, ExactSparseError) and isinstance(exc.value, ValueError)


@pytest.mark.parametrize("certificate", [
    {"X": 5, "Y": "abc", "patterns": "abc", "minima": 3, "classes": 7},
    {"witness": {"X": [[1, "a"]]}, "left": [(1, 2)], "minima": [{"value_lower": "x"}]},
    {"patterns": [(1, 2, 2, "q")], "lower": "1/2", "upper": None, "classes": [(1,)]},
])
def test_malformed_certificates_still_display(certificate):
    """A display never raises: a foreign or malformed certificate shows no picture."""
    r = Result(kind="demo", verdict="yes", certificate=certificate, theorem="t", backend="b")
    assert "<b>yes</b>" in r._repr_html_() and "yes" in r._repr_latex_()

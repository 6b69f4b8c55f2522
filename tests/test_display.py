"""Rich display (``_repr_html_`` / ``_repr_latex_``) of supports and results.

Expected values come from independent routes: sympy's own ``sympify``/``latex`` for values,
numpy for the nonzeros a picture must show, the butterfly module's ``KSPattern.to_support``
for Kronecker-sparse factors, the dataclass field list for ``repr``.
"""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import exactsparse as es
from exactsparse import display
from exactsparse.butterfly import KSPattern
from exactsparse.certificates import Result
from exactsparse.supports import Support


@pytest.fixture(scope="module")
def results():
    return {
        "classify": es.check_tractable("110/011", "101/011"),
        "solve": es.solve_fsmf([[1, 2], [3, 4]], "1/1", "1/1"),       # value 15 - sqrt(221)
        "ident": es.check_identifiable("11/11", "10/11/01"),
        "butterfly": es.identify_butterfly(np.kron([[1, 1], [1, -1]], [[1, 1], [1, -1]])),
    }


def test_html_contains_verdict_kind_theorem(results):
    for r in results.values():
        h = r._repr_html_()
        assert f"<b>{r.verdict}</b>" in h and r.kind in h and r.theorem in h
        assert type(r).__name__ in h


def test_latex_of_exact_value_is_sympys(results):
    r = results["solve"]
    assert r.value == "15 - sqrt(221)"      # the exact optimum of the rank-one fit
    expected = sympy.latex(sympy.sympify(r.value))
    assert display.latex_of(r.value) == expected
    assert "= " + expected in r._repr_latex_()
    assert "$= " + expected + "$" in r._repr_html_()


@pytest.mark.parametrize("value", ["15/2 - sqrt(41)/2", "3", "-7/9", "2*sqrt(2) + 1/3",
                                   "CRootOf(x**3 - 39*x**2 + 246*x - 67, 0)"])
def test_latex_matches_sympy_on_strings(value):
    assert display.latex_of(value) == sympy.latex(sympy.sympify(value))


@given(st.fractions(min_value=-10**12, max_value=10**12, max_denominator=10**6))
def test_latex_of_fraction(q):
    assert display.latex_of(q) == sympy.latex(sympy.Rational(q.numerator, q.denominator))


@given(st.integers(-10**40, 10**40), st.integers(10**25, 10**40))
def test_interval_is_rounded_outwards(p, q):
    """Long enclosure ends are shown as decimals rounded outwards: the shown interval still
    contains the certified one."""
    lo = Fraction(p, q)
    hi = lo + Fraction(1, 10**45)
    r = Result(kind="demo", verdict="certified", certificate={"lower": lo, "upper": hi},
               theorem="fsmf.certify", backend="flint")
    ((label, tex),) = display.result_values(r)
    inner = tex.split(r"\left[")[1].split(r"\right]")[0]
    a, b = inner.split(r",\ ")
    assume("frac" not in a)
    assert label == "value" and Fraction(a) <= lo and Fraction(b) >= hi


def test_repr_unchanged(results):
    S = Support("110/011")
    assert repr(S) == "Support('110/011')" and str(S) == "110/011"
    for r in results.values():
        fields = ", ".join(f"{f.name}={getattr(r, f.name)!r}"
                           for f in dataclasses.fields(r) if f.repr)
        assert repr(r) == f"{type(r).__name__}({fields})"


@settings(max_examples=40, deadline=None)
@given(arrays(bool, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_svg_shows_exactly_the_nonzeros(a):
    S = Support(a)
    cells = display.svg_cells(display.support_svg(S))
    assert cells == {(int(i), int(j)) for i, j in zip(*np.nonzero(a))}
    assert cells == display.svg_cells(S._repr_html_())


def test_large_support_is_pooled():
    rng = np.random.default_rng(0)
    a = rng.random((200, 130)) < 0.01
    cells = display.svg_cells(display.support_svg(a, max_cells=50))
    f = 4                                        # ceil(200 / 50)
    expected = {(i, j) for i in range(50) for j in range(-(-130 // f))
                if a[i * f:(i + 1) * f, j * f:(j + 1) * f].any()}
    assert cells == expected


def test_support_latex():
    S = Support("10/11")
    assert S._repr_latex_() == display.support_latex(S)
    assert S._repr_latex_() == "$" + sympy.latex(sympy.Matrix([[1, 0], [1, 1]])) + "$"
    assert Support(np.eye(40, dtype=bool))._repr_latex_() is None   # too large for LaTeX


def test_result_pictures(results):
    b = results["butterfly"]
    pics = display.result_supports(b)
    assert len(pics) == len(b.certificate["patterns"]) == 2
    for (label, pat), p in zip(pics, b.certificate["patterns"]):
        assert (pat != 0).tolist() == KSPattern(*p).to_support().array.tolist()
    r = results["solve"]
    (lx, px), (ly, py) = display.result_supports(r)
    assert (lx, ly) == ("supp X", "supp Y")
    assert px.tolist() == (r.X_array() != 0).tolist() and py.tolist() == (r.Y_array() != 0).tolist()
    w = results["ident"].witness
    (_, px), (_, py) = display.result_supports(results["ident"])
    assert px.tolist() == (np.array(w["X"]) != 0).tolist()
    classes = results["classify"].classes
    (_, lab), = display.result_supports(results["classify"])
    for k, (_, rows, cols) in enumerate(classes):
        assert set(lab[np.ix_(rows, cols)].ravel()) <= {k + 1, display.OVERLAP}


def test_certified_minimum_values_in_html():
    r = Result(kind="fsmf.spurious", verdict="spurious", theorem="fsmf.spurious",
               backend="flint", certificate={"minima": [{"value_lower": Fraction(46945, 10000),
                                                         "value_upper": Fraction(46946, 10000)}]})
    ((label, tex),) = display.result_values(r)
    assert label == "local minimum 0" and tex == r"\in \left[\frac{9389}{2000},\ \frac{23473}{5000}\right]"
    assert "local minimum 0" in r._repr_html_()


def test_ipython_formatter_uses_the_rich_forms(results):
    """What Jupyter does: IPython's display formatter picks up HTML and LaTeX, and the plain
    text form stays ``repr``."""
    formatters = pytest.importorskip("IPython.core.formatters", reason="needs IPython")
    fmt = formatters.DisplayFormatter()
    for obj in (Support("110/011"), results["solve"]):
        data, _ = fmt.format(obj)
        assert data["text/plain"] == repr(obj)
        assert data["text/html"] == obj._repr_html_() and data["text/latex"] == obj._repr_latex_()

"""Exact backend: flint and sympy must agree; explicit float conversion."""

from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from exactsparse import exact

MATRICES = {
    "rank1": [[1, 2, 3], [2, 4, 6]],
    "identity": [[1, 0], [0, 1]],
    "rational": [["1/2", "1/3", 1], [1, "2/3", 2], [0, 0, "-5/7"]],
    "deficient": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    "tall": [[1, 0], [0, 1], [1, 1], [2, 3]],
    "zero": [[0, 0], [0, 0]],
}


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("backend", exact.BACKENDS)
def test_rank_matches_sympy_matrix(name, backend):
    M = MATRICES[name]
    expected = sympy.Matrix([[sympy.Rational(str(v)) for v in row] for row in M]).rank()
    assert exact.rank(M, backend=backend) == expected


@pytest.mark.parametrize("name", MATRICES)
def test_rank_mod_p_matches_sympy(name):
    """A 62-bit prime divides no minor of these small matrices: equal to the rank over Q
    (computed by sympy, an independent route)."""
    M = MATRICES[name]
    expected = sympy.Matrix([[sympy.Rational(str(v)) for v in row] for row in M]).rank()
    assert exact.rank_mod_p(M) == expected


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("backend", exact.BACKENDS)
def test_nullspace_is_kernel_of_right_dimension(name, backend):
    M = exact.as_matrix(MATRICES[name])
    K = exact.nullspace(M, backend=backend)
    assert K.ncols() == M.ncols() - exact.rank(M)
    if K.ncols():
        assert M * K == flint.fmpq_mat(M.nrows(), K.ncols())
        assert exact.rank(K) == K.ncols()


@pytest.mark.parametrize("name", MATRICES)
def test_rref_backends_agree(name):
    assert exact.rref(MATRICES[name]) == exact.rref(MATRICES[name], backend="sympy")


@pytest.mark.parametrize("name", ["identity", "deficient", "zero"])
def test_charpoly_backends_agree(name):
    assert exact.charpoly(MATRICES[name]) == exact.charpoly(MATRICES[name], backend="sympy")


def test_solve_backends_agree():
    A, b = [[2, 1], [1, 3]], [[1], [2]]
    x = exact.solve(A, b)
    assert x == exact.solve(A, b, backend="sympy")
    assert exact.as_matrix(A) * x == exact.as_matrix(b)


@pytest.mark.parametrize("x", [0.1, 1e-300, -2.5, 3.0])
def test_from_float_is_the_exact_binary_rational(x):
    f = exact.from_float(x)
    assert float(f) == x and f == Fraction(x)


def test_rationalize_finds_small_rationals():
    assert exact.rationalize(1 / 3) == Fraction(1, 3)
    assert exact.rationalize([[0.5, -0.25]]) == ((Fraction(1, 2), Fraction(-1, 4)),)
    assert exact.rationalize(0.0) == 0


@given(st.fractions(max_denominator=1000), st.floats(1e-9, 1e-2))
@settings(max_examples=60, deadline=None)
def test_rationalize_is_within_tolerance(f, tol):
    x = float(f)
    q = exact.rationalize(x, tol)
    assert abs(q - Fraction(x)) <= Fraction(tol)
    if abs(Fraction(x) - f) <= Fraction(tol):     # f itself is a candidate: q is simpler
        assert q.denominator <= f.denominator


INPUTS = {
    "lists": [[1, 2], [3, 4]],
    "fractions": [[Fraction(1), Fraction(2)], [Fraction(3), Fraction(4)]],
    "strings": [["1", "2"], ["3", "4"]],
    "numpy-int": np.array([[1, 2], [3, 4]]),
    "sympy": sympy.Matrix([[1, 2], [3, 4]]),
    "flint": flint.fmpz_mat([[1, 2], [3, 4]]),
}


@pytest.mark.parametrize("name", INPUTS)
def test_inputs_accepted(name):
    assert exact.to_fractions(INPUTS[name]) == ((1, 2), (3, 4))


def test_eigen_tail_closed_form_and_enclosure():
    t = exact.EigenTail([[5, 2], [2, 10]], 1)
    assert sympy.simplify(t.expr() - (15 - sympy.sqrt(41)) / 2) == 0
    assert t.enclosure().overlaps(flint.arb((15 - 41**0.5) / 2, 1e-12))
    assert t.enclosure().rad() < 1e-30


@given(st.lists(st.integers(-5, 5), min_size=6, max_size=6), st.integers(0, 2))
@settings(max_examples=40, deadline=None)
def test_eigen_tail_equals_numpy_singular_values(entries, k):
    B = np.array(entries).reshape(2, 3)
    G = (B.T @ B).tolist()
    t = exact.EigenTail(G, k)
    s = np.linalg.svd(B.astype(float), compute_uv=False)
    expected = float(np.sum(s[k:] ** 2))
    assert abs(float(t.enclosure().mid()) - expected) < 1e-9
    assert abs(float(sympy.N(t.expr(), 30)) - expected) < 1e-9
    rv = t.rational_value()
    if rv is not None:
        assert abs(float(rv) - expected) < 1e-9


@given(st.fractions(max_denominator=10**9))
def test_one_rational_pattern_reads_every_json_rational(q):
    """exact.RATIONAL_RE (used by parse_rational, the JSON reader and the checkers) matches
    the "p/q" form written by fraction_str, and the groups give back q."""
    m = exact.RATIONAL_RE.match(exact.fraction_str(q))
    assert m and Fraction(int(m.group(1)), int(m.group(2) or 1)) == q
    assert exact.parse_rational(exact.fraction_str(q)) == q

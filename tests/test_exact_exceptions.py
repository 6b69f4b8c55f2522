"""Bad input to the exact backend: typed errors."""

import math

import numpy as np
import pytest

from exactsparse import exact
from exactsparse.exceptions import (ExactSparseError, ExactTypeError, FloatInExactError,
                                    NonFiniteError, ParseError, ShapeError)


@pytest.mark.parametrize("A", [[[0.5, 1]], np.array([[1.0, 2.0]]), [[np.float64(1.0)]]])
def test_floats_refused(A):
    with pytest.raises(FloatInExactError, match="exact.from_float"):
        exact.as_matrix(A)


def test_float_error_is_type_error_and_library_error():
    with pytest.raises(TypeError):
        exact.as_rational(0.5)
    with pytest.raises(ExactSparseError):
        exact.as_rational(0.5)


@pytest.mark.parametrize("x", [math.nan, math.inf])
def test_non_finite(x):
    with pytest.raises(NonFiniteError):
        exact.as_rational(x)
    with pytest.raises(NonFiniteError):
        exact.as_matrix(np.array([[x]]))
    with pytest.raises(NonFiniteError):
        exact.from_float(x)


@pytest.mark.parametrize("A", [[], [[]], [[1, 2], [3]], [1, 2]])
def test_shapes(A):
    with pytest.raises(ShapeError):
        exact.as_matrix(A)


def test_strings_and_objects():
    with pytest.raises(ParseError):
        exact.as_matrix([["1/0"]])
    with pytest.raises(ParseError):
        exact.as_matrix([["abc"]])
    with pytest.raises(ExactTypeError):
        exact.as_matrix([[object()]])
    with pytest.raises(ExactTypeError):
        exact.rank([[1]], backend="magma")


def test_from_float_requires_exact_flag_and_rationalize_positive_tol():
    with pytest.raises(ExactTypeError):
        exact.from_float(0.5, exact=False)
    with pytest.raises(ExactTypeError):
        exact.rationalize(0.5, tol=0)


def test_charpoly_non_square():
    with pytest.raises(ShapeError, match="square"):
        exact.charpoly([[1, 2]])


@pytest.mark.parametrize("p", [4, 1, 2**64 + 13, -7, 2.5])
def test_rank_mod_p_needs_a_small_prime(p):
    from exactsparse.exceptions import ArgumentError
    with pytest.raises((ArgumentError, ExactTypeError)):
        exact.rank_mod_p([[1, 2], [3, 4]], p=p)


def test_huge_exponent_refused_quickly():
    with pytest.raises(ParseError, match="exponent"):
        exact.parse_rational("1e999999999")


def test_singular_solve():
    from exactsparse.exceptions import SingularError
    with pytest.raises(SingularError):
        exact.solve([[1, 2], [2, 4]], [[1], [1]])
    with pytest.raises(ZeroDivisionError):
        exact.solve([[0]], [[1]], backend="sympy")


def test_rationalize_bad_tol_and_from_float_3d():
    with pytest.raises(ExactTypeError):
        exact.rationalize(0.5, tol="abc")
    with pytest.raises(ShapeError):
        exact.from_float(np.zeros((2, 2, 2)))


def test_parse_value_is_a_whitelist():
    from exactsparse.certificates import parse_value
    assert str(parse_value("CRootOf(x**3 - 39*x**2 + 246*x - 67, 0)")).startswith("CRootOf")
    for bad in ("__import__('os')", "x.__class__", "sqrt(2, 3)", "2**10**10", "lambda: 1"):
        with pytest.raises(ParseError):
            parse_value(bad)


def test_check_backend():
    assert exact.check_backend("sympy") == "sympy"
    with pytest.raises(ExactTypeError, match="Argument 'backend' must be one of"):
        exact.check_backend("numpy")


# ----------------------------------------------------------------------------- issue #15
def test_digit_limit_is_a_size_error():
    from exactsparse.exceptions import SizeLimitError
    for text in ("7" * 5001, "1/" + "3" * 5001, "1." + "0" * 5001):
        with pytest.raises(SizeLimitError, match="digits"):
            exact.parse_rational(text)


@pytest.mark.parametrize("v, exc", [(0.5, FloatInExactError), (None, ParseError),
                                    ([1], ParseError)])
def test_parse_rational_non_strings(v, exc):
    with pytest.raises(exc):
        exact.parse_rational(v)


def test_short_repr_never_fails():
    assert exact.short_repr(10**5000) == f"an integer of {(10**5000).bit_length()} bits"
    assert "over 4300 digits" in exact.short_repr((1, 10**5000))
    assert exact.short_repr("x" * 500, 20).endswith("...")


@pytest.mark.parametrize("call", [
    lambda: exact.check_backend(np.array([1, 2])), lambda: exact.check_backend(None),
    lambda: exact.arb_fraction(3), lambda: exact.arb_fraction("1"),
    lambda: exact.precision("1/2"), lambda: exact.precision(float("nan")),
    lambda: exact.precision(10**5000), lambda: exact.precision(1 << 20),
    lambda: exact.eigen_tail([[1, 0], [0, 1]], np.ones((2, 2))),
    lambda: exact.eigen_tail([[1, 0], [0, 1]], -1), lambda: exact.eigen_tail([[1, 2]], 1),
    lambda: exact.rationalize([[1.0], [1.0, 2.0]]), lambda: exact.rationalize(0.5, tol=10**400),
    lambda: exact.rationalize(0.5, tol=float("inf")),
    lambda: exact.from_float(np.longdouble(10) ** 400),
    lambda: exact.scale_pow2([[1.0]]), lambda: exact.scale_pow2(np.array([[np.nan]])),
    lambda: exact.scale_pow2(np.array([[1, 2]]))])
def test_typed_errors(call):
    with pytest.raises(ExactSparseError):
        call()


def test_scale_pow2_is_exact_and_bounded():
    for A in (np.array([[1e300, -3.0]]), np.array([[5e-324, 0.0]]), np.array([[1 + 1e200j]]),
              np.zeros((2, 2))):
        B, e = exact.scale_pow2(A)
        assert np.array_equal(B * 2.0 ** e * 2.0 ** e, A)
        assert not A.any() or 0.25 <= float(np.max(np.abs(B))) < 1

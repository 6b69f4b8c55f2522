"""Exact scalars: rationals from ints, ``"p/q"`` strings, decimals, floats (explicitly),
flint and sympy numbers; the one rational pattern of the package; ``arb`` endpoints."""

from __future__ import annotations

import math
import numbers
import re
import sys
from fractions import Fraction

import flint
import numpy as np

from ..exceptions import show as short_repr  # noqa: F401 - the safe repr of error messages
from ..exceptions import (ExactTypeError, FloatInExactError, NonFiniteError, ParseError,
                          ShapeError, SizeLimitError)

__all__ = ['BACKENDS', 'PRIME62', 'RATIONAL_RE', 'parse_rational', 'as_rational', 'from_float', 'rationalize', 'arb_fraction', 'fraction_str', 'short_repr']

BACKENDS = ("flint", "sympy")
#: The largest prime below 2**62, used for fast rank lower bounds.
PRIME62 = 2**62 - 57

#: ``"p/q"`` or ``"p"`` (spaces allowed around the parts): the one rational pattern of the
#: package (JSON certificates, checkers, :func:`parse_rational`); group 1 is ``p``, group 2
#: ``q`` or None.
RATIONAL_RE = re.compile(r"^\s*([+-]?\d+)\s*(?:/\s*(\d+))?\s*$")
_DECIMAL_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def parse_rational(text, name="value"):
    """Parse ``"p/q"``, an integer string or a finite decimal string *exactly*.

    A decimal is read as the rational it writes: ``"0.1"`` is 1/10, never the float.
    :class:`ParseError` for anything else (or a zero denominator, or an exponent beyond
    ±10000); :class:`SizeLimitError` for a number with more digits than Python converts
    (``sys.get_int_max_str_digits()``, 4300 by default).

    See Also
    --------
    fraction_str : the inverse; as_rational

    Examples
    --------
    >>> parse_rational("-3/6"), parse_rational("0.25"), parse_rational("1e-2")
    (Fraction(-1, 2), Fraction(1, 4), Fraction(1, 100))
    >>> all(parse_rational(fraction_str(q)) == q for q in (Fraction(-7, 3), Fraction(5)))
    True
    >>> parse_rational("7" * 5001)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.SizeLimitError: Argument 'value' has a number of 5001 digits, more than the 4300 digits Python converts (sys.set_int_max_str_digits).
    """
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        if isinstance(text, (int, np.integer)) and not isinstance(text, (bool, np.bool_)):
            return Fraction(int(text))
        if isinstance(text, (float, np.floating)):
            raise FloatInExactError(f"Argument {name!r} must be a string, not the float "
                                    f"{text!r}; convert explicitly with exact.from_float.")
        raise ParseError(f"Argument {name!r} must be a string, not {type(text).__name__}.")
    s = text
    limit = sys.get_int_max_str_digits()
    digits = max((len(t) for t in re.findall(r"\d+", s)), default=0)
    if limit and digits > limit:
        raise SizeLimitError(f"Argument {name!r} has a number of {digits} digits, more than the "
                             f"{limit} digits Python converts (sys.set_int_max_str_digits).")
    if len(s) > 10_000:
        raise ParseError(f"Argument {name!r} is too long ({len(s)} characters > 10000).")
    m = RATIONAL_RE.match(s)
    if m:
        q = int(m.group(2)) if m.group(2) is not None else 1
        if q == 0:
            raise ParseError(f"Argument {name!r} has a zero denominator: {s!r}.")
        return Fraction(int(m.group(1)), q)
    d = _DECIMAL_RE.match(s)
    if d:
        if d.group(2) and abs(int(d.group(2)[1:])) > 10_000:
            raise ParseError(f"Argument {name!r} has an exponent beyond ±10000: {s.strip()!r}.")
        try:
            return Fraction(s.strip())
        except ValueError:                  # digits before + after the point over the limit
            raise SizeLimitError(f"Argument {name!r} has more digits than Python converts "
                                 f"(sys.set_int_max_str_digits).") from None
    raise ParseError(f"Argument {name!r} must be an integer, 'p/q' or a decimal, not {s!r}.")


def as_rational(x, name="x", where=""):
    """Convert one exact scalar to :class:`fractions.Fraction`; refuse floats.

    Accepts int, bool, Fraction, numpy integers, flint ``fmpz``/``fmpq``, sympy
    Integer/Rational and ``"p/q"`` strings; ``name`` and ``where`` go into the error message.

    See Also
    --------
    as_matrix : the same for every entry of a matrix; from_float, rationalize

    Examples
    --------
    Every exact representation of 3/4 gives the same Fraction:

    >>> import flint, sympy
    >>> {as_rational(v) for v in (Fraction(3, 4), "3/4", flint.fmpq(3, 4), sympy.Rational(3, 4))}
    {Fraction(3, 4)}
    >>> as_rational(0.75, "x")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.FloatInExactError: Argument 'x' must hold exact numbers (int, Fraction, 'p/q'), not float 0.75; convert explicitly with exact.from_float or exact.rationalize.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (bool, np.bool_)):
        return Fraction(int(x))
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, flint.fmpz):
        return Fraction(int(x))
    if isinstance(x, flint.fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise NonFiniteError(f"Argument {name!r} must be finite, not {float(x)!r}{where}.")
        raise FloatInExactError(
            f"Argument {name!r} must hold exact numbers (int, Fraction, 'p/q'), not float "
            f"{float(x)!r}{where}; convert explicitly with exact.from_float or exact.rationalize.")
    if isinstance(x, str):
        return parse_rational(x, name)
    if isinstance(x, (complex, np.complexfloating)):
        raise FloatInExactError(f"Argument {name!r} must be rational, not complex {x!r}{where}.")
    mod = type(x).__module__ or ""
    if mod.startswith("sympy"):
        if getattr(x, "is_Rational", False):
            return Fraction(int(x.p), int(x.q))
        if getattr(x, "is_Float", False):
            raise FloatInExactError(
                f"Argument {name!r} must hold exact numbers, not sympy Float {x}{where}; "
                "convert explicitly with exact.from_float or exact.rationalize.")
        raise ExactTypeError(f"Argument {name!r} must be rational, not the sympy value {x}{where}.")
    if isinstance(x, numbers.Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    raise ExactTypeError(
        f"Argument {name!r} must hold exact numbers, not {type(x).__name__} {short_repr(x)}{where}.")


def from_float(x, exact=True):
    """Convert a float (or an array of floats) to rationals *explicitly*.

    Parameters
    ----------
    x : float or array_like of float
    exact : bool
        Must be True: the result is the exact binary rational the float stores.  (Use
        :func:`rationalize` for a nearby small rational.)

    Returns
    -------
    Fraction, or a tuple (of tuples) of Fraction for a 1-D (2-D) input.

    See Also
    --------
    rationalize : a nearby simple rational instead.

    Examples
    --------
    The rational is exactly the float: converting back loses nothing.

    >>> from_float(0.1), float(from_float(0.1)) == 0.1
    (Fraction(3602879701896397, 36028797018963968), True)
    >>> from_float([[0.25, 2.0]])
    ((Fraction(1, 4), Fraction(2, 1)),)
    """
    if exact is not True:
        raise ExactTypeError("Argument 'exact' must be True; use exact.rationalize for tolerances.")
    return _map_float(x, lambda v: Fraction(v))


def rationalize(x, tol=1e-12):
    """The simplest rational (smallest denominator) within ``tol`` of a float
    (elementwise for arrays).

    See Also
    --------
    from_float : the exact value of the float instead.

    Examples
    --------
    >>> rationalize(0.3333333333333333), rationalize(3.14159, tol=1e-2)
    (Fraction(1, 3), Fraction(22, 7))
    >>> abs(rationalize(3.14159, tol=1e-2) - from_float(3.14159)) <= Fraction(1, 100)
    True
    """
    try:
        tol = float(tol)
    except (TypeError, ValueError, OverflowError):
        raise ExactTypeError(f"Argument 'tol' must be a positive finite number, not "
                             f"{short_repr(tol)}.") from None
    if not 0 < tol < math.inf:
        raise ExactTypeError(f"Argument 'tol' must be positive and finite, not {tol!r}.")
    return _map_float(x, lambda v: _simplest_within(Fraction(v), Fraction(tol)))


def _simplest_within(f, tol):
    return _simplest_between(f - tol, f + tol)


def _simplest_between(lo, hi):
    """The rational of smallest denominator in the closed interval [lo, hi] (continued
    fractions, i.e. a Stern-Brocot descent)."""
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -_simplest_between(-hi, -lo)
    fl = math.floor(lo)
    if fl == lo:
        return Fraction(fl)
    if fl + 1 <= hi:
        return Fraction(fl + 1)
    return fl + 1 / _simplest_between(1 / (hi - fl), 1 / (lo - fl))


def _map_float(x, fn):
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        raise ShapeError("Argument 'x' must be a float or a rectangular array of floats, not "
                         "ragged rows.") from None
    if arr.dtype.kind not in "fiub":
        raise ExactTypeError(f"Argument 'x' must be a float or an array of floats, not {arr.dtype}.")
    with np.errstate(over="ignore"):
        if not np.all(np.isfinite(arr)) or not np.all(np.isfinite(arr.astype(np.float64))):
            raise NonFiniteError("Argument 'x' must be finite (as a double); it contains NaN "
                                 "or infinity, or values beyond the float64 range.")
    if arr.ndim == 0:
        return fn(float(arr))
    if arr.ndim == 1:
        return tuple(fn(float(v)) for v in arr)
    if arr.ndim != 2:
        raise ShapeError(f"Argument 'x' must be a scalar, 1-D or 2-D, not {arr.ndim}-D.")
    return tuple(tuple(fn(float(v)) for v in row) for row in arr)


def arb_fraction(a):
    """The exact rational value of the midpoint of a flint ``arb`` (e.g. an endpoint
    ``ball.lower()``, which is exact).

    See Also
    --------
    exactsparse.exact.eigen.precision

    Examples
    --------
    >>> ball = flint.arb(1) / 3
    >>> q = arb_fraction(ball)
    >>> ball.contains(flint.fmpq(q.numerator, q.denominator)), arb_fraction(flint.arb(3) / 4)
    (True, Fraction(3, 4))
    """
    if not isinstance(a, flint.arb) or not a.is_finite():
        raise ExactTypeError(f"Argument 'a' must be a finite flint arb, not "
                             f"{type(a).__name__}.")
    man, exp = a.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def fraction_str(x):
    """``"p/q"`` (or ``"p"`` when integral) for a rational: the JSON form.

    See Also
    --------
    parse_rational : the inverse; to_strings

    Examples
    --------
    >>> fraction_str(Fraction(-3, 4)), fraction_str(2), parse_rational(fraction_str("6/8"))
    ('-3/4', '2', Fraction(3, 4))
    """
    f = as_rational(x)
    try:
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    except ValueError:                       # over sys.get_int_max_str_digits()
        raise SizeLimitError("Argument 'x' has more digits than Python converts to text "
                             "(sys.set_int_max_str_digits).") from None

"""Reading certificates: the parsing helpers every checker shares.

A checker reads untrusted data (a certificate, possibly hand-edited JSON, and the instance
it is claimed for).  Every reader here either returns the value in its canonical exact form
or raises :class:`~exactsparse.exceptions.CertificateError` through :func:`fail`, whose
message starts with ``"invalid certificate: "`` (the prefix :func:`exactsparse.verify`
reports).  Nothing here trusts a float: numbers are ints, Fractions or ``"p/q"`` strings
matching :data:`exactsparse.exact.RATIONAL_RE`.

Examples
--------
>>> from fractions import Fraction
>>> rational("-3/6"), rational(2), integer(1, "a column", 0, 3)
(Fraction(-1, 2), Fraction(2, 1), 1)
>>> rational(0.5, "lower")
Traceback (most recent call last):
...
exactsparse.exceptions.CertificateError: invalid certificate: lower 0.5 is not an exact rational.
>>> unpack({"I": "10/01", "J": "11/01"}, ("I", "J"))
('10/01', '11/01')
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from .. import exact
from ..exceptions import CertificateError
from ..supports import check_pair

__all__ = ["fail", "rational", "integer", "flag", "sequence", "get", "unpack",
           "matrix_instance", "out_of_budget"]


def fail(msg):
    """Raise :class:`CertificateError` ``"invalid certificate: <msg>"`` (never returns).

    >>> fail("the loss differs.")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: the loss differs.
    """
    raise CertificateError(f"invalid certificate: {msg}")


def rational(v, what="value"):
    """A rational from a certificate: a Fraction, an int (numpy ints too) or a ``"p/q"``
    string; never a bool, a float, a decimal, an exponent or a zero denominator.

    >>> rational(" 4/6 ")
    Fraction(2, 3)
    >>> rational(True, "q")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: q is a boolean, not a rational.
    """
    if isinstance(v, (bool, np.bool_)):
        fail(f"{what} is a boolean, not a rational.")
    if isinstance(v, Fraction):
        return v
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    if isinstance(v, str):
        m = exact.RATIONAL_RE.match(v)
        if m:
            try:                  # int() refuses digit strings beyond sys.get_int_max_str_digits
                p, q = int(m.group(1)), int(m.group(2) or 1)
            except ValueError:
                p, q = 0, 0
            if q:
                return Fraction(p, q)
    fail(f"{what} {v!r} is not an exact rational.")


def integer(v, what, lo, hi):
    """An int ``lo <= v < hi`` (bools refused).

    >>> integer(3, "a row", 0, 3)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: a row 3 is not an integer in [0, 3).
    """
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v < hi:
        fail(f"{what} {exact.short_repr(v)} is not an integer in [{lo}, {hi}).")
    return v


def flag(v, what, allowed=(True, False)):
    """``v`` when it *is* one of ``allowed`` (identity: ``1`` is not ``True``).

    >>> flag(None, "attained", (True, False, None)) is None
    True
    >>> flag(1, "certified")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: certified must be one of (True, False), not 1.
    """
    if not any(v is a for a in allowed):
        fail(f"{what} must be one of {allowed}, not {v!r}.")
    return v


def sequence(v, what):
    """``v`` as a list, when it is a sequence (not a string, bytes or a mapping).

    >>> sequence((1, 2), "cells")
    [1, 2]
    >>> sequence("12", "cells")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: cells must be a list.
    """
    if isinstance(v, (str, bytes, Mapping)) or not hasattr(v, "__iter__"):
        fail(f"{what} must be a list.")
    return list(v)


def get(c, key):
    """``c[key]``, failing with "missing field" when absent or when ``c`` is no mapping.

    >>> get({"lower": 0}, "upper")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: missing field 'upper'.
    """
    try:
        return c[key]
    except (KeyError, TypeError, IndexError):
        fail(f"missing field {key!r}.")


def unpack(instance, names):
    """The instance of a result as a tuple in the order ``names``: from a tuple/list of that
    length or from a mapping with those keys.

    >>> unpack(([[1]], "1", "1"), ("A", "I", "J"))
    ([[1]], '1', '1')
    >>> unpack(("1",), ("I", "J"))
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: the instance must be (I, J) (a tuple or a dict with these keys).
    """
    want = f"({', '.join(names)}) (a tuple or a dict with these keys)."
    if isinstance(instance, Mapping):
        missing = [n for n in names if n not in instance]
        if missing:
            fail(f"the instance has no key {missing[0]!r}; it must be {want}")
        return tuple(instance[n] for n in names)
    if not isinstance(instance, (tuple, list)) or len(instance) != len(names):
        fail(f"the instance must be {want}")
    return tuple(instance)


def matrix_instance(instance):
    """``(A, I, J)`` of a matrix-factorization instance: ``A`` as a list of rows of
    Fractions, ``I``, ``J`` validated :class:`~exactsparse.supports.Support` whose shapes
    fit ``A``.

    >>> A, I, J = matrix_instance({"A": [[1, 2]], "I": "1", "J": "1/1"})
    >>> A, I.shape, J.shape
    ([[Fraction(1, 1), Fraction(2, 1)]], (1, 1), (2, 1))
    """
    A, I, J = unpack(instance, ("A", "I", "J"))
    I, J = check_pair(I, J)
    M = exact.as_matrix(A, "A")
    if (M.nrows(), M.ncols()) != (I.shape[0], J.shape[0]):
        fail("A does not fit I and J.")
    return [list(r) for r in exact.to_fractions(M)], I, J


def out_of_budget(cert):
    """Check an ``"unknown"`` verdict given because the time budget ran out: it claims
    nothing about the instance, so valid means only that it says so — a positive number
    ``budget`` (seconds) and a non-empty ``reason``.  Returns the detail string."""
    budget = cert.get("budget")
    if isinstance(budget, bool) or not isinstance(budget, (int, float, Fraction)) or \
            not budget > 0:
        fail(f"an out-of-budget unknown must state its budget, not {budget!r}.")
    reason = cert.get("reason")
    if not isinstance(reason, str) or not reason:
        fail("an out-of-budget unknown must state its reason.")
    return f"unknown verdict: {reason} (nothing is claimed about the instance)"

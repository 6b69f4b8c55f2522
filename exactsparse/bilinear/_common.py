"""Helpers shared inside :mod:`exactsparse.bilinear`: input validation, exact convolution,
the penalty and normalisation specifications, exact costs and their certified comparison.

Signals are validated once, at the public entry, into tuples of
:class:`~fractions.Fraction`; floats are accepted and converted to the exact binary rational
they store (``Fraction(0.1)``), NaN/inf are refused.  Costs are sympy expressions (exact
algebraic numbers, or the logarithm of one for the log penalty) compared with a certified
python-flint ``arb`` enclosure, and exactly (minimal polynomial) when the enclosures cannot
separate them.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..exact import as_rational, parse_rational
from ..exceptions import (ArgumentError, ExactTypeError, NonFiniteError, PrecisionError,
                          ShapeError, SizeLimitError, show)

__all__ = ["MAX_LENGTH", "as_flag", "Penalty", "Norm", "as_signal", "as_penalty", "as_norm", "convolve",
           "check_circular", "cost_expr", "compare_keys", "arb_of", "enclosure", "exact_value"]

#: Longest signal handled by the exact routines (sympy expressions grow with the length).
MAX_LENGTH = 512
#: Largest numerator or denominator (in bits) of a signal entry (exact symbolic costs of
#: larger entries take unbounded time).
MAX_BITS = 4096
_MAX_DEN = 64          # largest numerator/denominator of an exponent p (sympy radicals)

PENALTIES = ("l1", "lp", "log", "tv")
NORMS = ("l2", "l1", "lp")


# ----------------------------------------------------------------------------- signals
def as_signal(v, name="x", allow_zero=False):
    """Validate a 1-D signal: a tuple of Fractions (floats converted exactly, NaN/inf refused).

    >>> as_signal([3, "1/2", 0.25])
    (Fraction(3, 1), Fraction(1, 2), Fraction(1, 4))
    """
    if isinstance(v, (str, bytes)) or isinstance(v, numbers.Number):
        raise ShapeError(f"Argument {name!r} must be a 1-D sequence of numbers, not {show(v)}.")
    try:
        items = list(np.asarray(v, dtype=object).ravel()) if isinstance(v, np.ndarray) \
            else list(v)
    except TypeError:
        raise ExactTypeError(f"Argument {name!r} must be a 1-D sequence of numbers, not "
                             f"{type(v).__name__}.") from None
    if isinstance(v, np.ndarray) and v.ndim != 1:
        raise ShapeError(f"Argument {name!r} must be 1-D, not of shape {v.shape}.")
    if not items:
        raise ShapeError(f"Argument {name!r} must be a non-empty signal, not an empty one "
                         "(the normalisation is undefined).")
    if len(items) > MAX_LENGTH:
        raise SizeLimitError(f"Argument {name!r} must have at most {MAX_LENGTH} entries, not "
                             f"{len(items)}.")
    out = []
    for j, t in enumerate(items):
        if isinstance(t, (list, tuple, np.ndarray)):
            raise ShapeError(f"Argument {name!r} must be 1-D, not nested at index {j}.")
        if isinstance(t, (float, np.floating)):
            if not math.isfinite(float(t)):
                raise NonFiniteError(f"Argument {name!r} must be finite, not {show(float(t))} at "
                                     f"index {j}.")
            out.append(Fraction(float(t)))
        else:
            out.append(as_rational(t, name, f" at index {j}"))
        if max(abs(out[-1].numerator), out[-1].denominator).bit_length() > MAX_BITS:
            raise SizeLimitError(f"Argument {name!r} must have entries of at most {MAX_BITS} "
                                 f"bits (numerator and denominator), not {show(t)} at index "
                                 f"{j}.")
    if not allow_zero and not any(out):
        raise ArgumentError(f"Argument {name!r} must have a nonzero entry, not be all zero: "
                            "the normalisation N(.) = 1 is undefined for the zero signal.")
    return tuple(out)


def as_flag(v, name):
    """``v`` as a bool (a bool, numpy bool, 0 or 1; typed error otherwise).

    >>> as_flag(1, "circular")
    True
    """
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
        return bool(v)
    raise ArgumentError(f"Argument {name!r} must be a bool, not {show(v)}.")


def check_circular(x, h):
    """Circular convolution needs equal lengths."""
    if len(x) != len(h):
        raise ShapeError(f"Arguments 'x' and 'h' must have the same length for circular "
                         f"convolution, not {len(x)} and {len(h)}.")


def convolve(x, h, circular=False):
    """Exact linear (length ``len(x) + len(h) - 1``) or circular convolution.

    >>> [str(v) for v in convolve([3, 0, 0, 4], ["3/5", "4/5"])]
    ['9/5', '12/5', '0', '12/5', '16/5']
    >>> convolve([1, 2, 0], [0, 1, 0], circular=True)
    (Fraction(0, 1), Fraction(1, 1), Fraction(2, 1))
    """
    circular = as_flag(circular, "circular")
    x, h = as_signal(x, "x", True), as_signal(h, "h", True)
    if circular:
        check_circular(x, h)
        n = len(x)
        return tuple(sum((x[j] * h[(k - j) % n] for j in range(n)), Fraction(0))
                     for k in range(n))
    y = [Fraction(0)] * (len(x) + len(h) - 1)
    for j, a in enumerate(x):
        if a:
            for i, b in enumerate(h):
                y[i + j] += a * b
    return tuple(y)


# ----------------------------------------------------------------------------- specifications
def _exponent(p, name, lo, lo_open, hi):
    if p is None:
        raise ArgumentError(f"Argument {name!r} must be given for this choice.")
    if isinstance(p, (float, np.floating)):
        if not math.isfinite(float(p)):
            raise NonFiniteError(f"Argument {name!r} must be finite, not {show(float(p))}.")
        f = Fraction(float(p)).limit_denominator(_MAX_DEN)
        if abs(float(f) - float(p)) > 1e-12:
            raise ArgumentError(f"Argument {name!r} must be a rational with denominator at most "
                                f"{_MAX_DEN} (write it as 'p/q'), not {show(p)}.")
    elif isinstance(p, (bool, list, tuple, dict, set, np.ndarray)):
        raise ArgumentError(f"Argument {name!r} must be a rational number, not a "
                            f"{type(p).__name__}.")
    else:
        f = parse_rational(p, name) if isinstance(p, str) else as_rational(p, name)
    if (f <= lo if lo_open else f < lo) or f > hi:
        raise ArgumentError(f"Argument {name!r} must lie in {'(' if lo_open else '['}{lo}, {hi}]"
                            f", not {show(f)}.")
    if f.numerator > _MAX_DEN * hi or f.denominator > _MAX_DEN:
        raise ArgumentError(f"Argument {name!r} must have denominator at most {_MAX_DEN}, "
                            f"not {show(f)}.")
    return f


@dataclass(frozen=True)
class Penalty:
    """A penalty on the sparse factor: ``l1``; ``lp`` (Σ|x_j|^p, rational p > 0; the theorem
    needs p ≤ 1); ``log`` (Σ log(1 + |x_j|/eps)); ``tv`` (total variation of the zero-padded,
    or for circular convolution the cyclic, sequence)."""

    name: str
    p: Fraction = Fraction(1)
    eps: Fraction = Fraction(1)

    @property
    def concave(self):
        """Σ φ(|x_j|) with φ concave, nondecreasing, φ(0) = 0 (hypothesis of case A)."""
        return self.name in ("l1", "log") or (self.name == "lp" and self.p <= 1)

    @property
    def degree(self):
        """Degree of positive homogeneity, or None (log)."""
        return None if self.name == "log" else (self.p if self.name == "lp" else Fraction(1))

    def to_dict(self):
        return {"name": self.name, "p": self.p, "eps": self.eps}


@dataclass(frozen=True)
class Norm:
    """A normalisation of the other factor: ``l2``, ``l1`` or ``lp`` (rational q ≥ 1)."""

    name: str
    q: Fraction = Fraction(2)

    def to_dict(self):
        return {"name": self.name, "q": self.q}


def as_penalty(penalty="l1", p=None, eps=None, max_p=8):
    """Validate a penalty specification.

    >>> as_penalty("lp", p="1/2")
    Penalty(name='lp', p=Fraction(1, 2), eps=Fraction(1, 1))
    """
    if isinstance(penalty, Penalty):
        return penalty
    if not isinstance(penalty, str) or penalty not in PENALTIES:
        raise ArgumentError(f"Argument 'penalty' must be one of {list(PENALTIES)}, not "
                            f"{show(penalty)}.")
    pp = _exponent(p, "p", 0, True, max_p) if penalty == "lp" else Fraction(1)
    e = Fraction(1) if eps is None or penalty != "log" else _exponent(eps, "eps", 0, True,
                                                                         10**6)
    return Penalty(penalty, pp, e)


def as_norm(norm="l2", q=None):
    """Validate a normalisation specification.

    >>> as_norm("lp", q=3)
    Norm(name='lp', q=Fraction(3, 1))
    """
    if isinstance(norm, Norm):
        return norm
    if not isinstance(norm, str) or norm not in NORMS:
        raise ArgumentError(f"Argument 'norm' must be one of {list(NORMS)}, not {show(norm)}.")
    if norm == "lp":
        return Norm("lp", _exponent(q, "q", 1, False, 16))
    return Norm(norm, Fraction(2) if norm == "l2" else Fraction(1))


# ----------------------------------------------------------------------------- exact costs
def _rat(f):
    import sympy
    return sympy.Rational(f.numerator, f.denominator)


def norm_expr(v, norm):
    """N(v) as a sympy expression."""
    import sympy
    q = norm.q
    if q == 1:
        return sum((_rat(abs(t)) for t in v), sympy.Integer(0))
    s = sum((_rat(abs(t)) ** _rat(q) for t in v if t), sympy.Integer(0))
    return s ** (1 / _rat(q))


def tv_terms(x, circular):
    """The jumps of the zero-padded (linear) or cyclic (circular) sequence."""
    if circular:
        return tuple(x[j] - x[j - 1] for j in range(len(x)))
    padded = (Fraction(0),) + tuple(x) + (Fraction(0),)
    return tuple(padded[j + 1] - padded[j] for j in range(len(padded) - 1))


def cost_expr(x, h, penalty, norm, circular=False):
    """``(cost, key)``: the penalty of the normalised pair ``(N(h) x, h / N(h))`` as a sympy
    expression, and an algebraic key ordered like the cost (the cost itself, or the argument of
    the logarithm for the log penalty)."""
    import sympy
    c = norm_expr(h, norm)
    terms = tv_terms(x, circular) if penalty.name == "tv" else x
    a = [_rat(abs(t)) for t in terms if t]
    if penalty.name in ("l1", "tv"):
        cost = sympy.expand(c * sum(a, sympy.Integer(0)))
        return cost, cost
    if penalty.name == "lp":
        p = _rat(penalty.p)
        cost = sympy.expand(c ** p * sum((t ** p for t in a), sympy.Integer(0)))
        return cost, cost
    key = sympy.expand(sympy.Mul(*[1 + c * t / _rat(penalty.eps) for t in a]))
    return sympy.log(key), key


def exact_value(expr):
    """A sympy value as certificate data: a Fraction when rational, else its string (so that
    the JSON round trip, which reads ``"p/q"`` strings as Fractions, is the identity)."""
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    return str(expr)


def arb_of(expr, prec):
    """A certified ``arb`` enclosure of a real sympy expression built from rationals,
    ``+ * **`` (rational exponents of positive bases) and ``log``."""
    import flint
    import sympy
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        return _arb(expr, flint, sympy)
    finally:
        flint.ctx.prec = old


def _arb(e, flint, sympy):
    if e.is_Rational:
        return flint.arb(int(e.p)) / int(e.q)
    if e.is_Add:
        return sum((_arb(a, flint, sympy) for a in e.args), flint.arb(0))
    if e.is_Mul:
        out = flint.arb(1)
        for a in e.args:
            out *= _arb(a, flint, sympy)
        return out
    if e.is_Pow:
        base, ex = _arb(e.args[0], flint, sympy), e.args[1]
        if ex.is_Integer:
            return base ** int(ex)
        if ex.is_Rational:
            return (base ** int(ex.p)).root(int(ex.q)) if ex.p > 0 else \
                1 / (base ** int(-ex.p)).root(int(ex.q))
    if isinstance(e, sympy.log):
        return _arb(e.args[0], flint, sympy).log()
    raise PrecisionError(f"cannot enclose the expression {e} (unsupported form).")


def enclosure(expr, prec=128):
    """Certified rational bounds ``(lo, hi)`` of a real expression."""
    from ..exact import arb_fraction
    a = arb_of(expr, prec)
    return arb_fraction(a.lower()), arb_fraction(a.upper())


def compare_keys(a, b, max_prec=4096):
    """Exact sign of ``a - b`` for real algebraic sympy expressions: -1, 0 or 1.

    Certified ``arb`` enclosures at doubling precision; when they still overlap, the
    difference is proved zero by its minimal polynomial (or found nonzero, and refined).
    """
    import sympy
    if sympy.expand(a - b) == 0:
        return 0
    prec = 64
    while prec <= max_prec:
        d = arb_of(a - b, prec)
        if d > 0:
            return 1
        if d < 0:
            return -1
        if prec == 256:
            x = sympy.Symbol("x")
            if sympy.minimal_polynomial(a - b, x) == x:
                return 0
        prec *= 2
    raise PrecisionError(f"cannot separate {a} and {b} at {max_prec} bits.")

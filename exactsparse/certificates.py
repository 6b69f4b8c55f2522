"""Result values, their certificates, and their JSON form.

Every decision routine returns a frozen :class:`Result` (or a subclass): ``verdict``,
``certificate`` (immutable exact data: nested tuples, :class:`FrozenDict`, ints,
:class:`~fractions.Fraction`, strings), ``theorem`` (a reference key, listed in
:data:`THEOREMS`) and ``backend``.  ``to_json``/``from_json`` round-trip a result, writing
rationals as ``"p/q"`` strings.  :func:`exactsparse.verify` re-checks a certificate from
its own data with plain exact arithmetic, without calling the decision routine.
:func:`parse_value` reads back the exact closed-form values (``"15/2 - sqrt(41)/2"``) that
results store as strings, without evaluating code.

Examples
--------
>>> from fractions import Fraction
>>> r = Result(kind="demo", verdict="yes", certificate={"x": Fraction(1, 3), "ks": [1, 2]},
...            theorem="fsmf.disjoint", backend="flint")
>>> r.certificate["ks"]
(1, 2)
>>> Result.from_json(r.to_json()) == r
True
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from .exact import RATIONAL_RE
from .exceptions import CertificateError, ParseError, SizeLimitError, show
from .kinds import THEOREMS, kind_spec

__all__ = ["FrozenDict", "freeze", "to_jsonable", "from_jsonable", "Result", "THEOREMS",
           "parse_value"]


class FrozenDict(Mapping):
    """A read-only, hashable, picklable mapping (the dicts of a frozen certificate).

    See Also
    --------
    freeze : builds FrozenDicts from nested data.

    Examples
    --------
    >>> d = FrozenDict({"a": 1})
    >>> d["a"], hash(d) == hash(FrozenDict({"a": 1})), d == {"a": 1}
    (1, True, True)
    >>> d.b = 2
    Traceback (most recent call last):
    ...
    AttributeError: FrozenDict is immutable
    """

    __slots__ = ("_d",)

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_d", dict(*args, **kwargs))

    def __setattr__(self, key, value):
        raise AttributeError("FrozenDict is immutable")

    def __getitem__(self, key):
        return self._d[key]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)

    def __hash__(self):
        return hash(tuple(sorted(self._d.items(), key=lambda kv: str(kv[0]))))

    def __repr__(self):
        return f"FrozenDict({self._d!r})"

    def __reduce__(self):
        return (FrozenDict, (self._d,))


def freeze(obj):
    """Turn nested data into immutable exact data.

    Lists and tuples become tuples, mappings :class:`FrozenDict`, numpy arrays and flint
    matrices nested tuples, numpy integers and ``fmpz`` ints, ``fmpq`` Fractions, sets sorted
    tuples; ints, Fractions, strings and None are kept.

    Parameters
    ----------
    obj : object
        Nested data (what a decision routine puts in a certificate).

    Returns
    -------
    object
        Hashable data equal to ``obj`` entry by entry.

    See Also
    --------
    to_jsonable, from_jsonable

    Examples
    --------
    >>> import flint, numpy as np
    >>> frozen = freeze({"M": flint.fmpq_mat([[1, 2]]) / 3, "k": np.int64(2), "s": {2, 1}})
    >>> frozen["M"], frozen["k"], frozen["s"]
    (((Fraction(1, 3), Fraction(2, 3)),), 2, (1, 2))
    >>> freeze(frozen) is frozen and isinstance(hash(frozen), int)
    True
    """
    if isinstance(obj, (FrozenDict, str, bool, int, Fraction, type(None))):
        return obj
    if isinstance(obj, Mapping):
        return FrozenDict({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return tuple(freeze(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return freeze(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, (np.complexfloating, complex)):
        return complex(obj)
    if isinstance(obj, (set, frozenset)):
        return tuple(sorted(freeze(v) for v in obj))
    mod = type(obj).__module__ or ""
    if mod.startswith("flint"):
        name = type(obj).__name__
        if name == "fmpz":
            return int(obj)
        if name == "fmpq":
            return Fraction(int(obj.p), int(obj.q))
        if name in ("fmpq_mat", "fmpz_mat"):
            return freeze(obj.tolist())
    if hasattr(obj, "tolist"):
        return freeze(obj.tolist())
    return obj


def to_jsonable(obj):
    """Nested data → JSON-compatible data; Fractions become ``"p/q"`` strings, complex
    numbers ``{"re": x, "im": y}``.

    Parameters
    ----------
    obj : object
        Nested data (mappings, sequences, ints, Fractions, strings, flint/numpy values).

    Returns
    -------
    object
        Dicts with string keys, lists, ints, floats, strings, bools and None.

    See Also
    --------
    from_jsonable : the inverse on certificates.
    freeze

    Examples
    --------
    The JSON form reads back to the same exact data:

    >>> data = {"x": Fraction(-1, 3), "ks": (1, 2), "M": ((Fraction(1, 2), 0),)}
    >>> to_jsonable(data)
    {'x': '-1/3', 'ks': [1, 2], 'M': [['1/2', 0]]}
    >>> from_jsonable(json.loads(json.dumps(to_jsonable(data)))) == freeze(data)
    True
    >>> to_jsonable([1 - 2j]), from_jsonable(json.loads(json.dumps(to_jsonable([1 - 2j]))))
    ([{'re': 1.0, 'im': -2.0}], ((1-2j),))
    """
    if isinstance(obj, Fraction):
        try:
            return (str(obj.numerator) if obj.denominator == 1
                    else f"{obj.numerator}/{obj.denominator}")
        except ValueError:                       # over sys.get_int_max_str_digits()
            raise SizeLimitError("A rational with more digits than Python converts to text "
                                 "(sys.set_int_max_str_digits) cannot be written as JSON.") \
                from None
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (bool, int, float, str, type(None))):
        return obj
    if isinstance(obj, complex):
        return {"re": obj.real, "im": obj.imag}
    frozen = freeze(obj)
    return to_jsonable(frozen) if frozen is not obj else str(obj)


def from_jsonable(obj, rational_strings=True):
    """JSON data → immutable exact data: ``"p/q"`` strings become Fractions, ``{"re": x,
    "im": y}`` complex numbers (the inverse of :func:`to_jsonable` on certificates).

    Parameters
    ----------
    obj : object
        Data as read by :func:`json.loads`.
    rational_strings : bool
        Read strings matching :data:`exactsparse.exact.RATIONAL_RE` as Fractions (default);
        ``"p/0"`` and numbers over Python's digit limit stay strings (the checkers reject
        them).

    Returns
    -------
    object
        Tuples, :class:`FrozenDict`, Fractions and the JSON scalars.

    See Also
    --------
    to_jsonable, freeze

    Examples
    --------
    >>> from_jsonable({"lower": "1/3", "cells": [[0, 1]], "name": "svd"})
    FrozenDict({'lower': Fraction(1, 3), 'cells': ((0, 1),), 'name': 'svd'})
    >>> to_jsonable(from_jsonable(["-2/4", "7"]))      # rationals come back normalized
    ['-1/2', '7']
    """
    if isinstance(obj, dict):
        if set(obj) == {"re", "im"} and all(isinstance(v, (int, float)) and not
                                            isinstance(v, bool) for v in obj.values()):
            return complex(obj["re"], obj["im"])          # written by to_jsonable
        return FrozenDict({k: from_jsonable(v, rational_strings) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(from_jsonable(v, rational_strings) for v in obj)
    if rational_strings and isinstance(obj, str):
        m = RATIONAL_RE.match(obj)
        limit = sys.get_int_max_str_digits() or len(obj)
        # "p/0" and numbers over Python's digit limit stay strings (checkers reject them)
        if m and max(len(g or "") for g in m.groups()) <= limit and int(m.group(2) or 1) != 0:
            return Fraction(int(m.group(1)), int(m.group(2) or 1))
    return obj


#: Fields of every result read back as written (a kind "00" stays a string).
_HEADER = ("kind", "verdict", "theorem", "backend")


@dataclasses.dataclass(frozen=True)
class Result:
    """A verdict with its certificate.

    Every decision routine returns a subclass (in :mod:`exactsparse.results`) that sets the
    class attributes :attr:`KIND` and :attr:`THEOREM`; a plain ``Result`` (e.g. read back
    with a kind the table does not know) leaves them None.

    Attributes
    ----------
    kind : str
        Which question was answered (``"fsmf.classify"``, ``"fsmf.solve"``, ...);
        :func:`exactsparse.verify` dispatches on it.
    verdict : str
    certificate : FrozenDict
        Immutable exact data re-checked by :func:`exactsparse.verify`.
    theorem : str
        A key of :data:`THEOREMS`.
    backend : str
        ``"flint"``, ``"sympy"``, ``"integer"`` (plain Python/numpy integer arithmetic),
        ``"combinatorial"`` (supports only) or ``"numpy"`` (numeric, uncertified).
    KIND : str or None
        Class attribute: the ``kind`` of every result of the subclass, a key of
        :data:`exactsparse.kinds.KINDS` (None on the base class).
    THEOREM : str or None
        Class attribute: the subclass's default ``theorem``, a key of :data:`THEOREMS`
        (None on the base class).

    See Also
    --------
    exactsparse.verify : re-checks the certificate.
    exactsparse.kinds.KINDS : kind → result class, checker, theorems.

    Examples
    --------
    >>> r = Result(kind="demo", verdict="yes", certificate={"q": Fraction(2, 3)},
    ...            theorem="fsmf.disjoint", backend="flint")
    >>> Result.KIND is None and Result.from_dict(r.to_dict()) == r
    True
    >>> Result.from_json(b"\\xff")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.CertificateError: invalid certificate: not JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte).
    """

    kind: str
    verdict: str
    certificate: object
    theorem: str
    backend: str

    #: The ``kind`` of the subclass's results (a key of :data:`exactsparse.kinds.KINDS`).
    KIND = None
    #: The subclass's default ``theorem`` (a key of :data:`THEOREMS`).
    THEOREM = None
    #: Fields whose JSON strings stay strings (e.g. exact expressions).
    _STRING_FIELDS = ()

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, freeze(getattr(self, f.name)))

    def __bool__(self):
        raise TypeError("A Result has no truth value; use the matching is_x() function or "
                        "compare .verdict.")

    def to_dict(self):
        """The JSON-compatible dict of every field (Fractions as ``"p/q"``).

        See Also
        --------
        from_dict : the inverse; to_json

        Examples
        --------
        >>> r = Result("demo", "yes", {"x": Fraction(1, 2)}, "fsmf.disjoint", "flint")
        >>> r.to_dict()["certificate"], Result.from_dict(r.to_dict()) == r
        ({'x': '1/2'}, True)
        """
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self, **kwargs):
        """The JSON text of :meth:`to_dict` (``kwargs`` go to :func:`json.dumps`).

        See Also
        --------
        from_json : the inverse; to_dict

        Examples
        --------
        >>> r = Result("demo", "yes", {"x": Fraction(1, 2)}, "fsmf.disjoint", "flint")
        >>> Result.from_json(r.to_json()) == r == Result.from_json(r.to_json().encode())
        True
        """
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, d):
        """The result of a dict written by :meth:`to_dict`, as the class the table
        :data:`exactsparse.kinds.KINDS` names for its kind (a plain ``Result`` for a kind
        it does not know); :class:`CertificateError` when ``d`` is not such a dict.

        See Also
        --------
        to_dict : the inverse; from_json

        Examples
        --------
        >>> Result.from_dict({"kind": ["fsmf.solve"]})
        Traceback (most recent call last):
        ...
        exactsparse.exceptions.CertificateError: invalid certificate: the kind must be a string, not list.
        """
        if not isinstance(d, Mapping) or "kind" not in d:
            raise CertificateError("invalid certificate: a result needs a 'kind' key.")
        if not isinstance(d["kind"], str):
            raise CertificateError(f"invalid certificate: the kind must be a string, not "
                                   f"{type(d['kind']).__name__}.")
        spec = kind_spec(d["kind"])
        target = spec.result_class() if spec is not None else Result
        if cls is not Result and not issubclass(target, cls):
            raise CertificateError(f"invalid certificate: {cls.__name__} reads results of kind "
                                   f"{getattr(cls, 'KIND', None)!r}, not {show(d['kind'])}.")
        names = {f.name for f in dataclasses.fields(target)}
        missing = names - set(d)
        if missing:
            raise CertificateError(f"invalid certificate: missing keys {sorted(missing)}.")
        try:
            kw = {k: (v if k in target._STRING_FIELDS or k in _HEADER else from_jsonable(v))
                  for k, v in d.items() if k in names}
            return target(**kw)
        except RecursionError:
            raise CertificateError("invalid certificate: nested too deeply.") from None

    @classmethod
    def from_json(cls, text):
        """The result of JSON text (str or UTF-8 bytes) written by :meth:`to_json`;
        :class:`CertificateError` for anything else (not UTF-8, not JSON, nested too deeply,
        not a result).

        See Also
        --------
        to_json : the inverse; from_dict

        Examples
        --------
        >>> Result.from_json("[" * 100000 + "]" * 100000)
        Traceback (most recent call last):
        ...
        exactsparse.exceptions.CertificateError: invalid certificate: JSON nested too deeply.
        """
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError, UnicodeDecodeError) as exc:
            raise CertificateError(f"invalid certificate: not JSON ({exc}).") from None
        except RecursionError:
            raise CertificateError("invalid certificate: JSON nested too deeply.") from None
        return cls.from_dict(d)

    def _repr_html_(self):
        """Jupyter display: verdict, exact value and small pictures of the supports."""
        from .display import result_html
        return result_html(self)

    def _repr_latex_(self):
        """Jupyter display as LaTeX (the exact value where there is one)."""
        from .display import result_latex
        return result_latex(self)


# ----------------------------------------------------------------------------- exact values
_FUNCS = ("sqrt", "CRootOf", "Rational")


def parse_value(text):
    """Read an exact value written by this library back into a sympy expression, *without*
    evaluating code.

    A certified optimal value is stored in a result as the string of its sympy closed form
    (:meth:`exactsparse.exact.EigenTail.expr`: rationals, ``sqrt``, ``CRootOf``); this is
    its inverse.  Only integers, ``+ - * / **`` (integer powers up to 64, of ``x`` up to
    4096), ``sqrt``, ``Rational``, ``CRootOf`` and the symbol ``x`` (inside ``CRootOf``) are
    allowed.

    Parameters
    ----------
    text : str
        At most 100000 characters, e.g. ``"15/2 - sqrt(41)/2"`` or
        ``"CRootOf(x**3 - 39*x**2 + 246*x - 67, 0)"``.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ParseError
        Anything else (a name, an attribute, a call of another function, a float).

    See Also
    --------
    exactsparse.exact.EigenTail.expr : writes these values.
    exactsparse.exact.parse_rational : reads a rational.

    Examples
    --------
    The string of a closed form reads back to the same number:

    >>> from exactsparse.exact import EigenTail
    >>> value = EigenTail([[5, 2], [2, 10]], 1).expr()
    >>> str(value), parse_value(str(value)) == value
    ('15/2 - sqrt(41)/2', True)
    >>> parse_value("__import__('os')")
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ParseError: Argument 'value' is not an exact value expression: Call of a non-whitelisted function.
    """
    import ast
    import sympy
    if not isinstance(text, str) or len(text) > 100_000:
        raise ParseError("Argument 'value' must be a string of at most 100000 characters.")
    try:
        return _build(ast.parse(text.strip(), mode="eval").body, sympy)
    except SyntaxError as exc:
        raise ParseError(f"Argument 'value' is not an expression ({exc.msg}).") from None
    except RecursionError:
        raise ParseError("Argument 'value' is nested too deeply.") from None


def _build(node, sympy):
    import ast
    ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a ** b}
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sympy.Integer(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in ops:
        # powers: of x (CRootOf polynomials of large blocks) up to 4096, else up to 64
        top = 4096 if isinstance(node.left, ast.Name) and node.left.id == "x" else 64
        if isinstance(node.op, ast.Pow) and not (isinstance(node.right, ast.Constant)
                                                  and type(node.right.value) is int
                                                  and 0 <= node.right.value <= top):
            raise ParseError("Argument 'value' is not an exact value expression: "
                             "only small integer powers are allowed.")
        return ops[type(node.op)](_build(node.left, sympy), _build(node.right, sympy))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _build(node.operand, sympy)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Name) and node.id == "x":
        return sympy.Symbol("x")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id in _FUNCS and not node.keywords:
        args = [_build(a, sympy) for a in node.args]
        if node.func.id == "sqrt" and len(args) == 1:
            return sympy.sqrt(args[0])
        if node.func.id == "Rational" and len(args) == 2:
            return sympy.Rational(args[0], args[1])
        if node.func.id == "CRootOf" and len(args) == 2 and args[1].is_Integer:
            return sympy.CRootOf(sympy.Poly(args[0], sympy.Symbol("x")), int(args[1]))
    raise ParseError("Argument 'value' is not an exact value expression: "
                     f"{type(node).__name__} of a non-whitelisted function."
                     if isinstance(node, ast.Call) else
                     "Argument 'value' is not an exact value expression: "
                     f"{type(node).__name__} not allowed.")

"""Result values, their certificates, and their JSON form.

Every decision routine returns a frozen :class:`Result` (or a subclass): ``verdict``,
``certificate`` (immutable exact data: nested tuples, :class:`FrozenDict`, ints,
:class:`~fractions.Fraction`, strings), ``theorem`` (a reference key, listed in
:data:`THEOREMS`) and ``backend``.  ``to_json``/``from_json`` round-trip a result, writing
rationals as ``"p/q"`` strings.  :func:`exactsparse.verify` re-checks a certificate from
its own data with plain exact arithmetic, without calling the decision routine.

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
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from .exceptions import CertificateError
from .kinds import THEOREMS, kind_spec

__all__ = ["FrozenDict", "freeze", "to_jsonable", "from_jsonable", "Result", "THEOREMS"]



class FrozenDict(Mapping):
    """A read-only, hashable, picklable mapping."""

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
    """Turn nested data into immutable exact data (lists → tuples, dicts → FrozenDict,
    numpy arrays → tuples, flint rationals → Fraction)."""
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
    """Nested data → JSON-compatible data; Fractions become ``"p/q"`` strings."""
    if isinstance(obj, Fraction):
        return str(obj.numerator) if obj.denominator == 1 else f"{obj.numerator}/{obj.denominator}"
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (bool, int, float, str, type(None))):
        return obj
    frozen = freeze(obj)
    return to_jsonable(frozen) if frozen is not obj else str(obj)


def from_jsonable(obj, rational_strings=True):
    """JSON data → immutable exact data: ``"p/q"`` strings become Fractions (the inverse of
    :func:`to_jsonable` on certificates)."""
    from .exact import _RATIONAL_RE   # noqa: PLC0415 - tiny, local use
    if isinstance(obj, dict):
        return FrozenDict({k: from_jsonable(v, rational_strings) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(from_jsonable(v, rational_strings) for v in obj)
    if rational_strings and isinstance(obj, str):
        m = _RATIONAL_RE.match(obj)
        if m and int(m.group(2) or 1) != 0:     # "p/0" stays a string (checkers reject it)
            return Fraction(int(m.group(1)), int(m.group(2) or 1))
    return obj


@dataclasses.dataclass(frozen=True)
class Result:
    """A verdict with its certificate.

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
    """

    kind: str
    verdict: str
    certificate: object
    theorem: str
    backend: str

    #: Fields whose JSON strings stay strings (e.g. exact expressions).
    _STRING_FIELDS = ()

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, freeze(getattr(self, f.name)))

    def __bool__(self):
        raise TypeError("A Result has no truth value; use the matching is_x() function or "
                        "compare .verdict.")

    def to_dict(self):
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self, **kwargs):
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, d):
        if not isinstance(d, Mapping) or "kind" not in d:
            raise CertificateError("invalid certificate: a result needs a 'kind' key.")
        spec = kind_spec(d["kind"])
        target = spec.result_class() if spec is not None else Result
        names = {f.name for f in dataclasses.fields(target)}
        missing = names - set(d)
        if missing:
            raise CertificateError(f"invalid certificate: missing keys {sorted(missing)}.")
        kw = {k: (v if k in target._STRING_FIELDS else from_jsonable(v))
              for k, v in d.items() if k in names}
        return target(**kw)

    @classmethod
    def from_json(cls, text):
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise CertificateError(f"invalid certificate: not JSON ({exc}).") from None
        return cls.from_dict(d)

    def _repr_html_(self): from .display import result_html; return result_html(self)  # noqa
    def _repr_latex_(self): from .display import result_latex; return result_latex(self)  # noqa

"""Certificate checker for ``butterfly.identify`` results.

Re-checks a certificate from its own data with exact integer arithmetic and support
arithmetic only: it imports :mod:`exactsparse.exact` (to read the instance) and nothing of
:mod:`exactsparse.butterfly`; the little KS-pattern arithmetic it needs (chainability,
products, the butterfly chain, the bit reversal) is re-implemented here.

The instance is ``Z``, ``(Z,)``, ``(Z, perm)``, ``(Z, patterns)``, ``(Z, patterns, perm)`` or a
dict with keys ``"Z"``, ``"patterns"``, ``"perm"``; ``perm`` is None/``"identity"`` (the
default), ``"bitrev"`` or an index array, and must be the certificate's ``perm`` (a
certificate for ``Z Pᵀ`` does not certify ``Z``).  The dict form may also give ``"row_perm"``
(the certificate's ``row_perm``: ``Z[row_perm][:, perm]`` is the product).  An instance
permutation ``"auto"`` means unknown: the certificate's permutation may then be any
permutation of the indices (it is re-checked to be one), and a ``"not-butterfly"`` verdict,
which refutes a single permutation, is invalid.  Certificate numbers must be integers,
Fractions or ``"p/q"`` strings.

``"butterfly"``
    the chain is chainable with rank-one splits and matches ``Z`` (and the butterfly chain
    when the instance gives no patterns); each factor has its pattern's twiddle shape; the
    exact product of the factors equals ``Z``; at every split the rank-one supports are
    pairwise disjoint (``S_left · S_right`` has no entry above 1), and the number of zero
    rank-one pieces matches ``degenerate`` (``essentially_unique`` iff none); a split's
    ``level``, ``left`` and ``right``, when given, are its index and the KS patterns of the
    two partial products.
``"not-butterfly"``
    the 2×2 ``minor`` is the submatrix of ``Z`` at ``rows × cols``, its determinant is nonzero,
    and all four positions lie in one rank-one support of the stated split, whose supports are
    pairwise disjoint — so any product of the chain would make that minor vanish (Zheng,
    Riccietti, Gribonval, SIMODS 2023; ICASSP 2022 Lemma 2); ``left`` and ``right``, when
    given, are the KS patterns of the two partial products at that split.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import lcm

import numpy as np
import scipy.sparse as sp

from .. import exact
from ..exceptions import CertificateError
from ._read import fail, out_of_budget, rational, unpack

__all__ = ["check_identify", "CHECKS"]

_SAFE = 2 ** 62


# ----------------------------------------------------------------------------- KS patterns
def _pattern(p):
    """A pattern ``(a, b, c, d)`` of positive ints from a tuple or a KSPattern-like value."""
    try:
        t = tuple(getattr(p, k) for k in "abcd") if hasattr(p, "a") else tuple(p)
    except TypeError:
        t = ()
    if len(t) != 4 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                              and v >= 1 for v in t):
        fail(f"{p!r} is not a KS pattern (a, b, c, d) of positive integers.")
    return tuple(int(v) for v in t)


def _shape(p):
    a, b, c, d = p
    return (a * b * d, a * c * d)


def _rank(l, r):
    """Block rank of two chainable patterns (left, right), or fail."""
    a1, b1, c1, d1 = l
    a2, b2, c2, d2 = r
    if (_shape(l)[1] != _shape(r)[0] or a2 % a1 or d1 % d2 or (a1 * c1) % a2
            or (b2 * d2) % d1 or (a1 * c1) // a2 != (b2 * d2) // d1):
        fail(f"the patterns {l} and {r} are not chainable.")
    return (a1 * c1) // a2


def _ranks(pats):
    return [_rank(pats[k], pats[k + 1]) for k in range(len(pats) - 1)]


def _product(pats):
    _ranks(pats)
    a, d = pats[0][0], pats[-1][3]
    m, n = _shape(pats[0])[0], _shape(pats[-1])[1]
    return (a, m // (a * d), n // (a * d), d)


def _butterfly_chain(n):
    L = n.bit_length() - 1
    if n < 2 or n & (n - 1):
        fail(f"the default butterfly chain needs a power-of-two size, not {n}.")
    return [(2 ** (k - 1), 2, 2, n >> k) for k in range(1, L + 1)]


def _bitrev(n):
    L = n.bit_length() - 1
    if n < 1 or n & (n - 1):
        fail(f"'bitrev' needs a power-of-two size, not {n}.")
    k = np.arange(n, dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    for bit in range(L):
        out |= ((k >> bit) & 1) << (L - 1 - bit)
    return out


def _support(p):
    """The 0/1 support of pattern ``p`` as an int32 CSR matrix."""
    a, b, c, d = p
    i, j, beta, gamma = np.indices((a, d, b, c), dtype=np.int64)
    rows, cols = ((i * b + beta) * d + j).ravel(), ((i * c + gamma) * d + j).ravel()
    return sp.csr_matrix((np.ones(rows.size, np.int32), (rows, cols)), shape=_shape(p))


# ----------------------------------------------------------------------------- instance
def _perm_array(p, n, what):
    """``p`` (None, "identity", "bitrev" or indices) as an index array (identity = arange)."""
    if p is None or (isinstance(p, str) and p == "identity"):
        return np.arange(n, dtype=np.int64)
    if isinstance(p, str):
        if p == "bitrev":
            return _bitrev(n)
        fail(f"unknown {what} permutation {p!r}.")
    try:
        arr = np.array(p)
    except (ValueError, TypeError):
        arr = None
    if (arr is None or arr.shape != (n,) or (n and arr.dtype.kind not in "iu")
            or not np.array_equal(np.sort(arr), np.arange(n))):
        fail(f"the {what} 'perm' is not a permutation of the {n} columns.")
    return arr.astype(np.int64)


def _is_perm_like(x):
    if x is None or isinstance(x, str):
        return True
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        return False
    return arr.ndim == 1 and arr.dtype.kind in "iu"


def _instance(instance):
    """``(Z, patterns or None, perm or None, row_perm or None)`` from the accepted forms."""
    if isinstance(instance, dict):
        return unpack(instance, ("Z",)) + (instance.get("patterns"), instance.get("perm"),
                                           instance.get("row_perm"))
    return _plain_instance(instance) + (None,)


def _plain_instance(instance):
    if (isinstance(instance, tuple) and 1 <= len(instance) <= 3
            and np.ndim(instance[0]) in (2, 3)):
        rest = instance[1:]
        if len(rest) == 0:
            return instance[0], None, None
        if len(rest) == 1:
            if _is_perm_like(rest[0]):
                return instance[0], None, rest[0]
            return instance[0], rest[0], None
        return instance[0], rest[0], rest[1]
    return instance, None, None


def _integer_matrix(Z, m):
    """``(M, D)`` with ``Z = M / D``; ``M`` an object array (rows, cols, m) of Python ints."""
    if m > 1:
        arr = np.asarray(Z)
        if arr.ndim != 3 or arr.shape[-1] != m or arr.dtype.kind not in "iu":
            fail(f"a cyclotomic instance must be an integer array (N, N, {m}), not {arr.shape}.")
        return np.array(arr.tolist(), dtype=object).reshape(arr.shape), 1
    arr = None
    try:
        arr = np.asarray(Z)
    except (ValueError, TypeError):
        pass
    if arr is not None and arr.ndim == 2 and arr.dtype.kind in "iub":
        return np.array(arr.astype(object).tolist() if arr.dtype.kind == "b" else arr.tolist(),
                        dtype=object).reshape(arr.shape)[..., None], 1
    Zi, D = exact.as_matrix(Z, "Z").numer_denom()
    return np.array([[[int(v)] for v in row] for row in Zi.tolist()], dtype=object), int(D)


# ----------------------------------------------------------------------------- field
def _field(cert):
    """``(m, mul)``: coefficient count and exact multiplication of the certificate's field."""
    field = cert.get("field", "Q")
    if field == "Q":
        return 1, lambda a, b: a * b
    if isinstance(field, str) and field.startswith("cyclotomic:"):
        try:
            n = int(field.split(":", 1)[1])
        except ValueError:
            fail(f"unsupported field {field!r}.")
        if n < 4 or n & (n - 1) or n > 2 ** 16:
            fail(f"unsupported field {field!r}.")
        return n // 2, _negacyclic
    fail(f"unknown field {field!r}.")


def _negacyclic(a, b):
    """Product in Z[x]/(x^m + 1) along the last axis: Σ_i a_i · x^i b."""
    a, b = np.broadcast_arrays(a, b)
    m = a.shape[-1]
    out = np.zeros(a.shape, dtype=np.result_type(a, b))
    shifted = b
    for i in range(m):
        out = out + a[..., i:i + 1] * shifted
        shifted = np.concatenate([-shifted[..., -1:], shifted[..., :-1]], axis=-1)
    return out


def _number(v):
    """An exact certificate number: an int, a Fraction or a ``"p/q"`` string (nothing else:
    no floats, no decimal exponents, which could be made arbitrarily expensive)."""
    return rational(v, "a certificate number")


def _entry(v, m):
    """A certificate entry as a tuple of m Fractions."""
    if m == 1:
        return (_number(v),)
    if isinstance(v, (str, bytes)) or not hasattr(v, "__len__") or len(v) != m:
        fail(f"{v!r} is not a tuple of {m} coefficients.")
    return tuple(_number(c) for c in v)


def _chain(cert, M, patterns):
    pats = [_pattern(p) for p in cert["patterns"]]
    if not pats:
        fail("the chain is empty.")
    ranks = _ranks(pats)
    if any(r != 1 for r in ranks):
        fail(f"the chain has splits of rank {ranks}, not all 1.")
    if _shape(_product(pats)) != M.shape[:2]:
        fail(f"the chain has product shape {_shape(_product(pats))}, Z has {M.shape[:2]}.")
    if patterns is None:
        if M.shape[0] != M.shape[1]:
            fail("a non-square instance needs its chain of patterns.")
        expected = _butterfly_chain(M.shape[0])
    else:
        try:
            expected = [_pattern(p) for p in patterns]
        except CertificateError:
            fail("the instance's patterns are not a chain of KS patterns.")
    if pats != expected:
        fail("the chain of the certificate is not the chain of the instance.")
    return pats


def _auto(p):
    return isinstance(p, str) and p == "auto"


def _perm(cert, n, instance_perm, key="perm"):
    """The certificate's permutation ``key``, which must be the instance's (None =
    identity), or any permutation of ``range(n)`` when the instance says ``"auto"``
    (unknown)."""
    p = _perm_array(cert.get(key), n, "certificate's")
    if not _auto(instance_perm):
        q = _perm_array(instance_perm, n, "instance's")
        if not np.array_equal(p, q):
            flag = "--" + key.replace("_", "-")
            fail(f"the certificate's {key!r} is not the permutation of the instance: give "
                 f"the one Z was identified with (the instance's {key!r}; {flag} FILE|bitrev "
                 f"on the command line), or 'auto' for an unknown one.")
    return None if np.array_equal(p, np.arange(n)) else p


def _split_patterns(c, pats, s, what):
    """The optional ``level``, ``left``, ``right`` fields of split ``s`` (in mapping ``c``)
    must be ``s`` and the KS patterns of the products ``X_0 ⋯ X_s`` and ``X_{s+1} ⋯ X_K``."""
    if not isinstance(c, Mapping):
        fail(f"{what} is not a mapping.")
    want = {"level": s, "left": _product(pats[:s + 1]), "right": _product(pats[s + 1:])}
    for key, value in want.items():
        if key in c and (_count(c[key], f"{what} {key!r}") if key == "level"
                         else _pattern(c[key])) != value:
            fail(f"{what} {key!r} is {c[key]!r}, not {value} (split {s} of the chain).")


def _disjoint(pats, s):
    """Supports of the split after factor ``s``; raise unless its rank-one supports are disjoint."""
    SL = _support(_product(pats[:s + 1]))
    SR = _support(_product(pats[s + 1:]))
    prod = SL @ SR
    if prod.nnz and prod.max() > 1:
        fail(f"the rank-one supports of split {s} overlap.")
    return SL, SR


# ----------------------------------------------------------------------------- butterfly
def _twiddle_shape(p):
    a, b, c, d = p
    return (a, d, b, c)


def _integer_factor(tw, pat, k, m):
    """A factor's twiddle as Python ints (a, d, b, c, m) and its common denominator."""
    want = _twiddle_shape(pat) + ((m,) if m > 1 else ())
    try:
        arr = np.array(tw, dtype=object)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.shape != want:
        fail(f"factor {k} does not have the shape {want} of its pattern over the field.")
    flat = [tuple(_number(c) for c in e) for e in arr.reshape(-1, m).tolist()]
    d = lcm(*(c.denominator for e in flat for c in e))
    ints = np.array([[c.numerator * (d // c.denominator) for c in e] for e in flat],
                    dtype=object)
    return ints.reshape(*_twiddle_shape(pat), m), d


def _maxabs(X):
    return max(abs(int(X.max())), abs(int(X.min()))) if X.size else 0


def _apply(T, pat, X, mul):
    """``Xf @ X`` for the factor of pattern ``pat`` with integer twiddle ``T`` (a, d, b, c, m);
    ``X`` of shape (rows, k, m).  int64 when a bound proves it exact, Python ints otherwise."""
    a, b, c, d = pat
    m = X.shape[2]
    dtype = np.int64 if _maxabs(T) * _maxabs(X) * c * m < _SAFE else object
    T, x = T.astype(dtype), X.astype(dtype).reshape(a, c, d, X.shape[1], m)
    y = np.zeros((a, b, d, X.shape[1], m), dtype=dtype)
    for g in range(c):
        y += mul(T[:, :, :, g].transpose(0, 2, 1, 3)[:, :, :, None, :], x[:, g][:, None])
    return y.reshape(a * b * d, X.shape[1], m)


def _eye(n, m):
    X = np.zeros((n, n, m), dtype=object)
    X[np.arange(n), np.arange(n), 0] = 1
    return X


def _cumulative(Ts, pats, mul, m):
    """``right[k] = X_k ⋯ X_K`` and ``left[k] = (X_0 ⋯ X_k)ᵀ`` (integer twiddles)."""
    right, left = {}, {}
    X = _eye(_shape(pats[-1])[1], m)
    for k in reversed(range(len(pats))):
        X = right[k] = _apply(Ts[k], pats[k], X, mul)
    Y = _eye(_shape(pats[0])[0], m)
    for k in range(len(pats)):
        a, b, c, d = pats[k]
        Y = left[k] = _apply(Ts[k].transpose(0, 1, 3, 2, 4), (a, c, b, d), Y, mul)
    return right, left


def _zero_rows(X):
    return ~np.asarray((X != 0).any(axis=(1, 2)), dtype=bool)


def _count(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        fail(f"{what} {v!r} is not an integer.")
    return int(v)


def _check_butterfly(cert, M, D, patterns, perm_in, m, mul, row_in=None):
    pats = _chain(cert, M, patterns)
    factors = cert["factors"]
    if not hasattr(factors, "__len__") or len(factors) != len(pats):
        fail(f"the factors do not match a chain of {len(pats)} patterns.")
    perm = _perm(cert, M.shape[1], perm_in)
    rperm = _perm(cert, M.shape[0], row_in, "row_perm")
    ints = [_integer_factor(tw, p, k, m) for k, (tw, p) in enumerate(zip(factors, pats))]
    Ts = [t for t, _ in ints]
    dens = 1
    for _, d in ints:
        dens *= d
    Mp = M if perm is None else M[:, perm]
    Mp = Mp if rperm is None else Mp[rperm]             # Z[row_perm][:, perm]
    right, left = _cumulative(Ts, pats, mul, m)
    # exact comparison in Python ints: Π factors = Z Pᵀ  ⇔  (Π integer twiddles)·D = M Pᵀ·dens
    lhs = np.asarray(right[0], dtype=object) * D
    rhs = np.asarray(Mp, dtype=object) * dens
    if lhs.shape != rhs.shape or not all(int(x) == int(y) for x, y in zip(lhs.ravel().tolist(),
                                                                         rhs.ravel().tolist())):
        fail("the product of the factors is not Z.")
    splits = cert["splits"]
    if not hasattr(splits, "__len__") or len(splits) != len(pats) - 1:
        fail(f"the splits do not match a chain of {len(pats)} factors.")
    for s, spl in enumerate(splits):
        _split_patterns(spl, pats, s, f"split {s}")
        _disjoint(pats, s)
        deg = int((_zero_rows(left[s]) | _zero_rows(right[s + 1])).sum())
        claimed_deg = _count(spl["degenerate"], "'degenerate'")
        claimed_blocks = _count(spl["blocks"], "'blocks'")
        if claimed_deg != deg or claimed_blocks != _shape(pats[s])[1]:
            fail(f"split {s} has {deg} zero pieces out of {_shape(pats[s])[1]}, the "
                  f"certificate says {spl['degenerate']} out of {spl['blocks']}.")
    if cert["essentially_unique"] is not all(_count(spl["degenerate"], "'degenerate'") == 0
                                             for spl in splits):
        fail("'essentially_unique' does not match the degenerate pieces.")
    return f"exact product of {len(pats)} factors, {len(splits)} disjoint splits"


# ----------------------------------------------------------------------------- not-butterfly
def _index(v, n, what):
    v = _count(v, what)
    if not 0 <= v < n:
        fail(f"{what} {v} out of range(0, {n}).")
    return v


def _check_not_butterfly(cert, M, D, patterns, perm_in, m, mul, row_in=None):
    if _auto(perm_in) or _auto(row_in):
        fail("a 'not-butterfly' verdict refutes one permutation, not unknown ones "
             "(the instance's permutation is 'auto').")
    pats = _chain(cert, M, patterns)
    s = _count(cert["level"], "'level'")
    if not 0 <= s < len(pats) - 1:
        fail(f"split level {s} out of range.")
    _split_patterns(cert, pats, s, "the certificate's")
    try:
        (r1, r2), (c1, c2) = cert["rows"], cert["cols"]
    except (TypeError, ValueError):
        fail("'rows' and 'cols' must be pairs of indices.")
    r1, r2 = (_index(v, M.shape[0], "row") for v in (r1, r2))
    c1, c2 = (_index(v, M.shape[1], "column") for v in (c1, c2))
    minor = [[tuple(Fraction(int(v), D) for v in M[i, j]) for j in (c1, c2)] for i in (r1, r2)]
    try:
        claimed = [[_entry(v, m) for v in r] for r in cert["minor"]]
    except TypeError:
        fail("'minor' is not a 2×2 matrix.")
    if claimed != minor:
        fail("the minor is not the submatrix of Z at rows × cols.")
    det = mul(M[r1, c1], M[r2, c2]) - mul(M[r1, c2], M[r2, c1])
    det = tuple(Fraction(int(v), D * D) for v in det)
    if not any(det) or det != _entry(cert["determinant"], m):
        fail(f"the determinant of the minor is {det}, not a nonzero {cert['determinant']}.")
    perm = _perm(cert, M.shape[1], perm_in)
    if perm is not None:                       # positions of the columns in Z Pᵀ
        c1, c2 = (int(np.flatnonzero(perm == c)[0]) for c in (c1, c2))
    rperm = _perm(cert, M.shape[0], row_in, "row_perm")
    if rperm is not None:                      # positions of the rows in Z[row_perm]
        r1, r2 = (int(np.flatnonzero(rperm == r)[0]) for r in (r1, r2))
    SL, SR = _disjoint(pats, s)
    common = (SL[r1].toarray() & SL[r2].toarray())[0] & (SR[:, c1].toarray()
                                                          & SR[:, c2].toarray())[:, 0]
    if not common.any():
        fail("the minor does not lie in one rank-one support of the split.")
    return f"rank-2 minor in split {s}"


def check_identify(result, instance):
    """Check a ``butterfly.identify`` result: whether ``Z`` (times the stated column
    permutation) is exactly a product of factors with the chain's KS patterns.

    Valid means, by verdict: ``"butterfly"``: the certificate's chain is the instance's
    (rank-one splits), each factor has its pattern's twiddle shape, the exact product of
    the factors is ``Z Pᵀ``, every split has pairwise disjoint rank-one supports and the
    stated count of zero pieces (``essentially_unique`` iff none); ``"unknown"`` (the time
    budget ran out): it states its budget and reason and claims nothing; ``"not-butterfly"``: the
    stated 2×2 minor is the submatrix of ``Z Pᵀ`` at ``rows × cols``, its determinant is
    nonzero and its four cells lie in one rank-one support of a split with disjoint
    supports, so no product of the chain can equal ``Z Pᵀ``.  See the module docstring for
    the instance forms.
    """
    if result.backend != "integer":
        fail(f"backend {result.backend!r} is not 'integer' (exact integer arithmetic).")
    Z, patterns, perm, row_perm = _instance(instance)
    cert = result.certificate
    if result.verdict == "unknown":
        if "budget" in cert:
            return out_of_budget(cert)
        reason = cert.get("reason")
        if not isinstance(reason, str) or not reason:
            fail("an unknown verdict must state its reason.")
        return f"unknown verdict: {reason} (nothing is claimed about the instance)"
    m, mul = _field(cert)
    M, D = _integer_matrix(Z, m)
    if result.verdict == "butterfly":
        return _check_butterfly(cert, M, D, patterns, perm, m, mul, row_perm)
    if result.verdict == "not-butterfly":
        return _check_not_butterfly(cert, M, D, patterns, perm, m, mul, row_perm)
    fail(f"unknown verdict {result.verdict!r}.")


CHECKS = {"butterfly.identify": check_identify}

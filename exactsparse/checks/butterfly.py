"""Certificate checker for ``butterfly.identify`` results.

Re-checks a certificate from its own data with exact integer arithmetic and support
arithmetic only (it never imports the decision routine):

``"butterfly"``
    the chain is chainable with rank-one splits and matches ``Z`` (and the butterfly chain
    when the instance gives no patterns); each factor has its pattern's twiddle shape; the
    exact product of the factors equals ``Z``; at every split the rank-one supports are
    pairwise disjoint (``S_left · S_right`` has no entry above 1), and the number of zero
    rank-one pieces matches ``degenerate`` (``essentially_unique`` iff none).
``"not-butterfly"``
    the 2×2 ``minor`` is the submatrix of ``Z`` at ``rows × cols``, its determinant is nonzero,
    and all four positions lie in one rank-one support of the stated split, whose supports are
    pairwise disjoint — so any product of the chain would make that minor vanish (Zheng,
    Riccietti, Gribonval, SIMODS 2023; ICASSP 2022 Lemma 2).
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np

from .. import exact
from ..butterfly.supports import KSPattern, butterfly_patterns, chain_product, chain_ranks
from ..exceptions import CertificateError

__all__ = ["CHECKS"]

_SAFE = 2 ** 62


def _fail(msg):
    raise CertificateError(f"invalid certificate: {msg}")


def _instance(instance):
    """``(Z, patterns or None)`` from ``Z``, ``(Z,)``, ``(Z, patterns)`` or a dict."""
    if isinstance(instance, dict):
        return instance["Z"], instance.get("patterns")
    if isinstance(instance, tuple) and len(instance) in (1, 2) and np.ndim(instance[0]) in (2, 3):
        return instance[0], (instance[1] if len(instance) == 2 else None)
    return instance, None


def _integer_matrix(Z, m):
    """``(M, D)`` with ``Z = M / D``; ``M`` an object array (rows, cols, m) of Python ints."""
    if m > 1:
        arr = np.asarray(Z)
        if arr.ndim != 3 or arr.shape[-1] != m or arr.dtype.kind not in "iu":
            _fail(f"a cyclotomic instance must be an integer array (N, N, {m}), not {arr.shape}.")
        return arr.astype(object), 1
    arr = None
    try:
        arr = np.asarray(Z)
    except (ValueError, TypeError):
        pass
    if arr is not None and arr.ndim == 2 and arr.dtype.kind in "iub":
        return arr.astype(object)[..., None], 1
    Zi, D = exact.as_matrix(Z, "Z").numer_denom()
    return np.array([[[int(v)] for v in row] for row in Zi.tolist()], dtype=object), int(D)


def _field(cert):
    """``(m, mul)``: coefficient count and exact multiplication of the certificate's field."""
    field = cert.get("field", "Q")
    if field == "Q":
        return 1, lambda a, b: a * b
    if isinstance(field, str) and field.startswith("cyclotomic:"):
        n = int(field.split(":", 1)[1])
        if n < 4 or n & (n - 1):
            _fail(f"unsupported field {field!r}.")
        return n // 2, _negacyclic
    _fail(f"unknown field {field!r}.")


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


def _entry(v, m):
    """A certificate entry as a tuple of m Fractions."""
    return (Fraction(v),) if m == 1 else tuple(Fraction(c) for c in v)


def _chain(cert, M, patterns):
    pats, ranks = chain_ranks([KSPattern(*p) for p in cert["patterns"]])
    if any(r != 1 for r in ranks):
        _fail(f"the chain has splits of rank {ranks}, not all 1.")
    if chain_product(pats).shape != M.shape[:2]:
        _fail(f"the chain has product shape {chain_product(pats).shape}, Z has {M.shape[:2]}.")
    expected = (butterfly_patterns(M.shape[0]) if patterns is None
                else chain_ranks(patterns)[0])
    if tuple(pats) != tuple(expected):
        _fail("the chain of the certificate is not the chain of the instance.")
    return pats


def _perm(cert, n):
    p = cert.get("perm")
    if p is None:
        return None
    p = np.array(p, dtype=np.int64)
    if p.shape != (n,) or not np.array_equal(np.sort(p), np.arange(n)):
        _fail("'perm' is not a permutation of the columns.")
    return p


def _disjoint(pats, s):
    """Supports of the split after factor ``s``; raise unless its rank-one supports are disjoint."""
    SL = chain_product(pats[:s + 1]).to_scipy().astype(np.int32)
    SR = chain_product(pats[s + 1:]).to_scipy().astype(np.int32)
    prod = SL @ SR
    if prod.nnz and prod.max() > 1:
        _fail(f"the rank-one supports of split {s} overlap.")
    return SL, SR


# ----------------------------------------------------------------------------- butterfly
def _integer_factor(tw, pat, k, m):
    """A factor's twiddle as Python ints (a, d, b, c, m) and its common denominator."""
    want = pat.twiddle_shape + ((m,) if m > 1 else ())
    try:
        arr = np.array(tw, dtype=object)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.shape != want:
        _fail(f"factor {k} does not have the shape {want} of its pattern over the field.")
    flat = [tuple(Fraction(c) for c in e) for e in arr.reshape(-1, m).tolist()]
    d = lcm(*(c.denominator for e in flat for c in e))
    ints = np.array([[c.numerator * (d // c.denominator) for c in e] for e in flat],
                    dtype=object)
    return ints.reshape(*pat.twiddle_shape, m), d


def _maxabs(X):
    return max(abs(int(X.max())), abs(int(X.min()))) if X.size else 0


def _apply(T, pat, X, mul):
    """``Xf @ X`` for the factor of pattern ``pat`` with integer twiddle ``T`` (a, d, b, c, m);
    ``X`` of shape (rows, k, m).  int64 when a bound proves it exact, Python ints otherwise."""
    a, b, c, d = pat.a, pat.b, pat.c, pat.d
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
    X = _eye(pats[-1].shape[1], m)
    for k in reversed(range(len(pats))):
        X = right[k] = _apply(Ts[k], pats[k], X, mul)
    Y = _eye(pats[0].shape[0], m)
    for k in range(len(pats)):
        Y = left[k] = _apply(Ts[k].transpose(0, 1, 3, 2, 4), pats[k].T, Y, mul)
    return right, left


def _zero_rows(X):
    return ~np.asarray((X != 0).any(axis=(1, 2)), dtype=bool)


def _check_butterfly(cert, M, D, patterns, m, mul):
    pats = _chain(cert, M, patterns)
    if len(cert["factors"]) != len(pats):
        _fail(f"{len(cert['factors'])} factors for a chain of {len(pats)} patterns.")
    ints = [_integer_factor(tw, p, k, m) for k, (tw, p) in enumerate(zip(cert["factors"], pats))]
    Ts = [t for t, _ in ints]
    dens = 1
    for _, d in ints:
        dens *= d
    perm = _perm(cert, M.shape[1])
    Mp = M if perm is None else M[:, perm]
    right, left = _cumulative(Ts, pats, mul, m)
    if not np.array_equal(right[0] * D, Mp * dens):
        _fail("the product of the factors is not Z.")
    splits = cert["splits"]
    if len(splits) != len(pats) - 1:
        _fail(f"{len(splits)} splits for a chain of {len(pats)} factors.")
    for s, sp in enumerate(splits):
        _disjoint(pats, s)
        deg = int((_zero_rows(left[s]) | _zero_rows(right[s + 1])).sum())
        if sp["degenerate"] != deg or sp["blocks"] != pats[s].shape[1]:
            _fail(f"split {s} has {deg} zero pieces out of {pats[s].shape[1]}, the "
                  f"certificate says {sp['degenerate']} out of {sp['blocks']}.")
    if cert["essentially_unique"] != all(sp["degenerate"] == 0 for sp in splits):
        _fail("'essentially_unique' does not match the degenerate pieces.")
    return f"exact product of {len(pats)} factors, {len(splits)} disjoint splits"


# ----------------------------------------------------------------------------- not-butterfly
def _check_not_butterfly(cert, M, D, patterns, m, mul):
    pats = _chain(cert, M, patterns)
    s = int(cert["level"])
    if not 0 <= s < len(pats) - 1:
        _fail(f"split level {s} out of range.")
    (r1, r2), (c1, c2) = cert["rows"], cert["cols"]
    minor = [[tuple(Fraction(v, D) for v in M[i, j]) for j in (c1, c2)] for i in (r1, r2)]
    if [[_entry(v, m) for v in r] for r in cert["minor"]] != minor:
        _fail("the minor is not the submatrix of Z at rows × cols.")
    det = mul(M[r1, c1], M[r2, c2]) - mul(M[r1, c2], M[r2, c1])
    det = tuple(Fraction(v, D * D) for v in det)
    if not any(det) or det != _entry(cert["determinant"], m):
        _fail(f"the determinant of the minor is {det}, not a nonzero {cert['determinant']}.")
    perm = _perm(cert, M.shape[1])
    if perm is not None:                       # positions of the columns in Z Pᵀ
        c1, c2 = (int(np.flatnonzero(perm == c)[0]) for c in (c1, c2))
    SL, SR = _disjoint(pats, s)
    common = (SL[r1].toarray() & SL[r2].toarray())[0] & (SR[:, c1].toarray()
                                                          & SR[:, c2].toarray())[:, 0]
    if not common.any():
        _fail("the minor does not lie in one rank-one support of the split.")
    return f"rank-2 minor in split {s}"


def _check_identify(result, instance):
    Z, patterns = _instance(instance)
    cert = result.certificate
    m, mul = _field(cert)
    M, D = _integer_matrix(Z, m)
    if result.verdict == "butterfly":
        return _check_butterfly(cert, M, D, patterns, m, mul)
    if result.verdict == "not-butterfly":
        return _check_not_butterfly(cert, M, D, patterns, m, mul)
    _fail(f"unknown verdict {result.verdict!r}.")


CHECKS = {"butterfly.identify": _check_identify}

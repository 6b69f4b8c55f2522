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
    if isinstance(instance, tuple) and len(instance) in (1, 2) and np.ndim(instance[0]) == 2:
        return instance[0], (instance[1] if len(instance) == 2 else None)
    return instance, None


def _integer_matrix(Z):
    """``(M, D)`` with ``Z = M / D``, ``M`` an object array of Python ints."""
    arr = None
    try:
        arr = np.asarray(Z)
    except (ValueError, TypeError):
        pass
    if arr is not None and arr.ndim == 2 and arr.dtype.kind in "iub":
        return arr.astype(object), 1
    Zi, D = exact.as_matrix(Z, "Z").numer_denom()
    return np.array([[int(v) for v in row] for row in Zi.tolist()], dtype=object), int(D)


def _chain(cert, M, patterns):
    pats, ranks = chain_ranks([KSPattern(*p) for p in cert["patterns"]])
    if any(r != 1 for r in ranks):
        _fail(f"the chain has splits of rank {ranks}, not all 1.")
    if chain_product(pats).shape != M.shape:
        _fail(f"the chain has product shape {chain_product(pats).shape}, Z has {M.shape}.")
    expected = (butterfly_patterns(M.shape[0]) if patterns is None
                else chain_ranks(patterns)[0])
    if tuple(pats) != tuple(expected):
        _fail("the chain of the certificate is not the chain of the instance.")
    return pats


def _disjoint(pats, s):
    """Supports of the split after factor ``s``; raise unless its rank-one supports are disjoint."""
    SL = chain_product(pats[:s + 1]).to_scipy().astype(np.int32)
    SR = chain_product(pats[s + 1:]).to_scipy().astype(np.int32)
    prod = SL @ SR
    if prod.nnz and prod.max() > 1:
        _fail(f"the rank-one supports of split {s} overlap.")
    return SL, SR


# ----------------------------------------------------------------------------- butterfly
def _integer_factor(tw, pat, k):
    arr = np.array(tw, dtype=object)
    if arr.shape != pat.twiddle_shape:
        _fail(f"factor {k} has shape {arr.shape}, its pattern needs {pat.twiddle_shape}.")
    fr = [Fraction(v) for v in arr.ravel()]
    d = lcm(*(f.denominator for f in fr)) if fr else 1
    ints = np.array([f.numerator * (d // f.denominator) for f in fr], dtype=object)
    return ints.reshape(arr.shape), d


def _maxabs(X):
    return max(abs(int(X.max())), abs(int(X.min()))) if X.size else 0


def _apply(T, pat, X):
    """``Xf @ X`` for the factor of pattern ``pat`` with integer twiddle ``T``: int64 when the
    entries provably fit, Python ints otherwise."""
    a, b, c, d = pat.a, pat.b, pat.c, pat.d
    dtype = np.int64 if _maxabs(T) * _maxabs(X) * c < _SAFE else object
    T, x = T.astype(dtype), X.astype(dtype).reshape(a, c, d, -1)
    y = np.zeros((a, b, d, x.shape[-1]), dtype=dtype)
    for g in range(c):
        y += T[:, :, :, g].transpose(0, 2, 1)[..., None] * x[:, g][:, None]
    return y.reshape(a * b * d, -1)


def _cumulative(Ts, pats):
    """``right[k] = X_k ⋯ X_K`` and ``left[k] = (X_0 ⋯ X_k)ᵀ`` as integer arrays."""
    right, left = {}, {}
    X = np.eye(pats[-1].shape[1], dtype=np.int64)
    for k in reversed(range(len(pats))):
        X = right[k] = _apply(Ts[k], pats[k], X)
    Y = np.eye(pats[0].shape[0], dtype=np.int64)
    for k in range(len(pats)):
        Y = left[k] = _apply(Ts[k].transpose(0, 1, 3, 2), pats[k].T, Y)
    return right, left


def _zero_rows(X):
    return ~np.asarray((X != 0).any(axis=1), dtype=bool)


def _check_butterfly(cert, M, D, patterns):
    pats = _chain(cert, M, patterns)
    ints = [_integer_factor(tw, p, k) for k, (tw, p) in enumerate(zip(cert["factors"], pats))]
    if len(ints) != len(pats):
        _fail(f"{len(ints)} factors for a chain of {len(pats)} patterns.")
    Ts = [t for t, _ in ints]
    dens = 1
    for _, d in ints:
        dens *= d
    right, left = _cumulative(Ts, pats)
    if not np.array_equal(right[0].astype(object) * D, M * dens):
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
def _check_not_butterfly(cert, M, D, patterns):
    pats = _chain(cert, M, patterns)
    s = int(cert["level"])
    if not 0 <= s < len(pats) - 1:
        _fail(f"split level {s} out of range.")
    (r1, r2), (c1, c2) = cert["rows"], cert["cols"]
    minor = [[Fraction(M[i, j], D) for j in (c1, c2)] for i in (r1, r2)]
    if [list(r) for r in cert["minor"]] != minor:
        _fail("the minor is not the submatrix of Z at rows × cols.")
    det = minor[0][0] * minor[1][1] - minor[0][1] * minor[1][0]
    if det == 0 or det != cert["determinant"]:
        _fail(f"the determinant of the minor is {det}, not a nonzero {cert['determinant']}.")
    SL, SR = _disjoint(pats, s)
    common = (SL[r1].toarray() & SL[r2].toarray())[0] & (SR[:, c1].toarray()
                                                          & SR[:, c2].toarray())[:, 0]
    if not common.any():
        _fail("the minor does not lie in one rank-one support of the split.")
    return f"rank-2 minor in split {s}"


def _check_identify(result, instance):
    Z, patterns = _instance(instance)
    M, D = _integer_matrix(Z)
    cert = result.certificate
    if result.verdict == "butterfly":
        return _check_butterfly(cert, M, D, patterns)
    if result.verdict == "not-butterfly":
        return _check_not_butterfly(cert, M, D, patterns)
    _fail(f"unknown verdict {result.verdict!r}.")


CHECKS = {"butterfly.identify": _check_identify}

"""Shared, private helpers of :mod:`exactsparse.butterfly`: input validation.

Used by the numeric solver (:mod:`.numeric`) and the exact identification (:mod:`.exact`);
each returns the canonical form of its argument or raises a typed error naming it.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ArgumentError, NonFiniteError, ShapeError
from .supports import (bit_reversal_permutation, butterfly_patterns, chain_product,
                       chain_ranks, log2_size)

__all__ = []


def validate_matrix(A, name="A"):
    """``A`` as a float32/float64/complex numpy array of ndim >= 2 (finite-checked later)."""
    arr = np.asarray(A)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "f" and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "c" and arr.dtype not in (np.complex64, np.complex128):
        arr = arr.astype(np.complex128)
    elif arr.dtype.kind not in "fc":
        raise ArgumentError(f"Argument {name!r} must be a real or complex numeric array, not "
                            f"of dtype {arr.dtype}.")
    if arr.ndim < 2 or arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ShapeError(f"Argument {name!r} must be a non-empty matrix or a batch of matrices "
                         f"(ndim >= 2), not of shape {arr.shape}.")
    return arr


def raise_non_finite(A, name="A"):
    bad = np.argwhere(~np.isfinite(A))
    if bad.size:
        raise NonFiniteError(f"Argument {name!r} must be finite, not one containing "
                             f"{A[tuple(bad[0])]!r} at {tuple(int(i) for i in bad[0])}.")
    raise ArgumentError(f"Argument {name!r} has entries too large to square in "
                        f"{A.dtype} (max |entry| {np.abs(A).max():.3g}); rescale it.")


def validate_chain(patterns, shape):
    if patterns is None:
        m, n = shape
        if m != n:
            raise ShapeError(f"Argument 'A' must be square for a butterfly factorization "
                             f"(or give 'patterns'), not of shape {shape}.")
        L = log2_size(n, "N")
        return butterfly_patterns(n), (1,) * (L - 1)
    pats, ranks = chain_ranks(patterns)
    prod = chain_product(pats)
    if prod.shape != tuple(shape):
        raise ShapeError(f"Argument 'A' must have shape {prod.shape} (the product of the pattern "
                         f"chain, {prod}), not {tuple(shape)}.")
    return pats, ranks


def validate_perm(perm, n):
    if perm is None or (isinstance(perm, str) and perm == "identity"):
        return None
    if isinstance(perm, str):
        if perm == "bitrev":
            return bit_reversal_permutation(n)
        raise ArgumentError(f"Argument 'perm' must be None, 'identity', 'bitrev', 'auto' or a "
                            f"permutation array, not {perm!r}.")
    p = np.asarray(perm)
    if p.shape != (n,) or p.dtype.kind not in "iu" or not np.array_equal(np.sort(p), np.arange(n)):
        raise ArgumentError(f"Argument 'perm' must be a permutation of range({n}), not "
                            f"{np.array2string(p, threshold=8)}.")
    return p.astype(np.int64)


def validate_option(value, allowed, name):
    if value not in allowed:
        raise ArgumentError(f"Argument {name!r} must be one of {allowed}, not {value!r}.")
    return value


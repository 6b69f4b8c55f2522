"""Shared, private helpers of :mod:`exactsparse.butterfly`: input validation.

Used by the numeric solver (:mod:`.numeric`) and the exact identification (:mod:`.exact`);
each returns the canonical form of its argument or raises a typed error naming it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import sys
import warnings

import numpy as np

from ..exceptions import ArgumentError, NonFiniteError, PrecisionError, ShapeError
from .supports import (bit_reversal_permutation, butterfly_patterns, chain_product,
                       chain_ranks, log2_size, show)

__all__ = ["ButterflyFitWarning"]


class ButterflyFitWarning(UserWarning):
    """:func:`~exactsparse.butterfly.butterfly_factorize` with a given column permutation
    fits the input badly: the matrix is not (to about ``√eps``) a butterfly product under
    that permutation.  Silence it with ``warnings.simplefilter("ignore",
    ButterflyFitWarning)`` when an approximation is intended."""


def as_array(A, name):
    """``numpy.asarray(A)`` with numpy's errors on ragged or odd inputs turned into typed
    errors naming the argument."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(A)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ShapeError(f"Argument {name!r} must be a rectangular array (nested sequences of "
                         f"equal length), not a ragged or irregular {type(A).__name__} "
                         f"({str(exc).split('.')[0]}).") from None


def validate_matrix(A, name="A"):
    """``A`` as a float32/float64/complex numpy array of ndim >= 2 (finite-checked later)."""
    arr = as_array(A, name)
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


def validate_perm(perm, n, name="perm"):
    if perm is None or (isinstance(perm, str) and perm == "identity"):
        return None
    if isinstance(perm, str):
        if perm == "bitrev":
            return bit_reversal_permutation(n)
        raise ArgumentError(f"Argument {name!r} must be None, 'identity', 'bitrev', 'auto' or "
                            f"a permutation array, not {show(perm)}.")
    p = as_array(perm, name)
    problem = not_a_permutation(p, n)
    if problem is not None:
        raise ArgumentError(f"Argument {name!r} must be a permutation of 0..{n - 1}, not "
                            f"{problem if p.dtype.kind in 'biufc' else show(perm)}.")
    return p.astype(np.int64)


_TIMES = {2: "twice", 3: "three times"}


def not_a_permutation(p, n):
    """None if the array ``p`` is a permutation of ``0 … n−1``; else what is wrong, short
    whatever the size: "an array where 3 appears twice (4 is missing)", "an array of shape
    (7,)", "a float64 array", "an array containing 8 (at index 7)".

    >>> not_a_permutation(np.array([0, 1, 2, 3, 3, 5, 6, 7]), 8)
    'an array where 3 appears twice (4 is missing)'
    >>> not_a_permutation(np.array([2, 0, 1]), 3) is None
    True
    """
    if p.ndim == 0:
        return f"the scalar {show(p.item())}"
    if p.shape != (n,):
        return f"an array of shape {p.shape}"
    if p.dtype.kind not in "iu":
        return f"a {p.dtype} array"
    bad = np.flatnonzero((p < 0) | (p >= n))
    if bad.size:
        return f"an array containing {int(p[bad[0]])} (at index {int(bad[0])})"
    counts = np.bincount(p, minlength=n)
    if (counts == 1).all():
        return None
    v = int(p[np.argmax(counts[p] > 1)])          # the first repeated value, in array order
    k = int(counts[v])
    return (f"an array where {v} appears {_TIMES.get(k, f'{k} times')} "
            f"({int(np.argmax(counts == 0))} is missing)")


_controller = None


def blas_one_thread():
    """A context manager pinning BLAS to one thread (cached threadpoolctl controller): small
    batched LAPACK calls are much slower with several OpenBLAS threads."""
    global _controller
    from threadpoolctl import ThreadpoolController
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def validate_option(value, allowed, name):
    if not isinstance(value, str) or value not in allowed:
        raise ArgumentError(f"Argument {name!r} must be one of {allowed}, not {show(value)}.")
    return value


def validate_progress(progress, what):
    """``None`` (no reports), a callable, or a bool: ``True`` draws a minimal counter on
    stderr, ``False`` is the same as None."""
    if progress is None or progress is False or (isinstance(progress, np.bool_)
                                                  and not progress):
        return None
    if progress is True or isinstance(progress, np.bool_):
        count = [0]

        def report(_entries):
            count[0] += 1
            sys.stderr.write(f"\r{what}: {count[0]} splits done")
            sys.stderr.flush()
        return report
    if not callable(progress):
        raise ArgumentError(f"Argument 'progress' must be None, a bool or a callable, not "
                            f"{show(progress)}.")
    return progress




# ----------------------------------------------------------------------------- kernels
_KERNEL_DTYPES = tuple(np.dtype(t) for t in (np.float32, np.float64, np.complex64,
                                              np.complex128))


def check_kernel_array(x, name, ndim=None, real=False):
    """``x`` given to a low-level kernel: a float32/float64 (or, unless ``real``,
    complex64/complex128) numpy array with ``ndim`` axes.  O(1): no entry is read."""
    if not isinstance(x, np.ndarray) or x.dtype not in _KERNEL_DTYPES \
            or (real and x.dtype.kind != "f"):
        what = "float32 or float64" if real else "float32, float64, complex64 or complex128"
        raise ArgumentError(f"Argument {name!r} must be a numpy array of dtype {what}, not "
                            f"{show(x)}" + (f" of dtype {x.dtype}." if hasattr(x, "dtype")
                                            else "."))
    if ndim is not None and x.ndim != ndim:
        raise ShapeError(f"Argument {name!r} must have {ndim} axes, not shape {x.shape}.")
    return x


def parse_dtype(dtype):
    """``numpy.dtype(dtype)``, or None when numpy cannot read it as a dtype."""
    try:
        return np.dtype(dtype)
    except (TypeError, ValueError):
        return None


def check_int(v, name, low=1):
    """``v`` as an int ``>= low`` (bools refused)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < low:
        raise ArgumentError(f"Argument {name!r} must be an integer >= {low}, not {show(v)}.")
    return int(v)


@contextlib.contextmanager
def linalg_guard(x, name):
    """numpy's LinAlgError from a kernel on ``x`` as a typed error: non-finite entries name
    the first one; otherwise the factorization did not converge (PrecisionError)."""
    try:
        yield
    except np.linalg.LinAlgError as exc:
        if not np.isfinite(x).all():
            raise_non_finite(x, name)
        raise PrecisionError(f"Argument {name!r}: the batched eigen/singular value "
                             f"decomposition did not converge ({exc}).") from None


def check_perm_arguments(A, row_perm, perm, seed):
    """The arguments of the permutation recovery and its quick test: a square ``2^L`` matrix (its entries are
    not read: finiteness is the caller's), permutations as int64 arrays, a generator."""
    A = validate_matrix(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ShapeError(f"Argument 'A' must be a square matrix (N, N), not of shape "
                         f"{A.shape}.")
    log2_size(A.shape[1], "N")
    row_perm = validate_perm(row_perm, A.shape[0], "row_perm")
    perm = validate_perm(perm, A.shape[1])
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        from ..exceptions import ArgumentError, show
        raise ArgumentError(f"Argument 'seed' must be None or a non-negative integer, not "
                            f"{show(seed)} ({exc}).") from None
    return A, row_perm, perm, rng


def safe_range(dtype):
    """``(lo, hi)``: largest entries in this range are factorized as given (sixth roots of
    the dtype's range: the 2×2 Gram eigenproblems see fourth powers of the entries, summed
    over a block).  float64: about 1e-51 … 1e51; float32: about 5e-7 … 2e6."""
    fi = np.finfo(dtype)                    # of the real part for a complex dtype
    return 2.0 ** (fi.minexp // 6), 2.0 ** (fi.maxexp // 6)


def ldexp2(X, k):
    """``X · 2^k`` (exact; ``k`` broadcasts), real or complex."""
    if X.dtype.kind != "c":
        return np.ldexp(X, k)
    out = np.empty(np.broadcast_shapes(X.shape, np.shape(k)), X.dtype)
    out.real, out.imag = np.ldexp(X.real, k), np.ldexp(X.imag, k)
    return out


def pow2_normalised(X):
    """``(X · 2^-s, s)`` with ``max |X · 2^-s|`` in ``[1/2, 1)`` (exact) when the finite
    ``max |X|`` lies outside :func:`safe_range`, else ``(X, 0)``."""
    big = float(np.abs(X).max())
    lo, hi = safe_range(X.dtype)
    if big == 0 or lo <= big <= hi or not math.isfinite(big):
        return X, 0
    return ldexp2(X, -math.frexp(big)[1]), math.frexp(big)[1]

"""Enumerating every small support pair up to symmetry: :func:`support_pairs`.

Core module without dependencies inside the package (:mod:`exactsparse.supports` re-exports
:func:`support_pairs`); the sweeps of :mod:`exactsparse.sweep` and the identifiability
census run over its output.
"""

from __future__ import annotations

import functools
import itertools
import operator

import numpy as np

from .exact import short_repr
from .exceptions import ArgumentError, ShapeError, SizeLimitError

__all__ = ["support_pairs", "MAX_PATTERNS"]

#: Most raw patterns :func:`support_pairs` enumerates (checked before enumerating).
MAX_PATTERNS = 2_000_000


def _multisets(k, m):
    """``comb(k + m - 1, m)`` (multisets of size m from k), or a number above the limit."""
    c, N = 1, k + m - 1
    for i in range(1, min(m, k - 1) + 1):
        c = c * (N - i + 1) // i
        if c > MAX_PATTERNS:
            break
    return c


def _row_multisets(m, r):
    return itertools.combinations_with_replacement(range(2 ** r), m)


def _permute_bits(x, p):
    return sum(((x >> k) & 1) << p[k] for k in range(len(p)))


def _to_array(rows, r):
    return np.array([[(x >> k) & 1 for k in range(r)] for x in rows], dtype=bool)


def support_pairs(m, n, r, nondegenerate=False):
    """All support pairs ``(I, J)`` of shapes m×r and n×r up to symmetry.

    Two pairs are identified when one is obtained from the other by permuting the rows of
    ``I``, the rows of ``J``, and the columns of both simultaneously (these permutations
    map FSMF instances, their values and their identifiability to each other).  With
    ``nondegenerate=True`` only pairs without a zero row or a zero column in ``I`` or
    ``J`` are listed.

    Yields
    ------
    (I, J) : tuple of bool ndarrays

    Examples
    --------
    >>> [sum(1 for _ in support_pairs(*a)) for a in [(1, 1, 1), (2, 2, 2), (2, 2, 2, True)]]
    [4, 58, 10]
    """
    for v, name in ((m, "m"), (n, "n"), (r, "r")):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ShapeError(f"Argument {name!r} must be a positive integer, not "
                             f"{short_repr(v)}.")
    m, n, r = int(m), int(n), int(r)
    if not isinstance(nondegenerate, (bool, np.bool_)):
        raise ArgumentError(f"Argument 'nondegenerate' must be True or False, not "
                         f"{short_repr(nondegenerate)}.")
    count = _multisets(2 ** min(r, 30), m) * _multisets(2 ** min(r, 30), n)
    if count > MAX_PATTERNS:
        raise SizeLimitError(f"Arguments (m, n, r) = {short_repr((m, n, r))} give more than "
                             f"{MAX_PATTERNS} raw patterns, the limit of this enumerator.")
    # image of every row bit pattern under every column permutation, computed once
    images = [[_permute_bits(x, p) for x in range(2 ** r)]
              for p in itertools.permutations(range(r))]
    seen = set()
    full = 2 ** r - 1
    ok = (lambda rows: 0 not in rows and functools.reduce(operator.or_, rows, 0) == full) if nondegenerate else (lambda rows: True)
    J_all = list(filter(ok, _row_multisets(n, r)))
    for I_rows in filter(ok, _row_multisets(m, r)):
        # canonical key = lexicographic minimum of (image of I, image of J) over the
        # permutations; only those reaching the minimum image of I can attain it
        Ik = [tuple(sorted(t[x] for x in I_rows)) for t in images]
        a = min(Ik)
        best = [t for t, k in zip(images, Ik) if k == a]
        for J_rows in J_all:
            key = (a, min(tuple(sorted(t[x] for x in J_rows)) for t in best))
            if key not in seen:
                seen.add(key)
                yield _to_array(key[0], r), _to_array(key[1], r)

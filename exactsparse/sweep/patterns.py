"""Support pairs up to isomorphism: canonical forms, orbit sizes, Burnside counts, chunks.

A support pair ``(I, J)`` (``I`` m×r, ``J`` n×r, the ``X Yᵀ`` convention) is stored as two
sorted tuples of ints: row ``i`` of ``I`` is the r-bit mask ``sum_k I[i, k] << k``.  The
symmetry group ``G = S_m × S_n × S_r`` permutes the rows of ``I``, the rows of ``J`` and the
``r`` columns of both at once; these permutations map FSMF instances, their optimal values,
their tractability and their identifiability to each other.  Sorting the rows quotients out
``S_m × S_n``; what remains is the action of ``S_r`` on a pair of multisets of r-bit masks.

The pair is the coloured graph with ``m`` I-row vertices, ``n`` J-row vertices and ``r``
column vertices (three colours), an edge per nonzero; ``G`` is its colour-preserving
automorphism-free relabelling group, so orbits of pairs are isomorphism classes of these
graphs.  :func:`canonical_form` computes a canonical form of that graph by
individualisation–refinement (colour refinement of the columns, then branching on the first
non-singleton cell; the smallest leaf is the form, the leaves reaching it are the
automorphisms) — or, with ``method="brute"``, by minimising over all ``r!`` column
permutations, as :func:`exactsparse.supports.support_pairs` does.

:func:`iter_patterns` streams one representative per orbit with its orbit size in constant
memory: canonical ``I`` (w.r.t. :func:`canonical_form` of ``I`` alone, ``"auto"`` method)
with its stabiliser ``H ≤ S_r``, then every multiset ``J`` that is the smallest of its
``H``-orbit.  The work is
cut into deterministic disjoint chunks (:func:`plan_chunks`): a chunk is a list of slices
``(I, lo, hi)`` of the lexicographic list of multisets ``J``.  :func:`count_orbits` counts the
orbits by Burnside's lemma (exactly, with the same filters), before anything is enumerated.

*Filters* (both invariant under ``G``): ``nondegenerate=True`` keeps the pairs where
neither ``I`` nor ``J`` has a zero row and neither has a zero column (each factor on its
own: every row of ``X`` and of ``Y`` may be nonzero, every rank-one term ``X_k Y_kᵀ`` may be
nonzero); ``nnz=(lo, hi)`` keeps ``lo <= nnz(I) + nnz(J) <= hi``.

Examples
--------
>>> sum(1 for _ in iter_patterns(2, 2, 2))
58
>>> count_orbits(2, 2, 2), count_orbits(2, 2, 2, nondegenerate=True)
(58, 10)
>>> sum(p.orbit for p in iter_patterns(2, 2, 2)) == 2 ** ((2 + 2) * 2)
True
>>> canonical_form("10/01", "11/10").key == canonical_form("01/10", "10/11").key
True
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from math import comb, factorial

import numpy as np

from ..exceptions import ArgumentError, ShapeError, SizeLimitError, show
from ..supports import as_support

__all__ = ["Pattern", "CanonicalForm", "canonical_form", "canonical_rows", "count_orbits",
           "count_pairs", "iter_patterns", "plan_chunks", "iter_chunk", "pattern_arrays",
           "pattern_strings", "rows_of", "check_sizes", "MAX_R"]

#: Largest rank the enumerator accepts (2^r row masks, r! column permutations).
MAX_R = 8
#: Largest ``m``, ``n`` accepted (beyond it the counts overflow numpy's index type).
MAX_MN = 2**31 - 1


@dataclass(frozen=True)
class Pattern:
    """One orbit representative: sorted row masks of ``I`` and ``J``, and the orbit size."""

    I: tuple
    J: tuple
    orbit: int


@dataclass(frozen=True)
class CanonicalForm:
    """``key`` = (sorted row masks of ``I``, of ``J``) after the canonical relabelling;
    ``automorphisms`` = number of column permutations fixing the pair (as multisets);
    ``orbit`` = size of the orbit under ``S_m × S_n × S_r``."""

    key: tuple
    automorphisms: int
    orbit: int


def check_sizes(m, n, r):
    """Validate ``(m, n, r)``: positive ints, ``r <= MAX_R``."""
    for v, name in ((m, "m"), (n, "n"), (r, "r")):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ShapeError(f"Argument {name!r} must be a positive integer, not {show(v)}.")
    if r > MAX_R:
        raise ShapeError(f"Argument 'r' must be at most {MAX_R}, not {show(r)}.")
    for v, name in ((m, "m"), (n, "n")):
        if v > MAX_MN:
            raise SizeLimitError(f"Argument {name!r} must be at most {MAX_MN}, not {show(v)}.")
    return int(m), int(n), int(r)


def _check_flag(v, name):
    """``v`` as a bool (a bool, numpy bool, 0 or 1; typed error otherwise)."""
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
        return bool(v)
    raise ArgumentError(f"Argument {name!r} must be a bool, not {show(v)}.")


def _check_nnz(nnz, m, n, r):
    if nnz is None:
        return 0, (m + n) * r
    if not (isinstance(nnz, (tuple, list)) and len(nnz) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in nnz)):
        raise ArgumentError(f"Argument 'nnz' must be a pair (lo, hi) of ints, not {show(nnz)}.")
    return int(nnz[0]), int(nnz[1])


# ------------------------------------------------------------------ rows <-> arrays
def rows_of(S):
    """Sorted row masks of a 0/1 matrix (bit ``k`` = column ``k``).

    >>> rows_of("10/11/01")
    (1, 2, 3)
    """
    a = as_support(S).array
    w = 1 << np.arange(a.shape[1], dtype=np.int64)
    return tuple(sorted(int(v) for v in (a.astype(np.int64) @ w)))


def pattern_arrays(I, J, r):
    """Bool arrays (m×r, n×r) of a pair of row-mask tuples."""
    def arr(rows):
        return np.array([[(x >> k) & 1 for k in range(r)] for x in rows], dtype=bool)
    return arr(I), arr(J)


def pattern_strings(I, J, r):
    """The pair as support strings ``("10/11", "01/11")`` (row ``i``, column ``k``).

    >>> pattern_strings((1, 3), (2,), 2)
    ('10/11', '01')
    """
    def s(rows):
        return "/".join("".join("1" if (x >> k) & 1 else "0" for k in range(r)) for x in rows)
    return s(I), s(J)


@lru_cache(maxsize=None)
def _bits(r):
    return tuple(tuple(k for k in range(r) if (x >> k) & 1) for x in range(1 << r))


@lru_cache(maxsize=16)
def _tables(r):
    """Image of every row mask under every column permutation (list per permutation)."""
    bits = _bits(r)
    return tuple(tuple(sum(1 << p[k] for k in bits[x]) for x in range(1 << r))
                 for p in itertools.permutations(range(r)))


def _multiplicity_factor(rows):
    out = 1
    for c in Counter(rows).values():
        out *= factorial(c)
    return out


def _orbit(I, J, r, aut):
    return (factorial(len(I)) // _multiplicity_factor(I)) * \
        (factorial(len(J)) // _multiplicity_factor(J)) * (factorial(r) // aut)


# ------------------------------------------------------------------ canonical labelling
def _refine(cells, I, J, bits):
    """Equitable refinement of an ordered partition of the columns (colour refinement)."""
    while True:
        pos = {}
        for ci, cell in enumerate(cells):
            for k in cell:
                pos[k] = ci
        keys = {k: [] for k in pos}
        for side, rows in ((0, I), (1, J)):
            for x in rows:
                b = bits[x]
                if not b:
                    continue
                sig = (side, tuple(sorted(pos[k] for k in b)))
                for k in b:
                    keys[k].append(sig)
        out = []
        for cell in cells:
            if len(cell) == 1:
                out.append(cell)
                continue
            groups = {}
            for k in cell:
                groups.setdefault(tuple(sorted(keys[k])), []).append(k)
            out.extend(tuple(groups[g]) for g in sorted(groups))
        if len(out) == len(cells):
            return out
        cells = out


def _leaf_form(cells, I, J, bits):
    new = {cell[0]: p for p, cell in enumerate(cells)}
    img = [sum(1 << new[k] for k in bits[x]) for x in range(len(bits))]
    return (tuple(sorted(img[x] for x in I)), tuple(sorted(img[x] for x in J))), img


def _search(cells, I, J, bits, best):
    cells = _refine(cells, I, J, bits)
    for c, cell in enumerate(cells):
        if len(cell) > 1:
            break
    else:
        form, img = _leaf_form(cells, I, J, bits)
        if best[0] is None or form < best[0]:
            best[0], best[1] = form, [img]
        elif form == best[0]:
            best[1].append(img)
        return
    for k in cell:
        rest = tuple(t for t in cell if t != k)
        _search(cells[:c] + [(k,), rest] + cells[c + 1:], I, J, bits, best)


def _canonical_refine(I, J, r):
    """(form, list of leaf images reaching it) by individualisation–refinement."""
    best = [None, None]
    _search([tuple(range(r))], I, J, _bits(r), best)
    return best[0], best[1]


def _canonical_brute(I, J, r):
    best, count = None, 0
    for t in _tables(r):
        form = (tuple(sorted(t[x] for x in I)), tuple(sorted(t[x] for x in J)))
        if best is None or form < best:
            best, count = form, 1
        elif form == best:
            count += 1
    return best, count


def canonical_rows(I, J, r, method="auto"):
    """``(key, automorphisms)`` of a pair given as row-mask tuples (see
    :func:`canonical_form`).

    >>> canonical_rows((1, 2), (3,), 2)
    (((1, 2), (3,)), 2)
    """
    if not isinstance(method, str):
        raise ArgumentError(f"Argument 'method' must be 'auto', 'brute' or 'refine', not "
                            f"{show(method)}.")
    if method == "auto":
        method = "brute" if r <= BRUTE_MAX_R else "refine"
    if method == "refine":
        key, leaves = _canonical_refine(tuple(I), tuple(J), r)
        return key, len(leaves)
    if method == "brute":
        return _canonical_brute(tuple(I), tuple(J), r)
    raise ArgumentError(f"Argument 'method' must be 'auto', 'refine' or 'brute', "
                        f"not {show(method)}.")


def canonical_form(I, J, method="auto"):
    """A canonical form of the pair ``(I, J)`` under ``S_m × S_n × S_r``.

    Parameters
    ----------
    I, J : support-like
        m×r and n×r 0/1 matrices (arrays, support strings, :class:`~exactsparse.Support`);
        for row-mask tuples use :func:`canonical_rows`.
    method : {"auto", "refine", "brute"}
        ``"auto"`` (default): ``"brute"`` for ``r <= 4``, else ``"refine"`` (the faster one,
        measured in ``benchmarks/bench_sweep.py``).  ``"refine"``:
        individualisation–refinement on the coloured graph (rows of ``I``, rows of ``J``,
        columns); ``"brute"``: lexicographic minimum over all ``r!`` column
        permutations.  Each is a canonical form (equal exactly on orbits); the two forms of
        one pair may differ.

    Returns
    -------
    CanonicalForm
        ``key``, the number of column automorphisms and the orbit size
        ``m! n! r! / |Aut|`` (``|Aut|`` counts the row permutations fixing the multisets
        too).

    Examples
    --------
    >>> f = canonical_form("11/11", "10/01")
    >>> f.automorphisms, f.orbit          # swap the two columns; 2 J-rows, 1 I-row order
    (2, 2)
    >>> canonical_form("10/01", "11/10", method="brute").key
    ((1, 2), (1, 3))
    """
    I, J = as_support(I, "I"), as_support(J, "J")
    if I.shape[1] != J.shape[1]:
        raise ShapeError(f"Arguments 'I' {I.shape} and 'J' {J.shape} must have the same "
                         "number of columns r.")
    r = I.shape[1]
    check_sizes(I.shape[0], J.shape[0], r)
    Ir, Jr = rows_of(I), rows_of(J)
    key, aut = canonical_rows(Ir, Jr, r, method)
    return CanonicalForm(key, aut, _orbit(Ir, Jr, r, aut))


# ------------------------------------------------------------------ Burnside counts
def _cycle_type_reps(r):
    """(one permutation, how many) per cycle type of S_r."""
    seen = {}
    for p in itertools.permutations(range(r)):
        lens, done = [], set()
        for s in range(r):
            if s not in done:
                L, t = 0, s
                while t not in done:
                    done.add(t)
                    t = p[t]
                    L += 1
                lens.append(L)
        key = tuple(sorted(lens))
        if key in seen:
            seen[key][1] += 1
        else:
            seen[key] = [p, 1]
    return list(seen.values())


def _vector_cycles(p, r):
    """Cycles of the permutation induced by ``p`` on the 2^r row masks: (mask set, pop)."""
    t = [sum(1 << p[k] for k in range(r) if (x >> k) & 1) for x in range(1 << r)]
    done, out = set(), []
    for x in range(1 << r):
        if x in done:
            continue
        cyc, y = [], x
        while y not in done:
            done.add(y)
            cyc.append(y)
            y = t[y]
        out.append((frozenset(cyc), bin(x).count("1")))
    return out


def _fixed_poly(cycles, allowed, rows, r):
    """poly[nnz] = number of multisets of ``rows`` masks from ``allowed`` fixed by the
    permutation (multiplicity constant on each cycle), by total nnz."""
    dp = [[0] * (rows * r + 1) for _ in range(rows + 1)]
    dp[0][0] = 1
    for cyc, pop in cycles:
        if not cyc <= allowed:
            continue
        L = len(cyc)
        for size in range(L, rows + 1):          # unbounded knapsack: item (L, L*pop)
            row, prev = dp[size], dp[size - L]
            for z in range(L * pop, rows * r + 1):
                row[z] += prev[z - L * pop]
    return dp[rows]


def _fixed(cycles, r, rows, nondegenerate):
    allv = frozenset(range(1 << r))
    if not nondegenerate:
        return _fixed_poly(cycles, allv, rows, r)
    total = [0] * (rows * r + 1)
    for tmask in range(1 << r):                  # inclusion-exclusion on zero columns
        allowed = frozenset(x for x in allv if x and not x & tmask)
        sign = -1 if bin(tmask).count("1") % 2 else 1
        for z, v in enumerate(_fixed_poly(cycles, allowed, rows, r)):
            total[z] += sign * v
    return total


def count_orbits(m, n, r, nondegenerate=False, nnz=None):
    """Number of orbits of support pairs, by Burnside's lemma (no enumeration).

    ``#orbits = (1/r!) Σ_σ Fix_m(σ) Fix_n(σ)``, where ``Fix_m(σ)`` counts the multisets of
    ``m`` row masks fixed by the column permutation ``σ`` (multiplicity constant on the
    cycles ``σ`` induces on the ``2^r`` masks); the filters enter as an inclusion–exclusion
    on zero columns and a generating polynomial in the number of nonzeros.

    >>> count_orbits(4, 4, 3), count_orbits(1, 1, 1, nnz=(2, 2))
    (19859, 1)
    """
    m, n, r = check_sizes(m, n, r)
    nondegenerate = _check_flag(nondegenerate, "nondegenerate")
    lo, hi = _check_nnz(nnz, m, n, r)
    total = 0
    for p, mult in _cycle_type_reps(r):
        cyc = _vector_cycles(p, r)
        a, b = _fixed(cyc, r, m, nondegenerate), _fixed(cyc, r, n, nondegenerate)
        s = sum(va * vb for za, va in enumerate(a) if va for zb, vb in enumerate(b)
                if vb and lo <= za + zb <= hi)
        total += mult * s
    return total // factorial(r)


def count_pairs(m, n, r, nondegenerate=False, nnz=None):
    """Number of pairs of 0/1 matrices (not up to symmetry) with the filters: the sum of
    the orbit sizes."""
    m, n, r = check_sizes(m, n, r)
    nondegenerate = _check_flag(nondegenerate, "nondegenerate")
    lo, hi = _check_nnz(nnz, m, n, r)

    def mats(rows):                      # by nnz: matrices with distinct ordered rows
        out = [0] * (rows * r + 1)
        for tmask in range(1 << r) if nondegenerate else (0,):
            free = r - bin(tmask).count("1")
            sign = -1 if bin(tmask).count("1") % 2 else 1
            # each row: a nonempty (if nondegenerate) subset of the free columns
            row = [comb(free, z) for z in range(r + 1)]
            if nondegenerate:
                row[0] = 0
            poly = [1]
            for _ in range(rows):
                poly = [sum(poly[a] * row[z - a] for a in range(len(poly)) if 0 <= z - a <= r)
                        for z in range(len(poly) + r)]
            for z, v in enumerate(poly):
                out[z] += sign * v
        return out
    a, b = mats(m), mats(n)
    return sum(va * vb for za, va in enumerate(a) for zb, vb in enumerate(b)
               if lo <= za + zb <= hi)


# ------------------------------------------------------------------ enumeration
def _unrank(idx, size, V):
    """The ``idx``-th non-decreasing tuple of length ``size`` over ``range(V)`` (lex)."""
    out, v = [], 0
    for p in range(size):
        rest = size - p - 1
        while True:
            c = comb(V - v + rest - 1, rest)     # tuples starting with v
            if idx < c:
                break
            idx -= c
            v += 1
        out.append(v)
    return out


def _multisets(size, V, lo, hi):
    """Non-decreasing tuples of ``range(V)`` with lex ranks ``lo <= rank < hi``."""
    if lo >= hi:
        return
    a = _unrank(lo, size, V)
    yield tuple(a)
    for _ in range(hi - lo - 1):
        i = size - 1
        while a[i] == V - 1:
            i -= 1
        a[i:] = [a[i] + 1] * (size - i)
        yield tuple(a)


def _ok(rows, full, nondegenerate):
    if not nondegenerate:
        return True
    acc = 0
    for x in rows:
        acc |= x
    return acc == full and rows[0] != 0


def _nnz(rows, pops):
    return sum(pops[x] for x in rows)


#: Up to this rank the minimum over all r! column permutations is the faster canonical
#: form (benchmarks/bench_sweep.py); above it, individualisation–refinement.
BRUTE_MAX_R = 4


def _stabiliser_if_canonical(I, r):
    """The column permutations fixing the multiset ``I`` (as mask images) when ``I`` is its
    own canonical form (``"auto"`` method), else None."""
    if r <= BRUTE_MAX_R:
        stab = []
        for t in _tables(r):
            img = tuple(sorted(t[x] for x in I))
            if img < I:
                return None
            if img == I:
                stab.append(t)
        return stab
    form, leaves = _canonical_refine(I, (), r)
    return leaves if form[0] == I else None


def _i_reps(m, r, nondegenerate):
    """Canonical ``I`` (row-mask tuples) with their stabilisers (lists of mask images)."""
    full = (1 << r) - 1
    start = 1 if nondegenerate else 0
    for I in itertools.combinations_with_replacement(range(start, 1 << r), m):
        if not _ok(I, full, nondegenerate):
            continue
        stab = _stabiliser_if_canonical(I, r)
        if stab is not None:
            yield I, stab


def plan_chunks(m, n, r, nondegenerate=False, chunk_size=2000):
    """Deterministic disjoint chunks covering the enumeration.

    Returns a list of chunks; chunk ``c`` is a tuple of slices ``(I, lo, hi)``: the
    canonical ``I`` and the lex ranks ``[lo, hi)`` of the multisets ``J`` (over the masks
    ``1..2^r−1`` if ``nondegenerate``, else ``0..2^r−1``) it covers.  About ``chunk_size``
    multisets ``J`` are examined per chunk.  The plan depends only on the arguments.

    >>> chunks = plan_chunks(2, 2, 2, chunk_size=7)
    >>> sum(len(list(iter_chunk(c, 2, 2, 2))) for c in chunks)
    58
    """
    m, n, r = check_sizes(m, n, r)
    nondegenerate = _check_flag(nondegenerate, "nondegenerate")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise ArgumentError(f"Argument 'chunk_size' must be a positive int, not {show(chunk_size)}.")
    V = (1 << r) - (1 if nondegenerate else 0)
    NJ = comb(V + n - 1, n)
    chunks, cur, work = [], [], 0
    for I, _ in _i_reps(m, r, nondegenerate):
        lo = 0
        while lo < NJ:
            hi = min(NJ, lo + chunk_size - work)
            cur.append((I, lo, hi))
            work += hi - lo
            lo = hi
            if work >= chunk_size:
                chunks.append(tuple(cur))
                cur, work = [], 0
    if cur:
        chunks.append(tuple(cur))
    return chunks


def iter_chunk(chunk, m, n, r, nondegenerate=False, nnz=None):
    """The orbit representatives of one chunk of :func:`plan_chunks`, in order."""
    lo_z, hi_z = _check_nnz(nnz, m, n, r)
    full = (1 << r) - 1
    off = 1 if nondegenerate else 0
    V = (1 << r) - off
    pops = [bin(x).count("1") for x in range(1 << r)]
    fact_r = factorial(r)
    fI, fJ = factorial(m), factorial(n)
    for I, lo, hi in chunk:
        stab = _stabiliser_if_canonical(I, r)
        nz_i = _nnz(I, pops)
        orbit_i = fI // _multiplicity_factor(I)
        trivial = len(stab) == 1
        for J in _multisets(n, V, lo, hi):
            if off:
                J = tuple(x + 1 for x in J)
                if not _ok(J, full, True):
                    continue
            z = nz_i + _nnz(J, pops)
            if z < lo_z or z > hi_z:
                continue
            if trivial:
                aut = 1
            else:
                aut, smaller = 0, False
                for t in stab:
                    img = tuple(sorted(t[x] for x in J))
                    if img < J:
                        smaller = True
                        break
                    if img == J:
                        aut += 1
                if smaller:
                    continue
            yield Pattern(I, J, orbit_i * (fJ // _multiplicity_factor(J)) * (fact_r // aut))


def iter_patterns(m, n, r, nondegenerate=False, nnz=None):
    """Stream one representative per orbit (with its orbit size), in constant memory.

    Yields
    ------
    Pattern
        ``I``, ``J`` (sorted row masks) and ``orbit``; see :func:`pattern_arrays`.
    """
    m, n, r = check_sizes(m, n, r)
    nondegenerate = _check_flag(nondegenerate, "nondegenerate")
    _check_nnz(nnz, m, n, r)
    V = (1 << r) - (1 if nondegenerate else 0)
    NJ = comb(V + n - 1, n)
    for I, _ in _i_reps(m, r, nondegenerate):
        yield from iter_chunk(((I, 0, NJ),), m, n, r, nondegenerate, nnz)

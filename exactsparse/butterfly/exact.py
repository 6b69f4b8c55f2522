"""Exact identification of butterfly / rank-one Kronecker-sparse factorizations over Q.

The hierarchical left-to-right algorithm runs in exact arithmetic: at each split the current
matrix is tiled by disjoint rank-one blocks (ICASSP 2022 Lemma 2), and each block is read off
exactly by a pivot: ``B = u v`` with ``v`` the pivot row of ``B`` (entries of the input) and
``u = B[:, k] / B[β*, k]``.  The input is scaled to integers once, so every block check is an
integer cross-multiplication ``B[β, γ]·B[β*, k] = B[β, k]·B[β*, γ]`` and the next matrix holds
entries of the input: no coefficient growth, no division by zero on rank-deficient blocks.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms,
   with guarantees", ICASSP 2022.
"""

from __future__ import annotations

import time

import numpy as np

from .. import exact as _exact
from ..results.butterfly import ButterflyIdentification
from ..exceptions import ArgumentError, NotCoveredError, ShapeError
from .._budget import check_budget, deadline_of
from ._common import as_array, validate_perm
from .rings import CyclotomicRing, IntegerRing, cyclotomic_to_complex
from .supports import butterfly_patterns, chain_product, chain_ranks, log2_size

__all__ = ["ButterflyIdentification", "identify_butterfly", "is_butterfly"]


# ----------------------------------------------------------------------------- input
_INT64_OK = 2 ** 31     # entries and denominators below this stay in int64 (products < 2^62)


def _int_array(arr):
    """An integer numpy array as int64 when its entries are small, else Python ints (object):
    uint64 values ≥ 2^63 are never wrapped."""
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind == "b":
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu" and int(arr.max()) < _INT64_OK and int(arr.min()) > -_INT64_OK:
        return arr.astype(np.int64)
    return np.array([int(v) for v in arr.ravel().tolist()], dtype=object).reshape(arr.shape)


def _integer_form(Z):
    """``(M, D)``: integers (int64 or Python ints) ``M`` of shape (m, n, 1) with ``Z = M / D``.

    ``M`` is an object array of Python ints whenever an entry or ``D`` reaches ``2^31``, so
    that no later product (``B·piv``, ``M·D``, ``D²``) can overflow."""
    try:
        arr = np.asarray(Z)
    except (ValueError, TypeError):
        arr = None
    if arr is not None and arr.dtype.kind in "iub" and arr.ndim == 2:
        M, D = _int_array(arr), 1
    else:
        Zi, D = _exact.as_matrix(Z, "Z").numer_denom()
        M, D = np.array([[int(v) for v in row] for row in Zi.tolist()], dtype=object), int(D)
        if D < _INT64_OK:
            M = _int_array(M)
    return M[..., None], D


def _cyclotomic_form(Z, n):
    ring = CyclotomicRing(n)
    arr = as_array(Z, "Z")
    if arr.dtype.kind not in "iu" or arr.ndim != 3 or arr.shape[-1] != ring.m:
        raise ShapeError(f"Argument 'Z' must be an integer array of shape (N, N, {ring.m}) "
                         f"(coefficients in the power basis of Q(ζ_{n})), not {arr.dtype} of "
                         f"shape {arr.shape}.")
    return _int_array(arr), 1, ring


def _validate(Z, patterns, cyclotomic):
    if cyclotomic is None:
        M, D = _integer_form(Z)
        ring = IntegerRing()
    else:
        M, D, ring = _cyclotomic_form(Z, cyclotomic)
    shape = M.shape[:2]
    if 0 in shape:
        raise ShapeError(f"Argument 'Z' must be a non-empty matrix, not of shape {shape}.")
    if patterns is None:
        if shape[0] != shape[1]:
            raise ShapeError(f"Argument 'Z' must be square for the butterfly chain (or give "
                             f"'patterns'), not of shape {shape}.")
        log2_size(shape[0], "N")
        patterns = butterfly_patterns(shape[0])
    pats, ranks = chain_ranks(patterns)
    if any(r != 1 for r in ranks):
        raise ArgumentError(f"Argument 'patterns' must be a chain of rank-one splits for exact "
                            f"identification, not one with block ranks {ranks}.")
    if chain_product(pats).shape != shape:
        raise ShapeError(f"Argument 'Z' must have shape {chain_product(pats).shape} (the "
                         f"product of the pattern chain), not {shape}.")
    return M, D, ring, pats


# ----------------------------------------------------------------------------- one exact split
def _blocks(T, left, right):
    """The rank-one blocks ``(n, b₁, c₂, m)`` of the split of twiddle ``T`` (as the solver)."""
    A1, m = T.shape[0], T.shape[-1]
    p, q = right.a // left.a, left.d // right.d
    V = T.reshape(A1, right.d, left.b, q, p, right.c, m)
    return np.ascontiguousarray(V.transpose(0, 1, 3, 4, 2, 5, 6)).reshape(
        -1, left.b, right.c, m)


def _from_blocks(X, A1, left, right, side):
    """Inverse layout: block-ordered pieces → left twiddle (``side="left"``) or right twiddle."""
    p, q, d2, m = right.a // left.a, left.d // right.d, right.d, X.shape[-1]
    if side == "left":
        Y = X.reshape(A1, d2, q, p, left.b, m).transpose(0, 2, 1, 4, 3, 5)
        return np.ascontiguousarray(Y).reshape(A1, left.d, left.b, left.c, m)
    Y = X.reshape(A1, d2, q, p, right.c, m).transpose(0, 3, 1, 2, 4, 5)
    return np.ascontiguousarray(Y).reshape(A1 * p, d2, right.b, right.c, m)


def _pivots(B):
    """First nonzero entry of each block (row-major): ``(has, beta, k)``."""
    flat = (B != 0).any(axis=-1).reshape(B.shape[0], -1)
    has = flat.any(axis=1)
    idx = flat.argmax(axis=1)
    return has, idx // B.shape[2], idx % B.shape[2]


def _exact_split(B, ring):
    """Read every rank-one block of ``B`` (n, b, c, m) off exactly.

    Returns ``(col, piv, beta, bad, n_degenerate)``: the left pieces are ``col / piv``
    (``u = B[:, k] / B[β*, k]``), the right pieces the pivot rows ``B[:, β*, :]``; ``bad`` is
    None or ``(block, β*, k, β, γ)``, a block of rank > 1 with a nonzero 2×2 minor.
    """
    n = B.shape[0]
    has, beta, k = _pivots(B)
    ar = np.arange(n)
    piv = np.where(has[:, None], B[ar, beta, k], ring.one())
    col = np.where(has[:, None, None], B[ar, :, k], 0)
    col[~has, 0] = ring.one()                         # zero block: u = e₀, v = 0
    row = B[ar, beta, :]
    lhs = ring.mul(B, piv[:, None, None])
    ok = (lhs == ring.mul(col[:, :, None], row[:, None, :])).all(axis=-1)
    bad = None
    if not ok.all():
        blk = int(np.flatnonzero(~ok.reshape(n, -1).all(axis=1))[0])
        b2, g2 = np.argwhere(~ok[blk])[0]
        bad = (blk, int(beta[blk]), int(k[blk]), int(b2), int(g2))
    return col, piv, beta, bad, int((~has).sum())


def _twiddle_of(M, prod):
    """Twiddle ``(a, d, b, c, m)`` of ``M`` (rows, cols, m) restricted to ``prod``."""
    a, b, c, d = prod.a, prod.b, prod.c, prod.d
    ia, jd = np.arange(a)[:, None], np.arange(d)[None, :]
    return M.reshape(a, b, d, a, c, d, M.shape[-1])[ia, :, jd, ia, :, jd]


def _entries(ring, num, den):
    """Nested lists of exact entries ``num / den`` (trailing coefficient axes)."""
    m = num.shape[-1]
    n2, d2 = num.reshape(-1, m), den.reshape(-1, m)
    flat = [ring.fractions(x, y) for x, y in zip(n2, d2)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(num.shape[:-1]).tolist()


# ----------------------------------------------------------------------------- public entry
#: Default time budget of :func:`identify_butterfly` (seconds).
DEFAULT_BUDGET = 60.0


def identify_butterfly(Z, patterns=None, *, perm=None, row_perm=None, cyclotomic=None,
                       budget=DEFAULT_BUDGET):
    """Decide exactly whether ``Z`` is a butterfly (rank-one KS chain) product; certify it.

    Parameters
    ----------
    Z : matrix of exact numbers
        Integers, Fractions or ``"p/q"`` strings (nested lists, numpy integer/object arrays,
        flint matrices).  Floats are refused (:class:`~exactsparse.FloatInExactError`).
        With ``cyclotomic=n``: an integer array ``(N, N, n/2)`` of coefficients in the power
        basis of ``Q(ζ_n)`` (see :func:`~exactsparse.butterfly.rings.dft_cyclotomic`).
    patterns : sequence of KS patterns, optional
        A chainable chain of rank-one splits (leftmost first); default the butterfly chain of
        ``N = 2^L``.
    perm : None, "bitrev", "auto" or array of int
        A known column permutation: ``Z Pᵀ`` is identified (``Z = X_1 ⋯ X_L P``); ``"auto"``:
        unknown, recovered (butterfly chain only).
    row_perm : None, "bitrev", "auto" or array of int
        A known row permutation ``R`` (``Z[row_perm][:, perm]`` is identified,
        ``Z = Rᵀ X_1 ⋯ X_L P``), or ``"auto"``.  With an unknown permutation the
        permutations are recovered numerically
        (:func:`~exactsparse.butterfly.permutations.recover_permutations` on a float copy)
        and the identification is exact; the certificate holds them, and
        :func:`exactsparse.verify` re-checks them against the instance
        ``{"Z": Z, "perm": "auto", "row_perm": "auto"}``.  If the recovered permutations do
        not give a butterfly product the verdict is ``"unknown"`` (no permutation is
        refuted).
    cyclotomic : int, optional
        Work in ``Q(ζ_n)`` (``n`` a power of two), e.g. ``n = N`` for the DFT.
    budget : float or None
        Time budget in seconds (default 60; None: no limit), checked after each split: when
        it runs out the verdict is ``"unknown"`` with ``certificate["reason"]``,
        ``["budget"]`` and the ``["level"]`` reached.  A positive finite number; huge values
        (even ``10**400``) are clamped to 10⁶ s.

    Returns
    -------
    ButterflyIdentification
        ``verdict`` ``"butterfly"`` with the exact factors, or ``"not-butterfly"`` with a
        nonzero 2×2 minor of ``Z Pᵀ`` inside one rank-one block of a split.
        :func:`exactsparse.verify` re-checks either without calling this function.

    Raises
    ------
    PowerOfTwoError, ShapeError, FloatInExactError, NonFiniteError, ArgumentError
        On a size that is not a power of two (pad), a non-square or mismatched shape, floats,
        or a chain with blocks of rank > 1.
    BudgetError
        ``budget`` is not a positive number of seconds or None.

    See Also
    --------
    is_butterfly : the bare verdict.
    exactsparse.butterfly.butterfly_factorize : the numeric (floating-point) counterpart.
    exactsparse.butterfly.rings.dft_cyclotomic : the DFT over ``Q(ζ_n)``.
    exactsparse.verify : re-checks the certificate.

    Notes
    -----
    Exact identification (Zheng, Riccietti, Gribonval, SIMODS 2023 [1]_; ICASSP 2022 Thm 3
    [2]_): every split of a butterfly chain has pairwise disjoint rank-one supports (ICASSP
    2022 Lemma 2 [2]_), so
    ``Z = X_1 ⋯ X_L`` forces every block of every split to have rank ≤ 1; the
    left-to-right algorithm reads the factors off exactly, and when no block is zero the
    factorization is essentially unique (unique up to diagonal rescalings
    ``X_ℓ ↦ D_{ℓ−1} X_ℓ D_ℓ⁻¹``).  Integer work ``O(N² m)`` per level (``m`` the number of
    coefficients) on entries of ``Z`` only: no coefficient growth.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, SIAM J. Math. Data Sci. 5(1), 2023,
       arXiv:2110.01230.
    .. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, ICASSP 2022.

    Examples
    --------
    >>> from exactsparse import verify
    >>> H = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    >>> r = identify_butterfly(H)
    >>> r.verdict, r.certificate["essentially_unique"], bool(verify(r, H))
    ('butterfly', True, True)

    The exact factors (twiddle tensors of Fractions) multiply back to ``H`` exactly:

    >>> import numpy as np
    >>> from exactsparse.butterfly import KSPattern
    >>> def dense(pattern, twiddle):
    ...     M = np.zeros(pattern.shape, dtype=object)
    ...     rows, cols = pattern.indices()
    ...     M[rows, cols] = np.array(twiddle, dtype=object).ravel()
    ...     return M
    >>> X1, X2 = [dense(KSPattern(*p), t) for p, t in zip(r.certificate["patterns"],
    ...                                                    r.certificate["factors"])]
    >>> bool((X1 @ X2 == np.array(H)).all())
    True
    >>> P = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]  # bit reversal, N = 4
    >>> r = identify_butterfly(P)
    >>> r.verdict, r.certificate["rows"], r.certificate["cols"], r.certificate["determinant"]
    ('not-butterfly', (0, 2), (0, 1), Fraction(1, 1))
    >>> from exactsparse.butterfly.rings import dft_cyclotomic
    >>> D = dft_cyclotomic(8)                   # the DFT over Q(ζ_8)
    >>> identify_butterfly(D, cyclotomic=8, perm="bitrev").verdict
    'butterfly'

    Unknown permutations of both sides are recovered and certified:

    >>> Hs = np.array(H)[[2, 0, 3, 1]][:, [1, 3, 0, 2]]
    >>> r = identify_butterfly(Hs, perm="auto", row_perm="auto")
    >>> r.verdict, bool(verify(r, {"Z": Hs, "perm": "auto", "row_perm": "auto"}))
    ('butterfly', True)
    """
    budget = check_budget(budget)
    end = deadline_of(budget)
    M, D, ring, pats = _validate(Z, patterns, cyclotomic)
    auto_c, auto_r = (isinstance(v, str) and v == "auto" for v in (perm, row_perm))
    p = None if auto_c else validate_perm(perm, M.shape[1])
    rp = None if auto_r else validate_perm(row_perm, M.shape[0], "row_perm")
    if auto_c or auto_r:
        if patterns is not None:
            raise ArgumentError("Argument 'perm' / 'row_perm' can be 'auto' only with the "
                                "butterfly chain (patterns=None), not with a given chain.")
        rp, p = _recovered(M, D, ring, rp, p, auto_r, auto_c)
        res = _identify(M, D, ring, pats, p, rp, end, budget)
        if res.verdict == "not-butterfly":
            return _result("unknown", {
                "reason": f"the recovered permutations do not make Z a butterfly product "
                          f"(a 2×2 minor of split {res.certificate['level']} is nonzero); "
                          f"no permutation is refuted", "row_perm": _listed(rp),
                "perm": _listed(p)})
        return res
    return _identify(M, D, ring, pats, p, rp, end, budget)


def _listed(p):
    return None if p is None else p.tolist()


def _recovered(M, D, ring, rp, p, auto_r, auto_c):
    """Row and column permutations for unknown sides: the identity or bit reversal when a
    sampled rank-one test on a float copy passes, else a recovery (numeric; the exact
    identification then decides)."""
    from .permutations import candidate_perms, recover_permutations, sampled_rank_one_score
    if M.dtype == object:               # huge entries: scaled (the test is scale-free)
        big = max((abs(int(v)).bit_length() for v in M.flat), default=0)
        shift = max(0, big - 1000 - (int(D).bit_length() if ring.m == 1 else 0))
        M = M if not shift else np.array([int(v) >> shift for v in M.flat],
                                         dtype=object).reshape(M.shape)
    if ring.m == 1:
        F = np.array([[int(v) / D for v in row] for row in M[..., 0].tolist()])
    else:
        F = cyclotomic_to_complex(M.astype(object).astype(float) if M.dtype == object else M,
                                  ring.n)
    F = np.nan_to_num(F, nan=0.0, posinf=1e300, neginf=-1e300)
    rows = candidate_perms(M.shape[0]) if auto_r else (rp,)
    cols = candidate_perms(M.shape[1]) if auto_c else (p,)
    for r in rows:
        for c in cols:
            if sampled_rank_one_score(F, r, c) <= 1e-9:
                return r, c
    n, m = M.shape[:2]
    rec = recover_permutations(F, row_perm=None if auto_r else (np.arange(n) if rp is None
                                                                 else rp),
                               perm=None if auto_c else (np.arange(m) if p is None else p))
    return tuple(None if np.array_equal(q, np.arange(q.size)) else q
                 for q in (rec.row_perm, rec.perm))


def _identify(M, D, ring, pats, p, rp, end, budget):
    """The exact left-to-right identification of ``Z[rp][:, p]``."""
    Mp = M if p is None else M[:, p]
    Mp = Mp if rp is None else Mp[rp]
    prod = chain_product(pats)
    T = _twiddle_of(Mp, prod)
    r0 = np.arange(M.shape[0]) if rp is None else rp
    rows = _twiddle_of(np.broadcast_to(r0[:, None, None], M.shape[:2] + (1,)), prod)
    cols = np.arange(M.shape[1]) if p is None else p
    cols = _twiddle_of(np.broadcast_to(cols[None, :, None], M.shape[:2] + (1,)), prod)
    factors, splits = [], []
    for s in range(len(pats) - 1):
        if end is not None and time.monotonic() > end:
            return _out_of_budget(budget, s, pats)
        left, right = pats[s], chain_product(pats[s + 1:])
        B = _blocks(T, left, right)
        col, piv, beta, bad, deg = _exact_split(B, ring)
        if bad is not None:
            return _not_butterfly(M, D, ring, s, pats, p, _blocks(rows, left, right),
                                  _blocks(cols, left, right), bad, rp)
        A1, ar = T.shape[0], np.arange(B.shape[0])
        num = _from_blocks(col, A1, left, right, "left")
        den = _from_blocks(np.broadcast_to(piv[:, None], col.shape), A1, left, right, "left")
        factors.append(_entries(ring, num, den))
        splits.append({"level": s, "left": _pattern_tuple(chain_product(pats[:s + 1])),
                       "right": _pattern_tuple(right), "blocks": int(B.shape[0]),
                       "degenerate": deg})
        T = _from_blocks(B[ar, beta], A1, left, right, "right")
        rows = _from_blocks(_blocks(rows, left, right)[ar, beta], A1, left, right, "right")
        cols = _from_blocks(_blocks(cols, left, right)[ar, beta], A1, left, right, "right")
    den = np.zeros(T.shape, dtype=object)
    den[..., 0] = D
    factors.append(_entries(ring, T, den))
    return _butterfly(ring, pats, p, factors, splits, rp)


def _out_of_budget(budget, level, pats):
    return _result("unknown", {
        "reason": f"the time budget of {budget:g} s ran out before split {level} of "
                  f"{len(pats) - 1}",
        "budget": budget, "level": level,
        "patterns": tuple(_pattern_tuple(q) for q in pats)})


def _pattern_tuple(p):
    return (p.a, p.b, p.c, p.d)


def _result(verdict, cert):
    return ButterflyIdentification(kind=ButterflyIdentification.KIND, verdict=verdict,
                                   certificate=cert, theorem="butterfly.exact",
                                   backend="integer")


def _butterfly(ring, pats, perm, factors, splits, row_perm=None):
    return _result("butterfly", {
        "field": ring.to_json_field(), "patterns": [_pattern_tuple(p) for p in pats],
        "perm": _listed(perm), "row_perm": _listed(row_perm), "factors": factors,
        "splits": splits, "essentially_unique": all(sp["degenerate"] == 0 for sp in splits)})


def _not_butterfly(M, D, ring, s, pats, perm, rows, cols, bad, row_perm=None):
    blk, b1, k1, b2, k2 = bad
    r = (int(rows[blk, b1, k1, 0]), int(rows[blk, b2, k2, 0]))
    c = (int(cols[blk, b1, k1, 0]), int(cols[blk, b2, k2, 0]))
    den = np.zeros(M.shape[-1], dtype=object)
    den[0] = D
    minor = [[ring.fractions(M[i, j], den) for j in c] for i in r]
    det = ring.mul(M[r[0], c[0]], M[r[1], c[1]]) - ring.mul(M[r[0], c[1]], M[r[1], c[0]])
    return _result("not-butterfly", {
        "field": ring.to_json_field(), "level": s,
        "left": _pattern_tuple(chain_product(pats[:s + 1])),
        "right": _pattern_tuple(chain_product(pats[s + 1:])),
        "patterns": [_pattern_tuple(p) for p in pats],
        "perm": _listed(perm), "row_perm": _listed(row_perm),
        "rows": r, "cols": c, "minor": minor,
        "determinant": ring.fractions(det, ring.one().astype(object) * (D * D))})


def is_butterfly(Z, patterns=None, **kwargs):
    """True when ``Z`` is exactly a product in the (default butterfly) chain.

    Parameters
    ----------
    Z, patterns, **kwargs
        As :func:`identify_butterfly` (``perm``, ``cyclotomic``, ``budget``).

    Returns
    -------
    bool
        ``identify_butterfly(Z, patterns, **kwargs).verdict == "butterfly"``.

    Raises
    ------
    PowerOfTwoError, ShapeError, FloatInExactError, ArgumentError, BudgetError
        As :func:`identify_butterfly`.
    NotCoveredError
        The budget ran out (verdict ``"unknown"``; the message gives the reason).

    See Also
    --------
    identify_butterfly : the verdict with its certificate (the factors or a nonzero minor).

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, SIAM J. Math. Data Sci. 5(1), 2023,
       arXiv:2110.01230.

    Examples
    --------
    >>> is_butterfly([[1, 1], [1, -1]]), is_butterfly([[1, 2], [3, 4]])
    (True, True)
    >>> is_butterfly([[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])
    False

    A product of two factors with the butterfly supports of ``N = 4`` is one:

    >>> import numpy as np
    >>> X1 = [[1, 0, 2, 0], [0, 3, 0, -1], [5, 0, 1, 0], [0, 1, 0, 4]]   # support S_2
    >>> X2 = [[2, 1, 0, 0], [1, -3, 0, 0], [0, 0, 1, 7], [0, 0, 2, 1]]   # support S_1
    >>> is_butterfly(np.dot(X1, X2))
    True
    """
    res = identify_butterfly(Z, patterns, **kwargs)
    if res.verdict == "unknown":
        raise NotCoveredError(f"Whether Z is a butterfly product is undecided: "
                              f"{res.certificate['reason']}.")
    return res.verdict == "butterfly"

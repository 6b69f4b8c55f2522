"""One split of a chainable Kronecker-sparse chain: the two-factor step of the hierarchical
solver, in twiddle form.

Splitting ``M`` (pattern ``left·right``) into ``L R`` is a set of independent best rank-``r``
problems on blocks with pairwise disjoint supports that tile ``M`` (ICASSP 2022 Lemma 2 [1]_):
a reshape of the twiddle tensor plus a batched solve — the closed-form 2×2 Gram eigenproblem
for ``2×m`` / ``m×2`` rank-one blocks (read in memory order, in cache-sized chunks), a batched
power iteration for large rank-one blocks, a batched SVD / subspace iteration for rank ``r``.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms, with
   guarantees", ICASSP 2022.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ArgumentError, ShapeError, SizeLimitError, show
from ._common import check_int, check_kernel_array, parse_dtype
from .lowrank import balance, eig2, lowrank, pair_gram, rank1_power
from .supports import KSPattern, bit_reversal_permutation, check_chainable
from .workspace import MAX_BYTES, take_raw

__all__ = ["split", "empty_away"]


# ----------------------------------------------------------------------------- one split
def split(T, left, right, r, scale_to, scaling, spare=None, perm=None, spare_for="right",
          rows=None):
    """Best split ``M ≈ L R`` of the twiddle ``T`` of ``M`` (pattern ``left·right``).

    The blocks indexed by ``(i, j₂, σ, u)`` of the view ``T[i, j₂, β₁, σ, u, γ₂]`` are the
    disjoint rank-``r`` problems of the split; returns the twiddles of ``L`` and ``R``.
    ``R`` (or ``L`` when ``spare_for == "left"``) is written into ``spare`` (a free flat
    buffer, not aliasing ``T``) when it fits.  Permutations folded into the split:

    - ``perm`` (an index array; rank-one ``2 × c`` blocks) permutes the columns of every
      block ``T[i, j]`` of ``M`` on the fly (no permuted copy of ``M``);
    - ``perm="bitrev"`` (any rank-one split, ``p·c₂ = 2^m`` columns per slice) reads them
      bit-reversed as a strided view: ``br(u·c₂ + γ) = br_{c₂}(γ)·p + br_p(u)``, so block
      ``u`` of ``M[:, br]`` is block ``br_p(u)`` of the view with its columns read
      bit-reversed.  ``R`` is returned with its blocks in order (a gather of the small
      block axis when ``p > 2``) and its columns still to be read bit-reversed (``c₂ > 2``);
      ``L`` with its columns still to be read bit-reversed (``p > 2``): the next splits of
      either part take ``perm="bitrev"`` again, so no tree ever gathers ``M``;
    - ``rows`` (an index array, ``2 × c`` blocks, ``T`` of shape ``(K, 1, m, n)``) permutes
      the rows of ``M``.

    >>> import numpy as np
    >>> from exactsparse.butterfly import butterfly_patterns, chain_product
    >>> from exactsparse.butterfly.supports import bit_reversal_permutation
    >>> p0, rest = butterfly_patterns(8)[0], chain_product(butterfly_patterns(8)[1:])
    >>> M = np.random.default_rng(0).standard_normal((8, 8))
    >>> br = bit_reversal_permutation(8)
    >>> TL, TR = split(M.reshape(1, 1, 8, 8), p0, rest, 1, "right", "unit", perm="bitrev")
    >>> TL2, TR2 = split(M[:, br].reshape(1, 1, 8, 8), p0, rest, 1, "right", "unit")
    >>> bool(np.allclose(TL, TL2) and np.allclose(TR[..., bit_reversal_permutation(4)], TR2))
    True
    >>> q, rest = butterfly_patterns(8)[2], chain_product(butterfly_patterns(8)[:2])
    >>> TL, TR = split(M.reshape(1, 1, 8, 8), rest, q, 1, "left", "unit", perm="bitrev")
    >>> TL2, TR2 = split(M[:, br].reshape(1, 1, 8, 8), rest, q, 1, "left", "unit")
    >>> bool(np.allclose(TL[..., bit_reversal_permutation(4)], TL2) and np.allclose(TR, TR2))
    True
    """
    _check_split(T, left, right, r, scale_to, scaling, spare, perm, spare_for, rows)
    with np.errstate(all="ignore"):
        return _split(T, left, right, r, scale_to, scaling, spare, perm, spare_for, rows)


def _check_split(T, left, right, r, scale_to, scaling, spare, perm, spare_for, rows=None):
    """The arguments of :func:`split`, checked in O(1) (entries are not read, except a
    permutation's)."""
    check_kernel_array(T, "T", ndim=4)
    for name, pat in (("left", left), ("right", right)):
        if not isinstance(pat, KSPattern):
            raise ArgumentError(f"Argument {name!r} must be a KSPattern, not {show(pat)}.")
    check_chainable(left, right)
    # the twiddle (a, d, b, c) of the product pattern (a₁, m/(a₁d₂), n/(a₁d₂), d₂)
    d = right.d
    tail = (d, left.b * left.d // d, right.a * right.c // left.a)
    if T.shape[0] % left.a or T.shape[1:] != tail:
        raise ShapeError(f"Argument 'T' must have shape (K·{left.a}, *{tail}) (the twiddle of "
                         f"the product of {left} and {right}), not {T.shape}.")
    if check_int(r, "r") != left.a * left.c // right.a:
        raise ArgumentError(f"Argument 'r' must be the rank {left.a * left.c // right.a} of "
                            f"the split {left}·{right}, not {show(r)}.")
    for name, v, ok in (("scale_to", scale_to, ("left", "right")),
                        ("scaling", scaling, ("unit", "sqrt")),
                        ("spare_for", spare_for, ("left", "right", None))):
        if not (v is None and None in ok) and (not isinstance(v, str) or v not in ok):
            raise ArgumentError(f"Argument {name!r} must be one of {ok}, not {show(v)}.")
    if spare is not None and (not isinstance(spare, np.ndarray) or spare.ndim != 1):
        raise ArgumentError(f"Argument 'spare' must be None or a flat numpy array, not "
                            f"{show(spare)}.")
    bitrev = isinstance(perm, str) and perm == "bitrev"
    if ((perm is not None and not bitrev) or rows is not None) and (r != 1 or left.b != 2) \
            or (bitrev and r != 1):
        raise ArgumentError(f"Arguments 'perm' and 'rows' must be None for the split "
                            f"{left}·{right} (rank-one 2 × c blocks only; 'bitrev': rank "
                            f"one), not {show(perm)} and {show(rows)}.")
    n = (right.a // left.a) * right.c
    if isinstance(perm, str):
        if not bitrev or n & (n - 1):
            raise ArgumentError(f"Argument 'perm' must be an index array, or 'bitrev' for a "
                                f"split with 2^m columns per block, not "
                                f"{show(perm)} for {left}·{right}.")
    elif perm is not None:
        _check_index(perm, "perm", n, "column")
    if rows is not None:
        if left.a != 1 or right.d != 1:
            raise ArgumentError(f"Argument 'rows' must be None for the split {left}·{right} "
                                f"(a row permutation of M needs a = 1 on the left and d = 1 "
                                f"on the right), not {show(rows)}.")
        _check_index(rows, "rows", T.shape[2], "row")


def _check_index(idx, name, n, what):
    if not isinstance(idx, np.ndarray) or idx.dtype.kind not in "iu" \
            or idx.shape != (n,) or (n and (idx.min() < 0 or idx.max() >= n)):
        raise ArgumentError(f"Argument {name!r} must be None or an integer array of "
                            f"{n} {what} indices in range({n}), not {show(idx)}.")


def _split(T, left, right, r, scale_to, scaling, spare, perm, spare_for, rows=None):
    A1 = T.shape[0]
    b1, c1, d1 = left.b, left.c, left.d
    b2, c2, d2 = right.b, right.c, right.d
    p, q = right.a // left.a, d1 // d2
    V = T.reshape(A1, d2, b1, q, p, c2)
    if isinstance(perm, str):                   # "bitrev": column γ·p + u of each block
        V = T.reshape(A1, d2, b1, q, c2, p).swapaxes(-1, -2)
    TL = _buffer((A1, d1, b1, c1), T.dtype, spare if spare_for == "left" else None, (T,))
    TR = _buffer((A1 * p, d2, b2, c2), T.dtype, spare if spare_for == "right" else None,
                 (T, TL))
    Lv = TL.reshape(A1, q, d2, b1, p, r).transpose(0, 2, 1, 4, 3, 5)
    Rv = TR.reshape(A1, p, d2, r, q, c2).transpose(0, 2, 4, 1, 3, 5)
    if r == 1 and b1 == 2:
        _split_rows(T, V, Lv, Rv, scale_to, scaling, perm, rows)
    elif r == 1 and c2 == 2:
        _split_cols(V, Lv, Rv, scale_to, scaling)
    elif r == 1:
        for idx in _chunks(V.shape, _CHUNK // V.itemsize):
            v6 = idx[:2] + (slice(None),) + idx[2:]
            _split_power(V[v6], Lv[idx], Rv[idx], scale_to, scaling)
    else:
        _split_generic(V, Lv, Rv, r, scale_to, scaling)
    if isinstance(perm, str) and p > 2:         # block v of the view is block br_p(v)
        TR = TR.reshape(A1, p, -1)[:, bit_reversal_permutation(p)].reshape(TR.shape)
    return TL, TR


def _buffer(shape, dtype, spare, away=()):
    """An array of ``shape`` in the free flat buffer ``spare`` when it fits, else a new one
    (recycled memory is already mapped: no page faults on the first write); its start is
    placed away from the arrays ``away`` modulo the page (:func:`empty_away`)."""
    size = int(np.prod(shape, dtype=np.int64))
    if spare is not None and spare.size >= size and spare.dtype == dtype:
        room = (spare.size - size) * spare.itemsize
        k = _best_shift(spare.__array_interface__["data"][0], away, room) if size * spare.itemsize >= _SMALL else 0
        return spare[k // spare.itemsize:][:size].reshape(shape)
    return _placed(shape, dtype, away)


#: the page: two arrays whose addresses agree modulo it make a stream of stores and a
#: stream of loads alias in the CPU's store buffer ("4K aliasing")
_PAGE = 4096
#: the step between candidate shifts of a buffer's start, and the size (bytes) below which
#: buffers are allocated as usual (their placement is not worth the call)
_SHIFT = 256
_SMALL = 1 << 14


def _best_shift(addr, away, room=_PAGE):
    """The shift (bytes, a multiple of ``_SHIFT``, at most ``room``) of ``addr`` that puts
    it farthest, modulo the page, from the starts of the arrays ``away``."""
    refs = [a.__array_interface__["data"][0] % _PAGE for a in away if a is not None]
    if not refs:
        return 0
    best, best_gap = 0, -1
    for k in range(0, min(room, _PAGE - _SHIFT) + 1, _SHIFT):
        r = (addr + k) % _PAGE
        gap = min(min((r - x) % _PAGE, (x - r) % _PAGE) for x in refs)
        if gap > best_gap:
            best, best_gap = k, gap
    return best


def _check_empty_away(shape, dtype, away):
    """The arguments of :func:`empty_away`, checked (sizes before any allocation)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, tuple) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) and n >= 0
            for n in shape):
        raise ArgumentError(f"Argument 'shape' must be a tuple of non-negative ints, not "
                            f"{show(shape)}.")
    dt = parse_dtype(dtype)
    if dt is None or dt.kind not in "fc":
        raise ArgumentError(f"Argument 'dtype' must be a float or complex dtype, not "
                            f"{show(dtype)}.")
    size = 1
    for n in shape:
        size *= int(n)
    if size * dt.itemsize > MAX_BYTES:
        raise SizeLimitError(f"Argument 'shape' must hold at most {MAX_BYTES} bytes of "
                             f"{dt}, not {show(shape)}.")
    if not isinstance(away, (tuple, list)) or not all(
            a is None or isinstance(a, np.ndarray) for a in away):
        raise ArgumentError(f"Argument 'away' must be a tuple of numpy arrays, not "
                            f"{show(away)}.")
    return tuple(int(n) for n in shape), dt, tuple(away)


def _placed_copy(x, away):
    """A copy of ``x`` placed by :func:`empty_away` (away from the arrays ``away``)."""
    out = _placed(x.shape, x.dtype, away)
    out[...] = x
    return out


def _zeros_away(shape, dtype, away, count):
    """``count`` zero arrays of ``shape``, each away from ``away`` and from the others."""
    out = []
    for _ in range(count):
        z = _placed(shape, dtype, tuple(away) + tuple(out))
        z[...] = 0
        out.append(z)
    return out


def empty_away(shape, dtype, away=()):
    """An uninitialised array of ``shape`` whose start is far, modulo the 4 KiB page, from
    the starts of the arrays in ``away`` (arrays under 16 KiB, or with ``away`` empty, are a
    plain ``numpy.empty``: not placed).

    Large allocations are served by ``mmap`` at the same offset in a page, so a scratch
    buffer written while the input is read would otherwise alias it in the store buffer:
    the whole pass then runs 2-3x slower (measured on the ``b × 2`` split at N = 2048:
    16.1 ms against 5.3 ms).  The same holds for a small array of sums stored row after row
    while rows are read.

    >>> import numpy as np
    >>> A = np.empty((512, 512))
    >>> B = empty_away((512, 512), A.dtype, (A,))
    >>> B.shape, B.dtype == A.dtype, (B.ctypes.data - A.ctypes.data) % 4096 >= 1024
    ((512, 512), True, True)
    """
    shape, dtype, away = _check_empty_away(shape, dtype, away)
    return _placed(shape, dtype, away)


def _placed(shape, dtype, away):
    """:func:`empty_away` without the argument checks (the solver's own calls)."""
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for n in shape:
        nbytes *= n
    if nbytes < _SMALL or not away:
        return np.empty(shape, dtype)
    raw = take_raw(nbytes + _PAGE)
    k = _best_shift(raw.__array_interface__["data"][0], away)
    return raw[k:k + nbytes].view(dtype).reshape(shape)


#: bytes of the current matrix handled at once by the rank-one power iteration: the chunk
#: stays in the (L2/L3) cache while its blocks are read the three to six times it needs,
#: and is large enough that the per-chunk numpy overhead stays small
_CHUNK = 1 << 21
#: bytes of rows handled at once when the ``b × 2`` Gram is accumulated over the row axis
_ROWS_CHUNK = 1 << 19


def _chunks(shape, budget):
    """Index tuples over the block axes ``(A1, d2, q, p)`` of ``V`` (shape ``(A1, d2, b1, q,
    p, c2)``) cutting it into chunks of about ``budget`` entries, in memory order.

    The outermost block axis whose single index holds at most ``budget`` entries is cut into
    slices of several indices; the axes outside it are looped over one index at a time.
    """
    A1, d2, b1, q, p, c2 = shape
    dims = (A1, d2, q, p)
    per = b1 * c2 * A1 * d2 * q * p
    for k, n in enumerate(dims):
        per //= n                              # entries under one index of axis k
        if per <= budget:
            break
    step = max(1, budget // max(per, 1))
    full = (slice(None),) * (3 - k)
    for outer in np.ndindex(*dims[:k]):
        head = tuple(slice(i, i + 1) for i in outer)
        for s0 in range(0, dims[k], step):
            yield head + (slice(s0, s0 + step),) + full


#: bytes of the current matrix split at once by :func:`_split_rows`: the chunk's row pairs
#: are read from memory once, then re-read from the cache (Gram, then the right piece)
_PAIR_CHUNK = 1 << 22


def _split_rows(T, V, Lv, Rv, scale_to, scaling, perm=None, rows=None, budget=None):
    """``2 × c`` rank-one blocks: closed-form 2×2 Gram eigenvector on the row side.

    The blocks are handled a chunk at a time (about ``budget`` bytes of ``V``, default
    ``_PAIR_CHUNK``; whole blocks, in memory order).  ``V`` is the 6-axis view of ``T``
    (bit-reversed when ``perm == "bitrev"``); an index array ``perm`` gathers the columns
    of each chunk and ``rows`` (over the ``2q`` rows of ``M``) its rows: ``M[rows][:, perm]``
    is split without a permuted copy of ``M``.
    """
    A1, d2, b1, q, p, c2 = V.shape
    bitrev = isinstance(perm, str)
    cols = None if bitrev else perm
    T5 = T.reshape(A1, d2, b1, q, p * c2)
    rows2 = None if rows is None else rows.reshape(b1, q)
    budget = _PAIR_CHUNK if budget is None else budget
    for ia, ja, sq in _pair_chunks(V.shape, budget // V.itemsize):
        if rows2 is None and cols is None:
            Vc = V[ia, ja, :, sq]
        else:
            X = (T5[ia, ja, :, sq] if rows2 is None
                 else np.take(T[ia, ja], rows2[:, sq], axis=2))
            if cols is not None:
                X = np.take(X, cols, axis=-1)
            Vc = (X.reshape(X.shape[:4] + (c2, p)).swapaxes(-1, -2) if bitrev
                  else X.reshape(X.shape[:4] + (p, c2)))
        _pair_solve(Vc, Lv[ia, ja, sq], Rv[ia, ja, sq], scale_to, scaling)


def _pair_chunks(shape, budget):
    """Index triples over the axes ``(A1, d2, q)`` of ``V`` (shape ``(A1, d2, b1, q, p,
    c2)``) cutting it into chunks of about ``budget`` entries (whole blocks; memory order):
    the outermost axis whose single index holds at most ``budget`` entries is cut into
    slices of several indices, the axes outside it are looped over one index at a time."""
    A1, d2, b1, q, p, c2 = shape
    per_q = b1 * p * c2
    if d2 * q * per_q <= budget:                          # several outer indices at once
        step = max(1, budget // (d2 * q * per_q))
        for a0 in range(0, A1, step):
            yield slice(a0, a0 + step), slice(None), slice(None)
    elif q * per_q <= budget:                             # several d2 indices at once
        step = max(1, budget // (q * per_q))
        for a in range(A1):
            for j0 in range(0, d2, step):
                yield slice(a, a + 1), slice(j0, j0 + step), slice(None)
    else:
        step = max(1, budget // per_q)
        for a in range(A1):
            for j in range(d2):
                for s0 in range(0, q, step):
                    yield slice(a, a + 1), slice(j, j + 1), slice(s0, s0 + step)


def _pair_solve(Vc, Lc, Rc, scale_to, scaling):
    """The rank-one ``2 × c2`` blocks of one chunk ``Vc`` (a, d, 2, k, p, c2)."""
    X0, X1 = Vc[:, :, 0], Vc[:, :, 1]
    u, lam = eig2(*pair_gram(X0, X1), Vc.dtype)
    fu, fs = balance(np.sqrt(lam), scaling, unit_side_carries=scale_to == "left")
    Lc[..., 0] = u * fu[..., None]
    np.matmul((u.conj() * fs[..., None])[..., None, :], Vc.transpose(0, 1, 3, 4, 2, 5),
              out=Rc)


def _split_cols(V, Lv, Rv, scale_to, scaling):
    """``b × 2`` rank-one blocks: closed-form 2×2 Gram eigenvector on the column side.

    The rows of a block are strided (axis ``b1`` of ``V``), so everything runs in memory
    order over slabs of rows that fit in the cache: one pass accumulates the Gram of the two
    columns, a second writes the left piece ``B c`` straight into ``Lv`` (no temporaries of
    the size of ``V``).  For a real ``V`` the column pair ``(x, y)`` is read as one complex
    column ``z = x + iy`` (a view) in the second pass: ``B c = Re(z (c₀ − i c₁))``.
    """
    A1, d2, b1, q, p, _ = V.shape
    step = max(1, (_ROWS_CHUNK // V.itemsize) // max(1, V.size // b1))
    if V.strides[-1] > V.strides[-2] > 0:      # the bit-reversed view: two column slabs
        return _split_col_slabs(V, Lv, Rv, scale_to, scaling)
    cplx = np.iscomplexobj(V)
    # the sums over rows are stored row by row while V is read: keep them off V's page
    # offset (and off each other's), see empty_away
    ps, gp = _zeros_away((A1, d2, q, p, 2), V.real.dtype, (V,), 2)
    w, gw = _zeros_away((A1, d2, q, p), V.dtype, (V, ps, gp), 2)
    for b0 in range(0, b1, step):
        C = V[:, :, b0:b0 + step]
        re = C.real if cplx else C
        ps += np.einsum("ijbsuc,ijbsuc->ijsuc", re, re, out=gp)
        if cplx:
            ps += np.einsum("ijbsuc,ijbsuc->ijsuc", C.imag, C.imag, out=gp)
        w += np.einsum("ijbsu,ijbsu->ijsu", C[..., 1].conj(), C[..., 0], out=gw)
    u, lam = eig2(ps[..., 0], ps[..., 1], w, V.dtype)
    pair = _as_pairs(V)
    fu, fs = balance(np.sqrt(lam), scaling, unit_side_carries=scale_to == "right")
    cu = (u.conj() * fs[..., None])[:, :, None]                 # (A1, d2, 1, q, p, 2)
    Lt = np.moveaxis(Lv[..., 0], -1, 2)                         # (A1, d2, b1, q, p) view
    if pair is not None:
        tmp = _placed((A1, d2, min(step, b1), q, p), pair.dtype, (V, Lt))
        # the multipliers are read again for every row: off the page offsets of the
        # streams too (a badly placed copy made this loop 4x slower, 14 ms against 3.4 ms)
        cz = _placed(cu.shape[:-1], pair.dtype, (V, Lt, tmp))
        np.subtract(cu[..., 0], 1j * cu[..., 1], out=cz)
        for b0 in range(0, b1, step):
            Z = pair[:, :, b0:b0 + step]
            t = tmp[:, :, :Z.shape[2]]
            np.multiply(Z, cz, out=t)
            Lt[:, :, b0:b0 + step] = t.real
    else:
        tmp = _placed((A1, d2, min(step, b1), q, p, 2), V.dtype, (V, Lt))
        cu = _placed_copy(cu, (V, Lt, tmp))
        for b0 in range(0, b1, step):
            C = V[:, :, b0:b0 + step]
            t = tmp[:, :, :C.shape[2]]
            np.multiply(C, cu, out=t)
            np.add(t[..., 0], t[..., 1], out=Lt[:, :, b0:b0 + step])
    Rv[..., 0, :] = u * fu[..., None]


def _split_col_slabs(V, Lv, Rv, scale_to, scaling):
    """:func:`_split_cols` on the bit-reversed view, whose two columns ``V[..., 0]`` and
    ``V[..., 1]`` are two slabs read in memory order (no strided pairs), ``_SLAB_CHUNK``
    bytes of rows at a time through one scratch buffer."""
    A1, d2, b1, q, p, _ = V.shape
    step = max(1, (_SLAB_CHUNK // V.itemsize) // max(1, V.size // b1))
    X0, X1 = V[..., 0], V[..., 1]
    cplx = np.iscomplexobj(V)
    tmp = _placed((A1, d2, min(step, b1), q, p), V.dtype, (V, X1, Lv))
    # complex slabs with contiguous rows: ‖x‖² summed over the float view (one fused pass),
    # then the re/im halves added (81 -> 62 ms on the DFT's first right split, N = 4096)
    flat = cplx and X0.strides[-1] == X0.itemsize
    rdt = V.real.dtype
    s0, s1, gr = _zeros_away((A1, d2, q, 2 * p if flat else p), rdt, (tmp,), 3)
    w, gw = _zeros_away((A1, d2, q, p), V.dtype, (tmp, s0, s1, gr), 2)
    for b0 in range(0, b1, step):
        C0, C1 = X0[:, :, b0:b0 + step], X1[:, :, b0:b0 + step]
        t = tmp[:, :, :C0.shape[2]]
        for acc, x in ((s0, C0), (s1, C1)):                    # Σ_b |x|²
            for part in ((x.view(rdt),) if flat else (x.real, x.imag) if cplx else (x,)):
                acc += np.einsum(_ROWSUM, part, part, out=gr)
        w += np.einsum(_ROWSUM, np.conjugate(C1, out=t) if cplx else C1, C0,
                       out=gw)                                   # Σ_b conj(x) y
    if flat:
        s0, s1 = s0[..., 0::2] + s0[..., 1::2], s1[..., 0::2] + s1[..., 1::2]
    u, lam = eig2(s0, s1, w, V.dtype)
    fu, fs = balance(np.sqrt(lam), scaling, unit_side_carries=scale_to == "right")
    cu = (u.conj() * fs[..., None])[:, :, None]                 # (A1, d2, 1, q, p, 2)
    c0, c1 = (_placed_copy(cu[..., i], (V, X1, Lv, tmp)) for i in (0, 1))
    Lt = np.moveaxis(Lv[..., 0], -1, 2)                         # (A1, d2, b1, q, p) view
    for b0 in range(0, b1, step):
        C0, C1 = X0[:, :, b0:b0 + step], X1[:, :, b0:b0 + step]
        t = tmp[:, :, :C0.shape[2]]
        out = Lt[:, :, b0:b0 + step]
        np.multiply(C0, c0, out=out)
        np.multiply(C1, c1, out=t)
        out += t
    Rv[..., 0, :] = u * fu[..., None]


#: bytes of rows of the two column slabs handled at once by :func:`_split_col_slabs`
_SLAB_CHUNK = 1 << 20
#: a sum over the rows (axis 2) of the product of two chunks
_ROWSUM = "ijbsu,ijbsu->ijsu"


def _as_pairs(V):
    """The last axis (length 2) of a real ``V`` viewed as one complex entry, or None."""
    if V.dtype not in (np.float32, np.float64) or V.strides[-1] != V.itemsize:
        return None
    ctype = np.complex64 if V.dtype == np.float32 else np.complex128
    try:
        return V.view(ctype)[..., 0]
    except ValueError:        # a view numpy cannot reinterpret: take the generic route
        return None


def _split_power(V, Lv, Rv, scale_to, scaling):
    """Rank-one blocks larger than ``2 × 2`` on both sides: batched power iteration started
    from each block's largest row (exact in one step on exact blocks), see
    :func:`~exactsparse.butterfly.lowrank.rank1_power`.  A chunk whose rows are strided
    (the bit-reversed view: its columns are ``p`` entries apart) is copied first, so the
    power steps read contiguous rows (3.1 s -> 1.0 s on the first balanced split of the
    DFT at N = 8192)."""
    if V.strides[-1] != V.itemsize:
        Vc = _placed(V.shape, V.dtype, (V,))
        np.copyto(Vc, V)
        V = Vc
    u, row = rank1_power(V)
    sigma = np.sqrt(_sqnorm_last(row))
    fu, fs = balance(sigma, scaling, unit_side_carries=scale_to == "left")
    Lv[..., 0] = u * fu[..., None]
    Rv[..., 0, :] = row * fs[..., None]


def _sqnorm_last(X):
    return np.einsum("...k,...k->...", X, X.conj()).real


def _split_generic(V, Lv, Rv, r, scale_to, scaling):
    """General rank-``r`` blocks: batched SVD (small) or subspace iteration (large)."""
    A1, d2, b1, q, p, c2 = V.shape
    B = np.ascontiguousarray(V.transpose(0, 1, 3, 4, 2, 5)).reshape(-1, b1, c2)
    U, S, Vh = lowrank(B, r)
    mask = (S > 0).astype(S.dtype)        # σ = 0: both pieces zero, not a unit vector
    if scaling == "sqrt":
        fl = fr = np.sqrt(S)
    elif scale_to == "left":
        fl, fr = S, mask
    else:
        fl, fr = mask, S
    Lv[...] = (U * fl[:, None, :]).reshape(A1, d2, q, p, b1, r)
    Rv[...] = (Vh * fr[:, :, None]).reshape(A1, d2, q, p, r, c2)

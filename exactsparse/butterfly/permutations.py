"""Recovering unknown row and column permutations of a butterfly product ``R A Pᵀ = X_1 ⋯ X_L``.

A square-dyadic butterfly product ``B = X_1 ⋯ X_L`` (``N = 2^L``, ``factors[0] = X_1`` of
pattern ``1_{2×2} ⊗ I_{N/2}``) has, for every split after ``ℓ`` factors, rank-one blocks on
the supports ``{rows r : r ≡ j mod n} × {columns [k n, (k+1) n)}`` with ``n = N/2^ℓ``
(ICASSP 2022 Lemma 2 [1]_).  For a product with shuffled rows and columns, ``A = Rᵀ B P``,
the same blocks exist on unknown index sets.  They are nested: at level ``ℓ + 1`` two row
*groups* of level ``ℓ`` merge and every column *block* splits into two halves.  This module
finds them level by level, by alternating clustering of the rank-one structure [2]_:

* a *pairing* of the groups given (some) columns of the halves: two partner groups are
  proportional on every half, so their phase-normalised restrictions coincide (nearest
  neighbours of these features, with more columns while any neighbour is ambiguous);
* the *halves* of every block given a few pairs: the 2-vectors ``(a[c], b[c])`` of a pair lie
  on two lines, one per half, so the columns form two clusters of directions;
* a *bootstrap* when both are unknown: for one group ``g`` and every candidate ``h`` the
  sampled columns of a block must fall on at most two lines (two ratio values
  ``A[h, c] / A[g, c]``), which only the partner does generically.

Each step reads ``O(N)`` entries (a few groups over all columns, or all groups over a few
columns) plus ``O(n log n)`` for the neighbour search, so the recovery reads far fewer
entries than the ``O(N²)`` solver that follows.  Degenerate inputs (e.g. a Hadamard matrix,
where many pairings fit) take more columns, up to whole halves; any consistent choice is
correct, and a failure is reported (``consistent`` False) — the caller checks the fit.
Noiseless products are recovered exactly.  With noise (real entries are heavy-tailed), a
greedy pairing is improved by exchanges of partners, and the two-line fit is started twice
(more starts for a block of outlying residual), keeping the smaller rank-one residual: the
error was within 2× of the known-permutation error on every measured seed (docs/butterfly.md).

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast transforms,
   with guarantees", ICASSP 2022.
.. [2] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .._budget import NO_DEADLINE, Deadline, OutOfBudget, check_budget
from ._common import check_perm_arguments, pow2_normalised, raise_non_finite
from .rankone_test import candidate_perms, sampled_rank_one_score
from .supports import log2_size

__all__ = ["recover_permutations", "sampled_rank_one_score", "PermutationRecovery",
           "candidate_perms"]

_MEMBERS = 4          # group members combined into one representative row
_PAIRS = 32           # pairs used to split the blocks into halves
_SAMPLE = 12          # columns sampled by the bootstrap
_READ = 1 << 19       # entries read by one split of the blocks (at most)
_STARTS = 8          # more starts of the two-line fit for an outlying block


class PermutationRecovery(tuple):
    """``(row_perm, perm, consistent)`` of :func:`recover_permutations` (a named tuple).

    ``A[row_perm][:, perm]`` is the (candidate) butterfly product; ``consistent`` is False
    when some step had to choose among ambiguous candidates without a clear winner, or when
    the time budget ran out.  ``stop`` (not part of the tuple) is ``"converged"`` (every
    level was searched) or ``"budget"`` (the budget ran out: the levels not searched were
    completed arbitrarily)."""

    def __new__(cls, row_perm, perm, consistent, stop="converged"):
        obj = super().__new__(cls, (row_perm, perm, consistent))
        obj.stop = stop
        return obj

    def __getnewargs__(self):
        return (*self, self.stop)

    row_perm = property(lambda self: self[0])
    perm = property(lambda self: self[1])
    consistent = property(lambda self: self[2])


def recover_permutations(A, *, row_perm=None, perm=None, seed=0, budget=None):
    """Row and column permutations making ``A[row_perm][:, perm]`` a butterfly product.

    Parameters
    ----------
    A : numpy.ndarray, shape (N, N)
        Real or complex, finite, ``N = 2^L`` (validated by the caller).
    row_perm, perm : array of int or None
        A known permutation (kept as is) or None (unknown: recovered).
    seed : int
        Seed of the random column and pair samples.
    budget : float or None
        Time budget in seconds (None: no limit), checked between the steps of the search.
        When it runs out the search stops: the levels found so far are kept, the others are
        completed arbitrarily (valid permutations, ``consistent`` False, ``stop`` "budget").

    Returns
    -------
    PermutationRecovery
        ``(row_perm, perm, consistent)``, int64 arrays; its ``stop`` is ``"converged"`` or
        ``"budget"``.

    Raises
    ------
    BudgetError
        ``budget`` not a positive finite number (or None).

    Notes
    -----
    Theorem (rank-one structure; ICASSP 2022 Lemma 2 [1]_, SIMODS 2023 [2]_): ``B`` is a
    product ``X_1 ⋯ X_L`` with the butterfly supports iff for every ``ℓ`` the blocks
    ``B[{r ≡ j mod N/2^ℓ}, [kN/2^ℓ, (k+1)N/2^ℓ)]`` have rank at most one.  Any relabelling
    of the rows and columns that keeps these nested partitions keeps the product in the model
    (the symmetries of the chain), so recovering the partitions is enough: the groups of
    level ``ℓ`` are read off as interleaved pairs of the groups of level ``ℓ − 1``
    (row ``t·n + j`` of ``B`` is member ``t`` of group ``j``), the blocks as halves.  For a
    generic product (twiddles with no vanishing 2×2 minor) the partner of a group and the
    halves are unique, and the recovery is exact on noiseless products.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, ICASSP 2022.
    .. [2] L. Zheng, E. Riccietti, R. Gribonval, SIAM J. Math. Data Sci. 5(1), 2023,
       arXiv:2110.01230.

    Examples
    --------
    A random butterfly product with shuffled rows and columns: the recovered permutations
    make it a butterfly product again (the solver then fits it to rounding level).

    >>> import numpy as np
    >>> from exactsparse.butterfly import (ButterflyFactors, butterfly_patterns,
    ...                                    butterfly_factorize)
    >>> rng = np.random.default_rng(1)
    >>> pats = butterfly_patterns(64)
    >>> B = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    >>> r, c = rng.permutation(64), rng.permutation(64)
    >>> A = B[np.argsort(r)][:, np.argsort(c)]          # A[r][:, c] == B
    >>> rp, cp, ok = recover_permutations(A)
    >>> F = butterfly_factorize(A[rp][:, cp])
    >>> ok, F.relative_error(A[rp][:, cp]) < 1e-12
    (True, True)
    """
    A, row_perm, perm, rng = check_perm_arguments(A, row_perm, perm, seed)
    dl = Deadline(check_budget(budget))
    with np.errstate(all="ignore"):
        # scale-free: extreme magnitudes by a power of two (before, max |A| above ~1e80 or
        # below ~1e-100 gave wrong permutations silently, above ~1e154 an ArgumentError)
        return _recover(pow2_normalised(A)[0], row_perm, perm, rng, dl)


def _recover(A, row_perm, perm, rng, dl=NO_DEADLINE):
    N = A.shape[-1]
    L = log2_size(N, "N")
    rows_known, cols_known = row_perm is not None, perm is not None
    G = (np.arange(N) if row_perm is None else np.asarray(row_perm, np.int64))[:, None]
    C = (np.arange(N) if perm is None else np.asarray(perm, np.int64))[None, :]
    conf = np.ones(1)
    consistent, stop = True, "converged"
    for _ in range(L):
        n = G.shape[0]
        found = []                                  # this level's pairings, as found
        try:
            if stop == "budget":                    # out of time: complete arbitrarily
                raise OutOfBudget
            dl.check("the permutation recovery")
            pairs, C, conf, ok = _level(A, G, C, conf, rng, rows_known, cols_known, N, dl,
                                        found)
            consistent &= ok
        except OutOfBudget:
            stop, consistent = "budget", False
            pairs = found[-1] if found else np.stack([np.arange(n // 2),
                                                      np.arange(n // 2, n)], axis=1)
        G = np.stack([G[pairs[:, 0]], G[pairs[:, 1]]], axis=2).reshape(n // 2, -1)
        C = C.reshape(-1, n // 2)
        conf = np.repeat(conf, 2)
    return PermutationRecovery(G[0].copy(), C[:, 0].copy(), consistent, stop)


def _level(A, G, C, conf, rng, rows_known, cols_known, N, dl, found):
    """One level of the search: ``(pairs, C, conf, ok)``.  Every pairing found is appended
    to ``found`` (the best so far when the deadline ``dl`` stops the level)."""
    n = G.shape[0]
    ok = True
    if n == 2:
        pairs = np.array([[0, 1]])
    elif rows_known:
        pairs = np.stack([np.arange(n // 2), np.arange(n // 2, n)], axis=1)
    halves_known = cols_known or n == 2
    if not rows_known and n > 2:
        if halves_known:
            pairs, ok, _ = _pair_groups(A, G, C, conf, rng, dl=dl)
        else:
            first = _bootstrap(A, G, C, rng, dl=dl)
            C, conf = _split_blocks(A, G, C, first, rng, dl=dl)
            pairs, ok, good = _pair_groups(A, G, C, conf, rng, dl=dl)
            found.append(pairs)
            best = (good.sum(), pairs, ok, good)
            for _ in range(4):                  # alternate until the pairing is stable
                C, conf = _split_blocks(A, G, C, _choose_pairs(_trusted(pairs, good),
                                                               first, rng, N, own=True), rng,
                                        dl=dl)
                again, ok, good = _pair_groups(A, G, C, conf, rng, dl=dl)
                if good.sum() >= best[0]:
                    best = (good.sum(), again, ok, good)
                    found.append(again)
                if _same_pairing(again, pairs):
                    break
                pairs = again
            _, pairs, ok, good = best           # the pairing with most clear pairs,
            C, conf = _split_blocks(A, G, C, _choose_pairs(_trusted(pairs, good), first,
                                                           rng, N, own=True), rng, dl=dl)
    elif not halves_known:
        C, conf = _split_blocks(A, G, C, _choose_pairs(pairs, None, rng, N), rng, dl=dl)
        ok = bool(conf.min() > 0)
    return pairs, C, conf, bool(ok)


# ----------------------------------------------------------------------------- helpers
def _reps(A, G, idx, cols, members=_MEMBERS):
    """Representative rows of groups ``idx`` on ``cols`` (K, c) block by block: the rank-one
    combination (one power step) of up to ``members`` members, scaled as ``σ₁ v₁`` (so that
    blocks keep their energy).  Shape (len(idx), K, c)."""
    mem = G[idx]
    if mem.shape[1] > members:
        mem = mem[:, np.linspace(0, mem.shape[1] - 1, members).astype(np.int64)]
    vals = A[mem[:, :, None, None], cols[None, None, :, :]]          # (q, m, K, c)
    mag = np.einsum("qmkc,qmkc->qmk", vals.real, vals.real)
    if np.iscomplexobj(vals):
        mag += np.einsum("qmkc,qmkc->qmk", vals.imag, vals.imag)
    best = np.take_along_axis(vals, mag.argmax(axis=1)[:, None, :, None], axis=1)[:, 0]
    s = np.einsum("qmkc,qkc->qmk", vals, best.conj())
    v = np.einsum("qmk,qmkc->qkc", s.conj(), vals)
    nrm = np.sqrt((np.abs(s) ** 2).sum(1))[..., None]           # v / nrm ≈ σ₁ v₁ per block
    return v / np.where(nrm > 0, nrm, 1)


def _unit_rows(V):
    """Rows of the last axis scaled to unit norm (zero rows stay zero): the rank-one
    structure is invariant under row scaling, and a small row must not look collinear."""
    nrm = np.linalg.norm(V, axis=-1, keepdims=True)
    return V / np.where(nrm > 0, nrm, 1)


def _projector(V):
    """The orthogonal projector ``v vᴴ / ‖v‖²`` of each row of the last axis (its upper
    triangle, off-diagonal entries × √2 so that distances are Frobenius distances) as real
    features: equal for proportional rows, whatever the scale, sign or phase."""
    nrm = np.linalg.norm(V, axis=-1, keepdims=True)
    W = V / np.where(nrm > 0, nrm, 1)
    i, j = np.triu_indices(W.shape[-1])
    P = W[..., i] * W[..., j].conj() * np.where(i == j, 1.0, np.sqrt(2.0))
    return np.concatenate([P.real, P.imag], axis=-1) if np.iscomplexobj(P) else P


def _greedy(V, cost, nb):
    """Greedy matching by increasing cost over the candidate edges; groups left over are
    matched among themselves by the exact cost."""
    n = V.shape[0]
    edges = sorted((float(cost[i, j]), i, int(nb[i, j])) for i in range(n)
                   for j in range(cost.shape[1]) if np.isfinite(cost[i, j]))
    used = np.zeros(n, bool)
    out = []
    for _, i, j in edges:
        if not used[i] and not used[j]:
            used[i] = used[j] = True
            out.append((min(i, j), max(i, j)))
    rest = list(np.flatnonzero(~used))
    while rest:
        i = rest.pop(0)
        j = rest.pop(int(np.argmin(_pair_cost(V, np.full(len(rest), i), np.array(rest)))))
        out.append((min(i, j), max(i, j)))
    return np.array(sorted(out), dtype=np.int64)


def _same_pairing(p, q):
    return set(map(tuple, np.sort(p, axis=1).tolist())) == \
        set(map(tuple, np.sort(q, axis=1).tolist()))


def _trusted(pairs, good):
    """The clear pairs, or all of them when fewer than four (or all) are clear."""
    return pairs[good] if good.sum() >= min(len(pairs), 4) else pairs


def _choose_pairs(pairs, first, rng, N=0, own=False):
    """Up to ``max(_PAIRS, _READ / N)`` random pairs (all of them when few), with ``first``:
    every column's fate is decided by as many rows as a budget of ``_READ`` entries allows."""
    if len(pairs) == 0:
        return first
    size = min(len(pairs), max(_PAIRS, _READ // max(N, 1)))
    pick = rng.choice(len(pairs), size=size, replace=False)
    out = pairs[np.sort(pick)]
    return out if first is None or (own and size >= len(first)) else np.vstack([first, out])


# ----------------------------------------------------------------------------- the steps
def _pair_groups(A, G, C, conf, rng, dim=8, k=12, dl=NO_DEADLINE):
    """Pair the ``n`` groups, the halves of the blocks being known (``C[k, :n/2]`` and
    ``C[k, n/2:]``).  Partners are proportional on each half: the candidates of a group are
    its ``k`` nearest neighbours in a sketch (the orthogonal projectors on the lines of a
    Gaussian sketch of ``dim`` coordinates per half, no sign or phase to fix), and each
    candidate pair is scored by its rank-one residual ``Σ σ₂²`` over the halves of the most
    reliable blocks (rows of unit norm over those blocks: the split's own objective, which
    weighs the columns and blocks by their energy).  Mutual best candidates with a clear margin are accepted; otherwise a greedy
    matching by score is returned with ``ok`` False.  Returns ``(pairs, ok, good)``, ``good``
    marking the pairs that are mutual best candidates with a clear margin."""
    n = G.shape[0]
    h = n // 2
    blocks = np.argsort(-conf, kind="stable")[:max(4, _READ // (4 * n * n))]  # small: more
    V = _reps(A, G, np.arange(n), C[blocks])
    V = _unit_rows(V.reshape(n, -1)).reshape(n, len(blocks) * 2, h)   # unit per group
    W = V @ (rng.standard_normal((h, min(h, dim))) / np.sqrt(dim))
    F = _projector(W).reshape(n, -1)
    kk = n if n <= 64 else min(n, k + 1)                # few groups: every candidate
    if not np.isfinite(F).all():                        # NaN/inf in A, or overflow
        raise_non_finite(A)
    _, nb = cKDTree(F).query(F, k=kk)
    nb = nb.reshape(n, kk)
    Vc, en = V.conj(), (np.abs(V) ** 2).sum(-1)
    cost = np.stack([_pair_cost(V, np.arange(n), nb[:, t], Vc, en) for t in range(kk)], 1)
    cost[nb == np.arange(n)[:, None]] = np.inf
    order = np.argsort(cost, axis=1, kind="stable")
    cost = np.take_along_axis(cost, order, axis=1)
    nb = np.take_along_axis(nb, order, axis=1)
    first = nb[:, 0]
    scale = np.median(cost[:, 1]) if kk > 2 else 1.0
    tol = 1e-12 * max(scale, 1e-300)
    clear = (cost[:, 1] > np.maximum(4 * cost[:, 0], tol)) if kk > 2 else np.ones(n, bool)
    clear |= nb[:, 1] == first if kk > 2 else clear
    good = (first[first] == np.arange(n)) & clear
    if n <= 8:                                          # exhaustive: the cheapest pairing
        full = np.full((n, n), np.inf)
        np.put_along_axis(full, nb, cost, axis=1)
        pairs = min(_pairings(list(range(n))),
                    key=lambda ps: sum(full[a, b] + full[b, a] for a, b in ps))
        pairs = np.array(pairs, dtype=np.int64)
        return pairs, bool(good.all()), good[pairs[:, 0]] & good[pairs[:, 1]]
    if good.all():
        a = np.flatnonzero(np.arange(n) < first)
        return np.stack([a, first[a]], axis=1), True, np.ones(len(a), bool)
    dl.check("the pairing of the groups")
    pairs = _two_opt(V, _greedy(V, cost, nb), nb, good, Vc, en, dl=dl)
    return pairs, False, good[pairs[:, 0]] & good[pairs[:, 1]] & (first[pairs[:, 0]] == pairs[:, 1])


def _two_opt(V, pairs, nb, good, Vc, en, width=8, passes=16, dl=NO_DEADLINE):
    """Improve a matching by exchanges of partners: a greedy matching takes the cheapest edge
    first, which can strand two groups whose own partners it took (two noise-dominated rows
    paired, their partners left to each other).  For every doubtful pair ``(x, y)`` (not a
    clear mutual best, or ``10×`` the median cost) and each of the ``width`` best candidates
    ``c`` of ``x``, paired with ``d``, the exchange ``(x, c), (y, d)`` is made (disjoint ones
    together, best first) when it lowers the total rank-one residual, for ``passes`` rounds."""
    n = V.shape[0]
    mate = np.empty(n, np.int64)
    mate[pairs[:, 0]], mate[pairs[:, 1]] = pairs[:, 1], pairs[:, 0]
    own = np.empty(n)                                   # cost of each group's pair
    own[pairs[:, 0]] = own[pairs[:, 1]] = _pair_cost(V, pairs[:, 0], pairs[:, 1], Vc, en)
    med = np.median(own)
    for _ in range(passes):
        dl.check("the exchanges of partners")
        doubt = ~(good & good[mate]) | (own > 10 * med)
        xr, cr = np.repeat(np.flatnonzero(doubt), width), nb[doubt, :width].ravel()
        yr, dr = mate[xr], mate[cr]
        sel = (cr != xr) & (cr != yr)
        xr, cr, yr, dr = xr[sel], cr[sel], yr[sel], dr[sel]
        if len(xr) == 0:
            break
        delta = (_pair_cost(V, xr, cr, Vc, en) + _pair_cost(V, yr, dr, Vc, en)
                 - own[xr] - own[cr])
        done, moved = np.zeros(n, bool), False
        for i, t in enumerate(np.argsort(delta, kind="stable")):  # improving, disjoint ones
            if not delta[t] < -1e-12 * max(float(own.sum()), 1e-300):
                break
            if i % 64 == 63:
                dl.check("the exchanges of partners")
            x, c, y, d = int(xr[t]), int(cr[t]), int(yr[t]), int(dr[t])
            if done[[x, c, y, d]].any():
                continue
            done[[x, c, y, d]] = True
            mate[x], mate[c], mate[y], mate[d] = c, x, d, y
            own[x] = own[c] = _pair_cost(V, np.array([x]), np.array([c]), Vc, en)[0]
            own[y] = own[d] = _pair_cost(V, np.array([y]), np.array([d]), Vc, en)[0]
            moved = True
        if not moved:
            break
    a = np.flatnonzero(np.arange(n) < mate)
    return np.stack([a, mate[a]], axis=1)


def _pairings(items):
    """Every perfect matching of ``items`` (an even list), as lists of pairs."""
    if not items:
        yield []
        return
    a = items[0]
    for i in range(1, len(items)):
        rest = items[1:i] + items[i + 1:]
        for tail in _pairings(rest):
            yield [(a, items[i])] + tail


def _pair_cost(V, i, j, Vc=None, en=None):
    """Rank-one residual ``Σ_pieces σ₂²`` of the 2-row matrices ``[V[i]; V[j]]``
    (``Vc = V.conj()`` and the energies ``en`` may be given)."""
    Vc = V.conj() if Vc is None else Vc
    en = (np.abs(V) ** 2).sum(-1) if en is None else en
    return _sigma2sq(en[i], en[j], np.einsum("iph,iph->ip", V[i], Vc[j])).sum(-1)


def _sigma2sq(a, d, c):
    """``σ₂²`` of 2-row matrices with Gram ``[[a, c], [c̄, d]]`` (arrays)."""
    return np.maximum((a + d) / 2 - np.sqrt(((a - d) / 2) ** 2 + np.abs(c) ** 2), 0)


def _eigvec2(a, d, c):
    """Leading eigenvector of the Hermitian 2×2 ``[[a, c], [c̄, d]]`` (arrays)."""
    lam = (a + d) / 2 + np.sqrt(((a - d) / 2) ** 2 + np.abs(c) ** 2)
    v1 = np.stack([c, lam - a], axis=-1)
    v2 = np.stack([lam - d, c.conj()], axis=-1)
    use1 = (np.abs(v1) ** 2).sum(-1) >= (np.abs(v2) ** 2).sum(-1)
    v = np.where(use1[..., None], v1, v2)
    nrm = np.linalg.norm(v, axis=-1, keepdims=True)
    e0 = np.zeros_like(v)
    e0[..., 0] = 1
    return np.where(nrm > 0, v / np.where(nrm > 0, nrm, 1), e0)


def _split_blocks(A, G, C, pairs, rng, rounds=3, dl=NO_DEADLINE):
    """Split every block into two halves of ``n/2`` columns, given pairs of partner groups:
    on each half the 2-vectors ``(a[c], b[c])`` of a pair lie on one line.  Returns the
    reordered ``C`` (half 0 first) and a confidence per block (> 0: the two clusters are
    separated)."""
    n, K = G.shape[0], C.shape[0]
    h = n // 2
    members = max(_MEMBERS, _READ // (2 * len(pairs) * A.shape[-1]))   # few pairs: more
    V = _reps(A, G, pairs.ravel(), C, members)                  # energy kept per block
    V = _unit_rows(V.reshape(len(V), -1)).reshape(len(pairs), 2, K, n)
    X = np.moveaxis(V, 1, -1)                                   # (p, K, n, 2)
    w = (np.abs(X) ** 2).sum(-1)
    scale = w.mean(axis=-1, keepdims=True)
    live = w > 1e-24 * np.where(scale > 0, scale, 1)
    U = np.where(live[..., None], X / np.sqrt(np.where(live, w, 1))[..., None], 0)
    if n <= 8:
        return _split_exhaustive(X, C)
    wn = (w / np.where(scale > 0, scale, 1)).clip(max=1)
    ref = wn.sum(0).argmax(-1)                                                 # (K,)
    u0 = np.take_along_axis(U, ref[None, :, None, None], axis=2)             # (p, K, 1, 2)
    # two starts: distances to the line of the reference column weighted by energy, and
    # sines weighted by clipped energy (small columns of the other half look close to any
    # line by energy alone); the split with the smaller objective is kept per block
    starts = ((np.abs(X[..., 0] * u0[..., 1] - X[..., 1] * u0[..., 0]) ** 2).sum(0),
              (wn * np.abs(U[..., 0] * u0[..., 1] - U[..., 1] * u0[..., 0]) ** 2).sum(0))
    runs = [_two_lines(X, sc, h, rounds) for sc in starts]                   # (score, keep)
    orders = [np.argsort(sc, axis=-1, kind="stable") for sc, _ in runs]
    both = runs[0][1] * runs[1][1]
    vals = [_split_objective(X, both, o) for o in orders]
    pick = (vals[1] < vals[0])[:, None]                                      # (K, 1)
    score, order = np.where(pick, runs[1][0], runs[0][0]), np.where(pick, *orders[::-1])
    val = np.minimum(vals[0], vals[1])
    # a block far above the others (10× the median objective) is fitted again from more
    # starts (the next columns of largest weight as references); the best objective wins
    for k in np.flatnonzero(val > 10 * np.median(val) + 1e-300) if K > 2 else ():
        dl.check("the split of the blocks")
        Xk, wk, Uk = X[:, k:k + 1], wn[:, k:k + 1], U[:, k:k + 1]
        for r in np.argsort(-wk.sum(0)[0], kind="stable")[1:1 + _STARTS]:
            ur = Uk[:, :, r:r + 1]
            sc, _ = _two_lines(Xk, (wk * np.abs(Uk[..., 0] * ur[..., 1]
                                                 - Uk[..., 1] * ur[..., 0]) ** 2).sum(0), h,
                                rounds)
            o = np.argsort(sc, axis=-1, kind="stable")
            v = _split_objective(Xk, both, o)[0]
            if v < val[k]:
                val[k], score[k], order[k] = v, sc[0], o[0]
    s = np.sort(score, axis=-1)
    spread = np.abs(s).mean(-1) + 1e-300
    conf = (s[:, h] - s[:, h - 1]) / spread
    return np.take_along_axis(C, order, axis=1), conf


def _two_lines(X, score, h, rounds):
    """Two-line fit of the 2-vectors ``X`` (p, K, n, 2) of every block from a first
    ``score`` (K, n) (low: half 0): alternately the lines of the halves (leading eigenvectors)
    and the halves (squared distances to the lines, pairs that fit no two lines dropped).
    Returns the final ``(score, keep)``."""
    K, n = score.shape
    keep = np.ones(X.shape[0])
    for _ in range(rounds):                 # two-line fit: squared distances to the lines
        order = np.argsort(score, axis=-1, kind="stable")
        in0 = np.zeros((K, n), bool)
        np.put_along_axis(in0, order[:, :h], True, axis=1)
        res = []
        for half in (in0, ~in0):
            Xh = X * half[None, :, :, None]
            a = (np.abs(Xh[..., 0]) ** 2).sum(-1)
            d = (np.abs(Xh[..., 1]) ** 2).sum(-1)
            c = (Xh[..., 0] * Xh[..., 1].conj()).sum(-1)
            u = _eigvec2(a, d, c)[:, :, None, :]                  # (p, K, 1, 2)
            res.append(np.abs(X[..., 0] * u[..., 1] - X[..., 1] * u[..., 0]) ** 2)
        # a pair that does not fit two lines (a wrong pair) is dropped: trimmed fit
        fit = np.minimum(res[0], res[1]).sum(axis=(1, 2))
        keep = (fit <= 10 * np.median(fit) + 1e-30).astype(float)
        score = np.einsum("p,pkc->kc", keep, res[0] - res[1])
    return score, keep


def _split_objective(X, keep, order):
    """``Σ σ₂²`` per block (K,) of the split ``order`` (half 0 first), pairs ``keep``."""
    tot, h = 0, order.shape[1] // 2
    for half in (order[:, :h], order[:, h:]):
        Xh = np.take_along_axis(X, half[None, :, :, None], axis=2) * keep[:, None, None, None]
        E = (np.abs(Xh) ** 2).sum(2)                                      # (p, K, 2)
        tot = tot + _sigma2sq(E[..., 0], E[..., 1], (Xh[..., 0] * Xh[..., 1].conj()).sum(-1)
                              ).sum(0)
    return tot


def _split_exhaustive(X, C):
    """Small blocks (``n <= 8``): every balanced split is scored by its rank-one residual
    ``Σ σ₂²`` over the pairs and halves (the split's own objective) and the best is kept."""
    n = C.shape[1]
    from itertools import combinations
    splits = [(0,) + rest for rest in combinations(range(1, n), n // 2 - 1)]
    costs = np.array([_split_objective(X, np.ones(X.shape[0]), np.tile(   # (splits, K)
        list(h0) + [i for i in range(n) if i not in h0], (C.shape[0], 1))) for h0 in splits])
    srt = np.sort(costs, axis=0)
    conf = (srt[1] - srt[0]) / (srt[1] + 1e-300) if len(splits) > 1 else np.ones(C.shape[0])
    order = np.array([list(splits[b]) + [i for i in range(n) if i not in splits[b]]
                      for b in costs.argmin(0)], dtype=np.int64)
    return np.take_along_axis(C, order, axis=1), conf


def _bootstrap(A, G, C, rng, tries=16, want=8, dl=NO_DEADLINE):
    """A few pairs of partner groups, both the pairing and the halves being unknown.

    For a group ``g`` and a candidate ``h``, the 2-vectors ``(g[c], h[c])`` on sampled columns
    of a block lie on at most two lines when ``h`` is the partner (two ratio values), so at
    least ``C(⌊s/2⌋, 2) + C(⌈s/2⌉, 2)`` of the pairwise sines vanish; the candidate with the
    smallest such sine wins.  Winners that stand out (30× below the runner-up) are kept, up
    to ``want`` pairs; at least the clearest winner is returned, as an array (p, 2).  The
    columns are those where ``g`` is largest among a random sample (noise moves their lines
    least); ``g`` runs over the groups of largest energy."""
    n, K = G.shape[0], C.shape[0]
    s = min(n, _SAMPLE)
    nb = 1 if n >= _SAMPLE else min(K, max(4, 64 // n))
    k = nb * (_comb2(s // 2) + _comb2(s - s // 2))
    iu = np.triu_indices(s, 1)
    found, used = [], set()
    best, best_sep = None, -1.0
    for t in range(min(tries, n)):
        dl.check("the bootstrap")
        blocks = rng.choice(K, size=nb, replace=False)
        cols = np.stack([C[b, rng.permutation(n)[:4 * s]] for b in blocks])
        V = _reps(A, G, np.arange(n), cols)                       # (n, nb, 4s)
        mag = (np.abs(V) ** 2).sum(axis=(1, 2))
        free = [i for i in np.argsort(-mag, kind="stable") if int(i) not in used]
        if len(free) < 2:
            break
        g = int(free[0])
        top = np.argsort(-np.abs(V[g]), axis=-1)[:, :s]          # g's largest entries
        V = _unit_rows(np.take_along_axis(V, top[None], axis=-1))
        x, y = V[g][None], V
        det = np.abs(x[..., :, None] * y[..., None, :] - x[..., None, :] * y[..., :, None])
        nrm = np.sqrt(np.abs(x) ** 2 + np.abs(y) ** 2)
        den = nrm[..., :, None] * nrm[..., None, :]
        sin = np.where(den > 0, det / np.where(den > 0, den, 1), 1.0)
        sc = np.partition(sin[:, :, iu[0], iu[1]].reshape(n, -1), k - 1, axis=1)[:, k - 1]
        sc[g] = np.inf
        order = np.argsort(sc, kind="stable")
        top, second = sc[order[0]], sc[order[1]] if n > 2 else np.inf
        sep = second / top if top > 0 else (np.inf if second > 0 else 0.0)
        pair = (min(g, int(order[0])), max(g, int(order[0])))
        used.update(pair)
        if sep > best_sep:
            best, best_sep = pair, sep
        if sep >= 30:
            found.append(pair)
            if len(found) >= want:
                break
    return np.array(found if found else [best], dtype=np.int64)


def _comb2(k):
    return k * (k - 1) // 2

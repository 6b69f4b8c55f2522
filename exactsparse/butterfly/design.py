"""Chain design: enumerate the chainable Kronecker-sparse chains of a size and pick, within a
parameter budget, the one that approximates a given matrix best.

A chain of ``K`` KS patterns ``π_k = (a_k, b_k, c_k, d_k)`` (leftmost first) whose product is the
full pattern ``(1, m, n, 1)`` is fixed by its splits: ``a_1 = d_K = 1``, the divisor chains
``1 = a_1 | a_2 | … | a_K | n`` and ``1 = d_K | … | d_1 | m``, and the
ranks ``r_k = a_k c_k / a_{k+1} = b_{k+1} d_{k+1} / d_k`` (``k < K``).  Then ``b_1 = m / d_1``,
``c_K = n / a_K``, ``b_{k+1} = r_k d_k / d_{k+1}`` and ``c_k = r_k a_{k+1} / a_k``.  Split ``k``
tiles the matrix into ``d_k × a_{k+1}`` blocks ``A[j::d_k, i·n/a_{k+1}:(i+1)·n/a_{k+1}]`` of size
``(m/d_k) × (n/a_{k+1})``, each of rank at most ``r_k`` in the product [1]_.

References
----------
.. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
   guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.
.. [2] R. Lin, J. Ran, K. H. Chiu, G. Chesi, N. Wong, "Deformable butterfly: a highly
   structured and sparse linear transform", NeurIPS 2021.

Examples
--------
>>> [str(c) for c in enumerate_chains(4, 4)]
['(1,4,4,1)', '(1,4,1,1)·(1,1,4,1)', '(1,4,2,1)·(1,2,4,1)', '(1,4,2,1)·(2,1,2,1)', '(1,2,1,2)·(1,2,4,1)', '(1,2,2,2)·(2,2,2,1)']
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .._budget import check_budget
from ..exceptions import (ArgumentError, BudgetError, BudgetTooSmallError, ShapeError,
                          SizeLimitError, show)
from ._common import pow2_normalised, raise_non_finite, validate_matrix, validate_option
from .numeric import TREES, butterfly_factorize
from .supports import KSPattern, chain_ranks

__all__ = ["KSChain", "ChainFit", "ChainDesign", "enumerate_chains", "smallest_chain",
           "split_lower_bound", "design_chain", "MAX_DESIGN_SIZE", "MAX_FACTORS"]

#: Largest side ``m`` or ``n`` accepted by the enumeration (divisors by trial division).
MAX_DESIGN_SIZE = 2**31
MAX_FACTORS = 64      #: largest ``max_factors`` (twice the prime factors of the largest sizes)


@dataclass(frozen=True)
class KSChain:
    """A chainable chain of KS patterns with product ``(1, m, n, 1)`` (an immutable value).

    Attributes
    ----------
    patterns : tuple of KSPattern
        Leftmost factor first.
    ranks : tuple of int
        ``ranks[k]`` is the rank of the blocks of split ``k`` (between factors ``k`` and
        ``k + 1``).
    params : int
        ``Σ a_k b_k c_k d_k``, the number of nonzeros of the factors.
    flops : int
        Cost of applying the chain to a vector, ``Σ (2 a_k b_k c_k d_k − a_k b_k d_k)``:
        one multiplication per nonzero and ``nnz − rows`` additions per factor.

    Examples
    --------
    >>> c = KSChain.of([(1, 2, 2, 2), (2, 2, 2, 1)])
    >>> c.ranks, c.params, c.flops, c.shape
    ((1,), 16, 24, (4, 4))
    """

    patterns: tuple
    ranks: tuple
    params: int
    flops: int

    @classmethod
    def of(cls, patterns):
        """The chain of a sequence of (chainable) patterns, its ranks, params and flops."""
        return _make(chain_ranks(patterns)[0])

    n_factors = property(lambda self: len(self.patterns))
    shape = property(lambda self: (self.patterns[0].shape[0], self.patterns[-1].shape[1]))

    def splits(self):
        """``(d_k, a_{k+1}, r_k)`` of every split: the block grid and the rank."""
        return tuple((p.d, q.a, r) for p, q, r in zip(self.patterns, self.patterns[1:],
                                                       self.ranks))

    def __str__(self):
        return "·".join(f"({p.a},{p.b},{p.c},{p.d})" for p in self.patterns)

    def to_dict(self):
        return {"patterns": [[p.a, p.b, p.c, p.d] for p in self.patterns],
                "ranks": list(self.ranks), "params": self.params, "flops": self.flops}


# ----------------------------------------------------------------------------- enumeration
def _positive(v, name, error=ArgumentError, what="a positive integer"):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < 1:
        raise error(f"Argument {name!r} must be {what}, not {show(v)}.")
    return int(v)


def _size(v, name):
    if _positive(v, name) > MAX_DESIGN_SIZE:
        raise SizeLimitError(f"Argument {name!r} must be at most 2**31 for the chain "
                             f"enumeration, not {show(v)}.")
    return int(v)


def _divisors(n):
    small = [k for k in range(1, math.isqrt(n) + 1) if n % k == 0]
    return sorted(set(small + [n // k for k in small]))


def _prime_factor_count(n):
    count, p = 0, 2
    while p * p <= n:
        count, n, p = (count + 1, n // p, p) if n % p == 0 else (count, n, p + 1)
    return count + (n > 1)


def _check_options(m, n, max_factors, max_params, max_rank):
    m, n = _size(m, "m"), _size(n, "n")
    K = max(2, _prime_factor_count(m), _prime_factor_count(n)) if max_factors is None \
        else _positive(max_factors, "max_factors")
    if K > MAX_FACTORS:       # the lengths are tried one by one: bound the loop
        raise SizeLimitError(f"Argument 'max_factors' must be at most {MAX_FACTORS}, not {show(K)}.")
    P = m * n if max_params is None else _positive(
        max_params, "max_params", BudgetError, "a positive integer (a number of parameters)")
    R = None if max_rank is None else _positive(max_rank, "max_rank", what="a positive "
                                                "integer or None")
    return m, n, K, P, R


def enumerate_chains(m, n, *, max_factors=None, max_params=None, max_rank=None):
    """Stream the irredundant chainable KS chains of an ``m × n`` matrix within a budget.

    Parameters
    ----------
    m, n : int
        The size of the matrix (any positive integers, at most ``2**31``).
    max_factors : int, optional
        Largest number of factors ``K`` (default: the larger number of prime factors of
        ``m`` and ``n``, counted with multiplicity, e.g. ``L`` for ``2^L``; at least 2).
    max_params : int, optional
        Largest ``Σ a_k b_k c_k d_k`` (default ``m·n``, the dense matrix).
    max_rank : int, optional
        Largest rank of a split (default: no limit but the one below).

    Yields
    ------
    KSChain
        By increasing number of factors; for a fixed ``K`` in lexicographic order of
        ``(d_1, a_2, r_1, d_2, a_3, r_2, …)``.

    Raises
    ------
    ArgumentError
        ``m``, ``n``, ``max_factors`` or ``max_rank`` is not a positive integer.
    BudgetError
        ``max_params`` is not a positive integer.

    See Also
    --------
    design_chain : fit the chains to a matrix and pick the best within a budget.
    KSChain.of : the same numbers for a chain given by hand.

    Notes
    -----
    The chains yielded are exactly the sequences ``(π_1, …, π_K)`` of KS patterns with

    1. ``1 ≤ K ≤ max_factors``, consecutive patterns chainable (``a_k | a_{k+1}``,
       ``d_{k+1} | d_k``, ``a_k c_k / a_{k+1} = b_{k+1} d_{k+1} / d_k = r_k ∈ ℕ``) and product
       ``(1, m, n, 1)``;
    2. every rank ``1 ≤ r_k ≤ min(m / d_k, n / a_{k+1}, max_rank)``: a larger rank than the
       side of the blocks of the split constrains nothing more;
    3. ``Σ a_k b_k c_k d_k ≤ max_params``;
    4. *irredundant*: no run of two or more consecutive factors has a product pattern with
       fewer nonzeros than the run (merging the run into its product pattern keeps the chain
       chainable, represents every product the run represents and costs fewer parameters).
       This removes, e.g., diagonal factors (``b = c = 1``) and the ``K = 2`` low-rank chains
       with ``r(m a_2 + n d_1) ≥ mn``; ties are kept (the radix-2 butterfly has as many
       parameters as the radix-4 one).

    A prime size only has the dense chain and the rank-``r`` chains ``(1, m, r, 1)·(1, r, n, 1)``.
    The enumeration is a depth-first search pruned by the budget (the rest of a chain costs
    at least ``s + n − a`` parameters after a split of inner size ``s``) and by
    irredundancy, checked on the prefix.

    Examples
    --------
    The square-dyadic butterfly and the Monarch chain of size 16 are among the chains, and
    every chain multiplies to the full pattern:

    >>> from exactsparse.butterfly import butterfly_patterns, chain_product, monarch_patterns
    >>> chains = list(enumerate_chains(16, 16, max_params=128, max_rank=1))
    >>> [p in [c.patterns for c in chains] for p in (butterfly_patterns(16), monarch_patterns(16))]
    [True, True]
    >>> {chain_product(c.patterns) for c in chains}
    {KSPattern(a=1, b=16, c=16, d=1)}
    """
    m, n, K, P, R = _check_options(m, n, max_factors, max_params, max_rank)
    for k in range(1, K + 1):
        yield from _chains_of_length(m, n, k, P, R)


def _chains_of_length(m, n, K, P, R):
    div_n = _divisors(n)
    mult = {a: [x for x in div_n if x % a == 0] for a in div_n}
    div = {d: _divisors(d) for d in _divisors(m)}
    # prefix entries: (pattern tuple, rows, cols, nnz)
    prefix = []

    def irredundant(pat):
        """No run ending at the new factor ``pat`` merges into fewer nonzeros."""
        a, b, c, d = pat
        cols = a * c * d
        tot = a * b * c * d
        for (ai, bi, ci, di), rows, _, nnz in reversed(prefix):
            tot += nnz
            if rows * cols // (ai * d) < tot:
                return False
        return True

    def rec(k, a, dprev, rprev, params):
        b_last = rprev * dprev
        if k == K:
            pat = (a, b_last, n // a, 1)
            if params + pat[0] * pat[1] * pat[2] <= P and irredundant(pat):
                pats = tuple(KSPattern(*p) for p, _, _, _ in prefix) + (KSPattern(*pat),)
                yield _make(pats)
            return
        for d in div[dprev]:
            b = b_last // d
            for a2 in mult[a]:
                top = min(m // d, n // a2, R if R is not None else m)
                for r in range(1, top + 1):
                    c = r * a2 // a
                    nnz = a * b * c * d
                    s = r * a2 * d
                    if params + nnz + s + n - a2 > P:
                        break
                    pat = (a, b, c, d)
                    if k > 1 and not irredundant(pat):
                        continue
                    prefix.append((pat, a * b * d, s, nnz))
                    yield from rec(k + 1, a2, d, r, params + nnz)
                    prefix.pop()

    if K > 1:
        yield from rec(1, 1, m, 1, 0)
    elif m * n <= P:
        yield _make((KSPattern(1, m, n, 1),))


def _make(pats):
    ranks = tuple(p.a * p.c // q.a for p, q in zip(pats, pats[1:]))
    return KSChain(pats, ranks, sum(p.nnz for p in pats),
                   sum(2 * p.nnz - p.shape[0] for p in pats))


def smallest_chain(m, n, *, max_factors=None, max_rank=None):
    """The chain of ``m × n`` with the fewest parameters (fewest factors on a tie).

    Any chain of ``K ≥ 2`` factors has at least ``m + n`` parameters (its first factor has
    ``m`` nonempty rows, its last ``n`` nonempty columns), reached by the rank-one chain
    ``(1, m, 1, 1)·(1, 1, n, 1)``; the dense chain has ``m·n``.

    Examples
    --------
    >>> str(smallest_chain(8, 8)), smallest_chain(8, 8).params, str(smallest_chain(1, 5))
    ('(1,8,1,1)·(1,1,8,1)', 16, '(1,1,5,1)')
    """
    m, n, K, _, R = _check_options(m, n, max_factors, None, max_rank)
    P = m * n if K == 1 else min(m * n, m + n)
    return min(enumerate_chains(m, n, max_factors=K, max_params=P, max_rank=R),
               key=lambda c: (c.params, c.n_factors))


# ----------------------------------------------------------------------------- lower bounds
def _matrix(A):
    A = validate_matrix(A)
    if A.ndim != 2:
        raise ShapeError(f"Argument 'A' must be a matrix, not of shape {A.shape}.")
    if not np.isfinite(A).all():
        raise_non_finite(A)
    return pow2_normalised(A)[0]     # errors and bounds are relative: scaled by 2^k


def _block_tails(A, d, a):
    """``t[r] = Σ_blocks Σ_{l ≥ r} σ_l²`` for the blocks ``A[j::d, i·n/a:(i+1)·n/a]``."""
    m, n = A.shape
    bm, bn = m // d, n // a
    if min(bm, bn) == 1:
        return np.array([float(np.sum(np.abs(A) ** 2)), 0.0])
    blocks = A.reshape(bm, d, a, bn).transpose(1, 2, 0, 3)
    s2 = np.sum(np.linalg.svd(blocks, compute_uv=False) ** 2, axis=(0, 1))
    return np.concatenate([np.cumsum(s2[::-1])[::-1], [0.0]])


def split_lower_bound(A, d, a, r):
    """A lower bound on the relative error of every chain with a split ``(d, a, r)``.

    Parameters
    ----------
    A : array_like, shape (m, n)
    d, a : int
        The block grid of the split: ``d | m`` block rows ``A[j::d, :]`` and ``a | n`` block
        columns of width ``n/a``.
    r : int
        The rank of the split.

    Returns
    -------
    float
        ``(Σ_blocks Σ_{l > r} σ_l(block)²)^{1/2} / ‖A‖_F`` (0 for a zero matrix).

    Notes
    -----
    Split ``k`` of a chain writes its product as ``L_k R_k`` with every block of the
    ``d_k × a_{k+1}`` grid of rank at most ``r_k`` [1]_; the blocks are disjoint and tile the
    matrix, so the best error of the chain is at least that of the best rank-``r_k``
    approximation of every block (Eckart–Young), which is this bound.

    Examples
    --------
    A rank-one matrix needs no more than rank one anywhere; the identity does:

    >>> import numpy as np
    >>> split_lower_bound(np.ones((4, 4)), 1, 1, 1)
    0.0
    >>> round(split_lower_bound(np.eye(4), 1, 1, 1) ** 2, 12)      # 3 of 4 unit σ² left
    0.75
    """
    A = _matrix(A)
    m, n = A.shape
    for v, name, size in ((d, "d", m), (a, "a", n)):
        if size % _positive(v, name, what=f"a positive divisor of {size}"):
            raise ArgumentError(f"Argument {name!r} must be a positive divisor of {size}, not "
                                f"{show(v)}.")
    _size(r, "r")
    tails = _block_tails(A, int(d), int(a))
    total = tails[0]
    return 0.0 if total == 0 else float(np.sqrt(tails[min(int(r), tails.size - 1)] / total))


# ----------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class ChainFit:
    """One candidate of :func:`design_chain`: its chain, lower bound and (fitted) error.

    ``status``: ``"fitted"`` (``error`` is the relative error of :func:`butterfly_factorize`
    on the chain), ``"dominated"`` (a fitted chain with no more parameters has an error at
    most this lower bound) or ``"time"`` (the time budget ran out; ``error`` is None).
    """

    chain: KSChain
    lower_bound: float
    error: float | None
    seconds: float
    status: str

    def to_dict(self):
        return {**self.chain.to_dict(), "chain": str(self.chain), "error": self.error,
                "lower_bound": self.lower_bound, "seconds": self.seconds,
                "status": self.status}


@dataclass(frozen=True)
class ChainDesign:
    """The result of :func:`design_chain` (a numeric design, not a certified verdict).

    Attributes
    ----------
    shape : (int, int)
    budget : int
    chosen : KSChain
        The fitted chain of least error within the budget (fewer parameters, then fewer
        flops on a tie; errors below ``64·eps`` count as exact ties).
    error : float
        Its relative Frobenius error ``‖A − Â‖_F / ‖A‖_F``.
    fits, skipped : tuple of ChainFit
        The fitted candidates (in the order fitted), the others (with their ``status``).
    pareto : tuple of ChainFit
        The fitted candidates no other fitted one beats (error strictly lower with at most
        as many parameters), by increasing parameters.
    front_exact : bool
        True when the enumeration completed and every candidate was fitted or is dominated:
        ``pareto`` is then the front of all candidates (errors as fitted).
    chosen_optimal : bool
        True when the enumeration completed and no unfitted candidate has a lower bound
        below ``error``: no candidate can beat the chosen fit.
    n_candidates, enumeration_complete : int, bool
        The chains enumerated; False when the time budget ran out during the enumeration.
    seconds, tree : float, str
    """

    shape: tuple
    budget: int
    chosen: KSChain
    error: float
    fits: tuple
    pareto: tuple
    skipped: tuple = field(repr=False)
    front_exact: bool
    chosen_optimal: bool
    n_candidates: int
    enumeration_complete: bool
    seconds: float
    tree: str

    def to_dict(self):
        """A JSON-ready dictionary (the ``--json`` payload of the CLI); ``skipped`` lists the
        first 100 skipped candidates, ``skipped_counts`` counts all by reason."""
        reasons = {}
        for s in self.skipped:
            reasons[s.status] = reasons.get(s.status, 0) + 1
        return {"shape": list(self.shape), "budget": self.budget,
                "chosen": {**self.chosen.to_dict(), "chain": str(self.chosen)},
                "error": self.error, "front_exact": self.front_exact,
                "chosen_optimal": self.chosen_optimal, "n_candidates": self.n_candidates,
                "n_fitted": len(self.fits), "skipped_counts": reasons,
                "enumeration_complete": self.enumeration_complete,
                "seconds": self.seconds, "tree": self.tree,
                "pareto": [f.to_dict() for f in self.pareto],
                "fits": [f.to_dict() for f in self.fits],
                "skipped": [f.to_dict() for f in self.skipped[:100]]}


# ----------------------------------------------------------------------------- the design
def _too_small(m, n, budget, K, R):
    c = smallest_chain(m, n, max_factors=K, max_rank=R)
    return BudgetTooSmallError(
        f"Argument 'budget' must be at least {c.params} parameters, the cost of the smallest "
        f"{m}×{n} chain {c} ({c.n_factors} factor{'s' * (c.n_factors > 1)}, {c.flops} "
        f"flops per vector), not {budget}.")


def design_chain(A, budget, *, time_budget=60, max_factors=None, max_rank=None, tree="left"):
    """The chainable KS chain of at most ``budget`` parameters that best approximates ``A``.

    Parameters
    ----------
    A : array_like, shape (m, n)
        A finite real or complex matrix.
    budget : int
        Largest number of parameters ``Σ a_k b_k c_k d_k``.
    time_budget : float, optional
        Seconds for the enumeration (at most half), the bounds (at most half of the rest)
        and the fits (default 60); what is left when it runs out is reported in ``skipped``.
    max_factors, max_rank : int, optional
        As :func:`enumerate_chains`.
    tree : {"left", "right", "balanced"}
        The tree of :func:`~exactsparse.butterfly.butterfly_factorize` used for every fit.

    Returns
    -------
    ChainDesign
        The chosen chain and its error, every fit, the Pareto front error vs parameters, what
        was skipped and why, and whether the front is exact.

    Raises
    ------
    BudgetTooSmallError
        No chain has at most ``budget`` parameters (names the smallest chain and its cost).
    BudgetError
        ``budget`` is not a positive integer, or ``time_budget`` not a positive number.
    NonFiniteError
        ``A`` holds NaN or infinity.
    ShapeError, ArgumentError
        ``A`` is not a numeric matrix; an invalid option.

    See Also
    --------
    enumerate_chains : the candidates.
    split_lower_bound : the bound that orders and prunes them.
    exactsparse.plot.design_curve : the picture of the result.

    Notes
    -----
    The candidates (:func:`enumerate_chains` with ``max_params = budget``) are ordered by
    increasing lower bound (the largest :func:`split_lower_bound` of their splits; the
    singular values of each block grid are computed once), then decreasing parameters, the
    best-bound chain of every parameter count first (so that a partial front spans the
    budget), and fitted with the hierarchical algorithm, within ``C_β`` of each chain's best
    error [1]_.  A candidate whose bound is reached by a fitted chain with no more parameters
    (at rounding level: with no more parameters and flops) is not fitted: it can neither be
    chosen nor lie on the front.  The errors are those of the fits, not certified optima.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    The 8×8 Hadamard matrix is a butterfly product: a chain of 48 parameters (the dense
    matrix has 64) reproduces it, and a refit of the chosen chain gives the same error:

    >>> import numpy as np, scipy.linalg
    >>> from exactsparse.butterfly import butterfly_factorize
    >>> H = scipy.linalg.hadamard(8)
    >>> res = design_chain(H, 48)
    >>> res.chosen.params <= 48, res.error < 1e-12, res.front_exact
    (True, True, True)
    >>> butterfly_factorize(H, res.chosen.patterns).relative_error(H) < 1e-12
    True
    >>> design_chain(H, 10)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetTooSmallError: Argument 'budget' must be at least 16 parameters, the cost of the smallest 8×8 chain (1,8,1,1)·(1,1,8,1) (2 factors, 23 flops per vector), not 10.
    """
    start = time.monotonic()
    A = _matrix(A)
    budget = _positive(budget, "budget", BudgetError, "a positive integer number of parameters")
    seconds = check_budget(time_budget, "time_budget", allow_none=False)
    validate_option(tree, TREES, "tree")
    m, n, K, _, R = _check_options(*A.shape, max_factors, budget, max_rank)
    end = start + seconds
    cands, complete = [], True
    for c in enumerate_chains(m, n, max_factors=K, max_params=budget, max_rank=R):
        cands.append(c)
        if len(cands) % 64 == 0 and time.monotonic() > start + seconds / 2:
            complete = False
            break
    if not cands:
        raise _too_small(m, n, budget, K, R)
    with threadpool_limits(1, user_api="blas"):   # batched small SVDs: one BLAS thread
        bounds = _bounds(A, cands, (time.monotonic() + end) / 2)   # half left for fits
    order = sorted(range(len(cands)), key=lambda i: (bounds[i], -cands[i].params,
                                                     cands[i].n_factors, i))
    first = {}                      # the best-bound chain of every parameter count goes first
    for i in order:
        first.setdefault(cands[i].params, i)
    order = [i for i in order if first[cands[i].params] == i] + [
        i for i in order if first[cands[i].params] != i]
    tol = 64 * float(np.finfo(A.dtype).eps)       # errors at rounding level count as exact
    q = lambda e: e if e > tol else 0.0             # noqa: E731 - the exact-tie clamp
    fits, skipped, front_p, front_e, exact = [], [], [], [], []   # fitted params, prefix min
    for i in order:
        c, lb = cands[i], q(bounds[i])
        k = np.searchsorted(front_p, c.params, side="right")
        if (lb > 0 and k and front_e[k - 1] <= lb) or any(
                (p, f) <= (c.params, c.flops) for p, f in exact):  # lb = 0: ties by cost
            skipped.append(ChainFit(c, bounds[i], None, 0.0, "dominated"))
            continue
        if fits and time.monotonic() > end:
            skipped.append(ChainFit(c, bounds[i], None, 0.0, "time"))
            continue
        t0 = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            err = float(butterfly_factorize(A, c.patterns, tree=tree).relative_error(A))
        fits.append(ChainFit(c, bounds[i], err, time.monotonic() - t0, "fitted"))
        front_p, front_e = _prefix_min(fits, q)
        exact += [(c.params, c.flops)] if q(err) == 0 else []
    chosen = min(fits, key=lambda f: (q(f.error), f.chain.params, f.chain.flops))
    return ChainDesign(
        shape=(m, n), budget=budget, chosen=chosen.chain, error=chosen.error,
        fits=tuple(fits), pareto=_pareto(fits), skipped=tuple(skipped),
        front_exact=complete and all(s.status == "dominated" for s in skipped),
        chosen_optimal=complete and all(q(s.lower_bound) >= q(chosen.error) for s in skipped),
        n_candidates=len(cands), enumeration_complete=complete,
        seconds=time.monotonic() - start, tree=tree)


def _bounds(A, cands, end):
    """The lower bound of every candidate: its largest split bound (0 for the splits whose
    grid was not reached before ``end``, the grids being taken cheapest first)."""
    m, n = A.shape
    grids = {(d, a) for c in cands for d, a, _ in c.splits()}
    total = float(np.sum(np.abs(A) ** 2))
    tails = {}
    for d, a in sorted(grids, key=lambda g: min(m // g[0], n // g[1])):
        if time.monotonic() > end:
            break
        tails[d, a] = _block_tails(A, d, a)
    split = {(d, a, r): float(np.sqrt(t[min(r, t.size - 1)] / total)) if total else 0.0
             for c in cands for d, a, r in c.splits() if (t := tails.get((d, a))) is not None}
    return [max([split.get(x, 0.0) for x in c.splits()], default=0.0) for c in cands]


def _prefix_min(fits, q):
    pts = sorted((f.chain.params, q(f.error)) for f in fits)
    return [p for p, _ in pts], list(np.minimum.accumulate([e for _, e in pts]))


def _pareto(fits):
    out, best = [], math.inf
    for f in sorted(fits, key=lambda f: (f.chain.params, f.error, f.chain.flops)):
        if f.error < best:
            out.append(f)
            best = f.error
    return tuple(out)

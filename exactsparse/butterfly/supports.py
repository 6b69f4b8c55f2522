"""Kronecker-sparse (KS) support patterns, butterfly supports and the bit-reversal permutation.

A KS pattern ``π = (a, b, c, d)`` is the support ``I_a ⊗ 1_{b×c} ⊗ I_d`` of an
``(a·b·d) × (a·c·d)`` matrix with ``a·b·c·d`` nonzeros [1]_.  A matrix with that support is
stored as its *twiddle tensor* ``T`` of shape ``(a, d, b, c)``:
``X[i·b·d + β·d + j, i·c·d + γ·d + j] = T[i, j, β, γ]``.

Two consecutive patterns ``π₁ = (a₁, b₁, c₁, d₁)`` (left) and ``π₂ = (a₂, b₂, c₂, d₂)``
(right) are *chainable* when ``a₁c₁/a₂ = b₂d₂/d₁ = r`` is an integer, ``a₁ | a₂`` and
``d₂ | d₁``; ``r`` is the rank of the blocks of the two-factor problem, and the product of the
supports is the KS pattern ``(a₁, b₁d₁/d₂, c₂a₂/a₁, d₂)`` [2]_.

For ``N = 2^L`` the square-dyadic butterfly chain, in product order (leftmost factor first),
is ``π_k = (2^{k−1}, 2, 2, N/2^k)``, ``k = 1..L``; with the numbering ``Z = X_L ⋯ X_1`` of
[1]_ the factor ``X_ℓ`` has support ``S_ℓ = I_{N/2^ℓ} ⊗ 1_{2×2} ⊗ I_{2^{ℓ−1}}``.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
   guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

Examples
--------
>>> from exactsparse.butterfly import KSPattern, butterfly_patterns
>>> butterfly_patterns(8)
(KSPattern(a=1, b=2, c=2, d=4), KSPattern(a=2, b=2, c=2, d=2), KSPattern(a=4, b=2, c=2, d=1))
>>> chain_product(butterfly_patterns(8))
KSPattern(a=1, b=8, c=8, d=1)
>>> str(KSPattern(2, 1, 1, 1).to_support())
'10/01'
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..exceptions import ArgumentError, ChainabilityError, PowerOfTwoError, SizeLimitError, show
from ..supports import Support

__all__ = [
    "KSPattern", "check_chainable", "chain_product", "chain_ranks", "butterfly_patterns",
    "butterfly_supports", "monarch_patterns", "bit_reversal_permutation", "log2_size",
    "MAX_SIZE", "MAX_ENTRIES", "check_entries"]


#: Sizes and pattern parameters are indices of int64 arrays: at most 2**62.
MAX_SIZE = 2**62
#: Largest number of nonzeros of a support, a permutation or an index array built here
#: (2**27 int64 entries are 1 GiB); larger requests raise SizeLimitError before allocating.
MAX_ENTRIES = 2**27


def _positive_int(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or int(v) < 1:
        raise ArgumentError(f"Argument {name!r} must be a positive integer, not {show(v)}.")
    if int(v) > MAX_SIZE:
        raise SizeLimitError(f"Argument {name!r} must be at most 2**62 (sizes are int64 "
                             f"indices), not {show(v)}.")
    return int(v)


def check_entries(count, what):
    """Raise :class:`~exactsparse.SizeLimitError` (stating both numbers) when ``count`` is
    above :data:`MAX_ENTRIES`; called before allocating."""
    if isinstance(count, (bool, np.bool_)) or not isinstance(count, numbers.Integral) \
            or count < 0:
        raise ArgumentError(f"Argument 'count' must be a non-negative integer, not "
                            f"{show(count)}.")
    if count > MAX_ENTRIES:
        raise SizeLimitError(f"{what} would have {show(count)} entries, above the limit "
                             f"MAX_ENTRIES = 2**27 = {MAX_ENTRIES} (1 GiB of int64); refused "
                             "before allocating.")


@dataclass(frozen=True)
class KSPattern:
    """The Kronecker-sparse pattern ``I_a ⊗ 1_{b×c} ⊗ I_d`` (an immutable value).

    Parameters
    ----------
    a, b, c, d : int
        Positive integers.

    Raises
    ------
    ArgumentError
        A parameter is not a positive integer.

    Examples
    --------
    >>> p = KSPattern(1, 2, 2, 2)
    >>> p.shape, p.nnz, p.T
    ((4, 4), 8, KSPattern(a=1, b=2, c=2, d=2))
    >>> str(p.to_support())
    '1010/0101/1010/0101'

    It unpacks and indexes like the tuple ``(a, b, c, d)`` (equality and hashing stay those
    of the pattern: ``p != (1, 2, 2, 2)``, ``tuple(p) == (1, 2, 2, 2)``):

    >>> a, b, c, d = p
    >>> (a, b, c, d) == tuple(p) == (p.a, p.b, p.c, p.d), len(p), p[-1]
    (True, 4, 2)
    """

    a: int
    b: int
    c: int
    d: int

    def __post_init__(self):
        for name in "abcd":
            object.__setattr__(self, name, _positive_int(getattr(self, name), name))

    def __iter__(self):
        return iter((self.a, self.b, self.c, self.d))

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return (self.a, self.b, self.c, self.d)[i]

    @property
    def shape(self):
        """``(a·b·d, a·c·d)``."""
        return (self.a * self.b * self.d, self.a * self.c * self.d)

    @property
    def nnz(self):
        return self.a * self.b * self.c * self.d

    @property
    def twiddle_shape(self):
        """Shape ``(a, d, b, c)`` of the twiddle tensor of a matrix with this support."""
        return (self.a, self.d, self.b, self.c)

    @property
    def T(self):
        """The pattern of the transpose, ``(a, c, b, d)``."""
        return KSPattern(self.a, self.c, self.b, self.d)

    def indices(self):
        """Row and column indices of the nonzeros, in twiddle order ``(a, d, b, c)``
        (:class:`~exactsparse.SizeLimitError` above ``MAX_ENTRIES`` nonzeros)."""
        check_entries(self.nnz, f"The index arrays of the KS pattern {self}")
        i, j, beta, gamma = np.indices(self.twiddle_shape, dtype=np.int64)
        rows = (i * self.b + beta) * self.d + j
        cols = (i * self.c + gamma) * self.d + j
        return rows.ravel(), cols.ravel()

    def to_scipy(self):
        """The 0/1 support as a ``scipy.sparse.csr_matrix`` (int8)."""
        rows, cols = self.indices()
        return sp.csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=self.shape)

    def to_support(self):
        """The pattern as a dense :class:`~exactsparse.supports.Support`
        (:class:`~exactsparse.SizeLimitError` above ``MAX_ENTRIES`` entries)."""
        check_entries(self.shape[0] * self.shape[1], f"The dense support of {self}")
        return Support(self.to_scipy().toarray())


def _as_pattern(p, name):
    if isinstance(p, KSPattern):
        return p
    try:
        a, b, c, d = p
    except (TypeError, ValueError):
        raise ArgumentError(f"Argument {name!r} must be a KS pattern (a, b, c, d), "
                            f"not {show(p)}.") from None
    return KSPattern(a, b, c, d)


def check_chainable(left, right):
    """The block rank ``r`` of two chainable KS patterns, or a :class:`ChainabilityError`.

    Parameters
    ----------
    left, right : KSPattern or tuple
        ``(a₁, b₁, c₁, d₁)`` and ``(a₂, b₂, c₂, d₂)``, in product order.

    Returns
    -------
    int
        ``r = a₁c₁/a₂ = b₂d₂/d₁``.

    Raises
    ------
    ChainabilityError
        Naming both patterns and the condition that fails.

    See Also
    --------
    chain_ranks : validate a whole chain.
    chain_product : the pattern of the product.

    Notes
    -----
    Chainability (Le, Zheng, Riccietti, Gribonval 2025 [1]_, Def. of chainable KS patterns)
    makes every split of the chain a set of disjoint rank-``r`` block problems (ICASSP 2022
    Lemma 2 for the butterfly chain), which guarantees that the best-approximation problem
    has a minimiser.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    >>> check_chainable((1, 2, 2, 2), (2, 2, 2, 1))
    1

    The product of two chainable supports is the KS pattern of :func:`chain_product`, and the
    two factors meet on blocks of rank ``r``:

    >>> L, R = KSPattern(1, 2, 2, 2), KSPattern(2, 2, 2, 1)
    >>> prod = (L.to_scipy() @ R.to_scipy()).toarray() > 0
    >>> bool((prod == chain_product([L, R]).to_scipy().toarray()).all())
    True
    >>> check_chainable((2, 2, 2, 1), (1, 2, 2, 2))  # the butterfly chain in reverse order
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ChainabilityError: Patterns left=(2, 2, 2, 1) and right=(1, 2, 2, 2) are not chainable: a₁ = 2 must divide a₂ = 1.
    """
    left, right = _as_pattern(left, "left"), _as_pattern(right, "right")
    a1, b1, c1, d1 = left.a, left.b, left.c, left.d
    a2, b2, c2, d2 = right.a, right.b, right.c, right.d
    head = (f"Patterns left={(a1, b1, c1, d1)} and right={(a2, b2, c2, d2)} are not chainable: ")
    if left.shape[1] != right.shape[0]:
        raise ChainabilityError(head + f"the inner sizes a₁c₁d₁ = {left.shape[1]} and "
                                f"a₂b₂d₂ = {right.shape[0]} differ.")
    if a2 % a1:
        raise ChainabilityError(head + f"a₁ = {a1} must divide a₂ = {a2}.")
    if d1 % d2:
        raise ChainabilityError(head + f"d₂ = {d2} must divide d₁ = {d1}.")
    if (a1 * c1) % a2 or (b2 * d2) % d1 or (a1 * c1) // a2 != (b2 * d2) // d1:
        raise ChainabilityError(head + f"a₁c₁/a₂ = {a1 * c1}/{a2} and b₂d₂/d₁ = "
                                f"{b2 * d2}/{d1} must be the same integer r.")
    return (a1 * c1) // a2


def chain_ranks(patterns):
    """Validate a chain of KS patterns (product order); return ``(patterns, ranks)``.

    Parameters
    ----------
    patterns : sequence of KSPattern or (a, b, c, d) tuples
        Leftmost factor first.

    Returns
    -------
    patterns : tuple of KSPattern
    ranks : tuple of int
        ``ranks[k]`` is the block rank between ``patterns[k]`` and ``patterns[k + 1]``
        (:func:`check_chainable`).

    Raises
    ------
    ArgumentError
        Not a non-empty sequence of patterns.
    ChainabilityError
        Two consecutive patterns are not chainable.

    See Also
    --------
    check_chainable : one pair.
    chain_product : the pattern of the product.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    >>> chain_ranks([(1, 2, 2, 2), (2, 2, 2, 1)])[1]
    (1,)
    >>> chain_ranks(monarch_patterns(16))[1]       # Monarch: rank-one blocks too
    (1,)
    >>> all(r == 1 for r in chain_ranks(butterfly_patterns(64))[1])
    True
    """
    if isinstance(patterns, (KSPattern, str, bytes)) or not hasattr(patterns, "__len__") \
            or not hasattr(patterns, "__iter__") or len(patterns) == 0:
        raise ArgumentError(f"Argument 'patterns' must be a non-empty sequence of KS patterns, "
                            f"not {show(patterns)}.")
    pats = tuple(_as_pattern(p, f"patterns[{k}]") for k, p in enumerate(patterns))
    ranks = tuple(check_chainable(pats[k], pats[k + 1]) for k in range(len(pats) - 1))
    return pats, ranks


def chain_product(patterns):
    """The KS pattern of the product of a chainable chain (product order).

    Parameters
    ----------
    patterns : sequence of KSPattern or (a, b, c, d) tuples
        A chainable chain, leftmost factor first.

    Returns
    -------
    KSPattern
        The product of chainable ``(a₁, b₁, c₁, d₁)`` and ``(a₂, b₂, c₂, d₂)`` is
        ``(a₁, b₁d₁/d₂, c₂a₂/a₁, d₂)`` [1]_.

    Raises
    ------
    ArgumentError, ChainabilityError
        As :func:`chain_ranks`.

    See Also
    --------
    chain_ranks, check_chainable

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    >>> chain_product([(1, 2, 2, 2), (2, 2, 2, 1)])
    KSPattern(a=1, b=4, c=4, d=1)

    It is the support of the product of the supports:

    >>> import functools
    >>> pats = butterfly_patterns(8)
    >>> S = functools.reduce(lambda A, B: A @ B, [p.to_scipy().astype(int) for p in pats])
    >>> bool(((S.toarray() > 0) == chain_product(pats).to_scipy().toarray()).all())
    True
    """
    pats, _ = chain_ranks(patterns)
    first, last = pats[0], pats[-1]
    m, n = first.shape[0], last.shape[1]
    return KSPattern(first.a, m // (first.a * last.d), n // (first.a * last.d), last.d)


def log2_size(n, name="N"):
    """``L`` with ``n = 2^L`` (``L >= 1``), or a :class:`PowerOfTwoError` suggesting padding.

    Parameters
    ----------
    n : int
    name : str
        The argument name used in the error message.

    Returns
    -------
    int

    Raises
    ------
    ArgumentError
        ``n`` is not an integer.
    PowerOfTwoError
        ``n`` is not a power of two ``>= 2`` (names the padded size).

    See Also
    --------
    butterfly_patterns : the chain of ``L`` factors.

    Examples
    --------
    >>> log2_size(1024), 2 ** log2_size(1024) == 1024
    (10, True)
    >>> log2_size(12)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.PowerOfTwoError: Argument 'N' must be a power of two >= 2, not 12; pad the matrix with zeros to size 16 (e.g. numpy.pad), or give a chain of KS patterns.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ArgumentError(f"Argument {name!r} must be an integer, not {show(n)}.")
    n = int(n)
    if n > MAX_SIZE:
        raise SizeLimitError(f"Argument {name!r} must be at most 2**62 (sizes are int64 "
                             f"indices), not {show(n)}.")
    if n < 2 or n & (n - 1):
        pad = 1 << max(1, (n - 1).bit_length()) if n >= 2 else 2
        raise PowerOfTwoError(f"Argument {name!r} must be a power of two >= 2, not {show(n)}; "
                              f"pad the matrix with zeros to size {pad} (e.g. numpy.pad), or "
                              "give a chain of KS patterns.")
    return n.bit_length() - 1


def butterfly_patterns(n):
    """The square-dyadic butterfly chain ``π_k = (2^{k−1}, 2, 2, n/2^k)``, leftmost first.

    Parameters
    ----------
    n : int
        A power of two ``N = 2^L``.

    Returns
    -------
    tuple of KSPattern
        ``L`` chainable patterns of rank 1 whose product is ``(1, N, N, 1)`` (a full matrix).

    Raises
    ------
    PowerOfTwoError
        ``n`` is not a power of two (pad the matrix).

    See Also
    --------
    butterfly_supports : the same chain as 0/1 supports.
    monarch_patterns : the two-factor Monarch chain.

    Notes
    -----
    Every split of this chain has pairwise disjoint rank-one supports (ICASSP 2022 Lemma 2
    [2]_), which makes the hierarchical factorization exact on exact products [1]_.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
       sparse matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
    .. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022.

    Examples
    --------
    >>> butterfly_patterns(4)
    (KSPattern(a=1, b=2, c=2, d=2), KSPattern(a=2, b=2, c=2, d=1))
    >>> pats = butterfly_patterns(16)
    >>> chain_product(pats), chain_ranks(pats)[1], sum(p.nnz for p in pats) == 2 * 16 * 4
    (KSPattern(a=1, b=16, c=16, d=1), (1, 1, 1), True)
    """
    L = log2_size(n, "n")
    return tuple(KSPattern(2 ** (k - 1), 2, 2, n >> k) for k in range(1, L + 1))


def butterfly_supports(n):
    """The butterfly supports as :class:`~exactsparse.supports.Support` values, leftmost first.

    Parameters
    ----------
    n : int
        A power of two ``N = 2^L``.

    Returns
    -------
    tuple of Support
        The factor ``X_ℓ`` of ``Z = X_L ⋯ X_1`` has support ``S_ℓ = I_{N/2^ℓ} ⊗ 1_{2×2} ⊗
        I_{2^{ℓ−1}}`` [1]_; this returns ``(S_L, ..., S_1)`` (product order).

    See Also
    --------
    butterfly_patterns : the same chain as KS patterns.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
       sparse matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.

    Examples
    --------
    >>> [str(S) for S in butterfly_supports(4)]
    ['1010/0101/1010/0101', '1100/1100/0011/0011']

    Two nonzeros per row, and the product of the supports is full (``2NL`` parameters
    describe a dense matrix):

    >>> import numpy as np
    >>> S = [np.array(s.tolist()) for s in butterfly_supports(8)]
    >>> all((s.sum(axis=1) == 2).all() for s in S), bool((S[0] @ S[1] @ S[2] > 0).all())
    (True, True)
    """
    pats = butterfly_patterns(n)
    check_entries(n * n, f"Each of the {len(pats)} dense butterfly supports of size {n}")
    return tuple(p.to_support() for p in pats)


def monarch_patterns(n):
    """The two Monarch patterns ``(1, √n, √n, √n)``, ``(√n, √n, √n, 1)`` (``n`` a square).

    Parameters
    ----------
    n : int
        A perfect square.

    Returns
    -------
    tuple of KSPattern
        A chainable pair of rank one whose product is the full ``n×n`` pattern [1]_.

    Raises
    ------
    ArgumentError
        ``n`` is not a positive perfect square.

    See Also
    --------
    butterfly_patterns : the ``log2 n``-factor chain.

    References
    ----------
    .. [1] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with
       error guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.

    Examples
    --------
    >>> monarch_patterns(16)
    (KSPattern(a=1, b=4, c=4, d=4), KSPattern(a=4, b=4, c=4, d=1))
    >>> chain_product(monarch_patterns(16)), chain_ranks(monarch_patterns(16))[1]
    (KSPattern(a=1, b=16, c=16, d=1), (1,))
    """
    n = _positive_int(n, "n")
    s = math.isqrt(n)
    if s * s != n:
        raise ArgumentError(f"Argument 'n' must be a perfect square, not {n}.")
    return (KSPattern(1, s, s, s), KSPattern(s, s, s, 1))


def bit_reversal_permutation(n):
    """The bit-reversal permutation of ``range(n)``, ``n = 2^L`` (an involution).

    Parameters
    ----------
    n : int
        A power of two.

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    PowerOfTwoError

    See Also
    --------
    exactsparse.butterfly.butterfly_factorize : takes ``perm="bitrev"``.
    exactsparse.butterfly.identify_butterfly : takes ``perm="bitrev"``.

    Notes
    -----
    The radix-2 Cooley–Tukey factorization reads ``DFT_N = B · P`` with ``B`` a butterfly
    product and ``(P x)[k] = x[perm[k]]`` [1]_.

    References
    ----------
    .. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly
       sparse matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.

    Examples
    --------
    >>> p = bit_reversal_permutation(8)
    >>> p.tolist(), p[p].tolist() == list(range(8))          # an involution
    ([0, 4, 2, 6, 1, 5, 3, 7], True)

    ``DFT · Pᵀ`` (the columns permuted) is an exact butterfly product, the DFT itself is not:

    >>> import numpy as np
    >>> from exactsparse.butterfly import butterfly_factorize
    >>> D = np.fft.fft(np.eye(8))
    >>> butterfly_factorize(D[:, p]).relative_error(D[:, p]) < 1e-12
    True
    >>> butterfly_factorize(D).relative_error(D) > 0.1
    True
    """
    L = log2_size(n, "n")
    check_entries(n, "The bit-reversal permutation")
    k = np.arange(n, dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    for bit in range(L):
        out |= ((k >> bit) & 1) << (L - 1 - bit)
    return out


"""A product of Kronecker-sparse factors stored as twiddle tensors: :class:`ButterflyFactors`.

A factor with KS pattern ``(a, b, c, d)`` is stored as its twiddle tensor of shape
``(a, d, b, c)`` (see :mod:`.supports`; the butterfly supports of [1]_, the KS patterns of
[2]_); applying it to a vector is one ``einsum`` on a reshape, ``O(nnz)`` work, and the
dense ``N×N`` support is never built.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Efficient identification of butterfly sparse
   matrix factorizations", SIAM J. Math. Data Sci. 5(1), 2023, arXiv:2110.01230.
.. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Butterfly factorization with error
   guarantees", SIAM J. Matrix Anal. Appl. 46(4), 2025, arXiv:2411.04506.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..exceptions import ArgumentError, ShapeError
from ._common import as_array, validate_perm
from ..exceptions import show
from .supports import chain_ranks

__all__ = ["ButterflyFactors"]


class ButterflyFactors:
    """A product of Kronecker-sparse factors ``X_1 X_2 ⋯ X_K P`` stored as twiddle tensors.

    ``factors[0]`` is the leftmost factor; ``perm`` (or None) is the column permutation
    ``(P x)[k] = x[perm[k]]``, ``row_perm`` (or None) the row permutation ``R`` with
    ``(R y)[k] = y[row_perm[k]]``: the product is ``Rᵀ X_1 ⋯ X_K P``, i.e.
    ``Z[row_perm][:, perm] = X_1 ⋯ X_K``.  A batch of products of the same chain shares
    ``patterns``; each twiddle then has shape ``(*batch_shape, a, d, b, c)``.

    Attributes
    ----------
    patterns : tuple of KSPattern
    twiddles : tuple of numpy.ndarray
    perm : numpy.ndarray or None
    row_perm : numpy.ndarray or None
    batch_shape : tuple
    optimal : bool
        True only for a two-factor chain computed by the exact projection
        (:func:`~exactsparse.butterfly.projection.project_two_factor`): the product is a
        global minimiser of ``‖A Pᵀ − X₁X₂‖_F`` over the supports, certified on request by
        :meth:`optimality_certificate`.
    perm_search : str or None
        How the search of ``perm="auto"`` / ``row_perm="auto"`` ended: ``"converged"`` or
        ``"budget"`` (its time budget ran out; the permutations are the best found so far),
        None when no permutation was searched.

    See Also
    --------
    exactsparse.butterfly.butterfly_factorize : returns one.
    exactsparse.butterfly.butterfly_patterns : the default chain.

    Examples
    --------
    >>> import numpy as np, scipy.linalg
    >>> from exactsparse.butterfly import butterfly_factorize
    >>> F = butterfly_factorize(scipy.linalg.hadamard(8))
    >>> F.n_factors, F.shape
    (3, (8, 8))
    >>> bool(np.allclose(F.todense(), scipy.linalg.hadamard(8)))
    True
    >>> x = np.arange(8.0)
    >>> bool(np.allclose(F @ x, scipy.linalg.hadamard(8) @ x))
    True

    The product of the sparse factors is the dense product:

    >>> from exactsparse.butterfly import butterfly_patterns
    >>> rng = np.random.default_rng(0)
    >>> pats = butterfly_patterns(8)
    >>> G = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats])
    >>> mats = G.to_scipy()
    >>> bool(np.allclose((mats[0] @ mats[1] @ mats[2]).toarray(), G.todense()))
    True
    """

    #: set by :func:`~exactsparse.butterfly.butterfly_factorize` after an ``"auto"`` search
    perm_search = None

    def __init__(self, patterns, twiddles, perm=None, row_perm=None, *, optimal=False):
        self.patterns, _ = chain_ranks(patterns)
        if isinstance(twiddles, (str, bytes)) or not hasattr(twiddles, "__iter__"):
            raise ArgumentError(f"Argument 'twiddles' must be a sequence of arrays, one per "
                                f"pattern, not {show(twiddles)}.")
        self.twiddles = tuple(as_array(t, f"twiddles[{k}]") for k, t in enumerate(twiddles))
        for k, t in enumerate(self.twiddles):
            if t.dtype.kind not in "biufc":
                raise ArgumentError(f"Argument 'twiddles[{k}]' must be a numeric array, not "
                                    f"of dtype {t.dtype}.")
        if len(self.twiddles) != len(self.patterns):
            raise ShapeError(f"Argument 'twiddles' must hold {len(self.patterns)} tensors, "
                             f"not {len(self.twiddles)}.")
        self.batch_shape = self.twiddles[0].shape[:-4]
        for k, (p, t) in enumerate(zip(self.patterns, self.twiddles)):
            if t.shape != (*self.batch_shape, *p.twiddle_shape):
                raise ShapeError(f"Argument 'twiddles[{k}]' must have shape "
                                 f"{(*self.batch_shape, *p.twiddle_shape)}, not {t.shape}.")
        self.perm = None if perm is None else validate_perm(perm, self.shape[1])
        self.row_perm = (None if row_perm is None
                         else validate_perm(row_perm, self.shape[0], "row_perm"))
        self.optimal = bool(optimal) and len(self.patterns) == 2

    def optimality_certificate(self):
        """``(result, instance)``: the FSMF tractability certificate behind ``optimal``.

        ``exactsparse.verify(*F.optimality_certificate())`` re-checks it from the supports
        (:func:`~exactsparse.butterfly.projection.two_factor_certificate`).  Raises
        :class:`~exactsparse.ArgumentError` when ``optimal`` is False.
        """
        if not self.optimal:
            raise ArgumentError("optimality_certificate needs a two-factor product computed "
                                "by the exact projection (optimal=True), not one with "
                                f"optimal=False ({self.n_factors} factors).")
        from .projection import two_factor_certificate
        return two_factor_certificate(self.patterns)

    @property
    def shape(self):
        """``(m, n)`` of one product."""
        return (self.patterns[0].shape[0], self.patterns[-1].shape[1])

    @property
    def n_factors(self):
        return len(self.patterns)

    @property
    def dtype(self):
        return np.result_type(*self.twiddles)

    def __len__(self):
        return self.n_factors

    def __repr__(self):
        return (f"ButterflyFactors(shape={self.shape}, n_factors={self.n_factors}, "
                f"batch_shape={self.batch_shape}, perm={'yes' if self.perm is not None else None}"
                + (", row_perm=yes" if self.row_perm is not None else "")
                + (", optimal=True)" if self.optimal else ")"))

    def matmul(self, x):
        """``Z @ x`` in ``O(nnz)`` per column, with numpy's ``@`` conventions.

        ``x`` of shape ``(n,)`` is one vector (result ``(*batch, m)``); ``x`` of ndim >= 2 is a
        matrix ``(..., n, k)`` whose leading axes broadcast against the batch (result
        ``(*batch, m, k)``).  A batch of vectors, one per product, goes through
        :meth:`matvec`.  The vector/matrix decision depends on ``x.ndim`` only, never on the
        batch shape.
        """
        x = _numeric(x, "x")
        if x.ndim == 0:
            raise ShapeError("Argument 'x' must be a vector or a matrix, not a scalar.")
        vec = x.ndim == 1
        if vec:
            x = x[:, None]
        return self._apply(x)[..., 0] if vec else self._apply(x)

    __matmul__ = matmul

    def matvec(self, x):
        """One vector per product: ``x`` of shape ``(*batch, n)`` (or ``(n,)``, broadcast) →
        ``(*batch, m)``."""
        x = _numeric(x, "x")
        if x.ndim == 0:
            raise ShapeError("Argument 'x' must be a vector or a batch of vectors.")
        return self._apply(x[..., None])[..., 0]

    def _apply(self, x):
        n = self.shape[1]
        if x.shape[-2] != n:
            raise ShapeError(f"Argument 'x' must have {n} rows, not shape {x.shape}.")
        if self.perm is not None:
            x = x[..., self.perm, :]
        try:
            lead = np.broadcast_shapes(self.batch_shape, x.shape[:-2])
        except ValueError:
            raise ShapeError(f"Argument 'x' of shape {x.shape} does not broadcast against the "
                             f"batch shape {self.batch_shape}.") from None
        x = np.broadcast_to(x, (*lead, n, x.shape[-1]))
        tws = [np.broadcast_to(t, (*lead, *t.shape[len(self.batch_shape):]))
               for t in self.twiddles]
        for p, t in zip(reversed(self.patterns), reversed(tws)):
            x = _apply_twiddle(t, p, x)
        if self.row_perm is not None:                       # y = Rᵀ x: y[row_perm] = x
            x = x[..., np.argsort(self.row_perm), :]
        return x

    def todense(self):
        """The dense product, shape ``(*batch, m, n)``."""
        n = self.shape[1]
        eye = np.eye(n, dtype=self.dtype)
        return self._apply(eye)

    def relative_error(self, A):
        """``‖A − Z‖_F / ‖A‖_F`` per product, computed with the dense product.

        ``A`` has shape ``(m, n)`` or ``(*batch, m, n)``; returns a float for an unbatched
        product, else an array of shape ``batch_shape`` (``‖Z‖_F`` when ``A = 0``).  Both
        norms are taken after dividing by the power of two nearest above ``max |A|`` (per
        product; exact), so tiny or huge entries neither underflow nor overflow."""
        A = _numeric(A, "A")
        if A.ndim < 2 or A.shape[-2:] != self.shape:
            raise ShapeError(f"Argument 'A' must have trailing shape {self.shape}, not "
                             f"{A.shape}.")
        D = self.todense()
        lead = np.broadcast_shapes(self.batch_shape, A.shape[:-2])
        A = np.broadcast_to(A, (*lead, *self.shape))
        with np.errstate(all="ignore"):
            big = np.abs(A).max(axis=(-2, -1), keepdims=True)
            shift = np.where(big == 0, 0, np.frexp(big)[1])    # A = 0: Z unscaled
            num = np.linalg.norm(np.ldexp(np.abs(A - D), -shift).reshape(*lead, -1), axis=-1)
            den = np.linalg.norm(np.ldexp(np.abs(A), -shift).reshape(*lead, -1), axis=-1)
        out = num / np.where(den == 0, 1, den)
        return float(out) if out.ndim == 0 else out

    def to_scipy(self):
        """The factors as a list of ``scipy.sparse.csr_matrix``, leftmost first.

        The permutation, when there is one, is appended as a last factor (and the row
        permutation ``Rᵀ`` prepended as a first one) so that the product of the list equals
        the matrix.  Unbatched products only.
        """
        if self.batch_shape:
            raise ShapeError(f"to_scipy needs an unbatched product, not batch shape "
                             f"{self.batch_shape}; index the batch first.")
        out = []
        for p, t in zip(self.patterns, self.twiddles):
            rows, cols = p.indices()
            out.append(sp.csr_matrix((t.ravel(), (rows, cols)), shape=p.shape))
        if self.perm is not None:
            n = self.perm.size
            out.append(sp.csr_matrix((np.ones(n), (np.arange(n), self.perm)), shape=(n, n)))
        if self.row_perm is not None:
            m = self.row_perm.size
            out.insert(0, sp.csr_matrix((np.ones(m), (self.row_perm, np.arange(m))),
                                        shape=(m, m)))
        return out

    def to_faust(self):
        """The product as a ``pyfaust.Faust`` (needs the optional dependency pyfaust)."""
        try:
            import pyfaust
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_faust needs pyfaust (pip install pyfaust).") from None
        mats = self.to_scipy()
        dt = np.complex128 if np.iscomplexobj(self.twiddles[0]) else np.float64
        return pyfaust.Faust([m.astype(dt) for m in mats])

    def __getitem__(self, idx):
        """One product (or a sub-batch) of a batch."""
        if not self.batch_shape:
            raise ShapeError("Indexing needs a batched product.")
        tw = [t[idx] for t in self.twiddles]
        return ButterflyFactors(self.patterns, tw, self.perm, self.row_perm,
                                optimal=self.optimal)


def _numeric(x, name):
    """``x`` as a numeric numpy array (typed errors for ragged or non-numeric input)."""
    arr = as_array(x, name)
    if arr.dtype.kind not in "biufc":
        raise ArgumentError(f"Argument {name!r} must be a numeric array, not of dtype "
                            f"{arr.dtype}.")
    return arr


def _apply_twiddle(t, p, x):
    """``X @ x`` for ``X`` of pattern ``p`` with twiddle ``t``; ``x`` of shape (*B, n, k)."""
    *B, _, k = x.shape
    xs = x.reshape(*B, p.a, p.c, p.d, k)
    y = np.einsum("...ijbc,...icjk->...ibjk", t, xs)
    return y.reshape(*B, p.shape[0], k)


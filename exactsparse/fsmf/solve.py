"""Solving tractable FSMF instances to global optimality: :func:`solve_fsmf`.

On a tractable support pair (see :func:`~exactsparse.fsmf.check_tractable`) the
block-SVD algorithm of Le, Riccietti & Gribonval [1]_ is globally optimal: each
non-complete class ``P`` takes the best rank-``|P|`` approximation of ``A`` on its
rectangle ``R'_P × C'_P``; complete classes fit the residual on their rectangles exactly;
the rest of ``X`` and ``Y`` is zero.  The optimal value is

    L* = Σ_{(i, j) uncovered} A_ij² + Σ_P Σ_{t > |P|} σ_t(A[R'_P, C'_P])²,

and ``Σ_{t>k} σ_t(B)² = tr(BᵀB) − (sum of the k largest eigenvalues of BᵀB)`` is an
algebraic number for rational ``B``: :func:`solve_fsmf` returns it exactly (a sympy
expression), with a certified ``arb`` enclosure computed independently by flint, and
exact rational ``X``, ``Y`` whenever the top eigenspaces are rational.

References
----------
.. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import flint
import numpy as np

from .. import exact
from .._budget import check_budget
from .._budget import run_killable
from ..results.fsmf import FSMFSolution
from ..exceptions import (ArgumentError, ExactTypeError, FloatInExactError,
                          NonFiniteError, ShapeError, SizeLimitError)
from ..supports import check_pair
from .local import als
from .tractable import check_tractable

__all__ = ["FSMFSolution", "solve_fsmf", "fsmf_loss", "MAX_RESTARTS"]

#: Most local-solver restarts :func:`solve_fsmf` accepts (each is up to 1000 sweeps).
MAX_RESTARTS = 10_000


# ----------------------------------------------------------------------------- input
def _float_matrix(A, name="A", norm=True):
    """A float/complex ndarray ``A`` as float64/complex128, finite, with ``||A||_F**2``
    within the float range when ``norm`` (the loss must be reported as ``value_float``)."""
    if A.ndim != 2 or 0 in A.shape:
        raise ShapeError(f"Argument {name!r} must be a non-empty 2-D matrix, not shape "
                         f"{A.shape}.")
    with np.errstate(over="ignore", invalid="ignore"):
        An = A.astype(np.complex128 if A.dtype.kind == "c" else np.float64)
    if not np.all(np.isfinite(An)):
        raise NonFiniteError(f"Argument {name!r} must be finite (in double precision); it "
                             "contains NaN or infinity, or entries beyond the float64 range.")
    if not norm:
        return An
    As, e = exact.scale_pow2(An)
    try:
        math.ldexp(float(np.sum(np.abs(As) ** 2)), 4 * e)
    except OverflowError:
        raise SizeLimitError("Argument 'A' has a squared Frobenius norm beyond the float range "
                             f"(max |A_ij| = {float(np.max(np.abs(An))):.3g}); its loss could not "
                             "be reported as value_float.") from None
    return An


def _prepare(A, exact_mode):
    """Return ``(A_exact or None, A_numeric)`` after validation."""
    if exact_mode is not None and not isinstance(exact_mode, bool):
        raise ArgumentError(f"Argument 'exact_mode' must be None, True or False, not "
                            f"{exact.short_repr(exact_mode)}.")
    if isinstance(A, np.ndarray) and A.dtype.kind in "fc":
        if exact_mode:
            exact.as_matrix(A, "A")           # raises FloatInExactError
        return None, _float_matrix(A)
    try:
        M = exact.as_matrix(A, "A")
    except FloatInExactError:
        if exact_mode:
            raise
        arr = np.asarray(A)
        if arr.dtype.kind not in "fc":
            raise
        return _prepare(arr, False)
    Afr = np.array(exact.to_fractions(M), dtype=object).reshape(M.nrows(), M.ncols())
    try:
        Af = Afr.astype(np.float64)
    except OverflowError:
        raise SizeLimitError("Argument 'A' has entries beyond the float range; the loss "
                             "could not be reported as value_float.") from None
    return (None if exact_mode is False else Afr), _float_matrix(Af)


def fsmf_loss(A, X, Y):
    """The FSMF loss ``||A − X Yᵀ||_F²`` (supports are not checked here).

    Parameters
    ----------
    A : matrix, m×n
    X, Y : matrices, m×r and n×r
        Exact entries (int, Fraction, ``"p/q"``, integer arrays, flint/sympy matrices), or
        float/complex arrays for the numeric loss.

    Returns
    -------
    Fraction or float
        Exact when all three are exact; a float as soon as one holds a float (computed on
        ``A`` scaled by a power of two; ``inf`` only when the loss exceeds the float range).

    Raises
    ------
    ShapeError
        The shapes do not fit ``A ≈ X Yᵀ``.
    ExactTypeError, ParseError, NonFiniteError, SizeLimitError
        An entry that is not a number, NaN/infinity, or (float loss) an exact entry beyond
        the float range.

    See Also
    --------
    solve_fsmf : the minimiser over supported ``X``, ``Y`` (its ``value`` is this loss there).
    als : a local minimiser, returning this loss.

    Examples
    --------
    >>> import numpy as np
    >>> from fractions import Fraction as F
    >>> A, X, Y = [[1, 2], [3, 4]], [[F(1, 2)], [1]], [[2], [3]]
    >>> fsmf_loss(A, X, Y)                              # A − X Yᵀ = [[0, 1/2], [1, 1]]
    Fraction(9, 4)
    >>> R = np.array(A) - np.outer([0.5, 1], [2, 3])    # the same residual, by numpy
    >>> fsmf_loss(np.array(A, float), np.array(X, float), np.array(Y, float)), float((R ** 2).sum())
    (2.25, 2.25)
    """
    try:
        M, Xm, Ym = exact.as_matrix(A, "A"), exact.as_matrix(X, "X"), exact.as_matrix(Y, "Y")
    except FloatInExactError:
        A, X, Y = (_numeric(t, name) for t, name in ((A, "A"), (X, "X"), (Y, "Y")))
        if X.shape[1] != Y.shape[1] or (X.shape[0], Y.shape[0]) != A.shape:
            raise ShapeError(f"Shapes of 'A' {A.shape}, 'X' {X.shape} and 'Y' {Y.shape} do "
                             "not fit A ≈ X Yᵀ.") from None
        As, e = exact.scale_pow2(A)
        half = 2.0 ** (-e)
        with np.errstate(over="ignore", invalid="ignore"):
            loss_s = float(np.sum(np.abs(As - (X * half) @ (Y * half).T) ** 2))
        try:
            return math.ldexp(loss_s, 4 * e) if math.isfinite(loss_s) else math.inf
        except OverflowError:
            return math.inf
    if Xm.ncols() != Ym.ncols() or Xm.nrows() != M.nrows() or Ym.nrows() != M.ncols():
        raise ShapeError(f"Shapes of 'A' {(M.nrows(), M.ncols())}, 'X' {(Xm.nrows(), Xm.ncols())}"
                         f" and 'Y' {(Ym.nrows(), Ym.ncols())} do not fit A ≈ X Yᵀ.")
    return exact.frobenius_sq(M - Xm * Ym.transpose())


def _numeric(t, name):
    """A float/complex 2-D array of ``t`` (exact entries converted), finite."""
    if isinstance(t, np.ndarray) and t.dtype.kind in "fc":
        if t.ndim != 2:
            raise ShapeError(f"Argument {name!r} must be 2-D, not of shape {t.shape}.")
        with np.errstate(over="ignore"):
            out = t.astype(np.complex128 if t.dtype.kind == "c" else np.float64)
    else:
        try:
            out = _float_matrix(np.array(exact.to_fractions(exact.as_matrix(t, name)),
                                         dtype=object).astype(np.float64), name, False)
        except FloatInExactError:
            try:
                arr = np.asarray(t)
            except (ValueError, TypeError):
                arr = np.array(None)
            if arr.dtype.kind not in "fcO" or arr.ndim != 2 or 0 in arr.shape:
                raise ShapeError(f"Argument {name!r} must be a non-empty 2-D numeric matrix, "
                                 f"not {exact.short_repr(t)}.") from None
            try:
                out = arr.astype(np.complex128 if np.iscomplexobj(arr) or any(
                    isinstance(v, complex) for v in arr.ravel()) else np.float64)
            except (TypeError, ValueError):
                raise ExactTypeError(f"Argument {name!r} has entries that are not numbers.") \
                    from None
        except OverflowError:
            raise SizeLimitError(f"Argument {name!r} has entries beyond the float range.") \
                from None
    if not np.all(np.isfinite(out)):
        raise NonFiniteError(f"Argument {name!r} must be finite; it contains NaN or infinity "
                             f"(or entries beyond the float range).")
    return out


def _check_shapes(Ashape, I, J):
    if Ashape != (I.shape[0], J.shape[0]):
        raise ShapeError(f"Argument 'A' has shape {Ashape} but the supports give "
                         f"{(I.shape[0], J.shape[0])} (I is {I.shape}, J is {J.shape}).")


# ----------------------------------------------------------------------------- solver
def solve_fsmf(A, I, J, *, exact_mode=None, backend="flint", restarts=20, seed=0, budget=60.0):
    """Solve ``min ||A − X Yᵀ||_F²`` with ``supp X ⊆ I``, ``supp Y ⊆ J``.

    Parameters
    ----------
    A : matrix, m×n
        Exact entries (int, Fraction, ``"p/q"``, numpy integer arrays, flint/sympy
        matrices) take the exact path; a float or complex numpy array the numeric path.
    I, J : supports, m×r and n×r
    exact_mode : bool or None
        None: decided by the type of ``A``.  True: require exact entries (a float raises
        :class:`~exactsparse.exceptions.FloatInExactError`).  False: numeric path always.
    backend : {"flint", "sympy"}
        Exact backend for ranks, echelon forms and characteristic polynomials (the
        certified enclosure always comes from flint's ``arb``).
    restarts, seed : int
        Local solver settings, used only on instances that are not covered (``restarts`` at
        most :data:`MAX_RESTARTS`).
    budget : float or None
        Seconds (None: no limit).  Not covered: the local solver stops when it runs out and
        the best point so far is returned (uncertified, the certificate's ``reason`` says
        so).  Tractable with exact entries: checked between blocks; when it runs out the
        block SVD is finished in floating point and the answer is ``"optimal"`` but not
        certified (``reason`` in the certificate).

    Returns
    -------
    FSMFSolution

    Raises
    ------
    ShapeError, SupportError, NonFiniteError, FloatInExactError
    ArgumentError, BudgetError
        Invalid ``restarts``, ``seed``, ``exact_mode`` or ``budget``.
    SizeLimitError
        ``||A||_F²`` beyond the float range (the loss could not be reported as
        ``value_float``).

    Notes
    -----
    Implements the block-SVD algorithm (globally optimal on the tractable families, see
    :func:`check_tractable`).  Exact path: each block value
    ``tr(G) − Σ_{top k} λ(G)`` with ``G`` the smaller Gram matrix of the block, the
    eigenvalues taken as roots of the characteristic polynomial (sympy radicals /
    ``CRootOf``), enclosed by flint's certified root isolation.  Exact factors: when the
    ``k`` largest eigenvalues are the roots of complete rational factors of the
    characteristic polynomial, the top eigenspace is ``ker f(G)`` and the best
    approximation ``B Π`` is rational.

    The optimal value is Theorem 1 of [2]_ (disjoint rank-one supports) and the
    complete-class result of [1]_ (``theorem`` is ``"fsmf.disjoint"`` or ``"fsmf.cec"``):
    ``L* = Σ_{(i, j) uncovered} A_ij² + Σ_P Σ_{t > |P|} σ_t(A[R'_P, C'_P])²``.  On an
    instance outside both families (``verdict`` ``"not-covered"``, ``theorem``
    ``"fsmf.local"``) the answer of :func:`als` is returned, uncertified.  Numeric paths
    work on ``A`` scaled by a power of two (:func:`exactsparse.exact.scale_pow2`), so no
    intermediate overflows or underflows.

    References
    ----------
    .. [1] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
       tractability of sparse matrix factorization with fixed support", SIAM J. Matrix
       Anal. Appl. (2023), arXiv:2112.00386.
    .. [2] Q.-T. Le, L. Zheng, E. Riccietti, R. Gribonval, "Fast learning of fast
       transforms, with guarantees", ICASSP 2022, Theorem 1.

    See Also
    --------
    check_tractable : which family applies (the certificate ``solve_fsmf`` reuses).
    fsmf_loss : the loss of any ``X``, ``Y``.
    als : the local solver used outside the tractable families.
    exactsparse.verify : re-derives the optimal value from ``A`` and the supports.

    Examples
    --------
    The returned ``X``, ``Y`` respect the supports and their exact loss is the optimal
    value: here row 2 is uncovered (``3² = 9``) and the block ``[[2, 0], [0, 1]]`` keeps
    its top singular value (``σ_2² = 1``):

    >>> import numpy as np
    >>> from fractions import Fraction
    >>> from exactsparse import verify
    >>> A, I, J = [[2, 0], [0, 1], [3, 0]], [[1], [1], [0]], [[1], [1]]
    >>> s = solve_fsmf(A, I, J)
    >>> s.verdict, s.theorem, s.value, s.exact, fsmf_loss(A, s.X, s.Y) == Fraction(s.value)
    ('optimal', 'fsmf.disjoint', '10', True, True)
    >>> [bool(np.all(F[~np.array(S, bool)] == 0)) for F, S in ((s.X_array(), I), (s.Y_array(), J))]
    [True, True]
    >>> bool(verify(s, (A, I, J)))
    True

    An irrational optimum (the spec's instance "CEC overlapping a non-CEC"): the exact
    value, a certified enclosure proved to contain it with exact rationals, and float
    factors whose loss agrees:

    >>> A, I, J = [[1, 2, 0], [0, 1, 3], [5, -2, 7]], [[1, 0], [1, 0], [1, 1]], np.ones((3, 2))
    >>> s = solve_fsmf(A, I, J); s.value, s.exact, round(s.value_float, 10)
    ('15/2 - sqrt(41)/2', False, 4.2984378813)
    >>> lo, hi = (Fraction(t) for t in s.enclosure)
    >>> 15 - 2 * hi > 0 and (15 - 2 * hi) ** 2 <= 41 <= (15 - 2 * lo) ** 2   # value in [lo, hi]
    True
    >>> abs(fsmf_loss(np.array(A, float), s.X_array(), s.Y_array()) - s.value_float) < 1e-12
    True
    >>> bool(verify(s, (A, I, J)))
    True

    Outside the tractable families the answer is labelled, never passed off as optimal:

    >>> I = J = [[1, 0], [1, 1], [0, 1]]
    >>> s = solve_fsmf(A, I, J, restarts=2); s.verdict, s.theorem, s.certified
    ('not-covered', 'fsmf.local', False)
    >>> s.certificate["reason"]
    'no tractability theorem covers (I, J); best of 2 local run(s) (uncertified)'
    """
    exact.check_backend(backend)
    for name, v, low, high in (("restarts", restarts, 1, MAX_RESTARTS), ("seed", seed, 0, None)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < low \
                or (high is not None and v > high):
            raise ArgumentError(f"Argument {name!r} must be an integer >= {low}"
                                f"{'' if high is None else f' and <= {high}'}, not {exact.short_repr(v)}.")
    stop = check_budget(budget)
    stop = None if stop is None else time.monotonic() + stop
    I, J = check_pair(I, J)
    Aex, Anum = _prepare(A, exact_mode)
    _check_shapes(Anum.shape, I, J)
    cls = check_tractable(I, J)
    if cls.verdict != "tractable":
        return _local(Anum, I, J, cls, int(restarts), int(seed), stop)
    plan = _plan(cls)
    if Aex is not None:
        return _solve_exact(Aex, Anum, I, J, cls, plan, backend, stop)
    return _solve_numeric(Anum, I, cls, plan)


def _plan(cls):
    """Blocks to approximate: list of (columns, rows', cols') and CEC list."""
    cert = cls.certificate
    blocks = []
    for p, (rows, cols) in cert["rectangles"].items():
        if rows and cols:                 # a class entirely inside T contributes nothing
            blocks.append((cls.classes[int(p)][0], rows, cols))
    cecs = [cls.classes[q] for q in cls.complete_classes]
    return blocks, cecs


def _uncovered_mask(shape, cls):
    mask = np.ones(shape, bool)
    for _, rows, cols in cls.classes:
        mask[np.ix_(rows, cols)] = False
    return mask


def _fit_cecs(X, Y, R, cecs):
    """Complete classes fit the residual ``R`` on their rectangles exactly (in place)."""
    done = np.zeros(R.shape, bool)
    for cols_k, rows, cols in cecs:
        block = R[np.ix_(rows, cols)].copy()
        block[done[np.ix_(rows, cols)]] = 0
        done[np.ix_(rows, cols)] = True
        if len(rows) <= len(cols_k):
            for t, i in enumerate(rows):
                X[i, cols_k[t]] = 1
                Y[list(cols), cols_k[t]] = block[t, :]
        else:
            for t, j in enumerate(cols):
                Y[j, cols_k[t]] = 1
                X[list(rows), cols_k[t]] = block[:, t]


def _unscale(Xs, Ys, loss_s, e):
    """Factors and loss for ``A`` from those for ``A / 4**e`` (powers of two: exact)."""
    half = 2.0 ** e
    return Xs * half, Ys * half, math.ldexp(loss_s, 4 * e)


def _scaled_loss(As, Xs, Ys):
    return float(np.sum(np.abs(As - Xs @ Ys.T) ** 2))


def _solve_numeric(A, I, cls, plan, reason=None):
    blocks, cecs = plan
    A, e = exact.scale_pow2(A)
    m, n, r = A.shape[0], A.shape[1], I.shape[1]
    X = np.zeros((m, r), A.dtype)
    Y = np.zeros((n, r), A.dtype)
    for ks, rows, cols in blocks:
        Xb, Yb = _numeric_block(A[np.ix_(rows, cols)], len(ks))
        X[np.ix_(rows, ks)] = Xb
        Y[np.ix_(cols, ks)] = Yb
    _fit_cecs(X, Y, A - X @ Y.T, cecs)
    X, Y, loss = _unscale(X, Y, _scaled_loss(A, X, Y), e)
    cert = cls.certificate if reason is None else {**cls.certificate, "reason": reason}
    return FSMFSolution(
        kind=FSMFSolution.KIND, verdict="optimal", certificate=cert,
        theorem=cls.theorem, backend="numpy", family=cls.family, value=None,
        value_float=loss, enclosure=None, attained=True, certified=False, exact=False,
        X=_floats(X), Y=_floats(Y))


def _numeric_block(B, k):
    """Best rank-k approximation factors, √σ split on both sides."""
    U, s, Vh = np.linalg.svd(B, full_matrices=False)
    k_eff = min(k, s.size)
    root = np.sqrt(s[:k_eff])
    Xb = np.zeros((B.shape[0], k), B.dtype)
    Yb = np.zeros((B.shape[1], k), B.dtype)
    Xb[:, :k_eff] = U[:, :k_eff] * root
    Yb[:, :k_eff] = Vh[:k_eff].T * root     # X Yᵀ = U Σ Vh (plain transpose, also complex)
    return Xb, Yb


def _floats(M):
    if np.iscomplexobj(M):
        return tuple(tuple(complex(v) for v in row) for row in M)
    return tuple(tuple(float(v) for v in row) for row in M)


def _solve_exact(Aex, Anum, I, J, cls, plan, backend, stop):
    import sympy
    blocks, cecs = plan
    m, n, r = Aex.shape[0], Aex.shape[1], I.shape[1]
    outside = sum((v * v for v in Aex[_uncovered_mask((m, n), cls)]), Fraction(0))
    value = sympy.Rational(outside.numerator, outside.denominator)
    X = np.full((m, r), Fraction(0), dtype=object)
    Y = np.full((n, r), Fraction(0), dtype=object)
    rational = True
    with exact.precision(256):
        ball = flint.arb(flint.fmpq(outside.numerator, outside.denominator))
        for ks, rows, cols in blocks:
            if stop is not None and time.monotonic() > stop:
                return _solve_numeric(Anum, I, cls, plan, reason=(
                    "the budget ran out before the exact value was certified; X, Y from the "
                    "block SVD in floating point (optimal by the theorem, values uncertified)"))
            B = Aex[np.ix_(rows, cols)]
            if min(B.shape) < _FORK_SIZE or stop is None:
                ok, out = True, _portable_block(B, len(ks), backend)
            else:       # a large block is one uninterruptible computation: a hard deadline
                ok, out = run_killable(_portable_block, (B, len(ks), backend),
                                       max(stop - time.monotonic(), 0.01), "the exact block")
            if not ok:
                return _solve_numeric(Anum, I, cls, plan, reason=(
                    f"{out}; X, Y from the block SVD in floating point (optimal by the "
                    "theorem, values uncertified)"))
            expr, mid, rad, factors = out
            value += expr
            ball += flint.arb(flint.fmpq(mid.numerator, mid.denominator),
                              flint.fmpq(rad.numerator, rad.denominator))
            if factors is None:
                rational = False
            else:
                X[np.ix_(rows, ks)], Y[np.ix_(cols, ks)] = factors
        lo, hi = _ball_bounds(ball)
    if rational:
        _fit_cecs(X, Y, Aex - X.dot(Y.T), cecs)   # object arrays of Fractions: exact
        Xo, Yo = _fracs(X), _fracs(Y)
    else:
        num = _solve_numeric(Anum, I, cls, plan)
        Xo, Yo = num.X, num.Y
    value = value if value.has(sympy.CRootOf) else sympy.expand(value)
    return FSMFSolution(
        kind=FSMFSolution.KIND, verdict="optimal", certificate=cls.certificate,
        theorem=cls.theorem, backend=backend, family=cls.family,
        value=sympy.sstr(value, order="none"),
        value_float=float(ball.mid()), enclosure=(lo, hi), attained=True, certified=True,
        exact=rational, X=Xo, Y=Yo)


#: Blocks with both sides at least this large run in a child process killed at the budget.
_FORK_SIZE = 24


def _portable_block(B, k, backend):
    """:func:`_exact_block` as picklable data: ``(sympy value, mid, radius, factors)``,
    the 256-bit enclosure as its exact midpoint and twice its radius (Fractions)."""
    tail, factors = _exact_block(B, k, backend)
    with exact.precision(256):
        ball = tail.enclosure(256)
        mid = exact.arb_fraction(ball.mid())
        rad = 2 * exact.arb_fraction(flint.arb(ball.rad()))
    return tail.expr(), mid, rad, factors


def _ball_bounds(ball):
    return tuple(exact.fraction_str(exact.arb_fraction(b)) for b in (ball.lower(),
                                                                    ball.upper()))


def _fracs(M):
    return tuple(tuple(Fraction(v) for v in row) for row in M)


def _exact_block(B, k, backend):
    """``(EigenTail, (Xb, Yb) or None)`` for the best rank-k approximation of rational B."""
    Bm = exact.as_matrix(B.tolist(), "A")
    p, q = Bm.nrows(), Bm.ncols()
    column_side = q <= p
    G = Bm.transpose() * Bm if column_side else Bm * Bm.transpose()
    tail = exact.EigenTail(G, k, backend)
    # G is symmetric PSD, so rank(B) = rank(G) = n - (multiplicity of the root 0), read
    # from the charpoly already computed (coefficients from the constant term up)
    rk = tail.n - next(i for i, c in enumerate(tail.coeffs) if c != 0)
    if rk <= k:
        return tail, _rank_factorization(Bm, k, backend)
    split = tail.top_factor_split()
    if split is None:
        return tail, None
    V = _top_eigenspace(G, split[0], backend)
    VtV_inv = (V.transpose() * V).inv()
    if column_side:
        Xb, Yb = Bm * V * VtV_inv, V
    else:
        Xb, Yb = V, Bm.transpose() * V * VtV_inv
    return tail, (_obj(Xb), _obj(Yb))


def _obj(M):
    return np.array(exact.to_fractions(M), dtype=object).reshape(M.nrows(), M.ncols())


def _rank_factorization(Bm, k, backend):
    R, piv = exact.rref(Bm, backend)
    p, q = Bm.nrows(), Bm.ncols()
    Xb = np.full((p, k), Fraction(0), dtype=object)
    Yb = np.full((q, k), Fraction(0), dtype=object)
    Bf, Rf = exact.to_fractions(Bm), exact.to_fractions(R)
    for t, j in enumerate(piv):
        Xb[:, t] = [Bf[i][j] for i in range(p)]
        Yb[:, t] = Rf[t]
    return Xb, Yb


def _top_eigenspace(G, parts, backend):
    """A rational basis (columns) of the span of the chosen top eigenvectors."""
    n = G.nrows()
    cols = []
    for coeffs, count in parts:
        F = flint.fmpq_mat(n, n)
        power = flint.fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        for c in coeffs:                      # Horner-free: Σ c_i G^i
            F += power * flint.fmpq(c.numerator, c.denominator)
            power = power * G
        K = exact.nullspace(F, backend)
        cols.extend([[K[i, t] for i in range(n)] for t in range(count)])
    return flint.fmpq_mat(n, len(cols), [cols[t][i] for i in range(n) for t in range(len(cols))])


def _local(Anum, I, J, cls, restarts, seed, stop):
    As, e = exact.scale_pow2(Anum)
    stats = {}
    budget = None if stop is None else max(stop - time.monotonic(), 0.0)
    Xs, Ys, loss_s = als(As, I.array, J.array, restarts=restarts, seed=seed, budget=budget,
                         stats=stats)
    X, Y, loss = _unscale(Xs, Ys, _scaled_loss(As, Xs, Ys), e)
    reason = (f"no tractability theorem covers (I, J); best of {stats['restarts']} local "
              f"run(s) (uncertified)" + (f"; {stats['stopped']}" if stats["stopped"] else ""))
    return FSMFSolution(
        kind=FSMFSolution.KIND, verdict="not-covered",
        certificate={**cls.certificate, "reason": reason},
        theorem="fsmf.local", backend="numpy", family=None, value=None, value_float=loss,
        enclosure=None, attained=None, certified=False, exact=False,
        X=_floats(X), Y=_floats(Y))

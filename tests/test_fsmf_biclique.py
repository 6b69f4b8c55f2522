"""Maximum-edge biclique -> masked rank-one -> FSMF (derived gadget reduction).

Expected values come from an independent brute force over all row x column subsets, from
exact Fraction arithmetic, and from numerical minimisation (scipy) of the masked loss.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import minimize

from exactsparse import exact
from exactsparse.exceptions import (ArgumentError, ExactSparseError, ShapeError,
                                    SizeLimitError, SupportError)
from exactsparse.fsmf.hard import (masked_loss, masked_solution_to_fsmf, supported_loss)
from exactsparse.fsmf.hard.biclique import (biclique_point, biclique_to_masked,
                                            is_biclique, max_biclique, point_to_biclique)
from exactsparse.supports import Support

GRAPHS = {
    "path-4": "110/011",
    "K23": "111/111",
    "star": "111/000",
    "empty": "00/00",
    "six-cycle": "110/011/101",
    "two-squares": "111/110/011",
    "matching": "100/010/001",
    "staircase": "1111/1110/1100/1000",
    "single": "1",
}


def _dense(s):
    return np.array([[int(ch) for ch in row] for row in s.split("/")], bool)


def _brute_beta(B):
    """All row subsets x all column subsets (independent of max_biclique)."""
    m, n = B.shape
    best = 0
    for R in itertools.product([0, 1], repeat=m):
        for C in itertools.product([0, 1], repeat=n):
            rows = [i for i in range(m) if R[i]]
            cols = [j for j in range(n) if C[j]]
            if all(B[i, j] for i in rows for j in cols):
                best = max(best, len(rows) * len(cols))
    return best


def _maximal_bicliques(B):
    m, n = B.shape
    for size in range(1, m + 1):
        for rows in itertools.combinations(range(m), size):
            cols = [j for j in range(n) if all(B[i, j] for i in rows)]
            if cols:
                yield list(rows), cols


def _gadget_g(c, w):
    w = abs(w)
    return 2 * c * w - w * w if w <= c else c * c


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_max_biclique_matches_brute_force(name):
    B = _dense(GRAPHS[name])
    rows, cols = max_biclique(GRAPHS[name])
    assert is_biclique(GRAPHS[name], rows, cols)
    assert all(B[i, j] for i in rows for j in cols)
    assert len(rows) * len(cols) == _brute_beta(B)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_instance_structure(name):
    B = _dense(GRAPHS[name])
    inst = biclique_to_masked(GRAPHS[name])
    m, n = B.shape
    e, q = int(B.sum()), int((~B).sum())
    assert inst.shape == (m + q, n + q) and inst.edges == e
    assert inst.c == max(1, 32 * e ** 4)
    W = inst.mask.array
    assert W.sum() == e + 3 * q                      # edges + three cells per gadget
    assert (W[:m, :n] == B).all()
    for k, (i, j) in enumerate(inst.gadgets):
        assert not B[i, j]
        assert W[i, n + k] and W[m + k, j] and W[m + k, n + k]
        assert inst.A[i][n + k] == 0 and inst.A[m + k][j] == 0
        assert inst.A[m + k][n + k] == inst.c
        assert W[m + k].sum() == 2 and W[:, n + k].sum() == 2


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_biclique_point_loss_window_and_fsmf_lift(name):
    """Item 1: every maximal biclique with k edges gives a point with e-k <= L <= e-k+1/4,
    and the FSMF lift has exactly the same loss."""
    B = _dense(GRAPHS[name])
    inst = biclique_to_masked(GRAPHS[name])
    e = inst.edges
    A3, I, J = inst.fsmf()
    for rows, cols in _maximal_bicliques(B):
        k = len(rows) * len(cols)
        x, y = biclique_point(inst, rows, cols)
        L = masked_loss(inst.A, inst.mask, x, y)
        assert e - k <= L <= e - k + Fraction(1, 4)
        X, Y = masked_solution_to_fsmf(inst.A, inst.mask, x, y)
        assert supported_loss(A3, I, J, X, Y) == L
        r2, c2 = point_to_biclique(inst, x, y)      # item 2: >= e - L - 1/2 >= k - 3/4
        assert len(r2) * len(c2) >= k and all(B[i, j] for i in r2 for j in c2)


@pytest.mark.parametrize("c,x,y", [(5, 1, 1), (5, 2, 3), (5, 0.1, 0.3), (3, 10, 1),
                                   (100, 0.02, 0.5), (7, -1.5, 2)])
def test_gadget_penalty_closed_form(c, x, y):
    """inf_{s,t} (x t)^2 + (s y)^2 + (c - s t)^2 = g(xy) (numerical minimisation)."""
    def f(z):
        s, t = z
        return (x * t) ** 2 + (s * y) ** 2 + (c - s * t) ** 2
    best = min(minimize(f, z0, method="Nelder-Mead",
                        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000}).fun
               for z0 in ([1, 1], [3, 0.5], [-2, -2], [0.1, 10], [10, 0.1]))
    assert best == pytest.approx(_gadget_g(c, x * y), rel=1e-6, abs=1e-8)


def _masked_arrays(inst):
    A = np.array([[float(v) for v in r] for r in inst.A])
    return A, inst.mask.array.astype(float)


def _local_min(A, W, z0):
    M = A.shape[0]

    def f(z):
        R = W * (A - np.outer(z[:M], z[M:]))
        return (R ** 2).sum(), np.concatenate([-2 * (R @ z[M:]), -2 * (R.T @ z[:M])])
    return minimize(f, z0, jac=True, method="L-BFGS-B", options={"maxiter": 5000}).x


def _exact_loss(inst, z):
    M = inst.shape[0]
    x = [exact.from_float(float(v)) for v in z[:M]]
    y = [exact.from_float(float(v)) for v in z[M:]]
    return masked_loss(inst.A, inst.mask, x, y)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_extraction_bound_on_local_minima(m, n, seed):
    """Item 2 (exact on the loss): any point yields a biclique with >= e - L - 1/2 edges;
    item 3 on every local minimum found: L >= e - beta - 1/2."""
    rng = np.random.default_rng(seed)
    B = rng.random((m, n)) < rng.uniform(0.3, 0.95)
    inst = biclique_to_masked(B.astype(int))
    A, W = _masked_arrays(inst)
    e, beta = inst.edges, _brute_beta(B)
    M, N = A.shape
    starts = [rng.normal(size=M + N) * scale for scale in (0.1, 1.0)]
    if beta:                      # random starts slide to the trivial value e; also start
        rows, cols = max_biclique(B.astype(int))       # near a maximum biclique
        bp = np.array([float(v) for pt in biclique_point(inst, rows, cols) for v in pt])
        starts.append(bp + 0.05 * rng.normal(size=bp.size))
    for z0 in starts:
        z = _local_min(A, W, z0)
        L = _exact_loss(inst, z)
        rows, cols = point_to_biclique(inst, z[:M], z[M:])
        assert all(B[i, j] for i in rows for j in cols)
        assert len(rows) * len(cols) >= e - L - Fraction(1, 2)
        assert L >= e - beta - Fraction(1, 2)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_extraction_bound_on_random_points(m, n, seed):
    rng = np.random.default_rng(seed)
    B = rng.random((m, n)) < 0.6
    inst = biclique_to_masked(B.astype(int))
    M, N = inst.shape
    x = [Fraction(int(v), 4) for v in rng.integers(-8, 9, size=M)]
    y = [Fraction(int(v), 4) for v in rng.integers(-8, 9, size=N)]
    L = masked_loss(inst.A, inst.mask, x, y)
    rows, cols = point_to_biclique(inst, x, y)
    assert all(B[i, j] for i in rows for j in cols)
    assert len(rows) * len(cols) >= inst.edges - L - Fraction(1, 2)


def test_optimum_decides_beta_on_named_graphs():
    """beta = floor(e - L + 1/4) at the best point found (within 1/4 of the infimum: the
    biclique points), and item 2 turns that point into a maximum biclique."""
    rng = np.random.default_rng(0)
    for name, s in GRAPHS.items():
        B = _dense(s)
        inst = biclique_to_masked(s)
        A, W = _masked_arrays(inst)
        beta = _brute_beta(B)
        M = inst.shape[0]
        zero = tuple([Fraction(0)] * M), tuple([Fraction(0)] * inst.shape[1])
        best = (masked_loss(inst.A, inst.mask, *zero), zero)
        for rows, cols in _maximal_bicliques(B):
            pt = biclique_point(inst, rows, cols)
            best = min(best, (masked_loss(inst.A, inst.mask, *pt), pt), key=lambda t: t[0])
        for _ in range(5):
            z = _local_min(A, W, rng.normal(size=sum(A.shape)))
            pt = (list(z[:M]), list(z[M:]))
            best = min(best, (_exact_loss(inst, z), pt), key=lambda t: t[0])
        L, (x, y) = best
        assert math.floor(inst.edges - L + Fraction(1, 4)) == beta, name
        rows, cols = point_to_biclique(inst, x, y)
        assert len(rows) * len(cols) == beta and all(B[i, j] for i in rows for j in cols)


def test_networkx_input_matches_matrix_input():
    S = Support(_dense("110/011/101"))
    a, b = biclique_to_masked(S.to_graph()), biclique_to_masked("110/011/101")
    assert a.A == b.A and a.mask == b.mask and a.gadgets == b.gadgets


def test_transposed_graph_max_biclique():
    rows, cols = max_biclique("1100/1110/0111")
    rt, ct = max_biclique(_dense("1100/1110/0111").T.astype(int))
    assert len(rows) * len(cols) == len(rt) * len(ct) == _brute_beta(_dense("1100/1110/0111"))


# ------------------------------------------------------------------------- exceptions
@pytest.mark.parametrize("bad,exc", [([[1, 2], [0, 1]], SupportError),
                                     ([[0.5, 1]], SupportError),
                                     ([[]], ShapeError)])
def test_biclique_to_masked_exceptions(bad, exc):
    with pytest.raises(exc):
        biclique_to_masked(bad)


def test_biclique_point_exceptions():
    inst = biclique_to_masked("110/011")
    with pytest.raises(ArgumentError, match="not a biclique"):
        biclique_point(inst, [0, 1], [0, 1])
    with pytest.raises(ArgumentError):
        biclique_point(inst, [0, 5], [0])
    with pytest.raises(ArgumentError, match="repeated"):
        biclique_point(inst, [0, 0], [0])
    with pytest.raises(ArgumentError):
        biclique_point(inst, [True], [0])


def test_point_to_biclique_exceptions():
    inst = biclique_to_masked("110/011")
    M, N = inst.shape
    with pytest.raises(ShapeError):
        point_to_biclique(inst, [1] * (M - 1), [1] * N)
    with pytest.raises(ArgumentError, match="non-finite"):
        point_to_biclique(inst, [float("nan")] + [1] * (M - 1), [1] * N)
    with pytest.raises(ExactSparseError):
        point_to_biclique(inst, ["x"] * M, [1] * N)
    with pytest.raises(ExactSparseError):                 # gadget coordinates too
        point_to_biclique(inst, [1] * (M - 1) + [None], [1] * N)


def test_max_biclique_size_limit():
    with pytest.raises(SizeLimitError):
        max_biclique(np.ones((23, 23), int))


def test_certify_gadget_instances_within_budget_and_consistent():
    """certify_fsmf on the FSMF form of gadget instances (r up to a few hundred) respects
    its budget roughly, verifies, and its interval is consistent with the theorem
    (e - beta - 1/2 <= inf <= e - beta)."""
    import time
    from exactsparse import verify
    from exactsparse.fsmf.hard import certify_fsmf
    for s in ("11/10", "110/011/101", "1101/0111/1010/1110"):
        B = _dense(s)
        inst = biclique_to_masked(s)
        M, I, J = inst.fsmf()
        t = time.monotonic()
        res = certify_fsmf(M, I, J, budget=2)
        assert time.monotonic() - t < 20
        assert verify(res, (M, I, J))
        e, beta = inst.edges, _brute_beta(B)
        lo, hi = res.certificate["lower"], res.certificate["upper"]
        assert lo <= e - beta and hi >= e - beta - Fraction(1, 2)
        assert hi <= inst.edges + Fraction(1, 10**6)      # at least the trivial value e

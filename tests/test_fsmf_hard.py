"""Tests for FSMF beyond the tractable families (issue 3)."""

import math
from fractions import Fraction

import numpy as np
import pytest

from exactsparse import verify
from exactsparse.exceptions import BudgetError, ShapeError, SupportError, FloatInExactError
from exactsparse.fsmf.hard import (certify_fsmf, check_attainment, check_reduction,
                                   find_spurious_minima, supported_loss, fsmf_solution_to_masked,
                                   masked_loss, masked_solution_to_fsmf, masked_to_fsmf,
                                   no_exact_factorization, reduce_fsmf)

SPEC_A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
SPEC_I, SPEC_J = "1100/1010/1001", "1010/1001/1100"


def _rand_frac(rng, lo=-5, hi=5):
    return Fraction(int(rng.integers(lo, hi + 1)), int(rng.integers(1, 4)))


@pytest.mark.parametrize("seed", range(8))
def test_reduction_loss_equality_random(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    A = [[_rand_frac(rng) for _ in range(n)] for _ in range(m)]
    mask = (rng.random((m, n)) < 0.6).astype(int)
    x = [_rand_frac(rng) for _ in range(m)]
    y = [_rand_frac(rng) for _ in range(n)]
    M, I, J = masked_to_fsmf(A, mask)
    X, Y = masked_solution_to_fsmf(A, mask, x, y)
    assert supported_loss(M, I, J, X, Y) == masked_loss(A, mask, x, y)
    x2, y2 = fsmf_solution_to_masked(X, Y)
    assert masked_loss(A, mask, x2, y2) == masked_loss(A, mask, x, y)
    # arbitrary FSMF factors: masked loss of column 0 <= FSMF loss (missing entries free)
    Xr = [[_rand_frac(rng) if I[i, k] else 0 for k in range(I.shape[1])] for i in range(m)]
    Yr = [[_rand_frac(rng) if J[j, k] else 0 for k in range(I.shape[1])] for j in range(n)]
    xr, yr = fsmf_solution_to_masked(Xr, Yr)
    assert masked_loss(A, mask, xr, yr) <= supported_loss(M, I, J, Xr, Yr)


def test_spec_instance_is_the_reduction_of_the_six_cycle():
    M, I, J = masked_to_fsmf(SPEC_A, "110/011/101")
    assert str(I) == "1100/1010/1001" and str(J) == "1010/1001/1100"


def test_certify_spec_instance():
    res = certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=30)
    c = res.certificate
    assert res.verdict == "certified" and c["certified"] and c["attained"] is True
    assert c["lower"] <= c["upper"]
    assert abs(float(c["lower"]) - 1.2772114616) < 1e-9
    assert abs(float(c["upper"]) - 1.2772114616) < 1e-9
    assert verify(res, (SPEC_A, SPEC_I, SPEC_J))
    assert verify(res.to_json(), (SPEC_A, SPEC_I, SPEC_J))


def test_certify_lower_bound_below_many_local_starts():
    """Independent check: a dense random search never goes below the certified lower."""
    res = certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=30)
    rng = np.random.default_rng(1)
    best = math.inf
    A = np.array(SPEC_A, float)
    W = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], bool)
    for _ in range(3000):
        y = rng.standard_normal(3)
        x = np.array([(A[i, W[i]] @ y[W[i]]) / (y[W[i]] @ y[W[i]]) for i in range(3)])
        best = min(best, float((((A - np.outer(x, y)) ** 2)[W]).sum()))
    assert float(res.certificate["lower"]) <= best + 1e-12


@pytest.mark.parametrize("name,A,I,J,value", [
    ("plain low-rank", [[4, 1, 2], [1, 3, 0], [2, 0, 1], [1, 1, 1]], "11/11/11/11",
     "11/11/11", 0.2851545744),
    ("cec overlap", [[1, 2, 0], [0, 1, 3], [5, -2, 7]], "10/10/11", "11/11/11",
     (15 - math.sqrt(41)) / 2),
    ("single cec", [[1, 2, 3], [4, 5, 6], [7, 8, 10]], "111/111/111", "111/111/111", 0.0),
])
def test_certify_known_tractable_instances(name, A, I, J, value):
    res = certify_fsmf(A, I, J, budget=20)
    c = res.certificate
    assert res.verdict == "certified", name
    assert float(c["lower"]) - 1e-9 <= value <= float(c["upper"]) + 1e-9
    assert float(c["upper"]) - float(c["lower"]) < 1e-8
    assert verify(res, (A, I, J))


def test_reduce_sum_of_parts_exact():
    """Spec instance padded with an uncovered row: value = constant + masked part."""
    A = SPEC_A + [[1, 2, Fraction(1, 2)]]
    I = SPEC_I + "/0000"
    red = reduce_fsmf(A, I, SPEC_J)
    assert red.constant == 1 + 4 + Fraction(1, 4)
    assert [p.kind for p in red.parts] == ["masked"]
    res = certify_fsmf(A, I, SPEC_J, budget=30)
    base = certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=30)
    assert res.certificate["upper"] == base.certificate["upper"] + red.constant
    assert res.certificate["lower"] == base.certificate["lower"] + red.constant
    assert verify(check_reduction(A, I, SPEC_J), (A, I, SPEC_J))


def test_reduce_two_independent_components():
    # block-diagonal: spec instance and a 2x2 rank-one block
    A = [[2, 1, 0, 0, 0], [0, 1, 1, 0, 0], [-1, 0, 3, 0, 0], [0, 0, 0, 1, 2], [0, 0, 0, 3, 4]]
    I = ["11000", "10100", "10010", "00001", "00001"]
    J = ["10100", "10010", "11000", "00001", "00001"]
    res = check_reduction(A, "/".join(I), "/".join(J))
    kinds = sorted(p["kind"] for p in res.certificate["parts"])
    assert kinds == ["masked", "svd"]
    assert verify(res, (A, "/".join(I), "/".join(J)))
    c = certify_fsmf(A, "/".join(I), "/".join(J), budget=30).certificate
    tail = (30 - math.sqrt(884)) / 2        # sigma_2([[1,2],[3,4]])^2
    assert abs(float(c["lower"]) - (1.2772114616 + tail)) < 1e-8


def test_reduce_isolated_complete_class_sizes_verify():
    """Regression: an isolated complete class (absorbed part) reported rank 0 in ``sizes``
    while verify counts its factor columns, so valid reductions failed to verify."""
    A = [[2, 1, 0, 0, 0], [0, 1, 1, 0, 0], [-1, 0, 3, 0, 0], [0, 0, 0, 5, -1], [0, 0, 0, 2, 7]]
    I = "/".join(["110000", "101000", "100100", "000011", "000011"])
    J = "/".join(["101000", "100100", "110000", "000011", "000011"])
    res = check_reduction(A, I, J)
    sizes = res.certificate["sizes"]["parts"]
    absorbed = [p for p in sizes if p["kind"] == "absorbed"]
    assert absorbed and absorbed[0]["rank"] == 2 and absorbed[0]["observed"] == 0
    assert verify(res, (A, I, J))
    c = certify_fsmf(A, I, J, budget=30)
    base = certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=30)
    assert c.certificate["upper"] == base.certificate["upper"]    # the CEC fits its block


def test_spurious_spec_instance():
    res = find_spurious_minima(SPEC_A, SPEC_I, SPEC_J)
    assert res.verdict == "spurious"
    vals = [float(m["value_lower"]) for m in res.certificate["minima"]]
    assert any(abs(v - 4.6945235202) < 1e-8 for v in vals)
    assert verify(res, (SPEC_A, SPEC_I, SPEC_J))
    assert verify(res.to_json(), (SPEC_A, SPEC_I, SPEC_J))
    assert not verify(res, ([[2, 1, 0], [0, 1, 1], [-1, 0, 4]], SPEC_I, SPEC_J))


@pytest.mark.parametrize("seed", range(6))
def test_no_spurious_on_tractable_disjoint(seed):
    rng = np.random.default_rng(seed)
    A = [[int(v) for v in row] for row in rng.integers(-4, 5, (4, 4))]
    # disjoint rank-one supports: two 2x2 blocks, plus a block-diagonal variant
    I, J = "10/10/01/01", "10/10/01/01"
    assert find_spurious_minima(A, I, J, starts=10).verdict == "none-found"
    M, I2, J2 = masked_to_fsmf(A, np.ones((4, 4), int))       # full mask: plain rank one
    assert find_spurious_minima(M, I2, J2, starts=15, seed=seed).verdict == "none-found"


def test_lu_not_attained_two_backends():
    A, L = [[0, 1], [1, 0]], "10/11"
    assert no_exact_factorization(A, L, L, backend="flint")
    assert no_exact_factorization(A, L, L, backend="sympy")
    res = check_attainment(A, L, L)
    assert res.verdict == "not-attained"
    assert verify(res, (A, L, L))
    assert not no_exact_factorization([[1, 1], [1, 2]], L, L, backend="sympy")
    assert check_attainment([[1, 1], [1, 2]], L, L).verdict == "exact"


def test_lu_certify_never_claims_attained_positive_optimum():
    res = certify_fsmf([[0, 1], [1, 0]], "10/11", "10/11", budget=10)
    c = res.certificate
    assert c["lower"] == c["upper"] == 0 and res.verdict == "certified"
    assert c["attained"] is False


def test_fsmf_hard_exceptions():
    with pytest.raises(BudgetError):
        certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=0)
    with pytest.raises(BudgetError):
        certify_fsmf(SPEC_A, SPEC_I, SPEC_J, budget=-1.0)
    with pytest.raises(SupportError):
        masked_to_fsmf(SPEC_A, [[1, 2, 0], [0, 1, 1], [1, 0, 1]])
    with pytest.raises(ShapeError):
        masked_to_fsmf(SPEC_A, "11/11")
    with pytest.raises(ShapeError):
        reduce_fsmf([[1, 2]], SPEC_I, SPEC_J)
    with pytest.raises(FloatInExactError):
        certify_fsmf([[0.5, 1], [1, 0]], "10/11", "10/11")
    with pytest.raises(ShapeError):
        certify_fsmf(SPEC_A, "1100/1010/1001", "10/10/11")


def test_general_core_upper_bound_is_a_local_minimum_value():
    """A general core (overlapping classes, no CEC) gets the exact loss of a rational point
    as upper bound; compared with an independent multistart BFGS on the same problem."""
    from scipy.optimize import minimize
    from exactsparse.examples import get_example
    e = get_example("overlap-no-cec")
    res = certify_fsmf(e.A, e.I, e.J, budget=30)
    # issue 13: general cores are now bounded by certified branch and bound
    assert res.verdict in ("certified", "unknown")
    assert verify(res, (e.A, e.I, e.J))
    A = np.array(e.A, float)
    I, J = np.array(e.I, bool), np.array(e.J, bool)

    def f(z):
        X = np.zeros(I.shape)
        Y = np.zeros(J.shape)
        X[I], Y[J] = z[:I.sum()], z[I.sum():]
        return float(np.sum((A - X @ Y.T) ** 2))
    rng = np.random.default_rng(0)
    best = min(minimize(f, rng.standard_normal(I.sum() + J.sum()), method="BFGS").fun
               for _ in range(30))
    assert float(res.certificate["upper"]) <= best + 1e-6
    assert float(res.certificate["lower"]) <= best + 1e-9


def _block(*mats):
    m = sum(len(a) for a in mats)
    n = sum(len(a[0]) for a in mats)
    out = [[0] * n for _ in range(m)]
    i = j = 0
    for a in mats:
        for r, row in enumerate(a):
            out[i + r][j:j + len(row)] = list(row)
        i, j = i + len(a), j + len(a[0])
    return out


def _spec_plus_svd_block():
    """6-cycle core + plain rank-2 block (spec, sigma_3^2) + an isolated complete class."""
    I1 = [[int(ch) for ch in r] for r in SPEC_I.split("/")]
    J1 = [[int(ch) for ch in r] for r in SPEC_J.split("/")]
    A2 = [[4, 1, 2], [1, 3, 0], [2, 0, 1], [1, 1, 1]]
    A = _block(SPEC_A, A2, [[5, -1], [2, 7]])
    I = _block(I1, [[1, 1]] * 4, [[1, 1]] * 2)
    J = _block(J1, [[1, 1]] * 3, [[1, 1]] * 2)
    return A, np.array(I), np.array(J), A2


def test_spurious_with_svd_rectangle_and_cec():
    """The spurious minimum of the core survives next to an svd rectangle: its value is
    4.6945235202 + sigma_3(A2)^2 (sigma from numpy, an independent route)."""
    A, I, J, A2 = _spec_plus_svd_block()
    res = find_spurious_minima(A, I, J)
    assert res.verdict == "spurious" and verify(res, (A, I, J))
    tail = float(np.linalg.svd(np.array(A2, float), compute_uv=False)[2] ** 2)
    vals = [(float(m["value_lower"]), float(m["value_upper"]))
            for m in res.certificate["minima"]]
    assert any(lo - 1e-9 <= 4.6945235202 + tail <= hi + 1e-9 for lo, hi in vals)
    assert float(res.certificate["better"]) == pytest.approx(1.2772114616 + tail, abs=1e-9)


def test_spurious_svd_parts_forgeries_rejected():
    import json
    A, I, J, _ = _spec_plus_svd_block()
    res = find_spurious_minima(A, I, J)
    inst = (A, I, J)

    def forged(mut):
        d = json.loads(res.to_json())
        mut(d["certificate"])
        return verify(json.dumps(d), inst)

    assert forged(lambda c: None)
    assert not forged(lambda c: c.update(svd_parts=[]))
    assert not forged(lambda c: c["svd_parts"][0].update(lower="1"))       # above the tail
    assert not forged(lambda c: c["svd_parts"][0].update(upper="1/10"))    # below the tail
    assert not forged(lambda c: c["svd_parts"][0].update(columns=[0]))
    assert not forged(lambda c: c["svd_parts"].append(dict(c["svd_parts"][0])))
    assert not forged(lambda c: c["minima"][0].update(value_upper=c["minima"][0]["value_lower"]))


def _numeric_masked_min(A, W, starts=60, seed=0):
    from scipy.optimize import minimize
    A, W = np.array(A, float), np.array(W, float)
    m = A.shape[0]
    rng = np.random.default_rng(seed)

    def f(z):
        R = W * (A - np.outer(z[:m], z[m:]))
        return (R ** 2).sum(), np.concatenate([-2 * R @ z[m:], -2 * R.T @ z[:m]])
    return min(minimize(f, rng.normal(size=sum(A.shape)) * s, jac=True,
                        method="L-BFGS-B").fun for s in (0.1, 1, 10) for _ in range(starts // 3))


@pytest.mark.parametrize("name,A,W", [
    # every gradient numerator of a stratum vanishes: F constant on its orthants
    ("flat-stratum", [[-2, 2, -2, 1], [0, 2, -2, 1], [2, 3, -2, 0]],
     [[1, 0, 1, 0], [1, 1, 1, 1], [1, 1, 1, 0]]),
    # the Cauchy-Schwarz boundary bound alone gives lower 2 < 3.5969: needs the sub-core
    ("sub-core-boundary", [[2, 2, 3], [-2, -1, -1], [1, 1, -2]],
     [[0, 1, 1], [1, 1, 1], [0, 1, 1]]),
    # one orientation has a vanishing gradient numerator, the transpose resolves
    ("transpose-fallback", [[0, -3, -1], [0, 2, 0], [2, 0, -2]],
     [[1, 0, 1], [1, 1, 0], [1, 1, 0]]),
])
def test_certify_masked_cores_formerly_unknown(name, A, W):
    M, I, J = masked_to_fsmf(A, W)
    res = certify_fsmf(M, I, J, budget=30)
    assert res.verdict == "certified", res.certificate["reason"]
    v = verify(res, (M, I, J))
    assert v and "re-computed" in v.message
    assert float(res.certificate["lower"]) == pytest.approx(_numeric_masked_min(A, W),
                                                            abs=1e-7)

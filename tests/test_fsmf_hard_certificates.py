"""Certificates of the hard-instance module: forged certify/spurious/attainment/reduce
certificates are rejected; budgets, disconnected masks, charts, precision.  Expected values come from independent
routes (closed forms, brute-force search, hand-built exact factorizations)."""

import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest

from exactsparse import verify
from exactsparse.exceptions import ArgumentError, BudgetError
from exactsparse.fsmf.hard import (certify_fsmf, check_attainment, check_reduction,
                                   find_spurious_minima, masked_to_fsmf,
                                   no_exact_factorization)
from exactsparse.fsmf.hard.attainment import groebner_with_budget

SPEC_A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
SPEC_I, SPEC_J = "1100/1010/1001", "1010/1001/1100"
SPEC = (SPEC_A, SPEC_I, SPEC_J)
LU = ([[0, 1], [1, 0]], "10/11", "10/11")


def _forge(res, mut, inst):
    d = json.loads(res.to_json())
    mut(d)
    return verify(json.dumps(d), inst)


@pytest.fixture(scope="module")
def spec_cert():
    return certify_fsmf(*SPEC, budget=30)


@pytest.fixture(scope="module")
def lu_cert():
    return certify_fsmf(*LU, budget=10)


@pytest.fixture(scope="module")
def spec_spur():
    return find_spurious_minima(*SPEC)


# ------------------------------------------------------------------ certify checker
# The LU example is certified as "infimum 0, not attained" (issue 13, item 3); forgeries
# that claim attainment, drop the family or the Gröbner proof, or move the bounds fail.
def _lu_attained(d):
    d["certificate"]["attained"] = True


def _lu_undecided(d):
    d["certificate"]["attained"] = None


def _lu_no_family(d):
    del d["certificate"]["family"]


def _lu_part_not_family(d):
    d["certificate"]["parts"][0]["family"] = False


def _lu_no_groebner(d):
    d["certificate"]["parts"][0]["groebner_is_one"] = False


def _lu_part_attained_none(d):
    d["certificate"]["parts"][0]["attained"] = None


def _lu_raise(d):
    c = d["certificate"]
    c["lower"] = c["upper"] = c["parts"][0]["lower"] = c["parts"][0]["upper"] = "1/1000"


def _lu_family_diverges(d):
    c = d["certificate"]
    c["family"]["X"][0][0] = [[-1, "1"]]
    c["X"][0][0] = "1000"


@pytest.mark.parametrize("mut", [_lu_attained, _lu_undecided, _lu_no_family,
                                 _lu_part_not_family, _lu_no_groebner,
                                 _lu_part_attained_none, _lu_raise, _lu_family_diverges])
def test_forged_lu_certified_rejected(lu_cert, mut):
    c = lu_cert.certificate
    assert lu_cert.verdict == "certified" and c["attained"] is False
    assert c["lower"] == c["upper"] == 0
    assert verify(lu_cert, LU)
    assert not _forge(lu_cert, mut, LU)


def _raise_lower(d):
    c = d["certificate"]
    c["lower"] = c["upper"]
    c["parts"][0]["lower"] = c["upper"]


def _zero_point(d):
    c = d["certificate"]
    c["X"] = c["Y"] = [[0] * 4 for _ in range(3)]
    c["upper"] = str(sum(v * v for r in SPEC_A for v in r))


def _no_parts(d):
    c = d["certificate"]
    c["lower"], c["parts"], c["constant"] = "1", [], "1"


def _wide_certified(d):
    c = d["certificate"]
    c["parts"][0]["lower"] = -100
    c["lower"] = -100


def _set(path, value):
    def mut(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return mut


@pytest.mark.parametrize("mut", [
    _raise_lower, _zero_point, _no_parts, _wide_certified,
    _set(("verdict",), "bogus"), _set(("verdict",), "unknown"),
    _set(("certificate", "certified"), False), _set(("certificate", "attained"), None),
    _set(("certificate", "constant"), "1"), _set(("certificate", "lower"), 0.5),
    _set(("certificate", "lower"), True), _set(("certificate", "lower"), "1e400"),
    _set(("certificate", "parts", 0, "kind"), "general"),
    _set(("certificate", "parts", 0, "kind"), "svd"),
    _set(("certificate", "parts", 0, "columns"), [0, 1]),
    _set(("certificate", "parts", 0, "cells"), [[0, 0]]),
    _set(("certificate", "parts", 0, "certified"), "yes"),
])
def test_forged_spec_certify_rejected(spec_cert, mut):
    assert verify(spec_cert, SPEC)
    assert not _forge(spec_cert, mut, SPEC)


def test_certify_message_says_masked_lower_recomputed(spec_cert):
    v = verify(spec_cert, SPEC)
    assert v and "re-computed" in v.message and "not re-run" not in v.message


def test_svd_lower_bound_is_rechecked():
    A, I, J = [[1, 2], [3, 4]], "1/1", "1/1"
    res = certify_fsmf(A, I, J)
    assert res.verdict == "certified" and verify(res, (A, I, J))
    tail = (30 - math.sqrt(884)) / 2          # sigma_2^2, closed form
    assert abs(float(res.certificate["lower"]) - tail) < 1e-12

    def lift(d):
        c = d["certificate"]
        c["lower"] = c["parts"][0]["lower"] = c["upper"]
    assert not _forge(res, lift, (A, I, J))


# ------------------------------------------------------------------ spurious checker
@pytest.mark.parametrize("mut", [
    lambda d: d["certificate"].update(minima=[]),
    lambda d: d.update(verdict="none-found"),
    lambda d: d["certificate"]["minima"][0].update(value_lower="0", value_upper="1"),
    lambda d: d["certificate"]["minima"][0].update(value_upper=d["certificate"]["minima"][0]
                                                   ["value_lower"]),
    lambda d: d["certificate"]["minima"][0].update(certified=False),
    lambda d: d["certificate"]["minima"][0].update(rad=["-1/100000000000"] * 2),
    lambda d: d["certificate"]["minima"][0].update(rad=["0", "0"]),
    lambda d: d["certificate"].update(minima=d["certificate"]["minima"] * 2),
    lambda d: d.update(verdict="maybe"),
])
def test_forged_spurious_rejected(spec_spur, mut):
    assert spec_spur.verdict == "spurious" and verify(spec_spur, SPEC)
    assert not _forge(spec_spur, mut, SPEC)


def test_spurious_value_matches_independent_route(spec_spur):
    """Independent route: the projected loss F(y) = sum_i ||a_i||^2 - s_i^2/d_i evaluated
    in floats at the box midpoint lies in the certified interval."""
    mm = spec_spur.certificate["minima"][0]
    y = [1.0] + [float(v) for v in mm["mid"]]
    A = np.array(SPEC_A, float)
    W = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], bool)
    F = sum(A[i, W[i]] @ A[i, W[i]] - (A[i, W[i]] @ np.array(y)[W[i]]) ** 2
            / (np.array(y)[W[i]] @ np.array(y)[W[i]]) for i in range(3))
    assert abs(F - 4.6945235202) < 1e-8
    assert float(mm["value_lower"]) - 1e-9 <= F <= float(mm["value_upper"]) + 1e-9
    assert mm["certified"] is True


def test_spurious_starts_and_budget_validated():
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ArgumentError):
            find_spurious_minima(*SPEC, starts=bad)
    with pytest.raises(BudgetError):
        find_spurious_minima(*SPEC, budget=0)
    t = time.monotonic()
    find_spurious_minima(*SPEC, starts=10_000, budget=1.0)
    assert time.monotonic() - t < 10


# ------------------------------------------------------------------ attainment checker
def test_attainment_forgeries_rejected():
    r = check_attainment([[1, 1]], "1", "1/0")               # infimum 1, attained
    assert r.verdict == "infeasible" and verify(r, ([[1, 1]], "1", "1/0"))

    def forged(d):
        d["verdict"] = "not-attained"
        d["certificate"]["family"] = [[[[0]], [[0], [0]]], [[[1]], [["1/2"], [0]]],
                                      [[[1]], [[1], [0]]]]
        d["certificate"]["loss_bound"] = "1/1000000000"
    assert not _forge(r, forged, ([[1, 1]], "1", "1/0"))
    r2 = check_attainment([[1, 2], [3, 4]], "11/11", "11/11")
    assert r2.verdict == "exact" and verify(r2, ([[1, 2], [3, 4]], "11/11", "11/11"))
    assert not _forge(r2, lambda d: d.update(verdict="not-attained"),
                      ([[1, 2], [3, 4]], "11/11", "11/11"))
    assert not _forge(r2, lambda d: d["certificate"].update(groebner_is_one=True),
                      ([[1, 2], [3, 4]], "11/11", "11/11"))
    assert not _forge(r2, lambda d: d["certificate"].update(X=[[7, 0], [0, 5]]),
                      ([[1, 2], [3, 4]], "11/11", "11/11"))


def test_lu_not_attained_certificate_and_forgeries():
    r = check_attainment(*LU)
    assert r.verdict == "not-attained" and verify(r, LU)
    # independent route: the loss of the LU family is eps^4
    c = r.certificate
    assert [Fraction(e) ** 4 for e in c["eps"]] == [
        sum((Fraction(LU[0][i][j]) - sum(Fraction(X[i][k]) * Fraction(Y[j][k])
                                         for k in range(2))) ** 2
            for i in range(2) for j in range(2)) for X, Y in c["family"]]
    assert not _forge(r, lambda d: d["certificate"].update(
        family=d["certificate"]["family"][::-1]), LU)
    assert not _forge(r, lambda d: d["certificate"].update(loss_bound="1"), LU)
    assert not _forge(r, lambda d: d["certificate"].update(family=d["certificate"]
                                                            ["family"][:1]), LU)


def test_exact_verdict_has_a_factorization():
    A, L = [[1, 1], [1, 2]], "10/11"
    r = check_attainment(A, L, L)
    assert r.verdict == "exact" and verify(r, (A, L, L))
    X, Y = r.certificate["X"], r.certificate["Y"]
    assert np.allclose(np.array(X, float) @ np.array(Y, float).T, A)


# ------------------------------------------------------------------ reduce checker
@pytest.mark.parametrize("mut", [
    lambda d: d["certificate"]["parts"].append(dict(d["certificate"]["parts"][0],
                                                    cells=[])),
    lambda d: d["certificate"]["parts"][0].update(kind="svd"),
    lambda d: d["certificate"]["parts"][0].update(kind="absorbed"),
    lambda d: d["certificate"]["cec_columns"].append([]),
    lambda d: d["certificate"]["cec_columns"].pop(),
    lambda d: d["certificate"]["cec_columns"].append([1]),
    lambda d: d["certificate"]["parts"][0].update(columns=[0, 1, 2, 3]),
    lambda d: d["certificate"]["parts"][0].update(cells=[[0, 0]] + d["certificate"]
                                                  ["parts"][0]["cells"]),
    lambda d: d["certificate"]["sizes"]["parts"][0].update(m=1000),
    lambda d: d.update(verdict="bogus"),
])
def test_forged_reduce_rejected(mut):
    res = check_reduction(*SPEC)
    assert verify(res, SPEC)
    assert not _forge(res, mut, SPEC)


def test_reduce_split_masked_part_rejected():
    res = check_reduction(*SPEC)

    def split(d):
        p = d["certificate"]["parts"][0]
        q = dict(p)
        p["cells"], q["cells"] = p["cells"][:3], p["cells"][3:]
        d["certificate"]["parts"].append(q)
    assert not _forge(res, split, SPEC)


# ------------------------------------------------------------------ budgets
def test_groebner_budget_kills_a_long_run():
    m, r = 5, 4
    I = "/".join("1" * r for _ in range(m))
    A = [[(i * 7 + j * 3) % 5 - 2 for j in range(m)] for i in range(m)]
    t = time.monotonic()
    ok, why = groebner_with_budget(A, I, I, budget=1.0)
    assert not ok and "budget" in why
    res = check_attainment(A, I, I, budget=1.5)
    assert res.verdict == "unknown" and res.certificate["reason"]
    assert verify(res, (A, I, I))
    assert time.monotonic() - t < 15
    with pytest.raises(TimeoutError):
        no_exact_factorization(A, I, I, budget=0.5)
    with pytest.raises(BudgetError):
        check_attainment(*LU, budget=0)


# ------------------------------------------------------------------ closing intervals
@pytest.mark.parametrize("A,W,value", [
    ([[1, 2], [3, 4]], [[1, 0], [0, 1]], 0.0),
    ([[1, 2, 0], [3, 4, 0], [0, 0, 5]], [[1, 1, 0], [1, 1, 0], [0, 0, 1]],
     (30 - math.sqrt(884)) / 2),
    ([[1, 2, 0], [3, 4, 0], [0, 0, 5]], [[1, 1, 0], [1, 0, 0], [0, 0, 1]], 0.0),
])
def test_disconnected_masks_certified(A, W, value):
    M, I, J = masked_to_fsmf(A, W)
    res = certify_fsmf(A, I, J, budget=10)
    c = res.certificate
    assert res.verdict == "certified" and c["certified"] and c["attained"] is True
    assert abs(float(c["lower"]) - value) < 1e-12 and abs(float(c["upper"]) - value) < 1e-9
    assert verify(res, (A, I, J))
    if value == 0:
        assert c["lower"] == c["upper"] == 0


def test_upper_bound_from_other_charts():
    """Infimum 0 (y_1 -> 0: rows 2, 3 fit (2, 0), rows 0, 1 fit their single entry)."""
    A, W = [[2, 2], [-1, 3], [2, 0], [2, 0]], [[0, 1], [0, 1], [1, 1], [1, 1]]
    M, I, J = masked_to_fsmf(A, W)
    res = certify_fsmf(A, I, J, budget=10)
    assert float(res.certificate["upper"]) < 1e-10
    assert verify(res, (A, I, J))


def test_lo_equal_hi_sets_certified_and_attained():
    A, L = [[1, 1], [1, 2]], "10/11"
    res = certify_fsmf(A, L, L, budget=10)
    c = res.certificate
    assert c["lower"] == c["upper"] == 0
    assert res.verdict == "certified" and c["certified"] and c["attained"] is True
    assert verify(res, (A, L, L))


# ------------------------------------------------------------------ precision
def test_lower_bound_kept_at_high_precision(spec_cert):
    lo, hi = spec_cert.certificate["lower"], spec_cert.certificate["upper"]
    # a 53-bit final subtraction left hi - lo ~ 1e-16; at 256 bits only the rounding of
    # the rational upper point (~1e-26) remains
    assert 0 <= hi - lo < Fraction(1, 10**20)
    assert lo.denominator > 2 ** 100

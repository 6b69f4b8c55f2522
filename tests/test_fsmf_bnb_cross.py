"""Cross charts and lone entries of the certified branch and bound, and the general 4x4
cores that stayed ``unknown`` before them.

A *cross* lets a plain chart whose pair of columns has distinct pivots drop the boxes
where one column, rescaled onto the other's pivot, lies within the slab of that chart's
blow-up charts; a *lone entry* (a row's column with one variable entry) is replaced by 1.
Independent routes: projected losses by numpy least squares on the matrix ``Y`` itself,
brute-force corner checks of the rescaled columns, and plain-loss BFGS minima (scipy)."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from exactsparse import verify
from exactsparse.checks.fsmf_bnb import _leaf_bounds, _local
from exactsparse.checks.fsmf_bnb_blowup import in_cross
from exactsparse.fsmf.hard import certify_fsmf
from exactsparse.fsmf.hard.bnb import Problem, charts, chart_vars, lower_bounds, strata
from exactsparse.fsmf.hard.bnb_blowup import Cross, blowups
from exactsparse.supports import check_pair
from test_fsmf_bnb_blowup import I2, J2, _projected, assert_tampered_invalid
from test_fsmf_certify_bnb import numeric_min

# the general 4x4 core r = 3 "#5" of docs/fsmf_hard.md: `unknown` [2, 2.33662] before
A5 = [[0, -3, 0, -1], [-1, -1, -3, -2], [1, -1, 3, -1], [-1, 3, -2, 0]]
I5 = [[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1]]
J5 = [[0, 1, 0], [0, 1, 1], [1, 1, 0], [1, 0, 1]]


# a random general 4x4 core (r = 2) whose certificate has crosses (~3 CPU s)
AX = [[-2, 3, -2, 0], [3, 0, 3, 3], [2, 2, 1, 1], [2, -1, 3, 3]]
IX = [[1, 0], [0, 1], [0, 1], [1, 1]]
JX = [[1, 1], [0, 0], [1, 1], [0, 1]]


@pytest.fixture(scope="module")
def certified():
    return certify_fsmf(AX, IX, JX, budget=60)


def _cross_charts(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    return [ch for st in part["bnb"]["strata"] for ch in st["charts"] if "cross" in ch]


def test_certificate_has_crosses_and_verifies(certified):
    d = json.loads(certified.to_json())
    assert certified.verdict == "certified" and _cross_charts(d)
    assert verify(certified, (AX, IX, JX))
    assert float(certified.certificate["lower"]) <= numeric_min(AX, IX, JX, restarts=40) + 1e-9


def _cross_t(d):
    _cross_charts(d)[0]["cross"][0]["t"] = "1/2"


def _cross_into_self(d):
    ch = _cross_charts(d)[0]
    ch["cross"][0]["into"] = list(ch["pivots"])


def _cross_pair_swapped(d):
    _cross_charts(d)[0]["cross"][0]["pair"] = _cross_charts(d)[0]["cross"][0]["pair"][::-1]


def _cross_into_other_pivot(d):
    ch = _cross_charts(d)[0]
    into = list(ch["cross"][0]["into"])
    into[0] = 3 - into[0]               # a column moved onto a row that is no pivot
    ch["cross"][0]["into"] = into


def _cross_on_blowup_chart(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    ch = next(c for st in part["bnb"]["strata"] for c in st["charts"]
              if "pivot" in c.get("blowup", {}))
    ch["cross"] = _cross_charts(d)[0]["cross"]


def _cross_without_its_blowups(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    for st in part["bnb"]["strata"]:
        for ch in st["charts"]:
            if "blowup" in ch:
                ch["blowup"]["t"] = "1/8"


@pytest.mark.parametrize("mut", [_cross_t, _cross_into_self, _cross_pair_swapped,
                                 _cross_into_other_pivot, _cross_on_blowup_chart,
                                 _cross_without_its_blowups])
def test_tampered_cross_invalid(certified, mut):
    assert_tampered_invalid(certified, (AX, IX, JX), mut)


def _problem(A, I, J, r):
    I, J = check_pair(I, J)
    n = len(A)
    cells = tuple((i, j, Fraction(A[i][j])) for i in range(n) for j in range(n))
    return Problem(n, n, r, cells, tuple(tuple(bool(x) for x in row) for row in I.array),
                   tuple(tuple(bool(x) for x in row) for row in J.array))


def test_cross_exemption_matches_checker_and_brute_force():
    """A 3x3 core with full supports and r = 2 (every chart with distinct pivots has two
    crosses): producer and checker flag the same boxes, and at every corner of a flagged
    box one column divided by its entry at the other column's pivot is within ``eps`` of
    the other column on ``U``, and in ``[-1, 1]`` when it is the first column (brute
    force over the corners, exact rationals)."""
    p = Problem(3, 3, 2, tuple((i, j, Fraction(i - j)) for i in range(3) for j in range(3)),
                ((True, True),) * 3, ((True, True),) * 3)
    S = strata(p)[0]
    act = p.active()
    rng = np.random.default_rng(3)
    for piv in charts(p, S):
        c = blowups(p, S, piv)[0]
        if piv[0] == piv[1]:
            continue
        assert isinstance(c, Cross) and len(c.crosses) == 2
        free = chart_vars(p, S, piv)
        n = 3000        # boxes near the corners, where distinct pivots can be parallel
        ctr = np.sign(rng.uniform(-1, 1, (n, len(free)))) * (1 - rng.uniform(0, 0.4, (n, len(free))))
        lo, hi = ctr - 0.02, ctr + 0.02
        cross = [(x[0], x[1], next(k for k in S if x[1][k] != piv[k]), Fraction(x[4]))
                 for x in c.crosses]
        ex = c.exempt(lo, hi)
        assert np.array_equal(ex, in_cross(act, S, piv, cross, free, lo, hi)) and ex.any()
        for b in np.flatnonzero(ex)[:30]:
            for corner in itertools.product(*zip(lo[b], hi[b])):
                y = {v: Fraction(x) for v, x in zip(free, corner)}
                y.update({(j, k): Fraction(1) for k, j in zip(S, piv)})
                # within eps of the other column, and (first column rescaled) the
                # rescaled entries in [-1, 1], the range of the blow-up charts' z
                assert any(all(abs(y[(j, k)] / y[(piv[1 - k], k)] - y[(j, 1 - k)]) < eps
                               and (k == 1 or abs(y[(j, k)] / y[(piv[1 - k], k)]) <= 1)
                               for j in range(3) if j != piv[1 - k])
                           for _, _, k, eps in cross)


@pytest.mark.parametrize("seed", range(3))
def test_plain_leaf_bounds_below_projected_loss(seed):
    """Random boxes of every plain chart of random general 4x4 cores (lone entries and
    the Cauchy-Binet residual form in use): producer and checker bounds agree and lie
    below the numpy least-squares projected loss at sampled points (boxes left to blow-up
    charts excepted)."""
    rng = np.random.default_rng(40 + seed)
    A = rng.integers(-3, 4, (4, 4)).tolist()
    I, J = [(I5, J5), (I2, J2), (IX, JX)][seed]
    r = len(I[0])
    p = _problem(A, I, J, r)
    Ic, Jc = check_pair(I, J)
    loc, Is, Js, _, _ = _local([[Fraction(v) for v in row] for row in A], Ic, Jc,
                               [(i, j) for i in range(4) for j in range(4)], list(range(r)),
                               False)
    S = strata(p)[0]
    for piv in charts(p, S):
        c = blowups(p, S, piv)[0]
        free = chart_vars(p, S, piv)
        ctr = rng.uniform(-1, 1, (30, len(free)))
        w = rng.uniform(0, 0.3, (30, len(free)))
        lo, hi = np.clip(ctr - w, -1, 1), np.clip(ctr + w, -1, 1)
        mine = lower_bounds(p, S, tuple(piv), (lo, hi))[0]
        theirs = _leaf_bounds(loc, Is, Js, S, tuple(piv), free, (lo, hi))[0]
        assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-9)
        ex = c.exempt(lo, hi) if hasattr(c, "exempt") else np.zeros(len(lo), bool)
        for b in np.flatnonzero(~ex):
            for _ in range(8):
                x = rng.uniform(lo[b], hi[b])
                Y = np.zeros((4, r))
                for k, j in zip(S, piv):
                    Y[j, k] = 1.0
                for (j, k), v in zip(free, x):
                    Y[j, k] = v
                assert mine[b] <= _projected(loc, Is, Js, Y) + 1e-9


@pytest.mark.slow
def test_formerly_unknown_general_4x4_core_certified():
    """#5 (r = 3): `unknown` [2, 2.33662] with every earlier bound (stuck in one chart
    near a row's singular set); certified in ~26 CPU s."""
    res = certify_fsmf(A5, I5, J5, budget=120)
    assert res.verdict == "certified"
    assert verify(res, (A5, I5, J5))
    assert float(res.certificate["lower"]) <= numeric_min(A5, I5, J5, restarts=40) + 1e-9
    assert float(res.certificate["upper"]) == pytest.approx(2.336618757319126, abs=1e-9)


def test_lone_entry_bounds_below_projected_loss():
    """Row 0 sees column 1 only at cell 1, a chart variable when column 1's pivot is row
    3: the bound with that entry replaced by 1 (producer and checker agree) lies below
    the numpy projected loss at sampled points, also on boxes where the entry crosses 0
    (there the leaf is not smooth: no attainment claim)."""
    cells = tuple((0, j, Fraction(v)) for j, v in ((0, 2), (1, -1), (2, 3))) + \
        ((1, 1, Fraction(1)), (1, 3, Fraction(-2)))
    p = Problem(2, 4, 2, cells, ((True, True), (False, True)),
                ((True, False), (True, True), (True, False), (False, True)))
    loc = sorted(cells)
    S, piv = (0, 1), (0, 3)
    free = chart_vars(p, S, piv)
    assert (1, 1) in free
    rng = np.random.default_rng(5)
    ctr = rng.uniform(-1, 1, (200, len(free)))
    lo, hi = np.clip(ctr - 0.2, -1, 1), np.clip(ctr + 0.2, -1, 1)
    mine, smooth = lower_bounds(p, S, piv, (lo, hi))
    theirs, ok = _leaf_bounds(loc, p.Is, p.Js, S, piv, free, (lo, hi))
    assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-9)
    t = free.index((1, 1))
    straddle = (lo[:, t] <= 0) & (hi[:, t] >= 0)
    assert straddle.any() and not smooth[straddle].any() and not ok[straddle].any()
    for b in range(len(lo)):
        for _ in range(10):
            x = rng.uniform(lo[b], hi[b])
            Y = np.zeros((4, 2))
            Y[0, 0] = Y[3, 1] = 1.0
            for (j, k), v in zip(free, x):
                Y[j, k] = v
            assert mine[b] <= _projected(loc, p.Is, p.Js, Y) + 1e-9

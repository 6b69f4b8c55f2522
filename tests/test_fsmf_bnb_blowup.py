"""Blow-up charts of the certified branch and bound (two columns of ``Y`` sharing a
pivot).  Independent routes: the projected loss of a blow-up chart point is compared with
the projected loss of the point ``Y`` it stands for, computed by numpy least squares on
``Y`` itself (no column replacement); lower bounds are compared with the best of many
plain-loss BFGS restarts (scipy, no projection, no charts)."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from exactsparse import verify
from exactsparse.checks.fsmf_bnb import _leaf_bounds, _leaves, _local
from exactsparse.checks.fsmf_bnb_blowup import in_slab, layout
from exactsparse.fsmf.hard import certify_fsmf
from exactsparse.fsmf.hard.bnb import Problem
from exactsparse.fsmf.hard.bnb_blowup import blowups
from exactsparse.supports import check_pair
from test_fsmf_certify_bnb import numeric_min

# the general 4x4 core (r = 2) that stayed `unknown` [30.999997, 31.75294] without blow-ups
A2 = [[-1, -3, -1, -1], [1, 0, 2, -1], [3, -3, -1, -2], [-1, 3, -3, -2]]
I2 = [[0, 0], [1, 1], [1, 1], [0, 1]]
J2 = [[0, 1], [1, 1], [1, 0], [0, 0]]


@pytest.fixture(scope="module")
def certified():
    res = certify_fsmf(A2, I2, J2, budget=60)
    return res


def _blow_charts(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    return [ch for st in part["bnb"]["strata"] for ch in st["charts"] if "blowup" in ch]


def test_formerly_stuck_core_certified_with_blowups(certified):
    c = certified.certificate
    assert certified.verdict == "certified"
    assert verify(certified, (A2, I2, J2))
    assert _blow_charts(json.loads(certified.to_json()))
    assert float(c["lower"]) <= numeric_min(A2, I2, J2, restarts=40) + 1e-9


def _drop_blowup(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    for st in part["bnb"]["strata"]:
        for t, ch in enumerate(st["charts"]):
            if "blowup" in ch and "pivot" in ch["blowup"]:
                del st["charts"][t]
                return


def _narrow_t(d):
    next(c for c in _blow_charts(d) if "pivot" in c["blowup"])["blowup"]["t"] = "1/8"


def _widen_slab(d):
    next(c for c in _blow_charts(d) if "pivot" not in c["blowup"])["blowup"]["t"] = "1/2"


def _direction_is_pivot(d):
    ch = next(c for c in _blow_charts(d) if "pivot" in c["blowup"])
    ch["blowup"]["pivot"] = ch["pivots"][ch["blowup"]["pair"][0]]


def _swap_pair(d):
    ch = _blow_charts(d)[0]
    ch["blowup"]["pair"] = ch["blowup"]["pair"][::-1]


def _raise_blow_bound(d):
    ch = next(c for c in _blow_charts(d) if "pivot" in c["blowup"])
    ch["bound"] = str(Fraction(ch["bound"]) + 1)


def _slab_chart_one_leaf(d):
    """The whole plain chart as one leaf: it is not inside the slab, so it is checked."""
    next(c for c in _blow_charts(d) if "pivot" not in c["blowup"])["tree"] = "L"


def _drop_slab_chart(d):
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    for st in part["bnb"]["strata"]:
        st["charts"] = [c for c in st["charts"]
                        if "blowup" not in c or "pivot" in c["blowup"]]


def _plain_and_blowup(d):
    ch = dict(next(c for c in _blow_charts(d) if "pivot" in c["blowup"]))
    del ch["blowup"]
    part = next(p for p in d["certificate"]["parts"] if "bnb" in p)
    part["bnb"]["strata"][0]["charts"].append(ch)


@pytest.mark.parametrize("mut", [_drop_blowup, _narrow_t, _widen_slab, _direction_is_pivot,
                                 _swap_pair, _raise_blow_bound, _slab_chart_one_leaf,
                                 _drop_slab_chart, _plain_and_blowup])
def test_tampered_blowup_invalid(certified, mut):
    assert_tampered_invalid(certified, (A2, I2, J2), mut)


def assert_tampered_invalid(result, inst, mut):
    """``verify`` rejects ``result``'s JSON after ``mut`` (in place on the dict)."""
    d = json.loads(result.to_json())
    mut(d)
    v = verify(json.dumps(d), inst)
    assert not v.valid and "invalid certificate" in v.message


def _projected(loc, Is, Js, Y):
    val = 0.0
    for i in sorted({i for i, _, _ in loc}):
        js = [j for (ii, j, _) in loc if ii == i]
        a = np.array([float(x) for (ii, _, x) in loc if ii == i])
        K = [k for k in range(Y.shape[1]) if Is[i][k]]
        M = np.array([[Y[j, k] if Js[j][k] else 0.0 for k in K] for j in js]).reshape(len(js),
                                                                                      len(K))
        x = np.linalg.lstsq(M, a, rcond=None)[0] if K else np.zeros(0)
        val += float(((a - M @ x) ** 2).sum())
    return val


@pytest.mark.parametrize("seed", range(4))
def test_blowup_leaf_bounds_below_the_loss_of_the_points_they_stand_for(seed):
    """A random dense 3x3 core with r = 2 and full supports: the blow-up charts of pivots
    (0, 0) bound the projected loss at the points ``Y`` they parametrise (t != 0)."""
    rng = np.random.default_rng(seed)
    A = [[Fraction(int(v)) for v in row] for row in rng.integers(-3, 4, (3, 3))]
    I, J = check_pair("11/11/11", "11/11/11")
    loc, Is, Js, m, n = _local(A, I, J, [(i, j) for i in range(3) for j in range(3)],
                               [0, 1], False)
    act = {0: [0, 1, 2], 1: [0, 1, 2]}
    for jp in (1, 2):
        free, polys = layout(act, (0, 1), (0, 0), (0, 1), jp)
        root = (np.array([-2.0 if v == ("t",) else -1.0 for v in free]),
                np.array([2.0 if v == ("t",) else 1.0 for v in free]))
        lo, hi = _leaves("SSLLSLL", len(free), 100, root)
        lb, _ = _leaf_bounds(loc, Is, Js, (0, 1), (0, 0), free, (lo, hi), None,
                             ((0, 1), polys))
        ix = {v: t for t, v in enumerate(free)}
        for b in range(len(lo)):
            for _ in range(30):
                x = rng.uniform(lo[b], hi[b])
                t = x[ix[("t",)]]
                u = np.array([0.0] + [1.0 if j == jp else x[ix[("u", j)]] for j in (1, 2)])
                y1 = np.array([1.0, x[ix[("z", 1)]], x[ix[("z", 2)]]])
                Y = np.stack([y1, y1 + t * u], axis=1)
                assert lb[b] <= _projected(loc, Is, Js, Y) + 1e-9


def test_producer_layout_matches_checker():
    p = Problem(2, 3, 2, tuple((i, j, Fraction(i + j)) for i in range(2) for j in range(3)),
                ((True, True), (False, True)), ((True, True), (True, False), (True, True)))
    act = p.active()
    slab, *blow = blowups(p, (0, 1), (0, 0))
    assert tuple(slab) == (0, 0) and blow
    for b in blow:
        names, polys = layout(act, (0, 1), (0, 0), (0, 1), b.jp)
        assert list(b.variables) == names and dict(b.polys) == polys
    rng = np.random.default_rng(1)
    free = [(j, k) for k in (0, 1) for j in act[k] if j != 0]
    c = rng.uniform(-1, 1, (2000, len(free)))
    w = rng.uniform(0, 0.3, (2000, len(free)))
    lo, hi = c - w, c + w
    ex = in_slab(act, (0, 1), (0, 0), (0, 1), slab.eps, free, lo, hi)
    assert np.array_equal(slab.exempt(lo, hi), ex) and ex.any() and not ex.all()
    # brute force: the corners of the boxes inside have |y2 - y1| < eps
    for b in np.flatnonzero(ex)[:50]:
        for corner in itertools.product(*zip(lo[b], hi[b])):
            y = dict(zip(free, corner))
            for j in (1, 2):
                assert abs(y.get((j, 1), 0.0) - y.get((j, 0), 0.0)) < slab.eps


@pytest.mark.parametrize("shape, seed", [(3, 21), (3, 22), (4, 26), (4, 29), (4, 30)])
def test_random_cores_with_blowups_below_plain_minima(shape, seed):
    """Random entries on the supports of the general 3x3 core and of the 4x4 core above
    (both have a chart with a repeated pivot, so blow-up charts): the lower bound
    (certified or not) never exceeds the best plain-loss BFGS minimum, and the certificate
    verifies."""
    A = np.random.default_rng(seed).integers(-3, 4, (shape, shape)).tolist()
    I, J = ("10/11/01", "10/11/01") if shape == 3 else (I2, J2)
    res = certify_fsmf(A, I, J, budget=10)
    d = json.loads(res.to_json())
    if any("bnb" in p for p in d["certificate"]["parts"]):     # (not when out of time)
        assert _blow_charts(d)
    assert float(res.certificate["lower"]) <= numeric_min(A, I, J, restarts=40) + 1e-9
    assert verify(res, (A, I, J))

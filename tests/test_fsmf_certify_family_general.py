"""certify_fsmf closes general parts whose infimum 0 is not attained by an exact Laurent
family (:mod:`exactsparse.fsmf.hard.family_general`; issue 13, items 2 and 3).

Expected values come from independent routes: sympy's ``groebner`` for the absence of an
exact fit, floats for the family's loss at small ``t``, scipy minimisation for the value
of the infimum, sympy series for the valuation of the residuals."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy
from scipy.optimize import minimize

from exactsparse import verify
from exactsparse.cli import main
from exactsparse.fsmf.hard import certify_fsmf
from exactsparse.fsmf.hard.family_general import general_zero_family

#: The issue's general target instance k = 5: cells (0, 2), (2, 0) unreachable (9 + 4).
TARGET = ([[0, -3, 3], [2, 3, -3], [2, -1, 0]], "10/11/01", "10/11/01")
S = [[1, 0], [1, 1], [0, 1]]
#: The general part's cells and the factor columns k with I[i, k] J[j, k].
CELLS = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)]
MASK = [[1, 1, 0], [1, 1, 1], [0, 1, 1]]


def _part_system(A):
    """The exact-fit polynomials of the general part, and its variables (sympy)."""
    xs = {(i, k): sympy.Symbol(f"x{i}{k}") for i in range(3) for k in range(2) if S[i][k]}
    ys = {(j, k): sympy.Symbol(f"y{j}{k}") for j in range(3) for k in range(2) if S[j][k]}
    eqs = [sum((xs[i, k] * ys[j, k] for k in range(2) if S[i][k] and S[j][k]),
               sympy.Integer(0)) - A[i][j] for i, j in CELLS]
    return eqs, list(xs.values()) + list(ys.values())


def _groebner_is_one(A):
    eqs, gens = _part_system(A)
    return list(sympy.groebner(eqs, *gens, order="grevlex").exprs) == [1]


def _family_at(fam, t):
    """The family's point at ``t`` (exact rationals: the entries' negative powers make a
    float evaluation cancel catastrophically)."""
    def ent(terms):
        return sum((Fraction(c) * t ** int(e) for e, c in terms), Fraction(0))
    return ([[ent(v) for v in row] for row in fam["X"]],
            [[ent(v) for v in row] for row in fam["Y"]])


def _part_loss(A, X, Y):
    return sum((A[i][j] - sum(X[i][k] * Y[j][k] for k in range(2))) ** 2 for i, j in CELLS)


def _numeric_min(A, starts=20, seed=0):
    """Best float local minimum of the full loss on the supports (BFGS restarts)."""
    A = np.array(A, float)
    rng = np.random.default_rng(seed)
    Sa = np.array(S, bool)

    def loss(v):
        X = np.zeros((3, 2))
        Y = np.zeros((3, 2))
        X[Sa], Y[Sa] = v[:4], v[4:]
        return float(((A - X @ Y.T) ** 2).sum())
    return min(minimize(loss, rng.normal(size=8), method="BFGS",
                        options={"gtol": 1e-12, "maxiter": 5000}).fun for _ in range(starts))


@pytest.fixture(scope="module")
def target():
    return certify_fsmf(*TARGET, budget=20)


def test_target_certified_not_attained(target):
    c = target.certificate
    assert target.verdict == "certified" and c["certified"] is True
    assert c["lower"] == c["upper"] == 13 and c["attained"] is False
    (part,) = c["parts"]
    assert part["kind"] == "general" and part["family"] is True
    assert part["attained"] is False and part["groebner_is_one"] is True
    assert verify(target, TARGET)
    assert verify(target.to_json(), TARGET)


def test_target_independent_routes(target):
    A = TARGET[0]
    assert _groebner_is_one(A)                     # no exact fit of the part (sympy)
    fam = target.certificate["family"]
    losses = [float(_part_loss(A, *_family_at(fam, Fraction(1, 10 ** k)))) for k in range(2, 6)]
    assert all(b < a for a, b in zip(losses, losses[1:])) and losses[-1] < 1e-6
    best = _numeric_min(A)                         # floats approach 13 from above only
    assert 13 - 1e-9 <= best < 13 + 1e-4


def test_target_cli_json_round_trip(capsys, tmp_path):
    f = tmp_path / "A.txt"
    f.write_text("0 -3 3\n2 3 -3\n2 -1 0\n")
    args = ["--matrix", str(f), "--left", TARGET[1], "--right", TARGET[2]]
    code = main(["fsmf", "certify", *args, "--budget", "20", "--json"])
    out = capsys.readouterr().out
    d = json.loads(out)
    assert code == 0 and d["verdict"] == "certified" and d["attained"] is False
    assert Fraction(d["lower"]) == Fraction(d["upper"]) == 13
    saved = tmp_path / "res.json"
    saved.write_text(out)
    code = main(["verify", str(saved), *args, "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["valid"] is True


def _tampered(res, resample):
    """The certificate with the lowest coefficient of the first negative-power family
    entry doubled (and the sample point re-evaluated when ``resample``)."""
    d = json.loads(res.to_json())
    fam = d["certificate"]["family"]
    t = Fraction(fam["t"])
    for key in ("X", "Y"):
        for i, row in enumerate(fam[key]):
            for k, terms in enumerate(row):
                if terms and int(terms[0][0]) < 0:
                    terms[0][1] = str(2 * Fraction(terms[0][1]))
                    if resample:
                        d["certificate"][key][i][k] = str(sum(
                            (Fraction(c) * t ** int(e) for e, c in terms), Fraction(0)))
                    return json.dumps(d)
    raise AssertionError("no negative power in the family")


@pytest.mark.parametrize("resample", [False, True])
def test_tampered_family_rejected(target, resample):
    assert not verify(_tampered(target, resample), TARGET)


def test_family_residual_valuations_sympy():
    F = Fraction
    A = [[F(0), F(-3), F(0)], [F(2), F(3), F(-3)], [F(0), F(-1), F(0)]]
    X, Y = general_zero_family(A, MASK, S, S, budget=2)
    t = sympy.Symbol("t", positive=True)

    def ent(v):
        return sum((sympy.Rational(c.numerator, c.denominator) * t ** e
                    for e, c in v.c.items()), sympy.Integer(0))
    for i, j in CELLS:
        res = sympy.expand(A[i][j] - sum(ent(X[i][k]) * ent(Y[j][k]) for k in range(2)))
        assert res == 0 or sympy.limit(res / t, t, 0, "+").is_finite   # valuation >= 1
    assert not X[0][1] and not X[2][0] and not Y[0][1] and not Y[2][0]


def _planted(count, seed=0):
    """Random integer targets on the general part with observed zeros at (0, 0) and (2, 2)
    (the planted shape), kept when sympy's Gröbner basis is [1] and BFGS gets the loss
    close to 0 (non-attained infimum 0)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        A = rng.integers(-3, 4, (3, 3)).tolist()
        A[0][2] = A[2][0] = A[0][0] = A[2][2] = 0
        if _groebner_is_one(A) and _part_bfgs(A, starts=2) < 1e-3:
            out.append(A)
    return out


def _sympy_limit_zero(A, fam):
    """The family's loss on the part has no negative power of t and constant term 0
    (sympy polynomials in t and 1/t)."""
    t = sympy.Symbol("t", positive=True)

    def ent(terms):
        return sum((sympy.Rational(str(c)) * t ** int(e) for e, c in terms), sympy.Integer(0))
    X = [[ent(v) for v in row] for row in fam["X"]]
    Y = [[ent(v) for v in row] for row in fam["Y"]]
    loss = sympy.expand(sum((A[i][j] - X[i][0] * Y[j][0] - X[i][1] * Y[j][1]) ** 2
                            for i, j in CELLS))
    low = min(sympy.Poly(sympy.expand(loss * t ** 200), t).monoms())[0] - 200 if loss else 1
    return low >= 1


def test_planted_non_attained_families_verify():
    rejected = 0
    for A in _planted(4):
        res = certify_fsmf(A, "10/11/01", "10/11/01", budget=10, starts=8)
        c = res.certificate
        assert verify(res, (A, "10/11/01", "10/11/01"))
        assert "family" in c and c["attained"] is False and c["lower"] == c["upper"] == 0
        assert _sympy_limit_zero(A, json.loads(res.to_json())["certificate"]["family"])
        # a tampered family is accepted exactly when its loss still tends to 0 (sympy);
        # families are not unique, so a tampered one may be another valid family
        bad = _tampered(res, True)
        want = _sympy_limit_zero(A, json.loads(bad)["certificate"]["family"])
        assert verify(bad, (A, "10/11/01", "10/11/01")).valid is want
        rejected += not want
    assert rejected >= 2


def _local(A):
    """The general part's local data for a 3x3 target on I = J = 10/11/01."""
    return [[Fraction(A[i][j]) if MASK[i][j] else Fraction(0) for j in range(3)]
            for i in range(3)]


def _part_bfgs(A, starts=5):
    """Best BFGS local minimum of the general part's loss."""
    def loss(v):
        return _part_loss(A, [[v[0], 0], [v[1], v[2]], [0, v[3]]],
                          [[v[4], 0], [v[5], v[6]], [0, v[7]]])
    return min(minimize(loss, np.random.default_rng(s).normal(size=8), method="BFGS").fun
               for s in range(starts))


def test_no_family_when_infimum_positive():
    # the census instance k = 1: the part's BFGS minimum is 0.146... > 0 (2.146... with the
    # unreachable cells), so no family with loss -> 0 exists and none may be returned
    A = [[-1, 3, -1], [-2, 2, -2], [-1, 1, 0]]
    assert _part_bfgs(A) > 0.1
    assert general_zero_family(_local(A), MASK, S, S, budget=0.3) is None


@pytest.mark.parametrize("seed", range(4))
def test_exact_fit_found_for_products(seed):
    # A = X Y^T with integer X, Y on the supports (so its minimum 0 is attained): the
    # part is closed at [0, 0] by an exact rational point, attained
    rng = np.random.default_rng(seed)
    Sa = np.array(S)
    X, Y = rng.integers(-2, 3, (3, 2)) * Sa, rng.integers(-2, 3, (3, 2)) * Sa
    A = (X @ Y.T).tolist()
    res = certify_fsmf(A, "10/11/01", "10/11/01", budget=10, starts=8)
    c = res.certificate
    assert res.verdict == "certified" and c["lower"] == c["upper"] == 0
    assert c["attained"] is True and "family" not in c
    assert verify(res, (A, "10/11/01", "10/11/01"))


# ----------------------------------------------------------------- positive infimum
#: A general part whose infimum 1 is approached only at infinity (y00 -> 0 while x00 y10
#: stays -3, and x21 y21 -> 0 with x11, y11 -> infinity): constant 9 + 0 from the
#: unreachable cells, so the whole infimum is 10.
POSITIVE = ([[1, -3, -3], [0, -3, -3], [0, 3, 0]], "10/11/01", "10/11/01")


@pytest.fixture(scope="module")
def positive():
    return certify_fsmf(*POSITIVE, budget=30)


def test_positive_limit_family_closes_with_branch_and_bound(positive):
    c = positive.certificate
    assert positive.verdict == "certified" and c["certified"] is True
    assert c["upper"] == 10 and 10 - 1e-9 * 11 <= c["lower"] <= 10
    assert c["attained"] is None and "family" in c
    (part,) = c["parts"]
    assert part["family"] is True and "bnb" in part and part["attained"] is None
    assert part["groebner_is_one"] is False
    assert verify(positive, POSITIVE)
    assert verify(positive.to_json(), POSITIVE)


def test_positive_limit_independent_routes(positive):
    A = POSITIVE[0]
    fam = positive.certificate["family"]
    # the family's part loss, exactly at t = 10^-k, decreases towards 10 - 9 = 1
    losses = [_part_loss(A, *_family_at(fam, Fraction(1, 10 ** k))) for k in range(2, 6)]
    assert all(1 < b < a for a, b in zip(losses, losses[1:])) and losses[-1] - 1 < 1e-6
    # floats reach 10 from above, never below the certified lower bound
    best = _numeric_min(A)
    assert float(positive.certificate["lower"]) - 1e-9 <= best < 10 + 1e-3


def _edit_part(res, **changes):
    d = json.loads(res.to_json())
    d["certificate"]["parts"][0].update(changes)
    return json.dumps(d)


@pytest.mark.parametrize("changes", [
    {"attained": True},                                   # a limit is not attained by a point
    {"attained": False, "groebner_is_one": True},         # [1] says nothing on inf 1
    {"upper": "2"},                                       # not the family's limit
])
def test_positive_limit_tampered_rejected(positive, changes):
    assert not verify(_edit_part(positive, **changes), POSITIVE)


def test_general_family_limit_is_an_upper_bound_of_float_losses():
    from exactsparse.fsmf.hard.family_general import general_family
    A = POSITIVE[0]
    limit, X, Y = general_family(_local(A), MASK, S, S, budget=5)
    assert limit == 1
    # the exact loss at small t tends to the limit from above (Fractions, not the library)
    vals = [_part_loss(A, [[v(Fraction(1, 10 ** k)) for v in row] for row in X],
                       [[v(Fraction(1, 10 ** k)) for v in row] for row in Y])
            for k in (3, 4, 5)]
    assert all(v > limit for v in vals) and vals[-1] - limit < 1e-6
    assert _part_bfgs(A) >= limit - 1e-6                  # floats never below the limit

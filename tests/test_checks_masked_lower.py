"""The checker re-computes the lower bound of masked parts (independent sympy route).

Expected values come from independent routes: a brute-force numeric multistart (upper
side) and the decision routine's own bound (lower side; imported here only, never by the
checker)."""

import json
import time
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import minimize

from exactsparse import verify
from exactsparse.checks import fsmf_hard
from exactsparse.checks._masked_lower import MAX_COLUMNS, Unchecked, masked_lower
from exactsparse.exceptions import SizeLimitError
from exactsparse.fsmf.hard import certify_fsmf, masked_to_fsmf
from exactsparse.fsmf.hard._masked import MaskedCore
from exactsparse.fsmf.hard.certify import masked_bounds

SPEC_A = [[2, 1, 0], [0, 1, 1], [-1, 0, 3]]
SPEC = (SPEC_A, "1100/1010/1001", "1010/1001/1100")


@pytest.fixture(scope="module")
def spec_cert():
    return certify_fsmf(*SPEC, budget=30)


def _forge(res, lower, inst, certified=None):
    """The certificate with its (only) masked part's lower bound replaced."""
    d = json.loads(res.to_json())
    c = d["certificate"]
    part = next(p for p in c["parts"] if p["kind"] == "masked")
    old = Fraction(part["lower"])
    part["lower"] = str(lower)
    part.pop("bnb", None)                      # the stratified route only
    if "bnb" in json.loads(res.to_json())["certificate"]["parts"][0]:
        part["certified"] = False
        part["attained"] = None
        c["certified"], c["attained"], d["verdict"] = False, None, "unknown"
    c["lower"] = str(Fraction(c["lower"]) - old + lower)
    if certified is not None:
        part["certified"] = c["certified"] = certified
        c["attained"] = True if certified else None
        d["verdict"] = "certified" if certified else "unknown"
    return verify(json.dumps(d), inst)


# ------------------------------------------------------------------ (a) the 6-cycle
def test_spec_certificate_rechecked(spec_cert):
    c = spec_cert.certificate
    assert spec_cert.verdict == "certified" and c["certified"]
    assert abs(float(c["upper"]) - 1.2772114616) < 1e-10
    t = time.monotonic()
    v = verify(spec_cert, SPEC)
    assert v, v.message
    assert time.monotonic() - t < 20
    assert "not re-run" not in v.message and "1 part(s) re-computed" in v.message


def test_spec_lower_bound_independent_value(spec_cert):
    part = spec_cert.certificate["parts"][0]
    entries = {tuple(cell): Fraction(SPEC_A[cell[0]][cell[1]]) for cell in part["cells"]}
    lo = masked_lower(entries, bits=320)
    assert part["lower"] <= lo <= part["upper"]
    assert part["upper"] - lo < Fraction(1, 10**20)


# ------------------------------------------------------------------ (b) tampering
def test_raised_masked_lower_rejected(spec_cert, monkeypatch):
    monkeypatch.setattr(fsmf_hard, "MASKED_CHECK_BITS", (320,))
    part = spec_cert.certificate["parts"][0]
    entries = {tuple(cell): Fraction(SPEC_A[cell[0]][cell[1]]) for cell in part["cells"]}
    true_lo = masked_lower(entries, bits=1024)       # within 2^-900 of the minimum
    assert part["lower"] <= true_lo < part["upper"]
    forged = (true_lo + part["upper"]) / 2           # above the minimum, below upper
    v = _forge(spec_cert, forged, SPEC, True)
    assert not v and "exceeds the re-computed" in v.message
    # the same forgery passed when the masked lower bound was accepted on trust
    monkeypatch.setattr(fsmf_hard, "_check_masked_lower", lambda *args: None)
    assert _forge(spec_cert, forged, SPEC, True)


def test_lowered_masked_lower_still_accepted(spec_cert):
    v = _forge(spec_cert, Fraction(1), SPEC, False)
    assert v and "re-computed" in v.message


# ------------------------------------------------------------------ (c) random cores
def _brute(A, W, starts=60, seed=0):
    """Numeric multistart of the variable-projected loss (an upper side of the infimum)."""
    A, W = np.array(A, float), np.array(W, float)
    total = float((W * A * A).sum())

    def F(y):
        s, d = (W * A) @ y, W @ (y * y)
        ok = d > 1e-300
        return total - float((s[ok] ** 2 / d[ok]).sum())
    rng = np.random.default_rng(seed)
    return min(minimize(F, rng.standard_normal(A.shape[1]), method="BFGS").fun
               for _ in range(starts))


def _case(seed):
    rng = np.random.default_rng(seed)
    m, n = [(2, 2), (2, 3), (3, 2), (3, 3)][seed % 4]
    while True:
        W = (rng.random((m, n)) < 0.7).astype(int)
        if W.any(axis=0).all() and W.any(axis=1).all() and not W.all():
            break
    A = [[int(rng.integers(-3, 4)) for _ in range(n)] for _ in range(m)]
    return A, W.tolist()


@pytest.mark.parametrize("seed", range(20))
def test_random_cores_between_decision_and_brute_force(seed):
    A, W = _case(seed)
    entries = {(i, j): Fraction(A[i][j]) for i in range(len(A)) for j in range(len(A[0]))
               if W[i][j]}
    core = MaskedCore(tuple(tuple(Fraction(v) for v in r) for r in A),
                      tuple(tuple(bool(w) for w in r) for r in W))
    dec = masked_bounds(core, budget=5, starts=10)["lo"]
    brute = _brute(A, W)
    try:
        lo = masked_lower(entries, bits=128)
    except Unchecked:                      # degenerate stratum: the decision gives up too
        assert dec == 0
        return
    assert 0 <= lo <= brute + 1e-9
    assert lo >= dec - Fraction(1, 10**9)


def test_known_values():
    # rank-one fully observed: exact tail (30 - sqrt(884)) / 2
    lo = masked_lower({(0, 0): Fraction(1), (0, 1): Fraction(2), (1, 0): Fraction(3),
                       (1, 1): Fraction(4)}, bits=128)
    assert abs(float(lo) - (30 - 884 ** 0.5) / 2) < 1e-12
    assert 30 - 2 * lo > 0 and (30 - 2 * lo) ** 2 >= 884         # lo <= (30 - sqrt 884)/2
    # two components, each a single rank-one-fittable cell or row: 0
    assert masked_lower({(0, 0): Fraction(5), (1, 1): Fraction(-2)}) == 0
    # a rational critical value is kept exact
    assert masked_lower({(0, 0): Fraction(1), (0, 1): Fraction(1), (1, 0): Fraction(1),
                         (1, 1): Fraction(-1)}) == 2


# ------------------------------------------------------------------ (d) beyond the limit
def test_beyond_size_limit_fails_clearly():
    A = [[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, -1], [1, 1, 0, 2]]
    W = [[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1]]
    M, I, J = masked_to_fsmf(A, W)
    res = certify_fsmf(A, I, J, budget=10)
    part = res.certificate["parts"][0]
    # the stratified route stops at 3 columns; the branch and bound may still bound it
    assert part["kind"] == "masked" and (part["lower"] == 0 or "bnb" in part)
    assert verify(res, (A, I, J))
    t = time.monotonic()
    v = _forge(res, part["upper"] / 2, (A, I, J))
    assert not v and "could not be re-checked" in v.message
    assert str(MAX_COLUMNS) in v.message
    assert time.monotonic() - t < 10
    with pytest.raises(SizeLimitError):
        masked_lower({(i, j): Fraction(A[i][j]) for i in range(4) for j in range(4)
                      if W[i][j]})


def test_budget_exhausted_fails_clearly(spec_cert, monkeypatch):
    monkeypatch.setattr(fsmf_hard, "MASKED_CHECK_BUDGET", 1e-3)
    v = verify(spec_cert, SPEC)
    assert not v and "could not be re-checked" in v.message

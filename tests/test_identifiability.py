"""Identifiability of fixed-support two-layer factorizations (issue 4).

Expected answers are independent of the code: the spec's published examples and known
verdicts, a hand-derived closed form for r = 2, and exact re-computation of products.
"""

import json
import random
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exactsparse as es
from exactsparse.cli import main
from exactsparse.supports import support_pairs as _support_pairs

LU3 = np.tril(np.ones((3, 3), int)).tolist()
PARTIAL_I = [[1, 1, 0], [1, 1, 1], [0, 1, 0]]
PARTIAL_J = [[1, 0, 0], [1, 1, 0], [0, 1, 1]]

# name: (I, J, verdict, criterion, jacobian rank, expected rank) — from the spec.
KNOWN = {
    "identity-3": (np.eye(3, dtype=int).tolist(),) * 2 + (
        "identifiable", "iterative-completion", 3, 3),
    "ones-3x2": ([[1, 1]] * 3, [[1, 1]] * 3, "not-identifiable", "identical-columns", 8, 10),
    "lu-3": (LU3, LU3, "identifiable", "iterative-completion", 9, 9),
    "partial-example": (PARTIAL_I, PARTIAL_J, "identifiable", "partial-completion", 8, 8),
    "witness-example-r2": ([[1, 1], [1, 1]], [[1, 0], [1, 1], [0, 1]], "not-identifiable",
                           None, 6, 6),
    "butterfly-split-4": (np.kron([[1, 1], [1, 1]], np.eye(2, dtype=int)).tolist(),
                          es.right_from_rx(np.kron(np.eye(2, dtype=int), [[1, 1], [1, 1]])),
                          "identifiable", "iterative-completion", 12, 12),
    "empty-column": ([[1, 0], [1, 0]], [[1, 1], [0, 1]], "not-identifiable", "degenerate",
                     2, 3),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_verdicts(name):
    I, J, verdict, criterion, jr, expected = KNOWN[name]
    res = es.check_identifiable(I, J)
    assert res.verdict == verdict
    if criterion is not None:
        assert res.certificate["criterion"] == criterion
    if jr is not None:
        assert (res.jacobian_rank, res.expected_rank) == (jr, expected)
    if expected is not None:
        assert res.expected_rank == expected
    assert es.verify(res, (I, J))
    assert es.verify(res.to_json(), {"I": I, "J": J})


def test_lu_recovery_order():
    res = es.check_identifiable(LU3, LU3)
    assert res.certificate["order"] == (0, 1, 2)


def test_partial_example_plain_fails():
    assert not es.is_completable(PARTIAL_I, PARTIAL_J)
    assert es.is_completable(PARTIAL_I, PARTIAL_J, partial=True)
    assert es.check_identifiable(PARTIAL_I, PARTIAL_J).theorem == "ident.partial"


def test_spec_witness_example():
    X, Y, Y2 = [[1, 1], [1, 1]], [[1, 0], [2, 3], [0, 1]], [[1, 0], [4, 1], [0, 1]]
    assert (np.array(X) @ np.array(Y).T == np.array(X) @ np.array(Y2).T).all()
    assert es.equivalent(X, Y, X, Y2) is None


def _r2_rule(I, J):
    """Hand-derived: r = 2 (no identical columns) is completable iff the rectangles are
    disjoint or one of them is not contained in the other's rows nor in its columns."""
    R = [set(np.flatnonzero(np.array(I)[:, k])) for k in range(2)]
    C = [set(np.flatnonzero(np.array(J)[:, k])) for k in range(2)]
    if not (R[0] & R[1]) or not (C[0] & C[1]):
        return True
    return any(not R[a] <= R[1 - a] and not C[a] <= C[1 - a] for a in range(2))


def support_pairs(m, n, r):
    """Non-degenerate pairs up to symmetry, as tuples of 0/1 rows."""
    for I, J in _support_pairs(m, n, r, nondegenerate=True):
        yield (tuple(tuple(int(v) for v in row) for row in I),
               tuple(tuple(int(v) for v in row) for row in J))


@pytest.mark.parametrize("m,n", [(1, 2), (2, 2), (2, 3), (3, 3)])
def test_r2_decided_and_matches_rule(m, n):
    for I, J in support_pairs(m, n, 2):
        res = es.check_identifiable(list(I), list(J))
        assert res.verdict != "unknown"
        assert (res.verdict == "identifiable") == _r2_rule(I, J), (I, J)
        assert es.verify(res, (list(I), list(J)))


def test_r1_always_identifiable():
    for m in (1, 2, 3):
        for I, J in support_pairs(m, 3, 1):
            assert es.is_identifiable(list(I), list(J))


def _rand_point(I, J, rng):
    X = [[Fraction(rng.randrange(1, 9), rng.randrange(1, 4)) * v for v in row] for row in I]
    Y = [[Fraction(rng.randrange(-9, 9) or 1) * v for v in row] for row in J]
    return X, Y


def _assert_recovered(X, Y, Xr, Yr, Z):
    """Checked without es.canonical: exact product Z, every column of Xr / Yr proportional
    to the original one, and the first nonzero of every X column equal to 1."""
    P = (np.array(Xr, dtype=object) @ np.array(Yr, dtype=object).T).tolist()
    assert P == Z
    for k in range(len(X[0])):
        x, y = [r[k] for r in X], [r[k] for r in Y]
        xr, yr = [r[k] for r in Xr], [r[k] for r in Yr]
        nz = [i for i, v in enumerate(x) if v]
        if not nz:
            continue
        c = xr[nz[0]] / x[nz[0]]
        assert xr[nz[0]] == 1
        assert xr == [c * v for v in x] and yr == [v / c for v in y]


@pytest.mark.parametrize("name", ["identity-3", "lu-3", "partial-example", "butterfly-split-4"])
def test_recover_factors_returns_canonical(name):
    I, J = KNOWN[name][:2]
    X, Y = _rand_point(I, J, random.Random(1))
    Z = (np.array(X, dtype=object) @ np.array(Y, dtype=object).T).tolist()
    Xr, Yr = es.recover_factors(Z, I, J)
    _assert_recovered(X, Y, Xr, Yr, Z)
    assert all(isinstance(v, Fraction) for row in Xr + Yr for v in row)


def test_recover_accepts_strings():
    X, Y = es.recover_factors([["1/2", "3/2"]], [[1]], [[1], [1]])
    assert X == ((Fraction(1),),) and Y == ((Fraction(1, 2),), (Fraction(3, 2),))


def test_equivalent_returns_scaling_and_permutation():
    X = [[1, 0], [2, 3]]
    Y = [[5, 1], [0, 7]]
    D, perm = [Fraction(2), Fraction(-1, 3)], (1, 0)
    X2 = [[D[perm[k]] * X[i][perm[k]] for k in range(2)] for i in range(2)]
    Y2 = [[Y[j][perm[k]] / D[perm[k]] for k in range(2)] for j in range(2)]
    e = es.equivalent(X, Y, X2, Y2)
    assert e.perm == perm and list(e.D) == D


def test_canonical_is_idempotent_and_equivalent():
    X, Y = [[0, 3], [2, 6]], [[Fraction(1, 2), 4]]
    Xc, Yc = es.canonical(X, Y)
    assert es.canonical(Xc, Yc) == (Xc, Yc)
    assert es.equivalent(X, Y, Xc, Yc) is not None


def test_jacobian_backends_agree():
    for I, J in [("11/11/11", "11/11/11"), (LU3, LU3), (PARTIAL_I, PARTIAL_J)]:
        a = es.jacobian_rank(I, J, exact=True)
        b = es.jacobian_rank(I, J, exact=True, backend="sympy")
        assert a.rank == b.rank >= a.rank_mod_p


def test_jacobian_matches_sympy_matrix():
    X, Y = es.random_point(LU3, LU3, seed=3)
    M = es.jacobian(X, Y, LU3, LU3)
    assert es.exact.rank(M) == es.exact.rank(M, backend="sympy") == 9


def test_jacobian_32_fast():
    I = es.random_support(32, 32, 0.5, seed=1)
    J = es.random_support(32, 32, 0.5, seed=2)
    t = time.perf_counter()
    jr = es.jacobian_rank(I, J)
    assert time.perf_counter() - t < 2.0      # ~0.3 s measured; generous on noisy CI
    assert jr.shape[0] == 1024
    # nnz(I) + nnz(J) - r, counted here (no empty column at this density)
    assert jr.rank == int(I.to_numpy().sum()) + int(J.to_numpy().sum()) - 32


def test_verify_rejects_tampered_witness():
    I, J = [[1, 1], [1, 1]], [[1, 0], [1, 1], [0, 1]]
    d = es.check_identifiable(I, J).to_dict()
    d["certificate"]["witness"]["Y2"] = d["certificate"]["witness"]["Y"]
    assert not es.verify(d, (I, J))


def test_verify_rejects_tampered_steps():
    d = es.check_identifiable(LU3, LU3).to_dict()
    d["certificate"]["steps"] = d["certificate"]["steps"][::-1]
    v = es.verify(d, (LU3, LU3))
    assert not v and "before it is known" in v.message


def test_verify_rejects_other_instance():
    res = es.check_identifiable(PARTIAL_I, PARTIAL_J)
    assert not es.verify(res, (PARTIAL_I, [[1, 0, 0], [1, 1, 0], [1, 1, 1]]))


def test_cli_check_json(tmp_path, capsys):
    (tmp_path / "I.txt").write_text("11\n11\n")
    (tmp_path / "J.txt").write_text("10\n11\n01\n")
    assert main(["ident", "check", "--left", str(tmp_path / "I.txt"), "--right",
                 str(tmp_path / "J.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "not-identifiable"
    assert set(data["witness"]) == {"X", "Y", "X2", "Y2"}
    assert all(isinstance(v, str) for row in data["witness"]["Y2"] for v in row)
    assert {"certificate", "jacobian_rank", "expected_rank"} <= set(data)
    assert es.verify(data, (es.Support("11/11"), es.Support("10/11/01")))


def test_cli_check_right_rx(tmp_path, capsys):
    (tmp_path / "I.txt").write_text("100\n010\n001\n")
    assert main(["ident", "check", "--left", str(tmp_path / "I.txt"), "--right-rx",
                 str(tmp_path / "I.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "identifiable" and data["witness"] is None


def test_cli_recover_json(tmp_path, capsys):
    (tmp_path / "I.txt").write_text("1\n1\n")
    (tmp_path / "Z.txt").write_text("2 6\n3 9\n")
    assert main(["ident", "recover", "--matrix", str(tmp_path / "Z.txt"), "--left",
                 str(tmp_path / "I.txt"), "--right", str(tmp_path / "I.txt"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"X": [["1"], ["3/2"]], "Y": [["2"], ["6"]]}


# ----------------------------------------------------------------------------- properties
def _supports(draw, max_r=3):
    r = draw(st.integers(1, max_r))
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cell = st.integers(0, 1)
    I = [[draw(cell) for _ in range(r)] for _ in range(m)]
    J = [[draw(cell) for _ in range(r)] for _ in range(n)]
    return I, J


pairs = st.composite(_supports)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs(), st.randoms(use_true_random=False))
def test_verdict_permutation_invariant(pair, rnd):
    I, J = pair
    pi, pj, pk = (rnd.sample(range(len(a)), len(a)) for a in (I, J, I[0]))
    I2 = [[I[i][k] for k in pk] for i in pi]
    J2 = [[J[j][k] for k in pk] for j in pj]
    a, b = es.check_identifiable(I, J), es.check_identifiable(I2, J2)
    # completion is a permutation-invariant closure; a decided verdict is always correct, but
    # the Jacobian-kernel witness depends on the random point, so "unknown" may differ.
    assert (a.verdict == "identifiable") == (b.verdict == "identifiable")
    if "unknown" not in (a.verdict, b.verdict):
        assert a.verdict == b.verdict
    assert a.jacobian_rank == b.jacobian_rank


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_certificates_always_verify(pair):
    I, J = pair
    res = es.check_identifiable(I, J)
    assert es.verify(res, (I, J)), res
    assert es.verify(res.to_json(), (I, J))
    if res.jacobian_rank is not None:
        assert res.jacobian_rank_mod_p <= res.jacobian_rank


@settings(max_examples=40, deadline=None)
@given(pairs(), st.integers(0, 10**6))
def test_recover_roundtrip_when_completable(pair, seed):
    I, J = pair
    res = es.check_identifiable(I, J)
    if res.verdict != "identifiable":
        return
    X, Y = _rand_point(I, J, random.Random(seed))
    Z = (np.array(X, dtype=object) @ np.array(Y, dtype=object).T).tolist()
    _assert_recovered(X, Y, *es.recover_factors(Z, I, J), Z)


@pytest.mark.slow
def test_r2_rule_up_to_4():
    for I, J in support_pairs(4, 4, 2):
        assert (es.check_identifiable(list(I), list(J)).verdict == "identifiable") == \
            _r2_rule(I, J)


# ------------------------------------------------------------------ review fixes (issue 4)
def test_check_dense_32_r32_fast():
    # Used to hang in the exact rank over Q of a 1024×1828 Jacobian.  Independent route:
    # every entry of the 32×32 product is covered (numpy), so the rank is at most 1024
    # rows; exact.rank_mod_p of the Jacobian (another prime) gives the lower bound 1024.
    I = es.random_support(32, 32, 0.9, seed=1)
    J = es.random_support(32, 32, 0.9, seed=2)
    t = time.perf_counter()
    res = es.check_identifiable(I, J)
    assert time.perf_counter() - t < 5.0          # ~0.8 s measured
    rows = int(((np.array(I.tolist()) @ np.array(J.tolist()).T) > 0).sum())
    assert rows == 1024
    X, Y = es.random_point(I, J, seed=0)
    assert es.exact.rank_mod_p(es.jacobian(X, Y, I, J), 2**61 - 1) == rows
    assert res.jacobian_rank == res.jacobian_rank_mod_p == rows
    assert res.certificate["jacobian"]["method"] == "mod-p meets shape"
    assert es.verify(res, (I, J))


def test_exact_rank_capped_and_reported_none():
    # I = J = ones(40, 2): identical columns, the GL(2) orbit has dimension r² = 4, so the
    # rank is nnz - 4 = 156 (below min(shape) = 160 and expected = 158): not certified by
    # the mod-p rank, and the 1600×160 Jacobian exceeds the default cap.
    ones = [[1, 1]] * 40
    t = time.perf_counter()
    res = es.check_identifiable(ones, ones)
    assert time.perf_counter() - t < 5.0
    assert res.jacobian_rank is None and res.jacobian_rank_mod_p == 156
    assert res.certificate["jacobian"]["method"] == "skipped"
    assert "max_exact" in res.certificate["jacobian_note"]
    assert es.verify(res, (ones, ones))
    assert es.check_identifiable(ones, ones, max_exact=None).jacobian_rank == 156


def _tamper(I, J, mutate):
    d = json.loads(es.check_identifiable(I, J).to_json())
    mutate(d)
    return es.verify(json.dumps(d), (I, J))


def _unknown(stuck):
    def mut(d):
        d.update(verdict="unknown", theorem="ident.jacobian")
        d["certificate"] = {"criterion": "none", "stuck": stuck, "reason": "forged",
                            "jacobian": d["certificate"]["jacobian"], "absent": []}
    return mut


ONES = "11/11/11"
TAMPER = {
    "rank above rows": (ONES, ONES, lambda d: d.update(jacobian_rank=10)),
    "rank above expected": (LU3, LU3, lambda d: d.update(jacobian_rank=10)),
    "mod-p zeroed": (ONES, ONES, lambda d: d.update(jacobian_rank_mod_p=0)),
    "mod-p above Q": (ONES, ONES, lambda d: d.update(jacobian_rank_mod_p=9)),
    "None-ness mismatch": (ONES, ONES, lambda d: d.update(jacobian_rank=None,
                                                          jacobian_rank_mod_p=99)),
    "Q without mod-p": (ONES, ONES, lambda d: d.update(jacobian_rank_mod_p=None)),
    "ranks zeroed": (LU3, LU3, lambda d: d.update(jacobian_rank=0, jacobian_rank_mod_p=0)),
    "ranks bool": ("10/01", "10/01", lambda d: d.update(jacobian_rank=True,
                                                        jacobian_rank_mod_p=False)),
    "order permuted": (LU3, LU3, lambda d: d["certificate"].update(order=[2, 1, 0])),
    "order garbage": (LU3, LU3, lambda d: d["certificate"].update(order=[7, "x"])),
    "order deleted": (LU3, LU3, lambda d: d["certificate"].pop("order")),
    "criterion bogus": (LU3, LU3, lambda d: d["certificate"].update(criterion="bogus")),
    "criterion swapped": (LU3, LU3, lambda d: d["certificate"].update(
        criterion="partial-completion")),
    "theorem bogus": (LU3, LU3, lambda d: d.update(theorem="nonsense")),
    "witness theorem": (ONES, ONES, lambda d: d.update(theorem="ident.completion")),
    "witness criterion": (ONES, ONES, lambda d: d["certificate"].update(criterion="bogus")),
    "backend bogus": (LU3, LU3, lambda d: d.update(backend="numpy")),
    "expected as string": (ONES, ONES, lambda d: d.update(expected_rank="10")),
    "jacobian seed changed": (ONES, ONES, lambda d: d["certificate"]["jacobian"].update(
        seed=5, prime=9)),
    "unknown on not-identifiable": (ONES, ONES, _unknown([0, 1])),
    "unknown on identifiable": (LU3, LU3, _unknown([])),
    "unknown when r = 2": ("11/11", "10/11/01", _unknown([0, 1])),
    "unknown, wrong stuck": ("110/101/011", "110/101/011", _unknown([0])),
}


@pytest.mark.parametrize("name", sorted(TAMPER))
def test_verify_rejects_tampered_fields(name):
    I, J, mutate = TAMPER[name]
    assert es.verify(es.check_identifiable(I, J), (I, J))      # the honest one passes
    assert not _tamper(I, J, mutate)


# The 11 non-degenerate r = 3 pairs (m, n <= 3) that used to stay "unknown".
FORMER_UNKNOWN = [
    ("100/110/011", "110/110/011"), ("100/110/011", "110/001/011"),
    ("100/110/011", "110/011/011"), ("100/110/011", "110/011/111"),
    ("110/110/101", "010/110/101"), ("110/110/101", "110/110/101"),
    ("110/110/101", "110/001/101"), ("110/110/101", "110/101/101"),
    ("110/110/101", "110/101/011"), ("110/101/011", "110/110/101"),
    ("110/101/011", "110/101/011"),
]


def _sympy(M):
    import sympy
    return sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row]
                         for row in M])


@pytest.mark.parametrize("I, J", FORMER_UNKNOWN)
def test_former_unknown_pairs_have_exact_witnesses(I, J):
    res = es.check_identifiable(I, J)
    assert res.verdict == "not-identifiable"
    assert res.certificate["criterion"] in ("fibre-curve", "fibre-root")
    w = res.witness
    # independent re-check with sympy: same product, supports exactly (I, J)
    assert _sympy(w["X"]) * _sympy(w["Y"]).T == _sympy(w["X2"]) * _sympy(w["Y2"]).T
    for M, S in (("X", I), ("X2", I), ("Y", J), ("Y2", J)):
        assert [[int(v != 0) for v in row] for row in w[M]] == \
            [[int(c) for c in row] for row in S.split("/")]
    # not a column rescaling: canonical forms (first nonzero of X_k = 1) differ
    assert es.canonical(w["X"], w["Y"]) != es.canonical(w["X2"], w["Y2"])
    assert es.verify(res, (I, J)) and es.verify(res.to_json(), (I, J))


def test_cyclic_pair_second_rational_solution():
    # I = J = 110/101/011: at a generic point the fibre has exactly two points up to
    # scaling; the second one is rational (the other root of a quadratic).
    res = es.check_identifiable("110/101/011", "110/101/011")
    assert res.certificate["criterion"] == "fibre-root"
    assert res.jacobian_rank == res.expected_rank == 9        # finite fibre


@pytest.mark.parametrize("I, J, without", [
    ([[1, 0]], [[1, 0]], ([[1]], [[1]])),
    ([[1, 0, 1], [0, 0, 1]], [[1, 0, 0], [1, 0, 1]], ([[1, 1], [0, 1]], [[1, 0], [1, 1]])),
    ([[0, 1, 1], [0, 1, 1]], [[0, 1, 1]] * 3, ([[1, 1]] * 2, [[1, 1]] * 3)),
])
def test_absent_column_is_left_out(I, J, without):
    # A column empty on both sides is forced to zero: the verdict is that of the pair
    # without it, and expected_rank = nnz(I) + nnz(J) - (number of the other columns).
    res, ref = es.check_identifiable(I, J), es.check_identifiable(*without)
    assert res.verdict == ref.verdict
    assert res.expected_rank == ref.expected_rank == \
        int(np.sum(I)) + int(np.sum(J)) - len(without[0][0])
    assert res.certificate["absent"] == tuple(
        k for k in range(len(I[0])) if not any(r[k] for r in I) and not any(r[k] for r in J))
    assert es.verify(res, (I, J))


def test_all_columns_absent():
    res = es.check_identifiable([[0, 0]], [[0, 0], [0, 0]])
    assert (res.verdict, res.expected_rank, res.jacobian_rank) == ("identifiable", 0, 0)
    assert es.verify(res, ([[0, 0]], [[0, 0], [0, 0]]))
    X, Y = es.recover_factors([[3]], [[1, 0]], [[1, 0]])
    assert X == ((Fraction(1), Fraction(0)),) and Y == ((Fraction(3), Fraction(0)),)


def test_absent_column_forged_identifiable_rejected_for_half_empty():
    # a column empty on one side only stays degenerate: never identifiable
    I, J = [[1, 0]], [[1, 1]]
    d = es.check_identifiable([[1, 0]], [[1, 0]]).to_dict()
    d["expected_rank"] = 2
    assert not es.verify(d, (I, J))


# ----------------------------------------------------------------- hardening (issue 15)
@pytest.mark.parametrize("n", [250, 2000])
def test_one_class_rank2_is_fast_and_verifies(n):
    # Used to take > 60 s (n = 250): a 62 500 × 1 000 Jacobian ranked mod p and an m×n
    # product of Python Fractions per witness candidate.  Independent route: the two
    # factorizations of the witness multiply to the same matrix (numpy, exact object
    # arithmetic) and their first columns are not proportional (not a rescaling).
    ones = np.ones((n, 2), dtype=int)
    t = time.perf_counter()
    res = es.check_identifiable(ones, ones)
    assert time.perf_counter() - t < 10.0            # ~0.1 s (250) / ~1 s (2000) measured
    assert res.verdict == "not-identifiable"
    assert res.certificate["criterion"] == "identical-columns"
    assert res.jacobian_rank_mod_p is None
    assert ("MAX_JACOBIAN_WORK" if n == 250 else "max_jacobian_size") in \
        res.certificate["jacobian_note"]
    import flint
    w = res.witness
    X, Y, X2, Y2 = (flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in row]
                                    for row in w[k]]) for k in ("X", "Y", "X2", "Y2"))
    assert X * Y.transpose() == X2 * Y2.transpose()
    assert all(v != 0 for M in (X, Y, X2, Y2) for v in M.entries())
    assert es.verify(res, (ones, ones))


def test_lifted_cover_not_built_for_identical_columns():
    # The cover (sum_k |S_k| entries) is built lazily: the shortcut never builds it.
    from exactsparse import _budget
    from exactsparse.identifiability import _common, check
    pat = _common.pattern(np.ones((300, 2), dtype=int), np.ones((300, 2), dtype=int))
    res = check._decide(pat, 0, _budget.Deadline(None))
    assert res[1]["criterion"] == "identical-columns" and "cover" not in pat.__dict__


def test_budget_huge_is_clamped_not_overflow():
    res = es.check_identifiable("100/010/001", "100/010/001", budget=10**400)
    assert res.verdict == "identifiable"
    assert es.verify(res, ("100/010/001", "100/010/001"))
    assert es.is_identifiable("11/11", "10/11/01", budget=1e300) is False


def test_budget_runs_out_in_witness_search_gives_verifiable_unknown(monkeypatch):
    # The cyclic pair is stuck in partial completion (r = 3); make the witness search slow.
    import exactsparse.identifiability.witness as witness

    def slow(pat, rng, deadline):
        time.sleep(0.3)
        deadline.check("the 'dependent-columns' witness search")
    monkeypatch.setattr(witness, "_dependent_columns", slow)
    I = J = "110/101/011"
    t = time.perf_counter()
    res = es.check_identifiable(I, J, budget=0.2)
    assert time.perf_counter() - t < 3.0
    assert res.verdict == "unknown"
    assert res.certificate["stuck"] == (0, 1, 2) and res.certificate["budget"] == 0.2
    assert "time budget of 0.2 s ran out" in res.certificate["reason"]
    assert es.verify(res, (I, J))                    # the checker's replay agrees
    assert res.to_dict() == es.IdentifiabilityResult.from_json(res.to_json()).to_dict()
    with pytest.raises(es.exceptions.NotCoveredError, match="ran out"):
        es.is_identifiable(I, J, budget=0.2)


def test_tiny_budget_still_decides_degenerate_and_identical():
    # the only certificates verify accepts for these pairs are built outside the budget
    for I, J in (("11/11/11", "11/11/11"), ("10/10", "10/01"), ("110/110", "110/001")):
        res = es.check_identifiable(I, J, budget=1e-9)
        assert res.verdict == "not-identifiable"
        assert es.verify(res, (I, J))


def test_budget_before_completion_unknown_verifies():
    res = es.check_identifiable("110/101/011", "110/101/011", budget=1e-9)
    assert res.verdict == "unknown" and "budget" in res.certificate
    assert es.verify(res, ("110/101/011", "110/101/011"))


def test_find_witness_budget_returns_none():
    assert es.find_witness("110/101/011", "110/101/011", budget=1e-9) is None
    assert es.find_witness("110/101/011", "110/101/011", budget=10**400) is not None


def test_jacobian_rank_budget():
    ones = [[1, 1]] * 120                            # a 14 400 × 480 Jacobian
    t = time.perf_counter()
    with pytest.raises(es.exceptions.SizeLimitError, match="budget"):
        es.jacobian_rank(ones, ones, budget=0.05)
    assert time.perf_counter() - t < 5.0
    jr = es.jacobian_rank("100/110/111", "100/110/111", budget=5)
    assert jr.rank == 9
    # a huge budget is clamped below what a process wait accepts (was OverflowError)
    ones = [[1, 1]] * 60                             # 3 600 × 240: ranked in a child process
    assert es.jacobian_rank(ones, ones, budget=1e300).rank_mod_p == \
        es.jacobian_rank(ones, ones).rank_mod_p


def test_recover_factors_budget():
    X0, Y0 = [[2, 1, 0], [3, -1, 5], [0, 4, 0]], [[1, 0, 0], [7, 2, 0], [0, 3, 1]]
    Z = np.dot(X0, np.transpose(Y0)).tolist()
    I, J = [[1, 1, 0], [1, 1, 1], [0, 1, 0]], [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    X, Y = es.recover_factors(Z, I, J, budget=10)
    assert (np.dot(np.array(X, dtype=object), np.array(Y, dtype=object).T) == Z).all()
    with pytest.raises(es.exceptions.SizeLimitError, match="budget"):
        es.recover_factors(Z, I, J, budget=1e-9)

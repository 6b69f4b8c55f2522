"""Sweeps: enumeration up to isomorphism (against brute force and Burnside), the checks,
the runner, the report.  Expected counts come from brute-force orbit computations,
Burnside's lemma and the decision routines called directly — never from the enumerator."""

import csv
import itertools
import json
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from exactsparse.exceptions import ShapeError, SizeLimitError
from exactsparse.fsmf import check_tractable
from exactsparse.identifiability import check_identifiable, is_completable
from exactsparse.supports import support_pairs
from exactsparse.sweep import (CHECKS, canonical_form, count_orbits, count_pairs, export_sweep,
                               get_check, greedy_block_loss, iter_patterns, plan_chunks,
                               sweep, sweep_report, tractability_sweep)
from exactsparse.sweep.library import tractable_bits
from exactsparse.sweep.patterns import iter_chunk, pattern_arrays, rows_of


def _keep(I, J, nondegenerate, nnz):
    if nondegenerate and not (I.any(1).all() and I.any(0).all() and J.any(1).all()
                              and J.any(0).all()):
        return False
    z = int(I.sum() + J.sum())
    return nnz is None or nnz[0] <= z <= nnz[1]


def _brute_orbits(m, n, r, nondegenerate=False, nnz=None):
    """Orbits of all pairs under row perms of I, of J and a common column perm: list of
    (frozenset orbit, raw count)."""
    seen, orbits, raw = set(), [], 0
    cells_I, cells_J = m * r, n * r
    for bits in itertools.product((0, 1), repeat=cells_I + cells_J):
        I = np.array(bits[:cells_I], dtype=bool).reshape(m, r)
        J = np.array(bits[cells_I:], dtype=bool).reshape(n, r)
        if not _keep(I, J, nondegenerate, nnz):
            continue
        raw += 1
        key = (I.tobytes(), J.tobytes())
        if key in seen:
            continue
        orbit = set()
        for pi in itertools.permutations(range(m)):
            for pj in itertools.permutations(range(n)):
                for pk in itertools.permutations(range(r)):
                    orbit.add((np.ascontiguousarray(I[np.ix_(pi, pk)]).tobytes(),
                               np.ascontiguousarray(J[np.ix_(pj, pk)]).tobytes()))
        seen |= orbit
        orbits.append(frozenset(orbit))
    return orbits, raw


SMALL = [(1, 1, 1), (1, 2, 2), (2, 2, 2), (2, 3, 2), (2, 2, 3), (1, 3, 3)]


@pytest.mark.parametrize("shape", SMALL)
@pytest.mark.parametrize("nondegenerate,nnz", [(False, None), (True, None), (False, (2, 4))])
def test_enumeration_matches_brute_force_orbits(shape, nondegenerate, nnz):
    m, n, r = shape
    orbits, raw = _brute_orbits(m, n, r, nondegenerate, nnz)
    pats = list(iter_patterns(m, n, r, nondegenerate=nondegenerate, nnz=nnz))
    assert len(pats) == len(orbits) == count_orbits(m, n, r, nondegenerate, nnz)
    assert count_pairs(m, n, r, nondegenerate, nnz) == raw
    index = {key: k for k, orb in enumerate(orbits) for key in orb}
    hit = set()
    for p in pats:
        I, J = pattern_arrays(p.I, p.J, r)
        k = index[(I.tobytes(), J.tobytes())]
        assert k not in hit                       # one representative per orbit
        hit.add(k)
        assert p.orbit == len(orbits[k])          # orbit size
        assert canonical_form(I, J).orbit == len(orbits[k])


@pytest.mark.parametrize("shape,nondegenerate,nnz", [
    ((3, 3, 3), False, None), ((4, 4, 3), False, None), ((4, 3, 3), True, None),
    ((3, 3, 4), False, None), ((3, 4, 3), False, (5, 12)), ((2, 5, 3), True, (6, 9))])
def test_enumeration_matches_burnside(shape, nondegenerate, nnz):
    pats = list(iter_patterns(*shape, nondegenerate=nondegenerate, nnz=nnz))
    assert len(pats) == count_orbits(*shape, nondegenerate=nondegenerate, nnz=nnz)
    assert sum(p.orbit for p in pats) == count_pairs(*shape, nondegenerate, nnz)
    if not nondegenerate and nnz is None:
        m, n, r = shape
        assert sum(p.orbit for p in pats) == 2 ** ((m + n) * r)
    assert len({(p.I, p.J) for p in pats}) == len(pats)


@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 3, 3), (2, 4, 3)])
def test_same_count_as_support_pairs(shape):
    for nd in (False, True):
        assert sum(1 for _ in iter_patterns(*shape, nondegenerate=nd)) == \
            sum(1 for _ in support_pairs(*shape, nondegenerate=nd))


def test_known_counts_of_matrices_up_to_row_and_column_permutations():
    # (I, J) with J a single zero row: the orbits of I alone under S_m × S_r, OEIS A002724
    # (n×n binary matrices up to row and column permutations): 1, 2, 7, 36, 317
    for size, known in [(1, 2), (2, 7), (3, 36), (4, 317)]:
        assert sum(p.J == (0,) for p in iter_patterns(size, 1, size)) == known


@pytest.mark.parametrize("method", ["refine", "brute"])
def test_canonical_forms_separate_orbits(method):
    pats = list(iter_patterns(3, 3, 3))
    keys = {canonical_form(*pattern_arrays(p.I, p.J, 3), method=method).key for p in pats}
    assert len(keys) == len(pats)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.randoms(use_true_random=False),
       st.sampled_from(["refine", "brute"]))
def test_canonical_form_is_invariant(m, n, r, rnd, method):
    rng = np.random.default_rng(rnd.randint(0, 2 ** 31))
    I, J = rng.random((m, r)) < 0.5, rng.random((n, r)) < 0.5
    pi, pj, pk = rng.permutation(m), rng.permutation(n), rng.permutation(r)
    a = canonical_form(I, J, method)
    b = canonical_form(I[np.ix_(pi, pk)], J[np.ix_(pj, pk)], method)
    assert a == b
    assert canonical_form(*pattern_arrays(*a.key, r), method=method).key == a.key


@pytest.mark.parametrize("chunk_size", [1, 7, 50, 10 ** 6])
@pytest.mark.parametrize("nondegenerate", [False, True])
def test_chunks_are_disjoint_deterministic_and_cover(chunk_size, nondegenerate):
    m, n, r = 3, 2, 3
    plan = plan_chunks(m, n, r, nondegenerate, chunk_size)
    assert plan == plan_chunks(m, n, r, nondegenerate, chunk_size)
    got = [p for c in plan for p in iter_chunk(c, m, n, r, nondegenerate)]
    assert got == list(iter_patterns(m, n, r, nondegenerate=nondegenerate))


@pytest.mark.parametrize("shape,step", [
    ((2, 2, 2), 1), ((2, 3, 3), 1), ((3, 3, 3), 5),
    pytest.param((3, 3, 3), 1, marks=pytest.mark.slow),
    pytest.param((2, 4, 3), 1, marks=pytest.mark.slow),
    pytest.param((3, 3, 4), 1, marks=pytest.mark.slow)])
def test_tractable_bits_agrees_with_check_tractable(shape, step):
    r = shape[2]
    for p in list(iter_patterns(*shape))[::step]:
        res = check_tractable(*pattern_arrays(p.I, p.J, r))
        expected = res.family if res.verdict == "tractable" else None
        assert tractable_bits(p.I, p.J, r) == expected


def test_rows_of_and_arrays_round_trip():
    I = "110/011/000"
    assert rows_of(I) == (0, 3, 6)
    assert pattern_arrays((0, 3, 6), (), 3)[0].sum() == 4


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_named_check_runs(name):
    chk = get_check(name)
    for p in list(iter_patterns(2, 2, 2))[::7]:
        verdict, detail = chk.run(p.I, p.J, 2, 0)
        assert verdict != "error", (name, p, detail)
        json.dumps(detail)


def test_identifiable_and_completable_checks_agree_with_the_routines():
    for p in iter_patterns(2, 3, 2):
        I, J = pattern_arrays(p.I, p.J, 2)
        assert get_check("identifiable").run(p.I, p.J, 2, 0)[0] == \
            check_identifiable(I, J).verdict
        assert (get_check("completable").run(p.I, p.J, 2, 0)[0] == "completable") == \
            is_completable(I, J)


def test_butterfly_check_finds_the_ks_pairs():
    s = sweep("butterfly-identifiable", 4, 4, 2, workers=1)
    # 4×2 ⊗ 2×4 rank-one chainable KS pairs: (1,2,1,2)(2,1,2,1) and (2,2,1,1)(1,1,2,2) ...
    assert s.by_verdict.get("identified", 0) >= 1
    assert "not-identified" not in s.by_verdict and "error" not in s.by_verdict


def test_sweep_weighted_totals_and_parallel_equal_serial(tmp_path):
    a = sweep("tractable", 2, 3, 3, out=tmp_path / "a", workers=1, chunk_size=100)
    b = sweep("tractable", 2, 3, 3, out=tmp_path / "b", workers=2, chunk_size=100)
    assert a.total == b.total == count_orbits(2, 3, 3) and a.weighted_total == 2 ** 15
    assert a.by_verdict == b.by_verdict and a.complete and b.complete
    from exactsparse.sweep import SweepStore
    sa, sb = SweepStore(str(tmp_path / "a")), SweepStore(str(tmp_path / "b"))
    assert list(sa.rows()) == list(sb.rows())
    expected = sum(check_tractable(I, J).verdict == "tractable"
                   for I, J in support_pairs(2, 3, 3))
    assert a.by_verdict["tractable"] == expected


def test_stop_on_first_counterexample(tmp_path):
    s = sweep("identifiable", 3, 3, 2, out=tmp_path, workers=1, chunk_size=20,
              stop_on_counterexample=True)
    assert s.counterexamples and s.counterexamples[0]["verdict"] == "not-identifiable"
    assert s.chunks_done < s.chunks_total and not s.complete
    again = sweep("identifiable", 3, 3, 2, out=tmp_path, workers=1, chunk_size=20)
    assert again.complete and again.total == count_orbits(3, 3, 2)


USER = textwrap.dedent('''
    def parity(I, J):
        if I.sum() + J.sum() == 3:
            raise ValueError("three nonzeros")
        return ("even" if (I.sum() + J.sum()) % 2 == 0 else "counterexample"), {"s": int(I.sum())}
''')


def test_user_check_and_errors_are_verdicts(tmp_path, monkeypatch):
    (tmp_path / "usercheck_sweep.py").write_text(USER)
    monkeypatch.syspath_prepend(str(tmp_path))
    s = sweep("usercheck_sweep:parity", 2, 2, 2, workers=1)
    pats = list(iter_patterns(2, 2, 2))
    nnz = [sum(bin(x).count("1") for x in p.I + p.J) for p in pats]
    assert s.by_verdict["error"] == sum(v == 3 for v in nnz)
    assert s.by_verdict["counterexample"] == sum(v % 2 == 1 and v != 3 for v in nnz)
    errors = [c for c in s.counterexamples if c["verdict"] == "error"]
    assert not errors
    d = tmp_path / "out"
    sweep("usercheck_sweep:parity", 2, 2, 2, out=d, workers=1)
    rep = sweep_report([d])["sweeps"][0]
    row = [r for r in _rows(d) if r["verdict"] == "error"][0]
    assert row["detail"]["message"] == "ValueError: three nonzeros"
    assert rep["by_verdict"]["error"] == s.by_verdict["error"]


def _rows(d):
    from exactsparse.sweep import SweepStore
    st_ = SweepStore(str(d))
    try:
        return list(st_.rows())
    finally:
        st_.close()


def test_report_export_and_plot(tmp_path):
    d = tmp_path / "s"
    sweep("completable", 2, 3, 2, out=d, workers=1)
    rep = sweep_report([d])["sweeps"][0]
    comp = sum(is_completable(I, J) for I, J in support_pairs(2, 3, 2))
    assert rep["by_verdict"]["completable"] == comp
    assert rep["weighted_total"] == 2 ** 10 and rep["total"] == 112
    n_csv = export_sweep(d, tmp_path / "x.csv")
    with open(tmp_path / "x.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n_csv == len(rows) == 112 and sum(int(r["orbit"]) for r in rows) == 2 ** 10
    n_json = export_sweep(d, tmp_path / "x.json")
    lines = (tmp_path / "x.json").read_text().splitlines()
    assert n_json == len(lines) == 112 and json.loads(lines[0])["verdict"]
    pytest.importorskip("matplotlib", reason="the figure needs the plot extra")
    out = sweep_report([d], plot=tmp_path / "f.png")["figure"]
    assert (tmp_path / "f.png").stat().st_size > 1000 and out.endswith("f.png")


def test_cli_run_and_report_keys(tmp_path, capsys):
    from exactsparse.cli import main
    d = str(tmp_path / "c")
    assert main(["sweep", "run", "--check", "identifiable", "--rows", "2", "--cols", "2",
                 "--rank", "2", "--out", d, "--workers", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"total", "by_verdict", "counterexamples", "seconds"} <= set(data)
    assert data["total"] == 58
    assert main(["sweep", "report", d, "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["by_verdict"] == data["by_verdict"] and rep["weighted_total"] == 256
    assert main(["sweep", "count", "--rows", "4", "--cols", "4", "--rank", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["orbits"] == 19859


def test_legacy_sweep_records():
    A = np.array([[3.0, 1.0], [1.0, 3.0]])
    assert abs(greedy_block_loss(A, np.ones((2, 1)), np.ones((2, 1))) - 4.0) < 1e-12
    recs = tractability_sweep(2, 2, 2, restarts=4, seed=3)
    assert len(recs) == 58
    for r in recs:
        if r.verdict == "tractable":
            assert abs(r.value - r.local) < 1e-6


def test_support_pairs_exceptions():
    with pytest.raises(ShapeError):
        next(support_pairs(0, 1, 1))
    with pytest.raises(SizeLimitError):
        next(support_pairs(6, 6, 5))



@pytest.mark.parametrize("check,shape", [
    ("completable=>identifiable", (2, 3, 2)), ("identifiable<=>completable", (2, 3, 2)),
    ("tractable=>no-spurious", (2, 2, 2)), ("tractable=>blocksvd-optimal", (2, 2, 2)),
    pytest.param("completable=>identifiable", (3, 3, 3), marks=pytest.mark.slow),
    pytest.param("identifiable<=>completable", (4, 4, 2), marks=pytest.mark.slow)])
def test_theorem_sweeps_find_no_counterexample(check, shape):
    s = sweep(check, *shape, workers=1)
    assert "counterexample" not in s.by_verdict and "error" not in s.by_verdict
    assert s.weighted_total == 2 ** ((shape[0] + shape[1]) * shape[2])
    holds = {"holds", "both", "neither", "equal"}
    assert set(s.by_verdict) & holds

"""CLI contract of ``exactsparse fsmf reduce``, ``certify``, ``hardness`` (JSON keys, exit
codes)."""

import json
from fractions import Fraction

import numpy as np
import pytest

from exactsparse.cli import main

SPEC_A = "2 1 0\n0 1 1\n-1 0 3\n"
SPEC_I, SPEC_J = "1100/1010/1001", "1010/1001/1100"


@pytest.fixture
def spec_file(tmp_path):
    f = tmp_path / "A.txt"
    f.write_text(SPEC_A)
    return str(f)


def _run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out


def test_certify_json_keys(capsys, spec_file):
    code, out = _run(capsys, ["fsmf", "certify", "-A", spec_file, "-I", SPEC_I, "-J", SPEC_J,
                              "--budget", "60", "--json"])
    assert code == 0
    d = json.loads(out.out)
    assert {"lower", "upper", "lower_float", "upper_float", "certified", "attained"} <= set(d)
    lo, hi = Fraction(d["lower"]), Fraction(d["upper"])
    assert lo <= hi and d["certified"] is True and d["attained"] is True
    assert float(hi) == pytest.approx(1.2772114616, abs=1e-9)
    assert d["lower_float"] == pytest.approx(float(lo))


def test_reduce_reports_sizes(capsys, spec_file):
    code, out = _run(capsys, ["fsmf", "reduce", "-A", spec_file, "-I", SPEC_I, "-J", SPEC_J,
                              "--json"])
    assert code == 0
    d = json.loads(out.out)
    assert {"verdict", "constant", "sizes", "parts"} <= set(d)
    kinds = [p["kind"] for p in d["parts"]]
    assert "masked" in kinds


def test_hardness_from_mask_matches_library(capsys, spec_file):
    code, out = _run(capsys, ["fsmf", "hardness", "--matrix", spec_file, "--mask",
                              "110/011/101", "--json"])
    assert code == 0
    d = json.loads(out.out)
    # the spec's 6-cycle instance: one full column + one single-entry column per missing
    # entry (0, 2), (1, 0), (2, 1), written out by hand
    assert d["I"] == [[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]]
    assert d["J"] == [[1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0]] and d["r"] == 4


def test_hardness_from_biclique(capsys):
    code, out = _run(capsys, ["fsmf", "hardness", "--biclique", "110/011", "--json"])
    assert code == 0
    d = json.loads(out.out)
    assert d["edges"] == 4 and d["c"] == 32 * 4 ** 4 and d["nonedges"] == [[0, 2], [1, 0]]
    mask = np.array(d["mask"], bool)
    assert mask.shape == tuple(d["shape"]) == (4, 5)
    assert d["r"] == 1 + int((~mask).sum())
    assert Fraction(d["A"][2][3]) == d["c"]


@pytest.mark.parametrize("argv", [["fsmf", "hardness", "--biclique", "11", "--mask", "11"],
                                  ["fsmf", "hardness", "--mask", "11"],
                                  ["fsmf", "hardness"]])
def test_hardness_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:           # through parser.error: exit 2
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "either --matrix and --mask, or --biclique" in err
    assert err.startswith("usage: exactsparse fsmf hardness")


def test_hardness_bad_graph_exit_1(capsys, tmp_path):
    f = tmp_path / "G.txt"
    f.write_text("1 2\n0 1\n")
    code, out = _run(capsys, ["fsmf", "hardness", "--biclique", str(f)])
    assert code == 1 and "SupportError" in out.err
    with pytest.raises(SystemExit) as exc:           # neither a file nor inline: usage
        main(["fsmf", "hardness", "--biclique", "12/01"])
    assert exc.value.code == 2
    assert "'12/01' is neither a file nor an inline support (rows of 0/1 separated by /)" \
        in capsys.readouterr().err


def test_spurious_certified_from_result_and_starts(capsys, spec_file, tmp_path):
    base = ["fsmf", "spurious", "-A", spec_file, "-I", SPEC_I, "-J", SPEC_J]
    code, out = _run(capsys, base + ["--json"])
    data = json.loads(out.out)
    assert code == 0 and data["verdict"] == "spurious"
    assert data["minima"] and all(m["certified"] is True for m in data["minima"])
    assert set(data["minima"][0]) >= {"value", "value_float", "certified"}
    saved = tmp_path / "spurious.json"
    saved.write_text(out.out)
    code, out = _run(capsys, ["verify", str(saved), "-A", spec_file, "-I", SPEC_I, "-J",
                              SPEC_J])
    assert code == 0 and out.out.startswith("valid:")
    for bad in ("0", "-1", "x"):
        with pytest.raises(SystemExit) as exc:
            main(base + ["--starts", bad])
        assert exc.value.code == 2 and "--starts: must be an integer >= 1" in \
            capsys.readouterr().err


def test_spurious_text_keeps_the_reason(capsys, tmp_path):
    f = tmp_path / "A.txt"
    f.write_text("1 2 0\n0 1 3\n5 -2 7\n")
    code, out = _run(capsys, ["fsmf", "spurious", "-A", str(f), "-I", "10/10/11", "-J",
                              "11/11/11"])
    assert code == 0 and out.out.startswith("none-found: no certified spurious")
    assert "(hard core is not a single masked rank-one part" in out.out


def test_hardness_text_shows_the_instance_matrix(capsys, spec_file):
    code, out = _run(capsys, ["fsmf", "hardness", "--matrix", spec_file, "--mask",
                              "110/011/101"])
    assert code == 0 and out.out.startswith("A = [['2', '1', '0'], ['0', '1', '1']")


@pytest.mark.parametrize("A, I, J, word", [
    ("0 1\n1 0\n", "10/11", "10/11", "not attained"),      # LU: inf 0, Gröbner basis [1]
    (SPEC_A, SPEC_I, SPEC_J, "; attained"),                 # the spec's 3x3: a minimum
])
def test_certify_text_reports_attainment(capsys, tmp_path, A, I, J, word):
    f = tmp_path / "M.txt"
    f.write_text(A)
    code, out = _run(capsys, ["fsmf", "certify", "-A", str(f), "-I", I, "-J", J,
                              "--budget", "60"])
    assert code == 0 and out.out.startswith("certified") and word in out.out

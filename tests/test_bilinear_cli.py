"""The ``exactsparse bilinear`` CLI: JSON keys (a contract), verify round trip, errors."""

from __future__ import annotations

import json

import pytest

from exactsparse.cli import main

KEYS = {"planted_cost", "trivial_cost", "planted_cost_float", "trivial_cost_float",
        "trivial_wins", "result"}


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "x.txt").write_text("3 0 0 4\n")
    (tmp_path / "h.txt").write_text("3/5\n4/5\n")        # a column works too
    (tmp_path / "hc.txt").write_text("3/5 4/5 0 0\n")
    (tmp_path / "bad.txt").write_text("1 2\n3 4\n")
    return tmp_path


def test_deconv_json_and_verify(files, capsys):
    x, h = str(files / "x.txt"), str(files / "h.txt")
    code, out, _ = run(capsys, ["bilinear", "deconv", "--x", x, "--h", h, "--json"])
    data = json.loads(out)
    assert code == 0 and KEYS <= set(data)
    assert (data["planted_cost"], data["trivial_cost"], data["trivial_wins"]) == ("7", "5", True)
    assert (data["planted_cost_float"], data["trivial_cost_float"]) == (7.0, 5.0)
    saved = files / "out.json"
    saved.write_text(out)
    code, out, _ = run(capsys, ["verify", str(saved), "--x", x, "--h", h, "--json"])
    assert code == 0 and json.loads(out)["valid"] is True
    code, out, _ = run(capsys, ["verify", str(saved), "--x", x, "--h", "1,2", "--json"])
    assert code == 1 and json.loads(out)["valid"] is False      # exit 1 on INVALID
    with pytest.raises(SystemExit) as info:                      # a usage error: exit 2
        run(capsys, ["verify", str(saved), "--x", x])
    assert info.value.code == 2 and "--h" in capsys.readouterr().err


@pytest.mark.parametrize("extra,planted,trivial", [
    (["--penalty", "lp", "--p", "1/2"], "sqrt(3) + 2", "sqrt(5)"),
    (["--penalty", "log"], "log(20)", "log(6)"),
    (["--penalty", "tv", "--norm", "l1"], "98/5", "56/5"),
])
def test_deconv_options(files, capsys, extra, planted, trivial):
    code, out, _ = run(capsys, ["bilinear", "deconv", "--x", "3,0,0,4", "--h", "3/5,4/5",
                                *extra, "--json"])
    data = json.loads(out)
    assert (data["planted_cost"], data["trivial_cost"]) == (planted, trivial)


def test_deconv_circular_text(files, capsys):
    code, out, _ = run(capsys, ["bilinear", "deconv", "--x", str(files / "x.txt"), "--h",
                                str(files / "hc.txt"), "--circular"])
    assert code == 0 and out.startswith("trivial-wins: planted 7")


def test_counterexample_json_and_verify(files, capsys):
    code, out, _ = run(capsys, ["bilinear", "counterexample", "--length", "8", "--seed", "0",
                                "--json"])
    data = json.loads(out)
    assert code == 0 and KEYS <= set(data) and data["trivial_wins"] is True
    assert data["trivial_cost_float"] < data["planted_cost_float"]
    saved = files / "ce.json"
    saved.write_text(out)
    code, out, _ = run(capsys, ["verify", str(saved), "--json"])
    assert json.loads(out)["valid"] is True


@pytest.mark.parametrize("argv,msg", [
    (["--x", "0,0", "--h", "1"], "normalisation N(.) = 1 is undefined"),
    (["--x", "1,2,3", "--h", "1,2", "--circular"], "same length for circular"),
    (["--x", "1,2", "--h", "1", "--penalty", "lp", "--p", "0"], "must lie in"),
    (["--x", "1,nan", "--h", "1"], "ParseError"),
    (["--x", "BAD", "--h", "1"], "does not exist"),
])
def test_deconv_errors(files, capsys, argv, msg):
    code, _, err = run(capsys, ["bilinear", "deconv", *argv])
    assert code == 1 and msg in err


def test_matrix_signal_refused(files, capsys):
    code, _, err = run(capsys, ["bilinear", "deconv", "--x", str(files / "bad.txt"), "--h", "1"])
    assert code == 1 and "one row or one column" in err


def test_counterexample_errors(capsys):
    code, _, err = run(capsys, ["bilinear", "counterexample", "--length", "1"])
    assert code == 1 and "'length'" in err

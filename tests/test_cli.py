"""The command line: subcommands, JSON keys (a public contract), exit codes."""

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy

from exactsparse.cli import main
from exactsparse.examples import get_example


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("\n".join(" ".join(str(v) for v in r) for r in rows) + "\n")
    return str(p)


@pytest.fixture
def cec_files(tmp_path):
    ex = get_example("cec-overlap")
    return (write(tmp_path, "A.txt", ex.A), write(tmp_path, "I.txt", ex.I),
            write(tmp_path, "J.txt", ex.J))


def test_classify_json_keys(capsys, cec_files):
    _, I, J = cec_files
    code, out, _ = run(capsys, "fsmf", "classify", "--left", I, "--right", J, "--json")
    d = json.loads(out)
    assert code == 0 and d["verdict"] == "tractable" and d["family"] == "complete-classes"
    assert {"classes", "complete_classes"} <= set(d) and d["complete_classes"] == [1]


def test_solve_json_keys_and_value(capsys, cec_files):
    A, I, J = cec_files
    code, out, _ = run(capsys, "fsmf", "solve", "--matrix", A, "--left", I, "--right", J,
                       "--json")
    d = json.loads(out)
    assert code == 0 and d["verdict"] == "optimal" and d["attained"] is True
    assert sympy.simplify(sympy.sympify(d["value"]) - (15 - sympy.sqrt(41)) / 2) == 0
    assert abs(d["value_float"] - 4.2984378813) < 1e-9
    assert {"X", "Y"} <= set(d)


def test_solve_then_verify_round_trip(capsys, cec_files, tmp_path):
    A, I, J = cec_files
    from exactsparse import solve_fsmf
    ex = get_example("cec-overlap")
    res = tmp_path / "res.json"
    res.write_text(solve_fsmf(ex.A, ex.I, ex.J).to_json())
    code, out, _ = run(capsys, "verify", str(res), "--matrix", A, "--left", I, "--right", J,
                       "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    other = write(tmp_path, "B.txt", [[1, 2, 0], [0, 1, 3], [5, -2, 8]])
    code, out, _ = run(capsys, "verify", str(res), "--matrix", other, "--left", I, "--right", J,
                       "--json")
    assert code == 1 and json.loads(out)["valid"] is False      # INVALID: exit 1
    code, out, _ = run(capsys, "verify", str(res), "--matrix", other, "--left", I, "--right", J)
    assert code == 1 and out.startswith("INVALID: invalid certificate")


def test_right_rx_convention(capsys):
    code, out, _ = run(capsys, "fsmf", "classify", "--left", "10/01", "--right-rx", "110/001",
                       "--json")
    assert code == 0 and json.loads(out)["classes"][0]["cols"] == [0, 1]


def test_decimal_read_exactly(capsys, tmp_path):
    A = write(tmp_path, "A.csv", [["0.1,", "0.2"]])
    code, out, _ = run(capsys, "fsmf", "solve", "-A", A, "-I", "1", "-J", "1/1", "--json")
    d = json.loads(out)
    assert code == 0 and d["value"] == "0"
    assert d["X"] == [["1/10"]] or d["Y"] == [["1/10"], ["1/5"]]


def test_json_and_npy_inputs(capsys, tmp_path):
    (tmp_path / "A.json").write_text(json.dumps([[1, "1/2"], [2, 1]]))
    np.save(tmp_path / "I.npy", np.ones((2, 1), dtype=np.int64))
    code, out, _ = run(capsys, "fsmf", "solve", "-A", str(tmp_path / "A.json"), "-I",
                       str(tmp_path / "I.npy"), "-J", "1/1", "--json")
    assert code == 0 and json.loads(out)["value"] == "0"


def test_float_npy_takes_numeric_path(capsys, tmp_path):
    np.save(tmp_path / "A.npy", np.array([[1.5, 0.0], [0.0, 1.0]]))
    code, out, _ = run(capsys, "fsmf", "solve", "-A", str(tmp_path / "A.npy"), "-I", "1/1",
                       "-J", "1/1", "--json")
    d = json.loads(out)
    assert code == 0 and d["value"] is None and abs(d["value_float"] - 1.0) < 1e-12


def test_library_error_exit_1(capsys, tmp_path):
    bad = write(tmp_path, "bad.txt", [[1, 2], ["x", 3]])
    code, _, err = run(capsys, "fsmf", "solve", "-A", bad, "-I", "1/1", "-J", "1/1")
    assert code == 1 and "bad.txt" in err and "line 2" in err


def test_shape_error_exit_1(capsys):
    code, _, err = run(capsys, "fsmf", "classify", "--left", "11", "--right", "1/1")
    assert code == 1 and "ShapeError" in err


def test_usage_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["fsmf", "solve"])
    assert e.value.code == 2


def test_demo_json(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--json")
    rows = json.loads(out)
    assert code == 0 and all(r["valid"] for r in rows)
    assert {r["name"] for r in rows} >= {"low-rank", "cec-overlap", "lu-2"}
    assert all(r["solve"]["result"]["kind"] == "fsmf.solve" for r in rows)
    saved = tmp_path / "demo.json"
    saved.write_text(out)
    code, out, _ = run(capsys, "verify", str(saved), "--json")
    d = json.loads(out)
    assert code == 0 and d["valid"] is True and len(d["checks"]) == 2 * len(rows)
    rows[0]["solve"]["result"]["value"] = "1"                   # tamper with one result
    saved.write_text(json.dumps(rows))
    code, out, _ = run(capsys, "verify", str(saved))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2 * len(rows) + 1
    assert [ln.split(":")[0] for ln in lines if "INVALID" in ln] == ["low-rank (fsmf.solve)"]


def test_console_entry_help():
    out = subprocess.run([sys.executable, "-m", "exactsparse", "--help"], capture_output=True,
                         text=True, check=True)
    assert "fsmf" in out.stdout and "verify" in out.stdout


def test_cli_json_output_is_verifiable(capsys, cec_files, tmp_path):
    A, I, J = cec_files
    for cmd, inst in ((["fsmf", "solve", "--matrix", A], ["--matrix", A]),
                      (["fsmf", "classify"], [])):
        code, out, _ = run(capsys, *cmd, "--left", I, "--right", J, "--json")
        res = tmp_path / "out.json"
        res.write_text(out)
        code, out, _ = run(capsys, "verify", str(res), *inst, "--left", I, "--right", J,
                           "--json")
        assert code == 0 and json.loads(out)["valid"] is True, out

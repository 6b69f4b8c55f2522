"""`exactsparse verify FILE`: the documented keys saved beside "result" must agree with it."""

import json

import pytest

from exactsparse.cli import main


@pytest.fixture
def saved(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "A.txt").write_text("2 1 0\n0 1 1\n-1 0 3\n")     # the spec's 3x3 instance
    (tmp_path / "I.txt").write_text("1 1 0 0\n1 0 1 0\n1 0 0 1\n")
    (tmp_path / "J.txt").write_text("1 0 1 0\n1 0 0 1\n1 1 0 0\n")
    argv = ["--matrix", "A.txt", "--left", "I.txt", "--right", "J.txt"]
    assert main(["fsmf", "spurious", *argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "spurious"
    return tmp_path, data, argv


def _verify(capsys, path, argv):
    code = main(["verify", str(path), *argv])
    return code, capsys.readouterr().out


def test_saved_file_verifies_as_saved(saved, capsys):
    tmp, data, argv = saved
    (tmp / "s.json").write_text(json.dumps(data))
    code, out = _verify(capsys, tmp / "s.json", argv)
    assert code == 0 and out.startswith("valid")


@pytest.mark.parametrize("key, value", [("verdict", "none-found"), ("theorem", "fsmf.cec")])
def test_an_edited_documented_key_is_invalid(saved, capsys, key, value):
    tmp, data, argv = saved
    data[key] = value
    (tmp / "s.json").write_text(json.dumps(data))
    code, out = _verify(capsys, tmp / "s.json", argv)
    assert code == 1 and "INVALID" in out and repr(key) in out


def test_an_edited_contract_value_is_invalid(saved, capsys):
    tmp, data, argv = saved
    edited = [k for k in data if k not in ("result", "kind", "verdict", "theorem", "backend")]
    assert edited, data.keys()
    for key in edited:
        bad = dict(data)
        bad[key] = "[1, 2]" if not isinstance(data[key], str) or data[key] != "[1, 2]" else 0
        (tmp / "s.json").write_text(json.dumps(bad))
        code, out = _verify(capsys, tmp / "s.json", argv)
        assert code == 1 and repr(key) in out, (key, out)

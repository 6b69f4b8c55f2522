"""Progress of long commands: drawn on stderr only when it is a terminal (a fake TTY here)
and ``--json`` is not given, forced by ``--progress`` / ``--no-progress``; stdout stays the
plain result (one JSON document with ``--json``); the library routines report their natural
steps to an optional ``progress`` callable."""

import io
import json
import os
import pathlib
import select
import subprocess
import sys

import pytest

from exactsparse._budget import check_progress
from exactsparse.bilinear import check_deconv_pitfall
from exactsparse.cli import main
from exactsparse.cli.progress import Progress, progress_enabled
from exactsparse.exceptions import ArgumentError
from exactsparse.fsmf.hard import certify_fsmf, find_spurious_minima
from exactsparse.identifiability import check_identifiable
from exactsparse.relu import Network, local_identifiability

HARD = ([[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100")


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def _run(monkeypatch, argv, tty=True):
    out, err = io.StringIO(), FakeTTY() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(argv)
    monkeypatch.undo()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def hard_files(tmp_path):
    A, I, J = HARD
    (tmp_path / "A.txt").write_text("\n".join(" ".join(map(str, r)) for r in A) + "\n")
    return ["-A", str(tmp_path / "A.txt"), "-I", I, "-J", J]


COMMANDS = {
    "ident check": lambda f: ["ident", "check", "--left", "110/011/101", "--right",
                              "101/110/011"],
    "fsmf certify": lambda f: ["fsmf", "certify", *f, "--budget", "5"],
    "fsmf spurious": lambda f: ["fsmf", "spurious", *f, "--starts", "4", "--budget", "5"],
    "bilinear deconv": lambda f: ["bilinear", "deconv", "--x", "3,0,0,4", "--h", "3/5,4/5"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_tty_shows_progress_json_and_pipes_do_not(name, monkeypatch, hard_files):
    argv = COMMANDS[name](hard_files)
    code, out, err = _run(monkeypatch, argv)
    assert code == 0
    assert f"\r{name}: " in err and err.endswith("\n"), err    # drawn, line ended
    assert "\r" not in out and not out.lstrip().startswith("{")
    code, out, err = _run(monkeypatch, argv + ["--json"])       # a terminal, but --json
    assert code == 0 and err == "" and "result" in json.loads(out)
    code, out, err = _run(monkeypatch, argv, tty=False)         # a pipe or a file
    assert code == 0 and err == ""
    code, out, err = _run(monkeypatch, argv + ["--no-progress"])
    assert code == 0 and err == ""
    code, out, err = _run(monkeypatch, argv + ["--json", "--progress"], tty=False)
    assert code == 0 and f"\r{name}: " in err and "result" in json.loads(out)


def test_relu_local_ident_progress(tmp_path, monkeypatch):
    net = {"layers": [{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}]}
    (tmp_path / "net.json").write_text(json.dumps(net))
    (tmp_path / "X.txt").write_text("2 1\n-1 3\n1 2\n3 -2\n0 5\n")
    argv = ["relu", "local-ident", str(tmp_path / "net.json"), "--samples",
            str(tmp_path / "X.txt")]
    code, out, err = _run(monkeypatch, argv)
    assert code == 0 and "\rrelu local-ident: ranks mod p" in err and "\r" not in out
    code, out, err = _run(monkeypatch, argv + ["--json"])
    assert code == 0 and err == "" and json.loads(out)["result"]


def test_progress_line_ends_when_the_command_fails(monkeypatch, tmp_path):
    (tmp_path / "A.txt").write_text("1 2\n3 4\n")
    argv = ["fsmf", "certify", "-A", str(tmp_path / "A.txt"), "-I", "1/1", "-J", "1/1/1",
            "--progress"]
    code, out, err = _run(monkeypatch, argv, tty=False)
    assert code == 1 and err.count("\n") == 1 and err.startswith("exactsparse: error")


def test_progress_enabled_rules():
    class Args:
        json, progress = False, None
    a = Args()
    assert progress_enabled(a, FakeTTY()) and not progress_enabled(a, io.StringIO())
    a.json = True
    assert not progress_enabled(a, FakeTTY())
    a.progress = True
    assert progress_enabled(a, io.StringIO())
    a.json, a.progress = False, False
    assert not progress_enabled(a, FakeTTY())


def test_progress_is_rate_limited():
    s = io.StringIO()
    bar = Progress("x", stream=s, interval=60)
    for k in range(10_000):
        bar("boxes", k, None)
    assert s.getvalue().count("\r") == 1                 # one draw per minute at most
    bar("starts", 1, 5)                                  # a new stage is drawn at once
    assert s.getvalue().count("\r") == 2 and "starts 1/5" in s.getvalue()
    bar.close()
    assert s.getvalue().endswith("\n")


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, stage, done, total):
        assert isinstance(stage, str) and isinstance(done, int) and done >= 0
        assert total is None or (isinstance(total, int) and done <= total)
        self.calls.append((stage, done, total))

    def stages(self):
        return {c[0] for c in self.calls}


def test_library_progress_reports():
    rec = Recorder()
    r = certify_fsmf(*HARD, budget=30, progress=rec)
    assert r.verdict == "certified" and ("parts", 0, 1) in rec.calls
    rec = Recorder()
    find_spurious_minima(*HARD, starts=4, budget=30, progress=rec)
    assert rec.calls[0] == ("local search", 0, None) and "candidates" in rec.stages()
    rec = Recorder()
    check_identifiable("110/011/101", "101/110/011", progress=rec)
    assert rec.calls == [("criteria", 0, 2), ("jacobian rank", 1, 2)]
    rec = Recorder()
    net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
    local_identifiability(net, [[2, 1], [-1, 3], [1, 2], [3, -2], [0, 5]], exact="always",
                          progress=rec)
    assert rec.stages() == {"ranks mod p", "exact ranks"}
    rec = Recorder()
    r = check_deconv_pitfall([3, 0, 0, 4], ["3/5", "4/5"], progress=rec)
    assert [c[0] for c in rec.calls] == ["pairs"] * len(rec.calls) and len(rec.calls) >= 3


@pytest.mark.slow
def test_branch_and_bound_reports_boxes():
    rec = Recorder()
    certify_fsmf([[-1, 3, -1], [-2, 2, -2], [-1, 1, 0]], "10/11/01", "10/11/01", budget=20,
                 progress=rec)
    boxes = [d for s, d, _ in rec.calls if s == "boxes"]
    assert boxes and boxes == sorted(boxes)


@pytest.mark.parametrize("call", [
    lambda p: certify_fsmf(*HARD, budget=1, progress=p),
    lambda p: find_spurious_minima(*HARD, budget=1, progress=p),
    lambda p: check_identifiable("1/1", "1/1", progress=p),
    lambda p: check_deconv_pitfall([1], [1], progress=p),
    lambda p: local_identifiability(
        Network([{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}]),
        [[-3], [3]], progress=p),
])
@pytest.mark.parametrize("bad", [1, "yes", True])
def test_bad_progress_is_typed(call, bad):
    with pytest.raises(ArgumentError, match="progress"):
        call(bad)
    assert check_progress(None) is None


def test_real_pty_on_stderr(tmp_path):
    # a real terminal on stderr (a pty), stdout a pipe: progress on stderr, clean stdout
    pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(pathlib.Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    argv = [sys.executable, "-m", "exactsparse", "ident", "check", "--left", "110/011/101",
            "--right", "101/110/011"]
    for extra, drawn in (([], True), (["--json"], False)):
        proc = subprocess.run(argv + extra, stdout=subprocess.PIPE, stderr=slave, env=env,
                              timeout=120)
        err = b""
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                break
            err += os.read(master, 65536)
        assert proc.returncode == 0
        assert (b"ident check: criteria" in err) is drawn, err
        assert b"\r" not in proc.stdout
        if extra:
            assert "result" in json.loads(proc.stdout)
    os.close(master)
    os.close(slave)

"""The sweep store: a killed sweep resumes with nothing lost or duplicated; other sweeps'
folders are refused; corrupted stores are detected and left untouched."""

import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from exactsparse.exceptions import ArgumentError, ParseError
from exactsparse.sweep import SweepStore, count_orbits, sweep
from exactsparse.sweep.store import STORE_FILE

ROOT = pathlib.Path(__file__).resolve().parent.parent

SLOW = textwrap.dedent('''
    import time
    def slow(I, J):
        time.sleep(0.01)
        z = int(I.sum() + J.sum())
        return ("even" if z % 2 == 0 else "odd"), {"nnz": z}
''')


def _rows(folder):
    s = SweepStore(str(folder))
    try:
        return list(s.rows())
    finally:
        s.close()


def _chunks_done(path):
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_killed_sweep_resumes_with_nothing_lost_or_duplicated(tmp_path, monkeypatch):
    (tmp_path / "slowcheck_sweep.py").write_text(SLOW)
    monkeypatch.syspath_prepend(str(tmp_path))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(tmp_path)]))
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "exactsparse", "sweep", "run", "--check",
           "slowcheck_sweep:slow", "--rows", "3", "--cols", "3", "--rank", "2", "--out",
           str(out), "--workers", "1", "--chunk-size", "10", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while _chunks_done(out / STORE_FILE) < 3 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.kill()                                   # SIGKILL: no cleanup at all
    proc.wait()
    partial = _rows(out)
    total = count_orbits(3, 3, 2)
    assert 0 < len(partial) < total, "the sweep was not interrupted mid-run"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["total"] == total and summary["complete"]
    ref = sweep("slowcheck_sweep:slow", 3, 3, 2, out=tmp_path / "ref", workers=1,
                chunk_size=10)
    assert ref.total == total
    resumed, reference = _rows(out), _rows(tmp_path / "ref")
    assert resumed == reference                   # row by row, chunk and index included
    assert partial == resumed[:len(partial)] or all(r in resumed for r in partial)


def test_other_sweep_is_refused_naming_the_mismatch(tmp_path):
    sweep("tractable", 2, 2, 2, out=tmp_path, workers=1)
    before = (tmp_path / STORE_FILE).read_bytes()
    with pytest.raises(ArgumentError, match=r"check='tractable' \(this sweep: "
                                            r"check='completable'\)"):
        sweep("completable", 2, 2, 2, out=tmp_path, workers=1)
    with pytest.raises(ArgumentError, match=r"r=2 \(this sweep: r=3\)"):
        sweep("tractable", 2, 2, 3, out=tmp_path, workers=1)
    with pytest.raises(ArgumentError, match=r"seed=0 \(this sweep: seed=1\)"):
        sweep("tractable", 2, 2, 2, out=tmp_path, workers=1, seed=1)
    assert (tmp_path / STORE_FILE).read_bytes() == before
    again = sweep("tractable", 2, 2, 2, out=tmp_path, workers=1)     # same sweep: resumes
    assert again.total == 58 and len(_rows(tmp_path)) == 58


def test_version_mismatch_is_refused(tmp_path):
    sweep("tractable", 1, 1, 1, out=tmp_path, workers=1)
    db = sqlite3.connect(tmp_path / STORE_FILE)
    with db:
        db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'version'")
    db.close()
    with pytest.raises(ArgumentError, match="exactsparse 0.0.1"):
        sweep("tractable", 1, 1, 1, out=tmp_path, workers=1)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing-row", "no-meta"])
def test_corrupted_store_is_detected_and_left_untouched(tmp_path, damage):
    sweep("tractable", 2, 2, 2, out=tmp_path, workers=1, chunk_size=5)
    path = tmp_path / STORE_FILE
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:3000])
    else:
        db = sqlite3.connect(path)
        with db:
            if damage == "missing-row":
                db.execute("DELETE FROM results WHERE chunk = 1 AND idx = 0")
            else:
                db.execute("DROP TABLE meta")
        db.close()
    before = path.read_bytes()
    with pytest.raises(ParseError, match="corrupted"):
        sweep("tractable", 2, 2, 2, out=tmp_path, workers=1, chunk_size=5)
    with pytest.raises(ParseError, match="left untouched"):
        SweepStore(str(tmp_path))
    assert path.read_bytes() == before


def test_chunk_committed_twice_is_stored_once(tmp_path):
    s = SweepStore(str(tmp_path), {"check": "x"})
    row = [(0, "1", "1", 1, 2, "v", {"a": 1})]
    assert s.commit(3, row, 0.1) and not s.commit(3, row, 0.1)
    s.close()
    assert len(_rows(tmp_path)) == 1


DIES = textwrap.dedent('''
    import os
    def dies_once(I, J):
        marker = os.environ["SWEEP_MARKER"]
        if I.sum() + J.sum() == 4 and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)                  # the worker process dies mid-chunk
        return "ok", {"nnz": int(I.sum() + J.sum())}
''')


def test_lost_worker_chunks_are_recomputed(tmp_path, monkeypatch):
    (tmp_path / "dies_sweep.py").write_text(DIES)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SWEEP_MARKER", str(tmp_path / "marker"))
    par = sweep("dies_sweep:dies_once", 2, 2, 2, out=tmp_path / "p", workers=2, chunk_size=5)
    assert (tmp_path / "marker").exists()
    ser = sweep("dies_sweep:dies_once", 2, 2, 2, out=tmp_path / "s", workers=1, chunk_size=5)
    assert par.total == ser.total == 58 and par.complete
    assert _rows(tmp_path / "p") == _rows(tmp_path / "s")

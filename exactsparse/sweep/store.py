"""The store of a sweep: one SQLite file in the output folder, written chunk by chunk.

``DIR/sweep.sqlite`` holds three tables: ``meta`` (the sweep's parameters as JSON, the
package version, the number of chunks of the plan), ``chunks`` (one row per finished chunk:
id, number of patterns, seconds) and ``results`` (one row per pattern: chunk, index in the
chunk, ``I`` and ``J`` as support strings, orbit size, nnz, verdict, detail as JSON).  A
chunk's rows and its ``chunks`` row are written in one transaction, so a killed sweep leaves
only whole chunks behind and a rerun skips exactly those: nothing lost, nothing duplicated.

Opening a folder whose store holds another sweep (other parameters or another package
version) raises :class:`~exactsparse.ArgumentError` naming the first mismatch; a store that
is not a readable SQLite file, misses its tables, fails SQLite's ``quick_check`` or whose
``chunks`` rows disagree with its ``results`` raises :class:`~exactsparse.ParseError` — in
both cases the file is left untouched.

Examples
--------
>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> s = SweepStore(d, {"check": "tractable", "m": 1})
>>> s.commit(0, [(0, "1", "1", 1, 2, "tractable", {})], 0.0)
True
>>> s.commit(0, [(0, "1", "1", 1, 2, "tractable", {})], 0.0)     # already there: ignored
False
>>> s.close(); SweepStore(d, {"check": "tractable", "m": 1}).done_chunks()
{0}
>>> SweepStore(d, {"check": "identifiable", "m": 1})
Traceback (most recent call last):
...
exactsparse.exceptions.ArgumentError: Argument 'out' must be a new folder or hold the same sweep, not one with check='tractable' (this sweep: check='identifiable').
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time

from ..exceptions import ArgumentError, ParseError, show

__all__ = ["SweepStore", "STORE_FILE", "export", "check_path"]

STORE_FILE = "sweep.sqlite"
#: Seconds a write waits for a reader (e.g. a report run during the sweep) to finish.
_BUSY_TIMEOUT = 120.0
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE chunks (id INTEGER PRIMARY KEY, count INTEGER NOT NULL, seconds REAL NOT NULL,
                     finished REAL NOT NULL);
CREATE TABLE results (chunk INTEGER NOT NULL, idx INTEGER NOT NULL, I TEXT NOT NULL,
                      J TEXT NOT NULL, orbit INTEGER NOT NULL, nnz INTEGER NOT NULL,
                      verdict TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (chunk, idx));
"""
_COLUMNS = ("chunk", "idx", "I", "J", "orbit", "nnz", "verdict", "detail")


def _version():
    from .. import __version__
    return __version__


class SweepStore:
    """The SQLite store of one sweep (``folder`` None: in memory).

    Parameters
    ----------
    folder : str or None
        Output folder (created if missing).
    params : dict or None
        The sweep's parameters (JSON-friendly).  None opens an existing store read-only
        (for reports and exports).
    """

    def __init__(self, folder, params=None):
        if folder is not None:
            folder = check_path(folder, "folder")
        if params is not None and not isinstance(params, dict):
            raise ArgumentError(f"Argument 'params' must be a dict or None, not {show(params)}.")
        self.folder = folder
        self.path = None if folder is None else os.path.join(folder, STORE_FILE)
        if self.path is None:
            self._db = sqlite3.connect(":memory:")
            self._create(params)
            return
        if os.path.exists(self.path):
            self._db = self._open_existing(params is None)
            self._validate(params)
        elif params is None:
            raise ArgumentError(f"Argument 'folder' must hold a sweep store ({STORE_FILE}), "
                                f"not {show(folder)}.")
        else:
            os.makedirs(folder, exist_ok=True)
            self._db = sqlite3.connect(f"file:{self.path}?mode=rwc", uri=True,
                                       timeout=_BUSY_TIMEOUT)
            self._db.execute("PRAGMA journal_mode=WAL")   # readers never block the writer
            self._create(params)

    # -- opening
    def _corrupt(self, why):
        return ParseError(f"Sweep store {show(self.path)} is corrupted ({why}); it was left "
                          "untouched: move it away or choose another output folder.")

    def _open_existing(self, readonly):
        mode = "ro" if readonly else "rw"
        try:
            db = sqlite3.connect(f"file:{self.path}?mode={mode}", uri=True,
                                 timeout=_BUSY_TIMEOUT)
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(str(exc)) from None
        if ok != "ok":
            db.close()
            raise self._corrupt(f"quick_check: {ok}")
        return db

    def _create(self, params):
        with self._db:
            self._db.executescript(_SCHEMA)
            self._db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("params", json.dumps(params, sort_keys=True)), ("version", _version()),
                ("created", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))])
        self.params = params

    def _validate(self, params):
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            stored = json.loads(meta["params"])
            bad = self._db.execute(
                "SELECT c.id FROM chunks c LEFT JOIN (SELECT chunk, COUNT(*) AS k FROM results "
                "GROUP BY chunk) r ON r.chunk = c.id WHERE COALESCE(r.k, 0) != c.count "
                "LIMIT 1").fetchone()
            orphan = self._db.execute("SELECT chunk FROM results WHERE chunk NOT IN "
                                      "(SELECT id FROM chunks) LIMIT 1").fetchone()
        except (sqlite3.DatabaseError, KeyError, ValueError, TypeError) as exc:
            self._db.close()
            raise self._corrupt(f"{type(exc).__name__}: {exc}") from None
        if bad or orphan:
            self._db.close()
            raise self._corrupt(f"chunk {(bad or orphan)[0]} has results that disagree with "
                                "its record")
        self.params = stored
        if params is None:
            return
        for key in [*params, *(k for k in stored if k not in params)]:
            if stored.get(key) != params.get(key):
                self._db.close()
                raise ArgumentError(f"Argument 'out' must be a new folder or hold the same "
                                    f"sweep, not one with {key}={show(stored.get(key))} (this "
                                    f"sweep: {key}={show(params.get(key))}).")
        if meta.get("version") != _version():
            self._db.close()
            raise ArgumentError(f"Argument 'out' must be a new folder or hold a sweep of "
                                f"this version, not one of exactsparse {meta.get('version')} "
                                f"(this is {_version()}).")

    # -- writing
    def commit(self, chunk, rows, seconds):
        """Write one finished chunk atomically; False if it was already stored."""
        with self._db:
            if self._db.execute("SELECT 1 FROM chunks WHERE id = ?", (chunk,)).fetchone():
                return False
            self._db.execute("INSERT INTO chunks VALUES (?, ?, ?, ?)",
                             (chunk, len(rows), float(seconds), time.time()))
            self._db.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(chunk, idx, I, J, orbit, nnz, verdict, json.dumps(detail, sort_keys=True))
                 for idx, I, J, orbit, nnz, verdict, detail in rows])
        return True

    def set_meta(self, key, value):
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                             (key, json.dumps(value)))

    # -- reading
    def meta(self):
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def done_chunks(self):
        return {row[0] for row in self._db.execute("SELECT id FROM chunks")}

    def seconds(self):
        return float(self._db.execute("SELECT COALESCE(SUM(seconds), 0) FROM chunks")
                     .fetchone()[0])

    def counts(self):
        """verdict → (patterns, orbit-weighted count)."""
        return {v: (int(c), int(w)) for v, c, w in self._db.execute(
            "SELECT verdict, COUNT(*), SUM(orbit) FROM results GROUP BY verdict "
            "ORDER BY verdict")}

    def rows(self, where="", args=(), order="chunk, idx", limit=None):
        """Result rows as dicts (``detail`` decoded)."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM results"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for row in self._db.execute(sql, args):
            d = dict(zip(_COLUMNS, row))
            d["detail"] = json.loads(d["detail"])
            yield d

    def verdict_rows(self, verdicts, limit=None):
        """Rows whose verdict is in ``verdicts``, smallest nnz first."""
        verdicts = tuple(verdicts)
        if not verdicts:
            return []
        marks = ", ".join("?" * len(verdicts))
        return list(self.rows(f"verdict IN ({marks})", verdicts, "nnz, chunk, idx", limit))

    def close(self):
        self._db.close()


def check_path(v, name):
    """``v`` as a ``str`` path (a ``str`` or ``os.PathLike`` giving one; typed error otherwise)."""
    if isinstance(v, os.PathLike):
        v = os.fspath(v)
    if not isinstance(v, str) or not v or "\0" in v:
        raise ArgumentError(f"Argument {name!r} must be a path (str or os.PathLike), not "
                            f"{show(v)}.")
    return v


def export(folder, path, fmt=None):
    """Write the results of the sweep in ``folder`` to ``path`` as CSV or JSON lines.

    ``fmt`` ``"csv"`` (header row; ``detail`` a JSON string) or ``"json"`` (one object per
    line; ``pandas.read_json(path, lines=True)``), by default from the file's suffix.
    Returns the number of rows written.
    """
    folder, path = check_path(folder, "folder"), check_path(path, "path")
    if fmt is None:
        fmt = "csv" if path.endswith(".csv") else "json"
    if not isinstance(fmt, str) or fmt not in ("csv", "json"):
        raise ArgumentError(f"Argument 'fmt' must be 'csv' or 'json', not {show(fmt)}.")
    store = SweepStore(folder)
    count = 0
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            if fmt == "csv":
                w = csv.writer(fh)
                w.writerow(_COLUMNS)
            for row in store.rows():
                if fmt == "csv":
                    row["detail"] = json.dumps(row["detail"], sort_keys=True)
                    w.writerow([row[c] for c in _COLUMNS])
                else:
                    fh.write(json.dumps(row, sort_keys=True) + "\n")
                count += 1
    finally:
        store.close()
    return count

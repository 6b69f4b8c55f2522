"""Reading matrices and supports from files (``.txt``/``.csv``, ``.json``, ``.npy``).

Text files hold one row per line, entries separated by whitespace or commas; an entry is an
integer, a ``p/q`` rational or a decimal, and a decimal is read as the exact rational it
writes (``0.1`` is 1/10).  ``#`` starts a comment.  JSON files hold a list of lists of ints
or ``"p/q"`` strings.  ``.npy`` files are read with numpy (``allow_pickle=False``): integer
and boolean arrays are exact; float arrays are exact only through :func:`read_matrix` with
``numeric=True`` (the numeric solvers), never silently.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction

import numpy as np

from .exact import parse_rational
from .exceptions import ExactSparseError, ParseError, ShapeError

__all__ = ["read_matrix", "read_support", "read_table"]


def read_table(path):
    """Parse a file into a list of rows of exact entries (Fraction) or, for float ``.npy``,
    return the numpy array as is.  Errors name the file and the line."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise ParseError(f"File {path!r} does not exist.")
    if ext == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001
            raise ParseError(f"File {path!r}: not a readable .npy file ({exc}).") from None
        if arr.ndim != 2:
            raise ShapeError(f"File {path!r}: expected a 2-D array, got shape {arr.shape}.")
        return arr
    if ext == ".json":
        return _read_json(path)
    return _read_text(path)


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except UnicodeDecodeError as exc:
        raise ParseError(f"File {path!r} is not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"File {path!r}, line {exc.lineno}: invalid JSON ({exc.msg}).") from None
    if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise ParseError(f"File {path!r}: expected a list of lists (rows).")
    rows = []
    for i, row in enumerate(data):
        out = []
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, str, float)):
                raise ParseError(f"File {path!r}, row {i}: entry {v!r} is not a number.")
            try:
                out.append(Fraction(v) if isinstance(v, int) else parse_rational(
                    v if isinstance(v, str) else repr(v), "entry"))
            except ExactSparseError as exc:
                raise ParseError(f"File {path!r}, row {i}: {exc}") from None
        rows.append(out)
    return _rect(rows, path)


def _read_text(path):
    rows = []
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
    except UnicodeDecodeError as exc:
        raise ParseError(f"File {path!r} is not UTF-8 text ({exc.reason} at byte "
                         f"{exc.start}).") from None
    for lineno, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        toks = [t for t in line.replace(",", " ").split() if t]
        try:
            rows.append([parse_rational(t, "entry") for t in toks])
        except ExactSparseError as exc:
            raise ParseError(f"File {path!r}, line {lineno}: {exc}") from None
    return _rect(rows, path)


def _rect(rows, path):
    if not rows:
        raise ShapeError(f"File {path!r} holds an empty matrix.")
    n = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != n:
            raise ParseError(f"File {path!r}: row {i} has {len(r)} entries, row 0 has {n}.")
    return rows


def read_matrix(path, numeric=False):
    """A matrix from a file: exact rows of Fractions, or a numpy array.

    Text and JSON files give exact rows (decimals read as the rationals they write).  A
    ``.npy`` file is returned as its numpy array: integer arrays are exact, a float array
    stays a float array — handed to an exact routine it raises
    :class:`~exactsparse.exceptions.FloatInExactError`; routines with a numeric path
    (``solve_fsmf``) take that path and label the answer uncertified.  With
    ``numeric=True`` everything is returned as a float (or complex) array.
    """
    t = read_table(path)
    if numeric:
        if isinstance(t, np.ndarray):
            return t if t.dtype.kind in "fc" else t.astype(np.float64)
        return np.array([[float(v) for v in r] for r in t])
    return t


def read_support(path):
    """A 0/1 support from a file (same formats; also lines like ``0110`` without spaces)."""
    from .supports import Support
    path = os.fspath(path)
    if os.path.splitext(path)[1].lower() in (".txt", ".csv", "") and os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as fh:
                lines = [ln.split("#", 1)[0].strip() for ln in fh]
        except UnicodeDecodeError as exc:
            raise ParseError(f"File {path!r} is not UTF-8 text ({exc.reason}).") from None
        lines = [ln for ln in lines if ln]
        if lines and all(set(ln) <= set("01") and len(ln) > 1 for ln in lines):
            return Support("/".join(lines), name=path)
    t = read_table(path)
    if not isinstance(t, np.ndarray):
        t = [[int(v) if v.denominator == 1 else float(v) for v in r] for r in t]
    return Support(t, name=path)

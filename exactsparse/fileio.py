"""Reading matrices and supports from files (``.txt``/``.csv``, ``.json``, ``.npy``).

Text files hold one row per line, entries separated by whitespace or commas; an entry is an
integer, a ``p/q`` rational or a decimal, and a decimal is read as the exact rational it
writes (``0.1`` is 1/10).  ``#`` starts a comment.  JSON files hold a list of lists of ints
or ``"p/q"`` strings.  ``.npy`` files are read with numpy (``allow_pickle=False``): integer
and boolean arrays are exact; float arrays are exact only through :func:`read_matrix` with
``numeric=True`` (the numeric solvers), never silently.

The examples write to a temporary directory and check that what is read back is exactly
what was written (the file formats have no separate writer: a row of ``str(Fraction)``
values, or ``str(support)`` with ``/`` replaced by newlines, is a valid file).
"""

from __future__ import annotations

import json
import os
from fractions import Fraction

import numpy as np

from .exact import parse_rational
from .exceptions import (ExactSparseError, NonFiniteError, ParseError, ShapeError,
                         SizeLimitError, SupportError)

__all__ = ["first_non_finite", "read_matrix", "read_support", "read_table"]


def read_table(path):
    """Parse a matrix file into rows of exact entries.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.txt``/``.csv`` (or any other extension: read as text), ``.json`` or ``.npy``
        file, in the formats of the module docstring.

    Returns
    -------
    list of list of Fraction, or numpy.ndarray
        The rows, each entry the exact rational the file writes (``0.1`` is 1/10); for a
        ``.npy`` file the 2-D array as stored (floats stay floats).

    Raises
    ------
    ParseError
        Missing or unreadable file (a directory, no permission), invalid JSON or text, an
        entry that is not a number, ragged rows (the message names the file and the line or
        row).
    ShapeError
        An empty matrix, or a ``.npy`` array that is not 2-D.
    SizeLimitError
        A number with more digits than Python converts (4300 by default), or JSON nested
        too deeply.

    See Also
    --------
    read_matrix, read_support, exactsparse.exact.parse_rational

    Examples
    --------
    Decimals, ``p/q`` and exponents are read as the exact rationals they write:

    >>> import pathlib, tempfile
    >>> from fractions import Fraction
    >>> tmp = tempfile.TemporaryDirectory(); path = pathlib.Path(tmp.name) / "A.txt"
    >>> _ = path.write_text("1  1/2  0.1   # a comment\\n-3, 2.5e1, 0\\n")
    >>> read_table(path) == [[1, Fraction(1, 2), Fraction("0.1")], [-3, 25, 0]]
    True
    >>> read_table(path)[0][2] == Fraction(1, 10) != 0.1       # not the binary float 0.1
    True
    >>> tmp.cleanup()
    """
    path = _path(path)
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001
            raise ParseError(f"File {path!r}: not a readable .npy file ({exc}).") from None
        if arr.ndim != 2:
            raise ShapeError(f"File {path!r}: expected a 2-D array, got shape {arr.shape}.")
        if arr.dtype.kind not in "biufc":
            raise ParseError(f"File {path!r}: expected a numeric array, not dtype {arr.dtype}.")
        return arr
    if ext == ".json":
        return _read_json(path)
    return _read_text(path)


def _path(path):
    """``path`` as a string naming an existing regular file (else :class:`ParseError`)."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise ParseError(f"Argument 'path' must be a file path, not {type(path).__name__}.") \
            from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if "\0" in path or not os.path.exists(path):
        raise ParseError(f"File {path!r} does not exist.")
    if not os.path.isfile(path):
        raise ParseError(f"File {path!r} is not a regular file (a directory?).")
    return path


def _lines(path):
    """The lines of a UTF-8 text file (:class:`ParseError` when unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.readlines()
    except UnicodeDecodeError as exc:
        raise ParseError(f"File {path!r} is not UTF-8 text ({exc.reason} at byte "
                         f"{exc.start}).") from None
    except OSError as exc:
        raise ParseError(f"File {path!r} cannot be read ({exc.strerror}).") from None


def _located(exc, where):
    """``exc`` (an ExactSparseError about one entry) re-raised with its file and line: a
    size limit stays a :class:`SizeLimitError`, anything else is a :class:`ParseError`."""
    cls = SizeLimitError if isinstance(exc, SizeLimitError) else ParseError
    return cls(f"{where}: {exc}")


def _read_json(path):
    text = "".join(_lines(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"File {path!r}, line {exc.lineno}: invalid JSON ({exc.msg}).") from None
    except (ValueError, RecursionError) as exc:     # integer over the digit limit, nesting
        raise SizeLimitError(f"File {path!r}: JSON beyond the parser's limits ({exc}).") \
            from None
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
                raise _located(exc, f"File {path!r}, row {i}") from None
        rows.append(out)
    return _rect(rows, path)


def _read_text(path):
    rows = []
    lines = _lines(path)
    for lineno, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        toks = [t for t in line.replace(",", " ").split() if t]
        try:
            rows.append([parse_rational(t, "entry") for t in toks])
        except ExactSparseError as exc:
            raise _located(exc, f"File {path!r}, line {lineno}") from None
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

    Parameters
    ----------
    path : str or os.PathLike
        A ``.txt``/``.csv``, ``.json`` or ``.npy`` file.
    numeric : bool
        Return a float (or complex) numpy array instead of exact rows.

    Returns
    -------
    list of list of Fraction, or numpy.ndarray

    Raises
    ------
    ParseError, ShapeError, SizeLimitError
        As :func:`read_table`.
    NonFiniteError
        ``numeric=True`` and an entry beyond the float range (or a ``.npy`` float array
        holding NaN or infinity).

    See Also
    --------
    read_table, read_support, exactsparse.solve_fsmf

    Examples
    --------
    A rational matrix written as ``p/q`` text (or JSON) reads back exactly, and
    ``numeric=True`` gives its floats:

    >>> import json, pathlib, tempfile
    >>> import numpy as np
    >>> from fractions import Fraction as F
    >>> tmp = tempfile.TemporaryDirectory(); d = pathlib.Path(tmp.name)
    >>> M = [[F(1, 3), F(-2)], [F(0), F(5, 7)]]
    >>> _ = (d / "M.txt").write_text("\\n".join(" ".join(map(str, row)) for row in M))
    >>> _ = (d / "M.json").write_text(json.dumps([[str(v) for v in row] for row in M]))
    >>> read_matrix(d / "M.txt") == read_matrix(d / "M.json") == M
    True
    >>> np.array_equal(read_matrix(d / "M.txt", numeric=True), np.array(M, dtype=float))
    True

    An integer ``.npy`` array round trips as is; a float one stays float (never silently
    exact):

    >>> np.save(d / "N.npy", np.array([[1, 2], [3, 4]])); np.save(d / "X.npy", np.eye(2) / 3)
    >>> read_matrix(d / "N.npy").tolist(), read_matrix(d / "X.npy").dtype
    ([[1, 2], [3, 4]], dtype('float64'))
    >>> tmp.cleanup()
    """
    t = read_table(path)
    if numeric:
        if isinstance(t, np.ndarray):
            out = t if t.dtype.kind in "fc" else t.astype(np.float64)
        else:
            try:
                out = np.array([[float(v) for v in r] for r in t])
            except OverflowError:
                out = np.array([np.inf])
        if out.dtype.kind not in "fc" or not np.all(np.isfinite(out)):
            found = first_non_finite(t)
            where = "" if found is None else (f": {found[1]} at row {found[0][0]}, column "
                                              f"{found[0][1]} (counting from 0)")
            raise NonFiniteError(f"File {os.fspath(path)!r} holds entries that are not finite "
                                 f"floats (NaN, infinity or beyond the float range){where}.")
        return out
    return t


def first_non_finite(table):
    """``((row, column), description)`` of the first entry of ``table`` (rows of exact
    numbers or a 2-D numpy array) that is not a finite float, or None.

    >>> first_non_finite([[1, 2], [3, 10 ** 400]])
    ((1, 1), 'a number beyond the float range')
    >>> first_non_finite(np.array([[1.0, np.nan]])), first_non_finite([[1, 2]])
    (((0, 1), 'nan'), None)
    """
    if isinstance(table, np.ndarray):
        if table.dtype.kind not in "fc" or table.ndim != 2:
            return None
        bad = np.argwhere(~np.isfinite(table))
        return None if not bad.size else (tuple(int(k) for k in bad[0]),
                                           repr(table[tuple(bad[0])].item()))
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            try:
                ok = np.isfinite(complex(v))
            except (OverflowError, TypeError, ValueError):
                ok = False
            if not ok:
                return (i, j), "a number beyond the float range"
    return None


def read_support(path):
    """A 0/1 support from a file (same formats; also lines like ``0110`` without spaces).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.txt``/``.csv`` file (rows like ``0110``, or entries separated by spaces or
        commas), ``.json`` or ``.npy`` file.

    Returns
    -------
    Support

    Raises
    ------
    ParseError, ShapeError
        As :func:`read_table`.
    SupportError
        An entry other than 0/1 (the message names the file).

    See Also
    --------
    read_matrix, exactsparse.supports.Support, exactsparse.supports.as_support

    Examples
    --------
    ``str(S)`` with ``/`` replaced by newlines is a support file; it, a ``.npy`` array and a
    JSON list of lists all read back to ``S``:

    >>> import json, pathlib, tempfile
    >>> import numpy as np
    >>> from exactsparse.supports import random_support
    >>> S = random_support(5, 4, 0.5, seed=3)
    >>> tmp = tempfile.TemporaryDirectory(); d = pathlib.Path(tmp.name)
    >>> _ = (d / "S.txt").write_text(str(S).replace("/", "\\n") + "\\n")
    >>> np.save(d / "S.npy", S.to_numpy())
    >>> _ = (d / "S.json").write_text(json.dumps(S.tolist()))
    >>> [read_support(d / f"S.{ext}") == S for ext in ("txt", "npy", "json")]
    [True, True, True]
    >>> tmp.cleanup()
    """
    from .supports import Support
    path = _path(path)
    if os.path.splitext(path)[1].lower() in (".txt", ".csv", ""):
        lines = [ln.split("#", 1)[0].strip() for ln in _lines(path)]
        lines = [ln for ln in lines if ln]
        if lines and all(set(ln) <= set("01") and len(ln) > 1 for ln in lines):
            return Support("/".join(lines), name=path)
    t = read_table(path)
    if not isinstance(t, np.ndarray):
        bad = [(i, j) for i, r in enumerate(t) for j, v in enumerate(r) if v not in (0, 1)]
        if bad:
            raise SupportError(f"File {path!r} must hold a 0/1 matrix, not one with another "
                               f"value at {bad[0]}.")
        t = [[int(v) for v in r] for r in t]
    return Support(t, name=path)

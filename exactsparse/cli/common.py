"""Shared CLI helpers: declaring commands and options, reading supports and matrices."""

from __future__ import annotations

import argparse
import os
import re

import numpy as np

from ..fileio import read_matrix, read_support
from ..supports import Support, right_from_rx

__all__ = ["UsageError", "add_command", "add_json_arg", "add_pair_args", "add_matrix_arg",
           "matrix_path", "not_a_directory", "load_matrix_arg", "load_pair", "read_support_arg",
           "positive_int", "nonnegative_int", "positive_float", "restarts_int"]

_INLINE = re.compile(r"^[01]+([/;][01]+)*$")


class UsageError(Exception):
    """A usage error found after parsing: :func:`exactsparse.cli.main` reports it through
    the command's own ``parser.error`` (its usage line, exit code 2)."""


def add_command(sub, name, func, help, description=None):
    """A command parser ``name`` under ``sub`` that runs ``func(args)``; its description is
    ``description`` or ``help``, and it remembers itself for usage errors."""
    p = sub.add_parser(name, help=help, description=description or help[:1].upper() + help[1:]
                       + ".")
    p.set_defaults(func=func, _parser=p)
    return p


def add_json_arg(p):
    p.add_argument("--json", action="store_true",
                   help="print a JSON object instead of text: the documented keys plus the "
                        "full result under 'result' (save it and run `exactsparse verify`)")


def add_pair_args(p, required=True):
    """``--left I`` and one of ``--right J`` (n×r, X Yᵀ) / ``--right-rx J`` (r×n, X @ Y)."""
    p.add_argument("--left", "-I", required=required, metavar="I",
                   help="left support (m×r): a .txt/.csv/.json/.npy file or inline '110/011'")
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--right", "-J", metavar="J",
                   help="right support, n×r (X Yᵀ convention): file or inline")
    g.add_argument("--right-rx", metavar="J_RX",
                   help="right support given r×n (X @ Y convention): file or inline")


_MATRIX_HELP = "matrix file: .txt/.csv (ints, p/q, decimals read exactly), .json, .npy"


def add_matrix_arg(p, required=True, positional=False, help=_MATRIX_HELP):
    """``--matrix A`` (``-A``); with ``positional=True`` also an optional positional
    ``MATRIX`` (the older butterfly style), read back with :func:`matrix_path`."""
    if positional:
        p.add_argument("matrix_pos", nargs="?", metavar="MATRIX",
                       help="the matrix, positionally (same as --matrix)")
        p.add_argument("--matrix", "-A", metavar="A", help=help)
        p.set_defaults(_matrix_required=required)
    else:
        p.add_argument("--matrix", "-A", required=required, metavar="A", help=help)


def matrix_path(args):
    """The matrix file given by ``--matrix`` or positionally (None when neither is given
    and the matrix is optional)."""
    pos, opt = getattr(args, "matrix_pos", None), getattr(args, "matrix", None)
    if pos is not None and opt is not None and pos != opt:
        raise UsageError(f"the matrix is given twice ({pos!r} and --matrix {opt!r})")
    path = opt if opt is not None else pos
    if path is None and getattr(args, "_matrix_required", False):
        raise UsageError("the following arguments are required: --matrix (or MATRIX)")
    return path


def not_a_directory(path, flag):
    """A usage error when ``path`` (given by option ``flag``) is a directory."""
    if os.path.isdir(path):
        raise UsageError(f"argument {flag}: {path!r} is a directory, not a file")


def load_matrix_arg(args, path=None, flag="--matrix", numeric=False, exact=False):
    """Read the matrix of ``--matrix`` (or of ``path``): a directory is a usage error.  With
    ``exact`` a float array (a float ``.npy``) raises
    :class:`~exactsparse.exceptions.FloatInExactError` naming the file, the flag and the
    exact formats (the command computes in exact arithmetic)."""
    path = matrix_path(args) if path is None else path
    not_a_directory(path, flag)
    M = read_matrix(path, numeric=numeric)
    if exact and isinstance(M, np.ndarray) and M.dtype.kind in "fc":
        from ..exceptions import FloatInExactError
        from ..fileio import first_non_finite
        bad = first_non_finite(M)
        what = (f"{M.dtype} entries" if bad is None else
                f"{M.dtype} entries (and {bad[1]} at row {bad[0][0]}, column {bad[0][1]})")
        raise FloatInExactError(
            f"File {path!r} ({flag}) holds {what}, but this command computes in exact "
            f"arithmetic: save the matrix as an integer .npy, or as a .txt/.csv/.json file "
            f"of integers, p/q or decimals (read exactly).")
    return M


def read_support_arg(text, flag="--left"):
    """A support from a file name or an inline string like ``110/011``."""
    if os.path.exists(text):
        not_a_directory(text, flag)
        return read_support(text)
    if _INLINE.match(text):
        rows = [r for r in re.split(r"[/;,\s]+", text) if r]
        if len({len(r) for r in rows}) > 1:
            raise UsageError(f"argument {flag}: {text!r} has rows of different lengths "
                             f"{[len(r) for r in rows]} (an inline support is rows of 0/1 "
                             f"of one length separated by /)")
        return Support(text)
    raise UsageError(f"argument {flag}: {text!r} is neither a file nor an inline support "
                     "(rows of 0/1 separated by /)")


def load_pair(args):
    """The pair ``(I, J)`` in the X Yᵀ convention (``--right-rx`` is transposed)."""
    I = read_support_arg(args.left, "--left")
    if args.right_rx is not None:
        return I, right_from_rx(read_support_arg(args.right_rx, "--right-rx"))
    return I, read_support_arg(args.right, "--right")


def _number_type(kind, ok, what):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
        return v
    parse.__name__ = what
    return parse


#: argparse types: usage errors (exit 2) for out-of-range numbers.
positive_int = _number_type(int, lambda v: v >= 1, "an integer >= 1")
nonnegative_int = _number_type(int, lambda v: v >= 0, "an integer >= 0")
#: the most local-solver restarts the command line runs (each is a full local solve)
MAX_RESTARTS = 10_000
restarts_int = _number_type(int, lambda v: 0 <= v <= MAX_RESTARTS,
                            f"an integer in [0, {MAX_RESTARTS}]")
positive_float = _number_type(float, lambda v: 0 < v < float("inf"),
                              "a positive finite number")

"""Shared CLI helpers: reading supports and matrices from arguments."""

from __future__ import annotations

import os
import re

from ..certificates import to_jsonable
from ..fileio import read_matrix, read_support
from ..supports import Support, right_from_rx

__all__ = ["add_pair_args", "add_matrix_arg", "load_pair", "load_matrix", "jsonable"]

_INLINE = re.compile(r"^[01]+([/;][01]+)*$")


def add_pair_args(p, required=True):
    p.add_argument("--left", "-I", required=required, metavar="I",
                   help="left support (m×r): a .txt/.csv/.json/.npy file or inline '110/011'")
    p.add_argument("--right", "-J", required=required, metavar="J",
                   help="right support, n×r (X Yᵀ convention); see --right-rx")
    p.add_argument("--right-rx", action="store_true",
                   help="the right support is given r×n (X @ Y convention)")


def add_matrix_arg(p, required=True, name="--matrix"):
    p.add_argument(name, "-A", required=required, metavar="A",
                   help="matrix file: .txt/.csv (ints, p/q, decimals read exactly), .json, .npy")


def _support(text):
    if not os.path.exists(text) and _INLINE.match(text):
        return Support(text)
    return read_support(text)


def load_pair(args):
    I = _support(args.left)
    J = _support(args.right)
    return I, (right_from_rx(J) if args.right_rx else J)


def load_matrix(path, numeric=False):
    return read_matrix(path, numeric=numeric)


def jsonable(x):
    return to_jsonable(x)

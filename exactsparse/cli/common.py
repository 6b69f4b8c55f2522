"""Shared CLI helpers: reading supports and matrices from arguments."""

from __future__ import annotations

import os
import re

from ..fileio import read_support
from ..supports import Support, right_from_rx

__all__ = ["add_pair_args", "add_matrix_arg", "load_pair", "read_support_arg", "verify_file"]

_INLINE = re.compile(r"^[01]+([/;][01]+)*$")


def add_pair_args(p, required=True):
    """``--left I`` and one of ``--right J`` (n×r, X Yᵀ) / ``--right-rx J`` (r×n, X @ Y)."""
    p.add_argument("--left", "-I", required=required, metavar="I",
                   help="left support (m×r): a .txt/.csv/.json/.npy file or inline '110/011'")
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--right", "-J", metavar="J",
                   help="right support, n×r (X Yᵀ convention): file or inline")
    g.add_argument("--right-rx", metavar="J_RX",
                   help="right support given r×n (X @ Y convention): file or inline")


def add_matrix_arg(p, required=True, name="--matrix"):
    p.add_argument(name, "-A", required=required, metavar="A",
                   help="matrix file: .txt/.csv (ints, p/q, decimals read exactly), .json, .npy")


def read_support_arg(text):
    """A support from a file name or an inline string like ``110/011``."""
    if not os.path.exists(text) and _INLINE.match(text):
        return Support(text)
    return read_support(text)


def load_pair(args):
    """The pair ``(I, J)`` in the X Yᵀ convention (``--right-rx`` is transposed)."""
    I = read_support_arg(args.left)
    if args.right_rx is not None:
        return I, right_from_rx(read_support_arg(args.right_rx))
    return I, read_support_arg(args.right)


def verify_file(args, instance):
    """Re-check the result stored in the JSON file ``args.result`` against ``instance``
    and print the verdict (the ``verify`` commands).  The file may hold a result or a
    command's ``--json`` output (whose ``result`` key holds the result)."""
    import json

    from ..certificates import Result
    from ..checks import verify
    from ..exceptions import CertificateError
    from . import emit
    try:
        with open(args.result, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CertificateError(f"invalid certificate: cannot read {args.result!r} ({exc})") \
            from None
    if isinstance(data, dict) and "result" in data and "kind" not in data:
        data = data["result"]
    res = verify(Result.from_dict(data) if isinstance(data, dict) and "kind" in data else data,
                 instance)
    emit(args, {"valid": res.valid, "message": res.message, "kind": res.kind},
         ("valid: " if res.valid else "INVALID: ") + res.message)
    return 0

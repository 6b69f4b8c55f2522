"""CLI commands ``verify`` and ``demo``."""

from __future__ import annotations

from ..exceptions import CertificateError
from . import emit
from ..fileio import read_matrix
from .bilinear import add_signal_args, load_signal
from .common import add_matrix_arg, add_pair_args, load_pair, verify_file

__all__ = ["register"]


def register(sub):
    v = sub.add_parser("verify", help="re-check a result's certificate against its instance",
                       description="Re-check a JSON result (as written by --json of a command "
                                   "or Result.to_json) with plain exact arithmetic.")
    v.add_argument("result", help="JSON file of a result")
    add_matrix_arg(v, required=False)
    add_pair_args(v, required=False)
    add_signal_args(v, required=False)
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=_verify)
    d = sub.add_parser("demo", help="classify, solve and verify the built-in FSMF examples")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_demo)


def _instance(args):
    parts = []
    if args.matrix:
        parts.append(read_matrix(args.matrix))
    if args.left or args.right or args.right_rx:
        if not (args.left and (args.right or args.right_rx)):
            raise CertificateError("give both --left and --right/--right-rx (or neither)")
        parts.extend(load_pair(args))
    if args.x or args.h:
        if not (args.x and args.h):
            raise CertificateError("give both --x and --h (or neither)")
        parts.extend((load_signal(args.x, "x"), load_signal(args.h, "h")))
    return parts[0] if len(parts) == 1 else tuple(parts)


def _verify(args):
    return verify_file(args, _instance(args))


def _demo(args):
    from ..examples import run_demo
    rows = run_demo()
    lines = []
    for row in rows:
        lines.append(f"== {row['name']}: {row['description']}")
        lines.append(f"   classify: {row['classify']['verdict']}"
                     + (f" ({row['classify']['family']})" if row['classify']['family'] else ""))
        sol = row["solve"]
        val = sol["value"] if sol["value"] is not None else f"{sol['value_float']:.10g} (local)"
        lines.append(f"   solve: {sol['verdict']}, value {val}, attained {sol['attained']}")
        lines.append(f"   certificate: {row['verify']}")
    emit(args, rows, "\n".join(lines))
    return 0

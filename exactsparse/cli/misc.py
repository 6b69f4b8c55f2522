"""CLI commands ``verify`` and ``demo``."""

from __future__ import annotations

import sys

from . import emit
from .bilinear import add_signal_args
from .common import add_command, add_json_arg, add_matrix_arg, add_pair_args
from .fsmf import solve_text
from .payload import payload
from .verify import add_perm_args, add_verify_budget_arg, verify_file

__all__ = ["register"]


def register(sub):
    """Add the ``verify`` and ``demo`` commands to the top-level subparsers."""
    v = add_command(sub, "verify", _verify,
                    "re-check a result's certificate against its instance; exit 1 if INVALID",
                    description="Re-check a saved JSON result (the --json output of a command, "
                                "or Result.to_json) with plain exact arithmetic, against the "
                                "instance given by the options its kind needs (fsmf classify, "
                                "ident check: --left --right; fsmf solve, reduce, certify, "
                                "spurious: --matrix --left --right; butterfly identify: "
                                "--matrix [--perm] [--cyclotomic]).  The output of demo "
                                "--json is checked against the built-in examples.  Exit code "
                                "0 when the certificate is valid, 1 when it is INVALID (as "
                                "sha256sum -c), 2 on a usage error such as a missing "
                                "instance option, 3 when --budget ran out first (UNKNOWN: "
                                "neither accepted nor refuted).")
    v.add_argument("result", metavar="RESULT", help="JSON file of a result")
    add_matrix_arg(v, required=False, help="the instance matrix (A, or Z of butterfly)")
    add_pair_args(v, required=False)
    add_perm_args(v, " (butterfly results)")
    add_signal_args(v, required=False)
    add_verify_budget_arg(v)
    v.add_argument("--json", action="store_true",
                   help="print a JSON object: valid, message, kind")
    d = add_command(sub, "demo", _demo,
                    "classify, solve and verify the built-in FSMF examples",
                    description="Classify, solve and verify the built-in FSMF examples "
                                "(Le, Riccietti, Gribonval), printing each as it finishes.  "
                                "With --json, a list of rows (name, description, classify, "
                                "solve, verify, valid) that `exactsparse verify FILE` "
                                "re-checks against the built-in examples.")
    add_json_arg(d)


def _verify(args):
    return verify_file(args)


def _row_text(row):
    c, s = row.classification, row.solution
    return "\n".join([
        f"== {row.example.name}: {row.example.description}",
        f"   classify: {c.verdict}" + (f" ({c.family})" if c.family else ""),
        f"   solve: {s.verdict}, {solve_text(s)}, attained {s.attained}",
        f"   certificate: {row.verification.message}"])


def _demo(args):
    from ..examples import iter_demo
    rows = []
    for row in iter_demo():
        rows.append({"name": row.example.name, "description": row.example.description,
                     "classify": payload(row.classification), "solve": payload(row.solution),
                     "verify": row.verification.message, "valid": row.verification.valid})
        if args.json:
            if sys.stderr.isatty():
                print(f"demo: {row.example.name} done", file=sys.stderr, flush=True)
        else:
            print(_row_text(row), flush=True)
    if args.json:
        emit(args, rows, "")
    return 0 if all(r["valid"] for r in rows) else 1

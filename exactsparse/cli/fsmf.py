"""CLI group ``fsmf``: ``classify``, ``solve`` (and the hard-instance commands)."""

from __future__ import annotations

from ..certificates import to_jsonable
from . import emit, fsmf_hard
from .common import (add_command, add_json_arg, add_matrix_arg, add_pair_args,
                     load_matrix_arg, load_pair, nonnegative_int, restarts_int)
from .payload import payload

__all__ = ["register"]


def register(sub):
    """Add the ``fsmf`` group to the top-level subparsers."""
    p = sub.add_parser("fsmf", help="fixed-support matrix factorization",
                       description="Fixed-support matrix factorization min ||A - X Y^T||_F^2 "
                                   "with supp X in I (m×r) and supp Y in J (n×r): "
                                   "tractability, exact optima, hard instances.")
    fs = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    fs.required = True
    c = add_command(fs, "classify", _classify,
                    "decide whether (I, J) is in a tractable family")
    add_pair_args(c)
    add_json_arg(c)
    s = add_command(fs, "solve", _solve, "solve a tractable instance to global optimality")
    add_matrix_arg(s)
    add_pair_args(s)
    s.add_argument("--numeric", action="store_true",
                   help="numeric path (floats) even for exact input")
    s.add_argument("--restarts", type=restarts_int, default=20,
                   help="local-solver restarts on instances that are not covered "
                        "(0 to 10000, default 20)")
    s.add_argument("--seed", type=nonnegative_int, default=0,
                   help="seed of the local solver's random starts (default 0)")
    add_json_arg(s)
    fsmf_hard.register_commands(fs)


def _classify(args):
    from ..fsmf import check_tractable
    I, J = load_pair(args)
    r = check_tractable(I, J)
    text = f"verdict: {r.verdict}" + (f" (family: {r.family})" if r.family else "")
    text += f"\nclasses: {len(r.classes)}, complete: {list(r.complete_classes)}"
    if r.verdict != "tractable":
        text += f"\nobstruction: {to_jsonable(r.certificate['obstruction'])}"
    emit(args, payload(r), text)
    return 0


def solve_text(s):
    """The text form of a solution (also used by ``exactsparse demo``)."""
    if s.value is not None:
        return f"value: {s.value}  (≈ {s.value_float:.12g}, certified)"
    return f"loss: {s.value_float:.12g}" + ("" if s.verdict == "optimal"
                                            else "  (local solver, uncertified)")


def _solve(args):
    from ..fsmf import solve_fsmf
    I, J = load_pair(args)
    A = load_matrix_arg(args, numeric=args.numeric)
    s = solve_fsmf(A, I, J, exact_mode=False if args.numeric else None,
                   restarts=args.restarts, seed=args.seed)
    text = f"verdict: {s.verdict}\n{solve_text(s)}"
    text += f"\nX = {to_jsonable(s.X)}\nY = {to_jsonable(s.Y)}"
    emit(args, payload(s), text)
    return 0

"""CLI group ``fsmf``: ``classify``, ``solve`` (and the hard-instance commands)."""

from __future__ import annotations

from ..fsmf import check_tractable, solve_fsmf
from . import emit, fsmf_hard
from ..certificates import to_jsonable as jsonable
from ..fileio import read_matrix
from .common import add_matrix_arg, add_pair_args, load_pair

__all__ = ["register"]


def register(sub):
    p = sub.add_parser("fsmf", help="fixed-support matrix factorization",
                       description="Fixed-support matrix factorization min ||A - X Y^T||_F^2.")
    fs = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    fs.required = True
    c = fs.add_parser("classify", help="decide whether (I, J) is in a tractable family")
    add_pair_args(c)
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=_classify)
    s = fs.add_parser("solve", help="solve a tractable instance to global optimality")
    add_matrix_arg(s)
    add_pair_args(s)
    s.add_argument("--numeric", action="store_true",
                   help="numeric path (floats) even for exact input")
    s.add_argument("--restarts", type=int, default=20,
                   help="local-solver restarts on instances that are not covered (default 20)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_solve)
    fsmf_hard.register_commands(fs)


def classify_dict(r):
    return {
        "verdict": r.verdict, "family": r.family,
        "classes": [{"columns": list(k), "rows": list(a), "cols": list(b)}
                    for k, a, b in r.classes],
        "complete_classes": list(r.complete_classes),
        "theorem": r.theorem, "certificate": jsonable(r.certificate),
        "result": r.to_dict(),          # the full Result: `exactsparse verify` reads it
    }


def _classify(args):
    I, J = load_pair(args)
    r = check_tractable(I, J)
    d = classify_dict(r)
    text = f"verdict: {r.verdict}" + (f" (family: {r.family})" if r.family else "")
    text += f"\nclasses: {len(r.classes)}, complete: {list(r.complete_classes)}"
    if r.verdict != "tractable":
        text += f"\nobstruction: {jsonable(r.certificate['obstruction'])}"
    emit(args, d, text)
    return 0


def solve_dict(s):
    return {
        "verdict": s.verdict, "value": s.value, "value_float": s.value_float,
        "attained": s.attained, "certified": s.certified, "exact": s.exact,
        "enclosure": list(s.enclosure) if s.enclosure else None, "family": s.family,
        "X": jsonable(s.X), "Y": jsonable(s.Y), "theorem": s.theorem,
        "certificate": jsonable(s.certificate),
        "result": s.to_dict(),          # the full Result: `exactsparse verify` reads it
    }


def _solve(args):
    I, J = load_pair(args)
    A = read_matrix(args.matrix, numeric=args.numeric)
    s = solve_fsmf(A, I, J, exact_mode=False if args.numeric else None,
                   restarts=args.restarts, seed=args.seed)
    text = f"verdict: {s.verdict}"
    if s.value is not None:
        text += f"\nvalue: {s.value}  (≈ {s.value_float:.12g}, certified)"
    else:
        text += f"\nloss: {s.value_float:.12g}" + ("" if s.verdict == "optimal"
                                                    else "  (local solver, uncertified)")
    text += f"\nX = {jsonable(s.X)}\nY = {jsonable(s.Y)}"
    emit(args, solve_dict(s), text)
    return 0

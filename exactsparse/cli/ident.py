"""CLI group ``ident``: identifiability of fixed-support factorizations ``Z = X Yᵀ``.

``exactsparse ident check --left I --right J [--json]``
    verdict, certificate, witness (``X, Y, X2, Y2`` as ``"p/q"`` strings), Jacobian ranks.
``exactsparse ident recover --matrix Z --left I --right J [--json]``
    the factors ``X, Y`` recovered by completion.

``--right-rx`` reads an r×n right support (``X @ Y`` convention) instead of ``--right``.
"""

from __future__ import annotations

from ..exact import to_strings
from . import emit
from .common import (add_command, add_json_arg, add_matrix_arg, add_pair_args,
                     load_matrix_arg, load_pair, nonnegative_int)
from .payload import payload
from .progress import add_progress_arg, progress_for

__all__ = ["register"]


def _check(args):
    from ..identifiability import check_identifiable
    I, J = load_pair(args)
    with progress_for(args, "ident check") as report:
        res = check_identifiable(I, J, seed=args.seed, progress=report)
    w = res.witness
    lines = [f"verdict: {res.verdict} ({res.certificate['criterion']})",
             f"jacobian rank: {res.jacobian_rank} (mod p: {res.jacobian_rank_mod_p}), "
             f"expected {res.expected_rank}"]
    if res.verdict == "identifiable":
        lines.append(f"recovery order: {list(res.certificate['order'])}")
    elif w is not None:
        lines += [f"{key} = {to_strings(w[key])}" for key in ("X", "Y", "X2", "Y2")]
    else:
        lines.append(f"reason: {res.certificate['reason']}")
    emit(args, payload(res), "\n".join(lines))
    return 0


def _recover(args):
    from ..identifiability import recover_factors
    I, J = load_pair(args)
    X, Y = recover_factors(load_matrix_arg(args, exact=True), I, J)
    data = {"X": to_strings(X), "Y": to_strings(Y)}
    emit(args, data, f"X = {data['X']}\nY = {data['Y']}")
    return 0


def register(sub):
    """Add the ``ident`` group to the top-level subparsers."""
    p = sub.add_parser("ident", help="identifiability of fixed-support factorizations",
                       description="Identifiability of fixed-support factorizations Z = X Y^T:"
                                   " is (X, Y) determined by Z up to scaling of its columns?")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True
    c = add_command(cmds, "check", _check, "decide identifiability of a support pair")
    add_pair_args(c)
    c.add_argument("--seed", type=nonnegative_int, default=0,
                   help="seed of the random points of the Jacobian test (default 0)")
    add_json_arg(c)
    add_progress_arg(c)
    r = add_command(cmds, "recover", _recover, "recover X, Y from Z = X Yᵀ by completion")
    add_matrix_arg(r, help="the m×n matrix Z = X Yᵀ (file)")
    add_pair_args(r)
    r.add_argument("--json", action="store_true",
                   help="print a JSON object with X and Y ('p/q' strings; no certificate)")

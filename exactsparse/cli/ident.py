"""CLI group ``ident``: identifiability of fixed-support factorizations ``Z = X Yᵀ``.

``exactsparse ident check --left I --right J [--json]``
    verdict, certificate, witness (``X, Y, X2, Y2`` as ``"p/q"`` strings), Jacobian ranks.
``exactsparse ident recover --matrix Z --left I --right J [--json]``
    the factors ``X, Y`` recovered by completion.

``--right-rx`` reads an r×n right support (``X @ Y`` convention) instead of ``--right``.
"""

from __future__ import annotations

from ..certificates import to_jsonable
from ..exact import to_strings
from ..fileio import read_matrix
from ..identifiability import check_identifiable, recover_factors
from . import emit
from .common import add_pair_args, load_pair

__all__ = ["register"]


def _add_supports(p):
    add_pair_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _check(args):
    I, J = load_pair(args)
    res = check_identifiable(I, J, seed=args.seed)
    data = res.to_dict()
    w = res.witness
    data["witness"] = None if w is None else {
        key: to_strings(w[key]) for key in ("X", "Y", "X2", "Y2")}
    lines = [f"verdict: {res.verdict} ({res.certificate['criterion']})",
             f"jacobian rank: {res.jacobian_rank} (mod p: {res.jacobian_rank_mod_p}), "
             f"expected {res.expected_rank}"]
    if res.verdict == "identifiable":
        lines.append(f"recovery order: {list(res.certificate['order'])}")
    elif w is not None:
        lines += [f"{key} = {to_strings(w[key])}" for key in ("X", "Y", "X2", "Y2")]
    else:
        lines.append(f"reason: {res.certificate['reason']}")
    emit(args, to_jsonable(data), "\n".join(lines))
    return 0


def _recover(args):
    I, J = load_pair(args)
    X, Y = recover_factors(read_matrix(args.matrix), I, J)
    data = {"X": to_strings(X), "Y": to_strings(Y)}
    emit(args, data, f"X = {data['X']}\nY = {data['Y']}")
    return 0


def register(sub):
    """Add the ``ident`` group to the top-level subparsers."""
    p = sub.add_parser("ident", help="identifiability of fixed-support factorizations")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True
    c = cmds.add_parser("check", help="decide identifiability of a support pair")
    _add_supports(c)
    c.add_argument("--seed", type=int, default=0, help="seed of the random points")
    c.set_defaults(func=_check)
    r = cmds.add_parser("recover", help="recover X, Y from Z = X Yᵀ by completion")
    r.add_argument("--matrix", required=True, metavar="Z", help="m×n matrix file")
    _add_supports(r)
    r.set_defaults(func=_recover)

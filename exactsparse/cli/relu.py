"""CLI group ``relu``: ReLU networks given as JSON files ``{"layers": [{"W", "b"}, ...]}``.

``exactsparse relu pathlift NET.json [--json]``
    ``phi`` (path name → exact string), ``size``.
``exactsparse relu canonical NET.json [--json]``
    the canonical net in the same JSON schema (``layers``, also under ``network``),
    ``verdict``, ``duplicates``.
``exactsparse relu equivalent A.json B.json [--json]``
    ``verdict`` (``equivalent`` / ``not-equivalent`` / ``unknown``), ``certificate``.
``exactsparse relu pathnorm NET.json -q 1 [--json]`` (NET may be a DAG: ``{"inputs", "nodes"}``)
    ``value`` (exact ‖Φ‖_q^q for integer q on exact nets, else null), ``value_float`` (‖Φ‖_q).
``exactsparse relu local-ident NET.json --samples X.txt [--json]``
    ``C_N``, ``C_S``, ``rank_gamma``, ``rank_A``, ``D``, ``verdict``.
``exactsparse relu verify RESULT.json NET.json [NET2.json | --samples X.txt]``
    re-check a saved ``--json`` output.

Every ``--json`` payload holds the full result under ``result``.  Float networks are
converted to exact binary rationals only with ``--exact-floats``.
"""

from __future__ import annotations

import json

from ..certificates import to_jsonable
from ..exact import fraction_str
from ..fileio import read_matrix
from ..exceptions import ParseError
from ..relu import (DagNetwork, Network, canonical_form, equivalent, local_identifiability, path_lifting,
                    path_norm)
from . import emit
from .common import add_command, add_json_arg
from .payload import payload
from .progress import add_progress_arg, progress_for
from .verify import add_verify_budget_arg, verify_file

__all__ = ["register"]


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"Network file {path!r} could not be read: {exc}.") from None


def _load(path, args, dag=False):
    data = _read(path)
    if dag and isinstance(data, dict) and "nodes" in data:
        return DagNetwork(data)
    net = Network(data)
    return net.to_exact() if getattr(args, "exact_floats", False) else net


def _pathlift(args):
    res = path_lifting(_load(args.net, args))
    phi = {k: fraction_str(v) for k, v in res.certificate["phi"].items()}
    data = payload(res)
    emit(args, data, "\n".join([f"|Φ| = {len(phi)}"] + [f"{k}: {v}" for k, v in phi.items()]))
    return 0


def _canonical(args):
    res = canonical_form(_load(args.net, args), norm=args.norm)
    data = payload(res)
    emit(args, data, f"verdict: {res.verdict}\n" + json.dumps(res.network))
    return 0


def _equivalent(args):
    a, b = _load(args.net, args), _load(args.other, args)
    res = equivalent(a, b, norm=args.norm)
    data = payload(res)
    emit(args, data, f"verdict: {res.verdict}\ncertificate: {to_jsonable(res.certificate)}")
    return 0


def _pathnorm(args):
    q = float(args.q) if "." in args.q or "e" in args.q.lower() else int(args.q)
    res = path_norm(_load(args.net, args, dag=True), q)
    data = payload(res)
    val = "" if res.value is None else f" (‖Φ‖_q^q = {fraction_str(res.value)})"
    emit(args, data, f"‖Φ‖_{res.certificate['q']} = {res.value_float:.17g}{val}")
    return 0


def _samples(path):
    from ..exact import to_fractions
    return [list(r) for r in to_fractions(read_matrix(path))]


def _local_ident(args):
    net, X = _load(args.net, args), _samples(args.samples)
    with progress_for(args, "relu local-ident") as report:
        res = local_identifiability(net, X, exact=args.exact, budget=args.budget,
                                    progress=report)
    c = res.certificate
    data = payload(res)
    emit(args, data, f"verdict: {res.verdict}\nC_N = {c['C_N']}, C_S = {c['C_S']}, "
                     f"R_Γ = {c['rank_gamma']}, R_A = {c['rank_A']}, D = {c['D']}")
    return 0


def _verify(args):
    data = _read(args.net)
    net = DagNetwork(data).to_dict() if "nodes" in data else Network(data).to_dict()
    if args.other:
        instance = (net, Network.from_json(args.other).to_dict())
    elif args.samples:
        instance = (net, _samples(args.samples))
    else:
        instance = net
    return verify_file(args, instance)


def register(sub):
    """Add the ``relu`` group to the top-level subparsers."""
    p = sub.add_parser("relu", help="ReLU networks: path-lifting, canonical form, path-norms",
                       description="ReLU networks: the exact path-lifting embedding Φ(θ), "
                                   "canonical representatives under rescaling and "
                                   "permutation, path-norms and local identifiability "
                                   "(Stock, Gribonval 2022; Gonon et al. 2024; "
                                   "Bona-Pellissier et al. 2022).")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True

    def add(name, func, help_):
        c = add_command(cmds, name, func, help_)
        c.add_argument("net", metavar="NET.json", help="network JSON file")
        add_json_arg(c)
        c.add_argument("--exact-floats", action="store_true",
                       help="convert float weights to their exact binary rationals")
        return c
    norm_help = "normalisation of each neuron's incoming weights and bias (default l1)"
    add("pathlift", _pathlift, "the path-lifting Φ(θ), exactly")
    c = add("canonical", _canonical, "canonical representative under rescaling/permutation")
    c.add_argument("--norm", choices=("l1", "linf"), default="l1", help=norm_help)
    c = add("equivalent", _equivalent, "equivalence under positive rescaling + permutation")
    c.add_argument("other", metavar="B.json", help="second network JSON file")
    c.add_argument("--norm", choices=("l1", "linf"), default="l1", help=norm_help)
    c = add("pathnorm", _pathnorm, "path-norm ‖Φ‖_q by one forward pass")
    c.add_argument("-q", default="1", help="q >= 1 (integer: exact ‖Φ‖_q^q)")
    c = add("local-ident", _local_ident, "local identifiability rank tests C_N / C_S")
    c.add_argument("--samples", required=True, metavar="X", help="n×d sample matrix file")
    c.add_argument("--exact", choices=("auto", "never", "always"), default="auto",
                   help="exact ranks over Q: when the mod-p ranks do not settle the verdict "
                        "(auto, default), never, or always")
    c.add_argument("--budget", type=float, default=60.0, help="seconds (default 60)")
    add_progress_arg(c)
    v = add_command(cmds, "verify", _verify,
                    "re-check a saved --json result of a relu command; exit 1 if INVALID")
    v.add_argument("result", metavar="RESULT",
                   help="JSON file written by a relu command's --json")
    v.add_argument("net", metavar="NET.json", help="the network the result is about")
    v.add_argument("other", nargs="?", metavar="B.json", help="second net (equivalent)")
    v.add_argument("--samples", metavar="X", help="sample file (local-ident)")
    add_verify_budget_arg(v)
    v.add_argument("--json", action="store_true",
                   help="print a JSON object: valid, message, kind")

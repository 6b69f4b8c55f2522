"""CLI commands ``fsmf reduce|certify|spurious|hardness``."""

from __future__ import annotations

import sys

from ..certificates import to_jsonable

__all__ = ["register_commands"]


def _common(p):
    from .common import add_matrix_arg, add_pair_args
    add_matrix_arg(p)
    add_pair_args(p)
    p.add_argument("--json", action="store_true", help="JSON output")


def _load(args):
    from ..fileio import read_matrix
    from .common import load_pair
    A = read_matrix(args.matrix) if getattr(args, "matrix", None) else None
    I, J = load_pair(args)
    return A, I, J


def _positive_int(text):
    import argparse
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, not {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, not {text!r}")
    return v


def register_commands(fsmf_sub):
    """Add the hard-instance commands to the ``fsmf`` subparsers."""
    p = fsmf_sub.add_parser("reduce", help="reduce an instance to its hard core(s)")
    _common(p)
    p.set_defaults(func=_reduce)
    p = fsmf_sub.add_parser("certify", help="certified interval for the optimal value")
    _common(p)
    p.add_argument("--budget", type=float, default=10.0, help="time budget in seconds")
    p.set_defaults(func=_certify)
    p = fsmf_sub.add_parser("spurious", help="find certified spurious local minima")
    _common(p)
    p.add_argument("--starts", type=_positive_int, default=60,
                   help="number of local-search starts (>= 1)")
    p.add_argument("--budget", type=float, default=60.0, help="time budget in seconds")
    p.set_defaults(func=_spurious)
    p = fsmf_sub.add_parser("hardness", help="build the FSMF instance of masked rank-one "
                                             "approximation (NP-hardness reduction)")
    p.add_argument("--matrix", help="matrix A of the masked instance")
    p.add_argument("--mask", help="0/1 mask of observed entries (with --matrix)")
    p.add_argument("--biclique", metavar="GRAPH",
                   help="instead of --matrix/--mask: a bipartite graph (0/1 biadjacency, "
                        "file or inline like 110/011) turned into a masked instance by the "
                        "maximum-edge-biclique gadget")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_hardness)


def _emit(args, data, text):
    from . import emit
    emit(args, to_jsonable(data), text)
    return 0


def _reduce(args):
    from ..fsmf.hard import check_reduction
    res = check_reduction(*_load(args))
    c = res.certificate
    data = {"verdict": res.verdict, "constant": c["constant"], "sizes": c["sizes"],
            "parts": c["parts"]}
    text = "\n".join([f"constant: {c['constant']}"] + [
        f"part {k}: {p['kind']} {p['m']}x{p['n']} rank {p['rank']} observed {p['observed']}"
        for k, p in enumerate(c["sizes"]["parts"])])
    return _emit(args, data, text)


def _certify(args):
    from ..fsmf.hard import certify_fsmf
    res = certify_fsmf(*_load(args), budget=args.budget)
    c = res.certificate
    data = {"verdict": res.verdict, "lower": c["lower"], "upper": c["upper"],
            "lower_float": float(c["lower"]), "upper_float": float(c["upper"]),
            "certified": c["certified"], "attained": c["attained"], "reason": c["reason"],
            "X": c["X"], "Y": c["Y"]}
    text = (f"{res.verdict}: {float(c['lower']):.10g} <= min <= {float(c['upper']):.10g}"
            + (f" ({c['reason']})" if c["reason"] else ""))
    return _emit(args, data, text)


def _spurious(args):
    from ..fsmf.hard import find_spurious_minima
    res = find_spurious_minima(*_load(args), starts=args.starts, budget=args.budget)
    c = res.certificate
    minima = [{"value": f"[{mm['value_lower']}, {mm['value_upper']}]",
               "value_float": float((mm["value_lower"] + mm["value_upper"]) / 2),
               "certified": mm.get("certified") is True} for mm in c["minima"]]
    data = {"verdict": res.verdict, "minima": minima,
            "better": c.get("better"), "reason": c.get("reason", "")}
    text = f"{res.verdict}: " + ", ".join(f"{m['value_float']:.10g}" for m in minima)
    return _emit(args, data, text)


def _hardness(args):
    from ..fileio import read_matrix
    from ..fsmf.hard import biclique_to_masked, masked_to_fsmf
    from .common import read_support_arg
    if (args.biclique is None) == (args.matrix is None and args.mask is None) or \
            (args.biclique is None and (args.matrix is None or args.mask is None)):
        print("exactsparse fsmf hardness: error: give either --matrix and --mask, or "
              "--biclique alone.", file=sys.stderr)
        return 2
    data, text = {}, ""
    if args.biclique is not None:
        inst = biclique_to_masked(read_support_arg(args.biclique))
        Am, W = inst.A, inst.mask
        data = {"A": [[str(v) for v in row] for row in Am], "mask": W.tolist(),
                "c": inst.c, "edges": inst.edges, "nonedges": [list(g) for g in inst.gadgets],
                "shape": list(inst.shape)}
        text = (f"graph with {inst.edges} edges and {len(inst.gadgets)} non-edges -> masked "
                f"{inst.shape[0]}x{inst.shape[1]} instance (c = {inst.c}); "
                f"beta = floor(edges - min)\n")
    else:
        Am, W = read_matrix(args.matrix), read_support_arg(args.mask)
    A, I, J = masked_to_fsmf(Am, W)
    data.update({"I": I.tolist(), "J": J.tolist(), "r": I.shape[1]})
    return _emit(args, data, text + f"I = {I}\nJ = {J}")

"""CLI commands ``fsmf reduce``, ``fsmf certify``, ``fsmf spurious``, ``fsmf hardness``."""

from __future__ import annotations

from ..certificates import to_jsonable
from ..exact import to_strings
from . import emit
from .common import (UsageError, add_command, add_json_arg, add_matrix_arg, add_pair_args,
                     load_matrix_arg, load_pair, positive_float, positive_int,
                     read_support_arg)
from .payload import payload
from .progress import add_progress_arg, progress_for

__all__ = ["register_commands", "outward"]


def _common(p):
    add_matrix_arg(p)
    add_pair_args(p)
    add_json_arg(p)


def _load(args):
    A = load_matrix_arg(args, exact=True)
    I, J = load_pair(args)
    return A, I, J


def register_commands(fsmf_sub):
    """Add the hard-instance commands to the ``fsmf`` subparsers."""
    p = add_command(fsmf_sub, "reduce", _reduce, "reduce an instance to its hard core(s)")
    _common(p)
    p = add_command(fsmf_sub, "certify", _certify,
                    "certified interval for the optimal value")
    _common(p)
    p.add_argument("--budget", type=positive_float, default=10.0,
                   help="time budget in seconds (default 10)")
    add_progress_arg(p)
    p = add_command(fsmf_sub, "spurious", _spurious, "find certified spurious local minima")
    _common(p)
    p.add_argument("--starts", type=positive_int, default=60,
                   help="number of local-search starts (>= 1, default 60)")
    p.add_argument("--budget", type=positive_float, default=60.0,
                   help="time budget in seconds (default 60)")
    add_progress_arg(p)
    p = add_command(fsmf_sub, "hardness", _hardness,
                    "build the FSMF instance of masked rank-one approximation "
                    "(NP-hardness reduction)")
    p.add_argument("--matrix", "-A", metavar="A", help="matrix A of the masked instance")
    p.add_argument("--mask", help="0/1 mask of observed entries (with --matrix)")
    p.add_argument("--biclique", metavar="GRAPH",
                   help="instead of --matrix/--mask: a bipartite graph (0/1 biadjacency, "
                        "file or inline like 110/011) turned into a masked instance by the "
                        "maximum-edge-biclique gadget")
    p.add_argument("--json", action="store_true",
                   help="print a JSON object (the FSMF instance I, J, r; no certificate)")


def outward(x, up, digits=10):
    """``x`` (a Fraction) to ``digits`` significant digits, rounded up (``up``) or down, so
    the printed interval contains the certified one.

    >>> from fractions import Fraction
    >>> outward(Fraction(9999999998998, 10**12), False), outward(Fraction(1, 3), True)
    ('9.999999998', '0.3333333334')
    """
    import decimal
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_CEILING if up
                          else decimal.ROUND_FLOOR)
    v = ctx.divide(decimal.Decimal(x.numerator), decimal.Decimal(x.denominator))
    return f"{float(v):.{digits}g}"     # the same digits (a float holds 15 of them)


def _reduce(args):
    from ..fsmf.hard import check_reduction
    res = check_reduction(*_load(args))
    c = res.certificate
    text = "\n".join([f"constant: {c['constant']}"] + [
        f"part {k}: {p['kind']} {p['m']}x{p['n']} rank {p['rank']} observed {p['observed']}"
        for k, p in enumerate(c["sizes"]["parts"])])
    emit(args, payload(res), text)
    return 0


def _certify(args):
    from ..fsmf.hard import certify_fsmf
    inst = _load(args)
    with progress_for(args, "fsmf certify") as report:
        res = certify_fsmf(*inst, budget=args.budget, progress=report)
    c = res.certificate
    att = {True: "attained", False: "not attained (an infimum no point reaches)",
           None: "attainment undecided"}[c["attained"]]
    lo, hi = c["lower"], c["upper"]
    width = (f"width {float(hi - lo):.3g}" + (f", relative {float((hi - lo) / hi):.3g}"
                                              if hi else ""))
    text = (f"{res.verdict}: {outward(lo, False)} <= inf <= {outward(hi, True)} ({width}); "
            f"{att}" + (f": {c['reason']}" if c.get("reason") else ""))
    emit(args, payload(res), text)
    return 0


def _spurious(args):
    from ..fsmf.hard import find_spurious_minima
    inst = _load(args)
    with progress_for(args, "fsmf spurious") as report:
        res = find_spurious_minima(*inst, starts=args.starts, budget=args.budget,
                                   progress=report)
    data = payload(res)
    values = ", ".join(f"{m['value_float']:.10g}" for m in data["minima"])
    if values:
        better = float(res.certificate["better"])
        text = (f"{res.verdict}: {len(data['minima'])} certified local minimum value(s) "
                f"{values}; an exact feasible point has the lower loss {better:.10g}")
        if data["reason"]:
            text += f"\n(notes of the search: {data['reason']})"
    else:
        text = f"{res.verdict}: no certified spurious local minimum found"
        if data["reason"]:
            text += f" ({data['reason']})"
    emit(args, data, text)
    return 0


def _hardness(args):
    from ..fsmf.hard import biclique_to_masked, masked_to_fsmf
    if (args.biclique is None) == (args.matrix is None and args.mask is None) or \
            (args.biclique is None and (args.matrix is None or args.mask is None)):
        raise UsageError("give either --matrix and --mask, or --biclique alone")
    data, text = {}, ""
    if args.biclique is not None:
        inst = biclique_to_masked(read_support_arg(args.biclique, "--biclique"))
        Am, W = inst.A, inst.mask
        data = {"mask": W.tolist(),
                "c": inst.c, "edges": inst.edges, "nonedges": [list(g) for g in inst.gadgets],
                "shape": list(inst.shape)}
        text = (f"graph with {inst.edges} edges and {len(inst.gadgets)} non-edges -> masked "
                f"{inst.shape[0]}x{inst.shape[1]} instance (c = {inst.c}); "
                f"beta = floor(edges - min)\n")
    else:
        Am = load_matrix_arg(args, path=args.matrix, exact=True)
        W = read_support_arg(args.mask, "--mask")
    A, I, J = masked_to_fsmf(Am, W)
    data.update({"A": to_strings(A), "I": I.tolist(), "J": J.tolist(), "r": I.shape[1]})
    text += f"A = {data['A']}\n" if args.biclique is None else ""
    emit(args, to_jsonable(data), text + f"I = {I}\nJ = {J}")
    return 0

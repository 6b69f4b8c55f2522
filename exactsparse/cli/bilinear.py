"""CLI group ``bilinear``: the blind deconvolution pitfall.

``exactsparse bilinear deconv --x x.txt --h h.txt [--penalty l1|lp|log|tv] [--p P] [--eps E]
[--norm l2|l1|lp] [--q Q] [--circular] [--json]`` compares exactly the planted pair with the
trivial pairs; JSON keys ``planted_cost``, ``trivial_cost`` (exact strings),
``planted_cost_float``, ``trivial_cost_float``, ``trivial_wins``, ``verdict``, ``trivial``,
``lambda_max`` and ``result`` (re-checked by ``exactsparse verify FILE --x x.txt --h h.txt``).

``exactsparse bilinear counterexample --length 8 --seed 0 [--sparsity k] [--filter-length m]
[--json]`` generates a planted pair that the trivial pair strictly beats; JSON keys ``x``,
``h``, ``y``, ``planted_cost``, ``trivial_cost``, their floats, ``trivial_wins``,
``escapes`` and ``result`` (re-checked by ``exactsparse verify FILE``).

Signals are files (one row or one column: ``.txt``/``.csv``/``.json``/``.npy``) or inline
lists such as ``"3,0,0,4"`` or ``"3/5 4/5"``.
"""

from __future__ import annotations

import os
import re

from ..exact import parse_rational
from ..exceptions import ShapeError
from ..fileio import read_matrix
from . import emit
from .common import add_command, add_json_arg
from .payload import payload
from .progress import add_progress_arg, progress_for

__all__ = ["register", "load_signal"]

_INLINE = re.compile(r"^[\s,0-9eE.+/-]+$")


def load_signal(text, name="x"):
    """A 1-D signal from a file (one row or one column) or an inline list ``"3,0,0,4"``."""
    if not os.path.exists(text) and _INLINE.match(text):
        return [parse_rational(t, name) for t in text.replace(",", " ").split()]
    rows = read_matrix(text)
    rows = rows.tolist() if hasattr(rows, "tolist") else rows
    if len(rows) == 1:
        return list(rows[0])
    if all(len(r) == 1 for r in rows):
        return [r[0] for r in rows]
    raise ShapeError(f"Argument {name!r} must be a signal (one row or one column), not a "
                     f"{len(rows)}×{len(rows[0])} matrix in {text!r}.")


def add_signal_args(p, required=True):
    """``--x`` and ``--h`` (files or inline lists)."""
    p.add_argument("--x", required=required, metavar="X",
                   help="sparse signal: file (one row/column) or inline '3,0,0,4'")
    p.add_argument("--h", required=required, metavar="H",
                   help="filter: file (one row/column) or inline '3/5,4/5'")


def register(sub):
    p = sub.add_parser("bilinear", help="ℓ1 penalties in bilinear models: the blind "
                                        "deconvolution pitfall",
                       description="ℓ1 penalties in bilinear models do not always give "
                                   "sparsity (Benichoux, Vincent, Gribonval, ICASSP 2013): "
                                   "exact costs of the planted and trivial pairs.")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True
    d = add_command(cmds, "deconv", _deconv,
                    "exact cost of the planted pair vs the trivial pairs")
    add_signal_args(d)
    d.add_argument("--penalty", default="l1", choices=["l1", "lp", "log", "tv"],
                   help="penalty of the signal (default l1)")
    d.add_argument("--p", default=None, help="exponent of the lp penalty (e.g. 1/2)")
    d.add_argument("--eps", default=None, help="scale of the log penalty (default 1)")
    d.add_argument("--norm", default="l2", choices=["l2", "l1", "lp"],
                   help="normalisation of the filter")
    d.add_argument("--q", default=None, help="exponent of the lp normalisation (≥ 1)")
    d.add_argument("--circular", action="store_true", help="circular convolution")
    d.add_argument("--budget", type=float, default=60.0, help="seconds (default 60)")
    add_json_arg(d)
    add_progress_arg(d)
    c = add_command(cmds, "counterexample", _counterexample,
                    "random sparse planted pair beaten by the trivial pair")
    c.add_argument("--length", type=int, default=8, help="length of the signal x (default 8)")
    c.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    c.add_argument("--sparsity", type=int, default=None,
                   help="number of nonzeros of x (default max(2, length // 4))")
    c.add_argument("--filter-length", type=int, default=3,
                   help="length of the filter h (default 3)")
    add_json_arg(c)


def _deconv(args):
    from ..bilinear import check_deconv_pitfall
    x, h = load_signal(args.x, "x"), load_signal(args.h, "h")
    with progress_for(args, "bilinear deconv") as report:
        r = check_deconv_pitfall(x, h, penalty=args.penalty, norm=args.norm,
                                 circular=args.circular, p=args.p, q=args.q, eps=args.eps,
                                 budget=args.budget, progress=report)
    data = payload(r)
    text = (f"{r.verdict}: planted {r.planted_cost} ≈ {r.planted_cost_float}, trivial "
            f"({data['trivial']}) {r.trivial_cost} ≈ {r.trivial_cost_float}"
            if r.verdict != "unknown" else f"unknown: {r.certificate['reason']}")
    emit(args, data, text)
    return 0


def _counterexample(args):
    from ..bilinear import random_counterexample
    r = random_counterexample(args.length, args.seed, sparsity=args.sparsity,
                              filter_length=args.filter_length)
    c = r.certificate
    data = payload(r)
    emit(args, data, f"x = {data['x']}, h = {data['h']}: trivial {c['trivial_cost']} < planted "
                     f"{c['planted_cost']}")
    return 0

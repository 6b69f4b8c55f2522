"""CLI group ``sweep``: a check on every small support pattern, stored, resumable, reported.

``exactsparse sweep run --check CHECK --rows M --cols N --rank R --out DIR [--workers K]
[--scheduler ADDR|local] [--nondegenerate] [--nnz LO HI] [--stop] [--force] [--json]``
    runs (or resumes) the sweep; JSON keys ``total``, ``by_verdict``,
    ``by_verdict_weighted``, ``counterexamples``, ``seconds`` (plus ``params``,
    ``complete``, ``chunks_done``, ``chunks_total``, ``folder``).
``exactsparse sweep report DIR [DIR ...] [--plot [FILE]] [--json]``
    verdict counts, unweighted and weighted by orbit size, smallest counterexamples; a
    figure with ``--plot`` (default ``DIR/report.png``).
``exactsparse sweep export DIR --to FILE [--format csv|json]``
    every stored row (CSV with a header, or JSON lines).
``exactsparse sweep count --rows M --cols N --rank R [--nondegenerate] [--json]``
    the number of orbits by Burnside's lemma, before running anything.
``exactsparse sweep checks [--json]``
    the named checks and their counterexample verdicts.
"""

from __future__ import annotations

import os

from ..sweep import (CHECKS, count_orbits, export_sweep, format_report, sweep,
                     sweep_report)
from . import emit
from .common import add_command
from .progress import add_progress_arg, progress_enabled

__all__ = ["register"]


def _sizes(p):
    p.add_argument("--rows", "-m", type=int, required=True, help="rows of I (m)")
    p.add_argument("--cols", "-n", type=int, required=True, help="rows of J (n)")
    p.add_argument("--rank", "-r", type=int, required=True, help="columns of I and J (r)")
    p.add_argument("--nondegenerate", action="store_true",
                   help="only pairs where neither I nor J has a zero row or a zero column")
    p.add_argument("--nnz", type=int, nargs=2, metavar=("LO", "HI"),
                   help="only pairs with LO <= nnz(I) + nnz(J) <= HI")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of text")


def register(sub):
    g = sub.add_parser("sweep", help="run a check on every small support pattern",
                       description="Theorem sweeps: every support pair (I, J) of a size up to "
                                   "row permutations of I and J and a common permutation of "
                                   "the r columns, checked in parallel (or on Dask) into a "
                                   "resumable SQLite store, with reports.")
    cmds = g.add_subparsers(dest="command", metavar="COMMAND")
    cmds.required = True
    r = add_command(cmds, "run", _run, "run or resume a sweep into an output folder")
    r.add_argument("--check", required=True,
                   help=f"one of {', '.join(CHECKS)}, or module:function")
    _sizes(r)
    r.add_argument("--out", required=True, help="output folder (SQLite store; resumed)")
    r.add_argument("--workers", type=int, default=None,
                   help="local processes (default: one per core; 1: serial)")
    r.add_argument("--scheduler", default=None,
                   help="Dask scheduler tcp://host:port, or 'local' for a LocalCluster")
    r.add_argument("--seed", type=int, default=0,
                   help="seed of the random matrices of value checks (default 0)")
    r.add_argument("--chunk-size", type=int, default=None,
                   help="patterns per task (default: chosen from the size)")
    r.add_argument("--stop", action="store_true", help="stop at the first counterexample")
    r.add_argument("--counterexample", action="append", default=None, metavar="VERDICT",
                   help="verdict counted as a counterexample (repeatable)")
    r.add_argument("--force", action="store_true", help="run even above the size limit")
    add_progress_arg(r)
    rep = add_command(cmds, "report", _report, "verdict tables and a figure of stored sweeps")
    rep.add_argument("dirs", nargs="+", metavar="DIR", help="sweep output folders")
    rep.add_argument("--plot", nargs="?", const="", default=None, metavar="FILE",
                     help="write a figure (default DIR/report.png)")
    rep.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    e = add_command(cmds, "export", _export, "write a sweep's rows as CSV or JSON lines")
    e.add_argument("dir", metavar="DIR", help="sweep output folder")
    e.add_argument("--to", required=True, metavar="FILE", help="file to write")
    e.add_argument("--format", choices=("csv", "json"), default=None,
                   help="csv or json (JSON lines); default from the file name")
    e.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    c = add_command(cmds, "count", _count, "number of orbits (Burnside), without enumerating")
    _sizes(c)
    k = add_command(cmds, "checks", _checks, "list the named checks")
    k.add_argument("--json", action="store_true", help="print a JSON object instead of text")


def _nnz(args):
    return None if args.nnz is None else tuple(args.nnz)


def _run(args):
    s = sweep(args.check, args.rows, args.cols, args.rank, out=args.out,
              nondegenerate=args.nondegenerate, nnz=_nnz(args), seed=args.seed,
              workers=args.workers, scheduler=args.scheduler, chunk_size=args.chunk_size,
              stop_on_counterexample=args.stop, counterexamples=args.counterexample,
              force=args.force, progress=progress_enabled(args))
    data = s.to_dict()
    rep = {"sweeps": [{**data, "by_verdict_table": {
        v: {"count": s.by_verdict[v], "weighted": s.by_verdict_weighted[v]}
        for v in s.by_verdict}}]}
    emit(args, data, format_report(rep) + f"\n{s.seconds:.2f} s")
    return 0


def _report(args):
    plot = None
    if args.plot is not None:
        plot = args.plot or os.path.join(args.dirs[0], "report.png")
    rep = sweep_report(args.dirs, plot=plot)
    data = dict(rep)
    if len(rep["sweeps"]) == 1:
        one = rep["sweeps"][0]
        data.update({k: one[k] for k in ("total", "weighted_total", "by_verdict",
                                         "by_verdict_weighted", "counterexamples",
                                         "complete", "params")})
    emit(args, data, format_report(rep))
    return 0


def _export(args):
    count = export_sweep(args.dir, args.to, args.format)
    emit(args, {"rows": count, "file": args.to}, f"{count} rows written to {args.to}")
    return 0


def _count(args):
    total = count_orbits(args.rows, args.cols, args.rank, args.nondegenerate, _nnz(args))
    emit(args, {"orbits": total}, f"{total:,} orbits")
    return 0


def _checks(args):
    data = {name: {"counterexamples": list(c.counterexamples), "description": c.description}
            for name, c in CHECKS.items()}
    emit(args, data, "\n".join(f"{name:<30}{c.description}" for name, c in CHECKS.items()))
    return 0

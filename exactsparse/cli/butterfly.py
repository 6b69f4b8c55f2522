"""CLI group ``butterfly``: numeric factorization and exact identification.

``exactsparse butterfly factorize --matrix A.npy --out factors.npz [--perm bitrev|auto]
[--row-perm auto] [--tree left|right|balanced|balanced-floor|comb|inverse-comb]
[--scaling unit|sqrt] [--refine SECONDS] [--json] [--quiet]`` writes the twiddle tensors
(``twiddle_0`` … leftmost first), the ``patterns`` (K×4), ``perm`` and ``row_perm`` to an
``.npz`` and reports ``relative_error`` (against the given matrix), ``seconds`` (the
factorization alone), ``n_factors``, ``optimal`` and the permutations found (``found_perm``,
``found_row_perm``, None for the identity); ``--refine SECONDS`` then refines all factors
together within that time budget (:func:`exactsparse.butterfly.refine.refine`) and adds
``initial_error``, ``refine_seconds``, ``refine_sweeps`` and ``refine_stop``.

``exactsparse butterfly identify --matrix Z [--perm identity|bitrev|auto|FILE]
[--row-perm ...] [--cyclotomic n]
[--json] [--out cert.json]`` decides exactly whether ``Z Pᵀ`` is a butterfly product and prints
the ``verdict`` and its ``certificate``.  With ``--cyclotomic n`` the matrix is an integer
``.npy`` array ``(N, N, n/2)`` of coefficients over ``Q(ζ_n)`` (e.g. the DFT:
``--cyclotomic N --perm bitrev``).

``exactsparse butterfly design --matrix A --budget P [--max-factors K] [--max-rank R]
[--time-budget S] [--plot FILE] [--json]`` fits the chainable KS chains of at most ``P``
parameters and reports the best (numeric, no certificate; ``design_chain``).

``exactsparse butterfly verify RESULT --matrix Z [--perm ...] [--cyclotomic n]`` re-checks a
result against the instance ``(Z, perm)`` and exits 1 if it is INVALID; the generic
``exactsparse verify RESULT --matrix Z [--perm ...] [--cyclotomic n]`` does the same.

The matrix is given by ``--matrix`` (the style of every command); a positional ``MATRIX`` is
still accepted.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from . import emit
from .common import (add_command, add_json_arg, add_matrix_arg, load_matrix_arg, matrix_path,
                     positive_float, positive_int)
from .payload import payload
from .progress import Progress, add_progress_arg, progress_enabled
from .verify import add_perm_args, read_butterfly_matrix, read_perm, verify_file

__all__ = ["register", "WARN_ERROR"]

#: relative error above which ``factorize`` warns that the input is not a butterfly product
WARN_ERROR = 1e-6


def register(sub):
    """Add the ``butterfly`` group to the top-level subparsers."""
    p = sub.add_parser("butterfly", help="butterfly / Kronecker-sparse factorizations",
                       description="Butterfly (Kronecker-sparse) factorizations: fast numeric "
                                   "factorization and exact identification with a "
                                   "certificate.  The matrix is given by --matrix (or, as "
                                   "before, positionally).")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True
    f = add_command(cmds, "factorize", _factorize, "numeric hierarchical butterfly factorization")
    add_matrix_arg(f, positional=True, help="square matrix (.npy, .txt, .csv, .json)")
    f.add_argument("--out", help="write the factors to this .npz file")
    f.add_argument("--perm", default=None, choices=["identity", "bitrev", "auto"],
                   help="known column permutation (bitrev for the DFT) or 'auto'")
    f.add_argument("--row-perm", default=None, choices=["identity", "bitrev", "auto"],
                   help="known row permutation or 'auto' (unknown: recovered)")
    f.add_argument("--tree", default="left",
                   choices=["left", "right", "balanced", "balanced-floor", "comb", "inverse-comb"],
                   help="factorization tree (default left = comb; balanced: ICASSP 2022, "
                        "left part ⌈J/2⌉; balanced-floor: ⌊J/2⌋)")
    f.add_argument("--scaling", default="unit", choices=["unit", "sqrt"],
                   help="how the scale of each rank-one block is shared between the two "
                        "factors (default unit)")
    f.add_argument("--refine", type=float, default=None, metavar="SECONDS",
                   help="after the hierarchical solve, refine all factors together "
                        "(exact block-coordinate least squares) for at most SECONDS")
    f.add_argument("--quiet", action="store_true", help="no progress line (as --no-progress)")
    add_progress_arg(f)
    f.add_argument("--json", action="store_true",
                   help="print a JSON object (relative_error, seconds, n_factors; numeric, "
                        "no certificate)")
    i = add_command(cmds, "identify", _identify,
                    "exact identification over Q with a certificate")
    add_matrix_arg(i, positional=True, help="exact matrix (.txt/.csv/.json, integer .npy)")
    i.add_argument("--out", help="write the result (JSON, re-checkable by verify) to this file")
    add_perm_args(i)
    add_json_arg(i)
    _register_design(cmds)
    v = add_command(cmds, "verify", _verify,
                    "re-check an identify result against (MATRIX, perm); exit 1 if INVALID")
    v.add_argument("result", metavar="RESULT",
                   help="JSON result written by identify --out or identify --json")
    add_matrix_arg(v, positional=True, help="the instance matrix")
    add_perm_args(v, " (as given to identify)")
    v.add_argument("--json", action="store_true",
                   help="print a JSON object: valid, message, kind")


def _save(path, F):
    arrays = {f"twiddle_{k}": t for k, t in enumerate(F.twiddles)}
    arrays["patterns"] = np.array([[p.a, p.b, p.c, p.d] for p in F.patterns], dtype=np.int64)
    if F.perm is not None:
        arrays["perm"] = F.perm
    if F.row_perm is not None:
        arrays["row_perm"] = F.row_perm
    np.savez(path, **arrays)


def _factorize(args):
    from ..butterfly import ButterflyFitWarning, butterfly_factorize
    A = load_matrix_arg(args, numeric=True)
    if args.refine is not None:
        from .._budget import check_budget
        check_budget(args.refine, name="--refine", allow_none=False)
    bar = Progress("factorizing") if progress_enabled(args) and not args.quiet else None
    done, total = [0], 2 * A.size           # entries read by the splits (about 2 matrices)

    def report(n):
        done[0] += n
        bar("entries", done[0], total)

    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():    # the exact error is reported below, once
            warnings.simplefilter("ignore", ButterflyFitWarning)
            F = butterfly_factorize(A, tree=args.tree, scaling=args.scaling, perm=args.perm,
                                    row_perm=args.row_perm,
                                    progress=None if bar is None else report)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - t0
    extra = {"optimal": F.optimal}
    if args.refine is not None:
        from ..butterfly.refine import refine
        t1 = time.perf_counter()
        out = refine(F, A, budget=args.refine)
        F = out.factors
        extra.update(initial_error=out.initial_error, refine_seconds=time.perf_counter() - t1,
                     refine_sweeps=out.sweeps, refine_stop=out.stop_reason)
    err = float(F.relative_error(A))
    if args.out:
        _save(args.out, F)
    data = {"relative_error": err, "seconds": seconds, "n_factors": F.n_factors,
            "N": int(A.shape[-1]), "tree": args.tree, "scaling": args.scaling,
            "perm": args.perm, "row_perm": args.row_perm, "out": args.out,
            "found_perm": None if F.perm is None else F.perm.tolist(),
            "found_row_perm": None if F.row_perm is None else F.row_perm.tolist(), **extra}
    if not err <= WARN_ERROR:
        print(f"exactsparse: warning: relative error {err:.3g}: the matrix is not (numerically)"
              f" a butterfly product under --perm {args.perm or 'identity'}"
              + ("" if args.perm == "auto" else "; try --perm auto"), file=sys.stderr)
    emit(args, data, f"{F.n_factors} butterfly factors of a {A.shape[0]}×{A.shape[1]} "
                     f"matrix in {seconds:.3f} s, relative error {err:.3e}"
                     + (f" (refined from {extra['initial_error']:.3e} in "
                        f"{extra['refine_sweeps']} sweeps, stop: {extra['refine_stop']})"
                        if args.refine is not None else "")
                     + (f"; written to {args.out}" if args.out else ""))
    return 0


def _register_design(cmds):
    d = add_command(cmds, "design", _design, "pick the Kronecker-sparse chain of at most "
                    "--budget parameters that best approximates the matrix (numeric)")
    add_matrix_arg(d, help="the matrix (.npy, .txt, .csv, .json)")
    d.add_argument("--budget", type=positive_int, required=True, metavar="P",
                   help="largest number of parameters of the chain")
    d.add_argument("--max-factors", type=positive_int, default=None, metavar="K",
                   help="largest number of factors (default: prime factors of the size)")
    d.add_argument("--max-rank", type=positive_int, default=None, metavar="R",
                   help="largest rank of a split (default: no limit)")
    d.add_argument("--time-budget", type=positive_float, default=60.0, metavar="S",
                   help="seconds for enumeration and fits (default 60)")
    d.add_argument("--plot", metavar="FILE", help="draw error vs parameters (matplotlib)")
    d.add_argument("--json", action="store_true",
                   help="print a JSON object (chosen, error, pareto, front_exact, skipped; "
                        "numeric, no certificate)")


def _design(args):
    from ..butterfly import design_chain
    A = load_matrix_arg(args, numeric=True)
    if args.plot:                      # before the fits, not after them
        from ..plot import require_matplotlib
        require_matplotlib()
    res = design_chain(A, args.budget, time_budget=args.time_budget,
                       max_factors=args.max_factors, max_rank=args.max_rank)
    if args.plot:
        from ..plot import design_curve
        design_curve(res, args.plot)
    c = res.chosen
    emit(args, res.to_dict(),
         f"chosen chain {c}: {c.params} parameters, {c.flops} flops per vector, relative "
         f"error {res.error:.3e}; {res.n_candidates} candidates, {len(res.fits)} fitted, "
         f"Pareto front {'exact' if res.front_exact else 'partial'}"
         + (f"; picture in {args.plot}" if args.plot else ""))
    return 0


def _verify(args):
    return verify_file(args, {"Z": read_butterfly_matrix(args, matrix_path(args)),
                              "perm": read_perm(args.perm),
                              "row_perm": read_perm(args.row_perm)})


def _identify(args):
    from ..butterfly import identify_butterfly
    Z = read_butterfly_matrix(args, matrix_path(args))
    r = identify_butterfly(Z, perm=read_perm(args.perm), row_perm=read_perm(args.row_perm),
                           cyclotomic=args.cyclotomic)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(r.to_json())
    cert = r.certificate
    if r.verdict == "butterfly":
        text = (f"butterfly: {len(cert['factors'])} exact factors; essentially unique: "
                f"{cert['essentially_unique']}")
    elif r.verdict == "unknown":
        text = f"unknown: {cert['reason']}"
    else:
        text = (f"not-butterfly: rows {cert['rows']} × cols {cert['cols']} form a 2×2 minor "
                f"of determinant {cert['determinant']} inside one rank-one block of split "
                f"{cert['level']}")
    emit(args, payload(r), text)
    return 0

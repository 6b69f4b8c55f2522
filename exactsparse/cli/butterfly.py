"""CLI group ``butterfly``: numeric factorization and exact identification.

``exactsparse butterfly factorize --matrix A.npy --out factors.npz [--perm bitrev|auto]
[--row-perm auto] [--perm-budget SECONDS] [--tree left|right|balanced|balanced-floor|comb|
inverse-comb|"((0,1),(2,3))" | --split-order 2,1,3] [--scaling unit|sqrt] [--refine SECONDS]
[--json] [--quiet]`` writes
the twiddle tensors
(``twiddle_0`` … leftmost first), the ``patterns`` (K×4), ``perm`` and ``row_perm`` to an
``.npz`` (``.npz`` appended when ``--out`` lacks it, as numpy does; the JSON ``out`` is the
file written; a missing or read-only directory is refused before the computation) and reports ``relative_error`` (against the given matrix), ``seconds`` (the
factorization alone), ``n_factors``, ``optimal`` and the permutations found (``found_perm``,
``found_row_perm``, None for the identity).  The search of ``--perm auto`` / ``--row-perm
auto`` stops after ``--perm-budget`` seconds (default ``PERM_BUDGET``, 30 s) and factorizes
its best permutations so far; ``perm_search_stop`` says ``"converged"`` or ``"budget"`` (None
without ``auto``).  ``--refine SECONDS`` then refines all factors
together within that time budget (:func:`exactsparse.butterfly.refine.refine`) and adds
``initial_error``, ``refine_seconds``, ``refine_sweeps`` and ``refine_stop``.  ``--tree``
takes a preset name or a nested tuple of factor indices (``"((0,1),(2,3))"``: the leaves,
left to right, are the factors ``0 … K−1`` of the chain, ``K = log2 N``; read with
:func:`ast.literal_eval`, never evaluated); ``--split-order`` takes the ``K − 1`` cut
positions, comma-separated, in the order the cuts are made (:mod:`exactsparse.butterfly.trees`).
A tree that does not fit the matrix, a ``--refine`` / ``--perm-budget`` that is not a
positive finite number of seconds, or a ``--perm-budget`` without an ``auto``, is a usage
error (exit 2) naming the flag.  A relative
error above ``WARN_ERROR`` (1e-6) is reported on stderr: up to 5 % (the library's
``WRONG_PERM_ERROR``) as "not an exact butterfly product", above it as "not (numerically) a
butterfly product under --perm …" with a hint to try ``--perm auto`` / ``--row-perm auto``.

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

import argparse
import ast
import itertools
import os
import sys
import time
import warnings

import numpy as np

from . import emit
from .common import (UsageError, add_command, add_json_arg, add_matrix_arg, load_matrix_arg,
                     matrix_path, not_a_directory, positive_float, positive_int)
from .payload import payload
from .progress import Progress, add_progress_arg, progress_enabled
from .verify import add_perm_args, read_butterfly_matrix, read_perm, verify_file

__all__ = ["register", "WARN_ERROR", "PERM_BUDGET", "fit_warning", "out_path"]

#: relative error above which ``factorize`` warns that the input is not an exact butterfly
#: product (the permutation hint comes only above ``numeric.WRONG_PERM_ERROR``)
WARN_ERROR = 1e-6

#: default seconds of the permutation search of ``--perm auto`` / ``--row-perm auto``
PERM_BUDGET = 30.0

#: the preset trees of ``--tree`` (:data:`exactsparse.butterfly.trees.TREE_NAMES`, which a
#: test keeps equal; not imported here so that ``--help`` does not load the solver)
TREE_PRESETS = ("left", "right", "balanced", "balanced-floor", "comb", "inverse-comb")
_TREE_TEXT = set("0123456789,()[] \t")
_TREE_EXPECTED = (f"a preset ({', '.join(TREE_PRESETS)}) or a nested tuple of factor indices "
                  "such as '((0,1),(2,3))'")


def _tree_problem(obj):
    """What makes ``obj`` (a parsed literal) not a nested tuple of ints, or None."""
    if isinstance(obj, int) and not isinstance(obj, bool):
        return None
    if isinstance(obj, (tuple, list)):
        if len(obj) != 2:
            flat = all(isinstance(v, int) for v in obj)
            return (f"a node with {len(obj)} elements; every node is a pair (left, right)"
                    + ("; a flat list of cut positions goes to --split-order" if flat and obj
                       else ""))
        return _tree_problem(obj[0]) or _tree_problem(obj[1])
    return f"the leaf {obj!r} is not a factor index"


def tree_arg(text):
    """The ``--tree`` value: a preset name, or a nested tuple of ints read with
    :func:`ast.literal_eval` (only digits, commas, brackets and blanks; never evaluated)."""
    t = text.strip()
    if t in TREE_PRESETS:
        return t
    if not t or not set(t) <= _TREE_TEXT or len(t) > 20000:
        raise argparse.ArgumentTypeError(f"must be {_TREE_EXPECTED}, not {text[:80]!r}")
    depth = max(itertools.accumulate(1 if ch in "([" else -1 if ch in ")]" else 0
                                     for ch in t), default=0)
    if depth > 256:
        raise argparse.ArgumentTypeError(f"must be {_TREE_EXPECTED}, not a text nested "
                                         f"{depth} levels deep (at most 256)")
    try:
        obj = ast.literal_eval(t)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise argparse.ArgumentTypeError(
            f"must be {_TREE_EXPECTED}, not {text[:80]!r} (not well formed: unbalanced "
            f"parentheses or a missing comma)") from None
    problem = _tree_problem(obj)
    if problem:
        raise argparse.ArgumentTypeError(f"must be {_TREE_EXPECTED}, not {text[:80]!r} "
                                         f"({problem})")
    return _tupled(obj)


def _tupled(obj):
    return tuple(_tupled(v) for v in obj) if isinstance(obj, (tuple, list)) else obj


def split_order_arg(text):
    """The ``--split-order`` value: comma-separated integers (the cut positions)."""
    parts = [p.strip() for p in text.split(",")]
    if parts == [""]:
        return ()
    if len(text) > 20000 or not all(p.isdigit() and p.isascii() for p in parts):
        raise argparse.ArgumentTypeError(f"must be comma-separated cut positions such as "
                                         f"2,1,3, not {text[:80]!r}")
    return tuple(int(p) for p in parts)


def _factor_count(A):
    """``K = log2 N`` of the butterfly chain of the square ``A`` (None when it has none:
    the solver then names the problem with the matrix)."""
    if A.ndim < 2 or A.shape[-2] != A.shape[-1]:
        return None
    n = A.shape[-1]
    return None if n < 2 or n & (n - 1) else n.bit_length() - 1


def checked_tree(args, A):
    """The tree of ``--tree`` / ``--split-order`` for the chain of ``A`` (a preset name or a
    nested tuple, as the JSON output reports it); a tree that does not fit is a usage error
    naming the flag, the leaves (or cuts) expected and those given."""
    K = _factor_count(A)
    if args.split_order is not None:
        cuts = args.split_order
        if K is not None and sorted(cuts) != list(range(1, K)):
            raise UsageError(
                f"argument --split-order: must list each cut position 1 … {K - 1} exactly "
                f"once (K = {K} factor{'s' * (K > 1)} for N = {A.shape[-1]}), not "
                f"{','.join(map(str, cuts)) or 'nothing'}")
        if K is None:
            return list(cuts)
        from ..butterfly.trees import tree_from_split_order
        return tree_from_split_order(cuts, K)
    tree = "left" if args.tree is None else args.tree
    if isinstance(tree, str) or K is None:
        return tree
    from ..butterfly.trees import preset_tree, tree_leaves
    leaves = tree_leaves(tree)
    if leaves != tuple(range(K)):
        example = str(preset_tree("balanced", K)).replace(" ", "")
        raise UsageError(
            f"argument --tree: must have the leaves 0 … {K - 1} in order, one per factor "
            f"(K = {K} factor{'s' * (K > 1)} for N = {A.shape[-1]}, e.g. '{example}'), not "
            f"the leaves {','.join(map(str, leaves))}")
    return tree


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
    f.add_argument("--out", help="write the factors to this .npz file ('.npz' is appended "
                                 "when missing, as numpy does; the JSON 'out' is the file "
                                 "written)")
    f.add_argument("--perm", default=None, choices=["identity", "bitrev", "auto"],
                   help="known column permutation (bitrev for the DFT) or 'auto'")
    f.add_argument("--row-perm", default=None, choices=["identity", "bitrev", "auto"],
                   help="known row permutation or 'auto' (unknown: recovered)")
    f.add_argument("--perm-budget", type=positive_float, default=None,
                   metavar="SECONDS",
                   help=f"time budget of the search of --perm auto / --row-perm auto "
                        f"(default {PERM_BUDGET:g}); when it runs out the best permutations "
                        f"so far are factorized and the JSON 'perm_search_stop' is 'budget'; "
                        f"a usage error without an 'auto'")
    trees = f.add_mutually_exclusive_group()
    trees.add_argument("--tree", default=None, type=tree_arg, metavar="TREE",
                       help="factorization tree: a preset, left (default; alias comb), right "
                            "(inverse-comb), balanced (ICASSP 2022: left part ⌈J/2⌉), "
                            "balanced-floor (⌊J/2⌋); or a nested tuple of factor indices, "
                            "quoted, e.g. \"((0,1),(2,3))\" for N = 16 (leaves 0 … K−1 in "
                            "order, K = log2 N factors)")
    trees.add_argument("--split-order", type=split_order_arg, default=None, metavar="CUTS",
                       help="the tree as its cut positions 1 … K−1, comma-separated, in the "
                            "order the cuts are made (cut k separates factors 0 … k−1 from "
                            "k … K−1), e.g. 2,1,3 = ((0,1),(2,3)) for N = 16")
    f.add_argument("--scaling", default="unit", choices=["unit", "sqrt"],
                   help="how the scale of each rank-one block is shared between the two "
                        "factors (default unit)")
    f.add_argument("--refine", type=positive_float, default=None, metavar="SECONDS",
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


def load_numeric(args):
    """The float matrix of ``--matrix``; a non-finite entry is named by its position."""
    from ..exceptions import NonFiniteError
    try:
        return load_matrix_arg(args, numeric=True)
    except NonFiniteError:
        from ..fileio import first_non_finite, read_table
        path = matrix_path(args)
        found = first_non_finite(read_table(path))
        if found is None:
            raise
        (i, j), value = found
        raise NonFiniteError(f"File {path!r} (--matrix) must hold finite numbers, not "
                             f"{value} at row {i}, column {j} (counting from 0).") from None


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
    target = out_path(args.out, suffix=".npz") if args.out else None   # before the work
    auto = "auto" in (args.perm, args.row_perm)
    if args.perm_budget is not None and not auto:    # before the work: nothing to budget
        raise UsageError("argument --perm-budget: applies to the search of --perm auto / "
                         "--row-perm auto, and neither is given")
    perm_budget = PERM_BUDGET if args.perm_budget is None else args.perm_budget
    A = load_numeric(args)
    tree = checked_tree(args, A)
    bar = Progress("factorizing") if progress_enabled(args) and not args.quiet else None
    done, total = [0], 2 * A.size           # entries read by the splits (about 2 matrices)

    def report(n):
        done[0] += n
        bar("entries", done[0], total)

    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():    # the exact error is reported below, once
            warnings.simplefilter("ignore", ButterflyFitWarning)
            F = butterfly_factorize(A, tree=tree, scaling=args.scaling, perm=args.perm,
                                    row_perm=args.row_perm, budget=perm_budget,
                                    progress=None if bar is None else report)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - t0
    extra = {"optimal": F.optimal, "perm_search_stop": F.perm_search}
    if args.refine is not None:
        from ..butterfly.refine import refine
        t1 = time.perf_counter()
        out = refine(F, A, budget=args.refine)
        F = out.factors
        extra.update(initial_error=out.initial_error, refine_seconds=time.perf_counter() - t1,
                     refine_sweeps=out.sweeps, refine_stop=out.stop_reason)
    err = float(F.relative_error(A))
    if target:
        _save(target, F)
    data = {"relative_error": err, "seconds": seconds, "n_factors": F.n_factors,
            "N": int(A.shape[-1]), "tree": tree, "scaling": args.scaling,
            "perm": args.perm, "row_perm": args.row_perm, "out": target,
            "found_perm": None if F.perm is None else F.perm.tolist(),
            "found_row_perm": None if F.row_perm is None else F.row_perm.tolist(), **extra}
    warning = fit_warning(err, args.perm, args.row_perm, F.perm_search == "budget")
    if warning:
        print(f"exactsparse: warning: {warning}", file=sys.stderr)
    emit(args, data, f"{F.n_factors} butterfly factors of a {A.shape[0]}×{A.shape[1]} "
                     f"matrix in {seconds:.3f} s, relative error {err:.3e}"
                     + (f" (refined from {extra['initial_error']:.3e} in "
                        f"{extra['refine_sweeps']} sweeps, stop: {extra['refine_stop']})"
                        if args.refine is not None else "")
                     + (f"; the permutation search was stopped by --perm-budget "
                        f"{perm_budget:g} (best permutations so far)"
                        if F.perm_search == "budget" else "")
                     + (f"; written to {target}" if target else ""))
    return 0


def fit_warning(err, perm, row_perm, stopped=False):
    """The warning of ``factorize`` for the relative error ``err`` (None when
    ``err <= WARN_ERROR``).  Up to ``WRONG_PERM_ERROR`` (5 %, the library's threshold for a
    wrong permutation) the input is an approximate product, e.g. a noisy one, and no
    permutation would help; above it (or NaN) the permutations are the likely cause and the
    flags not already ``auto`` are suggested (``stopped``: the ``auto`` search was stopped by
    its budget, and a larger ``--perm-budget`` is suggested)."""
    from ..butterfly.numeric import WRONG_PERM_ERROR
    if err <= WARN_ERROR:
        return None
    if err <= WRONG_PERM_ERROR:
        return (f"relative error {err:.3g}: the matrix is not an exact butterfly product "
                f"(error above {WARN_ERROR:g}, e.g. a noisy one); the factors approximate it")
    under = f"--perm {perm or 'identity'}" + (f" and --row-perm {row_perm}" if row_perm else "")
    hint = " ".join(f"{flag} auto" for flag, v in (("--perm", perm), ("--row-perm", row_perm))
                    if v != "auto")
    rest = (" (the permutation search was stopped by its budget: a larger --perm-budget "
            "may find them)" if stopped else " (nor, it seems, up to permutations)")
    return (f"relative error {err:.3g}: the matrix is not (numerically) a butterfly product "
            f"under {under}" + (f"; try {hint} (recovers unknown permutations)" if hint else
                                 rest))


def out_path(path, flag="--out", suffix=None):
    """The file an output option will write (``path`` with ``suffix`` appended when it does
    not end with it, as :func:`numpy.savez` does), checked before any computation: a
    directory is a usage error, a missing or read-only directory an
    :class:`~exactsparse.ArgumentError` naming ``flag``."""
    from ..exceptions import ArgumentError
    if suffix and not path.endswith(suffix):
        path += suffix
    not_a_directory(path, flag)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ArgumentError(f"Argument '{flag}' must name a file in an existing directory, not "
                            f"{path!r} (no directory {folder!r}).")
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        raise ArgumentError(f"Argument '{flag}' must name a writable file, not {path!r} "
                            f"(permission denied).")
    return path


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
    A = load_numeric(args)
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


def exact_matrix(args, command):
    """The matrix of ``identify``/``verify`` (exact): a float ``.npy`` is refused with the
    command-line way out (an exact file, or ``factorize`` for a numeric fit)."""
    path = matrix_path(args)
    Z = read_butterfly_matrix(args, path)
    if args.cyclotomic is None and isinstance(Z, np.ndarray) and Z.dtype.kind in "fc":
        from ..exceptions import FloatInExactError
        raise FloatInExactError(
            f"File {path!r} (--matrix) holds {Z.dtype} entries, but butterfly {command} is "
            f"exact: save the matrix as an integer .npy, or as a .txt/.csv/.json file of "
            f"integers, p/q or decimals (read exactly); for a numeric fit use `exactsparse "
            f"butterfly factorize --matrix {path}`.")
    return Z


def _verify(args):
    return verify_file(args, {"Z": exact_matrix(args, "verify"),
                              "perm": read_perm(args.perm),
                              "row_perm": read_perm(args.row_perm)})


def _identify(args):
    from ..butterfly import identify_butterfly
    if args.out:
        out_path(args.out)
    Z = exact_matrix(args, "identify")
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

"""CLI group ``butterfly``: numeric factorization and exact identification.

``exactsparse butterfly factorize MATRIX.npy --out factors.npz [--perm bitrev]
[--tree left|right|balanced] [--scaling unit|sqrt] [--json] [--quiet]`` writes the twiddle
tensors (``twiddle_0`` … leftmost first), the ``patterns`` (K×4) and ``perm`` to an ``.npz``
and reports ``relative_error``, ``seconds`` (the factorization alone) and ``n_factors``.

``exactsparse butterfly identify MATRIX [--perm identity|bitrev|FILE] [--cyclotomic n]
[--json] [--out cert.json]`` decides exactly whether ``Z Pᵀ`` is a butterfly product and prints
the ``verdict`` and its ``certificate``.  With ``--cyclotomic n`` the matrix is an integer
``.npy`` array ``(N, N, n/2)`` of coefficients over ``Q(ζ_n)`` (e.g. the DFT:
``--cyclotomic N --perm bitrev``).

``exactsparse butterfly verify RESULT MATRIX [--perm ...] [--cyclotomic n]`` re-checks a result
against the instance ``(Z, perm)``.  The generic ``exactsparse verify RESULT --matrix Z``
passes ``Z`` alone, which means the identity permutation.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ..certificates import to_jsonable
from ..fileio import read_matrix
from . import emit

__all__ = ["register"]


def register(sub):
    p = sub.add_parser("butterfly", help="butterfly / Kronecker-sparse factorizations")
    cmds = p.add_subparsers(dest="command", metavar="SUBCOMMAND")
    cmds.required = True
    f = cmds.add_parser("factorize", help="numeric hierarchical butterfly factorization")
    f.add_argument("matrix", metavar="MATRIX", help="square matrix (.npy, .txt, .csv, .json)")
    f.add_argument("--out", help="write the factors to this .npz file")
    f.add_argument("--perm", default=None, choices=["identity", "bitrev", "auto"],
                   help="known column permutation (bitrev for the DFT) or 'auto'")
    f.add_argument("--tree", default="left", choices=["left", "right", "balanced"])
    f.add_argument("--scaling", default="unit", choices=["unit", "sqrt"])
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.set_defaults(func=_factorize)
    i = cmds.add_parser("identify", help="exact identification over Q with a certificate")
    i.add_argument("matrix", metavar="MATRIX", help="exact matrix (.txt/.csv/.json, integer .npy)")
    i.add_argument("--out", help="write the result (JSON, re-checkable by verify) to this file")
    i.add_argument("--perm", default="identity", metavar="identity|bitrev|FILE",
                   help="known column permutation P (Z Pᵀ is identified): identity (default), "
                        "bitrev (the DFT), or a file of indices (.npy or text)")
    i.add_argument("--cyclotomic", type=int, default=None, metavar="n",
                   help="work over Q(ζ_n): MATRIX is an integer .npy array (N, N, n/2) of "
                        "coefficients (the DFT: --cyclotomic N --perm bitrev)")
    i.add_argument("--json", action="store_true", help="machine-readable output")
    i.set_defaults(func=_identify)
    v = cmds.add_parser("verify", help="re-check an identify result against (MATRIX, perm)")
    v.add_argument("result", metavar="RESULT", help="JSON result written by identify --out")
    v.add_argument("matrix", metavar="MATRIX", help="the instance matrix")
    v.add_argument("--perm", default="identity", metavar="identity|bitrev|FILE")
    v.add_argument("--cyclotomic", type=int, default=None, metavar="n")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.set_defaults(func=_verify)


class _Bar:
    """A minimal progress bar on stderr (only drawn when stderr is a terminal)."""

    def __init__(self, total, enabled):
        self.total, self.done, self.enabled = max(total, 1), 0, enabled

    def __call__(self, n):
        self.done += n
        if self.enabled:
            frac = min(1.0, self.done / self.total)
            sys.stderr.write(f"\rfactorizing [{'#' * int(30 * frac):<30}] {100 * frac:5.1f}%")
            sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def _save(path, F):
    arrays = {f"twiddle_{k}": t for k, t in enumerate(F.twiddles)}
    arrays["patterns"] = np.array([[p.a, p.b, p.c, p.d] for p in F.patterns], dtype=np.int64)
    if F.perm is not None:
        arrays["perm"] = F.perm
    np.savez(path, **arrays)


def _factorize(args):
    from ..butterfly import butterfly_factorize
    A = read_matrix(args.matrix, numeric=True)
    bar = _Bar(2 * A.size, enabled=sys.stderr.isatty() and not args.quiet)
    t0 = time.perf_counter()
    F = butterfly_factorize(A, tree=args.tree, scaling=args.scaling, perm=args.perm,
                            progress=bar)
    seconds = time.perf_counter() - t0
    bar.close()
    err = float(F.relative_error(A))
    if args.out:
        _save(args.out, F)
    data = {"relative_error": err, "seconds": seconds, "n_factors": F.n_factors,
            "N": int(A.shape[-1]), "tree": args.tree, "scaling": args.scaling,
            "perm": args.perm, "out": args.out}
    emit(args, data, f"{F.n_factors} butterfly factors of a {A.shape[0]}×{A.shape[1]} "
                     f"matrix in {seconds:.3f} s, relative error {err:.3e}"
                     + (f"; written to {args.out}" if args.out else ""))
    return 0


def _read_perm(spec):
    """``identity``/``bitrev`` or a file of column indices (.npy, or whitespace/comma text)."""
    if spec in ("identity", "bitrev"):
        return None if spec == "identity" else "bitrev"
    from ..exceptions import ArgumentError
    try:
        if str(spec).endswith(".npy"):
            p = np.load(spec, allow_pickle=False)
        else:
            with open(spec, encoding="utf-8") as fh:
                p = np.array([int(t) for t in fh.read().replace(",", " ").split()], dtype=np.int64)
    except (OSError, ValueError) as exc:
        raise ArgumentError(f"Argument '--perm' must be identity, bitrev or a file of column "
                            f"indices, not {spec!r} ({exc}).") from None
    return np.asarray(p).ravel()


def _read_instance(args):
    if args.cyclotomic is None:
        return read_matrix(args.matrix)
    from ..exceptions import ArgumentError
    try:
        Z = np.load(args.matrix, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ArgumentError(f"With --cyclotomic, MATRIX must be an integer .npy array "
                            f"(N, N, n/2), not {args.matrix!r} ({exc}).") from None
    return Z


def _verify(args):
    from .common import verify_file
    return verify_file(args, {"Z": _read_instance(args), "perm": _read_perm(args.perm)})


def _identify(args):
    from ..butterfly import identify_butterfly
    Z = _read_instance(args)
    r = identify_butterfly(Z, perm=_read_perm(args.perm), cyclotomic=args.cyclotomic)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(r.to_json())
    cert = r.certificate
    if r.verdict == "butterfly":
        text = (f"butterfly: {len(cert['factors'])} exact factors; essentially unique: "
                f"{cert['essentially_unique']}")
    else:
        text = (f"not-butterfly: rows {cert['rows']} × cols {cert['cols']} form a 2×2 minor "
                f"of determinant {cert['determinant']} inside one rank-one block of split "
                f"{cert['level']}")
    emit(args, {"verdict": r.verdict, "certificate": to_jsonable(cert), "theorem": r.theorem,
                "kind": r.kind}, text)
    return 0

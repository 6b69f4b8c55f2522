"""Re-checking a saved result on the command line (``exactsparse verify``,
``exactsparse butterfly verify``).

The file may hold a result (``Result.to_json``), a command's ``--json`` output (the result
is its ``"result"`` key) or the ``--json`` output of ``exactsparse demo`` (each example's
results are checked against the built-in example of that name).  The instance comes from the
options named for the result's kind in :data:`exactsparse.cli.payload.INSTANCE_FLAGS`; a
missing or foreign option is a usage error that names it.  Exit code 0 when every
certificate is valid, 1 when one is INVALID (as ``sha256sum -c``), and
:data:`EXIT_UNKNOWN` (3) when none is invalid but the ``--budget`` ran out before one was
re-checked (nothing proven either way).
"""

from __future__ import annotations

import json

import numpy as np

from . import emit
from .common import UsageError, load_matrix_arg, load_pair, not_a_directory, positive_float
from .bilinear import load_signal
from .payload import INSTANCE_FLAGS

__all__ = ["verify_file", "instance_from_args", "read_perm", "read_butterfly_matrix",
           "add_perm_args", "add_verify_budget_arg", "EXIT_UNKNOWN"]

#: exit code of ``verify`` when the budget ran out before a certificate was re-checked
EXIT_UNKNOWN = 3


def add_verify_budget_arg(p):
    """``--budget SECONDS`` of the verify commands (exit code 3 when it runs out)."""
    p.add_argument("--budget", type=positive_float, default=None, metavar="SECONDS",
                   help="time limit of the check; when it runs out the outcome is UNKNOWN "
                        f"(exit code {EXIT_UNKNOWN}; default: no limit)")


def add_perm_args(p, help_suffix=""):
    """``--perm`` and ``--cyclotomic`` (the butterfly instance)."""
    p.add_argument("--perm", default=None, metavar="identity|bitrev|auto|FILE",
                   help="known column permutation P (Z Pᵀ is identified): identity (default), "
                        "bitrev (the DFT), auto (unknown: recovered and certified), or a "
                        "file of indices (.npy or text)" + help_suffix)
    p.add_argument("--row-perm", default=None, metavar="identity|bitrev|auto|FILE",
                   help="known row permutation R (Z[row_perm][:, perm] is identified), or "
                        "auto (unknown: recovered and certified)" + help_suffix)
    p.add_argument("--cyclotomic", type=int, default=None, metavar="n",
                   help="work over Q(ζ_n): the matrix is an integer .npy array (N, N, n/2) of "
                        "coefficients (the DFT: --cyclotomic N --perm bitrev)" + help_suffix)


def read_perm(spec):
    """``identity``/``bitrev``/``auto`` or a file of indices (.npy, or whitespace/comma
    text)."""
    if spec in (None, "identity", "bitrev", "auto"):
        return None if spec in (None, "identity") else spec
    from ..exceptions import ArgumentError
    not_a_directory(spec, "--perm")
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


def read_butterfly_matrix(args, path):
    """The matrix ``Z`` of a butterfly instance (over Q, or with ``--cyclotomic n`` an
    integer ``.npy`` array of coefficients)."""
    if args.cyclotomic is None:
        return load_matrix_arg(args, path=path)
    from ..exceptions import ArgumentError
    not_a_directory(path, "--matrix")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ArgumentError(f"With --cyclotomic, MATRIX must be an integer .npy array "
                            f"(N, N, n/2), not {path!r} ({exc}).") from None


def _given(args):
    flags = {"--matrix": args.matrix, "--left": args.left,
             "--right": args.right if args.right is not None else args.right_rx,
             "--perm": args.perm, "--row-perm": getattr(args, "row_perm", None),
             "--cyclotomic": args.cyclotomic,
             "--x": getattr(args, "x", None), "--h": getattr(args, "h", None)}
    return {k for k, v in flags.items() if v is not None}


def instance_from_args(args, kind):
    """The instance of a ``kind`` result from the options of ``exactsparse verify``."""
    given = _given(args)
    if isinstance(kind, str) and kind.startswith("relu."):
        raise UsageError(f"a {kind} result is re-checked against its network with "
                         "`exactsparse relu verify RESULT NET.json [B.json] [--samples X]`")
    needed = INSTANCE_FLAGS.get(kind) if isinstance(kind, str) else None
    if needed is not None:
        optional = ({"--perm", "--row-perm", "--cyclotomic"} if kind == "butterfly.identify"
                    else set())
        missing = [f for f in needed if f not in given]
        if missing:
            names = " ".join(f + (" (or --right-rx)" if f == "--right" else "")
                             for f in missing)
            raise UsageError(f"a {kind} result is checked against its instance "
                             f"{' '.join(needed)}: missing {names}")
        foreign = sorted(given - set(needed) - optional)
        if foreign:
            raise UsageError(f"{', '.join(foreign)} is not part of a {kind} instance "
                             f"(give {' '.join(needed)})")
    if kind == "butterfly.identify":
        Z = read_butterfly_matrix(args, args.matrix) if args.cyclotomic is not None else \
            load_matrix_arg(args, path=args.matrix, exact=True)
        return {"Z": Z, "perm": read_perm(args.perm),
                "row_perm": read_perm(args.row_perm)}
    if {"--x", "--h"} & given:
        if not {"--x", "--h"} <= given:
            raise UsageError("give both --x and --h (or neither)")
        return (load_signal(args.x, "x"), load_signal(args.h, "h"))
    parts = []
    if "--matrix" in given:
        parts.append(load_matrix_arg(args, path=args.matrix, exact=True))
    if "--left" in given or "--right" in given:
        if not {"--left", "--right"} <= given:
            raise UsageError("give both --left and --right/--right-rx (or neither)")
        parts.extend(load_pair(args))
    return parts[0] if len(parts) == 1 else tuple(parts)


def _read(path):
    from ..exceptions import CertificateError
    not_a_directory(path, "RESULT")
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CertificateError(f"invalid certificate: cannot read {path!r} ({exc})") from None


def _results(data):
    """``[(example name or None, result dict)]`` held by a saved file, or None."""
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        return [(None, data["result"], data)]
    if isinstance(data, dict) and "kind" in data:
        return [(None, data, None)]
    if isinstance(data, list) and data and all(
            isinstance(r, dict) and isinstance(r.get("name"), str) for r in data):
        out = []
        for row in data:
            for step in ("classify", "solve"):
                step_data = row.get(step)
                if isinstance(step_data, dict) and isinstance(step_data.get("result"), dict):
                    out.append((row["name"], step_data["result"], step_data))
        return out or None
    return None


def _stale_key(container, result):
    """A message when a documented key saved beside ``"result"`` (``verdict``, ``value``,
    ...) differs from what the result itself gives (:func:`~.payload.contract_keys`), so
    that a file whose readable keys were edited is not reported valid; None when they
    agree.  Keys that are not part of the contract are not compared."""
    if not isinstance(container, dict):
        return None
    from ..certificates import Result
    from .payload import contract_keys
    try:
        expected = json.loads(json.dumps(contract_keys(Result.from_dict(result))))
    except Exception as exc:  # noqa: BLE001 - the certificate itself already checked out
        return f"invalid certificate: the saved result does not rebuild its keys ({exc})"
    for key, value in expected.items():
        if key in container and container[key] != value:
            return (f"invalid certificate: the file's key {key!r} says "
                    f"{json.dumps(container[key])[:80]} but its result gives "
                    f"{json.dumps(value)[:80]} (only 'result' is re-checked; the other keys "
                    "are derived from it)")
    return None


def verify_file(args, instance=None):
    """Re-check the result(s) stored in the JSON file ``args.result``; print the verdict and
    return the exit code (0 valid, 1 invalid, :data:`EXIT_UNKNOWN` when the ``--budget``
    ran out and no certificate is invalid).  ``instance`` (``butterfly verify``) is used
    as given; otherwise it is read from the options for the result's kind."""
    from ..checks import verify
    data = _read(args.result)
    found = _results(data)
    if found is None:
        msg = (f"invalid certificate: {args.result!r} holds no result to re-check (a result, "
               "a command's --json output with a 'result' key, or the output of demo --json; "
               "fsmf hardness, ident recover and butterfly factorize certify nothing)")
        emit(args, {"valid": False, "message": msg, "kind": None}, "INVALID: " + msg)
        return 1
    checks = []
    for name, result, container in found:
        kind = result.get("kind")
        if name is not None:
            if instance is not None or _given(args):
                raise UsageError("the output of demo is checked against the built-in "
                                 "examples: give no instance options")
            from ..examples import get_example
            ex = get_example(name)
            inst = (ex.I, ex.J) if kind == "fsmf.classify" else (ex.A, ex.I, ex.J)
        else:
            inst = instance if instance is not None else instance_from_args(args, kind)
        v = verify(result, inst, budget=getattr(args, "budget", None))
        stale = _stale_key(container, result) if v.valid else None
        if stale is not None:
            v = type(v)(False, stale, v.kind)
        checks.append({"example": name, "kind": v.kind, "valid": v.valid,
                       "status": v.status, "message": v.message})
    ok = all(c["valid"] for c in checks)
    label = {"valid": "valid: ", "invalid": "INVALID: ", "unknown": "UNKNOWN: "}
    lines = [("" if c["example"] is None else f"{c['example']} ({c['kind']}): ")
             + label[c["status"]] + c["message"] for c in checks]
    statuses = {c["status"] for c in checks}
    status = "invalid" if "invalid" in statuses else "unknown" if "unknown" in statuses \
        else "valid"
    if len(checks) == 1:
        c = checks[0]
        data = {"valid": c["valid"], "status": c["status"], "message": c["message"],
                "kind": c["kind"]}
    else:
        bad = sum(not c["valid"] for c in checks)
        data = {"valid": ok, "status": status, "message": f"{len(checks) - bad} of "
                f"{len(checks)} certificates valid", "kind": None, "checks": checks}
        lines.append(data["message"])
    emit(args, data, "\n".join(lines))
    return {"valid": 0, "invalid": 1, "unknown": EXIT_UNKNOWN}[status]

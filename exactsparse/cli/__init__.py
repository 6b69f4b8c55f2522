"""Command-line interface: ``exactsparse GROUP COMMAND [options]``.

Exit codes: 0 a verdict was computed (whatever it is) or, for ``verify``, the certificate is
valid; 1 a library error (a one-line message on stderr, never a traceback) or, for
``verify``, an INVALID certificate; 2 a usage error; 130 interrupted.  Every command accepts
``--json`` for machine-readable output.  ``verify --budget SECONDS`` exits 3 when the
budget runs out before the certificate is re-checked (UNKNOWN: neither valid nor invalid).

Groups live in their own modules (``cli/fsmf.py``, ``cli/ident.py``, ``cli/butterfly.py``,
``cli/misc.py``), each exposing ``register(subparsers)``; a command's handler takes the
parsed arguments, prints through :func:`emit` and returns the exit code, and raises
:class:`~exactsparse.cli.common.UsageError` for a usage error found after parsing (reported
by that command's ``parser.error``).  The JSON of a result is built in one place,
:func:`exactsparse.cli.payload.payload`; saved results are re-checked by
:mod:`exactsparse.cli.verify`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from ..exceptions import ExactSparseError
from .common import UsageError

__all__ = ["main", "emit", "build_parser", "dumps"]

_GROUPS = ["fsmf", "ident", "butterfly", "bilinear", "relu", "sweep", "misc"]


def build_parser():
    """The ``exactsparse`` argument parser with every group registered."""
    parser = argparse.ArgumentParser(
        prog="exactsparse",
        description="Exact analysis of sparse matrix factorizations with fixed supports: "
                    "every verdict comes with a certificate that `exactsparse verify` "
                    "re-checks.",
        epilog="Exit codes: 0 a verdict was computed (verify: the certificate is valid); "
               "1 a library error, or verify found the certificate INVALID; 2 a usage error; "
               "3 verify --budget ran out (UNKNOWN). "
               "`exactsparse COMMAND --help` describes each command.")
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"exactsparse {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    sub.required = True
    for name in _GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


_WIDTH = 92


def _dump(obj, indent, column):
    """JSON with two-space indentation, but any list or object that fits on the rest of its
    line (starting at ``column``) written on one line: rows of a matrix, small records."""
    flat = json.dumps(obj, separators=(", ", ": "))
    if not isinstance(obj, (dict, list)) or column + len(flat) <= _WIDTH:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            key = f"{json.dumps(str(k))}: "
            items.append(inner + key + _dump(v, indent + 2, indent + 2 + len(key)))
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return "[\n" + ",\n".join(inner + _dump(v, indent + 2, indent + 2) for v in obj) \
        + "\n" + pad + "]"


def dumps(data):
    """The JSON text printed by ``--json`` (valid JSON; compact rows)."""
    return _dump(json.loads(json.dumps(data, default=str)), 0, 0)


def emit(args, data, text):
    """Print ``data`` as JSON when ``--json`` was given, else the text form."""
    print(dumps(data) if getattr(args, "json", False) else text, flush=True)


def main(argv=None):
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Usage errors raise ``SystemExit(2)`` as argparse does."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "_parser", parser)
    if extra:
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        command.error(str(exc))
    except ExactSparseError as exc:
        print(f"exactsparse: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:                      # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except (OSError, MemoryError) as exc:
        print(f"exactsparse: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("exactsparse: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never prints a traceback
        if os.environ.get("EXACTSPARSE_TRACEBACK"):
            raise
        print(f"exactsparse: error: {type(exc).__name__}: {exc} (unexpected: please report "
              "it; EXACTSPARSE_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

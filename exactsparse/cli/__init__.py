"""Command-line interface: ``exactsparse GROUP COMMAND [options]``.

Exit codes: 0 a verdict was computed (whatever it is), 1 a library error (message on
stderr), 2 a usage error.  Every command accepts ``--json`` for machine-readable output.
Groups live in their own modules (``cli/fsmf.py``, ``cli/ident.py``, ``cli/butterfly.py``,
``cli/misc.py``), each exposing ``register(subparsers)``; a command's handler takes the
parsed arguments and returns a dict (printed as JSON with ``--json``) plus a text form.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from ..exceptions import ExactSparseError

__all__ = ["main", "emit"]

_GROUPS = ["fsmf", "ident", "butterfly", "misc", "sweep"]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="exactsparse",
        description="Exact analysis of sparse matrix factorizations with fixed supports.")
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"exactsparse {__version__}")
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    sub.required = True
    for name in _GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def emit(args, data, text):
    """Print ``data`` as JSON when ``--json`` was given, else the text form."""
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, default=str))
    else:
        print(text)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)      # every group and command is required: func is set
    try:
        return int(args.func(args) or 0)
    except ExactSparseError as exc:
        print(f"exactsparse: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:                      # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except (OSError, MemoryError) as exc:
        print(f"exactsparse: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Progress of long commands on stderr: drawn only when stderr is a terminal and ``--json``
is not given (``--progress`` / ``--no-progress`` force it on or off), rate-limited, and
always ended by a newline before the command prints anything else.

A command adds the option with :func:`add_progress_arg` and wraps its computation in
``with progress_for(args, "certify") as report: routine(..., progress=report)``; ``report``
is None when progress is off, else a callable ``report(stage, done, total)`` (the library's
progress convention, :func:`exactsparse._budget.check_progress`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

__all__ = ["add_progress_arg", "progress_enabled", "progress_for", "Progress", "MIN_INTERVAL"]

#: seconds between two redraws
MIN_INTERVAL = 0.2


def add_progress_arg(p):
    """``--progress`` / ``--no-progress`` (default: on when stderr is a terminal and
    ``--json`` is not given)."""
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show progress on stderr (default: when stderr is a terminal and "
                        "--json is not given)")


def progress_enabled(args, stream=None):
    """Whether ``args`` asks for progress on ``stream`` (default ``sys.stderr``)."""
    flag = getattr(args, "progress", None)
    if flag is not None:
        return bool(flag)
    stream = sys.stderr if stream is None else stream
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):       # a closed or foreign stream
        tty = False
    return tty and not getattr(args, "json", False)


class Progress:
    """A one-line progress display ``\\rWHAT: STAGE DONE/TOTAL  ELAPSED s`` on ``stream``,
    redrawn at most every :data:`MIN_INTERVAL` seconds (and whenever the stage changes)."""

    def __init__(self, what, stream=None, interval=MIN_INTERVAL):
        self.what, self.stream, self.interval = what, stream or sys.stderr, interval
        self.t0 = time.monotonic()
        self.last, self.stage, self.width, self.drawn = -1e9, None, 0, False

    def __call__(self, stage, done, total=None):
        now = time.monotonic()
        if stage == self.stage and now - self.last < self.interval:
            return
        self.last, self.stage = now, stage
        count = f"{done}/{total}" if total is not None else f"{done}"
        line = f"{self.what}: {stage} {count}  {now - self.t0:.0f} s"
        pad = " " * max(0, self.width - len(line))
        self.width = len(line)
        self.stream.write("\r" + line + pad)
        self.stream.flush()
        self.drawn = True

    def close(self):
        """End the line (when anything was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


@contextlib.contextmanager
def progress_for(args, what):
    """``report`` (a :class:`Progress`, or None when progress is off) for the duration of
    a computation; the line is ended even when the computation raises."""
    if not progress_enabled(args):
        yield None
        return
    bar = Progress(what)
    try:
        yield bar
    finally:
        bar.close()

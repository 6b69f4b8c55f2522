"""Time budgets: validation, deadlines, and running an exact computation under a hard budget.

Every decision routine takes a ``budget`` in seconds; :func:`check_budget` validates it
once (a typed :class:`~exactsparse.exceptions.BudgetError`, never an ``OverflowError``, and a
huge budget clamped to :data:`MAX_BUDGET`), :class:`Deadline` tracks it.  Some exact routines (Gröbner bases, resultants) are single uninterruptible calls into
FLINT or sympy; to honour a budget they run in a forked child process that is killed when
the budget runs out.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from fractions import Fraction

import numpy as np

from .exceptions import ArgumentError, BudgetError, show

__all__ = ["run_killable", "MAX_BUDGET", "check_budget", "deadline_of", "Deadline",
           "OutOfBudget", "NO_DEADLINE", "check_progress"]

#: Budgets above this many seconds (11.6 days; a process-wait timeout must fit a C int of
#: milliseconds) are clamped to it: a huge number (even one that does not fit a float, such
#: as ``10**400``) means "no practical limit".
MAX_BUDGET = 1e6


def check_budget(budget, name="budget", allow_none=True):
    """A time budget in seconds, validated: a positive number, not NaN or infinite (or None,
    no limit, when ``allow_none``), returned as a float clamped to :data:`MAX_BUDGET`.

    Examples
    --------
    >>> check_budget(2), check_budget(10**400), check_budget(None)
    (2.0, 1000000.0, None)
    >>> check_budget(-1)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.BudgetError: Argument 'budget' must be a positive number of seconds, not -1.
    """
    if budget is None and allow_none:
        return None
    if isinstance(budget, (bool, np.bool_)) or not isinstance(
            budget, (int, float, Fraction, np.integer, np.floating)):
        raise BudgetError(f"Argument {name!r} must be a positive number of seconds"
                          f"{' or None' if allow_none else ''}, not {show(budget)}.")
    if isinstance(budget, (int, np.integer, Fraction)):
        if budget <= 0:
            raise BudgetError(f"Argument {name!r} must be a positive number of seconds, not "
                              f"{show(budget)}.")
        return MAX_BUDGET if budget >= MAX_BUDGET else float(budget)
    value = float(budget)
    if math.isnan(value) or math.isinf(value) or value <= 0:
        raise BudgetError(f"Argument {name!r} must be a positive finite number of seconds, "
                          f"not {show(budget)}.")
    return min(value, MAX_BUDGET)


def check_progress(progress):
    """An optional progress callback, validated: None (no reports) or a callable.

    Long-running routines call it as ``progress(stage, done, total)`` at their natural
    steps (branch-and-bound boxes, local-search starts, samples, ...): ``stage`` is a short
    name of the step, ``done`` how many are finished, ``total`` how many there are (None
    when not known in advance).  Calls are cheap for the routine; a callback that draws
    should rate-limit itself (the command line redraws at most a few times a second).

    >>> check_progress(None) is None, callable(check_progress(print))
    (True, True)
    >>> check_progress(1)
    Traceback (most recent call last):
    ...
    exactsparse.exceptions.ArgumentError: Argument 'progress' must be None or a callable progress(stage, done, total), not 1.
    """
    if progress is None or callable(progress):
        return progress
    raise ArgumentError("Argument 'progress' must be None or a callable progress(stage, done, "
                        f"total), not {show(progress)}.")


def deadline_of(budget):
    """The monotonic time at which ``budget`` (validated) runs out, or None."""
    return None if budget is None else time.monotonic() + budget


class OutOfBudget(Exception):
    """Internal signal: the time budget ran out (never escapes a public function)."""


class Deadline:
    """A wall-clock deadline ``budget`` seconds from now (None: no deadline)."""

    def __init__(self, budget):
        self.budget = budget
        self.end = None if budget is None else time.monotonic() + budget

    def left(self):
        """Seconds left (``inf`` without a deadline, possibly negative)."""
        return math.inf if self.end is None else self.end - time.monotonic()

    def check(self, what):
        """Raise :class:`OutOfBudget` naming ``what`` when the deadline has passed."""
        if self.end is not None and time.monotonic() > self.end:
            raise OutOfBudget(f"the time budget of {self.budget:g} s ran out during {what}")


#: No deadline (the default of the internal engines).
NO_DEADLINE = Deadline(None)


def run_killable(fn, args, budget, what="the computation"):
    """Run ``fn(*args)`` (returning a picklable value) in a forked child process, killed
    after ``budget`` seconds.

    Parameters
    ----------
    fn : callable
        Called as ``fn(*args)`` in the child; its value must be picklable.
    args : tuple
    budget : float
        Seconds to wait for the answer before the child is killed.
    what : str
        What is computed, for the reason given when the budget runs out.

    Returns
    -------
    (True, value) or (False, reason)
        ``value`` is what ``fn(*args)`` returned; ``reason`` says that the budget ran out,
        that the child died, or which exception ``fn`` raised (exceptions are reported,
        not raised).

    Notes
    -----
    Where ``fork`` is unavailable the call runs in-process (no hard deadline).  Decision
    routines turn ``(False, reason)`` into the verdict ``"unknown"`` with that reason.

    See Also
    --------
    exactsparse.check_attainment : its Gröbner basis runs here under the ``budget``.
    exactsparse.checks.fsmf_hard : the checkers re-run their exact steps the same way.

    Examples
    --------
    The value is the one the call gives in-process, and the budget is a hard deadline
    (a 10 s call is stopped after 0.2 s):

    >>> import time
    >>> run_killable(pow, (2, 10), 5) == (True, pow(2, 10))
    True
    >>> start = time.monotonic(); run_killable(time.sleep, (10,), 0.2, "a nap")
    (False, 'a nap not finished within the budget of 0.2 s')
    >>> time.monotonic() - start < 5
    True
    >>> run_killable(divmod, (1, 0), 5)
    (False, 'ZeroDivisionError: integer division or modulo by zero')
    """
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:                               # pragma: no cover - non-POSIX
        return True, fn(*args)
    recv, send = ctx.Pipe(duplex=False)

    def child():
        try:
            send.send((True, fn(*args)))
        except BaseException as exc:                 # noqa: BLE001 - reported to the parent
            send.send((False, f"{type(exc).__name__}: {exc}"))
    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(budget):
            try:
                return recv.recv()
            except EOFError:
                return False, f"the process computing {what} died"
        return False, f"{what} not finished within the budget of {budget:g} s"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        recv.close()

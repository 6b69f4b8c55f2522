"""Running an exact computation under a hard time budget (private helper).

Some exact routines (Gröbner bases, resultants) are single uninterruptible calls into
FLINT or sympy; to honour a budget they run in a forked child process that is killed when
the budget runs out.
"""

from __future__ import annotations

import multiprocessing

__all__ = ["run_killable"]


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

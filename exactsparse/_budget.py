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
    after ``budget`` seconds.  Returns ``(True, value)`` or ``(False, reason)``.  Where
    ``fork`` is unavailable the call runs in-process (no hard deadline)."""
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

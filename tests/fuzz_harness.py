"""One fuzz call, checked: the loop body shared by the seeded fuzz tests.

A call passes when it returns (a :class:`Result` must then verify on its instance) or raises
a typed :class:`ExactSparseError`, within its time limit; anything else is a failure
string.  A SIGALRM timer stops a call that runs ``5`` s past its limit.
"""

from __future__ import annotations

import contextlib
import signal
import time
import warnings

import exactsparse as es
from exactsparse.certificates import Result
from exactsparse.exceptions import ExactSparseError


class Hang(BaseException):
    """Raised by the SIGALRM handler: the call ran past its hard limit."""


def _alarm(signum, frame):
    raise Hang()


@contextlib.contextmanager
def alarm_handler():
    """Install the SIGALRM handler for the duration of a fuzz run."""
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, old)


def checked_call(call, limit, desc, instance, stats, failures, ignore=Warning):
    """Run ``call()`` under ``limit`` seconds and count the outcome in ``stats``; append a
    failure to ``failures`` (with ``desc``) when it breaks a rule.  ``instance()`` gives
    the instance a returned :class:`Result` is verified on.  Returns the verified result,
    or None."""
    stats["calls"] += 1
    t0 = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, limit + 5.0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ignore)
            out = call()
    except ExactSparseError:
        stats["typed errors"] += 1
        return None
    except Hang:
        failures.append(f"{desc}: hung past {limit + 5:g} s")
        return None
    except BaseException as exc:  # noqa: BLE001 - the failure being looked for
        failures.append(f"{desc}: raised {type(exc).__name__}: {str(exc)[:200]}")
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed = time.monotonic() - t0
    if elapsed > limit:
        failures.append(f"{desc}: took {elapsed:.1f} s > {limit:g} s")
    if not isinstance(out, Result):
        if out is not None:
            stats["returned"] += 1
        return None
    stats["results"] += 1
    try:
        v = es.verify(out, instance())
    except Exception as exc:  # noqa: BLE001 - verify must return, never raise
        failures.append(f"{desc}: verify raised {type(exc).__name__}: {str(exc)[:200]}")
        return None
    if not v.valid:
        failures.append(f"{desc}: result ({str(out.verdict)[:40]}) fails verify: "
                        f"{v.message[:200]}")
        return None
    stats["verified"] += 1
    return out


def random_factor_parts(g, patterns):
    """Fuzz input for ``ButterflyFactors``: ``(N, patterns, twiddles)`` drawn with the
    ``random.Random`` ``g`` — mostly a butterfly chain of size N in {2, 4, 8} (else the
    caller's ``patterns(g)``) with Gaussian twiddles, one time in five malformed twiddles."""
    import numpy as np
    from exactsparse.butterfly import butterfly_patterns
    N = g.choice([2, 4, 8])
    pats = butterfly_patterns(N) if g.random() < 0.8 else patterns(g)
    rng = np.random.default_rng(g.randrange(100))
    try:
        tw = [rng.standard_normal(p.twiddle_shape) for p in pats]
    except (TypeError, AttributeError):
        tw = [np.ones((1, 1, 1, 1))]
    if g.random() < 0.2:
        tw = g.choice([tw[:-1], "abc", 5, [np.ones(3)] * len(tw), [[[1], [2, 3]]],
                       [np.array(["a"])] * len(tw), [t * np.nan for t in tw]])
    return N, pats, tw

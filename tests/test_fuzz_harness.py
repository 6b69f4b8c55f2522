"""The shared fuzz step flags what it must flag (so the fuzz tests can fail)."""

from collections import Counter

import exactsparse as es
from fuzz_harness import alarm_handler, checked_call


def test_checked_call_outcomes():
    stats, failures = Counter(), []
    good = es.check_tractable("10/01", "10/01")
    forged = es.certificates.Result.from_dict({**good.to_dict(), "verdict": "not-covered"})
    with alarm_handler():
        checked_call(lambda: int("x"), 5, "untyped", lambda: None, stats, failures)
        checked_call(lambda: es.check_tractable("12", "1"), 5, "typed", lambda: None,
                     stats, failures)
        checked_call(lambda: good, 5, "valid", lambda: ("10/01", "10/01"), stats, failures)
        checked_call(lambda: forged, 5, "forged", lambda: ("10/01", "10/01"), stats, failures)
    assert stats == Counter(calls=4, **{"typed errors": 1}, results=2, verified=1)
    assert [f.split(":")[0] for f in failures] == ["untyped", "forged"]

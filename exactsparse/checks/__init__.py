"""Independent re-checking of certificates: :func:`verify`.

``verify`` dispatches on ``result.kind`` through the one table of result kinds,
:data:`exactsparse.kinds.KINDS`, to a checker function of this package (``checks/fsmf.py``,
``checks/identifiability.py``, ``checks/butterfly.py``, ...), loaded on first use.  Checkers use
only :mod:`exactsparse.exact` and :mod:`exactsparse.supports` (plain exact multiplication,
rank, connectivity); they never import a decision routine.  A checker raises
:class:`~exactsparse.exceptions.CertificateError` (or any error) on a bad certificate;
``verify`` turns every failure into an invalid :class:`Verification` — it never crashes.

Shared by the checkers: :mod:`._read` reads certificates and instances (``fail``,
``rational``, ``integer``, ``flag``, ``sequence``, ``get``, ``unpack``, ``matrix_instance``)
and :mod:`._fsmf_common` computes the exact FSMF quantities (residual, loss, classes,
eigenvalue tails) of the hard-FSMF checkers.  Every ``check_*`` function's docstring states
what a valid certificate proves.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._budget import check_budget, run_killable
from ..kinds import kind_spec

__all__ = ["verify", "Verification", "VERIFY_STATUSES"]

#: The outcomes of :func:`verify`: the certificate checks out, it does not, or the time
#: ``budget`` ran out first (nothing is proven either way).
VERIFY_STATUSES = ("valid", "invalid", "unknown")


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify`: ``valid``, a human-readable ``message``, the result's
    ``kind`` and the ``status`` (``"valid"``, ``"invalid"``, or ``"unknown"`` when the time
    budget ran out before the check finished; ``valid`` is then False).

    Truthy exactly when valid, so ``assert verify(result, instance)`` reads naturally.
    """

    valid: bool
    message: str
    kind: str
    status: str = None

    def __post_init__(self):
        if self.status is None:
            object.__setattr__(self, "status", "valid" if self.valid else "invalid")

    @property
    def unknown(self):
        """True when the budget ran out before the certificate was re-checked."""
        return self.status == "unknown"

    def __bool__(self):
        return self.valid


def _checked(check, result, instance):
    """``("valid", detail)`` or ``("invalid", message)`` (run in a child under a budget)."""
    try:
        return "valid", check(result, instance)
    except Exception as exc:  # noqa: BLE001 - reported as an invalid certificate
        return "invalid", _invalid_message(exc)


def _invalid_message(exc):
    msg = str(exc)
    if not msg.startswith("invalid certificate"):
        msg = f"invalid certificate: {type(exc).__name__}: {msg}"
    return msg


def verify(result, instance=None, *, budget=None):
    """Re-check the certificate of ``result`` against ``instance`` with exact arithmetic.

    Parameters
    ----------
    result : Result or str or dict
        A result, or its JSON text / dict (as written by ``to_json``).
    instance : tuple or dict
        The data the decision routine was given, in its argument order (e.g. ``(I, J)`` for
        ``check_tractable``, ``(A, I, J)`` for ``solve_fsmf``) or as a dict with those names.
    budget : float, optional
        Seconds the check may take (None, the default: no limit).  With a budget the
        checker runs in a forked child process that is killed when the budget runs out; the
        outcome is then ``status == "unknown"`` (``valid`` False, ``message`` starting
        "unknown"): the certificate was neither accepted nor refuted.  An invalid budget
        raises :class:`~exactsparse.exceptions.BudgetError`.

    Returns
    -------
    Verification
        ``valid`` False with ``message`` starting "invalid certificate" when anything does
        not check out, including a malformed certificate or one for another instance.

    Examples
    --------
    >>> from exactsparse.fsmf import check_tractable
    >>> r = check_tractable("1/1", "1/1")
    >>> v = verify(r, ("1/1", "1/1"), budget=30)
    >>> v.valid, v.status
    (True, 'valid')
    >>> verify(r, ("11/11", "1/1")).status
    'invalid'
    """
    from ..certificates import Result
    budget = check_budget(budget)
    kind = "?"
    try:
        if isinstance(result, (str, bytes)):
            result = Result.from_json(result)
        elif isinstance(result, dict):
            result = Result.from_dict(result)
        kind = result.kind
        spec = kind_spec(kind)
        if spec is None:
            return Verification(False, f"invalid certificate: unknown kind {kind!r}", kind)
        if not isinstance(result, spec.result_class()):   # e.g. a hand-built Result
            result = Result.from_dict(result.to_dict())
        if result.theorem not in spec.theorems:
            return Verification(False, f"invalid certificate: theorem {result.theorem!r} is "
                                f"not one of {list(spec.theorems)} for {kind!r}", kind)
        check = spec.check_function()
        if budget is None:
            detail = check(result, instance)
        else:
            done, out = run_killable(_checked, (check, result, instance), budget,
                                     "the check of the certificate")
            if not done:
                return Verification(False, f"unknown: {out}; the certificate was neither "
                                    "accepted nor refuted", kind, "unknown")
            status, detail = out
            if status != "valid":
                return Verification(False, detail, kind)
        return Verification(True, "certificate valid" + (f": {detail}" if detail else ""), kind)
    except Exception as exc:  # noqa: BLE001 - verify must never crash
        return Verification(False, _invalid_message(exc), kind)

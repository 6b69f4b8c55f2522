"""Independent re-checking of certificates: :func:`verify`.

``verify`` dispatches on ``result.kind`` to a checker module of this package
(``checks/fsmf.py``, ``checks/identifiability.py``, ``checks/butterfly.py``).  Checkers use
only :mod:`exactsparse.exact` and :mod:`exactsparse.supports` (plain exact multiplication,
rank, connectivity); they never import a decision routine.  A checker raises
:class:`~exactsparse.exceptions.CertificateError` (or any error) on a bad certificate;
``verify`` turns every failure into an invalid :class:`Verification` — it never crashes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["verify", "Verification"]

_MODULES = {
    "fsmf.certify": "exactsparse.checks.fsmf_hard",
    "fsmf.spurious": "exactsparse.checks.fsmf_spurious",
    "fsmf.reduce": "exactsparse.checks.fsmf_hard",
    "fsmf.attainment": "exactsparse.checks.fsmf_hard",
    "fsmf": "exactsparse.checks.fsmf",
    "ident": "exactsparse.checks.identifiability",
    "butterfly": "exactsparse.checks.butterfly",
}


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify`: ``valid`` and a human-readable ``message``.

    Truthy exactly when valid, so ``assert verify(result, instance)`` reads naturally.
    """

    valid: bool
    message: str
    kind: str

    def __bool__(self):
        return self.valid


def verify(result, instance=None):
    """Re-check the certificate of ``result`` against ``instance`` with exact arithmetic.

    Parameters
    ----------
    result : Result or str or dict
        A result, or its JSON text / dict (as written by ``to_json``).
    instance : tuple or dict
        The data the decision routine was given, in its argument order (e.g. ``(I, J)`` for
        ``check_tractable``, ``(A, I, J)`` for ``solve_fsmf``) or as a dict with those names.

    Returns
    -------
    Verification
        ``valid`` False with ``message`` starting "invalid certificate" when anything does
        not check out, including a malformed certificate or one for another instance.
    """
    from ..certificates import Result
    kind = "?"
    try:
        if isinstance(result, (str, bytes)):
            result = Result.from_json(result)
        elif isinstance(result, dict):
            result = Result.from_dict(result)
        kind = result.kind
        module = _MODULES.get(kind) or _MODULES.get(kind.split(".", 1)[0])
        if module is None:
            return Verification(False, f"invalid certificate: unknown kind {kind!r}", kind)
        checks = importlib.import_module(module).CHECKS
        if kind not in checks:
            return Verification(False, f"invalid certificate: no checker for {kind!r}", kind)
        detail = checks[kind](result, instance)
        return Verification(True, "certificate valid" + (f": {detail}" if detail else ""), kind)
    except Exception as exc:  # noqa: BLE001 - verify must never crash
        msg = str(exc)
        if not msg.startswith("invalid certificate"):
            msg = f"invalid certificate: {type(exc).__name__}: {msg}"
        return Verification(False, msg, kind)

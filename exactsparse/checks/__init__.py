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

from ..kinds import kind_spec

__all__ = ["verify", "Verification"]



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
        spec = kind_spec(kind)
        if spec is None:
            return Verification(False, f"invalid certificate: unknown kind {kind!r}", kind)
        if not isinstance(result, spec.result_class()):   # e.g. a hand-built Result
            result = Result.from_dict(result.to_dict())
        if result.theorem not in spec.theorems:
            return Verification(False, f"invalid certificate: theorem {result.theorem!r} is "
                                f"not one of {list(spec.theorems)} for {kind!r}", kind)
        detail = spec.check_function()(result, instance)
        return Verification(True, "certificate valid" + (f": {detail}" if detail else ""), kind)
    except Exception as exc:  # noqa: BLE001 - verify must never crash
        msg = str(exc)
        if not msg.startswith("invalid certificate"):
            msg = f"invalid certificate: {type(exc).__name__}: {msg}"
        return Verification(False, msg, kind)

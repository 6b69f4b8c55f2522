"""Result types of :mod:`exactsparse.identifiability`."""

from __future__ import annotations

import dataclasses

from ..certificates import Result

__all__ = ["IdentifiabilityResult"]


@dataclasses.dataclass(frozen=True)
class IdentifiabilityResult(Result):
    """Verdict of :func:`~exactsparse.check_identifiable`.

    Attributes
    ----------
    verdict : {"identifiable", "not-identifiable", "unknown"}
    certificate : FrozenDict
        ``criterion`` and, for ``identifiable``, ``steps`` (replayable completion steps
        ``(k, spanning tree)``) and ``order``; for ``not-identifiable``, ``witness`` with
        ``X, Y, X2, Y2`` (Fractions), ``construction``, ``columns``, ``exact_supports``;
        for ``unknown``, ``stuck`` and ``reason``; always ``absent`` and ``jacobian``.
    jacobian_rank : int or None
        Rank over Q of the support-restricted Jacobian at a random point (None if skipped:
        above ``max_jacobian_size``, or above ``max_exact`` without a mod-p certificate).
    jacobian_rank_mod_p : int or None
        Its rank modulo a 62-bit prime (a lower bound; None above ``max_jacobian_size``).
    expected_rank : int
        ``nnz(I) + nnz(J) − r'``, ``r'`` the columns non-empty on some side.

    See Also
    --------
    exactsparse.check_identifiable : returns it.
    exactsparse.checks.identifiability.check_ident : what :func:`~exactsparse.verify`
        re-checks.

    Examples
    --------
    A witness of non-identifiability is two different supported factorizations of one
    product, re-checked exactly:

    >>> import numpy as np
    >>> from exactsparse import check_identifiable, verify
    >>> r = check_identifiable("11/01", "11/10")
    >>> X, Y, X2, Y2 = (np.array(r.witness[k], dtype=object) for k in ("X", "Y", "X2", "Y2"))
    >>> r.verdict, (X.dot(Y.T) == X2.dot(Y2.T)).all() and not (X == X2).all()
    ('not-identifiable', True)
    >>> bool(verify(r, ("11/01", "11/10")))
    True
    """

    KIND = "ident.check"
    THEOREM = "ident.completion"
    jacobian_rank: object = None
    jacobian_rank_mod_p: object = None
    expected_rank: int = 0

    @property
    def witness(self):
        """The witness (a FrozenDict with ``X, Y, X2, Y2``) or None."""
        return self.certificate.get("witness")

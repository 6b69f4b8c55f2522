"""Result types of :mod:`exactsparse.butterfly`."""

from __future__ import annotations

import dataclasses

from ..certificates import Result

__all__ = ["ButterflyIdentification"]


@dataclasses.dataclass(frozen=True)
class ButterflyIdentification(Result):
    """Result of :func:`~exactsparse.identify_butterfly` (kind ``"butterfly.identify"``).

    ``verdict`` is ``"butterfly"``, ``"not-butterfly"`` or ``"unknown"`` (a time budget ran
    out, or unknown permutations were not found: a ``reason``, nothing claimed).  For
    ``"butterfly"`` the certificate holds the ``field`` (``"Q"`` or ``"cyclotomic:n"``),
    ``patterns`` (leftmost first), the column permutation ``perm`` and the row permutation
    ``row_perm`` (or None; ``Z[row_perm][:, perm]`` is the product, and they may have been
    recovered when unknown), the exact ``factors`` as twiddle tensors
    of Fractions (of tuples of ``n/2`` Fractions, coefficients in ``1, ζ, …``, over
    ``Q(ζ_n)``), and per split the number of rank-one ``blocks`` and of ``degenerate`` (zero)
    ones; ``essentially_unique`` is True when no block is degenerate.  For
    ``"not-butterfly"`` it holds the split (``level``, ``left``, ``right`` patterns) and a
    2×2 submatrix of the input (``rows``, ``cols``, ``minor``) inside one rank-one block of
    that split, with its nonzero ``determinant``.

    See Also
    --------
    exactsparse.identify_butterfly : returns it.
    exactsparse.checks.butterfly.check_identify : what :func:`~exactsparse.verify` re-checks
        (the exact product of the factors).

    Examples
    --------
    >>> import numpy as np
    >>> from exactsparse import identify_butterfly, verify
    >>> from exactsparse.certificates import Result
    >>> H = np.kron([[1, 1], [1, -1]], [[1, 1], [1, -1]])
    >>> b = identify_butterfly(H)
    >>> b.verdict, b.certificate["field"], Result.from_json(b.to_json()) == b
    ('butterfly', 'Q', True)
    >>> bool(verify(b, (H,)))
    True
    """

    KIND = "butterfly.identify"
    THEOREM = "butterfly.exact"

"""Exact arithmetic behind one interface.

The domain of a value is part of the value: matrices handled here are python-flint
``fmpq_mat`` (exact rationals) once validated.  Two backends answer the same questions:
``"flint"`` (python-flint / FLINT 3: ``fmpz_mat``/``fmpq_mat`` rank, rref, nullspace, solve,
charpoly; ``nmod_mat`` rank modulo a 62-bit prime; ``arb`` certified balls) and ``"sympy"``
(``DomainMatrix`` over QQ, an independent second route in tests, and closed forms).

Floats never enter silently: a ``float`` reaching :func:`as_matrix` or :func:`as_rational`
raises :class:`~exactsparse.exceptions.FloatInExactError`; convert explicitly with
:func:`from_float` (the exact binary rational the float stores) or :func:`rationalize` (the
simplest rational within a tolerance).  This package imports nothing of exactsparse but
:mod:`exactsparse.exceptions`; its modules: :mod:`.scalars`, :mod:`.matrices`, :mod:`.eigen`
(exact tails of Gram spectra).

>>> rank([[1, 2], [2, 4]]), rank([[1, 2], [2, 4]], backend="sympy"), rank_mod_p([[1, 2], [2, 4]])
(1, 1, 1)
"""

from .eigen import *  # noqa: F401,F403
from .eigen import __all__ as _eigen_all
from .matrices import *  # noqa: F401,F403
from .matrices import __all__ as _matrices_all
from .scalars import *  # noqa: F401,F403
from .scalars import __all__ as _scalars_all

__all__ = [*_scalars_all, *_matrices_all, *_eigen_all]

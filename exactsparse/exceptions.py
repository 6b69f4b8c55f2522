"""Exception hierarchy of exactsparse.

Every error raised on bad input derives from :class:`ExactSparseError` *and* from the
matching built-in exception, so ``except ValueError`` keeps working for callers that do
not know this library.  Messages name the argument, what was expected and what was
received, e.g. ``Argument 'I' must be a 0/1 matrix, not one containing 2 at (0, 1).``

Examples
--------
Every error is both an :class:`ExactSparseError` and a built-in exception:

>>> import exactsparse.exceptions as ex
>>> errors = [getattr(ex, name) for name in ex.__all__ if name != "ExactSparseError"]
>>> all(issubclass(E, ExactSparseError) and any(issubclass(E, B) for B in (
...     ValueError, TypeError, ArithmeticError, ImportError, RuntimeError)) for E in errors)
True
>>> from exactsparse.supports import Support
>>> try:
...     Support([[1, 2]], "I")
... except ValueError as exc:       # caught without knowing this library
...     print(type(exc).__name__, "|", exc)
SupportError | Argument 'I' must be a 0/1 matrix, not one containing 2 at (0, 1).
"""

__all__ = [
    "ExactSparseError",
    "ArgumentError",
    "SupportError",
    "ShapeError",
    "NonFiniteError",
    "FloatInExactError",
    "ExactTypeError",
    "ParseError",
    "SizeLimitError",
    "BudgetError",
    "BudgetTooSmallError",
    "CertificateError",
    "NotCoveredError",
    "CompletionError",
    "ChainabilityError",
    "PowerOfTwoError",
    "PrecisionError",
    "SingularError",
    "MissingExtraError",
    "ToleranceError",
    "WorkerLostError",
]


class ExactSparseError(Exception):
    """Base class of every error raised by exactsparse."""


class ArgumentError(ExactSparseError, ValueError):
    """An argument has a valid type but a value out of its domain (e.g. a density > 1)."""


class SupportError(ExactSparseError, ValueError):
    """A support pattern is not a 0/1 matrix, or is otherwise invalid."""


class ShapeError(ExactSparseError, ValueError):
    """Shapes of the arguments do not fit together (or a matrix is empty)."""


class NonFiniteError(ExactSparseError, ValueError):
    """An input contains NaN or infinity."""


class FloatInExactError(ExactSparseError, TypeError):
    """A floating-point number reached an exact routine without explicit conversion.

    Convert explicitly with :func:`exactsparse.exact.from_float` (the exact binary
    rational) or :func:`exactsparse.exact.rationalize` (a nearby small rational).
    """


class ExactTypeError(ExactSparseError, TypeError):
    """An input of a type that cannot be interpreted exactly (e.g. a string, an object)."""


class ParseError(ExactSparseError, ValueError):
    """A matrix or support file could not be parsed (the message names file and line)."""


class SizeLimitError(ExactSparseError, ValueError):
    """An instance is out of reach of the requested exact routine."""


class BudgetError(ExactSparseError, ValueError):
    """A time or work budget is invalid (e.g. not positive)."""


class BudgetTooSmallError(BudgetError):
    """A parameter budget below the cost of every candidate (the message names the smallest
    candidate and its cost)."""


class CertificateError(ExactSparseError, ValueError):
    """A certificate is malformed or does not belong to the instance it is checked against."""


class NotCoveredError(ExactSparseError, ValueError):
    """An exact routine needs an instance covered by a theorem, and this one is not."""


class CompletionError(ExactSparseError, ValueError):
    """The completion algorithm could not recover a rank-one contribution."""


class ChainabilityError(ExactSparseError, ValueError):
    """Two Kronecker-sparse patterns cannot be chained."""


class PowerOfTwoError(ExactSparseError, ValueError):
    """A size must be a power of two."""


class PrecisionError(ExactSparseError, ArithmeticError):
    """Certified numerics could not separate or enclose a quantity at the maximal precision."""


class SingularError(ExactSparseError, ZeroDivisionError):
    """A linear system that must be non-singular is singular."""


class MissingExtraError(ExactSparseError, ImportError):
    """An optional dependency is not installed; the message names the extra to install
    (e.g. ``pip install 'exactsparse[plot]'`` for matplotlib)."""


class ToleranceError(ArgumentError):
    """A tolerance outside ``(0, 1)``."""


class WorkerLostError(ExactSparseError, RuntimeError):
    """Worker processes of a parallel run (:func:`exactsparse.sweep.sweep`) kept dying on
    the same chunks (the chunks already stored are kept)."""


def show(v, limit=200):
    """``repr(v)`` for an error message, safe for any value: an integer beyond Python's
    int-to-string limit is described by its size, a long repr is shortened.

    >>> show(10**5000), show("x" * 300)[-5:]
    ('an integer of 16610 bits', 'xx...')
    """
    try:
        text = repr(v)
    except ValueError:                     # int beyond sys.get_int_max_str_digits()
        return (f"an integer of {v.bit_length()} bits" if isinstance(v, int)
                else f"a {type(v).__name__} holding an integer of over 4300 digits")
    except Exception:                      # noqa: BLE001 - a broken __repr__
        return f"a {type(v).__name__}"
    return text if len(text) <= limit else text[:limit - 3] + "..."

"""Bad input to the exact two-factor projection: typed errors naming the argument."""

import numpy as np
import pytest

from exactsparse import (ArgumentError, ChainabilityError, NonFiniteError, ShapeError)
from exactsparse.butterfly import (ButterflyFactors, butterfly_factorize, butterfly_patterns,
                                   monarch_patterns)
from exactsparse.butterfly.projection import project_two_factor, two_factor_certificate


def test_not_two_patterns():
    with pytest.raises(ArgumentError, match="Argument 'patterns' must be a chain of exactly two"):
        project_two_factor(np.eye(8), butterfly_patterns(8))
    with pytest.raises(ArgumentError, match="exactly two"):
        project_two_factor(np.eye(16), None)
    with pytest.raises(ArgumentError, match="exactly two"):
        two_factor_certificate(butterfly_patterns(8))


def test_shape_and_chainability():
    with pytest.raises(ShapeError, match="Argument 'A' must have shape"):
        project_two_factor(np.eye(8), monarch_patterns(16))
    with pytest.raises(ChainabilityError):
        project_two_factor(np.eye(4), [(2, 2, 2, 1), (1, 2, 2, 2)])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite(bad):
    A = np.ones((16, 16))
    A[3, 5] = bad
    with pytest.raises(NonFiniteError, match="Argument 'A' must be finite"):
        project_two_factor(A, monarch_patterns(16))
    with pytest.raises(NonFiniteError, match="Argument 'A' must be finite"):
        butterfly_factorize(A, monarch_patterns(16))


def test_bad_options():
    with pytest.raises(ArgumentError, match="Argument 'scaling'"):
        project_two_factor(np.eye(16), monarch_patterns(16), scaling="half")
    with pytest.raises(ArgumentError, match="Argument 'perm'"):
        project_two_factor(np.eye(16), monarch_patterns(16), perm=[0, 1])
    with pytest.raises(ArgumentError, match="Argument 'A' must be a real or complex"):
        project_two_factor(np.array([["a"] * 16] * 16), monarch_patterns(16))


def test_certificate_only_when_optimal():
    pats = butterfly_patterns(8)
    F = ButterflyFactors(pats, [np.ones(p.twiddle_shape) for p in pats])
    with pytest.raises(ArgumentError, match="optimal=False"):
        F.optimality_certificate()
    G = ButterflyFactors(monarch_patterns(16), [np.ones(p.twiddle_shape)
                                                for p in monarch_patterns(16)])
    assert not G.optimal                      # built by hand: nothing is claimed
    with pytest.raises(ArgumentError, match="optimal=False"):
        G.optimality_certificate()

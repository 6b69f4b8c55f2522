"""Bad arguments of one split (:func:`exactsparse.butterfly.splits.split`) and of the 2×2
Gram kernel: typed errors, galois-style messages."""

import numpy as np
import pytest

from exactsparse.butterfly import KSPattern, butterfly_patterns, chain_product
from exactsparse.butterfly import splits
from exactsparse.butterfly.lowrank import pair_gram
from exactsparse.exceptions import ArgumentError, ShapeError

PATS = butterfly_patterns(16)
LEFT, RIGHT = PATS[0], chain_product(PATS[1:])
T = np.ones((1, 1, 16, 16))


def run(**kw):
    return splits.split(T, LEFT, RIGHT, 1, "right", "unit", **kw)


@pytest.mark.parametrize("perm", ["bitreverse", "auto", np.arange(15), np.arange(16) + 1,
                                  np.arange(16.0), [0, 1]])
def test_bad_perm(perm):
    with pytest.raises(ArgumentError, match="Argument 'perm' must be"):
        run(perm=perm)


@pytest.mark.parametrize("rows", [np.arange(15), np.arange(16) - 1, np.arange(16.0),
                                  list(range(16))])
def test_bad_rows(rows):
    with pytest.raises(ArgumentError, match="Argument 'rows' must be"):
        run(rows=rows)


def test_bitrev_needs_rank_one():
    # a rank-two split: the bit reversal is only folded into rank-one splits
    left, right = KSPattern(1, 2, 4, 4), KSPattern(2, 4, 4, 2)
    with pytest.raises(ArgumentError, match="Arguments 'perm' and 'rows' must be None"):
        splits.split(np.ones((1, 2, 4, 8)), left, right, 2, "right", "unit", perm="bitrev")


def test_rows_need_a_halving_split():
    # the right tree's first split peels the last factor: 2 x 2 blocks on the column side
    left, right = chain_product(PATS[:-1]), PATS[-1]
    with pytest.raises(ArgumentError, match="Arguments 'perm' and 'rows' must be None"):
        splits.split(T, left, right, 1, "left", "unit", rows=np.arange(16))
    with pytest.raises(ArgumentError, match="Arguments 'perm' and 'rows' must be None"):
        splits.split(T, left, right, 1, "left", "unit", perm=np.arange(16))


def test_rows_need_the_whole_matrix():
    T2 = np.ones((2, 1, 8, 8))
    left, right = PATS[1], chain_product(PATS[2:])
    with pytest.raises(ArgumentError, match="Argument 'rows' must be None for the split"):
        splits.split(T2, left, right, 1, "right", "unit", rows=np.arange(8))


def test_bitrev_refused_without_power_of_two_columns():
    # 6 columns per block: no bit reversal
    left, right = KSPattern(1, 2, 3, 1), KSPattern(3, 1, 2, 1)
    assert splits.split(np.ones((1, 1, 2, 6)), left, right, 1, "right", "unit")[0].shape \
        == left.twiddle_shape
    with pytest.raises(ArgumentError, match="or 'bitrev' for a split with 2\\^m columns"):
        splits.split(np.ones((1, 1, 2, 6)), left, right, 1, "right", "unit", perm="bitrev")


def test_pair_gram_shapes():
    with pytest.raises(ShapeError, match="Arguments 'X0' and 'X1' must have one shape"):
        pair_gram(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ArgumentError, match="Argument 'X1' must be a numpy array"):
        pair_gram(np.ones(3), [1.0, 2.0, 3.0])

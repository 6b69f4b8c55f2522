"""Bad supports: typed errors with clear messages."""

import numpy as np
import pytest
import scipy.sparse as sp

import exactsparse as es
from exactsparse.exceptions import ArgumentError, NonFiniteError, ShapeError, SupportError


@pytest.mark.parametrize("bad", [[[0, 2]], [[0.5, 1]], "120/011", np.array([[1, -1]]),
                                 sp.csr_matrix(np.array([[0, 3]])), [["a", "b"]]])
def test_non_01(bad):
    with pytest.raises(SupportError, match="0/1|stored entries|dtype"):
        es.Support(bad)


def test_message_names_argument_and_entry():
    with pytest.raises(SupportError, match=r"Argument 'I' must be a 0/1 matrix, not one containing 2 at \(0, 1\)"):
        es.check_tractable([[0, 2]], [[1, 1]])


@pytest.mark.parametrize("bad", [[], [[]], [1, 0], [[1, 0], [1]], np.zeros((2, 2, 2))])
def test_shapes(bad):
    with pytest.raises(ShapeError):
        es.Support(bad)


def test_nan():
    with pytest.raises(NonFiniteError):
        es.Support(np.array([[np.nan, 1.0]]))


def test_pair_mismatch_gives_both_shapes():
    from exactsparse.supports import check_pair
    with pytest.raises(ShapeError, match=r"\(2, 2\).*\(3, 1\)"):
        check_pair(np.ones((2, 2)), np.ones((3, 1)))


def test_generator_arguments():
    with pytest.raises(ShapeError):
        es.identity(0)
    with pytest.raises(ShapeError):
        es.full(2, 1.5)
    with pytest.raises(ArgumentError):
        es.random_support(2, 2, 1.5)
    with pytest.raises(ShapeError):
        es.block_diagonal()


def test_from_graph_bad_nodes():
    import networkx as nx
    G = nx.Graph([(1, 2)])
    with pytest.raises(SupportError):
        es.Support.from_graph(G)


def test_more_generator_and_graph_errors():
    import networkx as nx
    G = nx.Graph()
    G.add_edge(("r", -1), ("c", 0))
    with pytest.raises(SupportError):
        es.Support.from_graph(G, shape=(1, 1))
    with pytest.raises(ArgumentError):
        es.random_support(2, 2, "a")
    with pytest.raises(ShapeError):
        es.block_diagonal((1,))


# ----------------------------------------------------------------------------- issue #15
@pytest.mark.parametrize("call", [
    lambda: es.identity(10**9), lambda: es.full(10**6, 10**6), lambda: es.lower_triangular(10**5),
    lambda: es.upper_triangular(10**5), lambda: es.random_support(10**12, 3, 0),
    lambda: es.block_diagonal((10**4, 10**4), (10**4, 10**4)),
    lambda: es.supports.rectangle_overlaps([((0,), (0,)), ((0,), (0,))], (10**9, 10**9)),
    lambda: es.Support.from_graph(__import__("networkx").Graph([(("r", 10**6), ("c", 10**6))]))])
def test_sizes_checked_before_allocating(call):
    """Each would need gigabytes to terabytes: the error comes first and names the limit."""
    import time
    start = time.monotonic()
    with pytest.raises(es.SizeLimitError, match=str(es.supports.MAX_CELLS)):
        call()
    assert time.monotonic() - start < 1


def test_huge_sizes_in_messages_do_not_crash():
    with pytest.raises(es.SizeLimitError, match="bits"):      # 10**5000 has > 4300 digits
        es.full(10**5000, 2)
    with pytest.raises(ShapeError, match="bits"):
        es.identity(-10**5000)


@pytest.mark.parametrize("seed", [-1, 2.5, "s", True])
def test_random_support_seed(seed):
    with pytest.raises(ArgumentError, match="seed"):
        es.random_support(3, 3, 0.5, seed=seed)


def test_identity_is_sparse_backed_and_large_identities_work():
    S = es.identity(10**6)
    assert S.shape == (10**6, 10**6) and S.nnz == 10**6 and S.column(5) == (5,)


@pytest.mark.parametrize("m, n, r", [(10**9, 1, 10**9), (1, 1, 10**6), (10**7, 10**7, 2)])
def test_support_pairs_refuses_huge_counts_quickly(m, n, r):
    with pytest.raises(es.SizeLimitError, match="raw patterns"):
        next(es.supports.support_pairs(m, n, r))


@pytest.mark.parametrize("rects, shape", [(5, (2, 2)), ([((0, 5), (0,)), ((0,), (0,))], (2, 2)),
                                          ([((0,), (0,))] * 2, (2,)), ([("a", "b")] * 2, (2, 2))])
def test_rectangle_overlaps_validates(rects, shape):
    with pytest.raises(ShapeError):
        es.supports.rectangle_overlaps(rects, shape)

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

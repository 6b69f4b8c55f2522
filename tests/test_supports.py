"""Supports: constructors, graphs, classes, overlaps, generators."""

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import exactsparse as es
from exactsparse import supports as S

FORMS = {
    "string": "110/011",
    "lists": [[1, 1, 0], [0, 1, 1]],
    "bool": np.array([[True, True, False], [False, True, True]]),
    "float01": np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]),
    "scipy": sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1]])),
    "support": es.Support("110/011"),
}


@pytest.mark.parametrize("name", FORMS)
def test_constructors_agree(name):
    s = es.Support(FORMS[name])
    assert s == es.Support("110/011") and s.shape == (2, 3) and s.nnz == 4
    assert hash(s) == hash(es.Support("110/011"))


def test_immutable():
    s = es.Support("10/01")
    with pytest.raises(AttributeError):
        s.foo = 1
    with pytest.raises(ValueError):
        s.array[0, 0] = False


def supports_st(max_m=4, max_n=4):
    return st.tuples(st.integers(1, max_m), st.integers(1, max_n)).flatmap(
        lambda sh: st.lists(st.booleans(), min_size=sh[0] * sh[1], max_size=sh[0] * sh[1])
        .map(lambda v: es.Support(np.array(v).reshape(sh))))


@given(supports_st())
@settings(max_examples=60, deadline=None)
def test_graph_round_trip_and_convention(s):
    G = s.to_graph()
    top = {u for u, d in G.nodes(data=True) if d["bipartite"] == 0}
    assert top == {("r", i) for i in range(s.shape[0])}
    assert nx.is_bipartite(G) and G.number_of_edges() == s.nnz
    assert es.Support.from_graph(G, shape=s.shape) == s
    # networkx's own biadjacency matrix is the support itself
    rows = [("r", i) for i in range(s.shape[0])]
    cols = [("c", j) for j in range(s.shape[1])]
    B = nx.bipartite.biadjacency_matrix(G, rows, cols).toarray()
    assert np.array_equal(B != 0, s.array)


def test_right_from_rx_is_transpose():
    assert es.right_from_rx("110/011") == es.Support("10/11/01")


def test_rank_one_supports_and_classes():
    I, J = "110/111", "110/101"
    assert es.rank_one_supports(I, J) == (((0, 1), (0, 1)), ((0, 1), (0,)), ((1,), (1,)))
    classes = es.equivalence_classes("11/11", "11/11")
    assert len(classes) == 1 and classes[0].columns == (0, 1) and classes[0].is_complete


def _brute_overlaps(I, J):
    """Independent: class rectangles as cell sets, pairwise intersection."""
    I, J = np.asarray(I, bool), np.asarray(J, bool)
    keys = {}
    for k in range(I.shape[1]):
        R, C = tuple(np.flatnonzero(I[:, k])), tuple(np.flatnonzero(J[:, k]))
        if R and C:
            keys.setdefault((R, C), []).append(k)
    cells = [set(itertools.product(R, C)) for (R, C) in keys]
    return len(keys), {(p, q) for p in range(len(cells)) for q in range(p + 1, len(cells))
                       if cells[p] & cells[q]}


@given(supports_st(4, 3), st.integers(1, 4), st.integers(0, 10**6))
@settings(max_examples=80, deadline=None)
def test_overlap_graph_matches_cell_sets(_, n, seed):
    rng = np.random.default_rng(seed)
    m, r = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    I, J = rng.random((m, r)) < 0.5, rng.random((n, r)) < 0.5
    count, pairs = _brute_overlaps(I, J)
    G = es.overlap_graph(I, J)
    assert G.number_of_nodes() == count
    assert {tuple(sorted(e)) for e in G.edges()} == pairs
    comps = es.overlap_components(I, J)
    assert sum(len(c) for c in comps) == count


def test_complete_classes_definition():
    I = [[1, 0], [1, 0], [1, 1]]
    J = [[1, 1], [1, 1], [1, 1]]
    cec = es.complete_classes(I, J)
    assert [c.columns for c in cec] == [(1,)] and cec[0].rows == (2,)


def test_cover_graph_labels():
    G = S.cover_graph("11", "11")
    assert G.edges[("r", 0), ("c", 0)]["ks"] == (0, 1)


GENERATORS = {
    "full": (es.full(2, 3), np.ones((2, 3))),
    "identity": (es.identity(3), np.eye(3)),
    "lower": (es.lower_triangular(3), np.tril(np.ones((3, 3)))),
    "upper": (es.upper_triangular(3), np.triu(np.ones((3, 3)))),
    "block": (es.block_diagonal((1, 2), (2, 1)), np.array([[1, 1, 0], [0, 0, 1], [0, 0, 1]])),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators(name):
    s, expected = GENERATORS[name]
    assert np.array_equal(s.array, expected.astype(bool))


def test_random_support_seeded():
    a, b = es.random_support(5, 4, 0.5, seed=1), es.random_support(5, 4, 0.5, seed=1)
    assert a == b and es.random_support(50, 50, 0.0, seed=2).nnz == 0


def test_pickle_round_trip():
    import pickle
    s = es.Support("101/010")
    assert pickle.loads(pickle.dumps(s)) == s


@given(st.integers(0, 10**9))
@settings(max_examples=60, deadline=None)
def test_overlap_strategies_agree(seed):
    rng = np.random.default_rng(seed)
    m, n, p = (int(v) for v in rng.integers(1, 30, size=3))
    rects = [(tuple(np.flatnonzero(rng.random(m) < 0.3)), tuple(np.flatnonzero(rng.random(n) < 0.3)))
             for _ in range(p)]
    rects = [(r, c) for r, c in rects if r and c]
    if len(rects) < 2:
        return
    R = S._incidence([r for r, _ in rects], m)
    C = S._incidence([c for _, c in rects], n)
    packed = sorted(S._packed_overlaps(R, C))
    both = ((R.T @ R) != 0).multiply((C.T @ C) != 0).tocoo()
    sparse = sorted((int(a), int(b)) for a, b in zip(both.row, both.col) if a < b)
    brute = sorted((a, b) for a in range(len(rects)) for b in range(a + 1, len(rects))
                   if set(rects[a][0]) & set(rects[b][0]) and set(rects[a][1]) & set(rects[b][1]))
    assert packed == sparse == brute == S.rectangle_overlaps(rects, (m, n))


def test_sparse_backed_support_never_densifies_for_classes():
    big = es.block_diagonal(*[(3, 1)] * 20000)     # 60000 × 20000, dense would be 1.2 GB
    assert big._a is None and big.nnz == 60000
    assert len(es.equivalence_classes(big, big)) == 20000 and big._a is None
    assert es.Support(big.to_scipy()) == big


def _orbit_key(I, J):
    """Canonical key of ``(I, J)`` under row permutations of I, of J and simultaneous
    column permutations, by brute force over the whole group (independent of the
    enumerator, which only permutes columns and sorts rows)."""
    m, r = I.shape
    n = J.shape[0]
    return min((I[np.ix_(p, c)].tobytes(), J[np.ix_(q, c)].tobytes())
               for c in map(list, itertools.permutations(range(r)))
               for p in map(list, itertools.permutations(range(m)))
               for q in map(list, itertools.permutations(range(n))))


def _all_pairs(m, n, r, nondegenerate):
    def masks(rows):
        for bits in itertools.product((0, 1), repeat=rows * r):
            a = np.array(bits, dtype=bool).reshape(rows, r)
            if not nondegenerate or (a.any(axis=0).all() and a.any(axis=1).all()):
                yield a
    Js = list(masks(n))
    return ((I, J) for I in masks(m) for J in Js)


@pytest.mark.parametrize("m,n,r,nondegenerate", [
    (m, n, r, nd) for (m, n, r) in [(1, 1, 1), (2, 1, 2), (1, 2, 2), (2, 2, 2), (3, 2, 2)]
    for nd in (False, True)] + [(2, 2, 3, True)])
def test_support_pairs_one_per_orbit(m, n, r, nondegenerate):
    listed = list(S.support_pairs(m, n, r, nondegenerate=nondegenerate))
    keys = [_orbit_key(np.asarray(I, bool), np.asarray(J, bool)) for I, J in listed]
    orbits = {_orbit_key(I, J) for I, J in _all_pairs(m, n, r, nondegenerate)}
    assert all(np.asarray(I).shape == (m, r) and np.asarray(J).shape == (n, r)
               for I, J in listed)
    assert len(set(keys)) == len(keys), "two listed pairs are equivalent"
    assert set(keys) == orbits, "an orbit is missing or a listed pair is not valid"

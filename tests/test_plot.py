"""Pictures (:mod:`exactsparse.plot`): each image holds exactly the support it claims,
checked against an independent computation (numpy products and Kronecker products, the
networkx graph, a numpy loss)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

matplotlib = pytest.importorskip("matplotlib", reason="plotting needs the 'plot' extra")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import exactsparse as es  # noqa: E402
from exactsparse import plot  # noqa: E402
from exactsparse.supports import Support  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def image(ax):
    return np.asarray(ax.images[0].get_array())


@settings(max_examples=25, deadline=None)
@given(arrays(bool, st.tuples(st.integers(1, 9), st.integers(1, 9))))
def test_plot_support_image_is_the_pattern(a):
    ax = plot.plot_support(Support(a))
    assert isinstance(ax, Axes)
    assert image(ax).tolist() == a.astype(int).tolist()
    plt.close("all")


def test_plot_support_on_given_axes():
    fig, ax = plt.subplots()
    assert plot.plot_support("10/01", ax=ax, title="I") is ax and ax.get_title() == "I"


def test_plot_bipartite_draws_one_segment_per_nonzero():
    a = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1]], bool)
    ax = plot.plot_bipartite(a)
    m, n = a.shape
    segments = ax.collections[-1].get_segments()
    top = (max(m, n) - 1) / 2
    row_of = {round((m - 1) / 2 - i - top, 9): i for i in range(m)}
    col_of = {round((n - 1) / 2 - j - top, 9): j for j in range(n)}
    drawn = set()
    for (x0, y0), (x1, y1) in segments:
        (xr, yr), (xc, yc) = sorted([(x0, y0), (x1, y1)])
        assert (xr, xc) == (0, 1)
        drawn.add((row_of[round(yr, 9)], col_of[round(yc, 9)]))
    edges = {(u[1], v[1]) if u[0] == "r" else (v[1], u[1]) for u, v in Support(a).to_graph().edges}
    assert drawn == edges == {(int(i), int(j)) for i, j in zip(*np.nonzero(a))}


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.data())
def test_plot_pair_coverage(m, n, r, data):
    I = data.draw(arrays(bool, (m, r)))
    J = data.draw(arrays(bool, (n, r)))
    fig = plot.plot_pair(Support(I), Support(J))
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert image(fig.axes[0]).tolist() == I.astype(int).tolist()
    assert image(fig.axes[1]).tolist() == J.astype(int).tolist()
    cover = sum(np.outer(I[:, k], J[:, k]).astype(int) for k in range(r))
    assert image(fig.axes[2]).tolist() == cover.tolist()
    plt.close("all")


def kron_support(a, b, c, d):
    """``I_a ⊗ 1_{b×c} ⊗ I_d``, entry by entry (not by np.kron)."""
    M = np.zeros((a * b * d, a * c * d), int)
    for i in range(a):
        for beta in range(b):
            for gamma in range(c):
                for j in range(d):
                    M[i * b * d + beta * d + j, i * c * d + gamma * d + j] = 1
    return M


@pytest.mark.parametrize("N", [2, 4, 8, 16])
def test_plot_butterfly_factors_of_size(N):
    fig = plot.plot_butterfly_factors(N)
    L = N.bit_length() - 1
    assert len(fig.axes) == L
    for k, ax in enumerate(fig.axes, start=1):      # π_k = (2^{k−1}, 2, 2, N/2^k)
        assert image(ax).tolist() == kron_support(2 ** (k - 1), 2, 2, N // 2 ** k).tolist()


def test_plot_butterfly_factors_of_a_result_and_of_patterns():
    H = np.kron(np.kron([[1, 1], [1, -1]], [[1, 1], [1, -1]]), [[1, 1], [1, -1]])
    res = es.identify_butterfly(H)
    fig = plot.plot_butterfly_factors(res)
    pats = res.certificate["patterns"]
    assert [image(ax).tolist() for ax in fig.axes] == [kron_support(*p).tolist() for p in pats]
    fig2 = plot.plot_butterfly_factors([(1, 2, 3, 1), (2, 3, 1, 1)])
    assert image(fig2.axes[0]).tolist() == kron_support(1, 2, 3, 1).tolist()


def numpy_loss(A, X, Y):
    R = np.asarray(A, float) - np.asarray(X, float) @ np.asarray(Y, float).T
    return float((R ** 2).sum())


SIX = ([[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001", "1010/1001/1100")


def two_points():
    rng = np.random.default_rng(1)
    I, J = Support(SIX[1]).to_numpy(), Support(SIX[2]).to_numpy()
    return [(rng.integers(-3, 4, I.shape) * I, rng.integers(-3, 4, J.shape) * J)
            for _ in range(3)]


def test_landscape_line_matches_numpy():
    P0, P1, _ = two_points()
    s, loss = plot.fsmf_landscape(SIX[0], P0, P1, points=9)
    assert s.tolist() == np.linspace(-0.25, 1.25, 9).tolist()
    expected = [numpy_loss(SIX[0], (1 - t) * P0[0] + t * P1[0], (1 - t) * P0[1] + t * P1[1])
                for t in s]
    assert np.allclose(loss, expected, rtol=1e-12)


def test_landscape_exact_is_exact():
    P0, P1, _ = two_points()
    s, loss = plot.fsmf_landscape(SIX[0], P0, P1, points=5, extent=(0, 1), exact=True)
    assert s.tolist() == [Fraction(k, 4) for k in range(5)]
    A = np.array(SIX[0], dtype=object)
    for t, v in zip(s, loss):
        X = (1 - t) * np.array(P0[0], dtype=object) + t * np.array(P1[0], dtype=object)
        Y = (1 - t) * np.array(P0[1], dtype=object) + t * np.array(P1[1], dtype=object)
        R = A - X.dot(Y.T)
        assert v == sum(x * x for x in R.ravel()) and isinstance(v, Fraction)


def test_landscape_plane_corners():
    P0, P1, P2 = two_points()
    s, t, loss = plot.fsmf_landscape(SIX[0], P0, P1, P2, extent=(0, 1), points=3)
    assert loss.shape == (3, 3)
    assert np.isclose(loss[0, 0], numpy_loss(SIX[0], *P0))
    assert np.isclose(loss[0, 2], numpy_loss(SIX[0], *P1))     # s = 1, t = 0
    assert np.isclose(loss[2, 0], numpy_loss(SIX[0], *P2))     # s = 0, t = 1


def test_plot_landscape_line_and_plane():
    P0, P1, P2 = two_points()
    ax = plot.plot_landscape(SIX[0], P0, P1, points=11)
    s, loss = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert np.allclose(loss, plot.fsmf_landscape(SIX[0], P0, P1, points=11)[1])
    assert np.isclose(ax.lines[1].get_ydata()[0], numpy_loss(SIX[0], *P0))
    ax2 = plot.plot_landscape(SIX[0], P0, P1, P2, points=7)
    assert isinstance(ax2, Axes) and ax2.collections


def test_landscape_accepts_exact_matrices_of_any_form():
    """A flint matrix and tuples of Fractions (what the hardness routines return) give the
    same float landscape as plain integer lists."""
    from exactsparse.exact import as_matrix
    P0, P1, _ = two_points()
    exact_points = [tuple(tuple(tuple(Fraction(int(v)) for v in row) for row in M) for M in P)
                    for P in (P0, P1)]
    _, a = plot.fsmf_landscape(SIX[0], P0, P1, points=5)
    _, b = plot.fsmf_landscape(as_matrix(SIX[0]), *exact_points, points=5)
    assert a.tolist() == b.tolist()

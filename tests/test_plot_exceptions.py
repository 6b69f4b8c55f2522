"""Bad input to :mod:`exactsparse.plot`, and plotting without matplotlib (the message names
the extra to install)."""

import sys

import numpy as np
import pytest

import exactsparse as es
from exactsparse import plot
from exactsparse.exceptions import (ArgumentError, ExactSparseError, MissingExtraError,
                                    ShapeError, SizeLimitError, SupportError)

P = ([[1], [1]], [[1], [2]])


@pytest.fixture
def no_matplotlib(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)


@pytest.mark.parametrize("call", [
    lambda: plot.plot_support("10/01"),
    lambda: plot.plot_bipartite("10/01"),
    lambda: plot.plot_pair("10/01", "10/01"),
    lambda: plot.plot_butterfly_factors(4),
    lambda: plot.plot_landscape([[1, 2], [3, 4]], P, P),
])
def test_missing_matplotlib(no_matplotlib, call):
    with pytest.raises(MissingExtraError, match=r"pip install 'exactsparse\[plot\]'") as exc:
        call()
    assert isinstance(exc.value, ImportError) and isinstance(exc.value, ExactSparseError)


def test_landscape_numbers_need_no_matplotlib(no_matplotlib):
    s, loss = plot.fsmf_landscape([[1, 2], [3, 4]], P, P, points=3)
    assert len(loss) == 3


def test_bad_supports():
    pytest.importorskip("matplotlib", reason="plotting needs the 'plot' extra")
    with pytest.raises(SupportError):
        plot.plot_support([[1, 2]])
    with pytest.raises(ShapeError, match="same number of columns"):
        plot.plot_pair("10/01", "1/1")


@pytest.mark.parametrize("chain, error, message", [
    ("abc", ArgumentError, "Argument 'chain' must be"),
    ([(1, 2)], ArgumentError, "Argument 'chain' must be"),
    (3, Exception, "power of two|Argument"),
    (2048, SizeLimitError, "side at most 1024"),
    ([], SizeLimitError, "Argument 'chain'"),
])
def test_bad_chains(chain, error, message):
    pytest.importorskip("matplotlib", reason="plotting needs the 'plot' extra")
    with pytest.raises(error, match=message) as exc:
        plot.plot_butterfly_factors(chain)
    assert isinstance(exc.value, ExactSparseError)


def test_result_without_patterns():
    r = es.check_tractable("10/01", "10/01")
    with pytest.raises(ArgumentError, match="must carry the butterfly patterns"):
        plot.plot_butterfly_factors(r)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"points": 1}, SizeLimitError, r"'points' must be an integer in \[2, 401\]"),
    ({"points": 10**6}, SizeLimitError, "'points'"),
    ({"points": 2.5}, SizeLimitError, "'points'"),
    ({"points": True}, SizeLimitError, "'points'"),
    ({"extent": (1, 0)}, ArgumentError, "'extent' must be two finite increasing"),
    ({"extent": (0, float("inf"))}, ArgumentError, "'extent'"),
    ({"extent": ("a", 1)}, ArgumentError, "'extent' must be two finite numbers"),
])
def test_bad_landscape_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        plot.fsmf_landscape([[1, 2], [3, 4]], P, P, **kwargs)


def test_bad_points():
    with pytest.raises(ArgumentError, match="Argument 'P1' must be a pair"):
        plot.fsmf_landscape([[1, 2], [3, 4]], P, [[1], [1]][0])
    with pytest.raises(ShapeError):
        plot.fsmf_landscape([[1, 2, 3], [3, 4, 5]], P, P)
    with pytest.raises(SizeLimitError, match=r"\[2, 101\]"):
        plot.fsmf_landscape([[1, 2], [3, 4]], P, P, P, points=200)

"""Bad input to the chain design: typed errors naming the argument, what was expected and
what was received."""

import numpy as np
import pytest

from exactsparse import (ArgumentError, BudgetError, BudgetTooSmallError, ExactSparseError,
                         NonFiniteError, ShapeError, SizeLimitError)
from exactsparse.butterfly.design import design_chain, enumerate_chains, split_lower_bound
from exactsparse.cli import main


@pytest.mark.parametrize("budget", [0, -5, 1.5, True, "10", None])
def test_budget_not_a_positive_integer(budget):
    with pytest.raises(BudgetError, match="Argument 'budget' must be a positive integer"):
        design_chain(np.eye(4), budget)


@pytest.mark.parametrize("m, n", [(8, 8), (7, 7), (1, 6), (12, 5)])
def test_budget_below_every_chain_names_the_smallest(m, n):
    smallest = min(m * n, m + n)                      # dense, or the rank-one chain
    with pytest.raises(BudgetTooSmallError, match=rf"at least {smallest} parameters") as e:
        design_chain(np.ones((m, n)), smallest - 1)
    assert "smallest" in str(e.value) and "flops" in str(e.value)
    assert isinstance(e.value, BudgetError) and isinstance(e.value, ValueError)


def test_budget_below_the_dense_chain_with_one_factor():
    with pytest.raises(BudgetTooSmallError, match=r"\(1,4,4,1\)"):
        design_chain(np.eye(4), 15, max_factors=1)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_matrix(bad):
    A = np.eye(4)
    A[1, 2] = bad
    with pytest.raises(NonFiniteError, match=r"must be finite.*\(1, 2\)"):
        design_chain(A, 16)
    with pytest.raises(NonFiniteError):
        split_lower_bound(A, 2, 2, 1)


@pytest.mark.parametrize("A, error", [(np.ones((2, 2, 2)), ShapeError),
                                      (np.ones((0, 3)), ShapeError),
                                      ([["a", "b"]], ArgumentError),
                                      ([[1, 2], [3]], ShapeError)])
def test_not_a_numeric_matrix(A, error):
    with pytest.raises(error, match="Argument 'A'"):
        design_chain(A, 4)


@pytest.mark.parametrize("kwargs, match", [
    ({"time_budget": 0}, "time_budget"), ({"time_budget": float("nan")}, "time_budget"),
    ({"max_factors": 0}, "max_factors"), ({"max_rank": 0}, "max_rank"),
    ({"tree": "up"}, "tree")])
def test_bad_options(kwargs, match):
    with pytest.raises(ExactSparseError, match=f"Argument '{match}'"):
        design_chain(np.eye(4), 16, **kwargs)


@pytest.mark.parametrize("m, n, error", [(0, 4, ArgumentError), (4, -1, ArgumentError),
                                         (2.0, 4, ArgumentError), (2**40, 2, SizeLimitError)])
def test_sizes_not_factorable(m, n, error):
    with pytest.raises(error, match="Argument '[mn]'"):
        next(enumerate_chains(m, n))


def test_enumeration_budget_not_positive():
    with pytest.raises(BudgetError, match="max_params"):
        next(enumerate_chains(4, 4, max_params=0))


@pytest.mark.parametrize("d, a", [(3, 2), (0, 2), (2, 5)])
def test_split_not_a_divisor(d, a):
    with pytest.raises(ArgumentError, match="must be a positive divisor"):
        split_lower_bound(np.ones((4, 4)), d, a, 1)


def test_cli_budget_errors(tmp_path, capsys):
    np.save(tmp_path / "A.npy", np.eye(4))
    assert main(["butterfly", "design", "--matrix", str(tmp_path / "A.npy"),
                 "--budget", "3"]) == 1
    assert "BudgetTooSmallError" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["butterfly", "design", "--matrix", str(tmp_path / "A.npy"), "--budget", "0"])
    assert e.value.code == 2


def test_cli_plot_without_matplotlib_fails_before_the_fits(tmp_path, monkeypatch, capsys):
    """``--plot`` without matplotlib is refused before any fit (it used to run the whole
    design and then fail): exit 1 naming the extra, and design_chain never called."""
    import builtins

    import exactsparse.butterfly as bf
    real_import = builtins.__import__

    def no_matplotlib(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib here")
        return real_import(name, *a, **k)

    called = []
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    monkeypatch.setattr(bf, "design_chain", lambda *a, **k: called.append(1))
    np.save(tmp_path / "h.npy", np.eye(8))
    code = main(["butterfly", "design", "--matrix", str(tmp_path / "h.npy"), "--budget", "64",
                 "--plot", str(tmp_path / "c.png")])
    assert code == 1 and not called
    assert "matplotlib" in capsys.readouterr().err

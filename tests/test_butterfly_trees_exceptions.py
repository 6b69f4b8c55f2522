"""Bad trees: leaves that do not match the chain, malformed nested tuples, bad split orders."""

import numpy as np
import pytest
import scipy.linalg

from exactsparse.butterfly import butterfly_factorize, monarch_patterns
from exactsparse.butterfly.trees import parse_tree, preset_tree, tree_from_split_order
from exactsparse.exceptions import ArgumentError, ExactSparseError, ShapeError

H8 = scipy.linalg.hadamard(8)          # a chain of K = 3 factors


@pytest.mark.parametrize("tree, found", [
    (((0, 1), (2, 3)), r"\(0, 1, 2, 3\)"),           # one factor too many
    ((((0, 1), 2), (3, 4)), r"\(0, 1, 2, 3, 4\)"),
    (((1, 0), 2), r"\(1, 0, 2\)"),                     # out of order
    (((0, 0), 2), r"\(0, 0, 2\)"),                     # repeated
    ((0, (1, 3)), r"\(0, 1, 3\)"),                     # wrong index
])
def test_leaves_must_match_the_chain(tree, found):
    with pytest.raises(ShapeError, match=r"leaves 0 … 2 in order .*K = 3.*" + found):
        butterfly_factorize(H8, tree=tree)


def test_too_few_leaves():
    with pytest.raises(ShapeError, match=r"K = 4\), not the leaves \(0, 1, 2\)"):
        butterfly_factorize(scipy.linalg.hadamard(16), tree=((0, 1), 2))


def test_leaves_must_match_a_general_chain():
    Z = np.ones((16, 16))
    with pytest.raises(ShapeError, match="K = 2"):
        butterfly_factorize(Z, monarch_patterns(16), tree=((0, 1), 2))


@pytest.mark.parametrize("tree, msg", [
    (((0, 1, 2),), "binary tree"),
    (((0, 1, 2), 3), "binary tree"),
    (((0,), (1, 2)), "binary tree"),
    (((0, 1.5), 2), "nested tuple of factor indices"),
    (((0, "1"), 2), "nested tuple of factor indices"),
    (((0, True), 2), "nested tuple of factor indices"),
    ((0, {1: 2}), "nested tuple of factor indices"),
    (None, "nested tuple of factor indices"),
    ("middle", "must be one of"),
    ((0, 1, 2, 3), "K − 1 = 2 cut positions"),          # flat: a split order of bad length
    ((), "K − 1 = 2 cut positions"),
    ([1, 1], "each cut position"),                       # split orders
    ([0, 1], "each cut position"),
    ([2, 3], "each cut position"),
    ([1, 2.0], "factor indices"),
])
def test_malformed_trees(tree, msg):
    with pytest.raises(ArgumentError, match=msg):
        butterfly_factorize(H8, tree=tree)


def test_errors_are_typed_and_name_the_argument():
    for bad in [((0, 1), (2, 3)), ((0, 1, 2), 3), [1, 1], "nope", 3.5]:
        with pytest.raises(ExactSparseError, match="Argument 'tree'"):
            parse_tree(bad, 3)


@pytest.mark.parametrize("n", [0, -1, 2.0, True, 10**6])
def test_bad_factor_counts(n):
    with pytest.raises(ArgumentError, match="n_factors"):
        preset_tree("left", n)
    with pytest.raises(ArgumentError, match="n_factors"):
        tree_from_split_order([], n)


def test_split_order_needs_a_sequence():
    with pytest.raises(ArgumentError, match="must be a sequence"):
        tree_from_split_order(5, 3)
    with pytest.raises(ArgumentError, match="must be a sequence"):
        tree_from_split_order("12", 3)


@pytest.mark.parametrize("bad, dtype", [
    (np.array([2.0, 1.0]), "float64"), (np.array([True, False]), "bool"),
    (np.array([1, 2], dtype=np.float32), "float32")])
def test_split_order_arrays_must_hold_integers(bad, dtype):
    """A numpy split order is accepted when it holds integers; floats and booleans are
    refused with the dtype in the message."""
    with pytest.raises(ArgumentError, match=rf"Argument 'tree' must hold integers .*dtype {dtype}"):
        butterfly_factorize(H8, tree=bad)
    with pytest.raises(ArgumentError, match=rf"must hold integers .*dtype {dtype}"):
        tree_from_split_order(bad, 3)


@pytest.mark.parametrize("bad, msg", [
    (np.array([1, 1]), r"each cut position 1 … 2 exactly once .*K = 3"),
    (np.array([1, 2, 3]), r"K − 1 = 2 cut positions .*not 3"),
])
def test_split_order_arrays_are_validated_like_lists(bad, msg):
    with pytest.raises(ArgumentError, match=msg):
        butterfly_factorize(H8, tree=bad)
    with pytest.raises(ArgumentError, match=msg):
        butterfly_factorize(H8, tree=bad.tolist())


# ----------------------------------------------------------------- the command line
BAD_CLI_TREES = [   # (flags, what the message must contain besides the flag)
    (["--tree", "((0,1),2)"], r"must have the leaves 0 … 3 in order.*K = 4 factors for N = "
                              r"16.*not the leaves 0,1,2"),
    (["--tree", "((0,1),(3,2))"], r"leaves 0 … 3 in order.*not the leaves 0,1,3,2"),
    (["--tree", "(((0,1),(2,3)),4)"], r"leaves 0 … 3 in order.*not the leaves 0,1,2,3,4"),
    (["--tree", "(0,1)"], r"leaves 0 … 3 in order.*not the leaves 0,1"),
    (["--tree", "((0,1),(2,3),4)"], r"nested tuple of factor indices.*a node with 3 elements"),
    (["--tree", "(0,1,2,3)"], r"a node with 4 elements.*--split-order"),
    (["--tree", "((0,1),(2,3)"], r"not '\(\(0,1\),\(2,3\)' \(not well formed"),
    (["--tree", "((0,1),(2.5,3))"], r"must be a preset \(left, right, balanced.*not "
                                    r"'\(\(0,1\),\(2\.5,3\)\)'"),
    (["--tree", "__import__('os').getcwd()"], r"must be a preset .* not \"__import__"),
    (["--tree", "balance"], r"must be a preset \(left, .*inverse-comb\).* not 'balance'"),
    (["--tree", ""], r"must be a preset"),
    (["--tree", "(" * 300 + "0" + ",1)" * 300], r"nested 300 levels deep \(at most 256\)"),
    (["--split-order", "2,1"], r"must list each cut position 1 … 3 exactly once \(K = 4 "
                               r"factors for N = 16\), not 2,1$"),
    (["--split-order", "1,1,2"], r"each cut position 1 … 3 exactly once.*not 1,1,2"),
    (["--split-order", "0,1,2"], r"each cut position 1 … 3.*not 0,1,2"),
    (["--split-order", "1,2,3,4"], r"each cut position 1 … 3.*not 1,2,3,4"),
    (["--split-order", ""], r"each cut position 1 … 3.*not nothing"),
    (["--split-order", "2;1;3"], r"must be comma-separated cut positions such as 2,1,3, not "
                                 r"'2;1;3'"),
    (["--split-order", "2,-1,3"], r"comma-separated cut positions"),
    (["--tree", "left", "--split-order", "2,1,3"], r"not allowed with argument --tree"),
]


@pytest.mark.parametrize("flags, msg", BAD_CLI_TREES, ids=range(len(BAD_CLI_TREES)))
def test_cli_bad_trees_are_usage_errors(tmp_path, capsys, flags, msg):
    """Exit code 2, one message naming the flag, what it expects and what came; no
    traceback."""
    from exactsparse.cli import main
    np.save(tmp_path / "H.npy", scipy.linalg.hadamard(16).astype(float))
    with pytest.raises(SystemExit) as exc:
        main(["butterfly", "factorize", "--matrix", str(tmp_path / "H.npy"), "--quiet",
              *flags])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err
    flag = flags[-2]
    assert last.startswith(f"exactsparse butterfly factorize: error: argument {flag}"), last
    import re
    assert re.search(msg, last), last


def test_cli_tree_of_a_matrix_without_a_butterfly_chain(tmp_path, capsys):
    """A nested tree on a matrix that has no butterfly chain: the matrix is the problem
    (exit 1 naming it), not the tree."""
    from exactsparse.cli import main
    np.save(tmp_path / "six.npy", np.eye(6))
    assert main(["butterfly", "factorize", str(tmp_path / "six.npy"), "--quiet", "--tree",
                 "((0,1),2)"]) == 1
    assert "PowerOfTwoError" in capsys.readouterr().err

"""Bad input to exactsparse.relu: typed errors with messages naming what is wrong."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from exactsparse.exceptions import (ArgumentError, ExactTypeError, FloatInExactError,
                                    NonFiniteError, ParseError, ShapeError, SizeLimitError)
from exactsparse.relu import (DegenerateNetworkError, KinkError, Network, activation_matrix,
                              canonical_form, equivalent, local_identifiability, path_lifting,
                              path_norm, pathlift, pathlift_blocks, pathlift_jacobian, permute,
                              rescale)

SPEC = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])


def test_mismatched_layer_shapes_name_layer_and_shapes():
    with pytest.raises(ShapeError, match=r"Layer 2: W2 has shape \(1, 3\) but the previous "
                                         r"layer W1 has shape \(2, 2\)"):
        Network([{"W": [[1, 2], [3, 4]], "b": [0, 0]}, {"W": [[1, 2, 3]], "b": [0]}])
    with pytest.raises(ShapeError, match=r"Layer 1: b1 has shape \(3,\) but W1 has shape \(2, 2\)"):
        Network([{"W": [[1, 2], [3, 4]], "b": [0, 0, 0]}])
    with pytest.raises(ShapeError, match="rectangular"):
        Network([{"W": [[1, 2], [3]], "b": [0, 0]}])
    with pytest.raises(ShapeError):
        Network([])
    with pytest.raises(ParseError, match="'W' and 'b'"):
        Network([{"W": [[1]]}])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_non_finite_weights(bad):
    with pytest.raises(NonFiniteError, match="finite"):
        Network([{"W": [[1.0, bad]], "b": [0.0]}])


def test_floats_into_exact_routines():
    net = SPEC.to_float()
    for fn in (canonical_form, path_lifting, pathlift_jacobian):
        with pytest.raises(FloatInExactError, match="to_exact"):
            fn(net)
    with pytest.raises(FloatInExactError):
        equivalent(net, SPEC)
    with pytest.raises(FloatInExactError):
        local_identifiability(net, [[1, 1]])
    with pytest.raises(FloatInExactError, match="from_float"):
        local_identifiability(SPEC, [[0.5, 1]])
    # explicit conversion works and is exact
    assert canonical_form(net.to_exact()).certificate == canonical_form(SPEC).certificate


def test_degenerate_network_names_the_neuron():
    net = Network([{"W": [[1], [0]], "b": [1, 0]}, {"W": [[1, 1]], "b": [0]}])
    with pytest.raises(DegenerateNetworkError, match="neuron h1.1 has zero incoming weights"):
        canonical_form(net)
    net = Network([{"W": [[1], [2]], "b": [1, 0]}, {"W": [[1, 0]], "b": [0]}])
    with pytest.raises(DegenerateNetworkError, match="neuron h1.1 has zero outgoing weights"):
        canonical_form(net)
    with pytest.raises(DegenerateNetworkError, match="h1.1"):
        local_identifiability(net, [[1]])
    assert isinstance(DegenerateNetworkError("x"), ValueError)


def test_sample_on_a_kink_names_sample_and_neuron():
    with pytest.raises(KinkError, match=r"Sample 1 \(\['1'\]\) lies on a kink of neuron h1.0"):
        local_identifiability(Network([{"W": [[1], [-1]], "b": [-1, -1]},
                                       {"W": [[1, 1]], "b": [0]}]), [[3], [1], [-2]])


def test_phi_too_large_points_to_streaming():
    net = Network([{"W": [[1] * 10] * 10, "b": [0] * 10}] * 1
                  + [{"W": [[1] * 10] * 10, "b": [0] * 10}] * 5)
    with pytest.raises(SizeLimitError, match=r"\|Φ\| = \d+ paths > max_paths.*iter_pathlift"):
        pathlift(net, max_paths=1000)
    with pytest.raises(SizeLimitError, match="streaming"):
        path_lifting(net, max_paths=1000)
    with pytest.raises(SizeLimitError, match="entries"):
        activation_matrix(net, [[0] * 10], max_entries=100)
    next(iter(pathlift_blocks(net, 16)))       # the streaming API still works


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="q"):
        path_norm(SPEC, 0.5)
    with pytest.raises(ExactTypeError, match="q"):
        path_norm(SPEC, "1")
    with pytest.raises(ShapeError, match="lam"):
        rescale(SPEC, [[1]])
    with pytest.raises(ArgumentError, match="nonzero"):
        rescale(SPEC, [[0, 1]])
    with pytest.raises(ArgumentError, match="permutations"):
        permute(SPEC, [[0, 0]])
    with pytest.raises(ArgumentError, match="norm"):
        canonical_form(SPEC, norm="l2")
    with pytest.raises(ShapeError, match="columns"):
        SPEC.evaluate([[1, 2, 3]])
    with pytest.raises(ShapeError, match="L >= 2"):
        local_identifiability(Network([{"W": [[1]], "b": [0]}]), [[1]])
    with pytest.raises(ArgumentError, match="prime"):
        local_identifiability(SPEC, [[1, 1]], prime=2**61 - 1)
    with pytest.raises(ExactTypeError):
        Network([{"W": [[object()]], "b": [0]}])
    with pytest.raises(ParseError):
        Network.from_json("{not json")
    assert SPEC([F(1, 2), "-7/3"]) == (F(101, 6),)


def test_dag_bad_input():
    from exactsparse.relu import DagNetwork
    with pytest.raises(ShapeError, match="topological order"):
        DagNetwork({"inputs": 1, "nodes": [{"name": "o0", "kind": "output", "in": {"h0": 1}}]})
    with pytest.raises(ParseError, match="kind"):
        DagNetwork({"inputs": 1, "nodes": [{"name": "o0", "kind": "sigmoid", "in": {"x0": 1}}]})
    with pytest.raises(ArgumentError, match="no bias"):
        DagNetwork({"inputs": 1, "nodes": [{"name": "m", "kind": "max", "bias": 1, "in": {"x0": 1}},
                                           {"name": "o0", "kind": "output", "in": {"m": 1}}]})
    with pytest.raises(NonFiniteError):
        DagNetwork({"inputs": 1, "nodes": [{"name": "o0", "kind": "output", "in": {"x0": math.inf}}]})
    with pytest.raises(ShapeError, match="sinks"):
        DagNetwork({"inputs": 1, "nodes": [{"name": "o0", "kind": "output", "in": {"x0": 1}},
                                           {"name": "o1", "kind": "output", "in": {"o0": 1}}]})


def test_shallow_bad_input():
    from exactsparse.relu import shallow_identifiability
    with pytest.raises(ShapeError, match="one hidden layer"):
        shallow_identifiability(Network([{"W": [[1]], "b": [0]}] * 3))
    with pytest.raises(ShapeError, match="intervals"):
        shallow_identifiability(SPEC, [(0, 1)])
    with pytest.raises(ArgumentError, match="lo < hi"):
        shallow_identifiability(SPEC, [(0, 1), (2, 2)])


# ------------------------------------------------------- regressions of the capability fuzz
import exactsparse.relu as R  # noqa: E402
from exactsparse.exceptions import ExactSparseError  # noqa: E402

_HUGE = 10**5000


@pytest.mark.parametrize("call", [
    lambda: R.path_name([2, 3], 0, 1, []),
    lambda: R.path_name(float("-inf"), 1, 2, 0),
    lambda: R.param_names(None),
    lambda: R.param_names([np.float64(2), 3]),
    lambda: R.path_names([10**6] * 3),
    lambda: R.random_network([3, 1], seed=-1),
    lambda: R.random_network(None),
    lambda: R.neuron_name(2, 1, np.ones((1, 2))),
    lambda: R.permute_paths([1, 2], [[0]]),
    lambda: R.dag_pathlift([[1.0]]),
    lambda: R.frozen_edges(np.array([["a"]])),
    lambda: R.rescale(
        R.random_network([1, 2, 1]), [[_HUGE]] * 3),
], ids=["path_name-list", "path_name-inf", "param_names-None", "param_names-float",
        "path_names-huge", "random_network-seed", "random_network-None", "neuron_name-array",
        "permute_paths-list", "dag_pathlift-list", "frozen_edges-array", "rescale-huge-repr"])
def test_fuzz_regressions_typed(call):
    with pytest.raises(ExactSparseError):
        call()


def test_fuzz_regressions_activation_and_limits():
    from exactsparse.relu import (activation_patterns, local_identifiability, path_lifting,
                                  path_norm, random_network)
    net = random_network([3, 1], seed=0)
    with pytest.raises(ExactSparseError):
        activation_patterns(net, [[3, -2]])                      # wrong sample width
    with pytest.raises(ExactSparseError):
        activation_matrix(net, [[3, 3, 3]], max_entries=[[1]])
    with pytest.raises(ExactSparseError):
        activation_matrix(net, -10**9)
    with pytest.raises(ExactSparseError):
        path_lifting(net, max_paths=None)
    with pytest.raises(ExactSparseError):
        local_identifiability(net, [[1, 2, 3]], exact=np.ones(2))
    with pytest.raises(ExactSparseError):
        canonical_form(net, norm=np.ones((2, 2)))
    with pytest.raises(ExactSparseError):
        path_norm(net, q=_HUGE)
    big = Network([{"W": [[10**400]], "b": [0]}])
    with pytest.raises(ExactSparseError):
        path_norm(big, q=1)


def test_fuzz_regressions_flags():
    with pytest.raises(ExactSparseError):
        Network([{"W": [[1, 2]], "b": [0]}], numeric=np.ones(2))
    with pytest.raises(ExactSparseError):
        R.random_network([1, 2], zero=np.ones((2, 2)))


def test_samples_as_exact_strings_are_accepted_and_bad_strings_typed():
    # "p/q" strings are exact samples (docs/relu.md uses them); a malformed one is a ParseError
    from exactsparse.exceptions import ParseError
    from exactsparse.relu import Network, activation_matrix
    net = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
    activation_matrix(net, [[2, 1], ["1/2", "-7/3"]])
    with pytest.raises(ParseError):
        activation_matrix(net, [[2, "abc"]])

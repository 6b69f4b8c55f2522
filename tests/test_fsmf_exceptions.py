"""Bad input to the FSMF routines: typed errors, nothing returned."""

import json

import numpy as np
import pytest

import exactsparse as es
from exactsparse.exceptions import (FloatInExactError, NonFiniteError, ShapeError,
                                    SupportError)
from exactsparse.examples import get_example


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 2\).*\(3, 2\)"):
        es.solve_fsmf([[1, 2], [3, 4]], np.ones((3, 1)), np.ones((2, 1)))


def test_empty_matrix():
    with pytest.raises(ShapeError):
        es.solve_fsmf([], [[1]], [[1]])


def test_r_zero():
    with pytest.raises(ShapeError, match=r"\(2, 0\)"):
        es.check_tractable(np.ones((2, 0)), np.ones((2, 0)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf(bad):
    A = np.array([[1.0, bad], [0.0, 1.0]])
    with pytest.raises(NonFiniteError):
        es.solve_fsmf(A, np.ones((2, 1)), np.ones((2, 1)))


def test_float_into_exact_mode():
    with pytest.raises(FloatInExactError):
        es.solve_fsmf(np.array([[0.5]]), [[1]], [[1]], exact_mode=True)


def test_non_01_support():
    with pytest.raises(SupportError):
        es.solve_fsmf([[1]], [[2]], [[1]])


def test_verify_rejects_certificate_of_another_instance():
    a, b = get_example("cec-overlap"), get_example("low-rank")
    s = es.solve_fsmf(a.A, a.I, a.J)
    v = es.verify(s, (b.A, b.I, b.J))
    assert not v.valid and v.message.startswith("invalid certificate")


@pytest.mark.parametrize("payload", ["not json", "{}", json.dumps({"kind": "fsmf.solve"}),
                                     json.dumps({"kind": "nope", "verdict": "x",
                                                 "certificate": {}, "theorem": "", "backend": ""})])
def test_verify_never_crashes_on_garbage(payload):
    ex = get_example("low-rank")
    v = es.verify(payload, (ex.A, ex.I, ex.J))
    assert not v.valid and "invalid certificate" in v.message


def test_verify_rejects_tampered_certificates():
    ex = get_example("cec-overlap")
    s = es.solve_fsmf(ex.A, ex.I, ex.J)
    d = json.loads(s.to_json())
    d["certificate"]["complete"] = []
    assert not es.verify(json.dumps(d), (ex.A, ex.I, ex.J))
    d = json.loads(s.to_json())
    d["value"] = "15/2 + sqrt(41)/2"
    assert not es.verify(json.dumps(d), (ex.A, ex.I, ex.J))
    d = json.loads(s.to_json())
    d["X"][0][1] = "5"        # outside the support
    assert not es.verify(json.dumps(d), (ex.A, ex.I, ex.J))


def _tampered(ex, **changes):
    d = json.loads(es.solve_fsmf(ex.A, ex.I, ex.J).to_json())
    d.update(changes)
    return json.dumps(d)


@pytest.mark.parametrize("changes", [
    {"certified": False, "value": "0"},
    {"certified": False, "enclosure": ["0", "0"]},
    {"attained": False},
    {"attained": "maybe"},
    {"family": "bogus"},
    {"theorem": "bogus"},
    {"enclosure": ["-1000", "1000"]},
    {"value_float": float("nan")},
    {"value_float": 0.0},
])
def test_verify_rejects_tampered_solve_fields(changes):
    ex = get_example("cec-overlap")
    assert not es.verify(_tampered(ex, **changes), (ex.A, ex.I, ex.J))


def test_verify_rejects_tampered_not_covered_and_numeric_results():
    ex = get_example("overlap-no-cec")
    for changes in ({"value_float": 0.0}, {"value": "0", "attained": True},
                    {"certified": True}):
        assert not es.verify(_tampered(ex, **changes), (ex.A, ex.I, ex.J))
    ex = get_example("low-rank")
    A = np.array(ex.A, float)
    d = json.loads(es.solve_fsmf(A, ex.I, ex.J).to_json())
    d.update(certified=True, value="0")
    assert not es.verify(json.dumps(d), (A, ex.I, ex.J))
    d = json.loads(es.solve_fsmf(A, ex.I, ex.J).to_json())
    d["X"] = [[float("nan")] * 2 for _ in d["X"]]
    assert not es.verify(json.dumps(d), (A, ex.I, ex.J))


def test_verify_never_evaluates_code(tmp_path):
    ex = get_example("cec-overlap")
    flag = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {flag}') or 15/2 - sqrt(41)/2"
    v = es.verify(_tampered(ex, value=payload), (ex.A, ex.I, ex.J))
    assert not v.valid and not flag.exists()


def test_verify_checks_classify_header_fields():
    ex = get_example("cec-overlap")
    d = json.loads(es.check_tractable(ex.I, ex.J).to_json())
    for key, val in (("complete_classes", [0, 1]), ("classes", []), ("family", None)):
        e = dict(d)
        e[key] = val
        assert not es.verify(json.dumps(e), (ex.I, ex.J))


def test_huge_entries_are_refused_clearly():
    from exactsparse.exceptions import SizeLimitError
    with pytest.raises(SizeLimitError):
        es.solve_fsmf([[10**400, 1], [1, 2]], [[1], [1]], [[1], [1]])


def test_bad_restarts():
    from exactsparse.exceptions import ArgumentError
    with pytest.raises(ArgumentError, match="restarts"):
        es.solve_fsmf([[1]], [[1]], [[1]], restarts="x")


def test_loss_shapes():
    with pytest.raises(ShapeError):
        es.fsmf_loss(np.ones((2, 2)), np.ones((3, 1)), np.ones((2, 1)))


# ----------------------------------------------------------------------------- issue #15
def test_fsmf_loss_mixed_exact_strings_and_floats():
    from fractions import Fraction
    # "p/q" strings with a float factor: the float loss of the exact values
    got = es.fsmf_loss([["1/2", "3"]], np.array([[1.0]]), [[1], [2]])
    assert got == float((Fraction(1, 2) - 1) ** 2 + (3 - 2) ** 2)
    assert es.fsmf_loss([["1/2"]], [["1/3"]], [["3/2"]]) == 0


@pytest.mark.parametrize("args", [
    (np.zeros((0, 3)), object(), 1), ([[1e400]], [[1.0]], [[1]]), ([[1, 2.0, "x"]], [[1]], [[1]]),
    (np.array([[np.nan]]), np.ones((1, 1)), np.ones((1, 1)))])
def test_fsmf_loss_typed_errors(args):
    with pytest.raises(es.ExactSparseError):
        es.fsmf_loss(*args)


def test_fsmf_loss_is_overflow_safe():
    A = np.array([[1e200, 1e200]])
    assert es.fsmf_loss(A, np.array([[1.0]]), np.array([[1e200], [1e200]])) == 0.0
    assert es.fsmf_loss(A, np.array([[1.0]]), np.array([[1e200], [3e200]])) == np.inf


@pytest.mark.parametrize("kw", [{"exact_mode": "yes"}, {"restarts": 10**100}, {"restarts": 0},
                                {"seed": -1}, {"budget": 0},
                                {"budget": float("nan")}, {"backend": np.array([1])}])
def test_solve_argument_errors(kw):
    with pytest.raises(es.ExactSparseError):
        es.solve_fsmf([[1, 2], [3, 4]], [[1], [1]], [[1], [1]], **kw)


def test_solve_budget_beyond_the_float_range_is_clamped():
    # one policy for every routine (exactsparse._budget.check_budget): a huge budget means
    # "no practical limit", never an OverflowError
    s = es.solve_fsmf([[1, 2], [3, 4]], [[1], [1]], [[1], [1]], budget=10**400)
    assert s.verdict == "optimal" and es.verify(s, ([[1, 2], [3, 4]], [[1], [1]], [[1], [1]]))


def test_solve_refuses_a_loss_beyond_the_float_range():
    with pytest.raises(es.SizeLimitError, match="float range"):
        es.solve_fsmf(np.array([[1e308] * 4]), [[1]], [[1]] * 4)
    with pytest.raises(es.SizeLimitError, match="float range"):
        es.solve_fsmf([[10**200, 10**200]], [[1]], [[1], [1]])


@pytest.mark.parametrize("args, kw", [
    (([[1.0]], np.ones((1, 1), bool), np.ones((1, 1), bool)), {}),
    ((np.ones((2, 2)), np.ones((3, 1), bool), np.ones((2, 1), bool)), {}),
    ((np.ones((2, 2)), np.ones((2, 1)) * 2, np.ones((2, 1), bool)), {}),
    ((np.array([[np.inf, 1.0]]), np.ones((1, 1), bool), np.ones((2, 1), bool)), {}),
    ((np.ones((1, 2)), np.ones((1, 1), bool), np.ones((2, 1), bool)), {"restarts": 2.5}),
    ((np.ones((1, 2)), np.ones((1, 1), bool), np.ones((2, 1), bool)), {"iters": 0}),
    ((np.ones((1, 2)), np.ones((1, 1), bool), np.ones((2, 1), bool)), {"tol": "x"}),
    ((np.ones((1, 2)), np.ones((1, 1), bool), np.ones((2, 1), bool)), {"mask": 5}),
    ((np.ones((1, 2)), np.ones((1, 1), bool), np.ones((2, 1), bool)), {"budget": -1})])
def test_als_validates(args, kw):
    with pytest.raises(es.ExactSparseError):
        es.als(*args, **kw)

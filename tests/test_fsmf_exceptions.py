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

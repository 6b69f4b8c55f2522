"""Bad input to sweeps: typed errors with galois-style messages, raised before any work."""

import time

import pytest

from exactsparse.exceptions import ArgumentError, ShapeError, SizeLimitError
from exactsparse.sweep import (canonical_form, count_orbits, get_check, iter_patterns,
                               plan_chunks, sweep, sweep_report)


@pytest.mark.parametrize("m,n,r", [(0, 1, 1), (1, -1, 1), (1, 1, 1.5), (True, 1, 1),
                                   (1, 1, 9)])
def test_bad_sizes(m, n, r):
    with pytest.raises(ShapeError, match="Argument"):
        count_orbits(m, n, r)
    with pytest.raises(ShapeError):
        next(iter_patterns(m, n, r))


def test_bad_filters_and_chunks():
    with pytest.raises(ArgumentError, match="'nnz' must be a pair"):
        count_orbits(2, 2, 2, nnz=3)
    with pytest.raises(ArgumentError, match="'chunk_size' must be a positive int"):
        plan_chunks(2, 2, 2, chunk_size=0)


def test_unknown_checks():
    with pytest.raises(ArgumentError, match="must be one of tractable"):
        get_check("tractible")
    with pytest.raises(ArgumentError, match="importable 'module:function'"):
        get_check("no_such_module_xyz:f")
    with pytest.raises(ArgumentError, match="must be a string"):
        get_check(3)
    with pytest.raises(ArgumentError):
        sweep("nope", 1, 1, 1, workers=1)


def test_bad_canonical_method_and_shapes():
    with pytest.raises(ArgumentError, match="'method' must be"):
        canonical_form("1", "1", method="nauty")
    with pytest.raises(ShapeError, match="same number of columns"):
        canonical_form("11", "1")


def test_out_of_reach_size_is_refused_with_the_estimate():
    with pytest.raises(SizeLimitError, match=r"125,657,656 orbits .*force"):
        sweep("tractable", 6, 6, 4, workers=1)


def test_bad_workers_and_seed():
    with pytest.raises(ArgumentError, match="'workers' must be an int >= 1"):
        sweep("tractable", 1, 1, 1, workers=0)
    with pytest.raises(ArgumentError, match="'seed'"):
        sweep("tractable", 1, 1, 1, workers=1, seed=-1)


def test_report_needs_a_store(tmp_path):
    with pytest.raises(ArgumentError, match="must hold a sweep store"):
        sweep_report([tmp_path])


def test_unreachable_scheduler_fails_within_seconds():
    pytest.importorskip("dask.distributed", reason="the Dask backend is the 'dask' extra")
    t0 = time.time()
    with pytest.raises(ArgumentError, match="reachable Dask scheduler"):
        sweep("tractable", 2, 2, 2, scheduler="tcp://127.0.0.1:9", workers=1)
    assert time.time() - t0 < 15


def test_small_orbit_count_but_huge_enumeration_is_refused():
    with pytest.raises(SizeLimitError, match="multisets I to examine"):
        sweep("tractable", 5, 1, 8, nnz=(0, 3), workers=1)


# ------------------------------------------------------- regressions of the capability fuzz
import numpy as np  # noqa: E402

import exactsparse.sweep as S  # noqa: E402
from exactsparse.exceptions import ExactSparseError  # noqa: E402

_HUGE = 10**5000


@pytest.mark.parametrize("call", [
    lambda: S.count_pairs(2**64, 2, 1),
    lambda: S.count_orbits(2, 2, _HUGE),
    lambda: S.plan_chunks(_HUGE, 1, 1),
    lambda: S.count_orbits(1, 2, 2, nondegenerate=np.full((2, 2), np.nan)),
    lambda: S.canonical_form([[0, 1]], [[1, 0]], method=np.zeros((0, 3))),
    lambda: S.format_report(None),
    lambda: S.format_report(_HUGE),
    lambda: S.sweep_report(True),
    lambda: S.sweep_report([[1, 2]]),
    lambda: S.plot_sweep(None, "x.png"),
    lambda: S.export_sweep(b"x", "out.csv"),
    lambda: S.SweepStore(None, params=[1, 2]),
    lambda: S.greedy_block_loss([[]], [[0, 1], [1, 1]], [[1, 1], [0, 1]]),
    lambda: S.greedy_block_loss([["1/2", "3"]], [[0], [1]], [[0], [1], [1]]),
    lambda: S.tractability_sweep(1, 1, 1, seed=1.5, restarts=1, iters=5),
    lambda: S.sweep("completable", 1, 1, 2, scheduler=np.float32(2.5)),
    lambda: S.sweep("completable", 1, 1, 2, counterexamples=0),
    lambda: S.sweep("completable", 1, 1, 2, limit=[1]),
])
def test_fuzz_regressions_typed(call):
    with pytest.raises(ExactSparseError):
        call()


def test_fuzz_regressions_report_paths(tmp_path):
    with pytest.raises(ExactSparseError):
        S.sweep_report((), plot=np.array([[1, None]], dtype=object))
    with pytest.raises(ExactSparseError):
        S.export_sweep(str(tmp_path), str(tmp_path / "o.csv"), fmt=np.ones(2))


def test_fuzz_regression_huge_chunk_size_and_limit():
    with pytest.raises(ExactSparseError):
        S.sweep("completable", 1, 1, 1, limit=_HUGE, chunk_size=_HUGE)


def test_fuzz_regression_huge_seed():
    with pytest.raises(ExactSparseError):
        S.sweep("completable", 1, 1, 1, seed=_HUGE)


def test_worker_lost_error_is_a_typed_error_importable_from_sweep():
    # defined with the other errors (exceptions.py), still importable where it is raised
    from exactsparse import exceptions, sweep as sweep_pkg
    from exactsparse.sweep import run as sweep_run
    assert sweep_pkg.WorkerLostError is sweep_run.WorkerLostError is exceptions.WorkerLostError
    assert issubclass(exceptions.WorkerLostError, (exceptions.ExactSparseError, RuntimeError))
    assert "WorkerLostError" in exceptions.__all__ and "WorkerLostError" in sweep_pkg.__all__

"""The solver's scratch memory: buffers placed away from the input modulo the page
(:func:`exactsparse.butterfly.splits.empty_away`) and the pool kept between calls
(:mod:`exactsparse.butterfly.workspace`).  Expected values: addresses read from numpy, and
factorizations compared with those made with the pool switched off."""

import gc

import numpy as np
import pytest
import scipy.linalg

from exactsparse.butterfly import butterfly_factorize, workspace
from exactsparse.butterfly.numeric import _flat_buffer
from exactsparse.butterfly.splits import empty_away
from exactsparse.exceptions import ArgumentError, SizeLimitError

PAGE = 4096


def _addr(a):
    return a.__array_interface__["data"][0]


def _gap(a, b):
    d = (_addr(a) - _addr(b)) % PAGE
    return min(d, PAGE - d)


@pytest.fixture(autouse=True)
def _fresh_pool():
    workspace.release_workspace()
    yield
    workspace.release_workspace()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_empty_away_is_far_from_every_reference(dtype):
    refs = (np.empty(1 << 16, dtype), np.empty(3 << 15, dtype)[5:])
    B = empty_away((64, 1024), dtype, refs)
    assert B.shape == (64, 1024) and B.dtype == dtype and B.flags.c_contiguous
    assert _addr(B) % np.dtype(dtype).itemsize == 0
    # two references: some candidate shift keeps at least a quarter page from both
    assert min(_gap(B, r) for r in refs) >= 1024 - 256
    B[...] = 1                                   # writable, whole
    assert float(B.real.sum()) == B.size


def test_empty_away_small_or_without_references_is_plain():
    assert empty_away((3, 3), np.float64, (np.empty(9),)).base is None
    assert empty_away((1 << 12, 4), np.float64).base is None


@pytest.mark.parametrize("shape, dtype, away, err", [
    ((-1, 2), np.float64, (), ArgumentError), ("x", np.float64, (), ArgumentError),
    ((2,), np.int64, (), ArgumentError), ((2,), "nope", (), ArgumentError),
    ((2**40, 2**10), np.float64, (), SizeLimitError), ((2,), np.float64, "x", ArgumentError),
    ((2,), np.float64, (1,), ArgumentError), ((True, 2), np.float64, (), ArgumentError)])
def test_empty_away_refuses_bad_arguments(shape, dtype, away, err):
    with pytest.raises(err, match="Argument '(shape|dtype|away)'"):
        empty_away(shape, dtype, away)


def test_pool_reuses_a_buffer_only_when_nothing_views_it():
    a = workspace.take_raw(2 << 20)
    view = a[96:200].view(np.float64)
    del a
    b = workspace.take_raw(2 << 20)              # the first is still viewed
    assert not np.may_share_memory(view, b)
    addr_a = _addr(view) - 96
    del view
    addr_b = _addr(b)
    del b
    gc.collect()
    # both are free now: one of the two is handed out, again and again (nothing new)
    got = {_addr(workspace.take_raw(2 << 20)) for _ in range(3)}
    assert len(got) == 1 and got <= {addr_a, addr_b}
    assert workspace.workspace_bytes() == 4 << 20


def test_pool_respects_its_limit(monkeypatch):
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", 5 << 20)
    bufs = [workspace.take_raw(2 << 20) for _ in range(3)]      # the third is not pooled
    assert workspace.workspace_bytes() == 4 << 20
    del bufs
    big = workspace.take_raw(4 << 20)        # room made by dropping free buffers
    assert workspace.workspace_bytes() <= 5 << 20 and big.size == 4 << 20
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", 0)
    workspace.release_workspace()
    workspace.take_raw(2 << 20)
    assert workspace.workspace_bytes() == 0


@pytest.mark.parametrize("nbytes, err", [(-1, ArgumentError), (1.5, ArgumentError),
                                         (True, ArgumentError), ("8", ArgumentError),
                                         (2**41, SizeLimitError)])
def test_take_raw_refuses_bad_sizes(nbytes, err):
    with pytest.raises(err, match="Argument 'nbytes'"):
        workspace.take_raw(nbytes)


def test_flat_buffer_of_a_byte_backed_array_starts_at_the_array():
    raw = np.empty(8 * 1000 + 256, np.uint8)
    T = raw[256:256 + 8 * 600].view(np.float64).reshape(20, 30)
    flat = _flat_buffer(T)
    assert flat.dtype == np.float64 and _addr(flat) == _addr(T) and flat.size == 1000
    assert np.may_share_memory(flat, raw)


@pytest.mark.parametrize("tree", ["left", "right", "balanced", "balanced-floor"])
@pytest.mark.parametrize("make", ["hadamard", "noisy", "dft"])
def test_pooled_and_unpooled_factorizations_agree(tree, make, monkeypatch):
    n = 512
    rng = np.random.default_rng(3)
    perm = None
    if make == "hadamard":
        A = scipy.linalg.hadamard(n).astype(float)
    elif make == "dft":
        A, perm = np.fft.fft(np.eye(n)), "bitrev"
    else:
        A = scipy.linalg.hadamard(n) + 1e-3 * rng.standard_normal((n, n))
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", 0)
    ref = butterfly_factorize(A, tree=tree, perm=perm)
    monkeypatch.setattr(workspace, "POOLED_MIN", 1 << 12)
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", 1 << 28)
    outs = [butterfly_factorize(A, tree=tree, perm=perm) for _ in range(3)]
    assert workspace.workspace_bytes() > 0
    for F in outs:       # the pool changes placement only: bit-identical twiddles
        for t0, t1 in zip(ref.twiddles, F.twiddles):
            assert np.array_equal(t0, t1)
            assert t1.base is None or not any(
                np.may_share_memory(t1, other) for other in outs[0].twiddles if other is not t1)
    # results own their memory: a later call does not overwrite an earlier result
    before = [t.copy() for t in outs[0].twiddles]
    butterfly_factorize(2 * A, tree=tree, perm=perm)
    assert all(np.array_equal(a, b) for a, b in zip(before, outs[0].twiddles))



@pytest.mark.parametrize("limit", [None, float("nan"), "1", True, [1 << 20]])
def test_a_bad_workspace_limit_is_an_argument_error(limit, monkeypatch):
    # before: butterfly_factorize raised TypeError / ValueError from int(WORKSPACE_LIMIT)
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", limit)
    A = np.random.default_rng(0).standard_normal((1024, 1024))
    with pytest.raises(ArgumentError, match="WORKSPACE_LIMIT must be a number of bytes"):
        butterfly_factorize(A)


@pytest.mark.parametrize("limit, held", [(float("inf"), 2 << 20), (1e300, 2 << 20),
                                         (-1, 0), (np.int64(0), 0), (5e6, 2 << 20)])
def test_workspace_limit_accepts_any_real_number(limit, held, monkeypatch):
    # before: inf raised OverflowError (int(inf)); inf now means "no limit" (MAX_BYTES)
    monkeypatch.setattr(workspace, "WORKSPACE_LIMIT", limit)
    buf = workspace.take_raw(2 << 20)
    assert buf.size == 2 << 20 and workspace.workspace_bytes() == held

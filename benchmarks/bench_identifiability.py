"""Benchmarks for issue 4 (identifiability), in one run:

1. Jacobian rank of ``(X, Y) ↦ X Yᵀ`` on random supports n×n, r = n (density 0.3), at one
   random integer point: FLINT ``nmod_mat`` (mod a 62-bit prime) vs FLINT ``fmpz_mat``
   (exact over Q) vs sympy ``DomainMatrix`` over QQ (small sizes only); each run under a
   time cap in a child process.
2. Completion-based verdicts (``check_identifiable`` without Jacobian) on supports with
   about 10⁵ nonzeros: random sparse supports and butterfly supports.

Run: ``python benchmarks/bench_identifiability.py``.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

import exactsparse as es
from exactsparse._budget import run_killable
from exactsparse.identifiability.jacobian import _entries, _exact_rank, _nmod_rank, expected_rank
from exactsparse.identifiability._common import pattern

CAP = 60.0          # seconds per exact run
SYMPY_MAX_N = 16


def _jacobian_data(n, seed=0):
    I = es.random_support(n, n, 0.3, seed=seed)
    J = es.random_support(n, n, 0.3, seed=seed + 1)
    pat = pattern(I, J)
    X, Y = es.random_point(I, J, seed)
    return pat, X, Y


def _run(method, n):
    pat, X, Y = _jacobian_data(n)
    t = time.perf_counter()
    if method == "nmod":
        rank = _nmod_rank(*_entries(pat, X, Y), es.exact.PRIME62)
    else:
        ents, shape = _entries(pat, X, Y)
        rank = _exact_rank(ents, shape, "flint" if method == "fmpz" else "sympy")
    return rank, time.perf_counter() - t


def timed(method, n, cap=CAP):
    """(rank, seconds) or (None, '> cap') when the child process exceeds ``cap``."""
    ok, value = run_killable(_run, (method, n), cap, f"the {method} rank")
    return value if ok else (None, f"> {cap:.0f}" if "budget" in value else value)


def bench_jacobian():
    print("Jacobian rank, random n×n supports, r = n, density 0.3")
    print(f"{'n':>4} {'shape':>12} {'expected':>8} {'nmod rank':>9} {'t_nmod':>8} "
          f"{'fmpz rank':>9} {'t_fmpz':>8} {'sympy rank':>10} {'t_sympy':>8}")
    for n in (8, 16, 32, 48, 64):
        pat, _, _ = _jacobian_data(n)
        shape = (len(pat.cover), pat.I.nnz + pat.J.nnz)
        expected = expected_rank(pat)
        rn, tn = timed("nmod", n)
        rf, tf = timed("fmpz", n)
        rs, ts = timed("sympy", n, 30.0) if n <= SYMPY_MAX_N else ("-", "skipped")
        fmt = lambda t: f"{t:8.3f}" if isinstance(t, float) else f"{t:>8}"  # noqa: E731
        print(f"{n:>4} {str(shape):>12} {expected:>8} {rn!s:>9} {fmt(tn)} {rf!s:>9} {fmt(tf)} "
              f"{rs!s:>10} {fmt(ts)}")


def _random_sparse(N, per_col, seed):
    rng = np.random.default_rng(seed)
    a = np.zeros((N, N), bool)
    for k in range(N):
        a[rng.choice(N, per_col, replace=False), k] = True
    return es.Support(a)


def _butterfly(L):
    """One butterfly split, built sparse (dense int64 would be 8.6 GB at L = 15)."""
    n = 2**L
    left = sp.kron(np.ones((2, 2), int), sp.identity(n // 2, dtype=int), format="csc")
    right = sp.kron(sp.identity(n // 2, dtype=int), np.ones((2, 2), int), format="csc")
    return es.Support(left), es.right_from_rx(es.Support(right))


def bench_completion():
    print("\nCompletion verdicts (check_identifiable, Jacobian skipped), ~1e5 nonzeros")
    print(f"{'instance':<34} {'nnz(I)+nnz(J)':>13} {'sum|S_k|':>9} {'verdict':>16} "
          f"{'criterion':>22} {'t_check':>8} {'t_verify':>8}")
    cases = [("random N=10000, 5 per column", _random_sparse(10000, 5, 0),
              _random_sparse(10000, 5, 1)),
             ("random N=2000, 25 per column", _random_sparse(2000, 25, 2),
              _random_sparse(2000, 25, 3)),
             ("butterfly n=2^15 (one split)",) + _butterfly(15)]
    for name, I, J in cases:
        t = time.perf_counter()
        res = es.check_identifiable(I, J, max_jacobian_size=0)
        tc = time.perf_counter() - t
        t = time.perf_counter()
        ok = es.verify(res, (I, J))
        tv = time.perf_counter() - t
        area = int((np.diff(I.csc.indptr) * np.diff(J.csc.indptr)).sum())
        print(f"{name:<34} {I.nnz + J.nnz:>13} {area:>9} {res.verdict:>16} "
              f"{res.certificate['criterion']:>22} {tc:8.2f} {tv:8.2f}  verified={bool(ok)}")


if __name__ == "__main__":
    bench_jacobian()
    bench_completion()

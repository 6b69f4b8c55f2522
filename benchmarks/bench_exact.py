"""Exact linear algebra (flint vs sympy) and FSMF classification timings, in one run.

Run:  python benchmarks/bench_exact.py [--cap SECONDS]

Prints, for random integer matrices (entries in [-9, 9]) of size 200 and 400, full rank and
rank n/2: the median time of flint fmpz rank, flint nmod rank (mod a 62-bit prime), flint
nullspace, and sympy DomainMatrix(QQ) rank/nullspace (each sympy call run in a child process
killed after --cap seconds, reported as "> cap"), with the ratio sympy/flint.  Then the time
of check_tractable on random supports with 1e4 to 1e6 nonzeros (dense random, and block
diagonal / tractable).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from exactsparse._budget import run_killable


def _matrix(n, rank, seed):
    rng = np.random.default_rng(seed)
    if rank == n:
        return rng.integers(-9, 10, size=(n, n))
    return rng.integers(-3, 4, size=(n, rank)) @ rng.integers(-3, 4, size=(rank, n))


def _median(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _sympy_job(kind, M):
    from exactsparse import exact
    t = time.perf_counter()
    (exact.rank if kind == "rank" else exact.nullspace)(M, backend="sympy")
    return time.perf_counter() - t


def _sympy_time(kind, M, cap):
    """Seconds of the sympy run, or None past ``cap`` (killed child, see _budget)."""
    ok, value = run_killable(_sympy_job, (kind, M), cap, "the sympy run")
    return value if ok else None


def bench_linear_algebra(cap):
    from exactsparse import exact
    print(f"{'task':<28}{'flint s':>10}{'nmod s':>10}{'sympy s':>12}{'sympy/flint':>13}")
    for n in (200, 400):
        for label, rank in (("full", n), ("rank n/2", n // 2)):
            M = exact.as_matrix(_matrix(n, rank, n))
            assert exact.rank(M) == rank
            t_r = _median(lambda: exact.rank(M))
            t_p = _median(lambda: exact.rank_mod_p(M))
            t_n = _median(lambda: exact.nullspace(M), repeat=1)
            for kind, t_f in (("rank", t_r), ("nullspace", t_n)):
                s = _sympy_time(kind, M, cap)
                ratio = f"{s / t_f:>12.0f}x" if s else f"{'> ' + format(cap / t_f, '.0f'):>12}x"
                s_txt = f"{s:>12.3f}" if s else f"{'> ' + str(cap):>12}"
                nm = f"{t_p:>10.4f}" if kind == "rank" else f"{'':>10}"
                print(f"{f'{kind} {n}x{n} {label}':<28}{t_f:>10.4f}{nm}{s_txt}{ratio}")


def bench_classification():
    import exactsparse as es
    print(f"\n{'support pair':<44}{'nnz(I)+nnz(J)':>14}{'verdict':>13}{'seconds':>9}")
    rng = np.random.default_rng(0)
    for nnz in (10**4, 10**5, 10**6):
        m = n = int(np.sqrt(nnz * 10))
        r = max(1, nnz // (m // 2))
        I = es.Support(rng.random((m, r)) < 0.5)
        J = es.Support(rng.random((n, r)) < 0.5)
        t = time.perf_counter()
        c = es.check_tractable(I, J)
        dt = time.perf_counter() - t
        print(f"{f'random {m}x{r}, {n}x{r}, density 0.5':<44}{I.nnz + J.nnz:>14}"
              f"{c.verdict:>13}{dt:>9.3f}")
    for blocks in (10**2, 10**3, 10**4):
        size = 10**6 // (2 * blocks)
        I = es.block_diagonal(*[(size, 1)] * blocks)
        J = es.block_diagonal(*[(size, 1)] * blocks)
        t = time.perf_counter()
        c = es.check_tractable(I, J)
        dt = time.perf_counter() - t
        print(f"{f'block-diagonal, {blocks} classes of {size}x{size}':<44}{I.nnz + J.nnz:>14}"
              f"{c.verdict:>13}{dt:>9.3f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=float, default=60.0, help="time cap for each sympy call (s)")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        bench_linear_algebra(args.cap)
        bench_classification()

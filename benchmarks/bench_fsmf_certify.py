"""Benchmark: largest masked rank-one hard core certified within 10 s / 60 s, and flint vs
sympy Gröbner time on the same systems (one run).  Run: python benchmarks/bench_fsmf_certify.py"""

import time

import numpy as np
import sympy

from exactsparse.fsmf.hard import certify_fsmf, masked_to_fsmf
from exactsparse.fsmf.hard.attainment import exact_factorization_system
import flint


def _instance(m, n, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-3, 4, (m, n)).tolist()
    W = (rng.random((m, n)) < 0.7).astype(int)
    W[np.arange(min(m, n)), np.arange(min(m, n))] = 1
    return A, W


def certify_sizes(limit):
    best = None
    for n in (2, 3, 4):
        for m in range(n, 9):
            A, W = _instance(m, n, seed=m * 10 + n)
            M, I, J = masked_to_fsmf(A, W)
            t = time.perf_counter()
            res = certify_fsmf(M, I, J, budget=limit)
            dt = time.perf_counter() - t
            ok = res.verdict == "certified"
            print(f"  m={m} n={n} observed={int(W.sum())} variables={m + n} "
                  f"verdict={res.verdict} time={dt:.2f}s")
            if ok and dt <= limit:
                best = (m, n, int(W.sum()), m + n)
    return best


def groebner(A, I, J):
    polys, names = exact_factorization_system(A, I, J)
    t = time.perf_counter()
    flint.fmpz_mpoly_vec(polys, polys[0].context()).buchberger_naive()
    tf = time.perf_counter() - t
    sp, names = exact_factorization_system(A, I, J, backend="sympy")
    t = time.perf_counter()
    sympy.groebner(sp, *[sympy.Symbol(s) for s in names], order="grevlex")
    return tf, time.perf_counter() - t


if __name__ == "__main__":
    for limit in (10, 60):
        print(f"budget {limit} s:")
        print(f"largest certified (m, n, observed, variables): {certify_sizes(limit)}")
    print("Gröbner X Y^T = A on the supports (flint buchberger_naive vs sympy grevlex):")
    cases = {"LU 2x2": ([[0, 1], [1, 0]], "10/11", "10/11"),
             "spec 3x3 r=4": ([[2, 1, 0], [0, 1, 1], [-1, 0, 3]], "1100/1010/1001",
                              "1010/1001/1100"),
             "LU 3x3": ([[1, 2, 3], [2, 5, 7], [3, 7, 11]], "100/110/111", "100/110/111")}
    for name, (A, I, J) in cases.items():
        tf, ts = groebner(A, I, J)
        print(f"  {name}: flint {tf:.4f}s sympy {ts:.4f}s")

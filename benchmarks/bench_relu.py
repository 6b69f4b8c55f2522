"""Benchmarks for issue 10 (ReLU networks), BLAS on one thread (threadpoolctl):

1. Exact ‖Φ‖₁ and ‖Φ‖₂² of a 10-layer, width-256 MLP with small integer weights (target ≤ 1 s),
   checked against a float64 forward pass.
2. Local-identifiability ranks of a [10, 64, 64, 1] network from 2,000 samples, modulo a prime
   (target ≤ 5 s); flint vs sympy exact ranks of DΦ side by side on a smaller case.
3. Φ streamed block by block for a net with ≥ 10⁷ paths; peak resident memory reported
   (target ≤ 1 GB).

Run: ``python benchmarks/bench_relu.py``.
"""

from __future__ import annotations

import random
import resource
import time
from fractions import Fraction

import numpy as np
from threadpoolctl import threadpool_limits

from exactsparse.relu import (Network, local_identifiability, path_count, path_norm,
                              pathlift_blocks, pathlift_jacobian_rank, random_network)


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def bench_pathnorm():
    net = random_network([256] * 11, seed=0, low=-2, high=2, zero=True)
    r1, t1 = _timed(path_norm, net, 1)
    r2, t2 = _timed(path_norm, net, 2)
    v = np.ones(256)
    for W, b in net.numpy_layers():
        v = np.abs(W) @ v + np.abs(b)
    rel = abs(float(r1.value) - v.sum()) / v.sum()
    print(f"[1] 10 layers × 256: exact ‖Φ‖₁ in {t1:.3f} s ({r1.value.numerator.bit_length()} "
          f"bits, float64 forward pass agrees to {rel:.1e}); exact ‖Φ‖₂² in {t2:.3f} s "
          f"(target ≤ 1 s each)")


def bench_local_ident():
    rng = random.Random(0)
    net = Network([{"W": [[Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4))
                           for _ in range(m)] for _ in range(n)],
                    "b": [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(n)]}
                   for m, n in [(10, 64), (64, 64), (64, 1)]])
    X = [[Fraction(rng.randint(-100, 100), rng.randint(1, 50)) for _ in range(10)]
         for _ in range(2000)]
    r, t = _timed(local_identifiability, net, X, exact="never")
    c = r.certificate
    print(f"[2] [10, 64, 64, 1], 2000 samples: mod-p ranks R_Γ = {c['rank_gamma']}, "
          f"R_A = {c['rank_A']}, D = {c['D']} (certified: {dict(c['exact'])}), verdict "
          f"{r.verdict} in {t:.2f} s (target ≤ 5 s)")
    small = random_network([3, 4, 4, 2], seed=1)
    (rf, tf), (rs, ts) = (_timed(pathlift_jacobian_rank, small),
                          _timed(pathlift_jacobian_rank, small, backend="sympy"))
    print(f"    rank DΦ of [3, 4, 4, 2] ({path_count(small.widths)}×{small.n_params}): flint "
          f"{rf} in {tf * 1e3:.1f} ms, sympy {rs} in {ts * 1e3:.1f} ms")
    X2 = X[:60]
    net2 = Network([{"W": [r[:5] for r in net.to_dict()["layers"][0]["W"][:8]],
                     "b": net.to_dict()["layers"][0]["b"][:8]},
                    {"W": [[1, -2, 3, 1, 1, -1, 2, 1]], "b": [1]}])
    X2 = [x[:5] for x in X2]
    (re_, te), (rp, tp) = (_timed(local_identifiability, net2, X2, exact="always"),
                           _timed(local_identifiability, net2, X2, exact="never"))
    print(f"    [5, 8, 1], 60 samples: exact-over-Q ranks {re_.certificate['rank_gamma']}/"
          f"{re_.certificate['rank_A']} in {te:.2f} s, mod-p {rp.certificate['rank_gamma']}/"
          f"{rp.certificate['rank_A']} in {tp:.2f} s")


def bench_stream():
    net = random_network([20, 64, 64, 64, 2], seed=3, low=-2, high=2)
    size = path_count(net.widths)
    t = time.perf_counter()
    n, acc = 0, 0
    for blk in pathlift_blocks(net, 1 << 16):
        n += len(blk.values)
        acc += int(np.abs(blk.values).sum()) // blk.denominator     # integer net: D = 1
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[3] streamed |Φ| = {n} paths (formula {size}) in {dt:.2f} s; Σ|Φ_p| = {acc} "
          f"(forward pass: {path_norm(net, 1).value}); peak RSS {peak:.0f} MB (target ≤ 1024)")


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        bench_stream()          # first: the peak RSS is the process's
        bench_pathnorm()
        bench_local_ident()

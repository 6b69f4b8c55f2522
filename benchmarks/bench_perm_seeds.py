"""Unknown permutations on noisy products over many seeds (issue #14, 2× criterion).

For each (N, dtype) and seed: a random butterfly product plus 1e-3 relative Gaussian noise
(built as tests/test_butterfly_permutations.py builds it), randomly shuffled; prints the
distribution of ``error(perm="auto", row_perm="auto") / error(known permutations)`` and the
CPU time of one ``recover_permutations`` call.  Usage::

    PYTHONPATH=. python benchmarks/bench_perm_seeds.py --n 64 256 1024 --seeds 20
"""

import argparse
import os
import time
import warnings

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

from exactsparse.butterfly import ButterflyFactors, butterfly_factorize, butterfly_patterns  # noqa: E402
from exactsparse.butterfly.permutations import recover_permutations  # noqa: E402


def rel(A, B):
    return float(np.linalg.norm(A - B) / np.linalg.norm(A))


def case(N, complex_, seed, noise=1e-3):
    rng = np.random.default_rng(seed)
    pats = butterfly_patterns(N)
    tw = [rng.standard_normal(p.twiddle_shape) for p in pats]
    if complex_:
        tw = [t + 1j * rng.standard_normal(t.shape) for t in tw]
    B = ButterflyFactors(pats, tw).todense()
    E = rng.standard_normal(B.shape) + (1j * rng.standard_normal(B.shape) if complex_ else 0)
    Bn = B + noise * np.linalg.norm(B) / np.linalg.norm(E) * E
    known = rel(Bn, butterfly_factorize(Bn).todense())
    r, c = rng.permutation(N), rng.permutation(N)
    A = np.empty_like(Bn)
    A[np.ix_(r, c)] = Bn
    return A, known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[64, 256, 1024])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first", type=int, default=0, help="first seed index (0: the test's)")
    ap.add_argument("--dtype", nargs="+", default=["real", "complex"])
    ap.add_argument("--verbose", action="store_true", help="one line per seed")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    print(f"{'N':>5s} {'dtype':8s} {'min':>6s} {'median':>6s} {'max':>6s} {'>2x':>4s} "
          f"{'rec_cpu_s':>9s}  ratios")
    for N in args.n:
        for dt in args.dtype:
            ratios, times = [], []
            for s in range(args.first, args.first + args.seeds):
                A, known = case(N, dt == "complex", 7 + N + 1000 * s)   # s = 0: the test's seed
                t0 = time.process_time()
                recover_permutations(A)
                times.append(time.process_time() - t0)
                F = butterfly_factorize(A, perm="auto", row_perm="auto")
                ratios.append(rel(A, F.todense()) / known)
                if args.verbose:
                    print(f"  seed {s}: ratio {ratios[-1]:.3f} recovery {times[-1]:.3f} s",
                          flush=True)
            q = np.array(ratios)
            print(f"{N:5d} {dt:8s} {q.min():6.3f} {np.median(q):6.3f} {q.max():6.2f} "
                  f"{int((q > 2).sum()):4d} {np.median(times):9.3f}  "
                  + " ".join(f"{x:.2f}" for x in q), flush=True)


if __name__ == "__main__":
    main()

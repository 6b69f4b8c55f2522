"""Benchmark: exactsparse.butterfly_factorize against pyfaust.fact.butterfly(type='bbtree').

One run, BLAS pinned to one thread (threadpoolctl), side by side:
N = 256 … 4096 for both, and 16384 for exactsparse alone (real inputs only), on the Hadamard
matrix, the DFT (bit-reversal permutation given to both) and a random butterfly product plus
1e-3 relative Gaussian noise.  Reported per row: time (median of the repeats), relative error,
error against the noise-free product, peak extra memory of the call (max of the
resident-set growth sampled from /proc/self/statm and the tracemalloc peak, in units of the
input matrix size), the ratio pyfaust/exactsparse and
the ratio to one ``np.linalg.norm(A)``.

Sections (``--section NAME``, repeatable; default: all): ``peers`` (the table above), and one
section per capability of the solver, each printing its own table with its baseline measured in
the same run.  Every section is a function ``section_<name>(args)`` listed in ``SECTIONS``.

Usage: ``python benchmarks/bench_butterfly.py [--section peers] [--max-n 4096] [--big 16384]
[--no-pyfaust]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
import tracemalloc
import warnings

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from exactsparse.butterfly import ButterflyFactors, butterfly_factorize, butterfly_patterns

PAGE = os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Peak resident memory above the starting level, sampled every millisecond."""

    def __enter__(self):
        self.base = self.peak = self._rss()
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _rss(self):
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * PAGE

    def _run(self):
        while not self._stop:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._stop = True
        self._t.join()
        self.peak = max(self.peak, self._rss())

    @property
    def extra(self):
        return self.peak - self.base


def inputs(n, rng, real_only=False):
    """``(name, A, clean, perm)`` for the three test inputs."""
    H = scipy.linalg.hadamard(n).astype(np.float64)
    yield "hadamard", H, H, None
    del H
    if not real_only:
        D = np.fft.fft(np.eye(n))
        yield "dft", D, D, "bitrev"
        del D
    pats = butterfly_patterns(n)
    clean = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
    noise = rng.standard_normal(clean.shape)
    noise *= 1e-3 * np.linalg.norm(clean) / np.linalg.norm(noise)
    noise += clean
    yield "noisy", noise, clean, None


def timed(fn, repeats):
    """Median time over ``repeats`` runs, the last output, and the peak extra memory of one
    more run: the larger of the resident-set growth (C/C++ allocations, e.g. pyfaust) and
    the tracemalloc peak (numpy allocations, which glibc may serve from freed heap)."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    del out
    tracemalloc.start()
    with PeakRSS() as m:
        out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), out, max(m.extra, peak)


def norm_time(A, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.linalg.norm(A)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rel(A, B):
    return float(np.linalg.norm(A - B) / np.linalg.norm(A))


def run_exactsparse(A, perm, repeats):
    t, F, mem = timed(lambda: butterfly_factorize(A, perm=perm), repeats)
    return t, F.todense(), mem


def run_pyfaust(A, perm, repeats):
    import pyfaust.fact
    kw = {"perm": perm} if perm else {}
    t, F, mem = timed(lambda: pyfaust.fact.butterfly(A, type="bbtree", **kw), repeats)
    return t, F.toarray(), mem


def row(name, n, method, t, approx, A, clean, mem, t_norm, ref=None):
    ratio = f"{ref / t:8.1f}" if ref else "       -"
    print(f"{name:9s} {n:6d} {method:12s} {t:9.4f} {rel(A, approx):10.2e} "
          f"{rel(clean, approx):10.2e}"
          f" {mem / A.nbytes:8.2f} {ratio} {t / t_norm:9.1f}", flush=True)


def section_peers(args):
    """exactsparse against pyfaust's bbtree on Hadamard, DFT and noisy butterflies."""
    try:
        import pyfaust.fact  # noqa: F401
        have_faust = not args.no_pyfaust
    except ImportError:
        have_faust = False
        print("# pyfaust not installed: exactsparse only")
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    print(f"# numpy {np.__version__}, BLAS pinned to 1 thread; time = median of repeats (s); "
          "mem_x = peak extra memory (max of RSS growth, tracemalloc peak) / matrix bytes;"
          "\n# x_pyfaust = pyfaust time / exactsparse "
          "time; x_norm = time / one np.linalg.norm(A)")
    print(f"{'input':9s} {'N':>6s} {'method':12s} {'time_s':>9s} {'rel_err':>10s} "
          f"{'err_clean':>10s} {'mem_x':>8s} {'x_pyfaust':>8s} {'x_norm':>9s}")
    sizes = [n for n in (256, 512, 1024, 2048, 4096) if n <= args.max_n]
    with threadpool_limits(1):
        for n in sizes + ([args.big] if args.big else []):
            big = n > args.max_n
            for name, A, clean, perm in inputs(n, rng, real_only=big):
                t_norm = norm_time(A)
                reps = 5 if n <= 1024 else (3 if n <= 4096 else 1)
                t_es, approx, mem = run_exactsparse(A, perm, reps)
                t_pf = None
                if have_faust and not big:
                    t_pf, approx_pf, mem_pf = run_pyfaust(A, perm, 1 if n >= 2048 else 3)
                    row(name, n, "pyfaust", t_pf, approx_pf, A, clean, mem_pf, t_norm)
                    del approx_pf
                row(name, n, "exactsparse", t_es, approx, A, clean, mem, t_norm, t_pf)
                del approx, A, clean



def section_design(args):
    """Chain design: enumeration counts and CPU time, then design_chain on the DFT (columns
    bit-reversed: an exact butterfly product), the orthonormal DCT-II and a dense Gaussian
    matrix at the budget of the square-dyadic butterfly (2N log2 N parameters); the fixed
    butterfly chain fitted by exactsparse and by pyfaust (bbtree) is the comparable point."""
    import scipy.fft
    from exactsparse.butterfly import bit_reversal_permutation, design_chain, enumerate_chains
    try:
        import pyfaust.fact
        have_faust = not args.no_pyfaust
    except ImportError:
        have_faust = False
    warnings.filterwarnings("ignore")
    sizes = [n for n in (256, 512, 1024) if n <= args.max_n]
    print("# enumeration: irredundant chains with product (1, N, N, 1), at most 2N log2 N "
          "parameters, CPU seconds (time.process_time)")
    print(f"{'N':>6s} {'max_rank':>8s} {'chains':>9s} {'cpu_s':>8s}")
    for n in sizes:
        for R in ((1, 2) if n <= 256 else (1,)):
            t0 = time.process_time()
            count = sum(1 for _ in enumerate_chains(n, n, max_params=2 * n * (n.bit_length()
                                                                             - 1), max_rank=R))
            print(f"{n:6d} {R:8d} {count:9d} {time.process_time() - t0:8.2f}", flush=True)
    print(f"# design_chain(A, 2N log2 N, max_rank=1, time_budget={args.design_time:g}·N/256 s)"
          "; err_bfly = the butterfly chain fitted by exactsparse / pyfaust")
    print(f"{'input':7s} {'N':>5s} {'cands':>7s} {'fitted':>6s} {'front':>7s} {'error':>9s} "
          f"{'err_bfly':>9s} {'err_faust':>9s} {'wall_s':>7s}  chosen")
    rng = np.random.default_rng(0)
    for n in sizes:
        budget = 2 * n * (n.bit_length() - 1)
        D = np.fft.fft(np.eye(n))[:, bit_reversal_permutation(n)]
        mats = {"dft_br": D, "dct": scipy.fft.dct(np.eye(n), norm="ortho", axis=0),
                "random": rng.standard_normal((n, n))}
        for name, A in mats.items():
            res = design_chain(A, budget, max_rank=1, time_budget=args.design_time * n / 256)
            e_bf = butterfly_factorize(A).relative_error(A)
            e_pf = float("nan")
            if have_faust:
                e_pf = rel(A, pyfaust.fact.butterfly(A, type="bbtree").toarray())
            front = "exact" if res.front_exact else "partial"
            print(f"{name:7s} {n:5d} {res.n_candidates:7d} {len(res.fits):6d} {front:>7s} "
                  f"{res.error:9.2e} {e_bf:9.2e} {e_pf:9.2e} {res.seconds:7.1f}  {res.chosen}",
                  flush=True)
            pts = ", ".join(f"{f.chain.params}:{f.error:.2g}" for f in res.pareto)
            print(f"#   front params:error  {pts}", flush=True)


# ----------------------------------------------------------------------------- sections
#: section name -> function(args); each prints its own table (one line per new section)
SECTIONS = {
    "peers": section_peers,
    "design": section_design,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", action="append", choices=sorted(SECTIONS),
                    help="run only this section (repeatable; default: every section)")
    ap.add_argument("--max-n", type=int, default=4096)
    ap.add_argument("--big", type=int, default=16384)
    ap.add_argument("--no-pyfaust", action="store_true")
    ap.add_argument("--design-time", type=float, default=60.0,
                    help="time budget (s) of each design_chain call in section design at "
                         "N = 256 (scaled by N/256)")
    args = ap.parse_args()
    for name in args.section or list(SECTIONS):
        print(f"\n## section {name}", flush=True)
        with threadpool_limits(1):
            SECTIONS[name](args)


if __name__ == "__main__":
    main()

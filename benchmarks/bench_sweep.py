"""Benchmarks for issue 12 (theorem sweeps), in one run:

1. Canonical forms per second on random pairs (density 1/2) for 4×4 and 5×5 (m = n) with
   r = 3, 4: pynauty (when installed), the own individualisation–refinement labelling
   (``method="refine"``) and the minimum over all ``r!`` column permutations
   (``method="brute"``, the method of ``supports.support_pairs``).
2. Enumeration: orbit representatives per second, ``iter_patterns`` (streaming, constant
   memory) vs ``supports.support_pairs`` (a set of every key seen).
3. Instances checked per second per core (one process, no store): ``tractable`` on 4×4,
   r = 3 (goal ≥ 2,000/s/core) and ``identifiable`` on 3×3, r = 3.
4. With ``--parallel``: one compute-bound sweep (``identifiable`` on 3×4, r = 3) through the
   store with 1, 2 and 4 local processes and a Dask LocalCluster (2 workers): wall-clock
   seconds, speed-up over one process, and the parent's memory along the run.

Run: ``python benchmarks/bench_sweep.py [--parallel]`` (a minute or two on an idle core).
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time

import numpy as np

from exactsparse.supports import support_pairs
from exactsparse.sweep import canonical_form, count_orbits, iter_patterns, plan_chunks, sweep
from exactsparse.sweep.patterns import canonical_rows, rows_of
from exactsparse.sweep.run import run_chunk


def _pairs(m, n, r, k, seed=0):
    rng = np.random.default_rng(seed)
    return [(rows_of(rng.random((m, r)) < 0.5), rows_of(rng.random((n, r)) < 0.5))
            for _ in range(k)]


def _nauty_form(I, J, r):
    import pynauty
    m, n = len(I), len(J)
    adj = {}
    for i, x in enumerate(I):
        adj[i] = [m + n + k for k in range(r) if (x >> k) & 1]
    for j, x in enumerate(J):
        adj[m + j] = [m + n + k for k in range(r) if (x >> k) & 1]
    g = pynauty.Graph(m + n + r, adjacency_dict=adj,
                      vertex_coloring=[set(range(m)), set(range(m, m + n)),
                                       set(range(m + n, m + n + r))])
    return pynauty.certificate(g)


def _rate(fn, items, cap=5.0):
    t0, k = time.perf_counter(), 0
    for it in items:
        fn(*it)
        k += 1
        if time.perf_counter() - t0 > cap:
            break
    return k / (time.perf_counter() - t0)


def canonical_forms():
    print("== canonical forms per second (random pairs, density 1/2)")
    try:
        import pynauty  # noqa: F401
        have_nauty = True
    except ImportError:
        have_nauty = False
        print("   pynauty: not installed (no wheel on the registry: it builds nauty from a "
              "source distribution, which this project does not require)")
    print(f"   {'size':<10}{'refine':>10}{'brute r!':>10}{'pynauty':>10}")
    for (size, r) in itertools.product((4, 5), (3, 4)):
        items = [(I, J, r) for I, J in _pairs(size, size, r, 3000)]
        ref = _rate(lambda I, J, r: canonical_rows(I, J, r, "refine"), items)
        bru = _rate(lambda I, J, r: canonical_rows(I, J, r, "brute"), items)
        nau = _rate(_nauty_form, items) if have_nauty else float("nan")
        print(f"   {size}×{size} r={r:<4}{ref:>10.0f}{bru:>10.0f}{nau:>10.0f}")
    # the public entry (validation + conversion from arrays) for scale
    rng = np.random.default_rng(1)
    arrs = [(rng.random((4, 3)) < 0.5, rng.random((4, 3)) < 0.5) for _ in range(500)]
    print(f"   canonical_form(arrays), 4×4 r=3: "
          f"{_rate(lambda I, J: canonical_form(I, J), arrs):.0f}/s")


def enumeration():
    print("== enumeration: orbit representatives per second")
    for shape in ((4, 4, 3), (3, 3, 4)):
        t0 = time.perf_counter()
        a = sum(1 for _ in iter_patterns(*shape))
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = sum(1 for _ in support_pairs(*shape))
        tb = time.perf_counter() - t0
        print(f"   {shape}: {a} orbits (Burnside {count_orbits(*shape)}); iter_patterns "
              f"{a / ta:,.0f}/s, support_pairs {b / tb:,.0f}/s")


def per_core():
    print("== instances checked per second per core (one process, no store)")
    for check, shape, cap in (("tractable", (4, 4, 3), None), ("identifiable", (3, 3, 3), 600)):
        chunks = plan_chunks(*shape, chunk_size=2000)
        t0, k = time.perf_counter(), 0
        for cid, chunk in enumerate(chunks):
            _, rows, _ = run_chunk((cid, chunk, *shape, False, None, check, 0))
            k += len(rows)
            if cap is not None and k >= cap:
                break
        dt = time.perf_counter() - t0
        print(f"   {check:<14}{shape}: {k} patterns in {dt:.2f} s = {k / dt:,.0f}/s/core")


class _PeakRSS:
    """Resident memory of this process, sampled every 10 ms: peak and the samples' trend."""

    def __enter__(self):
        import threading
        self.samples, self._stop = [], False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    @staticmethod
    def _rss():
        import os
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self):
        while not self._stop:
            self.samples.append(self._rss())
            time.sleep(0.01)

    def __exit__(self, *exc):
        self._stop = True
        self._t.join()

    def quartiles_mib(self):
        """RSS (MiB) at 25, 50, 75 and 100 % of the run."""
        s = self.samples or [self._rss()]
        return [s[min(len(s) - 1, int(q * len(s)))] / 2**20 for q in (0.25, 0.5, 0.75, 0.999)]


def parallel(check="identifiable", shape=(3, 4, 3)):
    """The same compute-bound sweep through the store with 1, 2 and 4 local processes and a
    Dask LocalCluster (2 workers), wall seconds and speed-up over 1 process, same run; the
    parent's resident memory at 25/50/75/100 % of each run (flat = no growth with the
    number of results)."""
    print(f"== {check} {shape[0]}×{shape[1]} r={shape[2]} through the store: wall seconds "
          f"(machine: {os.cpu_count()} cores)")
    base = None
    for label, kw in (("1 process", {"workers": 1}), ("2 processes", {"workers": 2}),
                      ("4 processes", {"workers": 4}),
                      ("Dask LocalCluster, 2 workers", {"workers": 2, "scheduler": "local"})):
        with tempfile.TemporaryDirectory() as d, _PeakRSS() as mem:
            t0 = time.perf_counter()
            try:
                s = sweep(check, *shape, out=d, **kw)
            except Exception as exc:     # noqa: BLE001 - report a missing extra, go on
                print(f"   {label}: skipped ({exc})")
                continue
            dt = time.perf_counter() - t0
        base = base or dt
        rss = " / ".join(f"{x:.0f}" for x in mem.quartiles_mib())
        print(f"   {label:<30}{dt:7.2f} s  speed-up {base / dt:4.2f}×  ({s.total} patterns; "
              f"parent RSS MiB at 25/50/75/100 %: {rss})", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parallel", action="store_true")
    args = ap.parse_args()
    canonical_forms()
    enumeration()
    per_core()
    if args.parallel:
        parallel()


if __name__ == "__main__":
    main()

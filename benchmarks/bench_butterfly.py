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


def _svd_monarch(A, s):
    """Monarch projection by a batched ``np.linalg.svd`` of the ``s × s`` blocks (baseline):
    the blocks ``A[β·s + σ, u·s + γ]``, their top singular triplets, the two twiddles."""
    B = np.ascontiguousarray(A.reshape(s, s, s, s).transpose(1, 2, 0, 3))   # (σ, u, β, γ)
    U, S, Vh = np.linalg.svd(B, full_matrices=False)
    left = U[..., 0]                                        # (σ, u, β)
    right = S[..., 0, None] * Vh[..., 0, :]                 # (σ, u, γ)
    T1 = left.transpose(0, 2, 1)[None]                      # (1, d=σ, b=β, c=u)
    T2 = right.transpose(1, 0, 2)[:, None]                  # (a=u, 1, b=σ, c=γ)
    return T1, T2


def section_projection(args):
    """Exact two-factor (Monarch) projection against a batched ``np.linalg.svd`` of the
    blocks, on dense Gaussian input: wall and CPU time, loss, and their ratios."""
    from exactsparse.butterfly import monarch_patterns
    rng = np.random.default_rng(0)
    print("# ratio = exactsparse / batched SVD (wall and CPU time; <= 1 is the goal);"
          " dloss = (loss - loss_svd) / loss_svd")
    print(f"{'N':>6s} {'es_wall':>9s} {'svd_wall':>9s} {'ratio':>6s} {'es_cpu':>8s} "
          f"{'svd_cpu':>8s} {'ratio':>6s} {'rel_err':>14s} {'dloss':>10s} optimal")
    for n in [n for n in (1024, 2304, 4096) if n <= args.max_n]:
        s = int(round(n ** 0.5))
        A = rng.standard_normal((n, n))
        pats = monarch_patterns(n)
        reps = 5 if n <= 1024 else 3
        res = {}
        for name, fn in (("es", lambda: butterfly_factorize(A, pats)),
                         ("svd", lambda: ButterflyFactors(pats, _svd_monarch(A, s)))):
            walls, cpus = [], []
            for _ in range(reps):
                w, c = time.perf_counter(), time.process_time()
                F = fn()
                walls.append(time.perf_counter() - w)
                cpus.append(time.process_time() - c)
            loss = float(np.sum((A - F.todense()) ** 2))
            res[name] = (statistics.median(walls), statistics.median(cpus), loss, F)
        (we, ce, le, F), (ws, cs, ls, _) = res["es"], res["svd"]
        print(f"{n:6d} {we:9.4f} {ws:9.4f} {we / ws:6.2f} {ce:8.4f} {cs:8.4f} {ce / cs:6.2f} "
              f"{np.sqrt(le / np.sum(A ** 2)):14.10f} {(le - ls) / ls:10.2e} {F.optimal}",
              flush=True)


def _pyfaust_curve(A, budget):
    """pyfaust: ``fact.butterfly`` (bbtree, its hierarchical algorithm), then PALM4MSA on
    the butterfly supports from that start with 1, 2, 4, ... iterations while the time of
    one run stays within ``budget``: ``[(seconds, relative error, label)]``."""
    import pyfaust.fact
    from pyfaust.factparams import ParamsPalm4MSA, StoppingCriterion
    from pyfaust.proj import supp
    n = A.shape[0]
    t0 = time.perf_counter()
    H = pyfaust.fact.butterfly(A, type="bbtree")
    t_h = time.perf_counter() - t0
    out = [(t_h, rel(A, H.toarray()), "pf.butterfly")]
    mats = [np.asarray(H.factors(i).toarray() if hasattr(H.factors(i), "toarray")
                       else H.factors(i)) for i in range(H.numfactors())]
    cons = [supp((np.abs(m) > 0).astype(float)) for m in mats]
    norms = [np.linalg.norm(m) for m in mats]
    init = [np.asfortranarray(m / v) for m, v in zip(mats, norms)]
    its = 1
    while True:
        p = ParamsPalm4MSA(cons, StoppingCriterion(num_its=its), init_facts=init,
                           init_lambda=float(np.prod(norms)))
        t0 = time.perf_counter()
        G = pyfaust.fact.palm4msa(A, p, backend=2020)
        dt = time.perf_counter() - t0
        out.append((t_h + dt, rel(A, G.toarray()), f"palm4msa x{its}"))
        if 2 * dt > budget or n * its > 64 * 1024:
            return out
        its *= 2


def section_refine(args):
    """Whole-chain refinement (exact block-coordinate least squares) after the hierarchical
    initialisation: relative error against time, next to pyfaust's hierarchical butterfly
    followed by PALM4MSA on the same supports, on a noisy butterfly (1e-2 noise), a dense
    Gaussian matrix, the DCT-II and a random orthogonal matrix."""
    import scipy.fft
    from exactsparse.butterfly.refine import refine
    try:
        import pyfaust.fact  # noqa: F401
        have_faust = not args.no_pyfaust
    except ImportError:
        have_faust = False
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    print("# rows: input, N, method, time since start (s), relative error; es-bcd / es-lbfgs ="
          " exactsparse hierarchical (iter 0) then refine(method=...) iterations; pyfaust = "
          "bbtree then PALM4MSA runs")
    for n in [n for n in (256, 512, 1024) if n <= args.max_n]:
        budget = {256: 2.0, 512: 5.0, 1024: 10.0}[n]
        pats = butterfly_patterns(n)
        Z = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats]).todense()
        noise = rng.standard_normal(Z.shape)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        cases = [("noisy", Z + 1e-2 * np.linalg.norm(Z) / np.linalg.norm(noise) * noise),
                 ("gaussian", rng.standard_normal((n, n))),
                 ("dct", scipy.fft.dct(np.eye(n), norm="ortho", axis=0)),
                 ("orthogonal", Q)]
        for name, A in cases:
            t0 = time.perf_counter()
            F = butterfly_factorize(A)
            t_h = time.perf_counter() - t0
            for method in ("bcd", "lbfgs"):
                out = refine(F, A, budget=budget, rtol=1e-4, method=method)
                label = f"es-{method}"
                for k, (t, e) in enumerate(out.history):
                    print(f"{name:10s} {n:5d} {label:11s} {t_h + t:9.3f} {e:.6e} iter {k}")
                print(f"{name:10s} {n:5d} {label:11s} stop={out.stop_reason} "
                      f"decrease={(out.initial_error - out.error) / out.initial_error:.2e}",
                      flush=True)
            if have_faust:
                for t, e, label in _pyfaust_curve(A, budget):
                    print(f"{name:10s} {n:5d} pyfaust     {t:9.3f} {e:.6e} {label}", flush=True)


# ----------------------------------------------------------------------------- trees, scale
def section_trees(args):
    """Every preset tree against the left tree: time, x_norm, x_left, errors on Hadamard,
    DFT (bit reversal given) and noisy butterflies, N = 1024 … --max-n; pyfaust's bbtree
    side by side when installed (x_pyfaust = pyfaust time / tree time)."""
    from exactsparse.butterfly.trees import PRESETS
    try:
        import pyfaust.fact  # noqa: F401
        have_faust = not args.no_pyfaust
    except ImportError:
        have_faust = False
        print("# pyfaust not installed: exactsparse only")
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    print("# time = median of 5 rounds (3 above N = 4096) (s), BLAS 1 thread, the trees "
          "timed in turn within each round after one warm-up round, before pyfaust runs; x_norm = time / np.linalg.norm(A); "
          "x_left = time / left-tree time; err = relative error; err_clean = against the "
          "noise-free product")
    print(f"{'input':9s} {'N':>6s} {'tree':15s} {'time_s':>9s} {'x_norm':>7s} {'x_left':>7s} "
          f"{'err':>9s} {'err_clean':>9s} {'x_pyfaust':>9s}")
    for n in [n for n in (1024, 2048, 4096, 8192, 16384) if n <= args.max_n]:
        for name, A, clean, perm in inputs(n, rng):
            t_norm = norm_time(A)
            reps = 5 if n <= 4096 else 3
            rows = []
            times = _interleaved(lambda tree: butterfly_factorize(A, tree=tree, perm=perm),
                                 PRESETS, reps)
            t_left = times["left"]
            for tree in PRESETS:     # before pyfaust, whose large allocations disturb timings
                F = butterfly_factorize(A, tree=tree, perm=perm)
                approx = F.todense()
                rows.append((tree, times[tree], rel(A, approx), rel(clean, approx)))
                del approx, F
            t_pf = None
            if have_faust:
                t_pf, approx_pf, _ = run_pyfaust(A, perm, 1)
                print(f"{name:9s} {n:6d} {'pyfaust bbtree':15s} {t_pf:9.4f} "
                      f"{t_pf / t_norm:7.1f} {'-':>7s} {rel(A, approx_pf):9.2e} "
                      f"{rel(clean, approx_pf):9.2e} {'-':>9s}", flush=True)
                del approx_pf
            for tree, t, err, err_clean in rows:
                ratio = f"{t_pf / t:9.1f}" if t_pf else f"{'-':>9s}"
                print(f"{name:9s} {n:6d} {tree:15s} {t:9.4f} {t / t_norm:7.1f} "
                      f"{t / t_left:7.2f} {err:9.2e} {err_clean:9.2e} {ratio}", flush=True)
            del A, clean


def _interleaved(fn, keys, repeats):
    """Median wall time of ``fn(key)`` per key, the keys timed in turn within each round
    (one warm-up round first): a burst of load on the machine hits every key alike, so the
    ratios between keys stay meaningful on a shared machine."""
    times = {k: [] for k in keys}
    for r in range(repeats + 1):
        for k in keys:
            t0 = time.perf_counter()
            out = fn(k)
            if r:
                times[k].append(time.perf_counter() - t0)
            del out
    return {k: statistics.median(v) for k, v in times.items()}


def _scale_hadamard32(n):
    """The Hadamard matrix in float32, built in place as ``H_a ⊗ H_b`` row block by row
    block (no float64 or int64 copy of the matrix)."""
    L = n.bit_length() - 1
    a, b = 1 << (L + 1) // 2, 1 << L // 2
    Ha, Hb = scipy.linalg.hadamard(a).astype(np.float32), scipy.linalg.hadamard(b)
    out = np.empty((n, n), np.float32)
    view = out.reshape(a, b, a, b)
    for i in range(a):
        np.multiply(Hb[:, None, :], Ha[i][None, :, None], out=view[i])
    return out


def _scale_noisy32(n, rng, noise=1e-3, cols=256):
    """A random butterfly product plus ``noise`` relative Gaussian noise, float32, built
    column block by column block (factors applied to blocks of the identity)."""
    pats = butterfly_patterns(n)
    F = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape).astype(np.float32)
                                for p in pats])
    out = np.empty((n, n), np.float32)
    for j in range(0, n, cols):
        eye = np.zeros((n, min(cols, n - j)), np.float32)
        eye[np.arange(j, j + eye.shape[1]), np.arange(eye.shape[1])] = 1
        out[:, j:j + eye.shape[1]] = F.matmul(eye)
    scale = noise * float(np.linalg.norm(out)) / n
    for i in range(0, n, cols):
        out[i:i + cols] += scale * rng.standard_normal((min(cols, n - i), n), np.float32)
    return out


def _scale_error(F, A, probes=4, rows=1024):
    """``max ‖(A − F) x‖ / ‖A x‖`` over a few Gaussian probes, in float64 (``A x`` by blocks
    of rows: no dense product, no float64 copy of ``A``)."""
    x = np.random.default_rng(1).standard_normal((A.shape[-1], probes))
    ax = np.concatenate([A[i:i + rows].astype(np.float64) @ x
                         for i in range(0, A.shape[0], rows)])
    return float(np.max(np.linalg.norm(ax - F.matmul(x), axis=-2)
                        / np.linalg.norm(ax, axis=-2)))


def section_scale(args):
    """Large N in float32 (8192 … --big; 32768 needs ~8 GiB: --big 32768): peak extra
    resident memory of the solver alone (mem_x = peak RSS growth during the call / matrix
    bytes; the input is built in place beforehand), time, x_norm, and the probe estimate of
    the relative error.  Then batches: k matrices at once against k single calls."""
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    print("# float32; mem_x = peak RSS growth of the call / bytes of one matrix; "
          "err = max over 4 Gaussian probes of |(A - F)x| / |Ax| (float64)")
    print(f"{'input':9s} {'N':>6s} {'tree':15s} {'time_s':>9s} {'x_norm':>7s} {'mem_x':>6s} "
          f"{'err':>9s}")
    for n in [n for n in (8192, 16384, 32768) if n <= max(args.big or 0, 8192)]:
        for name, build in (("hadamard", _scale_hadamard32), ("noisy", _scale_noisy32)):
            A = build(n) if name == "hadamard" else build(n, rng)
            t_norm = norm_time(A, 3)
            for tree in ("left", "right", "balanced") if n <= 16384 else ("left", "balanced"):
                with PeakRSS() as m:
                    t0 = time.perf_counter()
                    F = butterfly_factorize(A, tree=tree)
                    t = time.perf_counter() - t0
                print(f"{name:9s} {n:6d} {tree:15s} {t:9.2f} {t / t_norm:7.1f} "
                      f"{m.extra / A.nbytes:6.2f} {_scale_error(F, A):9.2e}", flush=True)
                del F
            del A
    print("\n# batches: time and peak memory of one call on (k, N, N) against k single calls")
    print(f"{'N':>6s} {'k':>3s} {'tree':10s} {'t_batch':>8s} {'t_k_single':>10s} {'ratio':>6s} "
          f"{'mem_batch_x':>11s} {'mem_single_x':>12s}")
    for n, k in ((1024, 8), (2048, 4)):
        pats = butterfly_patterns(n)
        A = np.stack([ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape)
                                              for p in pats]).todense() for _ in range(k)])
        for tree in ("left", "right", "balanced"):
            butterfly_factorize(A[0], tree=tree)           # warm up
            with PeakRSS() as mb:
                t0 = time.perf_counter()
                butterfly_factorize(A, tree=tree)
                tb = time.perf_counter() - t0
            with PeakRSS() as ms:
                t0 = time.perf_counter()
                for i in range(k):
                    butterfly_factorize(A[i], tree=tree)
                ts = time.perf_counter() - t0
            print(f"{n:6d} {k:3d} {tree:10s} {tb:8.3f} {ts:10.3f} {tb / ts:6.2f} "
                  f"{mb.extra / A[0].nbytes:11.2f} {ms.extra / A[0].nbytes:12.2f}",
                  flush=True)
        del A


def section_perm(args):
    """Unknown permutations: ``perm="auto"`` against the known bit reversal on the DFT, and
    the recovery of random row and column permutations (``perm="auto", row_perm="auto"``)
    against the known (planted) ones.  pyfaust has no permutation recovery: ours only.
    Times are CPU seconds (``time.process_time``, median of the repeats)."""
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)

    def cpu(fn, reps):
        ts, out = [], None
        for _ in range(reps):
            t0 = time.process_time()
            out = fn()
            ts.append(time.process_time() - t0)
        return statistics.median(ts), out

    print("# DFT: perm='auto' (and both sides 'auto') vs the known bit reversal")
    print(f"{'N':>6s} {'bitrev_s':>9s} {'auto_s':>9s} {'x_auto':>7s} {'auto2_s':>9s} "
          f"{'x_auto2':>7s} {'err_auto':>9s}")
    for n in (1024, 2048, 4096):
        if n > args.max_n:
            continue
        D = np.fft.fft(np.eye(n))
        reps = 3
        tb, _ = cpu(lambda: butterfly_factorize(D, perm="bitrev"), reps)
        ta, F = cpu(lambda: butterfly_factorize(D, perm="auto"), reps)
        ta2, _ = cpu(lambda: butterfly_factorize(D, perm="auto", row_perm="auto"), reps)
        print(f"{n:6d} {tb:9.3f} {ta:9.3f} {ta / tb:7.2f} {ta2:9.3f} {ta2 / tb:7.2f} "
              f"{rel(D, F.todense()):9.1e}", flush=True)
        del D, F
    print("# random butterfly, random row and column permutations: recovered vs known")
    print(f"{'input':12s} {'N':>6s} {'known_s':>8s} {'auto_s':>8s} {'x_auto':>7s} "
          f"{'err_known':>10s} {'err_auto':>10s} {'x_err':>7s}")
    for n in (256, 512, 1024):
        if n > args.max_n:
            continue
        for cplx in (False, True):
            for noise in (0.0, 1e-3):
                pats = butterfly_patterns(n)
                tw = [rng.standard_normal(p.twiddle_shape) for p in pats]
                if cplx:
                    tw = [t + 1j * rng.standard_normal(t.shape) for t in tw]
                B = ButterflyFactors(pats, tw).todense()
                if noise:
                    E = rng.standard_normal(B.shape) + (1j * rng.standard_normal(B.shape)
                                                        if cplx else 0)
                    B = B + noise * np.linalg.norm(B) / np.linalg.norm(E) * E
                r, c = rng.permutation(n), rng.permutation(n)
                A = np.empty_like(B)
                A[np.ix_(r, c)] = B
                tk, Fk = cpu(lambda: butterfly_factorize(B), 1)
                ta, Fa = cpu(lambda: butterfly_factorize(A, perm="auto", row_perm="auto"), 1)
                ek, ea = rel(B, Fk.todense()), rel(A, Fa.todense())
                name = ("complex" if cplx else "real") + ("+noise" if noise else "")
                print(f"{name:12s} {n:6d} {tk:8.3f} {ta:8.3f} {ta / tk:7.1f} {ek:10.2e} "
                      f"{ea:10.2e} {ea / ek:7.2f}", flush=True)


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
    "projection": section_projection,
    "refine": section_refine,
    "trees": section_trees,
    "scale": section_scale,
    "perm": section_perm,
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
    if not args.no_pyfaust:
        try:    # loaded before the limits so that its bundled OpenMP runtime is pinned too
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")      # its notes on absent torch / einops
                import pyfaust.fact  # noqa: F401
        except ImportError:
            pass
    for name in args.section or list(SECTIONS):
        print(f"\n## section {name}", flush=True)
        with threadpool_limits(1):
            SECTIONS[name](args)


if __name__ == "__main__":
    main()

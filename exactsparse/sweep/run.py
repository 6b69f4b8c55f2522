"""Run a check on every support pattern: :func:`sweep`.

The enumeration plan (:func:`~exactsparse.sweep.plan_chunks`) is cut into chunks of a few
thousand candidate patterns; each chunk is one task — for the calling process
(``workers=1``), a pool of local processes (default: one per core) or a Dask cluster
(``scheduler="tcp://host:port"`` or ``"local"`` for a ``LocalCluster``).  Chunks come back
as they finish and are committed to the store (:class:`~exactsparse.sweep.SweepStore`) one
transaction each; a rerun on the same folder skips the chunks already stored.  On Dask a
chunk whose worker is lost is recomputed elsewhere (``retries``); a chunk stored twice is
ignored.

Examples
--------
>>> s = sweep("tractable", 2, 2, 2, workers=1)
>>> s.total, s.by_verdict
(58, {'not-covered': 1, 'tractable': 57})
>>> s.weighted_total == 2 ** 8
True
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
import time
from math import comb
from dataclasses import dataclass, field, replace

from ..exceptions import ArgumentError, SizeLimitError, WorkerLostError, show
from .library import get_check
from .patterns import check_sizes, count_orbits, iter_chunk, pattern_strings, plan_chunks
from .store import SweepStore

__all__ = ["sweep", "SweepSummary", "summarize", "DEFAULT_LIMIT", "run_chunk", "WorkerLostError"]

#: Orbit counts above this are refused unless ``force=True``.
DEFAULT_LIMIT = 1_000_000
_SCHEDULER_TIMEOUT = 5.0
_CHEAP = ("tractable", "completable")
_MAX_RAW = 20_000_000


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep found: counts by verdict (patterns, and weighted by orbit size), the
    counterexamples (smallest nnz first), timings and completeness."""

    params: dict
    total: int
    weighted_total: int
    by_verdict: dict
    by_verdict_weighted: dict
    counterexamples: list
    seconds: float
    chunks_done: int
    chunks_total: int
    complete: bool
    folder: str = None
    extra: dict = field(default_factory=dict)

    def to_dict(self):
        return {"params": self.params, "total": self.total,
                "weighted_total": self.weighted_total, "by_verdict": self.by_verdict,
                "by_verdict_weighted": self.by_verdict_weighted,
                "counterexamples": self.counterexamples, "seconds": self.seconds,
                "chunks_done": self.chunks_done, "chunks_total": self.chunks_total,
                "complete": self.complete, "folder": self.folder, **self.extra}


def run_chunk(task):
    """Evaluate one chunk (a picklable task); returns ``(chunk id, rows, seconds)``."""
    cid, chunk, m, n, r, nondegenerate, nnz, check, seed = task
    t0 = time.perf_counter()
    chk = get_check(check)
    rows = []
    for idx, p in enumerate(iter_chunk(chunk, m, n, r, nondegenerate, nnz)):
        verdict, detail = chk.run(p.I, p.J, r, seed)
        Is, Js = pattern_strings(p.I, p.J, r)
        rows.append((idx, Is, Js, p.orbit, Is.count("1") + Js.count("1"), verdict, detail))
    return cid, rows, time.perf_counter() - t0


def _check_int(name, v, low):
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        raise ArgumentError(f"Argument {name!r} must be an int >= {low}, not {show(v)}.")
    return v


class _Progress:
    """tqdm when installed, else a one-line counter on stderr; silent when disabled."""

    def __init__(self, total, enabled):
        self.bar, self.enabled, self.total, self.done = None, enabled, total, 0
        self.t0 = time.perf_counter()
        if not enabled:
            return
        try:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="pattern", file=sys.stderr, smoothing=0.1)
        except ImportError:
            pass

    def update(self, k):
        self.done += k
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(k)
            return
        dt = time.perf_counter() - self.t0
        rate = self.done / dt if dt > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        print(f"\r{self.done}/{self.total} patterns  {rate:.0f}/s  ETA {eta:.0f}s",
              end="", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def _serial(tasks):
    for t in tasks:
        yield run_chunk(t)


def _windowed(submit, tasks, window, wait_first):
    """Submit at most ``window`` tasks at a time; yield results as they finish, dropping
    each future once read (memory stays flat however long the sweep)."""
    it = iter(tasks)
    running = {}
    for t in itertools.islice(it, window):
        running[submit(t)] = t
    while running:
        for f in wait_first(list(running)):
            del running[f]
            res = f.result()
            nxt = next(it, None)
            if nxt is not None:
                running[submit(nxt)] = nxt
            yield res


def _processes(tasks, workers, attempts=3):
    """Local processes; the chunks of a worker that dies are recomputed in a fresh pool."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    import multiprocessing as mp
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pending = list(tasks)

    def first(fs):
        return wait(fs, return_when=FIRST_COMPLETED).done
    for _ in range(attempts):
        pool = ProcessPoolExecutor(workers, mp_context=ctx)
        done = set()
        try:
            for res in _windowed(lambda t: pool.submit(run_chunk, t), pending,
                                 4 * workers, first):
                done.add(res[0])
                yield res
            return
        except BrokenProcessPool:
            pending = [t for t in pending if t[0] not in done]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    raise WorkerLostError(f"worker processes died {attempts} times on chunks "
                          f"{[t[0] for t in pending][:5]}...; the finished chunks are stored: "
                          "rerun to resume (or use workers=1 to see the failure)")


def _dask(tasks, scheduler, workers):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ArgumentError("Argument 'scheduler' needs Dask: pip install "
                            "'exactsparse[dask]' (dask[distributed]).") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=_SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ArgumentError(f"Argument 'scheduler' must be a reachable Dask scheduler, "
                                f"not {show(scheduler)}: no answer within "
                                f"{_SCHEDULER_TIMEOUT:.0f} s ({type(exc).__name__}).") \
                from None
    try:
        from dask.distributed import wait

        def first(fs):
            return wait(fs, return_when="FIRST_COMPLETED").done
        nthreads = max(1, sum(client.nthreads().values()))
        yield from _windowed(lambda t: client.submit(run_chunk, t, pure=False, retries=3),
                             tasks, 4 * nthreads, first)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def summarize(store, chunks_total=None, counter=None, limit=20):
    """A :class:`SweepSummary` read back from a store."""
    params = store.params
    if counter is None:
        counter = json.loads(store.meta().get("counterexamples", "[]"))
    counter = tuple(counter)
    counts = store.counts()
    cex = [{"I": row["I"], "J": row["J"], "orbit": row["orbit"], "nnz": row["nnz"],
            "verdict": row["verdict"], "detail": row["detail"]}
           for row in store.verdict_rows(counter, limit)]
    done = len(store.done_chunks())
    chunks_total = params.get("chunks") if chunks_total is None else chunks_total
    return SweepSummary(
        params=params, total=sum(c for c, _ in counts.values()),
        weighted_total=sum(w for _, w in counts.values()),
        by_verdict={v: c for v, (c, _) in counts.items()},
        by_verdict_weighted={v: w for v, (_, w) in counts.items()},
        counterexamples=cex, seconds=store.seconds(), chunks_done=done,
        chunks_total=chunks_total, complete=done == chunks_total, folder=store.folder)


def sweep(check, m, n, r, *, out=None, nondegenerate=False, nnz=None, seed=0, workers=None,
          scheduler=None, chunk_size=None, stop_on_counterexample=False, counterexamples=None,
          limit=DEFAULT_LIMIT, force=False, progress=False):
    """Run ``check`` on one representative of every orbit of support pairs ``(I, J)``.

    Parameters
    ----------
    check : str
        A name of :data:`~exactsparse.sweep.CHECKS` or ``"module:function"``.
    m, n, r : int
        ``I`` is m×r, ``J`` is n×r.
    out : str, optional
        Output folder of the store (resumed if it holds the same sweep); None: in memory.
    nondegenerate, nnz :
        Filters of :func:`~exactsparse.sweep.iter_patterns`.
    seed : int
        Seed of the random data of the checks (per pattern, the same in every process).
    workers : int, optional
        Local processes (default: ``os.cpu_count()``; 1: in this process) or Dask workers
        of a ``LocalCluster``.
    scheduler : str, optional
        ``"tcp://host:port"`` of a Dask scheduler, or ``"local"`` for a ``LocalCluster``.
    chunk_size : int, optional
        Candidate patterns per chunk (part of the sweep's identity in the store); default
        2000 for the cheap checks ``tractable`` and ``completable``, 200 otherwise.
    stop_on_counterexample : bool
        Stop after the first chunk holding a counterexample.
    counterexamples : sequence of str, optional
        Verdicts counted as counterexamples (default: the check's own).
    limit, force :
        Refuse (:class:`~exactsparse.SizeLimitError`) sweeps of more than ``limit`` orbits
        (counted by Burnside's lemma first) unless ``force``.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    SweepSummary
    """
    m, n, r = check_sizes(m, n, r)
    chk = get_check(check)
    seed = _check_int("seed", seed, 0)
    if seed >= 2**128:
        raise ArgumentError(f"Argument 'seed' must be below 2**128, not {show(seed)}.")
    workers = _check_int("workers", (os.cpu_count() or 1) if workers is None else workers, 1)
    if counterexamples is not None and (not isinstance(counterexamples, (list, tuple)) or any(
            not isinstance(v, str) for v in counterexamples)):
        raise ArgumentError(f"Argument 'counterexamples' must be a list of verdict strings or "
                            f"None, not {show(counterexamples)}.")
    counter = tuple(chk.counterexamples if counterexamples is None else counterexamples)
    limit = _check_int("limit", limit, 0)
    if chunk_size is not None:
        chunk_size = _check_int("chunk_size", chunk_size, 1)
        if chunk_size > 10**9:
            raise ArgumentError(f"Argument 'chunk_size' must be at most 10**9, not "
                                f"{show(chunk_size)}.")
    if scheduler is not None and not isinstance(scheduler, str) \
            and not hasattr(scheduler, "scheduler_address"):
        raise ArgumentError(f"Argument 'scheduler' must be a Dask scheduler address "
                            f"('tcp://host:port'), 'local' or a Cluster, not {show(scheduler)}.")
    estimate = count_orbits(m, n, r, nondegenerate, nnz)
    if estimate > limit and not force:
        raise SizeLimitError(f"Arguments (m, n, r) = {(m, n, r)} give {estimate:,} orbits "
                             f"(Burnside count), more than the limit {show(limit)}; pass "
                             "force=True (--force) to run anyway.")
    if chunk_size is None:
        chunk_size = 2000 if check in _CHEAP else 200
    raw = comb((1 << r) + m - 1, m)          # multisets I the plan walks through
    if raw > _MAX_RAW and not force:
        raise SizeLimitError(f"Arguments (m, r) = {(m, r)} give {raw:,} multisets I to "
                             f"examine, more than {_MAX_RAW:,}; pass force=True (--force) "
                             "to run anyway.")
    chunks = plan_chunks(m, n, r, nondegenerate, chunk_size)
    params = {"check": check, "m": m, "n": n, "r": r, "nondegenerate": bool(nondegenerate),
              "nnz": None if nnz is None else list(nnz), "seed": seed,
              "chunk_size": chunk_size, "chunks": len(chunks), "orbits": estimate,
              "plan": hashlib.sha256(repr(chunks).encode()).hexdigest()[:16]}
    store = SweepStore(out, params)
    try:
        store.set_meta("counterexamples", list(counter))
        t0 = time.perf_counter()
        found = bool(store.verdict_rows(counter, 1))
        stored_chunks = store.done_chunks()
        todo = [] if (found and stop_on_counterexample) else \
            [c for c in range(len(chunks)) if c not in stored_chunks]
        tasks = [(c, chunks[c], m, n, r, bool(nondegenerate), nnz, check, seed) for c in todo]
        stored = sum(c for c, _ in store.counts().values())
        bar = _Progress(estimate, progress)
        bar.update(stored)
        if scheduler is not None:
            results = _dask(tasks, scheduler, workers)
        elif workers == 1 or len(tasks) <= 1:
            results = _serial(tasks)
        else:
            # warm-up: the check's imports (sympy, flint...) happen once, before the fork
            chk.run((0,) * m, (0,) * n, r, seed)
            results = _processes(tasks, min(workers, len(tasks)))
        try:
            for cid, rows, secs in results:
                store.commit(cid, rows, secs)
                bar.update(len(rows))
                if stop_on_counterexample and any(row[5] in counter for row in rows):
                    break
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
            bar.close()
        summary = summarize(store, len(chunks), counter)
        backend = "dask" if scheduler else ("serial" if workers == 1 else "processes")
        return replace(summary, seconds=time.perf_counter() - t0,
                       extra={"cpu_seconds": summary.seconds, "backend": backend})
    finally:
        store.close()

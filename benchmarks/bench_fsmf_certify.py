"""Benchmark: largest masked rank-one hard core certified within 10 s / 60 s (and the time of
the independent re-check by ``verify``), flint vs sympy Gröbner time on the same systems, and
the sizes of the FSMF instances built from bipartite graphs by the biclique gadget (one run).
Run: python benchmarks/bench_fsmf_certify.py

Census (issue 13, item 5): ``python benchmarks/bench_fsmf_certify.py census [N] [BUDGET]``
(``BUDGET`` in CPU seconds per case, see :class:`cpu_clock`) runs :func:`census` on random
cores (masked 3x3 ... 6x6 with missing entries; general cores
I = J = [[1,0],[1,1],[0,1]] and random overlapping 3x3/4x4 supports with r = 2..4), and
prints one JSON line per case plus a summary; every case checks that the certified lower
bound never exceeds the best of many numerical local minima of the plain loss.
``... census-target`` runs the issue's two performance targets (masked 4x4 with 12 observed
entries at 60 s; the general 3x3 core at 10 s).  ``... masked-cpu COUNT [WALL] [CPU] [N]
[MISSING]`` measures the masked target in CPU seconds (:func:`masked_cpu`; e.g.
``masked-cpu 20 360 60 4 4`` and ``masked-cpu 3 900 600 5 5`` for 5x5 with 20 observed)."""

import time

import numpy as np
import sympy

from exactsparse import verify
from exactsparse.fsmf.hard import (biclique_to_masked, certify_fsmf, check_reduction,
                                   masked_to_fsmf, max_biclique)
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
    for n, ms in ((2, range(2, 9)), (3, (3, 4, 5, 6, 7, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)), (4, range(4, 9))):
        for m in ms:
            A, W = _instance(m, n, seed=m * 10 + n)
            M, I, J = masked_to_fsmf(A, W)
            t = time.perf_counter()
            res = certify_fsmf(M, I, J, budget=limit)
            dt = time.perf_counter() - t
            ok = res.verdict == "certified"
            t = time.perf_counter()
            valid = bool(verify(res, (M, I, J)))
            tv = time.perf_counter() - t
            print(f"  m={m} n={n} observed={int(W.sum())} variables={m + n} "
                  f"verdict={res.verdict} time={dt:.2f}s verify={tv:.2f}s valid={valid}")
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


def biclique_instances():
    rng = np.random.default_rng(0)
    print("biclique gadget: graph -> masked -> FSMF (certify budget 5 s)")
    for m, n in ((2, 2), (3, 3), (4, 4), (6, 6), (10, 10)):
        B = (rng.random((m, n)) < 0.6).astype(int)
        t = time.perf_counter()
        inst = biclique_to_masked(B)
        M, I, J = inst.fsmf()
        tb = time.perf_counter() - t
        rows, cols = max_biclique(B)
        sizes = check_reduction(M, I, J).certificate["sizes"]["parts"]
        res = certify_fsmf(M, I, J, budget=5)
        print(f"  graph {m}x{n} e={inst.edges} beta={len(rows) * len(cols)} -> masked "
              f"{inst.shape[0]}x{inst.shape[1]} observed={inst.mask.nnz} -> FSMF r={I.shape[1]} "
              f"(built in {tb:.3f}s); core {[(p['m'], p['n'], p['observed']) for p in sizes]}; "
              f"certify {res.verdict} [{float(res.certificate['lower']):.4g}, "
              f"{float(res.certificate['upper']):.4g}]")


def numeric_best(A, I, J, restarts=40, seed=0):
    """Best local minimum of the plain loss ``||A - X Y^T||^2`` over the supported entries
    (scipy BFGS from random starts; independent of the library's projections/charts)."""
    from scipy.optimize import minimize
    from exactsparse.supports import check_pair
    I, J = check_pair(I, J)
    Ia, Ja = np.asarray(I.array, bool), np.asarray(J.array, bool)
    A = np.array([[float(v) for v in row] for row in (A.tolist() if hasattr(A, "tolist")
                                                       else A)])
    nx = int(Ia.sum())
    rng = np.random.default_rng(seed)

    def loss(z):
        X = np.zeros(Ia.shape)
        Y = np.zeros(Ja.shape)
        X[Ia], Y[Ja] = z[:nx], z[nx:]
        R = A - X @ Y.T
        return float((R ** 2).sum()), np.concatenate([(-2 * R @ Y)[Ia], (-2 * R.T @ X)[Ja]])
    return min(minimize(loss, rng.standard_normal(nx + int(Ja.sum())) * 2, jac=True,
                        method="BFGS").fun for _ in range(restarts))


def _masked_case(n, missing, rng):
    A = rng.integers(-3, 4, (n, n)).tolist()
    W = np.ones((n, n), int)
    W.flat[rng.permutation(n * n)[:missing]] = 0
    M, I, J = masked_to_fsmf(A, W)
    return {"family": "masked", "shape": f"{n}x{n}", "param": f"missing={missing}"}, (M, I, J)


def _general_case(n, r, rng, fixed=False):
    if fixed:
        I = J = "10/11/01"
        return ({"family": "general", "shape": "3x3", "param": "I=J=[[1,0],[1,1],[0,1]]"},
                (rng.integers(-3, 4, (3, 3)).tolist(), I, J))
    while True:
        I = (rng.random((n, r)) < 0.55).astype(int)
        J = (rng.random((n, r)) < 0.55).astype(int)
        A = rng.integers(-3, 4, (n, n)).tolist()
        if I.sum(0).min() == 0 or J.sum(0).min() == 0:
            continue
        kinds = [p["kind"] for p in check_reduction(A, I, J).certificate["parts"]]
        if "general" in kinds:
            return {"family": "general", "shape": f"{n}x{n}", "param": f"r={r}"}, (A, I, J)


class cpu_clock:
    """Within ``with cpu_clock():`` the library's budgets (``time.monotonic`` deadlines)
    count CPU seconds of this process (``time.process_time``), so a census on a shared
    machine measures the same work as on an idle one (budget and times in CPU s)."""

    def __enter__(self):
        self.saved = time.monotonic
        time.monotonic = time.process_time
        return self

    def __exit__(self, *exc):
        time.monotonic = self.saved


def run_case(meta, inst, budget, restarts):
    """Certify one instance, verify it, compare with the numerical minima (times in CPU
    seconds, ``time.process_time``)."""
    t = time.process_time()
    res = certify_fsmf(*inst, budget=budget)
    dt = time.process_time() - t
    t = time.process_time()
    valid = bool(verify(res, inst))
    tv = time.process_time() - t
    c = res.certificate
    lo, hi = float(c["lower"]), float(c["upper"])
    best = numeric_best(*inst, restarts=restarts)
    return dict(meta, verdict=res.verdict, time=round(dt, 2), verify_time=round(tv, 2),
                valid=valid, lower=lo, upper=hi, width=(hi - lo) / (1 + hi),
                numeric_best=best, lower_ok=bool(lo <= best + 1e-9 * (1 + abs(best))),
                attained=c["attained"], reason=c["reason"][:120])


def census(per_size=3, budget=60.0, restarts=30, seed=0, masked=((3, (1, 2, 3)),
           (4, (2, 4, 6)), (5, (3, 5)), (6, (4, 6))), general=((3, (2, 3, 4)), (4, (2, 3, 4)))):
    """Rows (dicts) of the census; see the module docstring.  Budgets and times are CPU
    seconds (:class:`cpu_clock`)."""
    import json
    rng = np.random.default_rng(seed)
    rows = []
    cases = [_general_case(3, 2, rng, fixed=True) for _ in range(per_size)]
    cases += [_masked_case(n, k, rng) for n, ks in masked for k in ks for _ in range(per_size)]
    cases += [_general_case(n, r, rng) for n, rs in general for r in rs for _ in range(per_size)]
    for meta, inst in cases:
        with cpu_clock():
            row = run_case(meta, inst, budget, restarts)
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def summary(rows):
    """``{(family, shape, param): (certified, total, median time, max width)}``."""
    out = {}
    for r in rows:
        out.setdefault((r["family"], r["shape"], r["param"]), []).append(r)
    return {k: (sum(r["verdict"] == "certified" for r in v), len(v),
                float(np.median([r["time"] for r in v])), max(r["width"] for r in v),
                all(r["lower_ok"] and r["valid"] for r in v)) for k, v in out.items()}


def masked_cpu(count, wall_budget=360.0, cpu_limit=60.0, n=4, missing=4, seed=1, skip=10):
    """The masked performance target measured in CPU time (``time.process_time``, which a
    shared machine distorts less than wall time): ``count`` random ``n x n`` cores with
    ``missing`` unobserved entries (integers in [-3, 3]; the first ``skip`` draws of the
    generator go to general cores, so ``count = 10`` gives the instances of
    ``census-target 10``), each certified with a generous wall budget and counted as a
    success when certified within ``cpu_limit`` CPU seconds and valid for ``verify``.
    Prints one JSON line per instance and returns the rows."""
    import json
    rng = np.random.default_rng(seed)
    for _ in range(skip):
        _general_case(3, 2, rng, fixed=True)
    rows = []
    for k in range(count):
        _, inst = _masked_case(n, missing, rng)
        t = time.process_time()
        res = certify_fsmf(*inst, budget=wall_budget)
        cpu = time.process_time() - t
        t = time.process_time()
        valid = bool(verify(res, inst))
        vcpu = time.process_time() - t
        c = res.certificate
        lo, hi = float(c["lower"]), float(c["upper"])
        rows.append(dict(k=k, verdict=res.verdict, cpu=round(cpu, 2), verify_cpu=round(vcpu, 2),
                         valid=valid, lower=lo, upper=hi, width=(hi - lo) / (1 + hi),
                         ok=res.verdict == "certified" and valid and cpu <= cpu_limit))
        print(json.dumps(rows[-1]), flush=True)
    print(f"{n}x{n}, {n * n - missing} observed: certified within {cpu_limit:g} CPU s: "
          f"{sum(r['ok'] for r in rows)}/{len(rows)}")
    return rows


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "masked-cpu":
        # masked-cpu COUNT [WALL] [CPU] [N] [MISSING]
        a = [float(x) for x in sys.argv[2:]]
        masked_cpu(int(a[0]) if a else 20, *(a[1:3]), *[int(x) for x in a[3:5]])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1].startswith("census"):
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 3
        budget = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
        if sys.argv[1] == "census-target":
            rng = np.random.default_rng(1)
            which = sys.argv[4] if len(sys.argv) > 4 else "both"
            rows = []
            for k in range(2 * n):
                case = _general_case(3, 2, rng, fixed=True) if k < n else _masked_case(4, 4, rng)
                if which == "both" or which == ("general" if k < n else "masked"):
                    rows.append(run_case(*case, 10.0 if k < n else 60.0, 30))
                    print(rows[-1], flush=True)
        else:
            rows = census(per_size=n, budget=budget)
        for k, v in summary(rows).items():
            print(k, "certified %d/%d, median time %.1fs, max width %.2g, lower<=numeric "
                  "and valid: %s" % v)
        sys.exit(0)
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
    biclique_instances()

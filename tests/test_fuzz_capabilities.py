"""Seeded fuzz of every public function of :mod:`exactsparse.fsmf.hard`,
:mod:`exactsparse.bilinear`, :mod:`exactsparse.relu` and :mod:`exactsparse.sweep` (issue 15).

Each case calls one public function (a name of the module's ``__all__``; the torch
functions only when torch is installed) with arguments drawn from a seeded generator that
mixes plausible small instances with malformed and adversarial values (wrong types, shapes,
NaN/inf, huge ints such as ``10**5000``, huge and negative sizes, ragged lists, strings,
bools, None).  Asserted for every call:

- it returns, or raises a typed :class:`~exactsparse.exceptions.ExactSparseError`
  (anything else is a failure);
- it ends within its time limit (``BUDGET`` plus slack for the routines that take a
  ``budget``, ``HARD`` seconds for the others; a SIGALRM timer stops a runaway call);
- every :class:`~exactsparse.certificates.Result` it produces is valid under
  :func:`exactsparse.verify` on the instance it was computed from.

The default run draws ``N_QUICK`` cases; ``-m slow`` draws ``N_SLOW`` (>= 10 000).  The
counts are printed (``pytest -s``).

Every required parameter of every public callable must have a generator in
:func:`_plausible` (``test_every_public_callable_has_a_generator`` fails otherwise, naming
it): a new public function is fuzzed with values of the kind it expects, not only with the
generic fallback (allowed only for the pairs listed in :data:`GENERIC_OK`).
"""

from __future__ import annotations

import dataclasses
import inspect
import random
import tempfile
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

import exactsparse.bilinear as bilinear
import exactsparse.fsmf.hard as hard
import exactsparse.relu as relu
import exactsparse.sweep as sweep
from exactsparse.exceptions import ExactSparseError, show
from fuzz_harness import alarm_handler, checked_call

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

N_QUICK = 500
N_SLOW = 10_000
BUDGET = 1.0          # budget passed to routines that take one
SLACK = 4.0           # a budgeted call may overrun its budget by this much
HARD = 8.0            # limit for a routine without a budget
TORCH_NAMES = {"from_torch", "to_torch", "torch_path_norm", "load_torchvision"}


# ----------------------------------------------------------------------------- values
HUGE = 10**5000
ODD = [None, True, False, 0, -1, 1.5, float("nan"), float("inf"), -float("inf"), HUGE, -HUGE,
       2**64, 10**12, -10**9, "abc", "", "1/2", b"x", 1j, {"a": 1}, object(), [], (),
       [[]], [[1, 0], [1]], [[1, [0]]], "10/01", np.zeros((0, 3)), np.ones((2, 2, 2)),
       np.ones(3), [[float("nan"), 1]], [[float("inf")]], [[10**400]], [[HUGE]],
       np.array([[1, None]], dtype=object), np.array([[1 + 2j, 0]]), np.array([["a", "b"]]),
       [[True, False]], [[1e308, 1e308]], [["1/2", "3"]], np.full((2, 2), np.nan),
       [1, 2, "x"], [float("nan")] * 3, [HUGE, 1], np.int64(-3), np.float32(2.5)]


def _odd(g):
    return g.choice(ODD)


def _ints(g, k, lo=-3, hi=3):
    return [g.randint(lo, hi) for _ in range(k)]


def _mat(g, m, n, lo=-3, hi=3):
    kind = g.randrange(4)
    M = [_ints(g, n, lo, hi) for _ in range(m)]
    if kind == 1:
        return np.array(M)
    if kind == 2:
        return [[Fraction(v, g.randint(1, 3)) for v in row] for row in M]
    if kind == 3:
        return np.array(M, dtype=float)
    return M


def _supp(g, m, r):
    return [[int(g.random() < 0.6) for _ in range(r)] for _ in range(m)]


def _fsmf_instance(g):
    m, n, r = g.randint(1, 3), g.randint(1, 3), g.randint(1, 2)
    return _mat(g, m, n), _supp(g, m, r), _supp(g, n, r)


def _net(g):
    if g.random() < 0.7:
        widths = [g.randint(1, 3) for _ in range(g.randint(2, 4))]
        try:
            return relu.random_network(widths, seed=g.randrange(100), zero=g.random() < 0.2)
        except ExactSparseError:
            return None
    if g.random() < 0.5:
        return {"layers": [{"W": [[1, -1]], "b": [0]}]}
    return g.choice([{"layers": []}, {"layers": [{"W": [[1, 2]], "b": [0, 1]}]},
                     [[[1, 2]], [[3]]], {"layers": [{"W": [[HUGE]], "b": [0]}]},
                     {"layers": [{"W": [[float("nan")]], "b": [0]}]}, "net", 5, None,
                     {"layers": [{"W": [[1]], "b": [0]}, {"W": [[1, 2]], "b": [0]}]}])


def _widths(g):
    if g.random() < 0.7:
        return [g.randint(1, 3) for _ in range(g.randint(2, 4))]
    return g.choice([[], [2], [0, 2], [-1, 2], [10**6, 10**6, 10**6], [HUGE, 2], [1.5, 2],
                     "2,3", None, [2, None], [True, 2]])


_TMP = tempfile.mkdtemp(prefix="fuzzcap")


#: (function, required parameter) fuzzed with the generic fallback values on purpose
GENERIC_OK = set()


class NoGenerator(Exception):
    """Raised by :func:`_plausible` in strict mode when it would fall back."""


def _plausible(g, fname, pname, state, strict=False):
    """A value of the kind ``fname``'s parameter ``pname`` expects (``strict``: raise
    :class:`NoGenerator` instead of falling back to generic values)."""
    mod, name = fname.rsplit(".", 1)
    if pname in ("A", "I", "J"):
        if "inst" not in state:
            state["inst"] = _fsmf_instance(g)
        return state["inst"]["AIJ".index(pname)]
    if pname == "mask":
        A = state.setdefault("A_masked", _mat(g, g.randint(1, 3), g.randint(1, 3)))
        return _supp(g, len(A), len(A[0]))
    if pname in ("x", "y") and "mask" in state.get("params", ()):
        A = state.setdefault("A_masked", _mat(g, g.randint(1, 3), g.randint(1, 3)))
        return _ints(g, len(A) if pname == "x" else len(A[0]))
    if pname in ("X", "Y") and name == "fsmf_solution_to_masked":
        return _mat(g, g.randint(1, 3), 1)
    if pname in ("X", "Y") and name == "supported_loss":
        A, I, J = state.setdefault("inst", _fsmf_instance(g))
        S = I if pname == "X" else J
        return [[g.randint(-2, 2) * v for v in row] for row in S]
    if pname == "red":
        A, I, J = state.setdefault("inst", _fsmf_instance(g))
        try:
            state["red"] = hard.reduce_fsmf(A, I, J)
        except ExactSparseError:
            state["red"] = None
        return state["red"]
    if pname == "core":
        return g.choice([None, (np.eye(2), [[1, 0], [1, 1]])])
    if pname == "eps":
        return g.choice([Fraction(1, 2), 1, "1/3", 0.25])
    if pname == "G":
        return _supp(g, g.randint(1, 4), g.randint(1, 4))
    if pname == "inst":
        try:
            state["inst_biclique"] = hard.biclique_to_masked(
                _supp(g, g.randint(1, 3), g.randint(1, 3)))
        except ExactSparseError:
            state["inst_biclique"] = None
        return state["inst_biclique"]
    if pname in ("rows", "cols"):
        return [g.randint(0, 2) for _ in range(g.randint(0, 2))]
    if name == "point_to_biclique" and pname in ("x", "y"):
        inst = state.get("inst_biclique")
        k = g.randint(1, 3) if inst is None else inst.shape[0 if pname == "x" else 1]
        return [g.choice([0, 1, -2, Fraction(1, 3), 0.5]) for _ in range(k)]
    if pname == "pieces":
        red = state.get("red")
        if red is None:
            return g.choice([None, [], [([[1]], [[1]])]])
        return [([[g.randint(-2, 2) for _ in p.columns] for _ in getattr(p, "rows", ())],
                 [[g.randint(-2, 2) for _ in p.columns] for _ in getattr(p, "cols", ())])
                for p in red.parts]
    if mod == "bilinear":
        if pname in ("x", "h", "y", "x0", "h0", "beta"):
            return _ints(g, g.randint(1, 5 if pname != "h" else 3))
        if pname in ("U", "V", "M"):
            return _mat(g, g.randint(1, 3), g.randint(1, 3))
        if pname in ("n", "degree", "p"):
            return g.randint(1, 4)
        if pname in ("lam", "trivial_cost", "q_cost"):
            return g.choice([Fraction(1, 2), 1, 0.5, 2])
        if pname == "grid":
            return None
        if pname == "traj":
            return None
    if mod == "relu":
        if pname in ("net", "net1", "net2", "dag", "data"):
            return _net(g)
        if pname == "widths":
            return _widths(g)
        if pname == "X":
            return _mat(g, g.randint(1, 3), g.randint(1, 3))
        if pname == "lam":
            return [g.choice([1, 2, Fraction(1, 2)]) for _ in range(g.randint(1, 3))]
        if pname == "perm":
            return [list(range(k)) for k in (1, 2)]
        if pname == "phi":
            return _ints(g, 4)
        if pname in ("layer", "index", "depth", "output", "start", "flat"):
            return g.randint(0, 3)
        if pname in ("layers",):
            return [{"W": [[1, 2]], "b": [0]}]
    if mod == "sweep":
        if pname in ("m", "n", "r"):
            return g.randint(1, 2)
        if pname == "check":
            return g.choice(sorted(sweep.CHECKS)) if g.random() < 0.8 else "nope"
        if pname == "name":
            return g.choice(sorted(sweep.CHECKS) + ["nope"])
        if pname in ("folder", "folders"):
            return _TMP if pname == "folder" else [_TMP]
        if pname == "path":
            return f"{_TMP}/out{g.randrange(10)}.csv"
        if pname in ("rep", "summaries"):
            return None
    if strict and (fname, pname) not in GENERIC_OK:
        raise NoGenerator(f"{fname}: no generator for its parameter {pname!r}")
    return g.choice([0, 1, 2, None, [1, 2], [[1, 0], [0, 1]], "x"])


_KW_ODD = {"progress": [1, "yes", True, lambda *a: None, print],
           "budget": [0, -1, float("nan"), float("inf"), 10**400, HUGE, "1", True, None,
                      1e-9],
           "seed": [-1, HUGE, 1.5, "s", None, 2**70],
           "starts": [0, -1, HUGE, 1.5, "3", True],
           "backend": ["x", None, 3, "sympy", "numpy"],
           "max_paths": [0, -1, HUGE, 1.5, None],
           "iters": [0, -1, 10**100, 1.5, "3"],
           "max_tries": [0, -1, 10**100, 1.5],
           "trials": [0, -1, 10**100, 1.5],
           "length": [0, -1, 10**100, 1.5, "8"],
           "limit": [0, -1, 10**100, 1.5],
           "chunk_size": [0, -1, 10**100, 1.5],
           "prime": [0, 1, 4, -7, HUGE, 1.5, "7"],
           "q": [0, -1, float("inf"), float("nan"), HUGE, "2", 1.5]}

#: Keyword arguments whose *plausible* value is set small so a legal call ends quickly.
_KW_SMALL = {"starts": 3, "iters": 20, "max_tries": 5, "trials": 2, "length": 6,
             "cost_gap_grid": {"sparsities": (1, 2), "filter_lengths": (1, 2)},
             "tractability_sweep": {"restarts": 1, "iters": 20}}


def _targets():
    out = []
    for mod, M in (("fsmf.hard", hard), ("bilinear", bilinear), ("relu", relu),
                   ("sweep", sweep)):
        for n in M.__all__:
            f = getattr(M, n)
            if not callable(f) or (isinstance(f, type) and issubclass(f, BaseException)):
                continue
            if isinstance(f, type) and dataclasses.is_dataclass(f) and n not in ("Network",):
                continue            # plain value types (results, records): no input checks
            if n in TORCH_NAMES and not HAVE_TORCH:
                continue
            out.append((f"{mod}.{n}", f))
    return out


TARGETS = _targets()


def _case(g):
    fname, fn = g.choice(TARGETS)
    short = fname.split(".")[-1]
    try:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())
    except (TypeError, ValueError):
        params = []
    state = {"params": [p.name for p in params]}
    args, kwargs = [], {}
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        required = p.default is p.empty
        if required:
            v = _plausible(g, fname, p.name, state) if g.random() < 0.75 else _odd(g)
            if p.kind == p.KEYWORD_ONLY:
                kwargs[p.name] = v
            else:
                args.append(v)
            continue
        if p.name == "budget":
            kwargs["budget"] = BUDGET if g.random() < 0.85 else g.choice(_KW_ODD["budget"])
        elif p.name in _KW_SMALL and g.random() < 0.9:
            kwargs[p.name] = _KW_SMALL[p.name]
        elif g.random() < 0.1:
            kwargs[p.name] = g.choice(_KW_ODD.get(p.name, ODD))
    kwargs.update({k: v for k, v in _KW_SMALL.get(short, {}).items()
                   if g.random() < 0.9 or k not in kwargs})
    if short == "trivial_wins":             # its budget goes to check_deconv_pitfall
        kwargs["budget"] = BUDGET
        state["params"].append("budget")
    budgeted = "budget" in state["params"]
    if budgeted and kwargs.get("budget") not in (BUDGET, 0, -1, 1e-9):
        budgeted = "long"
    return fname, fn, tuple(args), kwargs, budgeted


def _instance(fname, args, kwargs):
    """The instance :func:`exactsparse.verify` needs for a result of ``fname``."""
    short = fname.split(".")[-1]
    if fname.startswith("fsmf.hard"):
        return tuple(args[:3])
    if short == "check_deconv_pitfall":
        return tuple(args[:2])
    if short == "random_counterexample":
        return None
    if short in ("equivalent", "relu_equivalent", "local_identifiability"):
        return tuple(args[:2])
    return args[0] if args else None


def _safe(v, limit):
    """A repr for a failure message that never fails (``show`` of a container holding an
    integer beyond the int-to-string limit raises ValueError)."""
    try:
        return show(v, limit)
    except ValueError:
        return f"<{type(v).__name__} holding a huge integer>"


def _run(n_cases, seed):
    g = random.Random(seed)
    stats, failures = Counter(), []
    with alarm_handler():
        for case in range(n_cases):
            fname, fn, args, kwargs, budgeted = _case(g)
            limit = {True: BUDGET + SLACK, "long": 30.0}.get(budgeted, HARD)
            desc = f"case {case}: {fname}({_safe(args, 200)}, {_safe(kwargs, 120)})"
            checked_call(lambda: fn(*args, **kwargs), limit, desc,
                         lambda: _instance(fname, args, kwargs), stats, failures)
    return stats, failures


def _report(stats, failures):
    print(f"\nfuzz capabilities: {dict(stats)}; failures: {len(failures)}")
    assert not failures, "\n".join(failures[:30])
    assert stats["results"] == stats["verified"]


def test_every_public_callable_has_a_generator():
    missing = []
    for fname, fn in TARGETS:
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            continue
        state = {"params": [p.name for p in params]}
        for p in params:
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                try:
                    _plausible(random.Random(0), fname, p.name, state, strict=True)
                except NoGenerator as exc:
                    missing.append(str(exc))
    assert not missing, "add a generator to _plausible (or to GENERIC_OK): " + "; ".join(
        missing)


def test_fuzz_quick():
    stats, failures = _run(N_QUICK, seed=15)
    _report(stats, failures)
    assert stats["typed errors"] > 0 and stats["results"] > 0


@pytest.mark.slow
def test_fuzz_slow():
    stats, failures = _run(N_SLOW, seed=1515)
    _report(stats, failures)
    assert stats["calls"] >= 10_000


def test_huge_integers_found_by_the_slow_fuzz():
    """Two classes the slow run found: a neuron index too large to print, and floats beside
    an integer too large for a float in ``frobenius_cost``: typed errors."""
    from exactsparse.bilinear import frobenius_cost
    from exactsparse.exceptions import ExactSparseError
    from exactsparse.relu.network import neuron_name
    with pytest.raises(ExactSparseError, match="below 2\\*\\*63"):
        neuron_name(1, 10**5000, 2)
    with pytest.raises(ExactSparseError, match="too large to convert"):
        frobenius_cost(np.ones((2, 3)), [[10**400] * 3, [1, 2, 3]])
    assert frobenius_cost([[1, 2]], [[3, 4]]) == 15

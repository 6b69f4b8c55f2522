"""Seeded fuzzing of the core and the tractable FSMF routines (issue #15).

Every public function of :mod:`exactsparse.exact`, :mod:`exactsparse.supports`,
:mod:`exactsparse.enumeration`, :mod:`exactsparse.fileio`, :mod:`exactsparse.certificates`,
the non-hard FSMF routines (``check_tractable``, ``is_tractable``, ``solve_fsmf``,
``fsmf_loss``, ``als``) and :func:`exactsparse.verify` is called with malformed and
adversarial arguments (wrong types, shapes, NaN/inf, huge ints, huge and negative sizes,
ragged lists, strings, bools, bytes, files with such contents).  Asserted:

- only typed errors: every exception is an :class:`ExactSparseError` subclass;
- nothing runs past a per-call time limit;
- every produced :class:`Result` is valid under ``verify``, also after a JSON round trip;
- every single-field tampering of a valid certificate is either rejected or provably
  harmless: when ``verify`` accepts the tampered result, the claim it makes is checked
  independently (numpy / Fractions, never the checker): same verdict as the untampered one,
  factors supported, loss equal to ``value_float`` and, for an optimum, to the optimum.

The default run makes a few hundred calls (well under 30 s); ``-m slow`` makes over 10,000.
The counts are printed (``pytest -s``) and asserted.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import random
import signal
import tempfile
import time
from fractions import Fraction

import numpy as np
import pytest

import exactsparse as es
from exactsparse import certificates, enumeration, exact, fileio, supports
from exactsparse.certificates import Result
from exactsparse.exceptions import ExactSparseError
from exactsparse.fsmf import als, check_tractable, fsmf_loss, is_tractable, solve_fsmf

CALL_LIMIT = 20.0          # seconds per call (a hang is a failure)
TIMES = {}                 # seconds spent per target (for tuning the default run)


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


# ----------------------------------------------------------------------------- values
def _matrix(rng, kind=None):
    m, n = rng.randint(1, 4), rng.randint(1, 4)
    kind = kind or rng.choice(["int", "frac", "float", "complex", "str", "scaled", "big"])
    if kind == "int":
        return [[rng.randint(-5, 5) for _ in range(n)] for _ in range(m)]
    if kind == "frac":
        return [[Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
                for _ in range(m)]
    if kind == "str":
        return [[f"{rng.randint(-9, 9)}/{rng.randint(1, 9)}" for _ in range(n)]
                for _ in range(m)]
    if kind == "big":
        return [[rng.randint(-10**40, 10**40) for _ in range(n)] for _ in range(m)]
    A = np.array([[rng.uniform(-3, 3) for _ in range(n)] for _ in range(m)])
    if kind == "complex":
        A = A + 1j * np.array([[rng.uniform(-3, 3) for _ in range(n)] for _ in range(m)])
    if kind == "scaled":
        A = A * 10.0 ** rng.randint(-300, 300)
    return A


def _support(rng, m=None, r=None):
    m, r = m or rng.randint(1, 4), r or rng.randint(1, 3)
    return [[rng.randint(0, 1) for _ in range(r)] for _ in range(m)]


_ATOMS = [0, 1, -1, 2, 3, 10**6, 10**12, -10**100, 10**400, 10**5000, True, False, None,
          0.5, -0.0, float("nan"), float("inf"), -float("inf"), 1e308, 5e-324,
          np.longdouble(10) ** 400, 1 + 2j, complex("nan"), Fraction(1, 3), Fraction(-7, 2),
          "1/2", "x", "", "1/0", "10/01", "1" * 5001, "1e99999", "0.1", "  3 ", "nan",
          b"\xff\xfe", b"1/2", [], [[]], [[1], [1, 2]], [[[1]]], {}, {"a": 1}, set(),
          np.array([]), np.zeros((0, 3)), np.ones((2, 2, 2)), np.array([[np.nan, 1.0]]),
          np.array([["a", "b"]]), np.array([[1, 2]], dtype=object), np.int64(-3),
          np.float32(2.5), np.bool_(True), object(), "flint", "sympy", "numpy"]


def _value(rng, depth=0):
    """An adversarial argument, or (half the time) a plausible one."""
    pick = rng.random()
    if pick < 0.35:
        v = rng.choice(_ATOMS)
        return v() if callable(v) and not isinstance(v, type) else v
    if pick < 0.55:
        return _matrix(rng)
    if pick < 0.75:
        S = _support(rng)
        return rng.choice([S, np.array(S), "/".join("".join(map(str, r)) for r in S)])
    if pick < 0.85:
        return rng.randint(-3, 6)
    if pick < 0.92 and depth < 2:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(["1/2", 0.25, 2, -1, None, "flint"])


# ----------------------------------------------------------------------------- files
_FILE_TEXTS = ["1 2\n3 4\n", "1/2, 3\n", "1" * 5001 + " 2\n", "[[1, 2]]", "[[" + "1" * 5001 + "]]",
               "[" * 50000, "[[1e400]]", "1 2\n3\n", "\n# only a comment\n", "x y\n",
               "0110\n1001\n", "2 1\n", "1e9999\n", "[[true]]", '{"a": 1}', "0.1 -3e2\n"]


def _file(rng, tmp):
    ext = rng.choice([".txt", ".csv", ".json", ".npy", ""])
    path = os.path.join(tmp, f"f{rng.randint(0, 10**9)}{ext}")
    choice = rng.random()
    if ext == ".npy":
        arr = rng.choice([np.eye(2), np.array([[1, 2]]), np.array([[np.inf]]), np.ones(3),
                          np.array([["a"]]), np.array([[1 + 1j]]), np.zeros((2, 0))])
        np.save(path, arr)
    elif choice < 0.1:
        with open(path, "wb") as fh:
            fh.write(b"\xff\xfe\x00garbage")
    else:
        with open(path, "w") as fh:
            fh.write(rng.choice(_FILE_TEXTS))
    return rng.choice([path, path, tmp, os.path.join(tmp, "missing.txt"), 3, None, b"x\0"])


# ----------------------------------------------------------------------------- targets
def _public(module):
    return [(f"{module.__name__.split('.')[-1]}.{n}", getattr(module, n))
            for n in module.__all__ if callable(getattr(module, n))]


TARGETS = (_public(exact) + _public(supports) + _public(enumeration) + _public(certificates)
           + [("fileio.read_matrix", fileio.read_matrix), ("fileio.read_support",
                                                           fileio.read_support),
              ("fileio.read_table", fileio.read_table)]
           + [("fsmf.check_tractable", check_tractable), ("fsmf.is_tractable", is_tractable),
              ("fsmf.solve_fsmf", solve_fsmf), ("fsmf.fsmf_loss", fsmf_loss),
              ("fsmf.als", als), ("verify", es.verify)])
FOCUS = TARGETS[-6:]          # the decision routines and verify, called more often
KEYWORDS = {"solve_fsmf": ["restarts", "seed", "budget", "exact_mode", "backend"],
            "als": ["restarts", "iters", "tol", "seed", "budget", "mask"],
            "rank": ["backend"], "rref": ["backend"], "random_support": ["seed"],
            "support_pairs": ["nondegenerate"], "read_matrix": ["numeric"],
            "verify": ["budget"]}
_CHEAP = {"restarts": lambda rng: rng.choice([1, 2, 0, -1, 10**100, 2.5, True, "3"]),
          "iters": lambda rng: rng.choice([1, 5, 0, -3, 10**100, None]),
          "budget": lambda rng: rng.choice([0.5, 2, 0, -1, 10**400, float("nan"), "1", None]),
          "seed": lambda rng: rng.choice([0, 1, -1, 10**50, 2.5, None, "s"])}


def _arguments(name, fn, rng, tmp):
    """Positional (and a few keyword) arguments for ``fn``: the right number, random values."""
    short = name.split(".")[-1]
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                         p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if short.startswith("read_"):
        return (_file(rng, tmp),), {"numeric": rng.random() < 0.5} if short == "read_matrix" else {}
    if short == "block_diagonal":
        return tuple(rng.choice([(1, 2), (2, 1), (10**5, 10**5), (0, 1), "x", (1,)])
                     for _ in range(rng.randint(0, 3))), {}
    if short in ("solve_fsmf", "fsmf_loss", "als", "verify") and rng.random() < 0.6:
        args = _plausible_fsmf(short, rng)
    elif rng.random() < 0.5:
        args = tuple(_plausible(p.name, rng) for p in params)
    else:
        args = tuple(_value(rng) for _ in params)
    kwargs = {}
    for key in KEYWORDS.get(short, []):
        if rng.random() < 0.3:
            kwargs[key] = _CHEAP.get(key, _value)(rng)
    if short == "als":
        kwargs.setdefault("restarts", 2)
        kwargs.setdefault("iters", 20)
        if not isinstance(kwargs["restarts"], int) or kwargs["restarts"] > 50:
            kwargs["budget"] = 1.0
    if short == "solve_fsmf":
        kwargs.setdefault("restarts", 2)
        kwargs.setdefault("budget", 5.0)
    return args, kwargs


def _plausible(param, rng):
    """A value of the kind the parameter expects (sometimes slightly off)."""
    if param in ("A", "M", "G", "B"):
        if rng.random() < 0.5:
            n = rng.randint(1, 4)
            return [[rng.randint(-5, 5) for _ in range(n)] for _ in range(n)]
        return _matrix(rng)
    if param in ("I", "J", "S", "data", "J_rx"):
        return _support(rng)
    if param in ("m", "n", "r", "k", "bits", "p"):
        return rng.choice([1, 2, 3, 4, 64, 0, -1, 10**7, 10**12])
    if param in ("text", "x", "value"):
        return rng.choice(["1/3", "-2", "0.125", "1e3", "2/0", Fraction(5, 7), 3, 0.5, "x"])
    if param == "density":
        return rng.choice([0.0, 0.5, 1.0, 1.5, -0.1, float("nan")])
    if param == "obj":
        return rng.choice([{"x": Fraction(1, 3)}, [1, "2/3", [None]], (1 + 2j,), {1, 2}])
    if param == "rects":
        return [((0, 1), (0,)), ((1,), (0, 1))]
    if param == "shape":
        return rng.choice([(2, 2), (1, 1), (0, 3), (10**9, 10**9)])
    if param in ("backend", "name", "where"):
        return rng.choice(["flint", "sympy", "A", "numpy"])
    return _value(rng)


def _plausible_fsmf(short, rng):
    A = _matrix(rng)
    m, n = (len(A), len(A[0])) if isinstance(A, list) else A.shape
    r = rng.randint(1, 3)
    I, J = _support(rng, m, r), _support(rng, n, r)
    if short == "als":
        An = np.asarray(A, dtype=complex if np.iscomplexobj(np.asarray(A)) else float) \
            if not isinstance(A[0][0], (str, Fraction)) else np.ones((m, n))
        return (An, np.array(I, bool), np.array(J, bool))
    if short == "fsmf_loss":
        return (A, rng.choice([_matrix(rng), np.ones((m, r))]), np.ones((n, r)))
    if short == "verify":
        return (_value(rng), rng.choice([(A, I, J), (I, J), None, _value(rng)]))
    return (A, I, J)


# ----------------------------------------------------------------------------- tampering
def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, path + (i,))
        if not obj:
            yield path, obj
    else:
        yield path, obj


def _mutations(v, rng):
    out = [None, True, "1/2", 0.5, -1, 10**30, "x", [], float("nan")]
    if isinstance(v, bool):
        out.append(not v)
    elif isinstance(v, int):
        out += [v + 1, v - 1, -v]
    elif isinstance(v, float):
        out += [v * (1 + 1e-6), v + 1, -v, 0.0, v * 2]
    elif isinstance(v, str):
        out += [v + "0", "0", "1", "-" + v]
        try:
            q = Fraction(v)
            out += [str(q + Fraction(1, 10**6)), str(-q), str(q * 2)]
        except (ValueError, ZeroDivisionError):
            pass
    elif isinstance(v, list):
        out += [v[:-1], v + v[:1], list(reversed(v))]
    return out


def _set(obj, path, value):
    obj = json.loads(json.dumps(obj))
    target = obj
    for k in path[:-1]:
        target = target[k]
    if path:
        target[path[-1]] = value
        return obj
    return value


def _frac(v):
    if isinstance(v, complex):
        if v.imag:
            return None
        v = v.real
    return Fraction(v)


def _claim_holds(orig, tampered, instance):
    """Independent check (numpy / Fractions) that an accepted tampered result still makes a
    true claim, given the untampered result ``orig`` (produced by the library and verified)."""
    if (tampered.kind, tampered.verdict) != (orig.kind, orig.verdict):
        return False
    if orig.kind == "fsmf.classify":
        return (tampered.family, tampered.theorem) == (orig.family, orig.theorem)
    A, I, J = instance
    I, J = np.array(I, bool), np.array(J, bool)
    X, Y = np.array(tampered.X, dtype=object), np.array(tampered.Y, dtype=object)
    if X.shape != I.shape or Y.shape != J.shape:
        return False
    if any(v != 0 for v in X[~I]) or any(v != 0 for v in Y[~J]):
        return False
    Aa = np.asarray(A)
    if Aa.dtype.kind in "fc":
        # in units of max|A| (a float scale, not the checker's power of two); compared as
        # exact rationals so that nothing under- or overflows
        scale = float(np.max(np.abs(Aa))) or 1.0
        with np.errstate(all="ignore"):
            As, Xs, Ys = (Aa / scale, X.astype(complex) / math.sqrt(scale),
                          Y.astype(complex) / math.sqrt(scale))
            loss_s = float(np.sum(np.abs(As - Xs @ Ys.T) ** 2))
        if not math.isfinite(loss_s):
            return False
        norm_s = float(np.sum(np.abs(As) ** 2))
        sq = Fraction(scale) ** 2
        tol = Fraction(norm_s) * sq / 10**6 + Fraction(1, 2**1000)
        ok = abs(Fraction(tampered.value_float) - Fraction(loss_s) * sq) <= tol
        if orig.verdict == "optimal":
            ok = ok and abs(Fraction(orig.value_float) - Fraction(loss_s) * sq) <= tol
        return ok
    Af = [[Fraction(v) for v in row] for row in exact.to_fractions(exact.as_matrix(A))]
    Xf = [[_frac(v) for v in row] for row in tampered.X]
    Yf = [[_frac(v) for v in row] for row in tampered.Y]
    if any(v is None for row in Xf + Yf for v in row):
        return False
    loss = sum(((Af[i][j] - sum((Xf[i][k] * Yf[j][k] for k in range(len(Xf[0]))),
                                Fraction(0))) ** 2
                for i in range(len(Af)) for j in range(len(Af[0]))), Fraction(0))
    norm = sum((v * v for row in Af for v in row), Fraction(0))
    tol = norm / 10**6 + Fraction(1, 2**1000)
    ok = abs(Fraction(tampered.value_float) - loss) <= tol
    if orig.verdict == "optimal":
        ok = ok and abs(loss - Fraction(orig.value_float)) <= tol
        if tampered.value is not None:
            import sympy
            ok = ok and abs(sympy.N(certificates.parse_value(tampered.value)
                                    - certificates.parse_value(orig.value), 50)) < 1e-40
    return ok


def _tamper(result, instance, rng, stats, failures, count):
    d = result.to_dict()
    leaves = list(_leaves(d))
    for _ in range(count):
        path, v = rng.choice(leaves)
        if path and path[0] == "kind":
            continue
        new = rng.choice(_mutations(v, rng))
        td = _set(d, path, new)
        if td == d:
            continue
        stats["tampered"] += 1
        ver = es.verify(td, instance)
        if not ver:
            stats["tamper_rejected"] += 1
            continue
        tampered = Result.from_dict(td)
        if _claim_holds(result, tampered, instance):
            stats["tamper_harmless"] += 1
        else:
            failures.append(f"tampering {path} = {new!r} accepted with a false claim: "
                            f"{result.kind} {ver.message}")


# ----------------------------------------------------------------------------- runner
def _check_output(name, value, args, stats, failures, rng):
    if not isinstance(value, Result) or name.endswith(".Result"):   # a hand-built value
        if inspect.isgenerator(value):
            for _, _ in zip(range(3), value):
                pass
        return
    stats["results"] += 1
    short = name.split(".")[-1]
    instance = args[1:] if short == "verify" else args
    if short == "check_tractable":
        instance = args
    ver = es.verify(value, instance)
    back = es.verify(Result.from_json(value.to_json()), instance)
    if not (ver and back):
        failures.append(f"{name}{_short(args)} produced a result verify rejects: "
                        f"{ver.message} / after JSON: {back.message}")
        return
    stats["verified"] += 1
    _tamper(value, instance, rng, stats, failures, count=3)


def _short(args):
    return exact.short_repr(args, 200)


def run_fuzz(calls, seed):
    """Make ``calls`` random calls; return (stats, failures)."""
    rng = random.Random(seed)
    stats = dict.fromkeys(["calls", "returned", "typed_errors", "results", "verified",
                           "tampered", "tamper_rejected", "tamper_harmless"], 0)
    failures = []
    old = signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for _ in range(calls):
                name, fn = rng.choice(FOCUS if rng.random() < 0.25 else TARGETS)
                args, kwargs = _arguments(name, fn, rng, tmp)
                stats["calls"] += 1
                signal.setitimer(signal.ITIMER_REAL, CALL_LIMIT)
                start = time.monotonic()
                try:
                    value = fn(*args, **kwargs)
                    if name.endswith("precision") and hasattr(value, "__enter__"):
                        with value:
                            pass
                    _check_output(name, value, args, stats, failures, rng)
                    stats["returned"] += 1
                except _Timeout:
                    failures.append(f"{name}{_short(args)} {kwargs} ran past {CALL_LIMIT} s")
                except ExactSparseError:
                    stats["typed_errors"] += 1
                except Exception as exc:  # noqa: BLE001 - the failure being tested for
                    failures.append(f"{name}{_short(args)} {_short(kwargs)} raised "
                                    f"{type(exc).__name__}: {str(exc)[:200]}")
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                TIMES[name] = TIMES.get(name, 0.0) + time.monotonic() - start
                if time.monotonic() - start > CALL_LIMIT:
                    failures.append(f"{name}{_short(args)} took {time.monotonic() - start:.0f} s")
        finally:
            signal.signal(signal.SIGALRM, old)
    return stats, failures


def _report(stats, failures):
    print("\nfuzz counts:", stats, "failures:", len(failures))
    assert not failures, "\n".join(failures[:30])


def test_fuzz_core_quick():
    stats, failures = run_fuzz(800, seed=15)
    _report(stats, failures)
    assert stats["calls"] == 800 and stats["results"] >= 10 and stats["tampered"] >= 30


@pytest.mark.slow
def test_fuzz_core_many():
    stats, failures = run_fuzz(10_200, seed=2026)
    _report(stats, failures)
    assert stats["calls"] >= 10_000


# ----------------------------------------------------------------------------- results
def _instances(rng, count):
    for _ in range(count):
        kind = rng.choice(["int", "frac", "float", "complex", "scaled", "big", "str"])
        A = _matrix(rng, kind)
        m, n = (len(A), len(A[0])) if isinstance(A, list) else A.shape
        r = rng.randint(1, 3)
        yield A, _support(rng, m, r), _support(rng, n, r)


@pytest.mark.parametrize("count", [40, pytest.param(600, marks=pytest.mark.slow)])
def test_every_result_verifies_and_resists_tampering(count):
    """Results of solve_fsmf / check_tractable on random instances (all scales, exact and
    float, real and complex): valid, valid after JSON, and every tampering caught or
    harmless."""
    rng = random.Random(7 + count)
    stats = dict.fromkeys(["results", "verified", "tampered", "tamper_rejected",
                           "tamper_harmless"], 0)
    failures = []
    for A, I, J in _instances(rng, count):
        try:
            s = solve_fsmf(A, I, J, restarts=2, budget=5.0)
        except ExactSparseError:
            continue
        for res, inst in ((s, (A, I, J)), (check_tractable(I, J), (I, J))):
            _check_output("fsmf.solve_fsmf" if res is s else "fsmf.check_tractable", res,
                          inst, stats, failures, rng)
            _tamper(res, inst, rng, stats, failures, count=6)
    _report(stats, failures)
    assert stats["verified"] >= count and stats["tampered"] >= 5 * count


# ----------------------------------------------------------------------------- regressions
def test_wrong_factors_at_1e200_are_rejected():
    """Issue #15: verify accepted X = [[7]] or Y = [[1], [-5]] for A = [[1e200, 1e200]]."""
    A, I, J = np.array([[1e200, 1e200]]), [[1]], [[1], [1]]
    with pytest.raises(es.SizeLimitError, match="float range"):
        solve_fsmf(A, I, J)
    good = solve_fsmf(np.array([[1.0, 1.0]]), I, J)
    forged = dataclasses.replace(good, X=((1.0,),), Y=((1e200,), (1e200,)))
    assert es.verify(forged, (A, I, J))                       # true: loss 0
    for bad in (dataclasses.replace(forged, X=((7.0,),)),
                dataclasses.replace(forged, Y=((1.0,), (-5.0,)))):
        assert not es.verify(bad, (A, I, J))


@pytest.mark.parametrize("exponent", [-300, -150, -20, 0, 20, 150])
def test_solve_is_scale_invariant(exponent):
    """The same instance at every scale: valid, the loss scales by 10**(2 exponent), and a
    wrong factor is rejected at every scale (tolerances relative to ||A||)."""
    base = np.array([[3.0, 1.0, 2.0], [1.0, -2.0, 0.5]])
    I, J = [[1], [1]], [[1], [1], [1]]
    A = base * 10.0 ** exponent
    s = solve_fsmf(A, I, J)
    sigma = np.linalg.svd(base, compute_uv=False)
    assert math.isclose(s.value_float, float(sigma[1] ** 2) * 10.0 ** (2 * exponent),
                        rel_tol=1e-9)
    assert es.verify(s, (A, I, J))
    X = np.array(s.X)
    assert not es.verify(dataclasses.replace(s, X=tuple(map(tuple, X * 1.01))), (A, I, J))
    if s.value_float > 0:                 # (at 1e-300 the loss underflows: 0.0 is right)
        assert not es.verify(dataclasses.replace(s, value_float=0.0), (A, I, J))
    assert not es.verify(dataclasses.replace(s, value_float=1e-8 + 3 * s.value_float),
                         (A, I, J))


def test_complex_result_verifies_after_json():
    A = np.array([[1 + 2j, 3 - 1j], [2j, 1]])
    s = solve_fsmf(A, [[1], [1]], [[1], [1]])
    back = Result.from_json(s.to_json())
    assert back == s and es.verify(back, (A, [[1], [1]], [[1], [1]]))


def test_long_double_instance():
    A = np.array([[1, 2], [3, 4]], dtype=np.longdouble)
    s = solve_fsmf(A, [[1], [1]], [[1], [1]])
    assert es.verify(s, (A, [[1], [1]], [[1], [1]]))
    with pytest.raises(es.NonFiniteError):
        solve_fsmf(np.array([[np.longdouble(10) ** 400]]), [[1]], [[1]])


def test_solve_budget_and_restart_cap():
    A = np.arange(1.0, 10.0).reshape(3, 3)
    I = J = [[1, 0], [1, 1], [0, 1]]                    # not covered
    with pytest.raises(es.ArgumentError, match="restarts"):
        solve_fsmf(A, I, J, restarts=10**100)
    for bad in (0, -1, float("nan"), float("inf"), "1", True):
        with pytest.raises(es.BudgetError):
            solve_fsmf(A, I, J, budget=bad)
    rng = np.random.default_rng(0)
    B = rng.standard_normal((40, 40))
    K = (rng.random((40, 6)) < 0.6).astype(int)
    start = time.monotonic()
    s = solve_fsmf(B, K, K, restarts=es.fsmf.solve.MAX_RESTARTS, budget=0.5)
    assert time.monotonic() - start < 10
    assert s.verdict == "not-covered" and "budget" in s.certificate["reason"]
    assert es.verify(s, (B, K, K))


def test_butterfly_split_patterns_are_checked():
    H = np.array([[1, 1], [1, -1]])
    Z = np.kron(np.kron(H, H), H)
    r = es.identify_butterfly(Z)
    d = r.to_dict()
    assert es.verify(d, Z)
    for s, spl in enumerate(d["certificate"]["splits"]):
        for key in ("left", "right", "level"):
            t = json.loads(json.dumps(d))
            t["certificate"]["splits"][s][key] = [1, 1, 1, 1] if key != "level" else s + 1
            assert not es.verify(t, Z), (s, key)
    W = Z.copy()
    W[0, 0] = 5
    nb = es.identify_butterfly(W).to_dict()
    assert nb["verdict"] == "not-butterfly" and es.verify(nb, W)
    for key in ("left", "right"):
        t = json.loads(json.dumps(nb))
        t["certificate"][key] = [1, 1, 1, 1]
        assert not es.verify(t, W)


def test_header_and_flag_tampering_is_rejected():
    """backend / exact / certified are claims too (found by the tampering fuzz)."""
    H = np.array([[1, 1], [1, -1]])
    r = es.identify_butterfly(np.kron(H, H))
    assert not es.verify(dataclasses.replace(r, backend="x"), np.kron(H, H))
    A, I, J = [[2, 0], [0, 1], [3, 0]], [[1], [1], [0]], [[1], [1]]
    s = solve_fsmf(A, I, J)
    assert es.verify(s, (A, I, J))
    for field, value in (("backend", "numpy"), ("exact", None), ("exact", False),
                         ("certified", 1), ("attained", "yes")):
        assert not es.verify(dataclasses.replace(s, **{field: value}), (A, I, J)), field
    c = check_tractable(I, J)
    assert not es.verify(dataclasses.replace(c, backend="flint"), (I, J))
    cert = dict(c.certificate)
    for key, value in (("degenerate", (0,)), ("complete", (0, 0)),
                       ("rectangles", {**cert["rectangles"], "00": ((0,), (0,))})):
        assert not es.verify(dataclasses.replace(c, certificate={**cert, key: value}), (I, J)), key

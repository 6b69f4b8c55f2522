"""Seeded fuzz of every public function of :mod:`exactsparse.identifiability` and
:mod:`exactsparse.butterfly` (issue 15).

Each case calls one public function on inputs drawn from a seeded generator that mixes valid
small instances with malformed and adversarial ones (wrong types, shapes, NaN/inf, huge
ints, negative or huge sizes, ragged lists, empty arrays, strings, bools).  Asserted for every
call:

- it returns, or raises a typed :class:`~exactsparse.exceptions.ExactSparseError`
  (anything else — numpy's ValueError, TypeError, OverflowError, MemoryError, a
  RuntimeWarning turned into an error by the pytest configuration — is a failure);
- it ends within its time budget (``BUDGET`` plus slack for the routines that take one,
  ``HARD`` seconds for the others; a SIGALRM timer stops a runaway call);
- every :class:`~exactsparse.certificates.Result` it produces is valid under
  :func:`exactsparse.verify` on the instance it was computed from (including an
  ``unknown`` whose budget ran out, from the deliberately tiny budgets drawn here: its
  certificate states the budget and the reason and claims nothing else).

The default run draws ``N_QUICK`` cases (< 20 s); ``-m slow`` draws ``N_SLOW`` (>= 10 000).
"""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg

from exactsparse.butterfly import (ButterflyFactors, ButterflyFitWarning, KSPattern,
                                   bit_reversal_permutation, butterfly_factorize,
                                   butterfly_patterns, butterfly_supports, chain_product,
                                   chain_ranks, check_chainable, identify_butterfly,
                                   is_butterfly, log2_size, monarch_patterns)
from exactsparse.butterfly.rings import CyclotomicRing, cyclotomic_to_complex, dft_cyclotomic
from exactsparse.exceptions import show
from fuzz_harness import alarm_handler, checked_call, random_factor_parts
from exactsparse.identifiability import (canonical, check_identifiable, completion,
                                         equivalent, find_witness, is_completable,
                                         is_identifiable, jacobian, jacobian_rank,
                                         random_point, recover_factors)

N_QUICK = 300
N_SLOW = 10_000
#: Budget given to the routines that take one; a call may overrun it by SLACK seconds
#: (the deadline is checked between steps).
BUDGET = 3.0
SLACK = 3.0
#: Hard limit for routines without a budget.
HARD = 8.0


# ----------------------------------------------------------------------------- generators
HUGE = 10**5000          # beyond Python's int-to-string limit
ODD_SCALARS = [None, True, False, 0, -1, 1.5, float("nan"), float("inf"), -float("inf"),
               HUGE, -HUGE, 2**64, "abc", "", b"x", 1j, {"a": 1}, object(), [], ()]


def _odd_matrix(g):
    """A malformed matrix-like value."""
    return g.choice([
        [], [[]], [[1, 0], [1]], [[1, [0]]], "abc", "10/2", "1x/01", None, 5, HUGE,
        [[float("nan"), 1]], [[float("inf")]], [[0.5, 1]], [[2, 0]], [[-1, 1]],
        np.zeros((0, 3)), np.zeros((3, 0)), np.ones((2, 2, 2)), np.ones(3), {"I": 1},
        [["1", "0"]], [[10**400]], [[HUGE]], np.array([[1, None]], dtype=object),
        np.array([[1 + 2j, 0]]), np.array([["a", "b"]]), [[True, False]], [[1e308, 1e308]],
        np.array([[np.datetime64("2020-01-01")]]), [[Fraction(1, 3), 1]], [["1/2", "3"]],
        np.full((2, 2), np.nan), -7, 1.5, [[1, 0]] * 3, ((1, 0), (0, 1)),
    ])


def _support(g, m, r):
    p = g.choice([0.3, 0.5, 0.8, 1.0])
    return [[int(g.random() < p) for _ in range(r)] for _ in range(m)]


def _support_form(g, S):
    """The same support in one of the accepted spellings."""
    kind = g.randrange(5)
    if kind == 0:
        return S
    if kind == 1 and S and S[0]:
        return "/".join("".join(map(str, row)) for row in S)
    if kind == 2:
        return np.array(S, dtype=bool) if S and S[0] else S
    if kind == 3:
        return np.array(S, dtype=np.int64) if S and S[0] else S
    return [tuple(row) for row in S]


def _pair(g):
    """(I, J): mostly a valid pair with matching r, sometimes a malformed one."""
    m, n, r = g.randint(1, 5), g.randint(1, 5), g.randint(1, 4)
    if g.random() < 0.1:
        ones = g.choice([30, 60, 120])      # the large one-class instances of issue 15
        return [[1, 1]] * ones, [[1, 1]] * g.choice([2, ones])
    I, J = _support(g, m, r), _support(g, n, r)
    roll = g.random()
    if roll < 0.3:
        J = _support(g, n, r + 1)           # mismatched r
    I, J = _support_form(g, I), _support_form(g, J)
    if roll < 0.12:
        I = _odd_matrix(g)
    elif roll < 0.24:
        J = _odd_matrix(g)
    return I, J


def _exact_matrix(g, m, n):
    kind = g.randrange(6)
    if kind == 0:
        return [[g.randint(-5, 5) for _ in range(n)] for _ in range(m)]
    if kind == 1:
        return [[Fraction(g.randint(-9, 9), g.randint(1, 4)) for _ in range(n)]
                for _ in range(m)]
    if kind == 2:
        return [[f"{g.randint(-9, 9)}/{g.randint(1, 4)}" for _ in range(n)] for _ in range(m)]
    if kind == 3:
        return np.array([[g.randint(-5, 5) for _ in range(n)] for _ in range(m)])
    if kind == 4:
        return [[g.random() for _ in range(n)] for _ in range(m)]   # floats: refused
    return _odd_matrix(g)


def _seed(g):
    return g.choice([0, 1, 7, None, 2**40]) if g.random() < 0.85 else g.choice(ODD_SCALARS)


#: The budget drawn for the current case (None: none drawn); a huge one is no limit, and
#: the call then gets :data:`HUGE_LIMIT` seconds.
_drawn = []
HUGE_LIMIT = 40.0


def _budget(g):
    b = BUDGET if g.random() < 0.85 else g.choice(
        [0, -1, float("nan"), float("inf"), 10**400, HUGE, "1", True, None, 1e-9, 1e300])
    _drawn.append(b)
    return b


def _bool(g):
    return g.choice([True, False]) if g.random() < 0.85 else g.choice(ODD_SCALARS)


def _size(g):
    return g.choice([2, 4, 8, 16, 1, 3, 6, 0, -4, 2**30, 2**40, 2**62, 2**63, HUGE, -HUGE,
                     1.5, "8", True, None, np.int64(8), 4**20, 10**12])


def _product_in_support(g, I, J):
    """An exact ``X Yᵀ`` with supports exactly ``(I, J)`` (lists), computed with Fractions."""
    X = [[Fraction(g.randint(1, 6)) if v else Fraction(0) for v in row] for row in I]
    Y = [[Fraction(g.randint(1, 6)) if v else Fraction(0) for v in row] for row in J]
    return [[sum((x * y for x, y in zip(a, b)), Fraction(0)) for b in Y] for a in X]


# --------------------------------------------------------------- identifiability calls
def _ident_case(g):
    name = g.choice(["check_identifiable", "is_identifiable", "completion", "is_completable",
                     "recover_factors", "jacobian", "jacobian_rank", "random_point",
                     "canonical", "equivalent", "find_witness"])
    I, J = _pair(g)
    if name == "check_identifiable":
        kw = {"seed": _seed(g), "budget": _budget(g)}
        if g.random() < 0.2:
            kw["max_jacobian_size"] = g.choice([0, 10, -1, 1.5, HUGE, None])
        if g.random() < 0.2:
            kw["max_exact"] = g.choice([None, 0, 100, -1, "x", HUGE])
        return name, (lambda: check_identifiable(I, J, **kw)), (I, J), True
    if name == "is_identifiable":
        s, b = _seed(g), _budget(g)
        return name, (lambda: is_identifiable(I, J, s, budget=b)), None, True
    if name in ("completion", "is_completable"):
        fn, p = (completion if name == "completion" else is_completable), _bool(g)
        return name, (lambda: fn(I, J, partial=p)), None, False
    if name == "recover_factors":
        b, p = _budget(g), _bool(g)
        if g.random() < 0.6 and isinstance(I, list) and isinstance(J, list) and I and J \
                and all(isinstance(row, list) for row in I + J) and len(I[0]) == len(J[0]):
            try:
                Z = _product_in_support(g, I, J)
            except TypeError:
                Z = _odd_matrix(g)
        else:
            Z = _exact_matrix(g, g.randint(1, 5), g.randint(1, 5))
        return name, (lambda: recover_factors(Z, I, J, partial=p, budget=b)), None, True
    if name == "jacobian":
        m, n, r = g.randint(1, 4), g.randint(1, 4), g.randint(1, 3)
        X, Y = _exact_matrix(g, m, r), _exact_matrix(g, n, r)
        if g.random() < 0.5:
            I, J = _support(g, m, r), _support(g, n, r)
        return name, (lambda: jacobian(X, Y, I, J)), None, False
    if name == "jacobian_rank":
        kw = {"seed": _seed(g)}
        if g.random() < 0.3:
            kw["exact"] = g.choice(["auto", True, False, "x", None])
        if g.random() < 0.3:
            kw["backend"] = g.choice(["flint", "sympy", "numpy", None, 3])
        if g.random() < 0.3:
            kw["p"] = g.choice([2, 3, 4, 2**61 - 1, 2**63 + 29, -5, HUGE, 1.5, "7"])
        if g.random() < 0.2:
            kw["max_exact"] = g.choice([None, 0, 5, -1, HUGE])
        if g.random() < 0.8:
            kw["budget"] = _budget(g)
            return name, (lambda: jacobian_rank(I, J, **kw)), None, True
        I, J = _support(g, 4, 3), _support(g, 4, 3)   # no budget: a small instance
        return name, (lambda: jacobian_rank(I, J, **kw)), None, False
    if name == "random_point":
        s = _seed(g)
        return name, (lambda: random_point(I, J, s)), None, False
    if name == "canonical":
        m, n, r = g.randint(1, 4), g.randint(1, 4), g.randint(1, 3)
        X, Y = _exact_matrix(g, m, r), _exact_matrix(g, n, g.choice([r, r + 1]))
        return name, (lambda: canonical(X, Y)), None, False
    if name == "equivalent":
        m, n, r = g.randint(1, 4), g.randint(1, 4), g.randint(1, 3)
        M = [_exact_matrix(g, k, r) for k in (m, n, m, n)]
        return name, (lambda: equivalent(*M)), None, False
    s, b = _seed(g), _budget(g)
    return name, (lambda: find_witness(I, J, s, budget=b)), None, True


# --------------------------------------------------------------------- butterfly calls
def _random_butterfly(g, N, exact):
    pats = butterfly_patterns(N)
    if exact:
        tw = [np.array([g.randint(-3, 3) or 1 for _ in range(int(np.prod(p.twiddle_shape)))],
                       dtype=np.int64).reshape(p.twiddle_shape) for p in pats]
    else:
        rng = np.random.default_rng(g.randrange(2**32))
        tw = [rng.standard_normal(p.twiddle_shape) for p in pats]
    return ButterflyFactors(pats, tw).todense()


def _float_matrix(g):
    N = g.choice([2, 4, 8, 16])
    kind = g.randrange(9)
    if kind == 0:
        return _random_butterfly(g, N, False)
    if kind == 1:
        return scipy.linalg.hadamard(N).astype(float)
    if kind == 2:
        return np.fft.fft(np.eye(N))
    if kind == 3:
        return np.random.default_rng(g.randrange(100)).standard_normal((N, N))
    if kind == 4:
        A = np.ones((N, N))
        A[g.randrange(N), g.randrange(N)] = g.choice([np.nan, np.inf, -np.inf])
        return A
    if kind == 5:
        return np.random.default_rng(1).standard_normal((g.randint(1, 3), N, N))  # batch
    if kind == 6:
        return g.choice([np.ones((N, N), np.float32), np.ones((N, N), np.float16),
                         np.eye(N, dtype=bool), np.eye(N, dtype=np.complex64),
                         np.full((N, N), 1e308), np.full((N, N), 1e-320),
                         np.zeros((N, N))])
    if kind == 7:
        return np.ones((N, 2 * N)) if g.random() < 0.5 else np.ones((3 * N, 3 * N))
    return _odd_matrix(g)


def _patterns(g):
    roll = g.random()
    if roll < 0.5:
        return None
    if roll < 0.7:
        return butterfly_patterns(g.choice([2, 4, 8, 16]))
    if roll < 0.8:
        return monarch_patterns(g.choice([4, 16]))
    if roll < 0.9:
        return [tuple(g.choice([1, 2, 3, 4]) for _ in range(4)) for _ in range(g.randint(1, 3))]
    return g.choice([[], "abc", [(1, 2, 2)], [(0, 1, 1, 1)], [(HUGE, 1, 1, 1)], 5, None,
                     [KSPattern(1, 2, 2, 1), KSPattern(2, 2, 2, 1)],
                     np.array([[1, 2, 2, 2], [2, 2, 2, 1]]), [(1.5, 1, 1, 1)], [None]])


def _perm(g, N):
    roll = g.random()
    if roll < 0.4:
        return None
    if roll < 0.6:
        return "bitrev"
    if roll < 0.7:
        return "auto"
    if roll < 0.8:
        return list(np.random.default_rng(g.randrange(100)).permutation(N))
    return g.choice(["identity", "xyz", [0] * N, list(range(N + 1)), [0.5] * N, HUGE, 3,
                     np.arange(N)[::-1].copy(), [[0, 1]], [-1] + list(range(1, N))])


def _exact_butterfly_input(g):
    N = g.choice([2, 4, 8])
    kind = g.randrange(6)
    if kind == 0:
        return _random_butterfly(g, N, True).astype(np.int64), None
    if kind == 1:
        return scipy.linalg.hadamard(N), None
    if kind == 2:
        return [[g.randint(-3, 3) for _ in range(N)] for _ in range(N)], None
    if kind == 3:
        M = [[Fraction(g.randint(-3, 3), g.randint(1, 3)) for _ in range(N)] for _ in range(N)]
        return M, None
    if kind == 4:
        n = g.choice([4, 8])
        return dft_cyclotomic(n), n
    return _odd_matrix(g), g.choice([None, None, 4, 3, 2**40, "x", HUGE])


def _bf_case(g):
    name = g.choice(["KSPattern", "check_chainable", "chain_product", "chain_ranks",
                     "butterfly_patterns", "butterfly_supports", "monarch_patterns",
                     "bit_reversal_permutation", "log2_size", "ButterflyFactors",
                     "butterfly_factorize", "butterfly_factorize", "identify_butterfly",
                     "identify_butterfly", "is_butterfly", "dft_cyclotomic",
                     "CyclotomicRing", "cyclotomic_to_complex", "factors_methods"])
    if name == "KSPattern":
        args = [g.choice([1, 2, 4]) if g.random() < 0.7 else _size(g) for _ in range(4)]
        return name, (lambda: KSPattern(*args)), None, False
    if name == "check_chainable":
        pats = [g.choice([(1, 2, 2, 2), (2, 2, 2, 1), (1, 4, 4, 1), _size(g), (2, 1, 1, 2),
                          "ab", (1, 2, 2, 2, 2)]) for _ in range(2)]
        return name, (lambda: check_chainable(*pats)), None, False
    if name in ("chain_product", "chain_ranks"):
        pats = _patterns(g)
        fn = chain_product if name == "chain_product" else chain_ranks
        return name, (lambda: fn(pats)), None, False
    if name in ("butterfly_patterns", "butterfly_supports", "monarch_patterns",
                "bit_reversal_permutation", "log2_size", "dft_cyclotomic", "CyclotomicRing"):
        fn = {"butterfly_patterns": butterfly_patterns, "butterfly_supports": butterfly_supports,
              "monarch_patterns": monarch_patterns, "log2_size": log2_size,
              "bit_reversal_permutation": bit_reversal_permutation,
              "dft_cyclotomic": dft_cyclotomic, "CyclotomicRing": CyclotomicRing}[name]
        n = _size(g)
        if name == "dft_cyclotomic" and g.random() < 0.4:
            n = g.choice([4, 8])
            perm = _perm(g, n)
            return name, (lambda: fn(n, perm)), None, False
        return name, (lambda: fn(n)), None, False
    if name == "cyclotomic_to_complex":
        c, n = g.choice([[0, 0, 1, 0], [[1, 2], [3, 4]], "ab", [], [HUGE], [[1, [2]]]]), \
            _size(g)
        return name, (lambda: cyclotomic_to_complex(c, n)), None, False
    if name in ("ButterflyFactors", "factors_methods"):
        N, pats, tw = random_factor_parts(g, _patterns)
        perm = _perm(g, N) if g.random() < 0.3 else None
        if name == "ButterflyFactors":
            return name, (lambda: ButterflyFactors(pats, tw, perm)), None, False
        x = g.choice([np.ones(N), np.ones((N, 2)), np.ones(N + 1), np.ones(()), "x",
                      np.ones((3, N)), [[1] * N], [[1, [2]]], np.array([["a"] * 2] * N),
                      np.full((N, N), np.nan), np.ones((2, N, N)), [[HUGE] * N] * N])

        meth = g.choice(["matmul", "matvec", "todense", "relative_error", "to_scipy",
                         "getitem"])

        def methods():
            F = ButterflyFactors(pats, tw, perm)
            if meth == "matmul":
                return F.matmul(x)
            if meth == "matvec":
                return F.matvec(x)
            if meth == "todense":
                return F.todense()
            if meth == "relative_error":
                return F.relative_error(x)
            if meth == "to_scipy":
                return F.to_scipy()
            return F[0]
        return name, methods, None, False
    if name == "butterfly_factorize":
        A = _float_matrix(g)
        pats = _patterns(g) if g.random() < 0.3 else None
        N = np.shape(A)[-1] if isinstance(A, np.ndarray) and A.ndim >= 1 else 4
        kw = {"perm": _perm(g, N)}
        if g.random() < 0.4:
            kw["tree"] = g.choice(["left", "right", "balanced", "up", None, 1])
        if g.random() < 0.3:
            kw["scaling"] = g.choice(["unit", "sqrt", "log", None])
        if g.random() < 0.3:
            kw["progress"] = g.choice([None, False, lambda k: None, 3, "bar", np.bool_(False)])
        return name, (lambda: butterfly_factorize(A, pats, **kw)), None, False
    Z, cyc = _exact_butterfly_input(g)
    kw = {"budget": _budget(g)}
    if cyc is not None:
        kw["cyclotomic"] = cyc
        kw["perm"] = "bitrev" if g.random() < 0.7 else None
    elif g.random() < 0.3:
        kw["perm"] = _perm(g, len(Z) if isinstance(Z, (list, np.ndarray)) and len(Z) else 4)
    if name == "is_butterfly":
        return name, (lambda: is_butterfly(Z, **kw)), None, True
    instance = (Z, kw["perm"]) if kw.get("perm") is not None else Z
    return name, (lambda: identify_butterfly(Z, **kw)), instance, True


# ----------------------------------------------------------------------------- runner
def _args(call):
    """The arguments captured by a case's closure, shortened (for failure messages)."""
    cells = zip(call.__code__.co_freevars, call.__closure__ or ())
    return ", ".join(f"{k}={show(c.cell_contents, 120)}"
                     for k, c in cells if k not in ("g", "fn"))


def _run(n_cases, seed):
    g = random.Random(seed)
    stats, failures = Counter(), []
    with alarm_handler():
        for case in range(n_cases):
            _drawn.clear()
            name, call, instance, budgeted = (_ident_case if case % 2 == 0 else _bf_case)(g)
            limit = BUDGET + SLACK if budgeted else HARD
            if budgeted and _drawn and _drawn[0] in (None, 10**400, HUGE, 1e300):
                limit = HUGE_LIMIT                   # no (practical) limit was asked for
            out = checked_call(call, limit, f"case {case}: {name} ({_args(call)})",
                               lambda: instance, stats, failures, ignore=ButterflyFitWarning)
            if out is not None and out.verdict == "unknown" and "budget" in out.certificate:
                stats["out-of-budget unknowns"] += 1
    return stats, failures


def _report(stats, failures):
    print(f"\nfuzz identifiability+butterfly: {dict(stats)}; failures: {len(failures)}")
    assert not failures, "\n".join(failures[:30])
    assert stats["results"] == stats["verified"]


def test_fuzz_quick():
    stats, failures = _run(N_QUICK, seed=15)
    _report(stats, failures)
    assert stats["typed errors"] > 0 and stats["results"] > 0


@pytest.mark.slow
def test_fuzz_slow():
    stats, failures = _run(N_SLOW, seed=1515)
    _report(stats, failures)
    assert stats["calls"] >= 10_000

"""Seeded fuzz of EVERY public callable of every module of :mod:`exactsparse.butterfly`.

The names come from the ``__all__`` list of each module (``supports``, ``factors``,
``numeric``, ``exact``, ``rings``, ``lowrank``, ``splits``, ``trees``, ``permutations``,
``projection``, ``refine``, ``design``, ``_common``);
:func:`test_every_public_callable_has_a_generator` fails naming any public callable without a generator in :data:`GENERATORS`, so a new
function must be added here.  Each case draws small valid instances mixed with malformed and
adversarial ones (wrong types, NaN/inf, huge sizes, bad permutations, bad trees — wrong,
repeated or missing leaves, deep nesting —, budgets ≤ 0 / huge / NaN, tolerances out of
range, 1×1 and non-power-of-two matrices, complex, float32, batches).  Asserted for every call
(:func:`fuzz_harness.checked_call`):

- it returns, or raises a typed :class:`~exactsparse.exceptions.ExactSparseError`;
- it ends within its limit (a SIGALRM timer stops a runaway call);
- every :class:`~exactsparse.certificates.Result` verifies on its instance, and so does every
  certificate a returned value carries (``ButterflyFactors.optimality_certificate()`` of an
  optimal projection, :func:`two_factor_certificate`), checked inside the call.

The default run draws ``N_QUICK`` cases (well under 60 s); ``-m slow`` draws ``N_SLOW``.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import random
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

import exactsparse as es
import exactsparse.butterfly as bfpkg
from exactsparse.butterfly import (ButterflyFactors, ButterflyFitWarning, KSPattern,
                                   butterfly_patterns, monarch_patterns)
from exactsparse.exceptions import show
from fuzz_harness import alarm_handler, checked_call, random_factor_parts

N_QUICK = 500
N_SLOW = 10_000
HARD = 8.0            # limit of a call without a time budget
BUDGET = 2.0          # time budget given to the routines that take one
SLACK = 4.0

HUGE = 10**5000
ODD = [None, True, False, 0, -1, 1.5, float("nan"), float("inf"), -float("inf"), HUGE,
       -HUGE, 2**64, "abc", "", b"x", 1j, {"a": 1}, object(), [], (), np.int64(-3),
       np.float32(2.0), np.bool_(True)]


def _mod(name):
    return importlib.import_module(f"exactsparse.butterfly.{name}")


def public_callables():
    """``{name: object}`` of the callables in the ``__all__`` of every butterfly module."""
    out = {}
    mods = [bfpkg] + [_mod(m.name) for m in pkgutil.iter_modules(bfpkg.__path__)]
    for mod in mods:
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if callable(obj):
                out[name] = obj
    return out


def _fn(name):
    return public_callables()[name]


# ----------------------------------------------------------------------------- values
def _pick(g, valid, bad, p_bad=0.25):
    return g.choice(bad) if g.random() < p_bad else valid()


def _size(g):
    return g.choice([1, 2, 3, 4, 6, 8, 16, 0, -4, 2**31, 2**40, 2**62, 2**63, HUGE, -HUGE,
                     1.5, "8", True, None, np.int64(8), 4**20, 10**12, float("nan")])


def _odd_matrix(g):
    return g.choice([
        [], [[]], [[1, 0], [1]], "abc", None, 5, HUGE, [[float("nan"), 1], [1, 1]],
        [[float("inf")]], np.zeros((0, 4)), np.ones(4), np.ones((2, 2, 2)),
        np.array([[1, None], [0, 1]], dtype=object), np.array([["a", "b"], ["c", "d"]]),
        [[HUGE, 1], [1, 1]], np.full((4, 4), 1e308), np.full((4, 4), np.nan),
        np.array([[np.datetime64("2020-01-01")]]), [[Fraction(1, 3), 1], [1, 1]],
        np.ones((4, 4), np.float16), np.eye(4, dtype=bool), {"A": 1}, np.ones((1, 1)),
        np.ones((3, 3)), np.ones((4, 8)), np.full((4, 4), 1e-320), np.ones((2, 0, 4)),
    ])


def _butterfly(g, N, batch=()):
    pats = butterfly_patterns(N)
    rng = np.random.default_rng(g.randrange(2**32))
    return ButterflyFactors(pats, [rng.standard_normal((*batch, *p.twiddle_shape))
                                   for p in pats]).todense()


def _matrix(g, N=None):
    """A float matrix of side ``N`` (drawn when None): mostly numeric, sometimes odd."""
    N = N or g.choice([1, 2, 4, 8, 16])
    kind = g.randrange(11)
    rng = np.random.default_rng(g.randrange(1000))
    if kind <= 2 and N >= 2:
        A = _butterfly(g, N)
        if g.random() < 0.4:        # shuffled rows and columns (perm="auto" territory)
            A = A[rng.permutation(N)][:, rng.permutation(N)]
        return A
    if kind == 3:
        return rng.standard_normal((N, N))
    if kind == 4:
        return np.fft.fft(np.eye(N))
    if kind == 5:
        A = rng.standard_normal((N, N))
        A[g.randrange(N), g.randrange(N)] = g.choice([np.nan, np.inf, -np.inf])
        return A
    if kind == 6:
        return rng.standard_normal((g.randint(1, 3), N, N))             # a batch
    if kind == 7:
        return g.choice([np.ones((N, N), np.float32), np.eye(N, dtype=np.complex64),
                         np.zeros((N, N)), (rng.standard_normal((N, N)) * 1j + 1),
                         rng.standard_normal((N, N)).tolist()])
    if kind == 8:
        return rng.standard_normal((g.choice([1, 3, 5, 6, 12]), g.choice([1, 3, 5, 6, 12])))
    if kind == 9 and N >= 2:
        return _butterfly(g, N, batch=(2,))
    return _odd_matrix(g)


def _perm(g, N):
    roll = g.random()
    if roll < 0.35:
        return None
    if roll < 0.5:
        return "auto"
    if roll < 0.6:
        return "bitrev"
    if roll < 0.75:
        return list(np.random.default_rng(g.randrange(100)).permutation(max(N, 1)))
    return g.choice(["identity", "xyz", [0] * N, list(range(N + 1)), [0.5] * N, HUGE, 3,
                     np.arange(N)[::-1].copy(), [[0, 1]], [-1] + list(range(1, N)),
                     np.arange(N, dtype=np.uint64), np.arange(N).astype(float), "",
                     [True] * N, np.arange(2 * N)[::2], list(range(N))[1:] + [N + 5]])


def _deep(depth, leaf_last=True):
    t = 0
    for k in range(1, depth + 1):
        t = (t, k) if leaf_last else [t, k]
    return t


def _tree(g, K):
    roll = g.random()
    if roll < 0.3:
        return g.choice(["left", "right", "balanced", "balanced-floor", "comb", "inverse-comb"])
    if roll < 0.45:
        order = list(range(1, K))
        g.shuffle(order)
        return order if g.random() < 0.5 else tuple(order)
    if roll < 0.55:
        return _fn("preset_tree")(g.choice(["left", "right", "balanced"]), max(K, 1))
    return g.choice([
        "up", "", "LEFT", None, 1, 0, -1, True, 1.5, float("nan"), HUGE, [], (), [0], (0,),
        (0, 0), (0, (0, 1)), (1, 0), ((0, 1), (1, 2)), (0, 1, 2), ((0, 1), 3), [[0, 1], [2]],
        ("0", "1"), (0.0, 1.0), (True, False), (np.int64(0), np.int64(1)), {0: 1},
        np.array([0, 1]), list(range(1, K)) * 2, [0] * max(K - 1, 1), [K] * max(K - 1, 1),
        list(range(K, 0, -1)), _deep(max(K - 1, 0)), _deep(5000), _deep(2000, False),
        _deep(g.choice([900, 1500, 4096, 4097])), [[[[[[[[[[0]]]]]]]]]], (0, (1, (2, (3, 3)))),
        (0, [1, (2, 3)]), iter([1, 2]), (-1, 0), (0, HUGE), (0, 2**63),
    ])


def _patterns(g):
    roll = g.random()
    if roll < 0.35:
        return butterfly_patterns(g.choice([2, 4, 8, 16]))
    if roll < 0.55:
        return monarch_patterns(g.choice([4, 16]))
    if roll < 0.7:
        return [(1, 2, 2, 2), (2, 2, 2, 1)] if g.random() < 0.5 else \
            [(1, 3, 2, 2), (2, 2, 5, 1)]
    if roll < 0.8:
        return [tuple(g.choice([1, 2, 3, 4]) for _ in range(4)) for _ in range(g.randint(1, 3))]
    return g.choice([[], "abc", [(1, 2, 2)], [(0, 1, 1, 1)], [(HUGE, 1, 1, 1)], 5, None,
                     [KSPattern(1, 2, 2, 1), KSPattern(2, 2, 2, 1)], [(1.5, 1, 1, 1)], [None],
                     [(1, 2**31, 2**31, 1), (1, 2**31, 2**31, 1)], [(1, 1, 1, 1)],
                     [(1, 2**40, 1, 1), (1, 1, 2**40, 1)], np.array([[1, 2, 2, 2],
                                                                      [2, 2, 2, 1]])])


def _pattern(g):
    if g.random() < 0.75:
        return KSPattern(*[g.choice([1, 2, 4]) for _ in range(4)])
    return g.choice([(1, 2, 2, 1), "x", None, (0, 1, 1, 1), (1, 2, 2), 3, (HUGE, 1, 1, 1)])


_drawn = []


def _budget(g, valid=BUDGET):
    b = valid if g.random() < 0.8 else g.choice(
        [0, -1, float("nan"), float("inf"), -float("inf"), 10**400, HUGE, "1", True, None,
         1e-9, 1e300, np.float64(0.5), 1j])
    _drawn.append(b)
    return b


def _unlimited(b):
    """True for a budget drawn as "no (practical) limit"."""
    return b is None or (isinstance(b, (int, float)) and not isinstance(b, bool)
                         and b >= 1e300)


def _int(g, valid):
    return valid if g.random() < 0.8 else g.choice(
        [0, -1, 1.5, float("nan"), HUGE, 2**63, "3", True, None, 10**9, np.int64(2)])


def _tol(g, valid):
    return valid if g.random() < 0.75 else g.choice(
        [0, 1, -1e-3, 2.0, float("nan"), float("inf"), "0.1", None, True, 1e-300, 0.999])


def _seed(g):
    return g.choice([0, 1, 7, None, 2**40]) if g.random() < 0.85 else g.choice(ODD)


def _numeric_array(g, shape):
    """A numeric array of ``shape`` or an odd value."""
    if g.random() < 0.2:
        return g.choice([None, "x", np.ones(3), np.ones((0,) * len(shape)),
                         np.full(shape, np.nan), np.ones(shape, dtype=bool),
                         np.array([["a"]]), [[1, 2], [3]], np.ones(shape, np.float16),
                         np.ones(shape, np.int64)])
    rng = np.random.default_rng(g.randrange(1000))
    A = rng.standard_normal(shape)
    return A.astype(g.choice([np.float64, np.float32, np.complex128]))


# ----------------------------------------------------------------------------- checks
def _certified_factors(F):
    """Verify the optimality certificate a ButterflyFactors carries (when optimal)."""
    if isinstance(F, ButterflyFactors) and F.optimal:
        res, inst = F.optimality_certificate()
        v = es.verify(res, inst)
        if not v.valid:
            raise AssertionError(f"optimality certificate fails verify: {v.message}")
        _STATS["certificates verified"] += 1
    return F


_STATS = Counter()


# ----------------------------------------------------------------------------- generators
# Each generator takes ``g`` (a random.Random) and returns ``(call, instance, limit)``.
def gen_recover_permutations(g):
    A, kw = _matrix(g, g.choice([None, None, 32, 64])), {}
    N = A.shape[-1] if isinstance(A, np.ndarray) and A.ndim else 4
    if g.random() < 0.3:
        kw["row_perm"] = _perm(g, N)
    if g.random() < 0.3:
        kw["perm"] = _perm(g, N)
    if g.random() < 0.3:
        kw["seed"] = _seed(g)
    return (lambda: _fn("recover_permutations")(A, **kw)), None, HARD


def gen_sampled_rank_one_score(g):
    A = _matrix(g)
    N = A.shape[-1] if isinstance(A, np.ndarray) and A.ndim else 4
    args = (A, _perm(g, N) if g.random() < 0.3 else None,
            _perm(g, N) if g.random() < 0.3 else None, _int(g, 16), _seed(g))
    return (lambda: _fn("sampled_rank_one_score")(*args)), None, HARD


def gen_PermutationRecovery(g):
    args = [g.choice(ODD + [np.arange(4)]) for _ in range(3)]

    def call():
        r = _fn("PermutationRecovery")(*args)
        return r.row_perm, r.perm, r.consistent
    return call, None, HARD


def gen_candidate_perms(g):
    n = _size(g)
    return (lambda: _fn("candidate_perms")(n)), None, HARD


def gen_parse_tree(g):
    K = g.choice([1, 2, 3, 4, 5, 8]) if g.random() < 0.85 else _size(g)
    t = _tree(g, K if type(K) is int and 0 < K < 50 else 4)
    return (lambda: _fn("parse_tree")(t, K)), None, HARD


def gen_preset_tree(g):
    name = g.choice(["left", "right", "balanced", "balanced-floor", "comb", "inverse-comb",
                     "x", None, 3, ("left",)])
    K = g.choice([1, 2, 3, 5, 4096]) if g.random() < 0.8 else _size(g)
    return (lambda: _fn("preset_tree")(name, K)), None, HARD


def gen_tree_from_split_order(g):
    K = g.choice([1, 2, 3, 4, 6]) if g.random() < 0.8 else _size(g)
    t = _tree(g, K if type(K) is int and 0 < K < 50 else 4)
    return (lambda: _fn("tree_from_split_order")(t, K)), None, HARD


def _tree_fn(name):
    def gen(g):
        t = _tree(g, g.choice([1, 2, 3, 4, 7]))

        def call():
            out = _fn(name)(t)
            return out
        return call, None, HARD
    gen.__name__ = f"gen_{name}"
    return gen


def gen_KSPattern(g):
    args = [g.choice([1, 2, 4]) if g.random() < 0.7 else _size(g) for _ in range(4)]

    def call():
        p = KSPattern(*args)
        meth = g.choice(["shape", "nnz", "twiddle_shape", "indices", "to_scipy", "to_support"])
        out = getattr(p, meth)
        return out() if callable(out) else out
    return call, None, HARD


def gen_check_chainable(g):
    a, b = _pattern(g), _pattern(g)
    return (lambda: _fn("check_chainable")(a, b)), None, HARD


def _patterns_fn(name):
    def gen(g):
        pats = _patterns(g)
        return (lambda: _fn(name)(pats)), None, HARD
    gen.__name__ = f"gen_{name}"
    return gen


def _size_fn(name):
    def gen(g):
        n = _size(g)
        return (lambda: _fn(name)(n)), None, HARD
    gen.__name__ = f"gen_{name}"
    return gen


def gen_check_entries(g):
    count, what = _size(g), g.choice(["x", None, 3])
    return (lambda: _fn("check_entries")(count, what)), None, HARD


def gen_ButterflyFactors(g):
    N, pats, tw = random_factor_parts(g, _patterns)
    perm = _perm(g, N) if g.random() < 0.3 else None
    row_perm = _perm(g, N) if g.random() < 0.2 else None
    optimal = g.choice([False, True, "x", None])
    x = g.choice([np.ones(N), np.ones((N, 2)), np.ones(N + 1), np.ones(()), "x",
                  np.ones((3, N)), [[1] * N], np.full((N, N), np.nan), np.ones((2, N, N)),
                  np.ones((N, N), np.complex64)])
    meth = g.choice(["matmul", "matvec", "todense", "relative_error", "to_scipy", "getitem",
                     "optimality_certificate", "repr", "dtype", None])

    def call():
        F = ButterflyFactors(pats, tw, perm, row_perm, optimal=optimal)
        if meth is None:
            return F
        if meth == "repr":
            return repr(F)
        if meth == "dtype":
            return F.dtype
        if meth == "getitem":
            return F[0]
        if meth == "optimality_certificate":
            return _certified_factors(F)
        fn = getattr(F, meth)
        return fn(x) if meth in ("matmul", "matvec", "relative_error") else fn()
    return call, None, HARD


def gen_butterfly_factorize(g):
    A = _matrix(g, g.choice([None, None, None, 32, 64]))
    N = A.shape[-1] if isinstance(A, np.ndarray) and A.ndim else 4
    pats = _patterns(g) if g.random() < 0.25 else None
    kw = {"perm": _perm(g, N)}
    if g.random() < 0.3:
        kw["row_perm"] = _perm(g, N)
    if g.random() < 0.5:
        K = len(pats) if isinstance(pats, list) else max(int(np.log2(max(N, 1))), 1)
        kw["tree"] = _tree(g, K)
    if g.random() < 0.2:
        kw["scaling"] = g.choice(["unit", "sqrt", "log", None])
    if g.random() < 0.1:
        kw["progress"] = g.choice([None, False, lambda k: None, 3, np.bool_(False)])
    return (lambda: _certified_factors(_fn("butterfly_factorize")(A, pats, **kw))), None, HARD


def _exact_input(g):
    N = g.choice([2, 4, 8])
    kind = g.randrange(6)
    rng = np.random.default_rng(g.randrange(1000))
    if kind <= 1:
        pats = butterfly_patterns(N)
        tw = [np.array([g.randint(-3, 3) or 1 for _ in range(int(np.prod(p.twiddle_shape)))],
                       dtype=np.int64).reshape(p.twiddle_shape) for p in pats]
        Z = np.rint(ButterflyFactors(pats, tw).todense()).astype(np.int64)
        if kind == 1:                                  # shuffled: for "auto"
            Z = Z[rng.permutation(N)][:, rng.permutation(N)]
        return Z, None
    if kind == 2:
        from scipy.linalg import hadamard
        return hadamard(N), None
    if kind == 3:
        return [[Fraction(g.randint(-3, 3), g.randint(1, 3)) for _ in range(N)]
                for _ in range(N)], None
    if kind == 4:
        n = g.choice([4, 8])
        return _fn("dft_cyclotomic")(n), n
    return _odd_matrix(g), g.choice([None, None, 4, 3, 2**40, "x", HUGE])


def _ident_gen(name):
    def gen(g):
        Z, cyc = _exact_input(g)
        N = len(Z) if isinstance(Z, (list, np.ndarray)) and len(Z) else 4
        kw = {"budget": _budget(g)}
        if cyc is not None:
            kw["cyclotomic"] = cyc
        roll = g.random()
        if roll < 0.4:
            kw["perm"] = "auto"
            if g.random() < 0.5:
                kw["row_perm"] = "auto"
        elif roll < 0.6:
            kw["perm"] = _perm(g, N)
        elif roll < 0.7:
            kw["row_perm"] = _perm(g, N)
        if g.random() < 0.1:
            kw["patterns"] = _patterns(g)
        instance = {"Z": Z, **{k: kw[k] for k in ("patterns", "perm", "row_perm") if k in kw}}
        fn = _fn(name)
        return (lambda: fn(Z, **kw)), instance, None
    gen.__name__ = f"gen_{name}"
    return gen


def gen_ButterflyIdentification(g):
    text = g.choice(['{"kind": "butterfly.identify"}', "{}", "[]", "x", "", "null",
                     '{"kind": "butterfly.identify", "verdict": "butterfly", "certificate": 3}',
                     '{"kind": "butterfly.identify", "verdict": "unknown", '
                     '"certificate": {"reason": "x", "budget": 1}, "theorem": "bad"}'])
    cls = _fn("ButterflyIdentification")
    if g.random() < 0.5:
        real = _fn("identify_butterfly")(np.eye(4, dtype=np.int64))
        text = real.to_json()
        if g.random() < 0.5:
            text = text.replace("butterfly", "butterflx", 1)
    # a parsed result is returned inside a tuple: from_json checks the form, not the
    # certificate (a mutated one may parse and fail verify, which is not a bug)
    return (lambda: (cls.from_json(text),)), None, HARD


def gen_dft_cyclotomic(g):
    n = g.choice([4, 8]) if g.random() < 0.5 else _size(g)
    perm = _perm(g, n if isinstance(n, int) and 0 < n < 64 else 4)
    return (lambda: _fn("dft_cyclotomic")(n, perm)), None, HARD


def gen_cyclotomic_to_complex(g):
    c = g.choice([[0, 0, 1, 0], [[1, 2], [3, 4]], "ab", [], [HUGE], [[1, [2]]],
                  np.ones((2, 2, 2), np.int64), np.ones((2, 2, 3)), None])
    n = _size(g)
    return (lambda: _fn("cyclotomic_to_complex")(c, n)), None, HARD


def gen_CyclotomicRing(g):
    n = _size(g)
    return (lambda: _fn("CyclotomicRing")(n)), None, HARD


def gen_IntegerRing(g):
    # mul/fractions take the validated arrays of identify_butterfly: not fuzzed with garbage
    meth = g.choice(["one", "json", "mul"])
    a = g.choice([np.ones((2, 2), np.int64), np.full((2, 2), 3, np.int64),
                  np.full((2, 2), 2**62, np.int64)])

    def call():
        ring = _fn("IntegerRing")()
        if meth == "one":
            return ring.one
        if meth == "json":
            return ring.to_json_field()
        if meth == "mul":
            return ring.mul(a, a)
        return ring.fractions(a, a)
    return call, None, HARD


def gen_ButterflyFitWarning(g):
    arg = g.choice(ODD)
    return (lambda: _fn("ButterflyFitWarning")(arg)), None, HARD


# ----- low-level kernels (public for the solver modules; must refuse bad input too)
def gen_pair_rank1(g):
    B = _numeric_array(g, g.choice([(3, 2, 4), (2, 5), (4, 3, 4), (2, 1)]))
    return (lambda: _fn("pair_rank1")(B)), None, HARD


def gen_pair_gram(g):
    X0 = _numeric_array(g, g.choice([(3, 4), (4,), (2, 1), ()]))
    X1 = _numeric_array(g, g.choice([(3, 4), (4,), (5,)]))
    return (lambda: _fn("pair_gram")(X0, X1)), None, HARD


def gen_eig2(g):
    shape = g.choice([(3,), (2, 2), ()])
    p = _numeric_array(g, shape)
    if isinstance(p, np.ndarray) and p.dtype.kind in "fc" and g.random() < 0.9:
        p = np.abs(p)
    s = np.ones(shape)
    w = _numeric_array(g, g.choice([shape, (5,)]))
    dtype = g.choice([np.float64, np.complex128, np.float32, "x", None, np.int64, object])
    return (lambda: _fn("eig2")(p, s, w, dtype)), None, HARD


def gen_balance(g):
    sigma = _numeric_array(g, g.choice([(3,), (2, 2)]))
    if isinstance(sigma, np.ndarray) and sigma.dtype.kind in "fc" and g.random() < 0.8:
        sigma = np.abs(sigma.real)
    scaling, carries = g.choice(["unit", "sqrt", "x", None]), g.choice([True, False, "x"])
    return (lambda: _fn("balance")(sigma, scaling, carries)), None, HARD


def gen_lowrank(g):
    B = _numeric_array(g, g.choice([(2, 3, 4), (1, 40, 40), (3, 1, 1), (2, 3), (2, 0, 3)]))
    r = _int(g, g.choice([1, 2, 3]))
    return (lambda: _fn("lowrank")(B, r)), None, HARD


def gen_check_rank(g):
    r = _int(g, g.choice([1, 2, 2**40]))
    shape = g.choice([(2, 3, 4), (0, 2, 2), (2**20, 2**10, 2**10), "x", (1, 2)])
    return (lambda: _fn("check_rank")(r, shape)), None, HARD


def gen_empty_away(g):
    shape = g.choice([(4, 4), (1 << 12,), (), 5, (-1, 2), "x", (2**40, 2**10), (3, 1.5),
                      None, (True, 2), (1 << 14, 2)])
    dtype = g.choice([np.float64, np.complex64, "x", None, object, np.int64, np.float32])
    away = g.choice([(), (np.empty(10),), None, (1,), [np.empty(3)], "x", (None,),
                     (np.empty((64, 64)), np.empty(1 << 12))])
    return (lambda: _fn("empty_away")(shape, dtype, away)), None, HARD


def gen_take_raw(g):
    nbytes = _int(g, g.choice([0, 10, 1 << 21, 3 << 20]))
    return (lambda: _fn("take_raw")(nbytes)), None, HARD


def gen_release_workspace(g):
    return (lambda: _fn("release_workspace")()), None, HARD


def gen_workspace_bytes(g):
    return (lambda: _fn("workspace_bytes")()), None, HARD


def gen_block_rank_approx(g):
    B = _numeric_array(g, g.choice([(2, 3, 4), (2, 5, 3), (3, 1, 1), (2, 3), (0, 2, 2)]))
    r = _int(g, g.choice([1, 2, 3, 7]))
    return (lambda: _fn("block_rank_approx")(B, r)), None, HARD


def gen_rank1_power(g):
    W = _numeric_array(g, g.choice([(1, 2, 2, 2, 2, 3), (2, 1, 3, 1, 1, 4), (2, 2, 2),
                                    (0, 1, 2, 1, 1, 2), (1, 1, 0, 1, 1, 2)]))
    rtol, maxiter = _tol(g, 1e-4), _int(g, 30)
    return (lambda: _fn("rank1_power")(W, rtol, maxiter)), None, HARD


def _pair_of_patterns(g):
    pats = g.choice([butterfly_patterns(4), monarch_patterns(16), butterfly_patterns(8)[:2],
                     [KSPattern(1, 2, 2, 2), KSPattern(2, 2, 2, 1)],
                     [KSPattern(1, 4, 4, 1), KSPattern(1, 4, 4, 1)]])
    if g.random() < 0.15:
        return g.choice([(None, None), ("x", KSPattern(1, 2, 2, 1)),
                         (KSPattern(1, 2, 2, 1), KSPattern(1, 2, 2, 1))])
    return pats[0], pats[1]


def gen_two_factor_twiddles(g):
    left, right = _pair_of_patterns(g)
    try:
        shape = (left.shape[0], right.shape[1])
    except AttributeError:
        shape = (4, 4)
    if g.random() < 0.15:
        shape = (shape[0] + 1, shape[1])
    A = _numeric_array(g, g.choice([shape, (2, *shape)]))
    try:
        r0 = left.a * left.c // right.a
    except (AttributeError, ZeroDivisionError):
        r0 = 1
    r = _int(g, r0)
    scaling = g.choice(["unit", "sqrt", "x"])
    return (lambda: _fn("two_factor_twiddles")(A, left, right, r, scaling)), None, HARD


def gen_split(g):
    left, right = _pair_of_patterns(g)
    try:
        prod = _fn("chain_product")([left, right])
        r0 = left.a * left.c // right.a
        tshape = (prod.a * g.choice([1, 2]), *prod.twiddle_shape[1:])
    except Exception:  # noqa: BLE001 - a bad pair: any twiddle
        r0, tshape = 1, (1, 2, 2, 2)
    T = _numeric_array(g, tshape if g.random() < 0.9 else (1, 3, 3, 3))
    r = _int(g, r0)
    scale_to, scaling = g.choice(["left", "right", "x", None, 0]), g.choice(["unit", "sqrt",
                                                                              "x"])
    spare = g.choice([None, None, np.empty(4096), np.empty(3), "x", np.empty(4096, np.float32)])
    perm = g.choice([None, None, np.arange(2), "x", np.arange(100)])
    spare_for = g.choice(["right", "left", "x"])
    return (lambda: _fn("split")(T, left, right, r, scale_to, scaling, spare, perm, spare_for)), \
        None, HARD


def gen_project_two_factor(g):
    pats = g.choice([monarch_patterns(16), butterfly_patterns(4), monarch_patterns(4),
                     [(1, 2, 3, 2), (2, 3, 2, 1)]]) if g.random() < 0.8 else _patterns(g)
    try:
        m, n = (_fn("chain_product")(pats).shape)
    except Exception:  # noqa: BLE001 - bad patterns: any matrix
        m, n = 4, 4
    if m * n > 4096:                    # huge patterns: a small matrix (a shape error)
        m, n = 4, 4
    A = _numeric_array(g, g.choice([(m, n), (2, m, n), (m, n), (n + 1, m)])) \
        if g.random() < 0.85 else _matrix(g)
    kw = {}
    if g.random() < 0.3:
        kw["scaling"] = g.choice(["unit", "sqrt", "x", None])
    if g.random() < 0.3:
        kw["perm"] = _perm(g, n)
    return (lambda: _certified_factors(_fn("project_two_factor")(A, pats, **kw))), None, HARD


def gen_two_factor_certificate(g):
    pats = g.choice([monarch_patterns(16), butterfly_patterns(4), butterfly_patterns(8)]) \
        if g.random() < 0.6 else _patterns(g)

    def call():
        res, inst = _fn("two_factor_certificate")(pats)
        v = es.verify(res, inst)
        if not v.valid:
            raise AssertionError(f"two_factor_certificate fails verify: {v.message}")
        _STATS["certificates verified"] += 1
        return res, inst
    return call, None, HARD


def gen_refine(g):
    N = g.choice([2, 4, 8, 16])
    A = _matrix(g, N) if g.random() < 0.85 else _odd_matrix(g)
    if g.random() < 0.8:
        rng = np.random.default_rng(g.randrange(100))
        pats = butterfly_patterns(N) if g.random() < 0.7 else monarch_patterns(16)
        n = 16 if pats[0].shape[0] == 16 else N
        F = ButterflyFactors(pats, [rng.standard_normal(p.twiddle_shape) for p in pats],
                             rng.permutation(n) if g.random() < 0.2 else None,
                             rng.permutation(n) if g.random() < 0.2 else None)
        if g.random() < 0.3:
            F = ButterflyFactors(pats, [rng.standard_normal((2, *p.twiddle_shape))
                                        for p in pats])
    else:
        F = g.choice(ODD)
    kw = {"budget": _budget(g, 1.0)}
    if g.random() < 0.4:
        kw["rtol"] = _tol(g, 1e-3)
    if g.random() < 0.3:
        kw["max_iter"] = _int(g, 5)
    if g.random() < 0.3:
        kw["method"] = g.choice(["bcd", "lbfgs", "x", None])
    if kw.get("max_iter") is None and _unlimited(kw["budget"]):
        kw["max_iter"] = 20

    def call():
        out = _fn("refine")(F, A, **kw)
        return (out, out.error, out.initial_error, out.to_dict())
    return call, None, None


def gen_Refinement(g):
    args = [g.choice(ODD) for _ in range(4)]
    if g.random() < 0.5:
        args[1] = ((0.0, 1.0), (0.1, 0.5))

    def call():      # a value type: garbage in is stored as is; methods on valid values
        r = _fn("Refinement")(*args)
        if isinstance(args[1], tuple) and len(args[1]) == 2:
            return r.error, r.initial_error
        return r
    return call, None, HARD


def gen_enumerate_chains(g):
    m = g.choice([1, 2, 4, 6, 8, 12, 64, 2**20]) if g.random() < 0.8 else _size(g)
    n = g.choice([1, 2, 4, 6, 8, 16]) if g.random() < 0.8 else _size(g)
    kw = {}
    for key in ("max_factors", "max_params", "max_rank"):
        if g.random() < 0.3:
            kw[key] = _int(g, g.choice([2, 3, 64, 1000]))
    take = g.choice([1, 10, 200])
    return (lambda: list(itertools.islice(_fn("enumerate_chains")(m, n, **kw), take))), \
        None, HARD


def gen_smallest_chain(g):
    m = g.choice([1, 2, 4, 6, 8, 12, 97]) if g.random() < 0.8 else _size(g)
    n = g.choice([1, 2, 4, 6, 8, 16]) if g.random() < 0.8 else _size(g)
    kw = {}
    for key in ("max_factors", "max_rank"):
        if g.random() < 0.3:
            kw[key] = _int(g, g.choice([1, 2, 3, 64]))
    return (lambda: _fn("smallest_chain")(m, n, **kw)), None, HARD


def gen_split_lower_bound(g):
    A = _matrix(g)
    m, n = (A.shape[-2:] if isinstance(A, np.ndarray) and A.ndim >= 2 else (4, 4))
    d = _int(g, g.choice([1, 2, max(m, 1)]))
    a = _int(g, g.choice([1, 2, max(n, 1)]))
    r = _int(g, g.choice([1, 2, 100]))
    return (lambda: _fn("split_lower_bound")(A, d, a, r)), None, HARD


def gen_design_chain(g):
    A = _matrix(g, g.choice([2, 4, 8]))
    size = np.size(A) if isinstance(A, np.ndarray) else 16
    budget = _int(g, g.choice([size, size // 2, 4, 10**9]))
    kw = {"time_budget": _budget(g, 1.0)}
    if g.random() < 0.3:
        kw["max_factors"] = _int(g, 3)
    if g.random() < 0.2:
        kw["max_rank"] = _int(g, 2)
    if g.random() < 0.3:
        kw["tree"] = g.choice(["left", "right", "balanced", "x", None, (0, 1), [1]])
    return (lambda: _fn("design_chain")(A, budget, **kw).to_dict()), None, None


def gen_KSChain(g):
    pats = _patterns(g)

    def call():
        if g.random() < 0.3:           # a value type: garbage in is stored as is
            return _fn("KSChain")(pats, (1,), 3, "x")
        c = _fn("KSChain").of(pats)
        return c.to_dict(), str(c), c.splits(), c.shape, c.n_factors
    return call, None, HARD


def gen_ChainFit(g):
    chain = _fn("KSChain").of(butterfly_patterns(4)) if g.random() < 0.7 else g.choice(ODD)
    args = (chain, g.choice([0.1, None, "x"]), g.choice([0.2, None]), 0.5,
            g.choice(["fitted", "x"]))
    valid = isinstance(chain, _fn("KSChain"))
    return (lambda: _fn("ChainFit")(*args).to_dict() if valid else _fn("ChainFit")(*args)), \
        None, HARD


def gen_ChainDesign(g):
    chain = _fn("KSChain").of(butterfly_patterns(4))
    fit = _fn("ChainFit")(chain, 0.0, 0.1, 0.5, "fitted")
    args = [(4, 4), 16, chain, 0.1, (fit,), (fit,), (fit,), True, True, 1, True, 0.5, "left"]
    valid = g.random() < 0.5
    if not valid:                      # a value type: stored as is, methods not called
        args[g.randrange(len(args))] = g.choice(ODD)
    return (lambda: _fn("ChainDesign")(*args).to_dict() if valid else
            _fn("ChainDesign")(*args)), None, HARD


GENERATORS = {
    # permutations
    "recover_permutations": gen_recover_permutations,
    "sampled_rank_one_score": gen_sampled_rank_one_score,
    "PermutationRecovery": gen_PermutationRecovery,
    "candidate_perms": gen_candidate_perms,
    # trees
    "parse_tree": gen_parse_tree, "preset_tree": gen_preset_tree,
    "tree_from_split_order": gen_tree_from_split_order,
    "split_order": _tree_fn("split_order"), "tree_leaves": _tree_fn("tree_leaves"),
    "left_size": _tree_fn("left_size"),
    # supports
    "KSPattern": gen_KSPattern, "check_chainable": gen_check_chainable,
    "chain_product": _patterns_fn("chain_product"), "chain_ranks": _patterns_fn("chain_ranks"),
    "butterfly_patterns": _size_fn("butterfly_patterns"),
    "butterfly_supports": _size_fn("butterfly_supports"),
    "monarch_patterns": _size_fn("monarch_patterns"),
    "bit_reversal_permutation": _size_fn("bit_reversal_permutation"),
    "log2_size": _size_fn("log2_size"), "check_entries": gen_check_entries,
    # factors, numeric, exact, rings, _common
    "ButterflyFactors": gen_ButterflyFactors, "butterfly_factorize": gen_butterfly_factorize,
    "identify_butterfly": _ident_gen("identify_butterfly"),
    "is_butterfly": _ident_gen("is_butterfly"),
    "ButterflyIdentification": gen_ButterflyIdentification,
    "dft_cyclotomic": gen_dft_cyclotomic, "cyclotomic_to_complex": gen_cyclotomic_to_complex,
    "CyclotomicRing": gen_CyclotomicRing, "IntegerRing": gen_IntegerRing,
    "ButterflyFitWarning": gen_ButterflyFitWarning,
    # lowrank, splits, projection
    "pair_rank1": gen_pair_rank1, "pair_gram": gen_pair_gram, "eig2": gen_eig2, "balance": gen_balance,
    "lowrank": gen_lowrank, "rank1_power": gen_rank1_power, "split": gen_split,
    "check_rank": gen_check_rank,
    # scratch memory
    "empty_away": gen_empty_away, "take_raw": gen_take_raw,
    "release_workspace": gen_release_workspace, "workspace_bytes": gen_workspace_bytes,
    "block_rank_approx": gen_block_rank_approx, "two_factor_twiddles": gen_two_factor_twiddles,
    "project_two_factor": gen_project_two_factor,
    "two_factor_certificate": gen_two_factor_certificate,
    # refine, design
    "refine": gen_refine, "Refinement": gen_Refinement,
    "enumerate_chains": gen_enumerate_chains, "smallest_chain": gen_smallest_chain,
    "split_lower_bound": gen_split_lower_bound, "design_chain": gen_design_chain,
    "KSChain": gen_KSChain, "ChainFit": gen_ChainFit, "ChainDesign": gen_ChainDesign,
}

#: the new functions (permutations, trees, projection, refine, design, splits) drawn 3×
#: as often as the others
_NEW = {"recover_permutations", "sampled_rank_one_score", "candidate_perms", "parse_tree",
        "preset_tree", "tree_from_split_order", "split_order", "tree_leaves", "left_size",
        "project_two_factor", "two_factor_twiddles", "two_factor_certificate",
        "block_rank_approx", "refine", "enumerate_chains", "design_chain", "smallest_chain",
        "split_lower_bound", "split", "butterfly_factorize", "identify_butterfly"}


def test_every_public_callable_has_a_generator():
    missing = sorted(set(public_callables()) - set(GENERATORS))
    assert not missing, (f"public callables of exactsparse.butterfly with no fuzz generator in "
                         f"tests/test_fuzz_butterfly.py: {missing}")
    stale = sorted(set(GENERATORS) - set(public_callables()))
    assert not stale, f"generators for names no longer public: {stale}"


# ----------------------------------------------------------------------------- runner
def _args(call):
    cells = zip(call.__code__.co_freevars, call.__closure__ or ())
    return ", ".join(f"{k}={show(c.cell_contents, 100)}"
                     for k, c in cells if k not in ("g", "fn", "name", "cls"))


def _run(n_cases, seed):
    g = random.Random(seed)
    names = sorted(GENERATORS)
    weights = [3 if n in _NEW else 1 for n in names]
    stats, failures = Counter(), []
    _STATS.clear()
    with alarm_handler():
        for case in range(n_cases):
            # every name at least once per pass, then weighted draws
            name = names[case] if case < len(names) else g.choices(names, weights)[0]
            _drawn.clear()
            call, instance, limit = GENERATORS[name](g)
            if limit is None:            # a routine with a time budget
                limit = BUDGET + SLACK
                if _drawn and _unlimited(_drawn[0]):
                    limit = 40.0
            checked_call(call, limit, f"case {case}: {name} ({_args(call)})",
                         lambda: instance, stats, failures, ignore=ButterflyFitWarning)
            stats[f"name:{name}"] += 1
    stats.update(_STATS)
    return stats, failures


def _report(stats, failures):
    short = {k: v for k, v in stats.items() if not k.startswith("name:")}
    print(f"\nfuzz butterfly: {short}; names: "
          f"{len([k for k in stats if k.startswith('name:')])}; failures: {len(failures)}")
    assert not failures, "\n".join(failures[:30])
    assert stats["results"] == stats["verified"]


def test_fuzz_butterfly_quick():
    stats, failures = _run(N_QUICK, seed=2026)
    _report(stats, failures)
    assert stats["typed errors"] > 0 and stats["verified"] > 0
    assert stats["certificates verified"] > 0
    assert all(stats[f"name:{n}"] for n in GENERATORS)


@pytest.mark.slow
def test_fuzz_butterfly_slow():
    stats, failures = _run(N_SLOW, seed=20261202)
    _report(stats, failures)
    assert stats["calls"] >= 10_000


# ----------------------------------------------------------------------------- regressions
def _regressions():
    """The failures this fuzz found, one example each: (label, call, typed error class)."""
    from exactsparse import exceptions as ex
    from exactsparse.butterfly import design, lowrank, permutations, projection, splits, trees
    H = HUGE
    l22, r22 = KSPattern(1, 2, 2, 2), KSPattern(2, 2, 2, 1)
    return [
        ("preset_tree 4096 factors", lambda: trees.preset_tree("left", 4096), ex.ArgumentError),
        ("parse_tree deep nesting", lambda: trees.parse_tree(_deep(5000), 4), ex.ArgumentError),
        ("tree_leaves deep", lambda: trees.tree_leaves(_deep(2000)), ex.ArgumentError),
        ("left_size of a leaf", lambda: trees.left_size(0), ex.ArgumentError),
        ("split_order of ()", lambda: trees.split_order(()), ex.ArgumentError),
        ("check_entries huge", lambda: _fn("check_entries")(H, "x"), ex.SizeLimitError),
        ("check_entries str", lambda: _fn("check_entries")("8", "x"), ex.ArgumentError),
        ("recover_permutations list", lambda: permutations.recover_permutations([[1.0]]),
         ex.PowerOfTwoError),
        ("recover_permutations 1e308",       # scaled by a power of two since review5
         lambda: permutations.recover_permutations(np.full((8, 8), 1e308)), None),
        ("recover_permutations batch",
         lambda: permutations.recover_permutations(np.ones((2, 4, 4))), ex.ShapeError),
        ("recover_permutations perm='auto'",
         lambda: permutations.recover_permutations(np.eye(4), perm="auto"), ex.ArgumentError),
        ("sampled_rank_one_score huge samples",
         lambda: permutations.sampled_rank_one_score(np.eye(4), None, None, H),
         ex.SizeLimitError),
        ("block_rank_approx float16",
         lambda: projection.block_rank_approx(np.ones((2, 2, 2), np.float16), 1),
         ex.ArgumentError),
        ("block_rank_approx huge r",
         lambda: projection.block_rank_approx(np.ones((0, 2, 2)), H), ex.SizeLimitError),
        ("two_factor_twiddles NaN",
         lambda: projection.two_factor_twiddles(np.full((4, 4), np.nan), KSPattern(1, 4, 4, 1),
                                                KSPattern(1, 4, 4, 1), 4), ex.NonFiniteError),
        ("two_factor_twiddles None",
         lambda: projection.two_factor_twiddles(None, l22, r22, 1), ex.ArgumentError),
        ("lowrank 2-d", lambda: lowrank.lowrank(np.ones((2, 3)), 1), ex.ShapeError),
        ("pair_rank1 one block", lambda: lowrank.pair_rank1(np.ones((2, 3)))[1], None),
        ("eig2 complex w, real dtype",
         lambda: lowrank.eig2(np.ones(2), np.ones(2), np.ones(2, complex), np.float64),
         ex.ArgumentError),
        ("balance negative sigma", lambda: lowrank.balance(-np.ones(2), "sqrt", True),
         ex.ArgumentError),
        ("rank1_power 3-d", lambda: lowrank.rank1_power(np.ones((2, 2, 2))), ex.ShapeError),
        ("rank1_power NaN",
         lambda: lowrank.rank1_power(np.full((1, 1, 2, 1, 1, 3), np.nan)), ex.NonFiniteError),
        ("rank1_power empty block",
         lambda: lowrank.rank1_power(np.ones((0, 0, 0, 0, 0, 0))), ex.ShapeError),
        ("split bad pattern",
         lambda: splits.split(np.ones((1, 1, 4, 4)), "x", r22, 1, "left", "unit"),
         ex.ArgumentError),
        ("split bad perm",
         lambda: splits.split(np.ones((1, 1, 4, 4)), l22, r22, 1, "left", "unit",
                              perm=np.arange(100)), ex.ArgumentError),
        ("design_chain max_factors 2**63",
         lambda: design.design_chain(np.eye(2), 4, max_factors=2**63), ex.SizeLimitError),
        ("split_lower_bound 1e308",          # scaled by a power of two since review5
         lambda: design.split_lower_bound(np.full((4, 4), 1e308), 1, 4, 1), None),
        ("refine lbfgs on A = 0",
         lambda: _fn("refine")(ButterflyFactors(butterfly_patterns(4), [
             np.ones(p.twiddle_shape) for p in butterfly_patterns(4)]), np.zeros((4, 4)),
             method="lbfgs", max_iter=3).stop_reason, None),
        ("identify huge entries perm='auto'",
         lambda: _fn("identify_butterfly")([[H, H], [H, -H]], perm="auto").verdict, None),
    ]


@pytest.mark.parametrize("label, call, error", _regressions(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_fuzz_regressions(label, call, error):
    if error is None:
        call()                       # returns (formerly raised an untyped error)
    else:
        with pytest.raises(error):
            call()

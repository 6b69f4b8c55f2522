"""The checks a sweep runs on each pattern: named checks, theorem checks, a user's function.

A check maps one orbit representative (row masks ``I``, ``J`` and the rank ``r``) and a seed
to ``(verdict, detail)``: a short string and a small JSON-friendly dict.  Each named check
has default *counterexample verdicts* (what stop-on-first-counterexample looks for).  A user
check ``"module:function"`` is called as ``function(I, J)`` with ``I``, ``J`` boolean numpy
arrays (m×r, n×r) and returns a verdict string, a pair ``(verdict, detail dict)`` or a
:class:`~exactsparse.Result` (its ``verdict``); an exception it raises becomes the verdict
``"error"`` with the message — the sweep goes on.

Theorem checks (verdict ``"counterexample"`` when the statement fails on the pattern;
``"degenerate"`` for the identifiability statements when a column of the pair is empty on
exactly one side — outside the theorem's hypothesis: such a pair is never identifiable, while
:func:`~exactsparse.is_completable` calls it completable):

- ``completable=>identifiable`` — Zheng, Riccietti & Gribonval [1]_: an iteratively
  completable pair is identifiable.  Re-checked with an independent necessary condition:
  the Jacobian rank at a random point equals ``nnz(I) + nnz(J) − r`` (generic local
  identifiability), on top of the verdict of :func:`~exactsparse.check_identifiable`.
- ``identifiable<=>completable`` — for ``r = 2`` [1]_: the verdict of
  :func:`~exactsparse.check_identifiable` (a witness when not identifiable) agrees with
  :func:`~exactsparse.is_completable`; ``"unknown"`` counts as a counterexample.
- ``tractable=>no-spurious`` — Le, Riccietti & Gribonval [2]_: no spurious local minimum on
  the tractable families.  On a random integer ``A``: a certified spurious minimum from
  :func:`~exactsparse.find_spurious_minima` is a counterexample (that search certifies minima
  of the masked and general parts of a hard core; a tractable instance has neither, so it
  reports its reason and finds none); then each of 6 single-start ALS runs must reach the block-SVD
  value (``"holds"``), else ``"local-stalled"`` (uncertified: a slow run or a spurious
  minimum — look at it).
- ``tractable=>blocksvd-optimal`` — the block-SVD value of a tractable instance
  (:func:`~exactsparse.solve_fsmf`) is never above the best local value (ALS restarts);
  ``"equal"`` when they agree, ``"local-above"`` when the local solver stalls above it.

References
----------
.. [1] L. Zheng, E. Riccietti, R. Gribonval, "Identifiability in two-layer sparse matrix
   factorization", arXiv:2110.01235.
.. [2] Q.-T. Le, E. Riccietti, R. Gribonval, "Spurious valleys, NP-hardness, and
   tractability of sparse matrix factorization with fixed support", SIAM J. Matrix Anal.
   Appl. (2023), arXiv:2112.00386.

Examples
--------
>>> chk = get_check("tractable")
>>> chk.run((1, 2), (1, 2), 2, 0)          # two disjoint rank-one blocks
('tractable', {'family': 'disjoint'})
>>> get_check("completable").run((3, 3), (3, 3), 2, 0)[0]
'not-completable'
"""

from __future__ import annotations

import importlib
import zlib
from dataclasses import dataclass

import numpy as np

from ..exceptions import ArgumentError, show
from .patterns import pattern_arrays

__all__ = ["NamedCheck", "CHECKS", "get_check", "tractable_bits", "instance_seed"]


@dataclass(frozen=True)
class NamedCheck:
    """A check: ``name``, the function ``(I, J, r, seed) -> (verdict, detail)``, the default
    counterexample verdicts and a one-line description."""

    name: str
    function: object
    counterexamples: tuple
    description: str

    def run(self, I, J, r, seed):
        """``(verdict, detail)``; an exception becomes ``("error", {"message": ...})``."""
        try:
            return self.function(I, J, r, seed)
        except Exception as exc:     # noqa: BLE001 - any failure of a check is a verdict
            return "error", {"message": f"{type(exc).__name__}: {exc}"}


def instance_seed(seed, I, J):
    """A seed for the random data of one pattern, the same in every process."""
    return zlib.crc32(repr((int(seed), I, J)).encode()) & 0x7FFFFFFF


def _masks(rows, r):
    """Per column ``k``: the bit mask of the rows containing ``k``."""
    out = [0] * r
    for i, x in enumerate(rows):
        for k in range(r):
            if (x >> k) & 1:
                out[k] |= 1 << i
    return out


def tractable_bits(I, J, r):
    """Tractability (the two families of :func:`~exactsparse.check_tractable`) on row masks.

    Returns ``"disjoint"``, ``"complete-classes"`` or None (not covered).  Same decision
    as :func:`~exactsparse.check_tractable` (the test suite compares them on every pattern
    of several sizes), on bit masks: about 30× faster on 4×4 patterns.
    """
    n = len(J)
    Rk, Ck = _masks(I, r), _masks(J, r)
    classes = {}
    for R, C in zip(Rk, Ck):
        if R and C:
            classes[(R, C)] = classes.get((R, C), 0) + 1
    items = list(classes.items())
    if not any(R1 & R2 and C1 & C2 for a, ((R1, C1), _) in enumerate(items)
               for (R2, C2), _ in items[a + 1:]):
        return "disjoint"
    full_n = (1 << n) - 1

    def cells(R, C):
        return sum(C << (i * n) for i in range(len(I)) if (R >> i) & 1)
    T, rest = 0, []
    for (R, C), size in items:
        if size >= min(bin(R).count("1"), bin(C).count("1")):
            T |= cells(R, C)
        else:
            rest.append(cells(R, C))
    free = []
    for S in rest:
        f = S & ~T
        rows, cols = 0, 0
        for i in range(len(I)):
            c = (f >> (i * n)) & full_n
            if c:
                rows |= 1 << i
                cols |= c
        if f != cells(rows, cols):
            return None
        free.append(f)
    if any(a & b for p, a in enumerate(free) for b in free[p + 1:]):
        return None
    return "complete-classes"


def _tractable(I, J, r, seed):
    family = tractable_bits(I, J, r)
    return ("not-covered", {}) if family is None else ("tractable", {"family": family})


def _identifiable(I, J, r, seed):
    from ..identifiability import check_identifiable
    res = check_identifiable(*pattern_arrays(I, J, r), seed=seed)
    return res.verdict, {"criterion": res.certificate["criterion"],
                         "jacobian_rank": res.jacobian_rank, "expected_rank": res.expected_rank}


def _completable(I, J, r, seed):
    from ..identifiability import is_completable
    ok = is_completable(*pattern_arrays(I, J, r))
    return ("completable" if ok else "not-completable"), {}


def _jacobian(I, J, r, seed):
    from ..identifiability import jacobian_rank
    jr = jacobian_rank(*pattern_arrays(I, J, r), seed=seed)
    if jr.rank is None:
        return "unknown", {"rank_mod_p": jr.rank_mod_p, "expected": jr.expected}
    return ("full" if jr.full else "deficient"), {"rank": jr.rank, "expected": jr.expected}


def _random_A(I, J, r, seed):
    rng = np.random.default_rng(instance_seed(seed, I, J))
    return rng.integers(-3, 4, size=(len(I), len(J)))


def _spurious(I, J, r, seed, budget=2.0):
    from ..fsmf import find_spurious_minima
    A = _random_A(I, J, r, seed)
    res = find_spurious_minima(A, *pattern_arrays(I, J, r), starts=10, seed=seed,
                               budget=budget)
    return res.verdict, {"A": A.tolist()}


def _butterfly(I, J, r, seed):
    from .butterfly import butterfly_check
    return butterfly_check(I, J, r, seed)


def _one_sided(I, J, r):
    """Columns empty on exactly one side (``X_k = 0``, ``Y_k ≠ 0`` or the converse)."""
    ui, uj = 0, 0
    for x in I:
        ui |= x
    for x in J:
        uj |= x
    return ui ^ uj


def _completable_identifiable(I, J, r, seed):
    from ..identifiability import check_identifiable, is_completable
    if _one_sided(I, J, r):
        return "degenerate", {}
    Ia, Ja = pattern_arrays(I, J, r)
    if not is_completable(Ia, Ja):
        return "vacuous", {}
    res = check_identifiable(Ia, Ja, seed=seed)
    full = res.jacobian_rank is None or res.jacobian_rank == res.expected_rank
    ok = res.verdict == "identifiable" and full
    return ("holds" if ok else "counterexample"), {
        "verdict": res.verdict, "jacobian_rank": res.jacobian_rank,
        "expected_rank": res.expected_rank}


def _identifiable_iff_completable(I, J, r, seed):
    from ..identifiability import check_identifiable, is_completable
    if _one_sided(I, J, r):
        return "degenerate", {}
    Ia, Ja = pattern_arrays(I, J, r)
    comp = is_completable(Ia, Ja)
    verdict = check_identifiable(Ia, Ja, seed=seed).verdict
    if comp and verdict == "identifiable":
        return "both", {}
    if not comp and verdict == "not-identifiable":
        return "neither", {}
    return "counterexample", {"completable": comp, "verdict": verdict}


def _no_spurious(I, J, r, seed, restarts=6, tol=1e-7):
    family = tractable_bits(I, J, r)
    if family is None:
        return "vacuous", {}
    from ..fsmf import als, find_spurious_minima, solve_fsmf
    A = _random_A(I, J, r, seed)
    Ia, Ja = pattern_arrays(I, J, r)
    res = find_spurious_minima(A, Ia, Ja, starts=10, seed=seed, budget=2.0)
    detail = {"A": A.tolist(), "family": family, "search": res.verdict,
              "reason": res.certificate.get("reason")}
    if res.verdict == "spurious":
        return "counterexample", detail
    value = solve_fsmf(A, Ia, Ja, exact_mode=False).value_float
    worst = max(als(A.astype(float), Ia, Ja, restarts=1, iters=500, seed=seed + k)[2]
                for k in range(restarts))
    detail.update(value=value, worst_local=worst)
    return ("holds" if worst <= value + tol * (1.0 + abs(value)) else "local-stalled"), detail


def _blocksvd(I, J, r, seed, tol=1e-7):
    if tractable_bits(I, J, r) is None:
        return "vacuous", {}
    from ..fsmf import als, solve_fsmf
    A = _random_A(I, J, r, seed)
    Ia, Ja = pattern_arrays(I, J, r)
    value = solve_fsmf(A, Ia, Ja, exact_mode=False).value_float
    _, _, local = als(A.astype(float), Ia, Ja, restarts=8, iters=300, seed=seed)
    detail = {"value": value, "local": local, "A": A.tolist()}
    scale = tol * (1.0 + abs(value))
    if local < value - scale:
        return "counterexample", detail
    return ("equal" if local <= value + scale else "local-above"), detail


def _row(name, fn, counter, text):
    return name, NamedCheck(name, fn, counter, text)


#: name → :class:`NamedCheck`.
CHECKS = dict([
    _row("tractable", _tractable, ("not-covered",), "tractable FSMF family (LRG 2023)"),
    _row("identifiable", _identifiable, ("not-identifiable",),
         "check_identifiable verdict (ZRG)"),
    _row("completable", _completable, ("not-completable",), "iterative completability"),
    _row("jacobian-deficient", _jacobian, ("deficient",),
         "Jacobian rank below nnz(I)+nnz(J)-r at a random point"),
    _row("spurious", _spurious, ("spurious",),
         "certified spurious local minimum on a random integer A"),
    _row("butterfly-identifiable", _butterfly, ("not-identified",),
         "KS pair (up to isomorphism): exact butterfly identification of a random product"),
    _row("completable=>identifiable", _completable_identifiable, ("counterexample",),
         "iterative completability implies identifiability (+ full Jacobian rank)"),
    _row("identifiable<=>completable", _identifiable_iff_completable, ("counterexample",),
         "r = 2: identifiable iff completable"),
    _row("tractable=>no-spurious", _no_spurious, ("counterexample",),
         "no spurious minimum on a tractable instance (certified search + ALS restarts)"),
    _row("tractable=>blocksvd-optimal", _blocksvd, ("counterexample",),
         "block-SVD value <= best local value on tractable instances"),
])


def _user(path):
    module, _, attr = path.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ArgumentError(f"Argument 'check' must name a known check ({', '.join(CHECKS)}) "
                            f"or an importable 'module:function', not {show(path)} ({exc}).") \
            from None
    if not callable(fn):
        raise ArgumentError(f"Argument 'check' must name a callable, not {show(path)}.")

    def run(I, J, r, seed):
        out = fn(*pattern_arrays(I, J, r))
        if isinstance(out, str):
            return out, {}
        if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], str):
            return out[0], dict(out[1] or {})
        verdict = getattr(out, "verdict", None)
        if isinstance(verdict, str):
            return verdict, {}
        raise ArgumentError(f"check {show(path)} must return a verdict string, a pair "
                            f"(verdict, dict) or a Result, not {type(out).__name__}.")
    return NamedCheck(path, run, ("counterexample",), f"user check {path}")


def get_check(name):
    """The :class:`NamedCheck` called ``name``, or the user's ``"module:function"``."""
    if not isinstance(name, str):
        raise ArgumentError(f"Argument 'check' must be a string, not {type(name).__name__}.")
    if name in CHECKS:
        return CHECKS[name]
    if ":" in name:
        return _user(name)
    raise ArgumentError(f"Argument 'check' must be one of {', '.join(CHECKS)} or "
                        f"'module:function', not {name!r}.")

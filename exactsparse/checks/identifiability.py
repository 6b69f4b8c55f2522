"""Certificate checkers for the identifiability results (kind ``"ident.check"``).

Independent of the decision routine: an ``identifiable`` certificate is replayed
combinatorially (each step's edges are known entries of ``C_k`` and form a tree —
networkx — whose closure becomes known; at the end every ``S_k`` is known); a
``not-identifiable`` witness is re-checked with exact rational arithmetic (supports, equal
products ``X Yᵀ = X2 Y2ᵀ``, no column matching ``X2_k = d X_l``, ``Y2_k = Y_l / d``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import flint
import networkx as nx

from ..exact import as_matrix, to_fractions
from ..supports import check_pair, rank_one_supports
from ._read import fail, flag, integer, out_of_budget, sequence, unpack

__all__ = ["check_ident", "CHECKS"]


# ----------------------------------------------------------------------------- completion
def _cover(rects):
    cover = {}
    for k, (R, C) in enumerate(rects):
        for i in R:
            for j in C:
                cover.setdefault((i, j), []).append(k)
    return cover


def _rects(I, J):
    """``(R_k, C_k)`` per column (``I``, ``J`` validated Supports)."""
    return rank_one_supports(I, J)


def _tree_edges(tree, k, rects):
    if not isinstance(tree, (tuple, list)) or not tree:
        fail(f"step for column {k} has no tree edges.")
    R, C = rects[k]
    out = []
    for e in tree:
        if not (isinstance(e, (tuple, list)) and len(e) == 2 and tuple(e)[0] in R
                and tuple(e)[1] in C):
            fail(f"edge {e!r} of a step for column {k} is not an entry of S_{k}.")
        out.append((int(e[0]), int(e[1])))
    return out


def _half_empty(rects):
    """Columns empty on exactly one side (degenerate; columns empty on both are absent)."""
    return tuple(k for k, (R, C) in enumerate(rects) if bool(R) != bool(C))


def _replay_step(k, tree, rects, cover, known, full):
    edges = _tree_edges(tree, k, rects)
    for e in edges:
        if e not in known[k] and any(e not in known[l] for l in cover[e] if l != k):
            fail(f"entry {e} of C_{k} is used before it is known.")
    G = nx.Graph([(("r", i), ("c", j)) for i, j in edges])
    if not nx.is_tree(G):
        fail(f"the edges of a step for column {k} do not form a tree.")
    rows = {i for i, _ in edges}
    cols = {j for _, j in edges}
    if full and (rows != set(rects[k][0]) or cols != set(rects[k][1])):
        fail(f"an iterative-completion step for column {k} does not span S_{k}.")
    known[k].update((i, j) for i in rows for j in cols)


_IDENTIFIABLE = {"iterative-completion": "ident.completion",
                 "partial-completion": "ident.partial"}
_CONSTRUCTIONS = ("degenerate", "identical-columns", "transvection", "dependent-columns",
                  "jacobian-kernel", "fibre-curve", "fibre-root")


def _check_completion(res, I, J):
    rects = _rects(I, J)
    if _half_empty(rects):
        fail("a degenerate pair cannot be identifiable.")
    crit = res.certificate.get("criterion")
    if crit not in _IDENTIFIABLE or res.theorem != _IDENTIFIABLE[crit]:
        fail(f"criterion {crit!r} / theorem {res.theorem!r} do not certify identifiability.")
    cover = _cover(rects)
    known = [set() for _ in rects]
    full = crit == "iterative-completion"
    steps = res.certificate.get("steps")
    if not isinstance(steps, (tuple, list)):
        fail("an identifiable verdict needs completion steps.")
    order = []
    for step in steps:
        if not (isinstance(step, (tuple, list)) and len(step) == 2) or isinstance(
                step[0], bool) or not isinstance(step[0], int) or not 0 <= step[0] < len(rects):
            fail(f"malformed step {step!r}.")
        k = step[0]
        _replay_step(k, step[1], rects, cover, known, full)
        if len(known[k]) == len(rects[k][0]) * len(rects[k][1]) and k not in order:
            order.append(k)
    for k, (R, C) in enumerate(rects):
        if len(known[k]) != len(R) * len(C):
            fail(f"contribution C_{k} is not completed by the steps.")
    claimed = res.certificate.get("order")
    if not isinstance(claimed, (tuple, list)) or list(claimed) != order:
        fail(f"recovery order {claimed!r} is not the order {order} of the replayed steps.")
    return f"{len(steps)} completion steps replayed"


def _stuck_columns(rects):
    """Replay partial completion on the supports (independently of the decision routine):
    the columns whose contribution stays incomplete."""
    cover = _cover(rects)
    known = [set() for _ in rects]
    progress = True
    while progress:
        progress = False
        for k, (R, C) in enumerate(rects):
            if len(known[k]) == len(R) * len(C):
                continue
            obs = [(i, j) for i in R for j in C if (i, j) in known[k]
                   or all((i, j) in known[l] for l in cover[(i, j)] if l != k)]
            G = nx.Graph([(("r", i), ("c", j)) for i, j in obs])
            for comp in nx.connected_components(G):
                rows = [u[1] for u in comp if u[0] == "r"]
                cols = [u[1] for u in comp if u[0] == "c"]
                new = {(i, j) for i in rows for j in cols} - known[k]
                if new:
                    known[k] |= new
                    progress = True
    return tuple(k for k, (R, C) in enumerate(rects) if len(known[k]) < len(R) * len(C))


def _check_unknown(res, I, J):
    cert = res.certificate
    if "budget" in cert:                 # the time budget ran out: nothing is claimed
        return out_of_budget(cert)
    if not cert.get("reason") or cert.get("criterion") != "none" or \
            res.theorem != "ident.jacobian":
        fail("an unknown verdict must state which criterion failed (criterion 'none', "
              "theorem 'ident.jacobian', a reason).")
    rects = _rects(I, J)
    if _half_empty(rects):
        fail("a degenerate pair is never identifiable: the verdict cannot be unknown.")
    live = sum(1 for R, C in rects if R or C)
    if live <= 2:
        fail("for r <= 2 the verdict is always decided (completability is necessary and "
              "sufficient), never unknown.")
    stuck = _stuck_columns(rects)
    if not stuck:
        fail("partial completion succeeds on (I, J): the pair is identifiable, not unknown.")
    if not isinstance(cert.get("stuck"), (tuple, list)) or list(cert["stuck"]) != list(stuck):
        fail(f"stuck columns {cert.get('stuck')!r} are not the replayed {list(stuck)}.")
    return f"unknown verdict: partial completion replayed, stuck at {list(stuck)}"


# ----------------------------------------------------------------------------- witness
def _fractions(M, name, shape):
    try:
        A = as_matrix(M, name)
    except Exception as exc:  # noqa: BLE001
        fail(f"witness matrix {name!r} is not exact: {exc}")
    if (A.nrows(), A.ncols()) != shape:
        fail(f"witness matrix {name!r} has shape {(A.nrows(), A.ncols())}, not {shape}.")
    return A


def _pattern(A):
    return [[int(v != 0) for v in row] for row in to_fractions(A)]


def _scale_between(x2, y2, x, y):
    """Whether some ``d ≠ 0`` has ``x2 = d x`` and ``y = d y2``."""
    d = None
    for u, v in list(zip(x2, x)) + list(zip(y, y2)):
        if v == 0:
            if u != 0:
                return False
            continue
        if d is None:
            d = u / v
        elif u / v != d:
            return False
    return d != 0


def _equivalent(X, Y, X2, Y2):
    cols = lambda M: list(zip(*to_fractions(M)))  # noqa: E731
    cx, cy, cx2, cy2 = cols(X), cols(Y), cols(X2), cols(Y2)
    r = len(cx)
    G = nx.Graph()
    G.add_nodes_from([("a", k) for k in range(r)] + [("b", l) for l in range(r)])
    G.add_edges_from((("a", k), ("b", l)) for k in range(r) for l in range(r)
                     if _scale_between(cx2[k], cy2[k], cx[l], cy[l]))
    M = nx.bipartite.hopcroft_karp_matching(G, top_nodes=[("a", k) for k in range(r)])
    return len(M) == 2 * r


def _check_witness(res, I, J):
    w = res.certificate.get("witness")
    if not isinstance(w, Mapping):
        fail("a not-identifiable verdict needs a witness.")
    (m, r), n = I.shape, J.shape[0]
    X, X2 = (_fractions(w.get(a), a, (m, r)) for a in ("X", "X2"))
    Y, Y2 = (_fractions(w.get(a), a, (n, r)) for a in ("Y", "Y2"))
    crit, how = res.certificate.get("criterion"), w.get("construction")
    if how not in _CONSTRUCTIONS or crit != how or res.theorem != "ident.witness":
        fail(f"criterion {crit!r}, construction {how!r} and theorem {res.theorem!r} do not "
              "match a witness construction.")
    exact = flag(w.get("exact_supports", True), "the witness's 'exact_supports'")
    columns = [integer(k, "a witness column", 0, r) for k in sequence(w.get("columns", ()),
                                                                    "the witness's 'columns'")]
    if len(set(columns)) != len(columns):      # (a description: only its form is checked)
        fail("the witness's 'columns' lists a column twice.")
    if not exact and not _half_empty(_rects(I, J)):
        fail("supports ⊆ (I, J) are only accepted for a degenerate pair.")
    for name, A, S in (("X", X, I), ("Y", Y, J), ("X2", X2, I), ("Y2", Y2, J)):
        P, T = _pattern(A), S.tolist()
        if (P != T) if (exact or name in ("X", "Y")) else any(
                p > t for pr, tr in zip(P, T) for p, t in zip(pr, tr)):
            fail(f"witness matrix {name!r} does not have the support it must have.")
    if X * Y.transpose() != X2 * Y2.transpose():
        fail("the two factorizations of the witness have different products.")
    if _equivalent(X, Y, X2, Y2):
        fail("the two factorizations of the witness are equivalent.")
    return f"witness ({w.get('construction', '?')}) re-checked exactly"


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _rank_mod_p(I, J, rects, seed, p):
    """The mod-p rank of the support-restricted Jacobian at the documented random point
    (entries ``randrange(1, 2**31)`` of ``random.Random(seed)``, ``X`` on ``I`` row-major,
    then ``Y`` on ``J``), built here from its definition."""
    rng = random.Random(seed)
    (m, r), n = I.shape, J.shape[0]
    Ia, Ja = I.array, J.array
    X = {(i, k): rng.randrange(1, 2**31) for i in range(m) for k in range(r) if Ia[i, k]}
    Y = {(j, k): rng.randrange(1, 2**31) for j in range(n) for k in range(r) if Ja[j, k]}
    col = {v: t for t, v in enumerate([("x",) + e for e in X] + [("y",) + e for e in Y])}
    rows = {e: t for t, e in enumerate(sorted(_cover(rects)))}
    if not rows or not col:
        return 0, (len(rows), len(col))
    N = flint.nmod_mat(len(rows), len(col), p)
    for k, (R, C) in enumerate(rects):
        for i in R:
            for j in C:
                t = rows[(i, j)]
                N[t, col[("x", i, k)]] = (int(N[t, col[("x", i, k)]]) + Y[(j, k)]) % p
                N[t, col[("y", j, k)]] = (int(N[t, col[("y", j, k)]]) + X[(i, k)]) % p
    return int(N.rank()), (len(rows), len(col))


def _check_expected_rank(res, I, J, rects):
    """``expected_rank`` is ``nnz(I) + nnz(J) - r'`` (the dimension of the factor pairs
    modulo the column scalings, ``r'`` the columns non-empty on some side); returns it."""
    expected = I.nnz + J.nnz - sum(1 for R, C in rects if R or C)
    if not _is_int(res.expected_rank) or res.expected_rank != expected:
        fail(f"expected_rank is {res.expected_rank!r}, not nnz(I) + nnz(J) - r' = "
             f"{expected} (r' the columns non-empty on some side).")
    return expected


def _read_jacobian(res):
    """``(rank over Q or None, rank mod p, {seed, prime, ...})`` of a result whose rank
    mod p is given: ints, a seed >= 0 and a prime below 2**63."""
    jr, jp = res.jacobian_rank, res.jacobian_rank_mod_p
    jac = res.certificate.get("jacobian")
    if not _is_int(jp) or (jr is not None and not _is_int(jr)):
        fail(f"Jacobian ranks {jr!r}, {jp!r} are not ints.")
    if not isinstance(jac, Mapping) or not _is_int(jac.get("seed")) or jac["seed"] < 0 \
            or not _is_int(jac.get("prime")) or not 2 <= jac["prime"] < 2**63 \
            or not flint.fmpz(jac["prime"]).is_prime():
        fail("the Jacobian data (seed >= 0, a prime below 2**63) is missing or malformed.")
    return jr, jp, jac


_RANK_METHODS = ("mod-p meets bound", "mod-p meets shape", "flint", "sympy")


def _check_rank_over_q(jr, jp, method, shape, expected):
    """``0 <= rank mod p <= rank over Q <= min(rows, columns, expected)`` and the method
    certifies the rank over Q: exact elimination (``"flint"``, ``"sympy"``) or a rank mod p
    that already meets the upper bound (the rank mod p is a lower bound of the rank over Q)."""
    bound = min(shape[0], shape[1], expected)
    if not 0 <= jp <= jr <= bound:
        fail(f"Jacobian ranks 0 <= {jp} (mod p) <= {jr} (over Q) <= {bound} "
             "(min(rows, columns, expected)) do not hold.")
    if method == "mod-p meets bound" and not jr == jp == expected or \
            method == "mod-p meets shape" and not jr == jp == min(shape) or \
            method not in _RANK_METHODS:
        fail(f"method {method!r} does not certify the rank over Q {jr}.")


def _check_ranks(res, I, J):
    """The rank fields of an ``ident.check`` result: ``expected_rank``, the ``absent``
    columns, and the Jacobian ranks, the rank mod p re-computed at the documented random
    point (:func:`_rank_mod_p`), the rank over Q bounded and certified by its method."""
    rects = _rects(I, J)
    expected = _check_expected_rank(res, I, J, rects)
    if res.backend != "flint":
        fail(f"backend {res.backend!r} is not 'flint'.")
    absent = tuple(k for k, (R, C) in enumerate(rects) if not R and not C)
    if tuple(res.certificate.get("absent", ())) != absent:
        fail(f"absent columns {res.certificate.get('absent')!r} are not {absent}.")
    if res.jacobian_rank_mod_p is None:
        if res.jacobian_rank is not None or res.certificate.get("jacobian") is not None:
            fail("a rank over Q (or Jacobian data) without a rank mod p.")
        return
    jr, jp, jac = _read_jacobian(res)
    rp, shape = _rank_mod_p(I, J, rects, jac["seed"], jac["prime"])
    if jp != rp:
        fail(f"jacobian_rank_mod_p is {jp}, recomputed {rp}.")
    if tuple(jac.get("shape", ())) != shape:
        fail(f"Jacobian shape {jac.get('shape')!r} is not {shape}.")
    if jr is None:
        if jac.get("method") != "skipped":
            fail("jacobian_rank is None but the method is not 'skipped'.")
        return
    _check_rank_over_q(jr, jp, jac.get("method"), shape, expected)


def check_ident(res, instance):
    """Check an ``ident.check`` result: whether the pair of supports ``(I, J)`` makes the
    factorization ``X Yᵀ`` essentially unique (up to column scaling and permutation).

    Valid means: the rank fields are right (:func:`_check_ranks`); and by verdict:
    ``"identifiable"``: the completion steps replay on the supports alone, each step's
    edges known entries forming a spanning tree, until every rank-one contribution is
    known, in the stated order (:func:`_check_completion`); ``"not-identifiable"``: the
    witness is two exact factorizations with the exact supports, equal products and no
    matching of their columns up to scaling (:func:`_check_witness`); ``"unknown"``: the
    pair is not degenerate, has ``r' > 2`` live columns and partial completion, replayed
    here, gets stuck at the stated columns (:func:`_check_unknown`).
    """
    I, J = check_pair(*unpack(instance, ("I", "J")))
    _check_ranks(res, I, J)
    if res.verdict == "identifiable":
        return _check_completion(res, I, J)
    if res.verdict == "not-identifiable":
        return _check_witness(res, I, J)
    if res.verdict == "unknown":
        return _check_unknown(res, I, J)
    fail(f"unknown verdict {res.verdict!r}.")


CHECKS = {"ident.check": check_ident}

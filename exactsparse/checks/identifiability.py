"""Certificate checkers for the identifiability results (kind ``"ident.check"``).

Independent of the decision routine: an ``identifiable`` certificate is replayed
combinatorially (each step's edges are known entries of ``C_k`` and form a tree —
networkx — whose closure becomes known; at the end every ``S_k`` is known); a
``not-identifiable`` witness is re-checked with exact rational arithmetic (supports, equal
products ``X Yᵀ = X2 Y2ᵀ``, no column matching ``X2_k = d X_l``, ``Y2_k = Y_l / d``).
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import scipy.sparse as sp

from ..exact import as_matrix, to_fractions
from ..exceptions import CertificateError
from ..supports import check_pair, degenerate_columns

__all__ = ["CHECKS"]


def _fail(msg):
    raise CertificateError(f"invalid certificate: {msg}")


def _instance(instance):
    if isinstance(instance, Mapping):
        instance = (instance.get("I"), instance.get("J"))
    if not isinstance(instance, (tuple, list)) or len(instance) != 2:
        _fail("the instance must be (I, J) or {'I': ..., 'J': ...}.")
    return check_pair(*instance)


# ----------------------------------------------------------------------------- completion
def _cover(rects):
    cover = {}
    for k, (R, C) in enumerate(rects):
        for i in R:
            for j in C:
                cover.setdefault((i, j), []).append(k)
    return cover


def _rects(I, J):
    """``(R_k, C_k)`` per column, via CSC (linear in nnz + r)."""
    cols = []
    for S in (I, J):
        A = sp.csc_matrix(S.array)
        A.sort_indices()
        cols.append([tuple(int(i) for i in A.indices[A.indptr[k]:A.indptr[k + 1]])
                     for k in range(S.shape[1])])
    return tuple(zip(*cols))


def _tree_edges(tree, k, rects):
    if not isinstance(tree, (tuple, list)) or not tree:
        _fail(f"step for column {k} has no tree edges.")
    R, C = rects[k]
    out = []
    for e in tree:
        if not (isinstance(e, (tuple, list)) and len(e) == 2 and tuple(e)[0] in R
                and tuple(e)[1] in C):
            _fail(f"edge {e!r} of a step for column {k} is not an entry of S_{k}.")
        out.append((int(e[0]), int(e[1])))
    return out


def _replay_step(k, tree, rects, cover, known, full):
    edges = _tree_edges(tree, k, rects)
    for e in edges:
        if e not in known[k] and any(e not in known[l] for l in cover[e] if l != k):
            _fail(f"entry {e} of C_{k} is used before it is known.")
    G = nx.Graph([(("r", i), ("c", j)) for i, j in edges])
    if not nx.is_tree(G):
        _fail(f"the edges of a step for column {k} do not form a tree.")
    rows = {i for i, _ in edges}
    cols = {j for _, j in edges}
    if full and (rows != set(rects[k][0]) or cols != set(rects[k][1])):
        _fail(f"an iterative-completion step for column {k} does not span S_{k}.")
    known[k].update((i, j) for i in rows for j in cols)


def _check_completion(res, I, J):
    if degenerate_columns(I, J):
        _fail("a degenerate pair cannot be identifiable.")
    rects = _rects(I, J)
    cover = _cover(rects)
    known = [set() for _ in rects]
    full = res.certificate.get("criterion") == "iterative-completion"
    for step in res.certificate.get("steps", ()):
        if not (isinstance(step, (tuple, list)) and len(step) == 2) or not isinstance(
                step[0], int) or not 0 <= step[0] < len(rects):
            _fail(f"malformed step {step!r}.")
        _replay_step(step[0], step[1], rects, cover, known, full)
    for k, (R, C) in enumerate(rects):
        if len(known[k]) != len(R) * len(C):
            _fail(f"contribution C_{k} is not completed by the steps.")
    return f"{len(res.certificate['steps'])} completion steps replayed"


# ----------------------------------------------------------------------------- witness
def _fractions(M, name, shape):
    try:
        A = as_matrix(M, name)
    except Exception as exc:  # noqa: BLE001
        _fail(f"witness matrix {name!r} is not exact: {exc}")
    if (A.nrows(), A.ncols()) != shape:
        _fail(f"witness matrix {name!r} has shape {(A.nrows(), A.ncols())}, not {shape}.")
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
        _fail("a not-identifiable verdict needs a witness.")
    (m, r), n = I.shape, J.shape[0]
    X, X2 = (_fractions(w.get(a), a, (m, r)) for a in ("X", "X2"))
    Y, Y2 = (_fractions(w.get(a), a, (n, r)) for a in ("Y", "Y2"))
    exact = w.get("exact_supports", True) is not False
    if not exact and not degenerate_columns(I, J):
        _fail("supports ⊆ (I, J) are only accepted for a degenerate pair.")
    for name, A, S in (("X", X, I), ("Y", Y, J), ("X2", X2, I), ("Y2", Y2, J)):
        P, T = _pattern(A), S.tolist()
        if (P != T) if (exact or name in ("X", "Y")) else any(
                p > t for pr, tr in zip(P, T) for p, t in zip(pr, tr)):
            _fail(f"witness matrix {name!r} does not have the support it must have.")
    if X * Y.transpose() != X2 * Y2.transpose():
        _fail("the two factorizations of the witness have different products.")
    if _equivalent(X, Y, X2, Y2):
        _fail("the two factorizations of the witness are equivalent.")
    return f"witness ({w.get('construction', '?')}) re-checked exactly"


def _check_ranks(res, I, J):
    expected = I.nnz + J.nnz - I.shape[1]
    if res.expected_rank != expected:
        _fail(f"expected_rank is {res.expected_rank}, not nnz(I) + nnz(J) - r = {expected}.")
    jr, jp = res.jacobian_rank, res.jacobian_rank_mod_p
    if jr is not None and not degenerate_columns(I, J) and not (0 <= jp <= jr <= expected):
        _fail(f"Jacobian ranks {jp} (mod p) <= {jr} (over Q) <= {expected} do not hold.")


def check_ident(res, instance):
    """Checker for ``"ident.check"`` results."""
    I, J = _instance(instance)
    _check_ranks(res, I, J)
    if res.verdict == "identifiable":
        return _check_completion(res, I, J)
    if res.verdict == "not-identifiable":
        return _check_witness(res, I, J)
    if res.verdict == "unknown":
        if not res.certificate.get("reason"):
            _fail("an unknown verdict must state which criterion failed.")
        return "unknown verdict (nothing to re-check beyond the ranks)"
    _fail(f"unknown verdict {res.verdict!r}.")


CHECKS = {"ident.check": check_ident}

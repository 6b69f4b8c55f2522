"""Certificate checkers for the ReLU-network results (kinds ``"relu.*"``).

Independent of :mod:`exactsparse.relu` (never imported here): the network is re-read from
its JSON form into Fractions and every claim is re-derived with plain exact arithmetic —
path products enumerated path by path, rescalings and permutations applied entry by entry,
networks evaluated sample by sample, Jacobians built entry by entry and their ranks
recomputed (flint over Q, or modulo the stored prime where the rank reaches an upper bound).

Instances: a network is its JSON dict ``{"layers": [{"W", "b"}, ...]}`` (or any object with a
``to_dict()`` giving it); ``relu.equivalent`` takes ``(net1, net2)``; ``relu.local_ident``
takes ``(net, X)``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from fractions import Fraction

import flint
import numpy as np

from ..exact import as_rational
from ..exceptions import CertificateError

__all__ = ["check_pathlift", "check_canonical", "check_equivalent", "check_pathnorm",
           "check_local_ident", "check_shallow"]


def _fail(msg):
    raise CertificateError(f"invalid certificate: {msg}")


# ----------------------------------------------------------------------------- networks
def _net(obj):
    """``(Ws, bs)`` as lists of Fractions from a network JSON dict / text / object."""
    if hasattr(obj, "to_dict") and not isinstance(obj, Mapping):
        obj = obj.to_dict()
    if isinstance(obj, str):
        obj = json.loads(obj)
    if not isinstance(obj, Mapping) or "layers" not in obj:
        _fail("the instance network must be a dict {'layers': [{'W': ..., 'b': ...}]}.")
    Ws, bs = [], []
    for layer in obj["layers"]:
        Ws.append([[as_rational(v, "W") for v in r] for r in layer["W"]])
        bs.append([as_rational(v, "b") for v in layer["b"]])
    for l in range(1, len(Ws)):
        if len(Ws[l][0]) != len(Ws[l - 1]):
            _fail(f"the instance network's layers {l} and {l + 1} do not chain.")
    return Ws, bs


def _widths(Ws):
    return [len(Ws[0][0])] + [len(W) for W in Ws]


def _name(layer, i, L):
    return f"x{i}" if layer == 0 else (f"o{i}" if layer == L else f"h{layer}.{i}")


def _paths(Ws, bs):
    """Every path as ``(name, list of (param, value) factors)``: for each output, input paths,
    then bias paths by start layer, then the output bias (neuron nearest the output slowest)."""
    L, widths = len(Ws), _widths(Ws)

    def walk(layer, seq, start):       # seq: neuron indices from the output down to ``layer``
        if layer == start:
            nodes = [(L - m, i) for m, i in enumerate(seq)]
            facs = [(("W", l, nodes[m][1], nodes[m + 1][1]), Ws[l - 1][nodes[m][1]][nodes[m + 1][1]])
                    for m, (l, _) in enumerate(nodes[:-1])]
            if start > 0:
                facs.append((("b", start, seq[-1]), bs[start - 1][seq[-1]]))
            name = "->".join(_name(l, i, L) for l, i in reversed(nodes))
            yield name, facs
            return
        for j in range(widths[layer - 1]):
            yield from walk(layer - 1, seq + [j], start)

    for o in range(widths[L]):
        for s in range(L):
            yield from walk(L, [o], s)
        yield _name(L, o, L), [(("b", L, o), bs[L - 1][o])]


def _evaluate(Ws, bs, x):
    f = list(x)
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        f = [sum((w * v for w, v in zip(r, f)), Fraction(0)) + c for r, c in zip(W, b)]
        if l < len(Ws):
            f = [max(v, Fraction(0)) for v in f]
    return f


def _apply(Ws, bs, scaling, perms):
    """``permute(rescale(net, scaling), perms)``, entry by entry."""
    Ws = [[list(r) for r in W] for W in Ws]
    bs = [list(b) for b in bs]
    if len(scaling) != len(Ws) - 1 or len(perms) != len(Ws) - 1:
        _fail("scaling/permutation must have one entry per hidden layer.")
    for l, (lam, p) in enumerate(zip(scaling, perms), start=1):
        if len(lam) != len(Ws[l - 1]) or sorted(p) != list(range(len(Ws[l - 1]))):
            _fail(f"hidden layer {l}: scaling or permutation of the wrong size.")
        for i, v in enumerate(lam):
            if not isinstance(v, Fraction) or v <= 0:
                _fail(f"λ of neuron h{l}.{i} must be a positive rational, not {v!r}.")
            Ws[l - 1][i] = [w * v for w in Ws[l - 1][i]]
            bs[l - 1][i] *= v
            for r in Ws[l]:
                r[i] /= v
        Ws[l - 1] = [Ws[l - 1][i] for i in p]
        bs[l - 1] = [bs[l - 1][i] for i in p]
        Ws[l] = [[r[i] for i in p] for r in Ws[l]]
    return Ws, bs


def _canonical(Ws, bs, norm):
    """Independent canonicalisation: ``(Ws, bs, has_ties)``, or None on a degenerate net."""
    Ws = [[list(r) for r in W] for W in Ws]
    bs = [list(b) for b in bs]
    ties = False
    for l in range(1, len(Ws)):
        for i in range(len(Ws[l - 1])):
            row = Ws[l - 1][i] + [bs[l - 1][i]]
            n = max(map(abs, row)) if norm == "linf" else sum(map(abs, row))
            if n == 0 or all(r[i] == 0 for r in Ws[l]):
                return None
            Ws[l - 1][i] = [w / n for w in Ws[l - 1][i]]
            bs[l - 1][i] /= n
            for r in Ws[l]:
                r[i] *= n
        keys = [tuple(Ws[l - 1][i]) + (bs[l - 1][i],) for i in range(len(Ws[l - 1]))]
        p = sorted(range(len(keys)), key=lambda i: (keys[i], tuple(r[i] for r in Ws[l])))
        ties |= len(set(keys)) < len(keys)
        Ws[l - 1] = [Ws[l - 1][i] for i in p]
        bs[l - 1] = [bs[l - 1][i] for i in p]
        Ws[l] = [[r[i] for i in p] for r in Ws[l]]
    return Ws, bs, ties


def _as_dict(Ws, bs):
    return {"layers": [{"W": W, "b": b} for W, b in zip(Ws, bs)]}


def _same(net_a, net_b):
    Wa, ba = net_a
    Wb, bb = net_b
    return Wa == Wb and ba == bb


# ----------------------------------------------------------------------------- checkers
def check_pathlift(result, instance):
    """Φ: every coordinate recomputed as the product of its path's weights (and bias)."""
    Ws, bs = _net(instance)
    phi = result.certificate["phi"]
    got = {name: math.prod((v for _, v in facs), start=Fraction(1)) for name, facs in _paths(Ws, bs)}
    if list(phi) != list(got):
        _fail("the path names (or their order) are not those of the instance network.")
    for name, v in got.items():
        if phi[name] != v:
            _fail(f"Φ[{name}] = {phi[name]} but the path product is {v}.")
    if result.certificate["size"] != len(got):
        _fail(f"size {result.certificate['size']} != {len(got)} paths.")
    return f"{len(got)} path products recomputed"


def check_canonical(result, instance):
    """Canonical form: λ > 0 and the permutation map the instance onto the stored network,
    every hidden neuron of it has unit (ℓ1/ℓ∞) norm, keys sorted, duplicates as stated."""
    Ws, bs = _net(instance)
    c = result.certificate
    CW, Cb = _net(c["network"])
    if not _same(_apply(Ws, bs, c["scaling"], c["permutation"]), (CW, Cb)):
        _fail("applying the scaling and permutation does not give the stored network.")
    dups = []
    for l in range(1, len(CW)):
        keys = [tuple(CW[l - 1][i]) + (Cb[l - 1][i],) for i in range(len(CW[l - 1]))]
        for i, k in enumerate(keys):
            n = max(map(abs, k)) if c["norm"] == "linf" else sum(map(abs, k))
            if n != 1:
                _fail(f"neuron h{l}.{i} of the stored network has norm {n}, not 1.")
        if keys != sorted(keys):
            _fail(f"the neurons of hidden layer {l} are not sorted.")
        dups += [f"h{l}.{j}" for j in range(1, len(keys)) if keys[j] == keys[j - 1]]
    if list(c["duplicates"]) != dups:
        _fail(f"duplicates {list(c['duplicates'])} != {dups}.")
    if result.verdict != ("duplicate-neurons" if dups else "canonical"):
        _fail(f"verdict {result.verdict!r} does not match the duplicates {dups}.")
    return "rescaling and permutation replayed; normalisation and order checked"


def check_equivalent(result, instance):
    """Equivalence: applying λ and π to net1 gives net2 exactly.  Non-equivalence: different
    widths, or a rational input where the outputs differ, or the differing coordinate of the
    independently recomputed canonical forms (no degenerate or duplicate neuron)."""
    if not isinstance(instance, (tuple, list)) or len(instance) != 2:
        _fail("the instance must be (net1, net2).")
    (W1, b1), (W2, b2) = _net(instance[0]), _net(instance[1])
    c = result.certificate
    if result.verdict == "equivalent":
        if not _same(_apply(W1, b1, c["scaling"], c["permutation"]), (W2, b2)):
            _fail("applying the scaling and permutation to net1 does not give net2.")
        return "net2 = permute(rescale(net1, λ), π) replayed"
    if result.verdict == "unknown":
        return "verdict unknown (nothing to check)"
    if result.verdict != "not-equivalent":
        _fail(f"unexpected verdict {result.verdict!r}.")
    if "widths" in c:
        if [list(w) for w in c["widths"]] != [_widths(W1), _widths(W2)] or _widths(W1) == _widths(W2):
            _fail("the stored widths are not the instance's, or they are equal.")
        return "architectures differ"
    if c.get("input") is not None:
        x = list(c["input"])
        y1, y2 = _evaluate(W1, b1, x), _evaluate(W2, b2, x)
        if y1 == y2 or list(c["outputs1"]) != y1 or list(c["outputs2"]) != y2:
            _fail("the outputs at the witness input are equal or not the stored ones.")
        return "the functions differ at the witness input"
    k1, k2 = _canonical(W1, b1, "l1"), _canonical(W2, b2, "l1")
    if k1 is None or k2 is None or k1[2] or k2[2]:
        _fail("a coordinate witness needs networks without degenerate or duplicate neurons.")
    co = c["coordinate"]
    l, idx = co["layer"], list(co["index"])
    v1 = (k1[0] if co["param"] == "W" else k1[1])[l - 1]
    v2 = (k2[0] if co["param"] == "W" else k2[1])[l - 1]
    for i in idx:
        v1, v2 = v1[i], v2[i]
    if v1 == v2 or v1 != co["value1"] or v2 != co["value2"]:
        _fail("the stored canonical coordinate does not differ as claimed.")
    return "canonical forms recomputed; they differ at the stored coordinate"


def _norm_by_paths(Ws, bs, q):
    return sum((abs(math.prod((v for _, v in facs), start=Fraction(1))) ** q
                for _, facs in _paths(Ws, bs)), Fraction(0))


def _norm_by_pass(Ws, bs, q):
    f = [Fraction(1)] * len(Ws[0][0])
    for W, b in zip(Ws, bs):
        f = [sum((abs(w) ** q * v for w, v in zip(r, f)), Fraction(0)) + abs(c) ** q
             for r, c in zip(W, b)]
    return sum(f, Fraction(0))


def check_pathnorm(result, instance):
    """Path-norm: ``‖Φ‖_q^q`` recomputed path by path (small nets) or by an exact forward pass
    of ``|θ|^q`` written independently; the float value within 1e-9 relative."""
    c = result.certificate
    q = c["q"]
    data = instance.to_dict() if hasattr(instance, "to_dict") else instance
    if isinstance(data, Mapping) and "nodes" in data:
        return _check_dag_norm(c, q, data)
    if c["value"] is None:
        layers = instance.to_dict() if hasattr(instance, "to_dict") else instance
        f = None
        for layer in layers["layers"]:
            W = [[abs(float(v)) ** q for v in r] for r in layer["W"]]
            bb = [abs(float(v)) ** q for v in layer["b"]]
            f = [1.0] * len(W[0]) if f is None else f
            f = [sum(w * v for w, v in zip(r, f)) + x for r, x in zip(W, bb)]
        val = sum(f) ** (1.0 / q)
        if not math.isclose(val, c["value_float"], rel_tol=1e-9):
            _fail(f"value_float {c['value_float']} != recomputed {val}.")
        return "float path-norm recomputed"
    Ws, bs = _net(instance)
    widths = _widths(Ws)
    size = widths[-1] * (1 + sum(math.prod(widths[s:-1]) for s in range(len(Ws))))
    val = _norm_by_paths(Ws, bs, q) if size <= 100_000 else _norm_by_pass(Ws, bs, q)
    if val != c["value"]:
        _fail(f"value {c['value']} != recomputed ‖Φ‖_q^q = {val}.")
    if not math.isclose(float(val) ** (1.0 / q), c["value_float"], rel_tol=1e-9):
        _fail("value_float is not value^(1/q).")
    return f"‖Φ‖_{q}^{q} = {val} recomputed ({'path by path' if size <= 100_000 else 'forward pass'})"


def _check_dag_norm(c, q, data):
    """DAG path-norm: a forward pass of ``|θ|^q`` on ones, ReLU/identity → identity,
    max → sum, written here independently."""
    exact = c["value"] is not None
    conv = (lambda v: as_rational(v, "net")) if exact else (lambda v: abs(float(v)))  # noqa: E731
    val = {f"x{i}": (Fraction(1) if exact else 1.0) for i in range(int(data["inputs"]))}
    outs = []
    for node in data["nodes"]:
        s = sum((abs(conv(w)) ** q * val[u] for u, w in node["in"].items()),
                Fraction(0) if exact else 0.0)
        if node["kind"] != "max":
            s += abs(conv(node.get("bias", 0))) ** q
        val[node["name"]] = s
        if node["kind"] == "output":
            outs.append(s)
    total = sum(outs, Fraction(0) if exact else 0.0)
    if exact and total != c["value"]:
        _fail(f"value {c['value']} != recomputed ‖Φ‖_q^q = {total}.")
    if not math.isclose(float(total) ** (1.0 / q), c["value_float"], rel_tol=1e-9):
        _fail(f"value_float {c['value_float']} != recomputed {float(total) ** (1.0 / q)}.")
    return f"DAG path-norm recomputed by a forward pass (‖Φ‖_q^q = {total})"


def _gamma_and_alpha(Ws, bs, X, frozen):
    """Γ (rows (sample, output), columns the free parameters) and the α block of output 0
    (rows samples), entry by entry; raises on a kink."""
    L, widths = len(Ws), _widths(Ws)
    frozen = {("W", l, k, i) for l, k, i in frozen}
    params = []
    for l in range(1, L + 1):
        params += [("W", l, i, j) for i in range(widths[l]) for j in range(widths[l - 1])]
        params += [("b", l, i) for i in range(widths[l])]
    free = [p for p in params if p not in frozen]
    G, A = [], []
    for s, x in enumerate(X):
        f, acts = [list(x)], []
        for l, (W, b) in enumerate(zip(Ws, bs), start=1):
            pre = [sum((w * v for w, v in zip(r, f[-1])), Fraction(0)) + c for r, c in zip(W, b)]
            if l < L:
                if any(v == 0 for v in pre):
                    _fail(f"sample {s} lies on a kink.")
                acts.append([1 if v > 0 else 0 for v in pre])
                pre = [max(v, Fraction(0)) for v in pre]
            f.append(pre)
        for o in range(widths[L]):
            sens = {L: [Fraction(int(i == o)) for i in range(widths[L])]}
            for l in range(L - 1, 0, -1):
                sens[l] = [sum((sens[l + 1][i] * Ws[l][i][j] for i in range(widths[l + 1])),
                               Fraction(0)) * acts[l - 1][j] for j in range(widths[l])]
            G.append([sens[p[1]][p[2]] * (f[p[1] - 1][p[3]] if p[0] == "W" else 1)
                      for p in free])
        row = []
        for name, facs in _paths(Ws, bs):
            if not name.endswith("o0"):
                continue
            nodes = [t for t in name.split("->")]
            v = Fraction(1)
            for t in nodes[:-1]:
                if t.startswith("x"):
                    v *= x[int(t[1:])]
                else:
                    l, i = map(int, t[1:].split("."))
                    v *= acts[l - 1][i]
            row.append(v)
        A.append(row)
    return G, A, len(free)


def _residue(x, p):
    if x.denominator % p == 0:
        _fail(f"the prime {p} divides a denominator.")
    return x.numerator % p * pow(x.denominator, -1, p) % p


def _gamma_mod_p(Ws, bs, X, frozen, p):
    """Γ modulo ``p`` (int64, rows (sample, output), free parameters in θ order): exact
    activations from flint products, then per layer ``∂R/∂W_l[i,j] = δ_l[i] f_{l−1}[j]``."""
    L, widths, n = len(Ws), _widths(Ws), len(X)
    q = lambda v: flint.fmpq(v.numerator, v.denominator)  # noqa: E731
    Fq = flint.fmpq_mat([[q(X[s][i]) for s in range(n)] for i in range(widths[0])])
    F = [np.array([[_residue(v, p) for v in row] for row in X], dtype=np.int64)]
    acts = []
    for l in range(1, L):
        Wq = flint.fmpq_mat([[q(v) for v in r] for r in Ws[l - 1]])
        B = flint.fmpq_mat(widths[l], n, [q(bs[l - 1][i]) for i in range(widths[l])
                                          for _ in range(n)])
        P = Wq * Fq + B
        vals = P.entries()
        if any(v == 0 for v in vals):
            _fail("a sample lies on a kink.")
        act = np.array([1 if v > 0 else 0 for v in vals], dtype=np.int64).reshape(widths[l], n)
        Fq = flint.fmpq_mat(widths[l], n, [v if v > 0 else 0 for v in vals])
        res = np.array([_residue(Fraction(int(v.p), int(v.q)), p) if v > 0 else 0
                        for v in vals], dtype=np.int64).reshape(widths[l], n)
        acts.append(act.T)
        F.append(res.T)
    k = widths[L]
    Wr = [np.array([[_residue(v, p) for v in r] for r in W], dtype=np.int64) for W in Ws]
    delta = {L: np.tile(np.eye(k, dtype=np.int64), (n, 1))}
    for l in range(L - 1, 0, -1):
        delta[l] = (delta[l + 1] @ Wr[l]) % p * np.repeat(acts[l - 1], k, axis=0)
    frozen = {(l, kk, i) for l, kk, i in frozen}
    blocks = []
    for l in range(1, L + 1):
        Fr = np.repeat(F[l - 1], k, axis=0)
        Wblock = (delta[l][:, :, None] * Fr[:, None, :]) % p
        keep = [i * widths[l - 1] + j for i in range(widths[l]) for j in range(widths[l - 1])
                if (l, i, j) not in frozen]
        blocks += [Wblock.reshape(n * k, -1)[:, keep], delta[l] % p]
    return np.concatenate(blocks, axis=1)


def _rank_q(M):
    if not M or not M[0]:
        return 0
    den = math.lcm(*(v.denominator for r in M for v in r))
    return int(flint.fmpz_mat([[int(v * den) for v in r] for r in M]).rank())


def check_local_ident(result, instance):
    """Local identifiability: the frozen edges follow the rule; ``D`` is recounted.  Claimed
    ranks at an upper bound (``R_Γ`` = D or the number of rows) are re-proved by the rank of Γ
    modulo the stored prime (a lower bound over Q, FLINT ``nmod_mat``), ``R_A`` = rows
    following from ``R_Γ`` = rows (``R_Γ ≤ R_A``); other claims by rebuilding Γ and α entry by
    entry and their exact ranks over Q.  C_N, C_S and the verdict are re-derived."""
    if not isinstance(instance, (tuple, list)) or len(instance) != 2:
        _fail("the instance must be (net, X).")
    Ws, bs = _net(instance[0])
    X = [[as_rational(v, "X") for v in r] for r in instance[1]]
    c = result.certificate
    widths = _widths(Ws)
    frozen = []
    for l in range(1, len(Ws)):
        for i in range(widths[l]):
            col = [abs(r[i]) for r in Ws[l]]
            frozen.append([l + 1, col.index(max(col)), i])
    if [list(f) for f in c["frozen"]] != frozen:
        _fail("the frozen edges are not the largest outgoing edge of each hidden neuron.")
    D = sum(w * (v + 1) for w, v in zip(widths[1:], widths[:-1])) - sum(widths[1:-1])
    if D != c["D"]:
        _fail(f"D = {c['D']} but there are {D} free parameters.")
    rows, ex = len(X) * widths[-1], c["exact"]
    bounded = c["rank_gamma"] in (D, rows) and (not ex["rank_A"] or c["rank_A"] == rows)
    if bounded:
        # Claims at an upper bound: a rank mod the stored prime (a lower bound) suffices.
        p = c["prime"]
        if not isinstance(p, int) or not 2 < p < 1 << 20 or not flint.fmpz(p).is_prime():
            _fail(f"the stored prime {p!r} is not a prime below 2**20.")
        G = _gamma_mod_p(Ws, bs, X, frozen, p)
        rg = int(flint.nmod_mat(G.shape[0], G.shape[1], G.ravel().tolist(), p).rank()) \
            if G.size else 0
        if rg != c["rank_gamma"]:
            _fail(f"rank Γ mod {p} = {rg}, not the claimed {c['rank_gamma']}.")
        ra = rows if rg == rows else c["rank_A"]
        if ex["rank_A"] and ra != c["rank_A"]:
            _fail(f"R_A = {c['rank_A']} is not implied by rank Γ = {rg}.")
        how = f"mod {p}, at an upper bound"
    else:
        if len(X) * D > 3_000_000:
            _fail("instance too large for the exact entry-by-entry checker.")
        G, A, _ = _gamma_and_alpha(Ws, bs, X, frozen)
        rg, ra = _rank_q(G), widths[-1] * _rank_q(A)
        if ex["rank_gamma"] and rg != c["rank_gamma"]:
            _fail(f"rank Γ = {rg}, not {c['rank_gamma']}.")
        if ex["rank_A"] and ra != c["rank_A"]:
            _fail(f"R_A = {ra}, not {c['rank_A']}.")
        how = "over Q"
    C_S, C_N = rg == D, rg < ra or rg == D
    want = ("locally-identifiable" if C_S else "inconclusive" if C_N
            else "not-locally-identifiable")
    if result.verdict != "unknown" and result.verdict != want:
        _fail(f"verdict {result.verdict!r} but the ranks give {want!r}.")
    return f"R_Γ = {rg}, R_A = {ra}, D = {D} recomputed ({how})"


# ----------------------------------------------------------------------------- shallow nets
def _lin_range(w, b, box):
    return (b + sum(min(x * l, x * h) for x, (l, h) in zip(w, box)),
            b + sum(max(x * l, x * h) for x, (l, h) in zip(w, box)))


def _proportional(a, c):
    k = next((i for i, v in enumerate(a) if v != 0), None)
    if k is None or c[k] == 0:
        return False
    return all(c[k] * x == a[k] * y for x, y in zip(a, c))


def _l1_keys(W, b):
    keys = []
    for row, bias in zip(W, b):
        n = sum(map(abs, row)) + abs(bias)
        keys.append(tuple(x / n for x in row) + (bias / n,))
    return sorted(keys)


def check_shallow(result, instance):
    """Shallow networks on the stored box: ``identifiable`` re-checks (a)–(d) (every subset
    for (d)); ``not-identifiable`` checks the witness is the flip of ``J`` with
    ``Σ_J v_j w_j = 0`` and ``c' = c + Σ_J v_j b_j`` (so ``R' ≡ R`` since
    ``relu(z) − relu(−z) = z``), evaluates both at the box's corners and centre, and checks the
    normalised hidden neurons differ as multisets (not a rescaling/permutation);
    ``unknown`` checks the named condition fails."""
    Ws, bs = _net(instance)
    if len(Ws) != 2 or len(Ws[1]) != 1:
        _fail("the instance must be a one-hidden-layer network with one output.")
    W, b, v, c = Ws[0], bs[0], Ws[1][0], bs[1][0]
    cert = result.certificate
    box = [tuple(iv) for iv in cert["domain"]]
    if len(box) != len(W[0]) or any(not lo < hi for lo, hi in box):
        _fail("the stored domain is not a box of the input dimension.")
    h, d = len(W), len(W[0])
    a_ok = [any(x != 0 for x in W[j]) and v[j] != 0 for j in range(h)]
    b_ok = [(lambda r: r[0] < 0 < r[1])(_lin_range(W[j], b[j], box)) for j in range(h)]
    if result.verdict == "unknown":
        j, f = cert["neuron"], cert["failed"]
        bad = {"a": not a_ok[j], "b": not b_ok[j],
               "c": f == "c" and _proportional(list(W[cert["other"]]) + [b[cert["other"]]],
                                               list(W[j]) + [b[j]])}.get(f, False)
        if not bad:
            _fail(f"condition ({f}) does not fail at neuron {j}.")
        return f"condition ({f}) fails at neuron {j}"
    if result.verdict == "identifiable":
        if not all(a_ok) or not all(b_ok):
            _fail("condition (a) or (b) fails.")
        for i in range(h):
            for j in range(i + 1, h):
                if _proportional(list(W[i]) + [b[i]], list(W[j]) + [b[j]]):
                    _fail(f"neurons {i} and {j} share a hyperplane.")
        for mask in range(1, 1 << h):
            J = [j for j in range(h) if mask >> j & 1]
            if all(sum((v[j] * W[j][i] for j in J), Fraction(0)) == 0 for i in range(d)):
                _fail(f"Σ v_j w_j vanishes on J = {J}.")
        return f"conditions (a)-(d) re-checked ({(1 << h) - 1} subsets)"
    J = list(cert["flipped"])
    W2, b2 = _net(cert["witness"])
    if not J or any(sum((v[j] * W[j][i] for j in J), Fraction(0)) != 0 for i in range(d)):
        _fail("Σ_J v_j w_j is not zero.")
    want_W = [[-x for x in W[j]] if j in J else list(W[j]) for j in range(h)]
    want_b = [-b[j] if j in J else b[j] for j in range(h)]
    want_c = c + sum((v[j] * b[j] for j in J), Fraction(0))
    if W2[0] != want_W or b2[0] != want_b or W2[1] != [list(v)] or b2[1] != [want_c]:
        _fail("the witness is not the flip of J.")
    corners = [list(p) for p in itertools.product(*box)] if d <= 10 else []
    for x in corners + [[(lo + hi) / 2 for lo, hi in box]]:
        if _evaluate(Ws, bs, x) != _evaluate(W2, b2, x):
            _fail(f"the two networks differ at {x}.")
    if _l1_keys(W, b) == _l1_keys(W2[0], b2[0]):
        _fail("the witness has the same normalised neurons (it may be a rescaling).")
    return f"flip witness on J = {J} checked (identity relu(z) - relu(-z) = z)"

"""Tests of exactsparse.relu against independent routes: brute-force path enumeration
(itertools), sympy differentiation, the published examples of the spec, and the checkers."""

from __future__ import annotations

import itertools
import json
import math
import random
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import exactsparse as es
from exactsparse.relu import (Network, activation_matrix, canonical_form, equivalent,
                              iter_pathlift, lipschitz_bound, local_identifiability,
                              path_count, path_lifting, path_magnitudes, path_names, path_norm,
                              path_norm_q, pathlift, pathlift_blocks, pathlift_jacobian,
                              pathlift_jacobian_rank, pathlift_vector, permute, random_network,
                              rescale)

SPEC = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
SHALLOW = Network([{"W": [[1], [-1]], "b": [-1, -1]}, {"W": [[1, 1]], "b": [0]}])
SHALLOW2 = Network([{"W": [[-1], [1]], "b": [1, 1]}, {"W": [[1, 1]], "b": [-2]}])
DUP = Network([{"W": [[1], [1]], "b": [0, 0]}, {"W": [[1, 2]], "b": [0]}])


def brute_phi(net):
    """Φ by enumerating index tuples with itertools (independent of the library's recursion):
    name → value, in the documented order."""
    W, b, w, L = net.weights, net.biases, net.widths, net.depth
    name = lambda l, i: f"x{i}" if l == 0 else (f"o{i}" if l == L else f"h{l}.{i}")  # noqa: E731
    out = {}
    for o in range(w[L]):
        for s in range(L):
            # (i_{L−1}, …, i_s), first index slowest: itertools.product order
            for idx in itertools.product(*[range(w[l]) for l in range(L - 1, s - 1, -1)]):
                chain = [o] + list(idx)             # neurons at layers L, L−1, …, s
                v = F(1)
                for m in range(len(chain) - 1):
                    l = L - m
                    v *= W[l - 1][chain[m]][chain[m + 1]]
                if s > 0:
                    v *= b[s - 1][chain[-1]]
                layers = list(range(L, s - 1, -1))
                out["->".join(name(l, i) for l, i in reversed(list(zip(layers, chain))))] = v
        out[name(L, o)] = b[L - 1][o]
    return out


def rand_net(widths, seed, frac=False):
    rng = random.Random(seed)

    def val():
        v = rng.choice([x for x in range(-4, 5) if x])
        return F(v, rng.randint(1, 3)) if frac else F(v)
    return Network([{"W": [[val() for _ in range(m)] for _ in range(n)], "b": [val() for _ in range(n)]}
                    for m, n in zip(widths[:-1], widths[1:])])


def rand_X(d, n, seed):
    rng = random.Random(seed)
    return [[F(rng.randint(-30, 30), rng.randint(1, 9)) for _ in range(d)] for _ in range(n)]


def off_kinks(net, X):
    """Nudge samples off the kinks (zero hidden pre-activations)."""
    from exactsparse.relu import KinkError, activation_patterns
    while True:
        try:
            activation_patterns(net, X, on_kink="error")
            return X
        except KinkError as exc:
            s = int(str(exc).split()[1])
            X[s] = [v + F(1, 97) for v in X[s]]


# ----------------------------------------------------------------------------- the spec example
def test_spec_example_values():
    phi = pathlift(SPEC)
    assert list(phi.values()) == [2, -4, -3, 0, 2, 1, 5]
    assert sum(abs(v) for v in phi.values()) == 17 == path_norm(SPEC, 1).value
    assert SPEC([2, 1]) == (2,) and SPEC([-1, 3]) == (5,) and SPEC(["1/2", "-7/3"]) == (F(101, 6),)


def test_spec_rescaling_and_negative_rescaling():
    r = rescale(SPEC, [[2, F(1, 3)]])
    assert pathlift(r) == pathlift(SPEC)
    for x in ([2, 1], [-1, 3], ["1/2", "-7/3"]):
        assert r(x) == SPEC(x)
    neg = rescale(SPEC, [[-1, 1]])
    assert pathlift(neg) == pathlift(SPEC)
    assert neg([2, 1]) == (0,)


def test_known_shallow_function_equality_not_equivalent():
    X = [[F(t, 3)] for t in range(-30, 31)]
    assert SHALLOW.evaluate(X) == SHALLOW2.evaluate(X)
    r = equivalent(SHALLOW, SHALLOW2)
    assert r.verdict == "not-equivalent" and "input" not in r.certificate
    assert es.verify(r, (SHALLOW, SHALLOW2))


# ----------------------------------------------------------------------------- Φ
@pytest.mark.parametrize("widths,size,n_params,rank", [
    ([1, 2, 1], 5, 7, 5), ([2, 3, 1], 10, 13, 10), ([2, 3, 2, 1], 21, 20, 15),
    ([2, 2, 2, 2], 30, 18, 14)])
def test_spec_sizes_and_ranks(widths, size, n_params, rank):
    net = rand_net(widths, seed=sum(widths))
    assert path_count(widths) == size == len(pathlift(net))
    assert net.n_params == n_params
    assert pathlift_jacobian_rank(net) == rank


@pytest.mark.parametrize("widths", [[1, 1], [2, 3, 1], [3, 2, 2, 2], [2, 1, 3, 1, 2]])
def test_pathlift_equals_brute_force(widths):
    for frac in (False, True):
        net = rand_net(widths, seed=len(widths), frac=frac)
        brute = brute_phi(net)
        assert pathlift(net) == brute
        assert list(brute) == path_names(widths)
        assert pathlift_vector(net) == list(brute.values())
        assert dict(iter_pathlift(net)) == brute


@pytest.mark.parametrize("block", [1, 3, 7, 1000])
def test_blocks_equal_stream(block):
    net = rand_net([3, 4, 2, 3], seed=4, frac=True)
    vals, names = [], []
    for blk in pathlift_blocks(net, block):
        assert len(blk.values) <= max(block, max(net.widths))
        vals += blk.fractions()
        names += blk.names(net.widths)
    assert dict(zip(names, vals)) == brute_phi(net)


def test_blocks_big_integers_use_python_ints():
    net = Network([{"W": [[2**40, 3]], "b": [1]}, {"W": [[2**40]], "b": [0]}])
    (blk, *_rest) = list(pathlift_blocks(net))
    assert blk.values.dtype == object and blk.fractions() == [F(2**80), F(3 * 2**40)]


def test_float_network_blocks():
    net = SPEC.to_float()
    assert [float(v) for v in pathlift_vector(net)] == [2, -4, -3, 0, 2, 1, 5]


def test_permutation_equivariance():
    net = rand_net([2, 3, 2, 1], seed=9)
    p = [[2, 0, 1], [1, 0]]
    phi, phip = pathlift(net), pathlift(permute(net, p))

    def rename(name):
        parts = []
        for t in name.split("->"):
            if t.startswith("h"):
                l, i = map(int, t[1:].split("."))
                t = f"h{l}.{p[l - 1].index(i)}"        # old i sits at new position
            parts.append(t)
        return "->".join(parts)
    assert {rename(k): v for k, v in phi.items()} == phip


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 10**6))
def test_rescaling_invariance_any_sign(widths, seed):
    net = rand_net(widths, seed)
    rng = random.Random(seed)
    lam = [[F(rng.choice([-3, -1, 1, 2, 5]), rng.randint(1, 4)) for _ in range(n)]
           for n in widths[1:-1]]
    assert pathlift(rescale(net, lam)) == pathlift(net)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 10**6))
def test_alpha_times_phi_is_the_network(widths, seed):
    net = rand_net(widths, seed, frac=True)
    X = rand_X(widths[0], 3, seed)
    A, phi = activation_matrix(net, X), pathlift_vector(net)
    R = [sum((a * p for a, p in zip(row, phi)), F(0)) for row in A]
    assert R == [v for row in net.evaluate(X) for v in row]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=3, max_size=4), st.integers(0, 10**6))
def test_jacobian_rank_is_params_minus_hidden(widths, seed):
    net = rand_net(widths, seed, frac=True)      # nonzero weights: off the degenerate set
    assert pathlift_jacobian_rank(net) == net.n_params - net.n_hidden


def test_jacobian_against_sympy():
    widths = [2, 2, 2, 1]
    net = rand_net(widths, seed=5)
    syms = sympy.symbols(f"t0:{net.n_params}")
    # parameters are ordered W_l row-major then b_l
    it = iter(syms)
    Ws, bs = [], []
    for m, n in zip(widths[:-1], widths[1:]):
        Ws.append([[next(it) for _ in range(m)] for _ in range(n)])
        bs.append([next(it) for _ in range(n)])
    # symbolic Φ by the brute-force enumeration on a symbolic weight table
    class Sym:                                    # duck-typed network for brute_phi
        weights, biases, widths, depth = Ws, bs, net.widths, net.depth
    phi_sym = list(brute_phi(Sym).values())
    J = sympy.Matrix(phi_sym).jacobian(syms)
    theta = [v for W, b in zip(net.weights, net.biases) for v in [*sum(map(list, W), []), *b]]
    J0 = J.subs(dict(zip(syms, [sympy.Rational(v.numerator, v.denominator) for v in theta])))
    mine = pathlift_jacobian(net)
    assert [[F(int(v.p), int(v.q)) for v in J0.row(i)] for i in range(J0.rows)] == mine
    assert J0.rank() == pathlift_jacobian_rank(net) == pathlift_jacobian_rank(net, backend="sympy")


# ----------------------------------------------------------------------------- symmetries
@pytest.mark.parametrize("widths", [[2, 3, 1], [2, 3, 3, 2], [1, 4, 2, 1]])
def test_canonical_invariant_under_symmetries(widths):
    net = rand_net(widths, seed=11, frac=True)
    rng = random.Random(1)
    lam = [[F(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(n)] for n in widths[1:-1]]
    perm = [rng.sample(range(n), n) for n in widths[1:-1]]
    other = permute(rescale(net, lam), perm)
    c1, c2 = canonical_form(net), canonical_form(other)
    assert c1.network == c2.network
    assert es.verify(c1, net) and es.verify(c2, other.to_dict())
    X = rand_X(widths[0], 5, 3)
    assert Network(c1.network).evaluate(X) == net.evaluate(X) == other.evaluate(X)
    r = equivalent(net, other)
    assert r.verdict == "equivalent"
    assert permute(rescale(net, r.certificate["scaling"]), r.certificate["permutation"]) == other
    assert es.verify(r.to_json(), (net.to_dict(), other.to_dict()))


def test_canonical_norms_are_one():
    c = canonical_form(rand_net([3, 4, 2], seed=2, frac=True), norm="linf")
    for layer in c.network["layers"][:-1]:
        for row, bias in zip(layer["W"], layer["b"]):
            assert max(abs(F(v)) for v in [*row, bias]) == 1


def test_not_equivalent_with_input_witness():
    other = Network([{"W": [[1, -2], [3, 0]], "b": [1, -1]}, {"W": [[2, -1]], "b": [6]}])
    r = equivalent(SPEC, other)
    assert r.verdict == "not-equivalent"
    x = list(r.certificate["input"])
    assert SPEC(x) != other(x)
    assert es.verify(r, (SPEC, other))


def test_duplicates_and_degenerate_verdicts():
    c = canonical_form(DUP)
    assert c.verdict == "duplicate-neurons" and list(c.certificate["duplicates"]) == ["h1.1"]
    assert es.verify(c, DUP)
    merged = Network([{"W": [[1], [1]], "b": [0, 0]}, {"W": [[2, 1]], "b": [0]}])
    r = equivalent(DUP, merged)          # swap of the duplicates: equivalent
    assert r.verdict == "equivalent" and es.verify(r, (DUP, merged))
    same_fn = Network([{"W": [[1], [2]], "b": [0, 0]}, {"W": [[0, F(3, 2)]], "b": [0]}])
    r = equivalent(DUP, same_fn)         # degenerate (zero outgoing) but the same function
    assert r.verdict == "unknown" and "degenerate" in r.certificate["reason"]
    assert es.verify(r, (DUP, same_fn))


# ----------------------------------------------------------------------------- path-norms
@pytest.mark.parametrize("q", [1, 2, 3])
def test_path_norm_exact_vs_brute(q):
    for widths in ([2, 3, 1], [3, 2, 2, 2], [1, 3, 1, 2, 1]):
        net = rand_net(widths, seed=q, frac=True)
        want = sum(abs(v) ** q for v in brute_phi(net).values())
        r = path_norm(net, q)
        assert r.value == want and path_norm_q(net, q) == want
        assert math.isclose(r.value_float, float(want) ** (1 / q))
        assert es.verify(r, net)


def test_path_norm_float_q():
    net = rand_net([3, 3, 2, 2], seed=7, frac=True)
    want = sum(abs(float(v)) ** 1.5 for v in brute_phi(net).values()) ** (1 / 1.5)
    r = path_norm(net.to_float(), 1.5)
    assert r.value is None and math.isclose(r.value_float, want, rel_tol=1e-12)
    assert es.verify(r, net.to_float())


def test_lipschitz_bound_holds():
    net = rand_net([3, 4, 3, 2], seed=8, frac=True)
    C = lipschitz_bound(net)
    input_paths = sum(abs(v) for k, v in brute_phi(net).items() if k.startswith("x"))
    assert C == input_paths <= path_norm(net, 1).value
    X = rand_X(3, 40, 1)
    Y = net.evaluate(X)
    for (x, y), (x2, y2) in itertools.combinations(list(zip(X, Y)), 2):
        assert sum(abs(a - c) for a, c in zip(y, y2)) <= C * max(abs(a - c) for a, c in zip(x, x2))


def test_path_magnitudes_vs_brute():
    net = rand_net([2, 3, 2, 2], seed=3, frac=True)
    scores = path_magnitudes(net, 2)
    phi = brute_phi(net)
    L = net.depth

    def through(l, i, j):          # paths using W_l[i, j]
        src = f"x{j}" if l == 1 else f"h{l - 1}.{j}"
        dst = f"o{i}" if l == L else f"h{l}.{i}"
        return sum(abs(v) ** 2 for k, v in phi.items() if _has_edge(k, src, dst))
    for l in range(1, L + 1):
        S, s = scores[l - 1]
        for i in range(net.widths[l]):
            for j in range(net.widths[l - 1]):
                assert S[i][j] == through(l, i, j)
            start = f"o{i}" if l == L else f"h{l}.{i}"
            assert s[i] == sum(abs(v) ** 2 for k, v in phi.items() if k.split("->")[0] == start)


def _has_edge(path, src, dst):
    nodes = path.split("->")
    return any(a == src and c == dst for a, c in zip(nodes, nodes[1:]))


# ----------------------------------------------------------------------------- local identifiability
def test_spec_local_ident_cases():
    r = local_identifiability(SHALLOW, [[-3], [-2], [0], [2], [3]])
    c = r.certificate
    assert (c["rank_gamma"], c["rank_A"], c["D"], c["C_S"], c["C_N"]) == (5, 5, 5, True, True)
    assert es.verify(r, (SHALLOW, [[-3], [-2], [0], [2], [3]]))
    r = local_identifiability(SHALLOW, [[-3], [0], [3]])
    assert (r.certificate["rank_gamma"], r.verdict) == (3, "not-locally-identifiable")
    for X in ([[1], [2], [3], [-1]], [[F(1, 2)], [5], [-2], [7], [9], [-3]]):
        r = local_identifiability(DUP, X)
        assert r.certificate["C_N"] is False and es.verify(r, (DUP, X))


def _gamma_sympy(net, X):
    """Γ by sympy differentiation of the network with its activation pattern frozen."""
    syms = sympy.symbols(f"t0:{net.n_params}")
    theta = [v for W, b in zip(net.weights, net.biases) for v in [*sum(map(list, W), []), *b]]
    sub = dict(zip(syms, [sympy.Rational(v.numerator, v.denominator) for v in theta]))
    it = iter(syms)
    layers = []
    for m, n in zip(net.widths[:-1], net.widths[1:]):
        layers.append((sympy.Matrix(n, m, [next(it) for _ in range(n * m)]),
                       sympy.Matrix([next(it) for _ in range(n)])))
    rows = []
    for x in X:
        f = sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for v in x])
        for l, (W, b) in enumerate(layers, start=1):
            f = W * f + b
            if l < len(layers):
                f = sympy.Matrix([e if e.subs(sub) > 0 else 0 for e in f])
        for e in f:
            rows.append([sympy.diff(e, t).subs(sub) for t in syms])
    frozen = set()
    offs = [0]
    for m, n in zip(net.widths[:-1], net.widths[1:]):
        offs.append(offs[-1] + n * (m + 1))
    for l in range(1, net.depth):
        Wn = net.weights[l]
        for i in range(net.widths[l]):
            col = [abs(r[i]) for r in Wn]
            k = col.index(max(col))
            frozen.add(offs[l] + k * net.widths[l] + i)
    keep = [j for j in range(net.n_params) if j not in frozen]
    return sympy.Matrix([[r[j] for j in keep] for r in rows])


@pytest.mark.parametrize("widths,n", [([2, 3, 1], 4), ([2, 3, 1], 9), ([2, 2, 2, 2], 3),
                                      ([1, 3, 2, 1], 12)])
def test_local_ident_ranks_vs_sympy(widths, n):
    net = rand_net(widths, seed=n, frac=True)
    X = off_kinks(net, rand_X(widths[0], n, seed=n))
    G = _gamma_sympy(net, X)
    A = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row]
                      for row in activation_matrix(net, X)])
    r_fast = local_identifiability(net, X, exact="never")
    r_exact = local_identifiability(net, X, exact="always")
    assert r_exact.certificate["rank_gamma"] == G.rank()
    assert r_exact.certificate["rank_A"] == A.rank()
    assert r_exact.certificate["D"] == G.cols
    if r_fast.verdict != "unknown":
        assert r_fast.verdict == r_exact.verdict
    assert es.verify(r_exact, (net, X)) and es.verify(r_fast, (net, X))


# ----------------------------------------------------------------------------- checkers reject
def test_tampered_certificates_are_rejected():
    other = permute(rescale(SPEC, [[2, 3]]), [[1, 0]])
    r = equivalent(SPEC, other).to_dict()
    r["certificate"]["scaling"][0][0] = "5"
    assert not es.verify(r, (SPEC, other))
    p = path_lifting(SPEC).to_dict()
    p["certificate"]["phi"]["o0"] = "6"
    assert not es.verify(p, SPEC)
    n = path_norm(SPEC, 1).to_dict()
    n["certificate"]["value"] = "18"
    assert not es.verify(n, SPEC)
    li = local_identifiability(SHALLOW, [[-3], [0], [3]]).to_dict()
    li["certificate"]["rank_gamma"] = 5
    assert not es.verify(li, (SHALLOW, [[-3], [0], [3]]))
    c = canonical_form(SPEC).to_dict()
    c["certificate"]["network"]["layers"][1]["b"] = ["4"]
    assert not es.verify(c, SPEC)


# ----------------------------------------------------------------------------- JSON, CLI
def test_json_round_trips():
    for net in (SPEC, rand_net([2, 3, 2], 1, frac=True), SPEC.to_float()):
        assert Network.from_json(net.to_json()) == net
    for r in (path_lifting(SPEC), canonical_form(SPEC), path_norm(SPEC, 2),
              local_identifiability(SHALLOW, [[-3], [0], [3]])):
        assert es.Result.from_json(r.to_json()) == r


def test_cli_contract(tmp_path, capsys):
    from exactsparse.cli import main
    a, b, x = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "X.txt"
    a.write_text(SPEC.to_json())
    b.write_text(permute(rescale(SPEC, [[3, 2]]), [[1, 0]]).to_json())
    x.write_text("1 -1\n2 3\n-1 -2\n1/2 5\n")

    def run(*argv):
        assert main(list(argv)) == 0
        return json.loads(capsys.readouterr().out)
    out = run("relu", "pathlift", str(a), "--json")
    assert out["phi"]["x1->h1.0->o0"] == "-4" and out["size"] == 7
    out = run("relu", "canonical", str(a), "--json")
    assert Network(out) == Network(canonical_form(SPEC).network)
    out = run("relu", "equivalent", str(a), str(b), "--json")
    assert out["verdict"] == "equivalent" and "scaling" in out["certificate"]
    saved = tmp_path / "e.json"
    saved.write_text(json.dumps(out))
    assert run("relu", "verify", str(saved), str(a), str(b), "--json")["valid"]
    out = run("relu", "pathnorm", str(a), "-q", "1", "--json")
    assert out["value"] == "17" and out["value_float"] == 17.0
    out = run("relu", "local-ident", str(a), "--samples", str(x), "--json")
    assert {"C_N", "C_S", "rank_gamma", "rank_A", "D", "result"} <= set(out)
    saved.write_text(json.dumps(out))
    assert run("relu", "verify", str(saved), str(a), "--samples", str(x), "--json")["valid"]


def test_random_network_helper():
    net = random_network([3, 5, 2], seed=2)
    assert net.widths == (3, 5, 2) and all(v != 0 for W in net.weights for r in W for v in r)


# ----------------------------------------------------------------------------- DAG networks
def test_dag_matches_layered_network():
    from exactsparse.relu import DagNetwork, dag_pathlift
    for widths in ([2, 3, 1], [3, 2, 2, 2]):
        net = rand_net(widths, seed=4, frac=True)
        dag = DagNetwork.from_network(net)
        assert dag_pathlift(dag) == brute_phi(net)
        X = rand_X(widths[0], 6, 2)
        assert [list(dag(x)) for x in X] == [list(r) for r in net.evaluate(X)]
        for q in (1, 2):
            r = path_norm(dag, q)
            assert r.value == path_norm(net, q).value and es.verify(r, dag.to_dict())
        assert DagNetwork(json.dumps(dag.to_dict())) == dag


def test_dag_skip_max_identity_by_hand():
    from exactsparse.relu import DagNetwork, dag_pathlift
    dag = DagNetwork({"inputs": 2, "nodes": [
        {"name": "h0", "kind": "relu", "bias": -1, "in": {"x0": 1, "x1": 2}},
        {"name": "i0", "kind": "identity", "bias": "1/2", "in": {"x1": -1}},
        {"name": "m0", "kind": "max", "in": {"h0": 3, "i0": 1}},
        {"name": "o0", "kind": "output", "bias": 1, "in": {"m0": 2, "x0": -1}},
        {"name": "o1", "kind": "output", "bias": 0, "in": {"h0": 1}}]})
    x0, x1 = F(3), F(-2)
    h0 = max(x0 + 2 * x1 - 1, 0)
    i0 = -x1 + F(1, 2)
    m0 = max(3 * h0, i0)
    assert dag([x0, x1]) == (2 * m0 - x0 + 1, h0)
    phi = dag_pathlift(dag)
    want = {"x0->h0->m0->o0": 6, "x1->h0->m0->o0": 12, "h0->m0->o0": -6,
            "x1->i0->m0->o0": -2, "i0->m0->o0": 1, "x0->o0": -1, "o0": 1,
            "x0->h0->o1": 1, "x1->h0->o1": 2, "h0->o1": -1, "o1": 0}
    assert phi == want
    for q in (1, 2, 3):
        r = path_norm(dag, q)
        assert r.value == sum(abs(F(v)) ** q for v in want.values()) and es.verify(r, dag)
    r = path_norm(DagNetwork(json.dumps({**dag.to_dict(), "nodes": [
        {**n, "in": {u: float(F(w)) for u, w in n["in"].items()}} for n in dag.to_dict()["nodes"]]})), 1.5)
    assert math.isclose(r.value_float, sum(abs(float(v)) ** 1.5 for v in want.values()) ** (1 / 1.5))


# ----------------------------------------------------------------------------- shallow networks
def test_shallow_identifiable_and_unknown():
    from exactsparse.relu import shallow_identifiability
    net = Network([{"W": [[1], [2]], "b": [0, -1]}, {"W": [[1, 1]], "b": [0]}])
    r = shallow_identifiability(net, [(-2, 2)])
    assert r.verdict == "identifiable" and es.verify(r, net)
    r = shallow_identifiability(net, [(1, 2)])           # x = 0 does not meet (1, 2)
    assert (r.verdict, r.certificate["failed"], r.certificate["neuron"]) == ("unknown", "b", 0)
    assert es.verify(r, net)
    same = Network([{"W": [[1], [-2]], "b": [1, -2]}, {"W": [[1, 1]], "b": [0]}])
    r = shallow_identifiability(same, [(-3, 3)])         # both hyperplanes are x = -1
    assert r.certificate["failed"] == "c" and es.verify(r, same)


def test_shallow_flip_witness_2d():
    from exactsparse.relu import shallow_identifiability
    net = Network([{"W": [[1, 0], [2, 1], [-2, 0]], "b": [F(1, 2), -1, F(1, 3)]},
                   {"W": [[2, 5, 1]], "b": [3]}])
    r = shallow_identifiability(net, [(-4, 4), (-4, 4)])
    assert r.verdict == "not-identifiable" and list(r.certificate["flipped"]) == [0, 2]
    other = Network(r.to_dict()["certificate"]["witness"])
    X = rand_X(2, 200, 5)
    assert other.evaluate(X) == net.evaluate(X)
    assert equivalent(net, other).verdict == "not-equivalent"
    assert es.verify(r, net)
    bad = r.to_dict()
    bad["certificate"]["witness"]["layers"][1]["b"] = ["0"]
    assert not es.verify(bad, net)


def test_shallow_spec_example():
    from exactsparse.relu import shallow_identifiability
    r = shallow_identifiability(SHALLOW, [(-5, 5)])
    assert r.verdict == "not-identifiable"
    assert Network(r.to_dict()["certificate"]["witness"]) == SHALLOW2
    assert es.verify(r, SHALLOW)


def test_local_ident_verify_routes():
    net = rand_net([3, 8, 8, 1], seed=2, frac=True)
    X = off_kinks(net, rand_X(3, 20, 9))
    r = local_identifiability(net, X, exact="never")
    c = r.certificate
    assert c["rank_gamma"] in (c["D"], len(X))           # settled by the mod-p rank
    v = es.verify(r, (net, X))
    assert v and "mod" in v.message
    r2 = local_identifiability(net, X, exact="always")
    assert (r2.certificate["rank_gamma"], r2.certificate["rank_A"]) == (c["rank_gamma"], c["rank_A"])
    bad = r.to_dict()
    bad["certificate"]["prime"] = 1048571 * 3
    assert not es.verify(bad, (net, X))
    r3 = local_identifiability(DUP, [[1], [2], [3], [-1]])   # R_Γ = 3: below every bound
    v3 = es.verify(r3, (DUP, [[1], [2], [3], [-1]]))
    assert v3 and "over Q" in v3.message

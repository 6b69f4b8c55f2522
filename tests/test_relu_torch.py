"""PyTorch support of exactsparse.relu (skipped without the torch extra).

Independent route for traced models: the model is unrolled by hand into a DagNetwork (one node
per activation, conv windows as edges, max-pooling as max nodes, BN folded), whose exact
path-norm is itself checked against path enumeration in tests/test_relu.py."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

torch = pytest.importorskip("torch", reason="the optional extra 'torch' is not installed")

from exactsparse.relu import (DagNetwork, Network, UnsupportedModelError,  # noqa: E402
                              dag_pathlift, from_torch, path_norm, to_torch, torch_path_norm)

nn = torch.nn


def _mlp(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(),
                         nn.Linear(4, 2)).double()


@pytest.mark.parametrize("q", [1, 2, 3, 1.5])
def test_mlp_path_norm_matches_exact(q):
    seq = _mlp(q if isinstance(q, int) else 7)
    net = from_torch(seq, exact=True)
    want = path_norm(net, q).value_float if isinstance(q, int) else \
        path_norm(net.to_float(), q).value_float
    assert math.isclose(torch_path_norm(seq, (1, 3), q=q), want, rel_tol=1e-12)


def test_import_is_exact_and_export_round_trips():
    seq = _mlp(0)
    net = from_torch(seq, exact=True)
    assert net.exact and net.weights[0][0][0] == F(float(seq[0].weight[0, 0]))
    assert not from_torch(seq).exact
    back = to_torch(net)
    x = torch.randn(5, 3, dtype=torch.float64)
    assert torch.equal(back(x), seq(x))
    assert from_torch(back, exact=True) == net


class Tiny(nn.Module):
    """conv(+BN folded) → ReLU → residual conv → max-pool → avg-pool → flatten → linear."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 2, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(2)
        self.r = nn.ReLU()
        self.c2 = nn.Conv2d(2, 2, 3, padding=1, bias=False)
        self.mp = nn.MaxPool2d(2)
        self.ap = nn.AvgPool2d(2)
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        y = self.r(self.bn(self.c1(x)))
        z = y + self.c2(y)
        return self.fc(torch.flatten(self.ap(self.mp(z)), 1))


def _tiny():
    torch.manual_seed(3)
    m = Tiny().double()
    with torch.no_grad():
        m.bn.running_mean.uniform_(-1, 1)
        m.bn.running_var.uniform_(0.5, 2)
        m.bn.weight.uniform_(-2, 2)
        m.bn.bias.uniform_(-1, 1)
    return m.eval()


def _unrolled_dag(m):
    """The DAG of Tiny on a 1×4×4 input, with exact weights (binary rationals)."""
    ex = lambda t: F(float(t))  # noqa: E731
    nodes = []
    inp = {(0, i, j): f"x{i * 4 + j}" for i in range(4) for j in range(4)}
    a = m.bn.weight.detach() / torch.sqrt(m.bn.running_var + m.bn.eps)
    W1 = m.c1.weight.detach() * a.reshape(-1, 1, 1, 1)
    b1 = (m.c1.bias.detach() - m.bn.running_mean) * a + m.bn.bias.detach()

    def conv(src, W, b, cin, name, kind):
        out = {}
        for c in range(W.shape[0]):
            for i in range(4):
                for j in range(4):
                    ins = {}
                    for d in range(cin):
                        for u in range(3):
                            for v in range(3):
                                ii, jj = i + u - 1, j + v - 1
                                if 0 <= ii < 4 and 0 <= jj < 4:
                                    ins[src[(d, ii, jj)]] = ex(W[c, d, u, v])
                    out[(c, i, j)] = f"{name}{c}_{i}_{j}"
                    nodes.append({"name": out[(c, i, j)], "kind": kind,
                                  "bias": ex(b[c]) if b is not None else 0, "in": ins})
        return out
    y = conv(inp, W1, b1, 1, "y", "relu")
    c2 = conv(y, m.c2.weight.detach(), None, 2, "c", "identity")
    z = {}
    for key in y:
        z[key] = "z%d_%d_%d" % key
        nodes.append({"name": z[key], "kind": "identity", "bias": 0,
                      "in": {y[key]: 1, c2[key]: 1}})
    mp = {}
    for c in range(2):
        for i in range(2):
            for j in range(2):
                mp[(c, i, j)] = f"m{c}_{i}_{j}"
                nodes.append({"name": mp[(c, i, j)], "kind": "max",
                              "in": {z[(c, 2 * i + u, 2 * j + v)]: 1 for u in (0, 1) for v in (0, 1)}})
    ap = []
    for c in range(2):
        ap.append(f"a{c}")
        nodes.append({"name": f"a{c}", "kind": "identity", "bias": 0,
                      "in": {mp[(c, i, j)]: F(1, 4) for i in (0, 1) for j in (0, 1)}})
    nodes.append({"name": "o0", "kind": "output", "bias": ex(m.fc.bias[0]),
                  "in": {ap[c]: ex(m.fc.weight[0, c]) for c in range(2)}})
    return DagNetwork({"inputs": 16, "nodes": nodes})


def test_traced_cnn_matches_unrolled_dag():
    m = _tiny()
    dag = _unrolled_dag(m)
    x = torch.randn(1, 1, 4, 4, dtype=torch.float64)
    assert math.isclose(float(m(x)[0, 0]), float(dag([F(float(v)) for v in x.flatten()])[0]),
                        rel_tol=1e-9)
    for q in (1, 2):
        want = path_norm(dag, q).value_float
        assert math.isclose(torch_path_norm(m, (1, 1, 4, 4), q=q), want, rel_tol=1e-10)
    assert math.isclose(torch_path_norm(m, (1, 1, 4, 4), q=1.5),
                        sum(abs(float(v)) ** 1.5 for v in dag_pathlift(dag).values()) ** (1 / 1.5),
                        rel_tol=1e-10)


def test_standalone_batchnorm_and_adaptive_pool():
    torch.manual_seed(1)
    m = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.BatchNorm1d(3), nn.Linear(3, 1)).double()
    with torch.no_grad():
        m[2].running_mean.uniform_(-1, 1)
        m[2].running_var.uniform_(0.5, 2)
    m.eval()
    bn = m[2]
    a = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    c = bn.bias.detach() - a * bn.running_mean
    ex = lambda t: F(float(t))  # noqa: E731
    nodes = [{"name": f"h{i}", "kind": "relu", "bias": ex(m[0].bias[i]),
              "in": {f"x{j}": ex(m[0].weight[i, j]) for j in range(3)}} for i in range(3)]
    nodes += [{"name": f"n{i}", "kind": "identity", "bias": ex(c[i]), "in": {f"h{i}": ex(a[i])}}
              for i in range(3)]
    nodes += [{"name": "o0", "kind": "output", "bias": ex(m[3].bias[0]),
               "in": {f"n{i}": ex(m[3].weight[0, i]) for i in range(3)}}]
    dag = DagNetwork({"inputs": 3, "nodes": nodes})
    assert math.isclose(torch_path_norm(m, (1, 3), q=2), path_norm(dag, 2).value_float,
                        rel_tol=1e-10)
    g = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.AdaptiveAvgPool2d(1), nn.Flatten()).double()
    w = float(g[0].weight[0, 0, 0, 0])
    assert math.isclose(torch_path_norm(g, (1, 1, 4, 4), q=2), math.sqrt(16 * (w / 16) ** 2),
                        rel_tol=1e-12)


def test_unsupported_modules_are_listed():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Tanh())
    with pytest.raises(UnsupportedModelError, match=r"1 \(Sigmoid\).*3 \(Tanh\)"):
        torch_path_norm(m, (1, 2))
    with pytest.raises(UnsupportedModelError, match="training mode"):
        torch_path_norm(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), (1, 2))
    with pytest.raises(UnsupportedModelError, match="Sigmoid"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()))
    with pytest.raises(UnsupportedModelError, match="alternate"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))


def test_network_round_trip_through_torch_is_exact():
    net = Network([{"W": [["1/2", -3], [2, "1/4"]], "b": [1, -1]}, {"W": [[2, -1]], "b": [5]}])
    assert from_torch(to_torch(net), exact=True) == net

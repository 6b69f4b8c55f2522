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


# ---------------------------------------------------------------- torchvision's real ResNets
def _torchvision():
    try:
        from exactsparse.relu import load_torchvision
        return load_torchvision()
    except ImportError:
        pytest.skip("torchvision is not installed")


def _random_bn_stats(model, seed):
    """Random eval statistics and affine parameters in every BatchNorm (so folding matters)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                n = mod.num_features
                mod.running_mean.copy_(torch.rand(n, generator=g, dtype=torch.float64) - 0.5)
                mod.running_var.copy_(torch.rand(n, generator=g, dtype=torch.float64) + 0.5)
                mod.weight.copy_(4 * torch.rand(n, generator=g, dtype=torch.float64) - 2)
                mod.bias.copy_(torch.rand(n, generator=g, dtype=torch.float64) - 0.5)
    return model.eval()


class _Scale(nn.Module):
    """x ↦ s·x + t per channel (an identity neuron with weight s and bias t)."""

    def __init__(self, s, t):
        super().__init__()
        self.s, self.t = s.reshape(1, -1, 1, 1), t.reshape(1, -1, 1, 1)

    def forward(self, x):
        return x * self.s + self.t


class _SumPool(nn.Module):
    """A max-pooling neuron's paths: every input of the window, weight 1 (zero padding)."""

    def __init__(self, k, s, p):
        super().__init__()
        self.k, self.s, self.p = k, s, p

    def forward(self, x):
        x = nn.functional.pad(x, (self.p,) * 4)
        return x.unfold(2, self.k, self.s).unfold(3, self.k, self.s).sum(dim=(-1, -2))


class _GlobalPool(nn.Module):
    """Global average pooling of |θ|^q: one identity neuron per channel, weights (1/(H·W))^q."""

    def __init__(self, q):
        super().__init__()
        self.q = q

    def forward(self, x):
        return x.sum(dim=(-1, -2), keepdim=True) / float(x.shape[-1] * x.shape[-2]) ** self.q


def _reference_path_norm(model, shape, q):
    """Gonon–Brisebarre–Riccietti–Gribonval (ICLR 2024), Thm. 3.1: ‖Φ(θ)‖_q^q is the ℓ1 norm of
    the output, on the all-ones input, of the network with parameters |θ|^q in which ReLU is the
    identity and each max-pooling neuron sums its inputs.  Module surgery on a copy, run by the
    model's own ``forward`` (residual additions as torchvision writes them, no fx); each
    batch-norm kept as its own per-channel identity neuron (|a|^q, |c|^q), which equals folding
    it into the preceding bias-free convolution."""
    import copy
    m = copy.deepcopy(model)

    def fix(parent):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                a = child.weight / torch.sqrt(child.running_var + child.eps)
                c = child.bias - a * child.running_mean
                setattr(parent, name, _Scale(a.abs() ** q, c.abs() ** q))
            elif isinstance(child, nn.ReLU):
                setattr(parent, name, nn.Identity())
            elif isinstance(child, nn.MaxPool2d):
                setattr(parent, name, _SumPool(child.kernel_size, child.stride, child.padding))
            elif isinstance(child, nn.AdaptiveAvgPool2d):
                assert child.output_size in (1, (1, 1))
                setattr(parent, name, _GlobalPool(q))
            elif isinstance(child, (nn.Conv2d, nn.Linear)):
                with torch.no_grad():
                    child.weight.copy_(child.weight.abs() ** q)
                    if child.bias is not None:
                        child.bias.copy_(child.bias.abs() ** q)
            else:
                fix(child)
    fix(m)
    with torch.no_grad():
        return float(m(torch.ones(shape, dtype=torch.float64)).abs().sum()) ** (1 / q)


@pytest.mark.parametrize("arch, side, q", [("resnet18", 224, 1), ("resnet18", 224, 2),
                                           ("resnet18", 64, 1.5), ("resnet50", 96, 1),
                                           ("resnet50", 64, 2)])
def test_torchvision_resnet_matches_reference(arch, side, q):
    tv = _torchvision()
    torch.manual_seed(0)
    model = _random_bn_stats(getattr(tv.models, arch)().double(), 1)
    with torch.no_grad():
        model.fc.bias.uniform_(-1, 1)
    shape = (1, 3, side, side)
    got, want = torch_path_norm(model, shape, q=q), _reference_path_norm(model, shape, q)
    assert math.isfinite(got) and got > 0
    assert abs(got - want) <= 1e-10 * want
    if q == 1:                                   # ‖Φ‖₂ ≤ ‖Φ‖₁ (norms of the same vector)
        assert torch_path_norm(model, shape, q=2) <= got


@pytest.mark.slow
def test_torchvision_resnet50_full_size():
    tv = _torchvision()
    torch.manual_seed(2)
    model = _random_bn_stats(tv.models.resnet50().double(), 3)
    shape = (1, 3, 224, 224)
    got, want = torch_path_norm(model, shape, q=1), _reference_path_norm(model, shape, 1)
    assert abs(got - want) <= 1e-10 * want


def test_torchvision_resnet_refuses_training_mode_and_float32_agrees():
    tv = _torchvision()
    torch.manual_seed(4)
    model = tv.models.resnet18()
    with pytest.raises(UnsupportedModelError, match=r"bn1 \(BatchNorm in training mode"):
        torch_path_norm(model, (1, 3, 32, 32))
    model.eval()
    v32 = torch_path_norm(model, (1, 3, 32, 32), q=1, dtype=torch.float32)
    v64 = torch_path_norm(model, (1, 3, 32, 32), q=1)
    assert math.isclose(v32, v64, rel_tol=1e-4)


class _Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.lstm = nn.LSTM(4, 4)
        self.soft = nn.Softmax(dim=-1)

    def forward(self, x):
        y, _ = self.lstm(self.fc(x))
        return self.soft(torch.cat([y, x], dim=-1)) + 1


def test_unsupported_modules_and_ops_are_all_named():
    with pytest.raises(UnsupportedModelError) as err:
        torch_path_norm(_Mixed(), (1, 1, 4))
    msg = str(err.value)
    for part in ("module lstm (LSTM)", "module soft (Softmax)", "function cat",
                 "function getitem", "add of a constant"):
        assert part in msg
    assert "fc" not in msg


def test_untraceable_model_is_refused():
    class Branchy(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x
    with pytest.raises(UnsupportedModelError, match="cannot be traced"):
        torch_path_norm(Branchy(), (1, 2))


def test_adaptive_pool_with_unequal_windows():
    torch.manual_seed(5)
    g = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.AdaptiveAvgPool2d((2, 3)),
                      nn.Flatten()).double()
    w = abs(float(g[0].weight[0, 0, 0, 0]))
    # 5 rows → windows [0,3), [2,5); 7 columns → [0,3), [2,5), [4,7): each size 9.
    assert math.isclose(torch_path_norm(g, (1, 1, 5, 7), q=2), math.sqrt(6 * 9 * (w / 9) ** 2),
                        rel_tol=1e-12)


def test_linear_on_leading_axes_and_bn_on_another_axis():
    torch.manual_seed(6)
    lin = nn.Linear(3, 2).double()
    W, b = lin.weight.detach().abs(), lin.bias.detach().abs()
    # (1, 4, 3): four copies of the layer (shared weights), each with its bias paths
    assert math.isclose(torch_path_norm(nn.Sequential(lin), (1, 4, 3), q=1),
                        4 * float(W.sum() + b.sum()), rel_tol=1e-12)
    bn = nn.BatchNorm1d(4).double()
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.weight.uniform_(-2, 2)
    bn.eval()
    a = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    c = bn.bias.detach() - a * bn.running_mean
    # BN normalises axis 1 (the 4 copies), not the Linear's outputs: no folding
    want = sum(float(a[i].abs() * (W.sum() + b.sum()) + 2 * c[i].abs()) for i in range(4))
    assert math.isclose(torch_path_norm(nn.Sequential(lin, bn), (1, 4, 3), q=1), want,
                        rel_tol=1e-12)
    with pytest.raises(UnsupportedModelError, match="add with alpha"):
        torch_path_norm(_AddAlpha(), (1, 2))


class _AddAlpha(nn.Module):
    def forward(self, x):
        return x.add(x, alpha=2)

"""Benchmarks for issue 10 (ReLU networks), BLAS on one thread (threadpoolctl):

1. Exact ‖Φ‖₁ and ‖Φ‖₂² of a 10-layer, width-256 MLP with small integer weights (target ≤ 1 s),
   checked against a float64 forward pass.
2. Local-identifiability ranks of a [10, 64, 64, 1] network from 2,000 samples, modulo a prime
   (target ≤ 5 s); flint vs sympy exact ranks of DΦ side by side on a smaller case.
3. Φ streamed block by block for a net with ≥ 10⁷ paths; peak resident memory reported
   (target ≤ 1 GB).
4. (with torch) path-norm of torchvision's ``resnet18()`` (random weights and BN statistics,
   eval, float64; the architecture rebuilt here when torchvision is missing) vs one forward
   pass on one 224×224 image (target ≤ 3×), and an independent implementation (module
   surgery run by the model's own forward instead of fx interpretation) to 1e-10.

Run: ``python benchmarks/bench_relu.py``.
"""

from __future__ import annotations

import random
import resource
import time
from fractions import Fraction

import numpy as np
from threadpoolctl import threadpool_limits

from exactsparse.relu import (Network, local_identifiability, path_count, path_norm,
                              pathlift_blocks, pathlift_jacobian_rank, random_network)


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def bench_pathnorm():
    net = random_network([256] * 11, seed=0, low=-2, high=2, zero=True)
    r1, t1 = _timed(path_norm, net, 1)
    r2, t2 = _timed(path_norm, net, 2)
    v = np.ones(256)
    for W, b in net.numpy_layers():
        v = np.abs(W) @ v + np.abs(b)
    rel = abs(float(r1.value) - v.sum()) / v.sum()
    print(f"[1] 10 layers × 256: exact ‖Φ‖₁ in {t1:.3f} s ({r1.value.numerator.bit_length()} "
          f"bits, float64 forward pass agrees to {rel:.1e}); exact ‖Φ‖₂² in {t2:.3f} s "
          f"(target ≤ 1 s each)")


def bench_local_ident():
    rng = random.Random(0)
    net = Network([{"W": [[Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4))
                           for _ in range(m)] for _ in range(n)],
                    "b": [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(n)]}
                   for m, n in [(10, 64), (64, 64), (64, 1)]])
    X = [[Fraction(rng.randint(-100, 100), rng.randint(1, 50)) for _ in range(10)]
         for _ in range(2000)]
    r, t = _timed(local_identifiability, net, X, exact="never")
    c = r.certificate
    print(f"[2] [10, 64, 64, 1], 2000 samples: mod-p ranks R_Γ = {c['rank_gamma']}, "
          f"R_A = {c['rank_A']}, D = {c['D']} (certified: {dict(c['exact'])}), verdict "
          f"{r.verdict} in {t:.2f} s (target ≤ 5 s)")
    small = random_network([3, 4, 4, 2], seed=1)
    (rf, tf), (rs, ts) = (_timed(pathlift_jacobian_rank, small),
                          _timed(pathlift_jacobian_rank, small, backend="sympy"))
    print(f"    rank DΦ of [3, 4, 4, 2] ({path_count(small.widths)}×{small.n_params}): flint "
          f"{rf} in {tf * 1e3:.1f} ms, sympy {rs} in {ts * 1e3:.1f} ms")
    X2 = X[:60]
    net2 = Network([{"W": [r[:5] for r in net.to_dict()["layers"][0]["W"][:8]],
                     "b": net.to_dict()["layers"][0]["b"][:8]},
                    {"W": [[1, -2, 3, 1, 1, -1, 2, 1]], "b": [1]}])
    X2 = [x[:5] for x in X2]
    (re_, te), (rp, tp) = (_timed(local_identifiability, net2, X2, exact="always"),
                           _timed(local_identifiability, net2, X2, exact="never"))
    print(f"    [5, 8, 1], 60 samples: exact-over-Q ranks {re_.certificate['rank_gamma']}/"
          f"{re_.certificate['rank_A']} in {te:.2f} s, mod-p {rp.certificate['rank_gamma']}/"
          f"{rp.certificate['rank_A']} in {tp:.2f} s")


def bench_stream():
    net = random_network([20, 64, 64, 64, 2], seed=3, low=-2, high=2)
    size = path_count(net.widths)
    t = time.perf_counter()
    n, acc = 0, 0
    for blk in pathlift_blocks(net, 1 << 16):
        n += len(blk.values)
        acc += int(np.abs(blk.values).sum()) // blk.denominator     # integer net: D = 1
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[3] streamed |Φ| = {n} paths (formula {size}) in {dt:.2f} s; Σ|Φ_p| = {acc} "
          f"(forward pass: {path_norm(net, 1).value}); peak RSS {peak:.0f} MB (target ≤ 1024)")


def _resnet18(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.down = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout)) if stride != 1 or cin != cout
                         else nn.Identity())

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.down(x)          # as torchvision's BasicBlock (traced as iadd)
            return self.relu(out)

    class ResNet18(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            chans, layers, cin = [64, 128, 256, 512], [], 64
            for i, c in enumerate(chans):
                layers.append(nn.Sequential(Block(cin, c, 1 if i == 0 else 2), Block(c, c, 1)))
                cin = c
            self.layers = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layers(x)
            return self.fc(torch.flatten(self.avgpool(x), 1))
    torch.manual_seed(0)
    m = ResNet18().double()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            with torch.no_grad():
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.1, 0.1)
    return m.eval()


def _surgery_norm(torch, model, q):
    """Independent route: a deep copy whose modules are replaced by their |θ|^q versions."""
    import copy
    nn = torch.nn
    m = copy.deepcopy(model)

    def fix(parent):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                a = child.weight / torch.sqrt(child.running_var + child.eps)
                c = child.bias - a * child.running_mean
                conv = nn.Conv2d(child.num_features, child.num_features, 1,
                                 groups=child.num_features).double()
                with torch.no_grad():
                    conv.weight.copy_(a.abs().pow(q).reshape(-1, 1, 1, 1))
                    conv.bias.copy_(c.abs().pow(q))
                setattr(parent, name, conv)
            elif isinstance(child, nn.ReLU):
                setattr(parent, name, nn.Identity())
            elif isinstance(child, nn.MaxPool2d):
                k = child.kernel_size
                setattr(parent, name, _SumPool(torch, k, child.stride, child.padding))
            elif isinstance(child, (nn.Conv2d, nn.Linear)):
                with torch.no_grad():
                    child.weight.abs_().pow_(q)
                    if child.bias is not None:
                        child.bias.abs_().pow_(q)
            elif isinstance(child, nn.AdaptiveAvgPool2d):
                setattr(parent, name, _ScaledMean(torch, q))
            else:
                fix(child)
    fix(m)
    with torch.no_grad():
        return float(m(torch.ones(1, 3, 224, 224, dtype=torch.float64)).sum()) ** (1 / q)


def _SumPool(torch, k, s, p):
    class SumPool(torch.nn.Module):
        def forward(self, x):        # zero padding, sum over each window
            x = torch.nn.functional.pad(x, (p, p, p, p))
            return x.unfold(2, k, s).unfold(3, k, s).sum(dim=(-1, -2))
    return SumPool()


def _ScaledMean(torch, q):
    class ScaledMean(torch.nn.Module):
        def forward(self, x):
            n = x.shape[-1] * x.shape[-2]
            return x.sum(dim=(-1, -2), keepdim=True) * (1.0 / n) ** q
    return ScaledMean()


def _best(fn, *args, reps=3, **kw):
    """Best of ``reps`` timed calls (after one warm-up call): the machine is shared."""
    out = fn(*args, **kw)
    return out, min(_timed(fn, *args, **kw)[1] for _ in range(reps))


def bench_torch():
    try:
        import torch
    except ImportError:
        print("[4] torch not installed: ResNet-18 path-norm skipped")
        return
    from exactsparse.relu import load_torchvision, torch_path_norm
    torch.set_num_threads(1)
    try:
        tv = load_torchvision()
        torch.manual_seed(0)
        m = tv.models.resnet18().double()
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                with torch.no_grad():
                    mod.running_mean.uniform_(-0.1, 0.1)
                    mod.running_var.uniform_(0.5, 1.5)
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.1, 0.1)
        m.eval()
        what = f"torchvision {tv.__version__} resnet18()"
    except ImportError:
        m, what = _resnet18(torch), "ResNet-18 rebuilt (torchvision not installed)"
    x = torch.randn(1, 3, 224, 224, dtype=torch.float64)

    def forward():
        with torch.no_grad():
            return m(x)
    _, tf = _best(forward)
    for q in (1, 2):
        val, tp = _best(torch_path_norm, m, (1, 3, 224, 224), q=q)
        ind = _surgery_norm(torch, m, q)
        print(f"[4] {what}, float64, torch {torch.__version__}, q={q}: path-norm {val:.12e} "
              f"in {tp:.2f} s vs forward pass {tf:.2f} s (best of 3 each; ratio {tp / tf:.2f}, "
              f"target ≤ 3); independent route {ind:.12e}, relative difference "
              f"{abs(val - ind) / ind:.1e}")


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        bench_stream()          # first: the peak RSS is the process's
        bench_pathnorm()
        bench_local_ident()
        bench_torch()

"""PyTorch models (optional extra ``torch``): exact import/export of ``nn.Sequential`` MLPs and
float path-norms of general models traced with ``torch.fx``.

The path-norm of a traced model follows Gonon, Brisebarre, Riccietti, Gribonval (ICLR 2024):
``‖Φ‖_q^q`` is the sum of the outputs of the model with every weight and bias replaced by
``|·|^q``, evaluated on the all-ones input, where ReLU becomes the identity, max-pooling becomes
sum-pooling, average pooling keeps its structure with weights ``|1/k|^q``, batch-norm (eval
mode) is folded into the preceding convolution/linear layer when it is that layer's only user
(else treated as its own per-channel affine map), and residual additions add.

Supported: ``Linear``, ``Conv2d`` (zero padding), ``ReLU``, ``MaxPool2d`` (no dilation, no
ceil mode), ``AvgPool2d`` (``count_include_pad`` or no padding), ``AdaptiveAvgPool2d``
(PyTorch's windows, equal or not), ``BatchNorm1d/2d`` (eval, running statistics),
``Flatten``, ``Identity``, ``Dropout``/``Dropout1d``/``Dropout2d`` (identity), ``+`` /
``torch.add`` of two tensors, ``torch.flatten``, ``F.relu``, ``.flatten()``, ``.relu()``:
torchvision's ResNet-18/50 trace with these alone.  Anything else (other modules, functions
or methods, tensors read as attributes, additions of constants) is refused with
:class:`UnsupportedModelError` listing every unsupported module and op.

Examples
--------
>>> torch = __import__("pytest").importorskip("torch", reason="the torch extra is not installed")
>>> seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
>>> net = from_torch(seq, exact=True)
>>> from exactsparse.relu import path_norm
>>> abs(torch_path_norm(seq, (1, 2), q=1) - path_norm(net, 1).value_float) < 1e-12
True
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction

from ..exceptions import ArgumentError, ExactTypeError
from .network import Network

__all__ = ["from_torch", "to_torch", "torch_path_norm", "load_torchvision",
           "UnsupportedModelError"]


class UnsupportedModelError(ExactTypeError):
    """A PyTorch model holds modules or ops outside the supported set (all of them listed)."""


def _torch():
    try:
        import torch  # noqa: PLC0415 - optional extra
    except ImportError as exc:        # pragma: no cover - depends on the environment
        raise ImportError("exactsparse.relu torch support needs the optional extra: "
                          "pip install exactsparse[torch]") from exc
    return torch


def from_torch(seq, exact=False):
    """A :class:`Network` from an ``nn.Sequential`` alternating ``Linear`` and ``ReLU``.

    ``exact=True`` converts the float64 weights *explicitly* to the binary rationals they
    store; otherwise the network holds floats.
    """
    torch = _torch()
    if not isinstance(seq, torch.nn.Sequential):
        raise ExactTypeError(f"Argument 'seq' must be a torch.nn.Sequential, not "
                             f"{type(seq).__name__}.")
    mods = list(seq)
    bad = [f"{i}: {type(m).__name__}" for i, m in enumerate(mods)
           if not isinstance(m, (torch.nn.Linear, torch.nn.ReLU))]
    if bad:
        raise UnsupportedModelError(f"Argument 'seq' may hold only Linear and ReLU modules; "
                                    f"unsupported: {bad}.")
    want = [torch.nn.Linear if i % 2 == 0 else torch.nn.ReLU for i in range(len(mods))]
    if not mods or len(mods) % 2 == 0 or any(not isinstance(m, t) for m, t in zip(mods, want)):
        raise UnsupportedModelError("Argument 'seq' must alternate Linear, ReLU, …, Linear "
                                    f"(got {[type(m).__name__ for m in mods]}).")
    layers = []
    for m in mods[::2]:
        W = m.weight.detach().double().cpu().numpy()
        b = (m.bias.detach().double().cpu().numpy() if m.bias is not None
             else [0.0] * W.shape[0])
        conv = (lambda v: Fraction(float(v))) if exact else float  # noqa: E731
        layers.append({"W": [[conv(v) for v in r] for r in W], "b": [conv(v) for v in b]})
    return Network(layers)


def to_torch(net, dtype=None):
    """The ``nn.Sequential`` (Linear, ReLU, …, Linear) of a layered :class:`Network`."""
    torch = _torch()
    dtype = dtype or torch.float64
    mods = []
    for l, (W, b) in enumerate(net.numpy_layers(), start=1):
        lin = torch.nn.Linear(W.shape[1], W.shape[0]).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(W, dtype=dtype))
            lin.bias.copy_(torch.as_tensor(b, dtype=dtype))
        mods.append(lin)
        if l < net.depth:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def load_torchvision():
    """Import ``torchvision`` (for its models), also where its compiled ops cannot load.

    PyPI's Linux ``torchvision`` wheels link against CUDA builds of torch; next to a CPU-only
    torch their extension does not load and ``import torchvision`` fails registering the fake
    kernel of ``torchvision::nms``.  The models need none of the compiled ops: the schemas of
    the two ops the import registers are then declared (no kernels) and the import retried.
    Raises ``ImportError`` when torchvision is not installed.
    """
    torch = _torch()
    try:
        import torchvision  # noqa: PLC0415 - optional
    except RuntimeError as exc:
        if "torchvision::nms" not in str(exc):
            raise
        lib = torch.library.Library("torchvision", "DEF")
        for op in ("nms", "qnms"):
            lib.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _KEEP.append(lib)            # the registration lives as long as the library object
        import torchvision  # noqa: PLC0415
    return torchvision


_KEEP = []


def _ok_modules(nn):
    return (nn.Linear, nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
            nn.BatchNorm1d, nn.BatchNorm2d, nn.Flatten, nn.Identity, nn.Dropout, nn.Dropout1d,
            nn.Dropout2d)


def _scan(gm, torch):
    """Every unsupported module / op of the traced graph (empty when all are supported)."""
    nn, F = torch.nn, torch.nn.functional
    ok_fn = (operator.add, operator.iadd, torch.add, torch.flatten, F.relu, torch.relu)
    bad = []
    for node in gm.graph.nodes:
        if node.op == "call_module":
            m = gm.get_submodule(node.target)
            if not isinstance(m, _ok_modules(nn)):
                bad.append(f"module {node.target} ({type(m).__name__})")
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.training:
                bad.append(f"module {node.target} (BatchNorm in training mode: call .eval())")
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.running_var is None:
                bad.append(f"module {node.target} (BatchNorm without running statistics)")
            elif isinstance(m, nn.Conv2d) and m.padding_mode != "zeros":
                bad.append(f"module {node.target} (Conv2d padding_mode={m.padding_mode!r})")
            elif isinstance(m, nn.MaxPool2d) and (m.ceil_mode or m.return_indices
                                                  or m.dilation not in (1, (1, 1))):
                bad.append(f"module {node.target} (MaxPool2d with ceil_mode, dilation or "
                           "return_indices)")
            elif isinstance(m, nn.AvgPool2d) and (m.ceil_mode or m.divisor_override or (
                    not m.count_include_pad and m.padding not in (0, (0, 0)))):
                bad.append(f"module {node.target} (AvgPool2d with ceil_mode, divisor_override "
                           "or count_include_pad=False and padding)")
        elif node.op == "call_function" and node.target not in ok_fn:
            bad.append(f"function {getattr(node.target, '__name__', node.target)}")
        elif node.target in (torch.add, "add", "add_") and "alpha" in node.kwargs:
            bad.append(f"{node.op.split('_')[1]} add with alpha at {node}")
        elif node.op == "call_method" and node.target not in ("flatten", "relu", "relu_", "add",
                                                              "add_"):
            bad.append(f"method .{node.target}()")
        elif node.op == "get_attr":
            bad.append(f"attribute {node.target} (a tensor used directly)")
        if node.op in ("call_function", "call_method") and node.target in (
                operator.add, operator.iadd, torch.add, "add", "add_") and not (
                len(node.args) == 2 and all(isinstance(a, torch.fx.Node) for a in node.args)):
            bad.append(f"{node.op.split('_')[1]} add of a constant (an unnamed bias) at {node}")
    return bad


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _abs_q(t, q):
    """``|t|^q`` (float64), one pass for q = 1 and q = 2."""
    t = t.detach().double()
    if q == 1.0:
        return t.abs()
    if q == 2.0:
        return t * t
    return t.abs().pow_(q)


def _affine(m, x, q, torch, bn, dtype):
    """Linear/Conv2d of ``|W|^q`` on ``x`` plus ``|b|^q``, with a following eval BatchNorm
    folded in: the folded weights ``a·W`` give ``|a|^q·|W|^q`` (a per-output scale applied
    after the map, so W is read once) and the folded bias ``|a·b + c|^q``."""
    F = torch.nn.functional
    W = _abs_q(m.weight, q).to(dtype)
    y = (F.linear(x, W) if isinstance(m, torch.nn.Linear) else
         F.conv2d(x, W, None, m.stride, m.padding, m.dilation, m.groups))
    b = (m.bias.detach().double() if m.bias is not None
         else torch.zeros(W.shape[0], dtype=torch.float64))
    # Linear acts on the last axis (any leading axes), Conv2d's channels are axis 1.
    shape = (-1,) if isinstance(m, torch.nn.Linear) else (1, -1, 1, 1)
    if bn is not None:
        a, c = _bn_affine(bn, torch)
        y = y * _abs_q(a, q).to(dtype).reshape(shape)
        b = a * b + c
    return y + _abs_q(b, q).to(dtype).reshape(shape)


def _bn_affine(bn, torch):
    """``(a, c)`` with ``BN(x) = a·x + c`` per channel (eval mode)."""
    w = bn.weight.detach().double() if bn.weight is not None else 1.0
    a = w / torch.sqrt(bn.running_var.double() + bn.eps)
    c = (bn.bias.detach().double() if bn.bias is not None else 0.0) - a * bn.running_mean.double()
    return a, c


def _adaptive_sum(x, out_size, q, torch):
    """Adaptive average pooling of ``|θ|^q``: each output sums its window (PyTorch's windows
    ``[⌊i·H/o⌋, ⌈(i+1)·H/o⌉)``) times ``(1/size)^q``."""
    H, W = x.shape[-2:]
    oh, ow = (v if v is not None else s for v, s in zip(_pair(out_size), (H, W)))
    if H % oh == 0 and W % ow == 0:
        kk = (H // oh) * (W // ow)
        return torch.nn.functional.avg_pool2d(x, (H // oh, W // ow)) * kk ** (1 - q)
    rows = []
    for i in range(oh):
        r0, r1 = (i * H) // oh, -((-(i + 1) * H) // oh)
        cols = []
        for j in range(ow):
            c0, c1 = (j * W) // ow, -((-(j + 1) * W) // ow)
            cols.append(x[..., r0:r1, c0:c1].sum(dim=(-2, -1)) * ((r1 - r0) * (c1 - c0)) ** -q)
        rows.append(torch.stack(cols, dim=-1))
    return torch.stack(rows, dim=-2)


def torch_path_norm(model, input_shape, q=1, dtype=None):
    """The path-norm ``‖Φ‖_q`` of a PyTorch model traced with ``torch.fx`` (float; any real
    ``q ≥ 1``), by one forward pass of ``|θ|^q`` on ``ones(input_shape)`` (see the module
    docstring for how each module is handled).  ``input_shape`` includes a batch of 1.

    Raises
    ------
    UnsupportedModelError
        Listing every unsupported module and op (never a silent wrong number), or when
        ``torch.fx`` cannot trace the model.
    """
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional
    if isinstance(q, bool) or not isinstance(q, (int, float, Fraction)) or not q >= 1 \
            or not math.isfinite(float(q)):
        raise ArgumentError(f"Argument 'q' must be a real number >= 1, not {q!r}.")
    q = float(q)
    dtype = dtype or torch.float64
    try:
        gm = torch.fx.symbolic_trace(model)
    except Exception as exc:  # noqa: BLE001 - any tracing failure is reported as such
        raise UnsupportedModelError(f"Argument 'model' cannot be traced by torch.fx "
                                    f"({type(exc).__name__}: {exc}).") from exc
    bad = _scan(gm, torch)
    if bad:
        raise UnsupportedModelError(f"Argument 'model' has unsupported modules/ops: {bad}.")
    users = {n: list(n.users) for n in gm.graph.nodes}
    folded, env, out = set(), {}, None
    with torch.no_grad():
        for node in gm.graph.nodes:
            args = [env[a] if isinstance(a, torch.fx.Node) else a for a in node.args]
            if node.op == "placeholder":
                env[node] = torch.ones(input_shape, dtype=dtype)
            elif node.op == "output":
                out = args[0]
            elif node.op == "call_module":
                m = gm.get_submodule(node.target)
                x = args[0]
                if node in folded or isinstance(m, (nn.ReLU, nn.Identity, nn.Dropout,
                                                    nn.Dropout1d, nn.Dropout2d)):
                    env[node] = x
                elif isinstance(m, (nn.Linear, nn.Conv2d)):
                    # fold a BN only where its channel axis (1) is the map's output axis
                    nxt = (users[node][0] if len(users[node]) == 1 and (
                        isinstance(m, nn.Conv2d) or x.dim() == 2) else None)
                    bn = (gm.get_submodule(nxt.target) if nxt is not None and nxt.op ==
                          "call_module" and isinstance(gm.get_submodule(nxt.target),
                                                       (nn.BatchNorm1d, nn.BatchNorm2d)) else None)
                    if bn is not None:
                        folded.add(nxt)
                    env[node] = _affine(m, x, q, torch, bn, dtype)
                elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    a, c = _bn_affine(m, torch)
                    shape = (1, -1) + (1,) * (x.dim() - 2)
                    env[node] = (x * _abs_q(a, q).to(dtype).reshape(shape)
                                 + _abs_q(c, q).to(dtype).reshape(shape))
                elif isinstance(m, nn.Flatten):
                    env[node] = x.flatten(m.start_dim, m.end_dim)
                elif isinstance(m, nn.MaxPool2d):       # max → sum
                    k = _pair(m.kernel_size)
                    env[node] = F.avg_pool2d(x, k, m.stride, m.padding,
                                             count_include_pad=True) * (k[0] * k[1])
                elif isinstance(m, nn.AvgPool2d):       # weights 1/k → (1/k)^q
                    k = _pair(m.kernel_size)
                    kk = k[0] * k[1]
                    env[node] = F.avg_pool2d(x, k, m.stride, m.padding,
                                             count_include_pad=True) * kk ** (1 - q)
                else:                                   # AdaptiveAvgPool2d
                    env[node] = _adaptive_sum(x, m.output_size, q, torch)
            else:                                       # call_function / call_method
                name = getattr(node.target, "__name__", node.target)
                if name in ("add", "iadd", "add_"):
                    env[node] = args[0] + args[1]
                elif name == "flatten":
                    env[node] = args[0].flatten(*args[1:], **node.kwargs)
                else:                                   # relu: identity
                    env[node] = args[0]
    total = float(out.sum())
    return total ** (1.0 / q)

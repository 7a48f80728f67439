"""Reference values from PyTorch (float64) for tapegrad's agreement tests.

Run with a Python that has torch (e.g. Debian's: apt-get install python3-torch, then
/usr/bin/python3 scripts/torch-fixtures.py). Writes JSON fixtures that the tests read, so
the tests themselves never need torch. Inputs are generated here from a fixed seed and
stored in the fixtures, values and all.
"""
import json
import math
import struct
from pathlib import Path

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
root = Path(__file__).resolve().parent.parent


def t(*shape, positive=False):
    x = torch.randn(*shape)
    return (x.abs() + 0.5) if positive else x


def as_list(x):
    return x.detach().tolist()


# Each expression is written identically (same op names, same argument order) in the
# TypeScript test, which looks them up by name.
EXPRESSIONS = {
    "broadcast_arith": (lambda a, b: ((a * b - a / (b * b + 1)) + b).sum(), [(3, 4), (4,)]),
    "exp_log_sqrt": (lambda a, b: (a.exp() * b.log() + b.sqrt()).mean(), [(2, 3), ("positive", 2, 3)]),
    "tanh_sigmoid_relu": (lambda a: (a.tanh() * a.sigmoid() + a.relu()).pow(2).sum(), [(5, 3)]),
    "matmul_batched": (lambda a, b: a.matmul(b).tanh().sum(), [(2, 1, 3, 4), (5, 4, 2)]),
    "matmul_vector": (lambda a, b: a.matmul(b).exp().sum(), [(4,), (4, 3)]),
    "softmax_logsoftmax": (lambda a: (a.softmax(1) * a.log_softmax(1)).sum(), [(3, 5)]),
    "logsumexp_dims": (lambda a: a.logsumexp(dim=(0, 2), keepdim=True).sum(), [(2, 3, 4)]),
    "max_mean": (lambda a: a.amax(dim=1).mean() + a.mean(dim=0).pow(3).sum(), [(4, 5)]),
    "maximum_minimum": (lambda a, b: (a.maximum(b) * 2 + a.minimum(b)).sum(), [(3, 3), (3,)]),
    "clamp_abs_pow": (lambda a: (a.clamp(-0.5, 0.7) + a.abs().pow(1.5)).sum(), [(6,)]),
    "views": (lambda a: a.transpose(0, 1).reshape(-1, 2).narrow(0, 1, 3).unsqueeze(0).expand(2, 3, 2).sum(), [(2, 4)]),
    "cat_stack": (lambda a, b: torch.stack([torch.cat([a, b], 0).sin(), torch.cat([b, a], 0).cos()], 1).sum(), [(2, 3), (1, 3)]),
    "mlp_bce": (
        lambda x, w1, b1, w2, b2: torch.nn.functional.binary_cross_entropy(
            torch.sigmoid(torch.nn.functional.linear(torch.relu(torch.nn.functional.linear(x, w1, b1)), w2, b2)),
            (torch.arange(x.shape[0]) % 2).to(torch.float64).unsqueeze(1),
        ),
        [(6, 2), (5, 2), (5,), (1, 5), (1,)],
    ),
    "bce_logits": (
        lambda z: torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor([[0.0], [1.0], [1.0], [0.0]])),
        [(4, 1)],
    ),
    "cross_entropy": (lambda z: torch.nn.functional.cross_entropy(z, torch.tensor([2, 0, 1])), [(3, 4)]),
    "mse": (lambda a, b: torch.nn.functional.mse_loss(a, b), [(3, 2), (3, 2)]),
}


def expressions():
    out = {}
    for name, (fn, shapes) in EXPRESSIONS.items():
        inputs = []
        for shape in shapes:
            positive = isinstance(shape[0], str)
            dims = shape[1:] if positive else shape
            inputs.append(t(*dims, positive=positive).requires_grad_(True))
        value = fn(*inputs)
        grads = torch.autograd.grad(value, inputs)
        out[name] = {
            "inputs": [{"shape": list(x.shape), "values": as_list(x.reshape(-1))} for x in inputs],
            "value": value.item(),
            "grads": [as_list(g.reshape(-1)) for g in grads],
        }
    return out


def optimizers():
    """A 2-16-16-1 tanh network, fixed weights, 5 steps of each optimizer on a fixed batch."""
    x = t(32, 2)
    y = (torch.arange(32) % 2).to(torch.float64).unsqueeze(1)
    base = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())
    initial = {k: as_list(v) for k, v in base.state_dict().items()}
    configs = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
        "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "adam_l2": lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01),
    }
    out = {"x": as_list(x), "y": as_list(y), "initial": initial, "steps": 5, "results": {}}
    for name, make in configs.items():
        model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())
        model.load_state_dict(base.state_dict())
        opt = make(model.parameters())
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        out["results"][name] = {"losses": losses, "state": {k: as_list(v) for k, v in model.state_dict().items()}}
    return out


def optimizer_groups():
    """Parameter groups, RMSprop and Adagrad on the 2-16-16-1 tanh network (8 steps), and
    every LR scheduler's learning rates over 30 steps. Seeded on its own, so the fixtures
    above do not change when this grows."""
    import warnings

    warnings.simplefilter("ignore")
    torch.manual_seed(1)
    x = t(32, 2)
    y = (torch.arange(32) % 2).to(torch.float64).unsqueeze(1)

    def net():
        return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())

    base = net()
    initial = {k: as_list(v) for k, v in base.state_dict().items()}

    def split(model):
        named = list(model.named_parameters())
        return [p for n, p in named if n.endswith("weight")], [p for n, p in named if n.endswith("bias")]

    # Groups: weights first, then biases (the TypeScript test splits namedParameters() the same way).
    configs = {
        "sgd_groups": lambda w, b: torch.optim.SGD([{"params": w, "lr": 0.1, "weight_decay": 0.01}, {"params": b}], lr=0.05, momentum=0.9),
        "adam_groups": lambda w, b: torch.optim.Adam([{"params": w, "weight_decay": 0.1}, {"params": b, "lr": 0.03, "betas": (0.8, 0.99)}], lr=0.01),
        "rmsprop": lambda w, b: torch.optim.RMSprop(w + b, lr=0.01),
        "rmsprop_centered": lambda w, b: torch.optim.RMSprop(w + b, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.8, centered=True),
        "adagrad": lambda w, b: torch.optim.Adagrad(w + b, lr=0.1),
        "adagrad_decay": lambda w, b: torch.optim.Adagrad(w + b, lr=0.1, lr_decay=0.01, weight_decay=0.02, initial_accumulator_value=0.1, eps=1e-8),
    }
    steps = 8
    results = {}
    for name, make in configs.items():
        model = net()
        model.load_state_dict(base.state_dict())
        opt = make(*split(model))
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results[name] = {"losses": losses, "state": {k: as_list(v) for k, v in model.state_dict().items()}}

    # Schedulers: two groups (lr 0.1 and 0.05), getLastLr() after construction and after each of 30 steps.
    S = torch.optim.lr_scheduler

    def sgd():
        return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.05}], lr=0.1, momentum=0.9)

    def adam():
        return torch.optim.Adam([{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.05}], lr=0.1)

    schedules = {
        "step": (sgd, lambda o: S.StepLR(o, 7, gamma=0.5)),
        "multistep": (sgd, lambda o: S.MultiStepLR(o, [3, 8, 8, 20], gamma=0.3)),
        "exponential": (sgd, lambda o: S.ExponentialLR(o, 0.9)),
        "cosine": (sgd, lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.001)),
        "cosine_zero": (sgd, lambda o: S.CosineAnnealingLR(o, 12)),
        "linear": (sgd, lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=10)),
        "linear_default": (sgd, lambda o: S.LinearLR(o)),
        "lambda": (sgd, lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)),
        "onecycle": (sgd, lambda o: S.OneCycleLR(o, [0.5, 0.2], total_steps=30)),
        "onecycle_three_phase": (adam, lambda o: S.OneCycleLR(o, 0.3, epochs=5, steps_per_epoch=6, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0, three_phase=True)),
        "onecycle_no_momentum": (sgd, lambda o: S.OneCycleLR(o, 1.0, total_steps=30, pct_start=0.4, cycle_momentum=False)),
    }

    def momenta(o):
        return [g["betas"][0] if "betas" in g else g["momentum"] for g in o.param_groups]

    lr_schedules = {}
    for name, (make_opt, make_sched) in schedules.items():
        opt = make_opt()
        sched = make_sched(opt)
        lrs, moms = [sched.get_last_lr()], [momenta(opt)]
        for _ in range(30):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            moms.append(momenta(opt))
        lr_schedules[name] = {"lrs": lrs, "momenta": moms}
    return {"x": as_list(x), "y": as_list(y), "initial": initial, "steps": steps, "results": results, "schedulers": lr_schedules}


def losses():
    """Every loss option tapegrad implements, forward value and input gradient, in float64.
    Seeded on its own. For reduction='none' the gradient is that of (loss * cotangent).sum()."""
    torch.manual_seed(2)
    F = torch.nn.functional

    def probs(*shape):
        return torch.softmax(torch.randn(*shape), dim=1 if len(shape) > 1 else 0)

    ce = lambda x, y, **k: F.cross_entropy(x, y, **k)
    idx = lambda n, c: torch.randint(0, c, (n,))
    cases = {}

    def case(name, kind, x, y, **options):
        x = x.clone().requires_grad_(True)
        fn = {"cross_entropy": ce, "bce": F.binary_cross_entropy, "bce_logits": F.binary_cross_entropy_with_logits, "mse": F.mse_loss}[kind]
        out = fn(x, y, **options)
        cot = torch.randn(out.shape) if out.dim() > 0 else torch.tensor(1.0)
        (grad,) = torch.autograd.grad((out * cot).sum(), [x])
        # NaN and ±Inf (a mean over nothing) as strings: JSON has no such numbers.
        finite = lambda x: x if math.isfinite(x) else str(x).replace("nan", "NaN").replace("inf", "Infinity")
        enc = lambda v: {"shape": list(v.shape), "values": [finite(x) for x in as_list(v.reshape(-1).to(torch.float64))]}
        opts = {}
        for key, value in options.items():
            camel = {"ignore_index": "ignoreIndex", "label_smoothing": "labelSmoothing", "pos_weight": "posWeight"}.get(key, key)
            opts[camel] = enc(value) if isinstance(value, torch.Tensor) else value
        cases[name] = {"kind": kind, "input": enc(x), "target": enc(y), "options": opts, "value": enc(out), "cotangent": enc(cot), "grad": enc(grad)}

    w5 = torch.rand(5) + 0.5
    t8 = idx(8, 5)
    t8_ignored = t8.clone()
    t8_ignored[[1, 4]] = -100
    t8_ignore2 = t8.clone()
    t8_ignore2[[0, 3, 6]] = 2
    for reduction in ["mean", "sum", "none"]:
        case(f"ce_plain_{reduction}", "cross_entropy", torch.randn(8, 5), t8, reduction=reduction)
        case(f"ce_weight_{reduction}", "cross_entropy", torch.randn(8, 5), t8, weight=w5, reduction=reduction)
        case(f"ce_ignore_{reduction}", "cross_entropy", torch.randn(8, 5), t8_ignored, reduction=reduction)
        case(f"ce_weight_ignore_{reduction}", "cross_entropy", torch.randn(8, 5), t8_ignore2, weight=w5, ignore_index=2, reduction=reduction)
        case(f"ce_smooth_{reduction}", "cross_entropy", torch.randn(8, 5), t8, label_smoothing=0.1, reduction=reduction)
        case(f"ce_smooth_ignore_{reduction}", "cross_entropy", torch.randn(8, 5), t8_ignored, label_smoothing=0.2, reduction=reduction)
        case(f"ce_smooth_weight_ignore_{reduction}", "cross_entropy", torch.randn(8, 5), t8_ignored, weight=w5, label_smoothing=0.15, reduction=reduction)
        case(f"ce_probs_{reduction}", "cross_entropy", torch.randn(8, 5), probs(8, 5), reduction=reduction)
        case(f"ce_probs_weight_smooth_{reduction}", "cross_entropy", torch.randn(8, 5), probs(8, 5), weight=w5, label_smoothing=0.1, reduction=reduction)
        spatial = torch.randint(0, 5, (2, 3, 4))
        spatial[0, 1, 2] = -100
        case(f"ce_spatial_{reduction}", "cross_entropy", torch.randn(2, 5, 3, 4), spatial, weight=w5, label_smoothing=0.05, reduction=reduction)
        case(f"ce_spatial_probs_{reduction}", "cross_entropy", torch.randn(2, 5, 3), probs(2, 5, 3), reduction=reduction)
        case(f"ce_unbatched_{reduction}", "cross_entropy", torch.randn(5), torch.tensor(3), weight=w5, label_smoothing=0.1, reduction=reduction)
        case(f"ce_unbatched_probs_{reduction}", "cross_entropy", torch.randn(5), probs(5), reduction=reduction)
        p = torch.rand(6, 3) * 0.98 + 0.01
        yb = (torch.rand(6, 3) > 0.5).to(torch.float64)
        case(f"bce_{reduction}", "bce", p, yb, reduction=reduction)
        case(f"bce_weight_{reduction}", "bce", p, yb, weight=torch.rand(3) + 0.5, reduction=reduction)
        z = torch.randn(6, 3) * 3
        case(f"bce_logits_{reduction}", "bce_logits", z, yb, reduction=reduction)
        case(f"bce_logits_pos_weight_{reduction}", "bce_logits", z, yb, pos_weight=torch.tensor([0.5, 2.0, 3.0]), reduction=reduction)
        case(f"bce_logits_both_{reduction}", "bce_logits", z, torch.rand(6, 3), weight=torch.rand(6, 1) + 0.5, pos_weight=torch.tensor([4.0, 0.25, 1.5]), reduction=reduction)
        case(f"mse_{reduction}", "mse", torch.randn(4, 3), torch.randn(4, 3), reduction=reduction)
    # The edges: logits far beyond exp's range.
    case("ce_large_logits", "cross_entropy", torch.randn(4, 3) * 500, idx(4, 3))
    case("bce_logits_large_pos_weight", "bce_logits", torch.tensor([[-800.0, 30.0, 800.0]]), torch.tensor([[1.0, 0.0, 1.0]]), pos_weight=torch.tensor([3.0, 3.0, 3.0]))

    # Issue 20: every target form × reduction × option, and the edges PyTorch's own tests
    # visit (empty batch, one element, all targets ignored). Seeded on its own, after the
    # cases above, so their numbers stay as they were.
    torch.manual_seed(20)
    w6 = torch.rand(6) + 0.5
    for reduction in ["mean", "sum", "none"]:
        r = reduction
        # Unbatched [C] with a 0-d class index.
        case(f"ce_unbatched_plain_{r}", "cross_entropy", torch.randn(6), torch.tensor(4), reduction=r)
        case(f"ce_unbatched_weight_{r}", "cross_entropy", torch.randn(6), torch.tensor(1), weight=w6, reduction=r)
        case(f"ce_unbatched_smooth_{r}", "cross_entropy", torch.randn(6), torch.tensor(0), label_smoothing=0.3, reduction=r)
        case(f"ce_unbatched_ignored_{r}", "cross_entropy", torch.randn(6), torch.tensor(2), ignore_index=2, weight=w6, label_smoothing=0.1, reduction=r)
        case(f"ce_unbatched_probs_weight_smooth_{r}", "cross_entropy", torch.randn(6), probs(6), weight=w6, label_smoothing=0.2, reduction=r)
        # [N, C, T] logits against [N, T] indices (a sequence model's per-step classes).
        seq = torch.randint(0, 6, (3, 4))
        seq_ignored = seq.clone()
        seq_ignored[0, 0] = -100
        seq_ignored[2, 3] = -100
        seq_own_ignore = seq.clone()
        seq_own_ignore[1, :2] = 5
        case(f"ce_seq_plain_{r}", "cross_entropy", torch.randn(3, 6, 4), seq, reduction=r)
        case(f"ce_seq_weight_{r}", "cross_entropy", torch.randn(3, 6, 4), seq, weight=w6, reduction=r)
        case(f"ce_seq_ignore_{r}", "cross_entropy", torch.randn(3, 6, 4), seq_ignored, reduction=r)
        case(f"ce_seq_smooth_{r}", "cross_entropy", torch.randn(3, 6, 4), seq, label_smoothing=0.25, reduction=r)
        case(f"ce_seq_weight_smooth_{r}", "cross_entropy", torch.randn(3, 6, 4), seq, weight=w6, label_smoothing=0.25, reduction=r)
        case(f"ce_seq_weight_ignore_smooth_{r}", "cross_entropy", torch.randn(3, 6, 4), seq_own_ignore, weight=w6, ignore_index=5, label_smoothing=0.1, reduction=r)
        # [N, C, T] probabilities.
        case(f"ce_seq_probs_{r}", "cross_entropy", torch.randn(3, 6, 4), probs(3, 6, 4), reduction=r)
        case(f"ce_seq_probs_weight_{r}", "cross_entropy", torch.randn(3, 6, 4), probs(3, 6, 4), weight=w6, reduction=r)
        case(f"ce_seq_probs_smooth_{r}", "cross_entropy", torch.randn(3, 6, 4), probs(3, 6, 4), label_smoothing=0.3, reduction=r)
        case(f"ce_seq_probs_weight_smooth_{r}", "cross_entropy", torch.randn(3, 6, 4), probs(3, 6, 4), weight=w6, label_smoothing=0.3, reduction=r)
        # [N, C] forms not above: weight with smoothing, probabilities with one option each,
        # probabilities that do not sum to 1 (torch does not normalize them), smoothing 1.
        t7 = torch.randint(0, 6, (7,))
        case(f"ce_weight_smooth_{r}", "cross_entropy", torch.randn(7, 6), t7, weight=w6, label_smoothing=0.2, reduction=r)
        case(f"ce_probs_smooth_{r}", "cross_entropy", torch.randn(7, 6), probs(7, 6), label_smoothing=0.2, reduction=r)
        case(f"ce_probs_weight_{r}", "cross_entropy", torch.randn(7, 6), probs(7, 6), weight=w6, reduction=r)
        case(f"ce_probs_unnormalized_{r}", "cross_entropy", torch.randn(7, 6), torch.rand(7, 6) * 3, reduction=r)
        case(f"ce_smooth_one_{r}", "cross_entropy", torch.randn(7, 6), t7, weight=w6, label_smoothing=1.0, reduction=r)
        case(f"ce_one_class_{r}", "cross_entropy", torch.randn(4, 1), torch.zeros(4, dtype=torch.long), label_smoothing=0.1, reduction=r)
        # [N, C, d1, d2] probabilities.
        case(f"ce_4d_probs_weight_smooth_{r}", "cross_entropy", torch.randn(2, 6, 2, 3), probs(2, 6, 2, 3), weight=w6, label_smoothing=0.1, reduction=r)
        # Empty batches (a mean over nothing is NaN) and every target ignored.
        case(f"ce_empty_{r}", "cross_entropy", torch.randn(0, 6), torch.zeros(0, dtype=torch.long), weight=w6, label_smoothing=0.1, reduction=r)
        case(f"ce_empty_probs_{r}", "cross_entropy", torch.randn(0, 6), torch.zeros(0, 6), reduction=r)
        case(f"ce_seq_empty_{r}", "cross_entropy", torch.randn(2, 6, 0), torch.zeros(2, 0, dtype=torch.long), reduction=r)
        case(f"ce_all_ignored_{r}", "cross_entropy", torch.randn(3, 6), torch.full((3,), -100), reduction=r)
        case(f"ce_all_ignored_weight_smooth_{r}", "cross_entropy", torch.randn(3, 6), torch.full((3,), 1), ignore_index=1, weight=w6, label_smoothing=0.2, reduction=r)
        # BCE, BCE with logits and MSE: 0-d, empty, higher rank, one option at a time.
        p0 = torch.rand(()) * 0.98 + 0.01
        case(f"bce_scalar_{r}", "bce", p0, torch.tensor(1.0), reduction=r)
        case(f"bce_empty_{r}", "bce", torch.rand(0, 3), torch.rand(0, 3), reduction=r)
        case(f"bce_3d_weight_{r}", "bce", torch.rand(2, 3, 4) * 0.98 + 0.01, torch.rand(2, 3, 4), weight=torch.rand(3, 1) + 0.5, reduction=r)
        case(f"bce_logits_scalar_{r}", "bce_logits", torch.randn(()), torch.tensor(0.0), pos_weight=torch.tensor(2.5), reduction=r)
        case(f"bce_logits_empty_{r}", "bce_logits", torch.randn(0, 3), torch.rand(0, 3), pos_weight=torch.rand(3) + 0.5, reduction=r)
        case(f"bce_logits_weight_{r}", "bce_logits", torch.randn(5, 3) * 3, (torch.rand(5, 3) > 0.5).to(torch.float64), weight=torch.rand(3) + 0.5, reduction=r)
        case(f"bce_logits_3d_pos_weight_{r}", "bce_logits", torch.randn(2, 3, 4) * 3, torch.rand(2, 3, 4), pos_weight=torch.rand(4) * 3, reduction=r)
        case(f"mse_scalar_{r}", "mse", torch.randn(()), torch.randn(()), reduction=r)
        case(f"mse_empty_{r}", "mse", torch.randn(2, 0), torch.randn(2, 0), reduction=r)
        case(f"mse_3d_{r}", "mse", torch.randn(2, 3, 4), torch.randn(2, 3, 4), reduction=r)
    return cases


# The safetensors format (github.com/huggingface/safetensors, README "Format"): an 8-byte
# little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}} (plus
# "__metadata__"), padded with spaces to a multiple of 8, then the raw little-endian data.
# The `safetensors` package is not installed here, so this writer follows its serializer:
# tensors ordered by dtype (descending, in its enum order) then name, compact JSON, no gaps.
ST_DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
ST_DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def st_bytes(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors):
    order = sorted(tensors, key=lambda n: (-ST_DTYPE_ORDER.index(ST_DTYPES[tensors[n].dtype]), n))
    header, chunks, offset = {}, [], 0
    for name in order:
        data = st_bytes(tensors[name])
        header[name] = {"dtype": ST_DTYPES[tensors[name].dtype], "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    kinds = {"F64": torch.float64, "F32": torch.float32}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        buffer = bytearray(raw[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(buffer, dtype=kinds[info["dtype"]]).reshape(info["shape"]).clone()
    return out


def bits(t):
    """Exact float64 values as 16 hex digits (covers -0, inf and nan, which JSON cannot hold)."""
    return [struct.pack(">d", v).hex() for v in t.detach().to(torch.float64).reshape(-1).tolist()]


def sequential():
    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))


def safetensors_fixtures():
    """Small files written from torch tensors with the safetensors layout, and the float64
    values they must widen to. Seeded on its own; torch's default dtype is float64 here,
    so float32 tensors are made explicitly."""
    torch.manual_seed(3)
    fixtures = root / "packages/nn/test/fixtures"
    specials16 = [0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, 6.103515625e-05, 5.960464477539063e-08, -5.960464477539063e-08, 3.0517578125e-05, float("inf"), float("-inf"), float("nan"), 0.1, 1 / 3]
    tensors = {
        "f64": torch.randn(2, 3, dtype=torch.float64),
        "f32": torch.cat([torch.randn(5, dtype=torch.float32), torch.tensor([1e-45, -3.4028234663852886e38, float("inf"), float("nan"), -0.0], dtype=torch.float32)]),
        "f16": torch.tensor(specials16, dtype=torch.float16).reshape(3, 5),
        "bf16": torch.tensor([0.0, -0.0, 1.0, 3.0e38, -1e-40, 9.2e-41, float("inf"), float("nan"), 0.1, 255.5], dtype=torch.bfloat16),
        "i64": torch.tensor([[0, -1], [2**53, -(2**53)]], dtype=torch.int64),
        "scalar": torch.tensor(7.25, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
    }
    write_safetensors(fixtures / "torch-dtypes.safetensors", tensors)
    expected = {name: {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "bits": bits(t)} for name, t in tensors.items()}

    # F32 writing: float64 values torch rounds to float32 (nearest, ties to even, overflow to inf).
    wide = torch.cat([torch.randn(6, dtype=torch.float64), torch.tensor([1 + 2**-24, 1 + 3 * 2**-24, 1e-46, 7e-46, 3.5e38, -1e300, 0.1, -0.0], dtype=torch.float64)])
    write_safetensors(fixtures / "torch-rounding-f32.safetensors", {"x": wide.to(torch.float32)})

    # A float32 PyTorch model's state dict, as torch.save users have it.
    torch.manual_seed(4)
    model = sequential().to(torch.float32)
    write_safetensors(fixtures / "torch-sequential-f32.safetensors", model.state_dict())
    x = torch.tensor([[0.5, -1.0], [2.0, 0.25], [-1.5, 3.0]], dtype=torch.float32)
    with torch.no_grad():
        out = model(x)
    meta_note = "float64 values as big-endian hex bits; files written by write_safetensors() in scripts/torch-fixtures.py"
    (fixtures / "torch-safetensors.json").write_text(json.dumps({
        "meta": {**meta, "note": meta_note},
        "dtypes": expected,
        "rounding": {"float64Bits": bits(wide)},
        "sequential": {"keys": list(model.state_dict().keys()), "input": as_list(x.to(torch.float64)), "outputBits": bits(out)},
    }, indent=1))


def check_tapegrad_safetensors():
    """Loads the F32 file tapegrad wrote (packages/nn/test/fixtures/tapegrad-sequential-f32.safetensors,
    see safetensors.test.ts) into torch.nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1)) with
    load_state_dict (strict) and checks torch's output against tapegrad's, and that this
    script's writer gives the same bytes for the same tensors."""
    fixtures = root / "packages/nn/test/fixtures"
    path = fixtures / "tapegrad-sequential-f32.safetensors"
    expected = json.loads((fixtures / "tapegrad-sequential-f32.json").read_text())
    state = read_safetensors(path)
    assert all(t.dtype == torch.float32 for t in state.values()), "expected an F32 file"
    model = sequential().to(torch.float32)
    model.load_state_dict(state)
    with torch.no_grad():
        out = model(torch.tensor(expected["input"], dtype=torch.float32)).to(torch.float64)
    want = torch.tensor(expected["output"], dtype=torch.float64)
    difference = (out - want).abs().max().item()
    assert difference < 1e-5, f"torch output differs from tapegrad's by {difference}"
    scratch = fixtures / "check-tmp.safetensors"
    write_safetensors(scratch, state)
    same = scratch.read_bytes() == path.read_bytes()
    scratch.unlink()
    assert same, "the Python writer gives different bytes for the same tensors"
    print(f"tapegrad F32 file: load_state_dict ok, output matches to {difference:.1e}, bytes identical to the Python writer")


def op_cases(family):
    """Values and gradients of the ops in scripts/torch_op_cases/<family>.py. Each case is
    `name: (fn, inputs)` or `(fn, inputs, {"grad": False})`; fn returns a tensor or a
    list of tensors (split, sort's values and indices). Gradients are those of
    Σ_k sum(out_k · w_k) for seeded cotangents w_k, stored with the case. Every case is
    seeded from its own name, so adding a case leaves the others' numbers unchanged."""
    import importlib.util
    import zlib

    import sys

    sys.path.insert(0, str(root / "scripts/torch_op_cases"))
    spec = importlib.util.spec_from_file_location(family, root / "scripts/torch_op_cases" / f"{family}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = {}
    for name, case in module.CASES.items():
        fn, specs, options = (case + ({},))[:3]
        torch.manual_seed(zlib.crc32(name.encode()))
        inputs = [s.make() for s in specs]
        result = fn(*inputs)
        outputs = list(result) if isinstance(result, (list, tuple)) else [result]
        grads = None
        differentiable = [x for x in inputs if x.requires_grad]
        cotangents = [torch.randn(o.shape) if o.is_floating_point() else None for o in outputs]
        if options.get("grad", True) and differentiable:
            total = sum((o * w).sum() for o, w in zip(outputs, cotangents) if w is not None and o.requires_grad)
            grads = [as_list(g.reshape(-1)) for g in torch.autograd.grad(total, differentiable, allow_unused=False)]
        out[name] = {
            "inputs": [{"kind": s.kind, "shape": list(x.shape), "values": as_list(x.reshape(-1).to(torch.float64))} for s, x in zip(specs, inputs)],
            "outputs": [{"shape": list(o.shape), "values": as_list(o.reshape(-1).to(torch.float64))} for o in outputs],
            "cotangents": [None if w is None else as_list(w.reshape(-1)) for w in cotangents],
            "grads": grads,
        }
    return out


def hook_order():
    """Hooks as PyTorch calls them, for a 3-4-2 tanh network (Sequential) and a module with
    two branches: the order of forward pre-hooks, forward hooks, full backward hooks and
    tensor hooks (on the input x, on an intermediate, on a weight), what each saw, and the
    gradients that end up in .grad, first with hooks that only watch, then with hooks that
    replace inputs, outputs and gradients. Seeded on its own."""
    torch.manual_seed(19)
    mk = lambda: torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    base = mk()
    params = {k: as_list(v) for k, v in base.state_dict().items()}
    x0 = torch.randn(5, 3)

    def run(replace, x_requires_grad):
        model = mk()
        model.load_state_dict(base.state_dict())
        x = x0.clone().requires_grad_(x_requires_grad)
        events = []
        flat = lambda t: None if t is None else as_list(t.reshape(-1))
        names = {"seq": model, "0": model[0], "1": model[1], "2": model[2]}
        for name, m in names.items():
            def pre(mod, inputs, name=name):
                events.append({"event": f"pre:{name}", "inputs": [flat(i) for i in inputs]})
                if replace and name == "0":
                    return (inputs[0] * 2,)

            def fwd(mod, inputs, output, name=name):
                events.append({"event": f"fwd:{name}", "inputs": [flat(i) for i in inputs], "output": flat(output)})
                if name == "0":
                    def on_hidden(g):
                        events.append({"event": "tensor:hidden", "grad": flat(g)})
                        if replace:
                            return g * 2
                    output.register_hook(on_hidden)
                if replace and name == "2":
                    return output * 3

            def bwd(mod, grad_input, grad_output, name=name):
                events.append({"event": f"bwd:{name}", "gradInput": [flat(g) for g in grad_input], "gradOutput": [flat(g) for g in grad_output]})
                if replace and name == "0" and grad_input[0] is not None:
                    return (grad_input[0] * 0.5,)

            m.register_forward_pre_hook(pre)
            m.register_forward_hook(fwd)
            m.register_full_backward_hook(bwd)

        def on_weight(g):
            events.append({"event": "tensor:2.weight", "grad": flat(g)})
            if replace:
                return g * 10
        model[2].weight.register_hook(on_weight)
        if x_requires_grad:
            def on_x(g):
                events.append({"event": "tensor:x", "grad": flat(g)})
                if replace:
                    return g + 1
            x.register_hook(on_x)
        out = model(x)
        loss = out.pow(2).sum()
        events.append({"event": "backward"})
        loss.backward()
        return {
            "replace": replace,
            "xRequiresGrad": x_requires_grad,
            "events": events,
            "loss": loss.item(),
            "grads": {**{k: as_list(v.grad) for k, v in model.named_parameters()}, **({"x": as_list(x.grad)} if x_requires_grad else {})},
        }

    class Branches(torch.nn.Module):
        """Two layers applied to the same input, their outputs multiplied: two branches
        meet in one op, so the order in which backward visits them shows."""

        def __init__(self):
            super().__init__()
            self.left = torch.nn.Linear(3, 2)
            self.right = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.left(x) * self.right(x).tanh()

    branches = Branches()
    branch_params = {k: as_list(v) for k, v in branches.state_dict().items()}
    x = x0.clone().requires_grad_(True)
    events = []
    for name, m in [("branches", branches), ("left", branches.left), ("right", branches.right)]:
        m.register_full_backward_hook(lambda mod, gi, go, name=name: events.append({"event": f"bwd:{name}", "gradInput": [None if g is None else as_list(g.reshape(-1)) for g in gi]}))
    for name, p in branches.named_parameters():
        p.register_hook(lambda g, name=name: events.append({"event": f"tensor:{name}", "grad": as_list(g.reshape(-1))}))
    x.register_hook(lambda g: events.append({"event": "tensor:x", "grad": as_list(g.reshape(-1))}))
    branches(x).sum().backward()
    return {
        "params": params,
        "x": as_list(x0),
        "runs": [run(False, True), run(True, True), run(False, False), run(True, False)],
        "branches": {"params": branch_params, "events": events, "grads": {"x": as_list(x.grad), **{k: as_list(v.grad) for k, v in branches.named_parameters()}}},
    }


# Each fixture file is written only when named (all of them without arguments): the
# older files' last bits came from another build of torch and must not be regenerated.
import sys

meta = {"torch": torch.__version__, "generator": "scripts/torch-fixtures.py"}
targets = {
    "expressions": lambda: (root / "packages/autograd/test/fixtures/torch.json").write_text(json.dumps({"meta": meta, "expressions": expressions()}, indent=1)),
    "optim": lambda: (root / "packages/nn/test/fixtures/torch-optim.json").write_text(json.dumps({"meta": meta, **optimizers()}, indent=1)),
    "optim-groups": lambda: (root / "packages/nn/test/fixtures/torch-optim-groups.json").write_text(json.dumps({"meta": meta, **optimizer_groups()}, indent=1)),
    "safetensors": safetensors_fixtures,
    "check-tapegrad-safetensors": check_tapegrad_safetensors,
    "hooks": lambda: (root / "packages/nn/test/fixtures/torch-hooks.json").write_text(json.dumps({"meta": meta, **hook_order()}, indent=1)),
    "losses": lambda: (root / "packages/nn/test/fixtures/torch-losses.json").write_text(json.dumps({"meta": meta, "cases": losses()}, indent=1)),
}
for family in sorted(p.stem for p in (root / "scripts/torch_op_cases").glob("*.py") if p.stem != "inputs"):
    targets[f"ops-{family}"] = (lambda f: lambda: (root / f"packages/autograd/test/fixtures/torch-ops-{f}.json").write_text(json.dumps({"meta": meta, "cases": op_cases(f)}, indent=1)))(family)
# Layer fixtures: scripts/torch_layer_cases/<family>.py defines build(), returning what
# packages/nn/test/fixtures/torch-layers-<family>.json holds (each family's test reads its own).
def layer_cases(family):
    import importlib.util
    import sys

    sys.path.insert(0, str(root / "scripts/torch_layer_cases"))
    spec = importlib.util.spec_from_file_location(family, root / "scripts/torch_layer_cases" / f"{family}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


for family in sorted(p.stem for p in (root / "scripts/torch_layer_cases").glob("*.py") if not p.stem.startswith("_")):
    targets[f"layers-{family}"] = (lambda f: lambda: (root / f"packages/nn/test/fixtures/torch-layers-{f}.json").write_text(json.dumps({"meta": meta, **layer_cases(f)}, indent=1)))(family)
# The check needs the file tapegrad wrote (committed); it runs only when named.
# `ops` and `layers` name every ops-<family> or layers-<family> target at once.
names = [n for a in sys.argv[1:] for n in ([t for t in targets if t.startswith(a + "-")] if a in ("ops", "layers") else [a])]
for name in names or [n for n in targets if n != "check-tapegrad-safetensors"]:
    targets[name]()
    print("wrote", name, "with torch", torch.__version__)

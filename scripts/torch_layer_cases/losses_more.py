"""NLLLoss, L1Loss, SmoothL1Loss, HuberLoss and KLDivLoss (torch 1.13, float64): values and
input gradients for every reduction and option, kinks included.

For reduction='none' the gradient is that of (loss * cotangent).sum(). NaN and ±Inf are
stored as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
Read by packages/nn/test/more-losses.test.ts.
"""
import math
import warnings

import torch

F = torch.nn.functional


def finite(x):
    return x if math.isfinite(x) else str(x).replace("nan", "NaN").replace("inf", "Infinity")


def enc(v):
    v = v.detach().to(torch.float64)
    return {"shape": list(v.shape), "values": [finite(x) for x in v.reshape(-1).tolist()]}


CAMEL = {"ignore_index": "ignoreIndex", "log_target": "logTarget"}
FUNCTIONS = {"nll": F.nll_loss, "l1": F.l1_loss, "smooth_l1": F.smooth_l1_loss, "huber": F.huber_loss, "kl_div": F.kl_div}


def build():
    torch.manual_seed(3)
    torch.set_default_dtype(torch.float64)
    warnings.simplefilter("ignore")  # kl_div's warning about 'mean'
    cases = {}

    def case(name, kind, x, y, **options):
        x = x.clone().requires_grad_(True)
        out = FUNCTIONS[kind](x, y, **options)
        cot = torch.randn(out.shape) if out.dim() > 0 else torch.tensor(1.0)
        (grad,) = torch.autograd.grad((out * cot).sum(), [x])
        opts = {CAMEL.get(k, k): enc(v) if isinstance(v, torch.Tensor) else v for k, v in options.items()}
        cases[name] = {"kind": kind, "input": enc(x), "target": enc(y), "options": opts, "value": enc(out), "cotangent": enc(cot), "grad": enc(grad)}

    def log_probs(*shape):
        return torch.log_softmax(torch.randn(*shape), dim=1 if len(shape) > 1 else 0)

    def with_kinks(beta, n=12):
        """Pairs (x, y) whose differences include exactly 0, +beta and -beta (all exact in binary)."""
        x = torch.randn(3, n // 3) * 2
        y = torch.randn(3, n // 3) * 2
        x[0, 0], y[0, 0] = 0.75, 0.75
        x[0, 1], y[0, 1] = 0.25 + beta, 0.25
        x[1, 0], y[1, 0] = -1.5, -1.5 + beta
        x[1, 1], y[1, 1] = 2.0, 2.0
        return x, y

    w5 = torch.rand(5) + 0.5
    t8 = torch.randint(0, 5, (8,))
    t8_ignored = t8.clone()
    t8_ignored[[1, 4]] = -100
    t8_ignore2 = t8.clone()
    t8_ignore2[[0, 3, 6]] = 2
    spatial = torch.randint(0, 5, (2, 3, 4))
    spatial[0, 1, 2] = -100
    spatial[1, 0, 3] = -100
    seq = torch.randint(0, 5, (2, 3))
    deep = torch.randint(0, 4, (2, 2, 3, 2))
    deep[1, 1, 2, 0] = -100
    probs = torch.softmax(torch.randn(4, 6), dim=1)
    probs[0, 2] = 0.0  # a zero target: 0·log 0 = 0
    probs[3, 5] = 0.0
    log_target = torch.log_softmax(torch.randn(4, 6), dim=1)
    for reduction in ["mean", "sum", "none"]:
        r = reduction
        case(f"nll_plain_{r}", "nll", log_probs(8, 5), t8, reduction=r)
        case(f"nll_weight_{r}", "nll", log_probs(8, 5), t8, weight=w5, reduction=r)
        case(f"nll_ignore_{r}", "nll", log_probs(8, 5), t8_ignored, reduction=r)
        case(f"nll_weight_ignore_{r}", "nll", log_probs(8, 5), t8_ignore2, weight=w5, ignore_index=2, reduction=r)
        case(f"nll_spatial_{r}", "nll", log_probs(2, 5, 3, 4), spatial, weight=w5, reduction=r)
        case(f"nll_sequence_{r}", "nll", log_probs(2, 5, 3), seq, reduction=r)
        case(f"nll_5d_{r}", "nll", log_probs(2, 4, 2, 3, 2), deep, weight=torch.rand(4) + 0.5, reduction=r)
        case(f"nll_unbatched_{r}", "nll", log_probs(5), torch.tensor(3), weight=w5, reduction=r)
        case(f"nll_raw_scores_{r}", "nll", torch.randn(6, 4) * 3, torch.randint(0, 4, (6,)), reduction=r)

        x, y = with_kinks(1.0)
        case(f"l1_{r}", "l1", x, y, reduction=r)
        case(f"smooth_l1_{r}", "smooth_l1", x, y, reduction=r)
        for beta in [0.5, 2.0]:
            xb, yb = with_kinks(beta)
            case(f"smooth_l1_beta{beta}_{r}", "smooth_l1", xb, yb, beta=beta, reduction=r)
        case(f"smooth_l1_beta0_{r}", "smooth_l1", x, y, beta=0.0, reduction=r)
        case(f"huber_{r}", "huber", x, y, reduction=r)
        for delta in [0.5, 2.5]:
            xd, yd = with_kinks(delta)
            case(f"huber_delta{delta}_{r}", "huber", xd, yd, delta=delta, reduction=r)

    for reduction in ["mean", "batchmean", "sum", "none"]:
        r = reduction
        case(f"kl_div_{r}", "kl_div", log_probs(4, 6), probs, reduction=r)
        case(f"kl_div_log_target_{r}", "kl_div", log_probs(4, 6), log_target, reduction=r, log_target=True)
        case(f"kl_div_3d_{r}", "kl_div", log_probs(3, 4, 2), torch.softmax(torch.randn(3, 4, 2), dim=1), reduction=r)
    case("kl_div_0d_batchmean", "kl_div", torch.tensor(-0.7), torch.tensor(0.3), reduction="batchmean")
    case("kl_div_default", "kl_div", log_probs(4, 6), probs)

    # Every target ignored: the mean is 0/0 = NaN, the gradient 0.
    all_ignored = torch.full((3,), -100)
    case("nll_all_ignored_mean", "nll", log_probs(3, 4), all_ignored)
    case("nll_all_ignored_sum", "nll", log_probs(3, 4), all_ignored, reduction="sum")
    return {"cases": cases}

"""torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (torch 1.13, float64): the gradients
after clipping and the returned total norm, for several norms, with and without clipping,
with parameters that have no gradient. Read by packages/nn/test/clip-grad.test.ts.

A case lists its parameters' gradients before clipping (null for a parameter without one);
normType Infinity is stored as the string "Infinity".
"""
import math

import torch


def build():
    torch.manual_seed(5)
    torch.set_default_dtype(torch.float64)
    cases = {}

    def grads(*shapes, scale=1.0):
        return [None if s is None else torch.randn(s) * scale for s in shapes]

    def norm_case(name, before, max_norm, norm_type=2.0, single=False):
        params = [torch.zeros(g.shape if g is not None else (2,), requires_grad=True) for g in before]
        for p, g in zip(params, before):
            p.grad = None if g is None else g.clone()
        total = torch.nn.utils.clip_grad_norm_(params[0] if single else params, max_norm, norm_type=norm_type)
        cases[name] = {
            "kind": "norm",
            "before": [None if g is None else {"shape": list(g.shape), "values": g.reshape(-1).tolist()} for g in before],
            "maxNorm": max_norm,
            "normType": "Infinity" if math.isinf(norm_type) else norm_type,
            "single": single,
            "total": total.item(),
            "after": [None if p.grad is None else p.grad.reshape(-1).tolist() for p in params],
        }

    def value_case(name, before, clip_value):
        params = [torch.zeros(g.shape if g is not None else (2,), requires_grad=True) for g in before]
        for p, g in zip(params, before):
            p.grad = None if g is None else g.clone()
        torch.nn.utils.clip_grad_value_(params, clip_value)
        cases[name] = {
            "kind": "value",
            "before": [None if g is None else {"shape": list(g.shape), "values": g.reshape(-1).tolist()} for g in before],
            "clipValue": clip_value,
            "after": [None if p.grad is None else p.grad.reshape(-1).tolist() for p in params],
        }

    shapes = [(3, 4), (4,), (2, 2, 2), ()]
    norm_case("l2_clipped", grads(*shapes, scale=3.0), 1.0)
    norm_case("l2_not_clipped", grads(*shapes), 100.0)
    norm_case("l1_clipped", grads(*shapes), 2.0, norm_type=1.0)
    norm_case("inf_clipped", grads(*shapes), 0.5, norm_type=math.inf)
    norm_case("inf_not_clipped", grads(*shapes), 50.0, norm_type=math.inf)
    norm_case("l3_clipped", grads(*shapes), 1.0, norm_type=3.0)
    norm_case("p_half_clipped", grads(*shapes), 1.5, norm_type=0.5)
    norm_case("skips_missing_grads", grads((3, 4), None, (5,), None), 0.7)
    norm_case("single_tensor", grads((6, 2), scale=4.0), 2.0, single=True)
    norm_case("zero_grads", [torch.zeros(3, 2), torch.zeros(4)], 1.0)
    norm_case("max_norm_zero", grads((3,), (2, 2)), 0.0)
    # maxNorm equal to the total norm: the 1e-6 still scales by total / (total + 1e-6) < 1.
    at = grads((4, 3), (3,))
    norm_case("max_norm_at_total", at, torch.norm(torch.stack([torch.norm(g) for g in at])).item())
    value_case("value_clipped", grads((3, 4), None, (5,), scale=2.0), 0.3)
    value_case("value_not_clipped", grads((3, 4), (2,), scale=0.1), 10.0)
    value_case("value_zero", grads((2, 3)), 0.0)
    return {"cases": cases}

"""Attention fixtures (float64): scaled dot-product attention and torch.nn.MultiheadAttention.

torch 1.13 has no F.scaled_dot_product_attention, so its reference is written here as torch
2.x documents it: softmax(q·kᵀ·scale + bias)·v, where a boolean attn_mask means "takes part"
(True = attend; the bias is −∞ where it is False), a float mask is added, and is_causal is the
lower-triangular (tril) L×S mask.

MultiheadAttention is torch 1.13's own module, loaded with fixed weights: outputs, weights,
input and parameter gradients of (output·c).sum() + (weights·c').sum(). Its boolean masks
mean the opposite: True = NOT allowed (attn_mask) or padding (key_padding_mask).
Boolean masks are stored as 0/1; −∞ as the string "-Infinity".
Read by packages/nn/test/attention.test.ts.
"""
import math

import torch


def finite(x):
    return x if math.isfinite(x) else str(x).replace("nan", "NaN").replace("inf", "Infinity")


def enc(v):
    v = v.detach().to(torch.float64)
    return {"shape": list(v.shape), "values": [finite(x) for x in v.reshape(-1).tolist()]}


def sdpa_reference(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    scale_factor = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    attn_bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        assert attn_mask is None
        temp_mask = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
        attn_bias = attn_bias.masked_fill(temp_mask.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn_bias = attn_bias.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            attn_bias = attn_bias + attn_mask
    attn_weight = q @ k.transpose(-2, -1) * scale_factor
    attn_weight = attn_weight + attn_bias
    attn_weight = torch.softmax(attn_weight, dim=-1)
    return attn_weight @ v


def build():
    torch.manual_seed(11)
    torch.set_default_dtype(torch.float64)
    sdpa = {}

    def sdpa_case(name, q_shape, k_shape, v_shape, mask=None, mask_kind=None, mask_grad=False, is_causal=False, scale=None):
        q = torch.randn(q_shape, requires_grad=True)
        k = torch.randn(k_shape, requires_grad=True)
        v = torch.randn(v_shape, requires_grad=True)
        inputs = [q, k, v]
        if mask is not None and mask_grad:
            mask = mask.clone().requires_grad_(True)
            inputs.append(mask)
        out = sdpa_reference(q, k, v, attn_mask=mask, is_causal=is_causal, scale=scale)
        cot = torch.randn(out.shape)
        grads = torch.autograd.grad((out * cot).sum(), inputs)
        case = {"query": enc(q), "key": enc(k), "value": enc(v), "output": enc(out), "cotangent": enc(cot), "grads": [enc(g) for g in grads], "isCausal": is_causal}
        if mask is not None:
            case["attnMask"] = enc(mask.to(torch.float64))
            case["maskKind"] = mask_kind
            case["maskGrad"] = mask_grad
        if scale is not None:
            case["scale"] = scale
        sdpa[name] = case

    sdpa_case("heads", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7))
    sdpa_case("causal_square", (2, 5, 4), (2, 5, 4), (2, 5, 3), is_causal=True)
    sdpa_case("causal_rectangular", (2, 4, 3), (2, 6, 3), (2, 6, 5), is_causal=True)
    keep = torch.rand(4, 6) > 0.4
    keep[:, 0] = True  # every query attends somewhere
    sdpa_case("bool_mask", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), mask=keep, mask_kind="bool")
    keep_per_batch = torch.rand(2, 1, 4, 6) > 0.5
    keep_per_batch[..., 2] = True
    sdpa_case("bool_mask_broadcast", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), mask=keep_per_batch, mask_kind="bool")
    bias = torch.randn(4, 6)
    bias[0, 3] = float("-inf")
    bias[2, 1] = float("-inf")
    sdpa_case("float_mask", (3, 4, 5), (3, 6, 5), (3, 6, 4), mask=bias, mask_kind="float")
    sdpa_case("float_mask_grad", (3, 4, 5), (3, 6, 5), (3, 6, 4), mask=torch.randn(3, 4, 6), mask_kind="float", mask_grad=True)
    sdpa_case("scale", (2, 4, 5), (2, 6, 5), (2, 6, 3), scale=0.3)
    sdpa_case("broadcast_batch", (2, 1, 4, 5), (3, 6, 5), (3, 6, 2))

    mha = {}

    def mha_case(name, embed, heads, q_shape, k_shape=None, v_shape=None, self_attention=False, same_kv=False,
                 attn_mask=None, key_padding_mask=None, need_weights=True, average=True, train=True, **options):
        torch.manual_seed(100 + len(mha))
        module = torch.nn.MultiheadAttention(embed, heads, **options)
        with torch.no_grad():
            for p in module.parameters():  # not PyTorch's zero biases, so their gradients are tested on something nontrivial
                p.copy_(torch.randn(p.shape) * 0.5)
        module.train(train)
        query = torch.randn(q_shape, requires_grad=True)
        if self_attention:
            key = value = query
        else:
            key = torch.randn(k_shape, requires_grad=True)
            value = key if same_kv else torch.randn(v_shape, requires_grad=True)
        out, weights = module(query, key, value, key_padding_mask=key_padding_mask, need_weights=need_weights,
                              attn_mask=attn_mask, average_attn_weights=average)
        cot = torch.randn(out.shape)
        loss = (out * cot).sum()
        case = {}
        if weights is not None:
            cot_w = torch.randn(weights.shape)
            loss = loss + (weights * cot_w).sum()
            case.update(weights=enc(weights), weightsCotangent=enc(cot_w))
        inputs = [query] if self_attention else [query, key] if same_kv else [query, key, value]
        names = [n for n, _ in module.named_parameters()]
        params = [p for _, p in module.named_parameters()]
        grads = torch.autograd.grad(loss, inputs + params)
        case.update(
            embedDim=embed,
            numHeads=heads,
            options={k: v for k, v in {"bias": options.get("bias"), "batchFirst": options.get("batch_first"), "dropout": options.get("dropout"), "kdim": options.get("kdim"), "vdim": options.get("vdim")}.items() if v is not None},
            training=train,
            inputs="self" if self_attention else "same_kv" if same_kv else "distinct",
            query=enc(query),
            key=enc(key),
            value=enc(value),
            stateDict={k: enc(v) for k, v in module.state_dict().items()},
            forward={k: v for k, v in {"needWeights": need_weights, "averageAttnWeights": average}.items()},
            output=enc(out),
            cotangent=enc(cot),
            inputGrads=[enc(g) for g in grads[: len(inputs)]],
            paramGrads={n: enc(g) for n, g in zip(names, grads[len(inputs):])},
        )
        for key_name, mask in (("attnMask", attn_mask), ("keyPaddingMask", key_padding_mask)):
            if mask is not None:
                case[key_name] = enc(mask.to(torch.float64))
                case["maskKind"] = "bool" if mask.dtype == torch.bool else "float"
        mha[name] = case

    causal5 = torch.ones(5, 5, dtype=torch.bool).triu(diagonal=1)  # True = not allowed
    mha_case("self_causal", 8, 2, (5, 3, 8), self_attention=True, attn_mask=causal5)
    pad = torch.zeros(3, 6, dtype=torch.bool)
    pad[0, 4:] = True
    pad[2, 1] = True
    pad[2, 5] = True
    mha_case("cross_key_padding_per_head", 8, 4, (4, 3, 8), (6, 3, 8), same_kv=True, key_padding_mask=pad, average=False)
    pad5 = torch.zeros(2, 5, dtype=torch.bool)
    pad5[1, 3:] = True
    mha_case("batch_first_causal_and_padding", 6, 3, (2, 5, 6), self_attention=True, attn_mask=causal5, key_padding_mask=pad5, batch_first=True)
    mha_case("float_mask_per_head", 4, 2, (3, 2, 4), (5, 2, 4), (5, 2, 4), attn_mask=torch.randn(2 * 2, 3, 5))
    float_pad = torch.zeros(2, 5)
    float_pad[0, 1] = float("-inf")
    float_pad[1, 3] = -2.5
    mha_case("float_key_padding", 4, 2, (3, 2, 4), (5, 2, 4), (5, 2, 4), key_padding_mask=float_pad)
    upad = torch.tensor([False, False, True, False, False, True])
    ucausal = torch.ones(4, 6, dtype=torch.bool).triu(diagonal=1)
    mha_case("unbatched", 6, 2, (4, 6), (6, 6), (6, 6), attn_mask=ucausal, key_padding_mask=upad)
    mha_case("unbatched_per_head", 6, 3, (4, 6), (6, 6), (6, 6), attn_mask=torch.rand(3, 4, 6) > 0.7, average=False)
    mha_case("no_bias", 6, 2, (4, 2, 6), (3, 2, 6), (3, 2, 6), bias=False)
    mha_case("kdim_vdim", 6, 2, (2, 4, 6), (2, 3, 5), (2, 3, 7), batch_first=True, kdim=5, vdim=7)
    mha_case("need_weights_false", 4, 2, (3, 2, 4), self_attention=True, attn_mask=torch.ones(3, 3, dtype=torch.bool).triu(diagonal=1), need_weights=False)
    mha_case("eval_with_dropout", 4, 1, (3, 2, 4), self_attention=True, dropout=0.3, train=False)
    return {"sdpa": sdpa, "mha": mha}

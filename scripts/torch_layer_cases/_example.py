"""How a layer family's fixture module looks (files starting with _ are not targets).

    def build():
        torch.manual_seed(0)
        layer = torch.nn.LayerNorm(4)
        x = torch.randn(3, 4, requires_grad=True)
        y = layer(x)
        ...
        return {"cases": {"layer_norm": {"input": x.tolist(), "output": y.tolist(), ...}}}

Run with /usr/bin/python3 scripts/torch-fixtures.py layers-<family>; the result is written
to packages/nn/test/fixtures/torch-layers-<family>.json, with a "meta" entry added.
"""

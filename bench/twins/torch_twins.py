"""PyTorch side of the training twins (bench/twins/rounds.mjs): the examples' networks
written as a PyTorch user writes them (nn.Sequential, nn.Module, torch.optim and its
schedulers), float64 on one thread, loading the initial weights and the minibatches that
tapegrad wrote, and training on them step for step.

Line protocol, as bench/peers/serve.py: one JSON line about itself, then one answer per
request {"twin": key, "dir": folder, "config": {...}, "steps": n}: the next n steps of that
twin, {"ms": [per step], "losses": [per step]}; {"ms": null} for a twin it does not know;
{"error": text} when a twin cannot be built or trained (a name or shape that does not
match is an error, never skipped).
"""
import json
import math
import os
import re
import struct
import sys
import time
import traceback

import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True  # no __pycache__ left in bench/peers
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from serve import blas_info  # noqa: E402

# One thread unless PEER_THREADS=default asks for PyTorch's own choice (all cores).
if os.environ.get("PEER_THREADS", "1") != "default":
    torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))
torch.set_default_dtype(torch.float64)


def read_safetensors(path):
    """Tensors by name from a safetensors file: the `safetensors` package when it is
    installed, else the format read directly (8-byte little-endian header length, a JSON
    header of dtype, shape and byte offsets, then the raw little-endian data)."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        pass
    else:
        return load_file(path)
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    base = 8 + length
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F64":
            raise ValueError(f"{path}: {name} is {info['dtype']}; the twins write F64 only")
        start, end = info["data_offsets"]
        values = torch.frombuffer(bytearray(raw[base + start : base + end]), dtype=torch.float64)
        out[name] = values.reshape(info["shape"])
    return out


def torch_name(tapegrad_name):
    """tapegrad's state-dict names are PyTorch's in camelCase (inProjWeight, runningMean,
    lnF): each dotted part back to snake_case."""
    return ".".join(re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), part) for part in tapegrad_name.split("."))


def load_weights(model, path):
    """Loads tapegrad's initial weights into `model` under PyTorch's names, strictly: a
    missing, extra or misshapen tensor raises."""
    state = {torch_name(k): v for k, v in read_safetensors(path).items()}
    model.load_state_dict(state, strict=True)


# ---- the digits convnet (examples/digits, the cnn preset) ---------------------------


def digits_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def digits_twin(files, config):
    model = digits_cnn()
    load_weights(model, files["init"])
    batches = read_safetensors(files["batches"])
    x, y = batches["x"], batches["y"].long()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config["lr"], total_steps=config["steps"])
    model.train()

    def prepare(i):
        images, labels = x[i], y[i]
        return training_step(optimizer, scheduler, lambda: loss_fn(model(images), labels))

    return prepare


def training_step(optimizer, scheduler, loss_of, clip=None):
    """One training step as a PyTorch user writes it: zero the gradients, compute the loss,
    backward, clip the gradients' norm when `clip` = (parameters, max_norm) asks, step the
    optimizer and the schedule; the step returns the loss."""

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(clip[0](), clip[1])
        optimizer.step()
        scheduler.step()
        return loss.item()

    return step


# ---- the names MLP (makemore part 3) -------------------------------------------------


class Mlp(nn.Module):
    def __init__(self, vocabulary_size, block_size, embedding_dim, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, embedding_dim)
        self.hidden = nn.Linear(block_size * embedding_dim, hidden_size, bias=False)
        self.norm = nn.BatchNorm1d(hidden_size)
        self.activation = nn.Tanh()
        self.output = nn.Linear(hidden_size, vocabulary_size)

    def forward(self, contexts):
        e = self.embedding(contexts)
        return self.output(self.activation(self.norm(self.hidden(e.view(e.shape[0], -1)))))


def mlp_twin(files, config):
    model = Mlp(config["vocabularySize"], config["blockSize"], config["embeddingDim"], config["hiddenSize"])
    load_weights(model, files["init"])
    batches = read_safetensors(files["batches"])
    x, y = batches["x"].long(), batches["y"].long()
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"])
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[config["milestone"]], gamma=0.1)
    model.train()

    def prepare(i):
        contexts, targets = x[i], y[i]
        return training_step(optimizer, scheduler, lambda: F.cross_entropy(model(contexts), targets))

    return prepare


# ---- the names GPT (makemore's Transformer, pre-LN) ----------------------------------


class Block(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(embed_dim)
        self.attention = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, batch_first=True)
        self.attention_output_dropout = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, 4 * embed_dim), nn.GELU(), nn.Linear(4 * embed_dim, embed_dim), nn.Dropout(dropout))

    def forward(self, x, causal_mask):
        h = self.ln1(x)
        attended, _ = self.attention(h, h, h, attn_mask=causal_mask, need_weights=False)
        x = x + self.attention_output_dropout(attended)
        return x + self.mlp(self.ln2(x))


class Gpt(nn.Module):
    def __init__(self, vocabulary_size, block_size, embed_dim, num_heads, num_layers, dropout):
        super().__init__()
        self.token_embedding = nn.Embedding(vocabulary_size, embed_dim)
        self.position_embedding = nn.Embedding(block_size, embed_dim)
        self.embedding_dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, dropout) for _ in range(num_layers)])
        self.ln_f = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, vocabulary_size)

    def forward(self, tokens):
        length = tokens.shape[1]
        x = self.embedding_dropout(self.token_embedding(tokens) + self.position_embedding(torch.arange(length)))
        # torch 1.13's MultiheadAttention has no is_causal: True above the diagonal is masked out.
        causal_mask = torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)
        for block in self.blocks:
            x = block(x, causal_mask)
        return self.head(self.ln_f(x))


def gpt_twin(files, config):
    model = Gpt(config["vocabularySize"], config["blockSize"], config["embedDim"], config["numHeads"], config["numLayers"], config["dropout"])
    load_weights(model, files["init"])
    batches = read_safetensors(files["batches"])
    x, y, lengths = batches["x"].long(), batches["y"].long(), batches["length"].long()
    # Decay the matrices only, as nanoGPT: not biases, LayerNorm gains or embeddings.
    decay = [p for name, p in model.named_parameters() if p.dim() >= 2 and "embedding" not in name]
    no_decay = [p for name, p in model.named_parameters() if not (p.dim() >= 2 and "embedding" not in name)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config["lr"], betas=tuple(config["betas"]),
    )
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(lengths), eta_min=config["lr"] / 10)
    model.train()

    def prepare(i):
        length = int(lengths[i])
        tokens, targets = x[i, :, :length].contiguous(), y[i, :, :length].contiguous()

        def loss():
            logits = model(tokens)
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=config["ignoreIndex"])

        return training_step(optimizer, scheduler, loss, clip=(model.parameters, config["clip"]))

    return prepare


TWINS = {"digits-cnn": digits_twin, "names-mlp": mlp_twin, "names-gpt": gpt_twin}


class Running:
    """A twin being trained: its step maker and the next step's index."""

    def __init__(self, prepare):
        self.prepare = prepare
        self.next = 0

    def run(self, steps):
        ms, losses = [], []
        for _ in range(steps):
            step = self.prepare(self.next)  # the batch, outside the clock
            start = time.perf_counter()
            losses.append(step())
            ms.append((time.perf_counter() - start) * 1000)
            self.next += 1
        return {"ms": ms, "losses": losses}


def main():
    about = {"version": f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)", "blas": blas_info()}
    print(json.dumps(about), flush=True)
    running = {}
    for line in sys.stdin:
        request = json.loads(line)
        key = request["twin"]
        try:
            if key not in TWINS:
                answer = {"ms": None}
            else:
                if key not in running:
                    files = {kind: os.path.join(request["dir"], f"{key}.{kind}.safetensors") for kind in ("init", "batches")}
                    running[key] = Running(TWINS[key](files, request["config"]))
                answer = running[key].run(request["steps"])
        except Exception as error:  # reported to run.mjs, which prints it; the other twins go on
            traceback.print_exc(file=sys.stderr)
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()

"""Golden reference for IsingGPT (style note 3, after llm.c's test_gpt2.c): builds the same tiny pre-norm
network as src/gpt/model.cpp in PyTorch, independently of it, and writes its parameters, a batch of spin
tokens, the per-position log-conditionals, the loss and the gradients of every parameter to
tiny_gpt.json, which tests/gpt/test_golden.cpp compares with the LibTorch model. Run by hand with
Debian's python3-torch: /usr/bin/python3 tests/gpt/golden/make_golden.py (deterministic; float64 here,
so the file holds the exact answer for the float32 model to within float rounding)."""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

L, D, H, FF, LAYERS, BATCH = 6, 16, 2, 32, 2, 5
START = 2  # tokens: 0 = spin -1, 1 = spin +1, 2 = start


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(D, 3 * D)
        self.proj = nn.Linear(D, D)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        return self.proj((att @ v).transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(D), Attention(), nn.LayerNorm(D)
        self.fc, self.fc_proj = nn.Linear(D, FF), nn.Linear(FF, D)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc_proj(F.gelu(self.fc(self.ln2(x))))


class TinyGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb, self.pos_emb = nn.Embedding(3, D), nn.Embedding(L, D)
        for l in range(LAYERS):
            setattr(self, f"block{l}", Block())
        self.ln_f, self.head = nn.LayerNorm(D), nn.Linear(D, 2)

    def forward(self, inputs):
        x = self.tok_emb(inputs) + self.pos_emb(torch.arange(inputs.size(1)))
        for l in range(LAYERS):
            x = getattr(self, f"block{l}")(x)
        return self.head(self.ln_f(x))


torch.manual_seed(2026)
model = TinyGPT().double()
with torch.no_grad():  # weights of order one, so that attention is far from uniform
    for name, p in model.named_parameters():
        p.copy_(0.5 * torch.randn_like(p) + (1.0 if name.endswith("ln1.weight") or name.endswith("ln2.weight")
                                                 or name.endswith("ln_f.weight") else 0.0))
spins = torch.randint(0, 2, (BATCH, L))
inputs = torch.cat([torch.full((BATCH, 1), START), spins[:, :-1]], dim=1)
log_cond = F.log_softmax(model(inputs), -1).gather(-1, spins.unsqueeze(-1)).squeeze(-1)
loss = -log_cond.mean()
loss.backward()

out = {
    "config": {"L": L, "d_model": D, "n_heads": H, "d_ff": FF, "n_layers": LAYERS},
    "tokens": spins.tolist(),
    "log_conditionals": log_cond.detach().flatten().tolist(),
    "loss": loss.item(),
    "parameters": {n: p.detach().flatten().tolist() for n, p in model.named_parameters()},
    "gradients": {n: p.grad.flatten().tolist() for n, p in model.named_parameters()},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_gpt.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0)
print(f"wrote {path}: loss {loss.item():.6f}, {sum(p.numel() for p in model.parameters())} parameters")

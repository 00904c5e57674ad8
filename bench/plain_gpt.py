"""Training-step time of a plain PyTorch model with IsingGPT's architecture (src/gpt/gpt.hpp: pre-norm,
d_model 64, 4 heads, d_ff 256 GELU, 2 layers, causal attention written out as in nanoGPT before
PyTorch 2, AdamW lr 3e-4, dropout 0) at L = 32, batch 256 and L = 256, batch 64, for comparison with
bench/bench_gpt.cpp (issue 16). GFLOP per step counts forward plus backward as 3x the forward
multiply-adds with the full L x L attention, as bench_gpt.cpp does. Prints wall-clock and per-CPU-second
rates, since the machine may be shared. Run with /usr/bin/python3 (Debian's python3-torch)."""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, L, d_model, n_heads, d_ff):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc = nn.Linear(d_model, d_ff)
        self.fc_proj = nn.Linear(d_ff, d_model)
        self.register_buffer("causal", torch.tril(torch.ones(L, L, dtype=torch.bool)))

    def attention(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.n_heads)
        att = att.masked_fill(~self.causal[:T, :T], float("-inf")).softmax(dim=-1)
        return self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.fc_proj(F.gelu(self.fc(self.ln2(x))))


class PlainGPT(nn.Module):
    def __init__(self, L, d_model=64, n_heads=4, n_layers=2, d_ff=256):
        super().__init__()
        self.tok_emb = nn.Embedding(3, d_model)
        self.pos_emb = nn.Embedding(L, d_model)
        self.blocks = nn.ModuleList(Block(L, d_model, n_heads, d_ff) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, inputs):
        x = self.tok_emb(inputs) + self.pos_emb(torch.arange(inputs.size(1)))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def step_gflop(L, batch, d_model=64, d_ff=256, n_layers=2):
    per_token = n_layers * (4 * d_model ** 2 + 2 * d_model * d_ff + 2 * L * d_model) + 2 * d_model
    return 3 * 2 * per_token * batch * L / 1e9


def time_steps(threads, L, batch, warmup=3, seconds=6.0):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = PlainGPT(L)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    spins = torch.randint(0, 2, (8192, L))
    start = torch.full((8192, 1), 2, dtype=torch.long)
    inputs = torch.cat([start, spins[:, :-1]], dim=1)

    def step(k):
        rows = slice((k * batch) % 8192, (k * batch) % 8192 + batch)
        logits = model(inputs[rows])
        loss = F.cross_entropy(logits.reshape(-1, 2), spins[rows].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for k in range(warmup):
        step(k)
    n, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        step(n)
        n += 1
    return (time.perf_counter() - wall0) / n, (time.process_time() - cpu0) / n


# BENCH_THREADS="1" skips the 2-thread runs (which crawl when the machine is oversubscribed)
THREADS = tuple(int(t) for t in os.environ.get("BENCH_THREADS", "1 2").split())

if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "--one":
    # one measurement for spinformer_bench (bench/bench_pytorch.cpp): L batch threads seconds -> "wall_ms cpu_ms"
    L, batch, threads, seconds = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    wall, cpu = time_steps(threads, L, batch, seconds=seconds)
    print(f"{1e3 * wall:.3f} {1e3 * cpu:.3f}")
elif __name__ == "__main__":
    print(f"plain PyTorch {torch.__version__} model of IsingGPT's architecture (causal, pre-norm, AdamW, dropout 0):")
    print(f"  {'':32} {'wall ms':>9} {'CPU ms':>9} {'tokens/s':>11} {'GFLOP/s':>9} {'GFLOP/CPU-s':>12}")
    for L, batch in ((32, 256), (256, 64)):
        for threads in THREADS:
            wall, cpu = time_steps(threads, L, batch)
            g = step_gflop(L, batch)
            print(f"  L={L:<3} batch={batch:<3} threads={threads}        {1e3 * wall:9.1f} {1e3 * cpu:9.1f} "
                  f"{batch * L / wall:11.3g} {g / wall:9.1f} {g / cpu:12.1f}")

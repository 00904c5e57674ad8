"""Training-step time of the seed's own IsingGPT (000_700600b7864feadb.txt) in PyTorch, for comparison
with bench/bench_gpt.cpp: batch 256, L = 32, d_model 64, 4 heads, 2 layers, d_ff 256, dropout 0.1,
AdamW lr 3e-4, CrossEntropy(model(x), x) exactly as printed (no causal mask, unshifted targets: the
flaw does not change the cost). Run with /usr/bin/python3 (Debian's python3-torch)."""
import time

import torch
import torch.nn as nn


class IsingGPT(nn.Module):  # verbatim from the seed
    def __init__(self, vocab_size=2, seq_len=32, d_model=64, n_heads=4, n_layers=2, dropout=0.1):
        super().__init__()
        self.token_embed = nn.Embedding(vocab_size, d_model)
        self.pos_embed = nn.Embedding(seq_len, d_model)
        self.transformer = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model=d_model, nhead=n_heads, dim_feedforward=4 * d_model,
                                       dropout=dropout, batch_first=True),
            num_layers=n_layers)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, x):
        pos = torch.arange(x.size(1), device=x.device).unsqueeze(0)
        h = self.token_embed(x) + self.pos_embed(pos)
        h = self.transformer(h)
        return self.head(h)


def time_steps(threads, batch=256, L=32, warmup=5, seconds=4.0):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = IsingGPT(seq_len=L)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    criterion = nn.CrossEntropyLoss()
    data = torch.randint(0, 2, (8192, L)) * 2 - 1

    def step(k):
        batch_pm = data[(k * batch) % 8192:(k * batch) % 8192 + batch]
        x = (batch_pm + 1) // 2
        logits = model(x)
        loss = criterion(logits.reshape(-1, 2), x.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for k in range(warmup):
        step(k)
    n, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        step(n)
        n += 1
    per_step = (time.perf_counter() - start) / n
    return per_step, batch * L / per_step, (time.process_time() - cpu0) / n


if __name__ == "__main__":
    print(f"seed's IsingGPT in PyTorch {torch.__version__} (batch 256, L = 32, dropout 0.1, AdamW):")
    for threads in (1, 2):
        per_step, tokens, cpu = time_steps(threads)
        print(f"  {threads} thread(s): {1e3 * per_step:.1f} ms/step, {tokens:.3g} tokens/s, {1e3 * cpu:.1f} CPU ms/step")

"""Peak memory of the 2D model (issue 14): IsingGPT on a 16 x 16 torus in raster order (256 tokens, the
seed's sizes: d_model 64, 4 heads, d_ff 256, 2 layers; chapter 6 uses d_model 32) against the plain PyTorch model of
the same architecture (bench/plain_gpt.py), one thread each. Every measurement runs in its own process
and reports that process's peak resident set (getrusage of the waited child), so a number includes the
library's own footprint; the first two rows give that footprint alone.
Usage: python3 bench/memory.py [BUILD_DIR]  (default build/cmake; needs Debian's python3-torch)."""
import os
import subprocess
import sys
import tempfile

build = sys.argv[1] if len(sys.argv) > 1 else "build/cmake"
spinformer = os.path.join(build, "bin", "spinformer")
here = os.path.dirname(os.path.abspath(__file__))
L, batch, rows = 256, 64, 1024


def peak_mb(argv, env=None):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"memory.py: {' '.join(argv)} failed ({proc.returncode}): {err.strip()[-300:]}")
    return usage.ru_maxrss / 1024.0  # kB on Linux


# 20 AdamW steps of the plain model, as plain_gpt.time_steps runs them (random spins; memory does not
# depend on their values)
TRAIN_PLAIN = """import plain_gpt
import torch.nn.functional as F
model = plain_gpt.PlainGPT({L})
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
spins = torch.randint(0, 2, ({batch}, {L}))
inputs = torch.cat([torch.full(({batch}, 1), 2, dtype=torch.long), spins[:, :-1]], dim=1)
for _ in range(20):
    loss = F.cross_entropy(model(inputs).reshape(-1, 2), spins.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def python(code):
    return peak_mb([sys.executable, "-c", f"import sys; sys.path.insert(0, {here!r}); import torch; torch.set_num_threads(1)\n" + code])


with tempfile.TemporaryDirectory() as tmp:
    data, model, out = (os.path.join(tmp, f) for f in ("data.tsv", "model.pt", "samples.tsv"))
    subprocess.run([spinformer, "ising2d", "sample", "--L", "16", "--T", "2.269185314213022", "--n", str(rows),
                    "--sampler", "wolff", "--seed", "1", "--out", data], check=True, stderr=subprocess.DEVNULL)
    results = [
        ("spinformer, the command alone (--help)", peak_mb([spinformer, "gpt", "train", "--help"])),
        ("python3 + import torch alone", python("pass")),
        (f"spinformer gpt train: 20 steps, batch {batch} (AdamW), validation on {rows // 20} rows",
         peak_mb([spinformer, "gpt", "train", "--data", data, "--steps", "20", "--batch", str(batch), "--eval-every", "10",
                  "--checkpoint-every", "0", "--threads", "1", "--quiet", "--out", model])),
        (f"plain PyTorch: 20 training steps, batch {batch}",
         python(TRAIN_PLAIN.format(L=L, batch=batch))),
        (f"spinformer gpt logprob: {rows} configurations",
         peak_mb([spinformer, "gpt", "logprob", "--model", model, "--configs", data, "--threads", "1"])),
        (f"plain PyTorch: forward of {rows} configurations (no_grad)",
         python(f"import plain_gpt\nwith torch.no_grad(): plain_gpt.PlainGPT({L}).eval()(torch.randint(0, 3, ({rows}, {L})))")),
        (f"spinformer gpt sample: {rows} configurations (key/value cache)",
         peak_mb([spinformer, "gpt", "sample", "--model", model, "--n", str(rows), "--threads", "1", "--out", out])),
    ]
print(f"peak resident memory, L = {L} tokens (16 x 16 torus), one thread:")
for what, mb in results:
    print(f"  {what:<72} {mb:8.0f} MB")

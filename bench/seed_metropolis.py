#!/usr/bin/env python3
"""The seed's Metropolis sampler (000_700600b7864feadb.txt, `_metropolis_sweep`), timed as written:
one torch.jit.script sweep of L random-site attempts on a single L = 32 ring, T = 1.
As written the seed's function does not compile under TorchScript 1.13 (`.item()` gives a number,
which cannot index a tensor); the one change here is int(...) around it.
Prints attempted flips per second, for `make bench` to set beside the C++ samplers."""
import time

import torch


@torch.jit.script
def _metropolis_sweep(spins: torch.Tensor, beta: float, J: float, h: float, L: int):
    for _ in range(L):
        i = int(torch.randint(0, L, (1,)).item())
        dE = 2.0 * J * spins[i] * (spins[(i - 1) % L] + spins[(i + 1) % L]) + 2.0 * h * spins[i]
        if dE <= 0 or torch.rand(1) < torch.exp(-beta * dE):
            spins[i] = -spins[i]


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    L, beta = 32, 1.0
    spins = torch.randint(0, 2, (L,)) * 2 - 1
    for _ in range(20):  # warm-up: let the JIT compile
        _metropolis_sweep(spins, beta, 1.0, 0.0, L)
    sweeps = 300
    start = time.perf_counter()
    for _ in range(sweeps):
        _metropolis_sweep(spins, beta, 1.0, 0.0, L)
    elapsed = time.perf_counter() - start
    print(f"seed Python/TorchScript Metropolis (L = 32, T = 1): {sweeps * L / elapsed:.3g} attempts/s")


if __name__ == "__main__":
    main()

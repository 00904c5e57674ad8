N = 64
D = 32
ising_N = 128

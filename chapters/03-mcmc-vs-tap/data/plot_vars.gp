N = 64
D = 32
ising_N = 128
sizes = '32 64 128'

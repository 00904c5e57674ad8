N = 64
D = 32
ising_N = 256
sizes = '32 64 128'

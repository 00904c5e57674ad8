L = 64
temps = "1 2"
open_temps = "1"
scale_L = 32
scale_lrs = "0.001 0.003 0.01 0.03"
freeze = 2.6327688477341593
spacing = 4

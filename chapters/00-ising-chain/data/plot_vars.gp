temps = "0.5 0.75 1 1.5 2 3 5"
L = 32
alpha = 0.001
code_spacing = 820

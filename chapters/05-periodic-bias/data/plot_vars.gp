temps = "0.5 1 2"
scales = "0.25 0.5 1 2 4 8"
L = 16
long_T = "0.5"
threshold = 0.00359154
steps = 400
end_first = 13

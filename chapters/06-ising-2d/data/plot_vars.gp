L = 8
Tc = 2.269185314213022
temperatures = "1.8 2.1 2.269 2.5 3"
validation_sizes = "4 8 16"
exact_sizes = "4 8 16"
z_local = 2.093545549648354
z_wolff = 0.3029936750122244
fit_from = 16

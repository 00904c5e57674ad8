# Chapter 3 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
# Every file holds, per grid point, the mean over disorder draws and the 95% t half-width ("_hw").
load data.'/plot_vars.gp'
kn = data.'/kinetic.tsv'
mc = data.'/mcmc.tsv'
ct = data.'/control.tsv'
is = data.'/ising.tsv'
ep = data.'/epsilon.tsv'
sz = data.'/sizes.tsv'
od = data.'/orders.tsv'

do for [ext in "pdf png"] {
  # ---- the thesis's Figure 4.1, on two models ----------------------------------------------------------
  name = 'alignment'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set format x '10^{%L}'
  set xrange [5e-4:2e3]
  set yrange [-1.05:1.15]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'alignment A(m, x)'
  set key bottom left font ',8'
  plot kn u 1:4 w l lw 2 lc rgb '#009E73' t 'nMF', \
       kn u 1:8 w l lw 1.5 lc rgb '#CC79A7' t 'TAP, inner equation by Newton', \
       kn u 1:10 w l lw 1.5 dt 2 lc rgb '#E69F00' t "TAP, thesis's inner solve", \
       kn u 1:2:3 w yerr ls 1 pt 7 ps 0.6 t 'kinetic model, exact simulation (m_{30})', \
       mc u ($1*1.12):2:3 w yerr ls 11 t "loss model: thesis's MCMC (from m_0)", \
       mc u ($1*0.89):6:7 w yerr ls 12 t 'loss model: adapted MCMC (equilibrium)'
  unset logscale x; unset xrange; unset yrange; set format x '% h'
  set output

  # ---- TAP: solver check and accuracy ----------------------------------------------------------------
  name = 'tap'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale x
  set format x '10^{%L}'
  set xrange [5e-4:2e3]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'std of A(m_t, x), last half of TAP'
  set yrange [-0.05:1.2]
  set key top left font ',8'
  plot kn u 1:18:19 w yerr ls 11 t "thesis's solve (10^{-3}, 100 it.)", \
       kn u ($1*1.12):16:17 w yerr ls 12 t 'Newton solve', \
       kn u 1:22 w l ls 2 lc rgb '#0072B2' t "failed inner solves, thesis's (fraction)", \
       kn u 1:20 w l ls 2 lc rgb '#D55E00' t 'failed inner solves, Newton (fraction)'
  set logscale y
  set format y '10^{%L}'
  set yrange [*:*]
  set ylabel 'MSE of m_{30} per component vs exact'
  set key bottom right font ',8'
  plot kn u 1:(abs($24)) w lp ls 13 t 'nMF', \
       kn u 1:(abs($26)) w lp ls 14 t 'TAP', \
       kn u 1:(abs($28)) w l lw 1 dt 2 lc rgb '#009E73' t 'nMF, Bessel readout', \
       kn u 1:30 w l ls 2 t 'sampling noise'
  unset multiplot
  unset logscale; unset xrange; unset yrange; set format x '% h'; set format y '% h'
  set output

  # ---- the loss model's samplers: J = 0 control and mixing --------------------------------------------
  name = 'samplers'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale x
  set format x '10^{%L}'
  set xrange [3e-4:3]
  set yrange [-0.3:1.2]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'A(m, x), J = 0'
  set key center right font ',8'
  plot 1 w l ls 1 t 'exact (A = 1)', \
       ct u 1:2:3 w yerr ls 11 t "thesis's sampler", \
       ct u ($1*1.15):4:5 w yerr ls 12 t 'adapted sampler'
  set logscale y
  set xrange [5e-4:2e3]
  set yrange [*:*]
  set ylabel 'R-hat of A(s_t, x), dispersed starts'
  set key top right font ',8'
  plot mc u 1:8 w lp ls 11 t "thesis's sampler", \
       mc u 1:10 w lp ls 12 t 'adapted sampler', \
       1.1 w l ls 2 t 'R-hat = 1.1'
  unset multiplot
  unset logscale; unset xrange; unset yrange; set format x '% h'
  set output

  # ---- the epsilon test and the size dependence -------------------------------------------------------------
  name = 'orders'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,3
  set logscale xy
  set format x '%g'
  set format y '10^{%L}'
  set xrange [0.04:0.8]
  set yrange [*:*]
  set xlabel 'coupling scale {/Symbol e} (J -> {/Symbol e} J)'
  set ylabel 'rms error of m_T per component vs exact'
  set key bottom right font ',6'
  stats ep u 1:2 nooutput
  e0 = STATS_min_x; n0 = STATS_min_y
  plot ep u 1:2:3 w yerr ls 13 t 'nMF (Bessel readout)', \
       ep u 1:4:5 w yerr ls 14 t "TAP, thesis's hybrid readout", \
       ep u 1:14:15 w yerr ls 15 t 'TAP, consistent readout', \
       ep u 1:8 w lp ls 12 t 'second-order theory', \
       ep u 1:16 w l ls 2 t "exact model's sampling noise", \
       n0 * (x / e0)**2 w l lw 1 dt 3 lc rgb '#000000' t '{/Symbol e}^2', \
       n0 * (x / e0)**3 w l lw 1 dt 4 lc rgb '#555555' t '{/Symbol e}^3'
  set format x '%g'
  set format y '%g'
  set xrange [*:*]
  set autoscale x
  set xlabel 'spin dimension D'
  set ylabel "{/Symbol e}^2 coefficient / nMF's"
  set key bottom left font ',6'
  stats od u 1:10 nooutput
  d0 = STATS_min_x; r0 = STATS_max_y
  plot od u 1:10:11 w yerr ls 14 t 'TAP, consistent readout', \
       od u 1:10 w l ls 14 notitle, \
       od u 1:12:13 w yerr ls 15 t 'TAP, half the Onsager term', \
       r0 * d0 / x w l lw 1 dt 3 lc rgb '#000000' t '1/D'
  set format y '10^{%L}'
  set logscale x
  set format x '10^{%L}'
  set xrange [5e-3:2e2]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'MSE of m_{30} per component vs exact'
  set key top left font ',6'
  plot for [k=1:3] sz u ($1 == word(sizes, k) ? $2 : 1/0):9 w lp ls (10 + k) t 'nMF, N = '.word(sizes, k), \
       for [k=1:3] sz u ($1 == word(sizes, k) ? $2 : 1/0):11 w lp ls (10 + k) dt 2 t 'TAP, N = '.word(sizes, k)
  unset multiplot
  unset logscale; unset xrange; unset yrange; set format x '% h'; set format y '% h'
  set output

  # ---- binary kinetic Ising near criticality ------------------------------------------------------------
  name = 'ising'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,3
  set logscale y
  set format y '10^{%L}'
  set xlabel '{/Symbol b} / {/Symbol b}_c'
  set xrange [0.65:1.35]
  set xtics 0.2
  set key top left font ',7'
  do for [q=1:3] {
    set ylabel 'MSE of '.word('m_t C_t D_t', q).(q == 1 ? ' less noise' : '')
    c0 = q == 1 ? 34 : 10 + 8 * (q - 1)  # m: less the simulation's noise
    plot for [k=0:3] is u ($1 + 0.006 * (k - 1.5)):(column(c0 + 2 * k)):(column(c0 + 2 * k + 1)) w yerr \
         ls (11 + k) t word("naive TAP Gaussian pairwise", k + 1)
  }
  unset multiplot
  unset logscale; unset xrange; set xtics autofreq; set format y '% h'
  set output
}

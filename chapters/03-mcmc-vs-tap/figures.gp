# Chapter 3 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
mf = data.'/mean_field.tsv'
mc = data.'/mcmc.tsv'
rv = data.'/rhat_vs_length.tsv'
lr = data.'/long_runs.tsv'
nlong = words(long_betas)

do for [ext in "pdf png"] {
  # ---- the thesis's Figure 4.1: alignment vs beta ---------------------------------------------------
  name = 'alignment'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set format x '10^{%L}'
  set xrange [5e-4:2e3]
  set yrange [-1.05:1.1]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'alignment A(m_{NESS}, x)'
  set key bottom left font ',9'
  plot mf u 1:2 w l lw 2 lc rgb '#009E73' t 'nMF', \
       mf u 1:4 w l lw 1.5 lc rgb '#CC79A7' t 'TAP', \
       mf u 1:5 w l lw 2 dt 2 lc rgb '#E69F00' t '|TAP|', \
       mf u 1:7 w l lw 1.5 dt 3 lc rgb '#56B4E9' t 'TAP, symmetric J', \
       mc u 1:2:3 w yerr ls 11 t 'MCMC, thesis {/Symbol s} (4 chains from m_0)', \
       mc u ($1*1.12):5:6 w yerr ls 12 t 'MCMC, adapted {/Symbol s} (equilibrium)', \
       mc u ($1*0.89):7:8 w yerr ls 13 t 'the same, noise-corrected'
  unset logscale x; unset xrange; unset yrange; set format x '% h'
  set output

  # ---- zoom on the intermediate regime: the TAP bump, both conventions, symmetric J -------------------
  name = 'tap_bump'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set format x '10^{%L}'
  set xrange [0.1:100]
  set yrange [0.6:1.02]
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'alignment A(m_{NESS}, x)'
  set key bottom left font ',9'
  plot mf u 1:2 w lp lw 2 pt 7 ps 0.5 lc rgb '#009E73' t 'nMF', \
       mf u 1:3 w l lw 1 dt 2 lc rgb '#000000' t 'nMF, exact Bessel readout', \
       mf u 1:4 w lp lw 1.5 pt 5 ps 0.5 lc rgb '#CC79A7' t 'TAP (code convention, g0_i)', \
       mf u 1:6 w lp lw 1.5 dt 2 pt 4 ps 0.5 lc rgb '#D55E00' t 'TAP (derived convention, g0_j)', \
       mf u 1:7 w lp lw 1.5 dt 3 pt 9 ps 0.5 lc rgb '#56B4E9' t 'TAP, symmetric J', \
       mc u ($1*1.12):5:6 w yerr ls 12 t 'MCMC, adapted {/Symbol s}'
  unset logscale x; unset xrange; unset yrange; set format x '% h'
  set output

  # ---- mixing: R-hat vs beta for both samplers, and the running alignment of the 1e7-proposal chains ----
  name = 'mixing'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale xy
  set format x '10^{%L}'
  set xlabel 'inverse temperature {/Symbol b}'
  set ylabel 'R-hat of A(s_t, x), dispersed starts'
  set key top right font ',9'
  set xrange [5e-4:2e3]
  plot mc u 1:9 w lp ls 11 t 'thesis {/Symbol s}', \
       mc u 1:10 w lp ls 12 t 'adapted {/Symbol s}', \
       1.1 w l ls 2 t 'R-hat = 1.1'
  unset logscale y; unset xrange
  set logscale x
  set xlabel 'proposals'
  set ylabel 'A(running mean, x)'
  set yrange [-0.3:1.05]
  set key bottom right font ',8'
  plot for [k=1:nlong] lr u (($1 == word(long_betas, k) + 0 && $2 == 0) ? $3 : NaN):4 w l lw 2 dt 1 lc rgb tcolor(k) \
         t '{/Symbol b} = '.word(long_betas, k).', from m_0', \
       for [k=1:nlong] lr u (($1 == word(long_betas, k) + 0 && $2 == 1) ? $3 : NaN):4 w l lw 2 dt 2 lc rgb tcolor(k) \
         t '{/Symbol b} = '.word(long_betas, k).', from field'
  unset multiplot
  unset logscale; unset yrange; set format x '% h'
  set output
}

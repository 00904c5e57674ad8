# Chapter 6 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
ex = data.'/exact.tsv'
va = data.'/validation.tsv'
ta = data.'/tau.tsv'
tr = data.'/transformer.tsv'
lt = data.'/large_transformer.tsv'
vr = data.'/variational.tsv'
hi = data.'/abs_m_histogram.tsv'
at = data.'/attention.tsv'
ca = data.'/causal.tsv'
xs = data.'/excess.tsv'
to = data.'/torus.tsv'
nE = words(exact_sizes)
nV = words(validation_sizes)
nT = words(temperatures)
exact_index(Lv) = sum [k = 1:nE] (word(exact_sizes, k) + 0 == Lv ? k : 0)
sel(s, Lv, col) = ($1 == s && $2 == Lv) ? column(col) : NaN

do for [ext in "pdf png"] {
  # ---- samplers against the exact torus -----------------------------------------------------------------
  name = 'samplers'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1, 2
  set xlabel 'temperature T / J'
  set ylabel 'specific heat per spin'
  set key top left font ',7'
  set arrow 1 from Tc, graph 0 to Tc, graph 1 nohead dt 3 lc rgb '#999999'
  plot for [k = 1:nV] ex u 1:(column(1 + nE + exact_index(word(validation_sizes, k) + 0))) w l lw 1.5 lc rgb tcolor(k) \
         t sprintf('exact, L = %s', word(validation_sizes, k)), \
       for [k = 1:nV] va u ($3 - 0.02):(sel(0, word(validation_sizes, k) + 0, 7)):(sel(0, word(validation_sizes, k) + 0, 8)) \
         w yerr pt 7 ps 0.6 lc rgb tcolor(k) t (k == 1 ? 'Metropolis' : ''), \
       for [k = 1:nV] va u ($3 + 0.02):(sel(1, word(validation_sizes, k) + 0, 7)):(sel(1, word(validation_sizes, k) + 0, 8)) \
         w yerr pt 5 ps 0.6 lc rgb tcolor(k) t (k == 1 ? 'Wolff' : '')
  unset arrow 1
  set ylabel '(measured - exact) / standard error'
  set xlabel 'condition'
  set key top right
  set yrange [-5:5]
  plot va u 0:(($4 - $6) / $5) w p pt 7 ps 0.7 lc rgb tcolor(1) t 'energy', \
       va u 0:(($7 - $9) / $8) w p pt 5 ps 0.7 lc rgb tcolor(2) t 'specific heat', \
       0 w l ls 2 notitle
  set autoscale y
  unset multiplot
  set output

  # ---- autocorrelation times at T_c ----------------------------------------------------------------------
  name = 'tau'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set xlabel 'L'
  set ylabel '{/Symbol t}_{int} at T_c (sweeps)'
  set key top left font ',8'
  plot ta u 1:4:5 w yerr ls 11 t sprintf('Metropolis |m| (z = %.2f, L >= %d)', z_local, fit_from), \
       ta u 1:2:3 w yerr ls 12 t 'Metropolis E', \
       ta u 1:6:7 w yerr ls 13 t sprintf('Wolff E (z = %.2f)', z_wolff), \
       ta u 1:8:9 w yerr ls 14 t 'Wolff |m|'
  unset logscale xy
  set output

  # ---- the transformer: exact KL both ways and the effective sample size -----------------------------------
  name = 'transformer_kl'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set offsets 0.1, 0.1, 0, 0
  set multiplot layout 1, 2
  set xlabel 'temperature T / J'
  set ylabel 'KL per spin (nats)'
  set logscale y
  set key bottom right font ',7'
  set arrow 1 from Tc, graph 0 to Tc, graph 1 nohead dt 3 lc rgb '#999999'
  plot tr u 1:2:3 w yerrorlines ls 11 t sprintf('KL(p || q), fresh Wolff samples, L = %d', L), \
       tr u 1:4:5 w yerrorlines ls 12 t 'KL(q || p) = {/Symbol b}(f_q - f)', \
       lt u ($1 - 0.02):2:3 w yerrorlines ls 11 dt 2 pt 6 t sprintf('KL(p || q), L = %d', large_L), \
       lt u ($1 - 0.02):4:5 w yerrorlines ls 12 dt 2 pt 4 t sprintf('KL(q || p), L = %d', large_L), \
       vr u ($1 + 0.02):4:5 w yerr ls 13 t 'KL(q || p), trained by reverse KL', \
       vr u ($1 + 0.02):2:3 w yerr ls 14 t 'KL(p || q), trained by reverse KL'
  unset logscale y
  set ylabel 'ESS / n (importance weights p/q)'
  set key top left font ',7'
  set yrange [0:1.05]
  plot tr u 1:6:7 w yerrorlines ls 11 t sprintf('trained on samples, L = %d (mean ± sd over seeds)', L), \
       lt u 1:6:7 w yerrorlines ls 11 dt 2 pt 6 t sprintf('trained on samples, L = %d', large_L), \
       vr u 1:6:7 w yerr ls 13 t sprintf('trained by reverse KL, L = %d', L)
  set autoscale y
  unset arrow 1
  unset multiplot
  set offsets 0, 0, 0, 0
  set output

  # ---- the transformer: model-sample thermodynamics against the exact torus ---------------------------------
  name = 'transformer_thermo'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1, 2
  set xlabel 'temperature T / J'
  set ylabel 'specific heat per spin'
  set key top left font ',8'
  set arrow 1 from Tc, graph 0 to Tc, graph 1 nohead dt 3 lc rgb '#999999'
  plot ex u 1:(column(1 + nE + exact_index(L))) w l lw 1.5 lc rgb tcolor(1) t sprintf('exact, L = %d', L), \
       ex u 1:(column(1 + nE + exact_index(large_L))) w l lw 1.5 lc rgb tcolor(2) t sprintf('exact, L = %d', large_L), \
       tr u ($1 - 0.01):8:9 w yerr pt 7 ps 0.6 lc rgb tcolor(1) t sprintf('model samples, L = %d (mean ± sd over seeds)', L), \
       lt u ($1 + 0.01):8:9 w yerr pt 5 ps 0.6 lc rgb tcolor(2) t sprintf('model samples, L = %d', large_L)
  unset arrow 1
  set xlabel '|M|'
  set ylabel 'P(|M|)'
  set key top left font ',7'
  plot for [k = 1:nT] hi u 1:(column(1 + k)) w l lw 1.5 lc rgb tcolor(k) t sprintf('model, T = %s', word(temperatures, k)), \
       for [k = 1:nT] hi u 1:(column(1 + nT + k)) w p pt 7 ps 0.4 lc rgb tcolor(k) t (k == 1 ? 'Wolff (points)' : '')
  unset multiplot
  set output

  # ---- attention by raster distance ---------------------------------------------------------------------
  name = 'attention'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel sprintf('raster distance r (0: left neighbour, %d: the one above)', L - 1)
  set ylabel 'layer-1 attention A(r)'
  set key top right font ',8'
  set arrow 1 from L - 1, graph 0 to L - 1, graph 1 nohead dt 3 lc rgb '#999999'
  plot for [k = 1:nT] at u 1:(column(1 + k)) w lp pt 7 ps 0.4 lw 1.2 lc rgb tcolor(k) t sprintf('T = %s', word(temperatures, k))
  unset arrow 1
  set output
  # ---- interventions: the model's Delta_q against the exact Delta_p, per lattice relation ---------------------
  name = 'interventions'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel '{/Symbol D}_p (exact conditionals), mean over configurations and queries'
  set ylabel '{/Symbol D}_q (model)'
  set key top left font ',8'
  set size square
  plot for [r = 0:4] ca u ($2 == r ? $3 : NaN):5:4:6 w xyerr pt 7 ps 0.6 lc rgb tcolor(r + 1) t word(relations, r + 1), \
       x w l ls 2 t '{/Symbol D}_q = {/Symbol D}_p'
  set size nosquare
  set output

  # ---- per-site excess loss along the raster sequence --------------------------------------------------------
  name = 'excess'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel sprintf('raster site i (L = %d)', L)
  set ylabel 'log p(s_i | s_{<i}) - log q(s_i | s_{<i}) (nats)'
  set key top right font ',8'
  do for [y = 1:L - 1] { set arrow y from y * L - 0.5, graph 0 to y * L - 0.5, graph 1 nohead dt 3 lc rgb '#bbbbbb' }
  set xrange [-0.5:L * L - 0.5]
  plot for [k = 1:nT] xs u 1:(column(1 + k)) w lp pt 7 ps 0.3 lw 1.2 lc rgb tcolor(k) t sprintf('T = %s', word(temperatures, k))
  unset arrow
  set autoscale x
  set output

  # ---- the 2D torus bias beside learned positions: KL and the upper-neighbour intervention -----------------------
  name = 'torus'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set offsets 0.1, 0.1, 0, 0
  set multiplot layout 1, 2
  set xlabel 'temperature T / J'
  set ylabel 'KL(p || q) per spin (nats)'
  set logscale y
  set key top left font ',8'
  set arrow 1 from Tc, graph 0 to Tc, graph 1 nohead dt 3 lc rgb '#999999'
  plot tr u ($1 - 0.01):2:3 w yerrorlines ls 11 t sprintf('learned positions, L = %d (mean ± sd over seeds)', L), \
       to u ($1 + 0.01):2:3 w yerrorlines ls 12 dt 2 t 'learned positions + torus bias'
  unset logscale y
  set ylabel 'upper neighbour: mean |{/Symbol D}_q - {/Symbol D}_p| / mean |{/Symbol D}_p|'
  set yrange [0:*]
  set offsets 0.1, 0.1, graph 0.3, 0  # room above the data for the key
  # causal.tsv has one row per (T, relation), relations in order: every words(relations)-th row from the second is 'up'
  plot ca every words(relations)::1 u ($1 - 0.01):9:10 w yerrorlines ls 11 t 'learned positions', \
       to u ($1 + 0.01):22:23 w yerrorlines ls 12 dt 2 t 'learned positions + torus bias', \
       causal_goal w l ls 2 t sprintf('claims 6.8, 6.17: below %g', causal_goal)
  set autoscale y
  unset arrow 1
  unset multiplot
  set offsets 0, 0, 0, 0
  set output
}

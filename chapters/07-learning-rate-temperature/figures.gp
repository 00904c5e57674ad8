# Chapter 7 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
qd = data.'/quadratic.tsv'
qs = data.'/quadratic_sim.tsv'
wl = data.'/well.tsv'
ws = data.'/well_sim.tsv'
ch = data.'/chain.tsv'
pl = data.'/plateau.tsv'
dc = data.'/decay.tsv'
grid_small = system('ls '.data.'/curve_sgd_T'.sprintf('%g', T).'_B'.small_batch.'_eta*.tsv')
decay_curve = system('ls '.data.'/curve_decay_*.tsv')
ring_curve = system('ls '.data.'/curve_ring_*.tsv')
label_of(f) = substr(f, strstrt(f, '_eta') + 4, strlen(f) - 4)

do for [ext in "pdf png"] {
  # ---- the quadratic: stationary variance against eta h -------------------------------------------------
  name = 'quadratic'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel '{/Symbol h} h'
  set ylabel 'stationary Var({/Symbol q}) (h = 1, {/Symbol s}^2 = 1)'
  set logscale y
  set key top left font ',8'
  plot qd u 1:2 w l ls 1 t sprintf('exact, with replacement (B = %d)', quad_B), \
       qd u 1:3 w l ls 2 t 'small-{/Symbol h} limit, with replacement', \
       qd u 1:4 w l lw 2 lc rgb '#D55E00' t sprintf('exact, without replacement (N = %d)', quad_N), \
       qd u 1:5 w l lw 1.5 dt 2 lc rgb '#D55E00' t 'small-{/Symbol h} limit, without', \
       qs u 1:2:3 w yerr ls 11 t 'simulated, with', \
       qs u 1:5:6 w yerr ls 12 t 'simulated, without'
  unset logscale y
  set output

  # ---- the double well: occupation of the wide well at fixed T -------------------------------------------
  name = 'double_well'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel sprintf('{/Symbol h} (T = {/Symbol h}{/Symbol s}^2/2B = %g fixed)', well_T)
  set ylabel 'P(wide well)'
  set yrange [0:1.02]  # the whole range: a simulated point far from the chain must stay visible
  set key center right font ',8'
  plot wl u 1:2 w l ls 2 t 'Gibbs exp(-U/T) (entropic factor)', \
       wl u 1:3 w l ls 1 t 'exact discrete chain, constant noise', \
       wl u 1:4 w l lw 1.5 dt 2 lc rgb '#009E73' t 'small-{/Symbol h} density, curvature noise', \
       wl u 1:5 w l lw 2 lc rgb '#009E73' t 'exact discrete chain, curvature noise', \
       ws u 1:2:3 w yerr ls 11 t 'simulated, constant noise', \
       ws u 1:4:5 w yerr ls 13 t 'simulated, curvature noise'
  unset yrange
  set output

  # ---- the one-parameter chain model: excess KL against eta -----------------------------------------------
  name = 'chain_model'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set format x '10^{%L}'; set format y '10^{%L}'
  set xlabel '{/Symbol h}'
  set ylabel 'stationary excess KL per spin'
  set key top left font ',7'
  sel(K, B, col) = ($1 == K && $2 == B) ? column(col) : NaN
  # solid: the exact law; dashed: the small-eta limit eta H / (4B) (column 7, excess_small_eta), not the
  # linearised law, which lies on the exact one at this scale
  plot for [c = 1:4] ch u 3:(sel(word("0.5 0.5 2 2", c) + 0, word("1 16 1 16", c) + 0, 5)) w l lw 2 lc rgb tcolor(c) \
         t sprintf('K = %s, B = %s: exact law', word("0.5 0.5 2 2", c), word("1 16 1 16", c)), \
       for [c = 1:4] ch u 3:(sel(word("0.5 0.5 2 2", c) + 0, word("1 16 1 16", c) + 0, 7)) w l lw 1 dt 2 lc rgb tcolor(c) \
         t (c == 1 ? 'small-{/Symbol h} limit {/Symbol h}H/4B (dashed)' : ''), \
       for [c = 1:4] ch u 3:(sel(word("0.5 0.5 2 2", c) + 0, word("1 16 1 16", c) + 0, 8)):9 w yerr pt 7 ps 0.6 lc rgb tcolor(c) t ''
  unset logscale xy; set format x '% h'; set format y '% h'
  set output

  # ---- the transformer: plateau KL against eta and eta / B -------------------------------------------------
  name = 'plateau'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale xy
  set format x '10^{%L}'; set format y '10^{%L}'
  set xlabel '{/Symbol h}'
  set ylabel 'plateau KL per spin'
  set key top left font ',7'
  g(v) = (abs($16 - v) < 1e-9) ? 1 : NaN
  # a guide line over [a, b] only; gnuplot 5.4's inline sampling range on a log axis warns about linked axes
  segment(x, a, b) = (x >= a && x <= b) ? 1 : NaN
  plot pl u ($3*g(0)):5:6 w yerr ls 11 t sprintf('SGD, B = %d, T = %g', small_batch, T), \
       pl u ($3*g(0.5)):5:6 w yerr ls 12 t sprintf('SGD, B = %d', large_batch), \
       pl u ($3*g(1)):5:6 w yerr ls 13 t sprintf('SGD, B = %d, T = %g', small_batch, T_cold), \
       2e-3*x*segment(x, 1e-3, 1) w l ls 2 t '∝ {/Symbol h}'
  set xlabel '{/Symbol h} / B'
  plot pl u ($4*g(0)):5:6 w yerr ls 11 t sprintf('B = %d', small_batch), \
       pl u ($4*g(0.5)):5:6 w yerr ls 12 t sprintf('B = %d', large_batch), \
       3.2e-2*x*segment(x, 1e-4, 0.03) w l ls 2 t '∝ {/Symbol h}/B'
  unset multiplot
  unset logscale xy; set format x '% h'; set format y '% h'
  set output

  # ---- the transformer: KL against steps, and the warmup-decay run against eta(t) ------------------------------
  name = 'curves'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale y
  set format y '10^{%L}'
  set xlabel 'step'
  set ylabel 'KL per spin (mean over seeds)'
  set key top right font ',7'
  plot for [i = 1:words(grid_small)] word(grid_small, i) u 1:3 w l lw 1.2 lc rgb tcolor(i) t '{/Symbol h} = '.label_of(word(grid_small, i)), \
       ring_curve u 1:3 w l lw 1.5 dt 3 lc rgb '#999999' t 'ring, {/Symbol h} = '.label_of(ring_curve)
  set logscale x
  set format x '10^{%L}'
  set xlabel '{/Symbol h}(t)'
  set ylabel 'KL per spin'
  set key top left font ',7'
  plot decay_curve u ($1 > warmup ? $2 : NaN):3 w l lw 1 lc rgb '#56B4E9' t 'decay phase (mean of seeds)', \
       dc u 1:2:3:4 w yerr ls 12 t 'decay windows (seed range)', \
       pl u ($3*g(0)):5:6 w yerr ls 11 t 'constant-{/Symbol h} plateaus'
  unset multiplot
  unset logscale xy; set format x '% h'; set format y '% h'
  set output

  # ---- the transformer: plateau against the fluctuation-dissipation prediction eta tr C / (4B) -------------------
  name = 'fluctuation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set format x '10^{%L}'; set format y '10^{%L}'
  set xlabel '{/Symbol h} tr C / (4B) at the end of the run (mean over seeds)'
  set ylabel 'plateau KL per spin'
  set key top left font ',8'
  plot pl u ($15*g(0)):5:6 w yerr ls 11 t sprintf('B = %d, T = %g', small_batch, T), \
       pl u ($15*g(0.5)):5:6 w yerr ls 12 t sprintf('B = %d, T = %g', large_batch, T), \
       pl u ($15*g(1)):5:6 w yerr ls 13 t sprintf('B = %d, T = %g', small_batch, T_cold), \
       x*segment(x, 1e-6, 1e-2) w l ls 2 t 'plateau = {/Symbol h} tr C / (4B)'
  unset logscale xy; set format x '% h'; set format y '% h'
  set output
}

# Chapter 1 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
summary = data.'/summary.tsv'
klsum = data.'/kl_summary.tsv'
steps = data.'/learning_steps.tsv'
learn = data.'/learning_n.tsv'
abl = data.'/ablation.tsv'
field(x) = ($2 != 0 ? x : NaN)
nofield(x) = ($2 == 0 ? x : NaN)
# panels: one per temperature plus one for the field run
npanels = nT + 1
pcols = (npanels + 1) / 2
# wide figures (multi-panel)
wide_pdf = "set terminal pdfcairo enhanced font 'Helvetica,8' size 7in,3.8in; set output pdfdir.'/'.name.'.pdf'"
wide_png = "set terminal pngcairo enhanced font 'Helvetica,10' size 1200,640; set output pngdir.'/'.name.'.png'"

do for [ext in "pdf png"] {
  # ---- KL per spin against T: every training seed, the mean and its interval over seeds ------------
  name = 'kl'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set format y '10^{%L}'
  set xrange [0.35:7]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set xlabel 'temperature T / J'
  set ylabel 'KL(p_T || p_{model}) per spin (nats)'
  set key top left font ',8' opaque
  pos(x) = (x > 1e-7 ? x : 1e-7)
  plot klsum u (nofield($1)):3:(pos($4)):5 w yerr ls 11 ps 1.1 t sprintf('h = 0: mean of %d seeds, 95%% simultaneous interval', seeds), \
       summary u (nofield($1 * (0.94 + 0.03 * $3))):4 w p pt 6 ps 0.5 lc rgb '#0072B2' t 'h = 0: each seed', \
       klsum u (field($1 * 1.1)):3:(pos($4)):5 w yerr ls 12 ps 1.1 t sprintf('h = %g: mean and 95%% interval', field_h), \
       summary u (field($1 * (1.13 + 0.03 * $3))):4 w p pt 4 ps 0.5 lc rgb '#D55E00' t sprintf('h = %g: each seed', field_h), \
       klsum u (nofield($1 * 0.9)):8 w p ls 17 t 'counting model with the exact structure, same data (mean)', \
       kl_goal w l ls 2 t 'goal'
  unset logscale; unset xrange; set xtics autofreq; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- learning curve against steps: validation KL, mean and range over seeds ------------------------
  name = 'training_curves'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale y
  set format y '10^{%L}'
  set xlabel 'training step'
  set ylabel 'validation KL per spin (nats)'
  set key top right title 'T / J' font ',8'
  # exact KL per spin of the best nearest-neighbour model, blind to the first spin (closing bond), at the hottest T
  Th = word(temps, nT) + 0
  th = tanh(1. / Th)
  g1 = (th + th**(L - 1)) / (1 + th**L)
  blind_kl = (-L * (word(entropies, nT) + 0) + log(2) - (L - 1) * ((1 + g1) / 2 * log((1 + g1) / 2) + (1 - g1) / 2 * log((1 - g1) / 2))) / L
  plot for [k=1:nT] steps u 1:(pos($3)):(pos($4)) index (k - 1) w filledcurves fs transparent solid 0.2 noborder lc rgb tcolor(k) notitle, \
       for [k=1:nT] steps u 1:2 index (k - 1) w lp pt 7 ps 0.4 dt 1 lc rgb tcolor(k) t word(temps, k), \
       steps u 1:2 index nT w lp pt 6 ps 0.5 dt 3 lc rgb '#000000' t sprintf('%g, h = %g', field_T, field_h), \
       kl_goal w l ls 2 notitle, \
       blind_kl w l lw 1.5 dt 4 lc rgb tcolor(nT) t sprintf('T = %g: blind to s_1 (exact)', Th), \
       for [k=1:nT] data.'/curve_T'.word(temps, k).'_2x.tsv' u 1:(pos($5)) w l lw 1 dt 2 lc rgb tcolor(k) \
         t (k == 1 ? 'seed 0, twice the steps' : '')
  unset logscale; set format y '%g'
  set ylabel 'training loss per spin (nats), seed 0'
  set label 2 'colours as on the left' at graph 0.03, graph 0.09 font ',8'
  set label 1 'dashed: exact entropy per spin' at graph 0.03, graph 0.04 font ',8'
  plot for [k=1:nT] data.'/curve_T'.word(temps, k).'.tsv' u 1:3 w l lw 1.5 dt 1 lc rgb tcolor(k) notitle, \
       for [k=1:nT] word(entropies, k) + 0 w l lw 1 dt 2 lc rgb tcolor(k) notitle
  unset label 1; unset label 2
  unset multiplot
  set key default; set key top right noautotitle
  set output

  # ---- learning curve against the number of training samples -----------------------------------------
  name = 'learning_n'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set format y '10^{%L}'
  set format x '%g'
  set xrange [*:*]
  set xlabel sprintf('training samples n (T = %s)', ablation_T)
  set ylabel 'KL(p_T || p_{model}) per spin (nats)'
  set key bottom left font ',8'
  plot learn u 1:2:(pos($3)):4 w yerr ls 11 t 'transformer: mean over seeds, 95% interval', \
       learn u 1:2 w l ls 11 notitle, \
       learn u 1:7 w lp ls 17 t 'counting model with the exact structure', \
       learn u 1:8 w l ls 2 t '1/(2nL): one correctly specified parameter', \
       kl_goal w l ls 1 dt 3 t 'goal'
  unset logscale; unset xrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- ablation: the seed's hyperparameters one at a time -----------------------------------------------
  name = 'ablation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set format y '10^{%L}'
  set xrange [-0.5:3.5]
  set xtics ("one-cycle 1e-3,\nno dropout" 0, 'dropout 0.1' 1, 'constant 3e-4' 2, "the seed's:\ndropout, constant" 3) font ',8'
  set xlabel sprintf('training (all with a causal mask), T = %s', ablation_T)
  set ylabel 'KL per spin (nats)'
  set key top left font ',8'
  plot abl u 1:2:(pos($3)):4 w yerr ls 11 t 'mean over seeds, 95% t-interval', \
       abl u 1:5 w p pt 1 ps 1 lc rgb '#555555' t 'smallest and largest seed', abl u 1:6 w p pt 1 ps 1 lc rgb '#555555' notitle, \
       kl_goal w l ls 2 t 'goal'
  unset logscale; unset xrange; set xtics autofreq font ''; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- energy histograms, model samples against exact ------------------------------------------------
  name = 'energy_histograms'
  eval(ext eq "pdf" ? wide_pdf : wide_png)
  set multiplot layout 2,pcols
  set logscale y
  set format y '10^{%L}'
  set yrange [1e-5:1.5]
  set xrange [-1.05:0.2]
  set xlabel 'energy per spin E/(LJ)'
  set ylabel 'probability'
  set key bottom right font ',7'
  do for [k=1:nT] {
    set title sprintf('T = %s', word(temps, k))
    f = data.'/energy_hist_T'.word(temps, k).'.tsv'
    plot f u 1:2 w l ls 1 t 'exact', f u 1:3:4 w yerr ls 11 t 'model', f u ($1 + 0.015):5:6 w yerr ls 13 ps 0.4 t 'heat-bath data'
  }
  set title sprintf('T = %g, h = %g: magnetisation', field_T, field_h)
  set xrange [-1.05:1.05]
  set xlabel 'magnetisation per spin M/L'
  set key top left font ',7'
  f = data.'/mag_hist_'.field_tag.'.tsv'
  plot f u 1:2 w l ls 1 t 'exact', f u 1:3:4 w yerr ls 11 t 'model', f u ($1 + 0.015):5:6 w yerr ls 13 ps 0.4 t 'heat-bath data'
  unset multiplot
  unset title; unset logscale; unset xrange; unset yrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- C(r) of model samples against exact -------------------------------------------------------------
  name = 'correlation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel 'distance r (sites)'
  set ylabel 'connected correlation C(r)'
  set xrange [0:L/2]
  set yrange [-0.05:1.05]
  set key top right title 'T / J (training seed 0)' font ',9'
  plot for [k=1:nT] data.'/corr_T'.word(temps, k).'.tsv' u 1:2 w l lw 2 dt 1 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] data.'/corr_T'.word(temps, k).'.tsv' u 1:3:4 w yerr pt 7 ps 0.5 dt 1 lc rgb tcolor(k) notitle, \
       data.'/corr_'.field_tag.'.tsv' u 1:2 w l lw 2 dt 2 lc rgb '#000000' t sprintf('%g, h = %g', field_T, field_h), \
       data.'/corr_'.field_tag.'.tsv' u 1:3:4 w yerr pt 6 ps 0.6 lc rgb '#000000' notitle
  unset xrange; unset yrange; set key default; set key top right noautotitle
  set output

  # ---- per-position excess loss ----------------------------------------------------------------------------
  name = 'excess_loss'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel 'position i of the predicted spin'
  set ylabel 'excess loss E[log p_T(s_i|s_{<i}) - log p_{model}(s_i|s_{<i})] (nats)'
  set xrange [0:L + 1]
  set key top left title 'T / J' font ',8'
  set title 'training seed 0' font ',9'
  plot for [k=1:nT] data.'/excess_T'.word(temps, k).'.tsv' u ($1 + 0.08 * (k - nT / 2.)):2:3 w yerr pt 7 ps 0.4 lc rgb tcolor(k) t word(temps, k), \
       0 w l ls 2 notitle
  unset title; unset xrange; set key default; set key top right noautotitle
  set output

  # ---- configurations as images: model samples above, exact samples below ----------------------------------
  name = 'samples'
  eval(ext eq "pdf" ? wide_pdf : wide_png)
  set multiplot layout 2,npanels margins 0.06,0.99,0.08,0.93 spacing 0.012,0.08
  set palette defined (-1 '#f2f2f2', 1 '#1a1a1a')
  set cbrange [-1:1]
  unset colorbox
  unset grid
  set xtics 8 font ',7'
  set ytics 16 font ',7'
  set xrange [0.5:L + 0.5]
  set yrange [n_images + 0.5:0.5]
  do for [row=0:1] {
    set xlabel (row == 1 ? 'site i' : '') font ',8'
    do for [k=1:npanels] {
      f = (k <= nT ? data.'/images_T'.word(temps, k).'.tsv' : data.'/images_'.field_tag.'.tsv')
      set title (k <= nT ? sprintf('T = %s', word(temps, k)) : sprintf('T = %g, h = %g', field_T, field_h)) font ',8'
      set ylabel (k == 1 ? (row == 0 ? 'model samples' : 'exact samples') : '') font ',8'
      set format y (k == 1 ? '%g' : '')
      plot f u 1:2:(row == 0 ? $3 : $4) w image
    }
  }
  unset multiplot
  unset xrange; unset yrange; unset title; set xtics autofreq font ''; set ytics autofreq font ''; set grid; set format y '%g'
  set xlabel font ''; set ylabel font ''
  set output

  # ---- the negative control: the seed's literal setup against the causal model ----------------------------
  name = 'negative_control'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set format y '10^{%L}'
  set xlabel 'training step'
  set ylabel 'loss per spin (nats), training seed 0'
  set key bottom left
  plot data.'/curve_control_causal.tsv' u 1:3 w lp ls 11 t 'causal mask, shifted targets: training', \
       data.'/curve_control_causal.tsv' u 1:4 w lp ls 13 t 'causal: validation NLL (exact samples)', \
       data.'/curve_control_literal.tsv' u 1:3 w lp ls 12 t "the seed's literal setup: training", \
       control_entropy w l ls 1 t sprintf('exact entropy per spin, L = %d (floor of any density model)', control_L)
  unset logscale; set format y '%g'; set key default; set key top right noautotitle
  set output
}

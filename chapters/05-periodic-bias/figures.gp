# Chapter 5 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
nO = words(open_temps)
nP = nT + nO
pdf_wide = "set terminal pdfcairo enhanced font 'Helvetica,9' size 7in,3.2in; set output pdfdir.'/'.name.'.pdf'"
png_wide = "set terminal pngcairo enhanced font 'Helvetica,10' size 1260,580; set output pngdir.'/'.name.'.png'"
# panel k: ring at temps[k] for k <= nT, else open chain at open_temps[k - nT]
ptag(k) = k <= nT ? 'ring_T'.word(temps, k) : 'open_T'.word(open_temps, k - nT)
ptitle(k) = k <= nT ? 'ring, T = '.word(temps, k).' J' : 'open chain, edge fields, T = '.word(open_temps, k - nT).' J'
nN = words(nnn_temps)
# ring tables: none distance periodic learned distance+learned (columns 2-11); open tables: none distance
# periodic learned (2-9), the same order
ringt = "'no position' 'distance bias' 'periodic bias' 'learned positions' 'distance bias + learned positions'"
nv(k) = k <= nT ? 5 : 4
vtitle(k, v) = word(ringt, v)
vstyle(k, v) = 10 + v
clip(y) = y > 1e-7 ? y : 1e-7

do for [ext in "pdf png"] {
  # ---- excess loss per position against the exact conditional ----------------------------------------
  name = 'excess_profile'
  eval(ext eq "pdf" ? pdf_wide : png_wide)
  set multiplot layout 1,nP
  set logscale y
  set format y '10^{%L}'
  set xrange [0.5:L + 0.5]
  set xlabel 'spin position i (1 and L are the edges)'
  set ylabel 'excess loss KL(p(s_i|rest) || p_{model}) (nats)'
  do for [k=1:nP] {
    f = data.'/excess_'.ptag(k).'.tsv'
    set title ptitle(k) font ',10'
    if (k == 1) { set key at graph 0.5, graph 0.86 center top font ',8' opaque } else { unset key }
    plot for [v=1:nv(k)] f u 1:(clip(column(2 * v))) w lp ls vstyle(k, v) t vtitle(k, v)
  }
  unset multiplot
  unset logscale; unset xrange; unset title; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- influence of s_j on the model's prediction of s_i against ring distance ----------------------------
  # nearest-neighbour rings (all variants), then the rings with a next-nearest coupling (5.2)
  name = 'influence'
  eval(ext eq "pdf" ? pdf_wide : png_wide)
  set multiplot layout 1,nT + nN
  set logscale y
  set format y '10^{%L}'
  set xlabel 'ring distance r = |i - j|'
  set ylabel '|change of log-odds of s_i| when s_j flips'
  set yrange [1e-4:20]
  do for [k=1:nT] {
    f = data.'/influence_T'.word(temps, k).'.tsv'
    set title 'ring, T = '.word(temps, k).' J (exact: 4K at r = 1, 0 beyond)' font ',10'
    if (k == 1) { set key top right font ',8' } else { unset key }
    plot f u 1:($2 > 0 ? $2 : NaN) w p ls 1 pt 6 ps 1.5 t 'exact', \
         for [v=1:5] f u ($1 + 0.08 * (v - 3)):(clip(column(1 + 2 * v))):(column(2 + 2 * v)) w yerr ls (10 + v) t word(ringt, v)
  }
  do for [k=1:nN] {
    f = data.'/influence_nnn_T'.word(nnn_temps, k).'.tsv'
    set title 'ring with J_2 = '.sprintf('%g', J2).' J, T = '.word(nnn_temps, k).' J (exact: 4K_1, 4K_2)' font ',10'
    set key top right font ',8'
    plot f u 1:($2 > 0 ? $2 : NaN) w p ls 1 pt 6 ps 1.5 t 'exact conditional', \
         f u 1:($3 > 0 ? $3 : NaN) w p ls 2 pt 4 ps 1.2 t 'nearest-neighbour only (control)', \
         f u ($1 - 0.1):(clip($4)):5 w yerr ls 13 t 'periodic bias', \
         f u ($1 + 0.1):(clip($6)):7 w yerr ls 12 t 'distance bias'
  }
  unset multiplot
  unset logscale; unset yrange; unset title; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- learning curves: mean excess loss against training step ------------------------------------------
  name = 'training_lengths'
  eval(ext eq "pdf" ? pdf_wide : png_wide)
  set multiplot layout 1,nP
  set logscale y
  set format y '10^{%L}'
  set xlabel 'training step'
  set ylabel 'mean excess loss per spin (nats)'
  do for [k=1:nP] {
    f = data.'/curve_'.ptag(k).'.tsv'
    set title ptitle(k) font ',10'
    if (k == 1) { set key top right font ',8' } else { unset key }
    plot for [v=1:nv(k)] f u 1:(clip(column(2 * v))):(column(2 * v + 1)) w yerrorlines ls vstyle(k, v) t vtitle(k, v)
  }
  unset multiplot
  unset logscale; unset title; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- softmax scale: training speed and the random-energy-model reading ----------------------------------
  name = 'scale_sweep'
  eval(ext eq "pdf" ? pdf_wide : png_wide)
  set multiplot layout 1,2
  set logscale x 2
  set xlabel 'softmax scale a (multiplies 1/sqrt(d_{head}))'
  set logscale y
  set format y '10^{%L}'
  set ylabel 'mean excess loss over the learning curve (nats)'
  set title 'speed (lower is faster), L = '.scale_L.', per learning rate' font ',10'
  set key top left font ',8'
  nl = words(scale_lrs)
  sweep = data.'/scale_sweep.tsv'
  plot for [m=1:nl] sweep u ((abs($2 - word(scale_lrs, m)) < 1e-12 && $9 == scale_steps) ? $1 : NaN):3:4 w yerrorlines ls (10 + m) t 'lr = '.word(scale_lrs, m)
  set format y '%g'
  set logscale y
  set ylabel 'sigma of logits / sqrt(2 ln n) (log scale)'
  set title 'REM reading: frozen above 1' font ',10'
  set key top left font ',8'
  plot for [m=1:nl] sweep u ((abs($2 - word(scale_lrs, m)) < 1e-12 && $9 == scale_steps) ? $1 : NaN):8:10 w yerrorlines ls (10 + m) t 'lr = '.word(scale_lrs, m), \
       sweep u ($9 == 2 * scale_steps ? $1 : NaN):8:10 w yerr ls 1 pt 7 t 'best lr, twice the steps', \
       sweep u ($9 == scale_steps ? $1 : NaN):11 w p ls 2 pt 1 t 'untrained (control 5.11)', \
       1 w l ls 2 t 'freezing point'
  unset multiplot
  unset logscale; unset title; set key default; set key top right noautotitle
  set output
}

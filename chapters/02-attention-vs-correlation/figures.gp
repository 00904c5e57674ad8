# Chapter 2 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
sum = data.'/summary.tsv'
prof(k) = data.'/profile_T'.word(temps, k).'.tsv'
query(k) = data.'/query_T'.word(temps, k).'.tsv'
flipf(k) = data.'/flip_T'.word(temps, k).'.tsv'
max(a, b) = (a > b ? a : b)

do for [ext in "pdf png"] {
  # ---- attention maps per layer and head, at three temperatures -----------------------------------
  do for [which in "low mid high"] {
    name = 'attention_maps_'.which
    Tshow = (which eq "low" ? map_T_low : which eq "mid" ? map_T_mid : map_T_high)
    if (ext eq "pdf") {
      set terminal pdfcairo enhanced font 'Helvetica,9' size 7in,3.8in
      set output pdfdir.'/'.name.'.pdf'
    } else {
      set terminal pngcairo enhanced font 'Helvetica,10' size 1200,640
      set output pngdir.'/'.name.'.png'
    }
    set multiplot layout layers,heads title sprintf('attention weights w(query, key), T = %s J, training seed 0 (white 0 to dark blue 1; key 0: start token; query t predicts s_{t+1})', Tshow)
    set xrange [-0.5:L-0.5]
    set yrange [L-0.5:-0.5]
    set cbrange [0:1]
    set palette defined (0 "#ffffff", 0.15 "#9ecae1", 0.5 "#2171b5", 1 "#08306b")
    set size ratio -1
    unset colorbox
    set tics out scale 0.5 font ',8'
    set xtics 8
    set ytics 8
    set grid noxtics noytics
    do for [l=0:layers-1] {
      do for [h=0:heads-1] {
        set title sprintf('layer %d, head %d', l + 1, h + 1) font ',9' offset 0,-0.5
        set xlabel 'key position' offset 0,0.5
        if (h == 0) { set ylabel 'query position' offset 1.5,0 } else { unset ylabel }
        plot data.'/maps_'.which.'.tsv' index (l * heads + h) u 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
      }
    }
    unset multiplot
    unset title; unset xrange; unset yrange; unset cbrange; unset size; set size noratio
    set tics nomirror scale 1 font ''
    set xtics autofreq; set ytics autofreq
    set grid xtics ytics
    set xlabel offset 0,0; set ylabel offset 0,0
    set output
  }

  # ---- A(r) per temperature, layers 1 and 2 (mean over seeds, bars: seed range), uniform null ------------
  name = 'attention_profile'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale y
  set xrange [0.5:L-0.5]
  set xlabel 'distance r from the predicted spin (sites)'
  set key top right title 'T / J' font ',8' spacing 0.9
  do for [l=1:2] {
    set ylabel sprintf('layer-%d attention A(r)', l)
    plot for [k=1:nT] prof(k) u 1:(column(3*l)):(column(3*l+1)):(column(3*l+2)) w yerr pt 7 ps 0.5 dt 1 lc rgb tcolor(k) t word(temps, k), \
         prof(1) u 1:9 w l ls 2 t 'uniform causal'
  }
  unset multiplot
  unset logscale; unset xrange; set xtics autofreq; set key default; set key top right noautotitle
  set output

  # ---- shapes: sink-free A_1(r) relative to uniform, against C(r) / C(1) ----------------------------------
  # Only the decades where either carries information: C(r)/C(1) falls to 1e-11 at high T, which would
  # flatten every attention profile into a line; below 1e-3 (or half the smallest attention point) the
  # curves of C leave the frame (the statistic itself works on ln C over all r = 1..R).
  name = 'attention_vs_correlation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set xrange [0.5:R+0.5]
  # the frame: 1e-3 to 3 unless a trained profile reaches beyond it (it is never cut)
  a_min = 1e-3; a_max = 3
  do for [k=1:nT] {
    stats [1:R] prof(k) u 1:16 nooutput
    a_min = (STATS_min_y > 0 && STATS_min_y / 2 < a_min) ? STATS_min_y / 2 : a_min
    a_max = (STATS_max_y * 2 > a_max) ? STATS_max_y * 2 : a_max
  }
  set yrange [a_min:a_max]
  set format y '10^{%L}'
  set xlabel 'distance r (sites)'
  set ylabel 'C(r)/C(1) (lines); sink-free A_1(r)/A_{uniform}(r), at r = 1 set to 1 (points)' font ',9'
  set key bottom left title 'T / J' font ',8' spacing 0.9 maxrows 4
  plot for [k=1:nT] prof(k) u 1:11 w l lw 2 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] prof(k) u 1:16 w lp pt 7 ps 0.6 dt 2 lc rgb tcolor(k) notitle
  unset logscale; unset xrange; unset yrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- claim 2.1: shape correlation per model, its interval over seeds, the controls and the nulls ----------
  name = 'similarity'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set yrange [-1.05:1.05]
  set xlabel 'temperature T / J'
  set ylabel sprintf('within-query corr(ln w, ln C), r = 1..%d, sink left out', R) font ',9'
  set rmargin 30
  set key outside right top font ',8' spacing 1.1
  plot sum u 1:4:5:6 w yerr ls 11 ps 1.1 t sprintf('trained: %d seeds, 95%% simult. (Fisher z)', seeds), \
       data.'/models.tsv' u ($1 * (0.95 + 0.02 * $2)):4 w p pt 7 ps 0.6 lc rgb '#0072B2' t 'trained, each seed', \
       data.'/models.tsv' u ($1 * (1.03 + 0.02 * $2)):6 w p pt 6 ps 0.6 lc rgb '#999999' t 'former statistic (s_1 kept)', \
       sum u 1:9 w lp ls 17 t 'untrained (mean)', \
       sum u 1:10 w p ls 12 ps 1.2 t 'shuffled positions', \
       sum u 1:12 w lp ls 13 t 'attention = C(r) (2.1p)', \
       0 w l ls 2 t 'uniform attention (2.1n)', \
       shape_threshold w l lc rgb '#999999' dt 3 t 'criterion'
  unset logscale; unset xrange; set xtics autofreq; unset yrange; unset rmargin; set ylabel font ''
  set key default; set key top right noautotitle
  set output

  # ---- claim 2.2a: decay rate of the sink-free attention over that of C --------------------------------------
  name = 'decay_length'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set xlabel 'temperature T / J'
  set ylabel sprintf('within-query decay rate of ln w over that of ln C, r = 1..%d', R) font ',9'
  set rmargin 30
  set key outside right top font ',8' spacing 1.1
  set yrange [*:*]
  plot sum u 1:(1./decay_factor):(decay_factor) w filledcurves fs transparent solid 0.12 noborder lc rgb '#009E73' t 'criterion band', \
       sum u 1:14:15:16 w yerr ls 11 t 'trained: mean, 95% simult.', \
       sum u ($1 * 1.04):17 w p pt 1 lc rgb '#0072B2' t 'smallest and largest seed', sum u ($1 * 1.04):18 w p pt 1 lc rgb '#0072B2' notitle, \
       sum u 1:19 w p ls 17 t 'untrained', \
       1 w l ls 13 t 'attention = C(r) (2.2ap)', \
       0 w l ls 2 t 'uniform attention (2.2an)'
  unset logscale; unset xrange; unset yrange; set xtics autofreq; unset rmargin; set ylabel font ''
  set key default; set key top right noautotitle
  set output

  # ---- claim 2.4: flip s_1, the change of every log-conditional against the exact change -----------------
  name = 'flip_test'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set format y '10^{%L}'
  set xrange [1.5:L+0.5]
  set xlabel 'predicted spin k'
  set ylabel 'mean |change of log p(s_k | s_{<k})| when s_1 flips (nats)'
  set key top left title 'T / J' font ',8' spacing 0.9 maxrows 4
  set label 1 sprintf('lines: exact; points: models (mean, bars: range over %d seeds)', seeds) at graph 0.03, graph 0.05 font ',8'
  plot for [k=1:nT] flipf(k) u 1:2 w l lw 2 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] flipf(k) u 1:3:4:5 w yerr pt 7 ps 0.5 lc rgb tcolor(k) notitle
  unset label 1
  unset logscale; unset xrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- weight on the first spin and on the previous spin, per query (seed 0) -----------------------------
  name = 'first_and_previous'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2 title 'training seed 0' font ',9'
  set xrange [1.5:L+0.5]
  set yrange [0:1.05]
  set xlabel 'predicted spin k'
  set key at graph 0.84, graph 0.6 right title 'T / J' font ',8' spacing 0.9 maxrows 4
  set ylabel 'weight on s_1 (best head, layer 1 or 2)'
  plot for [k=1:nT] query(k) u 2:(max($6, $8)) w lp pt 7 ps 0.5 dt 1 lw 1.2 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] query(k) u 2:3 w l dt 2 lw 1.5 lc rgb tcolor(k) notitle, \
       query(1) u 2:13 w l ls 1 t 'uniform 1/k'
  set ylabel 'weight on s_{k-1} (layer-1 mean over heads)'
  set key default
  set key top right title 'T / J' font ',8' spacing 0.9 noautotitle
  plot for [k=1:nT] query(k) u 2:9 w lp pt 7 ps 0.5 dt 1 lw 1.2 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] query(k) u 2:4 w l dt 2 lw 1.5 lc rgb tcolor(k) notitle, \
       query(1) u 2:13 w l ls 1 t 'uniform 1/k'
  unset multiplot
  unset xrange; unset yrange; set key default; set key top right noautotitle
  set output

  # ---- claims 2.2b and 2.3: summaries against temperature, every model -------------------------------------
  name = 'attention_vs_temperature'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set bmargin 7
  set logscale x
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set xlabel 'temperature T / J'
  set ylabel 'layer-1 mean distance D_1, spin keys (sites)'
  set key below font ',8' spacing 1.0 maxrows 2
  plot data.'/models.tsv' u ($1 * (0.95 + 0.02 * $2)):16 w p ls 11 t 'trained, each seed', \
       sum u 1:35 w l ls 11 t 'mean', \
       sum u 1:38 w lp ls 17 t 'untrained'
  set ylabel 'layer-1 weight'
  set yrange [0:*]
  plot data.'/models.tsv' u ($1 * (0.95 + 0.02 * $2)):10 w p ls 12 t 'previous spin (spin keys), each seed', \
       sum u 1:32 w l ls 12 t 'mean', \
       data.'/models.tsv' u ($1 * (0.95 + 0.02 * $2)):14 w p ls 14 t 's_1 (the sink), each seed', \
       data.'/models.tsv' u ($1 * (0.95 + 0.02 * $2)):12 w p ls 13 t 'start token, each seed'
  unset multiplot
  unset bmargin
  unset logscale; unset xrange; set xtics autofreq; unset yrange; set key default; set key top right noautotitle
  set output
}

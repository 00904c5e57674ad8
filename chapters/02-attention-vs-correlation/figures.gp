# Chapter 2 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
sum = data.'/summary.tsv'
prof(k) = data.'/profile_T'.word(temps, k).'.tsv'
query(k) = data.'/query_T'.word(temps, k).'.tsv'
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
    set multiplot layout layers,heads title sprintf('attention weights w(query, key), T = %s J (white 0 to dark blue 1; key 0: start token; query t predicts s_{t+1})', Tshow)
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
        plot data.'/maps_'.which.'.tsv' index (l * heads + h) u 1:2:3 with image notitle
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

  # ---- A(r) per temperature, layers 1 and 2, with the uniform-attention null --------------------------
  name = 'attention_profile'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale y
  set xrange [0.5:L-0.5]
  set xlabel 'distance r from the predicted spin (sites)'
  set key top right title 'T / J' font ',8' spacing 0.9
  do for [l=1:2] {
    set ylabel sprintf('layer-%d attention A(r)', l)
    plot for [k=1:nT] prof(k) u 1:(column(2*l+1)):(column(2*l+2)) w yerr pt 7 ps 0.5 dt 1 lc rgb tcolor(k) t word(temps, k), \
         prof(1) u 1:9 w l ls 2 t 'uniform causal'
  }
  unset multiplot
  unset logscale; unset xrange; set xtics autofreq; set key default; set key top right noautotitle
  set output

  # ---- shapes: A_1(r) / A_1(1) against C(r) / C(1) -------------------------------------------------------
  name = 'attention_vs_correlation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set yrange [1e-3:2]
  set xrange [0.5:L-0.5]
  set format y '10^{%L}'
  set xlabel 'distance r (sites)'
  set ylabel 'normalised to r = 1'
  set key bottom left title 'lines: exact C(r)/C(1); points: A_1(r)/A_1(1)' font ',8' spacing 0.9 maxrows 4
  plot for [k=1:nT] prof(k) u 1:12 w l lw 2 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] prof(k) u 1:13:14 w yerr pt 7 ps 0.5 dt 1 lc rgb tcolor(k) notitle
  unset logscale; unset yrange; unset xrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- cosine similarity with C(r): trained model against the nulls --------------------------------------
  name = 'similarity'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set yrange [*:1.02]
  set xlabel 'temperature T / J'
  set ylabel sprintf('cosine similarity with C(r), r = 1..%d', R)
  set key bottom left
  plot sum u 1:13 w l ls 2 t 'uniform causal attention', \
       sum u ($1 * 0.97):4:5:6 w yerr ls 11 t 'trained, layer 1', \
       sum u ($1 * 1.03):7:8:9 w yerr ls 12 t 'trained, layer 2', \
       sum u 1:10:11:12 w yerr ls 17 t 'untrained, layer 1', \
       sum u 1:14:15:16 w yerr ls 13 ps 1.2 t 'shuffled positions, layer 1', \
       0.9 w l lc rgb '#999999' dt 3 t 'criterion 0.9'
  unset logscale; unset xrange; set xtics autofreq; unset yrange; set key default; set key top right noautotitle
  set output

  # ---- decay lengths ---------------------------------------------------------------------------------------
  name = 'decay_length'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set xlabel 'temperature T / J'
  set ylabel 'decay length (sites)'
  set key top right
  plot sum u 1:2 w l ls 1 t '{/Symbol x}(T) = -1/ln tanh(J/T)', \
       sum u 1:3 w l ls 2 t sprintf('l_C: fit of exact ring C(r), r = 1..%d', R), \
       sum u ($1 * 0.97):22:23:24 w yerr ls 11 t 'l_A, layer 1', \
       sum u ($1 * 1.03):25:26:27 w yerr ls 12 t 'l_A, layer 2', \
       sum u 1:28 w p ls 17 t 'l_A, untrained', \
       sum u 1:29 w l lc rgb '#999999' dt 3 t 'l_A, uniform causal'
  unset logscale; unset xrange; set xtics autofreq
  set output

  # ---- weight on the first spin and on the previous spin, per query --------------------------------------
  name = 'first_and_previous'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
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

  # ---- summary statistics against temperature ------------------------------------------------------------
  name = 'attention_vs_temperature'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale x
  set xrange [0.4:6.5]
  set xtics (0.5, 0.75, 1, 1.5, 2, 3, 5)
  set xlabel 'temperature T / J'
  set ylabel 'mean attention distance D (sites)'
  set key top right font ',8'
  plot sum u ($1 * 0.97):31:32 w yerr ls 11 t 'layer 1', \
       sum u ($1 * 1.03):33:34 w yerr ls 12 t 'layer 2', \
       sum u 1:35 w p ls 17 t 'untrained, layer 1'
  set ylabel 'attention weight'
  set yrange [0:*]
  plot sum u ($1 * 0.97):36:37 w yerrorlines ls 11 t 'previous spin, layer 1', \
       sum u ($1 * 1.03):38:39 w yerrorlines ls 12 t 'previous spin, layer 2', \
       sum u ($1 * 0.97):40:41 w yerrorlines ls 13 t 'start token, layer 1', \
       sum u ($1 * 1.03):42:43 w yerrorlines ls 14 t 'start token, layer 2', \
       sum u 1:(max($44, $45)) w lp ls 15 t 's_1 at the last query (best head)'
  unset multiplot
  unset logscale; unset xrange; set xtics autofreq; unset yrange; set key default; set key top right noautotitle
  set output
}

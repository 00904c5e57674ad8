# Chapter 5 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
nS = words(scales)
summary = data.'/summary.tsv'
# wide panels for the ring / open x temperature grids
pdf_wide = "set terminal pdfcairo enhanced font 'Helvetica,9' size 7in,4.2in; set output pdfdir.'/'.name.'.pdf'"
png_wide = "set terminal pngcairo enhanced font 'Helvetica,10' size 1260,760; set output pngdir.'/'.name.'.png'"
vname(v) = word("none distance periodic", v + 1)
vtitle(v) = word("'no bias' 'distance bias' 'periodic bias'", v + 1)
sel(b, v, x) = ($1 == b && $3 == v ? x : NaN)
bname(b) = b == 0 ? 'ring' : 'open'
btitle(b) = b == 0 ? 'periodic ring' : 'open chain'

do for [ext in "pdf png"] {
  # ---- per-position excess loss: ring (top) and open chain (bottom), one column per T -------------
  name = 'excess_profile'
  eval(ext eq "pdf" ? pdf_wide : png_wide)
  set multiplot layout 2,nT
  set key top left font ',8'
  set xrange [0.5:L + 0.5]
  do for [b=0:1] {
    do for [k=1:nT] {
      f = data.'/excess_'.bname(b).'_T'.word(temps, k).'.tsv'
      set title btitle(b).', T = '.word(temps, k).' J' font ',10'
      set xlabel 'spin position i'
      set ylabel 'excess loss (nats)'
      set arrow 1 from end_first - 0.5, graph 0 to end_first - 0.5, graph 1 nohead lc rgb '#bbbbbb' dt 3
      if (b == 0 && k == 1) { set key top center font ',8' } else { unset key }
      plot f u 1:2 w l ls 1 t 'ideal model that sees only s_{i-1}: I(s_i; s_1 | s_{i-1})', \
           0 w l ls 2 notitle, \
           f u ($1 - 0.2):3:4 w yerr ls 11 t 'no bias', \
           f u 1:5:6 w yerr ls 12 t 'distance bias', \
           f u ($1 + 0.2):7:8 w yerr ls 13 t 'periodic bias'
      unset arrow 1
    }
  }
  unset multiplot
  unset title; unset xrange; set key default; set key top right noautotitle
  set output

  # ---- KL per spin against T ---------------------------------------------------------------------
  name = 'kl'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale xy
  set format y '10^{%L}'
  set xrange [0.35:3]
  set xlabel 'temperature T / J'
  set ylabel 'KL(p_T || p_{model}) per spin (nats)'
  set key bottom left font ',8'
  do for [b=0:1] {
    set title btitle(b) font ',10'
    plot for [v=0:2] summary u (sel(b, v, $2 * (1 + 0.04 * (v - 1)))):4:5 w yerr ls (11 + v) t vtitle(v), \
         summary u (sel(b, 0, $2)):($13 > 1e-12 ? $13 : NaN) w lp ls 2 pt 6 t 'ideal model that sees only s_{i-1}'
  }
  unset multiplot
  unset logscale; unset xrange; unset title; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- correlation length of model samples -----------------------------------------------------------
  name = 'correlation_length'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale xy
  set xrange [0.35:3]
  set xlabel 'temperature T / J'
  set ylabel 'fitted {/Symbol x} of samples (sites)'
  set key top right font ',8'
  do for [b=0:1] {
    set title btitle(b) font ',10'
    plot summary u (sel(b, 0, $2)):12 w l ls 2 t '-1/ln tanh(J/T)', \
         summary u (sel(b, 0, $2)):10:11 w yerr ls 1 pt 6 t 'exact samples, same fit', \
         for [v=0:2] summary u (sel(b, v, $2 * (1 + 0.04 * (v - 1)))):8:9 w yerr ls (11 + v) t vtitle(v)
  }
  unset multiplot
  unset logscale; unset xrange; unset title; set key default; set key top right noautotitle
  set output

  # ---- C(r) of model samples at the long-correlation temperature ---------------------------------------
  name = 'correlation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set xlabel 'distance r (sites)'
  set ylabel 'connected correlation C(r)'
  set xrange [-0.5:L - 0.5]
  set key bottom left font ',8'
  do for [b=0:1] {
    f = data.'/corr_'.bname(b).'_T'.long_T.'.tsv'
    set title btitle(b).', T = '.long_T.' J' font ',10'
    plot f u 1:2 w l ls 1 t 'exact', \
         for [v=0:2] f u ($1 + 0.15 * (v - 1)):(column(3 + 2 * v)):(column(4 + 2 * v)) w yerr ls (11 + v) t vtitle(v)
  }
  unset multiplot
  unset xrange; unset title; set key default; set key top right noautotitle
  set output

  # ---- the choice of f at the long-correlation temperature -----------------------------------------------
  name = 'bias_shapes'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set xrange [-0.5:6.5]
  set xtics ('none' 0, 'dist lin' 1, 'per lin' 2, 'dist lin fix' 3, 'per lin fix' 4, 'dist exp' 5, 'per exp' 6) rotate by 30 right font ',8'
  set key top right font ',8'
  set xlabel 'attention bias'
  set ylabel 'KL per spin (nats)'
  set title 'T = '.long_T.' J' font ',10'
  plot summary u ($2 == long_T + 0 && $1 == 0 ? $3 - 0.1 : NaN):4:5 w yerr ls 11 t 'ring', \
       summary u ($2 == long_T + 0 && $1 == 1 ? $3 + 0.1 : NaN):4:5 w yerr ls 12 t 'open chain'
  set ylabel 'excess loss, last L/4 spins (nats)'
  plot summary u ($2 == long_T + 0 && $1 == 0 ? $3 - 0.1 : NaN):6:7 w yerr ls 11 t 'ring', \
       summary u ($2 == long_T + 0 && $1 == 1 ? $3 + 0.1 : NaN):6:7 w yerr ls 12 t 'open chain'
  unset multiplot
  unset xrange; unset title; set xtics autofreq norotate font ''; set key default; set key top right noautotitle
  set output

  # ---- section 3.1: softmax scale ------------------------------------------------------------------------
  name = 'attention_scale'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale x 2
  set xrange [0.15:12]
  set xlabel 'attention scale (multiplies 1/{/Symbol \326}d_k)'
  set ylabel 'steps to KL per spin < threshold'
  set yrange [0:steps * 1.3]
  plot data.'/scale_sweep.tsv' u 1:2:3 w yerr ls 11 t 'mean over seeds', \
       steps w l ls 2 t 'training budget'
  unset logscale; unset xrange; unset yrange
  set logscale y
  set format y '10^{%L}'
  set xlabel 'training step'
  set ylabel 'validation KL per spin (nats)'
  set key top right font ',8' title 'scale'
  plot for [k=1:nS] data.'/scale_curves.tsv' u 1:(column(2 * k)) w lp pt 7 ps 0.4 lw 1.5 lc rgb tcolor(k) t word(scales, k), \
       threshold w l ls 2 t 'threshold'
  unset multiplot
  unset logscale; set format y '%g'; set key default; set key top right noautotitle
  set output
}

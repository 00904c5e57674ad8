# Chapter 4 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
grid = data.'/vector_grid.tsv'
skt = data.'/sk_replicas.tsv'
nSK = words(sk_fields)
nN = words(sk_sizes)
nV = words(sizes)

do for [ext in "pdf png"] {
  # ---- SK validation: chi_SG / N^(1/3) against T, one panel per field, exact T_AT(h) as a line -------
  name = 'sk_validation'
  if (ext eq "pdf") { set terminal pdfcairo enhanced font 'Helvetica,9' size 6in,4.2in; set output pdfdir.'/'.name.'.pdf' } \
  else { set terminal pngcairo enhanced font 'Helvetica,10' size 1000,700; set output pngdir.'/'.name.'.png' }
  set multiplot layout 2,(nSK + 1) / 2
  set logscale y
  set xlabel 'temperature T'
  set ylabel '{/Symbol c}_{SG} / N^{1/3}'
  do for [f=1:nSK] {
    h = word(sk_fields, f) + 0
    t_at = word(sk_tat, f) + 0
    set title sprintf('binary SK, h = %g', h)
    set arrow 1 from t_at, graph 0 to t_at, graph 1 nohead ls 1
    set label 1 'T_{AT}(h) exact' at t_at, graph 0.92 offset 0.5, 0 font ',8'
    plot for [k=1:nN] skt u ($1 == word(sk_sizes, k) && abs($2 - h) < 1e-9 ? $3 : NaN):4:5 \
           w yerrorlines ls (10 + k) t 'N = '.word(sk_sizes, k)
  }
  unset arrow 1; unset label 1; unset title; unset logscale
  unset multiplot
  set output

  # ---- vector model: chi_SG / N^(1/3) from the tensor overlap, one panel per field -------------------
  name = 'vector_chi'
  if (ext eq "pdf") { set terminal pdfcairo enhanced font 'Helvetica,9' size 6in,4.2in; set output pdfdir.'/'.name.'.pdf' } \
  else { set terminal pngcairo enhanced font 'Helvetica,10' size 1000,700; set output pngdir.'/'.name.'.png' }
  set multiplot layout 2,(nH + 1) / 2
  set logscale xy
  set xlabel 'temperature T'
  set ylabel '{/Symbol c}_{SG} / N^{1/3} (tensor overlap)'
  do for [f=1:nH] {
    h = word(fields, f) + 0
    set title sprintf('vector spins, h = %g (parallel tempering)', h)
    plot for [k=1:nV] grid u ($1 == word(sizes, k) && abs($2 - h) < 1e-9 ? $3 : NaN):4:5 \
           w yerrorlines ls (10 + k) t 'N = '.word(sizes, k)
  }
  unset title; unset logscale
  unset multiplot
  set output

  # ---- tensor-overlap matrices on the (T, h) grid: the thesis's Figure 4.2 with ||Q_ab||_F ----------
  # one filled unit square per matrix element (boxxyerror, not `with image`, which needs a gap-free
  # scan-ordered grid: the blocks are separated by empty rows and columns)
  name = 'overlap_matrices'
  if (ext eq "pdf") { set terminal pdfcairo enhanced font 'Helvetica,9' size 6.5in,2.6in; set output pdfdir.'/'.name.'.pdf' } \
  else { set terminal pngcairo enhanced font 'Helvetica,10' size 1300,520; set output pngdir.'/'.name.'.png' }
  set size ratio -1
  set palette defined (0 '#F7F7F7', 0.5 '#EF8A62', 1 '#67001F')
  set cbrange [0:1]
  set cblabel '||Q_{ab}||_F (last recorded states, largest N, one draw)'
  unset grid
  set xrange [-1:nT*B - 1]
  set yrange [-1:nH*B - 1]
  set xtics () rotate by 90 right font ',8'
  set ytics ()
  do for [k=1:nT] { set xtics add (sprintf('%.3g', word(temps, k) + 0) (k - 1) * B + (B - 2) / 2.) }
  do for [k=1:nH] { set ytics add (word(fields, k) (k - 1) * B + (B - 2) / 2.) }
  set xlabel 'temperature T (ladder)'
  set ylabel 'field strength h'
  plot data.'/vector_matrices.tsv' u 1:2:(0.5):(0.5):3 w boxxyerror fs solid 1.0 noborder lc palette notitle
  unset xtics; unset ytics; set xtics; set ytics; set size noratio; set grid
  unset xrange; unset yrange; unset cblabel; unset cbrange
  set output
}

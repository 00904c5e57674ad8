# Chapter 4 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
grid = data.'/vector_grid.tsv'
skt = data.'/sk_replicas.tsv'
line = data.'/sk_at_line.tsv'
# phase colours: paramagnetic grey, field-aligned blue, RSB vermilion
pcol(p) = (p == 0 ? 0x999999 : p == 1 ? 0x0072B2 : 0xD55E00)

do for [ext in "pdf png"] {
  # ---- overlap matrices on the (T, h) grid: the thesis's Figure 4.2 ---------------------------------
  name = 'overlap_matrices'
  if (ext eq "pdf") { set terminal pdfcairo enhanced font 'Helvetica,10' size 5in,4.6in; set output pdfdir.'/'.name.'.pdf' } \
  else { set terminal pngcairo enhanced font 'Helvetica,11' size 900,830; set output pngdir.'/'.name.'.png' }
  set size ratio -1
  set palette defined (-1 '#2166AC', 0 '#F7F7F7', 1 '#B2182B')
  set cbrange [-1:1]
  set cblabel 'cosine overlap q_{ab} (last recorded states)'
  unset grid
  set xrange [-1:nT*B]
  set yrange [-1:nH*B]
  set xtics () ; set ytics ()
  do for [k=1:nT] { set xtics add (word(temps, k) (k - 1) * B + (B - 2) / 2.) }
  do for [k=1:nH] { set ytics add (word(fields, k) (k - 1) * B + (B - 2) / 2.) }
  set xlabel 'temperature T'
  set ylabel 'field strength h'
  set key top right opaque
  # read NaN (the gaps between blocks) as an undefined pixel, not as a missing row, so the grid stays regular
  set datafile missing '?'
  plot data.'/vector_matrices.tsv' u 1:2:3 w image notitle, \
       data.'/sk_line_blocks.tsv' u 1:2 w l lw 3 lc rgb '#E00000' t 'SK de Almeida-Thouless line'
  set datafile missing 'NaN'
  unset xtics; unset ytics; set xtics; set ytics; set size noratio; set grid
  unset xrange; unset yrange; unset cblabel; unset cbrange
  set output

  # ---- the scalar order parameter chi as a map, exact SK AT line over it --------------------------------
  name = 'rsb_map'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale x
  set logscale y
  set logscale cb
  set palette defined (0 '#F7F7F7', 1 '#FDDBC7', 2 '#EF8A62', 3 '#B2182B', 4 '#67001F')
  set cblabel '{/Symbol c} = Var(q_{ab}) / Var_{random}'
  set xlabel 'temperature T'
  set ylabel 'field strength h'
  set xrange [word(temps, 1) / 1.5 : word(temps, nT) * 1.5]
  set yrange [word(fields, 1) / 1.5 : word(fields, nH) * 1.5]
  set bmargin 5.5
  set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 1 font ',9'
  # each grid cell a box spanning half-way (in log) to its neighbours: factor sqrt(2) for doubling grids
  plot grid u ($16 == 0 ? $2 : NaN):1:($2 / sqrt(2)):($2 * sqrt(2)):($1 / sqrt(2)):($1 * sqrt(2)):($7 < 0.1 ? 0.1 : $7) \
         w boxxyerror fs solid 1.0 noborder lc palette notitle, \
       grid u ($16 == 0 ? $2 : NaN):1:(pcol($14)) w p pt 7 ps 1.0 lc rgb variable notitle, \
       line u 2:1 w l lw 3 lc rgb '#E00000' t 'SK AT line (exact)', \
       NaN w p pt 7 lc rgb '#999999' t 'paramagnetic', NaN w p pt 7 lc rgb '#0072B2' t 'field-aligned', \
       NaN w p pt 7 lc rgb '#D55E00' t 'RSB ({/Symbol c} > N^{1/2})'
  unset logscale; unset xrange; unset yrange; unset cblabel; unset bmargin; set key default; set key top right noautotitle
  set output

  # ---- SK validation: chi / sqrt(N) against T for each h, both sizes, exact T_AT marked --------------------
  name = 'sk_validation'
  if (ext eq "pdf") { set terminal pdfcairo enhanced font 'Helvetica,10' size 5in,3.4in; set output pdfdir.'/'.name.'.pdf' } \
  else { set terminal pngcairo enhanced font 'Helvetica,11' size 900,612; set output pngdir.'/'.name.'.png' }
  set logscale y
  set xlabel 'temperature T'
  set ylabel '{/Symbol c} / N^{1/2}'
  set key outside right top title 'h' font ',9'
  nF = words(sk_fields)
  plot for [k=1:nF] skt u ($1 == sk_nmax && abs($2 - word(sk_fields, k)) < 1e-9 ? $3 : NaN):10:($5 / sqrt(sk_nmax)) \
         w yerrorlines pt 7 ps 0.6 lw 1.5 dt 1 lc rgb tcolor(k) t word(sk_fields, k).' (N = '.sk_nmax.')', \
       for [k=1:nF] skt u ($1 == sk_nmin && abs($2 - word(sk_fields, k)) < 1e-9 ? $3 : NaN):10 \
         w l lw 1 dt 2 lc rgb tcolor(k) notitle, \
       for [k=1:nF] line u ((abs($1 - word(sk_fields, k)) < 1e-9) ? $2 : NaN):(1) w p pt 9 ps 2 lc rgb tcolor(k) notitle, \
       1 w l ls 2 t 'threshold', NaN w l lw 1 dt 2 lc rgb '#555555' t 'N = '.sk_nmin, \
       NaN w p pt 9 ps 1.5 lc rgb '#555555' t 'exact T_{AT}(h)'
  unset logscale; set key default; set key top right noautotitle
  set output
}

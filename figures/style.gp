# Shared figure style. Called with data, pdfdir, pngdir set; each chapter script calls
# `call_outputs(name)` through the macros below: draw once for PDF (paper), once for PNG (web page).
set encoding utf8
set datafile separator whitespace
set datafile missing "NaN"
set border lw 1.2
set tics nomirror
set key top right noautotitle samplen 2 spacing 1.1
set grid lc rgb "#e0e0e0" lw 0.8
# line styles: exact curves are lines (1-3), measurements points with error bars (11-13)
set style line 1 lc rgb "#000000" lw 2 dt 1
set style line 2 lc rgb "#555555" lw 1.5 dt 2
set style line 11 lc rgb "#0072B2" pt 7 ps 0.7 lw 1.2
set style line 12 lc rgb "#D55E00" pt 5 ps 0.7 lw 1.2
set style line 13 lc rgb "#009E73" pt 9 ps 0.8 lw 1.2
set style line 14 lc rgb "#CC79A7" pt 11 ps 0.8 lw 1.2
set style line 15 lc rgb "#E69F00" pt 13 ps 0.8 lw 1.2
set style line 16 lc rgb "#56B4E9" pt 4 ps 0.8 lw 1.2
set style line 17 lc rgb "#999999" pt 6 ps 0.8 lw 1.2
# Curves without an explicit style get gnuplot's solid default line types (no "increment user":
# it would give the k-th curve of a plot line style k, dashes included).
# Temperature palette (one colour per temperature in a family of curves).
tcolor(k) = word("#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #56B4E9 #999999 #000000", (k - 1) % 8 + 1)
# Output macros: `@pdf_out` / `@png_out` after setting `name`.
pdf_out = "set terminal pdfcairo enhanced font 'Helvetica,10' size 5in,3.2in; set output pdfdir.'/'.name.'.pdf'"
png_out = "set terminal pngcairo enhanced font 'Helvetica,11' size 900,576; set output pngdir.'/'.name.'.png'"

# Chapter 0 figures. Called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
nT = words(temps)
obs = data.'/observables.tsv'
curves = data.'/exact_curves.tsv'
sampler(s, x) = ($2 == s ? x : NaN)

do for [ext in "pdf png"] {
  # ---- energy and specific heat per spin vs T --------------------------------------------------
  name = 'thermodynamics'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set xlabel 'temperature T / J'
  set ylabel 'energy per spin E/(LJ)'
  set key bottom right
  plot curves u 1:2 w l ls 1 t 'exact', \
       obs u (sampler(0, $1 * 0.98)):3:4 w yerr ls 11 t 'exact sampler', \
       obs u (sampler(1, $1)):3:4 w yerr ls 12 t 'Metropolis (seed)', \
       obs u (sampler(2, $1 * 1.02)):3:4 w yerr ls 13 t 'multi-spin heat bath'
  set ylabel 'specific heat per spin c'
  set key top right
  plot curves u 1:3 w l ls 1 t 'exact', \
       obs u (sampler(0, $1 * 0.98)):5:6 w yerr ls 11 t 'exact sampler', \
       obs u (sampler(1, $1)):5:6 w yerr ls 12 t 'Metropolis (seed)', \
       obs u (sampler(2, $1 * 1.02)):5:6 w yerr ls 13 t 'multi-spin heat bath'
  unset multiplot
  set output

  # ---- connected correlation C(r) at every T -------------------------------------------------------
  name = 'correlation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel 'distance r (sites)'
  set ylabel 'connected correlation C(r)'
  set xrange [0:L/2]
  set yrange [-0.05:1.05]
  set key top right title 'T / J' font ',9'
  plot for [k=1:nT] data.'/corr_T'.word(temps, k).'.tsv' u 1:2 w l lw 2 dt 1 lc rgb tcolor(k) t word(temps, k), \
       for [k=1:nT] data.'/corr_T'.word(temps, k).'.tsv' u 1:3 w l lw 1 dt 2 lc rgb tcolor(k) notitle, \
       for [k=1:nT] data.'/corr_T'.word(temps, k).'.tsv' u 1:4:5 w yerr pt 7 ps 0.5 dt 1 lc rgb tcolor(k) notitle
  unset xrange; unset yrange; set key default; set key top right noautotitle
  set output

  # ---- correlation length: the ring's xi (the eigenvalue ratio) and what single-exponential fits return
  name = 'correlation_length'
  eval(ext eq "pdf" ? pdf_out : png_out)
  form = data.'/correlation_form.tsv'
  set logscale xy
  set xrange [0.25:8]
  set xtics (0.3, 0.5, 1, 2, 5)
  set xlabel 'temperature T / J'
  set ylabel 'correlation length {/Symbol x} (sites)'
  set key top right font ',9'
  # the ring-form points last, on top of the single-exponential ones they coincide with at high T
  plot curves u 1:5 w l ls 1 t '-1/ln tanh(J/T): the ring''s {/Symbol x} (eigenvalue ratio)', \
       curves u 1:6 w l lw 2 dt 2 lc rgb '#cc3311' t 'single exponential fitted to the exact C(r), equal weights', \
       form u 1:15:16 w yerr pt 6 ps 1.4 lc rgb '#cc3311' t 'single exponential fitted to exact samples, weights 1/{/Symbol s}^2', \
       form u 1:4:5 w yerr ls 11 t 'ring form fitted to exact samples, r = 1..L/4', \
       L/4. w l ls 2 t 'L/4'
  unset logscale; unset xrange; set xtics autofreq; set key default; set key top right noautotitle
  set output

  # ---- energy histogram at T = 1 ---------------------------------------------------------------------
  name = 'energy_histogram'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale y
  set format y '10^{%L}'
  set xlabel 'energy per spin E/(LJ)'
  set ylabel 'probability'
  hist = data.'/energy_hist_T1.tsv'
  set yrange [1e-7:1.5]
  set xrange [-1.05:0.05]
  plot hist u 1:2 w l ls 1 t 'exact, T = J', \
       hist u ($1 - 0.01):3:4 w yerr ls 11 t 'exact sampler', \
       hist u 1:5:6 w yerr ls 12 t 'Metropolis (seed)', \
       hist u ($1 + 0.01):7:8 w yerr ls 13 t 'multi-spin heat bath'
  unset logscale; unset xrange; unset yrange; set format y '%g'
  set output

  # ---- equilibration: p-values against sweeps from a random start ------------------------------------
  name = 'equilibration'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set multiplot layout 1,2
  set logscale xy
  set format y '10^{%L}'
  set yrange [1e-12:2]
  set xlabel 'sweeps from a random start'
  floor_p(p) = (p < 1e-12 ? 1e-12 : p)
  set ylabel 'p-value, energy histogram'
  set key bottom right title 'T / J' font ',8'
  plot for [k=1:nT] data.'/equilibration.tsv' u 2:($1 == word(temps, k) + 0 && $5 == 0 ? floor_p($3) : NaN) \
         w lp pt 7 ps 0.5 dt 1 lc rgb tcolor(k) t word(temps, k), alpha w l ls 2 notitle
  set ylabel 'p-value, magnetisation histogram'
  plot for [k=1:nT] data.'/equilibration.tsv' u 2:($1 == word(temps, k) + 0 && $5 == 0 ? floor_p($4) : NaN) \
         w lp pt 7 ps 0.5 dt 1 lc rgb tcolor(k) t word(temps, k), alpha w l ls 2 notitle
  unset multiplot
  unset logscale; unset yrange; set format y '%g'; set key default; set key top right noautotitle
  set output

  # ---- autocorrelation times of the seed's chain ---------------------------------------------------
  name = 'autocorrelation'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set logscale xy
  set key top right font ',9'
  set xlabel 'temperature T / J'
  set ylabel '{/Symbol t}_{int} (sweeps)'
  plot data.'/autocorrelation.tsv' u 1:4:7 w yerr ls 11 t 'energy', \
       data.'/autocorrelation.tsv' u 1:5:8 w yerr ls 12 t 'magnetisation', \
       10 w l ls 2 t 'seed''s text: 10 sweeps between samples', \
       code_spacing w l dt 3 lc rgb '#666666' t 'seed''s code as printed: '.code_spacing.' sweeps between samples'
  unset logscale
  set output
}

# Template chapter figures (not drawn by the paper pipeline: the template is no paper chapter). A paper
# chapter's scripts are called by make with data, pdfdir, pngdir set and figures/style.gp loaded.
load data.'/plot_vars.gp'
do for [ext in "pdf png"] {
  name = 'energy_bias'
  eval(ext eq "pdf" ? pdf_out : png_out)
  set xlabel 'temperature T / J'
  set ylabel 'energy per spin, Metropolis minus exact'
  set offsets 0.5, 0.5, 0, 0
  plot data.'/energy_bias.tsv' u 1:3 w p ls 11 t 'one chain each', 0 w l ls 1 notitle
  set output
}

#!/usr/bin/env bash
# Committed PNGs are redrawn only when what they are drawn from changed by content (issue 36: a fresh
# clone's `make paper` redrew ~50 PNGs with this machine's font bytes and left `git status` dirty).
# scripts/draw-figures on a scratch chapter: the first drawing writes the PNG and its inputs.sha1;
# with the same inputs the PNG keeps its bytes (even bytes another machine drew) while the PDF is
# drawn; new data, a changed script or a changed figures/style.gp redraw it; touching a file is no change.
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
tree="$work/tree"
mkdir -p "$tree/chapters/00-demo" "$tree/out/ch00" "$tree/figures" "$tree/scripts"
cp "$root/scripts/draw-figures" "$tree/scripts/"
cp "$root/figures/style.gp" "$tree/figures/"
cat > "$tree/chapters/00-demo/figures.gp" <<'EOF'
do for [ext in "pdf png"] {
  name = 'line'
  eval(ext eq "pdf" ? pdf_out : png_out)
  plot data.'/line.tsv' u 1:2 w lp
  set output
}
EOF
printf '1 1\n2 4\n3 9\n' > "$tree/out/ch00/line.tsv"
draw() { (cd "$tree" && bash scripts/draw-figures 00 out figures/ch00) > "$work/log" 2>&1 || fail "draw-figures: $(cat "$work/log")"; }
printf 'committed PNG bytes' > "$work/committed"
kept() { cmp -s "$png" "$work/committed"; }   # the PNG still holds the committed bytes
png="$tree/figures/ch00/line.png" pdf="$tree/out/figures/ch00/line.pdf" stamp="$tree/figures/ch00/inputs.sha1"

draw
[[ -s $png && -s $pdf && -s $stamp ]] || fail "first drawing: no PNG, PDF or stamp"
grep -q "ch00/line.tsv" "$stamp" && grep -q "chapters/00-demo/figures.gp" "$stamp" && grep -q "figures/style.gp" "$stamp" ||
  fail "the stamp does not list data, script and style: $(cat "$stamp")"

# another machine's bytes for the same figure, as a fresh clone holds them
cp "$work/committed" "$png"
rm -f "$pdf"
touch "$tree/out/ch00/line.tsv" "$tree/chapters/00-demo/figures.gp"   # newer files, same content
draw
kept || fail "same inputs: the PNG was redrawn"
[[ -s $pdf ]] || fail "same inputs: the PDF was not drawn"
ls "$tree/out/figures/ch00" | grep -q png-unchanged && fail "the scratch folder was left behind"

redrawn() {  # redrawn WHAT: after a change, the PNG is drawn again and the stamp follows
  draw
  kept && fail "$1: the PNG was not redrawn"
  cp "$work/committed" "$png"
  draw
  kept || fail "$1: the stamp was not updated (redrawn twice)"
}
printf '1 1\n2 4\n3 10\n' > "$tree/out/ch00/line.tsv"
redrawn "new data"
sed -i 's/w lp/w l/' "$tree/chapters/00-demo/figures.gp"
redrawn "changed script"
echo "set grid" >> "$tree/figures/style.gp"
redrawn "changed style"
printf '0 0\n' > "$tree/out/ch00/extra.tsv"
redrawn "a new data table"
# a PNG deleted by hand comes back, though nothing else changed
rm "$png"
draw
[[ -s $png ]] || fail "a deleted PNG was not drawn again"

# the quick profile's layout: PNGs and PDFs in one folder (build/quick/figures/chNN)
rm -rf "$tree/out/figures"
(cd "$tree" && bash scripts/draw-figures 00 out out/figures/ch00) > "$work/log" 2>&1 || fail "one folder: $(cat "$work/log")"
[[ -s $tree/out/figures/ch00/line.png && -s $tree/out/figures/ch00/line.pdf ]] || fail "one folder, first drawing: no PNG or PDF"
(cd "$tree" && bash scripts/draw-figures 00 out out/figures/ch00) > "$work/log" 2>&1 || fail "one folder: $(cat "$work/log")"
[[ -s $tree/out/figures/ch00/line.png ]] || fail "one folder, second drawing: the PNG is gone"
finish figure_stamps

#!/usr/bin/env bash
# The website's browser check (tests/html/check_site.py, which `make test` runs on the quick profile's
# site) must be able to fail: in headless Chromium it passes a small good site and fails one page
# each with a missing image, a broken link to another page's id, raw TeX, a page without MathML
# whose source has math, and a remote script; and it writes the screenshot it names in its log.
# Then the filter's own output is checked: a chapter's figure gets its "made by" line, its claim
# conditions fold into a <details> with one anchor per claim, and claim ids in a one-line table link
# to the page of those conditions.
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
check="$root/tests/html/check_site.py"
png="$root/figures/ch00/thermodynamics.png"

page() {  # page FILE BODY: a minimal page as pandoc writes them
  printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title></head>\n<body>\n%s\n</body></html>\n' "$2" > "$1"
}
good_site() {  # good_site DIR
  rm -rf "$1" && mkdir -p "$1/figures" "$1/book"
  cp "$png" "$1/figures/a.png"
  page "$1/index.html" '<p><a href="ch00.html#claim-0.1">0.1</a> <a href="https://example.org/">out</a></p>'
  page "$1/ch00.html" '<h1 id="top">Chapter</h1><p>energy <math><mi>E</mi></math> costs $5 in <code>$x$</code></p>
<figure><img src="figures/a.png" alt="a"></figure><details><summary>s</summary><p><span id="claim-0.1"></span>
<math><mi>x</mi></math></p></details><p><a href="#top">top</a></p>'
  printf '# Chapter\n\nenergy $E$\n' > "$1/book/ch00.md"
}
run_check() {  # run_check SITE: check_site.py's exit status; its log in $work/log
  python3 "$check" "$1" --out "$work/out" --book "$1/book" > "$work/log" 2>&1
}

site="$work/site"
good_site "$site"
run_check "$site"; status=$?
[[ $status -eq 0 ]] || fail "good site: exit status $status: $(tail -5 "$work/log")"
shot=$(sed -n 's/^check_site: screenshot of ch00.html: //p' "$work/log")
[[ -n $shot && -s $shot ]] || fail "good site: the log names no written screenshot: $(tail -3 "$work/log")"

# expect_failure NAME WHAT SED-ON-ch00.html: the check fails, and its log says WHAT
expect_failure() {
  good_site "$site"
  sed -i "$3" "$site/ch00.html"
  run_check "$site"; local status=$?
  [[ $status -eq 1 ]] || fail "$1: exit status $status, expected 1: $(tail -3 "$work/log")"
  grep -q "FAIL: ch00.html: $2" "$work/log" || fail "$1: no '$2' in the log: $(grep FAIL "$work/log" | head -3)"
}
expect_failure "broken image" "missing image: figures/missing.png" 's#figures/a.png#figures/missing.png#'
expect_failure "broken link" "broken link 'ch00.html#nowhere'" 's#<a href="\#top">#<a href="ch00.html\#nowhere">#'
expect_failure "link to no page" "broken link 'ch09.html'" 's#<a href="\#top">#<a href="ch09.html">#'
expect_failure "raw TeX math" 'raw TeX math' 's#costs \$5 in#costs $x^2$ in#'
expect_failure "raw TeX command" 'raw TeX command' 's#costs \$5 in#costs \\frac{1}{2} in#'
expect_failure "no MathML" 'its source has math' 's#<math>#<span>#g; s#</math>#</span>#g'
expect_failure "remote script" "fetches 'https://cdn.example.org/mathjax.js'" 's#</h1>#</h1><script src="https://cdn.example.org/mathjax.js"></script>#'
# the image really is looked at by the browser: a file that is no image fails too
good_site "$site"; echo "not a png" > "$site/figures/a.png"
run_check "$site"; status=$?
[[ $status -eq 1 ]] && grep -q "missing image: figures/a.png" "$work/log" || fail "a broken PNG file passed: $(tail -3 "$work/log")"
run_check "$work/nothing"; [[ $? -eq 2 ]] || fail "no site: exit status not 2"

# The filter: a chapter page as scripts/build-html makes it.
mkdir -p "$work/ch/chapters/00-demo"
cat > "$work/ch/chapters/00-demo/figures.gp" <<'EOF'
obs = data.'/observables.tsv'
do for [ext in "pdf png"] {
  name = 'energy'
  set arrow 1 from 0, 0 to 1, 1
  plot obs u 1:2, data.'/corr_T'.word(temps, 1).'.tsv' u 1:2
  name = 'other'
  plot data.'/other.tsv' u 1:2
}
EOF
cat > "$work/ch/ch00.md" <<'EOF'
# Demo

![Energy.](../../figures/ch00/energy.png)

| # | Claim | Verdict |
|---|---|---|
| 0.1 | a claim | **reproduced** |
| 1.2 | another chapter's | **partly** |

::: {.claim-conditions chapter="00"}
**Claim 0.1** (source; a paper). The claim, with $x_{\rm NESS}$ in it.

| condition | estimate |
|---|---|
| T = 1 | 0.5 |
:::
EOF
(cd "$work/ch" && pandoc ch00.md --to html5 --mathml --lua-filter "$root/paper/filters/paper.lua" \
   -M page=ch00 -M data_dir=chapters/00-demo/data -M rerun="make ch00" -M gp_files=chapters/00-demo/figures.gp \
   -o ch00.html 2> "$work/pandoc.log") || fail "pandoc with the filter: $(cat "$work/pandoc.log")"
html=$(cat "$work/ch/ch00.html" 2>/dev/null)
made_by=$(tr '\n' ' ' <<< "$html" | sed 's/.*<div class="made-by">//; s#</div>.*##')
for want in "chapters/00-demo/figures.gp" "chapters/00-demo/data/observables.tsv" "chapters/00-demo/data/corr_T*.tsv" "make ch00"; do
  grep -qF "$want" <<< "$made_by" || fail "made-by line lacks $want: $made_by"
done
grep -qF "other.tsv" <<< "$made_by" && fail "made-by line names another figure's data: $made_by"
grep -q '<details class="claim-conditions" id="conditions-ch00">' <<< "$html" || fail "conditions not in a <details>"
grep -q '<span id="claim-0.1"></span>' <<< "$html" || fail "no anchor for claim 0.1"
grep -q 'href="#claim-0.1"' <<< "$html" || fail "claim 0.1 in the one-line table does not link to its conditions"
grep -q 'href="ch01.html#claim-1.2"' <<< "$html" || fail "claim 1.2 does not link to chapter 1's page"
grep -q 'NESS' <<< "$html" && ! grep -q '\\rm' <<< "$html" || fail "{\\rm NESS} not turned into MathML"
finish html_site

#!/usr/bin/env bash
# Sources a reader can find (issue 35): every source document the chapters cite ([@seed_*]) has an author,
# a year and a place to read it (a URL, or "unpublished" said outright) in paper/references.bib, and
# scripts/render-citations turns pandoc's [@key] on a chapter page into "(Author Year)" with a reference
# list, since a code host shows the raw [@key].
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
render="$root/scripts/render-citations"

# every key the texts cite is in the bibliography; every source document is findable
keys=$(cat "$root"/chapters/*/text.md "$root"/paper/front.md | grep -o '@seed_[A-Za-z0-9_]*' | sort -u)
[[ -n $keys ]] || fail "no [@seed_*] citation found"
python3 - "$root/paper/references.bib" $keys > "$work/bib.log" 2>&1 <<'PY' || fail "bibliography: $(cat "$work/bib.log")"
import re, sys
text = open(sys.argv[1]).read()
bad = []
for key in (k.lstrip("@") for k in sys.argv[2:]):
    m = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", text, re.S)
    if not m:
        bad.append(f"{key}: not in the bibliography"); continue
    body = m.group(1)
    field = lambda f: re.search(r"\b" + f + r"\s*=\s*\{(.*)\}", body)
    for f in ("author", "title", "year"):
        if not field(f): bad.append(f"{key}: no {f}")
    if not field("url") and "unpublished" not in body:
        bad.append(f"{key}: neither a url nor 'unpublished'")
print("\n".join(bad)); sys.exit(1 if bad else 0)
PY

cat > "$work/page.md" <<'MD'
The thesis [@seed_thesis] and two papers [@kaufman1949; @wolff1989].
`[@seed_thesis]` in code stays.
MD
python3 "$render" "$work/page.md" "$work/out.md" || fail "render: exit status $?"
grep -q '^The thesis (\[Honkoop 2025\](#ref-seed_thesis)) and two papers (\[Kaufman 1949\](#ref-kaufman1949); \[Wolff 1989\](#ref-wolff1989))\.$' "$work/out.md" ||
  fail "citations not rendered: $(head -2 "$work/out.md")"
grep -q '^`\[@seed_thesis\]` in code stays\.$' "$work/out.md" || fail "a code span was rewritten"
grep -q '^## References$' "$work/out.md" || fail "no reference list"
grep -q 'ref-seed_thesis.*Beer Honkoop (2025).*Statistical Physics of Transformers.*hdl.handle.net/1887/4255568' "$work/out.md" ||
  fail "the thesis's reference lacks author, year, title or where to read it: $(grep ref-seed_thesis "$work/out.md" | tail -1)"

# an unknown key: exit status 2, one line naming it, no output
echo 'See [@nobody1999].' > "$work/bad.md"
python3 "$render" "$work/bad.md" "$work/bad.out" 2> "$work/err"
[[ $? -eq 2 ]] || fail "unknown key: exit status not 2"
grep -q "nobody1999" "$work/err" || fail "unknown key not named: $(cat "$work/err")"
[[ ! -e "$work/bad.out" ]] || fail "unknown key: output written"

# the generated chapter pages render without a raw citation left
for page in "$root"/chapters/[0-9][0-9]-*/README.md; do
  python3 "$render" "$page" "$work/page.out" || { fail "$page: exit status $?"; continue; }
  grep -v '^\s*`' "$work/page.out" | grep -q '\[@' && fail "$page: a raw [@key] is left"
done
finish render_citations

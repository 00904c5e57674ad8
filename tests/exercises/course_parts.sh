# Every chapter carries the course's parts (issue 36): a derivations.md with at least one boxed
# derivation and an exercises.md with at least three checked exercises; both fill from the chapter's
# committed data/results.json as the book fills them (`spinformer report fill`), so a renamed key
# fails here and not in `make paper`; and pandoc reads all their math (no stray dollar sign left in
# the HTML outside code, the symptom of a dollar pandoc did not take as math).
# Usage: bash tests/exercises/course_parts.sh PATH/TO/spinformer
set -u
bin="$1"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

chapters=0
for chapter in "$root"/chapters/[0-9][0-9]-*/; do
  chapter=${chapter%/}
  name=$(basename "$chapter")
  chapters=$((chapters + 1))
  derivations=$(grep -c '^::: *{\.derivation' "$chapter/derivations.md" 2>/dev/null)
  [[ ${derivations:-0} -ge 1 ]] || fail "$name: no boxed derivation (::: {.derivation ...}) in derivations.md"
  exercises=$(grep -c '^~~~ *{\.exercise-check}' "$chapter/exercises.md" 2>/dev/null)
  [[ ${exercises:-0} -ge 3 ]] || fail "$name: ${exercises:-0} checked exercises in exercises.md, at least 3 wanted"
  for part in derivations exercises; do
    [[ -f $chapter/$part.md ]] || continue
    if ! "$bin" report fill --template "$chapter/$part.md" --values "$chapter/data/results.json" \
         --out "$work/$name.$part.md" 2> "$work/stderr"; then
      fail "$name/$part.md does not fill from data/results.json: $(grep -v warning "$work/stderr")"
      continue
    fi
    grep -qE ' = \$( |$)' "$chapter/$part.md" && fail "$name/$part.md: a space before a closing dollar (' = \$')"
    if ! pandoc -f markdown -t html --mathml "$work/$name.$part.md" -o "$work/$name.$part.html" 2> "$work/stderr"; then
      fail "$name/$part.md: pandoc failed: $(cat "$work/stderr")"
      continue
    fi
    # dollars inside code (the exercises' commands) are text; anywhere else one is unread math
    stray=$(sed -e 's/<code[^>]*>[^<]*<\/code>//g' "$work/$name.$part.html" |
            awk '/<pre/{pre=1} !pre && /\$/{print} /<\/pre>/{pre=0}' | head -3)
    [[ -z $stray ]] || fail "$name/$part.md: a dollar sign pandoc did not read as math: $stray"
  done
done
[[ $chapters -ge 8 ]] || fail "found $chapters chapters, expected at least 8"

if [[ $failures -eq 0 ]]; then echo "course parts: all passed ($chapters chapters)"; exit 0; fi
echo "course parts: $failures failed"; exit 1

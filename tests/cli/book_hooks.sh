#!/usr/bin/env bash
# The book (what the PDF and the website read) as scripts/book-chapter assembles a chapter, on a
# scratch chapter: text.md, then derivations.md and exercises.md where they exist (issue 36), each
# filled from results.json; the text's {{claims_table}} becomes the chapter's rows of the claims at a
# glance followed by a claim-conditions block; absent parts are skipped silently; a missing value is
# an error. Then the PDF filter moves the conditions into the appendix, one section per chapter.
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
export SPINFORMER="$bin"
tree="$work/tree"
mkdir -p "$tree/chapters/00-demo" "$tree/out/ch00" "$tree/scripts"
cp "$root/scripts/book-chapter" "$tree/scripts/"
cat > "$tree/chapters/00-demo/text.md" <<'EOF'
# Demo chapter

The energy is {{energy}}; at $N = $ {{energy}} too.

{{claims_table}}
EOF
cat > "$tree/out/ch00/results.json" <<'EOF'
{"energy": "-0.75", "kl": "1e-4",
 "claims_table": "**Claim 0.1** (source; a paper). A claim.\n\n| condition | estimate |\n|---|---|\n| T = 1 | 0.5 |\n"}
EOF
cat > "$tree/out/claims.md" <<'EOF'
**Claims of the source documents.**

| # | Claim | Verdict | Deciding number | Why undecided |
|---|---|---|---|---|
| 0.1 | a claim | **reproduced** | 1/1 supported |  |
| 1.1 | another chapter's claim | **partly** | 1/2 supported |  |

**The project's own validations.**

| # | Claim | Verdict | Deciding number | Why undecided |
|---|---|---|---|---|
| 1.5 | another chapter's control | **reproduced** | 1/1 supported |  |

EOF
book() { (cd "$tree" && bash scripts/book-chapter 00 out out/book) 2> "$work/stderr"; }

# text only: no derivations or exercises, no error
book || fail "text only: $(cat "$work/stderr")"
md="$tree/out/book/ch00.md"
grep -q "The energy is -0.75" "$md" || fail "text not filled: $(head -5 "$md")"
grep -q '^| 0.1 | a claim |' "$md" || fail "no one-line row of claim 0.1"
grep -q '^| 1.1 \|another chapter' "$md" && fail "rows of another chapter's claims in chapter 0"
grep -q "own validations" "$md" && fail "a group heading without rows of this chapter"
grep -q '^::: {.claim-conditions chapter="00"}' "$md" || fail "no claim-conditions block"
grep -q '^\*\*Claim 0.1\*\*' "$md" || fail "the chapter's own claims table is gone"
grep -qF '$N =$ -0.75' "$md" || fail "'\$N = \$' not made math: $(grep 'N =' "$md")"
grep -q "fix it in chapters/00-demo/text.md" "$work/stderr" || fail "the '\$N = \$' text is not named"

# derivations and exercises follow the text, in that order, filled from the same results
printf '## Derivations\n\nKL {{kl}}.\n' > "$tree/chapters/00-demo/derivations.md"
printf '## Exercises\n\n1. Compute {{energy}}.' > "$tree/chapters/00-demo/exercises.md"   # no final newline
book || fail "with derivations and exercises: $(cat "$work/stderr")"
order=$(grep -n '^# Demo chapter\|^## Derivations\|^## Exercises' "$md" | cut -d: -f2 | tr '\n' '|')
[[ $order == "# Demo chapter|## Derivations|## Exercises|" ]] || fail "parts out of order: $order"
grep -q "KL 1e-4" "$md" || fail "derivations not filled"
grep -q "Compute -0.75" "$md" || fail "exercises not filled"
rm "$tree/chapters/00-demo/derivations.md"
book || fail "exercises without derivations: $(cat "$work/stderr")"
grep -q "## Derivations" "$md" && fail "a removed derivations.md still in the book"

# a placeholder without a value is an error (status 2), and the book chapter is left as it was
printf 'Missing {{no_such_key}}.\n' > "$tree/chapters/00-demo/exercises.md"
before=$(cat "$md")
book; status=$?
[[ $status -ne 0 ]] || fail "a missing value passed"
[[ $(cat "$md") == "$before" ]] || fail "a failed fill changed the book chapter"
grep -q "no_such_key" "$work/stderr" || fail "the missing key is not named: $(cat "$work/stderr")"
rm "$tree/chapters/00-demo/exercises.md"
book || fail "text only again: $(cat "$work/stderr")"

# the PDF's filter: the conditions move into the appendix, the chapter links there
(cd "$tree" && pandoc out/book/ch00.md "$root/paper/appendix.md" --to latex --number-sections \
  --lua-filter "$root/paper/filters/paper.lua" -o "$work/book.tex" 2> "$work/pandoc.log") ||
  fail "pandoc: $(cat "$work/pandoc.log")"
tex=$(tr '\n' ' ' < "$work/book.tex")
grep -q 'appendix.*Claims of chapter 0: Demo chapter.*Claim 0.1.*T = 1' <<< "$tex" ||
  fail "the conditions are not in the appendix: $(tail -c 600 "$work/book.tex")"
chapter_part=${tex%%\\appendix*}
grep -q 'Claim 0.1' <<< "$chapter_part" && fail "the conditions are still in the chapter"
grep -q 'hyperref\[conditions-ch00\]\|hyperlink{conditions-ch00}' <<< "$chapter_part" || fail "the chapter does not link to its appendix section"
grep -q 'hyperlink{claim-0.1}' <<< "$chapter_part" || fail "claim 0.1's row does not link to its conditions"
grep -q 'hypertarget{claim-0.1}\|label{claim-0.1}' <<< "$tex" || fail "claim 0.1 has no anchor in the appendix"
finish book_hooks

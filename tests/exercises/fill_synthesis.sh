# scripts/fill-synthesis on the committed data: the synthesis chapter fills from every chapter's
# data/results.json and data/claims.json with no placeholder left; a missing key, a missing file and
# bad arguments exit 2 with one line naming them and leave no output.
# Usage: bash tests/exercises/fill_synthesis.sh
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fill="bash $root/scripts/fill-synthesis"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# the committed data laid out as a pipeline output folder: OUT/chNN -> chapters/NN-slug/data
mkdir "$work/out"
for data in "$root"/chapters/[0-9][0-9]-*/data; do
  slug=$(basename "$(dirname "$data")")
  ln -s "$data" "$work/out/ch${slug:0:2}"
done

# expect_error NAME PATTERN ARGS...: exit status 2, one line on stderr matching PATTERN, no output
expect_error() {
  local name="$1" pattern="$2"; shift 2
  rm -f "$work/synthesis.md"
  $fill "$@" > "$work/stdout" 2> "$work/stderr"
  local status=$?
  [[ $status -eq 2 ]] || fail "$name: exit status $status, expected 2 ($(cat "$work/stderr"))"
  [[ $(wc -l < "$work/stderr") -eq 1 ]] || fail "$name: expected one line on stderr, got: $(cat "$work/stderr")"
  grep -q -- "$pattern" "$work/stderr" || fail "$name: message does not match '$pattern': $(cat "$work/stderr")"
  [[ ! -e "$work/synthesis.md" ]] || fail "$name: left an output file"
  ls -A "$work" | grep -q 'tmp' && fail "$name: left a temporary file"
}

# the synthesis itself, from the committed data
if $fill "$work/out" "$work/synthesis.md" 2> "$work/stderr"; then
  grep -q '{{' "$work/synthesis.md" && fail "synthesis: a placeholder is left: $(grep -o '{{[^}]*}}' "$work/synthesis.md" | head -3)"
  [[ -s "$work/stderr" ]] && fail "synthesis: unexpected stderr: $(cat "$work/stderr")"
  # a value printed as it stands in the data: chapter 0's correlation length at T = 0.5, chapter 2's
  # verdict of 2.4 from its claims.json
  xi=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["xi_formula_T0.5"])' "$root/chapters/00-ising-chain/data/results.json")
  grep -qF "$xi" "$work/synthesis.md" || fail "synthesis: chapter 0's xi_formula_T0.5 ($xi) is not in the text"
else
  fail "synthesis: fill-synthesis failed on the committed data: $(cat "$work/stderr")"
fi

# a template naming a key that no chapter has, one of a chapter that is not there, a claim field
printf 'A {{ch00.verdict_0_1}} and {{ch01.no_such_key}}.\n' > "$work/missing.md"
expect_error "missing key" "no value for '{{ch01.no_such_key}}'" "$work/out" "$work/synthesis.md" "$work/missing.md"
printf 'See {{ch09.verdict}}.\n' > "$work/chapter.md"
expect_error "missing chapter" "no value for '{{ch09.verdict}}': cannot read .*ch09/results.json" "$work/out" "$work/synthesis.md" "$work/chapter.md"
printf 'Claim {{ch02.claim.2.4.no_such_field}}.\n' > "$work/field.md"
expect_error "missing claim field" "no value for '{{ch02.claim.2.4.no_such_field}}'" "$work/out" "$work/synthesis.md" "$work/field.md"
printf 'Claim {{verdict_0_1}}.\n' > "$work/nochapter.md"
expect_error "no chapter prefix" "'{{verdict_0_1}}' does not name a chapter" "$work/out" "$work/synthesis.md" "$work/nochapter.md"
printf 'Claim {{ch00.verdict_0_1.\n' > "$work/unclosed.md"
expect_error "unclosed placeholder" "unclosed" "$work/out" "$work/synthesis.md" "$work/unclosed.md"
expect_error "missing out dir" "OUT_DIR: .*not a folder" "$work/nowhere" "$work/synthesis.md"
expect_error "unwritable output" "OUTPUT.md: cannot write" "$work/out" "$work/no/such/dir/synthesis.md"
expect_error "no arguments" "usage"

# the claim form reads claims.json: 2.4's verdict as the chapter recorded it
printf '%s\n' '{{ch02.claim.2.4.verdict}} / {{ch00.config.L}}' > "$work/claim.md"
if $fill "$work/out" "$work/claim.md.out" "$work/claim.md" 2> "$work/stderr"; then
  want=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print([c["verdict"] for c in d["claims"] if c["id"] == "2.4"][0])' "$root/chapters/02-attention-vs-correlation/data/claims.json")
  grep -qF "$want / " "$work/claim.md.out" || fail "claim form: expected '$want', got $(cat "$work/claim.md.out")"
else
  fail "claim form: $(cat "$work/stderr")"
fi

if [[ $failures -eq 0 ]]; then echo "fill-synthesis: all passed"; exit 0; fi
echo "fill-synthesis: $failures failed"; exit 1

#!/usr/bin/env bash
# Behaviour of `spinformer sk` and `spinformer glass overlaps` from the outside: JSON outputs, bad input.
source "$(dirname "$0")/common.bash"

# json_value JSON KEY: the number after "KEY":
json_value() { sed -E "s/.*\"$2\":(-?[0-9.eE+-]+).*/\1/" <<< "$1"; }
# close A B TOL: |A - B| <= TOL
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# --- sk rs: one JSON object {"T","h","q"} --------------------------------------------------------------
json=$("$bin" sk rs --T 0.5 --h 0 --json) || fail "sk rs --json failed"
[[ $(wc -l <<< "$json") -eq 1 ]] || fail "sk rs --json: not one line"
for key in T h q; do grep -q "\"$key\":" <<< "$json" || fail "sk rs --json lacks $key: $json"; done
close "$(json_value "$json" q)" 0.5303684 1e-6 || fail "q(T = 0.5, h = 0): $json"
json=$("$bin" sk rs --T 1.5 --h 0 --json)
close "$(json_value "$json" q)" 0 1e-12 || fail "q(T = 1.5, h = 0) should be 0: $json"
json=$("$bin" sk rs --T 2 --h 0.5 --json)
q=$(json_value "$json" q)
awk -v q="$q" 'BEGIN { exit !(q > 0.01 && q < 0.2) }' || fail "q(T = 2, h = 0.5) out of range: $json"

# --- sk at-line: one JSON object {"h","T_AT"} ------------------------------------------------------------
json=$("$bin" sk at-line --h 0 --json) || fail "sk at-line --json failed"
for key in h T_AT; do grep -q "\"$key\":" <<< "$json" || fail "sk at-line --json lacks $key: $json"; done
close "$(json_value "$json" T_AT)" 1 1e-12 || fail "T_AT(0) should be 1: $json"
json=$("$bin" sk at-line --h 0.001 --json)
# small-h law h^2 = (4/3)(1 - T)^3 -> T = 1 - (0.75e-6)^(1/3) = 0.990914
close "$(json_value "$json" T_AT)" 0.990914 3e-4 || fail "T_AT(0.001) off the small-h law: $json"
json=$("$bin" sk at-line --h -0.5 --json)
close "$(json_value "$json" T_AT)" 0.5351049 1e-6 || fail "T_AT(-0.5) should equal T_AT(0.5): $json"

# --- glass overlaps: JSON with a 5 x 5 matrix, chi and its error, a phase ----------------------------------
json=$("$bin" glass overlaps --N 12 --D 6 --h 1 --T 0.05 --steps 20000 --thin 1000 --adapt-sigma --json) \
  || fail "glass overlaps --json failed"
for key in overlap_matrix mean_overlap_matrix q q_err chi chi_err spread phase acceptance sigma; do
  grep -q "\"$key\":" <<< "$json" || fail "glass overlaps --json lacks $key"
done
rows=$(sed -E 's/.*"overlap_matrix":\[(\[[^]]*\](,\[[^]]*\])*)\].*/\1/' <<< "$json" | grep -o '\[' | wc -l)
[[ $rows -eq 5 ]] || fail "overlap_matrix should have 5 rows, got $rows"
grep -Eq '"phase":"(RSB|paramagnetic|field-aligned)"' <<< "$json" || fail "glass overlaps: no phase"
"$bin" glass overlaps --N 12 --D 6 --h 1 --T 0.05 --steps 20000 --thin 1000 --seed 4 --out "$work/q.tsv" > /dev/null \
  || fail "glass overlaps --out"
[[ $(grep -vc '^#' "$work/q.tsv") -eq 10 ]] || fail "overlap series should have 10 records"
grep -q '"seed"' "$work/q.tsv.json" || fail "overlap series sidecar lacks the seed"
"$bin" glass overlaps --N 12 --D 6 --h 1 --T 0.05 --steps 20000 --thin 1000 --seed 4 --out "$work/q2.tsv" > /dev/null
cmp -s "$work/q.tsv" "$work/q2.tsv" || fail "same seed gave different overlaps"

for cmd in "sk" "glass overlaps"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help > "$work/help" 2>&1 || fail "'$cmd --help' exit status $?"
  grep -qi "usage" "$work/help" || fail "'$cmd --help' prints no usage"
done

# --- bad input --------------------------------------------------------------------------------------------
expect_usage_error "T = 0" "--T" sk rs --T 0 --h 0.1 --json
expect_usage_error "T = nan" "--T" sk rs --T nan --json
expect_usage_error "h = inf" "--h" sk rs --T 0.5 --h inf --json
expect_usage_error "at-line h = nan" "--h" sk at-line --h nan --json
expect_usage_error "at-line h too large" "--h" sk at-line --h 9 --json
expect_usage_error "replicas = 1" "--replicas" glass overlaps --replicas 1 --steps 100 --thin 10 --json
expect_usage_error "steps = 0" "--steps" glass overlaps --steps 0 --json
expect_usage_error "T < 0 (overlaps)" "--T" glass overlaps --T -1 --steps 100 --thin 10 --json
expect_usage_error "T and beta" "--T" glass overlaps --T 1 --beta 2 --steps 100 --thin 10 --json
expect_usage_error "h = nan (overlaps)" "--h" glass overlaps --h nan --steps 100 --thin 10 --json
expect_usage_error "negative sigma" "--sigma" glass overlaps --sigma -1 --steps 100 --thin 10 --json
expect_usage_error "couplings without field" "--field" glass overlaps --couplings "$work/none.txt" --steps 100 --thin 10
expect_usage_error "missing couplings file" "--couplings" glass overlaps --couplings "$work/none.txt" --field "$work/none2.txt" --steps 100 --thin 10
expect_usage_error "unwritable --out" "--out" glass overlaps --steps 100 --thin 10 --out /nonexistent-dir/q.tsv

finish "sk CLI"

#!/usr/bin/env bash
# `spinformer report claims` applies the verdict rule: it recomputes every rule-schema verdict from its
# per-condition intervals and refuses a file whose verdict does not follow; old-schema claims pass, marked.
source "$(dirname "$0")/common.bash"

cat > "$work/new.json" <<'JSON'
{"chapter": "00", "claims": [{"id": "0.9", "kind": "validation", "claim": "tau below 2", "verdict": "partly",
  "conditions": [
    {"label": "T = 5", "statistic": "tau", "estimate": 1.1, "lower": 1.0, "upper": 1.2, "direction": "below", "threshold": 2},
    {"label": "T = 0.5", "statistic": "tau", "estimate": 150, "lower": 140, "upper": 160, "direction": "below", "threshold": 2}]}]}
JSON
cat > "$work/old.json" <<'JSON'
{"chapter": "01", "claims": [{"id": "1.9", "claim": "c", "source": "s", "measured": "m", "criterion": "k", "verdict": "partly"}]}
JSON

"$bin" report claims "$work/new.json" "$work/old.json" --out "$work/claims.md" || fail "report claims failed on valid files"
grep -q "The project's own validations" "$work/claims.md" || fail "no validations table"
grep -q "| 0.9 | tau below 2 | \*\*partly\*\* | 1/2 supported, 1 refuted" "$work/claims.md" || fail "0.9 row: $(grep 0.9 "$work/claims.md")"
grep -q "| 1.9 | c | \*\*partly\*\*† | m |" "$work/claims.md" || fail "old-schema row not marked: $(grep 1.9 "$work/claims.md")"
grep -q "^† Rule not yet applied" "$work/claims.md" || fail "no footnote for the old schema"

sed 's/"verdict": "partly"/"verdict": "reproduced"/' "$work/new.json" > "$work/tampered.json"
expect_usage_error "verdict that does not follow" "tampered.json" report claims "$work/tampered.json" --out "$work/out.tsv"
grep -q "does not follow" "$work/stderr" || fail "tampered verdict: $(cat "$work/stderr")"
sed 's/"lower": 140/"lower": 170/' "$work/new.json" > "$work/inverted.json"
expect_usage_error "lower > upper" "inverted.json" report claims "$work/inverted.json" --out "$work/out.tsv"
sed 's/"direction": "below", "threshold": 2}]/"direction": "within", "threshold": 2}]/' "$work/new.json" > "$work/band.json"
expect_usage_error "within without a band" "band.json" report claims "$work/band.json" --out "$work/out.tsv"

# --- issue 29: report fill prints what a text can say, and flags what it never says (issue 27) ---------------
printf '{"big": 18446744073709551615, "n": 3, "unused_a": 1, "unused_b": "x", "nothing": null, "list": [1, 2]}\n' > "$work/values.json"
printf 'big {{big}}, n {{n}}\n' > "$work/text.md"
"$bin" report fill --template "$work/text.md" --values "$work/values.json" --out "$work/filled.md" 2> "$work/stderr" ||
  fail "report fill: $(cat "$work/stderr")"
grep -q "^big 18446744073709551615, n 3$" "$work/filled.md" || fail "report fill: $(cat "$work/filled.md")"
[[ $(wc -l < "$work/stderr") -eq 1 ]] && grep -q "warning: --values: 4 key(s).*never uses: list, nothing, unused_a, unused_b" \
  "$work/stderr" || fail "report fill: unused keys not flagged: $(cat "$work/stderr")"
for key in nothing list; do
  printf 'a {{%s}} b\n' "$key" > "$work/text.md"
  expect_usage_error "report fill of $key" "--values" report fill --template "$work/text.md" --values "$work/values.json" \
    --out "$work/out.tsv"
  grep -q "'$key'" "$work/stderr" || fail "report fill of $key: the key is not named: $(cat "$work/stderr")"
done

# --- issue 29: a claim cannot corrupt the README's claims section, nor split a column ----------------------
printf '# R\n<!-- claims:begin -->\nold\n<!-- claims:end -->\ntail\n' > "$work/README.md"
cat > "$work/marker.json" <<'JSON'
{"chapter": "01", "claims": [{"id": "1.9", "claim": "c <!-- claims:end --> | <\\|m\\|>", "source": "s",
  "measured": "m", "criterion": "k", "verdict": "partly"}]}
JSON
"$bin" report claims "$work/marker.json" --readme "$work/README.md" --out "$work/claims.md" 2> "$work/stderr" ||
  fail "report claims with a marker in a claim: $(cat "$work/stderr")"
[[ $(grep -c -- "<!-- claims:end -->" "$work/README.md") -eq 1 && $(grep -c -- "<!-- claims:begin -->" "$work/README.md") -eq 1 ]] ||
  fail "the README's markers were forged: $(cat "$work/README.md")"
"$bin" report claims "$work/new.json" --readme "$work/README.md" --out "$work/claims.md" || fail "second splice"
grep -qF "| 1.9 |" "$work/README.md" && fail "a stale row stayed in the README after the next splice"
"$bin" report claims "$work/marker.json" --out "$work/claims.md" 2> /dev/null
# pipes that split (not after an odd number of backslashes: pandoc reads "\\|" as a backslash and a bare pipe)
count_splits() { python3 -c 'import re, sys; print(len(re.findall(r"(?<!\\)(?:\\\\)*\|", sys.stdin.read())))'; }
splits=$(grep "^| 1.9 |" "$work/claims.md" | count_splits)
columns=$(grep -m1 "^| " "$work/claims.md" | count_splits)   # the header's
[[ $columns -ge 5 && $splits -eq $columns ]] || fail "a pipe in a claim split its row into $((splits - 1)) columns: $(grep "^| 1.9 |" "$work/claims.md")"
printf '# R\n<!-- claims:begin -->\nold\n<!-- claims:end -->\nx\n<!-- claims:end -->\n' > "$work/README.md"
cp "$work/README.md" "$work/README.before"
expect_usage_error "a README with two end markers" "--readme" report claims "$work/new.json" --readme "$work/README.md"
cmp -s "$work/README.md" "$work/README.before" || fail "a README with two end markers was changed"

finish "report_cli"

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

finish "report_cli"

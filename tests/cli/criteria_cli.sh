#!/usr/bin/env bash
# Criteria frozen before the run (issue 26): `spinformer report criteria write` derives a chapter's
# criteria from its claims; `make publish` (scripts/publish-data) refuses a rerun whose criterion
# changed without a dated history entry, and with one it updates criteria.json and marks the claim.
source "$(dirname "$0")/common.bash"
repo=$(cd "$(dirname "$0")/../.." && pwd)

# a scratch checkout: the publish script, the spinformer binary, one chapter and one rerun of it
mkdir -p "$work/repo/scripts" "$work/repo/build/cmake/bin" "$work/repo/chapters/09-test/data" "$work/repo/build/paper/ch09"
cp "$repo/scripts/publish-data" "$work/repo/scripts/"
ln -s "$bin" "$work/repo/build/cmake/bin/spinformer"
claims() {  # claims.json with claim 9.1's threshold $1
  cat <<JSON
{"chapter": "09-test", "claims": [{"id": "9.1", "kind": "source", "claim": "x above t", "verdict": "reproduced",
  "requires": [], "conditions": [{"label": "T = 1", "statistic": "x", "estimate": 2, "lower": 1.5, "upper": 2.5,
  "direction": "above", "threshold": $1}]}]}
JSON
}
chapter="$work/repo/chapters/09-test" run="$work/repo/build/paper/ch09"
claims 0 > "$chapter/data/claims.json"
"$bin" report criteria write "$chapter/data/claims.json" --out "$chapter/criteria.json" || fail "criteria write failed"
grep -q '"family_wise": "undeclared"' "$chapter/criteria.json" || fail "criteria lack the family-wise method"
grep -q '"hash"' "$chapter/criteria.json" || fail "criteria lack their hash"
cp "$chapter/criteria.json" "$work/committed.json"

# the rerun moved the threshold after the data, with no history entry: publish refuses, nothing changes
claims 1 > "$run/claims.json"
echo '{}' > "$run/results.json"
(cd "$work/repo" && bash scripts/publish-data) > "$work/publish.out" 2>&1 && fail "publish accepted a changed criterion"
grep -q "claim 9.1 changed" "$work/publish.out" || fail "publish did not name the claim: $(cat "$work/publish.out")"
cmp -s "$chapter/criteria.json" "$work/committed.json" || fail "a refused publish changed criteria.json"
[[ ! -e $chapter/data/results.json ]] || fail "a refused publish copied the data"
expect_usage_error "changed criterion" "criteria of ch09" report criteria check --runs "$work/repo/build/paper" \
  --chapters "$work/repo/chapters"

# a dated entry for exactly this criterion lets it through, and the claim is marked
hash=$("$bin" report criteria write "$run/claims.json" | sed -n 's/.*"hash": "\([0-9a-f]*\)".*/\1/p')
cat > "$chapter/criteria-history.json" <<JSON
{"chapter": "09-test", "entries": [{"date": "2026-12-07", "claim": "9.1", "what": "threshold 0 -> 1",
  "why": "test", "verdict_before": "reproduced", "after_data": true, "criterion_hash": "0000000000000000"}]}
JSON
expect_usage_error "entry for another criterion" "criteria of ch09" report criteria check --runs "$work/repo/build/paper" \
  --chapters "$work/repo/chapters"
sed -i "s/0000000000000000/$hash/" "$chapter/criteria-history.json"
"$bin" report criteria check --runs "$work/repo/build/paper" --chapters "$work/repo/chapters" > /dev/null \
  || fail "check refused a change with its history entry"
grep -q '"threshold": 1' "$chapter/criteria.json" || fail "criteria.json not updated"
grep -q '"criterion_changed"' "$run/claims.json" || fail "the run's claim is not marked"
"$bin" report claims "$run/claims.json" | grep -q "criterion changed after data (2026-12-07); before: reproduced" \
  || fail "the claims table does not mark the changed criterion"

expect_usage_error "missing claims" "claims" report criteria write "$work/none.json" --out "$work/out.tsv"
echo '{"chapter": "x", "claims": [{"id": "1", "x": 1e400}]}' > "$work/overflow.json"
expect_usage_error "a number beyond a double" "claims" report criteria write "$work/overflow.json" --out "$work/out.tsv"
finish "criteria_cli"

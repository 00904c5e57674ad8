#!/usr/bin/env bash
# `spinformer runs replicate` against a damaged rerun (issue 29): a rerun that lacks a claim, a table
# and half of another table's rows did not replicate the committed data (listed, exit 1), and a rerun
# without a readable claims.json or results.json is bad input (one line naming the file, exit 2),
# never "every verdict as committed".
source "$(dirname "$0")/common.bash"
data=$(ls -d "$(dirname "$0")"/../../chapters/03-*/data)

mkdir -p "$work/C" "$work/R"
cp "$data"/* "$work/C/" && cp "$data"/* "$work/R/" || fail "copy of chapter 3's data"
replicate() { "$bin" runs replicate --committed "$work/C" --rerun "$work/R" --out "$work/rep.json" --chapter ch03; }

replicate > "$work/stdout" 2> "$work/stderr" || fail "an identical copy does not replicate: $(cat "$work/stdout" "$work/stderr")"
grep -q "every verdict as committed" "$work/stdout" || fail "identical copy: $(cat "$work/stdout")"
all=$(sed -n 's|.*replication: \([0-9]*\)/\([0-9]*\) numbers.*|\1 \2|p' "$work/stdout")

# the issue's reproduction: claim 3.1 deleted, sizes.tsv deleted, kinetic.tsv cut to half its rows
python3 - "$work/R/claims.json" <<'PY'
import json, sys
path = sys.argv[1]
claims = json.load(open(path))
claims["claims"] = [c for c in claims["claims"] if c["id"] != "3.1"]
json.dump(claims, open(path, "w"), indent=2)
PY
rm "$work/R/sizes.tsv"
rows=$(grep -vc '^#' "$work/C/kinetic.tsv")
{ grep '^#' "$work/C/kinetic.tsv"; grep -v '^#' "$work/C/kinetic.tsv" | head -n $((rows / 2)); } > "$work/R/kinetic.tsv"
printf '# x\n1\n' > "$work/R/new_table.tsv"
replicate > "$work/stdout" 2> "$work/stderr"
status=$?
[[ $status -eq 1 ]] || fail "damaged rerun: exit status $status, expected 1"
grep -q "every verdict as committed" "$work/stdout" && fail "damaged rerun: 'every verdict as committed'"
for what in "sizes.tsv: table not in the rerun" "kinetic.tsv: rows .* not in the rerun" "claim 3.1 not in the rerun" \
            "VERDICT CHANGED: claim 3.1: committed '[a-z ]*', this run '(missing)'"; do
  grep -q "$what" "$work/stdout" || fail "damaged rerun: no line '$what': $(cat "$work/stdout")"
done
grep -q "only in the rerun, not compared: new_table.tsv" "$work/stdout" || fail "an extra table is not reported"
read -r agree numbers <<< "$(sed -n 's|.*replication: \([0-9]*\)/\([0-9]*\) numbers.*|\1 \2|p' "$work/stdout")"
[[ $numbers == "${all#* }" && $agree -lt $numbers ]] ||
  fail "damaged rerun: $agree/$numbers numbers agree (the intact copy: $all); the missing numbers must count as disagreeing"
[[ $(wc -l < "$work/stderr") -eq 1 ]] && grep -q "lacks 3 part" "$work/stderr" || fail "damaged rerun: stderr $(cat "$work/stderr")"
python3 -c "import json, sys; r = json.load(open(sys.argv[1])); assert len(r['missing']) == 3, r['missing']" "$work/rep.json" ||
  fail "replication.json does not list the 3 missing parts"
"$bin" runs summary "$work/rep.json" > "$work/summary" 2>&1 || fail "runs summary of a damaged rerun's report"
grep -q "3 part(s) of the committed data missing" "$work/summary" || fail "runs summary: $(cat "$work/summary")"

# claims.json or results.json missing, truncated or without verdicts: one line naming the file, exit 2
cp "$data"/* "$work/R/"
for side in R C; do
  param=$([[ $side == R ]] && echo --rerun || echo --committed)
  mv "$work/$side/claims.json" "$work/claims.keep"
  rm -f "$work/rep.json"
  expect_usage_error "no claims.json in $side" "claims.json" runs replicate --committed "$work/C" --rerun "$work/R" --out "$work/rep.json"
  grep -q -- "$param" "$work/stderr" || fail "no claims.json in $side: $(cat "$work/stderr")"
  [[ ! -e $work/rep.json ]] || fail "no claims.json in $side: a report was written"
  mv "$work/claims.keep" "$work/$side/claims.json"
done
cp "$work/R/results.json" "$work/results.keep"
head -c 200 "$work/results.keep" > "$work/R/results.json"
expect_usage_error "truncated results.json" "results.json" runs replicate --committed "$work/C" --rerun "$work/R" --out "$work/rep.json"
grep -q -- "--rerun" "$work/stderr" || fail "truncated results.json: $(cat "$work/stderr")"
cp "$work/results.keep" "$work/R/results.json"
echo '{"chapter": "03", "claims": [{"id": "3.1"}]}' > "$work/R/claims.json"
expect_usage_error "a claim without a verdict" "claims.json" runs replicate --committed "$work/C" --rerun "$work/R" --out "$work/rep.json"

finish "replication CLI"

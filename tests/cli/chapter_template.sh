#!/usr/bin/env bash
# The template chapter (chapters/_template, bin/ch_template) runs its quick profile on lab::Chapter:
# tables with sidecars that carry the Config and every job's seed, claims.json, plot_vars.gp, and
# results.json (last) with the Config under "config", which its text reads as {{config.L}}; a rerun
# takes every job from the cache, and bad input is one line and exit status 2 with no results.json.
source "$(dirname "$0")/common.bash"
ch="$(dirname "$bin")/ch_template"
root="$(cd "$(dirname "$0")/../.." && pwd)"
[[ -x $ch ]] || { fail "ch_template not built beside $bin"; finish chapter_template; }

out="$work/quick/ch_template"
mkdir -p "$out"
"$ch" --profile quick --out "$out" > "$work/stdout" 2> "$work/log" || fail "quick profile: $(tail -1 "$work/log")"
[[ ! -s $work/stdout ]] || fail "wrote to stdout: $(head -c 200 "$work/stdout")"
for f in energy_bias.tsv energy_bias.tsv.json claims.json plot_vars.gp results.json; do
  [[ -s $out/$f ]] || fail "no $f"
done
python3 - "$out" <<'PY' || fail "outputs do not carry the config and seeds"
import json, sys
out = sys.argv[1]
r = json.load(open(out + "/results.json"))
assert r["profile"] == "quick" and r["config"]["samples"] == 500 and r["config"]["replicates"] == 3, r["config"]
s = json.load(open(out + "/energy_bias.tsv.json"))
assert s["parameters"]["config"] == r["config"], s["parameters"]
jobs = s["job_seeds"]["jobs"]
assert s["job_seeds"]["step"] == "energy_bias" and len(jobs) == 2 * 3, s["job_seeds"]
assert len({j["seed"] for j in jobs}) == len(jobs), "job seeds collide"
c = json.load(open(out + "/claims.json"))
assert c["claims"][0]["id"] == "T.1" and len(c["claims"][0]["conditions"]) == 2, c
assert "Bonferroni over 2 conditions" in c["claims"][0]["criterion"], c["claims"][0]["criterion"]
PY
"$bin" report fill --template "$root/chapters/_template/text.md" --values "$out/results.json" --out "$work/text.md" \
  2> "$work/fill.log" || fail "report fill: $(cat "$work/fill.log")"
grep -q "On the L = 16 ring, 3 independent Metropolis chains of" "$work/text.md" || fail "text: {{config.*}} not filled"

# From the cache: no job runs again, and the same results.
cp "$out/results.json" "$work/first.json"
rm "$out/results.json"
"$ch" --profile quick --out "$out" > /dev/null 2> "$work/again.log" || fail "rerun: $(tail -1 "$work/again.log")"
grep -q " cached, 0 to run" "$work/again.log" || fail "rerun did not take its jobs from the cache: $(cat "$work/again.log")"
cmp -s "$out/results.json" "$work/first.json" || fail "rerun changed results.json"

# Bad input: one line naming the flag, exit status 2, no results.json.
for args in "--profile medium --out $work/bad" "--out $work/bad --workers 0" "--bogus --out $work/bad" "--profile quick"; do
  mkdir -p "$work/bad"
  "$ch" $args > "$work/stdout" 2> "$work/stderr"
  status=$?
  [[ $status -eq 2 && $(wc -l < "$work/stderr") -eq 1 ]] || fail "'$args': status $status, stderr $(cat "$work/stderr")"
  [[ ! -e $work/bad/results.json ]] || fail "'$args' left results.json"
done

finish chapter_template

#!/usr/bin/env bash
# Chapter 0 on the job engine (quick profile): 1 worker and 2 workers write the same bytes in every
# table, claims.json, results.json and plot_vars.gp, and the same sidecars apart from the run's own
# path, time and wall time; a rerun takes every job from the cache and writes the same results again.
source "$(dirname "$0")/common.bash"
ch00="$(dirname "$bin")/ch00"
[[ -x $ch00 ]] || { fail "ch00 not built beside $bin"; finish ch00_jobs; }

mkdir -p "$work/one/ch00" "$work/two/ch00"
"$ch00" --profile quick --workers 1 --out "$work/one/ch00" > "$work/one.out" 2> "$work/one.log" ||
  fail "ch00 --workers 1: $(tail -1 "$work/one.log")"
"$ch00" --profile quick --workers 2 --out "$work/two/ch00" > /dev/null 2> "$work/two.log" ||
  fail "ch00 --workers 2: $(tail -1 "$work/two.log")"
[[ ! -s $work/one.out ]] || fail "ch00 wrote to stdout: $(head -c 200 "$work/one.out")"
# five kinds of job: samplers, equilibration, metropolis_bias, seed_code, tau_control
[[ $(grep -c ", 0 cached, " "$work/one.log") -eq 5 ]] ||
  fail "ch00: a fresh run should run all five kinds of job, found: $(grep cached "$work/one.log")"

# Every file but the sidecars byte for byte; the sidecars without the fields that name the run.
files=$(cd "$work/one/ch00" && ls)
[[ $(echo "$files" | grep -c '^corr_T.*\.tsv$') -eq 4 ]] || fail "ch00: expected 4 corr_T*.tsv files, got: $files"
for f in $files; do
  [[ -f $work/two/ch00/$f ]] || { fail "ch00: $f missing with 2 workers"; continue; }
  if [[ $f == *.tsv.json ]]; then
    strip() { grep -v -e '"data_file":' -e '"finished_at":' -e '"wall_time_s":' "$1"; }
    diff <(strip "$work/one/ch00/$f") <(strip "$work/two/ch00/$f") > /dev/null ||
      fail "ch00: sidecar $f differs between 1 and 2 workers beyond path and timing"
  else
    cmp -s "$work/one/ch00/$f" "$work/two/ch00/$f" || fail "ch00: $f differs between 1 and 2 workers"
  fi
done

# From the cache: no job runs again and the results are the same.
rm -f "$work/one/ch00/results.json"
"$ch00" --profile quick --out "$work/one/ch00" > /dev/null 2> "$work/again.log" ||
  fail "ch00 rerun: $(tail -1 "$work/again.log")"
[[ $(grep -c " cached, 0 to run" "$work/again.log") -eq 5 ]] ||
  fail "ch00 rerun did not take every job from the cache: $(grep cached "$work/again.log")"
"$(dirname "$bin")/spinformer" runs compare --a "$work/one/ch00" --b "$work/two/ch00" > "$work/compare.log" 2>&1 ||
  fail "ch00: the cached rerun differs from the 2-worker run: $(head -5 "$work/compare.log")"

# The controls (issue 30): every graded claim of the draft lists validation claims among its
# prerequisites, and each negative control is a claim that its criterion fails where the answer is
# known. In the quick profile the controls already decide: the negative ones (0.5, 0.7, 0.9, 0.11)
# are reproduced, i.e. the criteria they control are refuted on data known to violate them.
python3 - "$work/one/ch00/claims.json" > "$work/controls.log" 2>&1 <<'PY' || fail "ch00 controls: $(cat "$work/controls.log")"
import json, sys
claims = {c["id"]: c for c in json.load(open(sys.argv[1]))["claims"]}
for cid in ("0.1", "0.2", "0.2a", "0.3a", "0.3b"):
    c = claims[cid]
    neg, pos = c["controls"]["negative"], c["controls"]["positive"]
    assert neg and pos, f"{cid}: no negative or positive control"
    for r in neg + pos:
        assert claims[r]["kind"] == "validation", f"{cid}: control {r} is not a validation claim"
        assert r in c["requires"], f"{cid}: control {r} not among its requires"
for r in ("0.5", "0.7", "0.9", "0.11"):
    assert claims[r]["verdict"] == "reproduced", f"negative control {r}: {claims[r]['verdict']}"
assert "0.3" not in claims, "0.3 should be split into 0.3a and 0.3b"
PY

finish ch00_jobs

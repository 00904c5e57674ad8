#!/usr/bin/env bash
# The job engine under a hard kill: chapter 1 (quick profile) is killed with SIGKILL once its first
# training job has finished; the same command then keeps that job, runs only the rest, and gives the
# same results as an uninterrupted run (timing aside), checked by `spinformer runs compare`.
source "$(dirname "$0")/common.bash"
ch01="$(dirname "$bin")/ch01"

mkdir -p "$work/whole/ch01" "$work/killed/ch01"
"$ch01" --profile quick --out "$work/whole/ch01" > /dev/null 2>&1 || fail "uninterrupted run failed"

"$ch01" --profile quick --out "$work/killed/ch01" > /dev/null 2>&1 &
pid=$!
jobs_dir="$work/killed/jobs/ch01/run"
for _ in $(seq 1 600); do  # up to 5 minutes for the first job on a loaded machine
  finished=$(find "$jobs_dir" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp.*' ! -name '*.partial' 2>/dev/null | wc -l)
  (( finished >= 1 )) && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
done
kill -0 $pid 2>/dev/null || fail "the run ended before it could be killed midway"
kill -KILL $pid; wait $pid 2>/dev/null
kept=$(find "$jobs_dir" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp.*' ! -name '*.partial' | wc -l)
(( kept >= 1 && kept < 9 )) || fail "expected 1 to 8 of 9 training jobs finished at the kill, found $kept"
[[ ! -f $work/killed/ch01/results.json ]] || fail "a killed run left results.json"

"$ch01" --profile quick --out "$work/killed/ch01" > "$work/rerun.log" 2>&1 || fail "the rerun failed: $(tail -3 "$work/rerun.log")"
grep -q "9 jobs, $kept cached" "$work/rerun.log" || fail "the rerun did not reuse the $kept finished job(s): $(grep jobs "$work/rerun.log")"
ls "$jobs_dir" | grep -qE '\.tmp\.|\.partial' && fail "the killed job's working directory is still there after the rerun"
"$(dirname "$bin")/spinformer" runs compare --a "$work/whole/ch01" --b "$work/killed/ch01" > "$work/compare.log" 2>&1 \
  || fail "resumed results differ from the uninterrupted run: $(head -5 "$work/compare.log")"
finish "engine resume after SIGKILL"

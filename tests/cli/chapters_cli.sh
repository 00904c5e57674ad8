#!/usr/bin/env bash
# The chapter programs from the outside: the shared flags (--code-hash, bad input), and that a chapter
# on the job engine gives the same results whatever the number of workers, and from its job cache.
source "$(dirname "$0")/common.bash"
dir=$(dirname "$bin")

# --- the shared flags, on every chapter program built -------------------------------------------------
for ch in ch00 ch02 ch03 ch04 ch05; do
  prog="$dir/$ch"
  [[ -x $prog ]] || { fail "$ch not built beside $bin"; continue; }
  hash=$("$prog" --code-hash) || fail "$ch --code-hash: exit status $?"
  [[ $hash =~ ^[0-9a-f]{40}$ ]] || fail "$ch --code-hash printed '$hash', expected 40 hex digits"
  bin="$prog" expect_usage_error "$ch without --out" --out --profile quick
  bin="$prog" expect_usage_error "$ch --workers 0" --workers --profile quick --workers 0 --out "$work/$ch"
  [[ ! -e $work/$ch ]] || fail "$ch: bad input left an output directory"
done

# chapter 2 names --models (not --out) for a model missing from chapter 1's output directory (issue 29)
# (ch02 runs on lab::Chapter, which has made --out by then: a run refused for bad input removes it again)
mkdir -p "$work/ch01"
echo '[{"path": "gone.pt", "L": 8, "T": 1}]' > "$work/ch01/models.json"
bin="$dir/ch02" expect_usage_error "ch02 model missing in --models" --models --profile quick --out "$work/ch02" --models "$work/ch01"
grep -q "gone.pt" "$work/stderr" || fail "ch02 model missing in --models: the model is not named: $(cat "$work/stderr")"
[[ -e $work/ch02 ]] && fail "ch02: a run refused for a missing model left --out behind"
bin="$dir/ch03" expect_usage_error "ch03 --threads -3" --threads --profile quick --threads -3 --out "$work/ch03"
bin="$dir/ch03" expect_usage_error "ch03 unknown flag" --bogus --bogus
touch "$work/file"
bin="$dir/ch03" expect_usage_error "ch03 --out under a file" --out --profile quick --out "$work/file/ch03"
[[ -e "$work/ch03" ]] && fail "ch03: a failed check created --out"
bin="$dir/ch03" expect_usage_error "ch03 --workers 0, --out absent" --workers --profile quick --workers 0 --out "$work/absent/ch03"
[[ -e "$work/absent" ]] && fail "ch03: a run refused for --workers created --out"

# --- chapter 3 on the engine: 1 worker, 2 workers, and again from the cache --------------------------
ch03="$dir/ch03"
# --out is created when it does not exist (issue 35: the documented "--out /tmp/ch03" failed)
"$ch03" --profile quick --workers 1 --out "$work/one/ch03" 2> "$work/one.log" || fail "ch03 --workers 1: $(tail -1 "$work/one.log")"
"$ch03" --profile quick --workers 2 --out "$work/two/ch03" 2> "$work/two.log" || fail "ch03 --workers 2: $(tail -1 "$work/two.log")"
# results.json records the run's wall time and worker count ("threads"); every other byte is the same
for f in claims.json kinetic.tsv sizes.tsv epsilon.tsv mcmc.tsv control.tsv ising.tsv plot_vars.gp; do
  cmp -s "$work/one/ch03/$f" "$work/two/ch03/$f" || fail "ch03: $f differs between 1 and 2 workers"
done
strip() { grep -v -e '"threads":' -e '"wall_time_s":' "$1"; }
diff <(strip "$work/one/ch03/results.json") <(strip "$work/two/ch03/results.json") > /dev/null ||
  fail "ch03: results.json differs between 1 and 2 workers beyond wall time and worker count"
grep -q "0 cached" "$work/one.log" || fail "ch03: a fresh run found cached jobs: $(grep cached "$work/one.log")"
rm -f "$work/one/ch03/results.json"
"$ch03" --profile quick --out "$work/one/ch03" 2> "$work/again.log" || fail "ch03 rerun: $(tail -1 "$work/again.log")"
# every kind of job the fresh run ran (seven since issue 32) comes from the cache the second time
steps=$(grep -c " jobs, 0 cached, " "$work/one.log")
[[ $steps -ge 5 && $(grep -c " cached, 0 to run" "$work/again.log") -eq $steps ]] ||
  fail "ch03 rerun did not take every job from the cache ($steps kinds of job in the fresh run): $(grep cached "$work/again.log")"
"$bin" runs compare --a "$work/one/ch03" --b "$work/two/ch03" > /dev/null 2>&1 ||
  fail "ch03: the cached rerun (2 workers) differs from the 2-worker run"

# chapter 6 (the 2D Ising model): the shared flags
if [[ -x $dir/ch06 ]]; then
  [[ $("$dir/ch06" --code-hash) =~ ^[0-9a-f]{40}$ ]] || fail "ch06 --code-hash: not 40 hex digits"
  bin="$dir/ch06" expect_usage_error "ch06 without --out" --out --profile quick
  bin="$dir/ch06" expect_usage_error "ch06 --profile bogus" --profile --profile bogus --out "$work/ch06"
  bin="$dir/ch06" expect_usage_error "ch06 --workers 0" --workers --profile quick --workers 0 --out "$work/ch06"
  [[ ! -e $work/ch06 ]] || fail "ch06: bad input left an output directory"
else
  fail "ch06 not built beside $bin"
fi

# chapter 7 (SGD as a temperature): the shared flags
if [[ -x $dir/ch07 ]]; then
  [[ $("$dir/ch07" --code-hash) =~ ^[0-9a-f]{40}$ ]] || fail "ch07 --code-hash: not 40 hex digits"
  bin="$dir/ch07" expect_usage_error "ch07 without --out" --out --profile quick
  bin="$dir/ch07" expect_usage_error "ch07 --profile bogus" --profile --profile bogus --out "$work/ch07"
  [[ ! -e $work/ch07 ]] || fail "ch07: bad input left an output directory"
else
  fail "ch07 not built beside $bin"
fi

finish chapters_cli

#!/usr/bin/env bash
# Behaviour of `spinformer ising` and `spinformer report` from the outside: outputs, help, bad input.
source "$(dirname "$0")/common.bash"

# --- exact: JSON keys and values against the closed forms ------------------------------------------
json=$("$bin" ising exact --L 32 --T 1 --json) || fail "ising exact --json failed"
for key in L T J h boundary log_z energy_per_spin magnetization_per_spin specific_heat_per_spin \
           susceptibility_per_spin correlation_length corr; do
  grep -q "\"$key\"" <<< "$json" || fail "ising exact --json lacks key $key"
done
# xi = -1/ln tanh(1) = 3.67186..., printed to full precision
grep -Eq '"correlation_length":3\.67186' <<< "$json" || fail "correlation length at T = 1: $json"
"$bin" ising exact --L 8 --T 2 --h 0.3 --boundary open > /dev/null || fail "ising exact (open, h != 0)"

# --- sample: a file of +-1 rows and its sidecar -----------------------------------------------------
for sampler in exact metropolis multispin; do
  "$bin" ising sample --L 16 --T 1.5 --n 100 --seed 3 --sampler $sampler --equilibration-sweeps 50 \
      --out "$work/s_$sampler.tsv" 2> /dev/null || fail "sample --sampler $sampler"
  [[ $(wc -l < "$work/s_$sampler.tsv") -eq 100 ]] || fail "$sampler: expected 100 rows"
  awk '{ if (NF != 16) exit 1; for (i = 1; i <= NF; i++) if ($i != 1 && $i != -1) exit 1 }' "$work/s_$sampler.tsv" \
    || fail "$sampler: rows are not 16 values of +-1"
  for key in program parameters seed git_commit wall_time_s; do
    grep -q "\"$key\"" "$work/s_$sampler.tsv.json" || fail "$sampler sidecar lacks $key"
  done
done
"$bin" ising sample --L 16 --T 1.5 --n 100 --seed 3 --out "$work/again.tsv" 2> /dev/null
cmp -s "$work/again.tsv" "$work/s_exact.tsv" || fail "same seed gave different samples"

# --- help everywhere ----------------------------------------------------------------------------------
for cmd in "" "ising" "ising exact" "ising sample" "report" "report fill" "report claims"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help > "$work/help" 2>&1 || fail "'$cmd --help' exit status $?"
  grep -qi "usage" "$work/help" || fail "'$cmd --help' prints no usage"
done
"$bin" ising sample --help | grep -q -- "--sweeps-between" || fail "ising sample --help lacks --sweeps-between"

# --- bad input: one line naming the parameter, exit status 2, no output left behind ----------------------
expect_usage_error "L < 2" "--L" ising exact --L 1
expect_usage_error "L not a number" "--L" ising exact --L abc
expect_usage_error "T = 0" "--T" ising exact --T 0
expect_usage_error "T < 0" "--T" ising sample --T -1 --out "$work/out.tsv"
expect_usage_error "T = nan" "--T" ising exact --T nan
expect_usage_error "J = inf" "--J" ising exact --J inf
expect_usage_error "h = nan" "--h" ising sample --h nan --out "$work/out.tsv"
expect_usage_error "n = 0" "--n" ising sample --n 0 --out "$work/out.tsv"
expect_usage_error "n < 0" "--n" ising sample --n -5 --out "$work/out.tsv"
expect_usage_error "unknown boundary" "--boundary" ising exact --boundary helical
expect_usage_error "unknown sampler" "--sampler" ising sample --sampler gibbs --out "$work/out.tsv"
expect_usage_error "unknown flag" "--frobnicate" ising exact --frobnicate 3
expect_usage_error "missing --out" "--out" ising sample --n 10
expect_usage_error "unwritable --out" "--out" ising sample --n 10 --out /nonexistent-dir/out.tsv
expect_usage_error "negative sweeps" "--equilibration-sweeps" ising sample --equilibration-sweeps -1 --out "$work/out.tsv"
expect_usage_error "zero thinning" "--sweeps-between" ising sample --sweeps-between 0 --out "$work/out.tsv"
expect_usage_error "missing template" "--template" report fill --template "$work/none.md" --values "$work/none.json" --out "$work/o.md"
echo '{"a": 1}' > "$work/values.json"; echo 'x {{b}} y' > "$work/text.md"
expect_usage_error "unknown placeholder" "--values" report fill --template "$work/text.md" --values "$work/values.json" --out "$work/o.md"
echo '{not json' > "$work/bad.json"
expect_usage_error "malformed values" "--values" report fill --template "$work/text.md" --values "$work/bad.json" --out "$work/o.md"
[[ ! -e "$work/o.md" ]] || fail "report fill left an output after an error"

# --- an interrupted run leaves no partial data file -----------------------------------------------------
"$bin" ising sample --L 64 --T 0.5 --n 20000000 --sampler metropolis --sweeps-between 50 --out "$work/big.tsv" 2> /dev/null &
pid=$!
sleep 1
# SIGTERM, not SIGINT: a background job of a non-interactive shell starts with SIGINT ignored, so on a
# loaded machine an INT sent before the program installs its handler was lost and the run completed.
kill -TERM $pid 2> /dev/null
wait $pid 2> /dev/null
[[ ! -e "$work/big.tsv" ]] || fail "interrupted run left big.tsv"
ls "$work" | grep -q 'big.tsv.tmp' && fail "interrupted run left a temporary file"

finish "ising CLI"

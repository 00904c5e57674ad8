#!/usr/bin/env bash
# Behaviour of `spinformer ising2d` from the outside: exact values, sample files and sidecars,
# reproducibility, the tau table, help, bad input.
source "$(dirname "$0")/common.bash"

# --- exact: JSON keys and values against enumeration (4 x 4 torus at T_c) -------------------------------
json=$("$bin" ising2d exact --L 4 --T 2.269185314213022 --json) || fail "ising2d exact --json failed"
for key in L T J critical_temperature log_z free_energy_per_spin energy_per_spin specific_heat_per_spin \
           onsager_free_energy_per_spin onsager_energy_per_spin onsager_specific_heat_per_spin yang_magnetization; do
  grep -q "\"$key\"" <<< "$json" || fail "ising2d exact --json lacks key $key"
done
# Values from brute-force enumeration of the 2^16 states (tests/test_ising2d_exact.cpp holds the library to it).
grep -Eq '"log_z":15\.5219154587' <<< "$json" || fail "log Z of 4 x 4 at T_c: $json"
grep -Eq '"energy_per_spin":-1\.5656237876' <<< "$json" || fail "energy of 4 x 4 at T_c: $json"
grep -Eq '"specific_heat_per_spin":0\.7832668259' <<< "$json" || fail "specific heat of 4 x 4 at T_c: $json"
grep -Eq '"onsager_energy_per_spin":-1\.41421356237' <<< "$json" || fail "Onsager energy at T_c is -sqrt 2: $json"
grep -Eq '"onsager_specific_heat_per_spin":null' <<< "$json" || fail "Onsager C at T_c should be null (infinite)"
"$bin" ising2d exact --L 64 --T 2 | grep -q "magnetisation" || fail "ising2d exact (text) lacks the magnetisation"

# --- sample: files of L*L values of +-1 per row, sidecars, same seed => same bytes ---------------------
for sampler in metropolis wolff; do
  "$bin" ising2d sample --L 6 --T 2.3 --n 130 --seed 3 --sampler $sampler --equilibration-sweeps 50 \
      --sweeps-between 2 --out "$work/s_$sampler.tsv" 2> /dev/null || fail "sample --sampler $sampler"
  [[ $(wc -l < "$work/s_$sampler.tsv") -eq 130 ]] || fail "$sampler: expected 130 rows"
  awk '{ if (NF != 36) exit 1; for (i = 1; i <= NF; i++) if ($i != 1 && $i != -1) exit 1 }' "$work/s_$sampler.tsv" \
    || fail "$sampler: rows are not 36 values of +-1"
  for key in program parameters seed git_commit wall_time_s command_line layout; do
    grep -q "\"$key\"" "$work/s_$sampler.tsv.json" || fail "$sampler sidecar lacks $key"
  done
  "$bin" ising2d sample --L 6 --T 2.3 --n 130 --seed 3 --sampler $sampler --equilibration-sweeps 50 \
      --sweeps-between 2 --out "$work/again.tsv" 2> /dev/null
  cmp -s "$work/again.tsv" "$work/s_$sampler.tsv" || fail "$sampler: same seed gave different samples"
  "$bin" ising2d sample --L 6 --T 2.3 --n 130 --seed 4 --sampler $sampler --equilibration-sweeps 50 \
      --sweeps-between 2 --out "$work/other.tsv" 2> /dev/null
  cmp -s "$work/other.tsv" "$work/s_$sampler.tsv" && fail "$sampler: different seeds gave the same samples"
done
# Wolff takes odd L; at T = 1 every configuration is (nearly) ordered: |sum| close to L*L on each row.
"$bin" ising2d sample --L 5 --T 1 --n 20 --sampler wolff --out "$work/cold.tsv" 2> /dev/null || fail "wolff, odd L"
awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (s < 0) s = -s; if (s < 15) exit 1 }' "$work/cold.tsv" \
  || fail "wolff at T = 1 gave disordered configurations"

# --- tau: a small table, JSON with the fitted exponents --------------------------------------------------
tau=$("$bin" ising2d tau --sizes 4,8 --metropolis-sweeps 400 --wolff-sweeps 200 --wolff-chains 4 --fit-from 4 \
      --json 2> /dev/null) || fail "ising2d tau failed"
for key in z_metropolis_energy z_metropolis_abs_m z_wolff_energy z_wolff_abs_m rows metropolis_tau_abs_m; do
  grep -q "\"$key\"" <<< "$tau" || fail "ising2d tau --json lacks $key"
done

# --- help everywhere ----------------------------------------------------------------------------------------
for cmd in "ising2d" "ising2d exact" "ising2d sample" "ising2d tau"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help > "$work/help" 2>&1 || fail "'$cmd --help' exit status $?"
  grep -qi "usage" "$work/help" || fail "'$cmd --help' prints no usage"
done
"$bin" ising2d sample --help | grep -q -- "--sampler" || fail "ising2d sample --help lacks --sampler"

# --- bad input: one line naming the parameter, exit status 2, no output left behind ---------------------------
expect_usage_error "L < 2" "--L" ising2d exact --L 1
expect_usage_error "L not a number" "--L" ising2d exact --L abc
expect_usage_error "T = 0" "--T" ising2d exact --T 0
expect_usage_error "T = nan" "--T" ising2d exact --T nan
expect_usage_error "T too low" "--T" ising2d exact --T 0.001
expect_usage_error "J < 0" "--J" ising2d exact --J -1
expect_usage_error "J = inf" "--J" ising2d exact --J inf
expect_usage_error "unknown flag" "--frobnicate" ising2d exact --frobnicate 3
expect_usage_error "odd L with metropolis" "--L" ising2d sample --L 5 --out "$work/out.tsv"
expect_usage_error "unknown sampler" "--sampler" ising2d sample --sampler heatbath --out "$work/out.tsv"
expect_usage_error "n = 0" "--n" ising2d sample --n 0 --out "$work/out.tsv"
expect_usage_error "n too large" "--n" ising2d sample --L 1000 --n 10000 --out "$work/out.tsv"
expect_usage_error "n overflows" "--n" ising2d sample --L 1000 --n 9000000000000000000 --out "$work/out.tsv"
expect_usage_error "T < 0 (sample)" "--T" ising2d sample --T -1 --out "$work/out.tsv"
expect_usage_error "missing --out" "--out" ising2d sample --n 10
expect_usage_error "unwritable --out" "--out" ising2d sample --n 10 --out /nonexistent-dir/out.tsv
expect_usage_error "negative sweeps" "--equilibration-sweeps" ising2d sample --equilibration-sweeps -1 --out "$work/out.tsv"
expect_usage_error "zero thinning" "--sweeps-between" ising2d sample --sweeps-between 0 --out "$work/out.tsv"
expect_usage_error "zero samples per chain" "--samples-per-chain" ising2d sample --samples-per-chain 0 --out "$work/out.tsv"
expect_usage_error "odd size (tau)" "--sizes" ising2d tau --sizes 4,7
expect_usage_error "T = 0 (tau)" "--T" ising2d tau --sizes 4 --T 0
expect_usage_error "few sweeps (tau)" "--metropolis-sweeps" ising2d tau --metropolis-sweeps 10
expect_usage_error "unwritable tau --out" "--out" ising2d tau --sizes 4 --out /nonexistent-dir/t.tsv

# --- gpt train on 16 x 16 configurations (L = 256 tokens): the memory guard counts training at the batch ------
# and evaluation (no gradients, one layer's attention map at a time) at its 4,096-row chunks: batch 64 of
# the chapter-6 model is accepted where the budget (half the physical memory) is at least 12 GB, an
# absurd batch is refused naming --batch.
"$bin" ising2d sample --L 16 --T 2.269185314213022 --n 40 --sampler wolff --seed 3 --out "$work/w16.tsv" 2> /dev/null ||
  fail "ising2d sample --L 16"
m16=(--d-model 32 --n-heads 4 --n-layers 2 --d-ff 128 --threads 1 --quiet)
if (( $(awk '/MemTotal/ {print $2}' /proc/meminfo) >= 24000000 )); then
  "$bin" gpt train --data "$work/w16.tsv" --out "$work/m16.pt" --steps 1 --batch 64 "${m16[@]}" 2> "$work/m16.err" ||
    fail "gpt train at L = 256, batch 64 refused: $(head -c 300 "$work/m16.err")"
  [[ -s "$work/m16.pt" ]] || fail "gpt train at L = 256 wrote no checkpoint"
else
  echo "note: less than 24 GB of memory, gpt train at L = 256 acceptance not checked"
fi
expect_usage_error "absurd batch at L = 256" "--batch" gpt train --data "$work/w16.tsv" --out "$work/out.pt" --steps 1 \
  --batch 100000 "${m16[@]}"

# --- conditionals: exact log p(s_i | s_<i); each row sums to log p(s) = beta * sum_bonds s s' - log Z ---------
"$bin" ising2d sample --L 4 --T 2.5 --n 5 --sampler wolff --seed 9 --out "$work/c4.tsv" 2> /dev/null || fail "sample for conditionals"
printf '%s\n' "$(printf '1 %.0s' {1..16})" >> "$work/c4.tsv"  # the ground state: 32 satisfied bonds
log_z=$("$bin" ising2d exact --L 4 --T 2.5 --json | sed -E 's/.*"log_z":([^,]+),.*/\1/')
"$bin" ising2d conditionals --L 4 --T 2.5 --configs "$work/c4.tsv" > "$work/c4.out" || fail "ising2d conditionals failed"
[[ $(wc -l < "$work/c4.out") -eq 6 ]] || fail "conditionals: expected 6 rows"
paste "$work/c4.tsv" "$work/c4.out" | awk -v lz="$log_z" -v b=0.4 '{
    if (NF != 32) exit 1
    bonds = 0; sum = 0
    for (r = 0; r < 4; r++) for (c = 0; c < 4; c++) {
      s = $(1 + 4 * r + c); bonds += s * ($(1 + 4 * r + (c + 1) % 4) + $(1 + 4 * ((r + 1) % 4) + c))
    }
    for (i = 17; i <= 32; i++) { if ($i > 0) exit 1; sum += $i }
    d = sum - (b * bonds - lz); if (d < 0) d = -d; if (d > 1e-9) exit 1
  }' || fail "conditionals do not sum to beta * bonds - log Z"
expect_usage_error "conditionals, L = 2" "--L" ising2d conditionals --L 2 --T 2.5 --configs "$work/c4.tsv"
expect_usage_error "conditionals, L = 17" "--L" ising2d conditionals --L 17 --T 2.5 --configs "$work/c4.tsv"
expect_usage_error "conditionals, wrong row length" "--configs" ising2d conditionals --L 5 --T 2.5 --configs "$work/c4.tsv"
expect_usage_error "conditionals, missing file" "--configs" ising2d conditionals --L 4 --configs "$work/none.tsv"

# --- an interrupted run leaves no partial data file -----------------------------------------------------------
"$bin" ising2d sample --L 32 --T 2.2 --n 20000 --equilibration-sweeps 1000000 --out "$work/big.tsv" 2> /dev/null &
pid=$!
sleep 1
kill -TERM $pid 2> /dev/null
wait $pid 2> /dev/null
[[ ! -e "$work/big.tsv" ]] || fail "interrupted run left big.tsv"
ls "$work" | grep -q 'big.tsv.tmp' && fail "interrupted run left a temporary file"

finish "ising2d CLI"

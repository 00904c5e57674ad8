#!/usr/bin/env bash
# Behaviour of `spinformer sgd` from the outside: exact values, simulation, determinism, bad input.
source "$(dirname "$0")/common.bash"

# --- quadratic: the reference sheet's case eta = 0.1, h = 1, B = 4, N = 1000: Var = 0.1 / (4 * 1.9) ----
json=$("$bin" sgd quadratic --eta 0.1 --h 1 --sigma2 1 --batch 4 --N 1000 --json) || fail "sgd quadratic --json failed"
for key in variance_exact variance_small_eta excess_loss_exact; do
  grep -q "\"$key\"" <<< "$json" || fail "sgd quadratic --json lacks key $key: $json"
done
grep -q '"variance":' <<< "$json" && fail "variance without --simulate: $json"
grep -Eq '"variance_exact":0\.01315789' <<< "$json" || fail "variance_exact: $json"
grep -Eq '"variance_small_eta":0\.0125[,}]' <<< "$json" || fail "variance_small_eta: $json"
grep -Eq '"excess_loss_exact":0\.006578947' <<< "$json" || fail "excess_loss_exact: $json"
# without replacement, B = N: every batch is the whole data set, no noise at all
json=$("$bin" sgd quadratic --eta 0.1 --batch 10 --N 10 --without-replacement --json)
grep -Eq '"variance_exact":0\.0[,}]' <<< "$json" || fail "B = N without replacement should be noiseless: $json"

# --- simulation: within 4 standard errors of the exact value, and reproducible ----------------------
json=$("$bin" sgd quadratic --eta 0.3 --batch 5 --N 10 --without-replacement --json --simulate 100000 --seed 3)
python3 - "$json" <<'PY' || fail "simulated variance not within 4 standard errors: $json"
import json, sys
d = json.loads(sys.argv[1])
assert abs(d["variance"] - d["variance_exact"]) < 4 * d["variance_error"], d
assert d["variance_error"] < 0.05 * d["variance_exact"], d
PY
again=$("$bin" sgd quadratic --eta 0.3 --batch 5 --N 10 --without-replacement --json --simulate 100000 --seed 3)
[[ "$json" == "$again" ]] || fail "same seed gave different output"
other=$("$bin" sgd quadratic --eta 0.3 --batch 5 --N 10 --without-replacement --json --simulate 100000 --seed 4)
[[ "$json" != "$other" ]] || fail "different seeds gave the same output"
"$bin" sgd quadratic --eta 0.1 | grep -q "variance_exact" || fail "text output lacks variance_exact"

# --- chain and double well: keys and the closed form eta / (2 B) -------------------------------------
json=$("$bin" sgd chain --L 16 --K 0.5 --eta 0.01 --batch 4 --json) || fail "sgd chain failed"
grep -Eq '"variance_small_eta":0\.00125[,}]' <<< "$json" || fail "chain variance_small_eta: $json"
for key in hessian variance_exact variance_linear mean_K_exact excess_kl_exact excess_kl_linear excess_kl_small_eta \
           excess_kl_per_spin; do
  grep -q "\"$key\"" <<< "$json" || fail "sgd chain --json lacks $key"
done
# eta H = 0.46 on the open chain at K = 1: the exact law, not the linearised one, matches simulation
json=$("$bin" sgd chain --L 12 --K 1 --boundary open --eta 0.1 --batch 1 --json --simulate 50000 --seed 2)
python3 - "$json" <<'PY' || fail "sgd chain: simulation vs exact: $json"
import json, sys
d = json.loads(sys.argv[1])
assert abs(d["variance"] - d["variance_exact"]) < 4 * d["variance_error"], d
assert abs(d["excess_kl"] - d["excess_kl_exact"]) < 4 * d["excess_kl_error"], d
PY
# a finite training set: the prediction is conditional on the drawn set, simulation must match it
json=$("$bin" sgd chain --L 16 --K 0.5 --eta 0.01 --batch 10 --N 40 --without-replacement --json \
  --simulate 100000 --seed 4)
python3 - "$json" <<'PY' || fail "sgd chain --N: simulation vs prediction: $json"
import json, sys
d = json.loads(sys.argv[1])
assert abs(d["variance"] - d["variance_linear"]) < 4 * d["variance_error"], d
assert abs(d["excess_kl"] - d["excess_kl_linear"]) < 4 * d["excess_kl_error"], d
assert d["estimation_kl"] > 0, d
PY
json=$("$bin" sgd double-well --eta 0.05 --sigma2 2 --grid 400 --json) || fail "sgd double-well failed"
for key in barrier_theta barrier_height temperature gibbs_wide small_eta_wide chain_wide chain_escape_per_step; do
  grep -q "\"$key\"" <<< "$json" || fail "sgd double-well --json lacks $key"
done
# Curvature-following noise at T = 0.075 and eta = 0.3 (divergence within about 1e5 steps): the run
# says so instead of reporting an occupation (before: NaN counted as the narrow well).
json=$("$bin" sgd double-well --eta 0.3 --sigma2 0.5 --noise curvature --simulate 1000000 --seed 3 --json) ||
  fail "sgd double-well --simulate (diverging) failed"
python3 - "$json" <<'PY' || fail "sgd double-well: a diverging run must report diverged_at and no occupation: $json"
import json, sys
d = json.loads(sys.argv[1])
assert d["diverged_at"] >= 0 and "wide" not in d and d["chain_confined_over_run"] is False, d
PY

# --- help ----------------------------------------------------------------------------------------------
for cmd in "sgd" "sgd quadratic" "sgd chain" "sgd double-well"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help > "$work/help" 2>&1 || fail "'$cmd --help' exit status $?"
  grep -qi "usage" "$work/help" || fail "'$cmd --help' prints no usage"
done
"$bin" sgd quadratic --help | grep -q -- "--without-replacement" || fail "help lacks --without-replacement"

# --- bad input: one line naming the parameter, exit status 2, nothing on stdout --------------------------
expect_usage_error "eta = 0" "--eta" sgd quadratic --eta 0
expect_usage_error "eta h = 2" "--eta" sgd quadratic --eta 1 --h 2
expect_usage_error "eta = nan" "--eta" sgd quadratic --eta nan --json
expect_usage_error "eta not a number" "--eta" sgd quadratic --eta fast
expect_usage_error "h < 0" "--h" sgd quadratic --h -1
expect_usage_error "h = inf" "--h" sgd quadratic --h inf
expect_usage_error "sigma2 < 0" "--sigma2" sgd quadratic --sigma2 -0.5
expect_usage_error "batch = 0" "--batch" sgd quadratic --batch 0
expect_usage_error "batch > N" "--batch" sgd quadratic --batch 11 --N 10 --without-replacement
expect_usage_error "N = 1" "--N" sgd quadratic --N 1
expect_usage_error "simulate 0" "--simulate" sgd quadratic --simulate 0
expect_usage_error "simulate huge N" "--N" sgd quadratic --N 100000000 --simulate 100
expect_usage_error "unknown flag" "--temperature" sgd quadratic --temperature 3
expect_usage_error "chain L = 1" "--L" sgd chain --L 1
expect_usage_error "chain K = nan" "--K" sgd chain --K nan
expect_usage_error "chain eta H > 2" "--eta" sgd chain --eta 1
expect_usage_error "chain boundary" "--boundary" sgd chain --boundary helical
expect_usage_error "chain grid" "--grid" sgd chain --grid 3
expect_usage_error "chain N = 1" "--N" sgd chain --N 1
expect_usage_error "chain batch > N" "--batch" sgd chain --N 5 --batch 6 --without-replacement
expect_usage_error "chain without N" "--without-replacement" sgd chain --without-replacement
expect_usage_error "chain batch" "--batch" sgd chain --batch 0
expect_usage_error "well noise" "--noise" sgd double-well --noise pink
expect_usage_error "well k" "--k-narrow" sgd double-well --k-narrow -1
expect_usage_error "well grid" "--grid" sgd double-well --grid 5

finish "sgd CLI"

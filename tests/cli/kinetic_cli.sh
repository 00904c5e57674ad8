#!/usr/bin/env bash
# Behaviour of `spinformer kinetic ...` and `spinformer glass kinetic` from the outside: the JSON
# contract, files from disk, agreement of the simulation with exact enumeration, bad input.
source "$(dirname "$0")/common.bash"

# A 4-spin model from files: couplings as rows, fields one per line.
printf '0.2 -0.5 0.3 0.1\n0.4 0.1 -0.2 0.6\n-0.3 0.5 0.2 -0.1\n0.1 0.2 0.7 0.0\n' > "$work/J.tsv"
printf '0.1\n-0.2\n0.3\n0.0\n' > "$work/H.tsv"
model=(--couplings "$work/J.tsv" --fields "$work/H.tsv" --beta 1.5 --steps 4)

sim=$("$bin" kinetic simulate "${model[@]}" --runs 20000 --seed 3 --json) || fail "kinetic simulate"
exact=$("$bin" kinetic enumerate "${model[@]}" --json) || fail "kinetic enumerate"
for cmd in nmf tap gaussian pairwise; do
  json=$("$bin" kinetic $cmd "${model[@]}" --json) || fail "kinetic $cmd"
  python3 -c 'import json,sys; m=json.loads(sys.argv[1])["m"]; assert len(m)==4 and all(-1<=x<=1 for x in m)' "$json" \
    || fail "kinetic $cmd: m is not 4 magnetisations in [-1, 1]"
done
# The simulation agrees with the exact magnetisations within 4.5 standard errors at every site.
python3 - "$sim" "$exact" <<'PY' || fail "kinetic simulate disagrees with enumeration"
import json, sys
s, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
z = [abs(a - b) / err for a, b, err in zip(s["m"], e["m"], s["m_err"])]
assert len(z) == 4 and max(z) < 4.5, z
PY
# Same seed, same bytes (whatever the threads); another seed, another answer.
again=$("$bin" kinetic simulate "${model[@]}" --runs 20000 --seed 3 --threads 2 --json)
[[ "$sim" == "$again" ]] || fail "kinetic simulate is not reproducible"
other=$("$bin" kinetic simulate "${model[@]}" --runs 20000 --seed 4 --json)
[[ "$sim" != "$other" ]] || fail "kinetic simulate ignores --seed"
# --out writes one row per (t, i) with a sidecar.
"$bin" kinetic simulate "${model[@]}" --runs 200 --out "$work/m.tsv" > /dev/null || fail "simulate --out"
[[ $(grep -vc '^#' "$work/m.tsv") -eq 20 ]] || fail "m.tsv: expected 5 x 4 rows"
[[ -s "$work/m.tsv.json" ]] || fail "m.tsv: no sidecar"
json=$("$bin" kinetic compare --N 8 --ratios 0.8,1.2 --draws 2 --runs 500 --steps 4 --json) || fail "kinetic compare"
python3 -c 'import json,sys; r=json.loads(sys.argv[1])["rows"]; assert len(r)==8 and all(x["eps_m"]>=0 for x in r)' "$json" \
  || fail "kinetic compare: expected 2 ratios x 4 methods"

# glass kinetic: {m: N x D, m_err: N x D, alignment}; files as for glass nmf.
printf '0 0.5 -0.2\n0.1 0 0.3\n-0.4 0.2 0\n' > "$work/Jv.txt"
printf '1 0 0 0\n0 1 0 0\n0 0 0 1\n' > "$work/x.txt"
vec=(glass kinetic --couplings "$work/Jv.txt" --field "$work/x.txt" --beta 2 --steps 5 --runs 300 --seed 2)
json=$("$bin" "${vec[@]}" --json) || fail "glass kinetic"
python3 - "$json" <<'PY' || fail "glass kinetic: bad JSON shape"
import json, sys
j = json.loads(sys.argv[1])
assert len(j["m"]) == 3 and all(len(r) == 4 for r in j["m"])
assert len(j["m_err"]) == 3 and all(len(r) == 4 and min(r) >= 0 for r in j["m_err"])
assert -1 <= j["alignment"] <= 1
PY
[[ "$json" == "$("$bin" "${vec[@]}" --threads 2 --json)" ]] || fail "glass kinetic is not reproducible"
json=$("$bin" glass kinetic --N 6 --D 5 --beta 1 --steps 3 --runs 200 --compare --json) || fail "glass kinetic --compare"
for key in mse_final_state mse_trajectory_mean nmf_bessel tap_large_d second_order noise alignment_mean_field; do
  grep -q "\"$key\"" <<< "$json" || fail "glass kinetic --compare lacks key $key"
done
"$bin" "${vec[@]}" --out "$work/v.tsv" > /dev/null || fail "glass kinetic --out"
[[ $(grep -vc '^#' "$work/v.tsv") -eq 3 && -s "$work/v.tsv.json" ]] || fail "v.tsv: expected 3 rows and a sidecar"

json=$("$bin" glass kinetic-scan --N 4,5 --D 4 --betas 0.5,2 --eps 0,1 --draws 2 --runs 50 --steps 3 --json) \
  || fail "glass kinetic-scan"
python3 - "$json" <<'PY' || fail "glass kinetic-scan: expected 2 x 2 x 2 rows; nMF-Bessel exact at eps = 0"
import json, sys
rows = json.loads(sys.argv[1])["rows"]
assert len(rows) == 8
for r in rows:
    if r["eps"] == 0:
        assert r["mse_nmf_bessel"] < 1e-24 and r["mse_second_order"] < 1e-24 and r["mse_nmf_large_d"] > 1e-6, r
PY

# The control-variate estimator: same m_T as the plain conditional mean within errors, with less noise
# at weak coupling; at eps = 0 the scan's reference has no noise at all.
a=$("$bin" glass kinetic --N 4 --D 4 --beta 1 --steps 3 --runs 4000 --seed 2 --json) || fail "glass kinetic conditional"
b=$("$bin" glass kinetic --N 4 --D 4 --beta 1 --steps 3 --runs 4000 --seed 3 --estimator control --json) \
  || fail "glass kinetic --estimator control"
python3 - "$a" "$b" <<'PY' || fail "glass kinetic --estimator control: disagrees with the conditional mean or is not quieter"
import json, math, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert b["estimator"] == "control"
z = max(abs(x - y) / math.hypot(ex, ey) for ra, rb, ea, eb in zip(a["m"], b["m"], a["m_err"], b["m_err"])
        for x, y, ex, ey in zip(ra, rb, ea, eb))
assert z < 4.5, z
mean = lambda m: sum(map(sum, m)) / sum(map(len, m))
assert mean(b["m_err"]) < 0.8 * mean(a["m_err"]), (mean(b["m_err"]), mean(a["m_err"]))
PY
json=$("$bin" glass kinetic-scan --N 4 --D 4 --betas 1 --eps 0,0.25 --draws 1 --runs 50 --steps 3 --control-variate --json) \
  || fail "glass kinetic-scan --control-variate"
python3 - "$json" <<'PY' || fail "glass kinetic-scan --control-variate: the reference at eps = 0 should be noise-free"
import json, sys
rows = json.loads(sys.argv[1])["rows"]
assert rows[0]["eps"] == 0 and rows[0]["noise"] < 1e-18 and rows[1]["noise"] > 0, rows
PY

expect_usage_error "beta <= 0" --beta kinetic simulate "${model[@]}" --beta 0 --out "$work/out.tsv"
expect_usage_error "runs < 2" --runs kinetic simulate "${model[@]}" --runs 1 --out "$work/out.tsv"
expect_usage_error "negative steps" --steps kinetic tap "${model[@]}" --steps -1 --out "$work/out.tsv"
expect_usage_error "fields without couplings" --couplings kinetic nmf --fields "$work/H.tsv" --out "$work/out.tsv"
printf '0.1\n0.2\n' > "$work/H2.tsv"
expect_usage_error "fields != N" --fields kinetic nmf --couplings "$work/J.tsv" --fields "$work/H2.tsv" --out "$work/out.tsv"
printf '0.1 x\n0.2 0\n' > "$work/Jbad.tsv"
expect_usage_error "bad number" --couplings kinetic gaussian --couplings "$work/Jbad.tsv" --fields "$work/H2.tsv" --out "$work/out.tsv"
expect_usage_error "missing file" --couplings kinetic nmf --couplings "$work/none.tsv" --fields "$work/H.tsv" --out "$work/out.tsv"
expect_usage_error "enumeration too large" --N kinetic enumerate --N 13 --out "$work/out.tsv"
expect_usage_error "bad ratio" --ratios kinetic compare --ratios 0.5,-1 --out "$work/out.tsv"
expect_usage_error "unwritable out" --out kinetic nmf "${model[@]}" --out "$work/missing/dir/out.tsv"
expect_usage_error "glass kinetic beta" --beta glass kinetic --beta -1 --out "$work/out.tsv"
expect_usage_error "glass kinetic runs" --runs glass kinetic --runs 0 --out "$work/out.tsv"
expect_usage_error "glass kinetic D" --D glass kinetic --D 2 --out "$work/out.tsv"
expect_usage_error "bad estimator" --estimator glass kinetic --estimator exact --out "$work/out.tsv"
expect_usage_error "scan eps < 0" --eps glass kinetic-scan --eps -1 --out "$work/out.tsv"
expect_usage_error "scan betas" --betas glass kinetic-scan --betas 1,0 --out "$work/out.tsv"
expect_usage_error "glass kinetic field alone" --couplings glass kinetic --field "$work/x.txt" --out "$work/out.tsv"

finish "kinetic CLI"

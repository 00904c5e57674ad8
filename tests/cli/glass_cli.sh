#!/usr/bin/env bash
# Behaviour of `spinformer glass mcmc|nmf|tap` from the outside: JSON keys, files, bad input.
source "$(dirname "$0")/common.bash"

for cmd in nmf tap; do
  json=$("$bin" glass $cmd --N 8 --D 6 --beta 2 --json --full) || fail "glass $cmd --json failed"
  for key in m alignment iterations residual; do
    grep -q "\"$key\"" <<< "$json" || fail "glass $cmd --json lacks key $key"
  done
done
json=$("$bin" glass mcmc --N 8 --D 6 --beta 2 --steps 20000 --thin 200 --chains 3 --json --full) || fail "glass mcmc failed"
for key in m alignment iterations r_hat_energy r_hat_alignment per_chain acceptance tau_int_alignment ess_energy; do
  grep -q "\"$key\"" <<< "$json" || fail "glass mcmc --json lacks key $key"
done
# Same seeds, same answer; --out writes N rows of D numbers with a sidecar.
a=$("$bin" glass mcmc --N 8 --D 6 --beta 2 --steps 20000 --thin 200 --json --out "$work/m.tsv") || fail "mcmc --out"
b=$("$bin" glass mcmc --N 8 --D 6 --beta 2 --steps 20000 --thin 200 --json)
[[ "$(grep -o '"alignment":[^,]*' <<< "$a" | head -1)" == "$(grep -o '"alignment":[^,]*' <<< "$b" | head -1)" ]] \
  || fail "mcmc is not reproducible"
[[ $(grep -vc '^#' "$work/m.tsv") -eq 8 ]] || fail "m.tsv: expected 8 rows"
[[ -s "$work/m.tsv.json" ]] || fail "m.tsv: no sidecar"
# Couplings and field from files reproduce the generated model's answer when given the same numbers.
printf '0 0.5 -0.2\n0.1 0 0.3\n-0.4 0.2 0\n' > "$work/J.txt"
printf '1 0 0 0\n0 1 0 0\n0 0 0 1\n' > "$work/x.txt"
"$bin" glass nmf --couplings "$work/J.txt" --field "$work/x.txt" --beta 1 --json > /dev/null || fail "nmf from files"
"$bin" glass tap --couplings "$work/J.txt" --field "$work/x.txt" --beta 1 --readout bessel > /dev/null \
  || fail "tap from files, Bessel readout"

expect_usage_error "beta <= 0" --beta glass nmf --beta 0 --out "$work/out.tsv"
expect_usage_error "D < 3" --D glass tap --D 2 --out "$work/out.tsv"
expect_usage_error "bad readout" --readout glass nmf --readout exact --out "$work/out.tsv"
expect_usage_error "bad convention" --convention glass tap --convention other --out "$work/out.tsv"
expect_usage_error "steps < 2 thin" --steps glass mcmc --steps 10 --thin 100 --out "$work/out.tsv"
expect_usage_error "bad start" --start glass mcmc --start random --out "$work/out.tsv"
expect_usage_error "field without couplings" --couplings glass nmf --field "$work/x.txt" --out "$work/out.tsv"
printf '0 0.5\n0.1 0\n' > "$work/J2.txt"
expect_usage_error "field rows != N" --field glass nmf --couplings "$work/J2.txt" --field "$work/x.txt" --out "$work/out.tsv"
printf '0 0.5 x\n0.1 0 0.3\n-0.4 0.2 0\n' > "$work/Jbad.txt"
expect_usage_error "bad number" --couplings glass nmf --couplings "$work/Jbad.txt" --field "$work/x.txt" --out "$work/out.tsv"

finish "glass CLI"

#!/usr/bin/env bash
# Fuzz test (issue 9): every numeric flag of every subcommand through the values a hostile user tried
# (empty, octal- and hex-looking, fractional, exponent, overflowing int64 and uint64, NaN, infinities,
# extreme finite values), and configurations beyond the memory and work budgets. Each case must hold
# the bad-input contract: exit status 2, one line on stderr naming the flag, nothing on stdout, no file
# written, no hang. The cases run through spinformer_fuzz_driver (built beside spinformer): one process,
# a forked child per case, so that hundreds of cases take seconds; a few also run through the binary.
source "$(dirname "$0")/common.bash"
driver="$(dirname "$bin")/spinformer_fuzz_driver"
[[ -x "$driver" ]] || { echo "FAIL: no $driver"; exit 1; }

out="$work/out"          # where cases would write: must stay empty
runs="$work/runs"        # the driver's per-case stdout and stderr
mkdir -p "$out" "$runs"
"$bin" ising sample --L 6 --n 200 --seed 1 --out "$work/d6.tsv" 2> /dev/null || fail "ising sample (fixture)"
"$bin" gpt train --data "$work/d6.tsv" --out "$work/m.pt" --steps 2 --d-model 8 --n-heads 2 --batch 8 --threads 1 \
  --quiet || fail "gpt train (fixture)"
printf '0.2 -0.5 0.3\n0.4 0.1 -0.2\n-0.3 0.5 0.2\n' > "$work/J.tsv"   # kinetic: 3 spins
printf '0.1\n-0.2\n0.3\n' > "$work/H.tsv"
printf '1 0 0\n0 1 0\n0 0 1\n' > "$work/x.tsv"                      # glass kinetic: D = 3
printf '{"numbers": 3, "agree": 3}\n' > "$work/replication.json"
printf '[1, 2]\n' > "$work/array.json"
printf '{"numbers": "many", "chapter": 3}\n' > "$work/typed.json"
printf '{"chapter": "../x", "commit": "abc"}\n' > "$work/stamp.json"
# issue 29: counts that are no counts (1e30 printed as -9223372036854775808), more agreeing than compared
printf '{"numbers": 1e30, "agree": 1}\n' > "$work/count_1e30.json"
printf '{"numbers": 3, "agree": 5}\n' > "$work/count_agree.json"
printf '{"numbers": 2.5}\n' > "$work/count_real.json"
printf '{"numbers": -1}\n' > "$work/count_negative.json"
printf '{"numbers": 9223372036854775808}\n' > "$work/count_2p63.json"
printf '{"chapter": "00", "claims": [], "x": 1e400}\n' > "$work/claims_1e400.json"   # a raw library message
printf '{"a": 1e400}\n' > "$work/values_1e400.json"
printf 'x {{a}} y\n' > "$work/text.md"
mkdir -p "$work/dir"

int_bad=("" "abc" "0x10" "010" "1.5" "1e3" "9223372036854775808" "-9223372036854775809" "4611686018427387904")
real_bad=("" "abc" "nan" "inf" "-inf" "0x1p3" "1e400" "1e308")
seed_bad=("" "-1" "18446744073709551616" "0x10" "1.5" "010")

cases=() flags=()
# add KIND FLAG PREFIX...: one case per bad value of KIND (int, real, seed) for FLAG after the prefix
add() {
  local kind="$1" flag="$2"; shift 2
  local -n values="${kind}_bad"
  local v line
  for v in "${values[@]}"; do
    line=$(printf '%s\t' "$@" "$flag"); cases+=("$line$v"); flags+=("$flag")
  done
}
# budget FLAG ARGS...: one case whose values parse but exceed a memory or work budget
budget() {
  local flag="$1"; shift
  local line; line=$(printf '%s\t' "$@"); cases+=("${line%$'\t'}"); flags+=("$flag")
}

p=(ising exact); for f in --L; do add int $f "${p[@]}"; done
for f in --J --h --T; do add real $f "${p[@]}"; done
p=(ising logprob --configs "$work/d6.tsv"); for f in --L; do add int $f "${p[@]}"; done
for f in --J --h --T; do add real $f "${p[@]}"; done
p=(ising sample --out "$out/s.tsv")
for f in --L --n --equilibration-sweeps --sweeps-between --samples-per-chain; do add int $f "${p[@]}"; done
for f in --T; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
for f in --T --h; do add real $f sk rs; done
add real --h sk at-line
p=(glass mcmc --out "$out/m.tsv")
for f in --N --D --steps --thin --chains --threads; do add int $f "${p[@]}"; done
for f in --beta --h --sigma --target-acceptance --burn-in; do add real $f "${p[@]}"; done
for f in --seed --chain-seed; do add seed $f "${p[@]}"; done
for cmd in nmf tap; do
  p=(glass $cmd --out "$out/$cmd.tsv")
  for f in --N --D --steps --anderson-depth; do add int $f "${p[@]}"; done
  for f in --beta --h --tolerance --damping; do add real $f "${p[@]}"; done
  add seed --seed "${p[@]}"
done
add int --max-inner glass tap
p=(glass overlaps --out "$out/o.tsv")
for f in --N --D --replicas --steps --thin; do add int $f "${p[@]}"; done
for f in --h --T --beta --burn-in --sigma; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(gpt train --data "$work/d6.tsv" --out "$out/t.pt")
for f in --L --d-model --n-heads --n-layers --d-ff --steps --batch --warmup-steps --eval-every --patience \
         --checkpoint-every --threads --stop-after; do add int $f "${p[@]}"; done
for f in --T --J --h --dropout --attention-scale --bias-slope --bias-slope-init --lr --weight-decay --beta1 --beta2 \
         --eps --min-lr-ratio --pct-start --grad-clip; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(gpt sample --model "$work/m.pt" --out "$out/g.tsv")
for f in --n --threads; do add int $f "${p[@]}"; done
add seed --seed "${p[@]}"
add int --threads gpt logprob --model "$work/m.pt" --configs "$work/d6.tsv"
add int --threads gpt attention --model "$work/m.pt" --configs "$work/d6.tsv" --out "$out/a.tsv"

# the command groups added after issue 9: ising2d, sgd, kinetic, glass kinetic
p=(ising2d exact); for f in --L; do add int $f "${p[@]}"; done
for f in --J --T; do add real $f "${p[@]}"; done
p=(ising2d sample --out "$out/i2.tsv")
for f in --L --n --equilibration-sweeps --sweeps-between --samples-per-chain; do add int $f "${p[@]}"; done
for f in --J --T; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(ising2d tau --sizes 4 --out "$out/tau.tsv")
for f in --metropolis-sweeps --wolff-sweeps --wolff-chains --fit-from; do add int $f "${p[@]}"; done
for f in --J --T; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(sgd quadratic --simulate 100)
for f in --batch --N --simulate; do add int $f "${p[@]}"; done
for f in --eta --h --sigma2; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(sgd chain --simulate 100)
for f in --L --batch --N --grid --simulate; do add int $f "${p[@]}"; done
for f in --K --eta; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(sgd double-well --simulate 100)
for f in --batch --grid --simulate; do add int $f "${p[@]}"; done
for f in --k-narrow --k-wide --switch-width --eta --sigma2 --range; do add real $f "${p[@]}"; done
add seed --seed "${p[@]}"
for cmd in simulate enumerate nmf tap gaussian pairwise; do
  p=(kinetic $cmd --N 3 --steps 2 --out "$out/k$cmd.tsv")
  for f in --N --steps; do add int $f "${p[@]}"; done
  add real --beta "${p[@]}"
  add seed --model-seed "${p[@]}"
done
p=(kinetic simulate --couplings "$work/J.tsv" --fields "$work/H.tsv" --steps 2 --runs 10 --out "$out/ks.tsv")
for f in --runs --threads; do add int $f "${p[@]}"; done
add seed --seed "${p[@]}"
p=(kinetic compare --N 3 --steps 2 --runs 10 --draws 1 --ratios 1 --out "$out/kc.tsv")
for f in --N --steps --draws --runs --threads; do add int $f "${p[@]}"; done
for f in --beta-c --ratios; do add real $f "${p[@]}"; done
for f in --seed --model-seed; do add seed $f "${p[@]}"; done
p=(glass kinetic --N 3 --D 3 --steps 2 --runs 10 --out "$out/gk.tsv")
for f in --N --D --steps --runs --threads; do add int $f "${p[@]}"; done
for f in --h --beta; do add real $f "${p[@]}"; done
for f in --seed --model-seed; do add seed $f "${p[@]}"; done
p=(glass kinetic-scan --N 3 --D 3 --betas 1 --eps 1 --draws 1 --steps 2 --runs 10 --out "$out/gs.tsv")
for f in --N --D --draws --steps --runs --threads; do add int $f "${p[@]}"; done
for f in --h --betas --eps; do add real $f "${p[@]}"; done
for f in --seed --model-seed; do add seed $f "${p[@]}"; done

# malformed and missing files, unwritable output
bad_files=("$work/none.tsv" "$work/dir" /dev/zero "$work/Jbad.tsv" "$work/H.tsv")
printf '0.1 x 0\n0.2 0 1\n0 0 0\n' > "$work/Jbad.tsv"
for file in "${bad_files[@]}"; do
  budget --couplings kinetic nmf --couplings "$file" --fields "$work/H.tsv" --out "$out/kf.tsv"
  budget --couplings glass kinetic --couplings "$file" --field "$work/x.tsv" --runs 10 --out "$out/gf.tsv"
done
budget --fields kinetic nmf --couplings "$work/J.tsv" --fields "$work/none.tsv"
budget --fields kinetic nmf --couplings "$work/J.tsv" --fields "$work/x.tsv"
budget --fields kinetic tap --couplings "$work/J.tsv"
budget --field glass kinetic --couplings "$work/J.tsv" --field "$work/H.tsv" --runs 10
budget --out kinetic nmf --N 3 --out "$work/none/x.tsv"
budget --out kinetic simulate --N 3 --runs 10 --out "$work/dir"
budget --out glass kinetic --N 3 --D 3 --runs 10 --out "$work/none/x.tsv"
budget --out glass kinetic-scan --N 3 --D 3 --runs 10 --draws 1 --out "$work/none/x.tsv"
budget --out ising2d sample --L 4 --n 2 --out "$work/none/x.tsv"
budget --out ising2d tau --sizes 4 --out "$work/none/x.tsv"
budget --a runs compare --a "$work/none" --b "$work/dir"
budget --b runs compare --a "$work/dir" --b "$work/J.tsv"
budget --committed runs replicate --committed "$work/none" --rerun "$work/dir" --out "$out/r.json"
budget --rerun runs replicate --committed "$work/dir" --rerun "$work/none" --out "$out/r.json"
budget --out runs replicate --committed "$work/dir" --rerun "$work/dir" --out "$work/none/r.json"
budget --out runs replicate --committed "$work/dir" --rerun "$work/dir" --out "$work/dir"
for file in "$work/none.json" "$work/dir" /dev/zero "$work/J.tsv" "$work/array.json" "$work/typed.json"; do
  budget reports runs summary "$work/replication.json" "$file"
  budget stamps runs provenance --runs "$work/dir" --out "$out/p.md" "$file"
done
budget stamps runs provenance --runs "$work/dir" --out "$out/p.md" "$work/stamp.json"
budget --runs runs provenance --runs "$work/none" --out "$out/p.md"
budget --out runs provenance --runs "$work/dir" --out "$work/none/p.md"
budget --out runs provenance --runs "$work/dir" --out "$work/dir"
budget --unknown ising2d exact --unknown 1
budget --unknown sgd chain --unknown
budget --unknown kinetic nmf --unknown 1
budget --unknown runs summary --unknown
for file in count_1e30 count_agree count_real count_negative count_2p63; do
  budget "$file.json" runs summary "$work/replication.json" "$work/$file.json"
done
budget claims_1e400.json report claims "$work/claims_1e400.json" --out "$out/c.md"
budget values_1e400.json report fill --template "$work/text.md" --values "$work/values_1e400.json" --out "$out/f.md"
# a replication without claims.json or results.json (issue 29: "every verdict as committed")
mkdir -p "$work/rerun" && printf '{}\n' > "$work/rerun/results.json"
budget claims.json runs replicate --committed "$work/rerun" --rerun "$work/rerun" --out "$out/r.json"
# an unknown flag before any subcommand was reported as "A subcommand is required"
budget --frobnicate --frobnicate
budget --frobnicate ising --frobnicate
budget frobnicate frobnicate

# values that parse, but ask for more memory or time than any run may take
budget --n ising sample --L 8 --n 2000000000 --out "$out/s.tsv"
budget --sweeps-between ising sample --L 1000 --n 1000000 --sampler metropolis --sweeps-between 1000000000 --out "$out/s.tsv"
budget --N glass nmf --N 100000
budget --N glass mcmc --N 100000 --out "$out/m.tsv"
budget --steps glass mcmc --steps 1000000000000
budget --thin glass mcmc --N 3 --D 3 --chains 1 --steps 100000000000 --thin 1
budget --steps glass tap --N 20000 --steps 1000000 --max-inner 1000000
budget --N glass overlaps --N 100000
budget --steps glass overlaps --steps 1000000000000
budget --thin glass overlaps --N 3 --D 3 --replicas 2 --steps 10000000000 --thin 1
budget --batch gpt train --data "$work/d6.tsv" --out "$out/t.pt" --batch 16000000
budget --d-ff gpt train --data "$work/d6.tsv" --out "$out/t.pt" --d-ff 1000000
budget --d-model gpt train --data "$work/d6.tsv" --out "$out/t.pt" --d-model 65536 --n-heads 1
budget --n-heads gpt train --data "$work/d6.tsv" --out "$out/t.pt" --d-model 4096 --n-heads 4096
budget --n-layers gpt train --data "$work/d6.tsv" --out "$out/t.pt" --d-model 1024 --n-layers 256
budget --n gpt sample --model "$work/m.pt" --out "$out/g.tsv" --n 1000000000
budget --steps gpt train --data "$work/d6.tsv" --out "$out/t.pt" --steps 1000000000 --batch 4096
budget --T ising exact --T 0.001 --J 1000
budget --T ising2d exact --T 0.001 --J 1000
budget --T ising2d exact --L 2 --T 1 --J 180
budget --n ising2d sample --L 1024 --n 1000000 --out "$out/i2.tsv"
budget --sweeps-between ising2d sample --L 1024 --n 64 --sweeps-between 1000000000 --out "$out/i2.tsv"
budget --equilibration-sweeps ising2d sample --L 1024 --n 64 --equilibration-sweeps 1000000000000 --out "$out/i2.tsv"
budget --sweeps-between ising2d sample --sampler wolff --L 1024 --n 1000 --sweeps-between 10000000 --out "$out/i2.tsv"
budget --metropolis-sweeps ising2d tau --sizes 1024 --metropolis-sweeps 1000000000
budget --wolff-sweeps ising2d tau --sizes 64 --wolff-sweeps 1000000000
budget --wolff-sweeps ising2d tau --sizes 4 --wolff-sweeps 1000000000000 --wolff-chains 100000
budget --simulate sgd quadratic --simulate 1000000000000 --batch 1000
budget --simulate sgd chain --simulate 100000000000 --batch 1000000
budget --simulate sgd double-well --simulate 1000000000000
budget --N kinetic nmf --N 100000
budget --N kinetic simulate --N 100000 --runs 2
budget --runs kinetic simulate --N 4096 --steps 1000 --runs 1000000
budget --steps kinetic pairwise --N 1000 --steps 100000
budget --N kinetic enumerate --N 30
budget --runs kinetic compare --N 4096 --steps 1000 --runs 100000
budget --N glass kinetic --N 100000 --D 100000 --runs 2
budget --runs glass kinetic --N 4096 --D 100 --runs 1000000000
budget --runs glass kinetic-scan --N 4096 --D 100 --runs 1000000000
budget --betas glass kinetic-scan --N 3 --D 3 --betas 1e300 --runs 10

printf '%s\n' "${cases[@]}" | "$driver" "$runs" > "$work/status"
[[ $(wc -l < "$work/status") -eq ${#cases[@]} ]] || fail "the driver ran $(wc -l < "$work/status") of ${#cases[@]} cases"
while IFS=$'\t' read -r k status; do
  name="case $k ($(printf '%s' "${cases[$k]}" | tr '\t' ' ' | sed "s|$work|W|g"))"
  flag="${flags[$k]}"
  [[ $status -eq 2 ]] || fail "$name: exit status $status, expected 2: $(head -c 300 "$runs/$k.err")"
  [[ $(wc -l < "$runs/$k.err") -eq 1 ]] || fail "$name: expected one line on stderr, got: $(head -c 300 "$runs/$k.err")"
  grep -q -- "$flag" "$runs/$k.err" || fail "$name: message does not name $flag: $(cat "$runs/$k.err")"
  [[ ! -s "$runs/$k.out" ]] || fail "$name: output on stdout"
done < "$work/status"
[[ -z $(ls -A "$out") ]] || fail "cases left files: $(ls -A "$out")"

# the driver and the binary agree (a sample of the cases, through the real executable)
for k in 0 $(( ${#cases[@]} / 3 )) $(( 2 * ${#cases[@]} / 3 )) $(( ${#cases[@]} - 1 )); do
  args=() rest="${cases[$k]}"  # split at tabs, keeping empty arguments
  while [[ $rest == *$'\t'* ]]; do args+=("${rest%%$'\t'*}"); rest="${rest#*$'\t'}"; done
  args+=("$rest")
  "$bin" "${args[@]}" > /dev/null 2> "$work/err"
  status=$?
  [[ $status -eq 2 ]] && cmp -s "$work/err" "$runs/$k.err" || fail "case $k: the binary (status $status) and the driver differ"
done
echo "fuzz: ${#cases[@]} cases"
finish "fuzz CLI"

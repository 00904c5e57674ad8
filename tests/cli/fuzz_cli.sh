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

#!/usr/bin/env bash
# Behaviour of `spinformer gpt` from the outside: a tiny end-to-end run, help, bad input.
source "$(dirname "$0")/common.bash"

# --- a tiny end-to-end run: exact data, train, sample, logprob, attention ---------------------------------
"$bin" ising sample --L 6 --T 1 --n 1000 --seed 1 --out "$work/data.tsv" 2> /dev/null || fail "ising sample"
"$bin" ising sample --L 5 --T 1 --n 50 --seed 1 --out "$work/data5.tsv" 2> /dev/null || fail "ising sample L = 5"
small=(--d-model 16 --n-heads 2 --batch 32 --eval-every 10 --threads 1 --quiet)
"$bin" gpt train --data "$work/data.tsv" --out "$work/m.pt" --steps 30 "${small[@]}" || fail "gpt train"
[[ -s "$work/m.pt" ]] || fail "no checkpoint"
for key in '"L"' '"T"' '"J"' '"h"' '"boundary"' '"model"' '"train"' git_commit; do
  grep -q "$key" "$work/m.pt.json" || fail "checkpoint sidecar lacks $key"
done
[[ $(grep -vc '^#' "$work/m.pt.curve.tsv") -eq 3 ]] || fail "training curve: expected 3 rows"
"$bin" gpt sample --model "$work/m.pt" --n 200 --seed 4 --out "$work/s.tsv" --threads 1 2> /dev/null || fail "gpt sample"
[[ $(wc -l < "$work/s.tsv") -eq 200 ]] || fail "gpt sample: expected 200 rows"
awk '{ if (NF != 6) exit 1; for (i = 1; i <= NF; i++) if ($i != 1 && $i != -1) exit 1 }' "$work/s.tsv" \
  || fail "gpt sample: rows are not 6 values of +-1"
"$bin" gpt sample --model "$work/m.pt" --n 200 --seed 4 --out "$work/s2.tsv" --threads 1 2> /dev/null
cmp -s "$work/s.tsv" "$work/s2.tsv" || fail "same seed gave different model samples"
"$bin" gpt logprob --model "$work/m.pt" --configs "$work/s.tsv" --threads 1 > "$work/lp" || fail "gpt logprob"
[[ $(wc -l < "$work/lp") -eq 200 ]] || fail "gpt logprob: expected 200 lines"
awk '{ if ($1 >= 0 || $1 < -6 * log(2) - 5) exit 1 }' "$work/lp" || fail "gpt logprob: values out of range"
# the 64 states of L = 6 carry total probability 1
for k in $(seq 0 63); do
  row=""; for i in 0 1 2 3 4 5; do if (( (k >> i) & 1 )); then row+="1 "; else row+="-1 "; fi; done
  echo "$row"
done > "$work/all.tsv"
"$bin" gpt logprob --model "$work/m.pt" --configs "$work/all.tsv" --threads 1 \
  | awk '{ s += exp($1) } END { if (s < 0.99999 || s > 1.00001) exit 1 }' || fail "probabilities do not sum to 1"
"$bin" gpt attention --model "$work/m.pt" --configs "$work/data.tsv" --out "$work/a.tsv" --maps "$work/maps.tsv" \
  --threads 1 || fail "gpt attention"
[[ $(grep -vc '^#' "$work/a.tsv") -eq 6 ]] || fail "attention: expected 6 rows of A(r)"
[[ $(grep -vc '^#' "$work/maps.tsv") -eq $((2 * 2 * 6 * 6)) ]] || fail "attention maps: expected 144 rows"
# resume: a run stopped after 10 steps and resumed equals the uninterrupted run
"$bin" gpt train --data "$work/data.tsv" --out "$work/r.pt" --steps 30 --stop-after 10 "${small[@]}" || fail "stop-after"
"$bin" gpt train --data "$work/data.tsv" --out "$work/r.pt" --resume "${small[@]}" || fail "resume"
"$bin" gpt logprob --model "$work/r.pt" --configs "$work/s.tsv" --threads 1 > "$work/lp_resumed"
cmp -s "$work/lp" "$work/lp_resumed" || fail "resumed run differs from the uninterrupted one"
# issue 29: a flag that contradicts the checkpoint was silently ignored by --resume; the run's own values
# (as "${small[@]}" above) are accepted, another value is refused and the checkpoint left as it was
cp "$work/r.pt" "$work/r.before"
for contradiction in "--steps 60" "--lr 0.01" "--d-model 32" "--batch 16" "--seed 7" "--attention-bias distance"; do
  # shellcheck disable=SC2086
  expect_usage_error "resume with $contradiction" "${contradiction%% *}" gpt train --data "$work/data.tsv" --out "$work/r.pt" \
    --resume $contradiction --quiet
  grep -q "contradicts the checkpoint" "$work/stderr" || fail "resume with $contradiction: $(cat "$work/stderr")"
done
cmp -s "$work/r.pt" "$work/r.before" || fail "a refused resume changed the checkpoint"
# the seed-literal negative control trains, its 'probabilities' do not sum to 1, and it cannot be sampled
"$bin" gpt train --data "$work/data.tsv" --out "$work/lit.pt" --steps 30 --seed-literal "${small[@]}" || fail "literal"
"$bin" gpt logprob --model "$work/lit.pt" --configs "$work/all.tsv" --threads 1 \
  | awk '{ s += exp($1) } END { if (s > 0.999 && s < 1.001) exit 1 }' || fail "literal model looks normalised"
"$bin" gpt train --data "$work/data.tsv" --out "$work/b.pt" --steps 10 --attention-bias periodic --bias-shape exp \
  --bias-slope learned "${small[@]}" || fail "train with a learned periodic bias"
# the 2D torus bias on a 4 x 4 lattice's 16 raster-order spins (any rows of 16 spins do here)
"$bin" ising sample --L 16 --T 1 --n 200 --seed 1 --out "$work/data16.tsv" 2> /dev/null || fail "ising sample L = 16"
"$bin" gpt train --data "$work/data16.tsv" --out "$work/torus.pt" --steps 10 --attention-bias torus --bias-slope learned \
  "${small[@]}" || fail "train with a learned torus bias"
grep -q '"attention_bias": "torus"' "$work/torus.pt.json" || fail "torus bias not recorded in the sidecar"
"$bin" gpt logprob --model "$work/torus.pt" --configs "$work/data16.tsv" --threads 1 > /dev/null || fail "torus logprob"

# --- help everywhere ----------------------------------------------------------------------------------------
for cmd in "gpt" "gpt train" "gpt sample" "gpt logprob" "gpt attention"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help > "$work/help" 2>&1 || fail "'$cmd --help' exit status $?"
  grep -qi "usage" "$work/help" || fail "'$cmd --help' prints no usage"
done
"$bin" gpt train --help | grep -q -- "--attention-bias" || fail "gpt train --help lacks --attention-bias"

# --- bad input ------------------------------------------------------------------------------------------------
t=(gpt train --out "$work/out.pt" --steps 5 "${small[@]}")
echo "1 -1 2 1 1 1" > "$work/bad.tsv"
expect_usage_error "missing data" "--data" "${t[@]}" --data "$work/none.tsv"
expect_usage_error "malformed data" "--data" "${t[@]}" --data "$work/bad.tsv"
expect_usage_error "wrong L" "--data" "${t[@]}" --data "$work/data.tsv" --L 8
expect_usage_error "validation of another L" "--val" "${t[@]}" --data "$work/data.tsv" --val "$work/data5.tsv"
expect_usage_error "lr = nan" "--lr" "${t[@]}" --data "$work/data.tsv" --lr nan
expect_usage_error "lr = inf" "--lr" "${t[@]}" --data "$work/data.tsv" --lr inf
expect_usage_error "lr < 0" "--lr" "${t[@]}" --data "$work/data.tsv" --lr -1
expect_usage_error "dropout 1" "--dropout" "${t[@]}" --data "$work/data.tsv" --dropout 1
expect_usage_error "d-model vs heads" "--d-model" "${t[@]}" --data "$work/data.tsv" --d-model 15
expect_usage_error "bad schedule" "--schedule" "${t[@]}" --data "$work/data.tsv" --schedule linear
expect_usage_error "bad bias" "--attention-bias" "${t[@]}" --data "$work/data.tsv" --attention-bias ring
expect_usage_error "torus on L = 6" "--attention-bias" "${t[@]}" --data "$work/data.tsv" --attention-bias torus
expect_usage_error "bad slope" "--bias-slope" "${t[@]}" --data "$work/data.tsv" --bias-slope fast
expect_usage_error "unknown flag" "--frobnicate" "${t[@]}" --data "$work/data.tsv" --frobnicate 3
expect_usage_error "resume without checkpoint" "--resume" "${t[@]}" --data "$work/data.tsv" --resume
expect_usage_error "unwritable --out" "--out" gpt train --data "$work/data.tsv" --out /nonexistent/dir/m.pt --steps 5
expect_usage_error "resume on other data" "--data" gpt train --data "$work/s.tsv" --out "$work/m.pt" --resume --quiet
echo "garbage" > "$work/junk.pt"
expect_usage_error "malformed checkpoint" "--model" gpt sample --model "$work/junk.pt" --out "$work/out.tsv"
expect_usage_error "missing checkpoint" "--model" gpt logprob --model "$work/none.pt" --configs "$work/s.tsv"
expect_usage_error "configs of wrong L" "--configs" gpt logprob --model "$work/m.pt" --configs "$work/data5.tsv"
expect_usage_error "n = 0" "--n" gpt sample --model "$work/m.pt" --n 0 --out "$work/out.tsv"
expect_usage_error "unwritable sample --out" "--out" gpt sample --model "$work/m.pt" --out /nonexistent/x.tsv
expect_usage_error "sample the literal model" "--model" gpt sample --model "$work/lit.pt" --out "$work/out.tsv"

finish "gpt CLI"

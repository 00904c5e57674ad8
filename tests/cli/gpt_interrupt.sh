#!/usr/bin/env bash
# Training keeps its work (issue 35): SIGINT or SIGTERM during `gpt train` ends it with a checkpoint and
# says so (exit status 128 + the signal), and --resume reads the data files from the checkpoint.
source "$(dirname "$0")/common.bash"
"$bin" ising sample --L 6 --T 1 --n 1000 --seed 1 --out "$work/data.tsv" 2> /dev/null || fail "ising sample"
small=(--d-model 16 --n-heads 2 --batch 32 --eval-every 10 --threads 1)

# --resume without --data continues with the checkpoint's data: the same model as an uninterrupted run
"$bin" gpt train --data "$work/data.tsv" --out "$work/whole.pt" --steps 30 "${small[@]}" --quiet || fail "train"
"$bin" gpt train --data "$work/data.tsv" --out "$work/part.pt" --steps 30 --stop-after 10 "${small[@]}" --quiet ||
  fail "stop-after"
"$bin" gpt train --out "$work/part.pt" --resume --threads 1 --quiet 2> "$work/resume.err" || fail "resume without --data: $(cat "$work/resume.err")"
"$bin" gpt logprob --model "$work/whole.pt" --configs "$work/data.tsv" --threads 1 > "$work/lp.whole"
"$bin" gpt logprob --model "$work/part.pt" --configs "$work/data.tsv" --threads 1 > "$work/lp.part"
cmp -s "$work/lp.whole" "$work/lp.part" || fail "resumed without --data: differs from the uninterrupted run"
# without --resume, --data is still required; a checkpoint that is not there is named
expect_usage_error "train without --data" "--data" gpt train --out "$work/out.pt" --steps 10
expect_usage_error "resume of nothing" "--resume" gpt train --out "$work/none.pt" --resume

step_of() {  # the training step a checkpoint's sidecar records
  python3 -c 'import json, sys
def find(j):
    if isinstance(j, dict):
        if isinstance(j.get("state"), dict) and "step" in j["state"]: return j["state"]["step"]
        for v in j.values():
            s = find(v)
            if s is not None: return s
print(find(json.load(open(sys.argv[1]))))' "$1.json"
}

for signal in INT TERM; do
  rm -f "$work/i.pt" "$work/i.pt.json"
  "$bin" gpt train --data "$work/data.tsv" --out "$work/i.pt" --steps 100000 "${small[@]}" 2> "$work/i.err" &
  pid=$!
  for _ in $(seq 1 600); do [[ -s "$work/i.pt.json" ]] && break; sleep 0.1; done  # the first segment's checkpoint
  [[ -s "$work/i.pt.json" ]] || fail "SIG$signal: no checkpoint after 60 s"
  kill -"$signal" "$pid"
  wait "$pid"
  status=$?
  expected=$((128 + $(kill -l "$signal")))
  [[ $status -eq $expected ]] || fail "SIG$signal: exit status $status, expected $expected ($(tail -2 "$work/i.err"))"
  line=$(grep "^SIG$signal: stopped at step" "$work/i.err")
  [[ -n $line ]] || fail "SIG$signal: no message saying where the checkpoint is: $(tail -3 "$work/i.err")"
  step=$(sed -n 's/^SIG[A-Z]*: stopped at step \([0-9]*\)\/100000 with a checkpoint in .*i\.pt; continue with: .*--resume$/\1/p' <<< "$line")
  [[ -n $step && $(step_of "$work/i.pt") == "$step" ]] ||
    fail "SIG$signal: message '$line' and checkpoint step $(step_of "$work/i.pt") disagree"
  ls "$work" | grep -q '\.tmp\.' && fail "SIG$signal: a temporary file was left"
  # and the run goes on from there
  "$bin" gpt train --out "$work/i.pt" --resume --stop-after 5 --threads 1 --quiet || fail "SIG$signal: resume"
  [[ $(step_of "$work/i.pt") == $((step + 5)) ]] || fail "SIG$signal: resumed to step $(step_of "$work/i.pt"), expected $((step + 5))"
done
finish gpt_interrupt

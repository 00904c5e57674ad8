#!/usr/bin/env bash
# `make chNN` for a chapter that does not exist says so in one line and exits with status 2 (issue 35:
# `make ch08` and `make ch1` said "No rule to make target 'rerun-ch08'" or looked for ch1.o).
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
for target in ch1 ch08 ch1x; do
  make -s -C "$root" "$target" > "$work/stdout" 2> "$work/stderr"
  status=$?
  [[ $status -ne 0 ]] || fail "make $target: exit status 0"
  grep -q "^make: \(there is no chapter\|chapters are named by two digits\)" "$work/stderr" ||
    fail "make $target: no one-line explanation: $(head -c 300 "$work/stderr")"
  grep -q "No rule to make target\|ch1\.o" "$work/stderr" && fail "make $target: $(head -c 300 "$work/stderr")"
done
grep -q "make ch01" <(make -s -C "$root" ch1 2>&1) || fail "make ch1 does not suggest make ch01"
finish make_targets

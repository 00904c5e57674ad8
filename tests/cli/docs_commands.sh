#!/usr/bin/env bash
# Every documented command runs (issue 35): scripts/check-docs runs the commands of README.md and of each
# chapter's "Rerun it" section, as written or as the cheap variant their test marker names. First, on
# small documents of its own, that the check can fail: a failing command, a block without a marker and a
# variant of another program each fail it, naming the document and the command.
source "$(dirname "$0")/common.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
check="$root/scripts/check-docs"
bindir=$(dirname "$bin")

mkdir -p "$work/doc/chapters/99-test"
cat > "$work/doc/README.md" <<'MD'
# A document

<!-- test
2: build/cmake/bin/spinformer ising exact --L 8 --T 2 --json
3: skip: a reason
-->
```
build/cmake/bin/spinformer ising exact --L 4 --T 1 > exact.json   # a comment
build/cmake/bin/spinformer ising exact --L 400000 --T 1
build/cmake/bin/spinformer ising exact --L 1
test -s exact.json && \
  grep -q "log Z" exact.json
```
MD
python3 "$check" --bin-dir "$bindir" "$work/doc/README.md" > "$work/ok.log" 2>&1 ||
  fail "a document whose commands pass: $(tail -5 "$work/ok.log")"
grep -q "3 commands ran, 0 failed, 1 not run here" "$work/ok.log" || fail "counts: $(tail -3 "$work/ok.log")"

cat > "$work/doc/chapters/99-test/text.md" <<'MD'
## Results

```
this block is not a command: only the Rerun section is checked
```

## Rerun it

<!-- test -->
```
build/cmake/bin/spinformer ising exact --L 8 --T 1 --json
build/cmake/bin/spinformer ising exact --L 8 --T -1 --json
```
MD
python3 "$check" --bin-dir "$bindir" "$work/doc/chapters/99-test/text.md" > "$work/fail.log" 2>&1
[[ $? -eq 1 ]] || fail "a failing documented command: exit status 0"
grep -q "^FAIL: .*chapters/99-test/text.md:[0-9]*: the documented command failed: build/cmake/bin/spinformer ising exact --L 8 --T -1 --json" \
  "$work/fail.log" || fail "the failure does not name the document and the command: $(cat "$work/fail.log")"
grep -q "not a command" "$work/fail.log" && fail "a block outside the Rerun section ran"

printf '## Rerun it\n\n```\nbuild/cmake/bin/spinformer ising exact --L 8 --T 1\n```\n' > "$work/doc/chapters/99-test/text.md"
python3 "$check" --bin-dir "$bindir" "$work/doc/chapters/99-test/text.md" > "$work/unmarked.log" 2>&1 &&
  fail "a block without a marker passed"
grep -q "text.md:3: a documented block without a test marker" "$work/unmarked.log" ||
  fail "unmarked block not named: $(cat "$work/unmarked.log")"

printf '## Rerun it\n\n<!-- test\n1: build/cmake/bin/spinformer sk at-line --h 0.3\n-->\n```\nbuild/cmake/bin/spinformer ising exact --L 8 --T 1\n```\n' \
  > "$work/doc/chapters/99-test/text.md"
python3 "$check" --bin-dir "$bindir" "$work/doc/chapters/99-test/text.md" > "$work/drift.log" 2>&1 &&
  fail "a variant of another command passed"
grep -q "does not start with 'build/cmake/bin/spinformer ising exact'" "$work/drift.log" ||
  fail "drifted variant not named: $(cat "$work/drift.log")"

# The documents themselves.
python3 "$check" --bin-dir "$bindir" > "$work/docs.log" 2>&1 || fail "documented commands: $(grep -A12 '^FAIL' "$work/docs.log" | head -60)"
tail -n 20 "$work/docs.log"
finish docs_commands

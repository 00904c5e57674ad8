# The exercise checker (scripts/check-exercises) against small files whose verdict is known: a good
# file passes; a wrong answer, a formula that disagrees, a failing command and a missing JSON key each
# fail with exit status 1 naming the exercise; a malformed block or a repeated exercise number is
# refused with exit status 2.
# Usage: bash tests/exercises/checker.sh PATH/TO/spinformer
set -u
bin_dir=$(cd "$(dirname "$1")" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check="python3 $here/../../scripts/check-exercises --bin $bin_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect NAME STATUS PATTERN FILE...: the checker's exit status and a line of its output
expect() {
  local name="$1" status="$2" pattern="$3"; shift 3
  $check "$@" > "$work/out" 2>&1
  local got=$?
  [[ $got -eq $status ]] || fail "$name: exit status $got, expected $status: $(cat "$work/out")"
  grep -q -- "$pattern" "$work/out" || fail "$name: output does not match '$pattern': $(cat "$work/out")"
}

expect "good file" 0 "2 answers computed in 1 files, 0 failed" "$here/good.md"
expect "wrong answer" 1 "FAIL: exercise bad.answer .*computed -0.76168.*stated answer is -0.7617846" "$here/bad-answer.md"
expect "wrong formula" 1 "FAIL: exercise bad.formula .*the formula gives -0.76159" "$here/bad-formula.md"
expect "failing command" 1 "FAIL: exercise bad.command .*the command failed (exit status 2)" "$here/bad-command.md"
expect "missing key" 1 "FAIL: exercise bad.key .*no number in the command's output at 'energy_per_site'" "$here/bad-command.md"
expect "malformed block" 2 "malformed.md:3.*give exactly one of 'tolerance' and 'rel-tolerance'" "$here/malformed.md"
expect "duplicate number" 2 "duplicate.md:10: exercise twice also at .*duplicate.md:3" "$here/duplicate.md"
# one bad file among good ones still fails the whole check
expect "good and bad together" 1 "FAIL: exercise bad.answer" "$here/good.md" "$here/bad-answer.md"
expect "unreadable file" 2 "check-exercises: .*no-such-file.md" "$work/no-such-file.md"
# a file with no exercise-check block is no evidence that the exercises were checked
printf '## no blocks here\n' > "$work/empty.md"
expect "no blocks" 1 "no exercise-check block found" "$work/empty.md"

if [[ $failures -eq 0 ]]; then echo "exercise checker: all passed"; exit 0; fi
echo "exercise checker: $failures failed"; exit 1

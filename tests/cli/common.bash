# Shared by the tests/cli/*.sh scripts (sourced, not run): a scratch folder, failure counting, and the
# bad-input contract of every spinformer command.
set -u
bin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_usage_error NAME PARAM ARGS...: exit status 2, one line on stderr naming PARAM, nothing on
# stdout, and no output file (out.tsv, out.pt and its sidecar) or temporary file left in $work.
expect_usage_error() {
  local name="$1" param="$2"; shift 2
  rm -f "$work/out.tsv" "$work/out.pt" "$work/out.pt.json"
  "$bin" "$@" > "$work/stdout" 2> "$work/stderr"
  local status=$?
  [[ $status -eq 2 ]] || fail "$name: exit status $status, expected 2 ($(head -c 300 "$work/stderr"))"
  [[ $(wc -l < "$work/stderr") -eq 1 ]] || fail "$name: expected one line on stderr, got: $(cat "$work/stderr")"
  grep -q -- "$param" "$work/stderr" || fail "$name: message does not name $param: $(cat "$work/stderr")"
  [[ ! -s "$work/stdout" ]] || fail "$name: partial output on stdout: $(head -c 300 "$work/stdout")"
  [[ ! -e "$work/out.tsv" && ! -e "$work/out.pt" && ! -e "$work/out.pt.json" ]] || fail "$name: left an output file"
  ls "$work" | grep -q '\.tmp' && fail "$name: left a temporary file"
}

# finish LABEL: the closing line and exit status.
finish() {
  if [[ $failures -eq 0 ]]; then echo "$1: all passed"; exit 0; fi
  echo "$1: $failures failed"; exit 1
}

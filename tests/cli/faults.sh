#!/usr/bin/env bash
# Faults in the job cache and around it (issue 29), on chapter 0's quick profile (seconds per run):
# a full jobs disk, a cached result edited by hand, truncated or emptied, a deleted cached file, two
# runs sharing one cache, an unwritable jobs folder, temporaries of a killed run, a cache reached
# through another spelling of --out, and hostile --workers values. Each ends in a clean one-line error
# or in a correct rerun whose outputs are byte for byte those of a clean run, never in a wrong number
# or an abort. Then make publish: only the files the last run of a chapter wrote (a mock chapter).
#
# The disk faults need mounts (a small tmpfs, a read-only bind mount): the test runs itself in a
# private mount namespace (unshare; as a normal user in a user namespace too), and skips those cases
# with a message where namespaces are not allowed.
if [[ -z ${FAULTS_IN_NAMESPACE:-} ]]; then
  for flags in -m -rm; do
    if unshare $flags true 2> /dev/null; then FAULTS_IN_NAMESPACE=1 exec unshare $flags bash "$0" "$@"; fi
  done
fi
source "$(dirname "$0")/common.bash"
dir=$(dirname "$bin")
ch00="$dir/ch00"
[[ -x $ch00 ]] || { fail "ch00 not built beside $bin"; finish faults; }
can_mount=0
if [[ -n ${FAULTS_IN_NAMESPACE:-} ]] && mkdir -p "$work/probe" && mount -t tmpfs -o size=1m tmpfs "$work/probe" 2> /dev/null; then
  umount "$work/probe" && can_mount=1
fi
(( can_mount )) || echo "faults: mounting is not allowed here: skipping the full-disk and read-only cases"

# run00 OUT [FLAGS...]: chapter 0, quick profile; stderr in OUT.log, the status in $status
run00() {
  local out=$1; shift
  mkdir -p "$out"
  "$ch00" --profile quick --out "$out" "$@" > "$out.stdout" 2> "$out.log"
  status=$?
}
# same_as_clean DIR LABEL: the same files as the clean run, byte for byte (sidecars apart from the
# fields that name the run: its path, time and wall time)
same_as_clean() {
  local d=$1 label=$2 f
  [[ $(cd "$d" && ls) == $(cd "$work/clean/ch00" && ls) ]] ||
    { fail "$label: other files than a clean run: $(cd "$d" && ls | tr '\n' ' ')"; return; }
  for f in $(cd "$work/clean/ch00" && ls); do
    if [[ $f == *.tsv.json ]]; then
      strip() { grep -v -e '"data_file":' -e '"finished_at":' -e '"wall_time_s":' "$1"; }
      diff <(strip "$work/clean/ch00/$f") <(strip "$d/$f") > /dev/null || fail "$label: sidecar $f differs from a clean run"
    else
      cmp -s "$work/clean/ch00/$f" "$d/$f" || fail "$label: $f differs from a clean run"
    fi
  done
}
# one_error LOG LABEL PATTERN: the run's last stderr line is its one error line, and names PATTERN
one_error() {
  local log=$1 label=$2 pattern=$3
  [[ $(grep -c 'error:' "$log") -eq 1 ]] || fail "$label: expected one error line: $(tail -3 "$log")"
  tail -1 "$log" | grep -q "^ch00: error: .*$pattern" || fail "$label: last line is not the error naming '$pattern': $(tail -2 "$log")"
  grep -q -e 'terminate called' -e 'Aborted' "$log" && fail "$label: aborted: $(tail -3 "$log")"
}
no_temporaries() {
  local found
  found=$(find "$1" -name '*.tmp.*' 2> /dev/null | head -3)
  [[ -z $found ]] || fail "$2: temporaries left: $found"
}

# --- the reference: a clean run -------------------------------------------------------------------
run00 "$work/clean/ch00"
(( status == 0 )) || { fail "clean run: exit $status: $(tail -2 "$work/clean/ch00.log")"; finish faults; }
jobs_of_clean=$(find "$work/clean/jobs/ch00" -mindepth 2 -maxdepth 2 -type d | wc -l)

# a copy of the clean run's cache (not its outputs) in a new workspace
cached_copy() {
  rm -rf "$work/$1" && mkdir -p "$work/$1" && cp -a "$work/clean/jobs" "$work/$1/"
}
a_result() { find "$work/$1/jobs/ch00/$2" -name result.json | LC_ALL=C sort | head -1; }

# --- cached results that are not what the engine wrote: run again, with one line each --------------
cached_copy edited
r=$(a_result edited samplers)
sed -E -i '0,/": [0-9]/s/": ([0-9])/": 5\1/' "$r"   # a number, 5 in front: still valid JSON
cmp -s "$r" "$work/clean/jobs/ch00/samplers/$(basename "$(dirname "$r")")/result.json" && fail "edited: the edit changed nothing"
run00 "$work/edited/ch00"
(( status == 0 )) || fail "edited result: exit $status: $(tail -2 "$work/edited/ch00.log")"
grep -q "samplers: cached job $(basename "$(dirname "$r")" | cut -c1-12) .*not trusted: result.json" "$work/edited/ch00.log" ||
  fail "edited result: no line naming the job and why: $(grep -v '\[.*\] .*jobs' "$work/edited/ch00.log" | head -3)"
same_as_clean "$work/edited/ch00" "edited result"

for spoil in truncated empty-object emptied; do
  cached_copy "$spoil"
  r=$(a_result "$spoil" equilibration)
  case $spoil in
    truncated) truncate -s 20 "$r" ;;
    empty-object) echo '{}' > "$r" ;;
    emptied) : > "$r" ;;
  esac
  run00 "$work/$spoil/ch00"
  (( status == 0 )) || fail "$spoil result: exit $status: $(tail -2 "$work/$spoil/ch00.log")"
  grep -q "not trusted" "$work/$spoil/ch00.log" || fail "$spoil result: not reported"
  same_as_clean "$work/$spoil/ch00" "$spoil result"
done

# a deleted cached file (job.json: the cached directory is no longer what was written)
cached_copy deleted
r=$(a_result deleted metropolis_bias)
rm "$(dirname "$r")/job.json"
run00 "$work/deleted/ch00"
(( status == 0 )) || fail "deleted file: exit $status: $(tail -2 "$work/deleted/ch00.log")"
grep -q "not trusted: job.json is missing" "$work/deleted/ch00.log" || fail "deleted file: not reported: $(head -3 "$work/deleted/ch00.log")"
[[ -f $(dirname "$r")/job.json ]] || fail "deleted file: the job was not written again"
same_as_clean "$work/deleted/ch00" "deleted file"

# --- the same cache through another spelling of --out: every job from the cache -------------------
cached_copy spelled
run00 "$work/spelled/ch00/."
(( status == 0 )) || fail "--out DIR/.: exit $status: $(tail -2 "$work/spelled/ch00/..log")"
[[ $(grep -c " cached, 0 to run" "$work/spelled/ch00/..log") -eq 5 ]] ||  # ch00's five kinds of job
  fail "--out DIR/. did not find the cache: $(grep cached "$work/spelled/ch00/..log")"
[[ ! -e $work/spelled/ch00/jobs ]] || fail "--out DIR/. made a cache inside the output folder"
echo not-a-folder > "$work/afile"
"$ch00" --profile quick --out "$work/afile" > /dev/null 2> "$work/afile.log"
status=$?
(( status == 2 )) || fail "--out a regular file: exit $status"
[[ $(cat "$work/afile.log") == "ch00: error: --out: '$work/afile' is not a directory" ]] ||
  fail "--out a regular file: $(cat "$work/afile.log")"

# --- hostile --workers values: refused as spinformer refuses them ---------------------------------
for value in 0x2 010 +2 " 2" -1 0 ""; do
  mkdir -p "$work/workers/ch00"
  "$ch00" --profile quick --workers "$value" --out "$work/workers/ch00" > /dev/null 2> "$work/workers.log"
  status=$?
  (( status == 2 )) || fail "--workers '$value': exit $status, expected 2"
  [[ $(wc -l < "$work/workers.log") -eq 1 ]] && grep -q -- "--workers" "$work/workers.log" ||
    fail "--workers '$value': expected one line naming --workers: $(head -3 "$work/workers.log")"
  [[ ! -e $work/workers/jobs ]] || fail "--workers '$value': jobs ran"
done

# --- temporaries of a killed run: swept by the next run -------------------------------------------
cached_copy killed
mkdir -p "$work/killed/ch00"
for f in results.json.tmp.4194305 observables.tsv.tmp.4194305; do echo half > "$work/killed/ch00/$f"; done
mkdir -p "$work/killed/jobs/ch00/samplers/0123456789abcdef.tmp.4194305.0"
run00 "$work/killed/ch00"
(( status == 0 )) || fail "after a killed run: exit $status"
no_temporaries "$work/killed" "after a killed run"
same_as_clean "$work/killed/ch00" "after a killed run"

# --- two runs sharing one cache (and one output folder): both finish, neither aborts ---------------
for try in 1 2 3; do
  rm -rf "$work/shared"
  mkdir -p "$work/shared/a" "$work/shared/ch00"
  "$ch00" --profile quick --workers 2 --out "$work/shared/ch00" > /dev/null 2> "$work/shared/one.log" &
  first=$!
  "$ch00" --profile quick --workers 2 --out "$work/shared/a" > /dev/null 2> "$work/shared/two.log" &
  second=$!
  "$ch00" --profile quick --workers 1 --out "$work/shared/ch00" > /dev/null 2> "$work/shared/three.log"
  s3=$?
  wait $first; s1=$?
  wait $second; s2=$?
  for s in $s1 $s2 $s3; do
    (( s == 0 )) || fail "two runs sharing a cache (try $try): exit $s: $(tail -1 "$work/shared/one.log") / $(tail -1 "$work/shared/two.log") / $(tail -1 "$work/shared/three.log")"
  done
  grep -q "in use by another process" "$work"/shared/*.log && fail "two runs sharing a cache: one refused as 'in use'"
  same_as_clean "$work/shared/ch00" "two runs sharing a cache (try $try, first output folder)"
  same_as_clean "$work/shared/a" "two runs sharing a cache (try $try, second output folder)"
  found=$(find "$work/shared/jobs/ch00" -mindepth 2 -maxdepth 2 -type d | wc -l)
  (( found == jobs_of_clean )) || fail "two runs sharing a cache: $found job directories, expected $jobs_of_clean"
  no_temporaries "$work/shared" "two runs sharing a cache"
done

if (( can_mount )); then
  # --- a full jobs disk: a clean error, and nothing poisoned: with space again, a correct rerun ------
  kb=$(du -sk "$work/clean/jobs" | cut -f1)
  mkdir -p "$work/full/jobs" "$work/full/ch00"
  mount -t tmpfs -o size=$(( kb / 2 ))k tmpfs "$work/full/jobs"
  run00 "$work/full/ch00"
  (( status == 1 )) || fail "full jobs disk: exit $status, expected 1: $(tail -2 "$work/full/ch00.log")"
  one_error "$work/full/ch00.log" "full jobs disk" "No space left on device"
  [[ ! -e $work/full/ch00/results.json ]] || fail "full jobs disk: results.json written"
  mount -o remount,size=$(( kb * 4 ))k "$work/full/jobs"
  run00 "$work/full/ch00"
  (( status == 0 )) || fail "full jobs disk, then space: exit $status: $(tail -2 "$work/full/ch00.log")"
  same_as_clean "$work/full/ch00" "full jobs disk, then space"
  no_temporaries "$work/full" "full jobs disk, then space"
  umount "$work/full/jobs"

  # --- an unwritable jobs folder: a clean error before any job; a complete cache is still read -------
  mkdir -p "$work/readonly/jobs" "$work/readonly/ch00"
  mount --bind "$work/readonly/jobs" "$work/readonly/jobs" && mount -o remount,bind,ro "$work/readonly/jobs"
  run00 "$work/readonly/ch00"
  (( status == 1 )) || fail "read-only jobs folder: exit $status, expected 1: $(tail -2 "$work/readonly/ch00.log")"
  one_error "$work/readonly/ch00.log" "read-only jobs folder" "cannot write the job cache: .*Read-only file system"
  [[ ! -e $work/readonly/ch00/results.json ]] || fail "read-only jobs folder: results.json written"
  umount "$work/readonly/jobs"
  cp -a "$work/clean/jobs/." "$work/readonly/jobs/"
  mount --bind "$work/readonly/jobs" "$work/readonly/jobs" && mount -o remount,bind,ro "$work/readonly/jobs"
  run00 "$work/readonly/ch00"
  (( status == 0 )) || fail "read-only complete cache: exit $status: $(tail -2 "$work/readonly/ch00.log")"
  same_as_clean "$work/readonly/ch00" "read-only complete cache"
  umount "$work/readonly/jobs"

  # --- an unwritable --out: a usage error (2), the cache untouched ----------------------------------
  mkdir -p "$work/roout/ch00"
  mount --bind "$work/roout/ch00" "$work/roout/ch00" && mount -o remount,bind,ro "$work/roout/ch00"
  run00 "$work/roout/ch00"
  (( status == 2 )) || fail "read-only --out: exit $status, expected 2: $(tail -2 "$work/roout/ch00.log")"
  tail -1 "$work/roout/ch00.log" | grep -q -- "--out" || fail "read-only --out: error does not name --out"
  umount "$work/roout/ch00"
fi

# --- make publish: exactly the files the chapter's last run wrote ---------------------------------
scripts="$(cd "$(dirname "$0")/../.." && pwd)/scripts"
mkdir -p "$work/repo" && cd "$work/repo"
mkdir -p build/cmake/bin chapters/98-mock/data
cat > build/cmake/bin/ch98 <<'EOF'
#!/usr/bin/env bash
# a chapter whose files depend on its configuration; a killed run of it left a temporary behind
if [[ $1 == --code-hash ]]; then echo hash-a; exit 0; fi
out=$4
for T in $MOCK_TEMPERATURES; do echo "$T" > "$out/corr_T$T.tsv"; done
sleep "${MOCK_SLEEP:-0}"
echo '{"L": 8}' > "$out/results.json"
EOF
printf '#!/usr/bin/env bash\nexit 0\n' > build/cmake/bin/spinformer   # runs replicate: not under test here
chmod +x build/cmake/bin/*
echo hash-old > chapters/98-mock/data/code_hash
git init -q . && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m mock
MOCK_TEMPERATURES="0.25 0.5" bash "$scripts/run-chapter" 98 paper build/paper > publish1.log 2>&1 || fail "mock run 1: $(tail -2 publish1.log)"
echo half > build/paper/ch98/results.json.tmp.99999      # a killed writer's temporary
MOCK_TEMPERATURES="0.5" REPRODUCE=1 bash "$scripts/run-chapter" 98 paper build/paper > publish2.log 2>&1 || fail "mock run 2: $(tail -2 publish2.log)"
echo late > build/paper/ch98/observables.tsv.tmp.4242   # and one left after it
bash "$scripts/publish-data" > publish.log 2>&1 || fail "publish-data: $(tail -2 publish.log)"
published=$(cd chapters/98-mock/data 2> /dev/null && ls | tr '\n' ' ')
[[ $published == "code_hash corr_T0.5.tsv provenance.json results.json " ]] ||
  fail "publish-data published '$published', expected this run's corr_T0.5.tsv and results.json with the stamps"

# two runs of the chapter at once (two make invocations): the second waits, neither empties the
# folder under the other
MOCK_SLEEP=2 MOCK_TEMPERATURES="1" REPRODUCE=1 bash "$scripts/run-chapter" 98 paper build/paper > concurrent1.log 2>&1 &
first=$!
sleep 0.5
MOCK_TEMPERATURES="1" REPRODUCE=1 bash "$scripts/run-chapter" 98 paper build/paper > concurrent2.log 2>&1 || fail "second concurrent run-chapter: $(tail -2 concurrent2.log)"
wait $first || fail "first concurrent run-chapter: $(tail -2 concurrent1.log)"
cat concurrent1.log concurrent2.log | grep -q "waiting for it" || fail "neither run-chapter waited for the other: $(cat concurrent2.log)"
[[ $(tr '\n' ' ' < build/paper/ch98/.outputs) == "corr_T1.tsv results.json " ]] ||
  fail "concurrent run-chapter: .outputs lists $(tr '\n' ' ' < build/paper/ch98/.outputs)"

finish faults

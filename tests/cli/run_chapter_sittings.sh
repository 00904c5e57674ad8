#!/usr/bin/env bash
# The wall time of a paper run resumed over several sittings (scripts/run-chapter): a sitting stopped by
# Ctrl-C (SIGINT to the process group) and one whose chapter binary is killed (SIGKILL) each add their
# seconds to the run that completes, in .wall_s and in the chapter's own results.json wall_minutes; so
# does a later rerun of the same sources from the cache. Forgetting the cached jobs, or a change of
# sources, starts the count afresh. The chapter is a mock that sleeps.
source "$(dirname "$0")/common.bash"
run_chapter="$(cd "$(dirname "$0")/../.." && pwd)/scripts/run-chapter"
cd "$work"
mkdir -p build/cmake/bin chapters/98-mock/data
cat > build/cmake/bin/ch98 <<'EOF'
#!/usr/bin/env bash
set -e
if [[ $1 == --code-hash ]]; then cat "$(dirname "$0")/hash"; exit 0; fi
echo $$ > "$4.pid"
sleep "${MOCK_SLEEP:-1}"
printf '{\n  "L": 8,\n  "wall_minutes": "0.0"\n}\n' > "$4/results.json"
EOF
printf '#!/usr/bin/env bash\nexit 0\n' > build/cmake/bin/spinformer   # runs replicate: not under test here
chmod +x build/cmake/bin/*
echo hash-a > build/cmake/bin/hash
echo hash-a > chapters/98-mock/data/code_hash
echo '{}' > chapters/98-mock/data/results.json
sittings=build/paper/jobs/ch98/.sittings
wait_for_pid() { for _ in $(seq 1 100); do [[ -s build/paper/ch98.pid ]] && return; sleep 0.1; done; fail "the mock chapter did not start"; }

# sitting 1: Ctrl-C after about 2 s (job control gives the run its own process group, and SIGINT its default)
set -m
MOCK_SLEEP=60 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s1.log 2>&1 &
group=$!
set +m
wait_for_pid; sleep 2
kill -INT -- -$group; wait $group 2>/dev/null
rm -f build/paper/ch98.pid
[[ $(wc -l < $sittings) -eq 2 ]] || fail "after SIGINT, expected the hash and one sitting in $sittings: $(cat $sittings)"
# sitting 2: the chapter binary is killed after about 1 s
MOCK_SLEEP=60 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s2.log 2>&1 &
runner=$!
wait_for_pid; sleep 1
kill -KILL "$(cat build/paper/ch98.pid)"; wait $runner 2>/dev/null
[[ $(wc -l < $sittings) -eq 3 ]] || fail "after SIGKILL of the chapter, expected two sittings in $sittings: $(cat $sittings)"
[[ ! -f build/paper/ch98/results.json ]] || fail "an interrupted sitting left results.json"
earlier=$(tail -n +2 $sittings | awk '{ s += $1 } END { print s }')
(( earlier >= 3 )) || fail "two sittings of at least 2 s and 1 s recorded as $earlier s"
# sitting 3 completes: its own second or so plus the two before
MOCK_SLEEP=1 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s3.log 2>&1 || fail "the completing sitting failed: $(cat s3.log)"
wall=$(cat build/paper/ch98/.wall_s)
(( wall >= earlier + 1 && wall <= earlier + 5 )) || fail "wall time $wall s, expected the earlier $earlier s plus this sitting's ~1 s"
expected_minutes=$(awk -v s="$wall" 'BEGIN { printf "%.1f", s / 60 }')
grep -q "\"wall_minutes\": \"$expected_minutes\"" build/paper/ch98/results.json \
  || fail "results.json wall_minutes not the summed $expected_minutes: $(cat build/paper/ch98/results.json)"
grep -q "over 3 sittings" s3.log || fail "the completing sitting did not say it summed 3 sittings: $(cat s3.log)"
# a rerun of the same sources (all its jobs from the cache) adds its own few seconds
MOCK_SLEEP=0 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s4.log 2>&1 || fail "the rerun failed: $(cat s4.log)"
again=$(cat build/paper/ch98/.wall_s)
(( again >= wall && again <= wall + 1 )) || fail "a rerun from the cache reported $again s, expected the $wall s that made the data"
grep -q "over 4 sittings" s4.log || fail "the rerun did not count 4 sittings: $(cat s4.log)"
# make clean-jobs forgets the ledger with the jobs
rm -rf build/paper/jobs
MOCK_SLEEP=0 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s5.log 2>&1 || fail "the run after clean-jobs failed"
(( $(cat build/paper/ch98/.wall_s) <= 1 )) || fail "sittings counted after the cached jobs were removed: $(cat build/paper/ch98/.wall_s) s"

# changed sources between sittings: the interrupted sitting of the old sources does not count
rm -f build/paper/ch98.pid
MOCK_SLEEP=60 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s6.log 2>&1 &
runner=$!
wait_for_pid; sleep 2
kill -KILL "$(cat build/paper/ch98.pid)"; wait $runner 2>/dev/null
echo hash-b > build/cmake/bin/hash
MOCK_SLEEP=0 REPRODUCE=1 bash "$run_chapter" 98 paper build/paper > s7.log 2>&1 || fail "the run of new sources failed: $(cat s7.log)"
(( $(cat build/paper/ch98/.wall_s) <= 1 )) || fail "a sitting of older sources was counted: wall $(cat build/paper/ch98/.wall_s) s"
grep -q "sittings" s7.log && fail "the run of new sources claimed earlier sittings: $(cat s7.log)"
finish "run-chapter wall time over sittings"

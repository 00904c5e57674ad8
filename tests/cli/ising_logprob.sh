#!/usr/bin/env bash
# `spinformer ising logprob` (issue 35): the exact log p_T(s) = -H(s)/T - ln Z of given configurations,
# checked against brute-force enumeration of all 2^L states (H summed bond by bond, Z summed state by
# state), for the ring and the open chain, with and without a field, ferro- and antiferromagnetic;
# exp(log p) must sum to 1 over the 2^L states. Bad input: one line naming the parameter, exit 2.
source "$(dirname "$0")/common.bash"

check() {  # check L J h T BOUNDARY: every state of the chain, through a file and through stdin
  local L=$1 J=$2 h=$3 T=$4 boundary=$5
  python3 -c "
import itertools
for s in itertools.product((1, -1), repeat=$L): print(' '.join('%+d' % x for x in s))" > "$work/states.txt"
  "$bin" ising logprob --L "$L" --J "$J" --h "$h" --T "$T" --boundary "$boundary" --configs "$work/states.txt" \
    > "$work/file.out" || { fail "logprob $*: failed"; return; }
  "$bin" ising logprob --L "$L" --J "$J" --h "$h" --T "$T" --boundary "$boundary" < "$work/states.txt" \
    > "$work/stdin.out" || { fail "logprob $* from stdin: failed"; return; }
  cmp -s "$work/file.out" "$work/stdin.out" || fail "logprob $*: stdin and --configs differ"
  python3 - "$work/states.txt" "$work/file.out" "$L" "$J" "$h" "$T" "$boundary" <<'PY' || fail "logprob $*: disagrees with enumeration"
import math, sys
states = [[int(x) for x in l.split()] for l in open(sys.argv[1])]
rows = [[float(x) for x in l.split()] for l in open(sys.argv[2]) if not l.startswith("#")]
L, J, h, T, ring = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7] == "periodic"
def H(s):
    bonds = range(L) if ring else range(L - 1)
    return -J * sum(s[i] * s[(i + 1) % L] for i in bonds) - h * sum(s)
weights = [-H(s) / T for s in states]
top = max(weights)
log_z = top + math.log(sum(math.exp(w - top) for w in weights))
assert len(rows) == len(states) == 2 ** L
for s, w, (log_p, per_spin, energy) in zip(states, weights, rows):
    assert abs(energy - H(s)) <= 1e-12 * (1 + abs(energy)), (s, energy, H(s))
    assert abs(log_p - (w - log_z)) <= 1e-10 * (1 + abs(log_p)), (s, log_p, w - log_z)
    assert abs(per_spin - log_p / L) <= 1e-12 * (1 + abs(per_spin)), (s, per_spin)
total = math.fsum(math.exp(r[0]) for r in rows)
assert abs(total - 1) < 1e-12, total
PY
}
check 5 1 0 1 periodic
check 5 1 0 1 open
check 6 1 0.3 0.5 periodic
check 7 -0.7 0.4 2 open
check 8 1.5 -0.2 0.8 periodic
check 2 1 0.5 1 periodic   # the ring of two: both bonds join the same pair

# --json: the same numbers, and ln Z is the one `ising exact` prints
printf '1 -1 1 1 -1\n' > "$work/one.txt"
python3 - "$("$bin" ising logprob --L 5 --T 0.7 --h 0.2 --configs "$work/one.txt" --json)" \
  "$("$bin" ising exact --L 5 --T 0.7 --h 0.2 --json)" <<'PY' || fail "logprob --json: bad shape, or ln Z differs from ising exact"
import json, sys
j, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert len(j["log_p"]) == len(j["log_p_per_spin"]) == len(j["energy"]) == 1
assert j["log_z"] == e["log_z"], (j["log_z"], e["log_z"])
assert abs(j["log_p"][0] - (-j["energy"][0] / 0.7 - j["log_z"])) < 1e-12
PY

printf '1 1 1\n1 1 1 1\n' > "$work/short.txt"
expect_usage_error "a row of the wrong length" --configs ising logprob --L 3 --configs "$work/short.txt"
printf '1 1 0 1\n' > "$work/zero.txt"
expect_usage_error "a value not +-1" --configs ising logprob --L 4 --configs "$work/zero.txt"
printf '1 1 1 1\n1 1 1 2\n' > "$work/two.txt"
expect_usage_error "a bad value in a later row (no partial output)" --configs ising logprob --L 4 --configs "$work/two.txt"
printf '# nothing\n\n' > "$work/empty.txt"
expect_usage_error "no configurations" --configs ising logprob --L 4 --configs "$work/empty.txt"
expect_usage_error "a missing file" --configs ising logprob --L 4 --configs "$work/none.txt"
expect_usage_error "T = nan" --T ising logprob --L 4 --T nan --configs "$work/zero.txt"
expect_usage_error "T = inf" --T ising logprob --L 4 --T inf --configs "$work/zero.txt"
expect_usage_error "T = 0" --T ising logprob --L 4 --T 0 --configs "$work/zero.txt"
expect_usage_error "L = 1" --L ising logprob --L 1 --configs "$work/zero.txt"
finish "ising_logprob"

#!/usr/bin/env bash
# spinformer ising2d table-baseline: the lookup-table baseline of chapter 6's KL thresholds. Its KL at
# T_c on the 8 x 8 torus lies where the referee of issue 33 found it (about 0.022 nats per spin; a
# table over three earlier neighbours cannot be the Boltzmann distribution, nor be far from it), a
# larger context lowers it, the same seed gives the same bytes, and bad input is one line with exit 2.
source "$(dirname "$0")/common.bash"

run() { "$bin" ising2d table-baseline --L 8 --train 4000 --test 4000 --json "$@"; }
kl() { python3 -c 'import json,sys; print(json.load(sys.stdin)["kl_per_spin"])'; }
small=$(run --seed 3 | kl) || fail "table-baseline at T_c failed"
python3 -c "import sys; k=float(sys.argv[1]); sys.exit(0 if 0.015 < k < 0.035 else 1)" "$small" ||
  fail "KL/N at T_c = $small, expected in (0.015, 0.035)"
large=$(run --seed 3 --context left,up,up-right,up-left,right,down | kl) || fail "larger context failed"
python3 -c "import sys; sys.exit(0 if float(sys.argv[2]) < 0.8 * float(sys.argv[1]) else 1)" "$small" "$large" ||
  fail "a larger context should fit better: $large against $small"
[[ $(run --seed 3) == $(run --seed 3) ]] || fail "same seed, different output"

expect_usage_error "unknown neighbour" --context ising2d table-baseline --context left,diagonal
expect_usage_error "T <= 0" --T ising2d table-baseline --T 0
expect_usage_error "no test" --test ising2d table-baseline --test 1
expect_usage_error "unknown flag" --bogus ising2d table-baseline --bogus 1
finish ising2d_table_baseline

#!/usr/bin/env bash
# Outputs a reader can trust at a glance (issue 35): `glass mcmc --json` prints a summary (the N x D
# magnetisations only with --full) and warns on stderr when R-hat says the chains have not mixed;
# `glass kinetic-scan` prints chapter 3's rms errors (noise subtracted), labelled, not MSEs.
source "$(dirname "$0")/common.bash"

# --- mcmc: summary by default, m behind --full ------------------------------------------------------
mc=(glass mcmc --N 8 --D 6 --beta 2 --thin 100 --chains 4)
"$bin" "${mc[@]}" --steps 200000 --json > "$work/summary.json" 2> "$work/summary.err" || fail "mcmc --json failed"
"$bin" "${mc[@]}" --steps 200000 --json --full > "$work/full.json" 2> /dev/null || fail "mcmc --json --full failed"
python3 - "$work/summary.json" "$work/full.json" <<'PY' || fail "mcmc: summary or --full output wrong"
import json, sys
text = open(sys.argv[1]).read()
s, f = json.loads(text), json.load(open(sys.argv[2]))
assert "m" not in s, "the default summary carries m"
assert len(text) < 4000, len(text)
assert len(f["m"]) == 8 and all(len(row) == 6 for row in f["m"]), "--full: m is not N rows of D"
del f["m"]
# the same run: the summary is the full output less m (timings aside)
for c in s["per_chain"] + f["per_chain"]: del c["seconds"]
assert s == f, (s, f)
PY
# --- mcmc: a warning exactly when R-hat exceeds 1.1 -------------------------------------------------
python3 - "$work/summary.json" <<'PY' || fail "mcmc: the long run was meant to mix (R-hat <= 1.1)"
import json, sys
s = json.load(open(sys.argv[1])); assert s["r_hat_energy"] <= 1.1 and s["r_hat_alignment"] <= 1.1, s
PY
[[ ! -s $work/summary.err ]] || fail "mcmc: mixed chains, yet stderr says: $(cat "$work/summary.err")"
"$bin" "${mc[@]}" --steps 2000 --json > "$work/short.json" 2> "$work/short.err" || fail "mcmc: a short run failed"
python3 - "$work/short.json" <<'PY' || fail "mcmc: the short run was meant not to mix (R-hat > 1.1)"
import json, sys
s = json.load(open(sys.argv[1])); assert max(s["r_hat_energy"], s["r_hat_alignment"]) > 1.1, s
PY
[[ $(wc -l < "$work/short.err") -eq 1 ]] && grep -q "warning: R-hat above 1.1 (.*): the chains have not mixed" "$work/short.err" \
  || fail "mcmc: unmixed chains without one warning line: $(cat "$work/short.err")"
"$bin" "${mc[@]}" --steps 2000 > /dev/null 2> "$work/short_text.err"
grep -q "warning: R-hat above 1.1" "$work/short_text.err" || fail "mcmc: no warning in the text output"

# --- kinetic-scan: rms errors, labelled, equal to sqrt(MSE - noise) of the same run -----------------
ks=(glass kinetic-scan --N 4 --D 4 --betas 0.5,2 --eps 0,1 --draws 1 --runs 50 --steps 3)
"$bin" "${ks[@]}" > "$work/scan.txt" || fail "kinetic-scan failed"
"$bin" "${ks[@]}" --json > "$work/scan.json" || fail "kinetic-scan --json failed"
head -1 "$work/scan.txt" | grep -q "rms per component" || fail "kinetic-scan: the table does not say its errors are rms: $(head -2 "$work/scan.txt")"
python3 - "$work/scan.txt" "$work/scan.json" <<'PY' || fail "kinetic-scan: printed errors are not rms = sqrt(max(MSE - noise, 0))"
import json, math, sys
lines = [l.split() for l in open(sys.argv[1]) if not l.startswith("#")]
header, body = lines[0], lines[1:]
rows = json.load(open(sys.argv[2]))["rows"]
assert len(body) == len(rows) == 4
cols = {"rms-nMF-B": "nmf_bessel", "rms-nMF-lD": "nmf_large_d", "rms-TAP-B": "tap_bessel", "rms-TAP-lD": "tap_large_d",
        "rms-2nd": "second_order"}
for printed, r in zip(body, rows):
    for label, name in cols.items():
        want = math.sqrt(max(r["mse_" + name] - r["noise"], 0.0))   # one draw: no averaging
        got = float(printed[header.index(label)])
        assert abs(got - want) <= 1e-3 * want + 1e-12, (label, got, want)
        assert abs(r["rms_" + name] - want) <= 1e-12 * (1 + want), (name, r["rms_" + name], want)
    assert float(printed[header.index("noise-rms")]) == float(f'{math.sqrt(r["noise"]):.2e}')
PY
finish "glass_summaries"

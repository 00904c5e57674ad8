#!/usr/bin/env bash
# Clean provenance (issue 35): `make publish` (scripts/publish-data) refuses a chapter run whose files
# name a commit with uncommitted changes (git_commit ending in -dirty, in a sidecar or results.json),
# naming the chapter and the remedy, with exit status 2 and nothing copied for any chapter; runs whose
# files name a clean commit, "unknown" or none at all (outside a git checkout) still publish.
source "$(dirname "$0")/common.bash"
repo=$(cd "$(dirname "$0")/../.." && pwd)

mkdir -p "$work/repo/scripts" "$work/repo/build/cmake/bin" "$work/repo/chapters/08-clean/data" "$work/repo/chapters/09-test/data"
cp "$repo/scripts/publish-data" "$work/repo/scripts/"
cd "$work/repo"
printf '#!/usr/bin/env bash\nexit 0\n' > build/cmake/bin/spinformer   # criteria check: not under test here
for nn in 08 09; do printf '#!/usr/bin/env bash\necho hash-%s\n' $nn > build/cmake/bin/ch$nn; done
chmod +x build/cmake/bin/*
echo committed > chapters/08-clean/data/marker && echo committed > chapters/09-test/data/marker
run() {  # run NN COMMIT_OF_SIDECAR RESULTS_JSON: a finished paper-profile run of chapter NN
  local out=build/paper/ch$1
  rm -rf "$out" && mkdir -p "$out"
  printf 'x\n1\n' > "$out/table.tsv"
  printf '{\n  "program": "ch%s",\n  "git_commit": "%s",\n  "seed": 1\n}\n' "$1" "$2" > "$out/table.tsv.json"
  echo "$3" > "$out/results.json"
  printf '{"git_commit": "0123abc-dirty"}\n' > "$out/model.pt.json"   # a model sidecar is never published
  printf 'model.pt.json\nresults.json\ntable.tsv\ntable.tsv.json\n' > "$out/.outputs"
  echo hash-$1 > "$out/.code_hash"
}
publish() { bash scripts/publish-data > "$work/publish.out" 2> "$work/publish.err"; status=$?; }
unchanged() {  # neither chapter's committed data touched
  for d in chapters/08-clean/data chapters/09-test/data; do
    [[ $(ls "$d") == marker ]] || fail "$1: $d now holds $(ls "$d" | tr '\n' ' ')"
  done
  ls chapters/*/ | grep -q '\.tmp' && fail "$1: left a temporary folder"
}

# a sidecar made in a dirty tree: refused, naming the chapter, the commit and the remedy; nothing copied
run 08 unknown '{"L": 8}'
run 09 4f5e6d7c8b9a-dirty '{"L": 8}'
publish
(( status == 2 )) || fail "dirty sidecar: exit status $status, expected 2 ($(cat "$work/publish.err"))"
grep -q "ch09: refused: table.tsv.json name commit 4f5e6d7c8b9a-dirty" "$work/publish.err" \
  || fail "dirty sidecar: the refusal does not name the chapter, file and commit: $(cat "$work/publish.err")"
grep -q "commit, then rerun it (make ch09" "$work/publish.err" || fail "dirty sidecar: no remedy: $(cat "$work/publish.err")"
grep -q "ch08" "$work/publish.err" && fail "dirty sidecar: the clean chapter 8 was blamed: $(cat "$work/publish.err")"
unchanged "dirty sidecar"

# results.json naming a dirty commit (nested, as a Config echo would) is refused too
run 09 4f5e6d7c8b9a '{"config": {"git_commit": "aaaa1111-dirty"}, "L": 8}'
publish
(( status == 2 )) || fail "dirty results.json: exit status $status, expected 2"
grep -q "ch09: refused: results.json name commit aaaa1111-dirty" "$work/publish.err" \
  || fail "dirty results.json: $(cat "$work/publish.err")"
unchanged "dirty results.json"

# clean commits, "unknown" and no git_commit at all publish; the model's dirty sidecar is not published
run 09 4f5e6d7c8b9a '{"L": 8}'
publish
(( status == 0 )) || fail "clean run: exit status $status ($(cat "$work/publish.out" "$work/publish.err"))"
for nn in 08-clean 09-test; do
  [[ $(ls chapters/$nn/data | tr '\n' ' ') == "code_hash provenance.json results.json table.tsv table.tsv.json " ]] \
    || fail "clean run: chapters/$nn/data holds $(ls chapters/$nn/data | tr '\n' ' ')"
done
grep -q '"commit": "unknown"' chapters/09-test/data/provenance.json \
  || fail "outside git, provenance names $(grep -o '"commit": "[^"]*"' chapters/09-test/data/provenance.json)"

# in a git checkout: provenance.json names the publishing commit, clean for every chapter (publishing
# chapter 8 changes chapters/, which must not make chapter 9's stamp -dirty)
git init -q . && git add -A chapters scripts && git -c user.email=t@t -c user.name=t commit -qm clean
head=$(git rev-parse HEAD)
run 08 "$head" '{"L": 8}'
run 09 "$head" '{"L": 8}'
publish
(( status == 0 )) || fail "git: exit status $status ($(cat "$work/publish.err"))"
for nn in 08-clean 09-test; do
  grep -q "\"commit\": \"$head\"" chapters/$nn/data/provenance.json \
    || fail "git: chapters/$nn provenance names $(grep -o '"commit": "[^"]*"' chapters/$nn/data/provenance.json), expected $head"
done
finish "publish_provenance"

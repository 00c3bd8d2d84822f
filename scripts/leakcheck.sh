#!/usr/bin/env bash
# `make leakcheck`: the core's test binaries and the Python bad-input catalogue under
# valgrind --leak-check=full. Fails on any definite leak or memory error. Bounded in time:
# each run gets LEAKCHECK_SECONDS (default 600) before it counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${LEAKCHECK_SECONDS:-600}"
command -v valgrind >/dev/null || { echo "leakcheck: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

vg=(valgrind --quiet --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --error-exitcode=99)

# Rust: build the core's test binaries, then run each under valgrind. The 100 MiB catalogue rows
# are skipped here (valgrind runs them ~50x slower); they run in `make test`.
mapfile -t bins < <(cargo test -p hookseal --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])')
for bin in "${bins[@]}"; do
  echo "== valgrind $(basename "$bin")"
  HOOKSEAL_SKIP_HUGE=1 PROPTEST_CASES=32 timeout "$limit" "${vg[@]}" "$bin" --quiet --test-threads=1
done

# Python: the bad-input catalogue through the extension module (only test_vectors.py, which
# imports nothing but hookseal). CPython itself is not valgrind-clean (a pyenv build reports
# invalid reads in its own object code), so here the gate is: no definite leak, and no error
# report whose stack passes through the hookseal extension.
echo "== valgrind python bad-input catalogue"
log=$(mktemp)
HOOKSEAL_SKIP_HUGE=1 PYTHONMALLOC=malloc timeout "$limit" valgrind --quiet --leak-check=full \
  --show-leak-kinds=definite --log-file="$log" .venv/bin/python -m pytest -q -p no:cacheprovider \
  bindings-python/tests/test_vectors.py -k "bad_input"
if grep -q "_hookseal" "$log"; then
  grep -B3 -A20 "_hookseal" "$log" | head -60
  echo "leakcheck: valgrind reports an error or leak inside the hookseal extension" >&2
  exit 1
fi
if grep -q "definitely lost in" "$log"; then
  grep -A12 "definitely lost in" "$log" | head -40
  echo "leakcheck: definite leak under the Python catalogue" >&2
  exit 1
fi
rm -f "$log"
echo "leakcheck: no definite leaks, no memory errors in hookseal code"

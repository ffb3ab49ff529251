#!/usr/bin/env bash
# Runs every test of pg_crm and ends with one line: "N passed, N failed".
#   1. GoogleTest unit tests of src/core (CMake + ctest), then again under
#      ASan + UBSan + LeakSanitizer
#   2. the extension built and installed with PGXS, a fresh throwaway cluster
#   3. pg_regress (make installcheck: sql/ + expected/)
#   4. pgTAP suites (pg_prove test/pgtap/*.sql)
#   5. integration tests (test/integration/*.sh), the server-log check last,
#      then the crash-injection tests (test/crash/*.sh), which kill backends
#   6. every libFuzzer target (test/fuzz/fuzz_*.cpp) for FUZZ_SECONDS each
#      (default 15) on a copy of its seed corpus; bench/fuzz.sh runs them long
# As root on Debian 12 it installs its own packages first.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
report() { echo "== $1: $2 passed, $3 failed"; passed=$((passed + $2)); failed=$((failed + $3)); }
die() { echo "test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

tools/install-deps.sh || die "dependencies could not be installed"

# 1. Unit tests.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >build.log 2>&1 && cmake --build build -j"$jobs" >>build.log 2>&1 \
  || { tail -40 build.log; die "core build failed (build.log)"; }
(cd build && ctest -j"$jobs" --output-on-failure) | tee build/ctest.out | tail -3
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build/ctest.out)
nfail=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' build/ctest.out)
[ -n "$total" ] || die "ctest printed no summary"
report "unit (ctest)" $((total - nfail)) "$nfail"

# 1b. The same unit tests under AddressSanitizer, UndefinedBehaviorSanitizer
# and LeakSanitizer (ASan's leak check runs at exit of each test binary).
cmake -S . -B build-asan -DCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >>build.log 2>&1 \
  && cmake --build build-asan -j"$jobs" >>build.log 2>&1 || { tail -40 build.log; die "sanitizer build failed (build.log)"; }
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest -j"$jobs" --output-on-failure) \
  | tee build-asan/ctest.out | tail -3
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build-asan/ctest.out)
nfail=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' build-asan/ctest.out)
[ -n "$total" ] || die "ctest (sanitizers) printed no summary"
report "unit (ASan+UBSan+LSan)" $((total - nfail)) "$nfail"

# 2. Extension and cluster.
make -j"$jobs" >>build.log 2>&1 || { tail -40 build.log; die "extension build failed (build.log)"; }
make install >>build.log 2>&1 || die "make install failed (build.log)"
tools/cluster.sh destroy test
tools/cluster.sh start test || die "test cluster did not start"
trap 'tools/cluster.sh stop test' EXIT
eval "$(tools/cluster.sh env test)"
files=$(tools/cluster.sh files test)
# The server reads fixtures from its own directory (crm.allowed_read_paths):
# a fresh clone may sit in a directory the postgres user cannot enter.
cp -r test/fixtures/. "$files/"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$files"

# The mock API server of the API tests, on the loopback port the test
# cluster's crm.allowed_hosts names.
python3 test/mock/api_server.py --port 58080 >mock.log 2>&1 &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null; tools/cluster.sh stop test' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/58080) 2>/dev/null && break; sleep 0.1; done

# 3. pg_regress.
make installcheck >regress.log 2>&1
cat regress.log | grep -E '^(test|ok|not ok| *[0-9]+ of|All)' || true
[ -f regression.diffs ] && head -60 regression.diffs
rtotal=$(ls sql/*.sql | wc -l)
rfail=$(grep -cE '\.\.\. FAILED|^not ok' regress.log || true)
report "pg_regress" $((rtotal - rfail)) "$rfail"

# 4. pgTAP.
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS pgtap" -c "CREATE EXTENSION IF NOT EXISTS unaccent" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE" >/dev/null
pg_prove --ext .sql test/pgtap/ >pgtap.log 2>&1
tail -4 pgtap.log
ttotal=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' pgtap.log)
[ -n "$ttotal" ] || { cat pgtap.log; die "pg_prove printed no summary"; }
tfail=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' pgtap.log | awk -F'[ /]' '{s += $2} END {print s + 0}')
grep -q '^Result: PASS' pgtap.log || [ "$tfail" -gt 0 ] || tfail=1
report "pgTAP" $((ttotal - tfail)) "$tfail"

# 5. Integration tests, the server-log check last.
ipass=0; ifail=0
for t in $(ls test/integration/*.sh | grep -vE '/(lib|server_log_clean)\.sh$') test/integration/server_log_clean.sh; do
  if bash "$t"; then ipass=$((ipass + 1)); else ifail=$((ifail + 1)); fi
done
report "integration" "$ipass" "$ifail"

# 5b. Crash injection: tests that kill backends with SIGKILL on purpose, so
# they run after the server-log check (test/crash/*.sh).
cpass=0; cfail=0
for t in test/crash/*.sh; do
  if bash "$t"; then cpass=$((cpass + 1)); else cfail=$((cfail + 1)); fi
done
report "crash injection" "$cpass" "$cfail"

# 6. Fuzzing, briefly: every parser target must survive its seeds and a few
# seconds of mutations under ASan + UBSan.
fpass=0; ffail=0
if tools/fuzz.sh build >>build.log 2>&1; then
  for target in $(tools/fuzz.sh list); do
    if tools/fuzz.sh run "$target" "${FUZZ_SECONDS:-15}" >"build-fuzz/$target.log" 2>&1; then
      echo "ok - fuzz $target"; fpass=$((fpass + 1))
    else
      echo "not ok - fuzz $target"; tail -30 "build-fuzz/$target.log"; ffail=$((ffail + 1))
    fi
  done
else
  echo "not ok - fuzz build (build.log)"; ffail=1
fi
report "fuzz" "$fpass" "$ffail"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

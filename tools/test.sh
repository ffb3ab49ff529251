#!/usr/bin/env bash
# Runs every test of pg_crm and ends with one line: "N passed, N failed".
#   1. GoogleTest unit tests of src/core (CMake + ctest)
#   2. the extension built and installed with PGXS, a fresh throwaway cluster
#   3. pg_regress (make installcheck: sql/ + expected/)
#   4. pgTAP suites (pg_prove test/pgtap/*.sql)
#   5. integration tests (test/integration/*.sh) of the features
#   6. the reliability run (test/reliability/run): unit tests under ASan +
#      UBSan + LeakSanitizer, the extension under UBSan, every libFuzzer
#      target for FUZZ_SECONDS each (default 15), the malformed corpus, path
#      and SSRF cases, privileges (pgTAP, and tried as each role),
#      search_path capture, secret leaks, the ODBC client, concurrent
#      readers, the server-log check, then crash injection (it kills
#      backends on purpose); one row per check in its table
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

# 5. Integration tests of the features; those that try to break pg_crm's
# promises belong to the reliability run.
reliability_tests='/(lib|server_log_clean|malformed_corpus|path_cases|write_path_cases|search_path_capture|secret_leak_logged|concurrent_readers|privilege_matrix|odbc_client)\.sh$'
ipass=0; ifail=0
for t in $(ls test/integration/*.sh | grep -vE "$reliability_tests"); do
  if bash "$t"; then ipass=$((ipass + 1)); else ifail=$((ifail + 1)); fi
done
report "integration" "$ipass" "$ifail"

# 6. Reliability: its table, one row per check.
PG_CRM_TEST_READY=1 test/reliability/run | tee reliability.log
rpass=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' reliability.log | tail -1)
rfail=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' reliability.log | tail -1)
[ -n "$rpass" ] || { rpass=0; rfail=1; }
report "reliability" "$rpass" "$rfail"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

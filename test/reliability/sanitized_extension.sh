#!/usr/bin/env bash
# The extension built with AddressSanitizer and UndefinedBehaviorSanitizer
# (make SANITIZE=1) in a throwaway server of its own, running the whole
# pg_regress and pgTAP suites: every test passes and the server log holds no
# sanitizer report and no crashed backend. Then a heap overflow and undefined
# behaviour put there on purpose (crm._test_fault) must be reported: the
# sanitizers are really there.
#
# The build is installed into a relocated copy of the PostgreSQL installation
# (tools/cluster.sh: PG_CRM_PG_ROOT), so the system's pg_crm is left alone.
# The server preloads libasan, and nonls.c after it (see there: without it
# PostgreSQL 15 on Debian 12 deadlocks before main). Leak checking is off in
# the server (PostgreSQL frees memory by contexts, not one by one);
# LeakSanitizer runs on the core's unit tests.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cluster=test-asan
root=${PG_CRM_CLUSTERS:-/tmp/pg_crm}/asan-install
src=$root/src
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() { echo "# figures: inputs=${inputs:-0} events=0 failures=1"; echo "not ok - sanitized_extension: $*"; exit 1; }

rm -rf "$root"
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$src"
cp -a /usr/lib/postgresql/15 "$root/usr/lib/postgresql/"
cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
chmod 755 "$root"
# The tree as it is (tracked or not), without build products.
(cd "$repo" && tar cf - --exclude='./build*' --exclude='*.o' --exclude='*.so' --exclude='./.git' \
   --exclude='./results' --exclude='./tmp_check' .) | (cd "$src" && tar xf -)
make -C "$src" -j"$(nproc)" SANITIZE=1 >"$log" 2>&1 || fail "ASan build failed: $(tail -5 "$log")"
make -C "$src" install DESTDIR="$root" SANITIZE=1 >>"$log" 2>&1 || fail "install into $root failed"
cc -shared -fPIC -O2 -o "$root/libnonls.so" "$repo/test/reliability/nonls.c" || fail "could not build nonls.c"
libasan=$(cc -print-file-name=libasan.so)
[ -f "$libasan" ] || fail "libasan not found (gcc's libasan)"

export PG_CRM_PG_ROOT=$root
export PG_CRM_SERVER_ENV="LD_PRELOAD=$(readlink -f "$libasan"):$root/libnonls.so ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1"
"$repo/tools/cluster.sh" destroy "$cluster"
"$repo/tools/cluster.sh" start "$cluster" || fail "the $cluster cluster did not start"
trap 'PG_CRM_PG_ROOT=$root "$repo/tools/cluster.sh" destroy "$cluster"; rm -rf "$root" "$log"' EXIT
eval "$("$repo/tools/cluster.sh" env "$cluster")"
files=$("$repo/tools/cluster.sh" files "$cluster")
cp -r "$repo/test/fixtures/." "$files/"
[ "$(id -u)" -ne 0 ] || chown -R postgres "$files"
psql -X -q -c "CREATE EXTENSION pg_crm CASCADE" >/dev/null 2>&1 || fail "CREATE EXTENSION failed in $cluster"
[ "$(psql -X -Atqc "SELECT crm_build_info() ->> 'build_type'")" = asan ] || fail "the cluster does not run the ASan build"

# The API tests need the mock on 58080 (the test-* clusters allow it).
if ! (exec 3<>/dev/tcp/127.0.0.1/58080) 2>/dev/null; then
  python3 "$repo/test/mock/api_server.py" --port 58080 >/dev/null 2>&1 &
  mock=$!
  trap 'kill $mock 2>/dev/null; PG_CRM_PG_ROOT=$root "$repo/tools/cluster.sh" destroy "$cluster"; rm -rf "$root" "$log"' EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/58080) 2>/dev/null && break; sleep 0.1; done
fi

make -C "$src" installcheck >"$log" 2>&1 || true
regress=$(ls "$src"/sql/*.sql | wc -l)
regress_failed=$(grep -cE '\.\.\. FAILED|^not ok' "$log" || true)
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS pgtap" -c "CREATE EXTENSION IF NOT EXISTS unaccent" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE" >/dev/null 2>&1
(cd "$src" && pg_prove --ext .sql test/pgtap/) >"$log" 2>&1 || true
tap=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$log")
[ -n "$tap" ] || fail "pg_prove printed no summary: $(tail -5 "$log")"
tap_failed=$( (grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$log" || true) | awk -F'[ /]' '{s += $2} END {print s + 0}')
grep -q '^Result: PASS' "$log" || [ "$tap_failed" -gt 0 ] || tap_failed=1
inputs=$((regress + tap))
server_log=$("$repo/tools/cluster.sh" log "$cluster")
reports() { grep -cE 'runtime error:|terminated by signal|AddressSanitizer' "$server_log" || true; }
reports=$(reports)
lines=$(wc -l <"$server_log")
# The sanitizers are really there: faults on purpose are reported (the
# heap overflow aborts its backend; the server restarts it).
psql -X -Atqc "SELECT crm._test_fault('undefined_shift')" >/dev/null 2>&1 || true
psql -X -Atqc "SELECT crm._test_fault('heap_overflow_read')" >/dev/null 2>&1 || true
for _ in $(seq 100); do grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$server_log" && break; sleep 0.1; done
# The overflow crashed the server on purpose: let it finish its crash
# recovery before the exit trap stops it. A fast shutdown requested in the
# middle of that recovery was seen to leave the postmaster waiting forever
# (PostgreSQL 15.20 under ASan), and the row failed on "server does not shut down".
for _ in $(seq 300); do psql -X -Atqc "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
caught=0
grep -q 'runtime error: shift exponent' "$server_log" && caught=$((caught + 1))
grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$server_log" && caught=$((caught + 1))
failures=$((regress_failed + tap_failed + reports + 2 - caught))
echo "# figures: inputs=$inputs events=2 failures=$failures"
[ "$reports" -eq 0 ] || fail "$reports sanitizer report(s) or crash(es) in the server log: $(grep -m3 -E 'runtime error:|terminated by signal|AddressSanitizer' "$server_log")"
[ "$regress_failed" -eq 0 ] || fail "$regress_failed of $regress pg_regress files failed under ASan + UBSan"
[ "$tap_failed" -eq 0 ] || fail "$tap_failed of $tap pgTAP tests failed under ASan + UBSan"
[ "$caught" -eq 2 ] || fail "only $caught of 2 faults on purpose were reported: are the sanitizer runtimes loaded?"
echo "ok - sanitized_extension: the ASan + UBSan build passed $regress pg_regress files and $tap pgTAP tests with no report in $lines lines of server log, and caught a heap overflow and undefined behaviour put there on purpose"

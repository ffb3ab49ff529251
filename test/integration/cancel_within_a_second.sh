#!/usr/bin/env bash
# pg_cancel_backend from another session stops a long C++ loop within a
# second, with a clean ERROR, and the server does not restart.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

start_ns=$(date +%s%N)
psql_crm -v ON_ERROR_STOP=0 -c "SELECT crm._test_fault('long_loop')" >"$work/out" 2>&1 &
victim=$!
# Wait until the loop runs, then cancel it from a second session.
pid=$(backend_pid "query LIKE '%_test_fault(''long_loop'')%'")
[ -n "$pid" ] || fail "the long loop never showed up in pg_stat_activity"
cancel_ns=$(date +%s%N)
psql_crm -Atc "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$victim" || true
end_ns=$(date +%s%N)

grep -q "canceling statement due to user request" "$work/out" || fail "no cancel error: $(cat "$work/out")"
elapsed_ms=$(( (end_ns - cancel_ns) / 1000000 ))
[ "$elapsed_ms" -lt 1000 ] || fail "cancel took ${elapsed_ms} ms (limit 1000 ms)"
[ "$(psql_crm -Atc "SELECT crm._test_fault('live_objects')")" = 0 ] || fail "C++ objects left alive after cancel"
pass "cancel stopped the loop in ${elapsed_ms} ms"

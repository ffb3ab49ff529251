#!/usr/bin/env bash
# An API read stuck on a server that stalls (headers, then silence) or
# trickles (1 byte/s) stops within a second of pg_cancel_backend or of
# statement_timeout, with a clean ERROR and no C++ object left alive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

psql_crm -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT crm_secret_set('brevo', 'brevo-secret-key-789');
-- Generous timeouts: only the cancel may end these reads.
SELECT crm_source_add('cancel_stall', 'brevo',
  '{"url": "http://127.0.0.1:58080/fault/stall", "api_key_secret": "brevo", "timeout_ms": 120000, "max_retries": 0}');
SELECT crm_source_add('cancel_trickle', 'brevo',
  '{"url": "http://127.0.0.1:58080/fault/trickle", "api_key_secret": "brevo", "timeout_ms": 120000, "max_retries": 0}');
SQL

# statement_timeout = 1 s on a stalled transfer.
start_ns=$(date +%s%N)
psql_crm -v ON_ERROR_STOP=0 -c "SET statement_timeout = '1s'" \
  -c "SELECT count(*) FROM crm_read_api('cancel_stall', 'contacts')" >"$work/timeout" 2>&1 || true
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
grep -q "canceling statement due to statement timeout" "$work/timeout" || fail "no timeout error: $(cat "$work/timeout")"
[ "$elapsed_ms" -lt 2000 ] || fail "statement_timeout of 1 s took ${elapsed_ms} ms"

# pg_cancel_backend on a trickling transfer.
psql_crm -v ON_ERROR_STOP=0 -c "SELECT count(*) FROM crm_read_api('cancel_trickle', 'contacts')" >"$work/out" 2>&1 &
victim=$!
pid=$(backend_pid "query LIKE '%crm_read_api(''cancel_trickle''%'")
[ -n "$pid" ] || fail "the read never showed up in pg_stat_activity"
sleep 0.5  # inside the transfer
cancel_ns=$(date +%s%N)
psql_crm -Atc "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$victim" || true
cancel_ms=$(( ($(date +%s%N) - cancel_ns) / 1000000 ))
grep -q "canceling statement due to user request" "$work/out" || fail "no cancel error: $(cat "$work/out")"
[ "$cancel_ms" -lt 1000 ] || fail "cancel took ${cancel_ms} ms (limit 1000 ms)"
[ "$(psql_crm -Atc "SELECT crm._test_fault('live_objects')")" = 0 ] || fail "C++ objects left alive after cancel"
psql_crm -c "SELECT crm_source_remove('cancel_stall')" -c "SELECT crm_source_remove('cancel_trickle')" >/dev/null
pass "statement_timeout 1 s ended a stalled read in ${elapsed_ms} ms; a cancel ended a trickling one in ${cancel_ms} ms"

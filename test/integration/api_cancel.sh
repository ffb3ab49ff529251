#!/usr/bin/env bash
# An API read stuck on a server that stalls (headers, then silence) or
# trickles (1 byte/s) stops within a second of pg_cancel_backend or of
# statement_timeout, with a clean ERROR and no C++ object left alive. So does
# a Brevo push (crm_push_recommendations), whose per-batch error handling
# must not swallow the cancel: the whole call rolls back.
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

# statement_timeout = 1 s on a stalled push: cancelled, nothing recorded.
psql_crm -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO crm.customers (customer_key, source, source_id, email) VALUES ('cancel_push-1', 'cancel_push', '1', 'cancel@example.fr');
INSERT INTO crm.recommendation (customer_key, rank, product_key, score, reason, reason_detail)
VALUES ('cancel_push-1', 1, 'cancel_push-P1', 1, 'souvent acheté avec un vin de test', '{}');
SQL
push_ns=$(date +%s%N)
psql_crm -v ON_ERROR_STOP=0 -c "SET statement_timeout = '1s'" \
  -c "SELECT crm_push_recommendations('cancel_stall', '{\"force\": true}')" >"$work/push" 2>&1 || true
push_ms=$(( ($(date +%s%N) - push_ns) / 1000000 ))
grep -q "canceling statement due to statement timeout" "$work/push" || fail "the push was not cancelled: $(cat "$work/push")"
[ "$push_ms" -lt 2000 ] || fail "statement_timeout of 1 s took ${push_ms} ms on a push"
[ "$(psql_crm -Atc "SELECT count(*) FROM crm.brevo_push_run WHERE source = 'cancel_stall'")" = 0 ] \
  || fail "a cancelled push left a run behind"
[ "$(psql_crm -Atc "SELECT crm._test_fault('live_objects')")" = 0 ] || fail "C++ objects left alive after a cancelled push"
psql_crm -c "DELETE FROM crm.recommendation WHERE customer_key = 'cancel_push-1'" \
  -c "DELETE FROM crm.customers WHERE customer_key = 'cancel_push-1'" >/dev/null

psql_crm -c "SELECT crm_source_remove('cancel_stall')" -c "SELECT crm_source_remove('cancel_trickle')" >/dev/null
pass "statement_timeout 1 s ended a stalled read in ${elapsed_ms} ms and a stalled Brevo push in ${push_ms} ms;" \
  "a cancel ended a trickling read in ${cancel_ms} ms"

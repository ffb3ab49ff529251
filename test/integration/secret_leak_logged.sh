#!/usr/bin/env bash
# Secret leak check with the most talkative server settings (log_statement =
# all, log_min_duration_statement = 0, log_min_messages = notice): every API
# path — Odoo, Pennylane and Brevo syncs against the mock, a wrong key (401),
# an unreachable port, a missing secret, an Odoo error, crm_source_test,
# crm_read_api of a bad resource, an http_json read, crm_sync_job directly
# and from pg_cron, crm_push_recommendations to Brevo with the right key and
# a wrong one (and its job procedure) — leaves none of the four key values in
# what the client receives (results, NOTICE/WARNING/ERROR), the new part of
# the server log, crm.sync_run, crm.brevo_push_run, crm.source,
# crm_api_requests() or cron.job_run_details.
# crm_secret_set's own statement holds the value as a literal (or as a bind
# parameter, which log_statement = all logs too): it is only safe with
# log_statement and log_min_duration_statement off for its transaction, so
# the test sets its secrets under SET LOCAL (superuser only), which the log
# grep below checks as well.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

tokens=(odoo-secret-key-123 penny-secret-token-456 brevo-secret-key-789 leakcheck-Wrong-7Qz4-k9)
mock=http://127.0.0.1:58080
closed=58079
log=$("$repo/tools/cluster.sh" log "$cluster")
sql() { psql_crm -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
sources="'leak_odoo', 'leak_penny', 'leak_brevo', 'leak_bad_odoo', 'leak_bad_penny', 'leak_bad_brevo',
         'leak_down', 'leak_nosecret', 'leak_odoo_error', 'leak_json'"

# Settings changed through ALTER SYSTEM go back to what postgresql.auto.conf
# said before (nothing, on the test cluster).
settings=(log_statement log_min_duration_statement log_min_messages)
restore=""
for s in "${settings[@]}"; do
  old=$(sql "SELECT setting FROM pg_file_settings WHERE name = '$s' AND sourcefile LIKE '%postgresql.auto.conf' AND applied")
  if [ -n "$old" ]; then restore+="ALTER SYSTEM SET $s = '$old';"$'\n'; else restore+="ALTER SYSTEM RESET $s;"$'\n'; fi
done
mock_pid=
job=
cleanup() {
  psql_crm -Atq -v ON_ERROR_STOP=0 >/dev/null 2>&1 <<SQL || true
SET client_min_messages = error;
$restore
SELECT pg_reload_conf();
SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'crm-leak-check';
DELETE FROM cron.job_run_details WHERE command LIKE '%leak\_%';
SELECT crm_source_remove(name) FROM crm.source WHERE name IN ($sources);
SELECT crm_secret_remove(name) FROM crm.secret_names WHERE name LIKE 'leak\_%';
DELETE FROM crm.customer_identity WHERE customer_key IN (SELECT customer_key FROM crm.customers WHERE source IN ($sources));
DELETE FROM crm.recommendation WHERE customer_key IN (SELECT customer_key FROM crm.customers WHERE source IN ($sources));
DELETE FROM crm.contact_history WHERE source IN ($sources);
DELETE FROM crm.sales_lines WHERE source IN ($sources);
DELETE FROM crm.customers WHERE source IN ($sources);
DELETE FROM crm.product_catalog WHERE source IN ($sources);
DELETE FROM crm.stock_levels WHERE source IN ($sources);
DELETE FROM crm.sync_cursor WHERE source IN ($sources);
DELETE FROM crm.sync_run WHERE source IN ($sources);
DELETE FROM crm.brevo_push_state WHERE source IN ($sources);
DELETE FROM crm.brevo_push_run WHERE source IN ($sources);
SQL
  [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The mock API server: tools/test.sh's, or one of our own.
if ! listening 58080; then
  python3 "$repo/test/mock/api_server.py" --port 58080 >"$work/mock.log" 2>&1 &
  mock_pid=$!
  for _ in $(seq 50); do listening 58080 && break; sleep 0.1; done
  listening 58080 || fail "the mock API server did not start: $(cat "$work/mock.log")"
fi
! listening $closed || fail "port $closed should be closed (the unreachable source's)"

psql_crm -Atq -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET log_statement = 'all'" -c "ALTER SYSTEM SET log_min_duration_statement = 0" \
  -c "ALTER SYSTEM SET log_min_messages = 'notice'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 50); do [ "$(sql "SHOW log_statement")" = all ] && break; sleep 0.1; done
[ "$(sql "SHOW log_statement")" = all ] || fail "log_statement = all did not take effect"
log_start=$(stat -c %s "$log")

# Secrets, with statement logging off for their transaction only.
psql_crm -Atq -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "the secrets could not be set"
BEGIN;
SET LOCAL log_statement = 'none';
SET LOCAL log_min_duration_statement = -1;
SELECT crm_secret_set('leak_odoo', '${tokens[0]}');
SELECT crm_secret_set('leak_penny', '${tokens[1]}');
SELECT crm_secret_set('leak_brevo', '${tokens[2]}');
SELECT crm_secret_set('leak_wrong', '${tokens[3]}');
COMMIT;
SQL

# A key pasted where a secret name belongs is refused without being
# repeated (the statement itself is the user's: kept out of the log here).
pasted=$(psql_crm -Atq 2>&1 <<SQL
BEGIN;
SET LOCAL log_statement = 'none';
SET LOCAL log_min_duration_statement = -1;
SET LOCAL log_min_error_statement = panic;
SELECT crm_source_add('leak_pasted', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "${tokens[2]}"}');
ROLLBACK;
SQL
)
case "$pasted" in *"must be the name of a secret"*) ;; *) fail "a key pasted as a secret name was not refused" ;; esac
case "$pasted" in *"${tokens[2]}"*) fail "the refusal of a pasted key repeats it" ;; esac

# The sessions below may reach the closed port too, so that it fails on
# connecting rather than on the host allow-list.
export PGOPTIONS="-c crm.allowed_hosts=$mock,http://127.0.0.1:$closed"
odoo="\"database\": \"cave\", \"login\": \"api@cave.fr\""
psql_crm -Atq -v ON_ERROR_STOP=1 >"$work/client.out" 2>"$work/client.err" <<SQL || fail "the sources could not be added: $(cat "$work/client.err")"
SELECT crm_source_add('leak_odoo', 'odoo', '{"url": "$mock", $odoo, "api_key_secret": "leak_odoo"}');
SELECT crm_source_add('leak_penny', 'pennylane', '{"url": "$mock", "token_secret": "leak_penny", "rate_limit_per_s": 0}');
SELECT crm_source_add('leak_brevo', 'brevo', '{"url": "$mock", "api_key_secret": "leak_brevo"}');
SELECT crm_source_add('leak_bad_odoo', 'odoo', '{"url": "$mock", $odoo, "api_key_secret": "leak_wrong"}');
SELECT crm_source_add('leak_bad_penny', 'pennylane', '{"url": "$mock", "token_secret": "leak_wrong"}');
SELECT crm_source_add('leak_bad_brevo', 'brevo', '{"url": "$mock", "api_key_secret": "leak_wrong"}');
SELECT crm_source_add('leak_down', 'brevo', '{"url": "http://127.0.0.1:$closed", "api_key_secret": "leak_brevo", "max_retries": 0}');
SELECT crm_source_add('leak_nosecret', 'brevo', '{"url": "$mock", "api_key_secret": "leak_absent"}');
SELECT crm_source_add('leak_odoo_error', 'odoo', '{"url": "$mock/fault/odoo-error", $odoo, "api_key_secret": "leak_odoo", "max_retries": 0}');
SELECT crm_source_add('leak_json', 'http_json', '{"url": "$mock/v3", "auth": {"header": "api-key", "prefix": "", "secret": "leak_brevo"},
                      "records": "/contacts", "pagination": {"type": "offset", "count": "/count"}}');
SQL
# pg_cron runs a failing sync at the next minute, while the rest goes on.
sql "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null
job=$(sql "SELECT cron.schedule('crm-leak-check', '* * * * *', \$\$CALL crm_sync_job('leak_bad_brevo')\$\$)") \
  || fail "the pg_cron job could not be scheduled"

# Every path, in one session so that crm_api_requests() follows each call.
# No ON_ERROR_STOP: the error paths are the point.
psql_crm -Atq -v ON_ERROR_STOP=0 >>"$work/client.out" 2>>"$work/client.err" <<'SQL'
\set VERBOSITY verbose
\set SHOW_CONTEXT always
SELECT 'sync ' || s || ': ' || (crm_sync(s) ->> 'status') FROM unnest(ARRAY['leak_odoo', 'leak_penny', 'leak_brevo']) s;
-- Incremental reruns: cursors read back and sent as filters.
SELECT 'resync ' || s || ': ' || (crm_sync(s) ->> 'status') FROM unnest(ARRAY['leak_odoo', 'leak_penny', 'leak_brevo']) s;
SELECT 'failed ' || s || ': ' || (crm_sync(s) ->> 'error')
  FROM unnest(ARRAY['leak_bad_odoo', 'leak_bad_penny', 'leak_bad_brevo', 'leak_down', 'leak_nosecret', 'leak_odoo_error']) s;
SELECT 'test ' || crm_source_test(name)::text FROM crm.source WHERE name LIKE 'leak\_%' ORDER BY name;
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_odoo', 'no.such.model');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_penny', 'no_such_resource');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_brevo', 'no_such_resource');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_odoo', 'res.partner', '{"domain": [["no_such_field", "=", 1]]}');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_bad_odoo', 'res.partner');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_bad_penny', 'customers');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_bad_brevo', 'contacts');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_down', 'contacts');
SELECT * FROM crm_api_requests();
SELECT count(*) FROM crm_read_api('leak_nosecret', 'contacts');
SELECT * FROM crm_api_requests();
SELECT 'json ' || count(*) FROM crm_read_api('leak_json', 'contacts');
SELECT * FROM crm_api_requests();
CALL crm_sync_job('leak_bad_odoo');
-- Recommendations to Brevo: the key in a POST, accepted, then refused. The
-- mock's products have no volume (no stock in 75 cl): three are set by hand.
INSERT INTO crm.recommendation (customer_key, rank, product_key, score, reason, reason_detail)
SELECT c.customer_key, 1, (SELECT min(product_key) FROM crm.product_catalog WHERE source = 'leak_odoo'), 1,
       'souvent acheté avec un vin de test', '{"kind": "co_purchase"}'
  FROM crm.customers c WHERE c.source = 'leak_odoo' AND c.email IS NOT NULL AND NOT c.email_opt_out AND NOT c.bounced
 ORDER BY c.customer_key LIMIT 3;
SELECT 'push leak_brevo: ' || (r ->> 'status') || ' ' || (r ->> 'sent') FROM crm_push_recommendations('leak_brevo', '{"force": true, "top": 1}') r;
SELECT * FROM crm_api_requests();
SELECT 'push leak_bad_brevo: ' || (crm_push_recommendations('leak_bad_brevo', '{"force": true, "top": 1}') ->> 'error');
SELECT * FROM crm_api_requests();
CALL crm_push_recommendations_job('leak_bad_brevo', '{"force": true, "top": 1}');
SQL

# Each path did what it is for: otherwise the grep below proves little.
expect() { grep -qF -- "$2" "$work/$1" || fail "$1 lacks \"$2\": $(tail -5 "$work/client.err")"; }
for s in leak_odoo leak_penny leak_brevo; do expect client.out "sync $s: succeeded"; expect client.out "resync $s: succeeded"; done
expect client.out "failed leak_bad_odoo: 28000: Odoo refused the login"
expect client.out "failed leak_bad_penny: 28000: Pennylane refused the credentials (HTTP 401)"
expect client.out "failed leak_bad_brevo: 28000: Brevo refused the credentials (HTTP 401)"
expect client.out "failed leak_down: 08001: could not connect"
expect client.out "failed leak_nosecret: 28000: secret \"leak_absent\" of source \"leak_nosecret\" is not set"
expect client.out "failed leak_odoo_error: "
[ "$(grep -c '^test {.*"ok": true' "$work/client.out")" = 3 ] || fail "crm_source_test: not 3 sources ok: $(grep '^test' "$work/client.out")"
[ "$(grep -c '^test {.*"ok": false' "$work/client.out")" = 7 ] || fail "crm_source_test: not 7 sources failing"
expect client.err "unknown pennylane resource"
expect client.err "unknown brevo resource"
expect client.err "Object no.such.model doesn't exist"
expect client.err "Brevo refused the credentials (HTTP 401)"
expect client.err "crm_sync(leak_bad_odoo) failed"
expect client.err "Invalid field 'no_such_field'"
expect client.out "json 1200"
grep -qE '^push leak_brevo: succeeded [1-9]' "$work/client.out" || fail "the push to Brevo sent nothing: $(grep '^push' "$work/client.out")"
expect client.out "push leak_bad_brevo: batch 1 of"
expect client.err "ERROR:  P0001: crm_push_recommendations(leak_bad_brevo): batch 1 of"
grep -q '|401|' "$work/client.out" || fail "crm_api_requests() showed no 401"

# The pg_cron run (up to a minute and a quarter away).
for _ in $(seq 1 80); do
  [ -n "$(sql "SELECT 1 FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed')")" ] && break
  sleep 1
done
cron=$(sql "SELECT status || ': ' || return_message FROM cron.job_run_details WHERE jobid = $job ORDER BY runid DESC LIMIT 1")
case "$cron" in failed:*"Brevo refused the credentials"*) ;; *) fail "the pg_cron job did not fail on the wrong key: $cron" ;; esac
sql "SELECT cron.unschedule($job)" >/dev/null

sql "SELECT r::text FROM crm.sync_run r WHERE source LIKE 'leak\_%'" >"$work/sync_run"
sql "SELECT r::text FROM crm.brevo_push_run r WHERE source LIKE 'leak\_%'" >"$work/push_run"
sql "SELECT s::text FROM crm.source s WHERE name LIKE 'leak\_%'" >"$work/source"
sql "SELECT j::text FROM cron.job_run_details j" >"$work/cron"
tail -c +$((log_start + 1)) "$log" >"$work/server.log"

checked=(client.out client.err server.log sync_run push_run source cron)
for i in "${!tokens[@]}"; do
  for f in "${checked[@]}"; do
    if grep -nF -- "${tokens[i]}" "$work/$f" >"$work/hit"; then
      fail "secret value $((i + 1)) of 4 is in $f: line $(cut -d: -f1 "$work/hit" | head -3 | tr '\n' ' ')"
    fi
  done
done
# The log took everything in: statements, errors, the pg_cron job.
statements=$(grep -c 'LOG:  statement: ' "$work/server.log" || true)
grep -q "statement: SELECT 'sync ' || s" "$work/server.log" || fail "the syncs' statement was not logged ($statements statements)"
grep -q "ERROR:  .*Brevo refused the credentials" "$work/server.log" || fail "the 401 error was not logged"
grep -q "statement: CALL crm_sync_job('leak_bad_brevo')" "$work/server.log" || fail "the pg_cron job's statement was not logged"
[ "$(grep -c "SET LOCAL log_statement = 'none'" "$work/server.log")" -ge 1 ] || fail "the secrets' transaction was not logged"
[ "$statements" -ge 30 ] || fail "only $statements statements logged"

lines=$(cat "${checked[@]/#/$work/}" | wc -l)
figures "$lines" 34
pass "4 secret values absent from $lines lines (client output and messages, $statements logged statements," \
  "crm.sync_run, crm.brevo_push_run, crm.source, crm_api_requests, cron.job_run_details) over 6 syncs, 6 failing ones," \
  "10 source tests, 10 API reads, 2 crm_sync_job runs and 3 Brevo pushes (1 accepted, 2 refused);" \
  "crm_secret_set logged nothing with statement logging off by SET LOCAL"

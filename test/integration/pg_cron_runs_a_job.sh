#!/usr/bin/env bash
# pg_cron runs crm_sync for real: pg_cron is preloaded in the test cluster,
# its jobs connect back through the cluster's Unix socket, and in the same
# minute (pg_cron 1.4.2's smallest schedule; up to ~75 s) three jobs run:
# a plain query, CALL crm_sync_job of a working source (succeeded in
# cron.job_run_details and in crm.sync_run), and of a broken one (failed in
# both, with the reason: a swallowed error would read "succeeded").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
psql_crm -v ON_ERROR_STOP=1 -Atq >/dev/null <<SQL
SET client_min_messages = error;  -- cron_broken's directory is refused on purpose
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT crm_source_add('cron_ok', 'isavigne', '{"directory": "$files/isavigne_small"}');
SELECT crm_source_add('cron_broken', 'isavigne', '{"directory": "/etc"}');
DELETE FROM crm.sync_run WHERE source IN ('cron_ok', 'cron_broken');
DELETE FROM crm.sync_cursor WHERE source IN ('cron_ok', 'cron_broken');
SQL
check=$(psql_crm -Atc "SELECT cron.schedule('crm-harness-check', '* * * * *', 'SELECT pg_catalog.now()')")
ok=$(psql_crm -Atc "SELECT cron.schedule('crm-sync-cron-ok', '* * * * *', \$\$CALL crm_sync_job('cron_ok')\$\$)")
broken=$(psql_crm -Atc "SELECT cron.schedule('crm-sync-cron-broken', '* * * * *', \$\$CALL crm_sync_job('cron_broken')\$\$)")
cleanup_jobs() {
  psql_crm -Atq -c "SELECT cron.unschedule(j) FROM unnest(ARRAY[$check, $ok, $broken]) j" \
    -c "SELECT crm_source_remove(s) FROM unnest(ARRAY['cron_ok', 'cron_broken']) s" >/dev/null 2>&1 || true
}
trap 'cleanup_jobs; rm -rf "$work"' EXIT

status_of() {
  psql_crm -Atc "SELECT status FROM cron.job_run_details WHERE jobid = $1 AND status IN ('succeeded','failed') ORDER BY runid DESC LIMIT 1"
}
for _ in $(seq 1 80); do
  [ -n "$(status_of "$check")" ] && [ -n "$(status_of "$ok")" ] && [ -n "$(status_of "$broken")" ] && break
  sleep 1
done
message_of() { psql_crm -Atc "SELECT return_message FROM cron.job_run_details WHERE jobid = $1 ORDER BY runid DESC LIMIT 1"; }
[ "$(status_of "$check")" = succeeded ] || fail "the plain pg_cron job did not succeed: $(message_of "$check")"
[ "$(status_of "$ok")" = succeeded ] || fail "CALL crm_sync_job('cron_ok') did not succeed: $(message_of "$ok")"
[ "$(status_of "$broken")" = failed ] || fail "CALL crm_sync_job('cron_broken') is not failed in cron.job_run_details: $(message_of "$broken")"
message=$(message_of "$broken")
case "$message" in
  *"crm_sync(cron_broken) failed"*"outside the allowed directories"*) ;;
  *) fail "the failed job's message does not say why: $message" ;;
esac
runs=$(psql_crm -Atc "SELECT string_agg(source || '=' || status, ',' ORDER BY source) FROM (SELECT DISTINCT ON (source) source, status FROM crm.sync_run WHERE source IN ('cron_ok', 'cron_broken') ORDER BY source, run_id DESC) r")
[ "$runs" = "cron_broken=failed,cron_ok=succeeded" ] || fail "crm.sync_run says $runs"
lines=$(psql_crm -Atc "SELECT count(*) FROM crm.sales_lines WHERE source = 'cron_ok'")
[ "$lines" -gt 0 ] || fail "the scheduled sync curated no sales line"
pass "pg_cron ran a query, a crm_sync_job that succeeded ($lines lines) and one that failed: $(head -1 <<<"$message")"

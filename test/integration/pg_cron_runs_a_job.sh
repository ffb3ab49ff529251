#!/usr/bin/env bash
# pg_cron runs crm_sync for real: pg_cron is preloaded in the test cluster,
# its jobs connect back through the cluster's Unix socket, and in the same
# minute (pg_cron 1.4.2's smallest schedule; up to ~75 s) three jobs run:
# a plain query (the harness itself), and two sync jobs made by
# crm_schedule('...', '* * * * *') as a LOGIN member of crm_admin that is
# not a superuser (the documented setup: jobs run as the role that schedules
# them): one of a working source (succeeded in cron.job_run_details and in
# crm.sync_run), one of a broken source (failed in both, with the reason: a
# swallowed error would read "succeeded"). crm.schedule shows both runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

admin=crm_cron_it_admin
files=$("$repo/tools/cluster.sh" files "$cluster")
psql_crm -v ON_ERROR_STOP=1 -Atq >/dev/null <<SQL
SET client_min_messages = error;  -- cron_broken's directory is refused on purpose
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT crm_source_add('cron_ok', 'isavigne', '{"directory": "$files/isavigne_small"}');
SELECT crm_source_add('cron_broken', 'isavigne', '{"directory": "/etc"}');
DELETE FROM crm.sync_run WHERE source IN ('cron_ok', 'cron_broken');
DELETE FROM crm.sync_cursor WHERE source IN ('cron_ok', 'cron_broken');
DROP ROLE IF EXISTS $admin;
CREATE ROLE $admin LOGIN IN ROLE crm_admin;
GRANT USAGE ON SCHEMA cron TO crm_admin;
SQL
check=$(psql_crm -Atc "SELECT cron.schedule('crm-harness-check', '* * * * *', 'SELECT pg_catalog.now()')")
ok=$(psql_crm -U "$admin" -Atc "SELECT crm_schedule('cron_ok', '* * * * *')")
broken=$(psql_crm -U "$admin" -Atc "SELECT crm_schedule('cron_broken', '* * * * *', '{\"analytics\": false}')")
cleanup_jobs() {
  psql_crm -Atq -c "SELECT cron.unschedule($check)" \
    -c "SELECT crm_unschedule(s) FROM unnest(ARRAY['cron_ok', 'cron_broken']) s" \
    -c "SELECT crm_source_remove(s) FROM unnest(ARRAY['cron_ok', 'cron_broken']) s" \
    -c "REVOKE USAGE ON SCHEMA cron FROM crm_admin" -c "DROP ROLE IF EXISTS $admin" >/dev/null 2>&1 || true
}
trap 'cleanup_jobs; rm -rf "$work"' EXIT

command=$(psql_crm -Atc "SELECT command || ' as ' || username FROM cron.job WHERE jobid = $ok")
[ "$command" = "CALL crm._scheduled_job('crm-sync-cron_ok') as $admin" ] || fail "crm_schedule made the job: $command"

status_of() {
  psql_crm -Atc "SELECT status FROM cron.job_run_details WHERE jobid = $1 AND status IN ('succeeded','failed') ORDER BY runid DESC LIMIT 1"
}
for _ in $(seq 1 80); do
  [ -n "$(status_of "$check")" ] && [ -n "$(status_of "$ok")" ] && [ -n "$(status_of "$broken")" ] && break
  sleep 1
done
message_of() { psql_crm -Atc "SELECT return_message FROM cron.job_run_details WHERE jobid = $1 ORDER BY runid DESC LIMIT 1"; }
[ "$(status_of "$check")" = succeeded ] || fail "the plain pg_cron job did not succeed: $(message_of "$check")"
[ "$(status_of "$ok")" = succeeded ] || fail "the crm-sync-cron_ok job did not succeed: $(message_of "$ok")"
[ "$(status_of "$broken")" = failed ] || fail "the crm-sync-cron_broken job is not failed in cron.job_run_details: $(message_of "$broken")"
message=$(message_of "$broken")
case "$message" in
  *"crm_sync(cron_broken) failed"*"outside the allowed directories"*) ;;
  *) fail "the failed job's message does not say why: $message" ;;
esac
runs=$(psql_crm -Atc "SELECT string_agg(source || '=' || status || '/' || run_by, ',' ORDER BY source) FROM (SELECT DISTINCT ON (source) source, status, run_by FROM crm.sync_run WHERE source IN ('cron_ok', 'cron_broken') ORDER BY source, run_id DESC) r")
[ "$runs" = "cron_broken=failed/$admin,cron_ok=succeeded/$admin" ] || fail "crm.sync_run says $runs"
lines=$(psql_crm -Atc "SELECT count(*) FROM crm.sales_lines WHERE source = 'cron_ok'")
[ "$lines" -gt 0 ] || fail "the scheduled sync curated no sales line"
# The view, as the admin sees it: each job's local and GMT schedule, its
# owner, the minute it acted for, its last run and the failures.
view=$(psql_crm -U "$admin" -Atc "SELECT string_agg(concat_ws('|', job_name, schedule, timezone, gmt_schedule, job_owner,
                                             last_acted_local IS NOT NULL, last_status, failures_7d > 0), ',' ORDER BY job_name)
                              FROM crm.schedule WHERE job_name IN ('crm-sync-cron_ok', 'crm-sync-cron_broken')")
expected="crm-sync-cron_broken|* * * * *|Europe/Paris|* * * * *|$admin|t|failed|t,crm-sync-cron_ok|* * * * *|Europe/Paris|* * * * *|$admin|t|succeeded|f"
[ "$view" = "$expected" ] || fail "crm.schedule shows $view"
broken_message=$(psql_crm -Atc "SELECT last_message FROM crm.schedule WHERE job_name = 'crm-sync-cron_broken'")
[ "$broken_message" = "$message" ] || fail "crm.schedule's last_message is not the failure: $broken_message"
pass "pg_cron ran a query, a crm_schedule job that succeeded ($lines lines) and one that failed, as $admin: $(head -1 <<<"$message")"

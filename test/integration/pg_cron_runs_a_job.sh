#!/usr/bin/env bash
# The harness's promise: pg_cron is preloaded in the test cluster, its
# extension lives in the CRM database, and its jobs can connect back (through
# the cluster's Unix socket) and run. Waits for one real run (up to ~75 s:
# the smallest pg_cron schedule is one minute).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

psql_crm -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null
job=$(psql_crm -Atc "SELECT cron.schedule('crm-harness-check', '* * * * *', 'SELECT pg_catalog.now()')")
cleanup_job() { psql_crm -Atc "SELECT cron.unschedule($job)" >/dev/null 2>&1 || true; }
trap 'cleanup_job; rm -rf "$work"' EXIT
for _ in $(seq 1 80); do
  status=$(psql_crm -Atc "SELECT status FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded','failed') ORDER BY runid DESC LIMIT 1")
  [ -n "$status" ] && break
  sleep 1
done
[ "$status" = succeeded ] || fail "pg_cron job did not succeed (status '${status:-none}'): $(psql_crm -Atc "SELECT return_message FROM cron.job_run_details WHERE jobid = $job")"
pass "pg_cron ran a job through the cluster socket"

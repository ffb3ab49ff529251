#!/usr/bin/env bash
# Crash injection: a backend running crm_sync is killed with SIGKILL at named
# points (after the sales export is loaded, between two merges, before the
# publish, before the commit, after it). After the server's crash recovery,
# the curated data must be the state before the run (or after it, for the
# kill after commit), never a mix; the cursor must match the data; a rerun
# must converge to the data of a clean run. Runs after the server-log check:
# every kill leaves "terminated by signal 9" in the log on purpose.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
test_name=sync_kill

# The test cluster runs with synchronous_commit off, which lets a crash
# lose the last commits; this test's commits must reach the WAL first.
export PGOPTIONS="-c synchronous_commit=on"
files=$("$repo/tools/cluster.sh" files test)
dir=$files/sync_crash
rm -rf "$dir" "$work/base" "$work/changed"
gen() { python3 "$repo/tools/gen_isavigne.py" --customers 300 --products 80 --lines 5000 "$@" >/dev/null 2>&1; }
gen --out "$dir"
gen --out "$work/changed" --change-fraction 0.02 --only ventes
cp "$dir/ventes.csv" "$work/base.csv"
rm -f "$dir/bad_rows.tsv"
own() { [ "$(id -u)" -ne 0 ] || chown -R postgres "$dir"; }
own

sql() { psql_crm -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }
# The curated rows of this source that a sync changes, and the cursor of its sales.
state() {
  sql "SELECT md5(string_agg(s::text, ',' ORDER BY sale_line_key)) FROM crm.sales_lines s WHERE source = 'crash'"
}
cursor() { sql "SELECT cursor ->> 'sha256' FROM crm.sync_cursor WHERE source = 'crash' AND entity = 'sales'"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
log=$("$repo/tools/cluster.sh" log test)
ready_count() { grep -c "database system is ready to accept connections" "$log" || true; }
# After a kill the postmaster resets every backend: a connection made before
# it has done so would be cut. Wait for the log to say it is ready again.
wait_ready() {
  local before=$1
  for _ in $(seq 1 150); do
    if [ "$(ready_count)" -gt "$before" ] && psql_crm -Atc "SELECT 1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "the server did not come back after the kill"
}

sql "SELECT crm_source_add('crash', 'isavigne', '{\"directory\": \"$dir\"}')" >/dev/null
sql "DELETE FROM crm.sales_lines WHERE source = 'crash'; DELETE FROM crm.sync_cursor WHERE source = 'crash'"
sql "SELECT crm_sync('crash')" >/dev/null
before=$(state)
after=
events=0
for point in after_load mid_merge before_publish before_commit after_commit; do
  cp "$work/changed/ventes.csv" "$dir/ventes.csv"; own
  if [ "$point" = after_commit ]; then
    psql_crm -Atq -c "SET client_min_messages = warning" -c "SELECT crm_sync('crash') ->> 'status'" \
      -c "SELECT pg_sleep(60)" >"$work/run" 2>&1 &
  else
    psql_crm -Atq -c "SET client_min_messages = warning" -c "SET crm.test_pause_at = '$point'" \
      -c "SELECT crm_sync('crash') ->> 'status'" >"$work/run" 2>&1 &
  fi
  victim=$(backend_pid "wait_event = 'PgSleep'" 100)
  [ -n "$victim" ] || fail "$point: the run never reached its pause: $(cat "$work/run")"
  ready=$(ready_count)
  kill -9 "$victim" 2>/dev/null || runuser -u postgres -- kill -9 "$victim"
  wait || true
  wait_ready "$ready"
  events=$((events + 1))
  now=$(state)
  if [ "$point" = after_commit ]; then
    [ -n "$after" ] && [ "$now" != "$after" ] && fail "$point: committed data differs from a clean run's"
    [ "$(cursor)" = "$(sha "$dir/ventes.csv")" ] || fail "$point: the cursor does not match the committed data"
  else
    [ "$now" = "$before" ] || fail "$point: curated data is neither the state before the run nor after (a mix): ${now:-no answer}"
    [ "$(cursor)" = "$(sha "$work/base.csv")" ] || fail "$point: the cursor moved without its data"
  fi
  # Rerun to success: the data of a clean run.
  [ "$(sql "SELECT crm_sync('crash') ->> 'status'")" = succeeded ] || fail "$point: the rerun did not succeed"
  now=$(state)
  if [ -z "$after" ]; then after=$now; fi
  [ "$now" = "$after" ] || fail "$point: the rerun's data differs from the first clean run's"
  [ "$(sql "SELECT count(*) - count(DISTINCT sale_line_key) FROM crm.sales_lines WHERE source = 'crash'")" = 0 ] \
    || fail "$point: duplicate keys"
  # Back to the base export for the next event.
  cp "$work/base.csv" "$dir/ventes.csv"; own
  sql "SELECT crm_sync('crash')" >/dev/null
  [ "$(state)" = "$before" ] || fail "$point: the base export did not give the base state back"
done
sql "SELECT crm_source_remove('crash')" >/dev/null
pass "$events kills (after_load, mid_merge, before_publish, before_commit, after_commit): previous or new state, never a mix; reruns equal a clean run"

#!/usr/bin/env bash
# Crash injection: a backend running crm_sync is killed with SIGKILL at named
# points (after the sales export is loaded, between two merges, before the
# publish, before the commit, after it), then hit at random moments by
# SIGKILL, pg_terminate_backend, pg_cancel_backend or `pg_ctl stop -m
# immediate` (CRASH_EVENTS of them, default 8; the long run sets 100).
# After each event (and the server's crash recovery or restart) the curated
# data must be the state before the run or after it, never a mix; the cursor
# must match the data; a rerun must converge to the data of a clean run,
# without duplicate keys. Runs after the server-log check: every kill leaves
# "terminated by signal 9" in the log on purpose.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
test_name=sync_kill

# The test cluster runs with synchronous_commit off, which lets a crash
# lose the last commits; this test's commits must reach the WAL first.
export PGOPTIONS="-c synchronous_commit=on"
files=$("$repo/tools/cluster.sh" files "$cluster")
dir=$files/sync_crash
rm -rf "$dir" "$work/base" "$work/changed"
# Big enough for a full sync to last a second or so: random moments land inside it.
gen() { python3 "$repo/tools/gen_isavigne.py" --customers 2000 --products 200 --lines 40000 "$@" >/dev/null 2>&1; }
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
log=$("$repo/tools/cluster.sh" log "$cluster")
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
named=$events

# Random moments: the changed export synced with {"full": true} (every line
# loaded and compared, the longest path), hit after a random delay.
changed_sha=$(sha "$work/changed/ventes.csv")
base_sha=$(sha "$work/base.csv")
started=$(date +%s%N)
cp "$work/changed/ventes.csv" "$dir/ventes.csv"; own
sql "SELECT crm_sync('crash', '{\"full\": true}')" >/dev/null
run_ms=$(( ($(date +%s%N) - started) / 1000000 ))
cp "$work/base.csv" "$dir/ventes.csv"; own
sql "SELECT crm_sync('crash', '{\"full\": true}')" >/dev/null
[ "$(state)" = "$before" ] || fail "the base export did not give the base state back"
methods=(kill terminate cancel immediate)
declare -A hits=([kill]=0 [terminate]=0 [cancel]=0 [immediate]=0)
interrupted=0
for i in $(seq 1 "${CRASH_EVENTS:-8}"); do
  method=${methods[$(( (i - 1) % 4 ))]}
  cp "$work/changed/ventes.csv" "$dir/ventes.csv"; own
  psql_crm -Atq -c "SET client_min_messages = warning" -c "SELECT crm_sync('crash', '{\"full\": true}') ->> 'status'" \
    >"$work/run" 2>&1 &
  victim=$(backend_pid "query LIKE 'SELECT crm_sync(''crash''%'" 100)
  [ -n "$victim" ] || fail "event $i ($method): the run never showed in pg_stat_activity: $(cat "$work/run")"
  sleep "$(python3 -c "import random; print(random.uniform(0, $run_ms / 1000))")"
  ready=$(ready_count)
  kills=$(grep -c "terminated by signal 9" "$log" || true)
  # A run that ended before the event is hit after its commit: also a case to check.
  case $method in
    kill) kill -9 "$victim" 2>/dev/null || runuser -u postgres -- kill -9 "$victim" 2>/dev/null || true ;;
    terminate) psql_crm -Atq -c "SET client_min_messages = error" -c "SELECT pg_terminate_backend($victim)" >/dev/null ;;
    cancel) psql_crm -Atq -c "SET client_min_messages = error" -c "SELECT pg_cancel_backend($victim)" >/dev/null ;;
    immediate) "$repo/tools/cluster.sh" stop-immediate "$cluster" ;;
  esac
  wait || true
  case $method in
    kill) if [ "$(grep -c "terminated by signal 9" "$log" || true)" -gt "$kills" ]; then wait_ready "$ready"; fi ;;
    immediate) "$repo/tools/cluster.sh" start "$cluster" ;;
  esac
  for _ in $(seq 1 150); do psql_crm -Atc "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
  events=$((events + 1))
  hits[$method]=$((hits[$method] + 1))
  now=$(state)
  if [ "$now" = "$before" ]; then
    interrupted=$((interrupted + 1))
    [ "$(cursor)" = "$base_sha" ] || fail "event $i ($method): the cursor moved without its data"
  else
    [ "$now" = "$after" ] || fail "event $i ($method): curated data is neither the state before the run nor after (a mix)"
    [ "$(cursor)" = "$changed_sha" ] || fail "event $i ($method): the data moved without its cursor"
  fi
  [ "$(sql "SELECT crm_sync('crash') ->> 'status'")" = succeeded ] || fail "event $i ($method): the rerun did not succeed"
  [ "$(state)" = "$after" ] || fail "event $i ($method): the rerun's data differs from a clean run's"
  [ "$(sql "SELECT count(*) - count(DISTINCT sale_line_key) FROM crm.sales_lines WHERE source = 'crash'")" = 0 ] \
    || fail "event $i ($method): duplicate keys"
  cp "$work/base.csv" "$dir/ventes.csv"; own
  sql "SELECT crm_sync('crash')" >/dev/null
  [ "$(state)" = "$before" ] || fail "event $i ($method): the base export did not give the base state back"
done
sql "SELECT crm_source_remove('crash')" >/dev/null
figures 0 "$events"
pass "$events events: $named kills at named points (after_load, mid_merge, before_publish, before_commit, after_commit), then at random moments ${hits[kill]} SIGKILL, ${hits[terminate]} pg_terminate_backend, ${hits[cancel]} pg_cancel_backend, ${hits[immediate]} pg_ctl stop -m immediate ($interrupted interrupted the run, the others came after its commit): previous or new state, never a mix; reruns equal a clean run"

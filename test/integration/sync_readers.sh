#!/usr/bin/env bash
# Atomic publish: while a crm_sync of a changed export is held at its named
# pause points (after the sales load, in the middle of the merge, before the
# commit), another session reading the curated tables sees exactly the state
# before the run; once it commits, exactly the new state. Never a mix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
dir=$files/sync_readers
rm -rf "$dir" "$work/changed"
gen() { python3 "$repo/tools/gen_isavigne.py" --customers 300 --products 80 --lines 5000 "$@" >/dev/null 2>&1; }
gen --out "$dir"
gen --out "$work/changed" --change-fraction 0.05 --only ventes
rm -f "$dir/bad_rows.tsv"
own() { [ "$(id -u)" -ne 0 ] || chown -R postgres "$dir"; }
own

sql() { psql_crm -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }
# What a Power BI reader would sum: revenue, lines and customers' totals of the source.
view() {
  sql "SELECT (SELECT sum(price_total) || '/' || count(*) FROM crm.sales_lines WHERE source = 'readers')
              || '/' || (SELECT sum(total_spent) || '/' || sum(purchase_count) FROM crm.customers WHERE source = 'readers')"
}
sql "SELECT crm_source_add('readers', 'isavigne', '{\"directory\": \"$dir\"}')" >/dev/null
sql "SELECT crm_sync('readers')" >/dev/null
before=$(view)
cp "$work/changed/ventes.csv" "$dir/ventes.csv"; own
checked=0
for point in after_load mid_merge before_commit; do
  psql_crm -Atq -c "SET client_min_messages = warning" -c "SET crm.test_pause_at = '$point'" \
    -c "SELECT crm_sync('readers') ->> 'status'" >"$work/run" 2>&1 &
  pid=$(backend_pid "wait_event = 'PgSleep'" 100)
  [ -n "$pid" ] || fail "$point: the run never reached its pause: $(cat "$work/run")"
  seen=$(view)
  [ "$seen" = "$before" ] || fail "$point: a reader saw $seen while the run was not committed (before: $before)"
  checked=$((checked + 1))
  # Cancel the paused run: it rolls back, and the next point starts from the same state.
  sql "SELECT pg_cancel_backend($pid)" >/dev/null
  wait || true
done
# The same run, not paused: once committed, the reader sees the new state at once.
[ "$(sql "SELECT crm_sync('readers') ->> 'status'")" = succeeded ] || fail "the unpaused run failed"
after=$(view)
[ "$after" != "$before" ] || fail "the changed export changed nothing"
expected=$(sql "SELECT sum(price_total) || '/' || count(*) FROM crm.sales_lines WHERE source = 'readers'")
case "$after" in "$expected"/*) ;; *) fail "after the commit a reader saw $after" ;; esac
sql "SELECT crm_source_remove('readers')" >/dev/null
pass "a reader saw the previous state at $checked points of an uncommitted run (after_load, mid_merge, before_commit), the new one once it committed"

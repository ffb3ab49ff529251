#!/usr/bin/env bash
# crm_sync over time: a second run of a source while one is active returns
# "skipped" at once; a new export with 1% of its sales lines changed loads
# and updates exactly those lines and skips the unchanged exports; the
# curated data then equals a full reload's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
dir=$files/sync_runs
rm -rf "$dir" "$work/changed"
python3 "$repo/tools/gen_isavigne.py" --out "$dir" --customers 300 --products 80 --lines 5000 >/dev/null 2>&1
python3 "$repo/tools/gen_isavigne.py" --out "$work/changed" --customers 300 --products 80 --lines 5000 \
  --change-fraction 0.01 --only ventes >/dev/null 2>&1
rm -f "$dir/bad_rows.tsv"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"

psql_crm -v ON_ERROR_STOP=1 -Atq >/dev/null <<SQL
SET client_min_messages = warning;
SELECT crm_source_add('sync_runs', 'isavigne', '{"directory": "$dir"}');
DELETE FROM crm.sales_lines WHERE source = 'sync_runs';
DELETE FROM crm.sync_cursor WHERE source = 'sync_runs';
SQL

# One at a time: a run held open in a transaction, a second one meanwhile.
psql_crm -Atq -c "SET client_min_messages = warning" -c "BEGIN" -c "SELECT crm_sync('sync_runs') ->> 'status'" \
  -c "SELECT pg_sleep(4)" -c "COMMIT" >"$work/first" 2>&1 &
first=$!
[ -n "$(backend_pid "query = 'SELECT pg_sleep(4)'")" ] || fail "the first run never reached its pause"
started=$(date +%s%N)
second=$(psql_crm -Atq -c "SET client_min_messages = warning" -c "SELECT crm_sync('sync_runs') ->> 'status'")
waited_ms=$(( ($(date +%s%N) - started) / 1000000 ))
wait "$first"
grep -q succeeded "$work/first" || fail "the first run did not succeed: $(cat "$work/first")"
[ "$second" = skipped ] || fail "a concurrent run said '$second', not skipped"
[ "$waited_ms" -lt 1000 ] || fail "the skipped run waited ${waited_ms} ms"

# 1% of the sales lines change in a new export.
cp "$work/changed/ventes.csv" "$dir/ventes.csv"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir/ventes.csv"
result=$(psql_crm -Atq -c "SET client_min_messages = warning" -c "SELECT crm_sync('sync_runs')")
# A Python expression over the run's result, r.
field() { python3 -c "import json, sys; r = json.loads(sys.argv[1]); print($1)" "$result"; }
updated=$(field "r['entities']['sales']['updated']")
skipped=$(field "sum('skipped' in e for e in r['entities'].values())")
[ "$updated" = 50 ] || fail "1% of 5000 lines changed, $updated updated: $result"
[ "$skipped" = 3 ] || fail "the three unchanged exports were not all skipped: $result"
# Only the changed lines were loaded into crm_raw; the others were recognised by their fingerprint.
unchanged=$(field "r['entities']['sales']['unchanged']")
load_id=$(field "r['entities']['sales']['load_id']")
raw_rows=$(psql_crm -Atc "SELECT count(*) FROM crm_raw.sales WHERE load_id = $load_id")
[ "$unchanged" = 4950 ] || fail "4950 lines did not change, $unchanged reported unchanged: $result"
[ "$raw_rows" = 50 ] || fail "the new export stored $raw_rows raw lines, not the 50 that changed"

# The incremental result equals a full reload's.
before=$(psql_crm -Atc "SELECT md5(string_agg(s::text, ',' ORDER BY sale_line_key)) FROM crm.sales_lines s WHERE source = 'sync_runs'")
psql_crm -Atq -c "SET client_min_messages = warning" -c "SELECT crm_sync('sync_runs', '{\"full\": true}')" >/dev/null
after=$(psql_crm -Atc "SELECT md5(string_agg(s::text, ',' ORDER BY sale_line_key)) FROM crm.sales_lines s WHERE source = 'sync_runs'")
[ "$before" = "$after" ] || fail "a full reload changed the curated sales lines"
psql_crm -Atq -c "SELECT crm_source_remove('sync_runs')" >/dev/null
pass "a concurrent run was skipped in ${waited_ms} ms; 50 changed lines loaded and updated, 4950 recognised unchanged, 3 unchanged exports skipped; same data as a full reload"

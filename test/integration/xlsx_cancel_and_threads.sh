#!/usr/bin/env bash
# An XLSX sheet is read on a second thread (core/xlsx_prefetch): a statement
# timeout and a pg_cancel_backend during such a read stop it cleanly, the
# backend goes on, and a full read gives every row.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
dir="$files/xlsx_big"
if [ ! -f "$dir/ventes.xlsx" ]; then
  python3 "$repo/tools/gen_isavigne.py" --out "$dir" --lines 200000 --only ventes >/dev/null
  "$repo/build/csv_to_xlsx" "$dir/ventes.csv" "$dir/ventes.xlsx"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
fi
xlsx="$dir/ventes.xlsx"

pid=$(psql_crm -Atc "SELECT pg_backend_pid()")
out=$(psql_crm -At -v ON_ERROR_STOP=0 2>&1 <<SQL || true
SET statement_timeout = '300ms';
SELECT count(*) FROM crm_read_xlsx('$xlsx') AS t(n_vente int, designation text);
SQL
)
echo "$out" | grep -q "canceling statement due to statement timeout" || fail "no timeout error: $out"

psql_crm -Atc "SELECT count(*) FROM crm_read_xlsx('$xlsx') AS t(n_vente int, designation text)" >"$work/count" &
reader=$!
sleep 0.5
psql_crm -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%crm_read_xlsx%' AND pid <> pg_backend_pid()" >/dev/null
wait "$reader" && fail "the cancelled read finished: $(cat "$work/count")" || true

rows=$(psql_crm -Atc "SELECT count(*) FROM crm_read_xlsx('$xlsx') AS t(n_vente int, designation text)")
[ "$rows" = 200000 ] || fail "a full read gave $rows rows, not 200000"
pass "timeout and cancel stop a threaded XLSX read; a full read gives all 200000 rows"

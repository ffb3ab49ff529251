#!/usr/bin/env bash
# A real ODBC client of the Power BI model: psqlODBC ("PostgreSQL Unicode",
# Debian's odbc-postgresql) through unixODBC with the driver's defaults, as
# Excel and generic BI tools connect, logged in as a member of crm_reader
# (as docs/power-bi.md tells an administrator to create one). On the small
# iSaVigne set, synced and refreshed:
#   * SQLTables lists exactly the crm_bi views; SQLColumns and SQLDescribeCol
#     give every column the concrete ODBC type its PostgreSQL type should
#     give (SQL_BIGINT, SQL_INTEGER, SQL_NUMERIC(p,s), SQL_FLOAT,
#     SQL_TYPE_DATE, SQL_TYPE_TIMESTAMP, SQL_WVARCHAR(n <= 255), booleans as
#     SQL_VARCHAR(5) '1'/'0', or SQL_BIT with BoolsAsChar=0): no long varchar
#     (memo), no odd numeric precision; a control query of text and
#     unbounded numeric is caught by the same check;
#   * the queries DirectQuery sends (nested sub-selects, where, group by,
#     order by, limit 1000001; test/odbc/directquery/) return through ODBC
#     exactly what psql returns, row for row;
#   * the crm tables stay out of reach (42501).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

# Debian's interpreter: python3-pyodbc is installed for it, not for another
# python3 that may come first on PATH.
py=/usr/bin/python3
client=$repo/test/odbc/odbc_client.py
"$py" -c 'import pyodbc, sys; sys.exit("PostgreSQL Unicode" not in pyodbc.drivers())' 2>/dev/null \
  || fail "python3-pyodbc or the psqlODBC driver \"PostgreSQL Unicode\" is missing (tools/install-deps.sh)"

src=odbc_client
login=odbc_client_reader
files=$("$repo/tools/cluster.sh" files "$cluster")
sql() { psql_crm -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }
# crm_source_remove keeps a source's curated rows: the test leaves none.
purge() {
  sql "SELECT crm_source_remove(name) FROM crm.source WHERE name = '$src';
       DELETE FROM crm.customer_identity WHERE customer_key IN (SELECT customer_key FROM crm.customers WHERE source = '$src');
       DELETE FROM crm.sales_lines WHERE source = '$src'; DELETE FROM crm.customers WHERE source = '$src';
       DELETE FROM crm.product_catalog WHERE source = '$src'; DELETE FROM crm.stock_levels WHERE source = '$src';
       DELETE FROM crm.sync_cursor WHERE source = '$src'; DELETE FROM crm.sync_run WHERE source = '$src';
       DROP ROLE IF EXISTS $login" >/dev/null
}
# On exit the analytics are refreshed without the source, so that no
# recommendation or aggregate of its rows stays behind.
trap 'purge 2>/dev/null && sql "SELECT crm_refresh_analytics()" >/dev/null 2>&1; rm -rf "$work"' EXIT
purge

sql "SELECT crm_source_add('$src', 'isavigne', jsonb_build_object('directory', '$files/isavigne_small'))" >/dev/null
[ "$(sql "SELECT crm_sync('$src') ->> 'status'")" = succeeded ] || fail "the sync of the small iSaVigne set failed"
# The sync ended with crm_refresh_analytics: segments, recommendations, aggregates.
[ "$(sql "SELECT count(*) > 0 FROM crm.recommendation")" = t ] || fail "the refresh made no recommendation"
sql "CREATE ROLE $login LOGIN IN ROLE crm_reader" >/dev/null
conn="$PGHOST:$PGPORT:$PGDATABASE:$login"

# The columns as PostgreSQL types them, for the client to map.
sql "SELECT c.relname || E'\t' || a.attname || E'\t' || format_type(a.atttypid, a.atttypmod)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'crm_bi' AND c.relkind = 'v' ORDER BY c.relname, a.attnum" >"$work/types.tsv"
columns=$(wc -l <"$work/types.tsv")
views=$(cut -f1 "$work/types.tsv" | sort -u | wc -l)
[ "$views" -ge 12 ] || fail "crm_bi has $views views"
for options in "" "BoolsAsChar=0"; do
  "$py" "$client" "$conn" catalog "$work/types.tsv" "$options" >"$work/catalog.out" 2>&1 \
    || fail "ODBC types${options:+ with $options}: $(head -5 "$work/catalog.out" | tr '\n' ';')"
  grep -qx "checked $columns columns of $views views" "$work/catalog.out" \
    || fail "ODBC catalog${options:+ with $options}: $(tail -1 "$work/catalog.out")"
done
"$py" "$client" "$conn" control >"$work/control.out" 2>&1 \
  || fail "the type check let text or unbounded numeric pass: $(cat "$work/control.out")"

queries=0
rows=0
for q in "$repo"/test/odbc/directquery/*.sql; do
  name=$(basename "$q" .sql)
  "$py" "$client" "$conn" query "$q" >"$work/$name.odbc" 2>&1 || fail "$name through ODBC: $(head -3 "$work/$name.odbc")"
  psql -X -At -F $'\t' -v ON_ERROR_STOP=1 -U "$login" -f "$q" >"$work/$name.psql" 2>&1 \
    || fail "$name through psql: $(head -3 "$work/$name.psql")"
  [ -s "$work/$name.psql" ] || fail "$name returned no row"
  diff "$work/$name.psql" "$work/$name.odbc" >"$work/$name.diff" \
    || fail "$name: ODBC and psql differ: $(head -4 "$work/$name.diff" | tr '\n' ';')"
  queries=$((queries + 1))
  rows=$((rows + $(wc -l <"$work/$name.psql")))
done
[ "$queries" -ge 3 ] || fail "only $queries DirectQuery queries"

denied=$("$py" "$client" "$conn" denied "SELECT count(*) FROM crm.sales_lines" 2>&1) \
  || fail "the ODBC login read crm.sales_lines: $denied"

figures "$((columns + queries))" 0
pass "psqlODBC as a crm_reader member: $views views, $columns columns of concrete ODBC types (defaults and" \
  "BoolsAsChar=0), text and unbounded numeric caught; $queries DirectQuery queries, $rows rows equal to psql's;" \
  "crm.sales_lines refused ($denied)"

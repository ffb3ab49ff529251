#!/usr/bin/env bash
# Concurrency and load: 8 pgbench readers, as crm_reader through the Power BI
# views (crm_bi), sum a source's revenue and its customers' RFM totals while
# crm_sync publishes one changed export after another (each run ends with
# the analytics refresh). Every value a reader saw must be a published state
# (the one before the first run, or one recorded after a run committed): a
# Power BI refresh never sees half a sync, nor new sales with old analytics. Reader throughput and p95 latency are
# reported during syncs and with no sync running. Then two sessions start
# crm_sync of a changed export at the same instant: one loads it, the other
# is skipped (or finds it unchanged), and the data equals one clean run's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

src=concurrent
files=$("$repo/tools/cluster.sh" files "$cluster")
dir=$files/concurrent_readers
# crm_source_remove keeps a source's curated rows and cursors: the test
# starts from none and leaves none.
purge() {
  psql_crm -Atq -c "SET client_min_messages = error" -c "SELECT crm_source_remove(name) FROM crm.source WHERE name = '$src'" \
    -c "DELETE FROM crm.customer_identity WHERE customer_key IN (SELECT customer_key FROM crm.customers WHERE source = '$src')" \
    -c "DELETE FROM crm.sales_lines WHERE source = '$src'" -c "DELETE FROM crm.customers WHERE source = '$src'" \
    -c "DELETE FROM crm.product_catalog WHERE source = '$src'" -c "DELETE FROM crm.stock_levels WHERE source = '$src'" \
    -c "DELETE FROM crm.sync_cursor WHERE source = '$src'" -c "DELETE FROM crm.sync_run WHERE source = '$src'" \
    -c "DROP TABLE IF EXISTS public.reader_seen, public.reader_published" >/dev/null
}
bg=()
cleanup() {
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  purge 2>/dev/null || true
  rm -rf "$dir" "$work"
}
trap cleanup EXIT
rm -rf "$dir"
purge

# Big enough for a sync to take a second or more under the readers' load.
gen() { python3 "$repo/tools/gen_isavigne.py" --customers 2000 --products 200 --lines 50000 "$@" >/dev/null 2>&1; }
gen --out "$dir"
rm -f "$dir/bad_rows.tsv"
cp "$dir/ventes.csv" "$work/ventes.0"
# Four changed exports: consecutive runs always see a new file.
fractions=(0.10 0.20 0.30 0.40)
for i in 1 2 3 4; do
  gen --out "$work/v$i" --change-fraction "${fractions[i - 1]}" --only ventes
  mv "$work/v$i/ventes.csv" "$work/ventes.$i"
done
own() { [ "$(id -u)" -ne 0 ] || chown -R postgres "$dir"; }
use() { cp "$work/ventes.$1" "$dir/ventes.csv"; own; }
own

sql() { psql_crm -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1"; }
# What a reader sums, in one statement (one snapshot).
view="(SELECT coalesce(sum(f.montant_ht), 0) || '/' || count(*) FROM crm_bi.fait_ventes f
         JOIN crm_bi.dim_source s ON s.cle_source = f.cle_source WHERE s.source = '$src')
      || '/' || (SELECT coalesce(sum(c.montant_ht), 0) || '/' || coalesce(sum(c.nombre_commandes), 0)
                 FROM crm_bi.dim_client c WHERE c.source = '$src')"
sql "DROP TABLE IF EXISTS public.reader_seen, public.reader_published;
     CREATE UNLOGGED TABLE public.reader_seen (v text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
     CREATE UNLOGGED TABLE public.reader_published (v text NOT NULL, run int NOT NULL);
     GRANT INSERT ON public.reader_seen TO crm_reader"
sql "SELECT crm_source_add('$src', 'isavigne', '{\"directory\": \"$dir\"}')" >/dev/null
[ "$(sql "SELECT crm_sync('$src') ->> 'status'")" = succeeded ] || fail "the first sync failed"
sql "INSERT INTO public.reader_published SELECT $view, 0"
clean0=$(sql "SELECT $view")
# The reader reads as crm_reader (what Power BI logs in as); it may write
# what it saw to the scratch table only.
printf 'SET ROLE crm_reader;\nINSERT INTO public.reader_seen (v) SELECT %s;\nRESET ROLE;\n' \
  "$(tr '\n' ' ' <<<"$view")" >"$work/reader.sql"

# pgbench's per-transaction logs: tps and p95 latency (ms) of a pass.
p95() { cat "$1".* | awk '{print $3}' | sort -n | awk '{a[NR] = $1} END {i = int(NR * 0.95); if (i < 1) i = 1; printf "%.1f", a[i] / 1000}'; }
tps() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$1" | awk '{printf "%.0f", $1}'; }
bench() { pgbench -n -c 8 -j 2 -T "$1" -f "$work/reader.sql" -l --log-prefix="$work/$2" >"$work/$2.out" 2>&1; }

# Readers for 16 s while the export changes and is synced again and again.
bench 16 during &
readers=$!
bg+=("$readers")
(
  run=0
  while kill -0 "$readers" 2>/dev/null; do
    run=$((run + 1))
    use $(( (run - 1) % 4 + 1 ))
    status=$(sql "SELECT crm_sync('$src') ->> 'status'")
    [ "$status" = succeeded ] || echo "run $run: $status" >>"$work/sync_errors"
    # Recorded from another session once the run has committed.
    sql "INSERT INTO public.reader_published SELECT $view, $run"
  done
) &
syncs=$!
bg+=("$syncs")
wait "$readers" || fail "pgbench failed: $(tail -5 "$work/during.out")"
wait "$syncs" || fail "the sync loop stopped: $(tail -3 "$work/sync_errors" 2>/dev/null)"
[ ! -s "$work/sync_errors" ] || fail "a sync did not succeed: $(cat "$work/sync_errors")"
runs=$(sql "SELECT max(run) FROM public.reader_published")
[ "$runs" -ge 3 ] || fail "only $runs syncs ran while the readers did"
states=$(sql "SELECT count(DISTINCT v) FROM public.reader_published")
[ "$states" -ge 3 ] || fail "the changed exports published only $states distinct states"
reads=$(sql "SELECT count(*) FROM public.reader_seen")
[ "$reads" -gt 0 ] || fail "the readers recorded nothing"
bad=$(sql "SELECT count(*) || ' reads, e.g. ' || min(v) FROM public.reader_seen
            WHERE v NOT IN (SELECT v FROM public.reader_published) HAVING count(*) > 0")
[ -z "$bad" ] || fail "readers saw unpublished states: $bad"
seen=$(sql "SELECT count(DISTINCT v) FROM public.reader_seen")
[ "$seen" -ge 2 ] || fail "the readers saw $seen state(s): no sync committed while they read"
during_tps=$(tps "$work/during.out"); during_p95=$(p95 "$work/during")

# The same readers with no sync running.
bench 5 idle || fail "pgbench failed: $(tail -5 "$work/idle.out")"
idle_tps=$(tps "$work/idle.out"); idle_p95=$(p95 "$work/idle")

# Two runs of a changed export (back to the first one) started at the same
# instant: both wait on an advisory lock another session holds, then go.
use 0
loads_before=$(sql "SELECT coalesce(max(load_id), 0) FROM crm_raw.load")
psql_crm -Atq -c "BEGIN" -c "SELECT pg_advisory_xact_lock(7731)" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
bg+=("$holder")
gate=$(backend_pid "query = 'SELECT pg_sleep(30)'")
[ -n "$gate" ] || fail "the gate session never started"
for s in a b; do
  psql_crm -Atq -F ' ' -c "SET client_min_messages = warning" -c "SELECT pg_advisory_lock_shared(7731)" \
    -c "SELECT r ->> 'status', coalesce(r #>> '{entities,sales,load_id}', 'none') FROM crm_sync('$src') r" \
    >"$work/race.$s" 2>&1 &
  bg+=("$!")
done
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7731 AND NOT granted")" = 2 ] && break
  sleep 0.1
done
sql "SELECT pg_cancel_backend($gate)" >/dev/null
wait || true
# Each session prints "status load_id" (its lock call prints an empty line).
outcomes=$(cat "$work/race.a" "$work/race.b" | grep ' ' | sort || true)
said=$(tr '\n' ';' <<<"$outcomes")
[ "$(grep -c . <<<"$outcomes")" = 2 ] || fail "the two runs did not both answer: $(cat "$work/race.a" "$work/race.b")"
grep -q '^succeeded [0-9]' <<<"$outcomes" || fail "neither simultaneous run loaded the export: $said"
other=$(grep -v '^succeeded [0-9]' <<<"$outcomes" || true)
case "$other" in
  "skipped none") other=skipped ;;
  "succeeded none") other="found it unchanged" ;;
  *) fail "two simultaneous runs: $said (one load, and one skipped or unchanged expected)" ;;
esac
new_loads=$(sql "SELECT count(*) FROM crm_raw.load WHERE load_id > $loads_before AND target = 'crm_raw.sales'")
[ "$new_loads" = 1 ] || fail "two simultaneous runs made $new_loads sales loads"
dupes=$(sql "SELECT count(*) - count(DISTINCT sale_line_key) FROM crm.sales_lines WHERE source = '$src'")
[ "$dupes" = 0 ] || fail "$dupes duplicate sales lines"
after=$(sql "SELECT $view")
[ "$after" = "$clean0" ] || fail "after the simultaneous runs the source holds $after, a clean run of the same export $clean0"

figures "$reads" "$((runs + 2))"
pass "8 readers saw only published states ($seen of $states, $runs syncs) in $reads reads;" \
  "during syncs $during_tps tps p95 $during_p95 ms, idle $idle_tps tps p95 $idle_p95 ms;" \
  "two simultaneous runs: 1 load, the other $other"

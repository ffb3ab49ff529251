#!/usr/bin/env bash
# The malformed-input corpus (test/corpus/make_malformed.py: 230 broken CSV and
# XLSX files made from the real fixtures) through crm_read and crm_load: each
# file ends in rows or a classified SQLSTATE error — never an internal error
# (XX000), never a crash — on the same backend, and a failed load leaves its
# target table as it was.
# Then the JSON corpus (test/corpus/make_malformed_json.py: malformed and
# hostile API bodies) served by the mock API server (PUT /_bodies, GET /bodies)
# to an http_json source, through crm_read_api and crm_read_api_rows: the same
# promise, and the backend's peak memory stays bounded. The mock is the one on
# PG_CRM_MOCK_PORT (default 58080, started by tools/test.sh) or, when nothing
# listens there, one started here; the cluster's crm.allowed_hosts must admit
# http://127.0.0.1:<that port>.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
python3 "$repo/test/corpus/make_malformed.py" "$repo/test/fixtures" "$files/malformed" >/dev/null
[ "$(id -u)" -eq 0 ] && chown -R postgres "$files/malformed"

psql_crm -v ON_ERROR_STOP=1 -v dir="$files/malformed" >"$work/report" 2>&1 <<'SQL' || fail "the corpus run itself failed: $(tail -5 "$work/report")"
\pset footer off
CREATE TEMP TABLE outcome (file text, step text, result text);
CREATE TEMP TABLE target (n_vente int, date date, qte numeric, montant_ht numeric(14,2));
INSERT INTO target VALUES (1, '2024-01-01', 1, 1);
SELECT pg_backend_pid() AS pid \gset
DO $$
DECLARE f text; n text; before bigint;
BEGIN
    FOR f IN SELECT pg_ls_dir(current_setting('crm.allowed_read_paths') || '/malformed') ORDER BY 1 LOOP
        BEGIN
            EXECUTE format('SELECT count(*)::text FROM crm_read(%L)',
                           current_setting('crm.allowed_read_paths') || '/malformed/' || f) INTO n;
            INSERT INTO outcome VALUES (f, 'crm_read', 'rows');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcome VALUES (f, 'crm_read', SQLSTATE);
        END;
        SELECT count(*) INTO before FROM target;
        BEGIN
            PERFORM crm_load(current_setting('crm.allowed_read_paths') || '/malformed/' || f, 'target', '{}');
            INSERT INTO outcome VALUES (f, 'crm_load', 'loaded');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcome VALUES (f, 'crm_load', SQLSTATE);
            IF (SELECT count(*) FROM target) <> before THEN
                RAISE EXCEPTION 'a failed load of % left rows behind', f;
            END IF;
        END;
    END LOOP;
END $$;
SELECT step, result, count(*) AS files FROM outcome GROUP BY 1, 2 ORDER BY 1, 2;
SELECT 'files=' || count(DISTINCT file) FROM outcome;
SELECT 'internal_errors=' || count(*) FROM outcome WHERE result = 'XX000';
SELECT 'same_backend=' || (pg_backend_pid() = :pid);
SQL
cat "$work/report" | sed 's/^/# /'
grep -q "files=230" "$work/report" || fail "not every file was tried"
grep -q "internal_errors=0" "$work/report" || fail "some files ended in an internal error (XX000)"
grep -q "same_backend=true" "$work/report" || fail "the backend changed"

# ---- JSON API bodies.
mock_port=${PG_CRM_MOCK_PORT:-58080}
[[ "$mock_port" =~ ^[0-9]+$ ]] || fail "PG_CRM_MOCK_PORT is not a port number: $mock_port"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$mock_port") 2>/dev/null; }
if ! listening; then
  python3 "$repo/test/mock/api_server.py" --port "$mock_port" >"$work/mock.log" 2>&1 &
  mock_pid=$!
  trap 'kill "$mock_pid" 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 100); do listening && break; kill -0 "$mock_pid" 2>/dev/null || break; sleep 0.1; done
  listening || fail "could not start the mock API server on port $mock_port: $(tail -3 "$work/mock.log")"
fi

python3 "$repo/test/corpus/make_malformed_json.py" "$work/json" >/dev/null
# Each body is stored in the mock under its file name without .json.
python3 - "$mock_port" "$work/json" >"$work/bodies" 2>"$work/upload.err" <<'PY' \
  || fail "could not store the JSON bodies in the mock on port $mock_port: $(tail -1 "$work/upload.err")"
import http.client, os, sys
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
for file in sorted(os.listdir(sys.argv[2])):
    name = file.removesuffix(".json")
    with open(os.path.join(sys.argv[2], file), "rb") as f:
        connection.request("PUT", "/_bodies/" + name, body=f.read())
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"PUT /_bodies/{name}: HTTP {answer.status} (a mock older than PUT /_bodies?)")
    print(name)
PY
bodies=$(wc -l <"$work/bodies")

# One CALL per body: if the backend dies, psql's error names the line, and so the body.
{
  cat <<'SQL'
\pset footer off
SET client_min_messages = warning;
-- A body that hangs a read is a finding too: the CALL fails with 57014 and the run stops.
SET statement_timeout = '30s';
CREATE TEMP TABLE outcome (body text, step text, result text, n bigint, message text);
SELECT pg_backend_pid() AS pid \gset
SELECT crm_source_add('malformed_json', 'http_json',
         jsonb_build_object('url', 'http://127.0.0.1:' || :'port' || '/bodies', 'records', '',
                            'pagination', jsonb_build_object('type', 'none'), 'max_retries', 0))
\g /dev/null
-- The backend's peak resident memory (kB), from the kernel.
CREATE FUNCTION pg_temp.vm_kb(field text) RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), field || ':\s+(\d+) kB'))[1]::bigint
$$;
SELECT pg_temp.vm_kb('VmHWM') AS hwm_before \gset
CREATE PROCEDURE pg_temp.try_body(body text) LANGUAGE plpgsql AS $$
DECLARE
    n bigint; width bigint; state text; msg text;
BEGIN
    BEGIN
        SELECT count(*) INTO n FROM crm_read_api('malformed_json', body);
        INSERT INTO outcome VALUES (body, 'crm_read_api', 'rows', n, NULL);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        INSERT INTO outcome VALUES (body, 'crm_read_api', state, NULL, msg);
    END;
    BEGIN
        -- t::text converts every column of every row.
        SELECT count(*), sum(octet_length(t::text)) INTO n, width
          FROM crm_read_api_rows('malformed_json', body,
                 '{"fields": {"id": "/id", "amount": "/amount", "label": "/label", "active": "/active", "qty": "/qty",
                              "seen_at": "/seen_at", "payload": "/payload", "first_tag": "/payload/tags/0"}}')
               AS t(id int, amount numeric, label text, active boolean, qty bigint, seen_at timestamptz,
                    payload jsonb, first_tag text);
        INSERT INTO outcome VALUES (body, 'crm_read_api_rows', 'rows', n, NULL);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        INSERT INTO outcome VALUES (body, 'crm_read_api_rows', state, NULL, msg);
    END;
END
$$;
SQL
  sed "s/.*/CALL pg_temp.try_body('&');/" "$work/bodies"
  cat <<'SQL'
SELECT step, result, count(*) AS bodies, sum(n) AS rows FROM outcome GROUP BY 1, 2 ORDER BY 1, 2;
\pset tuples_only on
SELECT 'bodies=' || count(DISTINCT body) || ' steps=' || count(*) FROM outcome;
SELECT 'internal_errors=' || count(*) FROM outcome WHERE result LIKE 'XX%';
SELECT 'internal: ' || body || ' ' || step || ' ' || result || ': ' || left(message, 300)
  FROM outcome WHERE result LIKE 'XX%' ORDER BY 1;
-- Errors before the body was read (no connection, refused address, no source) say nothing about the body.
SELECT 'unreached=' || count(*) FROM outcome WHERE result IN ('08001', '08006', '42501', '42704');
SELECT 'unreached: ' || body || ' ' || step || ' ' || result || ': ' || left(message, 300)
  FROM outcome WHERE result IN ('08001', '08006', '42501', '42704') ORDER BY 1 LIMIT 5;
SELECT 'baseline=' || count(*) FROM outcome WHERE body = 'valid_three_records' AND result = 'rows' AND n = 3;
SELECT 'same_backend=' || (pg_backend_pid() = :pid);
SELECT format('memory: VmHWM %s MB -> %s MB, peak_growth=%s MB, VmRSS %s MB after',
              :hwm_before / 1024, pg_temp.vm_kb('VmHWM') / 1024, (pg_temp.vm_kb('VmHWM') - :hwm_before) / 1024,
              pg_temp.vm_kb('VmRSS') / 1024);
SELECT 'memory_bounded=' || (pg_temp.vm_kb('VmHWM') - :hwm_before < 256 * 1024);
SELECT crm_source_remove('malformed_json') \g /dev/null
SQL
} >"$work/json.sql"

if ! psql_crm -v ON_ERROR_STOP=1 -v port="$mock_port" -f "$work/json.sql" >"$work/json_report" 2>&1; then
  line=$(grep -o "json.sql:[0-9]*:" "$work/json_report" | tail -1 | tr -dc 0-9)
  fail "the JSON corpus run itself failed${line:+ at \"$(sed -n "${line}p" "$work/json.sql")\"}:" \
       "$(tail -3 "$work/json_report" | tr -s '\n\t' '  ')"
fi
# A mock that outlives the test (tools/test.sh's) does not keep 30 MB of bodies.
if [ -z "${mock_pid:-}" ]; then
  python3 - "$mock_port" "$work/bodies" <<'PY' || true
import http.client, sys
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
for name in open(sys.argv[2]).read().split():
    connection.request("DELETE", "/_bodies/" + name)
    connection.getresponse().read()
PY
fi
sed '/^$/d; s/^/# /' "$work/json_report"
grep -q "bodies=$bodies steps=$((2 * bodies))" "$work/json_report" || fail "not every JSON body was tried"
grep -q "internal_errors=0" "$work/json_report" || fail "some JSON bodies ended in an internal error (XX000)"
grep -q "unreached=0" "$work/json_report" || fail "some JSON bodies never reached pg_crm (connection or allow-list)"
grep -q "baseline=2" "$work/json_report" || fail "the well-formed body did not read as 3 rows in both steps"
grep -q "same_backend=true" "$work/json_report" || fail "the backend changed during the JSON bodies"
grep -q "memory_bounded=true" "$work/json_report" || fail "the backend's peak memory grew by 256 MB or more (rows piling up instead of streaming?)"
figures $((230 + bodies)) 0
pass "230 files and $bodies JSON bodies: rows or a classified error, same backend, failed loads left nothing," \
     "backend peak memory +$(grep -o 'peak_growth=[0-9]*' "$work/json_report" | cut -d= -f2) MB"

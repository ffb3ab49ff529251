#!/usr/bin/env bash
# The malformed-input corpus (test/corpus/make_malformed.py: 230 broken CSV and
# XLSX files made from the real fixtures) through crm_read and crm_load: each
# file ends in rows or a classified SQLSTATE error — never an internal error
# (XX000), never a crash — on the same backend, and a failed load leaves its
# target table as it was.
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
pass "230 malformed files: rows or a classified error, same backend, failed loads left nothing"

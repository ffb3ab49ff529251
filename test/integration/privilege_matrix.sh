#!/usr/bin/env bash
# The privilege matrix, tried: for each role (crm_admin, crm_runner,
# crm_reader, a plain login role member of nothing, and PUBLIC) and each
# object of pg_crm (the tables, views and sequences of crm, crm_raw and
# crm_bi, the schemas, the functions of the extension), whether the access is
# allowed or refused (42501), compared with the policy below, written as
# rules. Relations are really read: SET ROLE, then SELECT * FROM it LIMIT 0
# (the executor checks the privileges of every relation, a view's tables as
# its owner, even for no row). Nobody can SET ROLE PUBLIC: its column comes
# from has_table_privilege('public', ...), and the plain role, which has
# PUBLIC's privileges only, must equal it. Functions are not called (their
# arguments would be files, sources, secrets): has_function_privilege says
# whether EXECUTE is granted; schemas: has_schema_privilege(USAGE).
#
# The policy (docs/security.md, docs/reliability.md):
#   relations  crm_admin   every table and view of crm, crm_raw, crm_bi but crm.secret
#              crm_runner  the same, and not crm.secret_names either
#              crm_reader  crm_bi only
#              plain, PUBLIC  nothing
#              sequences: nobody (identity columns and the functions use them)
#   schemas    crm_admin, crm_runner: crm, crm_raw, crm_bi; crm_reader: crm_bi; plain, PUBLIC: none
#   functions  everyone: the pure functions (normalisation, parsing, z-scores);
#              crm_admin only: sources and secrets (crm_source_add, crm_source_remove,
#              crm._source_check, crm_secret_set, crm_secret_remove), schedules
#              (crm_schedule*, crm_unschedule*, crm._schedule_job: pg_cron runs a
#              job as the role that scheduled it);
#              nobody but the owner: crm._reco_settings_one_row (a trigger), crm._test_fault;
#              crm_runner (and crm_admin): every other function.
# One line per role and schema (allowed/denied), one per role (allowed/total),
# every unexpected cell named; a wrong cell fails the test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

plain=crm_matrix_plain_user
trap 'psql_crm -Atq -c "DROP ROLE IF EXISTS $plain" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql_crm -Atq -v ON_ERROR_STOP=1 -F ' ' >"$work/matrix" 2>"$work/errors" <<SQL || fail "$(head -5 "$work/errors")"
SET client_min_messages = warning;
DROP ROLE IF EXISTS $plain;
CREATE ROLE $plain LOGIN;
\i $repo/test/privileges/pure_functions.sql
CREATE TEMP TABLE admin_only (signature text PRIMARY KEY);
INSERT INTO admin_only VALUES ('crm_source_add(text,text,jsonb)'), ('crm_source_remove(text)'),
    ('crm._source_check(text,jsonb)'), ('crm_secret_set(text,text)'), ('crm_secret_remove(text)'),
    ('crm_schedule(text,text,jsonb)'), ('crm_schedule_push(text,text,jsonb)'), ('crm_schedule_purge(text,jsonb)'),
    ('crm_schedule_report(text,text,jsonb)'), ('crm_unschedule(text)'), ('crm_unschedule_job(text)'),
    ('crm._schedule_job(text,text,text,text,jsonb)');
CREATE TEMP TABLE owner_only (signature text PRIMARY KEY);
INSERT INTO owner_only VALUES ('crm._reco_settings_one_row()'), ('crm._test_fault(text)');
CREATE TEMP TABLE roles (role text, ord int);
INSERT INTO roles VALUES ('crm_admin', 1), ('crm_runner', 2), ('crm_reader', 3), ('$plain', 4), ('public', 5);

CREATE TEMP TABLE objects AS
SELECT 'relation'::text AS kind, n.nspname AS schema, c.oid::regclass::text AS name, c.oid, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('crm', 'crm_raw', 'crm_bi') AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')
UNION ALL
SELECT 'schema', n.nspname, n.nspname, n.oid, NULL FROM pg_namespace n WHERE n.nspname IN ('crm', 'crm_raw', 'crm_bi')
UNION ALL
SELECT 'function', p.pronamespace::regnamespace::text, p.oid::regprocedure::text, p.oid, NULL
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm';

-- What each role may do, as rules.
CREATE TEMP TABLE expected AS
SELECT r.role, o.kind, o.schema, o.name,
       CASE o.kind
         WHEN 'relation' THEN CASE
           WHEN o.relkind = 'S' THEN false
           WHEN r.role = 'crm_admin' THEN o.name <> 'crm.secret'
           WHEN r.role = 'crm_runner' THEN o.name NOT IN ('crm.secret', 'crm.secret_names')
           WHEN r.role = 'crm_reader' THEN o.schema = 'crm_bi'
           ELSE false END
         WHEN 'schema' THEN CASE
           WHEN r.role IN ('crm_admin', 'crm_runner') THEN true
           WHEN r.role = 'crm_reader' THEN o.schema = 'crm_bi'
           ELSE false END
         ELSE CASE
           WHEN o.name IN (SELECT signature FROM pure_functions) THEN true
           WHEN o.name IN (SELECT signature FROM owner_only) THEN false
           WHEN o.name IN (SELECT signature FROM admin_only) THEN r.role = 'crm_admin'
           ELSE r.role IN ('crm_admin', 'crm_runner') END
       END AS allowed
  FROM roles r CROSS JOIN objects o;

-- What each role can do: relations tried under SET ROLE, the rest from the catalogs.
CREATE TEMP TABLE actual (role text, name text, kind text, allowed boolean, error text);
GRANT INSERT ON actual TO PUBLIC;
DO \$try\$
DECLARE
    r record;
    o record;
    ok boolean;
    err text;
BEGIN
    FOR r IN SELECT role FROM roles WHERE role <> 'public' LOOP
        FOR o IN SELECT name FROM objects WHERE kind = 'relation' LOOP
            err := NULL;
            BEGIN
                EXECUTE pg_catalog.format('SET LOCAL ROLE %I', r.role);
                EXECUTE pg_catalog.format('SELECT * FROM %s LIMIT 0', o.name);
                ok := true;
                RESET ROLE;
            EXCEPTION WHEN insufficient_privilege THEN
                ok := false;
            WHEN OTHERS THEN
                ok := NULL;
                err := SQLSTATE || ' ' || SQLERRM;
            END;
            INSERT INTO actual VALUES (r.role, o.name, 'relation', ok, err);
        END LOOP;
    END LOOP;
END
\$try\$;
INSERT INTO actual
SELECT 'public', o.name, 'relation', has_table_privilege('public', o.oid, 'SELECT'), NULL
  FROM objects o WHERE o.kind = 'relation' AND o.relkind <> 'S'
UNION ALL
SELECT 'public', o.name, 'relation', has_sequence_privilege('public', o.oid, 'SELECT'), NULL
  FROM objects o WHERE o.kind = 'relation' AND o.relkind = 'S'
UNION ALL
SELECT r.role, o.name, o.kind,
       CASE o.kind WHEN 'schema' THEN has_schema_privilege(r.role, o.oid, 'USAGE')
                   ELSE has_function_privilege(r.role, o.oid, 'EXECUTE') END, NULL
  FROM roles r CROSS JOIN objects o WHERE o.kind IN ('schema', 'function');

-- The matrix: role x schema x kind, allowed/denied; then every unexpected cell.
SELECT 'matrix', rpad(e.role, 22), rpad(e.kind, 8), rpad(e.schema, 8),
       count(*) FILTER (WHERE a.allowed) || ' allowed', count(*) FILTER (WHERE NOT a.allowed) || ' denied'
  FROM expected e JOIN actual a USING (role, kind, name) JOIN roles USING (role)
 GROUP BY e.role, roles.ord, e.kind, e.schema ORDER BY roles.ord, e.kind, e.schema;
-- One line per role: allowed/total per schema (relations), functions, schemas.
SELECT 'role', rpad(e.role, 22),
       'relations ' || string_agg(e.schema || ' ' || count_allowed || '/' || total, ' ' ORDER BY e.schema)
           FILTER (WHERE e.kind = 'relation'),
       ' functions ' || sum(count_allowed) FILTER (WHERE e.kind = 'function') || '/'
           || sum(total) FILTER (WHERE e.kind = 'function'),
       ' schemas ' || sum(count_allowed) FILTER (WHERE e.kind = 'schema') || '/'
           || sum(total) FILTER (WHERE e.kind = 'schema')
  FROM (SELECT e.role, e.kind, e.schema, count(*) FILTER (WHERE a.allowed) AS count_allowed, count(*) AS total
          FROM expected e JOIN actual a USING (role, kind, name) GROUP BY 1, 2, 3) e
  JOIN roles USING (role)
 GROUP BY e.role, roles.ord ORDER BY roles.ord;
SELECT 'cells', count(*) FROM expected;
SELECT 'unexpected', e.role, e.kind, e.name,
       CASE WHEN a.allowed IS NULL THEN coalesce(a.error, 'not tried')
            WHEN a.allowed THEN 'allowed, policy says denied' ELSE 'denied, policy says allowed' END
  FROM expected e LEFT JOIN actual a USING (role, kind, name)
 WHERE a.allowed IS DISTINCT FROM e.allowed
 ORDER BY 2, 3, 4;
-- The plain role has PUBLIC's privileges, nothing more.
SELECT 'unexpected', 'plain vs PUBLIC', p.kind, p.name, 'plain ' || p.allowed || ', PUBLIC ' || u.allowed
  FROM actual p JOIN actual u USING (kind, name)
 WHERE p.role = '$plain' AND u.role = 'public' AND p.allowed IS DISTINCT FROM u.allowed;
SQL

sed -n 's/^matrix /# matrix: /p' "$work/matrix"
# The compact matrix (allowed/total), which test/reliability/run prints.
sed -n 's/^role /# role: /p' "$work/matrix"
cells=$(sed -n 's/^cells //p' "$work/matrix")
[ -n "$cells" ] && [ "$cells" -gt 0 ] || fail "no cell computed: $(head -3 "$work/matrix")"
relations=$(grep -c '^matrix .* relation ' "$work/matrix" || true)
[ "$relations" -ge 15 ] || fail "the matrix has $relations role x schema rows of relations"
if grep -q '^unexpected ' "$work/matrix"; then
  sed -n 's/^unexpected /# unexpected: /p' "$work/matrix"
  fail "$(grep -c '^unexpected ' "$work/matrix") cells differ from the policy, e.g. $(grep -m1 '^unexpected ' "$work/matrix" | cut -d' ' -f2-)"
fi
figures "$cells" 0
pass "$cells cells (5 roles x relations tried under SET ROLE, schemas, functions) as the policy says"

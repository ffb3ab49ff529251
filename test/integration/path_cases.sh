#!/usr/bin/env bash
# Path and SSRF-like cases for the file readers, as a pg_cron job would run them:
# a LOGIN role IN ROLE crm_runner (SET ROLE from the superuser session) calls
# crm_sniff on every case, crm_read and crm_load on a dozen of them. Each
# case aims at something the server may read but a CRM job must not: /etc, /proc,
# the data directory (through `..`, `.`, doubled slashes, relative paths that
# the backend would resolve against PGDATA, symlinks and symlink chains planted
# in the allowed directory, /proc/self/cwd), NUL bytes, 5 000-character and
# 3 000-component paths, a FIFO and a character device (which could block or
# stream forever), a mode-000 file, a sibling directory named like the allowed
# one, and the runner widening crm.allowed_read_paths itself.
# Proven: every case is refused with the SQLSTATE justified next to it
# (42501/22023/58P01/54000 from pg_crm's policy, 22021/54000 from PostgreSQL's
# own text input for the NUL byte) and a message that names the path and says
# why; no refused call returned a row or a value; no message carries file
# contents (/etc/passwd's "root:", postgresql.conf's "port =", a canary file
# the server can read); an existing and a missing file outside the allowed
# directory get the same answer; the FIFO is refused at once, not by the
# statement timeout; refused loads leave no crm_raw.load row; two positive
# controls (a file inside, a symlink inside to a file inside) are read and
# loaded; the backend is the same at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
log=$("$repo/tools/cluster.sh" log "$cluster")
scratch=$files/path_cases          # inside the allowed directory
sibling=${files}2                  # outside it, though its name starts with it
role=path_cases_runner
canary=pathcases-canary-$$-$RANDOM
sibling_made=
# A failure before the checks are counted still ends with the figures line.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  rm -rf "$work" "$scratch"
  rm -f "$sibling/x.csv"
  [ -z "$sibling_made" ] || rmdir "$sibling" 2>/dev/null || true
  psql_crm -c "DELETE FROM crm_raw.load WHERE loaded_by = '$role'" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# As root the cluster runs as postgres: what is created for it belongs to postgres.
own() { [ "$(id -u)" -ne 0 ] || chown -hR postgres "$@"; }

pgdata=$(psql_crm -Atc "SHOW data_directory")
[ -f "$pgdata/postgresql.conf" ] || die "cannot see the data directory ($pgdata) from here"
psql_crm -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "DELETE FROM crm_raw.load WHERE loaded_by = '$role'" -c "DROP ROLE IF EXISTS $role" \
  -c "CREATE ROLE $role LOGIN IN ROLE crm_runner" >/dev/null || die "could not create the role $role"

# ---- Files planted in (and next to) the allowed directory.
rm -rf "$scratch"
mkdir -p "$scratch/sub"
cp "$repo/test/fixtures/csv/semicolon_crlf.csv" "$scratch/ventes.csv"   # 4 data rows
ln -s "$scratch/ventes.csv" "$scratch/alias.csv"                      # inside -> inside
ln -s /etc/passwd "$scratch/link_passwd.csv"
ln -s "$pgdata" "$scratch/link_data"
ln -s "$scratch/chain_2.csv" "$scratch/chain_1.csv"                   # chain_1 -> chain_2 -> <allowed>2/x.csv
ln -s "$sibling/x.csv" "$scratch/chain_2.csv"
ln -s /proc/self/environ "$scratch/link_environ"
ln -s /proc/self/cwd "$scratch/link_cwd"                              # a backend's cwd is PGDATA
ln -s ../.. "$scratch/link_up"                                        # the cluster's directory
ln -s /etc/pg_crm_path_cases_missing "$scratch/dangling.csv"
mkfifo "$scratch/fifo.csv"
cp "$scratch/ventes.csv" "$scratch/mode000.csv"
chr=0
if [ "$(id -u)" -eq 0 ] && mknod "$scratch/null.csv" c 1 3 2>/dev/null; then
  chr=1
else
  echo "# note: character device case skipped (not root, or mknod not permitted here)"
fi
own "$scratch"
chmod 000 "$scratch/mode000.csv"
if [ ! -d "$sibling" ]; then mkdir "$sibling"; sibling_made=1; fi
printf 'code;secret\n1;%s\n' "$canary" >"$sibling/x.csv"
own "$sibling"
log_size=$(stat -c %s "$log" 2>/dev/null || echo 0)

# ---- The cases, run as the runner, one CALL each (statement_timeout per CALL).
cat >"$work/cases.sql" <<'SQL'
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
CREATE TEMP TABLE cases (
    n int GENERATED ALWAYS AS IDENTITY, name text, path text, path_sql text, expected text,
    fns text[] DEFAULT '{crm_sniff}', refusal bool DEFAULT true, pair text);
-- Expected SQLSTATEs:
--   42501 the path is outside the allowed directories as written (refused before the file system is
--         consulted), resolves outside them through a link, is the allowed directory itself (not inside
--         itself), or the server's OS user may not open it; also the runner changing a SUSET setting;
--   22023 the path is not absolute (never resolved against the backend's cwd, which is PGDATA), or names
--         something that is not a regular file (directory, FIFO, device);
--   58P01 inside the allowed directory as written, but it does not resolve to a file (missing, name too
--         long, a file used as a directory, a dangling link);
--   22021 / 54000 PostgreSQL's text type cannot hold a NUL: convert_from and chr(0) fail before pg_crm runs.
INSERT INTO cases (name, path, expected, fns, pair) VALUES
    ('/etc/passwd', '/etc/passwd', '42501', '{crm_sniff,crm_read,crm_load}', 'etc'),
    ('/etc/<missing>', '/etc/pg_crm_path_cases_missing', '42501', '{crm_sniff}', 'etc'),
    ('/etc/shadow', '/etc/shadow', '42501', '{crm_sniff}', NULL),
    ('/proc/self/environ', '/proc/self/environ', '42501', '{crm_sniff,crm_read}', NULL),
    ('/proc/self/cmdline', '/proc/self/cmdline', '42501', '{crm_sniff}', NULL),
    ('/proc/self/status', '/proc/self/status', '42501', '{crm_sniff}', NULL),
    ('/proc/self/cwd/postgresql.conf', '/proc/self/cwd/postgresql.conf', '42501', '{crm_sniff}', NULL),
    ('<pgdata>/postgresql.conf', :'pgdata' || '/postgresql.conf', '42501', '{crm_sniff,crm_read,crm_load}', 'pgdata'),
    ('<pgdata>/<missing>.conf', :'pgdata' || '/pg_crm_missing.conf', '42501', '{crm_sniff}', 'pgdata'),
    ('<pgdata>/postgresql.auto.conf', :'pgdata' || '/postgresql.auto.conf', '42501', '{crm_sniff}', NULL),
    ('<pgdata>/pg_hba.conf', :'pgdata' || '/pg_hba.conf', '42501', '{crm_sniff}', NULL),
    ('<pgdata>/PG_VERSION', :'pgdata' || '/PG_VERSION', '42501', '{crm_sniff}', NULL),
    ('<pgdata>/global/pg_control', :'pgdata' || '/global/pg_control', '42501', '{crm_sniff}', NULL),
    ('<allowed>/../data/postgresql.conf', :'allowed' || '/../data/postgresql.conf', '42501',
     '{crm_sniff,crm_read,crm_load}', NULL),
    ('<allowed>/../../../../etc/passwd', :'allowed' || '/../../../../etc/passwd', '42501', '{crm_sniff}', NULL),
    ('<allowed>/./sub/../../data/pg_hba.conf', :'allowed' || '/./sub/../../data/pg_hba.conf', '42501', '{crm_sniff}', NULL),
    ('<allowed>/ + 3000 x ../ + etc/passwd', :'allowed' || '/' || repeat('../', 3000) || 'etc/passwd', '42501',
     '{crm_sniff}', NULL),
    ('<ALLOWED> (upper case)/.../ventes.csv', upper(:'scratch') || '/ventes.csv', '42501', '{crm_sniff}', NULL),
    ('<allowed>2/x.csv (sibling)', :'sibling' || '/x.csv', '42501', '{crm_sniff,crm_read}', NULL),
    ('<allowed> itself', :'allowed', '42501', '{crm_sniff}', NULL),
    ('//etc//passwd', '//etc//passwd', '42501', '{crm_sniff}', NULL),
    ('/dev/zero', '/dev/zero', '42501', '{crm_sniff,crm_read}', NULL),
    ('/dev/stdin', '/dev/stdin', '42501', '{crm_sniff}', NULL),
    ('link -> /etc/passwd', :'scratch' || '/link_passwd.csv', '42501', '{crm_sniff,crm_read,crm_load}', NULL),
    ('link -> <pgdata>', :'scratch' || '/link_data', '42501', '{crm_sniff}', NULL),
    ('link -> <pgdata>, /postgresql.conf', :'scratch' || '/link_data/postgresql.conf', '42501',
     '{crm_sniff,crm_read,crm_load}', NULL),
    ('link -> link -> <allowed>2/x.csv', :'scratch' || '/chain_1.csv', '42501', '{crm_sniff,crm_read,crm_load}', NULL),
    ('link -> /proc/self/environ', :'scratch' || '/link_environ', '42501', '{crm_sniff,crm_read}', NULL),
    ('link -> /proc/self/cwd, /pg_hba.conf', :'scratch' || '/link_cwd/pg_hba.conf', '42501', '{crm_sniff}', NULL),
    ('link -> ../.., /data/pg_hba.conf', :'scratch' || '/link_up/data/pg_hba.conf', '42501', '{crm_sniff}', NULL),
    ('mode 000 file inside', :'scratch' || '/mode000.csv', '42501', '{crm_sniff,crm_read,crm_load}', NULL),
    ('relative ventes.csv', 'ventes.csv', '22023', '{crm_sniff}', NULL),
    ('relative postgresql.conf (cwd=PGDATA)', 'postgresql.conf', '22023', '{crm_sniff,crm_read}', NULL),
    ('relative ../data/postgresql.conf', '../data/postgresql.conf', '22023', '{crm_sniff}', NULL),
    ('empty string', '', '22023', '{crm_sniff,crm_read}', NULL),
    ('file:///etc/passwd', 'file:///etc/passwd', '22023', '{crm_sniff}', NULL),
    ('~/.pgpass', '~/.pgpass', '22023', '{crm_sniff}', NULL),
    ('subdirectory inside', :'scratch' || '/sub', '22023', '{crm_sniff,crm_read}', NULL),
    ('FIFO inside', :'scratch' || '/fifo.csv', '22023', '{crm_sniff,crm_read,crm_load}', NULL),
    ('missing file inside', :'scratch' || '/absent.csv', '58P01', '{crm_sniff,crm_read}', NULL),
    ('5000-character name inside', :'scratch' || '/' || repeat('a', 5000), '58P01', '{crm_sniff}', NULL),
    ('trailing slash on a file', :'scratch' || '/ventes.csv/', '58P01', '{crm_sniff}', NULL),
    ('dangling link -> /etc/<missing>', :'scratch' || '/dangling.csv', '58P01', '{crm_sniff}', NULL),
    ('format directives %n%s%x (missing)', :'scratch' || '/%n%s%x.csv', '58P01', '{crm_sniff}', NULL);
\if :chr
INSERT INTO cases (name, path, expected, fns) VALUES
    ('character device (c 1 3) inside', :'scratch' || '/null.csv', '22023', '{crm_sniff,crm_read}');
\endif
UPDATE cases SET path_sql = quote_literal(path);
-- Built when the call runs, so that their own errors are what the runner gets.
INSERT INTO cases (name, path_sql, expected, fns) VALUES
    ('NUL byte (convert_from)',
     format('convert_from(convert_to(%L, %L) || %L::bytea || convert_to(%L, %L), %L)',
            :'scratch' || '/ventes.csv', 'UTF8', '\x00', '/../../../../etc/passwd', 'UTF8', 'UTF8'),
     '22021', '{crm_sniff,crm_read,crm_load}'),
    ('NUL byte (chr(0))', format('%L || chr(0) || %L', '/etc/passwd', '.csv'), '54000', '{crm_sniff}'),
    -- If the runner could widen the list, /etc/passwd would then be inside it.
    ('runner sets crm.allowed_read_paths=/',
     format('set_config(%L, %L, true) || %L', 'crm.allowed_read_paths', '/', 'etc/passwd'), '42501', '{crm_sniff}');
INSERT INTO cases (name, path, path_sql, expected, fns, refusal) VALUES
    ('CONTROL: file inside', :'scratch' || '/ventes.csv', quote_literal(:'scratch' || '/ventes.csv'), 'ok',
     '{crm_sniff,crm_read,crm_load}', false),
    ('CONTROL: link inside -> file inside', :'scratch' || '/alias.csv', quote_literal(:'scratch' || '/alias.csv'), 'ok',
     '{crm_sniff,crm_read,crm_load}', false);

CREATE TEMP TABLE target (code_client text, designation text);
CREATE TEMP TABLE outcome (n int, fn text, state text, message text, detail text, hint text,
                           rows bigint, result text, ms numeric);
GRANT SELECT ON cases TO :"role";
GRANT SELECT, INSERT ON target, outcome TO :"role";
CREATE PROCEDURE pg_temp.try_case(k int) LANGUAGE plpgsql AS $$
DECLARE
    c record; fn text; rec record; r text; got bigint; before bigint; t0 timestamptz;
    st text; msg text; det text; hnt text;
BEGIN
    SELECT * INTO c FROM pg_temp.cases WHERE n = k;
    FOREACH fn IN ARRAY c.fns LOOP
        t0 := clock_timestamp(); st := 'ok'; msg := NULL; det := NULL; hnt := NULL; r := NULL; got := 0;
        BEGIN
            CASE fn
            WHEN 'crm_sniff' THEN
                EXECUTE format('SELECT crm_sniff(%s)::text', c.path_sql) INTO r;
                got := (r IS NOT NULL)::int;
            WHEN 'crm_read' THEN
                -- Row by row: a row delivered before an error still counts.
                FOR rec IN EXECUTE format('SELECT data::text AS d FROM crm_read(%s)', c.path_sql) LOOP
                    got := got + 1;
                    r := left(concat(r, rec.d, ' '), 4000);
                END LOOP;
            WHEN 'crm_load' THEN
                SELECT count(*) INTO before FROM pg_temp.target;
                EXECUTE format('SELECT crm_load(%s, %L)::text', c.path_sql, 'pg_temp.target') INTO r;
                SELECT count(*) - before INTO got FROM pg_temp.target;
            END CASE;
        EXCEPTION
            WHEN query_canceled THEN
                GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                                        det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
        END;
        INSERT INTO pg_temp.outcome
            VALUES (k, fn, st, msg, nullif(det, ''), nullif(hnt, ''), got, r,
                    round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1));
    END LOOP;
END $$;

SET ROLE :"role";
SET statement_timeout = '5s';
\pset tuples_only on
\pset format unaligned
SELECT 'runner=' || (current_user = :'role' AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                     AND pg_has_role(current_user, 'crm_runner', 'USAGE'));
SELECT format('CALL pg_temp.try_case(%s)', n) FROM pg_temp.cases ORDER BY n \gexec
RESET statement_timeout;
RESET ROLE;

-- ---- Report (as the superuser again).
CREATE TEMP VIEW shown AS
SELECT c.n, c.name, c.expected, c.refusal, o.fn, o.state, o.ms, o.rows,
       replace(replace(coalesce(o.message, '(' || left(o.result, 60) || ')'), :'allowed', '<allowed>'),
               :'pgdata', '<pgdata>') AS msg
  FROM pg_temp.cases c JOIN pg_temp.outcome o USING (n);
SELECT format('# %3s  %-38s %-34s %s', n, name, states,
              CASE WHEN length(m) > 110 THEN left(m, 72) || '…' || right(m, 36) ELSE m END)
  FROM (SELECT n, name, string_agg(replace(fn, 'crm_', '') || '=' || state, ' ' ORDER BY fn DESC) AS states,
               (array_agg(msg ORDER BY fn DESC))[1] AS m
          FROM shown GROUP BY n, name) t ORDER BY n;
CREATE TEMP TABLE failure (n int, name text, fn text, why text);
INSERT INTO failure
SELECT c.n, c.name, o.fn, why
  FROM pg_temp.cases c JOIN pg_temp.outcome o USING (n),
  LATERAL (VALUES
    (c.refusal AND o.state = 'ok',
     format('ACCEPTED (security finding): %s row(s), %s', o.rows, left(o.result, 200))),
    (o.state = '57014', 'timed out after ' || o.ms || ' ms: the call blocked'),
    (c.refusal AND o.state <> 'ok' AND o.state NOT IN ('42501', '22023', '58P01', '54000', '22021'),
     'SQLSTATE ' || o.state || ' is not a refusal of the policy or of text input: ' || o.message),
    (o.state <> c.expected, format('SQLSTATE %s, expected %s: %s', o.state, c.expected, o.message)),
    (c.refusal AND (o.rows > 0 OR o.result IS NOT NULL), format('returned %s row(s) or a value', o.rows)),
    (concat_ws(' ', o.message, o.detail, o.hint, CASE WHEN c.refusal THEN o.result END)
       ~ ('root:|port =|' || :'canary'), 'the message shows file contents: ' || o.message),
    (o.state <> 'ok' AND o.message !~ ('^(pg_crm may not read "|file path must be absolute: "|could not open file "'
       '|"[^"]*" is not a regular file|invalid byte sequence for encoding|null character not permitted'
       '|permission denied to set parameter "crm\.allowed_read_paths")'), 'unclear message: ' || o.message),
    -- A long path is quoted as its first 297 bytes and "..." (crm::excerpt), so the reason after it
    -- stays within the message length limit.
    (c.path IS NOT NULL AND o.state IN ('42501', '22023', '58P01') AND position(c.path IN o.message) = 0
       AND NOT (octet_length(c.path) > 300 AND position(left(c.path, 290) IN o.message) > 0
                AND o.message ~ '\.\.\.("|": .+)'),
     'the message does not name the path given: ' || o.message),
    (octet_length(o.message) > 1000, 'the message is too long to read: ' || left(o.message, 100) || '...'),
    (o.ms > 2000, 'took ' || o.ms || ' ms'),
    (NOT c.refusal AND o.fn = 'crm_sniff' AND o.result NOT LIKE '%"format": "csv"%', 'sniff result: ' || o.result),
    (NOT c.refusal AND o.fn IN ('crm_read', 'crm_load') AND o.rows IS DISTINCT FROM 4,
     format('%s row(s), expected 4', o.rows))
  ) AS check_(bad, why)
 WHERE bad;
-- Every planned call ran.
INSERT INTO failure
SELECT c.n, c.name, f, 'never ran'
  FROM pg_temp.cases c, unnest(c.fns) AS f
 WHERE NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n AND o.fn = f);
-- An existing and a missing file outside: the same answer, but for the path.
INSERT INTO failure
SELECT NULL, pair, 'crm_sniff', 'existing and missing files outside answer differently: '
       || string_agg(o.state || ' ' || o.message, ' | ')
  FROM pg_temp.cases c JOIN pg_temp.outcome o USING (n)
 WHERE pair IS NOT NULL AND o.fn = 'crm_sniff'
 GROUP BY pair
HAVING count(*) <> 2
    OR count(DISTINCT (o.state, replace(o.message, c.path, '<path>'), coalesce(o.detail, ''), coalesce(o.hint, ''))) <> 1;
-- Refused loads left no trace; the two controls' loads did.
INSERT INTO failure
SELECT NULL, 'crm_raw.load', 'crm_load', format('%s rows by %s, expected %s', l, :'role', ok)
  FROM (SELECT count(*) AS l FROM crm_raw.load WHERE loaded_by = :'role') a,
       (SELECT count(*) AS ok FROM pg_temp.outcome WHERE fn = 'crm_load' AND state = 'ok') b
 WHERE l <> ok;
INSERT INTO failure SELECT NULL, 'backend', NULL, 'the backend changed (crash?)' WHERE pg_backend_pid() <> :pid;
SELECT format('# FAIL %s %s %s: %s', n, name, fn, left(why, 300)) FROM failure ORDER BY n, fn;
SELECT 'inputs=' || count(*) FROM pg_temp.cases;
SELECT 'calls=' || count(*) FROM pg_temp.outcome;
SELECT 'refused=' || count(*) FROM pg_temp.cases c
 WHERE refusal AND NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n AND o.state = 'ok');
SELECT 'accepted=' || count(DISTINCT n) FROM pg_temp.outcome JOIN pg_temp.cases USING (n) WHERE refusal AND state = 'ok';
SELECT 'controls=' || count(*) FROM pg_temp.cases c
 WHERE NOT refusal AND NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n AND o.state <> 'ok');
SELECT 'states=' || string_agg(s, ', ' ORDER BY k DESC, s)
  FROM (SELECT expected || ' ×' || count(*) AS s, count(*) AS k, expected FROM pg_temp.cases WHERE refusal GROUP BY expected) x;
SELECT 'fifo_ms=' || max(ms) FROM pg_temp.outcome JOIN pg_temp.cases USING (n) WHERE name = 'FIFO inside';
SELECT 'failures=' || count(*) FROM failure;
SELECT 'same_backend=' || (pg_backend_pid() = :pid);
SQL

run_cases write "$scratch/fifo.csv" -v allowed="$files" -v scratch="$scratch" -v sibling="$sibling" \
  -v pgdata="$pgdata" -v role="$role" -v canary="$canary" -v chr="$chr"
failures=$(report_value failures)
[ -n "$failures" ] || die "the report has no failure count: $(tail -3 "$work/report")"
# The server log: no file contents either (errors caught in plpgsql are not logged, uncaught ones would be).
if tail -c +"$((log_size + 1))" "$log" 2>/dev/null | grep -qE "root:x:|$canary"; then
  echo "# FAIL the server log shows file contents"
  failures=$((failures + 1))
fi
echo "# figures: inputs=$(report_value inputs) events=0 failures=$failures"
[ "$failures" -eq 0 ] || fail "$failures failed check(s), first: $(grep -m1 '^# FAIL' "$work/report" || echo 'see above')"
pass "$(report_value inputs) path cases: $(report_value refused) refused ($(report_value states)), $(report_value accepted) accepted," \
     "$(report_value controls) positive controls read and loaded; $(report_value calls) calls of crm_sniff/crm_read/crm_load" \
     "as crm_runner, FIFO refused in $(report_value fifo_ms) ms, same backend"

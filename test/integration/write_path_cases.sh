#!/usr/bin/env bash
# Write-path cases for crm_export (and so crm_monthly_report, which writes
# through the same policy), as a pg_cron job would run them: a LOGIN role IN
# ROLE crm_runner (SET ROLE from the superuser session) exports one row to
# each path. Each case aims at something the server's OS user may write but
# a CRM job must not: `..` out of crm.allowed_write_paths, absolute paths
# outside it, /proc, the data directory, a directory symlink planted in the
# allowed directory pointing out, a symlinked target file (to a file outside,
# to /etc/passwd, dangling), a FIFO, a character device, a directory as the
# target, NUL bytes, over-long paths and names, relative paths, an existing
# file without {"overwrite": true}, an empty crm.allowed_write_paths, and the
# runner widening the setting itself.
# Proven: every case is refused with the SQLSTATE justified next to it and a
# message that names the path; nothing is written outside the allowed
# directory (the files aimed at are unchanged or still absent, the link
# targets keep their contents, the data directory's files are unchanged); no
# temporary file is left behind; the FIFO is refused at once, not by the
# statement timeout; two positive controls (a new file, mode 0640; an
# existing one replaced with overwrite) are written; the backend is the same
# at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

files=$("$repo/tools/cluster.sh" files "$cluster")
role=write_cases_runner
# A failure before the checks are counted still ends with the figures line.
out=$(psql_crm -Atc "SHOW crm.allowed_write_paths")
[ -n "$out" ] && [ -d "$out" ] || die "crm.allowed_write_paths ('$out') is not a directory of this cluster"
scratch=$out/write_cases        # inside the allowed directory
outside=$files/write_cases_out  # readable by the cluster, but not writable through pg_crm
canary=writecases-canary-$$-$RANDOM
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  rm -rf "$work" "$scratch" "$outside"
  rm -f /tmp/pg_crm_write_case_dangling.csv
  psql_crm -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
own() { [ "$(id -u)" -ne 0 ] || chown -hR postgres "$@"; }

pgdata=$(psql_crm -Atc "SHOW data_directory")
[ -f "$pgdata/postgresql.conf" ] || die "cannot see the data directory ($pgdata) from here"
psql_crm -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $role" \
  -c "CREATE ROLE $role LOGIN IN ROLE crm_runner" >/dev/null || die "could not create the role $role"

# ---- Files planted in (and next to) the allowed directory.
rm -rf "$scratch" "$outside"
mkdir -p "$scratch/sub" "$outside"
printf 'secret;%s\n' "$canary" >"$outside/target.csv"
printf 'existing;%s\n' "$canary" >"$scratch/existing.csv"
printf 'replace me\n' >"$scratch/replace.csv"
ln -s "$outside" "$scratch/link_out"                    # directory link out
ln -s "$pgdata" "$scratch/link_data"                    # directory link to PGDATA
ln -s "$outside/target.csv" "$scratch/link_file.csv"    # target file: a link to a file outside
ln -s /etc/passwd "$scratch/link_passwd.csv"
ln -s /tmp/pg_crm_write_case_dangling.csv "$scratch/dangling.csv"
mkfifo "$scratch/fifo.csv"
chr=0
if [ "$(id -u)" -eq 0 ] && mknod "$scratch/null.csv" c 1 3 2>/dev/null; then
  chr=1
else
  echo "# note: character device case skipped (not root, or mknod not permitted here)"
fi
own "$scratch" "$outside"
conf_sum=$(md5sum "$pgdata/postgresql.conf" "$pgdata/postgresql.auto.conf" | md5sum)
passwd_sum=$(md5sum /etc/passwd)

cat >"$work/cases.sql" <<'SQL'
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
CREATE TEMP TABLE cases (
    n int GENERATED ALWAYS AS IDENTITY, name text, path text, path_sql text, options jsonb DEFAULT '{}',
    expected text, refusal bool DEFAULT true, empty_setting bool DEFAULT false);
-- Expected SQLSTATEs:
--   42501 outside crm.allowed_write_paths as written (refused before the file system is consulted), or
--         resolving outside it through a directory link; the target is a link, a FIFO, a device or a
--         directory (refused even with overwrite); the setting empty; the runner changing a SUSET setting;
--   22023 not absolute, no file name, a path or name longer than PATH_MAX / NAME_MAX;
--   58P01 the directory does not exist;  58P02 the file exists and overwrite is off;
--   22021 / 54000 PostgreSQL's text type cannot hold a NUL: convert_from and chr(0) fail before pg_crm runs.
INSERT INTO cases (name, path, options, expected) VALUES
    ('<out>/../escape.csv', :'out' || '/../escape.csv', '{}', '42501'),
    ('<scratch>/../../../escape.csv', :'scratch' || '/../../../escape.csv', '{}', '42501'),
    ('<out>/./sub/../../../data/evil.csv', :'out' || '/./sub/../../../data/evil.csv', '{}', '42501'),
    ('/tmp/<case>.csv (absolute outside)', '/tmp/pg_crm_write_case.csv', '{}', '42501'),
    ('/etc/<case>.csv', '/etc/pg_crm_write_case.csv', '{}', '42501'),
    ('//etc//passwd (overwrite)', '//etc//passwd', '{"overwrite": true}', '42501'),
    ('/proc/self/<case>.csv', '/proc/self/pg_crm_write_case.csv', '{}', '42501'),
    ('/proc/self/cwd/postgresql.conf (overwrite)', '/proc/self/cwd/postgresql.conf', '{"overwrite": true}', '42501'),
    ('<pgdata>/postgresql.conf (overwrite)', :'pgdata' || '/postgresql.conf', '{"overwrite": true}', '42501'),
    ('<pgdata>/<case>.csv', :'pgdata' || '/pg_crm_write_case.csv', '{}', '42501'),
    ('<files> (sibling of out)/<case>.csv', :'files' || '/pg_crm_write_case.csv', '{}', '42501'),
    ('dir link -> outside, /x.csv', :'scratch' || '/link_out/x.csv', '{}', '42501'),
    ('dir link -> outside, /target.csv (overwrite)', :'scratch' || '/link_out/target.csv', '{"overwrite": true}', '42501'),
    ('dir link -> <pgdata>, /postgresql.auto.conf', :'scratch' || '/link_data/postgresql.auto.conf',
     '{"overwrite": true}', '42501'),
    ('target link -> file outside (overwrite)', :'scratch' || '/link_file.csv', '{"overwrite": true}', '42501'),
    ('target link -> /etc/passwd (overwrite)', :'scratch' || '/link_passwd.csv', '{"overwrite": true}', '42501'),
    ('target link dangling -> /tmp/<missing>', :'scratch' || '/dangling.csv', '{}', '42501'),
    ('FIFO as target (overwrite)', :'scratch' || '/fifo.csv', '{"overwrite": true}', '42501'),
    ('directory as target (overwrite)', :'scratch' || '/sub', '{"overwrite": true, "format": "csv"}', '42501'),
    ('<out> itself (overwrite)', :'out', '{"overwrite": true, "format": "csv"}', '42501'),
    ('relative x.csv', 'x.csv', '{}', '22023'),
    ('relative ../data/evil.csv (cwd=PGDATA)', '../data/evil.csv', '{}', '22023'),
    ('empty string', '', '{"format": "csv"}', '22023'),
    ('trailing slash', :'scratch' || '/x.csv/', '{"format": "csv"}', '22023'),
    ('5000-byte path', :'scratch' || '/' || repeat('a/', 2500) || 'x.csv', '{}', '22023'),
    ('300-byte file name', :'scratch' || '/' || repeat('n', 296) || '.csv', '{}', '22023'),
    ('missing directory', :'scratch' || '/missing/x.csv', '{}', '58P01'),
    ('existing file, no overwrite', :'scratch' || '/existing.csv', '{}', '58P02');
\if :chr
INSERT INTO cases (name, path, options, expected) VALUES
    ('character device (c 1 3) as target (overwrite)', :'scratch' || '/null.csv', '{"overwrite": true}', '42501');
\endif
INSERT INTO cases (name, path, expected, empty_setting) VALUES
    ('crm.allowed_write_paths empty', :'scratch' || '/empty_setting.csv', '42501', true);
UPDATE cases SET path_sql = quote_literal(path);
-- Built when the call runs, so that their own errors are what the runner gets.
INSERT INTO cases (name, path_sql, expected) VALUES
    ('NUL byte (convert_from)',
     format('convert_from(convert_to(%L, %L) || %L::bytea || convert_to(%L, %L), %L)',
            :'scratch' || '/x', 'UTF8', '\x00', '/../../../../etc/x.csv', 'UTF8', 'UTF8'), '22021'),
    ('NUL byte (chr(0))', format('%L || chr(0) || %L', :'scratch' || '/x', '.csv'), '54000'),
    -- If the runner could widen the list, /etc/<case>.csv would then be inside it.
    ('runner sets crm.allowed_write_paths=/',
     format('set_config(%L, %L, true) || %L', 'crm.allowed_write_paths', '/', 'etc/pg_crm_write_case.csv'), '42501');
INSERT INTO cases (name, path, path_sql, options, expected, refusal) VALUES
    ('CONTROL: new file inside', :'scratch' || '/control.csv', quote_literal(:'scratch' || '/control.csv'), '{}',
     'ok', false),
    ('CONTROL: existing file, overwrite', :'scratch' || '/replace.csv', quote_literal(:'scratch' || '/replace.csv'),
     '{"overwrite": true}', 'ok', false);

CREATE TEMP TABLE outcome (n int, state text, message text, hint text, rows bigint, ms numeric);
GRANT SELECT ON cases TO :"role";
GRANT SELECT, INSERT ON outcome TO :"role";
CREATE PROCEDURE pg_temp.try_case(k int) LANGUAGE plpgsql AS $$
DECLARE
    c record; got bigint; t0 timestamptz; st text; msg text; hnt text;
BEGIN
    SELECT * INTO c FROM pg_temp.cases WHERE n = k;
    t0 := clock_timestamp(); st := 'ok'; msg := NULL; hnt := NULL; got := NULL;
    BEGIN
        EXECUTE format('SELECT crm_export(%L, %s, %L)', format('SELECT %L AS canary', 'written by case ' || k),
                       c.path_sql, c.options) INTO got;
    EXCEPTION
        WHEN query_canceled THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hnt = PG_EXCEPTION_HINT;
    END;
    INSERT INTO pg_temp.outcome
        VALUES (k, st, msg, nullif(hnt, ''), got, round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1));
END $$;

SET ROLE :"role";
SET statement_timeout = '5s';
\pset tuples_only on
\pset format unaligned
SELECT 'runner=' || (current_user = :'role' AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                     AND pg_has_role(current_user, 'crm_runner', 'USAGE'));
SELECT format('CALL pg_temp.try_case(%s)', n) FROM pg_temp.cases WHERE NOT empty_setting ORDER BY n \gexec
RESET ROLE;
-- The superuser empties the setting for the session; the runner then tries.
SET crm.allowed_write_paths = '';
SET ROLE :"role";
SELECT format('CALL pg_temp.try_case(%s)', n) FROM pg_temp.cases WHERE empty_setting ORDER BY n \gexec
RESET ROLE;
RESET crm.allowed_write_paths;
RESET statement_timeout;

-- ---- Report (as the superuser again).
SELECT format('# %3s  %-46s %-6s %s', c.n, c.name, o.state,
              replace(replace(replace(replace(coalesce(left(o.message, 150), o.rows || ' row(s)'),
                                                      :'scratch', '<scratch>'), :'out', '<out>'),
                              :'pgdata', '<pgdata>'), :'files', '<files>'))
  FROM pg_temp.cases c JOIN pg_temp.outcome o USING (n) ORDER BY c.n;
CREATE TEMP TABLE failure (n int, name text, why text);
INSERT INTO failure
SELECT c.n, c.name, why
  FROM pg_temp.cases c JOIN pg_temp.outcome o USING (n),
  LATERAL (VALUES
    (c.refusal AND o.state = 'ok', format('ACCEPTED (security finding): %s row(s) written', o.rows)),
    (o.state = '57014', 'timed out after ' || o.ms || ' ms: the call blocked'),
    (o.state <> c.expected, format('SQLSTATE %s, expected %s: %s', o.state, c.expected, o.message)),
    (o.state <> 'ok' AND o.message !~ ('^(pg_crm may not write "|file path (must be absolute|contains a NUL byte|is too long'
       '|names no file)|file name is too long|file "[^"]*" already exists|could not write "'
       '|invalid byte sequence for encoding|null character not permitted'
       '|permission denied to set parameter "crm\.allowed_write_paths")'), 'unclear message: ' || o.message),
    -- A long path is quoted as its first 297 bytes and "..." (crm::excerpt).
    (c.path IS NOT NULL AND c.path <> '' AND o.state IN ('42501', '22023', '58P01', '58P02')
       AND position(c.path IN o.message) = 0
       AND NOT (octet_length(c.path) > 300 AND position(left(c.path, 290) IN o.message) > 0),
     'the message does not name the path given: ' || o.message),
    (o.state = '42501' AND o.message ~ '^pg_crm may not write' AND coalesce(o.hint, '') !~ 'crm\.allowed_write_paths',
     'the hint does not say which setting allows writing: ' || coalesce(o.hint, '(none)')),
    (octet_length(o.message) > 1000, 'the message is too long to read'),
    (o.ms > 2000, 'took ' || o.ms || ' ms'),
    (NOT c.refusal AND o.rows IS DISTINCT FROM 1, format('%s row(s), expected 1', o.rows))
  ) AS check_(bad, why)
 WHERE bad;
INSERT INTO failure
SELECT c.n, c.name, 'never ran' FROM pg_temp.cases c WHERE NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n);
INSERT INTO failure SELECT NULL, 'backend', 'the backend changed (crash?)' WHERE pg_backend_pid() <> :pid;
SELECT format('# FAIL %s %s: %s', n, name, left(why, 300)) FROM failure ORDER BY n;
SELECT 'inputs=' || count(*) FROM pg_temp.cases;
SELECT 'refused=' || count(*) FROM pg_temp.cases c
 WHERE refusal AND NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n AND o.state = 'ok');
SELECT 'controls=' || count(*) FROM pg_temp.cases c
 WHERE NOT refusal AND NOT EXISTS (SELECT FROM pg_temp.outcome o WHERE o.n = c.n AND o.state <> 'ok');
SELECT 'states=' || string_agg(s, ', ' ORDER BY k DESC, s)
  FROM (SELECT expected || ' ×' || count(*) AS s, count(*) AS k FROM pg_temp.cases WHERE refusal GROUP BY expected) x;
SELECT 'fifo_ms=' || max(ms) FROM pg_temp.outcome JOIN pg_temp.cases USING (n) WHERE name LIKE 'FIFO%';
SELECT 'failures=' || count(*) FROM failure;
SQL

run_cases read "$scratch/fifo.csv" -v out="$out" -v files="$files" -v scratch="$scratch" -v pgdata="$pgdata" \
  -v role="$role" -v chr="$chr"
failures=$(report_value failures)
[ -n "$failures" ] || die "the report has no failure count: $(tail -3 "$work/report")"

# ---- Nothing written outside, nothing left behind.
check() { echo "# FAIL $*"; failures=$((failures + 1)); }
[ "$(cat "$outside/target.csv")" = "secret;$canary" ] || check "the file outside (a link's target) changed"
[ "$(ls -A "$outside")" = target.csv ] || check "a file appeared outside: $(ls -A "$outside" | tr '\n' ' ')"
[ "$(md5sum /etc/passwd)" = "$passwd_sum" ] || check "/etc/passwd changed"
[ "$(md5sum "$pgdata/postgresql.conf" "$pgdata/postgresql.auto.conf" | md5sum)" = "$conf_sum" ] \
  || check "the data directory's configuration changed"
for f in /tmp/pg_crm_write_case.csv /etc/pg_crm_write_case.csv "$pgdata/pg_crm_write_case.csv" \
         "$files/pg_crm_write_case.csv" "$out/../escape.csv" /tmp/pg_crm_write_case_dangling.csv \
         "$pgdata/evil.csv" "$pgdata/../data/evil.csv" "$files/escape.csv"; do
  [ ! -e "$f" ] || check "written outside: $f"
done
[ "$(cat "$scratch/existing.csv")" = "existing;$canary" ] || check "the existing file was replaced without overwrite"
[ -p "$scratch/fifo.csv" ] && [ -L "$scratch/link_file.csv" ] && [ -L "$scratch/dangling.csv" ] && [ -d "$scratch/sub" ] \
  || check "a refused target was replaced"
leftovers=$(find "$out" "$outside" -name '.*.tmp' | wc -l)
[ "$leftovers" -eq 0 ] || check "$leftovers temporary file(s) left"
# The controls: written, whole, mode 0640.
grep -q 'written by case' "$scratch/control.csv" || check "the control file was not written"
grep -q 'written by case' "$scratch/replace.csv" || check "the existing file was not replaced with overwrite"
[ "$(stat -c %a "$scratch/control.csv")" = 640 ] || check "control.csv has mode $(stat -c %a "$scratch/control.csv"), not 640"
[ "$(psql_crm -Atc 'SELECT 1')" = 1 ] || check "the server does not answer"

echo "# figures: inputs=$(report_value inputs) events=0 failures=$failures"
[ "$failures" -eq 0 ] || fail "$failures failed check(s), first: $(grep -m1 '^# FAIL' "$work/report" || echo 'see above')"
pass "$(report_value inputs) write-path cases through crm_export as crm_runner: $(report_value refused) refused ($(report_value states))," \
     "$(report_value controls) positive controls written (mode 0640), nothing written outside, no temporary file left," \
     "FIFO refused in $(report_value fifo_ms) ms"

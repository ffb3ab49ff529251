-- Schedules in wall-clock time on pg_cron 1.4.2 (GMT only): the GMT
-- superset of a local expression, the guard's decision around both 2026
-- daylight-saving switches of Europe/Paris, input errors, the history purge;
-- then, in the database where pg_cron lives, jobs made, updated, shown in
-- crm.schedule and removed.
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
CREATE FUNCTION pg_temp.err(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || replace(SQLERRM, current_database(), '<db>');
END
$$;

-- The offsets a zone takes, and the GMT expression that covers them all.
SELECT z AS zone, crm._tz_offsets(z, '2026-06-01') AS utc_offsets
  FROM unnest(ARRAY['Europe/Paris', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) z;
SELECT e AS paris, crm._cron_gmt(e, crm._tz_offsets('Europe/Paris', '2026-06-01')) AS gmt
  FROM unnest(ARRAY['0 9 * * *', '30 2 * * *', '0 9 15 * *', '*/15 9-17 * * mon-fri', '30 0 * * 1', '@daily',
                    '* * * * *', '0 12 1-31 * 1']) e;

-- Bad expressions: 22023 naming the field and the value.
SELECT e AS expression, pg_temp.err(format('SELECT crm._cron_gmt(%L, ''{60,120}'')', e)) AS error
  FROM unnest(ARRAY['0 25 * * *', '60 9 * * *', '0 9 0 * *', '0 9 * 13 *', '0 9 * * 8', '0 9 * *', '0 9 * * * *',
                    '*/0 * * * *', '0 17-9 * * *', '0 9,,10 * * *', '0 nine * * *', '@reboot', '30 seconds', '']) e;
SELECT pg_temp.err('SELECT crm._tz_offsets(''Paris'')') AS unknown_zone;

-- The guard's decision at given instants (pg_cron starts the job at each
-- minute of the GMT expression; the guard acts only at the local minute).
-- 29 March 2026, 01:00 UTC: Paris goes from 02:00 CET (+1) to 03:00 CEST (+2).
-- 25 October 2026, 01:00 UTC: Paris goes from 03:00 CEST back to 02:00 CET.
SELECT e AS paris, t AS pg_cron_starts_it, to_char(t AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI') AS paris_clock,
       crm._schedule_due(e, 'Europe/Paris', t) AS acts
  FROM (VALUES ('0 9 * * *', '2026-03-28 07:00+00'::timestamptz), ('0 9 * * *', '2026-03-28 08:00+00'),
               ('0 9 * * *', '2026-03-29 07:00+00'), ('0 9 * * *', '2026-03-29 08:00+00'),
               ('30 2 * * *', '2026-03-29 00:30+00'), ('30 2 * * *', '2026-03-29 01:30+00'),
               ('30 2 * * *', '2026-03-30 00:30+00'),
               ('0 9 * * *', '2026-10-25 07:00+00'), ('0 9 * * *', '2026-10-25 08:00+00'),
               ('30 2 * * *', '2026-10-25 00:30+00'), ('30 2 * * *', '2026-10-25 01:30+00'),
               ('*/30 2 * * *', '2026-10-25 01:30+00'),
               ('0 9 15 * *', '2026-01-15 08:00+00'), ('0 9 15 * *', '2026-07-15 07:00+00'),
               ('0 9 15 * *', '2026-07-16 07:00+00'),
               -- A run pg_cron starts late stands for the GMT minute it was due at, up to 4 minutes back.
               ('0 9 * * *', '2026-07-01 07:03:30+00'), ('0 9 * * *', '2026-07-01 07:05+00')) AS c(e, t)
 ORDER BY t, e;

-- Both switch days minute by minute, at the minutes pg_cron starts the job
-- (those of the GMT expression): when the job acts, on the Paris clock and in UTC.
SELECT d AS day, e AS paris, count(*) AS acts,
       string_agg(to_char(w, 'HH24:MI') || to_char(t, ' (HH24:MI"Z")'), ' ' ORDER BY t) AS at
  FROM (VALUES ('2026-03-29'), ('2026-10-25')) AS days(d),
       (VALUES ('30 2 * * *'), ('0 9 * * *'), ('0 2-3 * * *'), ('15 * * * *')) AS exprs(e),
       LATERAL (SELECT crm._cron_gmt(e, '{60,120}') AS gmt) g,
       LATERAL generate_series((d || ' 00:00')::timestamp AT TIME ZONE 'Europe/Paris',
                               (d || ' 23:59')::timestamp AT TIME ZONE 'Europe/Paris', '1 minute') t,
       LATERAL crm._schedule_decide(e, g.gmt, 'Europe/Paris', '{60,120}', t) w
 WHERE crm._cron_due(g.gmt, t AT TIME ZONE 'UTC') AND w IS NOT NULL
 GROUP BY d, e ORDER BY d, e;

-- When a job acts next: a minute the Paris clock skips is stepped over, of a
-- minute it reads twice the first reading counts.
SELECT e AS paris, after, crm._schedule_next(e, 'Europe/Paris', '{60,120}', after) AS next_run
  FROM (VALUES ('30 2 * * *', '2026-03-28 12:00+00'::timestamptz), ('30 2 * * *', '2026-10-24 12:00+00'),
               ('30 2 * * *', '2026-10-25 01:00+00'), ('0 9 15 * *', '2026-11-23 20:00+00'),
               ('0 9 * * *', '2026-03-29 06:59+00'), ('0 0 30 2 *', '2026-01-01 00:00+00')) AS c(e, after);

-- Without pg_cron in this database: the input is checked, then a clear
-- refusal; crm.schedule is empty.
SELECT crm_source_add(s, 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'))
  FROM unnest(ARRAY['sched_a', 'sched_a_source_whose_name_is_too_long_for_a_pg_cron_job_name']) s;
SELECT s AS call, pg_temp.err(s) AS error FROM unnest(ARRAY[
    'SELECT crm_schedule(''nowhere'', ''0 9 * * *'')',
    'SELECT crm_schedule(''sched_a_source_whose_name_is_too_long_for_a_pg_cron_job_name'', ''0 9 * * *'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''{"fulll": true}'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''{"full": "yes"}'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''[]'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''{"timezone": "Paris"}'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''{"timezone": 2}'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * 8'')',
    'SELECT crm_schedule(''sched_a'', NULL)',
    'SELECT crm_schedule_purge(''30 3 * * *'', ''{"days": 0}'')',
    'SELECT crm_schedule_purge(''30 3 * * *'', ''{"days": "30"}'')',
    'SELECT crm_schedule_purge(''30 3 * * *'', ''{"keep": 30}'')',
    'SELECT crm_schedule_report('''')',
    'SELECT crm_schedule_push(''sched_a'', ''0 8 * * 1'')',
    'SELECT crm_schedule(''sched_a'', ''0 9 * * *'', ''{"timezone": "Europe/Paris", "full": true}'')']) s;
SELECT count(*) AS jobs_shown FROM crm.schedule;

-- The purge of crm.sync_run: older than crm.sync_history_days (90), or than days.
INSERT INTO crm.sync_run (source, status, started_at, finished_at)
VALUES ('sched_old', 'succeeded', now() - interval '100 days', now() - interval '100 days'),
       ('sched_old', 'failed', now() - interval '10 days', now() - interval '10 days'),
       ('sched_old', 'succeeded', now() - interval '1 hour', now() - interval '1 hour');
SELECT crm_purge_history() AS purged;
SELECT crm_purge_history(5) AS purged;
SELECT count(*) AS recent_run_kept FROM crm.sync_run WHERE source = 'sched_old';
SELECT pg_temp.err('SELECT crm_purge_history(0)') AS no_retention;
DELETE FROM crm.sync_run WHERE source = 'sched_old';
SELECT crm_source_remove(s) FROM unnest(ARRAY['sched_a', 'sched_a_source_whose_name_is_too_long_for_a_pg_cron_job_name']) s;

-- Where pg_cron lives (cron.database_name): jobs for real. Everything runs
-- in one transaction rolled back at the end, so pg_cron never sees them.
\c crm
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
\set SHOW_CONTEXT never
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
BEGIN;
SELECT crm_source_add('sched_reg', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
SELECT crm_schedule('sched_reg', '0 9 * * *') AS jobid \gset
SELECT job_name, kind, source_or_directory, schedule, timezone, gmt_schedule, active, jobid = :jobid AS same_jobid,
       job_owner, options, next_run > now() AND next_run <= now() + interval '1 day' AS next_run_within_a_day, last_status
  FROM crm.schedule WHERE job_name = 'crm-sync-sched_reg';
SELECT jobname, schedule, command, username FROM cron.job WHERE jobid = :jobid;

-- Scheduling again updates the same job: another time, zone and options.
SELECT crm_schedule('sched_reg', '*/20 6-8 * * 1-5', '{"timezone": "America/New_York", "analytics": false}') = :jobid
       AS same_job;
SELECT count(*) AS jobs_named_so FROM cron.job WHERE jobname = 'crm-sync-sched_reg';
SELECT job_name, schedule, timezone, gmt_schedule, options FROM crm.schedule WHERE job_name = 'crm-sync-sched_reg';
SELECT job_name, kind, target, utc_offsets, options FROM crm.schedule_config WHERE job_name = 'crm-sync-sched_reg';

-- The purge job and the monthly report (crm_monthly_report is called when
-- the job runs, with the directory and the options, not before).
SELECT crm_schedule_purge(options => '{"days": 30}') > 0 AS purge_scheduled;
SELECT crm_schedule_report('/srv/crm/reports', options => '{"format": "xlsx"}') > 0 AS report_scheduled;
-- The Brevo push of the recommendations, Mondays at 08:00 Paris time.
SELECT crm_source_add('sched_brevo', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "sched_brevo"}');
SELECT crm_schedule_push('sched_brevo', '0 8 * * 1', '{"top": 2}') > 0 AS push_scheduled;
SELECT j.jobname, j.schedule, j.command, c.kind, c.target, c.options
  FROM cron.job j JOIN crm.schedule_config c ON c.jobid = j.jobid
 WHERE j.jobname IN ('crm-purge', 'crm-monthly-report', 'crm-push-sched_brevo') ORDER BY j.jobname;
SELECT job_name, schedule, timezone, gmt_schedule FROM crm.schedule
 WHERE job_name IN ('crm-sync-sched_reg', 'crm-purge', 'crm-monthly-report', 'crm-push-sched_brevo') ORDER BY job_name;

-- The history of pg_crm's jobs in cron.job_run_details: the last run and the
-- failures of the week in the view; the purge deletes pg_crm's old rows only.
INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
SELECT :jobid, 0, 'crm', 'postgres', command, status, message, now() - age, now() - age + interval '1 minute'
  FROM (VALUES ('CALL crm._scheduled_job(''crm-sync-sched_reg'')', 'succeeded', 'CALL', interval '40 days'),
               ('CALL crm._scheduled_job(''crm-sync-sched_reg'')', 'failed', 'ERROR:  crm_sync(sched_reg) failed: 42501', interval '2 days'),
               ('CALL crm._scheduled_job(''crm-sync-sched_reg'')', 'succeeded', 'CALL', interval '1 day')) AS r(command, status, message, age);
INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
VALUES (-1, 0, 'crm', 'postgres', 'SELECT 1', 'succeeded', 'SELECT 1', now() - interval '40 days', now() - interval '40 days');
SELECT job_name, last_status, last_message, failures_7d
  FROM crm.schedule WHERE job_name = 'crm-sync-sched_reg';
SELECT crm_purge_history(30) -> 'job_run_details' AS details_purged;
SELECT command, status FROM cron.job_run_details WHERE jobid IN (:jobid, -1) ORDER BY runid;

-- The guard: a job whose local minute matches acts once per local minute,
-- however many times pg_cron starts it (here the purge, every minute, run
-- twice in the same minute); a job without configuration fails, and so does
-- one running as another role than the one that scheduled it.
SELECT crm_schedule_purge('* * * * *', '{"days": 30}') > 0 AS purge_every_minute;
INSERT INTO crm.sync_run (source, status, started_at) VALUES ('sched_old', 'succeeded', now() - interval '40 days');
CALL crm._scheduled_job('crm-purge');
SELECT count(*) AS old_runs_after_first_call FROM crm.sync_run WHERE source = 'sched_old';
SELECT last_acted_local = date_trunc('minute', now() AT TIME ZONE 'Europe/Paris') AS acted_for_this_paris_minute
  FROM crm.schedule WHERE job_name = 'crm-purge';
INSERT INTO crm.sync_run (source, status, started_at) VALUES ('sched_old', 'succeeded', now() - interval '40 days');
CALL crm._scheduled_job('crm-purge');
SELECT count(*) AS old_runs_after_second_call FROM crm.sync_run WHERE source = 'sched_old';
SAVEPOINT ghost;
CALL crm._scheduled_job('crm-sync-ghost');
ROLLBACK TO ghost;
CREATE ROLE sched_reg_other LOGIN IN ROLE crm_runner;
SET LOCAL ROLE sched_reg_other;
SAVEPOINT other;
CALL crm._scheduled_job('crm-purge');
ROLLBACK TO other;
RESET ROLE;

-- Unscheduling removes the job and its configuration; a second time, there is none.
SET client_min_messages = notice;
SELECT crm_unschedule('sched_reg') AS removed;
SELECT crm_unschedule('sched_reg') AS removed_again;
SET client_min_messages = warning;
SELECT crm_unschedule_job('crm-purge') AND crm_unschedule_job('crm-monthly-report')
       AND crm_unschedule_job('crm-push-sched_brevo') AS others_removed;
SELECT count(*) AS pg_crm_jobs_left FROM cron.job WHERE jobname IN ('crm-sync-sched_reg', 'crm-purge', 'crm-monthly-report');
SELECT count(*) AS configurations_left FROM crm.schedule_config
 WHERE job_name IN ('crm-sync-sched_reg', 'crm-purge', 'crm-monthly-report');
ROLLBACK;

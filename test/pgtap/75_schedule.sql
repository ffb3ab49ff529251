-- Who may schedule: crm_admin members that can log in and have USAGE on
-- schema cron (pg_cron runs a job as the role that scheduled it); crm_runner
-- runs the guard, the purge and reads crm.schedule; crm_reader and PUBLIC
-- reach none of it. A role changes only the jobs it owns; a superuser takes
-- a job over. Everything is rolled back: pg_cron never sees these jobs.
BEGIN;
SET client_min_messages = warning;
SELECT plan(62);
CREATE EXTENSION IF NOT EXISTS pg_cron;
REVOKE USAGE ON SCHEMA cron FROM crm_admin;

-- Function privileges.
SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_schedule', ARRAY['text', 'text', 'jsonb']), ('crm_schedule_push', ARRAY['text', 'text', 'jsonb']),
               ('crm_schedule_purge', ARRAY['text', 'jsonb']),
               ('crm_schedule_report', ARRAY['text', 'text', 'jsonb']), ('crm_unschedule', ARRAY['text']),
               ('crm_unschedule_job', ARRAY['text'])) AS fns(f, args),
       (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY[]::text[]), ('crm_reader', ARRAY[]::text[]),
               ('public', ARRAY[]::text[])) AS roles(r, privs);
SELECT ok(has_function_privilege('crm_runner', 'crm._scheduled_job(text)', 'EXECUTE')
          AND NOT has_function_privilege('crm_reader', 'crm._scheduled_job(text)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'crm._scheduled_job(text)', 'EXECUTE'),
          'crm_runner (and so a job''s role) may CALL the guard; crm_reader and PUBLIC may not');
SELECT ok(has_function_privilege('crm_runner', 'crm_purge_history(int)', 'EXECUTE')
          AND NOT has_function_privilege('crm_reader', 'crm_purge_history(int)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'crm_purge_history(int)', 'EXECUTE'),
          'crm_runner purges the history; crm_reader and PUBLIC do not');
SELECT ok(prosecdef AND proconfig @> ARRAY['search_path=pg_catalog, pg_temp'],
          p.oid::regprocedure || ' is SECURITY DEFINER with a pinned search_path')
  FROM pg_proc p WHERE p.oid IN ('crm_purge_history(int)'::regprocedure, 'crm._schedule_jobs()'::regprocedure);
SELECT ok(NOT prosecdef, p.oid::regprocedure || ' runs as its caller (the job runs as the role that scheduled it)')
  FROM pg_proc p WHERE p.oid IN ('crm_schedule(text, text, jsonb)'::regprocedure,
                                 'crm._schedule_job(text, text, text, text, jsonb)'::regprocedure);
SELECT ok(NOT prosecdef AND proconfig IS NULL, 'the guard has no SET clause: crm_sync_job may commit inside it')
  FROM pg_proc WHERE oid = 'crm._scheduled_job(text)'::regprocedure;

-- Table and view privileges.
SELECT table_privs_are('crm', 'schedule_config', 'crm_runner', ARRAY['SELECT']);
SELECT table_privs_are('crm', 'schedule_config', 'crm_reader', ARRAY[]::text[]);
SELECT ok(has_table_privilege('crm_admin', 'crm.schedule_config', 'INSERT, UPDATE, DELETE'),
          'crm_admin writes crm.schedule_config');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'crm.schedule_config'::regclass),
          'crm.schedule_config has row-level security');
SELECT table_privs_are('crm', 'schedule', 'crm_runner', ARRAY['SELECT']);
SELECT table_privs_are('crm', 'schedule', 'crm_reader', ARRAY[]::text[]);
SELECT table_privs_are('crm', 'schedule_state', 'crm_reader', ARRAY[]::text[]);

-- Scheduling as roles.
CREATE ROLE pgtap_sched_admin LOGIN IN ROLE crm_admin;
CREATE ROLE pgtap_sched_admin2 LOGIN IN ROLE crm_admin;
CREATE ROLE pgtap_sched_nologin NOLOGIN IN ROLE crm_admin;
CREATE ROLE pgtap_sched_runner LOGIN IN ROLE crm_runner;
CREATE ROLE pgtap_sched_reader LOGIN IN ROLE crm_reader;
SELECT crm_source_add('pgtap_sched', 'isavigne', jsonb_build_object('directory', current_setting('crm.allowed_read_paths')));

SET LOCAL ROLE pgtap_sched_admin;
SELECT throws_ok($$SELECT crm_schedule('pgtap_sched', '0 9 * * *')$$, '42501',
                 'role pgtap_sched_admin may not use pg_cron (no USAGE on schema cron)',
                 'without USAGE on schema cron, crm_schedule says what to grant');
RESET ROLE;
GRANT USAGE ON SCHEMA cron TO crm_admin;

SET LOCAL ROLE pgtap_sched_admin;
SELECT lives_ok($$SELECT crm_schedule('pgtap_sched', '0 9 * * *')$$, 'a LOGIN member of crm_admin schedules a sync');
SELECT is((SELECT username FROM cron.job WHERE jobname = 'crm-sync-pgtap_sched'), 'pgtap_sched_admin',
          'pg_cron will run the job as the role that scheduled it');
SELECT lives_ok($$SELECT crm_schedule('pgtap_sched', '0 10 * * *', '{"analytics": false}')$$,
                'the same role updates its job');
SELECT is((SELECT gmt_schedule FROM crm.schedule WHERE job_name = 'crm-sync-pgtap_sched'), '0 8,9 * * *',
          'a crm_admin member reads crm.schedule: the job at 10:00 Paris is 08:00 or 09:00 GMT');
SELECT lives_ok($$SELECT crm_schedule_purge()$$, 'crm_admin schedules the purge');
SELECT lives_ok($$SELECT crm_schedule_report('/srv/reports')$$, 'crm_admin schedules the monthly report');
SELECT throws_ok($$SELECT crm_schedule_push('pgtap_sched', '0 8 * * 1')$$, '42704',
                 'source "pgtap_sched" is not a Brevo source', 'recommendations are pushed to Brevo sources only');
RESET ROLE;

SET LOCAL ROLE pgtap_sched_nologin;
SELECT throws_ok($$SELECT crm_schedule_purge()$$, '42501',
                 'pg_cron would run job crm-purge as role pgtap_sched_nologin, which cannot log in',
                 'a role that cannot log in may not own a job (pg_cron connects as it)');
RESET ROLE;

SET LOCAL ROLE pgtap_sched_admin2;
SELECT throws_ok($$SELECT crm_schedule('pgtap_sched', '0 11 * * *')$$, '42501',
                 'job crm-sync-pgtap_sched was scheduled by role pgtap_sched_admin, and runs as that role',
                 'another admin may not change a job that runs as someone else');
SELECT throws_ok($$SELECT crm_unschedule('pgtap_sched')$$, '42501',
                 'job crm-sync-pgtap_sched was scheduled by role pgtap_sched_admin, and runs as that role',
                 'nor remove it');
UPDATE crm.schedule_config SET target = 'other', options = '{"full": true}' WHERE job_name = 'crm-sync-pgtap_sched';
SELECT throws_ok($$INSERT INTO crm.schedule_config (job_name, kind, schedule, timezone, gmt_schedule, utc_offsets, job_owner)
                   VALUES ('crm-sync-intruder', 'sync', '* * * * *', 'UTC', '* * * * *', '{0}', 'pgtap_sched_admin')$$,
                 '42501', NULL, 'nor write a configuration in another role''s name');
RESET ROLE;
SELECT is((SELECT target || ' ' || options::text FROM crm.schedule_config WHERE job_name = 'crm-sync-pgtap_sched'),
          'pgtap_sched {"analytics": false}', 'its direct UPDATE of another role''s job changed nothing');

SET LOCAL ROLE pgtap_sched_runner;
SELECT throws_ok($$SELECT crm_schedule('pgtap_sched', '0 9 * * *')$$, '42501', NULL, 'crm_runner may not schedule');
SELECT throws_ok($$SELECT crm_unschedule('pgtap_sched')$$, '42501', NULL, 'crm_runner may not unschedule');
SELECT is((SELECT count(*) FROM crm.schedule WHERE job_owner = 'pgtap_sched_admin'), 3::bigint,
          'crm_runner reads crm.schedule, every pg_crm job whatever its owner');
SELECT lives_ok($$SELECT crm_purge_history()$$, 'crm_runner runs the purge');
RESET ROLE;

SET LOCAL ROLE pgtap_sched_reader;
SELECT throws_ok($$SELECT * FROM crm.schedule$$, '42501', NULL, 'crm_reader does not see the schedules');
SELECT throws_ok($$SELECT crm_purge_history()$$, '42501', NULL, 'crm_reader may not purge');
RESET ROLE;

-- A superuser takes a job over: one pg_cron job remains, running as the superuser.
SELECT lives_ok($$SELECT crm_schedule('pgtap_sched', '0 12 * * *')$$, 'a superuser reschedules an admin''s job');
SELECT is(ARRAY(SELECT username FROM cron.job WHERE jobname = 'crm-sync-pgtap_sched'), ARRAY[current_user::text],
          'the admin''s pg_cron job is gone, the superuser''s runs');
SELECT is((SELECT job_owner::text FROM crm.schedule_config WHERE job_name = 'crm-sync-pgtap_sched'), current_user::text,
          'the configuration names the new owner');

SET LOCAL ROLE pgtap_sched_admin;
SELECT is(crm_unschedule_job('crm-purge'), true, 'the owner removes its purge job');
RESET ROLE;
SELECT is((SELECT count(*) FROM cron.job WHERE jobname = 'crm-purge'), 0::bigint, 'the pg_cron job is gone');

SELECT * FROM finish();
ROLLBACK;

-- Schedules on pg_cron 1.4.2, in the wall-clock time of a zone.
--
-- pg_cron 1.4.2 reads cron expressions in GMT and has no cron.timezone, so
-- "09:00 in Paris" is 07:00 GMT in summer and 08:00 GMT in winter. A pg_crm
-- job is scheduled on a GMT superset of the local expression (crm._cron_gmt:
-- "0 9 * * *" in Paris gives "0 7,8 * * *"), and its command is one guard,
-- CALL crm._scheduled_job('<job>'), which reads the job's local expression
-- from crm.schedule_config, converts the instant pg_cron meant to the zone's
-- clock, and acts only when that clock matches, once per local minute.
--
-- pg_cron is not required by the extension (it lives in one database of a
-- cluster): nothing here refers to the cron schema until a schedule is made.
-- Jobs run as the role that schedules them (pg_cron's rule): the scheduling
-- functions are SECURITY INVOKER, for crm_admin, whose member needs USAGE on
-- schema cron and the LOGIN attribute (pg_cron's jobs connect as it).

CREATE FUNCTION crm._cron_gmt(expression text, utc_offsets int[]) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_cron_gmt' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION crm._cron_gmt(text, int[]) IS
    'Internal: a GMT cron expression firing at every UTC minute where a clock at one of utc_offsets (minutes east of '
    'UTC) reads a time the local expression matches. Checks the expression (22023 naming the field and value).';
CREATE FUNCTION crm._cron_due(expression text, wall_clock timestamp, repeated boolean DEFAULT false) RETURNS boolean
    AS 'MODULE_PATHNAME', 'crm_cron_due' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION crm._cron_due(text, timestamp, boolean) IS
    'Internal: whether a cron expression is due at a wall-clock minute; repeated (the clock already read it before '
    'being set back) keeps only wildcard jobs (minute or hour *), as Vixie cron does.';

CREATE FUNCTION crm._cron_next(expression text, after timestamp) RETURNS timestamp
    AS 'MODULE_PATHNAME', 'crm_cron_next' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION crm._cron_next(text, timestamp) IS
    'Internal: the first wall-clock minute after `after` a cron expression matches (NULL if none within 8 years).';

-- The UTC offsets (minutes east) a zone takes from a year before `around`
-- to two years after; unknown zones are refused. Sampled twice a day: no
-- offset of any zone lasts less than a day.
CREATE FUNCTION crm._tz_offsets(timezone text, around timestamptz DEFAULT pg_catalog.now()) RETURNS int[]
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF timezone IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_timezone_names z WHERE z.name = timezone) THEN
        RAISE EXCEPTION 'unknown time zone "%"', timezone USING ERRCODE = '22023',
            HINT = 'Name a zone of pg_timezone_names, such as Europe/Paris.';
    END IF;
    RETURN (SELECT array_agg(DISTINCT x.o ORDER BY x.o)
              FROM generate_series(around - interval '1 year', around + interval '2 years', interval '12 hours') t,
                   LATERAL (SELECT (extract(epoch FROM (t AT TIME ZONE timezone) - (t AT TIME ZONE 'UTC')) / 60)::int AS o) x);
END
$$;
COMMENT ON FUNCTION crm._tz_offsets(text, timestamptz) IS
    'Internal: the UTC offsets, in minutes east, a zone of pg_timezone_names takes around an instant (22023 if unknown).';

-- The guard's decision: the wall-clock minute a run started at run_at stands
-- for, or NULL when the job has nothing to do then.
--  * The run stands for the latest GMT minute, up to 4 minutes back, that
--    the GMT expression matches: pg_cron may start a run late (its slots
--    busy, the previous run of the job still going).
--  * That instant, on the zone's clock, must match the local expression.
--  * A wall-clock minute the clock already read before being set back (the
--    fall-back hour) runs fixed-time jobs once; a minute the clock skips
--    (the spring-forward gap) never shows, so a job set there does not run
--    that day.
CREATE FUNCTION crm._schedule_decide(schedule text, gmt_schedule text, timezone text, utc_offsets int[],
                                     run_at timestamptz) RETURNS timestamp
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    utc timestamp := date_trunc('minute', run_at AT TIME ZONE 'UTC');
    meant timestamptz;
    wall timestamp;
    current_offset int;
    repeated boolean;
BEGIN
    FOR back IN 0..4 LOOP
        IF crm._cron_due(gmt_schedule, utc - make_interval(mins => back)) THEN
            meant := (utc - make_interval(mins => back)) AT TIME ZONE 'UTC';
            EXIT;
        END IF;
    END LOOP;
    IF meant IS NULL THEN
        RETURN NULL;
    END IF;
    wall := meant AT TIME ZONE timezone;
    current_offset := (extract(epoch FROM wall - (meant AT TIME ZONE 'UTC')) / 60)::int;
    -- Under a larger offset, the clock read `wall` (larger - current) minutes earlier.
    repeated := EXISTS (SELECT FROM unnest(utc_offsets) o
                         WHERE o > current_offset
                           AND ((meant - make_interval(mins => o - current_offset)) AT TIME ZONE timezone) = wall);
    RETURN CASE WHEN crm._cron_due(schedule, wall, repeated) THEN wall END;
END
$$;
COMMENT ON FUNCTION crm._schedule_decide(text, text, text, int[], timestamptz) IS
    'Internal: the wall-clock minute a run started at run_at should act for, or NULL (not the zone''s minute, or a '
    'repeated fall-back minute of a fixed-time job).';

CREATE FUNCTION crm._schedule_due(schedule text, timezone text, run_at timestamptz) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT crm._schedule_decide(schedule, crm._cron_gmt(schedule, o.offsets), timezone, o.offsets, run_at) IS NOT NULL
      FROM (SELECT crm._tz_offsets(timezone, run_at) AS offsets) o
$$;
COMMENT ON FUNCTION crm._schedule_due(text, text, timestamptz) IS
    'Whether a job scheduled with this local expression and zone acts when pg_cron starts it at run_at (the guard''s '
    'decision, for tests and for checking a schedule around a daylight-saving switch).';

-- When a job acts next: the first instant after after_time at which the zone's
-- clock reads the next matching minute. A minute the clock skips (spring
-- forward) is stepped over; of a minute it reads twice (fall back), the
-- first reading counts, as for the guard's fixed-time jobs.
CREATE FUNCTION crm._schedule_next(schedule text, timezone text, utc_offsets int[], after_time timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    wall timestamp := after_time AT TIME ZONE timezone;
    soonest timestamptz;
BEGIN
    FOR step IN 1..200 LOOP
        wall := crm._cron_next(schedule, wall);
        IF wall IS NULL THEN
            RETURN NULL;
        END IF;
        SELECT min(i) INTO soonest
          FROM unnest(utc_offsets) o, LATERAL (SELECT (wall - make_interval(mins => o)) AT TIME ZONE 'UTC' AS i) x
         WHERE (x.i AT TIME ZONE timezone) = wall;
        IF soonest > after_time THEN
            RETURN soonest;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crm._schedule_next(text, text, int[], timestamptz) IS
    'Internal: the next instant a job with this local expression acts, in a zone with these UTC offsets.';

CREATE TABLE crm.schedule_config (
    job_name     text PRIMARY KEY CHECK (job_name ~ '^crm-((sync|push)-[a-z][a-z0-9_]{0,53}|purge|monthly-report)$'),
    kind         text NOT NULL CHECK (kind IN ('sync', 'purge', 'report', 'push')),
    target       text,
    schedule     text NOT NULL,
    timezone     text NOT NULL,
    gmt_schedule text NOT NULL,
    utc_offsets  int[] NOT NULL,
    options      jsonb NOT NULL DEFAULT '{}',
    jobid        bigint,
    job_owner    name NOT NULL DEFAULT CURRENT_USER,
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('crm.schedule_config', '');
COMMENT ON TABLE crm.schedule_config IS
    'pg_crm''s pg_cron jobs as scheduled: the local expression and zone the guard checks, the GMT expression pg_cron '
    'runs. Written by crm_schedule, crm_schedule_purge, crm_schedule_report; a role changes only the jobs it owns.';
COMMENT ON COLUMN crm.schedule_config.job_name IS 'pg_cron job name: crm-sync-<source>, crm-purge or crm-monthly-report.';
COMMENT ON COLUMN crm.schedule_config.kind IS 'sync (crm_sync_job), purge (crm_purge_history), report (crm_monthly_report) or push '
    '(crm_push_recommendations_job).';
COMMENT ON COLUMN crm.schedule_config.target IS 'The source synced, or the report''s directory; NULL for the purge.';
COMMENT ON COLUMN crm.schedule_config.schedule IS 'The cron expression as given, in the zone''s wall-clock time.';
COMMENT ON COLUMN crm.schedule_config.timezone IS 'The zone (pg_timezone_names) the expression is read in.';
COMMENT ON COLUMN crm.schedule_config.gmt_schedule IS 'The GMT expression given to pg_cron: a superset, filtered by the guard.';
COMMENT ON COLUMN crm.schedule_config.utc_offsets IS 'The zone''s UTC offsets (minutes east) the GMT expression covers, as of the last scheduling.';
COMMENT ON COLUMN crm.schedule_config.options IS 'Options passed to the action (crm_sync options, purge days, report options).';
COMMENT ON COLUMN crm.schedule_config.jobid IS 'The pg_cron job (cron.job.jobid).';
COMMENT ON COLUMN crm.schedule_config.job_owner IS 'The role that scheduled it: pg_cron runs the job as this role.';
COMMENT ON COLUMN crm.schedule_config.updated_at IS 'When it was last scheduled.';
-- A crm_admin member changes the jobs it owns only: another role's job runs
-- as that role, and must not act on parameters someone else chose.
ALTER TABLE crm.schedule_config ENABLE ROW LEVEL SECURITY;
CREATE POLICY schedule_config_read ON crm.schedule_config FOR SELECT USING (true);
CREATE POLICY schedule_config_own ON crm.schedule_config FOR ALL
    USING (job_owner = CURRENT_USER) WITH CHECK (job_owner = CURRENT_USER);
GRANT SELECT ON crm.schedule_config TO crm_runner;
GRANT INSERT, UPDATE, DELETE ON crm.schedule_config TO crm_admin;

CREATE TABLE crm.schedule_state (
    job_name     text PRIMARY KEY,
    local_minute timestamp NOT NULL,
    started_at   timestamptz NOT NULL
);
COMMENT ON TABLE crm.schedule_state IS
    'The last wall-clock minute each pg_crm job acted for: a minute acts once, however many runs pg_cron starts for it.';
COMMENT ON COLUMN crm.schedule_state.job_name IS 'The pg_cron job name.';
COMMENT ON COLUMN crm.schedule_state.local_minute IS 'The wall-clock minute, in the job''s zone, of its last action.';
COMMENT ON COLUMN crm.schedule_state.started_at IS 'When that action started.';
GRANT SELECT, INSERT, UPDATE ON crm.schedule_state TO crm_runner;
GRANT DELETE ON crm.schedule_state TO crm_admin;

-- The command of every pg_crm job. No SET clause and no SECURITY DEFINER:
-- crm_sync_job commits its run before raising a failure, which a procedure
-- with a SET clause may not do; names are schema-qualified instead. A
-- failure of the action is this procedure's failure, so pg_cron records the
-- job as failed.
CREATE PROCEDURE crm._scheduled_job(job text)
    LANGUAGE plpgsql
    AS $$
DECLARE
    cfg record;
    wall timestamp;
BEGIN
    SELECT c.kind, c.target, c.schedule, c.timezone, c.gmt_schedule, c.utc_offsets, c.options, c.job_owner INTO cfg
      FROM crm.schedule_config c WHERE c.job_name OPERATOR(pg_catalog.=) job;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pg_crm job "%" has no schedule in crm.schedule_config', job USING ERRCODE = '42704',
            HINT = 'Schedule it again with crm_schedule, crm_schedule_push, crm_schedule_purge or crm_schedule_report, '
                   'or remove it: '
                   'SELECT cron.unschedule(''' || job || ''').';
    END IF;
    -- Only the role that scheduled the job acts on its configuration (a
    -- pg_cron job made by hand under another role does not).
    IF cfg.job_owner OPERATOR(pg_catalog.<>) CURRENT_USER THEN
        RAISE EXCEPTION 'pg_crm job "%" runs as role %, but was scheduled by role %', job, CURRENT_USER, cfg.job_owner
            USING ERRCODE = '42501', HINT = 'Remove this pg_cron job; crm.schedule shows the one that acts.';
    END IF;
    wall := crm._schedule_decide(cfg.schedule, cfg.gmt_schedule, cfg.timezone, cfg.utc_offsets, pg_catalog.now());
    IF wall IS NULL THEN
        RETURN;  -- one of the GMT superset's extra minutes
    END IF;
    INSERT INTO crm.schedule_state AS s (job_name, local_minute, started_at)
    VALUES (job, wall, pg_catalog.clock_timestamp())
    ON CONFLICT (job_name) DO UPDATE SET local_minute = EXCLUDED.local_minute, started_at = EXCLUDED.started_at
     WHERE s.local_minute OPERATOR(pg_catalog.<>) EXCLUDED.local_minute;
    IF NOT FOUND THEN
        RETURN;  -- this wall-clock minute has acted already
    END IF;
    IF cfg.kind OPERATOR(pg_catalog.=) 'sync' THEN
        CALL @extschema@.crm_sync_job(cfg.target, cfg.options);
    ELSIF cfg.kind OPERATOR(pg_catalog.=) 'push' THEN
        CALL @extschema@.crm_push_recommendations_job(cfg.target, cfg.options);
    ELSIF cfg.kind OPERATOR(pg_catalog.=) 'purge' THEN
        PERFORM @extschema@.crm_purge_history((cfg.options OPERATOR(pg_catalog.->>) 'days')::int);
    ELSE
        -- Resolved when the job runs: crm_monthly_report is defined elsewhere, and this script does not depend on it.
        EXECUTE 'SELECT @extschema@.crm_monthly_report($1, $2)' USING cfg.target, cfg.options;
    END IF;
END
$$;
COMMENT ON PROCEDURE crm._scheduled_job(text) IS
    'Internal: the command of pg_crm''s pg_cron jobs. Acts (sync, push, purge, report) when the zone''s clock matches the '
    'job''s local expression, once per wall-clock minute; a failed action fails the job.';

-- Creates or updates the pg_cron job `job` on the GMT superset of `schedule`
-- in options.timezone, and records its configuration. Returns the jobid.
CREATE FUNCTION crm._schedule_job(job text, kind text, target text, schedule text, options jsonb) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    me name := CURRENT_USER;
    timezone text;
    offsets int[];
    gmt text;
    previous record;
    id bigint;
BEGIN
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'a schedule is required (a cron expression in local time)' USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'schedule options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    IF options ? 'timezone' AND jsonb_typeof(options -> 'timezone') <> 'string' THEN
        RAISE EXCEPTION 'option timezone must be a string naming a zone, such as "Europe/Paris"' USING ERRCODE = '22023';
    END IF;
    timezone := coalesce(options ->> 'timezone', 'Europe/Paris');
    offsets := crm._tz_offsets(timezone);
    gmt := crm._cron_gmt(schedule, offsets);

    IF to_regnamespace('cron') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database() USING ERRCODE = '55000',
            HINT = 'Schedule in the database named by cron.database_name, where CREATE EXTENSION pg_cron was run.';
    END IF;
    IF NOT has_schema_privilege('cron', 'USAGE') THEN
        RAISE EXCEPTION 'role % may not use pg_cron (no USAGE on schema cron)', me USING ERRCODE = '42501',
            HINT = 'A superuser grants it once: GRANT USAGE ON SCHEMA cron TO crm_admin;';
    END IF;
    IF NOT (SELECT r.rolcanlogin FROM pg_roles r WHERE r.rolname = me) THEN
        RAISE EXCEPTION 'pg_cron would run job % as role %, which cannot log in', job, me USING ERRCODE = '42501',
            HINT = 'Jobs run as the role that schedules them: schedule as a LOGIN role member of crm_admin (RESET ROLE).';
    END IF;

    SELECT c.job_owner INTO previous FROM crm.schedule_config c WHERE c.job_name = job;
    IF FOUND AND previous.job_owner <> me THEN
        IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = me) THEN
            RAISE EXCEPTION 'job % was scheduled by role %, and runs as that role', job, previous.job_owner
                USING ERRCODE = '42501', HINT = 'That role (its members: SET ROLE ' || previous.job_owner || ') or a superuser changes or removes it.';
        END IF;
        -- A superuser takes the job over: pg_cron keys jobs by (name, role),
        -- so the previous role's job would otherwise keep running too.
        PERFORM cron.unschedule(j.jobid) FROM cron.job j WHERE j.jobname = job AND j.username = previous.job_owner;
    END IF;
    id := cron.schedule(job, gmt, format('CALL crm._scheduled_job(%L)', job));
    INSERT INTO crm.schedule_config AS c (job_name, kind, target, schedule, timezone, gmt_schedule, utc_offsets,
                                          options, jobid, job_owner)
    VALUES (job, kind, target, schedule, timezone, gmt, offsets, options - 'timezone', id, me)
    ON CONFLICT (job_name) DO UPDATE
       SET kind = EXCLUDED.kind, target = EXCLUDED.target, schedule = EXCLUDED.schedule,
           timezone = EXCLUDED.timezone, gmt_schedule = EXCLUDED.gmt_schedule, utc_offsets = EXCLUDED.utc_offsets,
           options = EXCLUDED.options, jobid = EXCLUDED.jobid, job_owner = EXCLUDED.job_owner,
           updated_at = pg_catalog.now();
    RETURN id;
END
$$;
COMMENT ON FUNCTION crm._schedule_job(text, text, text, text, jsonb) IS
    'Internal: creates or updates a pg_crm pg_cron job on the GMT superset of a local expression and records it.';

CREATE FUNCTION crm_schedule(source text, schedule text, options jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    message text;
    hint text;
BEGIN
    IF NOT EXISTS (SELECT FROM crm.source s WHERE s.name = crm_schedule.source) THEN
        RAISE EXCEPTION 'source "%" does not exist', source USING ERRCODE = '42704',
            HINT = 'Add it with crm_source_add(name, kind, config); the sources are in crm.source.';
    END IF;
    IF length('crm-sync-' || source) > 63 THEN
        RAISE EXCEPTION 'job name crm-sync-% is longer than pg_cron''s 63 characters', source USING ERRCODE = '22023',
            HINT = 'Sources with names of up to 54 characters can be scheduled.';
    END IF;
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'schedule options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    BEGIN
        PERFORM crm._sync_check_options(options - 'timezone');
    EXCEPTION WHEN invalid_parameter_value THEN
        GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
        RAISE EXCEPTION '%', message USING ERRCODE = '22023',
            HINT = concat_ws(' ', nullif(hint, ''), 'crm_schedule also takes timezone (default Europe/Paris).');
    END;
    RETURN crm._schedule_job('crm-sync-' || source, 'sync', source, schedule, options);
END
$$;
COMMENT ON FUNCTION crm_schedule(text, text, jsonb) IS
    'Schedules crm_sync_job(source, options) with pg_cron as job crm-sync-<source>, at a cron expression in local '
    'time (options.timezone, default Europe/Paris; the other options are crm_sync''s: full, dry_run, analytics). '
    'Creates or updates the job and returns its jobid. The job runs as the calling role. See docs/scheduling.md.';

-- The Brevo push of a source's recommendations (crm_push_recommendations_job),
-- typically a while after the morning sync that refreshed them.
CREATE FUNCTION crm_schedule_push(source text, schedule text, options jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM crm.source s WHERE s.name = crm_schedule_push.source AND s.kind = 'brevo') THEN
        RAISE EXCEPTION 'source "%" is not a Brevo source', source USING ERRCODE = '42704',
            HINT = 'Recommendations are pushed to a source of kind brevo (crm.source).';
    END IF;
    IF length('crm-push-' || source) > 63 THEN
        RAISE EXCEPTION 'job name crm-push-% is longer than pg_cron''s 63 characters', source USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'schedule options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    RETURN crm._schedule_job('crm-push-' || source, 'push', source, schedule, options);
END
$$;
COMMENT ON FUNCTION crm_schedule_push(text, text, jsonb) IS
    'Schedules crm_push_recommendations_job(source, options) with pg_cron as job crm-push-<source>, at a cron '
    'expression in local time (options.timezone, default Europe/Paris; the other options are '
    'crm_push_recommendations'', checked when the job runs). Creates or updates the job and returns its jobid.';

CREATE FUNCTION crm_schedule_purge(schedule text DEFAULT '30 3 * * *', options jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'schedule options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    PERFORM crm._check_option_keys('crm_schedule_purge', options, ARRAY['timezone', 'days'],
                                   'Options: timezone, days (history kept; default crm.sync_history_days).');
    IF options ? 'days' AND (jsonb_typeof(options -> 'days') <> 'number' OR (options ->> 'days') !~ '^[0-9]{1,5}$'
                             OR (options ->> 'days')::int < 1) THEN
        RAISE EXCEPTION 'option days must be a whole number of days from 1 to 99999, not %', options -> 'days'
            USING ERRCODE = '22023';
    END IF;
    RETURN crm._schedule_job('crm-purge', 'purge', NULL, schedule, options);
END
$$;
COMMENT ON FUNCTION crm_schedule_purge(text, jsonb) IS
    'Schedules crm_purge_history() as pg_cron job crm-purge (default 03:30 local time every day). Options: timezone, '
    'days (default: the crm.sync_history_days setting when the job runs). Returns the jobid.';

CREATE FUNCTION crm_schedule_report(directory text, schedule text DEFAULT '0 9 15 * *', options jsonb DEFAULT '{}')
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF directory IS NULL OR directory = '' THEN
        RAISE EXCEPTION 'the report needs a directory to write to' USING ERRCODE = '22023';
    END IF;
    RETURN crm._schedule_job('crm-monthly-report', 'report', directory, schedule, options);
END
$$;
COMMENT ON FUNCTION crm_schedule_report(text, text, jsonb) IS
    'Schedules crm_monthly_report(directory, options) as pg_cron job crm-monthly-report (default the 15th at 09:00 '
    'local time). options.timezone sets the zone; the other options go to crm_monthly_report, which checks them when '
    'the job runs. Returns the jobid.';

CREATE FUNCTION crm_unschedule_job(job text) RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    me name := CURRENT_USER;
    job_role name;
    removed int := 0;
BEGIN
    SELECT c.job_owner INTO job_role FROM crm.schedule_config c WHERE c.job_name = job;
    IF FOUND AND job_role <> me AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = me) THEN
        RAISE EXCEPTION 'job % was scheduled by role %, and runs as that role', job, job_role
            USING ERRCODE = '42501', HINT = 'That role (its members: SET ROLE ' || job_role || ') or a superuser removes it.';
    END IF;
    IF to_regnamespace('cron') IS NOT NULL THEN
        IF NOT has_schema_privilege('cron', 'USAGE') THEN
            RAISE EXCEPTION 'role % may not use pg_cron (no USAGE on schema cron)', me USING ERRCODE = '42501',
                HINT = 'A superuser grants it once: GRANT USAGE ON SCHEMA cron TO crm_admin;';
        END IF;
        -- cron.job shows a role its own jobs only (a superuser sees all).
        SELECT count(cron.unschedule(j.jobid)) INTO removed FROM cron.job j
         WHERE j.jobname = job AND (j.username = coalesce(job_role, me) OR j.username = me);
    END IF;
    DELETE FROM crm.schedule_config c WHERE c.job_name = job;
    IF NOT FOUND AND removed = 0 THEN
        RAISE NOTICE 'no pg_crm job named %', job;
        RETURN false;
    END IF;
    DELETE FROM crm.schedule_state s WHERE s.job_name = job;
    RETURN true;
END
$$;
COMMENT ON FUNCTION crm_unschedule_job(text) IS
    'Removes a pg_crm pg_cron job (crm-sync-<source>, crm-push-<source>, crm-purge, crm-monthly-report) and its configuration; false '
    'with a NOTICE when there is none.';

CREATE FUNCTION crm_unschedule(source text) RETURNS boolean
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT @extschema@.crm_unschedule_job('crm-sync-' || source) $$;
COMMENT ON FUNCTION crm_unschedule(text) IS
    'Removes the sync job of a source (crm-sync-<source>) and its configuration; false with a NOTICE when there is none.';

-- History retention. SECURITY DEFINER: cron.job_run_details shows (and lets
-- delete) a role's own rows only, and pg_crm's jobs may belong to several
-- roles. It deletes the rows of pg_crm's jobs only: those whose command is
-- the guard, and those of jobs named crm-*.
CREATE FUNCTION crm_purge_history(days int DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    kept int := coalesce(days, current_setting('crm.sync_history_days')::int);
    cutoff timestamptz;
    runs bigint;
    details bigint := 0;
BEGIN
    IF kept < 1 THEN
        RAISE EXCEPTION 'days must be at least 1, not %', kept USING ERRCODE = '22023';
    END IF;
    cutoff := now() - make_interval(days => kept);
    DELETE FROM crm.sync_run r WHERE r.started_at < cutoff;
    GET DIAGNOSTICS runs = ROW_COUNT;
    IF to_regclass('cron.job_run_details') IS NOT NULL THEN
        EXECUTE $q$DELETE FROM cron.job_run_details d
                    WHERE d.start_time < $1
                      AND (d.command LIKE 'CALL crm.\_scheduled\_job(%'
                           OR d.jobid IN (SELECT j.jobid FROM cron.job j WHERE j.jobname LIKE 'crm-%'))$q$
            USING cutoff;
        GET DIAGNOSTICS details = ROW_COUNT;
    END IF;
    RETURN jsonb_build_object('days', kept, 'sync_run', runs, 'job_run_details', details);
END
$$;
COMMENT ON FUNCTION crm_purge_history(int) IS
    'Deletes crm.sync_run rows and pg_crm''s cron.job_run_details rows started more than `days` days ago (default '
    'crm.sync_history_days). Returns {"days", "sync_run", "job_run_details"}: the rows deleted.';

-- pg_crm's pg_cron jobs with their last run. SECURITY DEFINER: cron.job and
-- cron.job_run_details show a role its own rows only. Nothing when pg_cron
-- is not installed in this database.
CREATE FUNCTION crm._schedule_jobs(OUT jobid bigint, OUT job_name text, OUT username text, OUT active boolean,
                                   OUT gmt_schedule text, OUT command text, OUT last_start timestamptz,
                                   OUT last_end timestamptz, OUT last_status text, OUT last_message text,
                                   OUT failures_7d bigint)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF to_regclass('cron.job') IS NULL OR to_regclass('cron.job_run_details') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        SELECT j.jobid, j.jobname::text, j.username, j.active, j.schedule, j.command,
               d.start_time, d.end_time, d.status, d.return_message,
               (SELECT count(*) FROM cron.job_run_details f
                 WHERE f.jobid = j.jobid AND f.status = 'failed' AND f.start_time > now() - interval '7 days')
          FROM cron.job j
          LEFT JOIN LATERAL (SELECT r.start_time, r.end_time, r.status, r.return_message
                               FROM cron.job_run_details r WHERE r.jobid = j.jobid
                              ORDER BY r.runid DESC LIMIT 1) d ON true
         WHERE j.jobname LIKE 'crm-%' OR j.command LIKE 'CALL crm.\_scheduled\_job(%'$q$;
END
$$;
COMMENT ON FUNCTION crm._schedule_jobs() IS
    'Internal: pg_crm''s pg_cron jobs (named crm-*, or calling the guard) with their last run and recent failures.';

CREATE VIEW crm.schedule AS
SELECT j.job_name, c.kind, c.target AS source_or_directory, c.schedule, c.timezone, j.gmt_schedule, j.active,
       j.jobid, j.username AS job_owner, c.options,
       CASE WHEN j.active THEN crm._schedule_next(c.schedule, c.timezone, c.utc_offsets, now()) END AS next_run,
       s.local_minute AS last_acted_local, j.last_start, j.last_end,
       j.last_status, j.last_message, j.failures_7d
  FROM crm._schedule_jobs() j
  LEFT JOIN crm.schedule_config c ON c.job_name = j.job_name AND c.job_owner = j.username
  LEFT JOIN crm.schedule_state s ON s.job_name = j.job_name AND c.job_name IS NOT NULL;
COMMENT ON VIEW crm.schedule IS
    'One row per pg_cron job of pg_crm (syncs, the purge, the monthly report): the local schedule and zone, the GMT '
    'expression pg_cron runs, and the last run. Runs of the GMT expression''s extra minutes succeed doing nothing: '
    'last_acted_local says when the job last acted.';
COMMENT ON COLUMN crm.schedule.job_name IS 'pg_cron job name.';
COMMENT ON COLUMN crm.schedule.kind IS 'sync, push, purge or report; NULL for a crm-* job pg_crm did not schedule.';
COMMENT ON COLUMN crm.schedule.source_or_directory IS 'The source a sync job syncs, or the directory of the report.';
COMMENT ON COLUMN crm.schedule.schedule IS 'The cron expression in local time, as scheduled.';
COMMENT ON COLUMN crm.schedule.timezone IS 'The zone of the local time.';
COMMENT ON COLUMN crm.schedule.gmt_schedule IS 'The GMT expression pg_cron runs (cron.job.schedule).';
COMMENT ON COLUMN crm.schedule.active IS 'Whether pg_cron runs the job.';
COMMENT ON COLUMN crm.schedule.jobid IS 'cron.job.jobid.';
COMMENT ON COLUMN crm.schedule.job_owner IS 'The role the job runs as (the one that scheduled it).';
COMMENT ON COLUMN crm.schedule.options IS 'Options passed to the action.';
COMMENT ON COLUMN crm.schedule.next_run IS 'When the job acts next (the first reading of a wall-clock minute the zone''s clock reads twice); NULL when inactive.';
COMMENT ON COLUMN crm.schedule.last_acted_local IS 'The wall-clock minute, in the zone, the job last acted for.';
COMMENT ON COLUMN crm.schedule.last_start IS 'Start of the last run pg_cron recorded (cron.job_run_details).';
COMMENT ON COLUMN crm.schedule.last_end IS 'End of that run.';
COMMENT ON COLUMN crm.schedule.last_status IS 'Its status: succeeded, failed, running, starting.';
COMMENT ON COLUMN crm.schedule.last_message IS 'Its return_message: the command tag, or the error of a failed run.';
COMMENT ON COLUMN crm.schedule.failures_7d IS 'Failed runs in the last 7 days.';
GRANT SELECT ON crm.schedule TO crm_runner;

REVOKE ALL ON FUNCTION crm._cron_gmt(text, int[]), crm._cron_due(text, timestamp, boolean), crm._cron_next(text, timestamp),
    crm._schedule_next(text, text, int[], timestamptz),
    crm._tz_offsets(text, timestamptz), crm._schedule_decide(text, text, text, int[], timestamptz),
    crm._schedule_due(text, text, timestamptz), crm._schedule_job(text, text, text, text, jsonb),
    crm_schedule(text, text, jsonb), crm_schedule_push(text, text, jsonb), crm_schedule_purge(text, jsonb),
    crm_schedule_report(text, text, jsonb), crm_unschedule_job(text), crm_unschedule(text), crm_purge_history(int),
    crm._schedule_jobs() FROM PUBLIC;
REVOKE ALL ON PROCEDURE crm._scheduled_job(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._cron_gmt(text, int[]), crm._cron_due(text, timestamp, boolean), crm._cron_next(text, timestamp),
    crm._schedule_next(text, text, int[], timestamptz),
    crm._tz_offsets(text, timestamptz), crm._schedule_decide(text, text, text, int[], timestamptz),
    crm._schedule_due(text, text, timestamptz), crm_purge_history(int), crm._schedule_jobs() TO crm_runner;
GRANT EXECUTE ON PROCEDURE crm._scheduled_job(text) TO crm_runner;
GRANT EXECUTE ON FUNCTION crm._schedule_job(text, text, text, text, jsonb), crm_schedule(text, text, jsonb),
    crm_schedule_push(text, text, jsonb), crm_schedule_purge(text, jsonb), crm_schedule_report(text, text, jsonb), crm_unschedule_job(text),
    crm_unschedule(text) TO crm_admin;

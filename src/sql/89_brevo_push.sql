-- Brevo activation: crm_push_recommendations puts each customer's top
-- recommendations in Brevo contact attributes (RECO_COUNT, RECO_1..n,
-- RECO_1_RAISON..n) through the contacts import, in batches, so that a
-- Brevo template or automation can show them. Guardrails are the
-- recommendations' (crm.reco_customer_status); a per-customer fingerprint
-- of what Brevo last accepted makes a rerun send only what changed.
--
-- Failures: each batch Brevo accepts is recorded at once (state and
-- contact history, in the call's transaction); a batch that fails for good
-- stops the push, which returns status "failed" with the batch and Brevo's
-- message and raises a WARNING. The call does not raise an ERROR, which
-- would roll back the record of batches Brevo already holds: a rerun sends
-- exactly the customers not accepted yet. crm_push_recommendations_job
-- (for pg_cron) commits, then raises when the push failed.

CREATE TABLE crm.brevo_push_state (
    source       text NOT NULL,
    customer_key text NOT NULL,
    email        text NOT NULL,
    fingerprint  text NOT NULL,
    process_id   bigint NOT NULL,
    run_id       bigint NOT NULL,
    pushed_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (source, customer_key)
);
COMMENT ON TABLE crm.brevo_push_state IS 'What Brevo last accepted per customer from crm_push_recommendations: a customer whose recommendations (and e-mail, and lists) still have this fingerprint is not sent again.';
COMMENT ON COLUMN crm.brevo_push_state.source IS 'The brevo source pushed to (crm.source).';
COMMENT ON COLUMN crm.brevo_push_state.customer_key IS 'The customer (crm.customers).';
COMMENT ON COLUMN crm.brevo_push_state.email IS 'The address the attributes were set on.';
COMMENT ON COLUMN crm.brevo_push_state.fingerprint IS 'MD5 of the e-mail, the recommendations sent (names, reasons) and the list ids.';
COMMENT ON COLUMN crm.brevo_push_state.process_id IS 'Brevo''s processId of the import that carried them.';
COMMENT ON COLUMN crm.brevo_push_state.run_id IS 'The push (crm.brevo_push_run).';
COMMENT ON COLUMN crm.brevo_push_state.pushed_at IS 'When Brevo accepted them.';

CREATE TABLE crm.brevo_push_run (
    run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'dry_run')),
    options     jsonb NOT NULL DEFAULT '{}',
    result      jsonb,
    error       text,
    run_by      name NOT NULL DEFAULT SESSION_USER
);
CREATE INDEX brevo_push_run_source_idx ON crm.brevo_push_run (source, started_at);
COMMENT ON TABLE crm.brevo_push_run IS 'History of crm_push_recommendations: one row per call, with what it returned; kept crm.sync_history_days days.';
COMMENT ON COLUMN crm.brevo_push_run.run_id IS 'Identifies the push.';
COMMENT ON COLUMN crm.brevo_push_run.source IS 'The brevo source pushed to.';
COMMENT ON COLUMN crm.brevo_push_run.started_at IS 'When it started.';
COMMENT ON COLUMN crm.brevo_push_run.finished_at IS 'When it ended.';
COMMENT ON COLUMN crm.brevo_push_run.status IS 'succeeded, failed (the batches before the failing one were accepted and are recorded), dry_run, or running.';
COMMENT ON COLUMN crm.brevo_push_run.options IS 'Options given.';
COMMENT ON COLUMN crm.brevo_push_run.result IS 'What crm_push_recommendations returned.';
COMMENT ON COLUMN crm.brevo_push_run.error IS 'The failing batch, the SQLSTATE and Brevo''s message (never the key).';
COMMENT ON COLUMN crm.brevo_push_run.run_by IS 'Session user (the pg_cron job owner for scheduled pushes).';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.brevo_push_state, crm.brevo_push_run TO crm_runner;

CREATE FUNCTION crm._brevo_import(source text, contacts jsonb, options jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_brevo_import' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm._brevo_import(text, jsonb, jsonb) IS
    'Internal: one Brevo contacts import (POST /v3/contacts/import) of the body crm._brevo_import_body builds, with '
    'the source''s secret, under crm.allowed_hosts, retries and timeouts. Returns {"status", "body", "requests", '
    '"retries", "ms"}.';
CREATE FUNCTION crm._brevo_import_body(contacts jsonb, options jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_brevo_import_body' LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION crm._brevo_import_body(jsonb, jsonb) IS
    'Internal: the Brevo contacts import body for [{"email", "recommendations": [{"name", "reason"}]}] and '
    '{"list_ids": [...]}: attributes RECO_COUNT, RECO_n, RECO_n_RAISON (texts cut to 255 bytes).';
REVOKE ALL ON FUNCTION crm._brevo_import(text, jsonb, jsonb), crm._brevo_import_body(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._brevo_import(text, jsonb, jsonb), crm._brevo_import_body(jsonb, jsonb) TO crm_runner;

CREATE FUNCTION crm_push_recommendations(source text, options jsonb DEFAULT '{}') RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    known constant text[] := ARRAY['top', 'batch_size', 'list_ids', 'force', 'dry_run'];
    src record;
    top int;
    batch_size int;
    list_ids jsonb;
    force boolean;
    dry_run boolean;
    started timestamptz := pg_catalog.clock_timestamp();
    run bigint;
    body_options jsonb;
    eligible bigint;
    n_unchanged bigint;
    to_send bigint;
    skipped jsonb;
    planned int;
    batch int;
    batch_count int;
    contacts jsonb;
    answer jsonb;
    process bigint;
    process_ids jsonb := '[]';
    preview jsonb := '[]';
    sent bigint := 0;
    accepted int := 0;
    requests int := 0;
    retries int := 0;
    failure text;
    state text;
    message text;
    detail text;
    outcome jsonb;
BEGIN
    SELECT s.name, s.kind INTO src FROM crm.source s WHERE s.name = crm_push_recommendations.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'source "%" does not exist', source USING ERRCODE = '42704',
            HINT = 'Add a Brevo source with crm_source_add(name, ''brevo'', config).';
    ELSIF src.kind <> 'brevo' THEN
        RAISE EXCEPTION 'source "%" is of kind %: recommendations are pushed to a brevo source', source, src.kind
            USING ERRCODE = '22023';
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'crm_push_recommendations options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    PERFORM crm._check_option_keys('crm_push_recommendations', options, known);
    IF EXISTS (SELECT FROM jsonb_each(options) o
                WHERE o.key IN ('force', 'dry_run') AND jsonb_typeof(o.value) <> 'boolean') THEN
        RAISE EXCEPTION 'crm_push_recommendations options force and dry_run must be true or false' USING ERRCODE = '22023';
    END IF;
    IF options ? 'top' AND NOT (jsonb_typeof(options -> 'top') = 'number' AND (options ->> 'top') ~ '^[0-9]+$'
                               AND (options ->> 'top')::numeric BETWEEN 1 AND 10) THEN
        RAISE EXCEPTION 'option top must be an integer from 1 to 10, not %', options -> 'top' USING ERRCODE = '22023';
    END IF;
    IF options ? 'batch_size' AND NOT (jsonb_typeof(options -> 'batch_size') = 'number'
                                      AND (options ->> 'batch_size') ~ '^[0-9]+$'
                                      AND (options ->> 'batch_size')::numeric BETWEEN 1 AND 1000) THEN
        RAISE EXCEPTION 'option batch_size must be an integer from 1 to 1000, not %', options -> 'batch_size'
            USING ERRCODE = '22023', HINT = 'Brevo imports are sent 1000 contacts at most at a time.';
    END IF;
    IF options ? 'list_ids' AND NOT (jsonb_typeof(options -> 'list_ids') = 'array'
        AND NOT EXISTS (SELECT FROM jsonb_array_elements(options -> 'list_ids') i
                         WHERE jsonb_typeof(i) <> 'number' OR i::text !~ '^[1-9][0-9]{0,17}$')) THEN
        RAISE EXCEPTION 'option list_ids must be an array of Brevo list ids (positive integers), not %',
            options -> 'list_ids' USING ERRCODE = '22023';
    END IF;
    top := coalesce((options ->> 'top')::int, 3);
    batch_size := coalesce((options ->> 'batch_size')::int, 500);
    list_ids := coalesce(options -> 'list_ids', '[]');
    force := coalesce((options ->> 'force')::boolean, false);
    dry_run := coalesce((options ->> 'dry_run')::boolean, false);
    body_options := CASE WHEN list_ids = '[]' THEN '{}' ELSE jsonb_build_object('list_ids', list_ids) END;

    -- One push per source at a time: two would send the same customers.
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('pg_crm.brevo_push'), pg_catalog.hashtext(source)) THEN
        RAISE EXCEPTION 'another crm_push_recommendations to source "%" is running', source USING ERRCODE = '55P03';
    END IF;
    DELETE FROM crm.brevo_push_run r
     WHERE r.source = crm_push_recommendations.source
       AND r.started_at < pg_catalog.now()
                          - pg_catalog.make_interval(days => pg_catalog.current_setting('crm.sync_history_days')::int);
    INSERT INTO crm.brevo_push_run (source, status, options)
    VALUES (crm_push_recommendations.source, 'running', crm_push_recommendations.options) RETURNING run_id INTO run;

    -- Every customer with recommendations, why he is skipped (if he is),
    -- what would be sent and its fingerprint. Two customer rows with one
    -- address (the same person in two sources) are one Brevo contact: the
    -- one who bought last is sent.
    IF pg_catalog.to_regclass('pg_temp.crm_push') IS NOT NULL THEN
        DROP TABLE pg_temp.crm_push;
    END IF;
    CREATE TEMP TABLE crm_push ON COMMIT DROP AS
    WITH reco AS (
        SELECT r.customer_key,
               jsonb_agg(jsonb_build_object('name', coalesce(p.name, r.product_key), 'reason', r.reason) ORDER BY r.rank)
                   AS recommendations,
               array_agg(r.product_key ORDER BY r.rank) AS products,
               array_agg(r.reason ORDER BY r.rank) AS reasons
          FROM crm.recommendation r
          LEFT JOIN crm.product_catalog p ON p.product_key = r.product_key
         WHERE r.rank <= top
         GROUP BY r.customer_key),
    judged AS (
        SELECT reco.*, c.email, c.last_purchase,
               coalesce(st.blocked_reason,
                        CASE WHEN c.email_opt_out THEN 'email_opt_out' WHEN c.bounced THEN 'hard_bounce' END,
                        CASE WHEN c.email IS NULL OR c.email = '' THEN 'no_email' END) AS skip
          FROM reco
          LEFT JOIN crm.customers c ON c.customer_key = reco.customer_key
          LEFT JOIN crm.reco_customer_status st ON st.customer_key = reco.customer_key)
    SELECT j.customer_key, j.email, j.recommendations, j.products, j.reasons,
           CASE WHEN j.skip IS NULL
                 AND pg_catalog.row_number() OVER (PARTITION BY j.skip IS NULL, j.email
                                                   ORDER BY j.last_purchase DESC NULLS LAST, j.customer_key) > 1
                THEN 'same_email' ELSE j.skip END AS skip,
           pg_catalog.md5(jsonb_build_object('email', j.email, 'recommendations', j.recommendations,
                                             'list_ids', list_ids)::text) AS fingerprint,
           false AS unchanged, NULL::int AS batch_no
      FROM judged j;
    CREATE INDEX ON crm_push (batch_no);
    UPDATE crm_push p SET unchanged = true
      FROM crm.brevo_push_state s
     WHERE NOT force AND p.skip IS NULL AND s.source = crm_push_recommendations.source
       AND s.customer_key = p.customer_key AND s.fingerprint = p.fingerprint;
    UPDATE crm_push p SET batch_no = (n.position - 1) / batch_size + 1
      FROM (SELECT customer_key, pg_catalog.row_number() OVER (ORDER BY customer_key) AS position
              FROM crm_push WHERE skip IS NULL AND NOT unchanged) n
     WHERE n.customer_key = p.customer_key;

    SELECT count(*) FILTER (WHERE skip IS NULL), count(*) FILTER (WHERE unchanged),
           count(*) FILTER (WHERE batch_no IS NOT NULL), coalesce(max(batch_no), 0)
      INTO eligible, n_unchanged, to_send, planned FROM crm_push;
    SELECT coalesce(jsonb_object_agg(skip, n), '{}') INTO skipped
      FROM (SELECT skip, count(*) AS n FROM crm_push WHERE skip IS NOT NULL GROUP BY skip) s;

    FOR batch IN 1 .. planned LOOP
        SELECT jsonb_agg(jsonb_build_object('email', email, 'recommendations', recommendations) ORDER BY customer_key),
               count(*)
          INTO contacts, batch_count FROM crm_push WHERE batch_no = batch;
        IF dry_run THEN
            preview := preview || (crm._brevo_import_body(contacts, body_options) -> 'jsonBody');
            CONTINUE;
        END IF;
        BEGIN
            answer := crm._brevo_import(source, contacts, body_options);
            IF jsonb_typeof(answer #> '{body,processId}') IS DISTINCT FROM 'number' THEN
                RAISE EXCEPTION 'Brevo answered HTTP % without a processId', answer ->> 'status' USING ERRCODE = '08P01',
                    DETAIL = 'The answer: ' || left(answer ->> 'body', 200);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            -- Only this batch's subtransaction rolls back: the batches
            -- Brevo accepted before stay recorded below.
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
            failure := format('batch %s of %s (%s customers) failed: %s: %s', batch, planned, batch_count, state, message)
                       || coalesce(nullif(' (' || detail || ')', ' ()'), '');
            EXIT;
        END;
        process := (answer #>> '{body,processId}')::bigint;
        requests := requests + (answer ->> 'requests')::int;
        retries := retries + (answer ->> 'retries')::int;
        INSERT INTO crm.brevo_push_state AS s (source, customer_key, email, fingerprint, process_id, run_id, pushed_at)
        SELECT crm_push_recommendations.source, p.customer_key, p.email, p.fingerprint, process, run,
               pg_catalog.clock_timestamp()
          FROM crm_push p WHERE p.batch_no = batch
        ON CONFLICT ON CONSTRAINT brevo_push_state_pkey DO UPDATE
           SET email = EXCLUDED.email, fingerprint = EXCLUDED.fingerprint, process_id = EXCLUDED.process_id,
               run_id = EXCLUDED.run_id, pushed_at = EXCLUDED.pushed_at;
        -- One row per product pushed, status reco_push: the attributes are
        -- set, no e-mail is sent, so the contact cap (status sent) ignores them.
        -- The key carries the run (unique here whatever Brevo's ids) and Brevo's processId.
        INSERT INTO crm.contact_history (contact_key, customer_key, email, date_contact, channel, campaign, subject,
                                         status, product_suggested, source)
        SELECT pg_catalog.format('%s-reco_push-%s-%s-%s-%s', crm_push_recommendations.source, run, process, p.customer_key,
                                 u.rank),
               p.customer_key, p.email, pg_catalog.clock_timestamp(), 'brevo', 'recommendation', u.reason, 'reco_push',
               u.product, crm_push_recommendations.source
          FROM crm_push p, unnest(p.products, p.reasons) WITH ORDINALITY AS u(product, reason, rank)
         WHERE p.batch_no = batch;
        process_ids := process_ids || to_jsonb(process);
        sent := sent + batch_count;
        accepted := accepted + 1;
    END LOOP;

    outcome := jsonb_build_object(
        'run_id', run, 'source', source,
        'status', CASE WHEN dry_run THEN 'dry_run' WHEN failure IS NULL THEN 'succeeded' ELSE 'failed' END,
        'eligible', eligible, 'skipped', skipped, 'unchanged', n_unchanged, 'to_send', to_send, 'sent', sent,
        'batches', accepted, 'batches_planned', planned, 'process_ids', process_ids,
        'requests', requests, 'retries', retries)
        || CASE WHEN dry_run THEN jsonb_build_object('contacts', preview) ELSE '{}' END
        || CASE WHEN failure IS NULL THEN '{}' ELSE jsonb_build_object('error', failure) END
        || jsonb_build_object('ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000));
    -- Dropped now, not at commit: another role may push next in this transaction.
    DROP TABLE pg_temp.crm_push;
    UPDATE crm.brevo_push_run r
       SET status = outcome ->> 'status', finished_at = pg_catalog.clock_timestamp(), error = failure,
           result = outcome - 'contacts'
     WHERE r.run_id = run;
    IF failure IS NOT NULL THEN
        RAISE WARNING 'crm_push_recommendations(%): %', source, failure
            USING HINT = 'The ' || accepted || ' batch(es) Brevo accepted are recorded; once the cause is fixed, '
                         'run it again: it sends the other customers only.';
    END IF;
    RETURN outcome;
END
$$;
COMMENT ON FUNCTION crm_push_recommendations(text, jsonb) IS
    'Sends each customer''s top recommendations to a Brevo source as contact attributes (RECO_COUNT, RECO_1..n, '
    'RECO_1_RAISON..n) through the contacts import, in batches; customers blocked by the guardrails (opt-out, hard '
    'bounce, contact cap) or without e-mail are skipped, unchanged ones are not sent again. Options: top (3), '
    'batch_size (500, at most 1000), list_ids, force, dry_run. Returns {"status", "eligible", "skipped", '
    '"unchanged", "sent", "batches", "process_ids", "ms", ...}; a batch that fails stops the push with status '
    '"failed", its "error" and a WARNING, keeping the batches already accepted. See docs/brevo.md.';
REVOKE ALL ON FUNCTION crm_push_recommendations(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_push_recommendations(text, jsonb) TO crm_runner;

-- For pg_cron: the push's records are committed, then a failure is raised,
-- so cron.job_run_details says "failed".
CREATE PROCEDURE crm_push_recommendations_job(source text, options jsonb DEFAULT '{}')
    LANGUAGE plpgsql
    AS $$
DECLARE
    outcome jsonb;
BEGIN
    outcome := @extschema@.crm_push_recommendations(source, options);
    COMMIT;
    IF outcome ->> 'status' = 'failed' THEN
        RAISE EXCEPTION 'crm_push_recommendations(%): %', source, outcome ->> 'error'
            USING HINT = 'See crm.brevo_push_run, run ' || (outcome ->> 'run_id') || '; a rerun sends the rest.';
    END IF;
END
$$;
COMMENT ON PROCEDURE crm_push_recommendations_job(text, jsonb) IS
    'crm_push_recommendations for schedules (CALL crm_push_recommendations_job(''brevo'')): commits what Brevo '
    'accepted, then raises if a batch failed so that pg_cron records the failure.';
REVOKE ALL ON PROCEDURE crm_push_recommendations_job(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE crm_push_recommendations_job(text, jsonb) TO crm_runner;

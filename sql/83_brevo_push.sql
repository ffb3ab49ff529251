-- crm_push_recommendations against the mock Brevo on 127.0.0.1:58080
-- (test/mock/api_server.py records the imports it accepts: GET /_imports):
-- who is sent and who is not, the attributes, batches, idempotent reruns,
-- force, dry_run, the faults (401, 400, 429, 5xx, timeout, garbage, a
-- batch that fails for good), the contact history, and no key anywhere.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset

-- A small deterministic data set: the iSaVigne merchant's recommendations.
DELETE FROM crm.recommendation;
DELETE FROM crm.sales_lines;
SELECT crm_source_add('push_src', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
SELECT r ->> 'status' AS status FROM crm_sync('push_src', '{"analytics": false}') r;
SELECT crm_refresh_analytics('{"min_pair_count": 2}') IS NOT NULL AS refreshed;

-- Nine customers with an e-mail and one without keep their recommendations:
-- c1..c6 may receive them (c6 shares c5's address: one Brevo contact, so
-- one of them is skipped), c7 opted out, c8 bounced, c9 reached the
-- contact cap, and c0 has no e-mail.
CREATE TEMP TABLE pick AS
SELECT 'c' || row_number() OVER (ORDER BY customer_key) AS tag, customer_key
  FROM (SELECT DISTINCT r.customer_key FROM crm.recommendation r JOIN crm.customers c USING (customer_key)
         WHERE c.email IS NOT NULL
           AND c.email NOT IN (SELECT email FROM crm.customers WHERE email IS NOT NULL AND source = 'push_src'
                                GROUP BY 1 HAVING count(*) > 1)
         ORDER BY 1 LIMIT 9) x
UNION ALL
SELECT 'c0', min(r.customer_key) FROM crm.recommendation r JOIN crm.customers c USING (customer_key) WHERE c.email IS NULL;
DELETE FROM crm.recommendation WHERE customer_key NOT IN (SELECT customer_key FROM pick);
UPDATE crm.customers SET email = (SELECT c.email FROM crm.customers c JOIN pick p USING (customer_key) WHERE p.tag = 'c5'),
                         last_purchase = last_purchase - 1000
 WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c6');
UPDATE crm.customers SET email_opt_out = true WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c7');
UPDATE crm.customers SET bounced = true WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c8');
SELECT count(*) AS feedback_sent FROM (
    SELECT crm_reco_feedback(r.customer_key, r.product_key, 'sent')
      FROM crm.recommendation r JOIN pick p USING (customer_key) WHERE p.tag = 'c9' AND r.rank <= 2) x;
-- Names and reasons with quotes and accents, and a reason longer than a
-- Brevo text attribute.
UPDATE crm.recommendation SET reason = 'l''« Cuvée "Prestige" » \ à découvrir'
 WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c2') AND rank = 2;
UPDATE crm.recommendation SET reason = repeat('é', 300)
 WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c3') AND rank = 1;
SELECT p.tag, s.blocked_reason, c.email IS NOT NULL AS has_email, count(r.*) AS recommendations
  FROM pick p JOIN crm.customers c USING (customer_key)
  LEFT JOIN crm.reco_customer_status s USING (customer_key)
  LEFT JOIN crm.recommendation r USING (customer_key)
 GROUP BY 1, 2, 3 ORDER BY 1;

-- The Brevo source, and the mock's control endpoints (reset, imports).
SELECT crm_secret_set('brevo_push', 'brevo-secret-key-789');
SELECT crm_secret_set('brevo_push_old', 'xkeysib-expired');
SELECT crm_source_add('brevo_push', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "brevo_push"}');
SELECT crm_source_add('push_mock_reset', 'http_json', '{"url": "http://127.0.0.1:58080/_reset", "records": ""}');
SELECT crm_source_add('push_mock_imports', 'http_json', '{"url": "http://127.0.0.1:58080/_imports", "records": ""}');
SELECT count(*) AS reset FROM crm_read_api('push_mock_reset', '');
CREATE TEMP VIEW imports AS SELECT row_number() OVER () AS n, i FROM crm_read_api('push_mock_imports', '') i;
-- Sent contacts of every import since the reset, with their tag.
CREATE TEMP VIEW sent_contacts AS
SELECT i.n, t.tag, c -> 'attributes' AS attributes
  FROM imports i, jsonb_array_elements(i.i -> 'contacts') c
  LEFT JOIN LATERAL (SELECT min(p.tag) AS tag FROM pick p JOIN crm.customers cu USING (customer_key)
                      WHERE cu.email = c ->> 'email') t ON true;

CREATE FUNCTION pg_temp.summary(r jsonb) RETURNS TABLE (status text, eligible int, skipped jsonb, unchanged int,
                                                        to_send int, sent int, batches int, planned int,
                                                        process_ids int, error text)
    LANGUAGE sql AS $$
    SELECT r ->> 'status', (r ->> 'eligible')::int, r -> 'skipped', (r ->> 'unchanged')::int, (r ->> 'to_send')::int,
           (r ->> 'sent')::int, (r ->> 'batches')::int, (r ->> 'batches_planned')::int,
           jsonb_array_length(r -> 'process_ids'), r ->> 'error'
$$;

-- dry_run: what would be sent, nothing sent.
SELECT * FROM pg_temp.summary(crm_push_recommendations('brevo_push', '{"dry_run": true, "batch_size": 2}'));
SELECT jsonb_array_length(r -> 'contacts') AS contacts,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(r #> '{contacts,0,attributes}') k) AS attributes
  FROM crm_push_recommendations('brevo_push', '{"dry_run": true}') r;
SELECT count(*) AS imports FROM imports;
SELECT count(*) AS state_rows FROM crm.brevo_push_state;

-- The push: three batches of at most two; the blocked, the one without
-- e-mail and the second holder of an address are not sent.
SELECT * FROM pg_temp.summary(crm_push_recommendations('brevo_push', '{"batch_size": 2}'));
SELECT n, jsonb_array_length(i -> 'contacts') AS contacts, i -> 'updateExistingContacts' AS update_existing,
       i -> 'emptyContactsAttributes' AS empty_attributes, i -> 'listIds' AS list_ids
  FROM imports ORDER BY n;
SELECT string_agg(tag, ',' ORDER BY tag) AS sent FROM sent_contacts;
-- Attributes: RECO_COUNT, the product names and the reasons, best first.
SELECT count(*) AS contacts,
       count(*) FILTER (WHERE (attributes ->> 'RECO_COUNT')::int = 3) AS three_each,
       count(*) FILTER (WHERE attributes ->> 'RECO_1' = (SELECT pc.name FROM crm.recommendation r
                                                          JOIN crm.product_catalog pc USING (product_key)
                                                          JOIN pick p USING (customer_key)
                                                         WHERE p.tag = s.tag AND r.rank = 1)) AS names_match,
       count(*) FILTER (WHERE attributes ? 'RECO_4' OR attributes ? 'RECO_1_URL') AS extra
  FROM sent_contacts s;
SELECT attributes ->> 'RECO_2_RAISON' AS quoted FROM sent_contacts WHERE tag = 'c2';
SELECT octet_length(attributes ->> 'RECO_1_RAISON') AS bytes, right(attributes ->> 'RECO_1_RAISON', 2) AS ends
  FROM sent_contacts WHERE tag = 'c3';
-- The contact history: one row per product pushed, which the contact cap
-- does not count (the attributes send no e-mail).
SELECT channel, status, campaign, count(*) AS rows, count(DISTINCT customer_key) AS customers,
       count(*) FILTER (WHERE product_suggested IS NULL OR subject IS NULL) AS incomplete
  FROM crm.contact_history WHERE source = 'brevo_push' GROUP BY 1, 2, 3;
SELECT p.tag, s.recent_contacts, s.blocked_reason FROM crm.reco_customer_status s JOIN pick p USING (customer_key)
 WHERE p.tag IN ('c1', 'c9') ORDER BY 1;
SELECT count(*) AS state_rows, count(DISTINCT process_id) AS process_ids FROM crm.brevo_push_state WHERE source = 'brevo_push';

-- A rerun with unchanged recommendations sends nothing.
SELECT * FROM pg_temp.summary(crm_push_recommendations('brevo_push', '{"batch_size": 2}'));
SELECT count(*) AS imports FROM imports;
-- One changed recommendation sends that customer only.
UPDATE crm.recommendation SET reason = 'souvent acheté avec un vin que vous aimez'
 WHERE customer_key = (SELECT customer_key FROM pick WHERE tag = 'c4') AND rank = 3;
SELECT * FROM pg_temp.summary(crm_push_recommendations('brevo_push', '{"batch_size": 2}'));
SELECT n, tag, attributes ->> 'RECO_3_RAISON' AS reason FROM sent_contacts WHERE n = 4;
-- force sends everyone again; list_ids put them in lists.
SELECT * FROM pg_temp.summary(crm_push_recommendations('brevo_push', '{"batch_size": 2, "force": true, "list_ids": [2, 7]}'));
SELECT n, jsonb_array_length(i -> 'contacts') AS contacts, i -> 'listIds' AS list_ids FROM imports WHERE n > 4 ORDER BY n;
-- Other lists are another push: everyone again; top 2 too.
SELECT (r ->> 'sent')::int AS sent, (r ->> 'unchanged')::int AS unchanged
  FROM crm_push_recommendations('brevo_push', '{"batch_size": 2, "list_ids": [2, 7]}') r;
SELECT (r ->> 'sent')::int AS sent FROM crm_push_recommendations('brevo_push', '{"top": 2, "list_ids": [2, 7]}') r;
SELECT count(*) FILTER (WHERE (attributes ->> 'RECO_COUNT')::int = 2 AND NOT attributes ? 'RECO_3') AS two_each
  FROM sent_contacts WHERE n = (SELECT max(n) FROM imports);

-- Faults. Runs a push and says whether the key leaked into its result.
CREATE FUNCTION pg_temp.push(source text, options jsonb DEFAULT '{}')
    RETURNS TABLE (status text, sent int, batches int, retries int, error text, leaks boolean)
    LANGUAGE sql AS $$
    SELECT r ->> 'status', (r ->> 'sent')::int, (r ->> 'batches')::int, (r ->> 'retries')::int, r ->> 'error',
           r::text ~ '(brevo-secret-key-789|xkeysib-expired)'
      FROM crm_push_recommendations(source, options) r
$$;
CREATE FUNCTION pg_temp.fault_source(fault text, extra jsonb DEFAULT '{}') RETURNS void LANGUAGE sql AS $$
    SELECT crm_source_add('push_' || replace(fault, '-', '_'), 'brevo',
        jsonb_build_object('url', 'http://127.0.0.1:58080/fault/' || fault, 'api_key_secret', 'brevo_push') || extra)
$$;
SELECT count(*) AS reset FROM crm_read_api('push_mock_reset', '');
-- 401: stops at batch 1, names the secret to check, never its value.
SELECT crm_source_add('push_old_key', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "brevo_push_old"}');
SELECT * FROM pg_temp.push('push_old_key', '{"batch_size": 2}');
-- 400 with Brevo's error body: its message is quoted.
SELECT pg_temp.fault_source('400-brevo');
SELECT * FROM pg_temp.push('push_400_brevo');
-- 429 with Retry-After, then 500, 502, 503: retried, then accepted.
SELECT pg_temp.fault_source('429-retry-after');
SELECT * FROM pg_temp.push('push_429_retry_after');
SELECT count(*) AS attempts, string_agg(DISTINCT retry_reason, ', ') AS why FROM crm_api_requests();
SELECT pg_temp.fault_source('500x3');
SELECT * FROM pg_temp.push('push_500x3');
-- Timeout, and a garbage answer.
SELECT pg_temp.fault_source('stall', '{"timeout_ms": 1500, "max_retries": 0}');
SET client_min_messages = error;
SELECT status, sent, error ~ '^batch 1 of 1 \(5 customers\) failed: 08006: request to \S+ timed out after 1500 ms' AS timed_out,
       leaks
  FROM pg_temp.push('push_stall');
SET client_min_messages = warning;
SELECT pg_temp.fault_source('invalid-json');
SELECT * FROM pg_temp.push('push_invalid_json');
SELECT count(*) AS state_rows FROM crm.brevo_push_state
 WHERE source IN ('push_old_key', 'push_400_brevo', 'push_stall', 'push_invalid_json');
-- Batch 2 fails for good: batch 1 is kept, and the rerun sends exactly the rest.
SELECT count(*) AS reset FROM crm_read_api('push_mock_reset', '');
SELECT pg_temp.fault_source('500-from-2', '{"max_retries": 1}');
SELECT * FROM pg_temp.push('push_500_from_2', '{"batch_size": 2}');
SELECT string_agg(tag, ',' ORDER BY tag) AS accepted FROM sent_contacts;
SELECT count(*) AS state_rows FROM crm.brevo_push_state WHERE source = 'push_500_from_2';
SELECT count(*) AS history_rows FROM crm.contact_history WHERE source = 'push_500_from_2';
SELECT status, error IS NOT NULL AS has_error FROM crm.brevo_push_run WHERE source = 'push_500_from_2';
SELECT crm_source_add('push_500_from_2', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "brevo_push"}');
SELECT count(*) AS reset FROM crm_read_api('push_mock_reset', '');
SELECT * FROM pg_temp.summary(crm_push_recommendations('push_500_from_2', '{"batch_size": 2}'));
SELECT string_agg(tag, ',' ORDER BY tag) AS rest FROM sent_contacts;
SELECT (r ->> 'sent')::int AS sent FROM crm_push_recommendations('push_500_from_2', '{"batch_size": 2}') r;
-- The job procedure (pg_cron): commits, then fails the job when a batch failed.
CALL crm_push_recommendations_job('push_500_from_2');
\set VERBOSITY terse
CALL crm_push_recommendations_job('push_old_key', '{"batch_size": 2}');
\set VERBOSITY default
SELECT status, count(*) FROM crm.brevo_push_run WHERE source = 'push_old_key' GROUP BY 1;
-- No key in any record of the pushes.
SELECT count(*) AS leaks FROM crm.brevo_push_run
 WHERE concat_ws(' ', error, result::text, options::text) ~ '(brevo-secret-key-789|xkeysib-expired)';
SELECT count(*) AS leaks FROM crm.contact_history WHERE contact_history::text ~ '(brevo-secret-key-789|xkeysib-expired)';

-- Mistakes are named.
\set VERBOSITY terse
SELECT crm_push_recommendations('nowhere');
SELECT crm_push_recommendations('push_src');
SELECT crm_push_recommendations('brevo_push', '{"batchsize": 2}');
SELECT crm_push_recommendations('brevo_push', '{"batch_size": 0}');
SELECT crm_push_recommendations('brevo_push', '{"batch_size": 1001}');
SELECT crm_push_recommendations('brevo_push', '{"top": "3"}');
SELECT crm_push_recommendations('brevo_push', '{"list_ids": [2, -7]}');
SELECT crm_push_recommendations('brevo_push', '{"force": "yes"}');
SELECT crm._brevo_import('push_mock_reset', '[{"email": "a@example.fr", "recommendations": [{"name": "X"}]}]', '{}');
\set VERBOSITY default

-- crm_runner may push; crm_reader may not.
SET ROLE crm_runner;
SELECT r ->> 'status' AS status, (r ->> 'sent')::int AS sent FROM crm_push_recommendations('brevo_push') r;
SET ROLE crm_reader;
\set VERBOSITY terse
SELECT crm_push_recommendations('brevo_push', '{"dry_run": true}');
\set VERBOSITY default
RESET ROLE;

SELECT count(*) AS reset FROM crm_read_api('push_mock_reset', '');
DELETE FROM crm.contact_history WHERE source LIKE 'push\_%' OR source = 'brevo_push' OR source = 'pg_crm';
DELETE FROM crm.brevo_push_state;
DELETE FROM crm.brevo_push_run;
SELECT count(crm_source_remove(name)) AS removed FROM crm.source WHERE name LIKE 'push\_%' OR name = 'brevo_push';

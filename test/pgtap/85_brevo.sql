-- Brevo activation: who may push recommendations to Brevo (crm_runner, so
-- crm_admin and pg_cron jobs; never crm_reader or PUBLIC), who may touch
-- what the pushes record, and that the functions behind it are pinned.
BEGIN;
SET client_min_messages = warning;
SELECT plan(24);

SELECT function_privs_are('public', 'crm_push_recommendations', ARRAY['text', 'jsonb'], r, privs)
  FROM (VALUES ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT ok(has_function_privilege('crm_admin', 'crm_push_recommendations(text, jsonb)', 'EXECUTE'),
          'crm_admin may push (it includes crm_runner)');
SELECT ok(has_function_privilege('crm_runner', 'crm_push_recommendations_job(text, jsonb)', 'EXECUTE')
          AND NOT has_function_privilege('crm_reader', 'crm_push_recommendations_job(text, jsonb)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'crm_push_recommendations_job(text, jsonb)', 'EXECUTE'),
          'the job procedure: crm_runner only');
SELECT function_privs_are('crm', f, args, r, privs)
  FROM (VALUES ('_brevo_import', ARRAY['text', 'jsonb', 'jsonb']), ('_brevo_import_body', ARRAY['jsonb', 'jsonb'])) AS f(f, args)
 CROSS JOIN (VALUES ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS r(r, privs);
SELECT table_privs_are('crm', t, r, privs)
  FROM unnest(ARRAY['brevo_push_state', 'brevo_push_run']) AS t
 CROSS JOIN (VALUES ('crm_runner', ARRAY['DELETE', 'INSERT', 'SELECT', 'UPDATE']), ('crm_reader', ARRAY[]::text[]),
                    ('public', ARRAY[]::text[])) AS r(r, privs);
SELECT ok(NOT p.prosecdef AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'],
          'crm_push_recommendations runs as its caller with a pinned search_path')
  FROM pg_proc p WHERE p.oid = 'crm_push_recommendations(text, jsonb)'::regprocedure;

-- Behind the grants: an admin and a runner push (a dry run: nothing leaves),
-- a reader and a plain role are refused.
SELECT crm_secret_set('pgtap_push', 'brevo-secret-key-789');
SELECT crm_source_add('pgtap_push', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "pgtap_push"}');
SET LOCAL ROLE crm_admin;
SELECT is(crm_push_recommendations('pgtap_push', '{"dry_run": true}') ->> 'status', 'dry_run', 'crm_admin pushes');
RESET ROLE;
SET LOCAL ROLE crm_runner;
SELECT is(crm_push_recommendations('pgtap_push', '{"dry_run": true}') ->> 'status', 'dry_run', 'crm_runner pushes');
RESET ROLE;
SET LOCAL ROLE crm_reader;
SELECT throws_ok($$SELECT crm_push_recommendations('pgtap_push')$$, '42501', NULL, 'crm_reader may not push');
RESET ROLE;
CREATE ROLE pgtap_push_plain;
SET LOCAL ROLE pgtap_push_plain;
SELECT throws_ok($$SELECT crm_push_recommendations('pgtap_push')$$, '42501', NULL, 'a plain role may not push');
SELECT throws_ok($$SELECT crm._brevo_import('pgtap_push', '[]', '{}')$$, '42501', NULL,
                 'a plain role may not import into Brevo');
RESET ROLE;
-- A runner imports only what pg_crm builds: a body of its own is refused.
SET LOCAL ROLE crm_runner;
SELECT throws_ok($$SELECT crm._brevo_import('pgtap_push', '{"jsonBody": [], "emailBlacklist": true}', '{}')$$,
                 '22023', NULL, 'crm._brevo_import takes contacts, not a Brevo body');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

-- Sources and secrets: the privilege matrix of every role × object, and the
-- promises behind it (no one but the owner reads a secret; settings that
-- open the network are superuser-only; the source list survives pg_dump).
BEGIN;
SET client_min_messages = warning;
SELECT plan(53);

-- Secrets: the table is the owner's alone; names through the view, for crm_admin.
SELECT table_privs_are('crm', 'secret', r, ARRAY[]::text[])
  FROM unnest(ARRAY['crm_admin', 'crm_runner', 'crm_reader', 'public']) AS r;
SELECT table_privs_are('crm', 'secret_names', r, privs)
  FROM (VALUES ('crm_admin', ARRAY['SELECT']), ('crm_runner', ARRAY[]::text[]), ('crm_reader', ARRAY[]::text[]),
               ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_secret_set', ARRAY['text', 'text']), ('crm_secret_remove', ARRAY['text']),
               ('crm_source_add', ARRAY['text', 'text', 'jsonb']), ('crm_source_remove', ARRAY['text'])) AS f(f, args)
 CROSS JOIN (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY[]::text[]),
                    ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS r(r, privs);
SELECT ok(prosecdef AND proconfig @> ARRAY['search_path=pg_catalog, pg_temp'],
          p.oid::regprocedure || ' is SECURITY DEFINER with a pinned search_path')
  FROM pg_proc p WHERE proname IN ('crm_secret_set', 'crm_secret_remove') ORDER BY proname;

-- Sources: crm_admin edits, crm_runner reads, crm_reader sees nothing.
SELECT table_privs_are('crm', 'source', r, privs)
  FROM (VALUES ('crm_admin', ARRAY['DELETE', 'INSERT', 'SELECT', 'UPDATE']), ('crm_runner', ARRAY['SELECT']),
               ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_read_api', ARRAY['text', 'text', 'jsonb']), ('crm_read_api_rows', ARRAY['text', 'text', 'jsonb']),
               ('crm_source_test', ARRAY['text'])) AS f(f, args)
 CROSS JOIN (VALUES ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]),
                    ('public', ARRAY[]::text[])) AS r(r, privs);

-- pg_dump keeps the sources, not the secrets.
SELECT ok('crm.source'::regclass = ANY (extconfig), 'crm.source is dumped by pg_dump')
  FROM pg_extension WHERE extname = 'pg_crm';
SELECT ok(NOT ('crm.secret'::regclass = ANY (extconfig)), 'crm.secret is not dumped')
  FROM pg_extension WHERE extname = 'pg_crm';

-- The network settings are the superuser's, and checked when set.
SELECT is((SELECT context FROM pg_settings WHERE name = s), 'superuser', s || ' can only be set by a superuser')
  FROM unnest(ARRAY['crm.allowed_hosts', 'crm.ca_file', 'crm.max_response_size']) AS s;
SELECT throws_ok($$SET crm.allowed_hosts = 'ftp://files.example'$$, '22023', NULL,
                 'a malformed crm.allowed_hosts is refused when set');

-- Behaviour behind the grants: a runner reads an API; it cannot read a
-- secret back, even through the functions that use it.
SELECT crm_secret_set('pgtap_brevo', 'brevo-secret-key-789');
SELECT crm_source_add('pgtap_brevo', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "pgtap_brevo"}');
CREATE ROLE pgtap_api_cron LOGIN IN ROLE crm_runner;
CREATE ROLE pgtap_api_user LOGIN;
SET ROLE pgtap_api_cron;
SELECT is((SELECT count(*) FROM crm_read_api('pgtap_brevo', 'contacts')), 1200::bigint,
          'crm_runner reads an API with a secret it cannot read');
SELECT throws_ok('SELECT value FROM crm.secret', '42501', NULL, 'crm_runner cannot select crm.secret');
SELECT throws_ok($$SELECT crm_source_add('x', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "y"}')$$,
                 '42501', NULL, 'crm_runner cannot add a source');
SELECT throws_ok($$SET crm.allowed_hosts = 'evil.example'$$, '42501', NULL, 'crm_runner cannot widen crm.allowed_hosts');
SELECT ok(crm_source_test('pgtap_brevo')::text !~ 'brevo-secret-key-789', 'crm_source_test does not show the key');
SELECT ok(NOT EXISTS (SELECT 1 FROM crm_api_requests() r WHERE r::text ~ 'brevo-secret-key-789'),
          'crm_api_requests does not show the key');
RESET ROLE;
SET ROLE pgtap_api_user;
SELECT throws_ok($$SELECT count(*) FROM crm_read_api('pgtap_brevo', 'contacts')$$, '42501', NULL,
                 'a plain user cannot read an API');
SELECT throws_ok($$SELECT * FROM crm.source$$, '42501', NULL, 'a plain user cannot see the sources');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

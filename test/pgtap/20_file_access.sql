-- Who may read files (and run the analytics over the curated data): the privilege matrix of every role ×
-- loading function,
-- and the behaviour behind it.
BEGIN;
SELECT plan(30);

SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_sniff', ARRAY['text', 'jsonb']), ('crm_read', ARRAY['text', 'jsonb']),
               ('crm_read_csv', ARRAY['text', 'jsonb']), ('crm_read_xlsx', ARRAY['text', 'jsonb']),
               ('crm_load', ARRAY['text', 'regclass', 'jsonb']), ('crm_product_affinity', ARRAY['jsonb'])) AS f(f, args)
 CROSS JOIN (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY['EXECUTE']),
                    ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS r(r, privs);

SELECT table_privs_are('crm_raw', 'reject', 'crm_reader', ARRAY[]::text[]);
SELECT table_privs_are('crm_raw', 'load', 'crm_reader', ARRAY[]::text[]);

SELECT current_setting('crm.allowed_read_paths') || '/isavigne_small/ventes.csv' AS ventes \gset
CREATE ROLE pgtap_powerbi LOGIN IN ROLE crm_reader;
CREATE ROLE pgtap_cron LOGIN IN ROLE crm_runner;

SET ROLE pgtap_powerbi;
SELECT throws_ok(format('SELECT crm_sniff(%L)', :'ventes'), '42501', NULL, 'crm_reader cannot call crm_sniff');
SELECT throws_ok(format('SELECT count(*) FROM crm_read(%L)', :'ventes'), '42501', NULL, 'crm_reader cannot call crm_read');
RESET ROLE;

SET ROLE pgtap_cron;
SELECT is((SELECT count(*) FROM crm_read(:'ventes')), 2000::bigint, 'crm_runner reads a file in the allowed directory');
SELECT throws_ok($$SELECT crm_sniff('/etc/passwd')$$, '42501', NULL, 'crm_runner cannot read outside crm.allowed_read_paths');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

-- Who may write files and edit the data-quality rules: crm_export,
-- crm_monthly_report and crm_check_quality for crm_runner and crm_admin only;
-- crm.dq_rule (whose SQL runs as the caller: it is code) written by
-- crm_admin only; crm.allowed_write_paths set by a superuser only.
BEGIN;
SELECT plan(30);

SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_export', ARRAY['text', 'text', 'jsonb']), ('crm_monthly_report', ARRAY['text', 'jsonb']),
               ('crm_check_quality', ARRAY['text'])) AS f(f, args)
 CROSS JOIN (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY['EXECUTE']),
                    ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS r(r, privs);
SELECT function_privs_are('crm', '_export_file', ARRAY['text', 'jsonb', 'jsonb'], 'crm_reader', ARRAY[]::text[]);
SELECT function_privs_are('crm', '_export_file', ARRAY['text', 'jsonb', 'jsonb'], 'public', ARRAY[]::text[]);

SELECT table_privs_are('crm', 'dq_rule', 'crm_admin', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
SELECT table_privs_are('crm', 'dq_rule', 'crm_runner', ARRAY['SELECT']);
SELECT table_privs_are('crm', 'dq_rule', 'crm_reader', ARRAY[]::text[]);

SELECT current_setting('crm.allowed_write_paths') AS out \gset
CREATE ROLE pgtap_report_admin LOGIN IN ROLE crm_admin;
CREATE ROLE pgtap_report_cron LOGIN IN ROLE crm_runner;
CREATE ROLE pgtap_report_bi LOGIN IN ROLE crm_reader;

SET ROLE pgtap_report_cron;
SELECT throws_ok($$INSERT INTO crm.dq_rule (name, target, kind, params) VALUES
                   ('pgtap_evil', 'crm.source', 'metric', '{"sql": "SELECT 1", "expected": 1}')$$,
                 '42501', NULL, 'crm_runner cannot add a rule (its SQL would run as whoever checks it)');
SELECT throws_ok($$UPDATE crm.dq_rule SET params = '{"sql": "SELECT 1", "expected": 1}' WHERE name = 'bottleneck_ca'$$,
                 '42501', NULL, 'crm_runner cannot change a rule''s SQL');
SELECT throws_ok($$SET crm.allowed_write_paths = '/'$$, '42501', NULL, 'crm_runner cannot set crm.allowed_write_paths');
SELECT lives_ok(format('SELECT crm_export(%L, %L, %L)', 'SELECT 1 AS x', :'out' || '/pgtap_runner.csv', '{"overwrite": true}'),
                'crm_runner exports into crm.allowed_write_paths');
SELECT throws_ok(format('SELECT crm_export(%L, %L)', 'SELECT 1 AS x', '/tmp/pgtap_outside.csv'), '42501', NULL,
                 'crm_runner cannot export outside crm.allowed_write_paths');
SELECT throws_ok(format('SELECT crm_export(%L, %L)', 'SELECT * FROM crm.secret', :'out' || '/pgtap_secret.csv'),
                 '42501', NULL, 'an export runs with the caller''s rights: crm_runner cannot export crm.secret');
SELECT lives_ok('SELECT count(*) FROM crm_check_quality()', 'crm_runner checks the rules');
RESET ROLE;

SET ROLE pgtap_report_admin;
SELECT lives_ok($$INSERT INTO crm.dq_rule (name, source, target, kind, params, severity, description) VALUES
                  ('pgtap_rule', 'pgtap', 'crm.source', 'metric', '{"sql": "SELECT 2", "min": 1, "max": 3}', 'warn',
                   'Une règle de test.')$$, 'crm_admin adds a rule');
SELECT is((SELECT passed FROM crm_check_quality('pgtap') WHERE rule = 'pgtap_rule'), true,
          'a metric rule passes within its min and max');
SELECT throws_ok($$SET crm.allowed_write_paths = '/'$$, '42501', NULL, 'crm_admin cannot set crm.allowed_write_paths');
RESET ROLE;

SET ROLE pgtap_report_bi;
SELECT throws_ok(format('SELECT crm_export(%L, %L)', 'SELECT 1 AS x', :'out' || '/pgtap_bi.csv'), '42501', NULL,
                 'crm_reader cannot export');
SELECT throws_ok(format('SELECT crm_monthly_report(%L)', :'out'), '42501', NULL, 'crm_reader cannot write the report');
SELECT throws_ok('SELECT count(*) FROM crm_check_quality()', '42501', NULL, 'crm_reader cannot run the rules');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

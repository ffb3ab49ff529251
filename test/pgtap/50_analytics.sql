-- The analytics' privilege matrix: crm_runner refreshes and reads them;
-- crm_reader and PUBLIC reach neither the functions nor the tables (Power BI
-- will read them through crm_bi views).
BEGIN;
SET client_min_messages = warning;
SELECT plan(29);

SELECT function_privs_are('public', f, args, r, privs)
  FROM (VALUES ('crm_refresh_analytics', ARRAY['jsonb']), ('crm_rfm', ARRAY['date', 'jsonb']),
               ('crm_recommend', ARRAY['text', 'integer']), ('crm_reco_feedback', ARRAY['text', 'text', 'text']))
               AS fn(f, args),
       (VALUES ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS who(r, privs);
SELECT table_privs_are('crm', t, 'crm_runner', ARRAY['DELETE', 'INSERT', 'SELECT'])
  FROM unnest(ARRAY['product_stats', 'customer_rfm', 'product_affinity', 'segment_bestseller']) AS t;
SELECT table_privs_are('crm', t, 'crm_reader', ARRAY[]::text[])
  FROM unnest(ARRAY['product_stats', 'customer_rfm', 'product_affinity', 'premium_wines', 'revenue_by_product',
                    'recommendation', 'reco_settings']) AS t;
-- The guardrails are the admin's to change; the runner only reads them.
SELECT table_privs_are('crm', 'reco_settings', 'crm_runner', ARRAY['SELECT']);
SELECT ok(has_table_privilege('crm_admin', 'crm.reco_settings', 'UPDATE'), 'crm_admin changes crm.reco_settings');
SELECT table_privs_are('crm', t, 'public', ARRAY[]::text[])
  FROM unnest(ARRAY['product_stats', 'customer_rfm']) AS t;

-- crm_runner (the role of pg_cron jobs) runs a refresh.
SET LOCAL ROLE crm_runner;
SELECT ok(crm_refresh_analytics() ? 'recommendation', 'crm_runner refreshes the analytics, recommendations included');
SELECT throws_ok($$UPDATE crm.reco_settings SET top_n = 3$$, '42501', NULL, 'crm_runner cannot change the guardrails');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

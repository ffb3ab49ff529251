-- The sync's privilege matrix: crm_runner runs it and reads the curated
-- tables; crm_reader and PUBLIC reach neither the sync nor raw or curated
-- tables (crm_reader will see crm_bi views only).
BEGIN;
SET client_min_messages = warning;
SELECT plan(35);

SELECT function_privs_are('public', 'crm_sync', ARRAY['text', 'jsonb'], r, privs)
  FROM (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]),
               ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT ok(has_function_privilege('crm_runner', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'crm_runner may CALL crm_sync_job');
SELECT ok(NOT has_function_privilege('crm_reader', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'crm_reader may not CALL crm_sync_job');
SELECT ok(NOT has_function_privilege('public', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'PUBLIC may not CALL crm_sync_job');

SELECT table_privs_are('crm', t, 'crm_reader', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels', 'sync_run', 'sync_cursor']) AS t;
SELECT table_privs_are('crm_raw', t, 'crm_reader', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'products', 'sales', 'stock']) AS t;
SELECT table_privs_are('crm', t, 'public', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels', 'sync_run', 'sync_cursor']) AS t;
SELECT table_privs_are('crm', t, 'crm_runner', ARRAY['DELETE', 'INSERT', 'SELECT', 'UPDATE'])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels']) AS t;

-- The procedure has no SET clause (it commits); every function of the sync pins search_path.
SELECT ok(proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], p.oid::regprocedure || ' pins search_path')
  FROM pg_proc p
 WHERE p.oid IN ('crm_sync(text, jsonb)'::regprocedure, 'crm._sync_exports(text, jsonb, jsonb)'::regprocedure,
                 'crm._merge_export(text, text, bigint)'::regprocedure,
                 'crm._sync_files(text, jsonb, jsonb)'::regprocedure,
                 'crm._stage_files(text, jsonb, bigint[])'::regprocedure);

-- crm_runner (the role pg_cron jobs run as) syncs a files source with its
-- staging step: raw loads, the derived load, the curated merge.
SELECT crm_source_add('bn_runner', 'files', jsonb_build_object('files', jsonb_build_array(
    jsonb_build_object('path', current_setting('crm.allowed_read_paths') || '/bottleneck/erp.xlsx', 'entity', 'products',
        'mapping', '{"source_id": "product_id", "list_price": "price"}'::jsonb, 'constants', '{"name": "?"}'::jsonb))));
SET LOCAL ROLE crm_runner;
SELECT is(crm_sync('bn_runner') ->> 'status', 'succeeded', 'crm_runner syncs a files source');
RESET ROLE;
SELECT is((SELECT count(*) FROM crm.product_catalog WHERE source = 'bn_runner'), 825::bigint,
          'its 825 products are curated');

SELECT is((SELECT context FROM pg_settings WHERE name = 'crm.sync_history_days'), 'superuser',
          'crm.sync_history_days can only be set by a superuser');

SELECT * FROM finish();
ROLLBACK;

-- The sync's privilege matrix: crm_runner runs it and reads the curated
-- tables; crm_reader and PUBLIC reach neither the sync nor raw or curated
-- tables (crm_reader will see crm_bi views only).
BEGIN;
SET client_min_messages = warning;
SELECT plan(40);

SELECT function_privs_are('public', 'crm_sync', ARRAY['text', 'jsonb'], r, privs)
  FROM (VALUES ('crm_admin', ARRAY['EXECUTE']), ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]),
               ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT ok(has_function_privilege('crm_runner', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'crm_runner may CALL crm_sync_job');
SELECT function_privs_are('public', 'crm_raw_purge', ARRAY['interval'], r, privs)
  FROM (VALUES ('crm_runner', ARRAY['EXECUTE']), ('crm_reader', ARRAY[]::text[]), ('public', ARRAY[]::text[])) AS t(r, privs);
SELECT ok(NOT has_function_privilege('crm_reader', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'crm_reader may not CALL crm_sync_job');
SELECT ok(NOT has_function_privilege('public', 'crm_sync_job(text, jsonb)', 'EXECUTE'), 'PUBLIC may not CALL crm_sync_job');

SELECT table_privs_are('crm', t, 'crm_reader', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels', 'sync_run', 'sync_cursor',
                      'contact_history', 'customer_identity']) AS t;
SELECT table_privs_are('crm_raw', t, 'crm_reader', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'products', 'sales', 'stock', 'contact_events']) AS t;
SELECT table_privs_are('crm', t, 'public', ARRAY[]::text[])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels', 'sync_run', 'sync_cursor',
                      'contact_history', 'customer_identity']) AS t;
SELECT table_privs_are('crm', t, 'crm_runner', ARRAY['DELETE', 'INSERT', 'SELECT', 'UPDATE'])
  FROM unnest(ARRAY['customers', 'product_catalog', 'sales_lines', 'stock_levels']) AS t;

-- The procedure has no SET clause (it commits); every SQL and plpgsql
-- function of the extension pins search_path.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text
                  FROM pg_proc p
                  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm'
                  JOIN pg_language l ON l.oid = p.prolang
                 WHERE l.lanname IN ('plpgsql', 'sql') AND p.prokind <> 'p'
                   AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']),
          '{}'::text[], 'every SQL and plpgsql function of pg_crm pins search_path');
SELECT cmp_ok((SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'crm' AND p.proname IN ('_sync_api', '_load_api', '_match_identities',
                                                          '_merge_contact_events', '_sync_files', '_stage_files')),
              '=', 6::bigint, 'the sync''s internal functions exist (so the check above covers them)');

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

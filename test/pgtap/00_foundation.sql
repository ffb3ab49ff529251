-- Schemas, roles, function properties and the privilege split of the foundation.
BEGIN;
SELECT plan(26);

SELECT has_schema(s) FROM unnest(ARRAY['crm', 'crm_raw', 'crm_bi']) AS s;
SELECT has_role(r) FROM unnest(ARRAY['crm_admin', 'crm_runner', 'crm_reader']) AS r;
SELECT is_member_of('crm_runner', 'crm_admin');
SELECT is_member_of('crm_reader', 'crm_admin');
SELECT ok(NOT rolcanlogin, rolname || ' cannot log in') FROM pg_roles
 WHERE rolname IN ('crm_admin', 'crm_runner', 'crm_reader') ORDER BY rolname;

SELECT has_function('public', 'crm_version', ARRAY[]::name[]);
SELECT function_returns('public', 'crm_build_info', ARRAY[]::name[], 'jsonb');
SELECT volatility_is('public', 'crm_version', ARRAY[]::name[], 'stable');

-- The privilege matrix: who may use which schema.
SELECT schema_privs_are('crm_bi', 'crm_reader', ARRAY['USAGE']);
SELECT schema_privs_are('crm', 'crm_reader', ARRAY[]::text[]);
SELECT schema_privs_are('crm_raw', 'crm_reader', ARRAY[]::text[]);
SELECT schema_privs_are('crm', 'crm_runner', ARRAY['USAGE']);
SELECT schema_privs_are('crm_raw', 'crm_runner', ARRAY['USAGE']);
SELECT schema_privs_are('crm', 'public', ARRAY[]::text[]);

-- The test entry point is superuser-only.
SELECT function_privs_are('crm', '_test_fault', ARRAY['text'], 'crm_admin', ARRAY[]::text[]);
SELECT function_privs_are('crm', '_test_fault', ARRAY['text'], 'public', ARRAY[]::text[]);

-- Settings exist with the documented context.
SELECT is((SELECT context FROM pg_settings WHERE name = 'crm.allowed_read_paths'), 'superuser',
          'crm.allowed_read_paths can only be set by a superuser');
SELECT is((SELECT context FROM pg_settings WHERE name = 'crm.enable_test_functions'), 'superuser',
          'crm.enable_test_functions can only be set by a superuser');
SELECT is((SELECT unit FROM pg_settings WHERE name = 'crm.max_file_size'), 'MB', 'crm.max_file_size is in MB');

-- Every function, table, view and column users see is documented in the catalog (COMMENT ON).
SELECT is_empty($$
    SELECT 'function ' || p.oid::regprocedure
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm'
      JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
     WHERE d.deptype = 'e' AND obj_description(p.oid, 'pg_proc') IS NULL
    UNION ALL
    SELECT 'relation ' || c.oid::regclass
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm'
      JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
     WHERE d.deptype = 'e' AND c.relkind IN ('r', 'v', 'm') AND obj_description(c.oid, 'pg_class') IS NULL
    UNION ALL
    SELECT 'column ' || c.oid::regclass || '.' || a.attname
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm'
      JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE d.deptype = 'e' AND c.relkind IN ('r', 'v', 'm') AND col_description(c.oid, a.attnum) IS NULL
$$, 'every pg_crm function, table, view and column has a COMMENT');

SELECT * FROM finish();
ROLLBACK;

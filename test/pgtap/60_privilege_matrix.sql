-- The privilege matrix over every object of the extension, computed from the
-- catalogs so that a new table or function is covered the day it is added:
-- a plain role and crm_reader reach no table of crm or crm_raw and only the
-- pure functions (no file, network or table access); crm_reader sees the
-- crm_bi schema only, where it reads every view and changes none; crm.secret
-- is readable by nobody but its owner.
BEGIN;
SET client_min_messages = warning;
SELECT plan(22);
CREATE ROLE crm_matrix_plain;

CREATE TEMP VIEW extension_functions AS
SELECT p.oid, p.oid::regprocedure::text AS signature
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm';
CREATE TEMP VIEW extension_relations AS
SELECT c.oid, c.oid::regclass::text AS name, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('crm', 'crm_raw') AND c.relkind IN ('r', 'v', 'm', 'p', 'S');
\ir ../privileges/pure_functions.sql
GRANT SELECT ON extension_functions, extension_relations, pure_functions TO PUBLIC;

SELECT is_empty($$SELECT f.signature FROM extension_functions f JOIN pg_proc p ON p.oid = f.oid
                   WHERE p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
                'no SECURITY DEFINER function of the extension is executable by PUBLIC');
SELECT set_eq($$SELECT signature FROM extension_functions WHERE has_function_privilege('crm_matrix_plain', oid, 'EXECUTE')$$,
              $$SELECT signature FROM pure_functions$$,
              'a plain role executes exactly the pure functions');
SELECT set_eq($$SELECT signature FROM extension_functions WHERE has_function_privilege('crm_reader', oid, 'EXECUTE')$$,
              $$SELECT signature FROM pure_functions$$,
              'crm_reader executes exactly the pure functions');
SELECT is_empty($$SELECT name FROM extension_relations
                   WHERE (relkind <> 'S' AND has_table_privilege('crm_matrix_plain', oid,
                                                                  'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                      OR (relkind = 'S' AND has_sequence_privilege('crm_matrix_plain', oid, 'USAGE, SELECT, UPDATE'))$$,
                'a plain role has no privilege on any table, view or sequence of crm and crm_raw');
SELECT is_empty($$SELECT name FROM extension_relations
                   WHERE (relkind <> 'S' AND has_table_privilege('crm_reader', oid,
                                                                  'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                      OR (relkind = 'S' AND has_sequence_privilege('crm_reader', oid, 'USAGE, SELECT, UPDATE'))$$,
                'crm_reader has no privilege on any table or view of crm and crm_raw');
SELECT is_empty($$SELECT name FROM extension_relations
                   WHERE relkind <> 'S' AND has_table_privilege('crm_runner', oid, 'TRUNCATE, REFERENCES, TRIGGER')$$,
                'crm_runner cannot truncate, reference or trigger anything');
-- The configuration is the admin's; jobs (crm_runner) read it and write the data.
CREATE TEMP TABLE configuration (name text);
INSERT INTO configuration VALUES ('crm.source'), ('crm.packaging_rule'), ('crm.dq_rule'), ('crm.reco_settings');
GRANT SELECT ON configuration TO PUBLIC;
SELECT is_empty($$SELECT name FROM configuration WHERE has_table_privilege('crm_runner', name, 'INSERT, UPDATE, DELETE')$$,
                'crm_runner changes no configuration table');
SELECT is_empty($$SELECT name FROM configuration WHERE NOT has_table_privilege('crm_admin', name, 'UPDATE')$$,
                'crm_admin changes every configuration table');
SELECT is_empty($$SELECT name FROM extension_relations
                   WHERE relkind IN ('r', 'v', 'm', 'p') AND name LIKE 'crm.%'
                     AND name NOT IN ('crm.secret', 'crm.secret_names')
                     AND NOT has_table_privilege('crm_runner', oid, 'SELECT')$$,
                'crm_runner reads every table and view of crm but the secrets');
SELECT ok(NOT has_table_privilege('crm_runner', 'crm.secret', 'SELECT, INSERT, UPDATE, DELETE')
          AND NOT has_table_privilege('crm_admin', 'crm.secret', 'SELECT, INSERT, UPDATE, DELETE')
          AND NOT has_table_privilege('crm_reader', 'crm.secret', 'SELECT'),
          'crm.secret: no role but its owner reads or writes it');
SELECT ok(NOT has_schema_privilege('crm_matrix_plain', 'crm', 'USAGE')
          AND NOT has_schema_privilege('crm_matrix_plain', 'crm_raw', 'USAGE')
          AND NOT has_schema_privilege('crm_matrix_plain', 'crm_bi', 'USAGE'),
          'a plain role has no usage of crm, crm_raw or crm_bi');
SELECT ok(NOT has_schema_privilege('crm_reader', 'crm', 'USAGE') AND NOT has_schema_privilege('crm_reader', 'crm_raw', 'USAGE')
          AND has_schema_privilege('crm_reader', 'crm_bi', 'USAGE'),
          'crm_reader uses crm_bi only');
-- The Power BI model: crm_reader reads every relation of crm_bi, and only reads.
CREATE TEMP VIEW bi_relations AS
SELECT c.oid, c.oid::regclass::text AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'crm_bi' AND c.relkind IN ('r', 'v', 'm', 'p');
GRANT SELECT ON bi_relations TO PUBLIC;
SELECT ok((SELECT count(*) FROM bi_relations) >= 12, 'crm_bi holds the star schema');
SELECT is_empty($$SELECT name FROM bi_relations WHERE NOT has_table_privilege('crm_reader', oid, 'SELECT')$$,
                'crm_reader can SELECT every crm_bi relation');
SELECT is_empty($$SELECT name FROM bi_relations
                   WHERE has_table_privilege('crm_reader', oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                      OR has_table_privilege('crm_matrix_plain', oid, 'SELECT')$$,
                'crm_reader only reads crm_bi, and a plain role does not');
SELECT ok(has_schema_privilege('crm_runner', 'crm', 'USAGE') AND has_schema_privilege('crm_runner', 'crm_raw', 'USAGE'),
          'crm_runner uses crm and crm_raw');
-- Nobody but the owner creates objects in pg_crm's schemas.
SELECT ok(NOT has_schema_privilege(r, s, 'CREATE'), r || ' cannot create in ' || s)
  FROM (VALUES ('crm_runner'), ('crm_reader')) AS roles(r), (VALUES ('crm'), ('crm_raw'), ('crm_bi')) AS schemas(s);

SELECT * FROM finish();
ROLLBACK;

-- What the demo shows; run by tools/demo.sh with -v files=<readable dir>.
\pset footer off
CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_cron;

\echo
\echo '== pg_crm is installed'
SELECT crm_version() AS version,
       crm_build_info() ->> 'compiler' AS compiler,
       crm_build_info() ->> 'simdjson' AS simdjson,
       crm_build_info() ->> 'libcurl' AS libcurl,
       crm_build_info() ->> 'utf8proc' AS utf8proc;

\echo '== schemas and roles'
SELECT n.nspname AS schema, obj_description(n.oid, 'pg_namespace') AS purpose
  FROM pg_namespace n WHERE n.nspname LIKE 'crm%' ORDER BY 1;

\echo '== SQL functions'
SELECT p.oid::regprocedure AS function, obj_description(p.oid, 'pg_proc') AS description
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_crm'
 WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1;

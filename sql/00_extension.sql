-- The extension installs, reports what it is, and drops cleanly.
CREATE EXTENSION pg_crm CASCADE;
SELECT crm_version();
SELECT array_agg(k ORDER BY k) AS build_info_keys
  FROM jsonb_object_keys(crm_build_info()) AS k
 WHERE k IN ('version', 'build_type', 'compiler', 'simdjson', 'libcurl', 'utf8proc', 'libzip', 'expat', 'postgresql');
SELECT crm_build_info() ->> 'version' = crm_version() AS build_info_matches_version;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'crm%' ORDER BY 1;
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'crm\_%' ORDER BY 1;

-- Misspelled settings are refused, not silently ignored.
SET crm.allowed_read_path = '/tmp';

-- DROP then CREATE again: nothing is left behind but the roles.
DROP EXTENSION pg_crm;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname LIKE 'crm%';
SELECT count(*) AS functions_left FROM pg_proc WHERE proname LIKE 'crm\_%' OR proname LIKE '\_test\_fault';
CREATE EXTENSION pg_crm CASCADE;
SELECT crm_version();

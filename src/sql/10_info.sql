-- What is running: for an admin in psql.
CREATE FUNCTION crm_version() RETURNS text
    AS 'MODULE_PATHNAME', 'crm_version' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_version() IS 'pg_crm version of the loaded library, e.g. 0.1.';

CREATE FUNCTION crm_build_info() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_build_info' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_build_info() IS
    'pg_crm build: versions of simdjson, libcurl, utf8proc, libzip and expat, compiler, build type and PostgreSQL.';

-- pg_crm install script, assembled from src/sql/*.sql in name order.
\echo Use "CREATE EXTENSION pg_crm CASCADE" to load this file. \quit

-- Roles are cluster-wide: created here when missing, never dropped by
-- DROP EXTENSION (they may own grants in other databases).
DO $roles$
DECLARE
    saved text := pg_catalog.current_setting('search_path');
BEGIN
    -- Only pg_catalog's operators and functions, whatever the schema holds.
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_reader') THEN
        CREATE ROLE crm_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_runner') THEN
        CREATE ROLE crm_runner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'crm_admin') THEN
        CREATE ROLE crm_admin NOLOGIN;
    END IF;
    PERFORM pg_catalog.set_config('search_path', saved, true);
END
$roles$;
COMMENT ON ROLE crm_reader IS 'pg_crm: read-only access to the crm_bi views (Power BI, analysts).';
COMMENT ON ROLE crm_runner IS 'pg_crm: runs syncs and reports (pg_cron job owner); cannot read secrets or edit allow-lists.';
COMMENT ON ROLE crm_admin IS 'pg_crm: configures sources, secrets and schedules; includes crm_runner and crm_reader.';
GRANT crm_runner TO crm_admin;
GRANT crm_reader TO crm_admin;

CREATE SCHEMA crm;
COMMENT ON SCHEMA crm IS 'pg_crm: configuration, run history and the curated canonical tables.';
CREATE SCHEMA crm_raw;
COMMENT ON SCHEMA crm_raw IS 'pg_crm: immutable raw loads, tagged with their load_id, and rejected rows.';
CREATE SCHEMA crm_bi;
COMMENT ON SCHEMA crm_bi IS 'pg_crm: star-schema views for Power BI; the only schema crm_reader sees.';

REVOKE ALL ON SCHEMA crm, crm_raw, crm_bi FROM PUBLIC;
GRANT USAGE ON SCHEMA crm TO crm_runner;
GRANT USAGE ON SCHEMA crm_raw TO crm_runner;
GRANT USAGE ON SCHEMA crm_bi TO crm_reader, crm_runner;

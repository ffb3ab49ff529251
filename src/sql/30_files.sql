-- Files as foreign-like tables. Reading a file is a privilege: EXECUTE is
-- revoked from PUBLIC and granted to crm_runner (crm_admin inherits it);
-- the paths themselves are limited by crm.allowed_read_paths.

CREATE TABLE crm_raw.load (
    load_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file          text NOT NULL,
    target        text,
    options       jsonb NOT NULL DEFAULT '{}',
    file_sha256   text,
    started_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at   timestamptz,
    rows_read     bigint,
    rows_loaded   bigint,
    rows_rejected bigint,
    loaded_by     name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE crm_raw.load IS 'One row per file load (crm_load, and readers in quarantine mode): what, where, how many.';
COMMENT ON COLUMN crm_raw.load.load_id IS 'Identifies the load; rejected rows and raw rows carry it.';
COMMENT ON COLUMN crm_raw.load.file IS 'File name as read (without its directory).';
COMMENT ON COLUMN crm_raw.load.target IS 'Table loaded by crm_load; NULL for a reader.';
COMMENT ON COLUMN crm_raw.load.options IS 'Reader options as given.';
COMMENT ON COLUMN crm_raw.load.file_sha256 IS 'SHA-256 of the file''s bytes (crm_load).';
COMMENT ON COLUMN crm_raw.load.started_at IS 'When the load started.';
COMMENT ON COLUMN crm_raw.load.finished_at IS 'When it finished; NULL if it never did (its transaction rolled back with it otherwise).';
COMMENT ON COLUMN crm_raw.load.rows_read IS 'Data rows read from the file.';
COMMENT ON COLUMN crm_raw.load.rows_loaded IS 'Rows returned or inserted.';
COMMENT ON COLUMN crm_raw.load.rows_rejected IS 'Rows rejected (see crm_raw.reject in quarantine mode).';
COMMENT ON COLUMN crm_raw.load.loaded_by IS 'Role that ran the load.';

CREATE TABLE crm_raw.reject (
    load_id  bigint NOT NULL REFERENCES crm_raw.load ON DELETE CASCADE,
    file     text NOT NULL,
    line_no  bigint NOT NULL,
    "column" text,
    value    text,
    reason   text NOT NULL,
    raw_line text
);
CREATE INDEX reject_load_idx ON crm_raw.reject (load_id);
COMMENT ON TABLE crm_raw.reject IS 'Rows a load rejected with on_error = quarantine, with where and why.';
COMMENT ON COLUMN crm_raw.reject.load_id IS 'The load (crm_raw.load).';
COMMENT ON COLUMN crm_raw.reject.file IS 'File name.';
COMMENT ON COLUMN crm_raw.reject.line_no IS 'Physical line (CSV) or sheet row (XLSX) where the record starts.';
COMMENT ON COLUMN crm_raw.reject."column" IS 'Column whose value could not be converted; NULL for a whole-row problem (wrong number of fields).';
COMMENT ON COLUMN crm_raw.reject.value IS 'The offending value.';
COMMENT ON COLUMN crm_raw.reject.reason IS 'Why it was rejected, in plain words.';
COMMENT ON COLUMN crm_raw.reject.raw_line IS 'The record as it was in the file (capped at 64 kB).';
GRANT SELECT, INSERT, UPDATE ON crm_raw.load TO crm_runner;
GRANT SELECT, INSERT ON crm_raw.reject TO crm_runner;

CREATE FUNCTION crm_sniff(path text, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_sniff' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_sniff(text, jsonb) IS
    'What pg_crm detects in a CSV or XLSX file: format, encoding, delimiter, quote, header, preamble, decimal and '
    'thousands separators, date order, sheets, columns with their types. The result can be given back as options.';

CREATE FUNCTION crm_read(path text, options jsonb DEFAULT '{}', OUT line_no bigint, OUT data jsonb)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_read' LANGUAGE C VOLATILE STRICT ROWS 1000;
COMMENT ON FUNCTION crm_read(text, jsonb) IS
    'Every record of a CSV or XLSX file as (line_no, {normalised header: text value}), to explore it in psql.';

CREATE FUNCTION crm_read_csv(path text, options jsonb DEFAULT '{}') RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_read_csv' LANGUAGE C VOLATILE STRICT ROWS 1000;
COMMENT ON FUNCTION crm_read_csv(text, jsonb) IS
    'Typed rows of a CSV file for a column definition list: AS v(code_client text, quantite numeric, date_vente date). '
    'Columns match headers by normalised name; values follow the detected French conventions.';

CREATE FUNCTION crm_read_xlsx(path text, options jsonb DEFAULT '{}') RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_read_xlsx' LANGUAGE C VOLATILE STRICT ROWS 1000;
COMMENT ON FUNCTION crm_read_xlsx(text, jsonb) IS
    'Typed rows of an XLSX sheet (options.sheet: name or 1-based index) for a column definition list.';

REVOKE ALL ON FUNCTION crm_sniff(text, jsonb), crm_read(text, jsonb), crm_read_csv(text, jsonb),
    crm_read_xlsx(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_sniff(text, jsonb), crm_read(text, jsonb), crm_read_csv(text, jsonb),
    crm_read_xlsx(text, jsonb) TO crm_runner;

CREATE FUNCTION crm_load(path text, target regclass, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_load' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_load(text, regclass, jsonb) IS
    'Bulk-loads a CSV or XLSX file into an existing table, matching columns by name and converting values with the '
    'file''s conventions, as COPY does (multi-insert, indexes, defaults, constraints; no triggers). Returns '
    '{"rows_read", "rows_loaded", "rows_rejected", "file_sha256", "load_id", "ms"}.';
REVOKE ALL ON FUNCTION crm_load(text, regclass, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_load(text, regclass, jsonb) TO crm_runner;

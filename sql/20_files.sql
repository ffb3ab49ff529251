-- File readers: detection, typed reads, loads, bad input, access policy.
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
SELECT pg_backend_pid() AS pid \gset
\set ventes :dir/isavigne_small/ventes.csv
\set csvdir :dir/csv
\set sqldir :dir/sql
-- Errors that would print the machine's directory print <files> instead.
-- The first line of the error context (the file and line of a row) is kept.
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE result text; context text;
BEGIN
    EXECUTE query INTO result;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    context = split_part(context, E'\n', 1);
    RETURN SQLSTATE || ': ' || replace(SQLERRM, current_setting('crm.allowed_read_paths'), '<files>')
        || CASE WHEN context ~ '^(PL/pgSQL|SQL statement)' OR context = '' THEN '' ELSE ' [' || context || ']' END;
END $$;

-- What the sniffer sees in a generated iSaVigne export (Windows-1252, ';', decimal comma, dd/mm/yyyy).
SELECT s - 'columns' AS dialect, jsonb_array_length(s -> 'columns') AS columns
  FROM crm_sniff(:'ventes') AS s;
SELECT c ->> 'name' AS name, c ->> 'header' AS header, c ->> 'type' AS type
  FROM jsonb_array_elements(crm_sniff(:'ventes') -> 'columns') AS c;

-- Exploring: one jsonb per record.
SELECT line_no, data ->> 'designation' AS designation, data ->> 'montant_ht' AS montant_ht
  FROM crm_read(:'ventes') LIMIT 3;

-- Typed reads: headers matched by normalised name, French conventions applied.
SELECT count(*) AS good_rows, sum(montant_ht) AS total_ht, min(date) AS first_sale, max(date) AS last_sale
  FROM crm_read_csv(:'ventes', '{"on_error": "skip"}')
       AS v(n_vente int, date date, code_client text, qte numeric, montant_ht numeric(14,2));
-- The default stops at the first bad row and says where.
SELECT count(*) FROM crm_read_csv(:'ventes') AS v(date date);
-- A column the file does not have.
SELECT count(*) FROM crm_read_csv(:'ventes') AS v(quantite numeric);
-- ... unless mapped to a header explicitly.
SELECT sum(quantite) FROM crm_read_csv(:'ventes', '{"columns": {"quantite": "Qté"}, "on_error": "skip"}')
    AS v(quantite numeric);

-- crm_load: typed table, defaults for columns not in the file, quarantine.
CREATE TABLE vente_load (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    n_vente    int NOT NULL,
    date       date,
    code_client text,
    ref        text,
    qte        numeric CHECK (qte > 0),
    conditionnement text,
    pu_ht      numeric(14,2),
    montant_ht numeric(14,2),
    canal      text,
    source     text DEFAULT 'isavigne'
);
SELECT r - 'ms' - 'load_id' AS report FROM crm_load(:'ventes', 'vente_load', '{"on_error": "quarantine"}') AS r;
SELECT count(*), count(DISTINCT id), sum(montant_ht), min(source), max(source) FROM vente_load;
SELECT line_no, "column", value, reason, left(raw_line, 30) AS raw FROM crm_raw.reject ORDER BY line_no;
SELECT file, target, rows_read, rows_loaded, rows_rejected, finished_at IS NOT NULL AS finished
  FROM crm_raw.load ORDER BY load_id DESC LIMIT 1;
-- max_rejects turns too many bad rows into an error, and nothing is loaded.
SELECT pg_temp.try(format('SELECT crm_load(%L, %L, %L)', :'ventes', 'vente_load', '{"on_error": "skip", "max_rejects": 2}'));
SELECT count(*) AS still FROM vente_load;
-- A CHECK constraint violation stops the load (COPY does the same).
SELECT pg_temp.try(format('SELECT crm_load(%L, %L, %L)', :'sqldir' || '/negative_quantity.csv', 'vente_load', '{}'));

-- Targets crm_load refuses, with a hint.
CREATE VIEW ventes_v AS SELECT * FROM vente_load;
SELECT pg_temp.try(format('SELECT crm_load(%L, %L)', :'ventes', 'ventes_v'));
CREATE TABLE client (code text PRIMARY KEY);
CREATE TABLE vente_fk (code_client text REFERENCES client);
SELECT pg_temp.try(format('SELECT crm_load(%L, %L)', :'ventes', 'vente_fk'));

-- Bad options are named.
SELECT pg_temp.try(format('SELECT crm_sniff(%L, %L)', :'ventes', '{"delimter": ";"}'));
SELECT pg_temp.try(format('SELECT crm_sniff(%L, %L)', :'ventes', '{"on_error": "ignore"}'));

-- The access policy: only inside crm.allowed_read_paths, regular files only.
SELECT pg_temp.try($$SELECT crm_sniff('/etc/passwd')$$);
SELECT pg_temp.try(format('SELECT crm_sniff(%L)', :'dir' || '/../../../../etc/passwd'));
SELECT pg_temp.try(format('SELECT crm_sniff(%L)', :'dir' || '/no_such_file.csv'));
SELECT pg_temp.try(format('SELECT crm_sniff(%L)', :'dir' || '/csv'));
SELECT pg_temp.try($$SELECT crm_sniff('relative/path.csv')$$);

-- The sniffer's result pasted back as options pins the dialect.
SELECT count(*) FROM crm_read_csv(:'ventes', crm_sniff(:'ventes') || '{"on_error": "skip"}') AS v(n_vente int);

-- Every malformed or unusual CSV of the fixtures: a count or a located error, never a crash.
SELECT f AS file, pg_temp.try(format('SELECT count(*)::text FROM crm_read(%L)', :'csvdir' || '/' || f)) AS outcome
  FROM unnest(ARRAY['backslash_escape.csv', 'blank_lines.csv', 'comma_lf.csv', 'cp1252.csv', 'cr_only.csv',
                    'duplicate_headers.csv', 'empty.csv', 'header_only.csv', 'invalid_utf8.csv', 'latin1.csv',
                    'nbsp_thousands.csv', 'no_header.csv', 'nul_byte.csv', 'pipe.csv', 'preamble.csv',
                    'quote_at_eof.csv', 'quoted_multiline.csv', 'ragged.csv', 'semicolon_crlf.csv',
                    'swiss_thousands.csv', 'tab.tsv', 'text_after_quote.csv', 'unterminated_quote.csv',
                    'utf16le_bom.txt', 'utf8_bom.csv']) AS f;
SELECT data FROM crm_read(:'csvdir' || '/duplicate_headers.csv') LIMIT 1;
-- Invalid UTF-8 is read as Windows-1252 when detected; declared UTF-8, it is an error with its place.
SELECT pg_temp.try(format('SELECT count(*)::text FROM crm_read(%L, %L)', :'csvdir' || '/invalid_utf8.csv', '{"encoding": "utf-8"}'));

-- A field larger than crm.max_field_size stops the read at its line.
SET crm.max_field_size = '1kB';
SELECT pg_temp.try(format('SELECT count(*)::text FROM crm_read(%L)', :'sqldir' || '/long_field.csv'));
RESET crm.max_field_size;
SELECT length(data ->> 'note') FROM crm_read(:'sqldir' || '/long_field.csv') ORDER BY line_no;

-- A table sharing no column with the file is an error, not a load of NULLs.
CREATE TABLE unrelated (a int, b text);
SELECT pg_temp.try(format('SELECT crm_load(%L, %L)', :'ventes', 'unrelated'));

-- French day-first timestamps into timestamptz (local time of the session's TimeZone).
SET TimeZone = 'Europe/Paris';
SELECT code, date_commande FROM crm_read_csv(:'sqldir' || '/dates_fr.csv') AS t(code text, date_commande timestamptz);
RESET TimeZone;

-- Every hostile or broken XLSX of the fixtures: a count or a clear error, never a crash.
\set xlsxdir :dir/xlsx
SELECT f AS file, pg_temp.try(format('SELECT count(*)::text FROM crm_read(%L, %L)', :'xlsxdir' || '/' || f, '{"format": "xlsx"}')) AS outcome
  FROM unnest(ARRAY['absolute.xlsx', 'bad_sst_index.xlsx', 'deep_nesting.xlsx', 'dotdot.xlsx', 'entity_expansion.xlsx',
                    'external_entity.xlsx', 'lying_size.xlsx', 'malformed_sheet.xlsx', 'minimal.xlsx',
                    'missing_sheet.xlsx', 'no_workbook.xlsx', 'not_a_zip.xlsx', 'truncated.xlsx', 'zip_bomb.xlsx']) AS f;
SELECT pg_backend_pid() = :pid AS same_backend_after_all_bad_files;

-- crm_export: a query's rows to CSV (French Excel by default) or XLSX
-- (typed cells), under crm.allowed_write_paths, read back with pg_crm's own
-- readers; what it refuses (queries that write, paths outside, an existing
-- file, Excel's limits) and who may call it.
SET client_min_messages = warning;
SELECT current_setting('crm.allowed_write_paths') AS out \gset
-- A rerun starts from an empty directory (the server's user empties it).
\set empty_out 'find ' :out ' -mindepth 1 -delete'
COPY (SELECT) TO PROGRAM :'empty_out';
-- Errors that would print the machine's directory print <out> instead.
CREATE TEMP TABLE out_dir AS SELECT :'out' AS path;
GRANT SELECT ON out_dir TO PUBLIC;
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || replace(SQLERRM, (SELECT path FROM out_dir), '<out>');
END $$;
CREATE FUNCTION pg_temp.exists(path text) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM pg_ls_dir(current_setting('crm.allowed_write_paths')) f
                    WHERE f = substr(path, length(current_setting('crm.allowed_write_paths')) + 2))
$$;
CREATE TEMP TABLE sample AS
SELECT * FROM (VALUES
    (1, 'Cuvée "Prestige"; 75 cl', 1234.50::numeric(14,2), date '2024-03-05', timestamp '2024-03-05 14:07:09',
     true, 0.125::float8, 12345678901234567890.0123456789::numeric),
    (2, E'deux\nlignes', -0.01, date '1850-01-01', NULL, false, NULL, 0),
    (3, NULL, NULL, NULL, NULL, NULL, 1e-7, NULL)) AS t(n, label, amount, sold_on, seen_at, active, ratio, big);

-- CSV, French Excel: ';', decimal comma, dd/mm/yyyy, RFC 4180 quotes, CRLF, NULL empty.
SELECT crm_export('SELECT * FROM sample ORDER BY n', :'out' || '/sample.csv') AS rows;
SELECT replace(pg_read_file(:'out' || '/sample.csv'), E'\r', '\r') AS csv;
-- Read back with crm_read_csv: the same values, the numbers exact.
SELECT * FROM crm_read_csv(:'out' || '/sample.csv')
    AS t(n int, label text, amount numeric, sold_on date, seen_at timestamp, active boolean, ratio float8, big numeric);
SELECT count(*) AS differing FROM sample s
  FULL JOIN crm_read_csv(:'out' || '/sample.csv')
    AS t(n int, label text, amount numeric, sold_on date, seen_at timestamp, active boolean, ratio float8, big numeric)
    USING (n)
 WHERE (s.label, s.amount, s.sold_on, s.seen_at, s.active, s.ratio, s.big)
       IS DISTINCT FROM (t.label, t.amount, t.sold_on, t.seen_at, t.active, t.ratio, t.big);

-- Options: ',' and '.', ISO dates, a BOM, no header.
SELECT crm_export('SELECT n, amount, sold_on FROM sample ORDER BY n', :'out' || '/options.txt',
                  '{"format": "csv", "delimiter": ",", "decimal": ".", "date_format": "iso", "bom": true, "header": false}') AS rows;
SELECT encode(substr(pg_read_binary_file(:'out' || '/options.txt'), 1, 3), 'hex') AS bom,
       replace(convert_from(substr(pg_read_binary_file(:'out' || '/options.txt'), 4), 'UTF8'), E'\r', '\r') AS csv;

-- XLSX: typed cells read back with crm_read_xlsx.
SELECT crm_export('SELECT * FROM sample ORDER BY n', :'out' || '/sample.xlsx', '{"sheet": "Échantillon"}') AS rows;
SELECT jsonb_pretty(jsonb_build_object('sheets', s -> 'sheets', 'types',
           (SELECT jsonb_object_agg(c ->> 'name', c ->> 'type') FROM jsonb_array_elements(s -> 'columns') c)))
           AS sniffed
  FROM crm_sniff(:'out' || '/sample.xlsx') AS s;
SELECT * FROM crm_read_xlsx(:'out' || '/sample.xlsx')
    AS t(n int, label text, amount numeric, sold_on text, seen_at timestamp, active boolean, ratio float8, big text);
-- No temporary file is left beside the files written.
SELECT f AS files_in_out FROM pg_ls_dir(:'out') f ORDER BY 1;

-- An existing file is replaced only with {"overwrite": true}.
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', 'SELECT 1 AS x', :'out' || '/sample.csv'));
SELECT crm_export('SELECT 1 AS x', :'out' || '/sample.csv', '{"overwrite": true}') AS rows;
SELECT replace(pg_read_file(:'out' || '/sample.csv'), E'\r', '\r') AS replaced;

-- One read-only query only.
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', q, :'out' || '/refused.csv')) AS refused
  FROM unnest(ARRAY['INSERT INTO sample (n) VALUES (4) RETURNING n', 'SELECT 1; SELECT 2', '',
                    'SELECT * FROM sample FOR UPDATE', 'WITH d AS (DELETE FROM sample RETURNING n) SELECT n FROM d',
                    'CREATE TABLE nope AS SELECT 1', 'SELECT * FROM no_such_table']) q;
SELECT count(*) AS sample_rows, pg_temp.exists(:'out' || '/refused.csv') AS refused_file_exists FROM sample;

-- Paths and options refused, with the path named.
SELECT pg_temp.try(format('SELECT crm_export(%L, %L, %L)', 'SELECT 1 AS x', p, o)) AS refused
  FROM (VALUES ('/etc/passwd_copy.csv', '{}'), (:'out' || '/../escape.csv', '{}'), ('relative.csv', '{}'),
               (:'out' || '/no_such_dir/x.csv', '{}'), (:'out' || '/report.txt', '{}'),
               (:'out' || '/x.csv', '{"delimiter": ",", "decimal": ","}'), (:'out' || '/x.csv', '{"sep": ";"}'),
               (:'out' || '/x.xlsx', '{"sheet": "a/b"}')) AS t(p, o);
SELECT pg_temp.exists(:'out' || '/x.csv') AS x_csv_exists, pg_temp.exists(:'out' || '/x.xlsx') AS x_xlsx_exists;

-- Excel's limits are errors, and nothing is written: 32 767 characters a
-- cell, 1 048 576 rows a sheet (the header included).
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', 'SELECT repeat(''é'', 32768) AS t', :'out' || '/long.xlsx'));
SELECT crm_export('SELECT repeat(''é'', 32767) AS t', :'out' || '/long_ok.xlsx') AS rows;
SELECT length(t) AS chars FROM crm_read_xlsx(:'out' || '/long_ok.xlsx') AS x(t text);
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', 'SELECT g FROM generate_series(1, 1048576) g', :'out' || '/big.xlsx'));
SELECT pg_temp.exists(:'out' || '/long.xlsx') AS long_exists, pg_temp.exists(:'out' || '/big.xlsx') AS big_exists;
-- A million rows to CSV, streamed through a cursor.
SELECT crm_export('SELECT g, g * 0.01 AS amount FROM generate_series(1, 1000000) g', :'out' || '/million.csv') AS rows;
SELECT (pg_stat_file(:'out' || '/million.csv')).size AS bytes;

-- Who may export: crm_runner and crm_admin; not crm_reader, not PUBLIC.
SELECT r AS role, has_function_privilege(r, 'crm_export(text, text, jsonb)', 'EXECUTE') AS may_export
  FROM unnest(ARRAY['crm_admin', 'crm_runner', 'crm_reader', 'public']) r;
GRANT SELECT ON sample TO crm_runner, crm_reader;
SET ROLE crm_runner;
SELECT crm_export('SELECT n FROM sample ORDER BY n', :'out' || '/by_runner.csv') AS rows;
SET ROLE crm_reader;
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', 'SELECT n FROM sample', :'out' || '/by_reader.csv'));
RESET ROLE;
-- The setting is the superuser's.
SET ROLE crm_admin;
SELECT pg_temp.try('SET crm.allowed_write_paths = ''/''');
RESET ROLE;
-- An empty setting forbids every write.
SET crm.allowed_write_paths = '';
SELECT pg_temp.try(format('SELECT crm_export(%L, %L)', 'SELECT 1 AS x', :'out' || '/empty_setting.csv'));
RESET crm.allowed_write_paths;

-- crm_sync of an iSaVigne export directory (test/fixtures/isavigne_small):
-- loads, idempotent reruns, failures that leave curated data unchanged, and
-- one run per source at a time.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
SELECT crm_source_add('isavigne', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));

-- The fingerprint of the curated data: md5 of every table's ordered rows.
CREATE FUNCTION pg_temp.curated() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(t, '|')) FROM (
        SELECT md5(string_agg(p::text, ',' ORDER BY product_key)) FROM (SELECT product_key, name, list_price, cost_price, vintage, volume_cl FROM crm.product_catalog) p
        UNION ALL SELECT md5(string_agg(c::text, ',' ORDER BY customer_key)) FROM (SELECT customer_key, email, phone, purchase_count, total_spent, last_purchase FROM crm.customers) c
        UNION ALL SELECT md5(string_agg(s::text, ',' ORDER BY sale_line_key)) FROM crm.sales_lines s
        UNION ALL SELECT md5(string_agg(k::text, ',' ORDER BY product_key, warehouse)) FROM crm.stock_levels k) AS x(t)
$$;

-- First run: every entity loaded. Rows the readers cannot convert are
-- rejected (crm_raw.reject); rows with no key are counted as not merged.
SELECT r ->> 'status' AS status, e.key AS entity, e.value ->> 'file' AS file, e.value ->> 'read' AS read,
       e.value ->> 'inserted' AS inserted, e.value ->> 'updated' AS updated, e.value ->> 'rejected' AS rejected,
       e.value ->> 'not_merged' AS not_merged
  FROM crm_sync('isavigne') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
SELECT (SELECT count(*) FROM crm.product_catalog) AS products, (SELECT count(*) FROM crm.customers) AS customers,
       (SELECT count(*) FROM crm.sales_lines) AS lines, (SELECT count(DISTINCT order_key) FROM crm.sales_lines) AS orders,
       (SELECT count(*) FROM crm.stock_levels) AS stock_rows;
SELECT count(*) FILTER (WHERE bottles_75cl IS NULL) AS unknown_packaging, count(*) FILTER (WHERE cost_total IS NULL) AS no_cost,
       sum(price_total) AS revenue_ht FROM crm.sales_lines;
SELECT count(*) FILTER (WHERE purchase_count > 0) AS buyers, sum(total_spent) = (SELECT sum(price_total) FROM crm.sales_lines
        WHERE customer_key IN (SELECT customer_key FROM crm.customers)) AS totals_match
  FROM crm.customers;
SELECT pg_temp.curated() AS first_state \gset

-- Same exports again: skipped as unchanged, nothing rewritten.
SELECT e.key AS entity, e.value ->> 'skipped' IS NOT NULL AS skipped
  FROM crm_sync('isavigne') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
-- A full reload reads everything and changes nothing.
SELECT e.key AS entity, e.value ->> 'inserted' AS inserted, e.value ->> 'updated' AS updated,
       e.value ->> 'unchanged' AS unchanged
  FROM crm_sync('isavigne', '{"full": true}') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
SELECT pg_temp.curated() = :'first_state' AS same_data;

-- A dry run stages and counts but publishes nothing.
DELETE FROM crm.sync_cursor WHERE source = 'isavigne' AND entity = 'stock';
SELECT r ->> 'status' AS status, r ->> 'dry_run' AS dry_run, r -> 'entities' -> 'stock' ->> 'read' AS stock_read
  FROM crm_sync('isavigne', '{"dry_run": true}') AS r;
SELECT count(*) AS stock_cursor FROM crm.sync_cursor WHERE source = 'isavigne' AND entity = 'stock';

-- Failures: the run is recorded as failed with its error, curated data is unchanged.
SELECT crm_source_add('isavigne', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small',
       'mapping', jsonb_build_object('sales', jsonb_build_object('quantity', 'Nb bouteilles'))));
SELECT r ->> 'status' AS status, replace(r ->> 'error', :'dir', '<files>') AS error
  FROM crm_sync('isavigne', '{"full": true}') AS r;
SELECT pg_temp.curated() = :'first_state' AS unchanged_after_failure;
SELECT status, replace(error, :'dir', '<files>') AS error FROM crm.sync_run WHERE source = 'isavigne' ORDER BY run_id DESC LIMIT 1;
SELECT crm_source_add('elsewhere', 'isavigne', '{"directory": "/etc"}');
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM crm_sync('elsewhere') AS r;
SELECT crm_source_add('isavigne', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
SELECT crm_source_add('bad', 'isavigne', '{"directory": "relative/path"}');
SELECT crm_source_add('bad', 'isavigne', jsonb_build_object('directory', '/x', 'mapping', '{"sales": {"qty": "Qté"}}'::jsonb));
SELECT crm_sync('nobody');
SELECT crm_sync('isavigne', '{"fast": true}');
-- Rejected rows are kept with their file, line and reason.
SELECT file, line_no, coalesce("column", '(row)') AS "column", reason FROM crm_raw.reject
 WHERE load_id IN (SELECT (cursor ->> 'load_id')::bigint FROM crm.sync_cursor WHERE source = 'isavigne')
 ORDER BY file, line_no;

-- History and status.
SELECT source, status, count(*) FROM crm.sync_run GROUP BY 1, 2 ORDER BY 1, 2;
SELECT source, last_success IS NOT NULL AS succeeded_once, last_failure IS NOT NULL AS failed_once, running
  FROM crm.sync_status WHERE source IN ('isavigne', 'elsewhere') ORDER BY source;

-- Who may run it: crm_runner yes, crm_reader no.
SET ROLE crm_runner;
SELECT r ->> 'status' AS status FROM crm_sync('isavigne') AS r;
RESET ROLE;
SET ROLE crm_reader;
SELECT crm_sync('isavigne');
RESET ROLE;

-- For pg_cron: crm_sync_job commits the failed run, then raises, so that
-- cron.job_run_details says failed and crm.sync_run keeps the error.
SET client_min_messages = error;
SELECT crm_source_add('broken', 'isavigne', '{"directory": "/etc"}');
SET client_min_messages = warning;
CALL crm_sync_job('broken');
SELECT status, error FROM crm.sync_run WHERE source = 'broken';
CALL crm_sync_job('isavigne');

-- Every enabled source; another session sees the stage in application_name.
SELECT r ->> 'source' AS source, r ->> 'status' AS status FROM crm_sync_all() AS r
 WHERE r ->> 'source' IN ('isavigne', 'broken') ORDER BY 1;
SELECT current_setting('application_name') AS application_name_restored;

-- Data-quality rules: checked on the new data before it is published. A
-- failed error rule fails the run and keeps the last good data; a warn rule
-- is only recorded.
INSERT INTO crm.dq_rule (source, target, kind, "column", params, severity, description) VALUES
    ('isavigne', 'crm.sales_lines', 'not_null', 'date_sale', '{}', 'error', 'every line has a date'),
    ('isavigne', 'crm.sales_lines', 'relationship', 'product_key',
     '{"to_table": "crm.product_catalog", "to_column": "product_key"}', 'error', 'lines name known products'),
    ('isavigne', 'crm.sales_lines', 'range', 'quantity_units', '{"min": -1000, "max": 100000}', 'error', 'sane quantities'),
    ('isavigne', 'crm.customers', 'unique', 'email', '{}', 'warn', 'one customer per e-mail'),
    ('isavigne', 'crm.sales_lines', 'row_count', NULL, '{"min": 1000}', 'error', 'a sales export is never almost empty'),
    ('isavigne', 'crm.sales_lines', 'accepted_values', 'channel',
     '{"values": ["Caveau", "Salon", "Internet", "CHR", "Export", "Caviste", "Grande distribution"]}', 'warn', 'known channels'),
    (NULL, 'crm.sales_lines', 'custom_sql', NULL,
     '{"sql": "SELECT count(*) FROM crm.sales_lines WHERE price_total < 0 AND quantity_units > 0"}', 'error',
     'no negative amount on a positive quantity');
SELECT r ->> 'status' AS status, r -> 'checks' AS checks FROM crm_sync('isavigne', '{"full": true}') AS r;
SELECT d.kind, d."column", q.passed, q.severity, q.observed FROM crm.dq_result q JOIN crm.dq_rule d USING (rule_id)
 WHERE q.run_id = (SELECT max(run_id) FROM crm.sync_run) ORDER BY q.rule_id;
UPDATE crm.dq_rule SET params = '{"min": 1000000}' WHERE kind = 'row_count';
SELECT pg_temp.curated() AS before_check \gset
SELECT r ->> 'status' AS status, r ->> 'error' AS error, r -> 'checks' AS checks
  FROM crm_sync('isavigne', '{"full": true}') AS r;
SELECT pg_temp.curated() = :'before_check' AS last_good_data_kept;
SELECT q.passed, q.message FROM crm.dq_result q
 WHERE q.run_id = (SELECT max(run_id) FROM crm.sync_run) AND NOT q.passed ORDER BY q.rule_id;
DELETE FROM crm.dq_rule WHERE name IS NULL;  -- the rules above; the seeded ones stay

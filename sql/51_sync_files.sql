-- crm_sync of a "files" source: the BottleNeck merchant's three real Excel
-- exports (ERP, LIAISON, WEB) configured file by file, into the canonical
-- model, with the merchant's own figures: 825 products, 714 web products
-- sold, 70 568,60 € and 30 premium wines.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
\set bn :dir/bottleneck

-- ERP gives prices and stock, WEB the names and total sales, LIAISON turns
-- a web sku into the ERP's product_id (WEB ⨝ LIAISON ⨝ ERP).
CREATE FUNCTION pg_temp.bottleneck_config(dir text) RETURNS jsonb LANGUAGE sql AS $$
SELECT jsonb_build_object('files', jsonb_build_array(
    jsonb_build_object('path', dir || '/erp.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'product_id', 'list_price', 'price', 'active', 'onsale_web')),
    jsonb_build_object('path', dir || '/web.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'sku', 'name', 'post_title'),
        'ids', jsonb_build_object('path', dir || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', dir || '/web.xlsx', 'entity', 'sales',
        'mapping', jsonb_build_object('product_id', 'sku', 'quantity', 'total_sales'),
        'constants', jsonb_build_object('order_id', 'web', 'date_sale', '2020-08-27', 'channel', 'Web',
                                        'customer_id', NULL),
        'keep', jsonb_build_object('largest', 'quantity'),
        'ids', jsonb_build_object('path', dir || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', dir || '/erp.xlsx', 'entity', 'stock',
        'mapping', jsonb_build_object('product_id', 'product_id', 'quantity', 'stock_quantity'),
        'constants', jsonb_build_object('warehouse', 'Entrepôt'))))
$$;
SELECT crm_source_add('bottleneck', 'files', pg_temp.bottleneck_config(:'bn'));

SELECT r ->> 'status' AS status, e.key AS entity, e.value ->> 'files' AS files, e.value ->> 'read' AS read,
       e.value ->> 'inserted' AS inserted, e.value ->> 'combined' AS combined, e.value ->> 'not_merged' AS not_merged
  FROM crm_sync('bottleneck') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;

-- The merchant's figures, from the canonical tables.
SELECT count(*) AS products, count(name) AS named, count(*) FILTER (WHERE active) AS on_sale_web
  FROM crm.product_catalog WHERE source = 'bottleneck';
SELECT count(*) AS lines, count(DISTINCT product_key) AS products_sold, sum(quantity_units) AS bottles,
       sum(price_total) AS revenue_eur
  FROM crm.sales_lines WHERE source = 'bottleneck';
SELECT count(*) FILTER (WHERE z > 2) AS premium, count(*) FILTER (WHERE z <= 2) AS ordinary
  FROM (SELECT crm_zscore(p.list_price::float8) OVER () AS z
          FROM crm.product_catalog p JOIN crm.sales_lines s USING (product_key)
         WHERE s.source = 'bottleneck') AS w;
SELECT sum(quantity_units) AS units_in_stock, count(*) FILTER (WHERE warehouse = 'Entrepôt') AS rows_in_entrepot
  FROM crm.stock_levels WHERE source = 'bottleneck';
-- Every line is traceable to its staged load, itself made of the raw loads.
SELECT l.target, l.file, jsonb_array_length(l.options -> 'staged_from_loads') AS raw_loads, l.rows_loaded
  FROM crm_raw.load l WHERE l.options ? 'staged_from_loads' ORDER BY l.load_id;

-- Unchanged files and config: skipped.
SELECT e.key AS entity, e.value ->> 'skipped' IS NOT NULL AS skipped
  FROM crm_sync('bottleneck') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
-- A changed config (stock now in another warehouse) reloads what it touches.
SELECT crm_source_add('bottleneck', 'files', jsonb_set(pg_temp.bottleneck_config(:'bn'),
                      '{files,3,constants,warehouse}', '"Chai"'));
SELECT e.key AS entity, e.value ->> 'skipped' IS NOT NULL AS skipped, e.value ->> 'inserted' AS inserted
  FROM crm_sync('bottleneck') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
-- A stock export is a snapshot: the old warehouse's rows are gone.
SELECT warehouse, count(*) FROM crm.stock_levels WHERE source = 'bottleneck' GROUP BY 1;

-- Config mistakes are refused when the source is added, with the entry named.
SELECT crm_source_add('bad', 'files', '{"files": [{"path": "/x.csv", "entity": "orders"}]}');
SELECT crm_source_add('bad', 'files', '{"files": [{"path": "/x.csv", "entity": "sales", "mapping": {"qty": "Q"}}]}');
SELECT crm_source_add('bad', 'files', '{"files": [{"path": "x.csv", "entity": "sales"}]}');
SELECT crm_source_add('bad', 'files', '{"directory": "/x"}');
-- A file outside crm.allowed_read_paths is a warning then, and fails the run.
SET client_min_messages = notice;
SELECT crm_source_add('bad', 'files', '{"files": [{"path": "/etc/passwd", "entity": "customers"}]}');
SET client_min_messages = warning;
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM crm_sync('bad') AS r;
-- An ids file giving one id two translations, a file without the key
-- column: the run fails with the file named, and nothing is published.
SELECT crm_source_add('bad', 'files', jsonb_build_object('files', jsonb_build_array(jsonb_build_object(
    'path', :'bn' || '/web.xlsx', 'entity', 'products', 'mapping', jsonb_build_object('source_id', 'sku', 'name', 'post_title'),
    'ids', jsonb_build_object('path', :'dir' || '/sync_files/ids_ambiguous.csv', 'from', 'id_web', 'to', 'product_id')))));
SELECT r ->> 'status' AS status, replace(r ->> 'error', :'dir', '<dir>') AS error FROM crm_sync('bad') AS r;
SELECT crm_source_add('bad', 'files', jsonb_build_object('files', jsonb_build_array(jsonb_build_object(
    'path', :'dir' || '/sync_files/no_key.csv', 'entity', 'sales', 'constants', '{"date_sale": "2024-01-01"}'::jsonb))));
SELECT r ->> 'status' AS status, replace(r ->> 'error', :'dir', '<dir>') AS error FROM crm_sync('bad') AS r;
SELECT count(*) AS curated_rows_of_bad FROM crm.sales_lines WHERE source = 'bad';
SELECT crm_source_remove('bad');

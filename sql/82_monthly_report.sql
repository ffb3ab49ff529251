-- crm_monthly_report on the BottleNeck merchant, loaded by crm_sync: the
-- workbook (revenue per product with a total and a chart, the data-quality
-- checks) and the premium / ordinary CSV files, read back with pg_crm's own
-- readers: 714 products, 70 568,60 €, 30 premium wines, 684 ordinary, and
-- the merchant's seven checks passing (crm_check_quality, crm.dq_rule).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
SELECT current_setting('crm.allowed_write_paths') AS out \gset
\set bn :dir/bottleneck
\set report :out/rapport_ca.xlsx
-- A rerun starts from an empty directory (the server's user empties it).
\set empty_out 'find ' :out ' -mindepth 1 -delete'
COPY (SELECT) TO PROGRAM :'empty_out';
CREATE TEMP TABLE out_dir AS SELECT :'out' AS path;
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || replace(SQLERRM, (SELECT path FROM out_dir), '<out>');
END $$;

-- The BottleNeck source as sql/51_sync_files.sql configures it.
SELECT crm_source_add('bottleneck', 'files', jsonb_build_object('files', jsonb_build_array(
    jsonb_build_object('path', :'bn' || '/erp.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'product_id', 'list_price', 'price', 'active', 'onsale_web')),
    jsonb_build_object('path', :'bn' || '/web.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'sku', 'name', 'post_title'),
        'ids', jsonb_build_object('path', :'bn' || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', :'bn' || '/web.xlsx', 'entity', 'sales',
        'mapping', jsonb_build_object('product_id', 'sku', 'quantity', 'total_sales'),
        'constants', jsonb_build_object('order_id', 'web', 'date_sale', '2020-08-27', 'channel', 'Web',
                                        'customer_id', NULL),
        'keep', jsonb_build_object('largest', 'quantity'),
        'ids', jsonb_build_object('path', :'bn' || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', :'bn' || '/erp.xlsx', 'entity', 'stock',
        'mapping', jsonb_build_object('product_id', 'product_id', 'quantity', 'stock_quantity'),
        'constants', jsonb_build_object('warehouse', 'Entrepôt')))));
-- The seven checks are crm.dq_rule rows: the sync records them (warn) too.
SELECT r ->> 'status' AS status, r -> 'checks' AS checks FROM crm_sync('bottleneck', '{"full": true}') AS r;

-- The merchant's seven checks (its README), now.
SELECT rule, description, expected, actual, passed FROM crm_check_quality('bottleneck');

-- The report.
SELECT r - 'files' - 'directory' AS summary,
       (SELECT jsonb_agg(f - 'bytes') FROM jsonb_array_elements(r -> 'files') f) AS files,
       (SELECT bool_and((f ->> 'bytes')::bigint > 0) FROM jsonb_array_elements(r -> 'files') f) AS files_not_empty,
       r ->> 'directory' = :'out' AS in_out_dir
  FROM crm_monthly_report(:'out', '{"source": "bottleneck"}') AS r;
SELECT f AS files_in_out FROM pg_ls_dir(:'out') f ORDER BY 1;

-- Read back: the revenue sheet, sorted, with its total row.
CREATE TEMP TABLE revenue AS
SELECT row_number() OVER () AS line, *
  FROM crm_read_xlsx(:'report', '{"sheet": "Chiffre d''affaires"}')
    AS t(reference text, designation text, prix_75_cl_eur numeric, quantite numeric, ca_eur numeric,
         z_score_prix numeric, premium boolean);
SELECT * FROM revenue WHERE line <= 3 OR reference = 'Total' ORDER BY line;
SELECT count(*) AS products, sum(ca_eur) AS revenue, count(*) FILTER (WHERE premium) AS premium,
       count(*) FILTER (WHERE NOT premium) AS ordinary,
       bool_and(ca_eur <= prev) AS sorted_by_revenue_desc
  FROM (SELECT *, lag(ca_eur, 1, ca_eur) OVER (ORDER BY line) AS prev FROM revenue) r
 WHERE reference <> 'Total';
-- The quality sheet.
SELECT * FROM crm_read_xlsx(:'report', '{"sheet": "Qualité des données"}')
    AS t(regle text, attendu text, mesure numeric, resultat text, severite text);
-- The chart is a native Excel chart (its part in the zip).
SELECT position(convert_to('xl/charts/chart1.xml', 'UTF8') IN pg_read_binary_file(:'report')) > 0 AS has_chart,
       position(convert_to('xl/drawings/drawing1.xml', 'UTF8') IN pg_read_binary_file(:'report')) > 0 AS has_drawing;

-- The CSV files (French Excel: ';', decimal comma).
SELECT count(*) AS premium_wines, min(z_score_prix) > 2 AS all_above_2, bool_and(premium) AS all_flagged,
       sum(ca_eur) AS revenue
  FROM crm_read_csv(:'out' || '/vins_premium.csv')
    AS t(reference text, designation text, prix_75_cl_eur numeric, quantite numeric, ca_eur numeric,
         z_score_prix numeric, premium boolean);
SELECT count(*) AS ordinary_wines, max(z_score_prix) <= 2 AS none_above_2, sum(ca_eur) AS revenue
  FROM crm_read_csv(:'out' || '/vins_ordinaires.csv')
    AS t(reference text, designation text, prix_75_cl_eur numeric, quantite numeric, ca_eur numeric,
         z_score_prix numeric, premium boolean);
SELECT split_part(pg_read_file(:'out' || '/vins_premium.csv'), E'\r\n', 1) AS header,
       split_part(pg_read_file(:'out' || '/vins_premium.csv'), E'\r\n', 2) AS first_line;

-- Existing files are kept unless overwrite; the month option restricts.
SELECT pg_temp.try(format('SELECT crm_monthly_report(%L, %L)', :'out', '{"source": "bottleneck"}'));
SELECT r -> 'products' AS products, r -> 'revenue' AS revenue, r -> 'month' AS month
  FROM crm_monthly_report(:'out', '{"source": "bottleneck", "month": "2020-08", "overwrite": true}') AS r;
SELECT r -> 'products' AS products, r -> 'revenue' AS revenue, r -> 'files' -> 0 -> 'rows' AS workbook_rows
  FROM crm_monthly_report(:'out', '{"source": "bottleneck", "month": "2020-09", "overwrite": true}') AS r;
SELECT pg_temp.try(format('SELECT crm_monthly_report(%L, %L)', :'out', o)) AS refused
  FROM unnest(ARRAY['{"month": "2020-13"}', '{"month": "août"}', '{"sorce": "bottleneck"}', '{"source": "nope"}']) o;
SELECT pg_temp.try(format('SELECT crm_monthly_report(%L)', '/etc'));

-- A rule that fails is reported, by the function and in the workbook.
UPDATE crm.dq_rule SET params = jsonb_set(params, '{expected}', '70000') WHERE name = 'bottleneck_ca';
SELECT rule, expected, actual, passed FROM crm_check_quality('bottleneck') WHERE NOT passed;
SELECT r -> 'checks' AS checks
  FROM crm_monthly_report(:'out', '{"source": "bottleneck", "overwrite": true}') AS r;
SELECT regle, resultat FROM crm_read_xlsx(:'report', '{"sheet": 2}') AS t(regle text, resultat text)
 WHERE resultat <> 'OK';
UPDATE crm.dq_rule SET params = jsonb_set(params, '{expected}', '70568.60') WHERE name = 'bottleneck_ca';

-- Rules are code (their SQL runs as the caller): only crm_admin writes them.
SELECT r AS role, has_table_privilege(r, 'crm.dq_rule', 'INSERT') AS may_insert,
       has_table_privilege(r, 'crm.dq_rule', 'UPDATE') AS may_update,
       has_function_privilege(r, 'crm_monthly_report(text, jsonb)', 'EXECUTE') AS may_report,
       has_function_privilege(r, 'crm_check_quality(text)', 'EXECUTE') AS may_check
  FROM unnest(ARRAY['crm_admin', 'crm_runner', 'crm_reader', 'public']) r;

-- What the demo shows; run by tools/demo.sh with -v files=<readable dir>.
\pset footer off
\set bottleneck :files/bottleneck
\set isavigne :files/isavigne
SET client_min_messages = warning;
-- A throwaway cluster: the demo starts from a fresh extension every time.
DROP SCHEMA IF EXISTS demo CASCADE;
DROP EXTENSION IF EXISTS pg_crm CASCADE;
CREATE EXTENSION pg_crm CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_cron;

\echo
\echo '== pg_crm is installed'
SELECT crm_version() AS version,
       crm_build_info() ->> 'compiler' AS compiler,
       crm_build_info() ->> 'simdjson' AS simdjson,
       crm_build_info() ->> 'libcurl' AS libcurl,
       crm_build_info() ->> 'utf8proc' AS utf8proc;

\echo '== BottleNeck: the merchant''s three Excel exports, read in the database'
CREATE SCHEMA demo;
-- Amounts as a French reader writes them: 70 568,60 €
CREATE FUNCTION demo.euros(numeric) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN translate(to_char($1, 'FM999G999G999G990D00'), ',.', ' ,') || ' €';
CREATE TABLE demo.erp AS SELECT * FROM crm_read_xlsx(:'bottleneck' || '/erp.xlsx')
    AS t(product_id int, onsale_web int, price numeric, stock_quantity int, stock_status text);
CREATE TABLE demo.liaison AS SELECT * FROM crm_read_xlsx(:'bottleneck' || '/liaison.xlsx')
    AS t(product_id int, id_web text);
CREATE TABLE demo.web AS SELECT * FROM crm_read_xlsx(:'bottleneck' || '/web.xlsx')
    AS t(sku text, total_sales numeric, post_title text);
CREATE TABLE demo.merged AS
WITH web_dedup AS (SELECT DISTINCT ON (sku) sku, total_sales, post_title FROM demo.web
                    WHERE sku IS NOT NULL ORDER BY sku, total_sales DESC)
SELECT e.product_id, e.price, w.total_sales, w.post_title
  FROM demo.erp e JOIN demo.liaison l USING (product_id) JOIN web_dedup w ON w.sku = l.id_web;

SELECT step, rows AS "rows", expected FROM (VALUES
    (1, 'ERP rows', (SELECT count(*) FROM demo.erp), 825),
    (2, 'LIAISON rows', (SELECT count(*) FROM demo.liaison), 825),
    (3, 'WEB rows', (SELECT count(*) FROM demo.web), 1513),
    (4, 'WEB rows with a sku', (SELECT count(*) FROM demo.web WHERE sku IS NOT NULL), 1428),
    (5, 'WEB, one row per sku', (SELECT count(DISTINCT sku) FROM demo.web), 714),
    (6, 'ERP ⨝ LIAISON ⨝ WEB', (SELECT count(*) FROM demo.merged), 714)) AS t(n, step, rows, expected)
 ORDER BY n;

SELECT demo.euros(sum(price * total_sales)) AS "chiffre d'affaires (CA)",
       count(*) FILTER (WHERE z > 2) AS "premium wines (z > 2)", count(*) FILTER (WHERE z <= 2) AS ordinary
  FROM (SELECT price, total_sales, (price - avg(price) OVER ()) / stddev_pop(price) OVER () AS z
          FROM demo.merged) AS s;

\echo '== iSaVigne: a generated export (Windows-1252, ";", decimal comma, dd/mm/yyyy, packaging labels)'
SELECT s ->> 'encoding' AS encoding, s ->> 'delimiter' AS delimiter, s ->> 'decimal' AS "decimal",
       s ->> 'date_format' AS dates, jsonb_array_length(s -> 'columns') AS columns
  FROM crm_sniff(:'isavigne' || '/ventes.csv') AS s;

CREATE TABLE demo.ventes (
    n_vente int, date date, code_client text, ref text, designation text, qte numeric, conditionnement text,
    pu_ht numeric(14,2), remise_pct numeric(6,2), montant_ht numeric(14,2), canal text,
    designation_key text GENERATED ALWAYS AS (crm_normalize_key(designation)) STORED,
    bottles_75cl numeric GENERATED ALWAYS AS (crm_bottles_75cl(qte, conditionnement)) STORED);
SELECT r ->> 'rows_read' AS rows_read, r ->> 'rows_loaded' AS loaded, r ->> 'rows_rejected' AS rejected,
       round((r ->> 'ms')::numeric) AS ms
  FROM crm_load(:'isavigne' || '/ventes.csv', 'demo.ventes', '{"on_error": "quarantine"}') AS r;

\echo '== rows set aside, with their reason (crm_raw.reject)'
SELECT line_no, coalesce("column", '(row)') AS "column", value, reason
  FROM crm_raw.reject WHERE load_id = (SELECT max(load_id) FROM crm_raw.load) ORDER BY line_no LIMIT 8;

\echo '== sales by year: revenue (HT) and 75 cl bottle equivalents'
SELECT extract(year FROM date)::int AS year, count(*) AS lines,
       demo.euros(sum(montant_ht)) AS revenue_ht,
       round(sum(bottles_75cl)) AS bottles_75cl,
       count(*) FILTER (WHERE bottles_75cl IS NULL) AS unknown_packaging
  FROM demo.ventes GROUP BY 1 ORDER BY 1;

\echo '== the same wine, whatever the spelling: top 5 by revenue (crm_normalize_key)'
SELECT designation_key, demo.euros(sum(montant_ht)) AS revenue_ht,
       round(sum(bottles_75cl)) AS bottles_75cl
  FROM demo.ventes GROUP BY 1 ORDER BY sum(montant_ht) DESC LIMIT 5;

\echo '== crm_sync(''isavigne''): the whole export set into the canonical model, in one transaction'
SELECT crm_source_add('isavigne', 'isavigne', jsonb_build_object('directory', :'isavigne'));
SELECT e.key AS entity, e.value ->> 'file' AS file, e.value ->> 'read' AS read, e.value ->> 'inserted' AS inserted,
       e.value ->> 'updated' AS updated, e.value ->> 'rejected' AS rejected, e.value ->> 'not_merged' AS not_merged,
       r ->> 'status' AS status, r ->> 'ms' AS ms
  FROM crm_sync('isavigne') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;

\echo '== the same call again: the exports have not changed, nothing is read or rewritten'
SELECT r ->> 'status' AS status, r ->> 'ms' AS ms,
       (SELECT count(*) FROM jsonb_each(r -> 'entities') e WHERE e.value ? 'skipped') AS exports_skipped
  FROM crm_sync('isavigne') AS r;

\echo '== crm_sync(''bottleneck''): the three Excel exports configured file by file (a "files" source)'
SELECT crm_source_add('bottleneck', 'files', jsonb_build_object('files', jsonb_build_array(
    jsonb_build_object('path', :'bottleneck' || '/erp.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'product_id', 'list_price', 'price', 'active', 'onsale_web')),
    jsonb_build_object('path', :'bottleneck' || '/web.xlsx', 'entity', 'products',
        'mapping', jsonb_build_object('source_id', 'sku', 'name', 'post_title'),
        'ids', jsonb_build_object('path', :'bottleneck' || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', :'bottleneck' || '/web.xlsx', 'entity', 'sales',
        'mapping', jsonb_build_object('product_id', 'sku', 'quantity', 'total_sales'),
        'constants', jsonb_build_object('order_id', 'web', 'date_sale', '2020-08-27', 'channel', 'Web',
                                        'customer_id', NULL),
        'keep', jsonb_build_object('largest', 'quantity'),
        'ids', jsonb_build_object('path', :'bottleneck' || '/liaison.xlsx', 'from', 'id_web', 'to', 'product_id')),
    jsonb_build_object('path', :'bottleneck' || '/erp.xlsx', 'entity', 'stock',
        'mapping', jsonb_build_object('product_id', 'product_id', 'quantity', 'stock_quantity'),
        'constants', jsonb_build_object('warehouse', 'Entrepôt')))));
SELECT e.key AS entity, e.value ->> 'files' AS files, e.value ->> 'read' AS read, e.value ->> 'inserted' AS inserted,
       e.value ->> 'combined' AS combined, e.value ->> 'not_merged' AS not_merged, r ->> 'status' AS status
  FROM crm_sync('bottleneck') AS r, jsonb_each(r -> 'entities') AS e ORDER BY entity;
-- The merchant's figures from the canonical model: its web sales, and each
-- wine's price z-score among the wines sold (premium: z > 2).
CREATE VIEW demo.bottleneck_sales AS
SELECT s.product_key, s.price_total, z.z
  FROM crm.sales_lines s
  JOIN (SELECT p.product_key, crm_zscore(p.list_price::float8) OVER () AS z
          FROM crm.product_catalog p WHERE p.product_key IN (SELECT product_key FROM crm.sales_lines
                                                             WHERE source = 'bottleneck')) z USING (product_key)
 WHERE s.source = 'bottleneck';
SELECT count(DISTINCT product_key) AS "web products sold", demo.euros(sum(price_total)) AS "chiffre d'affaires (CA)",
       count(*) FILTER (WHERE z > 2) AS "premium wines (z > 2)", count(*) FILTER (WHERE z <= 2) AS ordinary
  FROM demo.bottleneck_sales;

\echo '== crm_monthly_report(): rapport_ca.xlsx (revenue, top-10 chart, the seven checks), vins_premium.csv, vins_ordinaires.csv'
SELECT current_setting('crm.allowed_write_paths') AS report_dir \gset
SELECT r ->> 'products' AS products, demo.euros((r ->> 'revenue')::numeric) AS revenue, r ->> 'premium' AS premium,
       r ->> 'ordinary' AS ordinary, r #>> '{checks,passed}' AS checks_passed,
       (SELECT string_agg(f ->> 'file' || ' (' || (f ->> 'rows') || ' rows)', ', ') FROM jsonb_array_elements(r -> 'files') f)
           AS files
  FROM crm_monthly_report(:'report_dir', '{"source": "bottleneck", "overwrite": true}') AS r;

\echo '== the canonical model: best customers and their orders (crm.customers, crm.sales_lines)'
SELECT customer_key, coalesce(company, initcap(first_name) || ' ' || initcap(last_name)) AS customer, city,
       purchase_count AS orders,
       demo.euros(total_spent) AS spent_ht, last_purchase
  FROM crm.customers ORDER BY total_spent DESC LIMIT 5;
SELECT s.source, s.last_success IS NOT NULL AS synced, s.freshness < interval '1 hour' AS fresh, s.last_error
  FROM crm.sync_status s;

\echo '== crm_refresh_analytics(): premium wines, RFM segments, co-purchases and recommendations'
SELECT r #>> '{product_stats,rows}' AS products_sold, r #>> '{product_stats,premium}' AS premium_wines,
       r #>> '{customer_rfm,rows}' AS customers_scored, r #>> '{product_affinity,rows}' AS product_pairs,
       r ->> 'ms' AS ms
  FROM crm_refresh_analytics() AS r;
SELECT segment, count(*) AS customers, demo.euros(sum(monetary)) AS spent_ht
  FROM crm.customer_rfm GROUP BY segment ORDER BY sum(monetary) DESC;

\echo '== recommendations: the best customer''s next wines, guardrails applied, reasons in French'
SELECT count(DISTINCT customer_key) AS customers_with_recommendations, count(*) AS recommendations,
       (SELECT count(*) FROM crm.reco_customer_status WHERE blocked_reason IS NOT NULL) AS customers_blocked
  FROM crm.recommendation;
SELECT x.rank, x.product_name, x.reason
  FROM (SELECT customer_key FROM crm.recommendation r JOIN crm.customers c USING (customer_key)
         ORDER BY c.total_spent DESC LIMIT 1) best,
       crm_recommend(best.customer_key) x;

\echo '== Brevo: what crm_push_recommendations would send as contact attributes (a dry run: nothing leaves the server)'
\echo '(the two warnings are expected: this demo has no Brevo key, and crm.allowed_hosts does not list Brevo)'
SELECT crm_source_add('brevo', 'brevo', '{"url": "https://api.brevo.com", "api_key_secret": "brevo"}');
SELECT r ->> 'eligible' AS eligible, r ->> 'to_send' AS to_send, r -> 'skipped' AS skipped,
       jsonb_pretty(r #> '{contacts,0,attributes}') AS "first contact's attributes"
  FROM crm_push_recommendations('brevo', '{"dry_run": true}') AS r;

\echo '== pg_cron: the morning sync and the monthly report in Paris time (pg_cron 1.4.2 itself runs in GMT)'
SELECT crm_schedule('isavigne', '0 6 * * *') AS sync_job, crm_schedule_report(:'report_dir') AS report_job;
SELECT job_name, schedule AS "Paris", gmt_schedule AS "GMT (both offsets)", next_run FROM crm.schedule ORDER BY job_name;

\echo
\echo '== Résumé'
-- What a merchant reads first: one line per figure, in French.
SELECT line AS "pg_crm en bref" FROM (
    SELECT 1 AS n, format('BottleNeck : %s de chiffre d''affaires sur %s vins vendus en ligne, dont %s vins premium '
                          '(prix > moyenne + 2 écarts-types) et %s ordinaires.',
                          demo.euros(sum(price_total)), count(DISTINCT product_key), count(*) FILTER (WHERE z > 2),
                          count(*) FILTER (WHERE z <= 2)) AS line
      FROM demo.bottleneck_sales
    UNION ALL
    SELECT 2, format('iSaVigne : %s clients, %s lignes de vente, %s HT, %s bouteilles (équivalent 75 cl).',
                     (SELECT count(*) FROM crm.customers WHERE source = 'isavigne'), count(*),
                     demo.euros(sum(price_total)), translate(to_char(round(sum(bottles_75cl)), 'FM999G999G999'), ',', ' '))
      FROM crm.sales_lines WHERE source = 'isavigne'
    UNION ALL
    SELECT 3, 'Segments RFM : ' || string_agg(format('%s %s', coalesce(b.label_fr, r.segment), r.customers), ', '
                                             ORDER BY coalesce(b.sort, 99))
      FROM (SELECT segment, count(*) AS customers FROM crm.customer_rfm GROUP BY segment) r
      LEFT JOIN crm.bi_rfm_segment b USING (segment)
    UNION ALL
    SELECT 4, format('Recommandations : %s clients en reçoivent, %s sont écartés (désinscrits, e-mails invalides, '
                     'sollicités récemment).',
                     (SELECT count(DISTINCT customer_key) FROM crm.recommendation),
                     (SELECT count(*) FROM crm.reco_customer_status WHERE blocked_reason IS NOT NULL))
    UNION ALL
    SELECT 5, format('Rapport mensuel : %s/rapport_ca.xlsx, vins_premium.csv et vins_ordinaires.csv ; le prochain '
                     'le %s (heure de Paris).', :'report_dir',
                     to_char(next_run AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY à HH24:MI'))
      FROM crm.schedule WHERE job_name = 'crm-monthly-report'
) lines ORDER BY n;

\echo '== Trois clients et leur prochain vin, avec la raison'
SELECT best.client, r.product_name AS "vin proposé", r.reason AS raison
  FROM (SELECT * FROM (SELECT DISTINCT ON (client) customer_key, client, total_spent
                         FROM (SELECT customer_key, total_spent,
                                      coalesce(company, initcap(first_name) || ' ' || initcap(last_name)) AS client
                                 FROM crm.customers
                                WHERE customer_key IN (SELECT customer_key FROM crm.recommendation)) c
                        ORDER BY client, total_spent DESC) named
         ORDER BY total_spent DESC LIMIT 3) best,
       crm_recommend(best.customer_key, 1) r
 ORDER BY best.total_spent DESC;

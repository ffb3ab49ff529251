-- The BottleNeck merchant's monthly figures, from its real XLSX exports, read in the database.
SELECT current_setting('crm.allowed_read_paths') || '/bottleneck' AS dir \gset

SELECT jsonb_pretty(crm_sniff(:'dir' || '/erp.xlsx') - 'sample_rows') AS erp_sniff;

CREATE TEMP TABLE erp AS
SELECT * FROM crm_read_xlsx(:'dir' || '/erp.xlsx')
    AS t(product_id int, onsale_web int, price numeric, stock_quantity int, stock_status text);
CREATE TEMP TABLE liaison AS
SELECT * FROM crm_read_xlsx(:'dir' || '/liaison.xlsx') AS t(product_id int, id_web text);
CREATE TEMP TABLE web AS
SELECT * FROM crm_read_xlsx(:'dir' || '/web.xlsx', '{"sheet": 1}')
    AS t(sku text, total_sales numeric, post_title text, post_type text);

SELECT (SELECT count(*) FROM erp) AS erp_rows, (SELECT count(DISTINCT product_id) FROM erp) AS erp_products,
       (SELECT count(*) FROM liaison) AS liaison_rows, (SELECT count(DISTINCT product_id) FROM liaison) AS liaison_products,
       (SELECT count(*) FROM web) AS web_rows,
       (SELECT count(*) FROM web WHERE sku IS NOT NULL) AS web_with_sku;

-- One row per sku, the one with the most sales; then ERP ⨝ LIAISON ⨝ WEB.
CREATE TEMP TABLE merged AS
WITH web_dedup AS (
    SELECT DISTINCT ON (sku) sku, total_sales, post_title
      FROM web WHERE sku IS NOT NULL ORDER BY sku, total_sales DESC
)
SELECT e.product_id, e.price, w.total_sales, w.post_title
  FROM erp e JOIN liaison l USING (product_id) JOIN web_dedup w ON w.sku = l.id_web;

SELECT (SELECT count(DISTINCT sku) FROM web WHERE sku IS NOT NULL) AS web_dedup_rows,
       count(*) AS merged_rows,
       round(sum(price * total_sales), 2) AS revenue_eur
  FROM merged;

-- Premium wines: price z-score over the merged rows (population std) above 2.
SELECT count(*) FILTER (WHERE z > 2) AS premium, count(*) FILTER (WHERE z <= 2) AS ordinary
  FROM (SELECT (price - avg(price) OVER ()) / stddev_pop(price) OVER () AS z FROM merged) AS s;

-- The same with pg_crm's window function.
SELECT count(*) FILTER (WHERE z > 2) AS premium, count(*) FILTER (WHERE z <= 2) AS ordinary
  FROM (SELECT crm_zscore(price::float8) OVER () AS z FROM merged) AS s;

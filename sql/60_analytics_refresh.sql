-- crm_refresh_analytics on the canonical tables: the BottleNeck merchant's
-- premium wines (30 of 714, z > 2, population std) and revenue (70 568,60 €)
-- through the pipeline; RFM scores equal to ntile(5) in SQL; affinities
-- equal to the SQL self-join. Runs last: it empties the curated sales lines
-- of the earlier files first, so that the figures are the merchant's alone.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
DELETE FROM crm.sales_lines;
SELECT crm_sync('bottleneck', '{"full": true}') ->> 'status' AS bottleneck_sync;

SELECT r #> '{product_stats,rows}' AS products, r #> '{product_stats,premium}' AS premium
  FROM crm_refresh_analytics('{"group_by": "none"}') AS r;
SELECT count(*) AS products, count(*) FILTER (WHERE is_premium) AS premium,
       count(*) FILTER (WHERE NOT is_premium) AS ordinary, sum(revenue) AS revenue
  FROM crm.product_stats;
SELECT sum(revenue) AS revenue, round(sum(share_pct)) AS share_pct FROM crm.revenue_by_product;
SELECT count(*) AS premium_wines, min(price_z) > 2 AS all_above_2 FROM crm.premium_wines;
-- The z-scores agree with the SQL formula to 1e-12 (relative).
SELECT count(*) AS disagreeing
  FROM (SELECT price_z, (price_per_75cl - avg(price_per_75cl) OVER ()) / stddev_pop(price_per_75cl) OVER () AS sql_z
          FROM crm.product_stats) s
 WHERE abs(price_z - sql_z) > 1e-12 * greatest(abs(sql_z), 1);

-- A merchant with customers: RFM and affinities of the small iSaVigne set.
SELECT crm_source_add('analytics', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
DELETE FROM crm.sync_cursor WHERE source = 'analytics';
SELECT crm_sync('analytics') ->> 'status' AS analytics_sync;
SELECT r #> '{customer_rfm,rows}' AS customers, r #>> '{customer_rfm,as_of}' AS as_of,
       r #> '{product_affinity,rows}' > '0' AS has_pairs
  FROM crm_refresh_analytics('{"as_of": "2025-01-01", "min_pair_count": 2, "max_partners": 0}') AS r;
-- Frequency is orders, not lines; recency counts to as_of; monetary is the lines' total.
SELECT count(*) AS customers_disagreeing
  FROM crm.customer_rfm r
  JOIN (SELECT customer_key, count(DISTINCT order_key) AS orders, DATE '2025-01-01' - max(date_sale) AS days,
               sum(price_total) AS spent
          FROM crm.sales_lines WHERE customer_key IS NOT NULL GROUP BY customer_key) s USING (customer_key)
 WHERE (r.frequency, r.recency_days, r.monetary) IS DISTINCT FROM (s.orders::int, s.days, s.spent);
-- Quintile scores are PostgreSQL's ntile(5), ties broken by customer key.
SELECT count(*) AS scores_disagreeing
  FROM (SELECT r, f, m,
               ntile(5) OVER (ORDER BY recency_days DESC, customer_key) AS sql_r,
               ntile(5) OVER (ORDER BY frequency, customer_key) AS sql_f,
               ntile(5) OVER (ORDER BY monetary, customer_key) AS sql_m
          FROM crm.customer_rfm) x
 WHERE (r, f, m) IS DISTINCT FROM (sql_r, sql_f, sql_m);
SELECT segment, count(*) FROM crm.customer_rfm GROUP BY 1 ORDER BY 2 DESC, 1;
-- Pair counts are the SQL self-join's over customers' baskets.
WITH baskets AS (SELECT DISTINCT customer_key, product_key FROM crm.sales_lines
                  WHERE customer_key IS NOT NULL AND product_key IS NOT NULL),
pairs AS (SELECT a.product_key AS product_a, b.product_key AS product_b, count(*) AS n_ab
            FROM baskets a JOIN baskets b ON a.customer_key = b.customer_key AND a.product_key <> b.product_key
           GROUP BY 1, 2 HAVING count(*) >= 2)
SELECT (SELECT count(*) FROM pairs) AS sql_pairs, (SELECT count(*) FROM crm.product_affinity) AS pairs,
       (SELECT count(*) FROM pairs p FULL JOIN crm.product_affinity a USING (product_a, product_b)
         WHERE p.n_ab IS DISTINCT FROM a.n_ab) AS disagreeing;

-- By default a refresh keeps each product's best partners only (here 5):
-- no pair left out has a higher lift than the weakest one kept.
SELECT r #> '{product_affinity,rows}' AS pairs_kept
  FROM crm_refresh_analytics('{"as_of": "2025-01-01", "min_pair_count": 2, "max_partners": 5}') AS r;
SELECT max(n) AS most_partners FROM (SELECT count(*) AS n FROM crm.product_affinity GROUP BY product_a) x;
SELECT count(*) AS better_pairs_left_out
  FROM crm_product_affinity('{"min_pair_count": 2}') a
 WHERE NOT EXISTS (SELECT 1 FROM crm.product_affinity k WHERE k.product_a = a.product_a AND k.product_b = a.product_b)
   AND a.lift > (SELECT min(k.lift) FROM crm.product_affinity k WHERE k.product_a = a.product_a);

-- Mistakes are named.
SELECT crm_refresh_analytics('{"premium": 2}');
SELECT crm_refresh_analytics('{"group_by": "region"}');
SELECT crm_refresh_analytics('{"segment_by": "deciles"}');
SELECT crm_source_remove('analytics');

-- Recommendations on the small iSaVigne merchant: crm_recommend ranks as the
-- batch table does; every guardrail holds (opt-out, bounce, contact cap,
-- stock, active, open order, price band, one per cuvée, re-purchase delay,
-- "bad" feedback); reasons name real products and real counts.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
DELETE FROM crm.sales_lines;
SELECT crm_source_add('reco', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
-- A sync that changed data ends with the analytics refresh,
-- recommendations included; {"analytics": false} leaves it to a later call.
SELECT r ->> 'status' AS status, r #> '{analytics,recommendation,customers}' AS customers_with_recommendations
  FROM crm_sync('reco') r;
SELECT count(*) AS recommendations FROM crm.recommendation;
DELETE FROM crm.recommendation;
DELETE FROM crm.sales_lines WHERE source = 'reco';
SELECT r ->> 'status' AS status, r ? 'analytics' AS refreshed, r #> '{entities,sales,inserted}' AS sales_inserted
  FROM crm_sync('reco', '{"full": true, "analytics": false}') r;
SELECT count(*) AS recommendations FROM crm.recommendation;
SELECT r #> '{recommendation,customers}' AS customers, r #> '{recommendation,blocked}' AS blocked
  FROM crm_refresh_analytics('{"min_pair_count": 2}') r;
SELECT max(rank) AS top_n, count(*) FILTER (WHERE reason_detail ->> 'kind' = 'co_purchase') > 0 AS has_co_purchase,
       bool_and(reason ~ '^(souvent acheté avec .+ \([0-9]+ clients?, lift [0-9]+,[0-9]\)|meilleure vente de votre segment \(.+, [0-9]+ clients?\))$') AS reasons_in_french
  FROM crm.recommendation;
-- Ranks are 1..n per customer.
SELECT count(*) AS gaps FROM (SELECT customer_key, max(rank) m, count(*) n FROM crm.recommendation GROUP BY 1) x WHERE m <> n;

-- crm_recommend gives every customer exactly the batch table's list.
SELECT count(*) AS disagreeing
  FROM (SELECT DISTINCT customer_key FROM crm.recommendation) c
 CROSS JOIN LATERAL (
        SELECT 1 FROM crm_recommend(c.customer_key) x
          FULL JOIN (SELECT * FROM crm.recommendation r WHERE r.customer_key = c.customer_key) r USING (rank)
         WHERE (x.product_key, x.score, x.reason) IS DISTINCT FROM (r.product_key, r.score, r.reason)) d;

-- Reasons name a product the customer bought, and the count of customers
-- who bought both, as SQL counts them.
WITH co AS (
    SELECT r.customer_key, r.product_key, r.reason, r.reason_detail ->> 'with' AS with_key,
           (r.reason_detail ->> 'baskets_together')::int AS together
      FROM crm.recommendation r WHERE r.reason_detail ->> 'kind' = 'co_purchase'),
both_bought AS (
    SELECT co.customer_key, co.product_key,
           (SELECT count(*) FROM (SELECT customer_key FROM crm.sales_lines WHERE product_key = co.with_key
                                  INTERSECT SELECT customer_key FROM crm.sales_lines WHERE product_key = co.product_key) b) AS sql_together
      FROM co)
SELECT count(*) AS recommendations_checked,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm.sales_lines l WHERE l.customer_key = co.customer_key AND l.product_key = co.with_key)) AS with_not_bought,
       count(*) FILTER (WHERE position((SELECT name FROM crm.product_catalog WHERE product_key = co.with_key) IN co.reason) = 0) AS name_missing,
       count(*) FILTER (WHERE b.sql_together <> co.together) AS wrong_counts
  FROM co JOIN both_bought b USING (customer_key, product_key);

-- Product guardrails over the whole table: stock (in 75 cl) at or above the
-- minimum, active, one per cuvée, no cuvée bought in the last 180 days, price
-- within the customer's band (median price per 75 cl paid / 2 .. × 2).
SELECT count(*) FILTER (WHERE NOT coalesce(p.available_75cl >= 6, false)) AS short_of_stock,
       count(*) FILTER (WHERE p.active IS false) AS inactive
  FROM crm.recommendation r JOIN crm.product_availability p USING (product_key);
SELECT count(*) AS same_cuvee_twice
  FROM (SELECT r.customer_key, p.cuvee_family FROM crm.recommendation r JOIN crm.product_availability p USING (product_key)
         GROUP BY 1, 2 HAVING count(*) > 1) x;
SELECT count(*) AS cuvee_bought_recently
  FROM crm.recommendation r JOIN crm.product_availability p USING (product_key)
 WHERE EXISTS (SELECT 1 FROM crm.sales_lines l JOIN crm.product_availability q ON q.product_key = l.product_key
                WHERE l.customer_key = r.customer_key AND q.cuvee_family = p.cuvee_family
                  AND l.date_sale > (SELECT max(as_of) FROM crm.customer_rfm) - 180);
SELECT count(*) AS outside_price_band
  FROM crm.recommendation r JOIN crm.product_availability p USING (product_key)
  JOIN (SELECT customer_key, percentile_cont(0.5) WITHIN GROUP (ORDER BY spent / bottles) AS median
          FROM (SELECT customer_key, product_key, sum(price_total) AS spent, sum(bottles_75cl) AS bottles
                  FROM crm.sales_lines GROUP BY 1, 2) x
         WHERE bottles > 0 AND spent > 0 GROUP BY 1) m USING (customer_key)
 WHERE p.price_per_75cl NOT BETWEEN m.median / 2 - 0.005 AND m.median * 2 + 0.005;

-- The most recommended wine runs out of stock, another one stops being
-- sold: neither is recommended any more.
SELECT product_key AS top_product FROM crm.recommendation GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 \gset
SELECT product_key AS second_product FROM crm.recommendation WHERE product_key <> :'top_product'
 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 \gset
UPDATE crm.stock_levels SET reserved = quantity_units WHERE product_key = :'top_product';
UPDATE crm.product_catalog SET active = false WHERE product_key = :'second_product';
SELECT crm_refresh_analytics('{"min_pair_count": 2}') IS NOT NULL AS refreshed;
SELECT count(*) AS out_of_stock_recommended FROM crm.recommendation WHERE product_key = :'top_product';
SELECT count(*) AS inactive_recommended FROM crm.recommendation WHERE product_key = :'second_product';

-- An opted-out customer (Brevo blacklist) and a bounced one get nothing,
-- in the table and on demand, and a NOTICE says why.
SELECT customer_key AS optout FROM crm.recommendation ORDER BY customer_key LIMIT 1 \gset
SELECT customer_key AS bounced FROM crm.recommendation WHERE customer_key > :'optout' ORDER BY customer_key LIMIT 1 \gset
UPDATE crm.customers SET email_opt_out = true WHERE customer_key = :'optout';
UPDATE crm.customers SET bounced = true WHERE customer_key = :'bounced';
SELECT r #> '{recommendation,blocked}' AS blocked FROM crm_refresh_analytics('{"min_pair_count": 2}') r;
SELECT count(*) AS recommended_to_blocked FROM crm.recommendation WHERE customer_key IN (:'optout', :'bounced');
SET client_min_messages = notice;
SELECT count(*) AS on_demand FROM crm_recommend(:'optout');
SELECT count(*) AS on_demand FROM crm_recommend(:'bounced');
SET client_min_messages = warning;

-- "bad": the wine leaves the customer's list at once, the ranks close up,
-- the feedback is in the contact history, and it never comes back.
SELECT customer_key AS picky, product_key AS rejected FROM crm.recommendation
 WHERE rank = 1 AND customer_key NOT IN (:'optout', :'bounced') ORDER BY customer_key LIMIT 1 \gset
SELECT count(*) AS listed_before FROM crm.recommendation WHERE customer_key = :'picky';
SELECT crm_reco_feedback(:'picky', :'rejected', 'bad') LIKE 'pg_crm-reco-%' AS recorded;
SELECT count(*) AS listed_after, min(rank) AS first_rank, max(rank) AS last_rank,
       count(*) FILTER (WHERE product_key = :'rejected') AS rejected_listed
  FROM crm.recommendation WHERE customer_key = :'picky';
SELECT status, product_suggested = :'rejected' AS product, subject LIKE 'souvent acheté avec%' OR subject LIKE 'meilleure vente%' AS reason_kept
  FROM crm.contact_history WHERE customer_key = :'picky';
SELECT count(*) AS rejected_on_demand FROM crm_recommend(:'picky', 50) WHERE product_key = :'rejected';
-- n is how many come back: fewer than the batch table's five, or more.
SELECT (SELECT count(*) FROM crm_recommend(:'picky', 2)) AS asked_for_two,
       (SELECT count(*) FROM crm_recommend(:'picky', 50)) > (SELECT count(*) FROM crm.recommendation
                                                             WHERE customer_key = :'picky') AS more_than_the_table;
SELECT crm_refresh_analytics('{"min_pair_count": 2}') IS NOT NULL AS refreshed;
SELECT count(*) AS rejected_after_refresh FROM crm.recommendation WHERE customer_key = :'picky' AND product_key = :'rejected';

-- A product in one of the customer's open orders (a quotation) is left out.
SELECT product_key AS quoted FROM crm.recommendation WHERE customer_key = :'picky' AND rank = 1 \gset
INSERT INTO crm.open_order_lines (line_key, order_key, customer_key, product_key, state, source)
VALUES ('reco-q1', 'reco-Q1', :'picky', :'quoted', 'draft', 'reco');
SELECT count(*) AS quoted_on_demand FROM crm_recommend(:'picky', 50) WHERE product_key = :'quoted';
DELETE FROM crm.open_order_lines WHERE line_key = 'reco-q1';

-- Contact cap: two recommendations sent within 30 days, and no third.
SELECT customer_key AS contacted FROM crm.recommendation WHERE customer_key NOT IN (:'optout', :'bounced', :'picky')
 ORDER BY customer_key LIMIT 1 \gset
SELECT crm_reco_feedback(:'contacted', product_key, 'sent') IS NOT NULL AS sent
  FROM crm.recommendation WHERE customer_key = :'contacted' AND rank <= 2 ORDER BY rank;
SELECT blocked_reason, recent_contacts FROM crm.reco_customer_status WHERE customer_key = :'contacted';
SET client_min_messages = notice;
SELECT count(*) AS on_demand FROM crm_recommend(:'contacted');
SET client_min_messages = warning;
UPDATE crm.reco_settings SET contact_cap = NULL;
SELECT count(*) > 0 AS recommended_without_cap FROM crm_recommend(:'contacted');

-- Settings: one row; top_n; without co-purchases (min_lift too high for any
-- pair) the list is the segment's best sellers.
UPDATE crm.reco_settings SET top_n = 3, min_lift = 1000;
SELECT crm_refresh_analytics('{"min_pair_count": 2}') IS NOT NULL AS refreshed;
SELECT max(rank) AS top_n, bool_and(reason_detail ->> 'kind' = 'segment_bestseller') AS all_bestsellers,
       bool_and(reason LIKE 'meilleure vente de votre segment (%') AS reasons
  FROM crm.recommendation;
-- Best sellers are bought by the most customers of the segment.
SELECT count(*) AS wrong_buyers
  FROM crm.segment_bestseller b
 WHERE b.buyers <> (SELECT count(DISTINCT l.customer_key) FROM crm.sales_lines l
                      JOIN crm.customer_rfm r ON r.customer_key = l.customer_key
                     WHERE r.segment = b.segment AND l.product_key = b.product_key);
\set VERBOSITY terse
INSERT INTO crm.reco_settings (top_n) VALUES (4);
SELECT count(*) AS rows, min(top_n) AS top_n FROM crm.reco_settings;
DELETE FROM crm.reco_settings;
UPDATE crm.reco_settings SET top_n = 0;
INSERT INTO crm.reco_settings DEFAULT VALUES;

-- Mistakes are named.
SELECT * FROM crm_recommend('reco-nobody');
SELECT * FROM crm_recommend(:'picky', 0);
SELECT crm_reco_feedback(:'picky', :'rejected', 'meh');
SELECT crm_reco_feedback(:'picky', 'reco-nothing', 'bad');
SELECT crm_reco_feedback('reco-nobody', :'rejected', 'sent');
SELECT crm_sync('reco', '{"analytics": "sometimes"}');

-- The cuvée of a product name.
\set VERBOSITY default
SELECT crm_cuvee_family('Riesling Grand Cru 2019') = crm_cuvee_family('RIESLING grand cru 2021 - Magnum 150cl') AS same_cuvee,
       crm_cuvee_family('Domaine Guérin Pouilly-Fumé 2007 - Carton de 12') AS family;

DELETE FROM crm.contact_history WHERE source = 'pg_crm';
SELECT crm_source_remove('reco');

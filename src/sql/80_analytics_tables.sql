-- The analytics the merchant reads every month, computed from the canonical
-- tables by crm_refresh_analytics(): price statistics and premium wines per
-- product, RFM segments per customer, co-purchase affinities between
-- products. Each table is replaced as a whole by a refresh, in its
-- transaction: readers see the previous figures or the new ones.

CREATE FUNCTION crm_rfm(as_of date, options jsonb DEFAULT '{}',
    OUT customer_key text, OUT recency_days int, OUT frequency int, OUT monetary float8,
    OUT r int, OUT f int, OUT m int, OUT r_band int, OUT f_band int, OUT m_band int, OUT segment text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_rfm' LANGUAGE C STABLE STRICT ROWS 10000;
COMMENT ON FUNCTION crm_rfm(date, jsonb) IS
    'RFM scores of every customer with sales lines, computed in C++: recency in days at as_of, frequency in orders '
    '(not lines), monetary in euros HT; scores 1-5 by quintiles (r, f, m, as ntile(5) over customers sorted by key) '
    'and by fixed bands (r_band, f_band, m_band), and the segment name from (r, f), or from the bands with '
    '{"segment_by": "bands"}.';
REVOKE ALL ON FUNCTION crm_rfm(date, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_rfm(date, jsonb) TO crm_runner;

-- The price of 75 cl of a product: its list price over the 75 cl bottles
-- of its packaging ("Carton de 12" holds 12), else over its volume.
CREATE FUNCTION crm._price_per_75cl(list_price numeric, packaging text, volume_cl numeric) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT pg_catalog.round(CASE WHEN b.bottles > 0::numeric THEN list_price / b.bottles
                                     WHEN volume_cl > 0::numeric THEN list_price * 75::numeric / volume_cl
                                     ELSE list_price END, 2)
          FROM (SELECT @extschema@.crm_bottles_75cl_with_rules(1::numeric, packaging) AS bottles) b;
    END;
COMMENT ON FUNCTION crm._price_per_75cl(numeric, text, numeric) IS
    'Internal: list price for 75 cl, over the 75 cl bottles of the packaging, else over the volume.';
REVOKE ALL ON FUNCTION crm._price_per_75cl(numeric, text, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._price_per_75cl(numeric, text, numeric) TO crm_runner;

CREATE TABLE crm.product_stats (
    product_key    text PRIMARY KEY,
    name           text,
    price_group    text,
    lines          bigint NOT NULL,
    units          numeric,
    bottles_75cl   numeric,
    revenue        numeric(14,2) NOT NULL,
    price_per_75cl numeric(14,2),
    price_z        float8,
    price_robust_z float8,
    is_premium     boolean NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE crm.product_stats IS 'Per product sold: revenue, volumes and how its price stands in its group (premium wines).';
COMMENT ON COLUMN crm.product_stats.product_key IS 'The product (crm.product_catalog).';
COMMENT ON COLUMN crm.product_stats.name IS 'Désignation.';
COMMENT ON COLUMN crm.product_stats.price_group IS 'The group its price is compared within: colour (default), appellation, or none (NULL: all products).';
COMMENT ON COLUMN crm.product_stats.lines IS 'Sales lines.';
COMMENT ON COLUMN crm.product_stats.units IS 'Packages sold (Qté).';
COMMENT ON COLUMN crm.product_stats.bottles_75cl IS 'Sold in 75 cl bottle equivalents (NULL when no line''s packaging is known).';
COMMENT ON COLUMN crm.product_stats.revenue IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm.product_stats.price_per_75cl IS 'List price for 75 cl: the list price over the 75 cl bottles of the packaging (a carton of 12 holds 12), else × 75 / volume in cl, else the list price; euros.';
COMMENT ON COLUMN crm.product_stats.price_z IS 'z-score of price_per_75cl in its group (population std); NULL in a group of fewer than 3 prices.';
COMMENT ON COLUMN crm.product_stats.price_robust_z IS 'Robust z-score: 0.6745 (price - median) / MAD in its group.';
COMMENT ON COLUMN crm.product_stats.is_premium IS 'price_z above the refresh''s premium_z threshold (default 2): a premium wine (vin premium).';
COMMENT ON COLUMN crm.product_stats.computed_at IS 'When the refresh computed it.';

CREATE TABLE crm.customer_rfm (
    customer_key text PRIMARY KEY,
    recency_days int NOT NULL,
    frequency    int NOT NULL,
    monetary     numeric(14,2) NOT NULL,
    r            int NOT NULL,
    f            int NOT NULL,
    m            int NOT NULL,
    r_band       int NOT NULL,
    f_band       int NOT NULL,
    m_band       int NOT NULL,
    segment      text NOT NULL,
    as_of        date NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX customer_rfm_segment_idx ON crm.customer_rfm (segment);
COMMENT ON TABLE crm.customer_rfm IS 'RFM (récence, fréquence, montant) of every customer with purchases, and their segment.';
COMMENT ON COLUMN crm.customer_rfm.customer_key IS 'The customer (crm.customers).';
COMMENT ON COLUMN crm.customer_rfm.recency_days IS 'Days from the last purchase to as_of.';
COMMENT ON COLUMN crm.customer_rfm.frequency IS 'Orders (not lines).';
COMMENT ON COLUMN crm.customer_rfm.monetary IS 'Total spent HT, euros.';
COMMENT ON COLUMN crm.customer_rfm.r IS 'Recency score 1-5 by quintile (5: most recent fifth).';
COMMENT ON COLUMN crm.customer_rfm.f IS 'Frequency score 1-5 by quintile.';
COMMENT ON COLUMN crm.customer_rfm.m IS 'Monetary score 1-5 by quintile.';
COMMENT ON COLUMN crm.customer_rfm.r_band IS 'Recency score by fixed bands: 30, 90, 180, 365 days.';
COMMENT ON COLUMN crm.customer_rfm.f_band IS 'Frequency score by fixed bands: 1, 2, 3-4, 5-9, 10+ orders.';
COMMENT ON COLUMN crm.customer_rfm.m_band IS 'Monetary score by fixed bands: 200, 500, 1000, 2000 euros.';
COMMENT ON COLUMN crm.customer_rfm.segment IS 'Champions, Loyal, Potential loyalists, New, Promising, Need attention, About to sleep, At risk, Can''t lose them or Hibernating.';
COMMENT ON COLUMN crm.customer_rfm.as_of IS 'The date recency is counted to.';
COMMENT ON COLUMN crm.customer_rfm.computed_at IS 'When the refresh computed it.';

CREATE TABLE crm.product_affinity (
    product_a   text NOT NULL,
    product_b   text NOT NULL,
    n_ab        int NOT NULL,
    n_a         int NOT NULL,
    n_b         int NOT NULL,
    support     float8 NOT NULL,
    confidence  float8 NOT NULL,
    lift        float8 NOT NULL,
    cosine      float8 NOT NULL,
    basket      text NOT NULL CHECK (basket IN ('customer', 'order')),
    computed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (product_a, product_b)
);
COMMENT ON TABLE crm.product_affinity IS 'Products bought together (souvent achetés ensemble): for each product, its best partners (max_partners, by lift) among those seen with it in at least min_pair_count baskets.';
COMMENT ON COLUMN crm.product_affinity.product_a IS 'The product bought.';
COMMENT ON COLUMN crm.product_affinity.product_b IS 'The product bought with it.';
COMMENT ON COLUMN crm.product_affinity.n_ab IS 'Baskets (customers or orders) with both.';
COMMENT ON COLUMN crm.product_affinity.n_a IS 'Baskets with product_a.';
COMMENT ON COLUMN crm.product_affinity.n_b IS 'Baskets with product_b.';
COMMENT ON COLUMN crm.product_affinity.support IS 'n_ab / baskets.';
COMMENT ON COLUMN crm.product_affinity.confidence IS 'n_ab / n_a: how often a buyer of a also buys b.';
COMMENT ON COLUMN crm.product_affinity.lift IS 'confidence / (n_b / baskets): above 1, bought together more than chance.';
COMMENT ON COLUMN crm.product_affinity.cosine IS 'n_ab / sqrt(n_a × n_b).';
COMMENT ON COLUMN crm.product_affinity.basket IS 'What a basket was: customer (everything a customer bought) or order.';
COMMENT ON COLUMN crm.product_affinity.computed_at IS 'When the refresh computed it.';
GRANT SELECT, INSERT, DELETE ON crm.product_stats, crm.customer_rfm, crm.product_affinity TO crm_runner;

-- Recomputes the analytics tables from the canonical ones. Options:
-- premium_z (2), group_by (colour | appellation | none), as_of (a date;
-- default: the last sale date), segment_by (quintiles | bands), basket
-- (customer | order), min_pair_count (3), max_partners (50 per product; 0:
-- every pair). Returns the rows and ms per step.
CREATE FUNCTION crm_refresh_analytics(options jsonb DEFAULT '{}') RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off
    AS $$
DECLARE
    known text[] := ARRAY['premium_z', 'group_by', 'as_of', 'segment_by', 'basket', 'min_pair_count', 'max_partners'];
    premium_z float8 := coalesce((options ->> 'premium_z')::float8, 2);
    group_by text := coalesce(options ->> 'group_by', 'colour');
    as_of date;
    started timestamptz := pg_catalog.clock_timestamp();
    step timestamptz;
    result jsonb := '{}';
    n bigint;
    premium bigint;
BEGIN
    PERFORM crm._check_option_keys('crm_refresh_analytics', options, known);
    IF group_by NOT IN ('colour', 'appellation', 'none') THEN
        RAISE EXCEPTION 'option group_by must be colour, appellation or none, not "%"', group_by USING ERRCODE = '22023';
    END IF;
    -- One refresh at a time; a second one waits for the first.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pg_crm.analytics'));
    SELECT coalesce((options ->> 'as_of')::date, max(l.date_sale)) INTO as_of FROM crm.sales_lines l;

    step := pg_catalog.clock_timestamp();
    DELETE FROM crm.product_stats;
    INSERT INTO crm.product_stats (product_key, name, price_group, lines, units, bottles_75cl, revenue, price_per_75cl,
                                   price_z, price_robust_z, is_premium)
    SELECT s.product_key, s.name, s.price_group, s.lines, s.units, s.bottles_75cl, s.revenue, s.price_per_75cl, s.z,
           s.robust_z, coalesce(s.z > premium_z, false)
      FROM (SELECT p.*,
                   @extschema@.crm_zscore(p.price_per_75cl::float8) OVER (PARTITION BY p.price_group) AS z,
                   @extschema@.crm_robust_zscore(p.price_per_75cl::float8) OVER (PARTITION BY p.price_group) AS robust_z
              FROM (SELECT l.product_key, c.name,
                           CASE group_by WHEN 'colour' THEN c.colour WHEN 'appellation' THEN c.appellation END
                               AS price_group,
                           count(*) AS lines, sum(l.quantity_units) AS units, sum(l.bottles_75cl) AS bottles_75cl,
                           coalesce(sum(l.price_total), 0) AS revenue,
                           crm._price_per_75cl(c.list_price, c.packaging, c.volume_cl) AS price_per_75cl
                      FROM crm.sales_lines l JOIN crm.product_catalog c ON c.product_key = l.product_key
                     GROUP BY l.product_key, c.name, c.colour, c.appellation, c.list_price, c.packaging,
                              c.volume_cl) p) s;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT count(*) INTO premium FROM crm.product_stats WHERE is_premium;
    result := result || jsonb_build_object('product_stats', jsonb_build_object(
        'rows', n, 'premium', premium, 'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));

    step := pg_catalog.clock_timestamp();
    DELETE FROM crm.customer_rfm;
    IF as_of IS NOT NULL THEN
        INSERT INTO crm.customer_rfm (customer_key, recency_days, frequency, monetary, r, f, m, r_band, f_band, m_band,
                                      segment, as_of)
        SELECT x.customer_key, x.recency_days, x.frequency, round(x.monetary::numeric, 2), x.r, x.f, x.m, x.r_band,
               x.f_band, x.m_band, x.segment, as_of
          FROM @extschema@.crm_rfm(as_of, jsonb_strip_nulls(jsonb_build_object('segment_by', options -> 'segment_by'))) x;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    result := result || jsonb_build_object('customer_rfm', jsonb_build_object(
        'rows', n, 'as_of', as_of, 'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));

    step := pg_catalog.clock_timestamp();
    DELETE FROM crm.product_affinity;
    INSERT INTO crm.product_affinity (product_a, product_b, n_ab, n_a, n_b, support, confidence, lift, cosine, basket)
    SELECT a.product_a, a.product_b, a.n_ab, a.n_a, a.n_b, a.support, a.confidence, a.lift, a.cosine,
           coalesce(options ->> 'basket', 'customer')
      FROM @extschema@.crm_product_affinity(jsonb_strip_nulls(jsonb_build_object(
               'basket', options -> 'basket', 'min_pair_count', options -> 'min_pair_count',
               'max_partners', coalesce(options -> 'max_partners', '50')))) a;
    GET DIAGNOSTICS n = ROW_COUNT;
    result := result || jsonb_build_object('product_affinity', jsonb_build_object(
        'rows', n, 'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));

    -- The recommendations' fallback, then the recommendations themselves
    -- (src/sql/82_recommendations.sql), from the tables just written.
    step := pg_catalog.clock_timestamp();
    DELETE FROM crm.segment_bestseller;
    INSERT INTO crm.segment_bestseller (segment, rank, product_key, buyers, segment_customers)
    SELECT b.segment, b.rank, b.product_key, b.buyers, b.segment_customers
      FROM (SELECT x.segment, x.product_key, x.buyers, z.customers AS segment_customers,
                   row_number() OVER (PARTITION BY x.segment ORDER BY x.buyers DESC, x.product_key) AS rank
              FROM (SELECT r.segment, p.product_key, count(*) AS buyers
                      FROM (SELECT DISTINCT l.customer_key, l.product_key FROM crm.sales_lines l
                             WHERE l.product_key IS NOT NULL AND l.customer_key IS NOT NULL) p
                      JOIN crm.customer_rfm r ON r.customer_key = p.customer_key
                     GROUP BY r.segment, p.product_key) x
              JOIN (SELECT r.segment, count(*) AS customers FROM crm.customer_rfm r GROUP BY r.segment) z
                ON z.segment = x.segment) b
     WHERE b.rank <= 50;
    GET DIAGNOSTICS n = ROW_COUNT;
    result := result || jsonb_build_object('segment_bestseller', jsonb_build_object(
        'rows', n, 'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));

    step := pg_catalog.clock_timestamp();
    DELETE FROM crm.recommendation;
    INSERT INTO crm.recommendation (customer_key, rank, product_key, score, reason, reason_detail)
    SELECT x.customer_key, x.rank, x.product_key, x.score, x.reason, x.reason_detail
      FROM crm._recommend(NULL, crm._reco_options(NULL)) x;
    GET DIAGNOSTICS n = ROW_COUNT;
    result := result || jsonb_build_object('recommendation', jsonb_build_object(
        'rows', n,
        'customers', (SELECT count(DISTINCT r.customer_key) FROM crm.recommendation r),
        'blocked', (SELECT coalesce(jsonb_object_agg(b.blocked_reason, b.n), '{}')
                      FROM (SELECT s.blocked_reason, count(*) AS n FROM crm.reco_customer_status s
                             WHERE s.blocked_reason IS NOT NULL GROUP BY s.blocked_reason) b),
        'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));

    -- The Power BI model (src/sql/85_bi_views.sql): the monthly aggregates,
    -- then the calendar, last, so that it covers every fact just published.
    step := pg_catalog.clock_timestamp();
    result := result || jsonb_build_object('bi_aggregates', crm._bi_refresh_aggregates() || jsonb_build_object(
        'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));
    step := pg_catalog.clock_timestamp();
    n := crm._bi_calendar_extend();
    result := result || jsonb_build_object('bi_calendar', jsonb_build_object(
        'days_added', n, 'ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - step) * 1000)));
    RETURN result || jsonb_build_object('ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000));
END
$$;
COMMENT ON FUNCTION crm_refresh_analytics(jsonb) IS
    'Recomputes crm.product_stats (revenue, price per 75 cl, z-scores, premium), crm.customer_rfm, '
    'crm.product_affinity, crm.segment_bestseller and crm.recommendation (settings: crm.reco_settings) from the '
    'canonical tables, then the Power BI monthly aggregates and calendar (crm_bi); returns rows and ms per step. Options: premium_z (2), group_by '
    '(colour | appellation | none), as_of (default: the last sale date), segment_by (quintiles | bands), basket '
    '(customer | order), min_pair_count (3), max_partners (50: the best partners kept per product; 0: every pair).';
REVOKE ALL ON FUNCTION crm_refresh_analytics(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_refresh_analytics(jsonb) TO crm_runner;

CREATE VIEW crm.premium_wines AS
SELECT s.product_key, s.name, s.price_group, s.price_per_75cl, s.price_z, s.revenue, s.bottles_75cl
  FROM crm.product_stats s
 WHERE s.is_premium;
COMMENT ON VIEW crm.premium_wines IS 'Vins premium: products whose price per 75 cl stands out in their group (price_z above the threshold).';
COMMENT ON COLUMN crm.premium_wines.product_key IS 'The product.';
COMMENT ON COLUMN crm.premium_wines.name IS 'Désignation.';
COMMENT ON COLUMN crm.premium_wines.price_group IS 'The group it is compared within.';
COMMENT ON COLUMN crm.premium_wines.price_per_75cl IS 'List price for 75 cl, euros.';
COMMENT ON COLUMN crm.premium_wines.price_z IS 'z-score of that price in its group.';
COMMENT ON COLUMN crm.premium_wines.revenue IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm.premium_wines.bottles_75cl IS 'Sold in 75 cl bottle equivalents.';

CREATE VIEW crm.revenue_by_product AS
SELECT s.product_key, s.name, s.revenue, s.bottles_75cl, s.lines,
       pg_catalog.round(100.0 * s.revenue / NULLIF(pg_catalog.sum(s.revenue) OVER (), 0.0), 2) AS share_pct,
       s.is_premium
  FROM crm.product_stats s;
COMMENT ON VIEW crm.revenue_by_product IS 'Chiffre d''affaires par produit, with its share of the total.';
COMMENT ON COLUMN crm.revenue_by_product.product_key IS 'The product.';
COMMENT ON COLUMN crm.revenue_by_product.name IS 'Désignation.';
COMMENT ON COLUMN crm.revenue_by_product.revenue IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm.revenue_by_product.bottles_75cl IS 'Sold in 75 cl bottle equivalents.';
COMMENT ON COLUMN crm.revenue_by_product.lines IS 'Sales lines.';
COMMENT ON COLUMN crm.revenue_by_product.share_pct IS 'Share of the total revenue, percent.';
COMMENT ON COLUMN crm.revenue_by_product.is_premium IS 'A premium wine (crm.premium_wines).';
GRANT SELECT ON crm.premium_wines, crm.revenue_by_product TO crm_runner;

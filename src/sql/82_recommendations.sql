-- Product recommendations: for each customer, the wines bought with what
-- they bought, guarded (opt-outs, bounces, contact cap, stock, price band,
-- cuvées, rejections, open orders) and explained in French. Computed in C++
-- (src/core/recommend.cpp) by crm._recommend for every customer when
-- crm_refresh_analytics runs (crm.recommendation), or for one customer on
-- demand (crm_recommend), from the same inputs: same ranking.

CREATE FUNCTION crm_cuvee_family(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_cuvee_family' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_cuvee_family(text) IS
    'The cuvée of a product name, whatever its vintage or format: crm_normalize_key without vintages, "nm", volumes '
    'and packaging words. ''Riesling Grand Cru 2021 Magnum'' -> ''riesling grand cru''.';

-- One row, edited with UPDATE. An INSERT (a restore of pg_dump's copy of
-- this configuration table into a fresh CREATE EXTENSION) updates the row
-- instead of adding a second one.
CREATE TABLE crm.reco_settings (
    top_n                 int NOT NULL DEFAULT 5 CHECK (top_n BETWEEN 1 AND 50),
    min_stock_75cl        numeric NOT NULL DEFAULT 6 CHECK (min_stock_75cl >= 0),
    price_band_factor     float8 DEFAULT 2 CHECK (price_band_factor > 1),
    repurchase_after_days int DEFAULT 180 CHECK (repurchase_after_days >= 0),
    contact_cap           int DEFAULT 2 CHECK (contact_cap >= 0),
    contact_window_days   int NOT NULL DEFAULT 30 CHECK (contact_window_days > 0),
    half_life_days        float8 NOT NULL DEFAULT 365 CHECK (half_life_days > 0),
    shrinkage             float8 NOT NULL DEFAULT 10 CHECK (shrinkage >= 0),
    min_lift              float8 NOT NULL DEFAULT 1 CHECK (min_lift >= 0),
    segment_fallback      boolean NOT NULL DEFAULT true,
    updated_at            timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_by            text NOT NULL DEFAULT CURRENT_USER
);
CREATE UNIQUE INDEX reco_settings_one_row ON crm.reco_settings ((true));
COMMENT ON TABLE crm.reco_settings IS 'Guardrails and scoring of the recommendations: one row, changed with UPDATE crm.reco_settings SET ...; applied at the next crm_refresh_analytics or crm_recommend.';
COMMENT ON COLUMN crm.reco_settings.top_n IS 'Recommendations kept per customer in crm.recommendation (5).';
COMMENT ON COLUMN crm.reco_settings.min_stock_75cl IS 'A product is proposed only with at least this stock available, in 75 cl bottle equivalents (6: a case).';
COMMENT ON COLUMN crm.reco_settings.price_band_factor IS 'Price band: price per 75 cl between the customer''s median price paid / factor and × factor (2); NULL: no band.';
COMMENT ON COLUMN crm.reco_settings.repurchase_after_days IS 'A cuvée the customer bought is proposed again after this many days (180); NULL: never.';
COMMENT ON COLUMN crm.reco_settings.contact_cap IS 'No recommendation for a customer already sent this many (2) within contact_window_days; NULL: no cap.';
COMMENT ON COLUMN crm.reco_settings.contact_window_days IS 'The contact cap''s window, days (30).';
COMMENT ON COLUMN crm.reco_settings.half_life_days IS 'A purchase this old counts half as much in the score (365).';
COMMENT ON COLUMN crm.reco_settings.shrinkage IS 'alpha of the shrunk confidence (n_ab + alpha n_b / N) / (n_a + alpha) (10): small counts count less.';
COMMENT ON COLUMN crm.reco_settings.min_lift IS 'Pairs bought together less often than this lift (1: chance) are ignored.';
COMMENT ON COLUMN crm.reco_settings.segment_fallback IS 'Fill the list with the best sellers of the customer''s RFM segment (true).';
COMMENT ON COLUMN crm.reco_settings.updated_at IS 'When the settings last changed.';
COMMENT ON COLUMN crm.reco_settings.updated_by IS 'Who changed them.';

CREATE FUNCTION crm._reco_settings_one_row() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'crm.reco_settings keeps its one row' USING ERRCODE = '55000',
            HINT = 'Change it with UPDATE crm.reco_settings SET ...';
    END IF;
    NEW.updated_at := pg_catalog.now();
    NEW.updated_by := CURRENT_USER;
    IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM crm.reco_settings) THEN
        UPDATE crm.reco_settings
           SET (top_n, min_stock_75cl, price_band_factor, repurchase_after_days, contact_cap, contact_window_days,
                half_life_days, shrinkage, min_lift, segment_fallback)
             = (NEW.top_n, NEW.min_stock_75cl, NEW.price_band_factor, NEW.repurchase_after_days, NEW.contact_cap,
                NEW.contact_window_days, NEW.half_life_days, NEW.shrinkage, NEW.min_lift, NEW.segment_fallback);
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER reco_settings_one_row BEFORE INSERT OR UPDATE OR DELETE ON crm.reco_settings
    FOR EACH ROW EXECUTE FUNCTION crm._reco_settings_one_row();
INSERT INTO crm.reco_settings DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('crm.reco_settings', '');
COMMENT ON FUNCTION crm._reco_settings_one_row() IS 'Internal: keeps crm.reco_settings to one row (an INSERT updates it).';
REVOKE ALL ON FUNCTION crm._reco_settings_one_row() FROM PUBLIC;
GRANT SELECT ON crm.reco_settings TO crm_runner;
GRANT UPDATE ON crm.reco_settings TO crm_admin;

-- The settings as crm._recommend reads them, for top_n products, recency
-- counted to the last refresh's as_of.
CREATE FUNCTION crm._reco_options(top_n int) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT jsonb_build_object(
        'top_n', coalesce(_reco_options.top_n, s.top_n), 'min_stock_75cl', s.min_stock_75cl,
        'price_band_factor', s.price_band_factor, 'repurchase_after_days', s.repurchase_after_days,
        'half_life_days', s.half_life_days, 'shrinkage', s.shrinkage, 'min_lift', s.min_lift,
        'segment_fallback', s.segment_fallback,
        'as_of', to_char(coalesce((SELECT max(r.as_of) FROM crm.customer_rfm r), CURRENT_DATE), 'YYYY-MM-DD'))
      FROM crm.reco_settings s
$$;
COMMENT ON FUNCTION crm._reco_options(int) IS 'Internal: crm.reco_settings as crm._recommend reads them.';
REVOKE ALL ON FUNCTION crm._reco_options(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._reco_options(int) TO crm_runner;

CREATE VIEW crm.product_availability AS
SELECT c.product_key, c.name, @extschema@.crm_cuvee_family(c.name) AS cuvee_family, c.active,
       s.available_units,
       s.available_75cl,
       crm._price_per_75cl(c.list_price, c.packaging, c.volume_cl) AS price_per_75cl
  FROM crm.product_catalog c
  LEFT JOIN (SELECT l.product_key, pg_catalog.sum(l.available) AS available_units,
                    pg_catalog.sum(l.available * CASE WHEN l.quantity_units > 0::numeric
                                                      THEN l.bottles_75cl / l.quantity_units END) AS available_75cl
               FROM crm.stock_levels l GROUP BY l.product_key) s ON s.product_key = c.product_key;
COMMENT ON VIEW crm.product_availability IS 'What recommendations may propose: each product with its cuvée, whether it is active, its stock available and its price per 75 cl.';
COMMENT ON COLUMN crm.product_availability.product_key IS 'The product.';
COMMENT ON COLUMN crm.product_availability.name IS 'Désignation.';
COMMENT ON COLUMN crm.product_availability.cuvee_family IS 'Its cuvée (crm_cuvee_family): at most one product of a cuvée is recommended.';
COMMENT ON COLUMN crm.product_availability.active IS 'Still sold (NULL: not said, counted as active).';
COMMENT ON COLUMN crm.product_availability.available_units IS 'Stock available over all warehouses, in the product''s packaging (NULL: no stock line).';
COMMENT ON COLUMN crm.product_availability.available_75cl IS 'The same in 75 cl bottle equivalents (NULL when unknown: never recommended).';
COMMENT ON COLUMN crm.product_availability.price_per_75cl IS 'List price for 75 cl, euros.';
GRANT SELECT ON crm.product_availability TO crm_runner;

CREATE TABLE crm.segment_bestseller (
    segment           text NOT NULL,
    rank              int NOT NULL,
    product_key       text NOT NULL,
    buyers            int NOT NULL,
    segment_customers int NOT NULL,
    computed_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (segment, rank)
);
COMMENT ON TABLE crm.segment_bestseller IS 'The 50 products bought by the most customers of each RFM segment: the recommendations'' fallback (meilleures ventes du segment).';
COMMENT ON COLUMN crm.segment_bestseller.segment IS 'RFM segment (crm.customer_rfm).';
COMMENT ON COLUMN crm.segment_bestseller.rank IS '1: bought by the most customers of the segment (ties: product key).';
COMMENT ON COLUMN crm.segment_bestseller.product_key IS 'The product.';
COMMENT ON COLUMN crm.segment_bestseller.buyers IS 'Customers of the segment who bought it.';
COMMENT ON COLUMN crm.segment_bestseller.segment_customers IS 'Customers in the segment.';
COMMENT ON COLUMN crm.segment_bestseller.computed_at IS 'When the refresh computed it.';
GRANT SELECT, INSERT, DELETE ON crm.segment_bestseller TO crm_runner;

-- Customer-level guardrails, decided before any product is scored.
CREATE VIEW crm.reco_customer_status AS
SELECT r.customer_key, r.segment, c.email,
       CASE WHEN c.email_opt_out THEN 'email_opt_out'
            WHEN c.bounced THEN 'hard_bounce'
            WHEN s.contact_cap IS NOT NULL AND h.contacts >= s.contact_cap THEN 'contact_cap'
       END AS blocked_reason,
       h.contacts AS recent_contacts
  FROM crm.customer_rfm r
  JOIN crm.customers c ON c.customer_key = r.customer_key
 CROSS JOIN crm.reco_settings s
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*)::int AS contacts
          FROM crm.contact_history x
         WHERE x.status = 'sent'
           AND x.date_contact > pg_catalog.now() - pg_catalog.make_interval(days => s.contact_window_days)
           AND x.customer_key IN (SELECT r.customer_key
                                  UNION
                                  SELECT o.customer_key FROM crm.customer_identity i
                                    JOIN crm.customer_identity o ON o.person_key = i.person_key
                                   WHERE i.customer_key = r.customer_key)) h;
COMMENT ON VIEW crm.reco_customer_status IS 'Whether each customer with purchases may receive recommendations, and if not why: email_opt_out (désinscrit, liste noire), hard_bounce, or contact_cap (already contacted enough lately).';
COMMENT ON COLUMN crm.reco_customer_status.customer_key IS 'The customer.';
COMMENT ON COLUMN crm.reco_customer_status.segment IS 'RFM segment.';
COMMENT ON COLUMN crm.reco_customer_status.email IS 'E-mail address.';
COMMENT ON COLUMN crm.reco_customer_status.blocked_reason IS 'NULL: may receive recommendations; else email_opt_out, hard_bounce or contact_cap.';
COMMENT ON COLUMN crm.reco_customer_status.recent_contacts IS 'Recommendations sent to the person (any of their customer rows) within contact_window_days.';
GRANT SELECT ON crm.reco_customer_status TO crm_runner;

CREATE TABLE crm.recommendation (
    customer_key  text NOT NULL,
    rank          int NOT NULL,
    product_key   text NOT NULL,
    score         float8 NOT NULL,
    reason        text NOT NULL,
    reason_detail jsonb NOT NULL,
    computed_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- Checked at the end of each statement: a feedback closes up the ranks in one UPDATE.
    PRIMARY KEY (customer_key, rank) DEFERRABLE
);
COMMENT ON TABLE crm.recommendation IS 'Top recommendations per customer (top_n of crm.reco_settings), guardrails applied, each with its reason in French.';
COMMENT ON COLUMN crm.recommendation.customer_key IS 'The customer.';
COMMENT ON COLUMN crm.recommendation.rank IS '1: the best.';
COMMENT ON COLUMN crm.recommendation.product_key IS 'The product recommended.';
COMMENT ON COLUMN crm.recommendation.score IS 'Co-purchase score (sum of recency-weighted shrunk confidences); for a segment best seller, the share of the segment that bought it.';
COMMENT ON COLUMN crm.recommendation.reason IS 'Why, in French: « souvent acheté avec … (n clients, lift x,y) » or « meilleure vente de votre segment (…) ».';
COMMENT ON COLUMN crm.recommendation.reason_detail IS 'The same as data: kind (co_purchase | segment_bestseller), the product it was bought with, counts, lift.';
COMMENT ON COLUMN crm.recommendation.computed_at IS 'When the refresh computed it.';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.recommendation TO crm_runner;

CREATE FUNCTION crm._recommend(customer_key text, settings jsonb,
    OUT customer_key text, OUT rank int, OUT product_key text, OUT score float8, OUT reason text,
    OUT reason_detail jsonb)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_recommend_rows' LANGUAGE C STABLE ROWS 1000;
COMMENT ON FUNCTION crm._recommend(text, jsonb) IS
    'Recommendations computed in C++ for one customer, or every customer when customer_key is NULL; settings from crm._reco_options().';
REVOKE ALL ON FUNCTION crm._recommend(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._recommend(text, jsonb) TO crm_runner;

CREATE FUNCTION crm_recommend(customer_key text, n int DEFAULT 5)
    RETURNS TABLE (rank int, product_key text, product_name text, score float8, reason text)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    status record;
BEGIN
    IF n IS NULL OR n NOT BETWEEN 1 AND 50 THEN
        RAISE EXCEPTION 'n must be from 1 to 50, not %', coalesce(n::text, 'NULL') USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT FROM crm.customers c WHERE c.customer_key = crm_recommend.customer_key) THEN
        RAISE EXCEPTION 'customer "%" does not exist', customer_key USING ERRCODE = '22023',
            HINT = 'Customer keys are "<source>-<code client>" (crm.customers).';
    END IF;
    SELECT * INTO status FROM crm.reco_customer_status s WHERE s.customer_key = crm_recommend.customer_key;
    IF NOT FOUND THEN
        RAISE NOTICE 'no recommendation for %: no purchase known at the last crm_refresh_analytics()', customer_key;
        RETURN;
    ELSIF status.blocked_reason IS NOT NULL THEN
        RAISE NOTICE 'no recommendation for %: %', customer_key, status.blocked_reason;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT x.rank, x.product_key, c.name, x.score, x.reason
      FROM crm._recommend(crm_recommend.customer_key, crm._reco_options(n)) x
      LEFT JOIN crm.product_catalog c ON c.product_key = x.product_key
     ORDER BY x.rank;
END
$$;
COMMENT ON FUNCTION crm_recommend(text, int) IS
    'The n best products for one customer now, ranked as crm.recommendation ranks them, guardrails applied, with the '
    'reason in French. A customer who may not receive any (opt-out, bounce, contact cap) gets none, and a NOTICE says why.';
REVOKE ALL ON FUNCTION crm_recommend(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_recommend(text, int) TO crm_runner;

CREATE SEQUENCE crm.reco_feedback_seq;
GRANT USAGE ON SEQUENCE crm.reco_feedback_seq TO crm_runner;
COMMENT ON SEQUENCE crm.reco_feedback_seq IS 'Numbers the feedback rows of crm_reco_feedback in crm.contact_history.';

CREATE FUNCTION crm_reco_feedback(customer_key text, product_key text, verdict text) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    key text;
    suggested record;
BEGIN
    IF verdict IS NULL OR verdict NOT IN ('bad', 'sent', 'bought') THEN
        RAISE EXCEPTION 'verdict must be bad, sent or bought, not %', coalesce('"' || verdict || '"', 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT FROM crm.customers c WHERE c.customer_key = crm_reco_feedback.customer_key) THEN
        RAISE EXCEPTION 'customer "%" does not exist', customer_key USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT FROM crm.product_catalog p WHERE p.product_key = crm_reco_feedback.product_key) THEN
        RAISE EXCEPTION 'product "%" does not exist', product_key USING ERRCODE = '22023';
    END IF;
    SELECT r.rank, r.reason INTO suggested FROM crm.recommendation r
     WHERE r.customer_key = crm_reco_feedback.customer_key AND r.product_key = crm_reco_feedback.product_key;
    key := 'pg_crm-reco-' || pg_catalog.nextval('crm.reco_feedback_seq');
    INSERT INTO crm.contact_history (contact_key, customer_key, email, date_contact, channel, campaign, subject, status,
                                     product_suggested, source)
    SELECT key, c.customer_key, c.email, pg_catalog.now(), 'email', 'recommendation', suggested.reason, verdict,
           crm_reco_feedback.product_key, 'pg_crm'
      FROM crm.customers c WHERE c.customer_key = crm_reco_feedback.customer_key;
    -- A rejected wine leaves the customer's list at once; the ranks close up.
    IF verdict = 'bad' AND suggested.rank IS NOT NULL THEN
        DELETE FROM crm.recommendation r
         WHERE r.customer_key = crm_reco_feedback.customer_key AND r.rank = suggested.rank;
        UPDATE crm.recommendation r SET rank = r.rank - 1
         WHERE r.customer_key = crm_reco_feedback.customer_key AND r.rank > suggested.rank;
    END IF;
    RETURN key;
END
$$;
COMMENT ON FUNCTION crm_reco_feedback(text, text, text) IS
    'Records what became of a recommendation in crm.contact_history (status = verdict, product_suggested): sent (counts '
    'towards the contact cap), bought, or bad (never recommended to that customer again; removed from '
    'crm.recommendation at once). Returns the contact_key.';
REVOKE ALL ON FUNCTION crm_reco_feedback(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_reco_feedback(text, text, text) TO crm_runner;

-- The canonical model (curated, schema crm) and the raw tables exports land
-- in first (schema crm_raw). crm.sales_lines is in 40_sales_lines.sql.
--
-- Raw rows are immutable and carry the load that brought them: crm_load
-- records the load in crm_raw.load, and the raw tables' load_id defaults to
-- that identity's current value in the session, so no row needs rewriting.
-- Rows are only ever appended and read a load at a time: a BRIN index on
-- load_id finds a load (loads are contiguous), and no primary key is kept
-- up to date for rows nobody looks up one by one (a third of a load's cost).

CREATE TABLE crm.product_catalog (
    product_key   text PRIMARY KEY,
    source        text NOT NULL,
    source_id     text NOT NULL,
    name          text,
    name_key      text,
    colour        text,
    appellation   text,
    region        text,
    vintage       int,
    volume_cl     numeric,
    packaging     text,
    price_segment text,
    list_price    numeric(14,2),
    cost_price    numeric(14,2),
    active        boolean,
    updated_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE crm.product_catalog IS 'Curated products (référentiel produits), one per source product, keyed "<source>-<id>".';
COMMENT ON COLUMN crm.product_catalog.product_key IS 'Stable key: "<source>-<reference>".';
COMMENT ON COLUMN crm.product_catalog.source IS 'Source name (crm.source).';
COMMENT ON COLUMN crm.product_catalog.source_id IS 'The product''s reference in the source (Réf.).';
COMMENT ON COLUMN crm.product_catalog.name IS 'Désignation as exported.';
COMMENT ON COLUMN crm.product_catalog.name_key IS 'crm_normalize_key(name): the same wine whatever the spelling.';
COMMENT ON COLUMN crm.product_catalog.colour IS 'Couleur (Rouge, Blanc, Rosé, Effervescent...).';
COMMENT ON COLUMN crm.product_catalog.appellation IS 'Appellation (AOC/AOP).';
COMMENT ON COLUMN crm.product_catalog.region IS 'Région, when exported.';
COMMENT ON COLUMN crm.product_catalog.vintage IS 'Millésime; NULL for non-vintage (NM).';
COMMENT ON COLUMN crm.product_catalog.volume_cl IS 'Contenance in cl of one bottle or container.';
COMMENT ON COLUMN crm.product_catalog.packaging IS 'Conditionnement as exported.';
COMMENT ON COLUMN crm.product_catalog.price_segment IS 'Price band of the list price: entrée (< 10 €), cœur (10-25 €), premium (25-60 €), prestige.';
COMMENT ON COLUMN crm.product_catalog.list_price IS 'Prix de vente HT, euros.';
COMMENT ON COLUMN crm.product_catalog.cost_price IS 'Prix d''achat HT, euros.';
COMMENT ON COLUMN crm.product_catalog.active IS 'Still sold (Actif).';
COMMENT ON COLUMN crm.product_catalog.updated_at IS 'When a sync last changed the row.';

CREATE TABLE crm.customers (
    customer_key    text PRIMARY KEY,
    source          text NOT NULL,
    source_id       text NOT NULL,
    civility        text,
    first_name      text,
    last_name       text,
    company         text,
    email           text,
    phone           text,
    zip             text,
    city            text,
    country         text,
    segment         text,
    email_opt_out   boolean NOT NULL DEFAULT false,
    bounced         boolean NOT NULL DEFAULT false,
    first_purchase  date,
    last_purchase   date,
    purchase_count  int NOT NULL DEFAULT 0,
    total_spent     numeric(14,2) NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX customers_email_idx ON crm.customers (email);
COMMENT ON TABLE crm.customers IS 'Curated customers (fichier clients), one per source customer, keyed "<source>-<id>".';
COMMENT ON COLUMN crm.customers.customer_key IS 'Stable key: "<source>-<code client>".';
COMMENT ON COLUMN crm.customers.source IS 'Source name (crm.source).';
COMMENT ON COLUMN crm.customers.source_id IS 'Code client in the source.';
COMMENT ON COLUMN crm.customers.civility IS 'Civilité (M., Mme...).';
COMMENT ON COLUMN crm.customers.first_name IS 'Prénom.';
COMMENT ON COLUMN crm.customers.last_name IS 'Nom.';
COMMENT ON COLUMN crm.customers.company IS 'Société, for professional customers (CHR, cavistes).';
COMMENT ON COLUMN crm.customers.email IS 'E-mail, normalised (crm_normalize_email); NULL when invalid.';
COMMENT ON COLUMN crm.customers.phone IS 'Téléphone in E.164 (crm_normalize_phone); NULL when invalid.';
COMMENT ON COLUMN crm.customers.zip IS 'Code postal.';
COMMENT ON COLUMN crm.customers.city IS 'Ville.';
COMMENT ON COLUMN crm.customers.country IS 'Pays.';
COMMENT ON COLUMN crm.customers.segment IS 'Catégorie client as exported (Particulier, CHR, Caviste...).';
COMMENT ON COLUMN crm.customers.email_opt_out IS 'Unsubscribed or blacklisted for e-mail (from Brevo): never e-mailed.';
COMMENT ON COLUMN crm.customers.bounced IS 'Hard bounce (from Brevo): the address does not work.';
COMMENT ON COLUMN crm.customers.first_purchase IS 'Date of the first sales line.';
COMMENT ON COLUMN crm.customers.last_purchase IS 'Date of the last sales line.';
COMMENT ON COLUMN crm.customers.purchase_count IS 'Number of orders (not lines).';
COMMENT ON COLUMN crm.customers.total_spent IS 'Sum of the sales lines'' amounts HT, euros.';
COMMENT ON COLUMN crm.customers.updated_at IS 'When a sync last changed the row.';

CREATE TABLE crm.stock_levels (
    product_key    text NOT NULL,
    warehouse      text NOT NULL,
    quantity_units numeric NOT NULL,
    bottles_75cl   numeric,
    reserved       numeric NOT NULL DEFAULT 0,
    available      numeric GENERATED ALWAYS AS (quantity_units - reserved) STORED,
    counted_at     date,
    source         text NOT NULL,
    PRIMARY KEY (product_key, warehouse)
);
COMMENT ON TABLE crm.stock_levels IS 'Curated stock (état des stocks) per product and warehouse, as of the last export.';
COMMENT ON COLUMN crm.stock_levels.product_key IS 'The product (crm.product_catalog).';
COMMENT ON COLUMN crm.stock_levels.warehouse IS 'Entrepôt (chai, dépôt).';
COMMENT ON COLUMN crm.stock_levels.quantity_units IS 'Units in stock, in the product''s packaging.';
COMMENT ON COLUMN crm.stock_levels.bottles_75cl IS 'Stock in 75 cl bottle equivalents; NULL when the packaging is not recognised.';
COMMENT ON COLUMN crm.stock_levels.reserved IS 'Units reserved by open orders.';
COMMENT ON COLUMN crm.stock_levels.available IS 'quantity_units - reserved.';
COMMENT ON COLUMN crm.stock_levels.counted_at IS 'Date inventaire.';
COMMENT ON COLUMN crm.stock_levels.source IS 'Source name (crm.source).';

GRANT SELECT ON crm.product_catalog, crm.customers, crm.stock_levels TO crm_runner;

-- Raw: one table per entity, columns named after the canonical fields that
-- crm._export_columns maps the export's headers to; values typed as crm_load
-- converts them (French numbers and dates), unreadable rows in crm_raw.reject.
CREATE TABLE crm_raw.customers (
    raw_id bigint GENERATED ALWAYS AS IDENTITY,
    load_id bigint NOT NULL DEFAULT pg_catalog.currval('crm_raw.load_load_id_seq'::pg_catalog.regclass),
    source_id text, civility text, last_name text, first_name text, company text, email text, phone text,
    address text, zip text, city text, country text, created_at date, segment text, email_opt_out boolean
);
CREATE TABLE crm_raw.products (
    raw_id bigint GENERATED ALWAYS AS IDENTITY,
    load_id bigint NOT NULL DEFAULT pg_catalog.currval('crm_raw.load_load_id_seq'::pg_catalog.regclass),
    source_id text, name text, colour text, appellation text, region text, vintage text, packaging text,
    volume text, list_price numeric, cost_price numeric, active boolean
);
CREATE TABLE crm_raw.sales (
    raw_id bigint GENERATED ALWAYS AS IDENTITY,
    load_id bigint NOT NULL DEFAULT pg_catalog.currval('crm_raw.load_load_id_seq'::pg_catalog.regclass),
    order_id text, date_sale date, customer_id text, product_id text, product_name text, quantity numeric,
    packaging text, price_unit numeric, discount_pct numeric, price_total numeric, channel text, line_id text
);
CREATE TABLE crm_raw.stock (
    raw_id bigint GENERATED ALWAYS AS IDENTITY,
    load_id bigint NOT NULL DEFAULT pg_catalog.currval('crm_raw.load_load_id_seq'::pg_catalog.regclass),
    product_id text, product_name text, warehouse text, quantity numeric, reserved numeric, counted_at date
);
CREATE INDEX customers_load_idx ON crm_raw.customers USING brin (load_id);
CREATE INDEX products_load_idx ON crm_raw.products USING brin (load_id);
CREATE INDEX sales_load_idx ON crm_raw.sales USING brin (load_id);
CREATE INDEX stock_load_idx ON crm_raw.stock USING brin (load_id);
GRANT SELECT, INSERT, DELETE ON crm_raw.customers, crm_raw.products, crm_raw.sales, crm_raw.stock TO crm_runner;
GRANT USAGE ON SEQUENCE crm_raw.load_load_id_seq TO crm_runner;
COMMENT ON TABLE crm_raw.customers IS 'Customer exports as loaded, one row per line, tagged with load_id; never updated.';
COMMENT ON TABLE crm_raw.products IS 'Product exports as loaded, one row per line, tagged with load_id; never updated.';
COMMENT ON TABLE crm_raw.sales IS 'Sales exports as loaded, one row per line, tagged with load_id; never updated.';
COMMENT ON TABLE crm_raw.stock IS 'Stock exports as loaded, one row per line, tagged with load_id; never updated.';
DO $comments$
DECLARE
    c record;
    saved text := pg_catalog.current_setting('search_path');
BEGIN
    -- The script runs with the extension's schema on the search path: a
    -- look-alike function planted there must not be what format() calls.
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    -- The raw columns are the canonical fields: one sentence each, said once.
    FOR c IN SELECT a.attrelid::regclass AS rel, a.attname
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid IN ('crm_raw.customers'::regclass, 'crm_raw.products'::regclass,
                                   'crm_raw.sales'::regclass, 'crm_raw.stock'::regclass)
                AND a.attnum > 0 AND NOT a.attisdropped LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.rel, c.attname,
            CASE c.attname
                WHEN 'raw_id' THEN 'Row number in load order.'
                WHEN 'load_id' THEN 'The load (crm_raw.load) that brought the row.'
                WHEN 'email_opt_out' THEN 'E-mail blacklisted at the source (Brevo); NULL when the source does not say.'
                WHEN 'line_id' THEN 'The source''s own line id (Odoo); NULL for exports, whose lines are ranked in their order.'
                ELSE 'Canonical field ' || c.attname || ', from the export column docs/sync.md lists.'
            END);
    END LOOP;
    PERFORM pg_catalog.set_config('search_path', saved, true);
END
$comments$;

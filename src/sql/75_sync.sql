-- crm_sync: a source's new data into the canonical model, in one
-- transaction (readers see the previous state or the new one, never a mix),
-- idempotently (an unchanged export is skipped; unchanged rows are not
-- rewritten), one run at a time per source, and recorded in crm.sync_run.

CREATE TABLE crm.sync_run (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at   timestamptz,
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    options       jsonb NOT NULL DEFAULT '{}',
    result        jsonb,
    error         text,
    cursor_before jsonb,
    cursor_after  jsonb,
    run_by        name NOT NULL DEFAULT SESSION_USER
);
CREATE INDEX sync_run_source_idx ON crm.sync_run (source, started_at);
COMMENT ON TABLE crm.sync_run IS 'History of crm_sync runs: one row per run, kept crm.sync_history_days days.';
COMMENT ON COLUMN crm.sync_run.run_id IS 'Identifies the run.';
COMMENT ON COLUMN crm.sync_run.source IS 'Source synced.';
COMMENT ON COLUMN crm.sync_run.started_at IS 'When the run started.';
COMMENT ON COLUMN crm.sync_run.finished_at IS 'When it ended.';
COMMENT ON COLUMN crm.sync_run.status IS 'succeeded, failed (curated data unchanged), skipped (another run of the source was active) or running.';
COMMENT ON COLUMN crm.sync_run.options IS 'Options given to crm_sync.';
COMMENT ON COLUMN crm.sync_run.result IS 'What crm_sync returned: counts per entity and timings.';
COMMENT ON COLUMN crm.sync_run.error IS 'SQLSTATE and message of a failed run.';
COMMENT ON COLUMN crm.sync_run.cursor_before IS 'The source''s cursor before the run (for files: the SHA-256 of each entity''s last export).';
COMMENT ON COLUMN crm.sync_run.cursor_after IS 'The cursor the run committed with its data.';
COMMENT ON COLUMN crm.sync_run.run_by IS 'Session user (the pg_cron job owner for scheduled runs).';

-- Per source and entity, the input the curated data was last built from.
-- Updated in the same transaction as the data: it never runs ahead of it.
CREATE TABLE crm.sync_cursor (
    source     text NOT NULL,
    entity     text NOT NULL,
    cursor     jsonb NOT NULL,
    line_fingerprints bytea,
    updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source, entity)
);
COMMENT ON TABLE crm.sync_cursor IS 'Where each source''s entities stand: the export (file, SHA-256, load) the curated rows come from.';
COMMENT ON COLUMN crm.sync_cursor.source IS 'Source name.';
COMMENT ON COLUMN crm.sync_cursor.entity IS 'customers, products, sales, stock or contact_history.';
COMMENT ON COLUMN crm.sync_cursor.cursor IS '{"file", "sha256", "load_id"} for exports; {"resource", "since", "load_id"} for APIs (since: the largest update time read, in the vendor''s format).';
COMMENT ON COLUMN crm.sync_cursor.line_fingerprints IS 'Sales exports: 8 bytes per line of the export loaded (its rank and fields, hashed), so that the next export loads only the lines that differ.';
COMMENT ON COLUMN crm.sync_cursor.updated_at IS 'When it last moved.';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.sync_run, crm.sync_cursor TO crm_runner;
GRANT INSERT, UPDATE, DELETE ON crm.product_catalog, crm.customers, crm.stock_levels, crm.sales_lines TO crm_runner;

CREATE FUNCTION crm._export_files(directory text, OUT path text, OUT file text, OUT entity text, OUT size bigint,
                                  OUT modified timestamptz)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'crm_export_files' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm._export_files(text) IS
    'Internal: the regular files of a directory in crm.allowed_read_paths, with the entity their name says.';
CREATE FUNCTION crm._load_export_lines(path text, target regclass, options jsonb, previous bytea,
                                       OUT report jsonb, OUT line_fingerprints bytea)
    AS 'MODULE_PATHNAME', 'crm_load_export_lines' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm._load_export_lines(text, regclass, jsonb, bytea) IS
    'Internal: crm_load of a sales export with line keys (order-rank) in the column mapped to "pg_crm line key"; '
    'loads only the lines whose fingerprint is not in previous, and returns the fingerprints of all.';
CREATE FUNCTION crm._file_sha256(path text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_file_sha256' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm._file_sha256(text) IS 'Internal: SHA-256 of a file in crm.allowed_read_paths.';
CREATE FUNCTION crm._export_columns(path text, entity text, mapping jsonb, read_options jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_export_columns' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crm._export_columns(text, text, jsonb, jsonb) IS
    'Internal: {"columns": {field: header}, "missing": [...], "unused": [...]} for an export''s header.';
REVOKE ALL ON FUNCTION crm._export_files(text), crm._file_sha256(text), crm._export_columns(text, text, jsonb, jsonb),
    crm._load_export_lines(text, regclass, jsonb, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._export_files(text), crm._file_sha256(text), crm._export_columns(text, text, jsonb, jsonb),
    crm._load_export_lines(text, regclass, jsonb, bytea) TO crm_runner;

-- The crash tests' hook: with crm.enable_test_functions on and
-- crm.test_pause_at naming this point, the run sleeps there so that a test
-- can kill the backend at a known step. A no-op otherwise.
CREATE FUNCTION crm._test_pause(point text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF pg_catalog.current_setting('crm.enable_test_functions')::boolean
       AND pg_catalog.current_setting('crm.test_pause_at') = point THEN
        PERFORM pg_catalog.pg_sleep(60);
    END IF;
END
$$;
COMMENT ON FUNCTION crm._test_pause(text) IS 'Internal: where crm_sync pauses for the crash tests (crm.test_pause_at).';

-- Moves an entity's cursor, in the run's transaction: it never runs ahead
-- of the data it describes.
CREATE FUNCTION crm._move_cursor(source text, entity text, cursor jsonb, line_fingerprints bytea DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO crm.sync_cursor AS c (source, entity, cursor, line_fingerprints)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT ON CONSTRAINT sync_cursor_pkey DO UPDATE
       SET cursor = EXCLUDED.cursor, line_fingerprints = EXCLUDED.line_fingerprints, updated_at = pg_catalog.now();
$$;
COMMENT ON FUNCTION crm._move_cursor(text, text, jsonb, bytea) IS 'Internal: records where an entity of a source now stands.';

-- The counts of an entity whose input did not change since load_id.
CREATE FUNCTION crm._skipped_entity(load_id text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT jsonb_build_object('skipped', 'unchanged since load ' || $1,
                              'read', 0, 'inserted', 0, 'updated', 0, 'unchanged', 0, 'rejected', 0)
$$;
COMMENT ON FUNCTION crm._skipped_entity(text) IS 'Internal: the result of an entity crm_sync skipped as unchanged.';

-- Loads one export into its raw table; returns its load report with the
-- header mapping, or raises when a required field has no column (unless it
-- is one of `supplied`: a "files" source fills it from a constant or from
-- another file of the entity). A sales export with an order column is
-- loaded with line keys, and only its lines missing from `previous` (the
-- fingerprints of the last export loaded) are stored; line_fingerprints
-- are then this export's.
CREATE FUNCTION crm._load_export(path text, entity text, config jsonb, supplied text[] DEFAULT '{}',
                                 previous bytea DEFAULT NULL, OUT report jsonb, OUT line_fingerprints bytea)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    mapping jsonb := crm._export_columns(path, entity, config -> 'mapping', coalesce(config -> 'read_options', '{}'));
    options jsonb := coalesce(config -> 'read_options', '{}')
                     || jsonb_build_object('columns', mapping -> 'columns', 'on_error', 'quarantine');
    target regclass := format('crm_raw.%I', entity)::regclass;
    missing text;
BEGIN
    SELECT string_agg(f, ', ') INTO missing
      FROM jsonb_array_elements_text(mapping -> 'missing') AS f WHERE f <> ALL (supplied);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION '% (%) has no column for %', path, entity, missing
            USING ERRCODE = '22023',
                  HINT = 'Name the header in the source config: "mapping": {"' || entity || '": {"<field>": "<header>"}}.';
    END IF;
    IF entity = 'sales' AND mapping -> 'columns' ? 'order_id' THEN
        options := jsonb_set(options, '{columns,line_id}', '"pg_crm line key"');
        SELECT l.report, l.line_fingerprints INTO report, line_fingerprints
          FROM crm._load_export_lines(path, target, options, previous) l;
    ELSE
        report := @extschema@.crm_load(path, target, options);
    END IF;
    report := report || jsonb_build_object('unused_headers', mapping -> 'unused');
END
$$;
COMMENT ON FUNCTION crm._load_export(text, text, jsonb, text[], bytea) IS
    'Internal: one export into its crm_raw table (quarantine on); sales lines keyed and loaded incrementally.';

-- Merges one raw load into the curated table of its entity. Returns
-- {"inserted", "updated", "unchanged"}; rows whose values did not change are
-- not rewritten (no dead tuples, no WAL, updated_at kept).
-- JIT is off: these statements spend their time writing rows and index
-- entries, and compiling each big one cost more than it saved (measured).
CREATE FUNCTION crm._merge_export(source text, entity text, load_id bigint) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off
    AS $$
DECLARE
    changed record;
    total bigint;
    lines_inserted bigint := 0;
    lines_updated bigint := 0;
    prefix text := source || '-';
BEGIN
    IF entity = 'products' THEN
        WITH src AS (
            SELECT DISTINCT ON (r.source_id)
                   prefix || r.source_id AS product_key, r.source_id, r.name,
                   @extschema@.crm_normalize_key(r.name) AS name_key, r.colour, r.appellation, r.region,
                   CASE WHEN r.vintage ~ '^\d{4}$' THEN r.vintage::int END AS vintage,
                   (@extschema@.crm_parse_packaging(r.volume) ->> 'volume_cl')::numeric AS volume_cl, r.packaging,
                   CASE WHEN r.list_price IS NULL THEN NULL WHEN r.list_price < 10 THEN 'entrée'
                        WHEN r.list_price < 25 THEN 'cœur' WHEN r.list_price < 60 THEN 'premium' ELSE 'prestige' END
                       AS price_segment,
                   round(r.list_price, 2) AS list_price, round(r.cost_price, 2) AS cost_price,
                   coalesce(r.active, true) AS active
              FROM crm_raw.products r
             WHERE r.load_id = _merge_export.load_id AND r.source_id IS NOT NULL
             ORDER BY r.source_id, r.raw_id DESC),
        up AS (
            INSERT INTO crm.product_catalog AS t (product_key, source, source_id, name, name_key, colour, appellation,
                                                  region, vintage, volume_cl, packaging, price_segment, list_price,
                                                  cost_price, active)
            SELECT product_key, _merge_export.source, source_id, name, name_key, colour, appellation, region, vintage,
                   volume_cl, packaging, price_segment, list_price, cost_price, active FROM src
            ON CONFLICT (product_key) DO UPDATE
               SET name = EXCLUDED.name, name_key = EXCLUDED.name_key, colour = EXCLUDED.colour,
                   appellation = EXCLUDED.appellation, region = EXCLUDED.region, vintage = EXCLUDED.vintage,
                   volume_cl = EXCLUDED.volume_cl, packaging = EXCLUDED.packaging,
                   price_segment = EXCLUDED.price_segment, list_price = EXCLUDED.list_price,
                   cost_price = EXCLUDED.cost_price, active = EXCLUDED.active, updated_at = pg_catalog.now()
             WHERE (t.name, t.colour, t.appellation, t.region, t.vintage, t.volume_cl, t.packaging, t.list_price,
                    t.cost_price, t.active)
                   IS DISTINCT FROM
                   (EXCLUDED.name, EXCLUDED.colour, EXCLUDED.appellation, EXCLUDED.region, EXCLUDED.vintage,
                    EXCLUDED.volume_cl, EXCLUDED.packaging, EXCLUDED.list_price, EXCLUDED.cost_price, EXCLUDED.active)
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
               (SELECT count(*) FROM src) AS total
          INTO changed FROM up;
    ELSIF entity = 'customers' THEN
        WITH src AS (
            SELECT DISTINCT ON (r.source_id)
                   prefix || r.source_id AS customer_key, r.source_id, r.civility, r.first_name, r.last_name, r.company,
                   @extschema@.crm_normalize_email(r.email) AS email, @extschema@.crm_normalize_phone(r.phone) AS phone,
                   r.zip, r.city, r.country, r.segment
              FROM crm_raw.customers r
             WHERE r.load_id = _merge_export.load_id AND r.source_id IS NOT NULL
             ORDER BY r.source_id, r.raw_id DESC),
        up AS (
            INSERT INTO crm.customers AS t (customer_key, source, source_id, civility, first_name, last_name, company,
                                            email, phone, zip, city, country, segment)
            SELECT customer_key, _merge_export.source, source_id, civility, first_name, last_name, company, email,
                   phone, zip, city, country, segment FROM src
            ON CONFLICT (customer_key) DO UPDATE
               SET civility = EXCLUDED.civility, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                   company = EXCLUDED.company, email = EXCLUDED.email, phone = EXCLUDED.phone, zip = EXCLUDED.zip,
                   city = EXCLUDED.city, country = EXCLUDED.country, segment = EXCLUDED.segment,
                   updated_at = pg_catalog.now()
             WHERE (t.civility, t.first_name, t.last_name, t.company, t.email, t.phone, t.zip, t.city, t.country,
                    t.segment)
                   IS DISTINCT FROM
                   (EXCLUDED.civility, EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.company, EXCLUDED.email,
                    EXCLUDED.phone, EXCLUDED.zip, EXCLUDED.city, EXCLUDED.country, EXCLUDED.segment)
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
               (SELECT count(*) FROM src) AS total
          INTO changed FROM up;
    ELSIF entity = 'sales' THEN
        -- A line is identified by its line_id: the source's own (Odoo), or
        -- for an export its order and its rank in the order, given at load
        -- time; cost and margin come from the catalogue.
        -- The house packaging rules are looked up once per distinct label,
        -- not once per line: the same result as crm_bottles_75cl_with_rules.
        -- Only lines that are new or differ from their curated version are
        -- kept for writing: a rerun with 1% of the lines changed writes 1%.
        IF to_regclass('pg_temp.crm_sales_merge') IS NOT NULL THEN
            DROP TABLE pg_temp.crm_sales_merge;
        END IF;
        -- The load's mergeable lines as a temp table with statistics of its
        -- own: those of crm_raw.sales never know the newest load, and a plan
        -- made for one line where there are a million is quadratic.
        IF to_regclass('pg_temp.crm_sales_load') IS NOT NULL THEN
            DROP TABLE pg_temp.crm_sales_load;
        END IF;
        CREATE TEMP TABLE crm_sales_load ON COMMIT DROP AS
        SELECT r.* FROM crm_raw.sales r
         WHERE r.load_id = _merge_export.load_id AND r.line_id IS NOT NULL AND r.order_id IS NOT NULL
           AND r.date_sale IS NOT NULL AND r.quantity IS NOT NULL;
        ANALYZE pg_temp.crm_sales_load;
        CREATE TEMP TABLE crm_sales_merge ON COMMIT DROP AS
        WITH labels AS (
            SELECT l.packaging, pr.units, pr.volume_cl
              FROM (SELECT DISTINCT r.packaging FROM pg_temp.crm_sales_load r WHERE r.packaging IS NOT NULL) l
              LEFT JOIN crm.packaging_rule pr ON pr.pattern_key = @extschema@.crm_normalize_key(l.packaging)),
        src AS (
            SELECT prefix || r.line_id AS sale_line_key,
                   prefix || r.order_id AS order_key, prefix || r.customer_id AS customer_key,
                   prefix || r.product_id AS product_key, r.date_sale, r.quantity AS quantity_units, r.packaging,
                   CASE WHEN lb.units IS NOT NULL THEN trim_scale(round(r.quantity * lb.units * lb.volume_cl / 75, 3))
                        ELSE @extschema@.crm_bottles_75cl(r.quantity, r.packaging) END AS bottles_75cl,
                   round(r.price_unit, 2) AS price_unit, r.discount_pct, r.price_total, r.channel
              FROM pg_temp.crm_sales_load r LEFT JOIN labels lb ON lb.packaging = r.packaging),
        -- A line without a unit price (a web sales summary) is priced at
        -- the catalogue's list price.
        priced AS (
            SELECT s.sale_line_key, s.order_key, s.customer_key, s.product_key, s.date_sale, s.quantity_units,
                   s.packaging, s.bottles_75cl, coalesce(s.price_unit, p.list_price) AS price_unit,
                   round(coalesce(s.price_total, s.quantity_units * coalesce(s.price_unit, p.list_price)
                                                 * (1 - coalesce(s.discount_pct, 0) / 100)), 2) AS price_total,
                   s.channel, p.cost_price
              FROM src s LEFT JOIN crm.product_catalog p ON p.product_key = s.product_key),
        costed AS (
            SELECT s.sale_line_key, s.order_key, s.customer_key, s.product_key, s.date_sale, s.quantity_units,
                   s.packaging, s.bottles_75cl, s.price_unit, s.price_total, s.channel,
                   round(s.quantity_units * s.cost_price, 2) AS cost_total,
                   s.price_total - round(s.quantity_units * s.cost_price, 2) AS margin
              FROM priced s)
        -- Whether a line is new is decided here, once: the INSERT below
        -- must not look up the table it fills (planned while it was empty,
        -- such a lookup scans it again for every line).
        SELECT n.*, t.sale_line_key IS NULL AS is_new, t.customer_key AS old_customer_key
          FROM costed n LEFT JOIN crm.sales_lines t ON t.sale_line_key = n.sale_line_key
         WHERE t.sale_line_key IS NULL
            OR (t.customer_key, t.product_key, t.date_sale, t.quantity_units, t.packaging, t.bottles_75cl,
                t.price_unit, t.price_total, t.cost_total, t.channel)
               IS DISTINCT FROM
               (n.customer_key, n.product_key, n.date_sale, n.quantity_units, n.packaging, n.bottles_75cl,
                n.price_unit, n.price_total, n.cost_total, n.channel);
        -- Statistics for the statements below: they join on this table.
        ANALYZE pg_temp.crm_sales_merge;
        -- Customers whose purchase figures may change: those of the lines
        -- about to be written, before and after.
        IF to_regclass('pg_temp.crm_touched') IS NOT NULL THEN
            DROP TABLE pg_temp.crm_touched;
        END IF;
        CREATE TEMP TABLE crm_touched ON COMMIT DROP AS
        SELECT n.customer_key FROM pg_temp.crm_sales_merge n WHERE n.customer_key IS NOT NULL
        UNION
        SELECT n.old_customer_key FROM pg_temp.crm_sales_merge n WHERE n.old_customer_key IS NOT NULL;
        UPDATE crm.sales_lines t
           SET customer_key = n.customer_key, product_key = n.product_key, date_sale = n.date_sale,
               quantity_units = n.quantity_units, packaging = n.packaging, bottles_75cl = n.bottles_75cl,
               price_unit = n.price_unit, price_total = n.price_total, cost_total = n.cost_total, margin = n.margin,
               channel = n.channel
          FROM pg_temp.crm_sales_merge n
         WHERE NOT n.is_new AND t.sale_line_key = n.sale_line_key;
        GET DIAGNOSTICS lines_updated = ROW_COUNT;
        -- The source's advisory lock keeps its keys to this run: no ON CONFLICT needed.
        INSERT INTO crm.sales_lines (sale_line_key, order_key, customer_key, product_key, date_sale, quantity_units,
                                     packaging, bottles_75cl, price_unit, price_total, cost_total, margin, channel,
                                     source)
        SELECT n.sale_line_key, n.order_key, n.customer_key, n.product_key, n.date_sale, n.quantity_units,
               n.packaging, n.bottles_75cl, n.price_unit, n.price_total, n.cost_total, n.margin, n.channel,
               _merge_export.source
          FROM pg_temp.crm_sales_merge n
         WHERE n.is_new;
        GET DIAGNOSTICS lines_inserted = ROW_COUNT;
        SELECT lines_inserted AS inserted, lines_updated AS updated, count(*) AS total INTO changed
          FROM pg_temp.crm_sales_load;
        PERFORM crm._test_pause('mid_merge');
        -- Also this source's customers without figures yet: added since
        -- their lines were loaded.
        INSERT INTO pg_temp.crm_touched
        SELECT c.customer_key FROM crm.customers c
         WHERE c.source = _merge_export.source AND c.purchase_count = 0
        EXCEPT SELECT k.customer_key FROM pg_temp.crm_touched k;
        ANALYZE pg_temp.crm_touched;
        UPDATE crm.customers c
           SET first_purchase = a.first_purchase, last_purchase = a.last_purchase,
               purchase_count = a.purchase_count, total_spent = a.total_spent
          -- One index lookup per touched customer: a rerun that touched 1%
          -- of the customers reads their lines, not every line.
          FROM (SELECT k.customer_key, t.first_purchase, t.last_purchase, t.purchase_count, t.total_spent
                  FROM pg_temp.crm_touched k
                 CROSS JOIN LATERAL (
                       SELECT min(l.date_sale) AS first_purchase, max(l.date_sale) AS last_purchase,
                              count(DISTINCT l.order_key)::int AS purchase_count,
                              coalesce(sum(l.price_total), 0) AS total_spent
                         FROM crm.sales_lines l WHERE l.customer_key = k.customer_key) t) a
         WHERE c.customer_key = a.customer_key
           AND (c.first_purchase, c.last_purchase, c.purchase_count, c.total_spent)
               IS DISTINCT FROM (a.first_purchase, a.last_purchase, a.purchase_count, a.total_spent);
    ELSIF entity = 'stock' THEN
        -- A stock export is a snapshot: rows it no longer lists are gone.
        WITH src AS (
            SELECT DISTINCT ON (r.product_id, r.warehouse)
                   prefix || r.product_id AS product_key, r.warehouse, r.quantity, coalesce(r.reserved, 0) AS reserved,
                   r.counted_at
              FROM crm_raw.stock r
             WHERE r.load_id = _merge_export.load_id AND r.product_id IS NOT NULL AND r.warehouse IS NOT NULL
               AND r.quantity IS NOT NULL
             ORDER BY r.product_id, r.warehouse, r.raw_id DESC),
        priced AS (
            SELECT s.*, @extschema@.crm_bottles_75cl_with_rules(s.quantity, p.packaging) AS bottles_75cl
              FROM src s LEFT JOIN crm.product_catalog p ON p.product_key = s.product_key),
        up AS (
            INSERT INTO crm.stock_levels AS t (product_key, warehouse, quantity_units, bottles_75cl, reserved,
                                               counted_at, source)
            SELECT product_key, warehouse, quantity, bottles_75cl, reserved, counted_at, _merge_export.source
              FROM priced
            ON CONFLICT (product_key, warehouse) DO UPDATE
               SET quantity_units = EXCLUDED.quantity_units, bottles_75cl = EXCLUDED.bottles_75cl,
                   reserved = EXCLUDED.reserved, counted_at = EXCLUDED.counted_at
             WHERE (t.quantity_units, t.bottles_75cl, t.reserved, t.counted_at)
                   IS DISTINCT FROM (EXCLUDED.quantity_units, EXCLUDED.bottles_75cl, EXCLUDED.reserved,
                                     EXCLUDED.counted_at)
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
               (SELECT count(*) FROM src) AS total
          INTO changed FROM up;
        DELETE FROM crm.stock_levels t
         WHERE t.source = _merge_export.source
           AND NOT EXISTS (SELECT 1 FROM crm_raw.stock r
                            WHERE r.load_id = _merge_export.load_id AND prefix || r.product_id = t.product_key
                              AND r.warehouse = t.warehouse);
    END IF;
    -- Rows of the load that did not become a curated row (no key, or a
    -- later row with the same key won) are counted, never silently lost.
    EXECUTE format('SELECT count(*) FROM crm_raw.%I WHERE load_id = $1', entity) INTO total USING load_id;
    RETURN jsonb_build_object('inserted', changed.inserted, 'updated', changed.updated,
                              'unchanged', changed.total - changed.inserted - changed.updated,
                              'not_merged', total - changed.total);
END
$$;
COMMENT ON FUNCTION crm._merge_export(text, text, bigint) IS
    'Internal: one raw load into its curated table; returns inserted, updated and unchanged counts.';

-- The work of one isavigne run, inside crm_sync's subtransaction. Entities
-- go in dependency order: products (costs), customers, sales, stock.
CREATE FUNCTION crm._sync_exports(source text, config jsonb, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ent text;
    newest jsonb;
    export jsonb;
    sha text;
    previous record;
    loaded record;
    config_md5 text := md5(jsonb_build_object('mapping', config -> 'mapping', 'read_options', config -> 'read_options')::text);
    counts jsonb;
    entities jsonb := '{}';
    full_reload boolean := coalesce((options ->> 'full')::boolean, false);
BEGIN
    -- The newest export of each entity in the directory, listed once.
    SELECT jsonb_object_agg(f.entity, jsonb_build_object('path', f.path, 'file', f.file)) INTO newest
      FROM (SELECT DISTINCT ON (e.entity) e.entity, e.path, e.file
              FROM crm._export_files(config ->> 'directory') AS e
             WHERE e.entity IS NOT NULL
             ORDER BY e.entity, e.modified DESC, e.file DESC) AS f;
    FOREACH ent IN ARRAY ARRAY['products', 'customers', 'sales', 'stock'] LOOP
        export := newest -> ent;
        IF export IS NULL THEN
            entities := entities || jsonb_build_object(ent, jsonb_build_object('file', NULL));
            CONTINUE;
        END IF;
        sha := crm._file_sha256(export ->> 'path');
        SELECT c.cursor, c.line_fingerprints INTO previous FROM crm.sync_cursor c
         WHERE c.source = _sync_exports.source AND c.entity = ent;
        IF NOT full_reload AND previous.cursor ->> 'sha256' = sha
           AND previous.cursor ->> 'config_md5' IS NOT DISTINCT FROM config_md5 THEN
            entities := entities || jsonb_build_object(ent, jsonb_build_object('file', export ->> 'file')
                                                            || crm._skipped_entity(previous.cursor ->> 'load_id'));
            CONTINUE;
        END IF;
        RAISE NOTICE 'crm_sync %: loading % (%)', source, export ->> 'file', ent;
        -- What another session sees in pg_stat_activity.application_name.
        PERFORM pg_catalog.set_config('application_name',
                                      left(format('crm_sync %s: %s %s', source, ent, export ->> 'file'), 63), true);
        -- Sales lines the previous export had, unchanged and in the same
        -- place, are not loaded again (unless the config changed or full).
        loaded := crm._load_export(export ->> 'path', ent, config, '{}',
                                   CASE WHEN NOT full_reload AND previous.cursor ->> 'config_md5' = config_md5
                                        THEN previous.line_fingerprints END);
        IF ent = 'sales' THEN
            PERFORM crm._test_pause('after_load');
        END IF;
        counts := crm._merge_export(source, ent, (loaded.report ->> 'load_id')::bigint);
        counts := counts || jsonb_build_object('unchanged', (counts ->> 'unchanged')::bigint
                                                            + coalesce((loaded.report ->> 'rows_unchanged')::bigint, 0));
        RAISE NOTICE 'crm_sync %: % rows read, % inserted, % updated, % rejected', source,
            loaded.report ->> 'rows_read', counts ->> 'inserted', counts ->> 'updated', loaded.report ->> 'rows_rejected';
        PERFORM crm._move_cursor(source, ent,
                                 jsonb_build_object('file', export ->> 'file', 'sha256', sha,
                                                    'load_id', loaded.report -> 'load_id', 'config_md5', config_md5),
                                 loaded.line_fingerprints);
        entities := entities || jsonb_build_object(ent, counts || jsonb_build_object(
            'file', export ->> 'file', 'load_id', loaded.report -> 'load_id', 'read', loaded.report -> 'rows_read',
            'rejected', loaded.report -> 'rows_rejected', 'unused_headers', loaded.report -> 'unused_headers'));
    END LOOP;
    RETURN entities;
END
$$;
COMMENT ON FUNCTION crm._sync_exports(text, jsonb, jsonb) IS 'Internal: the steps of crm_sync for an isavigne source.';

-- Stages the files of one entity of a "files" source: their raw loads
-- (loads[i] is files[i]'s) become one derived raw load, which is what gets
-- merged. On the way, a file's product or customer ids are translated
-- through its "ids" file (rows without a match are left out, like an inner
-- join), "constants" fill the fields a file lacks, "keep": {"largest": f}
-- keeps one row per key, and the fields of several files are combined per
-- key: the first file (in config order) that has a value wins. Returns the
-- derived load's id; it is recorded in crm_raw.load like any other load.
CREATE FUNCTION crm._stage_files(entity text, files jsonb, loads bigint[]) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    raw_table regclass := format('crm_raw.%I', entity)::regclass;
    key_column text := CASE WHEN entity IN ('products', 'customers') THEN 'source_id' ELSE 'product_id' END;
    group_columns text[] := CASE entity WHEN 'stock' THEN ARRAY['product_id', 'warehouse']
                                        WHEN 'sales' THEN ARRAY['order_id', 'product_id']
                                        ELSE ARRAY['source_id'] END;
    columns text[];
    types text[];
    f jsonb;
    i int;
    ambiguous text;
    picked text;
    staged bigint;
    staged_rows bigint;
BEGIN
    SELECT array_agg(a.attname::text ORDER BY a.attnum), array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
      INTO columns, types
      FROM pg_attribute a
     WHERE a.attrelid = raw_table AND a.attnum > 0 AND NOT a.attisdropped AND a.attname NOT IN ('raw_id', 'load_id');
    IF to_regclass('pg_temp.crm_stage') IS NOT NULL THEN
        DROP TABLE pg_temp.crm_stage;
    END IF;
    EXECUTE format('CREATE TEMP TABLE crm_stage ON COMMIT DROP AS SELECT 0 AS file_no, raw_id, %s FROM %s WITH NO DATA',
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(columns) c), raw_table);
    FOR i IN 1 .. jsonb_array_length(files) LOOP
        f := files -> (i - 1);
        IF f ? 'ids' THEN
            IF to_regclass('pg_temp.crm_ids') IS NOT NULL THEN
                DROP TABLE pg_temp.crm_ids;
            END IF;
            CREATE TEMP TABLE crm_ids ON COMMIT DROP AS
            SELECT DISTINCT d.data ->> (f #>> '{ids,from}') AS from_id, d.data ->> (f #>> '{ids,to}') AS to_id
              FROM @extschema@.crm_read(f #>> '{ids,path}') d
             WHERE d.data ->> (f #>> '{ids,from}') IS NOT NULL AND d.data ->> (f #>> '{ids,to}') IS NOT NULL;
            SELECT min(from_id) INTO ambiguous FROM pg_temp.crm_ids GROUP BY from_id HAVING count(*) > 1 LIMIT 1;
            IF ambiguous IS NOT NULL THEN
                RAISE EXCEPTION '% maps % "%" to more than one %', f #>> '{ids,path}', f #>> '{ids,from}', ambiguous,
                    f #>> '{ids,to}' USING ERRCODE = '22023',
                    HINT = 'An ids file must give each id one translation.';
            END IF;
        END IF;
        -- The file's rows as the curated side will see them.
        picked := format('SELECT %s AS file_no, r.raw_id, %s FROM %s r%s WHERE r.load_id = %s', i,
            (SELECT string_agg(CASE WHEN c = key_column AND f ? 'ids' THEN 'ids.to_id'
                                    WHEN f -> 'constants' ? c AND f -> 'constants' ->> c IS NOT NULL
                                    THEN format('coalesce(r.%I, %L::%s)', c, f -> 'constants' ->> c, t)
                                    ELSE format('r.%I', c) END || ' AS ' || quote_ident(c), ', ' ORDER BY n)
               FROM unnest(columns, types) WITH ORDINALITY AS x(c, t, n)),
            raw_table,
            CASE WHEN f ? 'ids' THEN format(' JOIN pg_temp.crm_ids ids ON ids.from_id = r.%I', key_column) ELSE '' END,
            loads[i]);
        IF f #>> '{keep,largest}' IS NOT NULL THEN
            picked := format('SELECT DISTINCT ON (%1$s) * FROM (%2$s) p ORDER BY %1$s, %3$I DESC NULLS LAST, raw_id DESC',
                             (SELECT string_agg(quote_ident(g), ', ') FROM unnest(group_columns) g), picked,
                             f #>> '{keep,largest}');
        END IF;
        EXECUTE 'INSERT INTO pg_temp.crm_stage ' || picked;
    END LOOP;

    INSERT INTO crm_raw.load (file, target, options, finished_at)
    VALUES ((SELECT string_agg(regexp_replace(x ->> 'path', '^.*/', ''), ' + ') FROM jsonb_array_elements(files) x),
            raw_table::text, jsonb_build_object('staged_from_loads', to_jsonb(loads)), pg_catalog.clock_timestamp())
    RETURNING load_id INTO staged;
    IF entity = 'sales' THEN
        -- Lines stay lines, in file order; a line without a key yet (its
        -- order came from a constant) is keyed by its rank in the order.
        EXECUTE format('INSERT INTO %s (load_id, %s) SELECT %s, %s FROM pg_temp.crm_stage ORDER BY file_no, raw_id',
                       raw_table, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(columns) c), staged,
                       (SELECT string_agg(CASE WHEN c = 'line_id'
                                               THEN 'coalesce(line_id, order_id || ''-'' || row_number() OVER '
                                                    '(PARTITION BY order_id ORDER BY file_no, raw_id))'
                                               ELSE quote_ident(c) END, ', ')
                          FROM unnest(columns) c));
    ELSE
        EXECUTE format('INSERT INTO %s (load_id, %s) SELECT %s, %s FROM pg_temp.crm_stage WHERE %I IS NOT NULL '
                       'GROUP BY %s ORDER BY min(file_no), min(raw_id)',
                       raw_table, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(columns) c), staged,
                       (SELECT string_agg(CASE WHEN c = ANY (group_columns) THEN quote_ident(c)
                                               ELSE format('(array_agg(%1$I ORDER BY file_no, raw_id DESC) '
                                                           'FILTER (WHERE %1$I IS NOT NULL))[1]', c) END, ', ')
                          FROM unnest(columns) c),
                       key_column, (SELECT string_agg(quote_ident(g), ', ') FROM unnest(group_columns) g));
    END IF;
    GET DIAGNOSTICS staged_rows = ROW_COUNT;
    UPDATE crm_raw.load l SET rows_read = staged_rows, rows_loaded = staged_rows, rows_rejected = 0
     WHERE l.load_id = staged;
    RETURN staged;
END
$$;
COMMENT ON FUNCTION crm._stage_files(text, jsonb, bigint[]) IS
    'Internal: the raw loads of a files source''s entity staged into one derived load (ids, constants, keep, combined fields).';

-- The work of one "files" run: each entity's files loaded, staged, merged,
-- in dependency order (products give sales their prices and costs). An
-- entity whose files, ids files and config are all unchanged is skipped.
CREATE FUNCTION crm._sync_files(source text, config jsonb, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ent text;
    files jsonb;
    f jsonb;
    inputs jsonb;
    previous jsonb;
    report jsonb;
    counts jsonb;
    loads bigint[];
    merged_load bigint;
    supplied text[];
    rows_read bigint;
    rows_rejected bigint;
    rows_loaded bigint;
    staged_rows bigint;
    kept_rows bigint;
    entities jsonb := '{}';
    full_reload boolean := coalesce((options ->> 'full')::boolean, false);
BEGIN
    FOREACH ent IN ARRAY ARRAY['products', 'customers', 'sales', 'stock'] LOOP
        SELECT jsonb_agg(x.f ORDER BY x.n) INTO files
          FROM jsonb_array_elements(config -> 'files') WITH ORDINALITY AS x(f, n) WHERE x.f ->> 'entity' = ent;
        CONTINUE WHEN files IS NULL;
        -- What the curated rows of the entity are built from: every file
        -- read with its SHA-256, and the config that says how.
        SELECT jsonb_build_object('files', jsonb_object_agg(p, crm._file_sha256(p)),
                                  'config_md5', md5(files::text))
          INTO inputs
          FROM (SELECT x ->> 'path' AS p FROM jsonb_array_elements(files) x
                UNION SELECT x #>> '{ids,path}' FROM jsonb_array_elements(files) x WHERE x ? 'ids') AS paths;
        SELECT c.cursor INTO previous FROM crm.sync_cursor c WHERE c.source = _sync_files.source AND c.entity = ent;
        IF NOT full_reload AND previous - 'load_id' = inputs THEN
            entities := entities || jsonb_build_object(ent, crm._skipped_entity(previous ->> 'load_id'));
            CONTINUE;
        END IF;
        loads := '{}';
        rows_read := 0;
        rows_rejected := 0;
        rows_loaded := 0;
        FOR f IN SELECT x FROM jsonb_array_elements(files) x LOOP
            RAISE NOTICE 'crm_sync %: loading % (%)', source, f ->> 'path', ent;
            PERFORM pg_catalog.set_config('application_name',
                left(format('crm_sync %s: %s %s', source, ent, regexp_replace(f ->> 'path', '^.*/', '')), 63), true);
            -- A required field may come from a constant or another file of the entity.
            SELECT array_agg(DISTINCT k) INTO supplied
              FROM (SELECT jsonb_object_keys(x -> 'constants') FROM jsonb_array_elements(files) x WHERE x ? 'constants'
                    UNION ALL
                    SELECT jsonb_object_keys(x -> 'mapping') FROM jsonb_array_elements(files) x
                     WHERE x ? 'mapping' AND x <> f) AS s(k);
            report := (crm._load_export(f ->> 'path', ent,
                jsonb_build_object('mapping', jsonb_build_object(ent, coalesce(f -> 'mapping', '{}')),
                                   'read_options', coalesce(f -> 'read_options', config -> 'read_options', '{}')),
                coalesce(supplied, '{}'))).report;
            loads := loads || (report ->> 'load_id')::bigint;
            rows_read := rows_read + (report ->> 'rows_read')::bigint;
            rows_rejected := rows_rejected + (report ->> 'rows_rejected')::bigint;
            rows_loaded := rows_loaded + (report ->> 'rows_loaded')::bigint;
        END LOOP;
        IF jsonb_array_length(files) = 1 AND NOT (files -> 0 ?| ARRAY['ids', 'constants', 'keep']) THEN
            merged_load := loads[1];
            kept_rows := rows_loaded;
            staged_rows := rows_loaded;
        ELSE
            merged_load := crm._stage_files(ent, files, loads);
            SELECT count(*) INTO kept_rows FROM pg_temp.crm_stage;
            SELECT l.rows_loaded INTO staged_rows FROM crm_raw.load l WHERE l.load_id = merged_load;
        END IF;
        counts := crm._merge_export(source, ent, merged_load);
        -- Rows staging left out (no translation in the ids file, a smaller
        -- duplicate) are not merged; rows whose fields went into the same
        -- key's row of another file are "combined".
        counts := counts || jsonb_build_object('not_merged', (counts ->> 'not_merged')::bigint + rows_loaded - kept_rows,
                                               'combined', kept_rows - staged_rows);
        RAISE NOTICE 'crm_sync %: % rows read, % inserted, % updated, % rejected', source,
            rows_read, counts ->> 'inserted', counts ->> 'updated', rows_rejected;
        PERFORM crm._move_cursor(source, ent, inputs || jsonb_build_object('load_id', merged_load));
        entities := entities || jsonb_build_object(ent, counts || jsonb_build_object(
            'files', jsonb_array_length(files), 'load_id', merged_load, 'read', rows_read, 'rejected', rows_rejected));
    END LOOP;
    RETURN entities;
END
$$;
COMMENT ON FUNCTION crm._sync_files(text, jsonb, jsonb) IS 'Internal: the steps of crm_sync for a files source.';

-- crm_sync's options, checked by crm_sync and, ahead of any run, by
-- crm_schedule (a typo in a schedule is refused when it is set, not at 3 a.m.).
CREATE FUNCTION crm._sync_check_options(options jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'crm_sync options must be a JSON object' USING ERRCODE = '22023';
    END IF;
    PERFORM crm._check_option_keys('crm_sync', options, ARRAY['full', 'dry_run', 'analytics'],
        'Options: full (reload everything), dry_run (stage and check, publish nothing), analytics (false: no crm_refresh_analytics after the run).');
    IF EXISTS (SELECT FROM jsonb_each(options) o
                WHERE o.key IN ('full', 'dry_run', 'analytics') AND jsonb_typeof(o.value) <> 'boolean') THEN
        RAISE EXCEPTION 'crm_sync options full, dry_run and analytics must be true or false' USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION crm._sync_check_options(jsonb) IS 'Internal: refuses unknown crm_sync options and non-boolean values (22023).';

CREATE FUNCTION crm_sync(source text, options jsonb DEFAULT '{}') RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    src record;
    run bigint;
    started timestamptz := pg_catalog.clock_timestamp();
    before jsonb;
    entities jsonb;
    outcome jsonb;
    dry_run boolean;
    analytics boolean;
    application text := pg_catalog.current_setting('application_name');
    checks jsonb := '[]';
    identities jsonb;
    state text;
    message text;
BEGIN
    SELECT s.name, s.kind, s.config, s.enabled INTO src FROM crm.source s WHERE s.name = crm_sync.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'source "%" does not exist', source USING ERRCODE = '42704',
            HINT = 'Add it with crm_source_add(name, kind, config); the sources are in crm.source.';
    END IF;
    PERFORM crm._sync_check_options(options);
    dry_run := coalesce((options ->> 'dry_run')::boolean, false);
    analytics := coalesce((options ->> 'analytics')::boolean, true);
    DELETE FROM crm.sync_run r
     WHERE r.source = crm_sync.source
       AND r.started_at < pg_catalog.now() - pg_catalog.make_interval(days => pg_catalog.current_setting('crm.sync_history_days')::int);

    -- One run per source at a time: a second one returns at once.
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('pg_crm.sync'), pg_catalog.hashtext(source)) THEN
        INSERT INTO crm.sync_run (source, status, options, finished_at, error)
        VALUES (crm_sync.source, 'skipped', crm_sync.options, pg_catalog.clock_timestamp(), 'another crm_sync of this source is running')
        RETURNING run_id INTO run;
        RETURN jsonb_build_object('run_id', run, 'source', source, 'status', 'skipped',
                                  'reason', 'another crm_sync of this source is running');
    END IF;

    SELECT jsonb_object_agg(c.entity, c.cursor) INTO before FROM crm.sync_cursor c WHERE c.source = crm_sync.source;
    INSERT INTO crm.sync_run (source, status, options, cursor_before)
    VALUES (crm_sync.source, 'running', crm_sync.options, before) RETURNING run_id INTO run;

    BEGIN
        IF src.kind = 'isavigne' THEN
            entities := crm._sync_exports(crm_sync.source, src.config, crm_sync.options);
        ELSIF src.kind = 'files' THEN
            entities := crm._sync_files(crm_sync.source, src.config, crm_sync.options);
        ELSE
            entities := crm._sync_api(crm_sync.source, src.kind, crm_sync.options);
        END IF;
        -- New or changed customers may be the same person as another
        -- source's: match them (and spread Brevo's flags) before publishing.
        IF src.kind = 'brevo' OR (entities #>> '{customers,inserted}')::bigint > 0
           OR (entities #>> '{customers,updated}')::bigint > 0 THEN
            identities := jsonb_build_object('matched', crm._match_identities());
        END IF;
        checks := crm._dq_check(crm_sync.source);
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(checks) c
                    WHERE NOT (c ->> 'passed')::boolean AND c ->> 'severity' = 'error') THEN
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'pg_crm data-quality failure', DETAIL = checks::text;
        END IF;
        PERFORM crm._test_pause('before_publish');
        IF dry_run THEN
            -- Roll the staging back: nothing is published, the counts say what would be.
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'pg_crm dry run', DETAIL = entities::text;
        END IF;
        outcome := jsonb_build_object('status', 'succeeded', 'entities', entities)
                   || CASE WHEN identities IS NULL THEN '{}' ELSE jsonb_build_object('identities', identities) END;
    EXCEPTION WHEN OTHERS THEN
        -- The subtransaction is rolled back: curated data and cursors are
        -- as before this run. The error is kept in the run's row.
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
        IF state = 'P0001' AND message = 'pg_crm dry run' THEN
            GET STACKED DIAGNOSTICS message = PG_EXCEPTION_DETAIL;
            outcome := jsonb_build_object('status', 'succeeded', 'dry_run', true, 'entities', message::jsonb);
        ELSIF state = 'P0001' AND message = 'pg_crm data-quality failure' THEN
            GET STACKED DIAGNOSTICS message = PG_EXCEPTION_DETAIL;
            checks := message::jsonb;
            outcome := jsonb_build_object('status', 'failed', 'error',
                'data-quality rule(s) failed: ' || (SELECT string_agg(c ->> 'message', '; ') FROM jsonb_array_elements(checks) c
                                                     WHERE NOT (c ->> 'passed')::boolean AND c ->> 'severity' = 'error'));
        ELSE
            outcome := jsonb_build_object('status', 'failed', 'error', state || ': ' || message);
        END IF;
    END;

    -- Published data changed: the analytics follow, in the same transaction
    -- (readers never see new sales with old recommendations). Their
    -- failure is reported, and does not undo the data.
    IF analytics AND outcome ->> 'status' = 'succeeded' AND NOT dry_run
       AND (src.kind = 'brevo' OR EXISTS (
                SELECT 1 FROM jsonb_each(entities) e
                 WHERE coalesce((e.value ->> 'inserted')::bigint, 0) + coalesce((e.value ->> 'updated')::bigint, 0) > 0)) THEN
        BEGIN
            outcome := outcome || jsonb_build_object('analytics', @extschema@.crm_refresh_analytics());
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            outcome := outcome || jsonb_build_object('analytics', jsonb_build_object('error', state || ': ' || message));
        END;
    END IF;

    PERFORM pg_catalog.set_config('application_name', application, true);
    -- Rule outcomes are kept even when they failed the run.
    INSERT INTO crm.dq_result (run_id, rule_id, passed, severity, observed, message)
    SELECT run, (c ->> 'rule_id')::bigint, (c ->> 'passed')::boolean, c ->> 'severity', (c ->> 'observed')::numeric,
           c ->> 'message'
      FROM jsonb_array_elements(checks) c;
    outcome := outcome || jsonb_build_object('checks', jsonb_build_object(
        'passed', (SELECT count(*) FROM jsonb_array_elements(checks) c WHERE (c ->> 'passed')::boolean),
        'failed', (SELECT count(*) FROM jsonb_array_elements(checks) c
                    WHERE NOT (c ->> 'passed')::boolean AND c ->> 'severity' = 'error'),
        'warned', (SELECT count(*) FROM jsonb_array_elements(checks) c
                    WHERE NOT (c ->> 'passed')::boolean AND c ->> 'severity' = 'warn')));
    outcome := jsonb_build_object('run_id', run, 'source', source) || outcome
               || jsonb_build_object('ms', round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000));
    UPDATE crm.sync_run r
       SET status = outcome ->> 'status', finished_at = pg_catalog.clock_timestamp(), result = outcome,
           error = outcome ->> 'error',
           cursor_after = (SELECT jsonb_object_agg(c.entity, c.cursor) FROM crm.sync_cursor c
                            WHERE c.source = crm_sync.source)
     WHERE r.run_id = run;
    PERFORM crm._test_pause('before_commit');
    RETURN outcome;
END
$$;
COMMENT ON FUNCTION crm_sync(text, jsonb) IS
    'Brings a source''s new data into the canonical model in one transaction and returns {"run_id", "source", '
    '"status" (succeeded | failed | skipped), "entities": {entity: {"read", "inserted", "updated", "unchanged", '
    '"rejected", "not_merged", "file"}}, "checks": {"passed", "failed", "warned"}, "ms"}. A failed run leaves curated data unchanged and keeps its error in crm.sync_run. '
    'Options: full (reload unchanged exports too), dry_run (stage and count, publish nothing), analytics (default '
    'true: a run that changed data ends with crm_refresh_analytics(), its result under "analytics").';

CREATE FUNCTION crm_sync_all() RETURNS SETOF jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s record;
BEGIN
    -- Exports first: API sources (Brevo's opt-outs) refine the customers they create.
    FOR s IN SELECT name FROM crm.source WHERE enabled
              ORDER BY CASE WHEN kind IN ('isavigne', 'files') THEN 0 WHEN kind = 'brevo' THEN 2 ELSE 1 END, name LOOP
        RETURN NEXT @extschema@.crm_sync(s.name);
    END LOOP;
END
$$;
COMMENT ON FUNCTION crm_sync_all() IS
    'crm_sync of every enabled source, export directories first; one result per source.';

-- For pg_cron: the run's row is committed, then a failure is raised, so
-- cron.job_run_details says "failed" (a function returning status = failed
-- would read "succeeded" there).
CREATE PROCEDURE crm_sync_job(source text, options jsonb DEFAULT '{}')
    LANGUAGE plpgsql
    AS $$
DECLARE
    outcome jsonb;
BEGIN
    outcome := @extschema@.crm_sync(source, options);
    COMMIT;
    IF outcome ->> 'status' = 'failed' THEN
        RAISE EXCEPTION 'crm_sync(%) failed: %', source, outcome ->> 'error'
            USING HINT = 'See crm.sync_run, run ' || (outcome ->> 'run_id') || '.';
    END IF;
END
$$;
COMMENT ON PROCEDURE crm_sync_job(text, jsonb) IS
    'crm_sync for schedules (CALL crm_sync_job(''isavigne'')): commits the run, then raises if it failed so that '
    'pg_cron records the failure.';

CREATE VIEW crm.sync_status AS
SELECT s.name AS source, s.kind, s.enabled,
       ok.finished_at AS last_success, ko.finished_at AS last_failure, ko.error AS last_error,
       pg_catalog.now() - ok.finished_at AS freshness,
       EXISTS (SELECT 1 FROM crm.sync_run r WHERE r.source = s.name AND r.status = 'running') AS running,
       ok.result -> 'entities' AS last_counts
  FROM crm.source s
  LEFT JOIN LATERAL (SELECT r.finished_at, r.result FROM crm.sync_run r
                      WHERE r.source = s.name AND r.status = 'succeeded' ORDER BY r.run_id DESC LIMIT 1) ok ON true
  LEFT JOIN LATERAL (SELECT r.finished_at, r.error FROM crm.sync_run r
                      WHERE r.source = s.name AND r.status = 'failed' ORDER BY r.run_id DESC LIMIT 1) ko ON true;
COMMENT ON VIEW crm.sync_status IS 'One row per source: last success, last failure and its error, freshness.';
COMMENT ON COLUMN crm.sync_status.source IS 'Source name.';
COMMENT ON COLUMN crm.sync_status.kind IS 'Source kind.';
COMMENT ON COLUMN crm.sync_status.enabled IS 'Whether schedules sync it.';
COMMENT ON COLUMN crm.sync_status.last_success IS 'End of the last succeeded run.';
COMMENT ON COLUMN crm.sync_status.last_failure IS 'End of the last failed run.';
COMMENT ON COLUMN crm.sync_status.last_error IS 'Error of the last failed run.';
COMMENT ON COLUMN crm.sync_status.freshness IS 'Time since the last success.';
COMMENT ON COLUMN crm.sync_status.running IS 'A run has started and not ended (or its session died: see crm.sync_run).';
COMMENT ON COLUMN crm.sync_status.last_counts IS 'Counts per entity of the last success.';
GRANT SELECT ON crm.sync_status TO crm_runner;

REVOKE ALL ON FUNCTION crm._move_cursor(text, text, jsonb, bytea), crm._skipped_entity(text), crm._sync_check_options(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._move_cursor(text, text, jsonb, bytea), crm._skipped_entity(text), crm._sync_check_options(jsonb) TO crm_runner;
REVOKE ALL ON FUNCTION crm._test_pause(text), crm._load_export(text, text, jsonb, text[], bytea), crm._merge_export(text, text, bigint),
    crm._sync_exports(text, jsonb, jsonb), crm._stage_files(text, jsonb, bigint[]), crm._sync_files(text, jsonb, jsonb),
    crm_sync(text, jsonb), crm_sync_all() FROM PUBLIC;
REVOKE ALL ON PROCEDURE crm_sync_job(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._test_pause(text), crm._load_export(text, text, jsonb, text[], bytea), crm._merge_export(text, text, bigint),
    crm._sync_exports(text, jsonb, jsonb), crm._stage_files(text, jsonb, bigint[]), crm._sync_files(text, jsonb, jsonb),
    crm_sync(text, jsonb), crm_sync_all() TO crm_runner;
GRANT EXECUTE ON PROCEDURE crm_sync_job(text, jsonb) TO crm_runner;

-- Data-quality rules: checked on the new curated state inside the run's
-- subtransaction, before it is committed (published). A failed rule of
-- severity error rolls the run back; warn only records it.
CREATE TABLE crm.dq_rule (
    rule_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text,
    target      text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('not_null', 'unique', 'accepted_values', 'relationship', 'range',
                                              'row_count', 'sum', 'freshness', 'custom_sql', 'metric')),
    "column"    text,
    params      jsonb NOT NULL DEFAULT '{}',
    severity    text NOT NULL DEFAULT 'error' CHECK (severity IN ('warn', 'error')),
    enabled     boolean NOT NULL DEFAULT true,
    description text,
    name        text UNIQUE
);
SELECT pg_catalog.pg_extension_config_dump('crm.dq_rule', '');
COMMENT ON TABLE crm.dq_rule IS 'Data-quality rules crm_sync checks before publishing; see docs/sync.md for each kind''s params.';
COMMENT ON COLUMN crm.dq_rule.rule_id IS 'Identifies the rule.';
COMMENT ON COLUMN crm.dq_rule.source IS 'Source whose runs check it; NULL for every source.';
COMMENT ON COLUMN crm.dq_rule.target IS 'Curated table checked (crm.sales_lines, crm.customers...); rows of the run''s source only when it has a source column.';
COMMENT ON COLUMN crm.dq_rule.kind IS 'not_null, unique, accepted_values, relationship, range, row_count, sum, freshness, custom_sql or metric.';
COMMENT ON COLUMN crm.dq_rule."column" IS 'Column checked (not for row_count and custom_sql).';
COMMENT ON COLUMN crm.dq_rule.params IS 'Kind parameters: values, to_table/to_column, min/max/exact, expected/tolerance, max_age, sql (custom_sql: offending rows; metric: one number, $1 the source, compared with expected/tolerance or min/max).';
COMMENT ON COLUMN crm.dq_rule.severity IS 'error: a failure fails the run and keeps the last good data; warn: recorded only.';
COMMENT ON COLUMN crm.dq_rule.enabled IS 'Disabled rules are not checked.';
COMMENT ON COLUMN crm.dq_rule.description IS 'What the rule protects, in words.';
COMMENT ON COLUMN crm.dq_rule.name IS 'Short unique name, shown by crm_check_quality and the monthly report (optional).';

CREATE TABLE crm.dq_result (
    run_id     bigint NOT NULL,
    rule_id    bigint NOT NULL,
    passed     boolean NOT NULL,
    severity   text NOT NULL,
    observed   numeric,
    message    text NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
CREATE INDEX dq_result_run_idx ON crm.dq_result (run_id);
COMMENT ON TABLE crm.dq_result IS 'The outcome of each data-quality rule in each run.';
COMMENT ON COLUMN crm.dq_result.run_id IS 'The run (crm.sync_run).';
COMMENT ON COLUMN crm.dq_result.rule_id IS 'The rule (crm.dq_rule).';
COMMENT ON COLUMN crm.dq_result.passed IS 'Whether the rule held.';
COMMENT ON COLUMN crm.dq_result.severity IS 'The rule''s severity at the time.';
COMMENT ON COLUMN crm.dq_result.observed IS 'What was measured: offending rows, row count, sum, or age in seconds.';
COMMENT ON COLUMN crm.dq_result.message IS 'The outcome in words.';
COMMENT ON COLUMN crm.dq_result.checked_at IS 'When it was checked.';
GRANT SELECT ON crm.dq_rule TO crm_runner;
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.dq_rule TO crm_admin;
GRANT SELECT, INSERT, DELETE ON crm.dq_result TO crm_runner;

-- Checks every enabled rule of a source on the current (unpublished) data;
-- returns one JSON object per rule: rule_id, passed, severity, observed, message.
CREATE FUNCTION crm._dq_check(source text) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r record;
    target regclass;
    col text;
    scope text;
    observed numeric;
    passed boolean;
    results jsonb := '[]';
BEGIN
    FOR r IN SELECT * FROM crm.dq_rule d WHERE d.enabled AND (d.source IS NULL OR d.source = _dq_check.source)
              ORDER BY d.rule_id LOOP
        target := r.target::regclass;
        col := quote_ident(coalesce(r."column", ''));
        -- Only the run's own rows, when the table says which source a row is from.
        scope := CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = target
                                     AND a.attname = 'source' AND NOT a.attisdropped)
                      THEN format(' WHERE source = %L', source) ELSE ' WHERE true' END;
        CASE r.kind
        WHEN 'not_null' THEN
            EXECUTE format('SELECT count(*) FROM %s%s AND %s IS NULL', target, scope, col) INTO observed;
            passed := observed = 0;
        WHEN 'unique' THEN
            EXECUTE format('SELECT count(%s) - count(DISTINCT %s) FROM %s%s', col, col, target, scope) INTO observed;
            passed := observed = 0;
        WHEN 'accepted_values' THEN
            EXECUTE format('SELECT count(*) FROM %s%s AND %s::text <> ALL ($1)', target, scope, col) INTO observed
                USING ARRAY(SELECT jsonb_array_elements_text(r.params -> 'values'));
            passed := observed = 0;
        WHEN 'relationship' THEN
            EXECUTE format('SELECT count(*) FROM %s t%s AND t.%s IS NOT NULL AND NOT EXISTS '
                           '(SELECT 1 FROM %s u WHERE u.%I = t.%s)', target, replace(scope, 'source', 't.source'),
                           col, (r.params ->> 'to_table')::regclass, r.params ->> 'to_column', col) INTO observed;
            passed := observed = 0;
        WHEN 'range' THEN
            EXECUTE format('SELECT count(*) FROM %s%s AND (%s < $1 OR %s > $2)', target, scope, col, col)
                INTO observed USING (r.params ->> 'min')::numeric, (r.params ->> 'max')::numeric;
            passed := observed = 0;
        WHEN 'row_count' THEN
            EXECUTE format('SELECT count(*) FROM %s%s', target, scope) INTO observed;
            passed := observed >= coalesce((r.params ->> 'min')::numeric, (r.params ->> 'exact')::numeric, observed)
                  AND observed <= coalesce((r.params ->> 'max')::numeric, (r.params ->> 'exact')::numeric, observed);
        WHEN 'sum' THEN
            EXECUTE format('SELECT coalesce(sum(%s), 0) FROM %s%s', col, target, scope) INTO observed;
            passed := abs(observed - (r.params ->> 'expected')::numeric)
                      <= coalesce((r.params ->> 'tolerance')::numeric, 0);
        WHEN 'freshness' THEN
            EXECUTE format('SELECT extract(epoch FROM pg_catalog.now() - max(%s)::timestamptz) FROM %s%s',
                           col, target, scope) INTO observed;
            passed := observed IS NOT NULL AND observed <= extract(epoch FROM (r.params ->> 'max_age')::interval);
        WHEN 'custom_sql' THEN
            -- A query returning the number of offending rows; written by crm_admin.
            EXECUTE r.params ->> 'sql' INTO observed;
            passed := observed = 0;
        WHEN 'metric' THEN
            -- A query returning one figure of the source ($1), written by
            -- crm_admin, compared with the expected figure.
            EXECUTE r.params ->> 'sql' INTO observed USING source;
            passed := CASE WHEN r.params ? 'expected'
                           THEN abs(observed - (r.params ->> 'expected')::numeric)
                                <= coalesce((r.params ->> 'tolerance')::numeric, 0)
                           ELSE observed >= coalesce((r.params ->> 'min')::numeric, observed)
                                AND observed <= coalesce((r.params ->> 'max')::numeric, observed) END;
        END CASE;
        results := results || jsonb_build_object(
            'rule_id', r.rule_id, 'passed', coalesce(passed, false), 'severity', r.severity, 'observed', observed,
            'message', format('%s %s%s on %s: %s', coalesce(r.name, r.kind), coalesce(r."column" || ' ', ''),
                              CASE WHEN coalesce(passed, false) THEN 'held' ELSE 'failed' END, r.target,
                              coalesce(observed::text, 'nothing measured')));
    END LOOP;
    RETURN results;
END
$$;
COMMENT ON FUNCTION crm._dq_check(text) IS 'Internal: checks the data-quality rules of a source on the unpublished state.';
REVOKE ALL ON FUNCTION crm._dq_check(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._dq_check(text) TO crm_runner;

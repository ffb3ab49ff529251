-- crm_sync for API sources (odoo, pennylane, brevo): each resource is read
-- from the source's cursor (inclusive: records sharing the last cursor value
-- are read again and deduplicated by key), staged in crm_raw like an export
-- and merged by the same statements; the cursor moves in the same
-- transaction as the data. Brevo also feeds e-mail opt-outs, hard bounces
-- and crm.contact_history; every run ends by matching identities across
-- sources (crm.customer_identity).

CREATE TABLE crm.contact_history (
    contact_key       text PRIMARY KEY,
    customer_key      text,
    email             text,
    date_contact      timestamptz NOT NULL,
    channel           text NOT NULL,
    campaign          text,
    subject           text,
    status            text NOT NULL,
    product_suggested text,
    response          text,
    source            text NOT NULL
);
CREATE INDEX contact_history_customer_idx ON crm.contact_history (customer_key, date_contact);
CREATE INDEX contact_history_email_idx ON crm.contact_history (email);
COMMENT ON TABLE crm.contact_history IS 'Every contact with a customer (e-mails, bounces, unsubscriptions, recommendations sent), one row each.';
COMMENT ON COLUMN crm.contact_history.contact_key IS 'Stable key: "<source>-<kind>-<id>".';
COMMENT ON COLUMN crm.contact_history.customer_key IS 'The customer (crm.customers) the address belongs to, NULL when no customer has it.';
COMMENT ON COLUMN crm.contact_history.email IS 'The address contacted, normalised.';
COMMENT ON COLUMN crm.contact_history.date_contact IS 'When it happened.';
COMMENT ON COLUMN crm.contact_history.channel IS 'email, sms, phone, visit...';
COMMENT ON COLUMN crm.contact_history.campaign IS 'Campaign name, when there was one.';
COMMENT ON COLUMN crm.contact_history.subject IS 'Subject, or the reason in words (Adresse inexistante...).';
COMMENT ON COLUMN crm.contact_history.status IS 'sent, hard_bounce, unsubscribed, bad, bought...';
COMMENT ON COLUMN crm.contact_history.product_suggested IS 'The product recommended, when it was a recommendation.';
COMMENT ON COLUMN crm.contact_history.response IS 'What the customer did.';
COMMENT ON COLUMN crm.contact_history.source IS 'Source name (crm.source).';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.contact_history TO crm_runner;

CREATE TABLE crm.open_order_lines (
    line_key     text PRIMARY KEY,
    order_key    text NOT NULL,
    customer_key text,
    product_key  text,
    state        text NOT NULL,
    source       text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX open_order_lines_customer_idx ON crm.open_order_lines (customer_key);
COMMENT ON TABLE crm.open_order_lines IS 'Lines of open orders (Odoo quotations: draft or sent), not yet sales: recommendations leave their products out.';
COMMENT ON COLUMN crm.open_order_lines.line_key IS 'Stable key: "<source>-<line id>".';
COMMENT ON COLUMN crm.open_order_lines.order_key IS 'The order: "<source>-<order name>".';
COMMENT ON COLUMN crm.open_order_lines.customer_key IS 'The customer (crm.customers).';
COMMENT ON COLUMN crm.open_order_lines.product_key IS 'The product (crm.product_catalog).';
COMMENT ON COLUMN crm.open_order_lines.state IS 'The source''s state: draft (devis) or sent (devis envoyé).';
COMMENT ON COLUMN crm.open_order_lines.source IS 'Source name (crm.source).';
COMMENT ON COLUMN crm.open_order_lines.updated_at IS 'When a sync last saw the line open.';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.open_order_lines TO crm_runner;

-- Contact events as read (Brevo's blocked contacts), before the merge.
CREATE TABLE crm_raw.contact_events (
    raw_id bigint GENERATED ALWAYS AS IDENTITY,
    load_id bigint NOT NULL DEFAULT pg_catalog.currval('crm_raw.load_load_id_seq'::pg_catalog.regclass),
    email text, date_contact timestamptz, channel text, status text, subject text
);
CREATE INDEX contact_events_load_idx ON crm_raw.contact_events USING brin (load_id);
COMMENT ON TABLE crm_raw.contact_events IS 'Contact events as read from an API (Brevo blocked contacts), tagged with load_id; never updated.';
COMMENT ON COLUMN crm_raw.contact_events.raw_id IS 'Row number in load order.';
COMMENT ON COLUMN crm_raw.contact_events.load_id IS 'The load (crm_raw.load) that brought the row.';
COMMENT ON COLUMN crm_raw.contact_events.email IS 'Address concerned, as sent.';
COMMENT ON COLUMN crm_raw.contact_events.date_contact IS 'When it happened.';
COMMENT ON COLUMN crm_raw.contact_events.channel IS 'email or sms.';
COMMENT ON COLUMN crm_raw.contact_events.status IS 'hard_bounce or unsubscribed.';
COMMENT ON COLUMN crm_raw.contact_events.subject IS 'The vendor''s reason in words.';
GRANT SELECT, INSERT, DELETE ON crm_raw.contact_events TO crm_runner;

-- The same person in several sources: each customer row points to the
-- customer_key standing for its person. Matched by normalised e-mail, then
-- by crm_normalize_key(name) + zip; ids are never overwritten.
CREATE TABLE crm.customer_identity (
    customer_key text PRIMARY KEY,
    person_key   text NOT NULL,
    matched_by   text NOT NULL CHECK (matched_by IN ('self', 'email', 'name_zip')),
    updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX customer_identity_person_idx ON crm.customer_identity (person_key);
COMMENT ON TABLE crm.customer_identity IS
    'Cross-source identity: which customer rows are the same person (an iSaVigne client and a Brevo contact).';
COMMENT ON COLUMN crm.customer_identity.customer_key IS 'A customer row (crm.customers).';
COMMENT ON COLUMN crm.customer_identity.person_key IS 'The smallest customer_key of the rows matched with it: one value per person.';
COMMENT ON COLUMN crm.customer_identity.matched_by IS 'email (same normalised address), name_zip (same normalised name and code postal) or self (no match).';
COMMENT ON COLUMN crm.customer_identity.updated_at IS 'When the match last changed.';
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.customer_identity TO crm_runner;

-- Recomputes crm.customer_identity and spreads Brevo's opt-outs and bounces
-- to every row of the same person. Rows whose match did not change are not
-- rewritten. Returns the number of customer rows matched to another row.
CREATE FUNCTION crm._match_identities() RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    matched bigint;
BEGIN
    WITH keyed AS (
        SELECT c.customer_key, c.email,
               CASE WHEN c.zip IS NOT NULL AND coalesce(c.last_name, c.company) IS NOT NULL
                    THEN @extschema@.crm_normalize_key(concat_ws(' ', c.first_name, c.last_name, c.company)) || '|' || c.zip
               END AS name_zip
          FROM crm.customers c),
    grouped AS (
        SELECT k.customer_key,
               CASE WHEN k.email IS NOT NULL THEN count(*) OVER (PARTITION BY k.email) END AS by_email,
               CASE WHEN k.email IS NOT NULL THEN min(k.customer_key) OVER (PARTITION BY k.email) END AS email_person,
               CASE WHEN k.name_zip IS NOT NULL THEN count(*) OVER (PARTITION BY k.name_zip) END AS by_name,
               CASE WHEN k.name_zip IS NOT NULL THEN min(k.customer_key) OVER (PARTITION BY k.name_zip) END AS name_person
          FROM keyed k),
    decided AS (
        SELECT g.customer_key,
               CASE WHEN g.by_email > 1 THEN g.email_person WHEN g.by_name > 1 THEN g.name_person
                    ELSE g.customer_key END AS person_key,
               CASE WHEN g.by_email > 1 THEN 'email' WHEN g.by_name > 1 THEN 'name_zip' ELSE 'self' END AS matched_by
          FROM grouped g)
    INSERT INTO crm.customer_identity AS t (customer_key, person_key, matched_by)
    SELECT d.customer_key, d.person_key, d.matched_by FROM decided d
    ON CONFLICT ON CONSTRAINT customer_identity_pkey DO UPDATE
       SET person_key = EXCLUDED.person_key, matched_by = EXCLUDED.matched_by, updated_at = pg_catalog.now()
     WHERE (t.person_key, t.matched_by) IS DISTINCT FROM (EXCLUDED.person_key, EXCLUDED.matched_by);
    DELETE FROM crm.customer_identity i
     WHERE NOT EXISTS (SELECT 1 FROM crm.customers c WHERE c.customer_key = i.customer_key);

    -- A person who opted out or bounced in Brevo is flagged in every source.
    UPDATE crm.customers c
       SET email_opt_out = f.opt_out, bounced = f.bounced
      FROM (SELECT i.customer_key, coalesce(bool_or(b.email_opt_out), false) AS opt_out,
                   coalesce(bool_or(b.bounced), false) AS bounced
              FROM crm.customer_identity i
              JOIN crm.customer_identity j ON j.person_key = i.person_key
              LEFT JOIN crm.customers b ON b.customer_key = j.customer_key
                                       AND b.source IN (SELECT s.name FROM crm.source s WHERE s.kind = 'brevo')
             GROUP BY i.customer_key) f
     WHERE c.customer_key = f.customer_key
       AND c.source NOT IN (SELECT s.name FROM crm.source s WHERE s.kind = 'brevo')
       AND (c.email_opt_out, c.bounced) IS DISTINCT FROM (f.opt_out, f.bounced);
    SELECT count(*) INTO matched FROM crm.customer_identity WHERE matched_by <> 'self';
    RETURN matched;
END
$$;
COMMENT ON FUNCTION crm._match_identities() IS
    'Internal: recomputes crm.customer_identity and spreads Brevo opt-outs and bounces across sources.';

-- Reads one resource of an API source into its crm_raw table, from `since`
-- (NULL: everything). Returns {"load_id", "read", "loaded", "cursor" (the
-- largest update time read, in the vendor's own format), "requests",
-- "retries", "bytes"}. What each vendor's fields become is written here,
-- once per resource.
CREATE FUNCTION crm._load_api(source text, kind text, entity text, since text) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    resource text;
    load bigint;
    options jsonb := CASE WHEN since IS NULL THEN '{}' ELSE jsonb_build_object('since', since) END;
    counts record;
    http record;
BEGIN
    resource := CASE kind || '/' || entity
        WHEN 'odoo/products' THEN 'product.product' WHEN 'odoo/customers' THEN 'res.partner'
        WHEN 'odoo/sales' THEN 'sale.order.line' WHEN 'odoo/stock' THEN 'stock.quant'
        WHEN 'pennylane/customers' THEN 'customers' WHEN 'pennylane/products' THEN 'products'
        WHEN 'brevo/customers' THEN 'contacts' WHEN 'brevo/contact_history' THEN 'smtp/blockedContacts' END;
    INSERT INTO crm_raw.load (file, target, options)
    VALUES (source || ' ' || resource, CASE entity WHEN 'contact_history' THEN 'crm_raw.contact_events'
                                                   ELSE 'crm_raw.' || entity END, options)
    RETURNING load_id INTO load;

    IF kind || '/' || entity = 'odoo/products' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "name": "/name", "ref": "/default_code", "category": "/categ_id/1", "list_price": "/list_price",
                "active": "/active", "write_date": "/write_date"}}')
                AS t(id text, name text, ref text, category text, list_price numeric, active boolean, write_date text)),
        ins AS (
            INSERT INTO crm_raw.products (source_id, name, colour, list_price, active, vintage)
            SELECT r.id, r.name, regexp_replace(r.category, '^.*/\s*', ''), r.list_price, r.active,
                   substring(r.name FROM '\m(19\d\d|20\d\d)\M')
              FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(write_date) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'odoo/customers' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "name": "/name", "is_company": "/is_company", "email": "/email", "phone": "/phone", "zip": "/zip",
                "city": "/city", "country": "/country_id/1", "write_date": "/write_date"}}')
                AS t(id text, name text, is_company boolean, email text, phone text, zip text, city text, country text,
                     write_date text)),
        ins AS (
            INSERT INTO crm_raw.customers (source_id, last_name, company, email, phone, zip, city, country, segment)
            SELECT r.id, CASE WHEN NOT r.is_company THEN r.name END, CASE WHEN r.is_company THEN r.name END,
                   r.email, r.phone, r.zip, r.city, r.country,
                   CASE WHEN r.is_company THEN 'Professionnel' ELSE 'Particulier' END
              FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(write_date) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'odoo/sales' THEN
        -- Draft and cancelled lines are read (the cursor passes them) but are
        -- not sales. A line changed while the pages were read comes twice
        -- (keyset paging on write_date): its last version wins.
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "order_name": "/order_id/1", "partner_id": "/order_partner_id/0", "product_id": "/product_id/0",
                "product_name": "/product_id/1", "quantity": "/product_uom_qty", "price_unit": "/price_unit",
                "price_total": "/price_subtotal", "state": "/state", "write_date": "/write_date"}}')
                AS t(id text, order_name text, partner_id text, product_id text, product_name text, quantity numeric,
                     price_unit numeric, price_total numeric, state text, write_date text)),
        latest AS (SELECT DISTINCT ON (r.id) r.* FROM rows r ORDER BY r.id, r.write_date DESC),
        ins AS (
            INSERT INTO crm_raw.sales (line_id, order_id, date_sale, customer_id, product_id, product_name, quantity,
                                       price_unit, price_total, channel)
            SELECT r.id, r.order_name, left(r.write_date, 10)::date, r.partner_id, r.product_id,
                   r.product_name, r.quantity, r.price_unit, r.price_total, 'Odoo'
              FROM latest r WHERE r.state IN ('sale', 'done') RETURNING 1),
        -- Quotations (draft, sent) are open orders: recommendations leave
        -- their products out. A line leaves them when its state moves on.
        opened AS (
            INSERT INTO crm.open_order_lines AS o (line_key, order_key, customer_key, product_key, state, source)
            SELECT _load_api.source || '-' || r.id, _load_api.source || '-' || r.order_name, _load_api.source || '-' || r.partner_id,
                   _load_api.source || '-' || r.product_id, r.state, _load_api.source
              FROM latest r WHERE r.state IN ('draft', 'sent')
            ON CONFLICT (line_key) DO UPDATE
               SET order_key = excluded.order_key, customer_key = excluded.customer_key,
                   product_key = excluded.product_key, state = excluded.state, updated_at = pg_catalog.now()
            RETURNING 1),
        closed AS (
            DELETE FROM crm.open_order_lines o USING latest r
             WHERE o.line_key = _load_api.source || '-' || r.id AND r.state NOT IN ('draft', 'sent') RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(write_date) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'odoo/stock' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {
                "product_id": "/product_id/0", "product_name": "/product_id/1", "location": "/location_id/1",
                "quantity": "/quantity", "reserved": "/reserved_quantity", "write_date": "/write_date"}}')
                AS t(product_id text, product_name text, location text, quantity numeric, reserved numeric,
                     write_date text)),
        ins AS (
            INSERT INTO crm_raw.stock (product_id, product_name, warehouse, quantity, reserved, counted_at)
            SELECT r.product_id, r.product_name, r.location, r.quantity, r.reserved, left(r.write_date, 10)::date
              FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded, NULL::text AS cursor
          INTO counts;
    ELSIF kind || '/' || entity = 'pennylane/customers' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "name": "/name", "email": "/emails/0", "phone": "/phone", "address": "/billing_address/address",
                "zip": "/billing_address/postal_code", "city": "/billing_address/city",
                "country": "/billing_address/country_alpha2", "updated_at": "/updated_at"}}')
                AS t(id text, name text, email text, phone text, address text, zip text, city text, country text,
                     updated_at text)),
        ins AS (
            INSERT INTO crm_raw.customers (source_id, last_name, email, phone, address, zip, city, country)
            SELECT r.id, r.name, r.email, r.phone, r.address, r.zip, r.city, r.country FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(updated_at) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'pennylane/products' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "label": "/label", "price": "/price_before_tax", "updated_at": "/updated_at"}}')
                AS t(id text, label text, price numeric, updated_at text)),
        ins AS (
            INSERT INTO crm_raw.products (source_id, name, list_price, vintage)
            SELECT r.id, r.label, r.price, substring(r.label FROM '\m(19\d\d|20\d\d)\M') FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(updated_at) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'brevo/customers' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"id": "/id",
                "email": "/email", "first_name": "/attributes/PRENOM", "last_name": "/attributes/NOM",
                "blacklisted": "/emailBlacklisted", "modified_at": "/modifiedAt"}}')
                AS t(id text, email text, first_name text, last_name text, blacklisted boolean, modified_at text)),
        ins AS (
            INSERT INTO crm_raw.customers (source_id, first_name, last_name, email, email_opt_out)
            SELECT r.id, r.first_name, r.last_name, r.email, r.blacklisted FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(modified_at) FROM rows) AS cursor INTO counts;
    ELSIF kind || '/' || entity = 'brevo/contact_history' THEN
        WITH rows AS (
            SELECT * FROM @extschema@.crm_read_api_rows(source, resource, options || '{"fields": {"email": "/email",
                "code": "/reason/code", "message": "/reason/message", "blocked_at": "/blockedAt"}}')
                AS t(email text, code text, message text, blocked_at text)),
        ins AS (
            INSERT INTO crm_raw.contact_events (email, date_contact, channel, status, subject)
            SELECT r.email, r.blocked_at::timestamptz, 'email',
                   CASE r.code WHEN 'hardBounce' THEN 'hard_bounce' WHEN 'unsubscribedViaEmail' THEN 'unsubscribed'
                               WHEN 'unsubscribedViaApi' THEN 'unsubscribed' ELSE lower(r.code) END,
                   r.message
              FROM rows r RETURNING 1)
        SELECT (SELECT count(*) FROM rows) AS read, (SELECT count(*) FROM ins) AS loaded,
               (SELECT max(blocked_at) FROM rows) AS cursor INTO counts;
    ELSE
        RAISE EXCEPTION 'crm_sync has no % mapping for % sources', entity, kind USING ERRCODE = '0A000';
    END IF;

    SELECT count(*) FILTER (WHERE a.attempt = 1) AS requests, count(*) FILTER (WHERE a.attempt > 1) AS retries,
           coalesce(sum(a.bytes), 0) AS bytes
      INTO http FROM @extschema@.crm_api_requests() a;
    UPDATE crm_raw.load l SET rows_read = counts.read, rows_loaded = counts.loaded, rows_rejected = 0,
                              finished_at = pg_catalog.clock_timestamp()
     WHERE l.load_id = load;
    RETURN jsonb_build_object('load_id', load, 'resource', resource, 'read', counts.read, 'loaded', counts.loaded,
                              'cursor', counts.cursor, 'requests', http.requests, 'retries', http.retries,
                              'bytes', http.bytes);
END
$$;
COMMENT ON FUNCTION crm._load_api(text, text, text, text) IS
    'Internal: one resource of an API source into crm_raw, from a cursor; returns counts, the new cursor and HTTP figures.';

-- Merges a load of Brevo blocked contacts into crm.contact_history.
CREATE FUNCTION crm._merge_contact_events(source text, load_id bigint) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    changed record;
BEGIN
    WITH src AS (
        SELECT DISTINCT ON (e.email, e.status, e.date_contact)
               _merge_contact_events.source || '-' || e.status || '-' || md5(e.email || '|' || e.date_contact::text)
                   AS contact_key,
               @extschema@.crm_normalize_email(e.email) AS email, e.date_contact, e.channel, e.status, e.subject
          FROM crm_raw.contact_events e
         WHERE e.load_id = _merge_contact_events.load_id AND e.email IS NOT NULL AND e.date_contact IS NOT NULL
         ORDER BY e.email, e.status, e.date_contact, e.raw_id DESC),
    up AS (
        INSERT INTO crm.contact_history AS t (contact_key, customer_key, email, date_contact, channel, subject, status,
                                              source)
        SELECT s.contact_key,
               (SELECT min(c.customer_key) FROM crm.customers c
                 WHERE c.email = s.email AND c.source = _merge_contact_events.source),
               s.email, s.date_contact, s.channel, s.subject, s.status, _merge_contact_events.source
          FROM src s
        ON CONFLICT ON CONSTRAINT contact_history_pkey DO UPDATE
           SET customer_key = EXCLUDED.customer_key, subject = EXCLUDED.subject
         WHERE (t.customer_key, t.subject) IS DISTINCT FROM (EXCLUDED.customer_key, EXCLUDED.subject)
        RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated,
           (SELECT count(*) FROM src) AS total
      INTO changed FROM up;
    RETURN jsonb_build_object('inserted', changed.inserted, 'updated', changed.updated,
                              'unchanged', changed.total - changed.inserted - changed.updated);
END
$$;
COMMENT ON FUNCTION crm._merge_contact_events(text, bigint) IS
    'Internal: Brevo blocked contacts (a crm_raw.contact_events load) into crm.contact_history.';

-- The work of one API run: each entity the kind feeds, in dependency order.
CREATE FUNCTION crm._sync_api(source text, kind text, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    ent text;
    previous jsonb;
    since text;
    report jsonb;
    counts jsonb;
    entities jsonb := '{}';
    full_reload boolean := coalesce((options ->> 'full')::boolean, false);
    steps text[] := CASE kind WHEN 'odoo' THEN ARRAY['products', 'customers', 'sales', 'stock']
                              WHEN 'pennylane' THEN ARRAY['products', 'customers']
                              WHEN 'brevo' THEN ARRAY['customers', 'contact_history'] END;
BEGIN
    IF steps IS NULL THEN
        RAISE EXCEPTION 'crm_sync does not read % sources', kind USING ERRCODE = '0A000',
            HINT = 'Read them with crm_read_api_rows and load the rows with SQL.';
    END IF;
    FOREACH ent IN ARRAY steps LOOP
        SELECT c.cursor INTO previous FROM crm.sync_cursor c WHERE c.source = _sync_api.source AND c.entity = ent;
        -- Stock is a snapshot: always read whole.
        since := CASE WHEN full_reload OR ent = 'stock' THEN NULL ELSE previous ->> 'since' END;
        RAISE NOTICE 'crm_sync %: reading % since %', source, ent, coalesce(since, 'the beginning');
        PERFORM pg_catalog.set_config('application_name', left(format('crm_sync %s: %s', source, ent), 63), true);
        report := crm._load_api(source, kind, ent, since);
        IF ent = 'contact_history' THEN
            counts := crm._merge_contact_events(source, (report ->> 'load_id')::bigint);
        ELSE
            counts := crm._merge_export(source, ent, (report ->> 'load_id')::bigint);
        END IF;
        IF kind = 'brevo' AND ent = 'customers' THEN
            -- Brevo says whether an address is blacklisted; exports never do.
            UPDATE crm.customers c SET email_opt_out = r.email_opt_out
              FROM crm_raw.customers r
             WHERE r.load_id = (report ->> 'load_id')::bigint AND r.email_opt_out IS NOT NULL
               AND c.customer_key = _sync_api.source || '-' || r.source_id
               AND c.email_opt_out IS DISTINCT FROM r.email_opt_out;
        ELSIF kind = 'brevo' AND ent = 'contact_history' THEN
            -- A hard bounce or an unsubscription is for good, whatever the contact list says later.
            UPDATE crm.customers c SET bounced = true
             WHERE c.source = _sync_api.source AND NOT c.bounced
               AND EXISTS (SELECT 1 FROM crm.contact_history h
                            WHERE h.customer_key = c.customer_key AND h.status = 'hard_bounce');
            UPDATE crm.customers c SET email_opt_out = true
             WHERE c.source = _sync_api.source AND NOT c.email_opt_out
               AND EXISTS (SELECT 1 FROM crm.contact_history h
                            WHERE h.customer_key = c.customer_key AND h.status = 'unsubscribed');
        END IF;
        RAISE NOTICE 'crm_sync %: % records read, % inserted, % updated', source, report ->> 'read',
            counts ->> 'inserted', counts ->> 'updated';
        -- The cursor moves with the data, and never backwards.
        PERFORM crm._move_cursor(source, ent, jsonb_build_object('resource', report ->> 'resource',
                'since', coalesce(report ->> 'cursor', previous ->> 'since'), 'load_id', report -> 'load_id'));
        entities := entities || jsonb_build_object(ent, counts || jsonb_build_object(
            'resource', report ->> 'resource', 'load_id', report -> 'load_id', 'read', report -> 'read',
            'rejected', 0, 'not_merged', coalesce((counts ->> 'not_merged')::bigint, 0)
                                         + (report ->> 'read')::bigint - (report ->> 'loaded')::bigint,
            'since', since, 'cursor', coalesce(report ->> 'cursor', previous ->> 'since'),
            'requests', report -> 'requests', 'retries', report -> 'retries', 'bytes', report -> 'bytes'));
    END LOOP;
    RETURN entities;
END
$$;
COMMENT ON FUNCTION crm._sync_api(text, text, jsonb) IS 'Internal: the steps of crm_sync for an odoo, pennylane or brevo source.';

REVOKE ALL ON FUNCTION crm._match_identities(), crm._load_api(text, text, text, text),
    crm._merge_contact_events(text, bigint), crm._sync_api(text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._match_identities(), crm._load_api(text, text, text, text),
    crm._merge_contact_events(text, bigint), crm._sync_api(text, text, jsonb) TO crm_runner;

-- crm_sync of API sources (Odoo, Pennylane, Brevo) against the mock server
-- on 127.0.0.1:58080: cursors committed with the data and read inclusively,
-- Brevo's opt-outs and bounces spread across sources through
-- crm.customer_identity, and a failed run that leaves data and cursors as
-- they were.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT crm_secret_set('sync_odoo_key', 'odoo-secret-key-123'), crm_secret_set('sync_penny', 'penny-secret-token-456'),
       crm_secret_set('sync_brevo', 'brevo-secret-key-789');
SELECT crm_source_add('sync_odoo', 'odoo', '{"url": "http://127.0.0.1:58080", "database": "cave",
                      "login": "api@cave.fr", "api_key_secret": "sync_odoo_key"}');
SELECT crm_source_add('sync_penny', 'pennylane', '{"url": "http://127.0.0.1:58080", "token_secret": "sync_penny",
                      "rate_limit_per_s": 0}');
SELECT crm_source_add('sync_brevo', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "sync_brevo"}');

CREATE FUNCTION pg_temp.api_curated() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(t, '|')) FROM (
        SELECT md5(string_agg(p::text, ',' ORDER BY product_key)) FROM (SELECT product_key, name, colour, vintage, list_price, active FROM crm.product_catalog WHERE source LIKE 'sync\_%') p
        UNION ALL SELECT md5(string_agg(c::text, ',' ORDER BY customer_key)) FROM (SELECT customer_key, last_name, company, email, phone, zip, email_opt_out, bounced, purchase_count, total_spent FROM crm.customers WHERE source LIKE 'sync\_%') c
        UNION ALL SELECT md5(string_agg(s::text, ',' ORDER BY sale_line_key)) FROM crm.sales_lines s WHERE source LIKE 'sync\_%'
        UNION ALL SELECT md5(string_agg(k::text, ',' ORDER BY product_key, warehouse)) FROM crm.stock_levels k WHERE source LIKE 'sync\_%'
        UNION ALL SELECT md5(string_agg(h::text, ',' ORDER BY contact_key)) FROM crm.contact_history h WHERE source LIKE 'sync\_%') AS x(t)
$$;
CREATE FUNCTION pg_temp.entities(result jsonb) RETURNS TABLE (status text, entity text, resource text, read text,
                                                               inserted text, updated text, not_merged text)
    LANGUAGE sql AS $$
    SELECT result ->> 'status', e.key, e.value ->> 'resource', e.value ->> 'read', e.value ->> 'inserted',
           e.value ->> 'updated', e.value ->> 'not_merged'
      FROM jsonb_each(result -> 'entities') e ORDER BY e.key
$$;

-- First runs: everything from the beginning, in dependency order.
SELECT * FROM pg_temp.entities(crm_sync('sync_odoo'));
SELECT * FROM pg_temp.entities(crm_sync('sync_penny'));
SELECT * FROM pg_temp.entities(crm_sync('sync_brevo'));
SELECT r.source, (r.result #>> '{identities,matched}')::int > 0 AS identities_matched,
       (r.result #>> '{entities,customers,requests}')::int > 0 AS counted_requests,
       (r.result #>> '{entities,customers,bytes}')::bigint > 0 AS counted_bytes
  FROM crm.sync_run r WHERE r.source LIKE 'sync\_%' ORDER BY r.run_id;

-- Odoo lines are keyed by Odoo's line id; draft and cancelled lines are read but not sales.
SELECT count(*) AS lines, count(DISTINCT order_key) AS orders, sum(price_total) AS revenue,
       count(*) FILTER (WHERE sale_line_key ~ '^sync_odoo-[0-9]+$') AS keyed_by_line_id
  FROM crm.sales_lines WHERE source = 'sync_odoo';
SELECT count(*) FILTER (WHERE purchase_count > 0) AS buyers, sum(total_spent) AS spent
  FROM crm.customers WHERE source = 'sync_odoo';
-- Quotations (draft) are open orders, never sales lines, with the keys of the canonical tables.
SELECT state, count(*) AS open_lines,
       count(*) FILTER (WHERE o.line_key IN (SELECT sale_line_key FROM crm.sales_lines)) AS also_sales,
       count(*) FILTER (WHERE c.customer_key IS NOT NULL AND p.product_key IS NOT NULL) AS resolved
  FROM crm.open_order_lines o
  LEFT JOIN crm.customers c ON c.customer_key = o.customer_key
  LEFT JOIN crm.product_catalog p ON p.product_key = o.product_key
 WHERE o.source = 'sync_odoo' GROUP BY 1;
SELECT colour, count(*) FROM crm.product_catalog WHERE source = 'sync_odoo' GROUP BY 1 ORDER BY 1;
SELECT warehouse, count(*), sum(available) AS available FROM crm.stock_levels WHERE source = 'sync_odoo' GROUP BY 1;

-- Each cursor is the largest update time read, in the vendor's format.
SELECT source, entity, cursor ->> 'resource' AS resource, cursor ->> 'since' AS since
  FROM crm.sync_cursor WHERE source LIKE 'sync\_%' ORDER BY source, entity;

-- Brevo: blacklisted contacts, hard bounces and unsubscriptions; the same
-- person in Odoo and Pennylane (same address, or same name and zip) is
-- flagged too.
SELECT status, count(*) AS events, count(customer_key) AS with_customer
  FROM crm.contact_history WHERE source = 'sync_brevo' GROUP BY 1 ORDER BY 1;
SELECT source, count(*) AS customers, count(*) FILTER (WHERE email_opt_out) AS opt_out,
       count(*) FILTER (WHERE bounced) AS bounced
  FROM crm.customers WHERE source LIKE 'sync\_%' GROUP BY 1 ORDER BY 1;
SELECT matched_by, count(*) FROM crm.customer_identity i JOIN crm.customers c USING (customer_key)
 WHERE c.source LIKE 'sync\_%' GROUP BY 1 ORDER BY 1;
-- A flag reaches another source only through a match.
SELECT count(*) AS flagged_without_a_brevo_match
  FROM crm.customers c JOIN crm.customer_identity i USING (customer_key)
 WHERE c.source IN ('sync_odoo', 'sync_penny') AND (c.email_opt_out OR c.bounced)
   AND NOT EXISTS (SELECT 1 FROM crm.customer_identity j JOIN crm.customers b USING (customer_key)
                    WHERE j.person_key = i.person_key AND b.source = 'sync_brevo' AND (b.email_opt_out OR b.bounced));
SELECT pg_temp.api_curated() AS first_state \gset

-- Reruns read from the cursor, inclusively: the records sharing the last
-- update time are read again and found unchanged; nothing is rewritten.
SELECT * FROM pg_temp.entities(crm_sync('sync_odoo'));
SELECT * FROM pg_temp.entities(crm_sync('sync_brevo'));
SELECT pg_temp.api_curated() = :'first_state' AS same_data;

-- A run that fails after reading (here a data-quality rule) publishes
-- nothing and leaves the cursors where they were.
CREATE TEMP TABLE cursors_before AS SELECT * FROM crm.sync_cursor WHERE source = 'sync_odoo';
INSERT INTO crm.dq_rule (source, target, kind, params, description)
VALUES ('sync_odoo', 'crm.customers', 'row_count', '{"max": 10}', 'deliberately failing');
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM crm_sync('sync_odoo', '{"full": true}') AS r;
SELECT count(*) AS cursors_moved FROM crm.sync_cursor c JOIN cursors_before b USING (source, entity)
 WHERE c.cursor <> b.cursor OR c.updated_at <> b.updated_at;
SELECT pg_temp.api_curated() = :'first_state' AS same_data;
SELECT status, error IS NOT NULL AS has_error, cursor_before = cursor_after AS cursor_kept
  FROM crm.sync_run WHERE source = 'sync_odoo' ORDER BY run_id DESC LIMIT 1;
DELETE FROM crm.dq_rule WHERE source = 'sync_odoo';

-- A full reload reads everything again and changes nothing.
SELECT * FROM pg_temp.entities(crm_sync('sync_odoo', '{"full": true}'));
SELECT pg_temp.api_curated() = :'first_state' AS same_data;

-- A source that cannot authenticate fails with the reason, before any data moves.
SELECT crm_source_add('sync_bad', 'odoo', '{"url": "http://127.0.0.1:58080", "database": "cave",
                      "login": "api@cave.fr", "api_key_secret": "wrong_key"}');
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM crm_sync('sync_bad') AS r;
SELECT count(*) AS cursors FROM crm.sync_cursor WHERE source = 'sync_bad';
-- http_json sources have no canonical mapping: said plainly.
SELECT crm_source_add('sync_json', 'http_json', '{"url": "http://127.0.0.1:58080", "records": ""}');
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM crm_sync('sync_json') AS r;
SELECT crm_source_remove(s) FROM unnest(ARRAY['sync_bad', 'sync_json']) s;

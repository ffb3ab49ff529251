-- APIs as tables, against the mock server tools/test.sh starts on
-- 127.0.0.1:58080 (test/mock/api_server.py), the one address the test
-- cluster's crm.allowed_hosts admits.
SET client_min_messages = warning;

-- Secrets: set by crm_admin, names visible, values readable by no one else.
SELECT crm_secret_set('odoo_key', 'odoo-secret-key-123');
SELECT crm_secret_set('penny', 'penny-secret-token-456');
SELECT crm_secret_set('brevo', 'brevo-secret-key-789');
SELECT crm_secret_set('wrong_key', 'not-the-right-key');
SELECT name FROM crm.secret_names ORDER BY name;
SELECT crm_secret_set('Bad Name', 'x');
SELECT crm_secret_set('multi_line', E'abc\ndef');
SET ROLE crm_admin;
SELECT name FROM crm.secret_names WHERE name = 'penny';
SELECT value FROM crm.secret;
RESET ROLE;
SET ROLE crm_runner;
SELECT crm_secret_set('penny', 'stolen');
SELECT count(*) FROM crm.secret_names;
RESET ROLE;

-- Sources: checked when added.
SELECT crm_source_add('odoo', 'odoo', '{"url": "http://127.0.0.1:58080", "database": "cave", "login": "api@cave.fr",
                                        "api_key_secret": "odoo_key", "max_retries": 1}');
SELECT crm_source_add('penny', 'pennylane', '{"url": "http://127.0.0.1:58080", "token_secret": "penny"}');
SELECT crm_source_add('brevo', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "brevo"}');
SELECT name, kind, config ->> 'url' AS url FROM crm.source ORDER BY name;
SELECT crm_source_add('bad', 'salesforce', '{"url": "https://x.example"}');
SELECT crm_source_add('bad', 'brevo', '{"api_key_secret": "brevo"}');
SELECT crm_source_add('bad', 'brevo', '{"url": "https://api.brevo.com", "api_key": "xkeysib-123"}');
SET client_min_messages = warning;
SELECT crm_source_add('elsewhere', 'brevo', '{"url": "https://api.brevo.com", "api_key_secret": "not_set"}');
SELECT crm_source_remove('elsewhere');
SELECT crm_source_remove('elsewhere');

-- One page, in plain words.
SELECT t ->> 'ok' AS ok, t ->> 'records' AS records FROM crm_source_test('odoo') AS t;
SELECT t ->> 'ok' AS ok, t ->> 'records' AS records FROM crm_source_test('penny') AS t;
SELECT t ->> 'ok' AS ok, t ->> 'records' AS records FROM crm_source_test('brevo') AS t;
SELECT crm_source_add('odoo_wrong', 'odoo', '{"url": "http://127.0.0.1:58080", "database": "cave",
                                              "login": "api@cave.fr", "api_key_secret": "wrong_key"}');
SELECT t ->> 'ok' AS ok, t ->> 'sqlstate' AS sqlstate, t ->> 'error' AS error FROM crm_source_test('odoo_wrong') AS t;

-- Odoo: every record across pages (keyset on write_date, id).
SELECT count(*), count(DISTINCT r ->> 'id') FROM crm_read_api('odoo', 'res.partner') AS r;
SELECT count(*) AS requests FROM crm_api_requests();
SELECT count(*) AS lines, count(DISTINCT partner_id) AS partners, sum(product_uom_qty) AS qty,
       count(*) FILTER (WHERE partner_name IS NULL) AS no_name
  FROM crm_read_api_rows('odoo', 'sale.order.line',
         '{"fields": {"id": "/id", "partner_id": "/order_partner_id/0", "partner_name": "/order_partner_id/1",
                      "product_uom_qty": "/product_uom_qty", "price_subtotal": "/price_subtotal"}}')
       AS l(id int, partner_id int, partner_name text, product_uom_qty numeric, price_subtotal numeric(14,2));
-- Odoo's false is NULL in text columns and false in boolean ones.
SELECT count(*) FILTER (WHERE email IS NULL) > 0 AS some_null_emails, count(*) FILTER (WHERE email = 'false') AS false_text,
       count(*) FILTER (WHERE is_company IS NOT NULL) = count(*) AS booleans_kept
  FROM crm_read_api_rows('odoo', 'res.partner') AS p(id int, email text, is_company boolean);
-- Incremental: since keeps the records written at or after it (seven
-- records share each second of write_date in the mock: the keyset pages
-- through them without losing or repeating one).
SELECT count(*) AS records, count(DISTINCT id) AS distinct_ids, min(write_date) AS first_write
  FROM crm_read_api_rows('odoo', 'res.partner', '{"since": "2024-05-01 08:03:00", "page_size": 10}')
       AS p(id int, write_date timestamp);
SELECT count(*) FILTER (WHERE attempt = 1) AS requests FROM crm_api_requests();

-- Pennylane: amounts as strings or numbers convert alike.
SELECT count(*) AS invoices, sum(amount) = (SELECT sum((r ->> 'amount')::numeric) FROM crm_read_api('penny', 'customer_invoices') r)
       AS same_total
  FROM crm_read_api_rows('penny', 'customer_invoices') AS i(id int, amount numeric(14,2));
SELECT count(*) AS customers FROM crm_read_api('penny', 'customers');

-- Brevo: contacts and blocked contacts.
SELECT count(*) AS contacts, count(*) FILTER (WHERE "emailBlacklisted") > 0 AS some_blacklisted
  FROM crm_read_api_rows('brevo', 'contacts') AS c(email text, "emailBlacklisted" boolean);
SELECT count(*) AS blocked FROM crm_read_api('brevo', 'smtp/blockedContacts');
SELECT crm_read_api('brevo', 'campaigns');

-- Privileges: crm_reader reads no API.
SET ROLE crm_reader;
SELECT count(*) FROM crm_read_api('brevo', 'contacts');
RESET ROLE;

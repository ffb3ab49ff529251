-- Sources (where data comes from) and secrets (the keys to reach them).
--
-- Secrets live in crm.secret, which no role but its owner (the role that
-- installed pg_crm) may read: no grant, no function returning a value. The C
-- readers fetch a value by switching to that owner for one catalog lookup,
-- use it in a request header or body, and never put it in a message.

CREATE TABLE crm.secret (
    name   text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    value  text NOT NULL,
    set_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    set_by name NOT NULL DEFAULT SESSION_USER
);
REVOKE ALL ON crm.secret FROM PUBLIC;
COMMENT ON TABLE crm.secret IS
    'API keys and tokens, readable by the extension owner only. Set with crm_secret_set(); names in crm.secret_names. '
    'Not dumped by pg_dump: set the secrets again after a restore.';
COMMENT ON COLUMN crm.secret.name IS 'The name a source config refers to (api_key_secret, token_secret, auth.secret).';
COMMENT ON COLUMN crm.secret.value IS 'The secret itself; never returned by any pg_crm function.';
COMMENT ON COLUMN crm.secret.set_at IS 'When it was last set.';
COMMENT ON COLUMN crm.secret.set_by IS 'Session user who set it.';

CREATE VIEW crm.secret_names AS SELECT name, set_at, set_by FROM crm.secret;
COMMENT ON VIEW crm.secret_names IS 'The secrets that are set: names and when, never values.';
COMMENT ON COLUMN crm.secret_names.name IS 'Secret name.';
COMMENT ON COLUMN crm.secret_names.set_at IS 'When it was last set.';
COMMENT ON COLUMN crm.secret_names.set_by IS 'Session user who set it.';
GRANT SELECT ON crm.secret_names TO crm_admin;

-- SECURITY DEFINER: crm_admin writes a table it cannot read. The value is a
-- parameter, never interpolated into SQL, and no error below mentions it.
CREATE FUNCTION crm_secret_set(name text, value text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF name IS NULL OR name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'secret name must be lower-case letters, digits and _ (at most 63), starting with a letter'
            USING ERRCODE = '22023';
    END IF;
    IF value IS NULL OR value = '' THEN
        RAISE EXCEPTION 'secret "%" needs a non-empty value', name USING ERRCODE = '22023';
    END IF;
    IF value ~ '[\r\n]' THEN
        RAISE EXCEPTION 'secret "%" contains a line break, which no HTTP header may carry', name
            USING ERRCODE = '22023', HINT = 'Paste the key without its trailing newline.';
    END IF;
    INSERT INTO crm.secret AS s (name, value) VALUES (crm_secret_set.name, crm_secret_set.value)
        ON CONFLICT ON CONSTRAINT secret_pkey
        DO UPDATE SET value = EXCLUDED.value, set_at = pg_catalog.now(), set_by = SESSION_USER;
END
$$;
COMMENT ON FUNCTION crm_secret_set(text, text) IS
    'Stores an API key or token under a name (creates or replaces it). Pass the value from a psql variable '
    '(\prompt) or a bind parameter so that it stays out of shell history and statement logs; see docs/apis.md.';

CREATE FUNCTION crm_secret_remove(name text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM crm.secret s WHERE s.name = crm_secret_remove.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'secret "%" does not exist', name USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION crm_secret_remove(text) IS 'Deletes a secret.';
REVOKE ALL ON FUNCTION crm_secret_set(text, text), crm_secret_remove(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_secret_set(text, text), crm_secret_remove(text) TO crm_admin;

CREATE TABLE crm.source (
    name       text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    kind       text NOT NULL CHECK (kind IN ('isavigne', 'files', 'odoo', 'pennylane', 'brevo', 'http_json')),
    config     jsonb NOT NULL DEFAULT '{}',
    enabled    boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('crm.source', '');
COMMENT ON TABLE crm.source IS
    'Where data comes from: one row per source, added with crm_source_add(). Holds no secret, only secret names. '
    'Dumped by pg_dump.';
COMMENT ON COLUMN crm.source.name IS 'Source name, used by crm_read_api() and crm_sync().';
COMMENT ON COLUMN crm.source.kind IS 'isavigne (a directory of exports), files (explicit files, each feeding one entity), odoo, pennylane, brevo or http_json.';
COMMENT ON COLUMN crm.source.config IS 'Connection settings (url, database, login, secret names, paging, limits); see docs/apis.md.';
COMMENT ON COLUMN crm.source.enabled IS 'Disabled sources are skipped by scheduled syncs.';
COMMENT ON COLUMN crm.source.created_at IS 'When the source was added.';
COMMENT ON COLUMN crm.source.updated_at IS 'When its config last changed.';
GRANT SELECT ON crm.source TO crm_runner;
GRANT INSERT, UPDATE, DELETE ON crm.source TO crm_admin;

-- Checks a config the way the readers will parse it (unknown keys, missing
-- url, a key pasted where a secret name belongs, a host not allowed).
CREATE FUNCTION crm._source_check(kind text, config jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_source_check' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION crm._source_check(text, jsonb) IS
    'Internal: validates a source config for its kind; returns warnings (host not in crm.allowed_hosts, secret not set).';
REVOKE ALL ON FUNCTION crm._source_check(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._source_check(text, jsonb) TO crm_admin;

CREATE FUNCTION crm_source_add(name text, kind text, config jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    warning text;
BEGIN
    IF name IS NULL OR name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'source name must be lower-case letters, digits and _ (at most 63), starting with a letter'
            USING ERRCODE = '22023';
    END IF;
    FOR warning IN SELECT pg_catalog.jsonb_array_elements_text(crm._source_check(kind, config)) LOOP
        RAISE WARNING 'source "%": %', name, warning;
    END LOOP;
    INSERT INTO crm.source AS s (name, kind, config) VALUES (crm_source_add.name, crm_source_add.kind, crm_source_add.config)
        ON CONFLICT ON CONSTRAINT source_pkey
        DO UPDATE SET kind = EXCLUDED.kind, config = EXCLUDED.config, updated_at = pg_catalog.now();
END
$$;
COMMENT ON FUNCTION crm_source_add(text, text, jsonb) IS
    'Adds a source, or replaces the kind and config of an existing one. The config is checked now: an unknown key or '
    'a missing url is an error; a host missing from crm.allowed_hosts or a secret not yet set is a WARNING.';

CREATE FUNCTION crm_source_remove(name text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM crm.source s WHERE s.name = crm_source_remove.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'source "%" does not exist', name USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION crm_source_remove(text) IS 'Deletes a source (its secrets stay; remove them with crm_secret_remove).';
REVOKE ALL ON FUNCTION crm_source_add(text, text, jsonb), crm_source_remove(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_source_add(text, text, jsonb), crm_source_remove(text) TO crm_admin;

CREATE FUNCTION crm_source_test(name text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_source_test' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_source_test(text) IS
    'Authenticates to a source and fetches one page. Returns {"ok", "source", "kind", "host", "records", "requests", '
    '"ms"} and, when it fails, "error" in plain words with its "sqlstate".';

CREATE FUNCTION crm_read_api(source text, resource text, options jsonb DEFAULT '{}') RETURNS SETOF jsonb
    AS 'MODULE_PATHNAME', 'crm_read_api' LANGUAGE C VOLATILE STRICT ROWS 1000;
COMMENT ON FUNCTION crm_read_api(text, text, jsonb) IS
    'Every record of an API resource across all pages, as jsonb: Odoo models (res.partner, product.product, '
    'sale.order.line, stock.quant ...), Pennylane customers, products, customer_invoices, changelogs/customers, '
    'Brevo contacts, smtp/blockedContacts. Options: since, domain, fields, page_size, max_pages, params.';

CREATE FUNCTION crm_read_api_rows(source text, resource text, options jsonb DEFAULT '{}') RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_read_api_rows' LANGUAGE C VOLATILE STRICT ROWS 1000;
COMMENT ON FUNCTION crm_read_api_rows(text, text, jsonb) IS
    'Typed rows of an API resource for a column definition list: columns from top-level keys, or from '
    'options.fields {column: JSON pointer}. Odoo''s false is NULL in non-boolean columns; numbers written as strings '
    'convert.';
REVOKE ALL ON FUNCTION crm_source_test(text), crm_read_api(text, text, jsonb), crm_read_api_rows(text, text, jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_source_test(text), crm_read_api(text, text, jsonb), crm_read_api_rows(text, text, jsonb)
    TO crm_runner;

CREATE FUNCTION crm_api_requests(OUT source text, OUT resource text, OUT request int, OUT attempt int, OUT status int,
                                 OUT bytes bigint, OUT ms float8, OUT waited_ms float8, OUT retry_reason text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'crm_api_requests' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_api_requests() IS
    'The HTTP requests of this session''s last API call (crm_read_api, crm_read_api_rows, crm_source_test), failed or '
    'not: one row per attempt with its status (NULL when no response came), bytes, duration, the wait before it and '
    'why it was retried. Never headers, bodies or secrets.';
REVOKE ALL ON FUNCTION crm_api_requests() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_api_requests() TO crm_runner;

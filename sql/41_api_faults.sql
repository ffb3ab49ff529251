-- The HTTP client against a misbehaving server: each fault of
-- test/mock/api_server.py (selected by a /fault/<name> path prefix) ends in
-- success after retries or in a clean error with its SQLSTATE — and no error
-- text ever contains a secret.
SET client_min_messages = warning;
SELECT crm_secret_set('brevo', 'brevo-secret-key-789');
SELECT crm_secret_set('penny', 'penny-secret-token-456');
SELECT crm_secret_set('odoo_key', 'odoo-secret-key-123');

-- Runs a query that must fail; returns its SQLSTATE and message, and says
-- whether any secret leaked into the message, detail or hint.
CREATE FUNCTION pg_temp.failure(query text) RETURNS TABLE(sqlstate text, message text, leaks boolean)
LANGUAGE plpgsql AS $$
DECLARE
    state text; msg text; det text; hnt text;
BEGIN
    EXECUTE query;
    RETURN QUERY SELECT 'none'::text, 'no error'::text, false;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            hnt = PG_EXCEPTION_HINT;
    RETURN QUERY SELECT state, msg,
        concat_ws(' ', msg, det, hnt) ~ '(brevo-secret-key-789|penny-secret-token-456|odoo-secret-key-123)';
END
$$;

-- A Brevo source behind each fault.
CREATE FUNCTION pg_temp.fault_source(fault text, extra jsonb DEFAULT '{}') RETURNS void LANGUAGE sql AS $$
    SELECT crm_source_add('fault_' || replace(fault, '-', '_'), 'brevo',
        jsonb_build_object('url', 'http://127.0.0.1:58080/fault/' || fault, 'api_key_secret', 'brevo') || extra)
$$;

-- Fault counters start from zero, so that the test can run again.
SELECT crm_source_add('mock_reset', 'http_json', '{"url": "http://127.0.0.1:58080/_reset", "records": ""}');
SELECT r FROM crm_read_api('mock_reset', '') AS r;

-- Retries that succeed, and how long they waited.
SELECT pg_temp.fault_source('429-retry-after');
SELECT count(*) FROM crm_read_api('fault_429_retry_after', 'contacts');
SELECT count(*) AS attempts, max(waited_ms) >= 1000 AS waited_retry_after, string_agg(DISTINCT retry_reason, ', ') AS why
  FROM crm_api_requests() WHERE request = 1;
SELECT pg_temp.fault_source('429-reset-header');
SELECT count(*) FROM crm_read_api('fault_429_reset_header', 'contacts');
SELECT count(*) AS attempts, max(waited_ms) >= 900 AS waited_reset FROM crm_api_requests() WHERE request = 1;
SELECT pg_temp.fault_source('retry-after-huge', '{"max_retry_wait_ms": 1500}');
SELECT count(*) FROM crm_read_api('fault_retry_after_huge', 'contacts');
SELECT count(*) AS attempts, max(waited_ms) BETWEEN 1400 AND 5000 AS clamped FROM crm_api_requests() WHERE request = 1;
SELECT pg_temp.fault_source('retry-after-past');
SELECT count(*) FROM crm_read_api('fault_retry_after_past', 'contacts');
SELECT count(*) AS attempts, max(waited_ms) < 1000 AS no_wait FROM crm_api_requests() WHERE request = 1;
SELECT pg_temp.fault_source('500x3');
SELECT count(*) FROM crm_read_api('fault_500x3', 'contacts');
SELECT count(*) AS attempts, string_agg(status::text, ',' ORDER BY attempt) AS statuses
  FROM crm_api_requests() WHERE request = 1;
SELECT pg_temp.fault_source('redirect-same-host');
SELECT count(*) FROM crm_read_api('fault_redirect_same_host', 'contacts');

-- Failures: the right SQLSTATE, plain words, no secret.
SELECT pg_temp.fault_source('500-forever', '{"max_retries": 2}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_500_forever', 'contacts')$$);
SELECT count(*) AS attempts FROM crm_api_requests();
SELECT pg_temp.fault_source('stall', '{"timeout_ms": 1500, "max_retries": 0}');
SELECT sqlstate, leaks FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_stall', 'contacts')$$);
SELECT pg_temp.fault_source('short-body', '{"max_retries": 0}');
SELECT sqlstate, leaks FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_short_body', 'contacts')$$);
SELECT pg_temp.fault_source('invalid-json');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_invalid_json', 'contacts')$$);
SELECT pg_temp.fault_source('wrong-shape');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_wrong_shape', 'contacts')$$);
SELECT pg_temp.fault_source('204');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_204', 'contacts')$$);
SET crm.max_response_size = '8MB';
SELECT pg_temp.fault_source('gzip-bomb');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_gzip_bomb', 'contacts')$$);
RESET crm.max_response_size;
SELECT pg_temp.fault_source('redirect-loopback2');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_redirect_loopback2', 'contacts')$$);
SELECT pg_temp.fault_source('redirect-metadata');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_redirect_metadata', 'contacts')$$);
SELECT pg_temp.fault_source('redirect-file');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_redirect_file', 'contacts')$$);
SELECT pg_temp.fault_source('repeat-cursor');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('fault_repeat_cursor', 'contacts')$$);
SELECT crm_source_add('penny_loop', 'pennylane', '{"url": "http://127.0.0.1:58080/fault/repeat-cursor", "token_secret": "penny"}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('penny_loop', 'customers')$$);
SELECT crm_source_add('odoo_error', 'odoo', '{"url": "http://127.0.0.1:58080/fault/odoo-error", "database": "cave",
                                             "login": "api@cave.fr", "api_key_secret": "odoo_key"}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('odoo_error', 'res.partner')$$);

-- Wrong credentials: the message names the secret to fix, never its value.
SELECT crm_secret_set('brevo_old', 'xkeysib-expired');
SELECT crm_source_add('brevo_old', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "brevo_old"}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('brevo_old', 'contacts')$$);
SELECT crm_secret_set('penny_old', 'expired-token');
SELECT crm_source_add('penny_old', 'pennylane', '{"url": "http://127.0.0.1:58080", "token_secret": "penny_old"}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('penny_old', 'customers')$$);
SELECT crm_source_add('nokey', 'brevo', '{"url": "http://127.0.0.1:58080", "api_key_secret": "never_set"}');
SELECT * FROM pg_temp.failure($$SELECT count(*) FROM crm_read_api('nokey', 'contacts')$$);

-- Addresses the allow-list does not name, however they are spelled: refused
-- when the source is added (not http(s), credentials in the URL) or when
-- the read connects.
CREATE FUNCTION pg_temp.reach(url text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    PERFORM crm_source_add('ssrf', 'http_json', jsonb_build_object('url', url, 'records', ''));
    PERFORM count(*) FROM crm_read_api('ssrf', '');
    RETURN 'reached';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
    RETURN state || ': ' || SQLERRM;
END
$$;
SET client_min_messages = error;
-- Every spelling of an address the allow-list does not name (the test
-- cluster names only http://127.0.0.1:58080; 127.1, 2130706433, 0x7f.1 and
-- 017700000001 are 127.0.0.1 itself, so they are tried on another port).
SELECT url, pg_temp.reach(url) AS outcome
  FROM (VALUES ('https://api.brevo.com'), ('http://127.0.0.1:58081'), ('http://127.0.0.2:58080'), ('http://127.1:58081'),
               ('http://2130706433:58081'), ('http://0x7f.1:58081'), ('http://017700000001:58081'),
               ('http://[::ffff:127.0.0.1]:58080'), ('http://[::1]:58080'), ('http://169.254.169.254'),
               ('http://[fd00:ec2::254]'), ('http://10.0.0.1'), ('http://192.168.1.1'), ('http://172.16.0.1'),
               ('http://100.64.0.1'), ('http://localhost:58080'), ('https://127.0.0.1:58080'), ('http://0.0.0.0:58080'),
               ('http://0:58080'), ('http://user:pw@127.0.0.1:58080'), ('ftp://127.0.0.1:58080'), ('file:///etc/passwd'),
               ('gopher://127.0.0.1:58080'), ('dict://127.0.0.1:58080'), ('http://127.0.0.1.nip.io:58080'),
               ('http://127.0.0.1:58080@evil.example'), ('http://127.0.0.1%2f@evil.example'))
       AS t(url);
-- A name the allow-list admits but that resolves inward is refused when
-- connecting: the resolved address is checked, not the name.
SET crm.allowed_hosts = 'http://127.0.0.1:58080, http://localhost:58080';
SELECT pg_temp.reach('http://localhost:58080/v3/contacts') AS outcome;
RESET crm.allowed_hosts;

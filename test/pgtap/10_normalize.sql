-- Normalisation functions: usable in indexes (IMMUTABLE), STRICT where NULL
-- means nothing to normalise, PARALLEL SAFE, and an expression index is used.
BEGIN;
SELECT plan(53);

SELECT volatility_is('public', f, args, 'immutable')
  FROM (VALUES ('crm_unaccent', ARRAY['text']), ('crm_normalize_key', ARRAY['text']),
               ('crm_normalize_column_name', ARRAY['text']), ('crm_normalize_email', ARRAY['text']),
               ('crm_normalize_phone', ARRAY['text', 'text']), ('crm_product_key', ARRAY['text', 'text', 'text', 'double precision']),
               ('crm_parse_packaging', ARRAY['text']), ('crm_parse_packaging_explain', ARRAY['text']),
               ('crm_bottles_75cl', ARRAY['numeric', 'text']), ('crm_parse_number', ARRAY['text', 'text']),
               ('crm_parse_number_explain', ARRAY['text', 'text']), ('crm_parse_date', ARRAY['text', 'text']),
               ('crm_parse_date_explain', ARRAY['text', 'text']), ('crm_parse_timestamp', ARRAY['text', 'text']))
       AS t(f, args);

SELECT is_strict('public', f, args)
  FROM (VALUES ('crm_unaccent', ARRAY['text']), ('crm_normalize_key', ARRAY['text']),
               ('crm_normalize_column_name', ARRAY['text']), ('crm_normalize_email', ARRAY['text']),
               ('crm_normalize_phone', ARRAY['text', 'text']), ('crm_parse_packaging', ARRAY['text']),
               ('crm_parse_packaging_explain', ARRAY['text']), ('crm_bottles_75cl', ARRAY['numeric', 'text']))
       AS t(f, args);
-- The parsers with an optional convention are not STRICT, so that an explicit NULL convention still infers.
SELECT isnt_strict('public', f, args)
  FROM (VALUES ('crm_parse_number', ARRAY['text', 'text']), ('crm_parse_date', ARRAY['text', 'text']),
               ('crm_parse_timestamp', ARRAY['text', 'text']), ('crm_product_key', ARRAY['text', 'text', 'text', 'double precision']))
       AS t(f, args);
SELECT is(crm_parse_number(NULL, ','), NULL, 'crm_parse_number(NULL, ...) is NULL');
SELECT is(crm_parse_date(NULL), NULL, 'crm_parse_date(NULL) is NULL');

SELECT is(p.proparallel, 's', p.proname || ' is PARALLEL SAFE')
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace
   AND p.proname IN ('crm_unaccent', 'crm_normalize_key', 'crm_normalize_column_name', 'crm_normalize_email',
                     'crm_normalize_phone', 'crm_product_key', 'crm_parse_packaging', 'crm_parse_packaging_explain',
                     'crm_bottles_75cl', 'crm_parse_number', 'crm_parse_number_explain', 'crm_parse_date',
                     'crm_parse_date_explain', 'crm_parse_timestamp')
 ORDER BY p.proname;

SELECT ok(obj_description(p.oid, 'pg_proc') IS NOT NULL, p.proname || ' has a comment')
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace AND p.proname IN ('crm_unaccent', 'crm_normalize_key',
       'crm_bottles_75cl', 'crm_parse_number', 'crm_parse_date', 'crm_bottles_75cl_with_rules')
 ORDER BY p.proname;

-- An expression index on the matching key is used for lookups.
CREATE TABLE pgtap_customer (id int, name text);
INSERT INTO pgtap_customer SELECT i, 'Domaine n°' || i || ' SARL' FROM generate_series(1, 5000) AS i;
CREATE INDEX pgtap_customer_key ON pgtap_customer (crm_normalize_key(name));
ANALYZE pgtap_customer;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP result := result || line || E'\n'; END LOOP;
    RETURN result;
END $$;
SELECT matches(pg_temp.plan_of($$SELECT id FROM pgtap_customer WHERE crm_normalize_key(name) = crm_normalize_key('SARL Domaine N° 42')$$),
               'Index (Only )?Scan using pgtap_customer_key|Bitmap Index Scan on pgtap_customer_key',
               'an index on crm_normalize_key(name) is used');
SELECT is((SELECT id FROM pgtap_customer WHERE crm_normalize_key(name) = crm_normalize_key('SARL Domaine N° 42')), 42,
          'the legal form''s position does not matter to the key');

-- Agreement with contrib unaccent() on 863 real French names, places and appellations
-- (test/fixtures/names_fr.txt), and the documented improvements where they differ.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEMP TABLE pgtap_names AS
SELECT name FROM crm_read_csv(current_setting('crm.allowed_read_paths') || '/names_fr.txt',
                              '{"header": false, "delimiter": "\t", "quote": ""}') AS t(name text);
SELECT cmp_ok((SELECT count(*) FROM pgtap_names), '>=', 500::bigint, 'at least 500 real names in the fixture');
SELECT is((SELECT count(*) FROM pgtap_names WHERE unaccent(name) IS DISTINCT FROM crm_unaccent(name)), 0::bigint,
          'crm_unaccent agrees with contrib unaccent() on every name');
SELECT is(crm_unaccent(E'Caf\u00e9\u00a0de\u202fla Gare \u00abchez L\u2019\u00e9cluse\u00bb'),
          'Cafe de la Gare "chez L''ecluse"',
          'improvements over contrib: no-break spaces become spaces, typographic quotes become ASCII');

SELECT * FROM finish();
ROLLBACK;

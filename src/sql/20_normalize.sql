-- Normalisation: accents, matching keys, column names, packaging (75 cl
-- equivalents), French numbers and dates, e-mails, phones, product keys.
-- IMMUTABLE and PARALLEL SAFE: usable in indexes and generated columns.
-- No SET search_path: C functions that run no SQL do not need it, and a SET
-- clause would cost a settings save/restore on every row.

CREATE FUNCTION crm_unaccent(text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_unaccent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_unaccent(text) IS
    'Removes diacritics from Latin letters (Unicode decomposition), folds ligatures (œ → oe, ß → ss), maps no-break '
    'spaces to a space and typographic quotes to ASCII; keeps case and non-Latin scripts.';

CREATE FUNCTION crm_normalize_key(text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_normalize_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_normalize_key(text) IS
    'Matching key for names: unaccented, lower case, punctuation and spaces collapsed, St/Ste → saint/sainte, & → et, '
    'legal forms (SARL, SAS, EARL…) moved to the end.';

CREATE FUNCTION crm_normalize_column_name(text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_normalize_column_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_normalize_column_name(text) IS
    'Header to identifier, as the file readers match columns: "N° Vente" → n_vente, "Prix U. HT (€)" → prix_u_ht_eur.';

CREATE FUNCTION crm_normalize_email(text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_normalize_email(text) IS 'E-mail trimmed and lower-cased; NULL when it is not a valid address.';

CREATE FUNCTION crm_normalize_phone(text, country text DEFAULT 'FR') RETURNS text
    AS 'MODULE_PATHNAME', 'crm_normalize_phone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_normalize_phone(text, text) IS
    'Phone number in E.164 (06 12 34 56 78 → +33612345678); country is the default for numbers without one.';

CREATE FUNCTION crm_product_key(code text, name text, vintage text DEFAULT NULL, volume_cl float8 DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'crm_product_key' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_product_key(text, text, text, float8) IS
    'Stable product key: p-<code> when there is a code, else n-<name>-<vintage>-<volume>; accents and case do not '
    'change it. NULL when both code and name are missing.';

CREATE FUNCTION crm_parse_packaging(text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_parse_packaging' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_packaging(text) IS
    'Packaging label to {"units", "volume_cl", "bottles_75cl", "rule"}: "caisse 6x75cl" → 6 bottles, "magnum" → 2; '
    'NULL when nothing is recognised (see crm_parse_packaging_explain).';

CREATE FUNCTION crm_parse_packaging_explain(text) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_parse_packaging_explain' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_packaging_explain(text) IS
    'The rule crm_parse_packaging applied to a label, or why it recognised nothing.';

CREATE FUNCTION crm_bottles_75cl(quantity numeric, packaging text) RETURNS numeric
    AS 'MODULE_PATHNAME', 'crm_bottles_75cl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crm_bottles_75cl(numeric, text) IS
    'quantity × 75 cl equivalents of one unit of the packaging (3 decimals); NULL when the packaging is not '
    'recognised, never a silent 1.';

-- The parsers take an optional convention; NULL means "infer". They are
-- CALLED ON NULL INPUT so that an explicit NULL option still infers, and
-- return NULL for a NULL value.
CREATE FUNCTION crm_parse_number(text, "decimal" text DEFAULT NULL) RETURNS numeric
    AS 'MODULE_PATHNAME', 'crm_parse_number' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_number(text, text) IS
    'French or English number to numeric: "1 234,56 €" → 1234.56, "(123,45)" → -123.45, "-12,5 %" → -12.5; '
    'decimal is '','' or ''.'' (inferred when NULL). NULL when it is not a number.';

CREATE FUNCTION crm_parse_number_explain(text, "decimal" text DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_parse_number_explain' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_number_explain(text, text) IS 'How crm_parse_number reads a value, or why it cannot.';

CREATE FUNCTION crm_parse_date(text, format text DEFAULT NULL) RETURNS date
    AS 'MODULE_PATHNAME', 'crm_parse_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_date(text, text) IS
    'Date as French exports write it: dd/mm/yyyy first, then ISO, dd.mm.yy, dd-mm-yyyy…; format DMY, MDY, YMD, '
    'excel (serial numbers) or a pattern like dd/mm/yyyy. NULL when it is not a valid date.';

CREATE FUNCTION crm_parse_date_explain(text, format text DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'crm_parse_date_explain' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_date_explain(text, text) IS 'How crm_parse_date reads a value, or why it cannot.';

CREATE FUNCTION crm_parse_timestamp(text, format text DEFAULT NULL) RETURNS timestamp
    AS 'MODULE_PATHNAME', 'crm_parse_timestamp' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crm_parse_timestamp(text, text) IS
    'Timestamp as exports write it: dd/mm/yyyy hh:mm[:ss], ISO, Excel serials with a fraction of a day.';

-- House rules for packaging labels the built-in parser does not know or
-- reads differently (a Bordeaux jéroboam of 4.5 l, a merchant's own "CT6M").
-- The sync applies them before the built-in parser; the IMMUTABLE functions
-- above stay table-free.
CREATE TABLE crm.packaging_rule (
    pattern   text PRIMARY KEY,
    units     numeric NOT NULL CHECK (units > 0),
    volume_cl numeric NOT NULL CHECK (volume_cl > 0),
    note      text,
    pattern_key text GENERATED ALWAYS AS (crm_normalize_key(pattern)) STORED UNIQUE
);
COMMENT ON TABLE crm.packaging_rule IS
    'Admin-edited packaging labels: a label whose crm_normalize_key equals the pattern''s gets units × volume_cl.';
COMMENT ON COLUMN crm.packaging_rule.pattern IS 'The label as it appears in exports; matched ignoring case, accents and punctuation.';
COMMENT ON COLUMN crm.packaging_rule.units IS 'Bottles per package (6 for a case of six).';
COMMENT ON COLUMN crm.packaging_rule.volume_cl IS 'Volume of one bottle in centilitres (450 for a Bordeaux jéroboam).';
COMMENT ON COLUMN crm.packaging_rule.note IS 'Why the rule exists.';
COMMENT ON COLUMN crm.packaging_rule.pattern_key IS 'crm_normalize_key(pattern), the matching key.';
SELECT pg_catalog.pg_extension_config_dump('crm.packaging_rule', '');
GRANT SELECT ON crm.packaging_rule TO crm_runner;
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.packaging_rule TO crm_admin;

-- A SQL-standard body is bound when the script runs, with the extension's
-- schema on the search path, not under the SET clause: every operand has
-- its exact type (75.0, not 75), so no look-alike operator planted in that
-- schema can match better than pg_catalog's.
CREATE FUNCTION crm_bottles_75cl_with_rules(quantity numeric, packaging text) RETURNS numeric
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT COALESCE(
            (SELECT pg_catalog.trim_scale(pg_catalog.round(quantity * r.units * r.volume_cl / 75.0, 3))
               FROM crm.packaging_rule r WHERE r.pattern_key = @extschema@.crm_normalize_key(packaging)),
            @extschema@.crm_bottles_75cl(quantity, packaging));
    END;
COMMENT ON FUNCTION crm_bottles_75cl_with_rules(numeric, text) IS
    'crm_bottles_75cl after the house rules of crm.packaging_rule: what the sync uses.';

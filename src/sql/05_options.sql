-- The options argument (jsonb) of pg_crm's SQL functions: one check of its
-- keys, so that every function refuses a misspelled option the same way.
CREATE FUNCTION crm._check_option_keys(fn text, options jsonb, known text[], hint text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF options - known <> '{}' THEN
        RAISE EXCEPTION 'unknown % option(s): %', fn, (SELECT string_agg(k, ', ') FROM jsonb_object_keys(options - known) k)
            USING ERRCODE = '22023', HINT = coalesce(hint, 'Options: ' || array_to_string(known, ', ') || '.');
    END IF;
END
$$;
COMMENT ON FUNCTION crm._check_option_keys(text, jsonb, text[], text) IS
    'Internal: refuses (22023) the keys of a function''s options object that are not in known, naming them; the hint '
    'lists the options (known, or the hint given).';
REVOKE ALL ON FUNCTION crm._check_option_keys(text, jsonb, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._check_option_keys(text, jsonb, text[], text) TO crm_runner;

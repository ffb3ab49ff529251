-- Retention of the raw layer: every changed export adds its changed lines to
-- crm_raw, and nothing else ever removes them. crm_raw_purge deletes the
-- loads older than a retention, with their raw rows and rejects, but never
-- a load a cursor still names (the input the curated data was last built
-- from) nor the loads it was staged from.
CREATE FUNCTION crm_raw_purge(older_than interval DEFAULT '90 days') RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    doomed bigint[];
    counts jsonb := '{}';
    raw_table text;
    n bigint;
BEGIN
    IF older_than IS NULL OR older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must be a positive interval' USING ERRCODE = '22023';
    END IF;
    WITH kept AS (
        SELECT (c.cursor ->> 'load_id')::bigint AS load_id FROM crm.sync_cursor c WHERE c.cursor ? 'load_id'
        UNION
        SELECT jsonb_array_elements_text(l.options -> 'staged_from_loads')::bigint
          FROM crm.sync_cursor c JOIN crm_raw.load l ON l.load_id = (c.cursor ->> 'load_id')::bigint
         WHERE l.options ? 'staged_from_loads')
    SELECT coalesce(array_agg(l.load_id), '{}') INTO doomed
      FROM crm_raw.load l
     WHERE l.started_at < pg_catalog.now() - older_than
       AND l.load_id NOT IN (SELECT k.load_id FROM kept k WHERE k.load_id IS NOT NULL);
    FOREACH raw_table IN ARRAY ARRAY['customers', 'products', 'sales', 'stock', 'contact_events', 'reject'] LOOP
        EXECUTE format('DELETE FROM crm_raw.%I WHERE load_id = ANY ($1)', raw_table) USING doomed;
        GET DIAGNOSTICS n = ROW_COUNT;
        counts := counts || jsonb_build_object(raw_table, n);
    END LOOP;
    DELETE FROM crm_raw.load l WHERE l.load_id = ANY (doomed);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN jsonb_build_object('loads', n, 'rows', counts);
END
$$;
COMMENT ON FUNCTION crm_raw_purge(interval) IS
    'Deletes the crm_raw loads started before now() - older_than (default 90 days), with their raw rows and rejected '
    'rows, except the loads a crm.sync_cursor names and the loads those were staged from. Returns {"loads", "rows": '
    '{table: n}}. Curated data is untouched; purged lines only lose their raw trace.';
REVOKE ALL ON FUNCTION crm_raw_purge(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_raw_purge(interval) TO crm_admin, crm_runner;
GRANT DELETE ON crm_raw.load, crm_raw.reject TO crm_runner;

-- Reports: a query's rows exported to CSV or XLSX (crm_export), the
-- merchant's monthly report (crm_monthly_report: revenue per product with a
-- chart, premium and ordinary wines, the data-quality checks), and the
-- checks themselves (crm_check_quality over crm.dq_rule). Files are written
-- only under crm.allowed_write_paths (superuser-only); see docs/reports.md.

-- Writing a file is a privilege: crm_runner (jobs) and crm_admin, never
-- crm_reader or PUBLIC. The query runs as the caller, with the caller's
-- rights; no SET search_path here, so it resolves names as the caller does.
CREATE FUNCTION crm_export(query text, path text, options jsonb DEFAULT '{}') RETURNS bigint
    AS 'MODULE_PATHNAME', 'crm_export' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm_export(text, text, jsonb) IS
    'Writes the rows of one read-only query (SELECT, WITH, TABLE, VALUES) to a CSV or XLSX file under '
    'crm.allowed_write_paths, atomically; returns the rows written. Options: format (csv | xlsx; default: the '
    'extension), delimiter ('';''), decimal ('','' | ''.''), bom (false), header (true), date_format '
    '(dd/mm/yyyy | iso), sheet (''Export''), overwrite (false).';

CREATE FUNCTION crm._export_file(path text, sheets jsonb, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'crm_export_file' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION crm._export_file(text, jsonb, jsonb) IS
    'Internal: writes several queries as the sheets of one workbook (or one query as CSV), with total rows and '
    'charts; returns path, bytes, rows and rows per sheet. Used by crm_monthly_report.';

REVOKE ALL ON FUNCTION crm_export(text, text, jsonb), crm._export_file(text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_export(text, text, jsonb), crm._export_file(text, jsonb, jsonb) TO crm_runner, crm_admin;

-- The BottleNeck merchant's seven monthly checks (its README), as metric
-- rules of the source named 'bottleneck': the first four read its files
-- (ERP, LIAISON, WEB) as the source's config names them, the last three the
-- merged, curated data. Severity warn: they are the figures of one fixed
-- export; a new month's export changes them, and must not fail its sync.
INSERT INTO crm.dq_rule (name, source, target, kind, params, severity, description) VALUES
    ('bottleneck_erp', 'bottleneck', 'crm.product_catalog', 'metric',
     '{"expected": 825, "sql": "SELECT count(DISTINCT source_id) FROM crm.product_catalog WHERE source = $1"}',
     'warn', 'ERP nettoyé : un produit par product_id (825 lignes).'),
    ('bottleneck_liaison', 'bottleneck', 'crm.source', 'metric',
     jsonb_build_object('expected', 825, 'sql',
        'SELECT count(DISTINCT t.product_id) FROM crm.source s, '
        'LATERAL (SELECT f #>> ''{ids,path}'' AS path FROM jsonb_array_elements(s.config -> ''files'') f '
        'WHERE f ? ''ids'' LIMIT 1) l, '
        'LATERAL @extschema@.crm_read_xlsx(l.path) AS t(product_id text, id_web text) WHERE s.name = $1'),
     'warn', 'LIAISON nettoyée : un product_id par ligne (825 lignes).'),
    ('bottleneck_web_sku', 'bottleneck', 'crm.source', 'metric',
     jsonb_build_object('expected', 1428, 'sql',
        'SELECT count(t.sku) FROM crm.source s, '
        'LATERAL (SELECT f ->> ''path'' AS path FROM jsonb_array_elements(s.config -> ''files'') f '
        'WHERE f ->> ''entity'' = ''sales'' LIMIT 1) w, '
        'LATERAL @extschema@.crm_read_xlsx(w.path) AS t(sku text) WHERE s.name = $1'),
     'warn', 'WEB sans SKU manquant (1428 lignes).'),
    ('bottleneck_web_dedup', 'bottleneck', 'crm.source', 'metric',
     jsonb_build_object('expected', 714, 'sql',
        'SELECT count(DISTINCT t.sku) FROM crm.source s, '
        'LATERAL (SELECT f ->> ''path'' AS path FROM jsonb_array_elements(s.config -> ''files'') f '
        'WHERE f ->> ''entity'' = ''sales'' LIMIT 1) w, '
        'LATERAL @extschema@.crm_read_xlsx(w.path) AS t(sku text) WHERE s.name = $1'),
     'warn', 'WEB dédoublonné : une ligne par SKU, celle au plus grand total_sales (714 lignes).'),
    ('bottleneck_merge', 'bottleneck', 'crm.sales_lines', 'metric',
     '{"expected": 714, "sql": "SELECT count(DISTINCT l.product_key) FROM crm.sales_lines l JOIN crm.product_catalog c USING (product_key) WHERE l.source = $1"}',
     'warn', 'Fusion ERP ⨝ LIAISON ⨝ WEB : 714 produits vendus.'),
    ('bottleneck_ca', 'bottleneck', 'crm.sales_lines', 'metric',
     '{"expected": 70568.60, "sql": "SELECT coalesce(sum(price_total), 0) FROM crm.sales_lines WHERE source = $1"}',
     'warn', 'Chiffre d''affaires : somme de prix × ventes (70 568,60 €).'),
    ('bottleneck_premium', 'bottleneck', 'crm.sales_lines', 'metric',
     jsonb_build_object('expected', 30, 'sql',
        'SELECT count(*) FILTER (WHERE z > 2) FROM (SELECT @extschema@.crm_zscore('
        'crm._price_per_75cl(c.list_price, c.packaging, c.volume_cl)::float8) OVER () AS z '
        'FROM crm.product_catalog c WHERE c.source = $1 AND EXISTS '
        '(SELECT 1 FROM crm.sales_lines l WHERE l.product_key = c.product_key)) x'),
     'warn', 'Vins premium : z-score du prix > 2 (écart-type de population), 30 vins.');
-- The seeded rules come back with CREATE EXTENSION: a dump keeps the others.
SELECT pg_catalog.pg_extension_config_dump('crm.dq_rule',
    'WHERE name IS NULL OR name NOT IN (''bottleneck_erp'', ''bottleneck_liaison'', ''bottleneck_web_sku'', '
    '''bottleneck_web_dedup'', ''bottleneck_merge'', ''bottleneck_ca'', ''bottleneck_premium'')');

-- Every enabled rule of a source (NULL: of every source) checked now, on
-- the published data. A rule's SQL runs as the caller: it is code, written
-- by crm_admin only (the only role that may change crm.dq_rule).
CREATE FUNCTION crm_check_quality(source text DEFAULT NULL)
    RETURNS TABLE (source_name text, rule_id bigint, rule text, description text, severity text, expected text,
                   actual numeric, passed boolean, message text)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    checked text;
BEGIN
    FOR checked IN
        SELECT DISTINCT s.name FROM (SELECT d.source AS name FROM crm.dq_rule d WHERE d.source IS NOT NULL
                                     UNION SELECT c.name FROM crm.source c) s
         WHERE crm_check_quality.source IS NULL OR s.name = crm_check_quality.source
         ORDER BY 1
    LOOP
        RETURN QUERY
        SELECT checked, d.rule_id, coalesce(d.name, d.kind), d.description, d.severity,
               CASE WHEN d.kind IN ('metric', 'sum') AND d.params ? 'expected'
                        THEN (d.params ->> 'expected') || coalesce(' ± ' || (d.params ->> 'tolerance'), '')
                    WHEN d.kind IN ('metric', 'row_count')
                        THEN coalesce(d.params ->> 'exact',
                                      concat_ws(' ', '≥ ' || (d.params ->> 'min'), '≤ ' || (d.params ->> 'max')))
                    WHEN d.kind = 'freshness' THEN '≤ ' || (d.params ->> 'max_age')
                    ELSE '0' END,
               (c ->> 'observed')::numeric, (c ->> 'passed')::boolean, c ->> 'message'
          FROM jsonb_array_elements(crm._dq_check(checked)) c
          JOIN crm.dq_rule d ON d.rule_id = (c ->> 'rule_id')::bigint
         ORDER BY d.rule_id;
    END LOOP;
END
$$;
COMMENT ON FUNCTION crm_check_quality(text) IS
    'Checks the enabled data-quality rules (crm.dq_rule) of a source, or of every source, on the published data '
    'now: expected and measured figure, passed or not. A rule''s SQL runs with the caller''s rights.';
REVOKE ALL ON FUNCTION crm_check_quality(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_check_quality(text) TO crm_runner, crm_admin;

-- The monthly report: rapport_ca.xlsx (revenue per product, a total and a
-- chart of the top 10; the data-quality checks), vins_premium.csv and
-- vins_ordinaires.csv in `directory`. Each file is written atomically; a
-- failure leaves the files already written by this call in place.
CREATE FUNCTION crm_monthly_report(directory text, options jsonb DEFAULT '{}') RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    known text[] := ARRAY['source', 'month', 'premium_z', 'overwrite'];
    src text := options ->> 'source';
    month_start date;
    premium_z float8 := coalesce((options ->> 'premium_z')::float8, 2);
    write_options jsonb := jsonb_build_object('overwrite', coalesce((options -> 'overwrite')::boolean, false));
    dir text := rtrim(directory, '/');
    products text;
    checks jsonb;
    figures record;
    workbook jsonb;
    premium_csv jsonb;
    ordinary_csv jsonb;
BEGIN
    PERFORM crm._check_option_keys('crm_monthly_report', options, known);
    IF options ? 'month' THEN
        IF coalesce(options ->> 'month', '') !~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
            RAISE EXCEPTION 'option month must be ''YYYY-MM'', not %', options -> 'month' USING ERRCODE = '22023';
        END IF;
        month_start := ((options ->> 'month') || '-01')::date;
    END IF;
    IF src IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.source s WHERE s.name = src) THEN
        RAISE EXCEPTION 'no source named "%"', src USING ERRCODE = '22023';
    END IF;

    -- One row per product sold in the period: revenue, and how its price
    -- (per 75 cl, as crm.product_stats) stands among them (z-score).
    products := format($q$
        SELECT p.source_id AS "Référence", coalesce(p.name, p.source_id) AS "Désignation",
               p.price::numeric(14,2) AS "Prix 75 cl (€)", p.units AS "Quantité", p.revenue AS "CA (€)",
               round(p.z::numeric, 2)::numeric(8,2) AS "z-score prix", coalesce(p.z > %3$s, false) AS "Premium"
          FROM (SELECT x.*, %4$I.crm_zscore(x.price::float8) OVER () AS z
                  FROM (SELECT c.source_id, c.name, crm._price_per_75cl(c.list_price, c.packaging, c.volume_cl) AS price,
                               sum(l.quantity_units) AS units, coalesce(sum(l.price_total), 0)::numeric(14,2) AS revenue
                          FROM crm.sales_lines l JOIN crm.product_catalog c ON c.product_key = l.product_key
                         WHERE (%1$L::text IS NULL OR l.source = %1$L::text)
                           AND (%2$L::date IS NULL OR (l.date_sale >= %2$L::date
                                                       AND l.date_sale < %2$L::date + interval '1 month'))
                         GROUP BY c.product_key, c.source_id, c.name, c.list_price, c.packaging, c.volume_cl) x) p$q$,
        src, month_start, premium_z, '@extschema@');

    EXECUTE format('SELECT count(*) AS products, coalesce(sum("CA (€)"), 0) AS revenue, '
                   'count(*) FILTER (WHERE "Premium") AS premium FROM (%s) q', products) INTO figures;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'Règle', q.rule, 'Description', q.description, 'Attendu', q.expected, 'Mesuré', q.actual,
               'Résultat', CASE WHEN q.passed THEN 'OK' ELSE 'ÉCHEC' END, 'Sévérité', q.severity) ORDER BY q.rule_id), '[]')
      INTO checks FROM @extschema@.crm_check_quality(src) q;

    workbook := crm._export_file(dir || '/rapport_ca.xlsx', jsonb_build_array(
        jsonb_build_object('name', 'Chiffre d''affaires',
            'total', jsonb_build_object('label', 'Total', 'sum', jsonb_build_array('Quantité', 'CA (€)')),
            'query', products || ' ORDER BY "CA (€)" DESC, "Désignation", "Référence"',
            'chart', jsonb_build_object('title', 'Top 10 des produits par chiffre d''affaires (€)',
                                        'category', 'Désignation', 'value', 'CA (€)', 'rows', 10, 'type', 'bar')),
        jsonb_build_object('name', 'Qualité des données',
            'query', format('SELECT * FROM jsonb_to_recordset(%L::jsonb) AS t("Règle" text, "Description" text, '
                            '"Attendu" text, "Mesuré" numeric, "Résultat" text, "Sévérité" text)', checks))),
        write_options);
    premium_csv := crm._export_file(dir || '/vins_premium.csv', jsonb_build_array(jsonb_build_object(
        'query', 'SELECT * FROM (' || products || ') p WHERE "Premium" ORDER BY "z-score prix" DESC, "Référence"')),
        write_options);
    ordinary_csv := crm._export_file(dir || '/vins_ordinaires.csv', jsonb_build_array(jsonb_build_object(
        'query', 'SELECT * FROM (' || products || ') p WHERE NOT "Premium" ORDER BY "CA (€)" DESC, "Référence"')),
        write_options);

    RETURN jsonb_build_object(
        'directory', dir, 'source', src, 'month', to_char(month_start, 'YYYY-MM'),
        'files', jsonb_build_array(
            jsonb_build_object('file', 'rapport_ca.xlsx', 'bytes', workbook -> 'bytes', 'rows', workbook #> '{sheets,0,rows}'),
            jsonb_build_object('file', 'vins_premium.csv', 'bytes', premium_csv -> 'bytes', 'rows', premium_csv -> 'rows'),
            jsonb_build_object('file', 'vins_ordinaires.csv', 'bytes', ordinary_csv -> 'bytes', 'rows', ordinary_csv -> 'rows')),
        'products', figures.products, 'revenue', figures.revenue, 'premium', figures.premium,
        'ordinary', figures.products - figures.premium,
        'checks', jsonb_build_object(
            'passed', (SELECT count(*) FROM jsonb_array_elements(checks) c WHERE c ->> 'Résultat' = 'OK'),
            'failed', (SELECT count(*) FROM jsonb_array_elements(checks) c WHERE c ->> 'Résultat' <> 'OK')));
END
$$;
COMMENT ON FUNCTION crm_monthly_report(text, jsonb) IS
    'Writes the monthly report into a directory of crm.allowed_write_paths: rapport_ca.xlsx (revenue per product '
    'with a total and a chart of the top 10, and the data-quality checks), vins_premium.csv and vins_ordinaires.csv '
    '(price z-score above premium_z, default 2); returns files, products, revenue, premium, ordinary and checks. '
    'Options: source, month (''YYYY-MM''; default: every sale), premium_z, overwrite.';
REVOKE ALL ON FUNCTION crm_monthly_report(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_monthly_report(text, jsonb) TO crm_runner, crm_admin;

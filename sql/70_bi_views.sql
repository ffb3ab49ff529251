-- The Power BI star schema (crm_bi) on the BottleNeck merchant: the figures
-- read through the views equal the canonical ones (70 568,60 €, 714 products
-- sold, 30 premium wines); every fact key is in its dimension; the calendar
-- is made of whole contiguous years covering every fact, in French, with
-- relative years and months; crm_reader reads crm_bi and nothing else.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DELETE FROM crm.sales_lines;
-- A warn rule, for the data-quality status page.
INSERT INTO crm.dq_rule (source, target, kind, "column", severity, description)
VALUES ('bottleneck', 'crm.sales_lines', 'not_null', 'product_key', 'warn', 'BI status page test')
RETURNING rule_id AS bi_rule \gset
SELECT crm_sync('bottleneck', '{"full": true}') ->> 'status' AS bottleneck_sync;
-- The refresh ends with the BI steps.
SELECT r #> '{product_stats,premium}' AS premium, r ? 'bi_aggregates' AS aggregates_step,
       (r #>> '{bi_aggregates,by_product}')::int > 0 AS aggregates_written, r ? 'bi_calendar' AS calendar_step
  FROM crm_refresh_analytics('{"group_by": "none"}') AS r;

-- The merchant's figures through the star: sales ⋈ products.
SELECT sum(v.montant_ht) AS revenue, count(DISTINCT v.cle_produit) AS products_sold,
       count(DISTINCT v.cle_produit) FILTER (WHERE p.premium) AS premium_sold
  FROM crm_bi.fait_ventes v JOIN crm_bi.dim_produit p USING (cle_produit);
SELECT count(*) FILTER (WHERE premium) AS premium_wines, count(*) FILTER (WHERE cle_produit = -1) AS unknown_members
  FROM crm_bi.dim_produit;
-- The same as the canonical tables and the analytics.
SELECT (SELECT sum(montant_ht) FROM crm_bi.fait_ventes) = (SELECT sum(price_total) FROM crm.sales_lines) AS same_revenue,
       (SELECT sum(montant_ht) FROM crm_bi.fait_ventes v JOIN crm_bi.dim_produit p USING (cle_produit) WHERE p.premium)
       = (SELECT sum(revenue) FROM crm.premium_wines) AS same_premium_revenue;
-- The monthly aggregates add up to the lines, month by month.
SELECT (SELECT sum(montant_ht) FROM crm_bi.agg_ventes_mois_produit) AS by_product,
       (SELECT sum(montant_ht) FROM crm_bi.agg_ventes_mois_segment) AS by_segment;
SELECT count(*) AS months_disagreeing
  FROM (SELECT d.debut_mois, v.cle_produit, sum(v.montant_ht) AS revenue, count(*) AS lines
          FROM crm_bi.fait_ventes v JOIN crm_bi.dim_date d USING (cle_date) GROUP BY 1, 2) f
  FULL JOIN (SELECT mois AS debut_mois, cle_produit, montant_ht AS revenue, lignes AS lines
               FROM crm_bi.agg_ventes_mois_produit) a USING (debut_mois, cle_produit)
 WHERE (f.revenue, f.lines) IS DISTINCT FROM (a.revenue, a.lines);

-- A merchant with customers too (the small iSaVigne set), so that every
-- fact has rows: recommendations, contacts, customers' segments.
SELECT current_setting('crm.allowed_read_paths') AS dir \gset
SELECT crm_source_add('bi', 'isavigne', jsonb_build_object('directory', :'dir' || '/isavigne_small'));
SELECT crm_sync('bi') ->> 'status' AS bi_sync;
SELECT r #> '{recommendation,rows}' > '0' AS recommended, r #> '{bi_calendar,days_added}' AS days_added
  FROM crm_refresh_analytics('{"min_pair_count": 2}') AS r;
SELECT (SELECT sum(montant_ht) FROM crm_bi.fait_ventes) = (SELECT sum(price_total) FROM crm.sales_lines) AS same_revenue,
       (SELECT sum(montant_ht) FROM crm_bi.agg_ventes_mois_segment)
       = (SELECT sum(price_total) FROM crm.sales_lines) AS same_revenue_by_segment,
       (SELECT count(*) FROM crm_bi.fait_recommandations) = (SELECT count(*) FROM crm.recommendation) AS same_recommendations;
-- Revenue per segment through the star equals the segments' aggregate.
SELECT count(*) AS segments_disagreeing
  FROM (SELECT c.segment_rfm, sum(v.montant_ht) AS revenue
          FROM crm_bi.fait_ventes v JOIN crm_bi.dim_client c USING (cle_client) GROUP BY 1) f
  FULL JOIN (SELECT segment_rfm, sum(montant_ht) AS revenue FROM crm_bi.agg_ventes_mois_segment GROUP BY 1) a
       USING (segment_rfm)
 WHERE f.revenue IS DISTINCT FROM a.revenue;

-- Contacts: a recommendation sent (recorded by pg_crm itself) resolves to
-- its customer, product and source; one about nobody known maps to the
-- unknown members, and is dated in Paris (23:30 UTC is the next day there).
SELECT customer_key AS bi_customer, product_key AS bi_product FROM crm.recommendation
 WHERE rank = 1 ORDER BY customer_key LIMIT 1 \gset
SELECT crm_reco_feedback(:'bi_customer', :'bi_product', 'sent') LIKE 'pg_crm-reco-%' AS feedback_recorded;
INSERT INTO crm.contact_history (contact_key, customer_key, email, date_contact, channel, status, product_suggested, source)
VALUES ('bi-ghost', 'bi-nobody', 'ghost@example.org', '2021-06-15 23:30:00+00', 'email', 'sent', 'bi-no-product', 'gone');
SELECT f.code_contact LIKE 'pg_crm-%' AS feedback, c.code_client = :'bi_customer' AS right_customer,
       p.code_produit = :'bi_product' AS right_product, s.source, f.statut
  FROM crm_bi.fait_contacts f JOIN crm_bi.dim_client c USING (cle_client)
  JOIN crm_bi.dim_produit p ON p.cle_produit = f.cle_produit_suggere JOIN crm_bi.dim_source s USING (cle_source)
 WHERE f.code_contact LIKE 'pg_crm-%';
SELECT cle_client, cle_produit_suggere, cle_source, cle_date, date_heure_contact
  FROM crm_bi.fait_contacts WHERE code_contact = 'bi-ghost';

-- Referential integrity: no fact key is NULL or missing from its dimension.
SELECT f.fact, f.dimension, f.rows > 0 AS has_rows, f.orphans
  FROM (SELECT 'fait_ventes' AS fact, 'dim_date' AS dimension, count(*) AS rows,
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date)) AS orphans
          FROM crm_bi.fait_ventes x
        UNION ALL
        SELECT 'fait_ventes', 'dim_client', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_client d WHERE d.cle_client = x.cle_client))
          FROM crm_bi.fait_ventes x
        UNION ALL
        SELECT 'fait_ventes', 'dim_produit', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_produit d WHERE d.cle_produit = x.cle_produit))
          FROM crm_bi.fait_ventes x
        UNION ALL
        SELECT 'fait_ventes', 'dim_source', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_source d WHERE d.cle_source = x.cle_source))
          FROM crm_bi.fait_ventes x
        UNION ALL
        SELECT 'fait_stock', 'dim_produit', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_produit d WHERE d.cle_produit = x.cle_produit))
          FROM crm_bi.fait_stock x
        UNION ALL
        SELECT 'fait_stock', 'dim_date', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date))
          FROM crm_bi.fait_stock x
        UNION ALL
        SELECT 'fait_stock', 'dim_source', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_source d WHERE d.cle_source = x.cle_source))
          FROM crm_bi.fait_stock x
        UNION ALL
        SELECT 'fait_recommandations', 'dim_client', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_client d WHERE d.cle_client = x.cle_client))
          FROM crm_bi.fait_recommandations x
        UNION ALL
        SELECT 'fait_recommandations', 'dim_produit', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_produit d WHERE d.cle_produit = x.cle_produit))
          FROM crm_bi.fait_recommandations x
        UNION ALL
        SELECT 'fait_recommandations', 'dim_date', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date))
          FROM crm_bi.fait_recommandations x
        UNION ALL
        SELECT 'fait_contacts', 'dim_client', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_client d WHERE d.cle_client = x.cle_client))
          FROM crm_bi.fait_contacts x
        UNION ALL
        SELECT 'fait_contacts', 'dim_produit', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_produit d WHERE d.cle_produit = x.cle_produit_suggere))
          FROM crm_bi.fait_contacts x
        UNION ALL
        SELECT 'fait_contacts', 'dim_date', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date))
          FROM crm_bi.fait_contacts x
        UNION ALL
        SELECT 'fait_contacts', 'dim_source', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_source d WHERE d.cle_source = x.cle_source))
          FROM crm_bi.fait_contacts x
        UNION ALL
        SELECT 'agg_ventes_mois_produit', 'dim_produit', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_produit d WHERE d.cle_produit = x.cle_produit))
          FROM crm_bi.agg_ventes_mois_produit x
        UNION ALL
        SELECT 'agg_ventes_mois_produit', 'dim_date', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date))
          FROM crm_bi.agg_ventes_mois_produit x
        UNION ALL
        SELECT 'agg_ventes_mois_segment', 'dim_date', count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM crm_bi.dim_date d WHERE d.cle_date = x.cle_date))
          FROM crm_bi.agg_ventes_mois_segment x) f
 ORDER BY 1, 2;
-- Every dated fact has its day in the calendar (-1 only for undated stock).
SELECT (SELECT count(*) FROM crm_bi.fait_ventes WHERE cle_date = -1) AS sales_undated,
       (SELECT count(*) FROM crm_bi.fait_stock WHERE cle_date = -1 AND date_inventaire IS NOT NULL) AS stock_missing_day,
       (SELECT count(*) FROM crm_bi.fait_contacts WHERE cle_date = -1) AS contacts_undated,
       (SELECT count(*) FROM crm_bi.fait_recommandations WHERE cle_date = -1) AS recommendations_undated;
-- Dimension keys are unique, the unknown member included.
SELECT (SELECT count(*) - count(DISTINCT cle_date) FROM crm_bi.dim_date) AS date_dup,
       (SELECT count(*) - count(DISTINCT cle_client) FROM crm_bi.dim_client) AS client_dup,
       (SELECT count(*) - count(DISTINCT cle_produit) FROM crm_bi.dim_produit) AS produit_dup,
       (SELECT count(*) - count(DISTINCT cle_source) FROM crm_bi.dim_source) AS source_dup,
       (SELECT count(*) FROM crm_bi.dim_client WHERE cle_client = -1) AS unknown_client;

-- The calendar: whole contiguous years from the earliest fact to this year.
SELECT count(*) = max(date) - min(date) + 1 AS contiguous,
       to_char(min(date), 'MM-DD') AS first_day, to_char(max(date), 'MM-DD') AS last_day,
       min(date) <= (SELECT min(date_vente) FROM crm_bi.fait_ventes) AS covers_sales,
       min(date) <= (SELECT min(date_heure_contact)::date FROM crm_bi.fait_contacts) AS covers_contacts,
       max(annee) = extract(year FROM now() AT TIME ZONE 'Europe/Paris') AS ends_this_year,
       min(annee) AS first_year
  FROM crm_bi.dim_date WHERE cle_date <> -1;
SELECT cle_date, libelle_mois, libelle_jour, trimestre, libelle_trimestre, semaine_iso, annee_iso, debut_mois,
       libelle_mois_annee, annee_mois, week_end
  FROM crm_bi.dim_date WHERE date IN ('2020-08-27', '2021-01-03', '2022-12-25') ORDER BY date;
SELECT cle_date, libelle_mois, libelle_jour, annee, annee_relative IS NULL AS no_relative_year
  FROM crm_bi.dim_date WHERE cle_date = -1;
-- Power BI marks it as the date table: its date column, -1 included, is
-- unique, without blank and without gap.
SELECT count(*) = count(DISTINCT date) AS unique_days, count(*) = count(date) AS no_blank,
       count(*) = max(date) - min(date) + 1 AS no_gap,
       (SELECT date FROM crm_bi.dim_date WHERE cle_date = -1) = min(date) AS unknown_first
  FROM crm_bi.dim_date;
-- Relative years and months are counted from today in Paris, at query time.
SELECT annee_relative, mois_relatif FROM crm_bi.dim_date WHERE date = (now() AT TIME ZONE 'Europe/Paris')::date;
SELECT annee_relative, mois_relatif
  FROM crm_bi.dim_date WHERE date = ((now() AT TIME ZONE 'Europe/Paris')::date - interval '1 year')::date;
-- A second extension adds nothing.
SELECT crm._bi_calendar_extend() AS days_added;

-- The views are inlined into a DirectQuery sub-select, and the joins a visual
-- does not use are dropped: a revenue total reads the sales lines only, a
-- revenue per month the sales lines and the calendar.
CREATE FUNCTION pg_temp.plan_relations(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (SELECT string_agg(DISTINCT r #>> '{}', ', ')
              FROM jsonb_path_query(plan::jsonb, 'strict $.**."Relation Name"') AS r);
END
$$;
SELECT pg_temp.plan_relations($q$select "_"."a0" from (select sum("rows"."montant_ht") as "a0"
                                  from (select "_"."montant_ht" from "crm_bi"."fait_ventes" "_") "rows") "_"
                                  limit 1000001$q$) AS total_reads,
       pg_temp.plan_relations($q$select "_"."libelle_mois_annee", "_"."a0"
                                  from (select "rows"."libelle_mois_annee", sum("rows"."montant_ht") as "a0"
                                          from (select "_"."montant_ht", "_2"."libelle_mois_annee"
                                                  from "crm_bi"."fait_ventes" "_"
                                                  join "crm_bi"."dim_date" "_2" on "_"."cle_date" = "_2"."cle_date"
                                                 where "_2"."annee_relative" = -1) "rows"
                                         group by "libelle_mois_annee") "_"
                                  limit 1000001$q$) AS by_month_reads;

-- French segments and labels.
SELECT count(*) FILTER (WHERE segment_rfm = 'Sans achat') > 0 AS without_purchase,
       count(*) FILTER (WHERE segment_rfm NOT IN ('Champions', 'Fidèles', 'Fidèles potentiels', 'Nouveaux clients',
                                                  'Prometteurs', 'À surveiller', 'En perte de vitesse', 'À risque',
                                                  'À ne pas perdre', 'En sommeil', 'Sans achat', 'Client inconnu'))
           AS unlabelled
  FROM crm_bi.dim_client;
SELECT source, libelle_type FROM crm_bi.dim_source WHERE source IN ('bottleneck', 'pg_crm', 'inconnue') ORDER BY 1;

-- The status page: freshness per source (one that never worked: a
-- directory pg_crm may not read), data quality per rule.
SELECT crm_source_add('bi_broken', 'isavigne', '{"directory": "/etc"}');
SELECT crm_sync('bi_broken') ->> 'status' AS broken_sync;
SELECT source, statut, age_minutes BETWEEN 0 AND 60 AS fresh, derniere_reussite IS NOT NULL AS succeeded,
       derniere_erreur
  FROM crm_bi.etat_sources WHERE source IN ('bottleneck', 'bi_broken') ORDER BY 1;
SELECT statut, respectee, valeur_observee, severite, controlee_le IS NOT NULL AS checked
  FROM crm_bi.etat_qualite WHERE regle = :bi_rule;
-- Free text is cut at 255 characters, marked with an ellipsis (psqlODBC
-- describes a longer varchar as a memo).
UPDATE crm.dq_rule SET description = repeat('contrôle ', 40) WHERE rule_id = :bi_rule;
SELECT length(description) AS description_length, right(description, 1) AS description_end
  FROM crm_bi.etat_qualite WHERE regle = :bi_rule;

-- crm_reader reads the star and nothing else.
SET ROLE crm_reader;
SELECT count(*) > 0 AS reader_sees_sales, sum(montant_ht) AS revenue FROM crm_bi.fait_ventes;
SELECT count(*) > 0 AS reader_sees_status FROM crm_bi.etat_sources;
\set VERBOSITY sqlstate
SELECT count(*) FROM crm.sales_lines;
SELECT count(*) FROM crm_raw.sales;
\set VERBOSITY default
RESET ROLE;
SELECT rolname, setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
 WHERE rolname = 'crm_reader' AND setdatabase = 0;

DELETE FROM crm.contact_history WHERE source IN ('pg_crm', 'gone');
SELECT crm_source_remove('bi');
SELECT crm_source_remove('bi_broken');
DELETE FROM crm.dq_result WHERE rule_id = :bi_rule;
DELETE FROM crm.dq_rule WHERE rule_id = :bi_rule;

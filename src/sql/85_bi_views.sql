-- The Power BI star schema (schema crm_bi): thin views over the curated
-- tables, named for a French-speaking analyst, read by crm_reader only.
-- See docs/power-bi.md. Rules (docs and the shared Power BI guide):
--   * plain SELECT/JOIN views, inlined by the planner into DirectQuery's
--     sub-selects; no function but pg_catalog's built-ins (a view runs its
--     functions with the caller's rights: crm_reader executes nothing of
--     pg_crm's), no SECURITY DEFINER anything; the views read the crm tables
--     with their owner's rights, which is what lets crm_reader see crm_bi only;
--   * types Power BI's Npgsql 4 and psqlODBC read as concrete types with
--     their defaults: numeric(14,2) money, numeric(14,3) quantities, float8
--     scores, timestamp(0) local times (Europe/Paris), bigint keys (dates
--     yyyymmdd, surrogates), boolean, date, and varchar(n), never text:
--     psqlODBC describes text, and varchar over its MaxVarcharSize (255),
--     as SQL_LONGVARCHAR (a memo for Excel and generic ODBC tools), and
--     varchar(n <= 255) as SQL_WVARCHAR of length n. Lengths: 100 for labels
--     and statuses, 255 for codes, names and free text (reasons, messages:
--     a longer one is cut and ends with '…'; the full text stays in the crm
--     tables). Never jsonb, arrays, enums, intervals or uuid
--     (test/integration/odbc_client.sh, test/pgtap/70_bi_model.sql);
--   * every fact key is in its dimension: what is unknown maps to the -1
--     member ("Inconnu"), so Power BI may assume referential integrity;
--   * operators with exact types and pg_catalog-qualified functions, so that
--     nothing on the installer's search_path is bound into a view.
-- Heavy work (monthly aggregates, the calendar) is done by
-- crm_refresh_analytics() inside the sync's transaction: a visual refreshed
-- mid-sync sees the previous state or the new one, never half a load.

-- Surrogate keys. Customers and products get a bigint identity of their own
-- (Power BI joins bigint keys much faster than text, and uuid is not native
-- to it); it is assigned at insert and never changes while the row lives.
-- Sources are a configuration table (crm.source, dumped with pg_dump): their
-- key is the 64-bit hash of their name, which a dump and restore keeps.
ALTER TABLE crm.customers ADD COLUMN bi_id bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX customers_bi_id_idx ON crm.customers (bi_id);
COMMENT ON COLUMN crm.customers.bi_id IS 'Surrogate key of the customer in the Power BI model (crm_bi.dim_client.cle_client).';
ALTER TABLE crm.product_catalog ADD COLUMN bi_id bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX product_catalog_bi_id_idx ON crm.product_catalog (bi_id);
COMMENT ON COLUMN crm.product_catalog.bi_id IS 'Surrogate key of the product in the Power BI model (crm_bi.dim_produit.cle_produit).';
-- What visuals filter and join on, where no index had it yet.
CREATE INDEX contact_history_date_idx ON crm.contact_history (date_contact);
CREATE INDEX recommendation_product_idx ON crm.recommendation (product_key);
CREATE INDEX dq_result_rule_idx ON crm.dq_result (rule_id, run_id);

-- The calendar, stored: full contiguous years from the earliest fact to the
-- current year (crm._bi_calendar_extend), and the unknown date -1. What
-- depends on today (relative year and month) is computed by the view
-- crm_bi.dim_date, so that it stays right without a refresh.
CREATE TABLE crm.bi_calendar (
    date_key      bigint PRIMARY KEY,
    day           date UNIQUE,
    year          int,
    quarter       int,
    month         int,
    month_label   text NOT NULL,
    year_month    int,
    month_year_label text NOT NULL,
    month_start   date,
    iso_week      int,
    iso_year      int,
    day_of_week   int,
    day_label     text NOT NULL,
    weekend       boolean
);
COMMENT ON TABLE crm.bi_calendar IS 'The calendar of the Power BI model (crm_bi.dim_date): one row per day over full years covering every fact, plus the unknown date (key -1).';
COMMENT ON COLUMN crm.bi_calendar.date_key IS 'yyyymmdd; -1 for the unknown date.';
COMMENT ON COLUMN crm.bi_calendar.day IS 'The day (NULL for the unknown date).';
COMMENT ON COLUMN crm.bi_calendar.year IS 'Year.';
COMMENT ON COLUMN crm.bi_calendar.quarter IS 'Quarter 1-4.';
COMMENT ON COLUMN crm.bi_calendar.month IS 'Month 1-12.';
COMMENT ON COLUMN crm.bi_calendar.month_label IS 'French month name (janvier...).';
COMMENT ON COLUMN crm.bi_calendar.year_month IS 'yyyymm, to sort months.';
COMMENT ON COLUMN crm.bi_calendar.month_year_label IS 'French month and year (janvier 2024).';
COMMENT ON COLUMN crm.bi_calendar.month_start IS 'First day of the month.';
COMMENT ON COLUMN crm.bi_calendar.iso_week IS 'ISO 8601 week number.';
COMMENT ON COLUMN crm.bi_calendar.iso_year IS 'ISO 8601 year of that week.';
COMMENT ON COLUMN crm.bi_calendar.day_of_week IS 'ISO day of the week: 1 Monday ... 7 Sunday.';
COMMENT ON COLUMN crm.bi_calendar.day_label IS 'French day name (lundi...).';
COMMENT ON COLUMN crm.bi_calendar.weekend IS 'Saturday or Sunday.';
INSERT INTO crm.bi_calendar (date_key, month_label, month_year_label, day_label)
VALUES (-1, 'Inconnu', 'Inconnu', 'Inconnu');
GRANT SELECT, INSERT ON crm.bi_calendar TO crm_runner;

-- Makes the calendar cover, in whole years, every day from the earliest
-- fact (sales, stock counts, contacts) to the current year in Paris (and to
-- the latest fact when one lies ahead); never removes a day. Returns the
-- days added. Recommendations are dated by the refresh itself: today.
CREATE FUNCTION crm._bi_calendar_extend() RETURNS int
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    today date := timezone('Europe/Paris', now())::date;
    first_day date;
    last_day date;
    added int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('pg_crm.bi_calendar'));
    SELECT least(today, (SELECT min(l.date_sale) FROM crm.sales_lines l),
                 (SELECT min(s.counted_at) FROM crm.stock_levels s),
                 (SELECT timezone('Europe/Paris', min(h.date_contact))::date FROM crm.contact_history h),
                 (SELECT min(c.day) FROM crm.bi_calendar c)),
           greatest(today, (SELECT max(l.date_sale) FROM crm.sales_lines l),
                    (SELECT max(s.counted_at) FROM crm.stock_levels s),
                    (SELECT timezone('Europe/Paris', max(h.date_contact))::date FROM crm.contact_history h),
                    (SELECT max(c.day) FROM crm.bi_calendar c))
      INTO first_day, last_day;
    first_day := make_date(extract(year FROM first_day)::int, 1, 1);
    last_day := make_date(extract(year FROM last_day)::int, 12, 31);
    INSERT INTO crm.bi_calendar (date_key, day, year, quarter, month, month_label, year_month, month_year_label,
                                 month_start, iso_week, iso_year, day_of_week, day_label, weekend)
    SELECT to_char(d.day, 'YYYYMMDD')::bigint, d.day, extract(year FROM d.day)::int, extract(quarter FROM d.day)::int,
           extract(month FROM d.day)::int, m.label, to_char(d.day, 'YYYYMM')::int,
           m.label || ' ' || to_char(d.day, 'YYYY'), date_trunc('month', d.day)::date,
           extract(week FROM d.day)::int, extract(isoyear FROM d.day)::int, extract(isodow FROM d.day)::int,
           (ARRAY['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'])[extract(isodow FROM d.day)::int],
           extract(isodow FROM d.day) >= 6
      FROM (SELECT g::date AS day FROM generate_series(first_day::timestamp, last_day::timestamp, interval '1 day') g) d
     CROSS JOIN LATERAL (SELECT (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
                                       'septembre', 'octobre', 'novembre', 'décembre'])[extract(month FROM d.day)::int]
                                AS label) m
    ON CONFLICT (date_key) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
COMMENT ON FUNCTION crm._bi_calendar_extend() IS
    'Internal: extends crm.bi_calendar to whole contiguous years from the earliest fact to the current year (Europe/Paris); returns the days added. Called by crm_refresh_analytics().';
REVOKE ALL ON FUNCTION crm._bi_calendar_extend() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._bi_calendar_extend() TO crm_runner;
-- The current year from the start, before any sync.
SELECT crm._bi_calendar_extend();

-- RFM segments in French, with the order a report lists them in (the
-- labels of crm_recommend's reasons, src/core/recommend.cpp).
CREATE TABLE crm.bi_rfm_segment (
    segment  text PRIMARY KEY,
    label_fr text NOT NULL UNIQUE,
    sort     int NOT NULL
);
COMMENT ON TABLE crm.bi_rfm_segment IS 'RFM segments (crm.customer_rfm.segment) as the Power BI model names and orders them.';
COMMENT ON COLUMN crm.bi_rfm_segment.segment IS 'Segment name in crm.customer_rfm.';
COMMENT ON COLUMN crm.bi_rfm_segment.label_fr IS 'Its French label.';
COMMENT ON COLUMN crm.bi_rfm_segment.sort IS 'Display order, best customers first.';
INSERT INTO crm.bi_rfm_segment (segment, label_fr, sort) VALUES
    ('Champions', 'Champions', 1), ('Loyal', 'Fidèles', 2), ('Potential loyalists', 'Fidèles potentiels', 3),
    ('New', 'Nouveaux clients', 4), ('Promising', 'Prometteurs', 5), ('Need attention', 'À surveiller', 6),
    ('About to sleep', 'En perte de vitesse', 7), ('At risk', 'À risque', 8), ('Can''t lose them', 'À ne pas perdre', 9),
    ('Hibernating', 'En sommeil', 10);
GRANT SELECT ON crm.bi_rfm_segment TO crm_runner;

-- Monthly aggregates: small tables rewritten by crm_refresh_analytics (in
-- the sync's transaction), not views: a view would group every sales line
-- again at each click of each visual, these are read in milliseconds.
-- They follow the sales as of the last refresh (a sync that changed data
-- ends with one).
CREATE TABLE crm.bi_monthly_product (
    month        date NOT NULL,
    product_key  text,
    lines        bigint NOT NULL,
    units        numeric,
    bottles_75cl numeric,
    revenue      numeric(14,2) NOT NULL,
    margin       numeric(14,2),
    computed_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX bi_monthly_product_idx ON crm.bi_monthly_product (month, product_key);
COMMENT ON TABLE crm.bi_monthly_product IS 'Sales per month and product, as of the last crm_refresh_analytics() (crm_bi.agg_ventes_mois_produit).';
COMMENT ON COLUMN crm.bi_monthly_product.month IS 'First day of the month.';
COMMENT ON COLUMN crm.bi_monthly_product.product_key IS 'The product (crm.product_catalog); NULL for lines of unknown products.';
COMMENT ON COLUMN crm.bi_monthly_product.lines IS 'Sales lines.';
COMMENT ON COLUMN crm.bi_monthly_product.units IS 'Packages sold.';
COMMENT ON COLUMN crm.bi_monthly_product.bottles_75cl IS 'Sold in 75 cl bottle equivalents (lines of known packaging).';
COMMENT ON COLUMN crm.bi_monthly_product.revenue IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm.bi_monthly_product.margin IS 'Margin of the lines whose cost is known, euros.';
COMMENT ON COLUMN crm.bi_monthly_product.computed_at IS 'When the refresh computed it.';

CREATE TABLE crm.bi_monthly_segment (
    month        date NOT NULL,
    segment      text,
    customers    bigint NOT NULL,
    orders       bigint NOT NULL,
    lines        bigint NOT NULL,
    bottles_75cl numeric,
    revenue      numeric(14,2) NOT NULL,
    margin       numeric(14,2),
    computed_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX bi_monthly_segment_idx ON crm.bi_monthly_segment (month, segment);
COMMENT ON TABLE crm.bi_monthly_segment IS 'Sales per month and RFM segment of the customer (the segment of the last refresh), as of the last crm_refresh_analytics() (crm_bi.agg_ventes_mois_segment).';
COMMENT ON COLUMN crm.bi_monthly_segment.month IS 'First day of the month.';
COMMENT ON COLUMN crm.bi_monthly_segment.segment IS 'RFM segment (crm.customer_rfm); NULL for lines without a known customer.';
COMMENT ON COLUMN crm.bi_monthly_segment.customers IS 'Customers who bought that month.';
COMMENT ON COLUMN crm.bi_monthly_segment.orders IS 'Orders.';
COMMENT ON COLUMN crm.bi_monthly_segment.lines IS 'Sales lines.';
COMMENT ON COLUMN crm.bi_monthly_segment.bottles_75cl IS 'Sold in 75 cl bottle equivalents (lines of known packaging).';
COMMENT ON COLUMN crm.bi_monthly_segment.revenue IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm.bi_monthly_segment.margin IS 'Margin of the lines whose cost is known, euros.';
COMMENT ON COLUMN crm.bi_monthly_segment.computed_at IS 'When the refresh computed it.';
GRANT SELECT, INSERT, DELETE ON crm.bi_monthly_product, crm.bi_monthly_segment TO crm_runner;

-- Rewrites the monthly aggregates from crm.sales_lines and crm.customer_rfm.
CREATE FUNCTION crm._bi_refresh_aggregates() RETURNS jsonb
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off
    AS $$
DECLARE
    by_product bigint;
    by_segment bigint;
BEGIN
    DELETE FROM crm.bi_monthly_product;
    INSERT INTO crm.bi_monthly_product (month, product_key, lines, units, bottles_75cl, revenue, margin)
    SELECT date_trunc('month', l.date_sale)::date, l.product_key, count(*), sum(l.quantity_units), sum(l.bottles_75cl),
           coalesce(sum(l.price_total), 0), sum(l.margin)
      FROM crm.sales_lines l
     GROUP BY 1, 2;
    GET DIAGNOSTICS by_product = ROW_COUNT;
    DELETE FROM crm.bi_monthly_segment;
    INSERT INTO crm.bi_monthly_segment (month, segment, customers, orders, lines, bottles_75cl, revenue, margin)
    SELECT date_trunc('month', l.date_sale)::date, r.segment, count(DISTINCT l.customer_key),
           count(DISTINCT l.order_key), count(*), sum(l.bottles_75cl), coalesce(sum(l.price_total), 0), sum(l.margin)
      FROM crm.sales_lines l
      LEFT JOIN crm.customer_rfm r ON r.customer_key = l.customer_key
     GROUP BY 1, 2;
    GET DIAGNOSTICS by_segment = ROW_COUNT;
    RETURN jsonb_build_object('by_product', by_product, 'by_segment', by_segment);
END
$$;
COMMENT ON FUNCTION crm._bi_refresh_aggregates() IS
    'Internal: rewrites crm.bi_monthly_product and crm.bi_monthly_segment; returns their row counts. Called by crm_refresh_analytics().';
REVOKE ALL ON FUNCTION crm._bi_refresh_aggregates() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm._bi_refresh_aggregates() TO crm_runner;

-- ---------------------------------------------------------------------
-- Dimensions.

-- Power BI's "Mark as date table" wants a date column with unique,
-- contiguous days and no blank: the unknown date -1 takes the day before
-- the calendar's first one (a scalar sub-select, evaluated for that row only
-- and only when a query reads the column).
CREATE VIEW crm_bi.dim_date AS
SELECT c.date_key AS cle_date, coalesce(c.day, (SELECT pg_catalog.min(b.day) FROM crm.bi_calendar b) - 1) AS date,
       c.year AS annee, c.quarter AS trimestre,
       (CASE WHEN c.quarter IS NULL THEN 'Inconnu'::text ELSE 'T'::text || c.quarter::text END)::character varying(100)
           AS libelle_trimestre,
       c.month AS mois, c.month_label::character varying(100) AS libelle_mois, c.year_month AS annee_mois,
       c.month_year_label::character varying(100) AS libelle_mois_annee, c.month_start AS debut_mois,
       c.iso_week AS semaine_iso, c.iso_year AS annee_iso, c.day_of_week AS jour_semaine,
       c.day_label::character varying(100) AS libelle_jour, c.weekend AS week_end,
       c.year - t.year AS annee_relative,
       (c.year * 12 + c.month) - (t.year * 12 + t.month) AS mois_relatif
  FROM crm.bi_calendar c
 CROSS JOIN (SELECT pg_catalog.date_part('year'::text, x.today)::integer AS year,
                    pg_catalog.date_part('month'::text, x.today)::integer AS month
               FROM (SELECT pg_catalog.timezone('Europe/Paris'::text, pg_catalog.now()) AS today) x) t;
COMMENT ON VIEW crm_bi.dim_date IS 'Dimension Date (calendrier) : un jour par ligne, années complètes et contiguës couvrant tous les faits ; la ligne -1 est la date inconnue. Années et mois relatifs calculés à l''instant de la requête (heure de Paris).';
COMMENT ON COLUMN crm_bi.dim_date.cle_date IS 'Clé date aaaammjj (entier) ; -1 : date inconnue.';
COMMENT ON COLUMN crm_bi.dim_date.date IS 'Le jour (colonne de « Marquer comme table de dates ») ; pour la date inconnue -1, la veille du premier jour du calendrier, pour que la colonne n''ait ni vide ni trou.';
COMMENT ON COLUMN crm_bi.dim_date.annee IS 'Année civile.';
COMMENT ON COLUMN crm_bi.dim_date.trimestre IS 'Trimestre (1 à 4).';
COMMENT ON COLUMN crm_bi.dim_date.libelle_trimestre IS 'Trimestre en lettres (T1 à T4).';
COMMENT ON COLUMN crm_bi.dim_date.mois IS 'Numéro du mois (1 à 12) : colonne de tri de libelle_mois.';
COMMENT ON COLUMN crm_bi.dim_date.libelle_mois IS 'Nom du mois en français (janvier ... décembre).';
COMMENT ON COLUMN crm_bi.dim_date.annee_mois IS 'Année et mois aaaamm : colonne de tri de libelle_mois_annee.';
COMMENT ON COLUMN crm_bi.dim_date.libelle_mois_annee IS 'Mois et année en français (janvier 2024).';
COMMENT ON COLUMN crm_bi.dim_date.debut_mois IS 'Premier jour du mois.';
COMMENT ON COLUMN crm_bi.dim_date.semaine_iso IS 'Numéro de semaine ISO 8601.';
COMMENT ON COLUMN crm_bi.dim_date.annee_iso IS 'Année ISO 8601 de cette semaine (diffère de l''année civile autour du 1er janvier).';
COMMENT ON COLUMN crm_bi.dim_date.jour_semaine IS 'Jour de la semaine ISO : 1 lundi ... 7 dimanche (colonne de tri de libelle_jour).';
COMMENT ON COLUMN crm_bi.dim_date.libelle_jour IS 'Nom du jour en français (lundi ... dimanche).';
COMMENT ON COLUMN crm_bi.dim_date.week_end IS 'Samedi ou dimanche.';
COMMENT ON COLUMN crm_bi.dim_date.annee_relative IS 'Année relative : 0 année en cours, -1 année précédente (heure de Paris, à l''instant de la requête).';
COMMENT ON COLUMN crm_bi.dim_date.mois_relatif IS 'Mois relatif : 0 mois en cours, -1 mois précédent (heure de Paris, à l''instant de la requête).';

CREATE VIEW crm_bi.dim_client AS
SELECT c.bi_id AS cle_client, c.customer_key::character varying(255) AS code_client,
       coalesce(c.company, NULLIF(pg_catalog.btrim(coalesce(c.first_name || ' '::text, ''::text)
                                                   || coalesce(c.last_name, ''::text)), ''::text),
                c.customer_key)::character varying(255) AS nom_client,
       c.civility::character varying(100) AS civilite, c.first_name::character varying(255) AS prenom,
       c.last_name::character varying(255) AS nom, c.company::character varying(255) AS societe,
       c.zip::character varying(100) AS code_postal, c.city::character varying(255) AS ville,
       c.country::character varying(100) AS pays, c.segment::character varying(100) AS categorie,
       c.source::character varying(100) AS source, i.person_key::character varying(255) AS code_personne,
       coalesce(s.label_fr, r.segment, 'Sans achat'::text)::character varying(100) AS segment_rfm,
       coalesce(s.sort, CASE WHEN r.segment IS NULL THEN 11 ELSE 99 END) AS ordre_segment_rfm,
       r.r AS score_recence, r.f AS score_frequence, r.m AS score_montant, r.recency_days AS recence_jours,
       r.frequency AS nombre_commandes, r.monetary AS montant_ht, r.as_of AS rfm_au,
       c.first_purchase AS premier_achat, c.last_purchase AS dernier_achat,
       c.email_opt_out AS desinscrit_email, c.bounced AS email_invalide
  FROM crm.customers c
  LEFT JOIN crm.customer_rfm r ON r.customer_key = c.customer_key
  LEFT JOIN crm.bi_rfm_segment s ON s.segment = r.segment
  LEFT JOIN crm.customer_identity i ON i.customer_key = c.customer_key
UNION ALL
SELECT -1::bigint, 'inconnu'::character varying(255), 'Inconnu'::character varying(255), NULL::character varying(100),
       NULL::character varying(255), NULL::character varying(255), NULL::character varying(255),
       NULL::character varying(100), NULL::character varying(255), NULL::character varying(100),
       NULL::character varying(100), NULL::character varying(100), NULL::character varying(255),
       'Client inconnu'::character varying(100), 12, NULL::integer, NULL::integer,
       NULL::integer, NULL::integer, NULL::integer, NULL::numeric(14,2), NULL::date, NULL::date, NULL::date, false,
       false;
COMMENT ON VIEW crm_bi.dim_client IS 'Dimension Client : un client par source (fichier clients iSaVigne, Odoo, Pennylane, Brevo...), avec son segment RFM ; la ligne -1 « Inconnu » reçoit les faits sans client connu.';
COMMENT ON COLUMN crm_bi.dim_client.cle_client IS 'Clé client (entier) ; -1 : client inconnu.';
COMMENT ON COLUMN crm_bi.dim_client.code_client IS 'Code client stable « source-code client ».';
COMMENT ON COLUMN crm_bi.dim_client.nom_client IS 'Nom affiché : la société, sinon prénom et nom, sinon le code.';
COMMENT ON COLUMN crm_bi.dim_client.civilite IS 'Civilité (M., Mme...).';
COMMENT ON COLUMN crm_bi.dim_client.prenom IS 'Prénom.';
COMMENT ON COLUMN crm_bi.dim_client.nom IS 'Nom de famille.';
COMMENT ON COLUMN crm_bi.dim_client.societe IS 'Société, pour les professionnels (CHR, cavistes).';
COMMENT ON COLUMN crm_bi.dim_client.code_postal IS 'Code postal.';
COMMENT ON COLUMN crm_bi.dim_client.ville IS 'Ville.';
COMMENT ON COLUMN crm_bi.dim_client.pays IS 'Pays.';
COMMENT ON COLUMN crm_bi.dim_client.categorie IS 'Catégorie client de la source (Particulier, CHR, Caviste...).';
COMMENT ON COLUMN crm_bi.dim_client.source IS 'Source du client.';
COMMENT ON COLUMN crm_bi.dim_client.code_personne IS 'La personne : même valeur pour les fiches d''une même personne dans plusieurs sources (même e-mail, ou même nom et code postal). Compter les personnes : nombre de valeurs distinctes.';
COMMENT ON COLUMN crm_bi.dim_client.segment_rfm IS 'Segment RFM (récence, fréquence, montant) au dernier calcul : Champions, Fidèles, Fidèles potentiels, Nouveaux clients, Prometteurs, À surveiller, En perte de vitesse, À risque, À ne pas perdre, En sommeil ; Sans achat.';
COMMENT ON COLUMN crm_bi.dim_client.ordre_segment_rfm IS 'Ordre d''affichage du segment (colonne de tri de segment_rfm), meilleurs clients d''abord.';
COMMENT ON COLUMN crm_bi.dim_client.score_recence IS 'Score de récence 1 à 5 (5 : les plus récents).';
COMMENT ON COLUMN crm_bi.dim_client.score_frequence IS 'Score de fréquence 1 à 5.';
COMMENT ON COLUMN crm_bi.dim_client.score_montant IS 'Score de montant 1 à 5.';
COMMENT ON COLUMN crm_bi.dim_client.recence_jours IS 'Jours depuis le dernier achat, à la date du calcul RFM.';
COMMENT ON COLUMN crm_bi.dim_client.nombre_commandes IS 'Nombre de commandes (et non de lignes) au calcul RFM.';
COMMENT ON COLUMN crm_bi.dim_client.montant_ht IS 'Total des achats HT en euros au calcul RFM.';
COMMENT ON COLUMN crm_bi.dim_client.rfm_au IS 'Date à laquelle la récence est comptée.';
COMMENT ON COLUMN crm_bi.dim_client.premier_achat IS 'Date du premier achat.';
COMMENT ON COLUMN crm_bi.dim_client.dernier_achat IS 'Date du dernier achat.';
COMMENT ON COLUMN crm_bi.dim_client.desinscrit_email IS 'Désinscrit ou en liste noire e-mail (Brevo) : ne jamais lui écrire.';
COMMENT ON COLUMN crm_bi.dim_client.email_invalide IS 'Adresse e-mail en erreur définitive (hard bounce).';

CREATE VIEW crm_bi.dim_produit AS
SELECT p.bi_id AS cle_produit, p.product_key::character varying(255) AS code_produit,
       p.source_id::character varying(255) AS reference, p.name::character varying(255) AS designation,
       p.colour::character varying(100) AS couleur, p.appellation::character varying(255) AS appellation,
       p.region::character varying(255) AS region, p.vintage AS millesime,
       p.volume_cl::numeric(14,2) AS contenance_cl, p.packaging::character varying(100) AS conditionnement,
       p.price_segment::character varying(100) AS gamme_prix,
       CASE p.price_segment WHEN 'entrée'::text THEN 1 WHEN 'cœur'::text THEN 2 WHEN 'premium'::text THEN 3
                            WHEN 'prestige'::text THEN 4 ELSE 9 END AS ordre_gamme_prix,
       p.list_price AS prix_vente_ht, p.cost_price AS prix_achat_ht, s.price_per_75cl AS prix_75cl,
       coalesce(s.is_premium, false) AS premium, s.price_z AS score_z_prix,
       coalesce(p.active, true) AS actif, p.source::character varying(100) AS source
  FROM crm.product_catalog p
  LEFT JOIN crm.product_stats s ON s.product_key = p.product_key
UNION ALL
SELECT -1::bigint, 'inconnu'::character varying(255), NULL::character varying(255), 'Inconnu'::character varying(255),
       'Inconnu'::character varying(100), 'Inconnu'::character varying(255), 'Inconnu'::character varying(255),
       NULL::integer, NULL::numeric(14,2), NULL::character varying(100), 'Inconnu'::character varying(100), 9,
       NULL::numeric(14,2), NULL::numeric(14,2), NULL::numeric(14,2), false, NULL::double precision, false,
       NULL::character varying(100);
COMMENT ON VIEW crm_bi.dim_produit IS 'Dimension Produit (référentiel produits) : un produit par source, avec son prix pour 75 cl et le drapeau vin premium du dernier calcul ; la ligne -1 « Inconnu » reçoit les faits sans produit connu.';
COMMENT ON COLUMN crm_bi.dim_produit.cle_produit IS 'Clé produit (entier) ; -1 : produit inconnu.';
COMMENT ON COLUMN crm_bi.dim_produit.code_produit IS 'Code produit stable « source-référence ».';
COMMENT ON COLUMN crm_bi.dim_produit.reference IS 'Référence du produit dans la source (Réf.).';
COMMENT ON COLUMN crm_bi.dim_produit.designation IS 'Désignation.';
COMMENT ON COLUMN crm_bi.dim_produit.couleur IS 'Couleur (Rouge, Blanc, Rosé, Effervescent...).';
COMMENT ON COLUMN crm_bi.dim_produit.appellation IS 'Appellation (AOC/AOP).';
COMMENT ON COLUMN crm_bi.dim_produit.region IS 'Région viticole.';
COMMENT ON COLUMN crm_bi.dim_produit.millesime IS 'Millésime ; vide pour un non millésimé.';
COMMENT ON COLUMN crm_bi.dim_produit.contenance_cl IS 'Contenance d''une bouteille ou d''un contenant, en cl.';
COMMENT ON COLUMN crm_bi.dim_produit.conditionnement IS 'Conditionnement (Bouteille, Carton de 6, Magnum...).';
COMMENT ON COLUMN crm_bi.dim_produit.gamme_prix IS 'Gamme de prix du tarif : entrée (< 10 €), cœur (10-25 €), premium (25-60 €), prestige.';
COMMENT ON COLUMN crm_bi.dim_produit.ordre_gamme_prix IS 'Ordre de la gamme de prix (colonne de tri de gamme_prix).';
COMMENT ON COLUMN crm_bi.dim_produit.prix_vente_ht IS 'Prix de vente HT, euros.';
COMMENT ON COLUMN crm_bi.dim_produit.prix_achat_ht IS 'Prix d''achat HT, euros.';
COMMENT ON COLUMN crm_bi.dim_produit.prix_75cl IS 'Prix de vente pour 75 cl, euros ; calculé pour les produits vendus (dernier calcul des analyses).';
COMMENT ON COLUMN crm_bi.dim_produit.premium IS 'Vin premium : son prix pour 75 cl se détache de son groupe (score z au-dessus du seuil du dernier calcul).';
COMMENT ON COLUMN crm_bi.dim_produit.score_z_prix IS 'Score z du prix pour 75 cl dans son groupe (produits vendus).';
COMMENT ON COLUMN crm_bi.dim_produit.actif IS 'Encore vendu (actif).';
COMMENT ON COLUMN crm_bi.dim_produit.source IS 'Source du produit.';

CREATE VIEW crm_bi.dim_source AS
SELECT pg_catalog.hashtextextended(s.name, 0::bigint) AS cle_source, s.name::character varying(100) AS source,
       s.kind::character varying(100) AS type_source,
       (CASE s.kind WHEN 'isavigne'::text THEN 'Exports iSaVigne'::text WHEN 'files'::text THEN 'Fichiers'::text
                    WHEN 'odoo'::text THEN 'Odoo'::text WHEN 'pennylane'::text THEN 'Pennylane'::text
                    WHEN 'brevo'::text THEN 'Brevo'::text ELSE 'API JSON'::text END)::character varying(100)
           AS libelle_type,
       s.enabled AS active
  FROM crm.source s
UNION ALL
SELECT pg_catalog.hashtextextended('pg_crm'::text, 0::bigint), 'pg_crm'::character varying(100),
       'pg_crm'::character varying(100), 'Retours sur recommandations'::character varying(100), true
UNION ALL
SELECT -1::bigint, 'inconnue'::character varying(100), 'inconnu'::character varying(100),
       'Inconnue'::character varying(100), false;
COMMENT ON VIEW crm_bi.dim_source IS 'Dimension Source : d''où viennent les données (exports iSaVigne, fichiers, Odoo, Pennylane, Brevo), plus pg_crm lui-même (retours sur les recommandations) ; -1 : source inconnue ou retirée.';
COMMENT ON COLUMN crm_bi.dim_source.cle_source IS 'Clé source (entier, stable : dérivée du nom) ; -1 : source inconnue.';
COMMENT ON COLUMN crm_bi.dim_source.source IS 'Nom de la source.';
COMMENT ON COLUMN crm_bi.dim_source.type_source IS 'Type technique : isavigne, files, odoo, pennylane, brevo, http_json, pg_crm.';
COMMENT ON COLUMN crm_bi.dim_source.libelle_type IS 'Type en clair.';
COMMENT ON COLUMN crm_bi.dim_source.active IS 'Synchronisée par les planifications.';

-- ---------------------------------------------------------------------
-- Facts. Every key is resolved by a LEFT JOIN to its dimension's table and
-- falls back to -1: a fact row never holds a NULL or dangling key.

CREATE VIEW crm_bi.fait_ventes AS
SELECT l.sale_line_key::character varying(255) AS code_ligne, l.order_key::character varying(255) AS numero_vente,
       coalesce(d.date_key, -1::bigint) AS cle_date, l.date_sale AS date_vente,
       coalesce(c.bi_id, -1::bigint) AS cle_client, coalesce(p.bi_id, -1::bigint) AS cle_produit,
       coalesce(pg_catalog.hashtextextended(s.name, 0::bigint), -1::bigint) AS cle_source,
       l.channel::character varying(100) AS canal, l.packaging::character varying(100) AS conditionnement,
       l.quantity_units::numeric(14,3) AS quantite, l.bottles_75cl::numeric(14,3) AS bouteilles_75cl,
       l.price_unit AS prix_unitaire_ht, l.price_total AS montant_ht, l.cost_total AS cout_ht, l.margin AS marge
  FROM crm.sales_lines l
  LEFT JOIN crm.bi_calendar d ON d.day = l.date_sale
  LEFT JOIN crm.customers c ON c.customer_key = l.customer_key
  LEFT JOIN crm.product_catalog p ON p.product_key = l.product_key
  LEFT JOIN crm.source s ON s.name = l.source;
COMMENT ON VIEW crm_bi.fait_ventes IS 'Fait Ventes : une ligne par ligne de vente (N° vente, produit, quantité, montant HT).';
COMMENT ON COLUMN crm_bi.fait_ventes.code_ligne IS 'Identifiant stable de la ligne « source-ligne ».';
COMMENT ON COLUMN crm_bi.fait_ventes.numero_vente IS 'La vente (commande) à laquelle appartient la ligne : « source-N° vente ».';
COMMENT ON COLUMN crm_bi.fait_ventes.cle_date IS 'Date de la vente (dim_date) ; -1 : hors calendrier.';
COMMENT ON COLUMN crm_bi.fait_ventes.date_vente IS 'Date de la vente.';
COMMENT ON COLUMN crm_bi.fait_ventes.cle_client IS 'Le client (dim_client) ; -1 : inconnu.';
COMMENT ON COLUMN crm_bi.fait_ventes.cle_produit IS 'Le produit (dim_produit) ; -1 : inconnu.';
COMMENT ON COLUMN crm_bi.fait_ventes.cle_source IS 'La source (dim_source) ; -1 : inconnue ou retirée.';
COMMENT ON COLUMN crm_bi.fait_ventes.canal IS 'Canal de vente (Caveau, Salon, Internet, CHR, Export...).';
COMMENT ON COLUMN crm_bi.fait_ventes.conditionnement IS 'Conditionnement vendu.';
COMMENT ON COLUMN crm_bi.fait_ventes.quantite IS 'Quantité vendue, en conditionnements (Qté).';
COMMENT ON COLUMN crm_bi.fait_ventes.bouteilles_75cl IS 'Quantité en équivalent bouteilles de 75 cl ; vide si le conditionnement n''est pas reconnu.';
COMMENT ON COLUMN crm_bi.fait_ventes.prix_unitaire_ht IS 'Prix unitaire HT, euros.';
COMMENT ON COLUMN crm_bi.fait_ventes.montant_ht IS 'Montant HT de la ligne (chiffre d''affaires), euros.';
COMMENT ON COLUMN crm_bi.fait_ventes.cout_ht IS 'Coût d''achat de la ligne, euros, s''il est connu.';
COMMENT ON COLUMN crm_bi.fait_ventes.marge IS 'Marge : montant HT - coût, euros, si le coût est connu.';

CREATE VIEW crm_bi.fait_stock AS
SELECT coalesce(p.bi_id, -1::bigint) AS cle_produit, coalesce(d.date_key, -1::bigint) AS cle_date,
       coalesce(pg_catalog.hashtextextended(s.name, 0::bigint), -1::bigint) AS cle_source,
       k.warehouse::character varying(100) AS entrepot, k.counted_at AS date_inventaire,
       k.quantity_units::numeric(14,3) AS quantite, k.bottles_75cl::numeric(14,3) AS bouteilles_75cl,
       k.reserved::numeric(14,3) AS reserve, k.available::numeric(14,3) AS disponible,
       (CASE WHEN k.quantity_units > 0::numeric THEN k.available * k.bottles_75cl / k.quantity_units END)::numeric(14,3)
           AS disponible_75cl
  FROM crm.stock_levels k
  LEFT JOIN crm.product_catalog p ON p.product_key = k.product_key
  LEFT JOIN crm.bi_calendar d ON d.day = k.counted_at
  LEFT JOIN crm.source s ON s.name = k.source;
COMMENT ON VIEW crm_bi.fait_stock IS 'Fait Stock : l''état des stocks par produit et entrepôt au dernier export (instantané, pas d''historique : ne pas additionner dans le temps).';
COMMENT ON COLUMN crm_bi.fait_stock.cle_produit IS 'Le produit (dim_produit) ; -1 : inconnu.';
COMMENT ON COLUMN crm_bi.fait_stock.cle_date IS 'Date d''inventaire (dim_date) ; -1 : non datée par la source.';
COMMENT ON COLUMN crm_bi.fait_stock.cle_source IS 'La source (dim_source) ; -1 : inconnue ou retirée.';
COMMENT ON COLUMN crm_bi.fait_stock.entrepot IS 'Entrepôt (chai, dépôt).';
COMMENT ON COLUMN crm_bi.fait_stock.date_inventaire IS 'Date d''inventaire, si la source la donne.';
COMMENT ON COLUMN crm_bi.fait_stock.quantite IS 'Unités en stock, dans le conditionnement du produit.';
COMMENT ON COLUMN crm_bi.fait_stock.bouteilles_75cl IS 'Stock en équivalent bouteilles de 75 cl ; vide si le conditionnement n''est pas reconnu.';
COMMENT ON COLUMN crm_bi.fait_stock.reserve IS 'Unités réservées par des commandes en cours.';
COMMENT ON COLUMN crm_bi.fait_stock.disponible IS 'Unités disponibles : stock - réservé.';
COMMENT ON COLUMN crm_bi.fait_stock.disponible_75cl IS 'Disponible en équivalent bouteilles de 75 cl.';

CREATE VIEW crm_bi.fait_recommandations AS
SELECT coalesce(c.bi_id, -1::bigint) AS cle_client, coalesce(p.bi_id, -1::bigint) AS cle_produit,
       coalesce(d.date_key, -1::bigint) AS cle_date, r.rank AS rang, r.score AS score,
       (CASE WHEN pg_catalog.length(r.reason) > 255 THEN pg_catalog."left"(r.reason, 254) || '…'::text
             ELSE r.reason END)::character varying(255) AS raison,
       (CASE r.reason_detail ->> 'kind'::text WHEN 'co_purchase'::text THEN 'Souvent acheté avec'::text
             WHEN 'segment_bestseller'::text THEN 'Meilleure vente du segment'::text
             ELSE r.reason_detail ->> 'kind'::text END)::character varying(100) AS type_raison,
       pg_catalog.timezone('Europe/Paris'::text, r.computed_at)::timestamp(0) without time zone AS calculee_le
  FROM crm.recommendation r
  LEFT JOIN crm.customers c ON c.customer_key = r.customer_key
  LEFT JOIN crm.product_catalog p ON p.product_key = r.product_key
  LEFT JOIN crm.bi_calendar d ON d.day = pg_catalog.timezone('Europe/Paris'::text, r.computed_at)::date;
COMMENT ON VIEW crm_bi.fait_recommandations IS 'Fait Recommandations : les meilleurs vins à proposer à chaque client (garde-fous appliqués), avec la raison en français, au dernier calcul.';
COMMENT ON COLUMN crm_bi.fait_recommandations.cle_client IS 'Le client (dim_client).';
COMMENT ON COLUMN crm_bi.fait_recommandations.cle_produit IS 'Le produit recommandé (dim_produit).';
COMMENT ON COLUMN crm_bi.fait_recommandations.cle_date IS 'Date du calcul (dim_date).';
COMMENT ON COLUMN crm_bi.fait_recommandations.rang IS 'Rang : 1 la meilleure.';
COMMENT ON COLUMN crm_bi.fait_recommandations.score IS 'Score (achats conjoints pondérés par la récence ; pour une meilleure vente du segment, la part du segment qui l''a acheté).';
COMMENT ON COLUMN crm_bi.fait_recommandations.raison IS 'Pourquoi, en français : « souvent acheté avec … » ou « meilleure vente de votre segment (…) » (255 caractères au plus : un texte plus long finit par « … »).';
COMMENT ON COLUMN crm_bi.fait_recommandations.type_raison IS 'Souvent acheté avec, ou Meilleure vente du segment.';
COMMENT ON COLUMN crm_bi.fait_recommandations.calculee_le IS 'Date et heure du calcul (heure de Paris).';

CREATE VIEW crm_bi.fait_contacts AS
SELECT h.contact_key::character varying(255) AS code_contact, coalesce(d.date_key, -1::bigint) AS cle_date,
       pg_catalog.timezone('Europe/Paris'::text, h.date_contact)::timestamp(0) without time zone AS date_heure_contact,
       coalesce(c.bi_id, -1::bigint) AS cle_client, coalesce(p.bi_id, -1::bigint) AS cle_produit_suggere,
       CASE WHEN s.name IS NOT NULL THEN pg_catalog.hashtextextended(s.name, 0::bigint)
            WHEN h.source = 'pg_crm'::text THEN pg_catalog.hashtextextended('pg_crm'::text, 0::bigint)
            ELSE -1::bigint END AS cle_source,
       h.channel::character varying(100) AS canal, h.campaign::character varying(255) AS campagne,
       h.subject::character varying(255) AS objet, h.status::character varying(100) AS statut,
       h.response::character varying(255) AS reponse
  FROM crm.contact_history h
  LEFT JOIN crm.bi_calendar d ON d.day = pg_catalog.timezone('Europe/Paris'::text, h.date_contact)::date
  LEFT JOIN crm.customers c ON c.customer_key = h.customer_key
  LEFT JOIN crm.product_catalog p ON p.product_key = h.product_suggested
  LEFT JOIN crm.source s ON s.name = h.source;
COMMENT ON VIEW crm_bi.fait_contacts IS 'Fait Contacts : l''historique des contacts avec les clients (e-mails, erreurs d''adresse, désinscriptions, recommandations envoyées et leurs suites), une ligne par contact.';
COMMENT ON COLUMN crm_bi.fait_contacts.code_contact IS 'Identifiant stable du contact.';
COMMENT ON COLUMN crm_bi.fait_contacts.cle_date IS 'Date du contact, heure de Paris (dim_date).';
COMMENT ON COLUMN crm_bi.fait_contacts.date_heure_contact IS 'Date et heure du contact (heure de Paris).';
COMMENT ON COLUMN crm_bi.fait_contacts.cle_client IS 'Le client (dim_client) ; -1 : adresse sans client connu.';
COMMENT ON COLUMN crm_bi.fait_contacts.cle_produit_suggere IS 'Le produit recommandé (dim_produit) ; -1 : pas une recommandation, ou produit inconnu.';
COMMENT ON COLUMN crm_bi.fait_contacts.cle_source IS 'La source (dim_source) ; -1 : inconnue ou retirée.';
COMMENT ON COLUMN crm_bi.fait_contacts.canal IS 'Canal : email, sms, téléphone, visite...';
COMMENT ON COLUMN crm_bi.fait_contacts.campagne IS 'Campagne, s''il y en avait une.';
COMMENT ON COLUMN crm_bi.fait_contacts.objet IS 'Objet, ou la raison en clair (Adresse inexistante...).';
COMMENT ON COLUMN crm_bi.fait_contacts.statut IS 'sent (envoyé), hard_bounce (adresse invalide), unsubscribed (désinscrit), bad (recommandation refusée), bought (acheté)...';
COMMENT ON COLUMN crm_bi.fait_contacts.reponse IS 'Ce que le client a fait.';

-- ---------------------------------------------------------------------
-- Aggregates (tables above, refreshed with the analytics).

CREATE VIEW crm_bi.agg_ventes_mois_produit AS
SELECT coalesce(d.date_key, -1::bigint) AS cle_date, a.month AS mois, coalesce(p.bi_id, -1::bigint) AS cle_produit,
       a.lines AS lignes, a.units::numeric(14,3) AS quantite, a.bottles_75cl::numeric(14,3) AS bouteilles_75cl,
       a.revenue AS montant_ht, a.margin AS marge
  FROM crm.bi_monthly_product a
  LEFT JOIN crm.bi_calendar d ON d.day = a.month
  LEFT JOIN crm.product_catalog p ON p.product_key = a.product_key;
COMMENT ON VIEW crm_bi.agg_ventes_mois_produit IS 'Agrégat Ventes par mois et produit (table recalculée à chaque synchronisation qui change des données, pour des visuels rapides) : relié à dim_date par le premier jour du mois.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.cle_date IS 'Premier jour du mois (dim_date).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.mois IS 'Premier jour du mois.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.cle_produit IS 'Le produit (dim_produit) ; -1 : inconnu.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.lignes IS 'Nombre de lignes de vente.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.quantite IS 'Quantité vendue, en conditionnements.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.bouteilles_75cl IS 'Quantité en équivalent bouteilles de 75 cl (lignes au conditionnement reconnu).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.montant_ht IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_produit.marge IS 'Marge des lignes au coût connu, euros.';

CREATE VIEW crm_bi.agg_ventes_mois_segment AS
SELECT coalesce(d.date_key, -1::bigint) AS cle_date, a.month AS mois,
       coalesce(s.label_fr, a.segment, 'Client inconnu'::text)::character varying(100) AS segment_rfm,
       coalesce(s.sort, CASE WHEN a.segment IS NULL THEN 12 ELSE 99 END) AS ordre_segment_rfm,
       a.customers AS clients, a.orders AS commandes, a.lines AS lignes,
       a.bottles_75cl::numeric(14,3) AS bouteilles_75cl, a.revenue AS montant_ht, a.margin AS marge
  FROM crm.bi_monthly_segment a
  LEFT JOIN crm.bi_calendar d ON d.day = a.month
  LEFT JOIN crm.bi_rfm_segment s ON s.segment = a.segment;
COMMENT ON VIEW crm_bi.agg_ventes_mois_segment IS 'Agrégat Ventes par mois et segment RFM du client (segment du dernier calcul appliqué à tout l''historique ; table recalculée à chaque synchronisation qui change des données).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.cle_date IS 'Premier jour du mois (dim_date).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.mois IS 'Premier jour du mois.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.segment_rfm IS 'Segment RFM du client (comme dim_client.segment_rfm) ; Client inconnu : ventes sans client.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.ordre_segment_rfm IS 'Ordre d''affichage du segment (colonne de tri de segment_rfm).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.clients IS 'Clients ayant acheté dans le mois.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.commandes IS 'Nombre de ventes (commandes).';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.lignes IS 'Nombre de lignes de vente.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.bouteilles_75cl IS 'Quantité en équivalent bouteilles de 75 cl.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.montant_ht IS 'Chiffre d''affaires HT, euros.';
COMMENT ON COLUMN crm_bi.agg_ventes_mois_segment.marge IS 'Marge des lignes au coût connu, euros.';

-- ---------------------------------------------------------------------
-- Status page: how fresh each source is, and what the data-quality rules
-- said at their last check.

CREATE VIEW crm_bi.etat_sources AS
SELECT pg_catalog.hashtextextended(s.source, 0::bigint) AS cle_source, s.source::character varying(100) AS source,
       s.kind::character varying(100) AS type_source,
       s.enabled AS active,
       pg_catalog.timezone('Europe/Paris'::text, s.last_success)::timestamp(0) without time zone AS derniere_reussite,
       pg_catalog.floor(pg_catalog.date_part('epoch'::text, pg_catalog.now() - s.last_success)
                        / 60::double precision)::integer AS age_minutes,
       pg_catalog.timezone('Europe/Paris'::text, s.last_failure)::timestamp(0) without time zone AS dernier_echec,
       (CASE WHEN pg_catalog.length(s.last_error) > 255 THEN pg_catalog."left"(s.last_error, 254) || '…'::text
             ELSE s.last_error END)::character varying(255) AS derniere_erreur, s.running AS en_cours,
       (CASE WHEN s.running THEN 'en cours'::text
             WHEN s.last_success IS NULL AND s.last_failure IS NULL THEN 'jamais synchronisée'::text
             WHEN s.last_success IS NULL OR s.last_failure > s.last_success THEN 'en échec'::text
             ELSE 'à jour'::text END)::character varying(100) AS statut
  FROM crm.sync_status s;
COMMENT ON VIEW crm_bi.etat_sources IS 'Page d''état : fraîcheur de chaque source (dernière synchronisation réussie, son âge, dernière erreur).';
COMMENT ON COLUMN crm_bi.etat_sources.cle_source IS 'La source (dim_source).';
COMMENT ON COLUMN crm_bi.etat_sources.source IS 'Nom de la source.';
COMMENT ON COLUMN crm_bi.etat_sources.type_source IS 'Type technique (isavigne, files, odoo, pennylane, brevo, http_json).';
COMMENT ON COLUMN crm_bi.etat_sources.active IS 'Synchronisée par les planifications.';
COMMENT ON COLUMN crm_bi.etat_sources.derniere_reussite IS 'Fin de la dernière synchronisation réussie (heure de Paris) ; vide : jamais.';
COMMENT ON COLUMN crm_bi.etat_sources.age_minutes IS 'Minutes écoulées depuis la dernière réussite, à l''instant de la requête : l''âge des données.';
COMMENT ON COLUMN crm_bi.etat_sources.dernier_echec IS 'Fin de la dernière synchronisation en échec (heure de Paris).';
COMMENT ON COLUMN crm_bi.etat_sources.derniere_erreur IS 'Erreur de la dernière synchronisation en échec (code SQLSTATE et message ; 255 caractères au plus : un texte plus long finit par « … », le texte entier est dans crm.sync_run).';
COMMENT ON COLUMN crm_bi.etat_sources.en_cours IS 'Une synchronisation est en cours.';
COMMENT ON COLUMN crm_bi.etat_sources.statut IS 'à jour (la dernière synchronisation a réussi), en échec (la dernière a échoué : les données sont celles de la dernière réussite), en cours, jamais synchronisée.';

CREATE VIEW crm_bi.etat_qualite AS
SELECT q.rule_id AS regle, q.source::character varying(100) AS source,
       q.target::character varying(255) AS table_controlee, q.kind::character varying(100) AS type_regle,
       q."column"::character varying(255) AS colonne, q.severity::character varying(100) AS severite,
       (CASE WHEN pg_catalog.length(q.description) > 255 THEN pg_catalog."left"(q.description, 254) || '…'::text
             ELSE q.description END)::character varying(255) AS description, q.enabled AS active,
       x.run_id AS synchronisation,
       pg_catalog.timezone('Europe/Paris'::text, x.checked_at)::timestamp(0) without time zone AS controlee_le,
       x.passed AS respectee, x.observed::double precision AS valeur_observee,
       (CASE WHEN pg_catalog.length(x.message) > 255 THEN pg_catalog."left"(x.message, 254) || '…'::text
             ELSE x.message END)::character varying(255) AS message,
       (CASE WHEN x.passed IS NULL THEN 'jamais contrôlée'::text WHEN x.passed THEN 'OK'::text
             WHEN x.severity = 'error'::text THEN 'erreur'::text ELSE 'avertissement'::text END)::character varying(100)
           AS statut
  FROM crm.dq_rule q
  LEFT JOIN LATERAL (SELECT r.run_id, r.checked_at, r.passed, r.severity, r.observed, r.message
                       FROM crm.dq_result r
                      WHERE r.rule_id = q.rule_id
                      ORDER BY r.run_id DESC
                      LIMIT 1) x ON true;
COMMENT ON VIEW crm_bi.etat_qualite IS 'Page d''état : chaque règle de qualité des données et le résultat de son dernier contrôle (à chaque synchronisation, avant publication).';
COMMENT ON COLUMN crm_bi.etat_qualite.regle IS 'Numéro de la règle.';
COMMENT ON COLUMN crm_bi.etat_qualite.source IS 'Source contrôlée ; vide : toutes.';
COMMENT ON COLUMN crm_bi.etat_qualite.table_controlee IS 'Table contrôlée (crm.sales_lines, crm.customers...).';
COMMENT ON COLUMN crm_bi.etat_qualite.type_regle IS 'not_null, unique, accepted_values, relationship, range, row_count, sum, freshness, custom_sql ou metric.';
COMMENT ON COLUMN crm_bi.etat_qualite.colonne IS 'Colonne contrôlée.';
COMMENT ON COLUMN crm_bi.etat_qualite.severite IS 'error : un échec annule la synchronisation ; warn : simple avertissement.';
COMMENT ON COLUMN crm_bi.etat_qualite.description IS 'Ce que la règle protège (255 caractères au plus : un texte plus long finit par « … »).';
COMMENT ON COLUMN crm_bi.etat_qualite.active IS 'Règle contrôlée.';
COMMENT ON COLUMN crm_bi.etat_qualite.synchronisation IS 'Numéro de la synchronisation (run) du dernier contrôle.';
COMMENT ON COLUMN crm_bi.etat_qualite.controlee_le IS 'Date et heure du dernier contrôle (heure de Paris).';
COMMENT ON COLUMN crm_bi.etat_qualite.respectee IS 'La règle était respectée au dernier contrôle ; vide : jamais contrôlée.';
COMMENT ON COLUMN crm_bi.etat_qualite.valeur_observee IS 'Ce qui a été mesuré : lignes fautives, nombre de lignes, somme ou âge en secondes.';
COMMENT ON COLUMN crm_bi.etat_qualite.message IS 'Le résultat en clair (255 caractères au plus : un texte plus long finit par « … »).';
COMMENT ON COLUMN crm_bi.etat_qualite.statut IS 'OK, erreur, avertissement ou jamais contrôlée.';

-- Exactly these objects, for the reader (Power BI) and the jobs.
GRANT SELECT ON crm_bi.dim_date, crm_bi.dim_client, crm_bi.dim_produit, crm_bi.dim_source, crm_bi.fait_ventes,
    crm_bi.fait_stock, crm_bi.fait_recommandations, crm_bi.fait_contacts, crm_bi.agg_ventes_mois_produit,
    crm_bi.agg_ventes_mois_segment, crm_bi.etat_sources, crm_bi.etat_qualite TO crm_reader, crm_runner;

-- The reader's session settings. Role settings are cluster-wide (every
-- database) and outlive DROP EXTENSION, like the role itself, and an admin
-- may have chosen other values: set each one only when the role has none.
-- statement_timeout below the Power BI service's 4 minutes, so that a runaway
-- visual's query stops on the server too; read-only by default. They apply
-- to sessions that log in as crm_reader (see docs/power-bi.md for a login
-- role of your own).
DO $reader$
DECLARE
    saved text := pg_catalog.current_setting('search_path');
    current text[];
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    SELECT s.setconfig INTO current FROM pg_catalog.pg_db_role_setting s
     WHERE s.setdatabase = 0::oid AND s.setrole = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'crm_reader');
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(current) c WHERE c LIKE 'statement\_timeout=%') THEN
        ALTER ROLE crm_reader SET statement_timeout = '3min';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(current) c WHERE c LIKE 'default\_transaction\_read\_only=%') THEN
        ALTER ROLE crm_reader SET default_transaction_read_only = on;
    END IF;
    PERFORM pg_catalog.set_config('search_path', saved, true);
END
$reader$;

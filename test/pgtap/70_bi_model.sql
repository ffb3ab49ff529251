-- The Power BI model (crm_bi): only the types Power BI reads natively, every
-- view and column documented, thin views (no function but pg_catalog's, no
-- security barrier), and the reader's session settings.
BEGIN;
SELECT plan(8);

CREATE TEMP VIEW bi_columns AS
SELECT c.oid::regclass::text AS relation, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'crm_bi' AND c.relkind IN ('r', 'v', 'm', 'p');

SELECT ok((SELECT count(DISTINCT relation) FROM bi_columns) >= 12, 'crm_bi has its views');
-- numeric(14,2) money, numeric(14,3) quantities, float8 scores, timestamp(0)
-- local times, int/bigint, varchar(n), boolean, date: no jsonb, array, enum,
-- interval, uuid, unbounded numeric (Npgsql 4: System.Decimal overflow), name,
-- nor text or varchar over 255 (psqlODBC's defaults describe them as
-- SQL_LONGVARCHAR, a memo).
SELECT is_empty($$SELECT relation || '.' || attname || ' ' || type FROM bi_columns
                   WHERE type NOT IN ('bigint', 'integer', 'boolean', 'date', 'double precision',
                                      'numeric(14,2)', 'numeric(14,3)', 'timestamp(0) without time zone',
                                      'character varying(100)', 'character varying(255)')$$,
                'every crm_bi column has a Power BI and ODBC type');
-- Keys are bigint, dates' yyyymmdd included: one Whole number type to relate.
SELECT is_empty($$SELECT relation || '.' || attname || ' ' || type FROM bi_columns
                   WHERE attname LIKE 'cle\_%' AND type <> 'bigint'$$,
                'every crm_bi key is bigint');
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'crm_bi' AND c.relkind IN ('r', 'v', 'm', 'p')
                     AND obj_description(c.oid, 'pg_class') IS NULL
                   UNION ALL
                   SELECT c.oid::regclass::text || '.' || a.attname
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    WHERE n.nspname = 'crm_bi' AND c.relkind IN ('r', 'v', 'm', 'p')
                      AND col_description(c.oid, a.attnum) IS NULL$$,
                'every crm_bi view and column has a COMMENT');
-- Thin views: a view runs its functions with the caller's rights, and a
-- heavy one would run at every click of every visual.
SELECT is_empty($$SELECT DISTINCT v.oid::regclass || ' calls ' || p.oid::regprocedure
                    FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace AND n.nspname = 'crm_bi'
                    JOIN pg_rewrite w ON w.ev_class = v.oid
                    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                                    AND d.refclassid = 'pg_proc'::regclass
                    JOIN pg_proc p ON p.oid = d.refobjid
                   WHERE p.pronamespace <> 'pg_catalog'::regnamespace OR p.prosecdef$$,
                'crm_bi views call pg_catalog functions only');
SELECT is_empty($$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'crm_bi' AND (c.relkind <> 'v' OR c.reloptions IS NOT NULL)$$,
                'crm_bi holds plain views only (no security barrier, no table)');
SELECT ok(EXISTS (SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) c
                   WHERE s.setrole = 'crm_reader'::regrole AND s.setdatabase = 0
                     AND c LIKE 'statement\_timeout=%'
                     AND split_part(c, '=', 2)::interval < interval '4 minutes'),
          'crm_reader statements stop before the Power BI service''s 4 minutes');
SELECT ok(EXISTS (SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) c
                   WHERE s.setrole = 'crm_reader'::regrole AND s.setdatabase = 0
                     AND c = 'default_transaction_read_only=on'),
          'crm_reader sessions are read-only by default');

SELECT * FROM finish();
ROLLBACK;

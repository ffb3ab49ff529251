"""What a SQL-savvy user writes today: COPY the export into an all-text
table, then one INSERT ... SELECT converting decimal commas and dates,
folding names with lower(unaccent()) and 75 cl factors with a CASE, into a
typed table with a primary key. pg_crm, as the file issue defines it:
crm_load into a typed table with no index. Target: at least 4x faster.

The report line adds the same work on pg_crm's side — crm_load into a table
with the primary key and the name key and 75 cl equivalents as generated
columns (crm_normalize_key, crm_bottles_75cl) — timed once."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.25
ANCHOR = "COPY to text + INSERT ... SELECT with to_date, replace()::numeric, lower(unaccent()), CASE for 75cl"

TYPED = data.VENTES_TYPED + """,
    line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"""


def setup(size):
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
CREATE EXTENSION IF NOT EXISTS unaccent;
DROP TABLE IF EXISTS bench_sql_text, bench_sql_typed, bench_crm_plain, bench_crm_typed;
CREATE TABLE bench_sql_text ({data.VENTES_TEXT});
CREATE TABLE bench_sql_typed ({TYPED}, designation_key text, bottles_75cl numeric);
CREATE TABLE bench_crm_plain ({data.VENTES_TYPED});
CREATE TABLE bench_crm_typed ({TYPED},
    designation_key text GENERATED ALWAYS AS (crm_normalize_key(designation)) STORED,
    bottles_75cl numeric GENERATED ALWAYS AS (crm_bottles_75cl(qte, conditionnement)) STORED);"""


def anchor(size):
    f = data.isavigne_set(size) / "ventes.csv"
    num = lambda c: f"replace(replace(replace({c}, E'\\u00a0', ''), ' ', ''), ',', '.')::numeric"
    return f"""TRUNCATE bench_sql_text, bench_sql_typed;
COPY bench_sql_text FROM '{f}' (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252');
INSERT INTO bench_sql_typed (n_vente, date, code_client, ref, designation, qte, conditionnement, pu_ht, remise_pct,
                             montant_ht, canal, designation_key, bottles_75cl)
SELECT n_vente::int, to_date(date, 'DD/MM/YYYY'), code_client, ref, designation, {num('qte')}, conditionnement,
       {num('pu_ht')}, {num('remise_pct')}, {num('montant_ht')}, canal,
       trim(regexp_replace(lower(unaccent(designation)), '[^a-z0-9]+', ' ', 'g')),
       {data.sql_bottles_75cl(num('qte'), 'conditionnement')}
  FROM bench_sql_text;"""


def _load(size, table):
    f = data.isavigne_set(size) / "ventes.csv"
    return f"""TRUNCATE {table};
SELECT crm_load('{f}', '{table}', '{{"on_error": "skip"}}');"""


def pg_crm(size):
    return _load(size, "bench_crm_plain")


def report(psql, size, anchor_ms):
    same_work = psql(_load(size, "bench_crm_typed"), timing=True)[-1]
    return (f"same work (primary key, generated name key and 75cl columns): pg_crm={same_work:.1f}ms "
            f"ratio={same_work / anchor_ms:.2f}")


def check(psql, size):
    out = psql("SELECT (SELECT count(*) FROM bench_sql_typed), (SELECT count(*) FROM bench_crm_plain), "
               "(SELECT sum(montant_ht) FROM bench_sql_typed) = (SELECT sum(montant_ht) FROM bench_crm_plain);")
    a, b, same_sum = out.strip().split("|")
    return None if a == b and same_sum == "t" else f"rows {a} vs {b}, same revenue: {same_sum}"

"""Generated data for benchmarks, made once per size in the bench cluster's
readable directory ($PG_CRM_BENCH_FILES) and reused by later runs."""
import os
import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
FILES = pathlib.Path(os.environ.get("PG_CRM_BENCH_FILES", "/tmp/pg_crm/bench/files"))

# The sales export's columns, typed as pg_crm loads them.
VENTES_TYPED = """n_vente int, date date, code_client text, ref text, designation text, qte numeric,
    conditionnement text, pu_ht numeric(14,2), remise_pct numeric(6,2), montant_ht numeric(14,2), canal text"""
VENTES_TEXT = """n_vente text, date text, code_client text, ref text, designation text, qte text,
    conditionnement text, pu_ht text, remise_pct text, montant_ht text, canal text"""

# The co-purchase anchor: distinct (customer, product) pairs self-joined on
# customer, one row per unordered product pair.
COPURCHASE_SQL = """SELECT count(*) FROM (
    SELECT a.product_key, b.product_key, count(*)
      FROM (SELECT DISTINCT customer_key, product_key FROM crm.sales_lines) a
      JOIN (SELECT DISTINCT customer_key, product_key FROM crm.sales_lines) b
        ON a.customer_key = b.customer_key AND a.product_key < b.product_key
     GROUP BY 1, 2) AS pairs;"""

# Between two first syncs: an empty canonical model and raw layer, flushed.
EMPTY_MODEL = """SET client_min_messages = warning;
TRUNCATE crm.sales_lines, crm.customers, crm.product_catalog, crm.stock_levels, crm.sync_cursor,
         crm_raw.customers, crm_raw.products, crm_raw.sales, crm_raw.stock, crm_raw.load CASCADE;
CHECKPOINT;"""


def _give_to_server(path):
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")
        for child in pathlib.Path(path).rglob("*"):
            shutil.chown(child, "postgres")


def isavigne_set(lines, encoding="windows-1252", only_ventes=True):
    """Directory of a generated iSaVigne export set (ventes.csv at least)."""
    name = f"isavigne_{lines}_{encoding}" + ("_ventes" if only_ventes else "")
    out = FILES / name
    if not (out / "ventes.csv").exists():
        cmd = [sys.executable, str(REPO / "tools/gen_isavigne.py"), "--out", str(out), "--lines", str(lines),
               "--encoding", encoding]
        if only_ventes:
            cmd += ["--only", "ventes"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        _give_to_server(out)
    return out


def ventes_xlsx(lines):
    """The same sales export as an XLSX workbook (written with libxlsxwriter)."""
    csv = isavigne_set(lines) / "ventes.csv"
    xlsx = csv.with_suffix(".xlsx")
    if not xlsx.exists():
        tool = REPO / "build" / "csv_to_xlsx"
        if not tool.exists():
            sys.exit("bench: build/csv_to_xlsx is missing (cmake --build build)")
        subprocess.run([str(tool), str(csv), str(xlsx)], check=True)
        _give_to_server(xlsx.parent)
    return xlsx


def sql_bottles_75cl(quantity, label):
    """The 75 cl equivalents as a SQL user writes them without pg_crm: a CASE
    over regular expressions for the usual packs, volumes and names."""
    pack = r"'(\d+)\s*x\s*(\d+)\s*cl'"
    case = r"'(caisse|carton|ct|cb|coffret)\D*(\d+)'"
    litres = r"'(\d+(?:[.,]\d+)?)\s*l\M'"
    cl = r"'(\d+(?:[.,]\d+)?)\s*cl'"
    return f"""{quantity} * CASE
           WHEN {label} ~* {pack} THEN (regexp_match({label}, {pack}, 'i'))[1]::numeric
                                      * (regexp_match({label}, {pack}, 'i'))[2]::numeric / 75
           WHEN {label} ~* 'magnums' THEN 2 * coalesce((regexp_match({label}, '(\\d+)'))[1]::numeric, 1)
           WHEN {label} ~* {case} THEN (regexp_match({label}, {case}, 'i'))[2]::numeric
           WHEN {label} ~* {litres} THEN replace((regexp_match({label}, {litres}, 'i'))[1], ',', '.')::numeric * 100 / 75
           WHEN {label} ~* {cl} THEN replace((regexp_match({label}, {cl}, 'i'))[1], ',', '.')::numeric / 75
           WHEN {label} ~* 'magnum' THEN 2
           ELSE NULL END"""


# 1M generated customer names for the normalisation benchmarks: French first
# and last names with accents, compound names, companies with legal forms.
NAMES_TABLE = """CREATE TABLE IF NOT EXISTS bench_names AS
SELECT i AS id,
       (ARRAY['Hélène','François','Loïc','Zoë','Gaëlle','Jérôme','Noël','Benoît','Anaïs','Cécile','Élodie','Chloé',
              'Inès','Aurélie','Clémence','Amélie','Océane','Agnès','Frédéric','Gérard','Maël','Raphaël','Stéphane',
              'Joël','Rémi','Grégoire','Sébastien','André','Léon','Côme'])[1 + i % 30] || ' ' ||
       (ARRAY['Dupré','Lefèvre','Müller','Bézier','Gaillard','Château','Pérez','Noël','Béranger','Mérignac',
              'Lagarde-Sérignan','Dubois','Étienne','Fabre','Thévenin','Lévêque','Crémieux','Boëlle','Garçon',
              'Saint-Émilion','Ollivier','Rhône','Brûlé','Rivière','Hôtel'])[1 + (i / 30) % 25] ||
       CASE i % 4 WHEN 0 THEN ' SARL' WHEN 1 THEN ', Domaine de l''Église' WHEN 2 THEN ' & Fils' ELSE '' END ||
       ' ' || (i % 997) AS name
  FROM generate_series(1, {size}) AS i;"""

LABELS_TABLE = """CREATE TABLE IF NOT EXISTS bench_labels AS
SELECT i AS id, (1 + i % 12)::numeric AS qte,
       (ARRAY['Bouteille 75cl','Magnum 1,5L','Demi-bouteille 37,5cl','Caisse 6x75cl','Carton de 12','CT6','CB12',
              'Jéroboam 3L','BIB 5L','Coffret 3 bouteilles','Carton 6 magnums','Clavelin 62cl','12 x 75 cl',
              'caisse 6','Magnum','75 cl','1,5 L','150cl'])[1 + (i * 7) % 18] AS label
  FROM generate_series(1, {size}) AS i;"""

# The analytics dataset of refresh_analytics and bi_directquery: `size` sales
# lines of 50k customers over 2k products in 3 colours, skewed popularity,
# three vintages per cuvée, stock for 90% of the products, 2% of customers
# opted out or bounced.
ANALYTICS_TEARDOWN = """DELETE FROM crm.product_stats; DELETE FROM crm.customer_rfm; DELETE FROM crm.product_affinity;
DELETE FROM crm.segment_bestseller; DELETE FROM crm.recommendation;
DELETE FROM crm.sales_lines WHERE source = 'bench_refresh';
DELETE FROM crm.stock_levels WHERE source = 'bench_refresh';
DELETE FROM crm.customers WHERE source = 'bench_refresh';
DELETE FROM crm.product_catalog WHERE source = 'bench_refresh';"""


def analytics_dataset(size):
    return f"""{ANALYTICS_TEARDOWN}
SELECT setseed(0.42);
INSERT INTO crm.product_catalog (product_key, source, source_id, name, colour, volume_cl, list_price, active)
SELECT 'p-' || i, 'bench_refresh', i::text, 'Cuvée ' || (i / 3) || ' ' || (2018 + i % 3),
       (ARRAY['Rouge', 'Blanc', 'Rosé'])[1 + i % 3],
       CASE WHEN i % 10 = 0 THEN 150 ELSE 75 END, round((5 + 60 * random() ^ 3)::numeric, 2), i % 50 <> 7
  FROM generate_series(0, 1999) AS i;
INSERT INTO crm.stock_levels (product_key, warehouse, quantity_units, bottles_75cl, source)
SELECT 'p-' || i, 'chai', 120, CASE WHEN i % 10 = 0 THEN 240 ELSE 120 END, 'bench_refresh'
  FROM generate_series(0, 1999) AS i WHERE i % 10 <> 3;
INSERT INTO crm.customers (customer_key, source, source_id, email, email_opt_out, bounced)
SELECT 'c-' || i, 'bench_refresh', i::text, 'client' || i || '@example.fr', i % 100 = 1, i % 100 = 2
  FROM generate_series(0, 49999) AS i;
INSERT INTO crm.sales_lines (sale_line_key, order_key, customer_key, product_key, date_sale, quantity_units,
                             bottles_75cl, price_total, source)
SELECT 'b-' || i, 'o-' || (i / 3), 'c-' || floor(50000 * random() ^ 2)::int, 'p-' || p,
       DATE '2022-01-01' + (i % 1000), 1 + i % 6, (1 + i % 6) * CASE WHEN p % 10 = 0 THEN 2 ELSE 1 END,
       round((10 + 90 * random())::numeric, 2), 'bench_refresh'
  FROM (SELECT i, floor(2000 * random() ^ 3)::int AS p FROM generate_series(1, {size}) AS i) x;
ANALYZE crm.sales_lines;
ANALYZE crm.product_catalog;
ANALYZE crm.customers;"""

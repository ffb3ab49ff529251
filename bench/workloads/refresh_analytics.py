"""crm_refresh_analytics over 1M sales lines (50k customers, 2k products in
3 colours, skewed popularity): product statistics and premium wines, RFM of
every customer, co-purchase affinities — against the co-purchase SQL
self-join alone, the anchor the analytics issue sets (target: at most 3x).
Recommendations are not part of the refresh yet. The report line gives the
time of each step."""
import json

import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 3.0
MAX_REPEAT = 3
ANCHOR = "the co-purchase SQL self-join (distinct customer-product pairs joined on customer)"


def setup(size):
    return f"""DELETE FROM crm.sales_lines WHERE source = 'bench_refresh';
DELETE FROM crm.product_catalog WHERE source = 'bench_refresh';
SELECT setseed(0.42);
INSERT INTO crm.product_catalog (product_key, source, source_id, name, colour, volume_cl, list_price, active)
SELECT 'p-' || i, 'bench_refresh', i::text, 'Vin ' || i, (ARRAY['Rouge', 'Blanc', 'Rosé'])[1 + i % 3],
       CASE WHEN i % 10 = 0 THEN 150 ELSE 75 END, round((5 + 60 * random() ^ 3)::numeric, 2), true
  FROM generate_series(0, 1999) AS i;
INSERT INTO crm.sales_lines (sale_line_key, order_key, customer_key, product_key, date_sale, quantity_units,
                             price_total, source)
SELECT 'b-' || i, 'o-' || (i / 3), 'c-' || floor(50000 * random() ^ 2)::int, 'p-' || floor(2000 * random() ^ 3)::int,
       DATE '2022-01-01' + (i % 1000), 1 + i % 6, round((10 + 90 * random())::numeric, 2), 'bench_refresh'
  FROM generate_series(1, {size}) AS i;
ANALYZE crm.sales_lines;
ANALYZE crm.product_catalog;"""


def anchor(size):
    return data.COPURCHASE_SQL


def pg_crm(size):
    return "SELECT crm_refresh_analytics();"


def report(psql, size, anchor_ms):
    steps = json.loads(psql("SELECT crm_refresh_analytics();").strip())
    return "steps: " + ", ".join(f"{name}={steps[name]['ms']}ms ({steps[name]['rows']} rows)"
                                 for name in ("product_stats", "customer_rfm", "product_affinity"))


def teardown(size):
    return """DELETE FROM crm.product_stats; DELETE FROM crm.customer_rfm; DELETE FROM crm.product_affinity;
DELETE FROM crm.sales_lines WHERE source = 'bench_refresh';
DELETE FROM crm.product_catalog WHERE source = 'bench_refresh';"""

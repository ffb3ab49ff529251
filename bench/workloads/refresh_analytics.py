"""crm_refresh_analytics over 1M sales lines (50k customers, 2k products in
3 colours, skewed popularity, three vintages per cuvée, stock for 90% of
the products, 2% of customers opted out or bounced): product statistics and
premium wines, RFM of every customer, co-purchase affinities, segment best
sellers and the top-5 recommendations of every customer with guardrails,
against the co-purchase SQL self-join alone, the anchor the analytics issue
sets (target: at most 3x). The report line gives the time of each step."""
import json

import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 3.0
MAX_REPEAT = 3
ANCHOR = "the co-purchase SQL self-join (distinct customer-product pairs joined on customer)"


def setup(size):
    return f"""{TEARDOWN}
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


def anchor(size):
    return data.COPURCHASE_SQL


def pg_crm(size):
    return "SELECT crm_refresh_analytics();"


def report(psql, size, anchor_ms):
    steps = json.loads(psql("SELECT crm_refresh_analytics();").strip())
    reco = steps["recommendation"]
    return ("steps: " + ", ".join(f"{name}={step['ms']}ms" + (f" ({step['rows']} rows)" if "rows" in step else "")
                                  for name, step in steps.items() if isinstance(step, dict) and "ms" in step)
            + f"; {reco['customers']} customers recommended, blocked {json.dumps(reco['blocked'])}")


TEARDOWN = """DELETE FROM crm.product_stats; DELETE FROM crm.customer_rfm; DELETE FROM crm.product_affinity;
DELETE FROM crm.segment_bestseller; DELETE FROM crm.recommendation;
DELETE FROM crm.sales_lines WHERE source = 'bench_refresh';
DELETE FROM crm.stock_levels WHERE source = 'bench_refresh';
DELETE FROM crm.customers WHERE source = 'bench_refresh';
DELETE FROM crm.product_catalog WHERE source = 'bench_refresh';"""


def teardown(size):
    return TEARDOWN

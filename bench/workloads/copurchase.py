"""Co-purchase pairs over 1M sales lines (50k customers, 2k products,
skewed popularity): crm_product_affinity (every pair, both directions, with
support, confidence, lift and cosine) against the SQL self-join of distinct
(customer, product) on customer. Same pair counts required. Target: at
least 5x faster. The report line gives each side's peak memory."""
import data
import peak_memory

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.2
ANCHOR = "distinct (customer, product) self-joined on customer with p1 < p2, grouped by pair"


def setup(size):
    # Skewed: a few products and customers account for most lines.
    return f"""DELETE FROM crm.sales_lines;
SELECT setseed(0.42);
INSERT INTO crm.sales_lines (sale_line_key, order_key, customer_key, product_key, date_sale, quantity_units, source)
SELECT 'b-' || i, 'o-' || (i / 3), 'c-' || floor(50000 * random() ^ 2)::int, 'p-' || floor(2000 * random() ^ 3)::int,
       DATE '2022-01-01' + (i % 1000), 1, 'bench'
  FROM generate_series(1, {size}) AS i;
ANALYZE crm.sales_lines;"""


def anchor(size):
    return data.COPURCHASE_SQL


def pg_crm(size):
    return """SELECT count(*) FILTER (WHERE product_a < product_b) FROM crm_product_affinity('{"min_pair_count": 1}');"""


def check(psql, size):
    a = psql(anchor(size)).strip()
    b = psql(pg_crm(size)).strip()
    return None if a == b else f"SQL counts {a} pairs, crm_product_affinity {b}"


def report(psql, size, anchor_ms):
    """Each side once more, in a backend of its own, sampled for its peak memory."""
    sql = peak_memory.run_sampled(anchor(size), "pg_crm bench copurchase sql")
    crm = peak_memory.run_sampled(pg_crm(size), "pg_crm bench copurchase crm")
    return (f"peak memory of the backend: private (RssAnon) SQL self-join {sql['RssAnon']}MB, crm_product_affinity "
            f"{crm['RssAnon']}MB; VmHWM (shared buffers touched included) {sql['VmHWM']}MB, {crm['VmHWM']}MB")


def teardown(size):
    return "DELETE FROM crm.sales_lines;"

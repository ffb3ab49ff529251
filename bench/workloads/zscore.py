"""crm_zscore over 1M prices in 2 000 groups (products' colour/appellation
groups) against the SQL window formula (x - avg(x) OVER w) / stddev_pop(x)
OVER w. Target: at least as fast."""

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 1.0
ANCHOR = "(x - avg(x) OVER w) / stddev_pop(x) OVER w"


def setup(size):
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_prices;
SELECT setseed(0.42);
CREATE TABLE bench_prices AS
SELECT i % 2000 AS grp, ((random() * 200 + 5) * (1 + i % 5))::float8 AS price FROM generate_series(1, {size}) AS i;
ANALYZE bench_prices;"""


def anchor(size):
    return """SELECT sum(z) FROM (SELECT (price - avg(price) OVER w) / stddev_pop(price) OVER w AS z
                          FROM bench_prices WINDOW w AS (PARTITION BY grp)) AS s;"""


def pg_crm(size):
    return """SELECT sum(z) FROM (SELECT crm_zscore(price) OVER w AS z
                          FROM bench_prices WINDOW w AS (PARTITION BY grp)) AS s;"""


def check(psql, size):
    n = psql("""SELECT count(*) FROM (SELECT crm_zscore(price) OVER w AS z,
                       (price - avg(price) OVER w) / stddev_pop(price) OVER w AS z_sql
                  FROM bench_prices WINDOW w AS (PARTITION BY grp)) AS s
                 WHERE abs(z - z_sql) > 1e-12 * greatest(abs(z_sql), 1);""").strip()
    return None if n == "0" else f"{n} z-scores differ from the SQL formula by more than 1e-12"

"""crm_export of 1M sales lines to a CSV file for French Excel (';', decimal
comma, dd/mm/yyyy dates, atomic write) against PostgreSQL's own
COPY (query) TO file in CSV (';', but decimal points and ISO dates: what
Excel in French does not read as numbers). Target: at most 2x. The report
line gives the same export to XLSX (typed cells, number and date formats,
frozen header) and the files' sizes."""
import os

import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 2.0
MAX_REPEAT = 3
ANCHOR = "COPY (SELECT * FROM bench_export) TO a file (FORMAT csv, DELIMITER ';', HEADER)"

OUT = data.FILES / "out"
# The bench cluster is not given a write directory: the superuser running the
# bench sets it for the session of each statement timed.
ALLOW = f"SET crm.allowed_write_paths = '{OUT}';"
QUERY = "SELECT * FROM bench_export"


def setup(size):
    OUT.mkdir(exist_ok=True)
    data._give_to_server(OUT)
    return f"""DROP TABLE IF EXISTS bench_export;
CREATE TABLE bench_export AS
SELECT i AS n_vente, DATE '2022-01-01' + (i % 1000) AS date_vente, 'CLI' || (i % 50000) AS code_client,
       'Cuvée ' || (i % 2000) || ' ' || (2018 + i % 3) AS designation, (1 + i % 12)::numeric(14,3) AS quantite,
       round((5 + (i % 997) * 0.37)::numeric, 2)::numeric(14,2) AS montant_ht
  FROM generate_series(1, {size}) AS i;
ANALYZE bench_export;"""


def anchor(size):
    return f"COPY ({QUERY}) TO '{OUT}/anchor.csv' WITH (FORMAT csv, DELIMITER ';', HEADER);"


def pg_crm(size):
    return f"{ALLOW}\nSELECT crm_export('{QUERY}', '{OUT}/pg_crm.csv', '{{\"overwrite\": true}}');"


def check(psql, size):
    rows = psql(f"{ALLOW}\nSELECT crm_export('{QUERY}', '{OUT}/pg_crm.csv', '{{\"overwrite\": true}}');").strip()
    return None if rows == str(size) else f"crm_export wrote {rows} rows, not {size}"


def report(psql, size, anchor_ms):
    times = psql(f"{ALLOW}\nSELECT crm_export('{QUERY}', '{OUT}/pg_crm.xlsx', '{{\"overwrite\": true}}');",
                 timing=True)
    sizes = {name: os.path.getsize(OUT / name) / 1e6 for name in ("anchor.csv", "pg_crm.csv", "pg_crm.xlsx")}
    return (f"the same rows to XLSX: {times[-1]:.1f}ms ({times[-1] / anchor_ms:.2f}x the anchor); files "
            + ", ".join(f"{name} {mb:.1f} MB" for name, mb in sizes.items()))


def teardown(size):
    for name in ("anchor.csv", "pg_crm.csv", "pg_crm.xlsx"):
        (OUT / name).unlink(missing_ok=True)
    return "DROP TABLE IF EXISTS bench_export;"

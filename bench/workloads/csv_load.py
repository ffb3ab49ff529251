"""crm_load of a generated 1M-line French sales export (';', decimal comma,
dd/mm/yyyy, Windows-1252, accents, packaging labels) into a typed table
with no index, against PostgreSQL's COPY of the same file into an all-text
table (parse only, no conversion)."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 1.3
ANCHOR = "COPY (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252') into an all-text table"


def _file(size):
    return data.isavigne_set(size) / "ventes.csv"


def setup(size):
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_ventes_text, bench_ventes_typed;
CREATE TABLE bench_ventes_text ({data.VENTES_TEXT});
CREATE TABLE bench_ventes_typed ({data.VENTES_TYPED});"""


def anchor(size):
    return f"""TRUNCATE bench_ventes_text;
COPY bench_ventes_text FROM '{_file(size)}' (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252');"""


def pg_crm(size):
    return f"""TRUNCATE bench_ventes_typed;
SELECT crm_load('{_file(size)}', 'bench_ventes_typed', '{{"on_error": "skip"}}');"""


def check(psql, size):
    counts = psql("SELECT (SELECT count(*) FROM bench_ventes_text), (SELECT count(*) FROM bench_ventes_typed);")
    text_rows, typed_rows = counts.strip().split("|")
    return None if text_rows == typed_rows else f"COPY loaded {text_rows} rows, crm_load {typed_rows}"

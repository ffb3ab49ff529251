"""INSERT ... SELECT * FROM crm_read_csv(...) (the typed reader, through the
executor) against COPY of the same export into an all-text table."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 2.0
ANCHOR = "COPY (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252') into an all-text table"


def setup(size):
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_read_text, bench_read_typed;
CREATE TABLE bench_read_text ({data.VENTES_TEXT});
CREATE TABLE bench_read_typed ({data.VENTES_TYPED});"""


def anchor(size):
    f = data.isavigne_set(size) / "ventes.csv"
    return f"""TRUNCATE bench_read_text;
COPY bench_read_text FROM '{f}' (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252');"""


def pg_crm(size):
    f = data.isavigne_set(size) / "ventes.csv"
    return f"""TRUNCATE bench_read_typed;
INSERT INTO bench_read_typed SELECT * FROM crm_read_csv('{f}', '{{"on_error": "skip"}}')
    AS v({data.VENTES_TYPED});"""

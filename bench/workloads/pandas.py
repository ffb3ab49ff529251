"""crm_load (with normalised name key and 75 cl equivalents as generated
columns) against the Python pipeline the merchants use today: pandas +
per-row normalisation + psycopg2 execute_batch in chunks of 500
(bench/pandas_pipeline.py). Target: at least 10x faster. Skipped when
python3-pandas or python3-psycopg2 cannot be imported."""
import pathlib
import sys

import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.1
MAX_REPEAT = 1  # the anchor takes half a minute
ANCHOR = "pandas read_csv + per-row Python normalisation + psycopg2 execute_batch(page_size=500)"

COLUMNS = data.VENTES_TYPED + ", line_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"


def skip_reason():
    try:
        import pandas  # noqa: F401
        import psycopg2  # noqa: F401
    except ImportError as e:
        return f"python3-pandas / python3-psycopg2 not importable ({e})"
    return None


def setup(size):
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_pandas, bench_pandas_crm;
CREATE TABLE bench_pandas ({COLUMNS}, designation_key text, bottles_75cl numeric);
CREATE TABLE bench_pandas_crm ({COLUMNS},
    designation_key text GENERATED ALWAYS AS (crm_normalize_key(designation)) STORED,
    bottles_75cl numeric GENERATED ALWAYS AS (crm_bottles_75cl(qte, conditionnement)) STORED);"""


def anchor(size):
    script = pathlib.Path(__file__).resolve().parent.parent / "pandas_pipeline.py"
    return [sys.executable, str(script), str(data.isavigne_set(size) / "ventes.csv"), "bench_pandas"]


def pg_crm(size):
    return f"""TRUNCATE bench_pandas_crm;
SELECT crm_load('{data.isavigne_set(size) / "ventes.csv"}', 'bench_pandas_crm', '{{"on_error": "skip"}}');"""


def check(psql, size):
    out = psql("SELECT (SELECT count(*) FROM bench_pandas), (SELECT count(*) FROM bench_pandas_crm);")
    a, b = out.strip().split("|")
    return None if a == b else f"pandas loaded {a} rows, crm_load {b}"

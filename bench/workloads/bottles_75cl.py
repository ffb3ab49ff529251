"""crm_bottles_75cl against the CASE over regular expressions a SQL user
writes for 75 cl equivalents, on 1M sales lines with usual labels (same
results required where the CASE recognises the label)."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.2
ANCHOR = "CASE over regexp_match() for packs, volumes and names"


def setup(size):
    return ("CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;" + "DROP TABLE IF EXISTS bench_labels;"
            + data.LABELS_TABLE.format(size=size) + "ANALYZE bench_labels;")


def anchor(size):
    return f"SELECT sum({data.sql_bottles_75cl('qte', 'label')}) FROM bench_labels;"


def pg_crm(size):
    return "SELECT sum(crm_bottles_75cl(qte, label)) FROM bench_labels;"


def check(psql, size):
    n = psql(f"""SELECT count(*) FROM (SELECT {data.sql_bottles_75cl('qte', 'label')} AS s, crm_bottles_75cl(qte, label) AS c
                   FROM bench_labels) t WHERE s IS NOT NULL AND round(s, 3) <> c;""").strip()
    return None if n == "0" else f"{n} lines differ from the SQL CASE"


def baseline(size):
    return "SELECT sum(qte) FROM bench_labels WHERE label IS NOT NULL;"

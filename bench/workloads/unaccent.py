"""crm_unaccent against contrib unaccent() on 1M generated customer names
(identical output required on these Latin names)."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 1 / 3
ANCHOR = "sum(length(unaccent(name))) with contrib unaccent"


def setup(size):
    return ("CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE; CREATE EXTENSION IF NOT EXISTS unaccent;"
            "DROP TABLE IF EXISTS bench_names;" + data.NAMES_TABLE.format(size=size) + "ANALYZE bench_names;")


def anchor(size):
    return "SELECT sum(length(unaccent(name))) FROM bench_names;"


def pg_crm(size):
    return "SELECT sum(length(crm_unaccent(name))) FROM bench_names;"


def check(psql, size):
    n = psql("SELECT count(*) FROM bench_names WHERE unaccent(name) IS DISTINCT FROM crm_unaccent(name);").strip()
    return None if n == "0" else f"{n} names differ from contrib unaccent()"


def baseline(size):
    return "SELECT sum(length(name)) FROM bench_names;"

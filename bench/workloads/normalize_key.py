"""crm_normalize_key against the SQL a user writes for a matching key:
lower(unaccent()) with a regexp clean-up, on 1M generated customer names."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.5
ANCHOR = "trim(regexp_replace(lower(unaccent(name)), '[^a-z0-9]+', ' ', 'g'))"


def setup(size):
    return ("CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE; CREATE EXTENSION IF NOT EXISTS unaccent;"
            + data.NAMES_TABLE.format(size=size) + "ANALYZE bench_names;")


def anchor(size):
    return "SELECT sum(length(trim(regexp_replace(lower(unaccent(name)), '[^a-z0-9]+', ' ', 'g')))) FROM bench_names;"


def pg_crm(size):
    return "SELECT sum(length(crm_normalize_key(name))) FROM bench_names;"


def baseline(size):
    return "SELECT sum(length(name)) FROM bench_names;"

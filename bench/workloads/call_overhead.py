"""Cost of the C++/PostgreSQL boundary on a scalar call: crm_version()
(wrapper, try/catch, text built under the guard) against PostgreSQL's own
version() C function, called once per row."""
DEFAULT_SIZE = 2_000_000
TARGET_RATIO = 1.5
ANCHOR = "SELECT count(version()) over generate_series"


def setup(size):
    return "CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;"


def anchor(size):
    return f"SELECT count(version()) FROM generate_series(1, {size});"


def pg_crm(size):
    return f"SELECT count(crm_version()) FROM generate_series(1, {size});"

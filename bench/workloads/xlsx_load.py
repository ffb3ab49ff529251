"""crm_load of the generated 1M-line sales export saved as XLSX (numbers and
dates as real cells, written with libxlsxwriter) against crm_load of the same
export as CSV. Target: the XLSX load within 3x the CSV load."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 3.0
ANCHOR = "crm_load of the same export as CSV"


def setup(size):
    data.ventes_xlsx(size)
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_xlsx_from_csv, bench_xlsx_typed;
CREATE TABLE bench_xlsx_from_csv ({data.VENTES_TYPED});
CREATE TABLE bench_xlsx_typed ({data.VENTES_TYPED});"""


def anchor(size):
    return f"""TRUNCATE bench_xlsx_from_csv;
SELECT crm_load('{data.isavigne_set(size) / "ventes.csv"}', 'bench_xlsx_from_csv', '{{"on_error": "skip"}}');"""


def pg_crm(size):
    return f"""TRUNCATE bench_xlsx_typed;
SELECT crm_load('{data.ventes_xlsx(size)}', 'bench_xlsx_typed', '{{"on_error": "skip"}}');"""


def check(psql, size):
    out = psql("SELECT (SELECT count(*) FROM bench_xlsx_from_csv), (SELECT count(*) FROM bench_xlsx_typed), "
               "(SELECT sum(montant_ht) FROM bench_xlsx_from_csv) = (SELECT sum(montant_ht) FROM bench_xlsx_typed), "
               "(SELECT max(date) FROM bench_xlsx_from_csv) = (SELECT max(date) FROM bench_xlsx_typed);")
    a, b, same_sum, same_date = out.strip().split("|")
    ok = a == b and same_sum == "t" and same_date == "t"
    return None if ok else f"rows {a} vs {b}, same revenue {same_sum}, same last date {same_date}"

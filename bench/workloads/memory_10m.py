"""10M-line export: crm_load streams it in bounded memory. Times against
COPY as csv_load does, and reports the backend's peak resident memory
(VmHWM, shared buffers it touched included) for both sides. Not in the
default set: run it by name (it generates a 1.25 GB file once)."""
import data

DEFAULT_SIZE = 10_000_000
TARGET_RATIO = 1.3
MAX_REPEAT = 3  # a 10M-line load varies by 20 % from one run to the next
ON_DEMAND = True
TIMED_STATEMENT = -2  # the load; the statement after it reads the peak memory
ANCHOR = "COPY (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252') into an all-text table"
RSS = "/tmp/pg_crm_bench_rss_{side}"


def _peak(side):
    """SQL around a load: nothing before; after it, the backend's peak
    resident memory (VmHWM of /proc/<pid>/status) written to a file."""
    read = ("SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\\s*(\\d+)') "
            f"\\g {RSS.format(side=side)}")
    return "", "\n" + read + "\n"


def setup(size):
    data.isavigne_set(size)
    return f"""CREATE EXTENSION IF NOT EXISTS pg_crm CASCADE;
DROP TABLE IF EXISTS bench_10m_text, bench_10m_typed;
CREATE TABLE bench_10m_text ({data.VENTES_TEXT});
CREATE TABLE bench_10m_typed ({data.VENTES_TYPED});"""


def anchor(size):
    before, after = _peak("copy")
    return before + f"""TRUNCATE bench_10m_text;
COPY bench_10m_text FROM '{data.isavigne_set(size) / "ventes.csv"}' (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252');""" + after


def pg_crm(size):
    before, after = _peak("crm_load")
    return before + f"""TRUNCATE bench_10m_typed;
SELECT crm_load('{data.isavigne_set(size) / "ventes.csv"}', 'bench_10m_typed', '{{"on_error": "skip"}}');""" + after


def report(psql, size, anchor_ms):
    peaks = {side: open(RSS.format(side=side)).read().strip() for side in ("copy", "crm_load")}
    return f"peak_rss copy={int(peaks['copy']) // 1024}MB crm_load={int(peaks['crm_load']) // 1024}MB"

"""crm_sync of a 10M-line sales export (with the 50k customers, 2k products
and stock of the 1M set) into an empty canonical model, against COPY of the
same ventes.csv into an all-text table. What it is for: memory. While the
sync runs, a sampler reads the backend's /proc status every 100 ms and keeps
the peak of its private memory (RssAnon: what the backend allocated itself)
and of VmHWM (which also counts the shared buffers it touched, up to
shared_buffers). Takes several minutes: run it by name."""

import os

import data
import peak_memory

DEFAULT_SIZE = 10_000_000
ON_DEMAND = True
MAX_REPEAT = 1
TARGET_RATIO = 25.0  # the 1M-line sync's measured ratio, kept at 10M: no worse than linear
ANCHOR = "COPY of the 10M-line ventes.csv (FORMAT csv, ';', WIN1252) into an all-text table"
APPLICATION = "crm_sync bench_sync_10m"

_sampler = None


def _dir(size):
    """The 10M ventes.csv beside the 1M set's other exports (hard links: no copy)."""
    small = data.isavigne_set(1_000_000, only_ventes=False)
    big = data.isavigne_set(size)
    out = data.FILES / f"isavigne_{size}_sync"
    out.mkdir(exist_ok=True)
    for name, source in (("clients", small), ("produits", small), ("stock", small), ("ventes", big)):
        target = out / f"{name}.csv"
        if not target.exists():
            os.link(source / f"{name}.csv", target)
    data._give_to_server(out)
    return out, big


def setup(size):
    out, _ = _dir(size)
    global _sampler
    _sampler = peak_memory.PeakSampler(APPLICATION).start()
    return f"""SET client_min_messages = warning;
SELECT crm_source_add('bench_sync_10m', 'isavigne', '{{"directory": "{out}"}}');
DROP TABLE IF EXISTS bench_sync_10m_copy;
CREATE TABLE bench_sync_10m_copy ({data.VENTES_TEXT});"""


def anchor(size):
    _, big = _dir(size)
    return f"""TRUNCATE bench_sync_10m_copy;
COPY bench_sync_10m_copy FROM '{big / "ventes.csv"}' (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1252');"""


def pg_crm(size):
    # The sync alone, as in sync_full (the analytics refresh has its own workload).
    return data.EMPTY_MODEL + "\nSELECT crm_sync('bench_sync_10m', '{\"analytics\": false}');"


def check(psql, size):
    lines = int(psql("SELECT count(*) FROM crm.sales_lines WHERE source = 'bench_sync_10m'").strip())
    copied = int(psql("SELECT count(*) FROM bench_sync_10m_copy").strip())
    return None if lines == copied else f"COPY read {copied} lines, crm_sync curated {lines}"


def report(psql, size, anchor_ms):
    peaks = _sampler.stop()
    return (f"peak memory of the syncing backend: private (RssAnon) {peaks['RssAnon']}MB, "
            f"VmHWM {peaks['VmHWM']}MB (shared buffers touched included; "
            f"shared_buffers={psql('SHOW shared_buffers').strip()})")


def teardown(size):
    return data.EMPTY_MODEL + "\nSELECT crm_source_remove('bench_sync_10m'); DROP TABLE IF EXISTS bench_sync_10m_copy;"

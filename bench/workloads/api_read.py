"""500k Odoo res.partner records served by the mock server
(test/mock/api_server.py) in pages of 1000: INSERT ... SELECT FROM
crm_read_api_rows (HTTP, JSON-RPC paging, simdjson, typed rows) against
PostgreSQL's jsonb_to_recordset over the same bodies, already stored as text
in a table (the anchor is not even charged for fetching them). Target: at
least 5x faster.

The report line adds the read alone on both sides (SELECT count(*), no
INSERT), the same read as one 110 MB body (page_size 500000), and
simdjson's decode speed alone on that body (build/json_decode_speed)."""

import csv
import json
import subprocess
import sys
import time
import urllib.request

import data

DEFAULT_SIZE = 500_000
TARGET_RATIO = 0.2
ANCHOR = "jsonb_to_recordset(body::jsonb -> 'result') over the stored page bodies, INSERT ... SELECT"
MAX_REPEAT = 3

PORT = 58081  # the bench cluster's crm.allowed_hosts names http://127.0.0.1:58081
URL = f"http://127.0.0.1:{PORT}"
COLUMNS = ("id int, name text, email text, phone text, zip text, city text, customer_rank int, is_company boolean, "
           "active boolean, write_date timestamp")
FIELDS = ["id", "name", "email", "phone", "zip", "city", "customer_rank", "is_company", "active", "write_date"]
_server = None


def _rpc(body):
    request = urllib.request.Request(URL + "/jsonrpc", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def _pages(size, page_size):
    """The bodies crm_read_api_rows receives: the same keyset requests."""
    uid = json.loads(_rpc({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "common", "method": "login", "args": ["cave", "api@cave.fr", "odoo-secret-key-123"]}}))["result"]
    bodies, last = [], None
    while True:
        domain = [] if last is None else ["|", ["write_date", ">", last[0]], "&", ["write_date", "=", last[0]],
                                          ["id", ">", last[1]]]
        body = _rpc({"jsonrpc": "2.0", "method": "call", "id": 2, "params": {
            "service": "object", "method": "execute_kw", "args": ["cave", uid, "odoo-secret-key-123", "res.partner",
            "search_read", [domain], {"fields": FIELDS, "limit": page_size, "order": "write_date asc, id asc",
                                  "context": {"active_test": False}}]}})
        records = json.loads(body)["result"]
        bodies.append(body)
        if len(records) < page_size:
            return bodies
        last = (records[-1]["write_date"], records[-1]["id"])


def _bodies_file(size, page_size):
    """The page bodies as a CSV file the server can COPY (one body per row)."""
    path = data.FILES / f"odoo_partner_bodies_{size}_{page_size}_all.csv"  # archived partners included
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            for body in _pages(size, page_size):
                writer.writerow([body.decode()])
        data._give_to_server(path)
    return path


def _start_server(size):
    global _server
    if _server is None:
        _server = subprocess.Popen([sys.executable, str(data.REPO / "test/mock/api_server.py"), "--port", str(PORT),
                                    "--partners", str(size)], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(URL + "/_stats", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("bench: the mock API server did not start")


def setup(size):
    _start_server(size)
    bodies = _bodies_file(size, 1000)
    return f"""SET client_min_messages = warning;
SELECT crm_secret_set('bench_odoo', 'odoo-secret-key-123');
SELECT crm_source_add('bench_odoo', 'odoo', '{{"url": "{URL}", "database": "cave", "login": "api@cave.fr",
                                              "api_key_secret": "bench_odoo"}}');
DROP TABLE IF EXISTS bench_api_bodies, bench_api_anchor, bench_api_crm;
CREATE TABLE bench_api_bodies (body text);
COPY bench_api_bodies FROM '{bodies}' (FORMAT csv);
CREATE TABLE bench_api_anchor ({COLUMNS});
CREATE TABLE bench_api_crm ({COLUMNS});"""


def anchor(size):
    return f"""TRUNCATE bench_api_anchor;
INSERT INTO bench_api_anchor SELECT r.* FROM bench_api_bodies b, jsonb_to_recordset(b.body::jsonb -> 'result') AS r({COLUMNS});"""


def _read(page_size):
    options = json.dumps({"page_size": page_size, "fields": FIELDS})
    return f"""SET client_min_messages = warning;
TRUNCATE bench_api_crm;
INSERT INTO bench_api_crm SELECT * FROM crm_read_api_rows('bench_odoo', 'res.partner', '{options}') AS p({COLUMNS});"""


def pg_crm(size):
    return _read(1000)


def check(psql, size):
    counts = psql("SELECT (SELECT count(*) FROM bench_api_anchor), (SELECT count(*) FROM bench_api_crm),"
                  " (SELECT count(*) FROM bench_api_anchor a JOIN bench_api_crm c USING (id)"
                  "   WHERE a.name IS DISTINCT FROM c.name OR a.write_date IS DISTINCT FROM c.write_date)").strip()
    anchor_rows, crm_rows, differing = (int(x) for x in counts.split("|"))
    if anchor_rows != size or crm_rows != size or differing:
        return f"anchor {anchor_rows} rows, pg_crm {crm_rows} rows, {differing} differ (expected {size})"
    return None


def report(psql, size, anchor_ms):
    # The read alone, without the INSERT both sides pay for.
    anchor_read = psql(f"""SELECT count(*) FROM bench_api_bodies b,
        jsonb_to_recordset(b.body::jsonb -> 'result') AS r({COLUMNS});""", timing=True)[-1]
    fields = json.dumps({"fields": FIELDS})
    crm_read = psql(f"""SET client_min_messages = warning;
SELECT count(*) FROM crm_read_api_rows('bench_odoo', 'res.partner', '{fields}') AS p({COLUMNS});""", timing=True)[-1]
    body = _pages(size, size)[0]
    psql(_read(size))  # the mock builds its one-body answer once, then serves it from memory
    one_body = psql(_read(size), timing=True)[-1]
    path = data.FILES / f"odoo_partner_one_body_{size}.json"
    path.write_bytes(body)
    tool = data.REPO / "build/json_decode_speed"
    speed = subprocess.run([str(tool), str(path), "/result"], capture_output=True, text=True).stdout.strip()
    return (f"read alone (SELECT count(*)): anchor={anchor_read:.1f}ms pg_crm={crm_read:.1f}ms "
            f"ratio={crm_read / anchor_read:.2f}; one body of {len(body) / 1e6:.0f} MB: pg_crm={one_body:.1f}ms "
            f"ratio={one_body / anchor_ms:.2f}; simdjson decode alone: {speed}")


def teardown(size):
    global _server
    if _server is not None:
        _server.terminate()
        _server.wait()
        _server = None
    return "DROP TABLE IF EXISTS bench_api_bodies, bench_api_anchor, bench_api_crm;"

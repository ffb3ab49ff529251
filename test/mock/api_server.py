#!/usr/bin/env python3
"""Loopback mock of the three vendor APIs pg_crm reads (shapes: /work/shared/guide/apis.md).

Usage: python3 api_server.py --port N [--port-file FILE] [--partners N] [--verbose]
  --port 0 picks a free port; the chosen port is written to --port-file once listening.
  Binds 127.0.0.1 only. HTTP/1.1 with keep-alive; every answer has a Content-Length
  except the deliberate faults that exist to break that rule.

Credentials (fixed):
  Odoo       db "cave", login "api@cave.fr", api key "odoo-secret-key-123" (uid 7)
  Pennylane  Authorization: Bearer penny-secret-token-456
  Brevo      api-key: brevo-secret-key-789

Endpoints:
  POST /jsonrpc                              Odoo JSON-RPC: common.login, object.execute_kw search_read
                                             (archived records only with context active_test: false)
                                             models res.partner (--partners, default 2500), product.product (300),
                                             sale.order.line (5000), stock.quant (300)
  GET  /api/external/v2/{customers|products|customer_invoices|supplier_invoices}?limit&cursor&filter&sort
  GET  /api/external/v2/changelogs/customers?start_date&limit&cursor
                                             Pennylane; 25 requests per 5 s per token (a bucket of 25 refilled
                                             at 5/s), over it 429 with retry-after: 2
  GET  /v3/contacts?limit&offset&modifiedSince&sort
  GET  /v3/smtp/blockedContacts?limit&offset&startDate&endDate
                                             Brevo
  POST /v3/contacts/import                   Brevo contacts import: {"jsonBody": [{"email", "attributes"}],
                                             "updateExistingContacts", "emptyContactsAttributes", "listIds"}.
                                             Checks the api-key (401), the JSON and its shape, at most 1000
                                             contacts and 10 MB, attribute names (A-Z, 0-9, _, starting with a
                                             letter) and values (string, number, boolean): 400 with Brevo's
                                             {"code", "message"}. Accepted: 202 {"processId": n} (n counts up
                                             from 1 for the server's life, like Brevo's, never reset)
  GET  /_imports                             the imports accepted since /_reset, oldest first:
                                             [{"processId", "listIds", "updateExistingContacts",
                                               "emptyContactsAttributes", "contacts": jsonBody}]
  GET  /_stats                               {"requests", "faults": {name: count}, "last_headers": [names]}
  POST /_reset (or GET)                      zero the counters and the rate-limit state, forget the imports;
                                             answers [{"reset": true}]
  PUT  /_bodies/<name>                       keep the request body (any bytes, up to 64 MiB) in memory under <name>
                                             (1 to 100 of [A-Za-z0-9._-]); answers [{"stored": name, "bytes": n}].
                                             Not counted, and kept across /_reset (a later PUT replaces it)
  DELETE /_bodies/<name>                     forget it; answers [{"deleted": name, "existed": true|false}]
  GET  /bodies/<name>?<anything>             answers that body verbatim: 200, Content-Type: application/json and
                                             its Content-Length, whatever the bytes (the malformed JSON corpus of
                                             test/integration/malformed_corpus.sh); 404 if nothing was stored

Faults: /fault/<name>/<normal path> strips the prefix, then
  stall               headers, then no body for 60 s
  trickle             the body at 1 byte/s
  429-retry-after     first request since reset: 429 with Retry-After: 1, then normal
  429-reset-header    first: 429 with only x-sib-ratelimit-reset: 1 and ratelimit-reset: now+1 (epoch)
  retry-after-huge    first: 429 with Retry-After: 86400, then normal
  retry-after-past    first: 429 with Retry-After as an HTTP-date in the past, then normal
  500x3               first three requests: 500, 502, 503, then normal
  500-forever         always 500
  500-from-2          the first request since reset normally, every later one 500 (a push whose second
                      batch fails for good)
  400-brevo           always 400 with Brevo's error body {"code": "invalid_parameter", "message": ...}
  short-body          Content-Length larger than the body sent, then the connection closes
  invalid-json        200 with a truncated JSON body
  wrong-shape         200 with {"unexpected":true}
  204                 an empty 204
  gzip-bomb           Content-Encoding: gzip, about 1 GiB of zeros once inflated
  redirect-loopback2  302 to http://127.0.0.2:<port>/<path>
  redirect-metadata   302 to http://169.254.169.254/latest/meta-data/
  redirect-file       302 to file:///etc/passwd
  redirect-same-host  302 to the same path without the fault prefix (a relative Location)
  repeat-cursor       paging never ends: the same cursor (Pennylane), a huge count and the same page
                      (Brevo), the same full page (Odoo)
  odoo-error          HTTP 200 carrying a JSON-RPC "error" member
  counted             normal (only counted)
The data sets are functions of the record ids: every run serves the same bytes.
"""

import argparse
import base64
import calendar
import collections
import email.utils
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ODOO_DB = "cave"
ODOO_LOGIN = "api@cave.fr"
ODOO_KEY = "odoo-secret-key-123"
ODOO_UID = 7
PENNYLANE_TOKEN = "penny-secret-token-456"
BREVO_KEY = "brevo-secret-key-789"

PENNYLANE_LIMIT = 25  # requests ...
PENNYLANE_WINDOW_S = 5.0  # ... per this many seconds
# Client and server clocks see the same request a little apart; a client pacing
# itself exactly at the limit must not be punished for a few milliseconds.
PENNYLANE_JITTER_TOKENS = 0.05

FAULTS = {
    "stall", "trickle", "429-retry-after", "429-reset-header", "retry-after-huge", "retry-after-past",
    "500x3", "500-forever", "short-body", "invalid-json", "wrong-shape", "204", "gzip-bomb",
    "redirect-loopback2", "redirect-metadata", "redirect-file", "redirect-same-host", "repeat-cursor",
    "odoo-error", "counted", "500-from-2", "400-brevo",
}

BASE_EPOCH = calendar.timegm((2024, 5, 1, 8, 0, 0))

BREVO_IMPORT_MAX_CONTACTS = 1000
BREVO_IMPORT_MAX_BYTES = 10 << 20
BREVO_ATTRIBUTE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")

BODY_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
MAX_STORED_BODY = 64 << 20

FIRST_NAMES = ["Émilie", "Jérôme", "François", "Hélène", "Loïc", "Zoé", "Amélie", "Gaëlle", "Benoît", "Cécile",
               "Noël", "Anaïs", "Jean", "Marie", "Clément", "Maëlys", "Raphaël", "Inès", "Stéphane", "Léa"]
LAST_NAMES = ["Lefèvre", "Dubois", "Bérard", "Gérard", "Mercier", "Garçon", "Lemaître", "Châtelain", "Boëlle",
              "Crémieux", "Dupont", "Martin", "Pérez", "Rivière", "Thébault", "Lecœur", "Moreau", "Fournier"]
ASCII_FIRST = ["emilie", "jerome", "francois", "helene", "loic", "zoe", "amelie", "gaelle", "benoit", "cecile",
               "noel", "anais", "jean", "marie", "clement", "maelys", "raphael", "ines", "stephane", "lea"]
ASCII_LAST = ["lefevre", "dubois", "berard", "gerard", "mercier", "garcon", "lemaitre", "chatelain", "boelle",
              "cremieux", "dupont", "martin", "perez", "riviere", "thebault", "lecoeur", "moreau", "fournier"]
CITIES = [("30000", "Nîmes"), ("25000", "Besançon"), ("45000", "Orléans"), ("34500", "Béziers"),
          ("71000", "Mâcon"), ("34200", "Sète"), ("91000", "Évry"), ("16000", "Angoulême"),
          ("21200", "Beaune"), ("33000", "Bordeaux"), ("51100", "Reims"), ("69001", "Lyon")]
WINES = ["Château Lafleur-Gazin", "Côtes-du-Rhône Villages", "Crémant d'Alsace", "Mâcon-Villages",
         "Pouilly-Fumé", "Saint-Émilion Grand Cru", "Gewurztraminer Vendanges Tardives", "Châteauneuf-du-Pape",
         "Beaujolais Nouveau", "Entre-Deux-Mers", "Côte-Rôtie", "Pessac-Léognan"]
CATEGORIES = ["Vins / Rouge", "Vins / Blanc", "Vins / Rosé", "Vins / Effervescent"]


def odoo_datetime(record_id, step_s=1):
    # Seven records share each second so that keyset paging on (write_date, id) matters.
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(BASE_EPOCH + (record_id // 7) * step_s))


def iso_datetime(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_epoch(text):
    """ISO-8601 or Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC) to epoch seconds; None if it does not parse."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?(Z|[+-]00:?00)?$",
                     str(text))
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()[:6]]
    return calendar.timegm(tuple(parts))


def person(record_id):
    return (FIRST_NAMES[record_id % len(FIRST_NAMES)], LAST_NAMES[(record_id // 3) % len(LAST_NAMES)],
            ASCII_FIRST[record_id % len(ASCII_FIRST)], ASCII_LAST[(record_id // 3) % len(ASCII_LAST)])


# ---------------------------------------------------------------- Odoo data

def odoo_partner(i):
    first, last, afirst, alast = person(i)
    zip_code, city = CITIES[i % len(CITIES)]
    is_company = i % 5 == 0
    return {
        "id": i,
        "name": f"Cave {last} & Fils" if is_company else f"{first} {last}",
        "email": False if i % 11 == 0 else f"{afirst}.{alast}{i}@example.fr",
        "phone": False if i % 3 == 0 else f"+33 6 {i % 100:02d} {(i // 100) % 100:02d} {(i * 7) % 100:02d} 12",
        "zip": False if i % 19 == 0 else zip_code,
        "city": False if i % 19 == 0 else city,
        "country_id": False if i % 13 == 0 else [75, "France"],
        "customer_rank": i % 4,
        "is_company": is_company,
        "active": i % 17 != 0,
        "write_date": odoo_datetime(i),
    }


def odoo_product(i):
    return {
        "id": i,
        "default_code": False if i % 23 == 0 else f"VIN-{i:05d}",
        "name": f"{WINES[i % len(WINES)]} {2015 + i % 9}",
        "list_price": round(6.5 + (i * 37 % 900) / 10, 2),
        "categ_id": [1 + i % len(CATEGORIES), CATEGORIES[i % len(CATEGORIES)]],
        "active": i % 29 != 0,
        "write_date": odoo_datetime(i, 60),
    }


def odoo_sale_line(i, partners, products=300):
    order = 1 + i // 4
    partner_id = 1 + (order * 31) % partners
    product_id = 1 + (i * 17) % products
    quantity = float(1 + i % 12)
    price = odoo_product(product_id)["list_price"]
    return {
        "id": i,
        "order_id": [order, f"S{order:06d}"],
        "order_partner_id": [partner_id, odoo_partner(partner_id)["name"]],
        "product_id": [product_id, odoo_product(product_id)["name"]],
        "product_uom_qty": quantity,
        "price_unit": price,
        "price_subtotal": round(quantity * price, 2),
        "state": "cancel" if i % 41 == 0 else ("draft" if i % 13 == 0 else "sale"),
        "write_date": odoo_datetime(i, 30),
    }


def odoo_quant(i):
    return {
        "id": i,
        "product_id": [i, odoo_product(i)["name"]],
        "location_id": [8, "WH/Stock"],
        "quantity": float((i * 13) % 240),
        "reserved_quantity": float((i * 5) % 12),
        "write_date": odoo_datetime(i, 120),
    }


# (record factory, write_date step in seconds): write_date never decreases with the id, so the
# first id a write_date bound admits can be computed instead of searched.
def odoo_models(partners):
    return {
        "res.partner": (partners, odoo_partner, 1),
        "product.product": (300, odoo_product, 60),
        "sale.order.line": (5000, lambda i: odoo_sale_line(i, partners), 30),
        "stock.quant": (300, odoo_quant, 120),
    }


class OdooError(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


COMPARATORS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


def parse_domain(domain, fields, step_s):
    """Odoo's prefix notation ('&', '|', '!' then leaves; implicit '&' at top level) -> (predicate, first id).

    The first id is the smallest id the domain can admit, from write_date and id bounds; it lets keyset
    paging over 500 000 partners start where the page starts instead of at id 1.
    """
    if not isinstance(domain, list):
        raise OdooError("builtins.ValueError", f"Invalid domain {json.dumps(domain)}")
    terms = list(domain)

    def leaf(term):
        if not (isinstance(term, list) and len(term) == 3 and isinstance(term[0], str) and term[1] in COMPARATORS):
            raise OdooError("builtins.ValueError", f"Invalid domain term {json.dumps(term)}")
        field, op, value = term
        if field == "location_id.usage":  # every mock quant is in an internal location
            if "location_id" not in fields:
                raise OdooError("builtins.ValueError", f"Invalid field {field!r} in domain")
            return (lambda r: COMPARATORS[op]("internal", value)), 1
        if field not in fields:
            raise OdooError("builtins.ValueError", f"Invalid field {field!r} in domain term {json.dumps(term)}")
        if op in ("in", "not in") and not isinstance(value, list):
            raise OdooError("builtins.ValueError", f"Invalid domain term {json.dumps(term)}")
        compare = COMPARATORS[op]

        def test(record):
            actual = record[field]
            if isinstance(actual, list):  # many2one: compare its id
                actual = actual[0]
            if op in ("=", "!=", "in", "not in"):
                return compare(actual, value)
            if actual is False or actual is None or value is False:
                return False  # like SQL NULL: no order against an empty field
            try:
                return compare(actual, value)
            except TypeError:
                raise OdooError("builtins.TypeError", f"Cannot compare {field} with {json.dumps(value)}")
        return test, first_id(field, op, value)

    def first_id(field, op, value):
        if field == "id" and isinstance(value, int) and not isinstance(value, bool):
            return {">": value + 1, ">=": value, "=": value}.get(op, 1)
        if field == "id" and op == "in" and value and all(isinstance(v, int) for v in value):
            return min(value)
        if field == "write_date" and op in (">", ">=", "="):
            epoch = parse_epoch(value)
            if epoch is None:
                raise OdooError("builtins.ValueError", f"Invalid datetime {json.dumps(value)}")
            steps = (epoch - BASE_EPOCH) / step_s
            first_step = int(steps) + 1 if op == ">" and steps == int(steps) else -(-steps // 1)
            return max(1, int(first_step) * 7)
        return 1

    def parse():
        if not terms:
            raise OdooError("builtins.ValueError", f"Invalid domain {json.dumps(domain)}: operator without operands")
        term = terms.pop(0)
        if term in ("&", "|"):
            (left, left_first), (right, right_first) = parse(), parse()
            if term == "&":
                return (lambda r: left(r) and right(r)), max(left_first, right_first)
            return (lambda r: left(r) or right(r)), min(left_first, right_first)
        if term == "!":
            inner, _ = parse()
            return (lambda r: not inner(r)), 1
        return leaf(term)

    parts = []
    while terms:
        parts.append(parse())
    predicate = lambda r: all(test(r) for test, _ in parts)
    return predicate, max([first for _, first in parts], default=1)


# ---------------------------------------------------------------- Pennylane data

def pennylane_updated(i, step_s):
    return iso_datetime(BASE_EPOCH + (i // 3) * step_s)


def pennylane_customer(i):
    first, last, afirst, alast = person(i)
    zip_code, city = CITIES[i % len(CITIES)]
    return {
        "id": i, "name": f"{first} {last}", "reference": f"CLI-{i:04d}",
        "emails": [] if i % 9 == 0 else [f"{afirst}.{alast}{i}@example.fr"],
        "phone": None if i % 4 == 0 else f"+33 1 {i % 100:02d} 22 33 44",
        "vat_number": f"FR{(i * 7919) % 10**11:011d}" if i % 3 == 0 else None,
        "billing_address": {"address": f"{i} rue de la Côte", "postal_code": zip_code, "city": city,
                            "country_alpha2": "FR"},
        "created_at": iso_datetime(BASE_EPOCH - 86400 * 30 + i * 60), "updated_at": pennylane_updated(i, 600),
    }


def pennylane_product(i):
    return {
        "id": i, "label": f"{WINES[i % len(WINES)]} {2015 + i % 9}", "reference": f"VIN-{i:05d}",
        "price_before_tax": f"{6.5 + (i * 37 % 900) / 10:.2f}", "vat_rate": "FR_200", "unit": "bouteille",
        "currency": "EUR", "updated_at": pennylane_updated(i, 900),
    }


def pennylane_invoice(i, supplier):
    cents = 1000 + (i * 7919) % 250000
    amount = f"{cents / 100:.2f}" if i % 2 == 0 else cents / 100  # the API sends both shapes
    party = None if i % 10 == 0 else {"id": 1 + (i * 7) % 250, "url": f"/api/external/v2/customers/{1 + (i * 7) % 250}"}
    item = {
        "id": i, "invoice_number": f"{'FF' if supplier else 'F'}-2024-{i:06d}",
        "date": time.strftime("%Y-%m-%d", time.gmtime(BASE_EPOCH + i * 3600 * 6)),
        "deadline": time.strftime("%Y-%m-%d", time.gmtime(BASE_EPOCH + i * 3600 * 6 + 30 * 86400)),
        "amount": amount, "currency": "EUR", "status": ["paid", "upcoming", "late"][i % 3],
        "paid": i % 3 == 0, "updated_at": pennylane_updated(i, 300),
    }
    item["supplier" if supplier else "customer"] = party
    return item


def pennylane_changelog(i):
    return {"id": 1 + (i * 13) % 250, "operation": ["update", "insert", "delete"][i % 3],
            "processed_at": iso_datetime(BASE_EPOCH + i * 3600)}


PENNYLANE_LISTS = {
    "customers": [pennylane_customer(i) for i in range(1, 251)],
    "products": [pennylane_product(i) for i in range(1, 121)],
    "customer_invoices": [pennylane_invoice(i, False) for i in range(1, 601)],
    "supplier_invoices": [pennylane_invoice(i, True) for i in range(1, 201)],
}
PENNYLANE_CHANGELOGS = [pennylane_changelog(i) for i in range(1, 41)]

# ---------------------------------------------------------------- Brevo data


def brevo_contact(i):
    first, last, afirst, alast = person(i)
    return {
        "email": f"{afirst}.{alast}{i}@example.fr", "id": i,
        "emailBlacklisted": i % 9 == 0, "smsBlacklisted": i % 25 == 0,
        "createdAt": iso_datetime(BASE_EPOCH - 86400 * 200 + i * 3600).replace("Z", ".000+02:00"),
        "modifiedAt": iso_datetime(BASE_EPOCH + (i // 4) * 1800).replace("Z", ".000+00:00"),
        "listIds": [2] if i % 2 else [2, 7], "listUnsubscribed": [7] if i % 9 == 0 else [],
        "attributes": {"NOM": last, "PRENOM": first},
    }


def brevo_blocked(i):
    first, last, afirst, alast = person(i * 40)
    hard = i % 2 == 0
    return {
        "email": f"{afirst}.{alast}{i * 40}@example.fr", "senderEmail": "cave@example.fr",
        "reason": {"code": "hardBounce" if hard else "unsubscribedViaEmail",
                   "message": "Adresse inexistante" if hard else "Désinscrit via le lien de l'e-mail"},
        "blockedAt": iso_datetime(BASE_EPOCH + i * 86400).replace("Z", ".000+02:00"),
    }


BREVO_CONTACTS = [brevo_contact(i) for i in range(1, 1201)]
BREVO_BLOCKED = [brevo_blocked(i) for i in range(1, 31)]


def brevo_epoch(text):
    """Brevo's '2024-05-01T08:00:00.000+00:00' and the dates clients send."""
    return parse_epoch(re.sub(r"(\.\d+)?([+-]\d\d:?\d\d)$", "", text) if "T" in text else text)


# ---------------------------------------------------------------- server state

def encode(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class BodyCache:
    """Encoded Odoo results by request, bounded in bytes: a benchmark rereading 500 000 partners
    gets its pages (and the single all-records body) without re-encoding them."""

    def __init__(self, max_bytes=1 << 30):
        self.lock = threading.Lock()
        self.entries = collections.OrderedDict()
        self.bytes = 0
        self.max_bytes = max_bytes

    def get(self, key, build):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = build()
        with self.lock:
            if key not in self.entries:
                self.entries[key] = value
                self.bytes += len(value)
                while self.bytes > self.max_bytes and len(self.entries) > 1:
                    self.bytes -= len(self.entries.popitem(last=False)[1])
        return value


class State:
    def __init__(self, partners):
        self.lock = threading.Lock()
        self.models = odoo_models(partners)
        self.cache = BodyCache()
        self.bomb = None
        self.bomb_lock = threading.Lock()
        self.bodies = {}  # name -> bytes stored by PUT /_bodies/<name>; /_reset leaves them
        self.process_id = 0  # Brevo's import process ids: never reset
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.faults = collections.Counter()
            self.last_headers = []
            self.buckets = {}  # Pennylane token -> (tokens, time of last refill)
            self.imports = []  # Brevo contacts imports accepted since the reset

    def count(self, fault, header_names):
        """Counts a request; returns how many requests this fault has seen since reset (1 = first)."""
        with self.lock:
            self.requests += 1
            self.last_headers = header_names
            if fault is None:
                return 0
            self.faults[fault] += 1
            return self.faults[fault]

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "faults": dict(self.faults), "last_headers": self.last_headers}

    def take_pennylane_token(self, token):
        """Token bucket of 25 refilled at 5/s; returns (admitted, remaining, reset epoch)."""
        rate = PENNYLANE_LIMIT / PENNYLANE_WINDOW_S
        now = time.time()
        with self.lock:
            tokens, last = self.buckets.get(token, (float(PENNYLANE_LIMIT), now))
            tokens = min(float(PENNYLANE_LIMIT), tokens + (now - last) * rate)
            admitted = tokens >= 1 - PENNYLANE_JITTER_TOKENS
            if admitted:
                tokens = max(0.0, tokens - 1)
            self.buckets[token] = (tokens, now)
        next_token_at = now + max(0.0, 1 - tokens) / rate
        return admitted, int(tokens), int(next_token_at) + 1

    def accept_import(self, request):
        with self.lock:
            self.process_id += 1
            self.imports.append({"processId": self.process_id, "listIds": request.get("listIds"),
                                 "updateExistingContacts": request.get("updateExistingContacts"),
                                 "emptyContactsAttributes": request.get("emptyContactsAttributes"),
                                 "contacts": request["jsonBody"]})
            return self.process_id

    def accepted_imports(self):
        with self.lock:
            return list(self.imports)

    def store_body(self, name, body):
        with self.lock:
            self.bodies[name] = body

    def delete_body(self, name):
        with self.lock:
            return self.bodies.pop(name, None) is not None

    def stored_body(self, name):
        with self.lock:
            return self.bodies.get(name)

    def gzip_bomb(self):
        with self.bomb_lock:
            if self.bomb is None:
                self.bomb = build_gzip_bomb()
            return self.bomb


def build_gzip_bomb(mebibytes=1024):
    """A valid gzip member that inflates to `mebibytes` MiB of zeros, made in a fraction of a second:
    one MiB is deflated once, ending in a full flush so that it refers to nothing before it, and that
    block is repeated (compressing the whole GiB at level 9 takes seconds, long enough to look like
    a stall to a client)."""
    zeros = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the gzip wrapper is written here
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # magic, deflate, no flags, no mtime, max compression, unix
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return header + block * mebibytes + compressor.flush(zlib.Z_FINISH) + trailer


class Reply:
    def __init__(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8"):
        self.status = status
        self.body = body if isinstance(body, bytes) else encode(body)
        self.headers = list(headers or [])
        if content_type:
            self.headers.append(("Content-Type", content_type))


# ---------------------------------------------------------------- handlers

def odoo_rpc_error(request_id, name, message):
    return Reply(200, {"jsonrpc": "2.0", "id": request_id,
                       "error": {"code": 200, "message": "Odoo Server Error",
                                 "data": {"name": name, "message": message, "arguments": [message],
                                          "debug": "Traceback (most recent call last):\n  ...\n"}}})


def odoo(state, body, fault):
    try:
        call = json.loads(body or b"null")
    except ValueError:
        return Reply(200, {"jsonrpc": "2.0", "id": None,
                           "error": {"code": -32700, "message": "Parse error", "data": {}}})
    request_id = call.get("id") if isinstance(call, dict) else None
    params = call.get("params") if isinstance(call, dict) else None
    if not isinstance(params, dict):
        return odoo_rpc_error(request_id, "werkzeug.exceptions.BadRequest", "Invalid JSON-RPC request")
    if fault == "odoo-error":
        return odoo_rpc_error(request_id, "odoo.exceptions.AccessError",
                              "You are not allowed to access 'Contact' (res.partner) records.")
    service, method, args = params.get("service"), params.get("method"), params.get("args") or []
    if service == "common" and method == "login":
        ok = args[:3] == [ODOO_DB, ODOO_LOGIN, ODOO_KEY]
        return Reply(200, {"jsonrpc": "2.0", "id": request_id, "result": ODOO_UID if ok else False})
    if service != "object" or method != "execute_kw":
        return odoo_rpc_error(request_id, "builtins.AttributeError", f"Unknown service method {service}.{method}")
    if len(args) < 5 or args[:3] != [ODOO_DB, ODOO_UID, ODOO_KEY]:
        return odoo_rpc_error(request_id, "odoo.exceptions.AccessDenied", "Access Denied")
    model, model_method = args[3], args[4]
    positional = args[5] if len(args) > 5 else []
    kwargs = args[6] if len(args) > 6 else {}
    if model not in state.models:
        return odoo_rpc_error(request_id, "builtins.KeyError", f"Object {model} doesn't exist")
    if model_method != "search_read":
        return odoo_rpc_error(request_id, "builtins.AttributeError",
                              f"The method '{model_method}' does not exist on the model '{model}'")
    domain = positional[0] if positional else kwargs.get("domain", [])
    key = json.dumps([model, domain, kwargs, fault == "repeat-cursor"], sort_keys=True)
    try:
        result = state.cache.get(key, lambda: odoo_search_read(state, model, domain, kwargs, fault))
    except OdooError as error:
        return odoo_rpc_error(request_id, error.name, str(error))
    return Reply(200, b'{"jsonrpc":"2.0","id":' + encode(request_id) + b',"result":' + result + b"}")


def hides_archived(domain, kwargs, fields):
    """Odoo's default: archived records (active = false) are left out unless the context says
    active_test: false or the domain names the active field itself."""
    context = kwargs.get("context") or {}
    names_active = any(isinstance(term, list) and term and term[0] == "active" for term in domain)
    return "active" in fields and context.get("active_test", True) is not False and not names_active


def odoo_search_read(state, model, domain, kwargs, fault):
    count, make, step_s = state.models[model]
    all_fields = list(make(1).keys())
    fields = kwargs.get("fields") or all_fields
    unknown = [f for f in fields if f not in all_fields]
    if unknown:
        raise OdooError("builtins.ValueError", f"Invalid field {unknown[0]!r} on model {model!r}")
    fields = ["id"] + [f for f in fields if f != "id"]
    order = " ".join(str(kwargs.get("order") or "id asc").split()).lower()
    if order not in ("id asc", "id", "write_date asc, id asc", "write_date, id"):
        raise OdooError("builtins.ValueError", f"Invalid order {kwargs.get('order')!r} (mock: id or write_date, id)")
    offset = int(kwargs.get("offset") or 0)
    limit = int(kwargs.get("limit") or 0)  # absent, 0 or false: every record
    if fault == "repeat-cursor":
        domain, offset = [], 0
    predicate, first = parse_domain(domain, all_fields, step_s)
    if hides_archived(domain, kwargs, all_fields):
        admitted = predicate
        predicate = lambda record: record["active"] and admitted(record)
    # write_date never decreases with the id, so both orders are id order. Rows are encoded a batch
    # at a time: one json.dumps per batch is fast, and 500 000 records never sit in memory as dicts.
    encoded, batch, taken, skipped = [], [], 0, 0
    for record_id in range(first, count + 1):
        record = make(record_id)
        if not predicate(record):
            continue
        if skipped < offset:
            skipped += 1
            continue
        batch.append({f: record[f] for f in fields})
        taken += 1
        if len(batch) == 5000:
            encoded.append(encode(batch)[1:-1])
            batch = []
        if limit and taken >= limit:
            break
    if batch:
        encoded.append(encode(batch)[1:-1])
    return b"[" + b",".join(encoded) + b"]"


def pennylane_error(status, message):
    return Reply(status, {"error": message, "status": status})


def query_int(query, name, default):
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return None


def pennylane(state, headers, resource, query, fault):
    token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
    if token != PENNYLANE_TOKEN:
        return pennylane_error(401, "Unauthorized")
    admitted, remaining, reset = state.take_pennylane_token(token)
    rate_headers = [("ratelimit-limit", str(PENNYLANE_LIMIT)), ("ratelimit-remaining", str(remaining)),
                    ("ratelimit-reset", str(reset))]
    if not admitted:
        reply = pennylane_error(429, "Too Many Requests")
        reply.headers += rate_headers + [("retry-after", "2")]
        return reply
    reply = pennylane_list(resource, query, fault)
    reply.headers += rate_headers
    return reply


def pennylane_list(resource, query, fault):
    changelog = resource == "changelogs/customers"
    if not changelog and resource not in PENNYLANE_LISTS:
        return pennylane_error(404, "Not Found")
    limit = query_int(query, "limit", 20)
    max_limit = 1000 if changelog else 100
    if limit is None or not 1 <= limit <= max_limit:
        return pennylane_error(400, f"limit must be between 1 and {max_limit}")
    cursor = (query.get("cursor") or [""])[0]
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("offset:")) if cursor else 0
    except (ValueError, UnicodeDecodeError):
        return pennylane_error(400, "Invalid cursor")
    if changelog:
        start = parse_epoch((query.get("start_date") or [""])[0])
        if start is None:
            return pennylane_error(400, "start_date is required (ISO 8601)")
        items = [c for c in PENNYLANE_CHANGELOGS if parse_epoch(c["processed_at"]) >= start]
    else:
        items = PENNYLANE_LISTS[resource]
        try:
            items = pennylane_filter(items, json.loads((query.get("filter") or ["[]"])[0]))
        except (ValueError, TypeError, KeyError) as error:
            return pennylane_error(400, f"Invalid filter: {error}")
        sort = (query.get("sort") or ["id"])[0]
        field = sort.lstrip("-")
        if field not in ("id", "updated_at"):
            return pennylane_error(400, f"Invalid sort {sort!r}")
        items = sorted(items, key=lambda item: (item[field], item["id"]), reverse=sort.startswith("-"))
    if fault == "repeat-cursor":
        offset = 0
    page = items[offset:offset + limit]
    has_more = fault == "repeat-cursor" or offset + limit < len(items)
    next_cursor = base64.urlsafe_b64encode(f"offset:{offset + limit}".encode()).decode() if has_more else None
    return Reply(200, {"has_more": has_more, "next_cursor": next_cursor, "items": page})


def pennylane_filter(items, conditions):
    if not isinstance(conditions, list):
        raise ValueError("a JSON array is expected")
    for condition in conditions:
        field, operator, value = condition["field"], condition["operator"], condition["value"]
        if field != "updated_at" or operator not in ("gteq", "gt"):
            raise ValueError(f"unsupported condition {field} {operator} (mock: updated_at gteq|gt)")
        bound = parse_epoch(value)
        if bound is None:
            raise ValueError(f"invalid date {value!r}")
        strict = operator == "gt"
        items = [i for i in items if (parse_epoch(i["updated_at"]) > bound if strict
                                      else parse_epoch(i["updated_at"]) >= bound)]
    return items


def brevo_error(status, code, message):
    return Reply(status, {"code": code, "message": message})


def brevo(headers, resource, query, fault):
    if headers.get("api-key") != BREVO_KEY:
        return brevo_error(401, "unauthorized", "Key not found")
    blocked = resource == "smtp/blockedContacts"
    if resource not in ("contacts", "smtp/blockedContacts"):
        return brevo_error(404, "document_not_found", "Not found")
    max_limit = 100 if blocked else 1000
    limit, offset = query_int(query, "limit", 50), query_int(query, "offset", 0)
    if limit is None or not 0 < limit <= max_limit or offset is None or offset < 0:
        return brevo_error(400, "out_of_range", f"limit must be between 1 and {max_limit}, offset >= 0")
    if blocked:
        items = BREVO_BLOCKED
        start, end = (query.get("startDate") or [""])[0], (query.get("endDate") or [""])[0]
        if start:
            items = [c for c in items if brevo_epoch(c["blockedAt"]) >= (brevo_epoch(start) or 0)]
        if end:
            items = [c for c in items if brevo_epoch(c["blockedAt"]) < (brevo_epoch(end) or 0) + 86400]
    else:
        items = BREVO_CONTACTS
        since = (query.get("modifiedSince") or [""])[0]
        if since:
            bound = brevo_epoch(since)
            if bound is None:
                return brevo_error(400, "invalid_parameter", "modifiedSince is not a valid date")
            items = [c for c in items if brevo_epoch(c["modifiedAt"]) >= bound]
        if (query.get("sort") or ["desc"])[0] == "desc":
            items = items[::-1]
    count = len(items)
    if fault == "repeat-cursor":
        offset, count = 0, 10**9
    return Reply(200, {"contacts": items[offset:offset + limit], "count": count})


def brevo_import(state, headers, body):
    if headers.get("api-key") != BREVO_KEY:
        return brevo_error(401, "unauthorized", "Key not found")
    if len(body) > BREVO_IMPORT_MAX_BYTES:
        return brevo_error(400, "invalid_parameter", "Request body is larger than 10 MB")
    try:
        request = json.loads(body)
    except ValueError:
        return brevo_error(400, "bad_request", "Input must be a valid JSON object")
    if not isinstance(request, dict):
        return brevo_error(400, "bad_request", "Input must be a valid JSON object")
    contacts = request.get("jsonBody")
    if not isinstance(contacts, list) or not contacts:
        return brevo_error(400, "missing_parameter", "fileUrl, fileBody or jsonBody is required")
    if len(contacts) > BREVO_IMPORT_MAX_CONTACTS:
        return brevo_error(400, "out_of_range", f"jsonBody holds at most {BREVO_IMPORT_MAX_CONTACTS} contacts")
    for flag in ("updateExistingContacts", "emptyContactsAttributes"):
        if flag in request and not isinstance(request[flag], bool):
            return brevo_error(400, "invalid_parameter", f"{flag} must be a boolean")
    lists = request.get("listIds")
    if lists is not None and not (isinstance(lists, list) and all(isinstance(i, int) and i > 0 for i in lists)):
        return brevo_error(400, "invalid_parameter", "listIds must be an array of positive integers")
    for number, contact in enumerate(contacts, 1):
        if not isinstance(contact, dict) or not isinstance(contact.get("email"), str) or "@" not in contact["email"]:
            return brevo_error(400, "invalid_parameter", f"jsonBody[{number - 1}]: email is missing or invalid")
        attributes = contact.get("attributes", {})
        if not isinstance(attributes, dict):
            return brevo_error(400, "invalid_parameter", f"jsonBody[{number - 1}]: attributes must be an object")
        for name, value in attributes.items():
            if not BREVO_ATTRIBUTE_NAME.match(name):
                return brevo_error(400, "invalid_parameter", f"Invalid attribute name {name!r}")
            if not isinstance(value, (str, int, float, bool)):
                return brevo_error(400, "invalid_parameter", f"Invalid value for attribute {name}")
    return Reply(202, {"processId": state.accept_import(request)})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pg_crm-mock/1.0"

    def setup(self):
        super().setup()
        # Headers and body are two writes: without this, Nagle's algorithm holds the body until the
        # client's delayed ACK of the headers, 40 ms per request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def do_PUT(self):
        self.serve()

    def do_DELETE(self):
        self.serve()

    def serve(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        if self.path.startswith("/_bodies/") and length > MAX_STORED_BODY:
            self.close_connection = True  # the body is not read: the connection cannot be reused
            return self.send(Reply(413, {"error": f"a stored body is at most {MAX_STORED_BODY} bytes"},
                                   [("Connection", "close")]))
        body = self.rfile.read(length) if length else b""
        path, fault = self.path, None
        match = re.match(r"^/fault/([^/]+)(/.*)$", path)
        if match:
            fault, path = match.group(1), match.group(2)
            if fault not in FAULTS:
                return self.send(Reply(404, {"error": f"unknown fault {fault}"}))
        if path in ("/_stats", "/_reset", "/_imports") or path.startswith("/_bodies/"):
            # Control requests are not counted: they would hide the last one.
            return self.send(self.route(path, body, None))
        seen = state.count(fault, sorted(k.lower() for k in self.headers.keys()))
        early = self.early_fault(fault, seen, path)
        if early is not None:
            return self.send(early)
        reply = self.route(path, body, fault)
        if fault == "invalid-json":
            reply.body = reply.body[:max(1, len(reply.body) // 2)] if reply.body else b'{"items":['
        elif fault == "wrong-shape":
            reply.body = b'{"unexpected":true}'
        self.send(reply, fault)

    def early_fault(self, fault, seen, path):
        """Faults that answer instead of the API: rate limits, errors, redirects, odd bodies."""
        first = seen == 1
        if fault == "429-retry-after" and first:
            return Reply(429, {"error": "Too Many Requests"}, [("Retry-After", "1")])
        if fault == "429-reset-header" and first:
            return Reply(429, {"code": "too_many_requests", "message": "Too many requests"},
                         [("x-sib-ratelimit-reset", "1"), ("ratelimit-reset", str(int(time.time()) + 1))])
        if fault == "retry-after-huge" and first:
            return Reply(429, {"error": "Too Many Requests"}, [("Retry-After", "86400")])
        if fault == "retry-after-past" and first:
            past = email.utils.formatdate(time.time() - 3600, usegmt=True)
            return Reply(429, {"error": "Too Many Requests"}, [("Retry-After", past)])
        if fault == "500x3" and seen <= 3:
            return Reply([500, 502, 503][seen - 1], {"error": "Internal Server Error"})
        if fault == "500-forever" or (fault == "500-from-2" and seen >= 2):
            return Reply(500, {"error": "Internal Server Error"})
        if fault == "400-brevo":
            return brevo_error(400, "invalid_parameter", "Invalid import: the contacts were refused (mock fault)")
        if fault == "204":
            return Reply(204, content_type=None)
        if fault == "gzip-bomb":
            return Reply(200, self.server.state.gzip_bomb(), [("Content-Encoding", "gzip")])
        redirects = {
            "redirect-loopback2": f"http://127.0.0.2:{self.server.server_port}{path}",
            "redirect-metadata": "http://169.254.169.254/latest/meta-data/",
            "redirect-file": "file:///etc/passwd",
            "redirect-same-host": path,
        }
        if fault in redirects:
            return Reply(302, {"redirect": True}, [("Location", redirects[fault])])
        return None

    def route(self, path, body, fault):
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(url.query)
        state = self.server.state
        if url.path == "/_stats":
            return Reply(200, state.stats())
        if url.path == "/_imports":
            return Reply(200, state.accepted_imports())
        if url.path == "/_reset":
            # GET too, so that a SQL test can reset through an http_json source.
            state.reset()
            return Reply(200, [{"reset": True}])
        if url.path.startswith("/_bodies/"):
            name = url.path[len("/_bodies/"):]
            if not BODY_NAME.match(name):
                return Reply(400, {"error": "a body name is 1 to 100 of [A-Za-z0-9._-]"})
            if self.command == "PUT":
                state.store_body(name, body)
                return Reply(200, [{"stored": name, "bytes": len(body)}])
            if self.command == "DELETE":
                return Reply(200, [{"deleted": name, "existed": state.delete_body(name)}])
            return Reply(405, {"error": "PUT /_bodies/<name> stores a body, DELETE forgets it; "
                                        "GET /bodies/<name> answers it"}, [("Allow", "PUT, DELETE")])
        if url.path.startswith("/bodies/") and self.command == "GET":
            stored = state.stored_body(url.path[len("/bodies/"):])
            if stored is None:
                return Reply(404, {"error": "no body stored under that name", "status": 404})
            return Reply(200, stored, content_type="application/json")
        if url.path == "/jsonrpc" and self.command == "POST":
            return odoo(state, body, fault)
        if url.path.startswith("/api/external/v2/") and self.command == "GET":
            return pennylane(state, self.headers, url.path[len("/api/external/v2/"):], query, fault)
        if url.path == "/v3/contacts/import" and self.command == "POST":
            return brevo_import(state, self.headers, body)
        if url.path.startswith("/v3/") and self.command == "GET":
            return brevo(self.headers, url.path[len("/v3/"):], query, fault)
        return Reply(404, {"error": "Not Found", "status": 404})

    def send(self, reply, fault=None):
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if fault == "short-body":
            self.send_header("Content-Length", str(len(reply.body) + 1000))
            self.send_header("Connection", "close")
            self.close_connection = True
        elif reply.status != 204:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        try:
            if fault == "stall":
                self.wfile.flush()
                time.sleep(60)
                self.close_connection = True
            elif fault == "trickle":
                for offset in range(len(reply.body)):
                    self.wfile.write(reply.body[offset:offset + 1])
                    self.wfile.flush()
                    time.sleep(1)
            elif reply.status != 204:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Clients that hang up mid-answer (timeouts, body caps, cancels) are what the faults are for.
        if self.verbose or not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--port-file")
    parser.add_argument("--partners", type=int, default=2500)
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    server = Server(("127.0.0.1", options.port), Handler)
    server.state = State(options.partners)
    server.verbose = options.verbose
    if options.port_file:
        # Written whole under another name, then renamed: a reader never sees half a number.
        partial = options.port_file + ".tmp"
        with open(partial, "w") as f:
            f.write(f"{server.server_port}\n")
        os.replace(partial, options.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

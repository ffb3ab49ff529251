#!/usr/bin/env python3
"""The merchants' pipeline today, as the anchor of bench/workloads/pandas.py:
pandas read_csv, per-row normalisation in Python (accents, dates, decimal
commas, 75 cl factors), psycopg2 execute_batch in chunks of 500.

    pandas_pipeline.py VENTES_CSV TABLE"""
import re
import sys
import unicodedata
from datetime import datetime

import pandas as pd
import psycopg2
import psycopg2.extras

PACK = re.compile(r"(\d+)\s*x\s*(\d+)\s*cl", re.I)
CASE = re.compile(r"(caisse|carton|ct|cb|coffret)\D*(\d+)", re.I)
LITRES = re.compile(r"(\d+(?:[.,]\d+)?)\s*l\b", re.I)
CL = re.compile(r"(\d+(?:[.,]\d+)?)\s*cl", re.I)


def factor(label):
    if m := PACK.search(label):
        return int(m[1]) * int(m[2]) / 75
    if re.search("magnums", label, re.I):
        m = re.search(r"(\d+)", label)
        return 2 * (int(m[1]) if m else 1)
    if m := CASE.search(label):
        return int(m[2])
    if m := LITRES.search(label):
        return float(m[1].replace(",", ".")) * 100 / 75
    if m := CL.search(label):
        return float(m[1].replace(",", ".")) / 75
    return 2 if re.search("magnum", label, re.I) else None


def key(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def main(path, table):
    frame = pd.read_csv(path, sep=";", encoding="cp1252", decimal=",", thousands="\u00a0", dtype=str)
    conn = psycopg2.connect("")
    with conn, conn.cursor() as cur:
        rows = []
        for r in frame.itertuples(index=False):
            try:
                qte = float(r[5])
                rows.append((int(r[0]), datetime.strptime(r[1], "%d/%m/%Y").date(), r[2], r[3], r[4], qte, r[6],
                             float(r[7].replace("\u00a0", "").replace(",", ".")), float(r[8].replace(",", ".")),
                             float(r[9].replace("\u00a0", "").replace(",", ".")), r[10], key(r[4]),
                             None if factor(r[6]) is None else qte * factor(r[6])))
            except (ValueError, TypeError, AttributeError):
                continue  # a bad row is skipped, as crm_load's on_error = skip does
        psycopg2.extras.execute_batch(
            cur, f"INSERT INTO {table} (n_vente, date, code_client, ref, designation, qte, conditionnement, pu_ht, "
                 "remise_pct, montant_ht, canal, designation_key, bottles_75cl) "
                 "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows, page_size=500)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

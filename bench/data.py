"""Generated data for benchmarks, made once per size in the bench cluster's
readable directory ($PG_CRM_BENCH_FILES) and reused by later runs."""
import os
import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
FILES = pathlib.Path(os.environ.get("PG_CRM_BENCH_FILES", "/tmp/pg_crm/bench/files"))

# The sales export's columns, typed as pg_crm loads them.
VENTES_TYPED = """n_vente int, date date, code_client text, ref text, designation text, qte numeric,
    conditionnement text, pu_ht numeric(14,2), remise_pct numeric(6,2), montant_ht numeric(14,2), canal text"""
VENTES_TEXT = """n_vente text, date text, code_client text, ref text, designation text, qte text,
    conditionnement text, pu_ht text, remise_pct text, montant_ht text, canal text"""


def _give_to_server(path):
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")
        for child in pathlib.Path(path).rglob("*"):
            shutil.chown(child, "postgres")


def isavigne_set(lines, encoding="windows-1252", only_ventes=True):
    """Directory of a generated iSaVigne export set (ventes.csv at least)."""
    name = f"isavigne_{lines}_{encoding}" + ("_ventes" if only_ventes else "")
    out = FILES / name
    if not (out / "ventes.csv").exists():
        cmd = [sys.executable, str(REPO / "tools/gen_isavigne.py"), "--out", str(out), "--lines", str(lines),
               "--encoding", encoding]
        if only_ventes:
            cmd += ["--only", "ventes"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        _give_to_server(out)
    return out


def ventes_xlsx(lines):
    """The same sales export as an XLSX workbook (written with libxlsxwriter)."""
    csv = isavigne_set(lines) / "ventes.csv"
    xlsx = csv.with_suffix(".xlsx")
    if not xlsx.exists():
        tool = REPO / "build" / "csv_to_xlsx"
        if not tool.exists():
            sys.exit("bench: build/csv_to_xlsx is missing (cmake --build build)")
        subprocess.run([str(tool), str(csv), str(xlsx)], check=True)
        _give_to_server(xlsx.parent)
    return xlsx

"""A Power BI visual in DirectQuery over 1M sales lines (bench/data.py,
analytics_dataset, then crm_refresh_analytics): revenue per month and RFM
segment over one year, in the nested shape DirectQuery sends (select from
(select * from view) where ... group by ... limit 1000001). pg_crm's path
reads the aggregate crm_bi.agg_ventes_mois_segment, which the sync refreshed;
the anchor is the same visual on a model without it: crm_bi.fait_ventes
joined to crm_bi.dim_client at query time. Target: at most 0.05 (a visual a
user clicks must answer at once, whatever the history). Both sides must give
the same figures. The report line times a drill-through: one customer's lines
from fait_ventes (indexed on the customer)."""
import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 0.05
MAX_REPEAT = 5
ANCHOR = "the same visual from crm_bi.fait_ventes joined to crm_bi.dim_client at query time"

YEAR = "\"mois\" >= DATE '2023-01-01' AND \"mois\" < DATE '2024-01-01'"

ON_AGGREGATE = f"""SELECT "mois", "segment_rfm", sum("montant_ht") AS "C1", sum("lignes") AS "C2"
  FROM (SELECT "mois", "segment_rfm", "montant_ht", "lignes" FROM "crm_bi"."agg_ventes_mois_segment") AS "t"
 WHERE {YEAR}
 GROUP BY "mois", "segment_rfm" LIMIT 1000001"""

ON_FACTS = f"""SELECT "mois", "segment_rfm", sum("montant_ht") AS "C1", count(*) AS "C2"
  FROM (SELECT date_trunc('month', "f"."date_vente")::date AS "mois", "c"."segment_rfm", "f"."montant_ht"
          FROM (SELECT * FROM "crm_bi"."fait_ventes") AS "f"
          JOIN (SELECT * FROM "crm_bi"."dim_client") AS "c" ON "c"."cle_client" = "f"."cle_client") AS "t"
 WHERE {YEAR}
 GROUP BY "mois", "segment_rfm" LIMIT 1000001"""


def setup(size):
    return data.analytics_dataset(size) + "\nSELECT crm_refresh_analytics();"


def anchor(size):
    return ON_FACTS + ";"


def pg_crm(size):
    return ON_AGGREGATE + ";"


def check(psql, size):
    def figures(query):
        return psql(f"SELECT \"mois\", \"segment_rfm\", \"C1\", \"C2\" FROM ({query}) q ORDER BY 1, 2;")
    facts, aggregate = figures(ON_FACTS), figures(ON_AGGREGATE)
    if not aggregate.strip():
        return "the aggregate returned no row"
    return None if facts == aggregate else "per month and segment, the aggregate and the facts differ"


def report(psql, size, anchor_ms):
    customer = psql("SELECT cle_client FROM crm_bi.dim_client WHERE code_client = 'c-1000';").strip()
    drill = f"""SELECT "date_vente", "cle_produit", "montant_ht" FROM (SELECT * FROM "crm_bi"."fait_ventes") AS "t"
                 WHERE "cle_client" = {customer} LIMIT 1000001;"""
    times = sorted(psql(drill * 5, timing=True))
    lines = psql(f"SELECT count(*) FROM crm_bi.fait_ventes WHERE cle_client = {customer};").strip()
    return f"drill-through of one customer's {lines} lines from fait_ventes: median {times[2]:.1f}ms"


def teardown(size):
    return data.ANALYTICS_TEARDOWN

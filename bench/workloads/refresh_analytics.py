"""crm_refresh_analytics over 1M sales lines (bench/data.py, analytics_dataset): product statistics and
premium wines, RFM of every customer, co-purchase affinities, segment best
sellers and the top-5 recommendations of every customer with guardrails,
against the co-purchase SQL self-join alone, the anchor the analytics issue
sets (target: at most 3x). The report line gives the time of each step."""
import json

import data

DEFAULT_SIZE = 1_000_000
TARGET_RATIO = 3.0
MAX_REPEAT = 3
ANCHOR = "the co-purchase SQL self-join (distinct customer-product pairs joined on customer)"


def setup(size):
    return data.analytics_dataset(size)


def anchor(size):
    return data.COPURCHASE_SQL


def pg_crm(size):
    return "SELECT crm_refresh_analytics();"


def report(psql, size, anchor_ms):
    steps = json.loads(psql("SELECT crm_refresh_analytics();").strip())
    reco = steps["recommendation"]
    return ("steps: " + ", ".join(f"{name}={step['ms']}ms" + (f" ({step['rows']} rows)" if "rows" in step else "")
                                  for name, step in steps.items() if isinstance(step, dict) and "ms" in step)
            + f"; {reco['customers']} customers recommended, blocked {json.dumps(reco['blocked'])}")


def teardown(size):
    return data.ANALYTICS_TEARDOWN

#!/usr/bin/env bash
# Builds and installs pg_crm, starts the "bench" cluster (durable settings,
# unlike the test cluster) and runs bench/bench.py with the given arguments.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tools/install-deps.sh
make -s -j"$(nproc)" >/dev/null && make -s install >/dev/null
cmake -S . -B build >/dev/null && cmake --build build --target csv_to_xlsx json_decode_speed -j"$(nproc)" >/dev/null
# The pandas anchor needs these two; without them that workload says "skipped".
if [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas python3-psycopg2 >/dev/null 2>&1 || true
fi
# pg_crm is preloaded: restart so the cluster runs the library just installed.
tools/cluster.sh stop bench
tools/cluster.sh start bench
eval "$(tools/cluster.sh env bench)"
export PG_CRM_BENCH_FILES
PG_CRM_BENCH_FILES=$(tools/cluster.sh files bench)
# Debian's python3 (where apt installs pandas), not a personal one earlier in PATH.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" bench/bench.py "$@"

#!/usr/bin/env bash
# Builds and installs pg_crm, starts the "bench" cluster (durable settings,
# unlike the test cluster) and runs bench/bench.py with the given arguments.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tools/install-deps.sh
make -s -j"$(nproc)" >/dev/null && make -s install >/dev/null
tools/cluster.sh start bench
eval "$(tools/cluster.sh env bench)"
export PG_CRM_BENCH_FILES
PG_CRM_BENCH_FILES=$(tools/cluster.sh files bench)
exec python3 bench/bench.py "$@"

#!/usr/bin/env bash
# The demo: installs what pg_crm needs (Debian 12, as root), builds and
# installs the extension, starts a throwaway cluster ("demo"), creates the
# extension and prints what a person can read. Leaves the cluster running
# and says how to connect and how to stop it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

echo "== installing dependencies (Debian packages)"
tools/install-deps.sh
echo "== building and installing pg_crm"
make -s -j"$(nproc)" >/dev/null
make -s install >/dev/null
echo "== starting the demo cluster"
# A new cluster each time: it loads the build just installed (pg_crm is
# preloaded) and has the settings of this version of tools/cluster.sh.
tools/cluster.sh destroy demo
tools/cluster.sh start demo
eval "$(tools/cluster.sh env demo)"
files=$(tools/cluster.sh files demo)
cp -r test/fixtures/bottleneck "$files/"
echo "== generating an iSaVigne export set (20 000 customers, 200 000 sales lines, a few bad rows)"
python3 tools/gen_isavigne.py --out "$files/isavigne" --customers 20000 --products 800 --lines 200000 \
  --bad-rows 12 >/dev/null
[ "$(id -u)" -eq 0 ] && chown -R postgres "$files"

psql -X -q -v ON_ERROR_STOP=1 -v files="$files" -f tools/demo.sql

cat <<MSG

The demo cluster keeps running. Connect with:
  $(tools/cluster.sh env demo | sed 's/^export //') psql
Stop it with:    tools/cluster.sh stop demo
Remove it with:  tools/cluster.sh destroy demo
MSG

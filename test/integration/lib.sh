# Shared by integration tests: the test cluster's connection, a scratch
# directory removed on exit, and pass/fail reporting in TAP-like lines that
# tools/test.sh counts.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# PG_CRM_TEST_CLUSTER runs the tests against another throwaway cluster.
cluster=${PG_CRM_TEST_CLUSTER:-test}
eval "$("$repo/tools/cluster.sh" env "$cluster")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
test_name=$(basename "$0" .sh)

psql_crm() { psql -X -q "$@"; }
# The pid of another backend matching a pg_stat_activity condition, waiting
# up to `tries` tenths of a second for it to appear (empty if it never does).
backend_pid() {
  local condition=$1 tries=${2:-50} pid=
  for _ in $(seq 1 "$tries"); do
    pid=$(psql_crm -Atc "SELECT pid FROM pg_stat_activity WHERE $condition AND pid <> pg_backend_pid() LIMIT 1")
    [ -n "$pid" ] && break
    sleep 0.1
  done
  echo "$pid"
}
pass() { echo "ok - $test_name: $*"; exit 0; }
# What a reliability check tried, for test/reliability/run's table: inputs
# (files, cases, reads, lines) and events injected (kills, syncs).
figures() { echo "# figures: inputs=$1 events=${2:-0}"; }
fail() { echo "not ok - $test_name: $*"; exit 1; }

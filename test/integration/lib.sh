# Shared by integration tests: the test cluster's connection, a scratch
# directory removed on exit, and pass/fail reporting in TAP-like lines that
# tools/test.sh counts.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eval "$("$repo/tools/cluster.sh" env test)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
test_name=$(basename "$0" .sh)

psql_crm() { psql -X -q "$@"; }
pass() { echo "ok - $test_name: $*"; exit 0; }
fail() { echo "not ok - $test_name: $*"; exit 1; }

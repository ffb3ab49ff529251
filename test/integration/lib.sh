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

# The path-case tests (path_cases.sh, write_path_cases.sh): a failure before
# any case ran still prints the reliability table's figures.
die() { echo "# figures: inputs=0 events=0 failures=1"; fail "$@"; }
# Runs their case script $work/cases.sql through psql with the -v variables
# given after the first two arguments, as a non-superuser member of
# crm_runner. 60 s at most (a run takes about a second): past that a call is
# blocked on the FIFO $2, so its other end is opened ($1: read or write) to
# let the backend finish, and the test fails. The report's "# " lines are
# printed; report_value NAME reads its NAME=... lines.
run_cases() {
  local fifo_end=$1 fifo=$2 rc=0
  shift 2
  timeout 60 psql -X -q -v ON_ERROR_STOP=1 "$@" -f "$work/cases.sql" >"$work/report" 2>&1 || rc=$?
  if [ "$rc" -eq 124 ]; then
    # shellcheck disable=SC2016 # $1 is the inner shell's
    if [ "$fifo_end" = write ]; then timeout 5 sh -c ': >"$1"' sh "$fifo" || true
    else timeout 5 sh -c ': <"$1"' sh "$fifo" || true; fi
    die "the case run did not finish within 60 s (a call blocked?): $(tail -3 "$work/report" | tr '\n' ' ')"
  fi
  [ "$rc" -eq 0 ] || die "the case run itself failed: $(tail -5 "$work/report" | tr -s '\n\t' '  ')"
  grep '^# ' "$work/report"
  [ "$(report_value runner)" = true ] || die "the calls did not run as a non-superuser member of crm_runner"
}
report_value() { sed -n "s/^$1=//p" "$work/report"; }

#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters for tests, the demo and benchmarks.
#
#   tools/cluster.sh start   [NAME]  initdb if needed, start (idempotent)
#   tools/cluster.sh stop    [NAME]  fast shutdown (idempotent)
#   tools/cluster.sh stop-immediate [NAME]  crash-like shutdown: no checkpoint, recovery at next start
#   tools/cluster.sh destroy [NAME]  stop and remove the directory
#   tools/cluster.sh env     [NAME]  print PGHOST/PGPORT/PGUSER/PGDATABASE exports
#   tools/cluster.sh psql    [NAME] [psql args...]
#   tools/cluster.sh files   [NAME]  print the directory the server may read (crm.allowed_read_paths)
#
# NAME defaults to "test"; "test" and "test-*" clusters get the test settings
# (the mock API's address, test functions, no fsync). A cluster lives in $PG_CRM_CLUSTERS/NAME
# (default /tmp/pg_crm): data/, the socket directory sock/, server.log and
# files/. It listens on its own Unix socket only (no TCP port to collide
# with), preloads pg_cron with cron.database_name = crm, and lets pg_cron
# reach it through that socket. PostgreSQL refuses to run as root: as root,
# the cluster belongs to the unprivileged user "postgres" (created by the
# postgresql-common package); otherwise it belongs to the caller.
set -euo pipefail
self=$(readlink -f "$0")

cmd=${1:-}
name=${2:-test}
[[ "$name" =~ ^[a-z0-9_-]+$ ]] || { echo "cluster: bad name '$name'" >&2; exit 2; }
root=${PG_CRM_CLUSTERS:-/tmp/pg_crm}
dir=$root/$name
bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$bindir/initdb" ] || bindir=/usr/lib/postgresql/15/bin
# A relocated copy of the PostgreSQL installation (its own lib and share, as
# test/reliability/sanitized_extension.sh makes for an ASan build of pg_crm).
[ -n "${PG_CRM_PG_ROOT:-}" ] && bindir=$PG_CRM_PG_ROOT/usr/lib/postgresql/15/bin
# Extra environment of the server only (LD_PRELOAD of the sanitizer runtime).
server_env=${PG_CRM_SERVER_ENV:-}
port=5432
# The owner may not be able to enter the caller's directory (a fresh clone in a
# private temp dir): run everything from /.
cd /
db=crm

if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

running() { [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

start() {
  mkdir -p "$root"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$root" && chmod 755 "$root"
  as_owner mkdir -p "$dir/sock" "$dir/files" "$dir/files/out"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
# --- pg_crm throwaway cluster ($name) ---
listen_addresses = ''
port = $port
unix_socket_directories = '$dir/sock'
shared_preload_libraries = 'pg_cron,pg_crm'
cron.database_name = '$db'
cron.host = '$dir/sock'
max_worker_processes = 16
crm.allowed_read_paths = '$dir/files'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
CONF
    if [ "$name" = bench ]; then
      # Loads of 100+ MB write as much WAL: with the default max_wal_size a
      # checkpoint lands in the middle of whichever run comes next, anchor or
      # pg_crm, and the ratios turn into noise. Same settings for both sides.
      as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
max_wal_size = '16GB'
checkpoint_timeout = '1h'
# Sized like a production server on the 24 GiB bench machine (the defaults,
# 128 MB of shared buffers and 4 MB per sort, fit a laptop): a 1M-line load
# and its indexes then stay in memory, for the anchor as for pg_crm.
shared_buffers = '4GB'
work_mem = '64MB'
maintenance_work_mem = '1GB'
# The mock API server of the api_read workload.
crm.allowed_hosts = 'http://127.0.0.1:58081'
CONF
    fi
    if [ "$name" = test ] || [ "${name#test-}" != "$name" ] || [ "$name" = demo ]; then
      # Exports and reports go to files/out (readable too, so tests read them back).
      echo "crm.allowed_write_paths = '$dir/files/out'" | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    fi
    if [ "$name" = test ] || [ "${name#test-}" != "$name" ]; then
      as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
crm.enable_test_functions = on
# The mock API server tools/test.sh starts (test/mock/api_server.py).
crm.allowed_hosts = 'http://127.0.0.1:58080'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
  fi
  if ! running; then
    # shellcheck disable=SC2086 # server_env is a list of VAR=value words
    as_owner env $server_env "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null
  fi
  if ! as_owner "$bindir/psql" -h "$dir/sock" -p $port -U postgres -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_owner "$bindir/createdb" -h "$dir/sock" -p $port -U postgres "$db"
  fi
}

stop() {
  if running; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  stop-immediate) if running; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null; fi ;;
  destroy) stop; rm -rf "$dir" "$dir.initdb.log" ;;
  env) printf 'export PGHOST=%q PGPORT=%s PGUSER=postgres PGDATABASE=%s\n' "$dir/sock" "$port" "$db" ;;
  psql) shift 2 || shift $#; exec "$bindir/psql" -h "$dir/sock" -p $port -U postgres -d "$db" "$@" ;;
  files) echo "$dir/files" ;;
  log) echo "$dir/server.log" ;;
  *) sed -n '2,21p' "$self" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Installs the Debian 12 packages pg_crm needs to build, test and run.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev python3 procps
  postgresql-15 postgresql-server-dev-15 postgresql-contrib postgresql-15-cron postgresql-15-pgtap
  libtap-parser-sourcehandler-pgtap-perl
  libsimdjson-dev libcurl4-openssl-dev libutf8proc-dev libexpat1-dev libzip-dev libxlsxwriter-dev
  libfast-float-dev libgtest-dev libssl-dev odbc-postgresql unixodbc python3-pyodbc
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql-common creates and starts a default cluster; pg_crm
# uses its own throwaway clusters, so that one is left alone (not stopped:
# it may be somebody's).

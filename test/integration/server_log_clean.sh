#!/usr/bin/env bash
# Runs last: after every suite, the server log shows no crashed backend and
# no restart (a C++ exception or a longjmp over C++ frames would show here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

log=$("$repo/tools/cluster.sh" log test)
if grep -nE "terminated by signal|was terminated by exception|server process .* exited with exit code [^0]|all server processes terminated|PANIC" "$log" >"$work/bad"; then
  fail "server log shows a crash: $(head -3 "$work/bad")"
fi
pass "no crash or restart in $(wc -l <"$log") lines of server log"

#!/usr/bin/env bash
# Runs last: after every suite, the server log shows no crashed backend, no
# restart (a C++ exception or a longjmp over C++ frames would show here) and
# no secret value.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

log=$("$repo/tools/cluster.sh" log "$cluster")
if grep -nE "terminated by signal|was terminated by exception|server process .* exited with exit code [^0]|all server processes terminated|PANIC" "$log" >"$work/bad"; then
  fail "server log shows a crash: $(head -3 "$work/bad")"
fi
# The API tests' keys (test/mock/api_server.py) never reach the log, even
# through errors.
if grep -nE "odoo-secret-key-123|penny-secret-token-456|brevo-secret-key-789" "$log" >"$work/leak"; then
  fail "a secret value is in the server log: line $(cut -d: -f1 "$work/leak" | head -3 | tr '\n' ' ')"
fi
figures "$(wc -l <"$log")" 0
pass "no crash, restart or secret in $(wc -l <"$log") lines of server log"

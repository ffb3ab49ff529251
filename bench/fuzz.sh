#!/usr/bin/env bash
# The long fuzzing run: every libFuzzer target for SECONDS each (default 300;
# the test command gives them 15). Findings are written to build-fuzz/ and
# make the run fail.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
"$repo/tools/install-deps.sh"
"$repo/tools/fuzz.sh" build >/dev/null
status=0
for target in $("$repo/tools/fuzz.sh" list); do
  if "$repo/tools/fuzz.sh" run "$target" "$seconds" >"$repo/build-fuzz/$target.log" 2>&1; then
    echo "fuzz $target ${seconds}s: $(grep -Eo 'Done [0-9]+ runs' "$repo/build-fuzz/$target.log" | tail -1), no crash"
  else
    echo "fuzz $target ${seconds}s: FAILED (build-fuzz/$target.log)"; status=1
  fi
done
exit $status

#!/usr/bin/env bash
# libFuzzer targets of the parsers (test/fuzz/fuzz_<name>.cpp), built with
# clang, ASan and UBSan in build-fuzz/.
#
#   tools/fuzz.sh build                  configure and build every target
#   tools/fuzz.sh list                   the target names
#   tools/fuzz.sh run NAME [SECONDS]     fuzz NAME (default 60 s) from a copy of its
#                                        seed corpus test/fuzz/corpus/<NAME without
#                                        "fuzz_">; new findings go to
#                                        build-fuzz/NAME.crash-* and fail the run
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

targets() { for f in test/fuzz/fuzz_*.cpp; do basename "$f" .cpp; done; }

case "${1:-}" in
  build)
    CXX=clang++ cmake -S . -B build-fuzz -DCRM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-fuzz -j"$(nproc)" --target $(targets)
    ;;
  list) targets ;;
  run)
    name=${2:?target name}
    seconds=${3:-60}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    corpus="test/fuzz/corpus/${name#fuzz_}"
    [ -d "$corpus" ] || { echo "fuzz: no seed corpus $corpus" >&2; exit 1; }
    cp -r "$corpus/." "$work/"
    # -timeout: an input that takes over 10 s is a hang; -rss_limit_mb: a leak or a blow-up.
    "build-fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="build-fuzz/$name." "$work"
    ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac

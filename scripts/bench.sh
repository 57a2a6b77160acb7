#!/usr/bin/env bash
# `make bench`: the full benchmark suite, saved as pytest-benchmark JSON under .benchmarks/ (compare saved
# runs with `.venv/bin/pytest-benchmark compare`), and the Markdown table written into benchmarks/README.md.
# About 40 minutes on the 2-core machine; the suite stops starting runs at 55 minutes (benchmarks/registry.py),
# so it always ends within the hour. Extra arguments go to pytest (e.g. `-k u16-backlog` for one case: the
# README is then left alone and the table of that partial run is printed).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NAME="${BENCH_NAME:-$(git rev-parse --abbrev-ref HEAD 2>/dev/null | tr '/' '-' || echo run)}"

"$BIN/pytest" benchmarks -q -p no:cacheprovider --benchmark-save="$NAME" \
    --benchmark-sort=name --benchmark-columns=min "$@"
status=$?

if [ $# -eq 0 ]; then
    "$BIN/python" -m benchmarks.report --readme benchmarks/README.md -o .benchmarks/latest.md || status=1
else
    "$BIN/python" -m benchmarks.report -o .benchmarks/latest.md || status=1
fi
exit "$status"

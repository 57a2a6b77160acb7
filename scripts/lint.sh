#!/usr/bin/env bash
# ruff and mypy, configured in pyproject.toml. Run first by scripts/test.sh, so `make test` fails on either.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

"$BIN/ruff" check src tests benchmarks scripts
"$BIN/mypy"

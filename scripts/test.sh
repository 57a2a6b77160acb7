#!/usr/bin/env bash
# The whole test suite, with every service it needs. PostgreSQL (for the storage and API tests) and
# headless Chromium (for the HTML report) are installed from Debian's packages and started here when
# they are missing, so that no test is ever skipped for want of them: a missing service fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

bash scripts/lint.sh  # a style or type error stops the run before any test

if [ -z "${MATCHER_TEST_POSTGRES_URL:-}" ]; then
    MATCHER_TEST_POSTGRES_URL="$(bash scripts/start-postgres.sh)"
    export MATCHER_TEST_POSTGRES_URL
fi
bash scripts/ensure-chromium.sh

"$BIN/pytest" -q -p no:cacheprovider --durations=15 tests  # the 15 slowest, to keep the suite under 15 minutes
"$BIN/pytest" -q -p no:cacheprovider benchmarks --benchmark-disable

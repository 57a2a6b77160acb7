#!/usr/bin/env bash
# Headless Chromium for the HTML report's browser tests, from Debian's packages (needs root, as CI has).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${MATCHER_CHROMIUM:-}" ]; then
    exit 0
fi
echo "installing Debian's chromium for the report's browser tests..." >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
command -v chromium >/dev/null 2>&1 || { echo "chromium could not be installed" >&2; exit 1; }

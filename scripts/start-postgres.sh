#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the storage and API tests, and print its URL.
#
#   export MATCHER_TEST_POSTGRES_URL="$(bash scripts/start-postgres.sh)"
#
# Installs Debian's `postgresql` package when no server binaries are found, creates a cluster under
# $MATCHER_PG_DIR (default /tmp/matcher-postgres) listening only on 127.0.0.1:$MATCHER_PG_PORT (default
# 54329) with trust authentication, and a database `matcher_test`. Durability is switched off: this is a
# test server. Idempotent: a server already running there is reused. Everything but the URL goes to stderr.
set -euo pipefail

PGDIR="${MATCHER_PG_DIR:-/tmp/matcher-postgres}"
PORT="${MATCHER_PG_PORT:-54329}"
DATABASE="matcher_test"
DATA="$PGDIR/data"
LOG="$PGDIR/server.log"

say() { echo "start-postgres: $*" >&2; }

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    say "installing PostgreSQL (Debian package postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi
[ -x "$BIN/initdb" ] || { say "no initdb found after installing postgresql"; exit 1; }

# The server refuses to run as root: run it as the `postgres` account that the package creates.
as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

mkdir -p "$PGDIR"
if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$PGDIR"
fi

if [ ! -s "$DATA/PG_VERSION" ]; then
    say "creating a cluster in $DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >&2
fi

if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    say "starting the server on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DATABASE" >&2
fi
say "ready"
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DATABASE"

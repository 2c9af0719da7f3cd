#!/usr/bin/env bash
# Start a throwaway local PostgreSQL (Debian's package) for the Postgres checkpointer; prints its URL.
#   scripts/start_postgres.sh [DIR] [PORT]    start (installing the postgresql package if it can), print the URL
#   scripts/start_postgres.sh --stop DIR      stop it
# Exit 3 when no PostgreSQL can be found or installed (the tests then skip with that reason).
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_owner() {  # PostgreSQL refuses to run as root: run its tools as the postgres user then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PGBIN=$(find_bin || true)
if [ -z "$PGBIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's postgresql package..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 || \
        { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; } || true
    PGBIN=$(find_bin || true)
fi
if [ -z "$PGBIN" ]; then
    echo "no PostgreSQL server found (apt-get install postgresql)" >&2
    exit 3
fi

if [ "${1:-}" = "--stop" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$2" -m fast -w stop >/dev/null
    exit 0
fi

DIR=${1:-/tmp/dailies-pg}
PORT=${2:-54329}
mkdir -p "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
if [ ! -f "$DIR/PG_VERSION" ]; then
    as_owner "$PGBIN/initdb" -D "$DIR" -A trust -U dailies >/dev/null
fi
as_owner "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U dailies dailies 2>/dev/null || true
echo "postgresql://dailies@127.0.0.1:$PORT/dailies"

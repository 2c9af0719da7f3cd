#!/usr/bin/env bash
# Start a throwaway local PostgreSQL (Debian's package) for the Postgres checkpointer; prints its URL.
#   scripts/start_postgres.sh [DIR] [PORT]    start (installing the postgresql package if it can), print the URL
#   scripts/start_postgres.sh --stop DIR      stop it
#   scripts/start_postgres.sh --install       only make sure the server is installed; print its bin folder
# Exit 3 when no PostgreSQL server can be found or installed (the tests then skip with that reason).
# PG_LIB_DIR (default /usr/lib/postgresql) is where Debian puts each version's bin folder.
set -euo pipefail

PG_LIB_DIR=${PG_LIB_DIR:-/usr/lib/postgresql}

find_bin() {  # the newest version whose bin folder holds a server; the client package alone has psql only
    local dir found=""
    for dir in $(ls -d "$PG_LIB_DIR"/*/bin 2>/dev/null | sort -V); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then found=$dir; fi
    done
    echo "$found"
}

install_server() {  # as root with apt-get: Debian's postgresql package; apt's output only when it fails
    local log
    log=$(mktemp)
    echo "installing Debian's postgresql package..." >&2
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -q -y -o DPkg::Lock::Timeout=300)
    if ! "${apt[@]}" install postgresql >"$log" 2>&1; then
        "${apt[@]}" update >>"$log" 2>&1 && "${apt[@]}" install postgresql >>"$log" 2>&1 || tail -n 20 "$log" >&2
    fi
    rm -f "$log"
}

as_owner() {  # PostgreSQL refuses to run as root: run its tools as the postgres user then (from /, which it can read)
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

PGBIN=$(find_bin)
if [ -z "$PGBIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    install_server
    PGBIN=$(find_bin)
fi
if [ -z "$PGBIN" ]; then
    echo "no PostgreSQL server found in $PG_LIB_DIR (as root: apt-get install postgresql)" >&2
    exit 3
fi

if [ "${1:-}" = "--install" ]; then
    echo "$PGBIN"
    exit 0
fi
if [ "${1:-}" = "--stop" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$(cd "$2" && pwd)" -m fast -w stop >/dev/null
    exit 0
fi

DIR=${1:-/tmp/dailies-pg}
PORT=${2:-54329}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
if [ ! -f "$DIR/PG_VERSION" ]; then
    # C locale, UTF-8: works whatever LANG a fresh machine has (a locale it lacks would stop initdb)
    as_owner "$PGBIN/initdb" -D "$DIR" -A trust -U dailies --no-locale -E UTF8 >/dev/null
fi
as_owner "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U dailies dailies 2>/dev/null || true
echo "postgresql://dailies@127.0.0.1:$PORT/dailies"

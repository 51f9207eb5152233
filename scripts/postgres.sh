#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL server for tests and benchmarks, from Debian's packages.
#   scripts/postgres.sh start   -> prints the URL to export as REFEREE_TEST_POSTGRES_URL
#   scripts/postgres.sh stop
# Data lives in .pg/ in the checkout; the server listens on 127.0.0.1:${PGPORT:-55432}.
set -euo pipefail
cd "$(dirname "$0")/.."
PGPORT="${PGPORT:-55432}"
DIR="$PWD/.pg"
URL="postgresql://referee:referee@127.0.0.1:${PGPORT}/referee"

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
  echo "$d"
}

# initdb and postgres refuse to run as root; use the postgres account when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    BIN=$(bin_dir)
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir "$DIR" postgres
    fi
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PGPORT -k $DIR -c fsync=off -c max_connections=200" start >/dev/null
    fi
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qtA -c \
      "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='referee') THEN
         CREATE ROLE referee LOGIN SUPERUSER PASSWORD 'referee'; END IF; END\$\$;" >/dev/null
    if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qtA \
         -c "SELECT 1 FROM pg_database WHERE datname='referee'" | grep -q 1; then
      as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres -O referee referee
    fi
    echo "$URL"
    ;;
  stop)
    BIN=$(bin_dir)
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

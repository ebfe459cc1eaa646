# Start a throw-away PostgreSQL cluster on loopback for the store tests.
# Sourced by .ci/run; sets CONDUCTLENS_TEST_PG_URL when a server is available.
PG_DIR="${PG_DIR:-/tmp/conductlens-pg}"
PG_PORT="${PG_PORT:-55432}"

start_test_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed: the postgres-marked tests will be skipped" >&2
    return 0
  fi
  local run=()
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U conductlens --auth=trust >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U conductlens conductlens_test
  export CONDUCTLENS_TEST_PG_URL="postgresql+psycopg://conductlens@127.0.0.1:$PG_PORT/conductlens_test"
  export PG_BIN="$bin"
  echo "PostgreSQL for tests: $CONDUCTLENS_TEST_PG_URL" >&2
}

stop_test_postgres() {
  if [ -n "${PG_BIN:-}" ] && [ -d "$PG_DIR/data" ]; then
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
}

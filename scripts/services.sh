#!/usr/bin/env bash
# Private PostgreSQL 15 and Redis instances for cmvc-archive, kept under one data directory and
# listening on 127.0.0.1 on their own ports, so that system-wide instances are left alone.
#
#   scripts/services.sh start    start both (idempotent), wait until they accept connections
#   scripts/services.sh stop     stop both (idempotent)
#   scripts/services.sh status   print the state of both; exit 0 only when both run
#   scripts/services.sh env      print `export DATABASE_URL=…` and `export REDIS_URL=…`
#   scripts/services.sh restart-postgres | restart-redis
#                                restart one running service (pg_ctl restart -m fast; Redis
#                                shutdown and start, keeping its append-only file), as fault tests do
#
# Settings (environment):
#   CMVC_DATA_DIR     data directory (default <repo>/.data; a relative path is taken from the repo root)
#   CMVC_PG_PORT      PostgreSQL port (default 54329)
#   CMVC_REDIS_PORT   Redis port (default 63799)
#   CMVC_SERVICES_TIMEOUT  seconds to wait for a service to come up or go down (default 30)
#
# PostgreSQL refuses to run as root: when run as root, it runs as the `postgres` system user.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="services"

readonly PG_BIN="/usr/lib/postgresql/15/bin"
readonly PG_SUPERUSER="postgres"
readonly APP_ROLE="cmvc"
readonly APP_PASSWORD="cmvc"
readonly APP_DATABASE="cmvc"
readonly LISTEN_HOST="127.0.0.1"

data_dir="${CMVC_DATA_DIR:-$CMVC_REPO_ROOT/.data}"
[[ "$data_dir" = /* ]] || data_dir="$CMVC_REPO_ROOT/$data_dir"
readonly DATA_DIR="$data_dir"
readonly PG_PORT="${CMVC_PG_PORT:-54329}"
readonly REDIS_PORT="${CMVC_REDIS_PORT:-63799}"
readonly TIMEOUT_SECONDS="${CMVC_SERVICES_TIMEOUT:-30}"

readonly PG_ROOT="$DATA_DIR/postgres"
readonly PGDATA="$PG_ROOT/data"
readonly PG_SOCKET_DIR="$PG_ROOT/run"
readonly PG_LOG="$PG_ROOT/postgres.log"
readonly REDIS_DIR="$DATA_DIR/redis"
readonly REDIS_CONF="$REDIS_DIR/redis.conf"
readonly REDIS_PID="$REDIS_DIR/redis.pid"
readonly REDIS_LOG="$REDIS_DIR/redis.log"

validate_settings() {
  local name value
  for name in CMVC_PG_PORT CMVC_REDIS_PORT; do
    value="${!name:-}"
    if [[ -n "$value" ]] && ! [[ "$value" =~ ^[0-9]+$ && "$value" -ge 1024 && "$value" -le 65535 ]]; then
      cmvc_die "$name must be a port number between 1024 and 65535, got '$value'"
    fi
  done
  [[ "$PG_PORT" != "$REDIS_PORT" ]] || cmvc_die "CMVC_PG_PORT and CMVC_REDIS_PORT must differ (both $PG_PORT)"
  [[ "$TIMEOUT_SECONDS" =~ ^[0-9]+$ && "$TIMEOUT_SECONDS" -ge 1 ]] \
    || cmvc_die "CMVC_SERVICES_TIMEOUT must be a positive number of seconds, got '$TIMEOUT_SECONDS'"
  # A unix socket path is limited to 107 bytes.
  local socket_path="$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  ((${#socket_path} <= 107)) || cmvc_die "data directory path too long for a unix socket: $socket_path"
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as the user that owns the PostgreSQL cluster.
as_pg_owner() {
  if is_root; then
    runuser -u "$PG_SUPERUSER" -- "$@"
  else
    "$@"
  fi
}

require_commands() {
  local command missing=()
  for command in "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$PG_BIN/pg_isready" "$PG_BIN/psql"; do
    [[ -x "$command" ]] || missing+=("$command")
  done
  for command in redis-server redis-cli; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
  done
  ((${#missing[@]} == 0)) || cmvc_die "missing ${missing[*]}; run scripts/setup-system.sh first"
}

# Waits until "$@" succeeds, up to TIMEOUT_SECONDS. Returns 1 on timeout.
wait_until() {
  local deadline=$((SECONDS + TIMEOUT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- PostgreSQL

pg_running() { as_pg_owner "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; }

pg_accepting() { "$PG_BIN/pg_isready" -q -h "$LISTEN_HOST" -p "$PG_PORT" -d postgres; }

pg_admin_sql() {
  as_pg_owner "$PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 \
    -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -c "$1"
}

pg_prepare_directories() {
  mkdir -p "$DATA_DIR"
  if is_root; then
    id "$PG_SUPERUSER" >/dev/null 2>&1 \
      || cmvc_die "running as root needs the '$PG_SUPERUSER' system user (installed with the postgresql package)"
    install -d -o "$PG_SUPERUSER" -g "$PG_SUPERUSER" -m 0700 "$PG_ROOT"
    runuser -u "$PG_SUPERUSER" -- test -w "$PG_ROOT" \
      || cmvc_die "user '$PG_SUPERUSER' cannot reach $PG_ROOT: every parent directory must be traversable (chmod o+x)"
  else
    install -d -m 0700 "$PG_ROOT"
  fi
  as_pg_owner install -d -m 0700 "$PG_SOCKET_DIR"
}

pg_init_cluster() {
  [[ -f "$PGDATA/PG_VERSION" ]] && return 0
  cmvc_log "initialising PostgreSQL cluster in $PGDATA"
  as_pg_owner "$PG_BIN/initdb" -D "$PGDATA" -U "$PG_SUPERUSER" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_ROOT/initdb.log" 2>&1 \
    || { cat "$PG_ROOT/initdb.log" >&2; cmvc_die "initdb failed"; }
  # Settings that depend on the environment are written at every start into cmvc.conf.
  as_pg_owner sh -c "printf '%s\n' \"include_if_exists = 'cmvc.conf'\" >>'$PGDATA/postgresql.conf'"
}

pg_write_settings() {
  as_pg_owner sh -c "cat >'$PGDATA/cmvc.conf'" <<EOF
# Written by scripts/services.sh at every start; edits are overwritten.
listen_addresses = '$LISTEN_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
EOF
}

pg_bootstrap_role_and_database() {
  local role_exists database_exists
  role_exists="$(pg_admin_sql "SELECT 1 FROM pg_roles WHERE rolname = '$APP_ROLE'")"
  if [[ "$role_exists" != "1" ]]; then
    cmvc_log "creating role $APP_ROLE"
    # SUPERUSER so migrations can CREATE EXTENSION; CREATEDB for Prisma's shadow database.
    pg_admin_sql "CREATE ROLE $APP_ROLE LOGIN SUPERUSER CREATEDB PASSWORD '$APP_PASSWORD'" >/dev/null
  fi
  database_exists="$(pg_admin_sql "SELECT 1 FROM pg_database WHERE datname = '$APP_DATABASE'")"
  if [[ "$database_exists" != "1" ]]; then
    cmvc_log "creating database $APP_DATABASE"
    pg_admin_sql "CREATE DATABASE $APP_DATABASE OWNER $APP_ROLE" >/dev/null
  fi
}

pg_start() {
  pg_prepare_directories
  pg_init_cluster
  if pg_running; then
    cmvc_log "postgres already running (port $PG_PORT)"
  else
    if pg_accepting; then
      cmvc_die "port $PG_PORT is already used by another PostgreSQL; set CMVC_PG_PORT"
    fi
    pg_write_settings
    cmvc_log "starting postgres on $LISTEN_HOST:$PG_PORT"
    as_pg_owner "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$PG_LOG" -w -t "$TIMEOUT_SECONDS" -s >/dev/null 2>&1 || {
      tail -n 20 "$PG_LOG" >&2 || true
      cmvc_die "postgres did not start (log: $PG_LOG)"
    }
  fi
  wait_until pg_accepting || cmvc_die "postgres does not accept connections on $LISTEN_HOST:$PG_PORT after ${TIMEOUT_SECONDS}s"
  pg_bootstrap_role_and_database
}

pg_stop() {
  if [[ ! -f "$PGDATA/PG_VERSION" ]] || ! pg_running; then
    cmvc_log "postgres not running"
    return 0
  fi
  cmvc_log "stopping postgres"
  as_pg_owner "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$TIMEOUT_SECONDS" -s >&2 \
    || cmvc_die "postgres did not stop within ${TIMEOUT_SECONDS}s (log: $PG_LOG)"
}

# ---------------------------------------------------------------- Redis

# True when the process exists and is not a zombie (a zombie's parent, e.g. a container's
# init, may reap it late, and kill -0 still succeeds until then).
process_alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != "Z" ]]
}

redis_pid() {
  local pid
  [[ -f "$REDIS_PID" ]] || return 1
  pid="$(<"$REDIS_PID")"
  [[ "$pid" =~ ^[0-9]+$ ]] && process_alive "$pid" || return 1
  # A recycled pid must belong to redis-server to count.
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server* ]] || return 1
  printf '%s\n' "$pid"
}

redis_running() { redis_pid >/dev/null; }

redis_accepting() { [[ "$(redis-cli -h "$LISTEN_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }

redis_write_config() {
  cat >"$REDIS_CONF" <<EOF
# Written by scripts/services.sh at every start; edits are overwritten.
bind $LISTEN_HOST
protected-mode yes
port $REDIS_PORT
daemonize yes
dir $REDIS_DIR
pidfile $REDIS_PID
logfile $REDIS_LOG
appendonly yes
# BullMQ needs keys never to be evicted.
maxmemory-policy noeviction
EOF
}

redis_start() {
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    cmvc_log "redis already running (port $REDIS_PORT)"
  else
    if redis_accepting; then
      cmvc_die "port $REDIS_PORT is already used by another Redis; set CMVC_REDIS_PORT"
    fi
    redis_write_config
    cmvc_log "starting redis on $LISTEN_HOST:$REDIS_PORT"
    redis-server "$REDIS_CONF" >&2 || {
      tail -n 20 "$REDIS_LOG" >&2 || true
      cmvc_die "redis did not start (log: $REDIS_LOG)"
    }
  fi
  wait_until redis_accepting || {
    tail -n 20 "$REDIS_LOG" >&2 || true
    cmvc_die "redis does not answer PING on $LISTEN_HOST:$REDIS_PORT after ${TIMEOUT_SECONDS}s"
  }
}

redis_stopped() { ! process_alive "$1"; }

redis_stop() {
  local pid
  if ! pid="$(redis_pid)"; then
    cmvc_log "redis not running"
    return 0
  fi
  cmvc_log "stopping redis"
  # SHUTDOWN over the socket saves and exits at once; SIGTERM waits for Redis' next timer tick.
  redis-cli -h "$LISTEN_HOST" -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_until redis_stopped "$pid" || cmvc_die "redis (pid $pid) did not stop within ${TIMEOUT_SECONDS}s"
}

# ---------------------------------------------------------------- commands

print_env() {
  printf 'export DATABASE_URL=%s\n' "postgresql://$APP_ROLE:$APP_PASSWORD@$LISTEN_HOST:$PG_PORT/$APP_DATABASE"
  printf 'export REDIS_URL=%s\n' "redis://$LISTEN_HOST:$REDIS_PORT"
}

print_status() {
  local healthy=0
  if [[ -f "$PGDATA/PG_VERSION" ]] && pg_running && pg_accepting; then
    printf 'postgres: running on %s:%s (data %s)\n' "$LISTEN_HOST" "$PG_PORT" "$PGDATA"
  else
    printf 'postgres: stopped (data %s)\n' "$PGDATA"
    healthy=3
  fi
  if redis_running && redis_accepting; then
    printf 'redis: running on %s:%s (data %s)\n' "$LISTEN_HOST" "$REDIS_PORT" "$REDIS_DIR"
  else
    printf 'redis: stopped (data %s)\n' "$REDIS_DIR"
    healthy=3
  fi
  return "$healthy"
}

usage() {
  printf 'usage: %s start|stop|status|env|restart-postgres|restart-redis\n' "$0" >&2
  exit 2
}

main() {
  (($# == 1)) || usage
  validate_settings
  case "$1" in
    start)
      require_commands
      local started_ms
      started_ms="$(cmvc_now_ms)"
      pg_start
      redis_start
      cmvc_log "services ready ($(($(cmvc_now_ms) - started_ms)) ms, data $DATA_DIR)"
      ;;
    stop)
      require_commands
      redis_stop
      pg_stop
      ;;
    restart-postgres)
      pg_running || cmvc_die "postgres is not running"
      cmvc_log "restarting postgres (fast)"
      as_pg_owner "$PG_BIN/pg_ctl" restart -D "$PGDATA" -l "$PG_LOG" -m fast -w -t "$TIMEOUT_SECONDS" -s >/dev/null 2>&1 \
        || cmvc_die "postgres did not restart (log: $PG_LOG)"
      wait_until pg_accepting || cmvc_die "postgres does not accept connections after restarting"
      ;;
    restart-redis)
      redis_running || cmvc_die "redis is not running"
      redis_stop
      redis_start
      ;;
    status) print_status ;;
    env) print_env ;;
    *) usage ;;
  esac
}

main "$@"

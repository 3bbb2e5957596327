#!/usr/bin/env bash
# Starts or stops the archive's own processes (api, worker, web) in the background, with pid
# files and logs under the data directory. `start` restarts any that are already running.
#
#   scripts/apps.sh start | stop | status
#
# Reads DATABASE_URL, REDIS_URL and the settings in README.md from the environment.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="apps"
cd "$CMVC_REPO_ROOT"

data_dir="${CMVC_DATA_DIR:-$CMVC_REPO_ROOT/.data}"
[[ "$data_dir" = /* ]] || data_dir="$CMVC_REPO_ROOT/$data_dir"
export CMVC_DATA_DIR="$data_dir"
RUN_DIR="$data_dir/run"
LOG_DIR="$data_dir/logs"
API_PORT="${API_PORT:-4000}"
WEB_PORT="${WEB_PORT:-3000}"
export API_PORT
# Production unless the caller says otherwise: no stack traces or paths in answers to clients.
export NODE_ENV="${NODE_ENV:-production}"
export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$WEB_PORT,http://localhost:$WEB_PORT}"

declare -A COMMANDS=(
  [api]="node --import tsx apps/api/src/main.ts"
  [worker]="bash scripts/worker-env.sh node --import tsx workers/src/main.ts"
  [web]="npx --no-install next start apps/web -H 127.0.0.1 -p $WEB_PORT"
)

stop_one() {
  local name="$1" pid_file="$RUN_DIR/$1.pid"
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    cmvc_log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

wait_http() {
  local name="$1" url="$2"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  cmvc_die "$name did not answer at $url; see $LOG_DIR/$name.log"
}

start_all() {
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  for name in api worker web; do
    stop_one "$name"
    cmvc_log "starting $name (log: $LOG_DIR/$name.log)"
    API_URL="http://127.0.0.1:$API_PORT" NEXT_TELEMETRY_DISABLED=1 \
      setsid bash -c "exec ${COMMANDS[$name]}" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
    echo $! >"$RUN_DIR/$name.pid"
  done
  wait_http api "http://127.0.0.1:$API_PORT/healthz"
  wait_http web "http://127.0.0.1:$WEB_PORT/"
}

case "${1:-}" in
  start) start_all ;;
  stop) for name in web worker api; do stop_one "$name"; done ;;
  status)
    for name in api worker web; do
      pid_file="$RUN_DIR/$name.pid"
      if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then echo "$name: running (pid $(cat "$pid_file"))"; else echo "$name: stopped"; fi
    done ;;
  *) echo "usage: scripts/apps.sh start|stop|status" >&2; exit 2 ;;
esac

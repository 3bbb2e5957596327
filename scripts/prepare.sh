#!/usr/bin/env bash
# Brings a checkout to the point where the archive can run: system packages, npm dependencies,
# private PostgreSQL + Redis, migrations and the web build. Shared by `npm run demo` and `npm test`.
# Honours CMVC_DATA_DIR / CMVC_PG_PORT / CMVC_REDIS_PORT (see scripts/services.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="prepare"
cd "$CMVC_REPO_ROOT"

bash scripts/setup-system.sh

# npm ci only when the installed tree is missing or older than the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  cmvc_log "installing npm dependencies"
  npm ci --no-audit --no-fund >&2
fi
bash scripts/generate.sh

bash scripts/services.sh start
eval "$(bash scripts/services.sh env)"
cmvc_log "applying database migrations"
npx --no-install prisma migrate deploy --config prisma/prisma.config.ts >&2

if [[ "${CMVC_SKIP_WEB_BUILD:-0}" != 1 ]]; then
  cmvc_log "building the web app"
  NEXT_TELEMETRY_DISABLED=1 npm run build -w @cmvc/web >&2
fi

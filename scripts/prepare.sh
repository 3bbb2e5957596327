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
if [[ ! -f packages/db/src/generated/client.ts || prisma/schema.prisma -nt packages/db/src/generated/client.ts ]]; then
  cmvc_log "generating the Prisma client"
  npx --no-install prisma generate --config prisma/prisma.config.ts >&2
fi
# The GraphQL types (codegen.ts) when missing or older than the schema, codegen.ts or a web operation.
graphql_outputs=(apps/api/src/schema/generated/graphql.ts apps/web/lib/generated/graphql.ts)
if [[ ! -f "${graphql_outputs[0]}" || ! -f "${graphql_outputs[1]}" ]] ||
  [[ -n "$(find apps/api/schema.graphql codegen.ts apps/web/lib apps/web/components apps/web/app \
    -not -path '*/generated/*' \( -newer "${graphql_outputs[0]}" -o -newer "${graphql_outputs[1]}" \) -print -quit)" ]]; then
  cmvc_log "generating the GraphQL types"
  npx --no-install graphql-codegen --config codegen.ts >&2
  touch "${graphql_outputs[@]}" # codegen leaves a file that did not change as it was
fi

bash scripts/services.sh start
eval "$(bash scripts/services.sh env)"
cmvc_log "applying database migrations"
npx --no-install prisma migrate deploy --config prisma/prisma.config.ts >&2

if [[ "${CMVC_SKIP_WEB_BUILD:-0}" != 1 ]]; then
  cmvc_log "building the web app"
  NEXT_TELEMETRY_DISABLED=1 npm run build -w @cmvc/web >&2
fi

#!/usr/bin/env bash
# `npm test`: prepares a private test environment the way `npm run demo` does (its own data
# directory and ports, so a running demo is left alone) and runs every test tier (vitest.config.ts:
# unit, codec, models, integration with the browser tests); arguments go to vitest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="test"
cd "$CMVC_REPO_ROOT"

# The unit tier alone needs no service (vitest.config.ts blanks DATABASE_URL and REDIS_URL): it
# runs at once (after writing any missing generated code), without starting PostgreSQL or Redis,
# migrating or building the web app.
unit_only=""
for ((i = 1; i <= $#; i++)); do
  case "${!i}" in
    --project=unit) unit_only="${unit_only:-yes}" ;;
    --project=*) unit_only=no ;;
    --project) next=$((i + 1)); if [[ "${!next:-}" == unit ]]; then unit_only="${unit_only:-yes}"; else unit_only=no; fi ;;
  esac
done
if [[ "$unit_only" == yes ]]; then
  bash scripts/generate.sh
  exec npx --no-install vitest run "$@"
fi

export CMVC_DATA_DIR="${CMVC_TEST_DATA_DIR:-$CMVC_REPO_ROOT/.test-data}"
export CMVC_PG_PORT="${CMVC_TEST_PG_PORT:-54339}"
export CMVC_REDIS_PORT="${CMVC_TEST_REDIS_PORT:-63809}"

bash scripts/prepare.sh
eval "$(bash scripts/services.sh env)"
export DATABASE_URL REDIS_URL

status=0
npx --no-install vitest run "$@" || status=$?
if [[ "${CMVC_KEEP_SERVICES:-0}" != 1 ]]; then bash scripts/services.sh stop; fi
exit "$status"

#!/usr/bin/env bash
# Writes the generated code git ignores — the Prisma client and the GraphQL types (codegen.ts) —
# when it is missing or older than what it is made from. Run by prepare.sh and by `npm test`'s
# unit-only path, which starts nothing else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="generate"
cd "$CMVC_REPO_ROOT"

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

#!/usr/bin/env bash
# `npm run demo`: from a fresh Debian machine with Node 20 to a running archive. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="demo"
cd "$CMVC_REPO_ROOT"

bash scripts/prepare.sh
eval "$(bash scripts/services.sh env)"

data_dir="${CMVC_DATA_DIR:-$CMVC_REPO_ROOT/.data}"
media_dir="$CMVC_REPO_ROOT/../shared/media"
if [[ ! -d "$media_dir" ]]; then
  media_dir="$data_dir/samples"
  if [[ ! -f "$media_dir/sample.mp4" ]]; then
    cmvc_log "no ../shared/media: generating a sample clip"
    mkdir -p "$media_dir"
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=8" \
      -pix_fmt yuv420p -c:v libx264 "$media_dir/sample.mp4"
  fi
fi
media_dir="$(cd "$media_dir" && pwd)"
export INGEST_ROOTS="${INGEST_ROOTS:+$INGEST_ROOTS:}$media_dir"

# Access control is on: the first run creates an admin login, kept (mode 600) for later runs.
credentials="$data_dir/admin-credentials"
if [[ ! -f "$credentials" ]]; then
  password="$(node -e "process.stdout.write(require('node:crypto').randomBytes(12).toString('base64url'))")"
  node --import tsx apps/api/scripts/admin.ts create-user admin@localhost --scope admin --password "$password" >&2
  (umask 077 && printf 'email: admin@localhost\npassword: %s\n' "$password" >"$credentials")
fi
ingest_token="$(node --import tsx apps/api/scripts/admin.ts create-token demo-ingest --scope ingest --replace)"

bash scripts/apps.sh start
cmvc_log "ingesting $media_dir"
node --import tsx scripts/ingest-folder.ts --api "http://127.0.0.1:${API_PORT:-4000}/graphql" --token "$ingest_token" "$media_dir" ||
  cmvc_log "some files were not accepted (see above)"

cat <<MSG

  cmvc archive is running: http://127.0.0.1:${WEB_PORT:-3000}/
  Sign in with:           $(tr '\n' ' ' <"$credentials")(kept in $credentials)
  GraphQL API:            http://127.0.0.1:${API_PORT:-4000}/graphql
  Logs:                   $data_dir/logs/
  Stop it with:           npm run stop

MSG

# Shared helpers for the cmvc-archive shell scripts. Source it; do not run it.
# Every message goes to stderr so stdout stays clean for machine-readable output.

CMVC_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

cmvc_log() {
  printf '[%s] %s\n' "${CMVC_LOG_TAG:-cmvc}" "$*" >&2
}

cmvc_die() {
  printf '[%s] error: %s\n' "${CMVC_LOG_TAG:-cmvc}" "$*" >&2
  exit 1
}

# Milliseconds since the epoch, for progress timings.
cmvc_now_ms() {
  date +%s%3N
}

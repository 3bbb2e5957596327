#!/usr/bin/env bash
# Installs the system software cmvc-archive needs on Debian 12 (bookworm):
# Debian packages, plus pgvector for PostgreSQL 15 built from Debian trixie's source package
# (bookworm ships no pgvector). Idempotent and a fast no-op when everything is present.
# The system's own apt sources are never modified: pgvector's source is fetched through a
# private, throw-away apt configuration.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CMVC_LOG_TAG="setup-system"

readonly PG_MAJOR=15
readonly PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
readonly VECTOR_CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"
readonly REQUIRED_PACKAGES=(
  "postgresql"
  "postgresql-server-dev-${PG_MAJOR}"
  "build-essential"
  "dpkg-dev"
  "redis-server"
  "ffmpeg"
  "chromium"
  "fonts-dejavu-core"
  "pocketsphinx"
  "pocketsphinx-en-us"
  "espeak-ng"
  "libjemalloc2"
)
readonly DEFAULT_DEBIAN_MIRROR="http://deb.debian.org/debian"
readonly PGVECTOR_SOURCE_SUITE="trixie"

started_ms="$(cmvc_now_ms)"

# Prints the packages of REQUIRED_PACKAGES that are not installed, one per line.
missing_packages() {
  local installed package
  # One dpkg-query call for all packages keeps the no-op path fast; unknown names print nothing.
  installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${REQUIRED_PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }' || true)"
  for package in "${REQUIRED_PACKAGES[@]}"; do
    if ! grep -qxF "$package" <<<"$installed"; then
      printf '%s\n' "$package"
    fi
  done
}

# Sets the global AS_ROOT to the command prefix that runs a command as root ("" when root).
# Fails with the given explanation when neither root nor sudo is available.
resolve_root_prefix() {
  local what="$1"
  if [[ "$(id -u)" -eq 0 ]]; then
    AS_ROOT=()
  elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
  else
    cmvc_die "root privileges are needed to ${what}, and sudo is not available. Run as root: $0"
  fi
}

# The Debian mirror URI of the system's own apt sources (deb822 or one-line format).
system_debian_mirror() {
  local uri=""
  if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
    # First URIs of a stanza that is not the security archive.
    uri="$(awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) {
            sub(/^URIs:[ \t]*/, "", $i); split($i, uris, /[ \t]+/)
            if (uris[1] !~ /security/) { print uris[1]; exit }
          }
        }
      }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    uri="$(awk '
      $1 == "deb" || $1 == "deb-src" {
        for (i = 2; i <= NF; i++) {
          if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; continue }
          if ($i !~ /security/) print $i
          break
        }
      }' /etc/apt/sources.list | head -n 1)"
  fi
  printf '%s\n' "${uri:-$DEFAULT_DEBIAN_MIRROR}"
}

install_debian_packages() {
  local -a missing=("$@")
  resolve_root_prefix "install Debian packages (${missing[*]})"
  cmvc_log "installing Debian packages: ${missing[*]}"
  "${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  "${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

install_pgvector() {
  resolve_root_prefix "build and install pgvector into PostgreSQL ${PG_MAJOR}"
  local work_dir mirror
  work_dir="$(mktemp -d -t cmvc-pgvector.XXXXXX)"
  # apt drops privileges to _apt while downloading, so it must be able to enter the work dir.
  chmod 0755 "$work_dir"
  trap 'rm -rf "$work_dir"' EXIT
  mirror="$(system_debian_mirror)"
  cmvc_log "building pgvector from Debian ${PGVECTOR_SOURCE_SUITE} source (${mirror}) in ${work_dir}"

  mkdir -p "$work_dir/sources.list.d" "$work_dir/lists/partial" "$work_dir/download"
  printf 'deb-src %s %s main\n' "$mirror" "$PGVECTOR_SOURCE_SUITE" >"$work_dir/sources.list"
  if id _apt >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]]; then
    chown -R _apt "$work_dir/lists" "$work_dir/download"
  fi
  local -a private_apt=(
    -o "Dir::Etc::SourceList=$work_dir/sources.list"
    -o "Dir::Etc::SourceParts=$work_dir/sources.list.d"
    -o "Dir::State::Lists=$work_dir/lists"
  )
  "${AS_ROOT[@]}" apt-get "${private_apt[@]}" update -qq >&2
  (cd "$work_dir/download" && "${AS_ROOT[@]}" apt-get "${private_apt[@]}" source --download-only -qq pgvector >&2)

  local dsc
  dsc="$(find "$work_dir/download" -maxdepth 1 -name 'pgvector_*.dsc' | head -n 1)"
  [[ -n "$dsc" ]] || cmvc_die "apt-get source did not download a pgvector .dsc from ${mirror} ${PGVECTOR_SOURCE_SUITE}"
  cmvc_log "unpacking $(basename "$dsc")"
  # gpgv may warn that it cannot check the .dsc signature; apt already verified the checksums.
  dpkg-source --no-check -x "$dsc" "$work_dir/src" >&2

  cmvc_log "compiling pgvector against $("$PG_CONFIG" --version)"
  # OPTFLAGS="" avoids -march=native so the library runs on any x86-64 machine.
  make -s -C "$work_dir/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" -j"$(nproc)" >&2
  "${AS_ROOT[@]}" make -s -C "$work_dir/src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" install >&2
  [[ -f "$VECTOR_CONTROL" ]] || cmvc_die "pgvector installed but ${VECTOR_CONTROL} is still missing"
  rm -rf "$work_dir"
  trap - EXIT
  cmvc_log "pgvector $(awk -F"'" '/default_version/ { print $2 }' "$VECTOR_CONTROL") installed"
}

main() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    install_debian_packages "${missing[@]}"
  fi
  if [[ ! -f "$VECTOR_CONTROL" ]]; then
    install_pgvector
  fi
  cmvc_log "system ready ($(($(cmvc_now_ms) - started_ms)) ms)"
}

main "$@"

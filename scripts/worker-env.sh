#!/usr/bin/env bash
# Runs a command with the worker's process environment: the settings that must be in place before
# the process starts (the dynamic loader and the C library read them once), so the archive's config
# cannot apply them.
#   bash scripts/worker-env.sh node --import tsx workers/src/main.ts
#
# WORKER_MALLOC (jemalloc | glibc, default jemalloc): the memory allocator of the worker and of its
# ffmpeg and PocketSphinx children. glibc's malloc keeps memory the worker has freed (decoded
# frames, ONNX Runtime's tensors, pipe chunks) inside its arenas: at the encode's peak about 160 MiB
# of the worker's 850 MiB was free but still held. jemalloc (Debian package libjemalloc2, preloaded)
# with MALLOC_CONF below hands freed pages back to the system within a second: the encode's peak,
# worker and children together, fell by 85–95 MiB on a quiet machine, and the encode's CPU (worker
# and children) by 15–20 % (docs/BENCHMARKS.md, issue-15j).
# When the library is missing, the worker runs on glibc's malloc and says so on stderr.
# MALLOC_ARENA_MAX: glibc gives a multi-threaded process up to 8 malloc arenas per core, each keeping
# freed memory of its own; 2 held 10–170 MiB less (issue-15m2). It applies to whatever glibc's
# malloc still serves.
# NODE_OPTIONS gets --max-semi-space-size=4 (MiB): V8's young generation of the main thread and the
# describer thread grows to 16 MiB per semi-space by default; 4 held ~60–90 MiB less at the encode's
# peak, at no CPU cost measurable against run-to-run spread (issue-15j). The caller's NODE_OPTIONS
# come after it, so a flag there wins. Values already in the environment win.
set -euo pipefail

readonly JEMALLOC_CONF="background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"

# Prints the path of libjemalloc.so.2 in the system's library directories, or nothing.
find_jemalloc() {
  local dir
  for dir in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib; do
    if [[ -e "$dir/libjemalloc.so.2" ]]; then
      printf '%s\n' "$dir/libjemalloc.so.2"
      return
    fi
  done
}

case "${WORKER_MALLOC:-jemalloc}" in
  jemalloc)
    jemalloc="$(find_jemalloc)"
    if [[ -n "$jemalloc" ]]; then
      export LD_PRELOAD="${jemalloc}${LD_PRELOAD:+:$LD_PRELOAD}"
      export MALLOC_CONF="${MALLOC_CONF:-$JEMALLOC_CONF}"
    else
      echo "worker-env: libjemalloc.so.2 not found (Debian package libjemalloc2): the worker uses glibc's malloc" >&2
    fi
    ;;
  glibc) ;;
  *)
    echo "worker-env: WORKER_MALLOC must be jemalloc or glibc, not '${WORKER_MALLOC}'" >&2
    exit 64
    ;;
esac
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export NODE_OPTIONS="--max-semi-space-size=4${NODE_OPTIONS:+ $NODE_OPTIONS}"
exec "$@"

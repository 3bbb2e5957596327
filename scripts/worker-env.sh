#!/usr/bin/env bash
# Runs a command with the worker's process environment: the settings that must be in place before
# the process starts (the C library reads them once), so the archive's config cannot apply them.
#   bash scripts/worker-env.sh node --import tsx workers/src/main.ts
# MALLOC_ARENA_MAX: glibc gives a multi-threaded process up to 8 malloc arenas per core (the worker
# has ONNX Runtime's, the describer thread's and libuv's threads), each keeping freed memory of its
# own; 2 held 10–170 MiB less in the worker at the encode's peak (docs/BENCHMARKS.md). A value
# already in the environment wins.
set -euo pipefail
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec "$@"

#!/usr/bin/env bash
# Install dependencies, build with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (the `asan` preset: build-asan/, RelWithDebInfo, DNMF_SANITIZE=ON) and run the whole test suite
# through CTest under them, MPI and script-driven tests included. Suppressions and options:
# config/sanitizers/, cmake/DnmfSanitizers.cmake.
# Usage: scripts/test-sanitizers.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DNMF_WITH_DATASET=0 "$root/scripts/install-deps.sh"
cd "$root"
start=$(date +%s)
cmake --preset asan >/dev/null
cmake --build --preset asan -j "${DNMF_JOBS:-$(nproc)}"
built=$(date +%s)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
rc=0
ctest --preset asan -j "${DNMF_TEST_JOBS:-2}" "$@" || rc=$?
echo "test-sanitizers: build $((built - start)) s, tests $(($(date +%s) - built)) s"
exit $rc

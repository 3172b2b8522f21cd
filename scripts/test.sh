#!/usr/bin/env bash
# Install dependencies, build, and run the whole test suite through CTest.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DNMF_WITH_DATASET=0 "$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "${DNMF_BUILD_DIR:-$root/build}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
ctest --output-on-failure -j "${DNMF_TEST_JOBS:-2}" "$@"

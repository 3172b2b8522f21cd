#!/usr/bin/env bash
# Configure and build dnmf into build/ (Release). Extra arguments go to the CMake configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DNMF_BUILD_DIR:-$root/build}
jobs=${DNMF_JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$jobs"
echo "build: $build/bin/dnmf"
# The Python package (build/python/dnmf) on /usr/bin/python3's path.
[ "${DNMF_PYTHON_PTH:-1}" = 0 ] || "$root/scripts/install-python-path.sh" "$build"

#!/usr/bin/env bash
# Makes Debian's /usr/bin/python3 find the dnmf package built in BUILD/python, from any folder:
# writes dnmf.pth (one line, that folder's path) into the /usr/local/lib/python3.X/dist-packages
# that /usr/bin/python3 reads. Called by scripts/build.sh; DNMF_PYTHON_PTH=0 skips it. Without
# write access it prints the PYTHONPATH line to use instead.
set -euo pipefail
build=${1:?usage: install-python-path.sh BUILD_DIR}
pkg=$(cd "$build" && pwd)/python
if ! ls "$pkg"/dnmf/_core*.so >/dev/null 2>&1; then
  echo "python: dnmf._core was not built (pybind11-dev, python3-pybind11, python3-mpi4py missing?)"
  exit 0
fi
site=$(/usr/bin/python3 -c 'import sys
print(next((p for p in sys.path
            if p.startswith("/usr/local/lib/python3") and p.endswith("dist-packages")), ""))')
if [ -n "$site" ] && mkdir -p "$site" 2>/dev/null && [ -w "$site" ]; then
  echo "$pkg" >"$site/dnmf.pth"
  echo "python: /usr/bin/python3 imports dnmf from $pkg ($site/dnmf.pth)"
else
  echo "python: cannot write to ${site:-/usr/local/lib/python3*/dist-packages}; use PYTHONPATH=$pkg"
fi

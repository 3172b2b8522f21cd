#!/usr/bin/env bash
# The README's main job: install, build, convert Debian's Fashion-MNIST (70000 x 784) to HDF5,
# fit k=20 components on 2 ranks and save them as a PNG of 28x28 tiles.
# Usage: scripts/fashion-mnist.sh [extra dnmf fit options]   (outputs in out/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DNMF_OUT:-$root/out}
ranks=${DNMF_RANKS:-2}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
mkdir -p "$out"
[ -f "$out/fashion-mnist.h5" ] ||
  /usr/bin/python3 "$root/scripts/fashion_mnist_to_h5.py" --output "$out/fashion-mnist.h5"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpirun -np "$ranks" --oversubscribe "$root/build/bin/dnmf" fit "$out/fashion-mnist.h5:/X" \
  --n-components 20 --solver mu --init random --random-state 0 --max-iter 200 --verbose \
  --output "$out/fashion-mnist-k20.h5" "$@"
/usr/bin/python3 "$root/scripts/components_png.py" "$out/fashion-mnist-k20.h5" \
  --output "$out/fashion-mnist-k20.png"

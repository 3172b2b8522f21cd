#!/usr/bin/env bash
# Seconds per MU iteration, dnmf against scikit-learn, on the same data and starting point.
# Usage: scripts/bench/mu_vs_sklearn.sh [INPUT.h5] [K] [ITERS] [RANKS]
# Default: Fashion-MNIST (made by scripts/fashion-mnist.sh), k=20, 50 iterations, 2 ranks vs
# scikit-learn with 2 BLAS threads. Prints both JSON lines and the ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
input=${1:-$root/out/fashion-mnist.h5}
k=${2:-20}
iters=${3:-50}
ranks=${4:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/scripts/sklearn_init.py" "$input" "$work/init.h5" --n-components "$k" >&2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ours=$(OPENBLAS_NUM_THREADS=1 mpirun -np "$ranks" --oversubscribe "$root/build/bin/dnmf" fit "$input" \
  --n-components "$k" --solver mu --init custom --init-W "$work/init.h5:/W0" \
  --init-H "$work/init.h5:/H0" --tol 0 --max-iter "$iters" --output "$work/model.h5" |
  sed -n 's/.*(\([0-9.e+-]*\) s\/iter).*/\1/p')
echo "{\"tool\": \"dnmf\", \"solver\": \"mu\", \"seconds_per_iter\": $ours, \"iters\": $iters, \"ranks\": $ranks}"
theirs_json=$(/usr/bin/python3 "$root/scripts/bench/sklearn_time.py" "$input" \
  --init-W "$work/init.h5:/W0" --init-H "$work/init.h5:/H0" --iters "$iters" --threads "$ranks")
echo "$theirs_json"
theirs=$(echo "$theirs_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds_per_iter"])')
/usr/bin/python3 -c "print('speed-up of dnmf over scikit-learn per iteration: %.2fx' % ($theirs / $ours))"

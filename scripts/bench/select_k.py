#!/usr/bin/python3
"""Wall time of `dnmf select-k` on one data set at several rank counts, in one run, and the
speed-up over 1 rank (issue #17). Every run uses the same seeds, so they fit the same tasks;
the script checks that they choose the same k.

    flock /tmp/dnmf-bench.lock /usr/bin/python3 scripts/bench/select_k.py \\
        [--input out/digits.h5] [--k 2:20:2] [--replicates 3] [--ranks 1,2,4]

Without --input it writes scikit-learn's digits (1797 x 64) to out/digits.h5. Ranks above the
machine's cores are oversubscribed: the speed-up stops at the core count."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DNMF = os.path.join(REPO, "build", "bin", "dnmf")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input")
    ap.add_argument("--k", default="2:20:2")
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--ranks", default="1,2,4")
    ap.add_argument("--group-size", type=int, default=1)
    args = ap.parse_args()
    x = args.input
    if x is None:
        from sklearn.datasets import load_digits
        x = os.path.join(REPO, "out", "digits.h5")
        os.makedirs(os.path.dirname(x), exist_ok=True)
        if not os.path.exists(x):
            with h5py.File(x, "w") as f:
                f["X"] = load_digits().data
    print(f"select-k on {x}: --k {args.k} --replicates {args.replicates} "
          f"--group-size {args.group_size}; {os.cpu_count()} cores")
    base = None
    chosen = set()
    with tempfile.TemporaryDirectory() as tmp:
        for p in (int(r) for r in args.ranks.split(",")):
            out = os.path.join(tmp, f"sel{p}.h5")
            t = time.perf_counter()
            subprocess.run(["mpirun", "-n", str(p), DNMF, "select-k", x, "--k", args.k,
                            "--replicates", str(args.replicates), "--group-size",
                            str(min(args.group_size, p)), "--output", out],
                           check=True, env=ENV, capture_output=True)
            wall = time.perf_counter() - t
            with h5py.File(out, "r") as f:
                k = int(f.attrs["chosen_k"])
                fits = float(f["tasks"]["seconds"][()].sum())
            chosen.add(k)
            base = base or wall
            print(f"  P={p}: {wall:7.2f} s wall (fits {fits:7.2f} s summed), speed-up over P=1 "
                  f"{base / wall:5.2f}x, chosen k={k}", flush=True)
    if len(chosen) != 1:
        print(f"the rank counts chose different k: {sorted(chosen)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

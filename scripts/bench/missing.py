#!/usr/bin/python3
"""Cost per iteration of NMF on the observed entries only (issue #16) next to the unmasked fit,
on Fashion-MNIST (70000 x 784) with a fraction of its entries hidden at random.

For mu (Frobenius) and anls-bpp it runs `dnmf fit` on 2 ranks without a mask and with
`--mask`, from the same random init, for a few iterations (tol 0), and prints the seconds per
iteration of each (the summary line's s/iter) and their ratio. Run it under the bench lock:

  flock /tmp/dnmf-bench.lock /usr/bin/python3 scripts/bench/missing.py \
      --input out/fashion-mnist.h5 [--missing 0.2] [--ranks 2] [--iters 10]

Environment: DNMF_BIN (default <repo>/build/bin/dnmf), DNMF_MPIEXEC (default mpiexec).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests"))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)


def seconds_per_iter(ranks, args):
    p = subprocess.run([MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF_BIN] + args,
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"dnmf failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    m = re.search(r"\(([0-9.eE+-]+) s/iter\)", p.stdout)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True, help="Fashion-MNIST as HDF5 (object /X)")
    ap.add_argument("--missing", type=float, default=0.2, help="fraction hidden (default 0.2)")
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--iters", type=int, default=10, help="mu's iterations (default 10)")
    ap.add_argument("--iters-anls", type=int, default=3,
                    help="anls-bpp's iterations (default 3: a masked one forms 70000 Grams)")
    ap.add_argument("--k", type=int, default=20)
    opts = ap.parse_args()
    with h5py.File(opts.input, "r") as f:
        shape = f["X"].shape
    with tempfile.TemporaryDirectory(prefix="dnmf-missing-bench-") as tmp:
        mask = os.path.join(tmp, "mask.h5")
        with h5py.File(mask, "w") as f:  # one byte per entry
            f["M"] = (np.random.RandomState(0).rand(*shape) >= opts.missing).astype(np.uint8)
        print(f"Fashion-MNIST {shape[0]} x {shape[1]}, k={opts.k}, {opts.ranks} ranks, "
              f"{opts.missing:.0%} missing")
        print(f"{'solver':10} {'unmasked s/it':>14} {'masked s/it':>12} {'ratio':>7}")
        for solver, iters in (("mu", opts.iters), ("anls-bpp", opts.iters_anls)):
            base = ["fit", opts.input + ":/X", "--n-components", str(opts.k), "--solver", solver,
                    "--init", "random", "--random-state", "0", "--max-iter", str(iters),
                    "--tol", "0", "--output", os.path.join(tmp, "model.h5")]
            plain = seconds_per_iter(opts.ranks, base)
            masked = seconds_per_iter(opts.ranks, base + ["--mask", mask + ":/M"])
            print(f"{solver:10} {plain:14.4f} {masked:12.4f} {masked / plain:7.2f}"
                  f"  ({iters} iterations)", flush=True)


if __name__ == "__main__":
    main()

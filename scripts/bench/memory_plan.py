#!/usr/bin/python3
"""`dnmf info`'s memory plan per rank against the peak RSS per rank that `fit --verbose`
measures, for each solver at k = 20 and k = 2000 (random init, 2 iterations), dense and sparse.

Usage: /usr/bin/python3 scripts/bench/memory_plan.py [--ranks 2] [--work DIR] [--quick]
Environment: DNMF_BIN (default <repo>/build/bin/dnmf), DNMF_MPIEXEC (default mpiexec).
Prints one row per case: plan, measured max and avg peak RSS (MiB) and plan / measured max.
--quick runs the k = 20 cases only (the k = 2000 ones take minutes on 2 cores).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests"))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

UNITS = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "TiB": 2**20}

# name, input, solver options, ks. anls-bpp solves a k x k system per row (O(k^3)), so its
# large case is k = 200 rather than 2000.
CASES = [
    ("cd", "dense.h5", ["--solver", "cd"], (20, 2000)),
    ("mu", "dense.h5", ["--solver", "mu"], (20, 2000)),
    ("mu KL", "dense.h5", ["--solver", "mu", "--beta-loss", "kullback-leibler"], (20, 2000)),
    ("anls-bpp", "dense.h5", ["--solver", "anls-bpp"], (20, 200)),
    ("cd sparse", "sparse.h5", ["--solver", "cd"], (20, 2000)),
    ("mu sparse", "sparse.h5", ["--solver", "mu"], (20, 2000)),
]


def make_inputs(work):
    dense, sparse = os.path.join(work, "dense.h5"), os.path.join(work, "sparse.h5")
    if not os.path.exists(dense):
        with h5py.File(dense, "w") as f:
            f["X"] = np.random.default_rng(0).random((4000, 2500))
    if not os.path.exists(sparse):
        s = sp.random(20000, 5000, density=0.01, random_state=1, format="csr")
        with h5py.File(sparse, "w") as f:
            g = f.create_group("X")
            g["data"], g["indices"], g["indptr"] = s.data, s.indices, s.indptr
            g.attrs["shape"] = np.array(s.shape, dtype=np.int64)
            g.attrs["encoding-type"] = "csr_matrix"


def run(argv, cwd):
    res = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {res.returncode}: {res.stderr[-500:]}")
    return res.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--work", help="folder for the inputs (default: a temporary one)")
    ap.add_argument("--quick", action="store_true", help="only k = 20")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="dnmf-memory-")
    os.makedirs(work, exist_ok=True)
    make_inputs(work)
    print(f"{'case':<10} {'k':>5} {'plan MiB':>9} {'RSS max':>8} {'RSS avg':>8} {'plan/max':>8}")
    for name, data, opts, ks in CASES:
        for k in ks:
            if args.quick and k != 20:
                continue
            common = ["--n-components", str(k), *opts, "--init", "random"]
            info = run([DNMF_BIN, "info", data, "--ranks", str(args.ranks), *common], work)
            m = re.search(r"about ([\d.]+) (\w+) at peak", info)
            plan = float(m.group(1)) * UNITS[m.group(2)]
            out = run([MPIEXEC, "-n", str(args.ranks), DNMF_BIN, "fit", data, *common,
                       "--max-iter", "2", "--random-state", "0", "-v", "-o", "model.h5"], work)
            m = re.search(r"peak RSS per rank: min ([\d.]+) MiB\s+avg ([\d.]+) MiB\s+max ([\d.]+)",
                          out)
            avg, peak = float(m.group(2)), float(m.group(3))
            print(f"{name:<10} {k:>5} {plan:>9.1f} {peak:>8.1f} {avg:>8.1f} {plan / peak:>8.2f}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""At 64 ranks through the CLI (issue #18): a fit stopped by SIGUSR1 at 64 ranks and resumed
on 3 ends where an uninterrupted 3-rank run ends (1e-10 relative), and `dnmf transform` at 64
ranks gives the 1-rank W (1e-12 relative). Small matrices: 64 oversubscribed ranks on 2 cores.
Ends with `N passed, M failed`."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, DNMF_TEST_DRIVER, MPIEXEC  # noqa: E402

os.environ.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")  # 64 ranks waiting on 2 cores
RESULTS = []


def record(name, ok, detail=""):
    RESULTS.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name:55s} {detail}", flush=True)


def dnmf(ranks, args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    exe = DNMF_TEST_DRIVER if env_extra else DNMF_BIN
    p = subprocess.run([MPIEXEC, "-n", str(ranks), "--oversubscribe", exe] + args,
                       capture_output=True, text=True, timeout=600, env=env)
    return p.returncode, p.stdout + p.stderr


def rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main():
    with tempfile.TemporaryDirectory(prefix="dnmf-scale-cli-") as tmp:
        data = os.path.join(tmp, "x.h5")
        with h5py.File(data, "w") as f:
            f["X"] = np.abs(np.random.default_rng(8).standard_normal((256, 96)))
        base = ["fit", data, "--n-components", "4", "--solver", "mu", "--init", "random",
                "--random-state", "2", "--tol", "0", "--max-iter", "30"]
        ref = os.path.join(tmp, "ref.h5")
        rc, out = dnmf(3, base + ["--output", ref])
        record("uninterrupted fit on 3 ranks", rc == 0, out[-300:] if rc else "")
        ck, model = os.path.join(tmp, "ck.h5"), os.path.join(tmp, "m.h5")
        cmd = base + ["--output", model, "--checkpoint", ck]
        rc, out = dnmf(64, cmd, {"DNMF_TEST_SIGNAL_AFTER_ITERATION": "12"})
        with h5py.File(ck, "r") if os.path.exists(ck) else open(os.devnull) as f:
            it = int(f.attrs["iteration"]) if rc == 75 else -1
        record("64 ranks: SIGUSR1 after iteration 12, exit 75", rc == 75 and it == 12,
               f"exit {rc}, checkpoint at iteration {it}")
        rc, out = dnmf(3, cmd + ["--resume", ck])
        if rc == 0 and os.path.exists(ref):
            with h5py.File(model, "r") as a, h5py.File(ref, "r") as b:
                d = max(rel(a["W"][()], b["W"][()]), rel(a["H"][()], b["H"][()]))
                same_iter = int(a.attrs["n_iter_"]) == int(b.attrs["n_iter_"])
            record("resumed on 3 ranks: the 3-rank run", d <= 1e-10 and same_iter,
                   f"max relative difference {d:.1e}")
        else:
            record("resumed on 3 ranks: the 3-rank run", False, out[-300:])
        w1, w64 = os.path.join(tmp, "w1.h5"), os.path.join(tmp, "w64.h5")
        rc1, out1 = dnmf(1, ["transform", "--model", ref, data, "--output", w1])
        rc64, out64 = dnmf(64, ["transform", "--model", ref, data, "--output", w64])
        if rc1 == 0 and rc64 == 0:
            with h5py.File(w1, "r") as a, h5py.File(w64, "r") as b:
                d = rel(b["W"][()], a["W"][()])
            record("transform at 64 ranks: the 1-rank W", d <= 1e-12,
                   f"max relative difference {d:.1e}")
        else:
            record("transform at 64 ranks: the 1-rank W", False, (out1 + out64)[-300:])
    print(f"{sum(RESULTS)} passed, {len(RESULTS) - sum(RESULTS)} failed")
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())

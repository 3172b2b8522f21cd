#!/usr/bin/python3
"""A full disk while dnmf writes an output: every rank must end within 10 s with exit 4 and a
message that says so, leave no temporary file behind, and leave an existing output byte for byte
as it was. Covers fit's model, transform's and inverse-transform's outputs and a checkpoint, at
1 to 4 ranks.

The small file system is a tmpfs mounted for the test (root only). Where it cannot be mounted
the test reports itself skipped (exit 77, CTest's SKIP_RETURN_CODE), never passed.

Ends with `N passed, M failed`; exits non-zero on any failure.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN as DNMF, MPIEXEC  # noqa: E402  (sets the launch environment)

SKIP = 77
DEADLINE = 10.0  # seconds a failed write may take to end every rank
results = []


def record(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name:52s} {detail}", flush=True)


def run(ranks, args):
    start = time.perf_counter()
    try:
        p = subprocess.run([MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF] + args,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr, time.perf_counter() - start
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode() + (e.stderr or b"").decode()
        subprocess.run(["pkill", "-9", "-f", DNMF + " "], check=False)
        return None, out, time.perf_counter() - start


def mount_small(path, size):
    os.makedirs(path, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                       capture_output=True, text=True)
    return p.returncode == 0


def main():
    work = tempfile.mkdtemp(prefix="dnmf_diskfull_")
    small = os.path.join(work, "small")
    if os.geteuid() != 0 or not mount_small(small, "640k"):
        print("skipped: cannot mount a small tmpfs here (needs root)")
        shutil.rmtree(work, ignore_errors=True)
        return SKIP
    try:
        rng = np.random.default_rng(7)
        x = os.path.join(work, "x.h5")  # 30000 x 40: W (1.2 MB at k=5) cannot fit in 640 KiB
        with h5py.File(x, "w") as f:
            f["X"] = rng.random((30000, 40))
        model = os.path.join(work, "model.h5")
        code, out, _ = run(1, ["fit", x, "--n-components", "5", "--max-iter", "3", "--output",
                               model])
        if code != 0:
            record("setup: a model to transform with", False, out[-400:])
            return 1
        # An existing output on the small disk: it must survive every failed run.
        keep = os.path.join(small, "out.h5")
        with open(keep, "wb") as f:
            f.write(b"an existing output that must stay as it is\n" * 100)
        before = open(keep, "rb").read()
        cases = {
            "fit --output": ["fit", x, "--n-components", "5", "--max-iter", "3", "--output", keep],
            "transform --output": ["transform", "--model", model, x, "--output", keep],
            "inverse-transform --output": ["inverse-transform", "--model", model,
                                           f"{model}:/W", "--output", keep],
            "fit --checkpoint": ["fit", x, "--n-components", "5", "--max-iter", "6",
                                 "--checkpoint", keep, "--checkpoint-every", "2",
                                 "--output", os.path.join(work, "m2.h5")],
        }
        for name, args in cases.items():
            for ranks in (1, 2, 3, 4):
                code, out, secs = run(ranks, args)
                left = [f for f in os.listdir(small) if f != "out.h5"]
                same = open(keep, "rb").read() == before
                ok = (code == 4 and secs <= DEADLINE and not left and same and
                      "disk full?" in out)
                detail = f"exit {code} in {secs:.1f} s"
                if left:
                    detail += f", left {left}"
                if not same:
                    detail += ", existing output changed"
                if "disk full?" not in out:
                    detail += ", no 'disk full?' in: " + out.strip()[-300:].replace("\n", " | ")
                record(f"{name} at {ranks} ranks", ok, detail)
    finally:
        subprocess.run(["umount", small], check=False)
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

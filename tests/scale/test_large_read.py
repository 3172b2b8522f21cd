#!/usr/bin/python3
"""One rank reading more than 2 GiB of X through parallel HDF5 (issue #18's 32-bit limits):
MPI-IO counts are int, so a read of 2^31 bytes or more must be split or typed so that no count
overflows. X is 18000 x 16000 float64 (2.30 GB, 2^31 bytes is 2.15 GB), written here in row
slabs with a closed-form value per entry; `dnmf fit` on one rank (k = 1, one mu iteration) must
succeed, and its reconstruction error must equal the one NumPy computes from the model's W and
H and the same formula for X (1e-12 relative): a wrong or short read changes it.

Then a sparse X of 60000 x 40000 (2.4e9 entries, above 2^31) with 1.5 M stored values, fitted
on one rank (one block of more than 2^31 entries, where an int product of a row and a column
index overflows) and on a 2 x 2 grid (blocks of 6e8 entries): the factors must agree to 1e-12,
and the error must be NumPy's from the model. A dense block of more than 2^31 entries needs
8.6 GB (float32), beyond CI's disk and time: `test_large_read.py --dense-over-2-31` runs that
case alone (46400 x 46400 float32 on one rank; 18 GB of disk, 10 GB of memory). The
collectives of more than 2^31 elements are `scale_tests_large_collectives`.
Ends with `N passed, M failed`. Needs about 5 GB of free disk in the temporary folder and
3 GB of memory."""
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
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402

ROWS, COLS, DTYPE = 18000, 16000, "f8"
SLAB = 1000  # rows per write and per check (128 MB)
RESULTS = []


def record(name, ok, detail=""):
    RESULTS.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name:55s} {detail}", flush=True)


def slab(r0, r1):
    """X[r0:r1]: positive, no two neighbours alike, so a shifted or truncated read shows."""
    i = np.arange(r0, r1, dtype=np.int64)[:, None]
    j = np.arange(COLS, dtype=np.int64)[None, :]
    return (((i * 7919 + j * 104729) % 1009 + 1).astype(np.float64) / 1009.0).astype(DTYPE)


def sparse_block(folder):
    m, n, nnz = 60000, 40000, 1_500_000
    rng = np.random.RandomState(5)
    # Entries spread over the whole block, including its last rows and columns.
    flat = np.unique(rng.randint(0, m * n, size=nnz, dtype=np.int64))
    flat[-1] = m * n - 1
    rows, cols = flat // n, flat % n
    vals = rng.rand(len(flat)) + 0.5
    indptr = np.searchsorted(rows, np.arange(m + 1)).astype(np.int64)
    x = os.path.join(folder, "sparse.h5")
    with h5py.File(x, "w") as f:
        g = f.create_group("X")
        g["data"], g["indices"], g["indptr"] = vals, cols.astype(np.int64), indptr
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["shape"] = np.array([m, n], dtype=np.int64)
    models = {}
    for ranks, grid in ((1, "1x1"), (4, "2x2")):
        model = os.path.join(folder, f"sparse-{ranks}.h5")
        t0 = time.perf_counter()
        p = subprocess.run([MPIEXEC, "--oversubscribe", "-n", str(ranks), DNMF_BIN, "fit", x,
                            "--n-components", "3", "--solver", "mu", "--init", "random",
                            "--random-state", "1", "--max-iter", "20", "--tol", "0", "--grid",
                            grid, "--output", model],
                           capture_output=True, text=True, timeout=900)
        ok = p.returncode == 0
        record(f"sparse {m} x {n} ({m * n / 1e9:.1f}e9 entries) on a {grid} grid", ok,
               f"exit {p.returncode}, {time.perf_counter() - t0:.1f} s"
               + ("" if ok else "\n" + p.stdout[-800:] + p.stderr[-800:]))
        if not ok:
            return
        with h5py.File(model, "r") as f:
            models[grid] = (f["W"][()], f["H"][()], float(f.attrs["reconstruction_err_"]))
    (W, H, err), (W4, H4, err4) = models["1x1"], models["2x2"]
    diff = max(np.abs(W - W4).max() / np.abs(W4).max(), np.abs(H - H4).max() / np.abs(H4).max())
    record("one block of 2.4e9 entries gives the 2 x 2 grid's factors", diff <= 1e-12,
           f"max relative difference {diff:.2e}")
    # ||X - WH||^2 = ||X||^2 - 2 <X, WH> + <W^T W, H H^T>, with <X, WH> over the stored entries
    cross = float(np.sum(vals * np.einsum("ij,ji->i", W[rows], H[:, cols])))
    ref = np.sqrt(max(float(vals @ vals) - 2 * cross + float(np.sum((W.T @ W) * (H @ H.T))), 0))
    record("its error is NumPy's from the stored values", abs(err - ref) <= 1e-9 * ref,
           f"{err!r} vs {ref!r}")


def main():
    global ROWS, COLS, DTYPE
    dense_only = "--dense-over-2-31" in sys.argv[1:]
    if dense_only:  # 2.15e9 entries, above 2^31, as float32
        ROWS, COLS, DTYPE = 46400, 46400, "f4"
    size = ROWS * COLS * np.dtype(DTYPE).itemsize
    folder = tempfile.mkdtemp(prefix="dnmf-large-read-")
    try:
        free = shutil.disk_usage(folder).free
        if free < 2 * size + 2**29:
            record(f"free disk for a {size / 1e9:.2f} GB input and its model", False,
                   f"{free / 2**30:.1f} GiB free in {folder}")
            return 1
        x = os.path.join(folder, "x.h5")
        t0 = time.perf_counter()
        with h5py.File(x, "w") as f:
            d = f.create_dataset("X", (ROWS, COLS), dtype=DTYPE)  # contiguous: one extent
            for r0 in range(0, ROWS, SLAB):
                d[r0:r0 + SLAB] = slab(r0, min(r0 + SLAB, ROWS))
        written = time.perf_counter() - t0
        model = os.path.join(folder, "model.h5")
        t0 = time.perf_counter()
        p = subprocess.run([MPIEXEC, "-n", "1", DNMF_BIN, "fit", x, "--n-components", "1",
                            "--solver", "mu", "--init", "random", "--random-state", "0",
                            "--max-iter", "1", "--tol", "0", "--output", model],
                           capture_output=True, text=True, timeout=900)
        secs = time.perf_counter() - t0
        ok = p.returncode == 0
        what = ("a block of %.3g entries (above 2^31)" % (ROWS * COLS) if dense_only else
                "a %.2f GB block (above 2^31 bytes)" % (size / 1e9))
        record("one rank reads " + what, ok,
               f"exit {p.returncode}, {secs:.1f} s (written in {written:.1f} s)"
               + ("" if ok else "\n" + p.stdout[-800:] + p.stderr[-800:]))
        if not ok:
            return 1
        with h5py.File(model, "r") as f:
            W, H = f["W"][()], f["H"][()]
            err = float(f.attrs["reconstruction_err_"])
        sq = 0.0
        for r0 in range(0, ROWS, SLAB):
            xs = slab(r0, min(r0 + SLAB, ROWS)).astype(np.float64)
            sq += float(np.sum((xs - W[r0:r0 + SLAB].astype(np.float64) @ H) ** 2))
        ref = np.sqrt(sq)
        tol = 1e-5 if dense_only else 1e-12  # float32: dnmf sums in float32
        record("its error is NumPy's from the written values", abs(err - ref) <= tol * ref,
               f"{err!r} vs {ref!r}")
        os.remove(x)
        if not dense_only:
            sparse_block(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    failed = RESULTS.count(False)
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

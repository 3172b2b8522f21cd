#!/usr/bin/python3
"""dnmf.NMF(comm=MPI.COMM_WORLD) under mpirun at P ranks against the CLI and scikit-learn.

For P ranks this script writes small inputs (dense and sparse, in HDF5 for the CLI and the path
form, as .npy/.npz for the row-block form), runs `mpirun -np P dnmf fit/transform` for each case
and grid, runs every case once through Python (mpi_worker.py, under the same mpirun) and checks:
  - path form ("file.h5:/X", every grid PR x PC = P): W, H, n_iter_, reconstruction_err_ and
    transform's W are the CLI's bit for bit on the same grid;
  - whole-array form (every rank passes all of X): the CLI's numbers bit for bit, the whole W
    on every rank;
  - row-block form (distributed=True, each rank its uniform share of rows): the CLI's numbers
    with --grid Px1 bit for bit (dense);
  - from a custom init (identical starts): scikit-learn's numbers (1.6 rule,
    scripts/sklearn16.py) within 1e-9 relative, as tests/parity does;
  - SIGINT sent to one rank stops the fit on every rank with KeyboardInterrupt.

usage: test_mpi.py --ranks P
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts"))
sys.path.insert(0, os.path.join(REPO, "tests"))
import compare_models  # noqa: E402
import sklearn16  # noqa: E402
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

PYTHON = "/usr/bin/python3"
RTOL_SKLEARN = 1e-9
CLI_NAMES = {"n_components": "--n-components", "solver": "--solver", "beta_loss": "--beta-loss",
             "init": "--init", "random_state": "--random-state", "tol": "--tol",
             "max_iter": "--max-iter", "alpha_W": "--alpha-W", "alpha_H": "--alpha-H",
             "l1_ratio": "--l1-ratio", "missing": "--missing"}


def grids(p):
    return [(pr, p // pr) for pr in range(p, 0, -1) if p % pr == 0]


def make_data(tmp):
    rng = np.random.RandomState(7)
    X = np.abs(rng.randn(61, 4) @ rng.rand(4, 23) + 0.1 * rng.randn(61, 23))
    S = sp.random(83, 31, density=0.25, format="csr", random_state=rng, dtype=np.float64)
    S.data = np.abs(S.data) + 0.05
    k, ks = 4, 3
    W0 = np.abs(rng.rand(61, k)) * 0.5
    H0 = np.abs(rng.rand(k, 23)) * 0.5
    W0s = np.abs(rng.rand(83, ks)) * 0.3
    H0s = np.abs(rng.rand(ks, 31)) * 0.3
    # X with NaN at 20% of the entries (missing="nan"), no row or column left empty
    Xnan = X.copy()
    hide = rng.rand(*X.shape) < 0.2
    hide[np.arange(61), rng.randint(0, 23, 61)] = False
    hide[rng.randint(0, 61, 23), np.arange(23)] = False
    Xnan[hide] = np.nan
    h5 = os.path.join(tmp, "data.h5")
    with h5py.File(h5, "w") as f:
        f["X"] = X
        f["Xnan"] = Xnan
        g = f.create_group("S")
        g["data"], g["indices"], g["indptr"] = S.data, S.indices, S.indptr
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["shape"] = np.array(S.shape, dtype=np.int64)
        for name, a in (("W0", W0), ("H0", H0), ("W0s", W0s), ("H0s", H0s)):
            f[name] = a
    files = {"h5": h5}
    for name, a in (("X", X), ("Xnan", Xnan), ("W0", W0), ("H0", H0), ("W0s", W0s),
                    ("H0s", H0s)):
        files[name] = os.path.join(tmp, name + ".npy")
        np.save(files[name], a)
    files["S"] = os.path.join(tmp, "S.npz")
    sp.save_npz(files["S"], S)
    return files, {"X": X, "S": S, "W0": W0, "H0": H0, "W0s": W0s, "H0s": H0s}


def cases(p, files):
    h5 = files["h5"]
    out = []
    for pr, pc in grids(p):
        out.append(dict(name=f"cd_random_{pr}x{pc}", form="path", path=h5 + ":/X", grid=[pr, pc],
                        params=dict(n_components=4, solver="cd", init="random", random_state=0,
                                    tol=1e-4, max_iter=60, alpha_W=0.01), cli=True))
    # The sparse reader cuts blocks by stored entries (and may permute): default grid and 1 x P.
    for grid in [None] + ([[1, p]] if p > 1 else []):
        label = "" if grid is None else f"_1x{p}"
        out.append(dict(name="kl_nndsvda_sparse" + label, form="path", path=h5 + ":/S",
                        grid=grid, cli=True,
                        params=dict(n_components=3, solver="mu", beta_loss="kullback-leibler",
                                    init="nndsvda", random_state=3, tol=1e-4, max_iter=60)))
    out.append(dict(name="mu_custom", form="path", path=h5 + ":/X", grid=None,
                    W0=files["W0"], H0=files["H0"], data="X", cli=True, sklearn=True,
                    params=dict(n_components=4, solver="mu", init="custom", tol=0, max_iter=40,
                                alpha_W=0.02, l1_ratio=0.3)))
    # Every rank passes the whole X: the CLI's grid and blocks, the whole W on every rank.
    out.append(dict(name="whole_mu_random", form="whole", npy=files["X"], path=h5 + ":/X",
                    grid=None, cli=True,
                    params=dict(n_components=4, solver="mu", init="random", random_state=5,
                                tol=1e-4, max_iter=50)))
    out.append(dict(name="rows_cd_custom", form="rows", sparse=False, npy=files["X"],
                    path=h5 + ":/X", grid=None, W0=files["W0"], H0=files["H0"], data="X",
                    cli_grid=[p, 1], cli=True, sklearn=True,
                    params=dict(n_components=4, solver="cd", init="custom", tol=1e-4,
                                max_iter=80)))
    out.append(dict(name="rows_all_on_rank0", form="rows", sparse=False, npy=files["X"],
                    grid=None, W0=files["W0"], H0=files["H0"], data="X", sklearn=True,
                    cut="first", params=dict(n_components=4, solver="mu", init="custom",
                                             tol=1e-4, max_iter=50)))
    out.append(dict(name="rows_mu15_sparse", form="rows", sparse=True, npz=files["S"],
                    grid=None, W0=files["W0s"], H0=files["H0s"], data="S", sklearn=True,
                    params=dict(n_components=3, solver="mu", beta_loss=1.5, init="custom", tol=0,
                                max_iter=40, alpha_W=0.01, l1_ratio=0.5)))
    # Missing entries (issue #16): the CLI's --missing on the same data, bit for bit.
    out.append(dict(name="whole_mu_nan", form="whole", npy=files["Xnan"], path=h5 + ":/Xnan",
                    grid=None, cli=True,
                    params=dict(n_components=4, solver="mu", init="random", random_state=2,
                                tol=0, max_iter=30, missing="nan")))
    out.append(dict(name="rows_anls_nan", form="rows", sparse=False, npy=files["Xnan"],
                    path=h5 + ":/Xnan", grid=None, cli_grid=[p, 1], cli=True,
                    params=dict(n_components=3, solver="anls-bpp", init="random",
                                random_state=4, tol=0, max_iter=10, missing="nan")))
    out.append(dict(name="sparse_mu_unstored", form="path", path=h5 + ":/S", grid=None,
                    cli=True, params=dict(n_components=3, solver="mu", beta_loss=1,
                                          init="random", random_state=1, tol=0, max_iter=30,
                                          missing="unstored")))
    return out


def run(argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=240)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def cli_fit(p, case, tmp):
    grid = case.get("cli_grid") or case.get("grid")
    argv = [MPIEXEC, "-n", str(p), "--oversubscribe", DNMF_BIN, "fit", case["path"]]
    for key, value in case["params"].items():
        argv += [CLI_NAMES[key], str(value)]
    if case["params"].get("init") == "custom":
        h5 = case["path"].split(":")[0]
        argv += ["--init-W", h5 + ":/W0", "--init-H", h5 + ":/H0"]
    if grid:
        argv += ["--grid", f"{grid[0]}x{grid[1]}"]
    model = os.path.join(tmp, case["name"] + ".cli.h5")
    run(argv + ["--output", model])
    transformed = os.path.join(tmp, case["name"] + ".cli-t.h5")
    argv = [MPIEXEC, "-n", str(p), "--oversubscribe", DNMF_BIN, "transform", "--model", model,
            case["path"], "--output", transformed]
    if case["params"].get("missing"):
        argv += ["--missing", case["params"]["missing"]]
    if grid:
        argv += ["--grid", f"{grid[0]}x{grid[1]}"]
    run(argv)
    with h5py.File(model, "r") as f, h5py.File(transformed, "r") as t:
        return dict(W=f["W"][()], H=f["H"][()], n_iter=int(f.attrs["n_iter_"]),
                    err=float(f.attrs["reconstruction_err_"]), Wt=t["W"][()])


def python_results(p, name, tmp):
    parts = [np.load(os.path.join(tmp, f"{name}.r{r}.npz")) for r in range(p)]
    def assemble(key, start):
        rows = {}
        for part in parts:
            s = int(part[start])
            for i, row in enumerate(part[key]):
                rows.setdefault(s + i, row)
        return np.array([rows[i] for i in range(len(rows))])
    first = parts[0]
    if len(parts) > 1 and int(first["start"]) == int(parts[1]["start"]):  # whole W everywhere
        for part in parts[1:]:
            assert np.array_equal(part["W"], first["W"]), "the whole W differs between ranks"
    for part in parts[1:]:
        assert np.array_equal(part["H"], first["H"]), "components_ differ between ranks"
        assert int(part["n_iter"]) == int(first["n_iter"]) and part["err"] == first["err"]
    return dict(W=assemble("W", "start"), H=first["H"], n_iter=int(first["n_iter"]),
                err=float(first["err"]), Wt=assemble("Wt", "t_start"),
                grid=tuple(first["grid"]))


def sklearn_fit(case, data):
    _, nnf = sklearn16.nmf_class()
    params = dict(case["params"])
    X = data[case["data"]]
    suffix = "s" if case["data"] == "S" else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W, H, n_iter = nnf(X.copy(), W=data["W0" + suffix].copy(), H=data["H0" + suffix].copy(),
                           **params)
    return W, H, n_iter


INTERRUPT_CHILD = """
import os, sys, time
import numpy as np
from mpi4py import MPI
import dnmf
comm = MPI.COMM_WORLD
X = np.abs(np.random.RandomState(comm.rank).randn(1500, 200))
print(f"pid {comm.rank} {os.getpid()}", flush=True)
t = time.perf_counter()
try:
    dnmf.NMF(20, init="random", random_state=0, tol=0, max_iter=10**6, comm=comm,
             distributed=True).fit(X)
    print(f"rank {comm.rank} finished", flush=True)
except KeyboardInterrupt:
    print(f"rank {comm.rank} KeyboardInterrupt", flush=True)
comm.Barrier()  # every rank left the fit at the same boundary: no one waits in a collective
"""


def check_interrupt(p):
    """SIGINT to the last rank alone stops the fit on every rank with KeyboardInterrupt."""
    import signal
    import time

    proc = subprocess.Popen([MPIEXEC, "-n", str(p), "--oversubscribe", PYTHON, "-c",
                             INTERRUPT_CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    pids = {}
    while len(pids) < p:
        line = proc.stdout.readline()
        if not line:
            break
        # mpirun forwards each rank's output in chunks, so two ranks' lines can share one
        # line here: take every "pid RANK PID" wherever it is.
        for rank, pid in re.findall(r"pid (\d+) (\d+)", line):
            pids[int(rank)] = int(pid)
    if len(pids) < p:
        proc.kill()
        return [f"interrupt: the ranks did not start ({proc.stderr.read()[-500:]})"]
    time.sleep(2.0)  # well inside the fit (a million iterations)
    os.kill(pids[p - 1], signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        return ["interrupt: the ranks did not stop within 60 s of SIGINT"]
    stopped = [r for r in range(p) if f"rank {r} KeyboardInterrupt" in out]
    if proc.returncode != 0 or len(stopped) != p:
        return [f"interrupt: exit {proc.returncode}, ranks stopped {stopped}:\n{out}\n{err[-800:]}"]
    print(f"np{p} SIGINT to rank {p - 1}: KeyboardInterrupt on all {p} ranks")
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", type=int, required=True)
    args = ap.parse_args()
    p = args.ranks
    failures, checks = [], 0
    with tempfile.TemporaryDirectory(prefix="dnmf-pympi-") as tmp:
        files, data = make_data(tmp)
        todo = cases(p, files)
        spec = os.path.join(tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump(todo, f)
        run([MPIEXEC, "-n", str(p), "--oversubscribe", PYTHON,
             os.path.join(HERE, "mpi_worker.py"), spec, tmp])
        for case in todo:
            py = python_results(p, case["name"], tmp)
            lines = []
            if case.get("cli"):
                cli = cli_fit(p, case, tmp)
                for key in ("W", "H", "Wt"):
                    checks += 1
                    if not np.array_equal(py[key], cli[key]):
                        same_shape = py[key].shape == cli[key].shape
                        diff = np.max(np.abs(py[key] - cli[key])) if same_shape else "shape"
                        failures.append(f"{case['name']}: {key} differs from the CLI's ({diff})")
                for key in ("n_iter", "err"):
                    checks += 1
                    if py[key] != cli[key]:
                        failures.append(f"{case['name']}: {key} {py[key]} vs the CLI's {cli[key]}")
                lines.append("CLI bit for bit")
            if case.get("sklearn"):
                W, H, n_iter = sklearn_fit(case, data)
                worst = max(compare_models.relative_error(py["W"], W),
                            compare_models.relative_error(py["H"], H))
                checks += 2
                if worst > RTOL_SKLEARN:
                    failures.append(f"{case['name']}: {worst:.2e} from scikit-learn")
                if n_iter != py["n_iter"]:
                    failures.append(
                        f"{case['name']}: n_iter {py['n_iter']} vs scikit-learn's {n_iter}")
                lines.append(f"scikit-learn within {worst:.1e}")
            print(f"np{p} {case['name']:22s} grid {py['grid'][0]}x{py['grid'][1]} "
                  f"n_iter {py['n_iter']:3d}: {', '.join(lines)}")
    checks += 1
    failures += check_interrupt(p)
    for f in failures:
        print("FAIL " + f)
    print(f"python_mpi np{p}: {checks - len(failures)} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

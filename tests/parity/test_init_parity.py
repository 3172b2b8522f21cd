#!/usr/bin/python3
"""Parity of dnmf's initialisations (random, nndsvd, nndsvda, nndsvdar) with scikit-learn.

dnmf cannot stop before one iteration, so each initialisation is checked two ways:

  fit parity   `dnmf fit` with the init under test, solver mu, tol 0, max_iter 1 (or a few),
               against scripts/sklearn_reference.py with the same options and --random-state,
               at P = 1, 2, 3, 4 and explicit 2-D grids; W and H within RTOL relative
               (compare_models.py's measure max|a - b| / max|b|).
  init itself  the same dnmf run against a dnmf run started from scikit-learn's own init
               (`_initialize_nmf`, passed as --init custom). Both runs share every step after
               the init, so their difference is the init difference carried through one
               multiplicative step: 0 for the bit-exact random init, ~1e-14 for NNDSVD.

Cases cover both regimes of the randomized SVD (k + 10 >= min(n, p): exact SVD up to rounding;
k + 10 < min(n, p): a sampled approximation that depends on numpy's random stream and on
n_iter = 4 or 7), n >= p and n < p (the transposed problem), the default fit (`dnmf fit X
--n-components k --random-state 0`: solver cd, init None -> nndsvda) against
NMF(n_components=k, random_state=0), random init for several seeds, and the documented NaN
deviation (spec §3.3: scikit-learn returns NaN, dnmf zero vectors). Runs at different rank
counts must also agree with each other to 1e-12.

Prints one line per check and ends with `N passed, M failed`; exit code 1 on any failure.

Usage: /usr/bin/python3 tests/parity/test_init_parity.py [-k TEXT] [--keep DIR]
Environment: DNMF_BIN (default <repo>/build/bin/dnmf), DNMF_MPIEXEC (default mpiexec); the
OpenMPI root/oversubscribe variables and OPENBLAS_NUM_THREADS=1 get defaults here.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(REPO, "scripts")
sys.path.insert(0, SCRIPTS)
import compare_models  # noqa: E402  (the measure of scripts/compare_models.py)
import sklearn_reference  # noqa: E402  (the reference fits, run in this process)

PYTHON = "/usr/bin/python3"
TIMEOUT = 120  # seconds per subprocess

sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

RUNS = [(1, None), (2, None), (3, None), (4, None), (4, "2x2")]
# nndsvdar's fill order is global (W row-major, then H row-major); grids with several columns
# put the features of ranks out of rank order, so test them explicitly.
RUNS_AR = RUNS + [(3, "1x3"), (2, "1x2")]
ISOLATION_RUN = (3, None)  # where the init itself is checked against scikit-learn's init


@dataclass
class Data:
    rows: int
    cols: int
    seed: int
    low_rank: Optional[int] = None
    dtype: str = "float64"

    def key(self):
        return f"d{self.rows}x{self.cols}s{self.seed}lr{self.low_rank or 0}{self.dtype}"


@dataclass
class Case:
    name: str
    data: Data
    options: List[str]
    rtol: float                      # against scikit-learn
    init_rtol: Optional[float]       # init itself (None: not checked)
    runs: List[Tuple[int, Optional[str]]] = field(default_factory=lambda: list(RUNS))
    cross_rtol: float = 1e-12
    attrs: Tuple[str, ...] = ()

    def option(self, name, default=None):
        return self.options[self.options.index(name) + 1] if name in self.options else default


def k_of(case):
    return int(case.option("--n-components"))


def mu(k, init, seed, iters=1):
    return ["--n-components", str(k), "--init", init, "--random-state", str(seed),
            "--solver", "mu", "--tol", "0", "--max-iter", str(iters)]


# Shapes: n >= p and n < p; k + 10 < min(n, p) ("sampled") and k + 10 >= min(n, p) ("exact").
TALL = Data(90, 30, 1)        # k=5: r=15 < 30, n_iter 4;  k=22: r=32 >= 30, LU drops columns
WIDE = Data(31, 97, 9)        # k=3: r=13 < 31, n_iter 7 (3 < 3.1); k=25: r=35 > 31
LONG = Data(150, 60, 4, low_rank=6)  # k=4: n_iter 7, low-rank + noise
F32 = Data(84, 36, 7, dtype="float32")  # float32 end to end, as scikit-learn keeps it

SHAPES = {"tall_sampled": (TALL, 5), "tall_exact": (TALL, 22),
          "wide_sampled": (WIDE, 3), "wide_exact": (WIDE, 25)}
CASES = []
# nndsvda (the default) on every shape; nndsvd and nndsvdar share the SVD, so two shapes each
# (one per regime and orientation) keep the script under two minutes.
for variant, shapes in (("nndsvda", ("tall_sampled", "tall_exact", "wide_sampled", "wide_exact")),
                        ("nndsvd", ("tall_sampled", "wide_exact")),
                        ("nndsvdar", ("tall_exact", "wide_sampled"))):
    for regime in shapes:
        data, k = SHAPES[regime]
        CASES.append(Case(f"{variant}_{data.rows}x{data.cols}_k{k}_{regime.split('_')[1]}", data,
                          mu(k, variant, 0 if variant != "nndsvdar" else 11), rtol=1e-8,
                          init_rtol=1e-12, runs=RUNS_AR if variant == "nndsvdar" else RUNS))
CASES += [
    # float32: scikit-learn's SVD runs in float32, dnmf's products with X in float32 and its
    # factorizations in float64; measured ~1.2e-5.
    Case("nndsvda_84x36_k4_float32", F32, mu(4, "nndsvda", 0), rtol=1e-4, init_rtol=1e-4,
         cross_rtol=1e-4),
    Case("nndsvdar_84x36_k30_float32", F32, mu(30, "nndsvdar", 5), rtol=1e-4, init_rtol=1e-4,
         cross_rtol=1e-4),
    Case("nndsvda_150x60_k4_mu20", LONG, mu(4, "nndsvda", 3, iters=20), rtol=1e-8,
         init_rtol=None, attrs=("reconstruction_err_", "n_iter_")),
    # The default fit: cd solver, init None -> nndsvda, tol 1e-4, max_iter 200.
]
# The default fit: cd solver, init None -> nndsvda, tol 1e-4, max_iter 200. Up to 200 cd sweeps
# amplify summation-order differences between rank counts (k = 22 of 30 is ill-conditioned:
# ~5e-11), hence the looser agreement across ranks.
for data, k in ((TALL, 5), (WIDE, 3), (LONG, 4), (TALL, 22)):
    CASES.append(Case(f"default_fit_{data.rows}x{data.cols}_k{k}", data,
                      ["--n-components", str(k), "--random-state", "0"], rtol=1e-8,
                      init_rtol=None, cross_rtol=1e-9, attrs=("reconstruction_err_", "n_iter_")))
# Random init: bit-exact numpy stream, so the init itself must match exactly.
for data, k, seed in ((TALL, 5, 0), (WIDE, 6, 2024), (LONG, 3, 4294967295)):
    CASES.append(Case(f"random_{data.rows}x{data.cols}_k{k}_seed{seed}", data,
                      mu(k, "random", seed), rtol=1e-13, init_rtol=1e-15))


class Failure(Exception):
    pass


def run(argv, cwd):
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise Failure(f"hang: no exit after {TIMEOUT} s: {' '.join(argv)}") from exc
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


def tail(text, n=4):
    lines = [x for x in text.strip().splitlines() if x.strip() and not x.startswith("---")]
    return " | ".join(lines[-n:])


class Runner:
    def __init__(self, grep):
        self.passed = self.failed = 0
        self.grep = grep

    def record(self, name, ok, detail):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name:48s} {detail}", flush=True)


def make_data(data, tmp, cache):
    if data.key() not in cache:
        path = os.path.join(tmp, data.key() + ".h5")
        argv = [PYTHON, os.path.join(SCRIPTS, "make_dataset.py"), path, "--rows", str(data.rows),
                "--cols", str(data.cols), "--k", "2", "--seed", str(data.seed),
                "--dtype", data.dtype]
        if data.low_rank:
            argv += ["--low-rank", str(data.low_rank)]
        rc, _, err, _ = run(argv, tmp)
        if rc != 0:
            raise Failure(f"make_dataset.py exit {rc}: {tail(err)}")
        cache[data.key()] = path
    return cache[data.key()]


def sklearn_init_file(x_path, case, tmp):
    """scikit-learn's own initial W0, H0 for the case, written next to the data."""
    from sklearn.decomposition._nmf import _initialize_nmf
    with h5py.File(x_path, "r") as f:
        X = f["X"][()]
    W0, H0 = _initialize_nmf(X, k_of(case), init=case.option("--init"),
                             random_state=int(case.option("--random-state")))
    path = os.path.join(tmp, f"{case.name}.skinit.h5")
    with h5py.File(path, "w") as f:
        f["W0"] = W0
        f["H0"] = H0
    return path


def errors(a, b):
    """compare_models' relative measure for W and H; plus problems with attributes."""
    out = {}
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ("W", "H"):
            if fa[name].shape != fb[name].shape:
                raise Failure(f"/{name} shape {fa[name].shape} != {fb[name].shape}")
            out[name] = compare_models.relative_error(fa[name][()], fb[name][()])
    return out


def attr_problems(a, b, names, rtol):
    problems = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in names:
            ok, detail = compare_models.compare_attr(fa, fb, name, rtol)
            if not ok:
                problems.append(f"@{name}: {detail}")
    return problems


def dnmf(ranks, grid, x_path, options, out, tmp):
    argv = [MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF_BIN, "fit", x_path + ":/X"]
    argv += options + ["--output", out]
    if grid:
        argv += ["--grid", grid]
    rc, stdout, stderr, secs = run(argv, tmp)
    if rc != 0:
        raise Failure(f"dnmf exit {rc}: {tail(stderr + stdout)}")
    return secs


def run_case(case, tmp, cache, runner):
    if runner.grep and runner.grep not in case.name:
        return
    try:
        x_path = make_data(case.data, tmp, cache)
        ref = os.path.join(tmp, f"{case.name}.ref.h5")
        rc, _, err = sklearn_reference.run([x_path + ":/X", "--output", ref] + case.options)
        if rc != 0:
            raise Failure(f"sklearn_reference.py exit {rc}: {tail(err)}")
    except Failure as exc:
        runner.record(f"{case.name} setup", False, str(exc))
        return

    models = []
    by_run = {}
    for ranks, grid in case.runs:
        label = f"{case.name} P={ranks}" + (f" {grid}" if grid else "")
        out = os.path.join(tmp, f"{case.name}.P{ranks}.{grid or 'auto'}.h5")
        try:
            secs = dnmf(ranks, grid, x_path, case.options, out, tmp)
            e = errors(out, ref)
        except Failure as exc:
            runner.record(label, False, str(exc))
            continue
        problems = attr_problems(out, ref, case.attrs, case.rtol)
        worst = max(e.values())
        ok = worst <= case.rtol and not problems
        runner.record(label, ok, f"vs sklearn W {e['W']:.2e} H {e['H']:.2e} (rtol {case.rtol:g})"
                      f" {secs:4.2f}s" + ("; " + "; ".join(problems) if problems else ""))
        models.append((label, out))
        by_run[(ranks, grid)] = out

    if case.init_rtol is not None:
        ranks, grid = ISOLATION_RUN
        label = f"{case.name} init itself P={ranks}"
        try:
            init_file = sklearn_init_file(x_path, case, tmp)
            opts = [o for o in case.options]
            i = opts.index("--init")
            opts[i + 1] = "custom"
            opts += ["--init-W", init_file + ":/W0", "--init-H", init_file + ":/H0"]
            own = by_run.get((ranks, grid))
            if own is None:  # not among the runs (or it failed): run it here
                own = os.path.join(tmp, f"{case.name}.own.h5")
                dnmf(ranks, grid, x_path, case.options, own, tmp)
            custom = os.path.join(tmp, f"{case.name}.custom.h5")
            dnmf(ranks, grid, x_path, opts, custom, tmp)
            e = errors(own, custom)
            worst = max(e.values())
            runner.record(label, worst <= case.init_rtol,
                          f"vs run from sklearn's init W {e['W']:.2e} H {e['H']:.2e} "
                          f"(rtol {case.init_rtol:g})")
        except Failure as exc:
            runner.record(label, False, str(exc))

    if len(models) >= 2:
        worst, pair = 0.0, ""
        for (la, a), (lb, b) in itertools.combinations(models, 2):
            d = max(errors(a, b).values())
            if d >= worst:
                worst, pair = d, f"{la.split(' ', 1)[1]} vs {lb.split(' ', 1)[1]}"
        runner.record(f"{case.name} across ranks", worst <= case.cross_rtol,
                      f"{len(models)} runs, worst {worst:.2e} ({pair}; rtol {case.cross_rtol:g})")


def nan_deviation(tmp, runner):
    """spec §3.3: X = [[0, 0.27027472], [0, 0]], k = 2, seed 1900 gives NaN in scikit-learn's
    nndsvd/nndsvda W; dnmf deliberately returns zero vectors there (then the variant's fill)."""
    name = "nan_guard"
    if runner.grep and runner.grep not in name:
        return
    from sklearn.decomposition._nmf import _initialize_nmf
    x_path = os.path.join(tmp, "nan_case.h5")
    X = np.array([[0.0, 0.27027472], [0.0, 0.0]])
    with h5py.File(x_path, "w") as f:
        f["X"] = X
    for variant in ("nndsvd", "nndsvda"):
        with warnings.catch_warnings():  # scikit-learn's own "invalid value in divide"
            warnings.simplefilter("ignore", RuntimeWarning)
            W_sk, _ = _initialize_nmf(X, 2, init=variant, random_state=1900)
        for ranks in (1, 2, 4):
            label = f"{name} {variant} P={ranks}"
            out = os.path.join(tmp, f"nan_{variant}_{ranks}.h5")
            try:
                dnmf(ranks, None, x_path, mu(2, variant, 1900), out, tmp)
            except Failure as exc:
                runner.record(label, False, str(exc))
                continue
            with h5py.File(out, "r") as f:
                W, H = f["W"][()], f["H"][()]
            finite = bool(np.isfinite(W).all() and np.isfinite(H).all())
            runner.record(label, finite and bool(np.isnan(W_sk).any()),
                          f"sklearn init has {int(np.isnan(W_sk).sum())} NaN in W; "
                          f"dnmf W, H finite: {finite} (documented deviation)")


def float32_consistency(tmp, runner):
    """scikit-learn's test_nmf_float32_float64_consistency at 1-4 ranks: X = |randn(50, 7)|
    (RandomState(0)), the default fit (k = 7 = n_features, init None -> nndsvda: a full-rank
    SVD whose last singular vectors have small gaps) with tol 1e-3 and random_state 0, in float32
    and float64. W must agree within scikit-learn's atol 1e-5 (its own two fits differ by 4e-6),
    and the float32 W must agree with scikit-learn's float32 W within the same atol."""
    name = "float32_vs_float64"
    if runner.grep and runner.grep not in name:
        return
    from sklearn.decomposition import NMF
    X = np.abs(np.random.RandomState(0).randn(50, 7))
    paths = {}
    for dtype in ("float32", "float64"):
        paths[dtype] = os.path.join(tmp, f"consistency_{dtype}.h5")
        with h5py.File(paths[dtype], "w") as f:
            f["X"] = X.astype(dtype)
    for solver in ("cd", "mu"):
        W_sk32 = NMF(random_state=0, tol=1e-3, solver=solver).fit_transform(X.astype("float32"))
        for ranks in (1, 2, 3, 4):
            label = f"{name} {solver} P={ranks}"
            W = {}
            try:
                for dtype, path in paths.items():
                    out = os.path.join(tmp, f"consistency_{solver}_{dtype}_{ranks}.h5")
                    dnmf(ranks, None, path, ["--random-state", "0", "--tol", "1e-3", "--solver",
                                             solver], out, tmp)
                    with h5py.File(out, "r") as f:
                        W[dtype] = f["W"][()]
            except Failure as exc:
                runner.record(label, False, str(exc))
                continue
            between = float(np.abs(W["float32"] - W["float64"]).max())
            vs_sk = float(np.abs(W["float32"] - W_sk32).max())
            runner.record(label, between <= 1e-5 and vs_sk <= 1e-5,
                          f"max|W32 - W64| {between:.2e}, max|W32 - sklearn W32| {vs_sk:.2e} "
                          f"(atol 1e-5)")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="grep", help="run only cases whose name contains this text")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if args.list:
        for c in CASES:
            print(f"{c.name:32s} {' '.join(c.options)}")
        return 0

    print(f"dnmf init parity: DNMF_BIN={DNMF_BIN} DNMF_MPIEXEC={MPIEXEC}", flush=True)
    runner = Runner(args.grep)
    start = time.perf_counter()
    if not os.access(DNMF_BIN, os.X_OK):
        runner.record("dnmf executable", False, f"{DNMF_BIN} is not an executable file")
    else:
        with tempfile.TemporaryDirectory(prefix="dnmf-init-parity-") as tmp:
            work = tmp
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                work = os.path.abspath(args.keep)
            cache = {}
            for case in CASES:
                run_case(case, work, cache, runner)
            nan_deviation(work, runner)
            float32_consistency(work, runner)
    print(f"({time.perf_counter() - start:.1f} s)")
    print(f"{runner.passed} passed, {runner.failed} failed")
    return 0 if runner.failed == 0 and runner.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Parity of `dnmf fit` against scikit-learn (1.6 numerics) from identical starting points.

For every case of the chosen suite this script
  1. writes the input with scripts/make_dataset.py (X, and a custom init W0/H0),
  2. fits the reference once with scripts/sklearn_reference.py (same options),
  3. runs `mpiexec -n P --oversubscribe $DNMF_BIN fit ...` for each (P, grid) of the
     case and compares W, H, reconstruction_err_, n_iter_, n_components_ and
     n_features_in_ with scripts/compare_models.py's measures,
  4. checks that the runs at different rank counts / grids agree with each other
     (1e-12 in float64: only the floating-point summation order may differ).

It prints one line per run (the parity table) and ends with `N passed, M failed`.

Usage:
  /usr/bin/python3 tests/parity/test_parity.py --suite foundation   # what CTest runs
  /usr/bin/python3 tests/parity/test_parity.py --suite all
  /usr/bin/python3 tests/parity/test_parity.py --suite foundation --case random_seed0 -k grid

Environment: DNMF_BIN (default: <repo>/build/bin/dnmf), DNMF_MPIEXEC (default:
mpiexec), plus the OpenMPI root/oversubscribe variables and OPENBLAS_NUM_THREADS=1,
which get defaults here so that the script can be run by hand.

Adding a suite: append Case(...) entries to SUITES["<name>"]; `--suite all` runs every
suite. A case names its data set (arguments of make_dataset.py), the dnmf/reference
options, the (ranks, grid) runs, the tolerance against scikit-learn, the tolerance
between rank counts, and optional extra checks on the reference (e.g. that the
stopping rule fired before max_iter).
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(REPO, "scripts")
sys.path.insert(0, SCRIPTS)
import compare_models  # noqa: E402  (the comparison measures of scripts/compare_models.py)
import sklearn_reference  # noqa: E402  (the reference fits, run in this process)

PYTHON = "/usr/bin/python3"  # Debian's interpreter: numpy, h5py, scikit-learn
TIMEOUT = 120  # seconds per subprocess; exceeding it is a failure ("hang")

sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

MODEL_ATTRS = ["reconstruction_err_", "n_iter_", "n_components_", "n_features_in_"]


# ----------------------------------------------------------------------------------------
# configuration table
# ----------------------------------------------------------------------------------------
@dataclass
class Data:
    """Arguments of scripts/make_dataset.py."""
    rows: int
    cols: int
    k: int
    seed: int = 0
    dtype: str = "float64"
    low_rank: Optional[int] = None
    zeros: float = 0.0
    fmt: str = "dense"
    empty_rows: int = 0
    empty_cols: int = 0

    def key(self):
        return (f"d{self.rows}x{self.cols}k{self.k}s{self.seed}{self.dtype}"
                f"lr{self.low_rank or 0}z{self.zeros:g}{self.fmt}e{self.empty_rows}"
                f"x{self.empty_cols}")

    def argv(self):
        argv = ["--rows", str(self.rows), "--cols", str(self.cols), "--k", str(self.k),
                "--seed", str(self.seed), "--dtype", self.dtype]
        if self.low_rank:
            argv += ["--low-rank", str(self.low_rank)]
        if self.zeros:
            argv += ["--zeros", repr(self.zeros)]
        argv += ["--format", self.fmt, "--empty-rows", str(self.empty_rows),
                 "--empty-cols", str(self.empty_cols)]
        return argv


ALL_RANKS = [(1, None), (2, None), (3, None), (4, None)]
CUSTOM = ["--init", "custom", "--init-W", "{data}:/W0", "--init-H", "{data}:/H0"]


def stops_early(ref_attrs, case):
    """The tol stopping rule must fire in the reference: n_iter_ < max_iter."""
    max_iter = int(case.option("--max-iter"))
    n_iter = int(ref_attrs["n_iter_"])
    return n_iter < max_iter, f"reference n_iter_={n_iter} < max_iter={max_iter}"


def differs_from_1_2_1(ref_path, data_file, options, tmp):
    """The case must separate 1.6 from 1.2.1: the unpatched reference lands elsewhere."""
    old = os.path.join(tmp, os.path.basename(ref_path) + ".1.2.1.h5")
    rc, out, err = sklearn_reference.run(["--numerics", "1.2.1", data_file + ":/X", "--output",
                                          old] + options)
    if rc != 0:
        return False, f"1.2.1 reference failed: {last_lines(err)}"
    with h5py.File(ref_path, "r") as a, h5py.File(old, "r") as b:
        diff = float(np.max(np.abs(a["W"][...] - b["W"][...])) / np.max(np.abs(a["W"][...])))
    return diff > 1e-7, f"1.6 vs 1.2.1 reference W differ by {diff:.2e} (must be > 1e-7)"


@dataclass
class Case:
    name: str
    data: Data
    options: List[str]          # dnmf fit / sklearn_reference.py options ({data} = data file)
    runs: List[Tuple[int, Optional[str]]] = field(default_factory=lambda: list(ALL_RANKS))
    rtol: float = 1e-9          # against scikit-learn (compare_models.py default)
    cross_rtol: float = 1e-12   # between rank counts / grids
    ref_checks: List[Callable] = field(default_factory=list)
    # checks that need the files: f(ref_path, data_file, options, tmp) -> (ok, detail)
    file_checks: List[Callable] = field(default_factory=list)
    repeat: List[Tuple[int, Optional[str]]] = field(default_factory=list)  # same bits twice
    note: str = ""
    # the reference runs on this data instead (the same matrix in another layout)
    reference_data: Optional[Data] = None

    def option(self, name):
        return self.options[self.options.index(name) + 1]


MU = ["--solver", "mu"]
D_MAIN = Data(90, 30, 5, seed=1)                       # the acceptance data set
D_LOWRANK = Data(80, 40, 4, seed=3, low_rank=3)        # tol 1e-3 stops at 120 of 300
D_UNEVEN = Data(97, 23, 4, seed=5)                     # 97, 23 prime: no P in 2..4 divides
D_WIDE = Data(31, 97, 3, seed=9)                       # more columns than rows
D_F32 = Data(84, 36, 4, seed=7, dtype="float32")

SUITES = {
    "foundation": [
        Case("custom_tol0", D_MAIN,
             ["--n-components", "5"] + MU + CUSTOM + ["--tol", "0", "--max-iter", "50"],
             note="issue acceptance command"),
        Case("custom_tol_early", D_LOWRANK,
             ["--n-components", "4"] + MU + CUSTOM + ["--tol", "1e-3", "--max-iter", "300"],
             ref_checks=[stops_early], note="stopping rule fires"),
        Case("penalty_l1_l2", D_MAIN,
             ["--n-components", "5"] + MU + CUSTOM +
             ["--tol", "1e-4", "--max-iter", "200", "--alpha-W", "0.01", "--alpha-H", "0.02",
              "--l1-ratio", "0.5"]),
        Case("penalty_l2_same", D_MAIN,
             ["--n-components", "5"] + MU + CUSTOM +
             ["--tol", "1e-4", "--max-iter", "200", "--alpha-W", "0.05", "--alpha-H", "same",
              "--l1-ratio", "0"]),
        Case("random_seed0", D_MAIN,
             ["--n-components", "4"] + MU +
             ["--init", "random", "--random-state", "0", "--tol", "1e-4", "--max-iter", "100"]),
        Case("random_seed7", D_MAIN,
             ["--n-components", "3"] + MU +
             ["--init", "random", "--random-state", "7", "--tol", "0", "--max-iter", "40"],
             runs=[(1, None), (2, None), (4, None)]),
        Case("random_seed2024", D_UNEVEN,
             ["--n-components", "6"] + MU +
             ["--init", "random", "--random-state", "2024", "--tol", "0", "--max-iter", "40"],
             runs=[(1, None), (3, None), (4, None)]),
        Case("grids", D_LOWRANK,
             ["--n-components", "4"] + MU + CUSTOM + ["--tol", "0", "--max-iter", "60"],
             runs=[(1, None), (4, "1x4"), (4, "4x1"), (4, "2x2"), (3, "1x3"), (3, "3x1")],
             repeat=[(4, "2x2")], note="explicit grids; 2x2 run twice for identical bits"),
        Case("uneven_grids", D_UNEVEN,
             ["--n-components", "4"] + MU + CUSTOM + ["--tol", "1e-4", "--max-iter", "150"],
             runs=ALL_RANKS + [(4, "2x2"), (4, "1x4"), (3, "1x3")],
             note="no P in 2..4 divides 97 or 23"),
        Case("wide_random", D_WIDE,
             ["--n-components", "3"] + MU +
             ["--init", "random", "--random-state", "3", "--tol", "1e-4", "--max-iter", "80"],
             note="default grids"),
        Case("float32", D_F32,
             ["--n-components", "4"] + MU + CUSTOM + ["--tol", "0", "--max-iter", "50"],
             rtol=1e-4, cross_rtol=1e-4, note="float32 data"),
    ],
}


# Issue "every loss and solver": mu for each beta and cd (with and without shuffle), each
# under every penalty shape, at 1-4 ranks, float64 (1e-9) and a float32 subset (1e-4).
D_LOSS = Data(70, 26, 4, seed=11)               # |randn|: no zeros, so beta <= 0 is allowed
D_LOSS32 = Data(70, 26, 4, seed=11, dtype="float32")
D_ZEROS = Data(64, 24, 4, seed=13, zeros=0.3)   # exact zeros: 1.6 and 1.2.1 EPS rules part
PENALTIES = {
    "none": [],
    "l1": ["--alpha-W", "0.01", "--l1-ratio", "1"],
    "l2": ["--alpha-W", "0.01", "--l1-ratio", "0"],
    "mixed": ["--alpha-W", "0.01", "--l1-ratio", "0.5"],
    "alphaH": ["--alpha-W", "0.01", "--alpha-H", "0.05", "--l1-ratio", "0.3"],
}
SOLVERS = {
    "mu_b2": MU + ["--beta-loss", "frobenius"],
    "mu_b1": MU + ["--beta-loss", "kullback-leibler"],
    "mu_b0": MU + ["--beta-loss", "itakura-saito"],
    "mu_b0.5": MU + ["--beta-loss", "0.5"],
    "mu_b1.5": MU + ["--beta-loss", "1.5"],
    "mu_b3": MU + ["--beta-loss", "3"],
    "cd": ["--solver", "cd"],
    "cd_shuffle": ["--solver", "cd", "--shuffle", "--random-state", "5"],
}
SUITES["losses"] = [
    Case(f"{solver}_{pen}", D_LOSS,
         ["--n-components", "4"] + sopts + CUSTOM + ["--tol", "1e-4", "--max-iter", "60"] + popts)
    for solver, sopts in SOLVERS.items() for pen, popts in PENALTIES.items()
] + [
    Case(f"{solver}_mixed_float32", D_LOSS32,
         ["--n-components", "4"] + sopts + CUSTOM + ["--tol", "0", "--max-iter", "40"] +
         PENALTIES["mixed"], runs=[(1, None), (4, None)], rtol=1e-4, cross_rtol=1e-4)
    for solver, sopts in SOLVERS.items()
] + [
    Case("eps_rule_1.6", D_ZEROS,
         ["--n-components", "4"] + MU + ["--beta-loss", "0.5"] + CUSTOM +
         ["--tol", "0", "--max-iter", "30"],
         file_checks=[differs_from_1_2_1], note="beta < 1 on data with zeros: 1.6 EPS rule"),
]


# Issue "sparse matrices end to end": sparse input against scikit-learn given scipy sparse X,
# from identical custom inits, and the same matrix given dense and sparse.
D_CSR = Data(75, 31, 4, seed=21, zeros=0.7, fmt="csr", empty_rows=3, empty_cols=2)
D_CSC = Data(75, 31, 4, seed=21, zeros=0.7, fmt="csc", empty_rows=3, empty_cols=2)
D_CSR32 = Data(75, 31, 4, seed=21, zeros=0.7, fmt="csr32", empty_rows=3, empty_cols=2)
D_H5SPARSE = Data(75, 31, 4, seed=21, zeros=0.7, fmt="h5sparse", empty_rows=3, empty_cols=2)
D_DENSE_TWIN = Data(75, 31, 4, seed=21, zeros=0.7, empty_rows=3, empty_cols=2)
SPARSE_SOLVERS = {
    "mu_b2": MU + ["--beta-loss", "frobenius"],
    "mu_b1": MU + ["--beta-loss", "kullback-leibler"],
    "mu_b0.5": MU + ["--beta-loss", "0.5"],
    "cd": ["--solver", "cd"],
}
SUITES["sparse"] = [
    Case(f"sparse_{solver}_{pen}", D_CSR,
         ["--n-components", "4"] + sopts + CUSTOM + ["--tol", "1e-4", "--max-iter", "50"] + popts,
         runs=ALL_RANKS + [(4, "2x2")])
    for solver, sopts in SPARSE_SOLVERS.items() for pen in ("none", "mixed")
    for popts in [PENALTIES[pen]]
] + [
    Case(f"sparse_{fmt.fmt}_mu_b1", fmt,
         ["--n-components", "4"] + MU + ["--beta-loss", "1"] + CUSTOM +
         ["--tol", "0", "--max-iter", "30"], runs=[(1, None), (3, None), (4, "2x2")],
         # scikit-learn 1.2.1 given CSC with beta != 2 pairs X.data (by columns) with WH at the
         # nonzeros (by rows) and drifts far from its own dense result; the spec asks for
         # sparse == dense, so CSC is checked against scikit-learn on the same matrix as CSR.
         reference_data=D_CSR if fmt is D_CSC else None)
    for fmt in (D_CSC, D_CSR32, D_H5SPARSE)
] + [
    Case("dense_twin_mu_b1", D_DENSE_TWIN,
         ["--n-components", "4"] + MU + ["--beta-loss", "1"] + CUSTOM +
         ["--tol", "0", "--max-iter", "30"], runs=[(1, None), (4, "2x2")],
         note="the same matrix as sparse_csc_mu_b1, dense"),
    Case("sparse_rank_without_rows", Data(3, 40, 2, seed=5, zeros=0.5, fmt="csr"),
         ["--n-components", "2"] + MU + CUSTOM + ["--tol", "0", "--max-iter", "20"],
         runs=[(1, None), (4, "4x1")], note="4 ranks, 3 rows: one block is empty"),
]


def cases_for(suite):
    if suite == "all":
        return [c for cases in SUITES.values() for c in cases]
    return list(SUITES[suite])


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
class Failure(Exception):
    pass


def run(argv, cwd):
    """Run argv with a timeout; return (returncode, stdout, stderr, seconds)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise Failure(f"hang: no exit after {TIMEOUT} s: {' '.join(argv)}") from exc
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


def last_lines(text, n=6):
    lines = [line for line in text.strip().splitlines()
             if line.strip() and not line.startswith("---")]
    return " | ".join(lines[-n:])


def expand(options, data_file):
    return [o.replace("{data}", data_file) for o in options]


def read_attrs(path):
    with h5py.File(path, "r") as f:
        return {k: f.attrs[k] for k in f.attrs}


def measure(a, b, rtol, attrs=MODEL_ATTRS):
    """Compare model a against reference b with compare_models' measures.

    Returns (ok, worst relative difference over W, H and float attributes, problems)."""
    ok, worst, problems = True, 0.0, []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name in ("W", "H"):
            passed, detail = compare_models.compare_dataset(fa, fb, name, rtol)
            if name in fa and name in fb and fa[name].shape == fb[name].shape:
                worst = max(worst, compare_models.relative_error(fa[name][()], fb[name][()]))
            if not passed:
                ok = False
                problems.append(f"/{name}: {detail}")
        for name in attrs:
            passed, detail = compare_models.compare_attr(fa, fb, name, rtol)
            if name in fa.attrs and name in fb.attrs:
                x, y = np.asarray(fa.attrs[name]), np.asarray(fb.attrs[name])
                if x.dtype.kind == "f" or y.dtype.kind == "f":
                    x, y = float(x), float(y)
                    worst = max(worst, abs(x - y) / abs(y) if y != 0 else abs(x - y))
            if not passed:
                ok = False
                problems.append(f"@{name}: {detail}")
    return ok, worst, problems


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.cli_checked = False

    def record(self, name, ok, detail):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(f"{name}: {detail}")
        print(f"{'PASS' if ok else 'FAIL'} {name:38s} {detail}", flush=True)


# ----------------------------------------------------------------------------------------
# the test
# ----------------------------------------------------------------------------------------
def make_data(data, tmp, cache):
    key = data.key()
    if key not in cache:
        path = os.path.join(tmp, key + ".h5")
        rc, out, err, _ = run([PYTHON, os.path.join(SCRIPTS, "make_dataset.py"), path]
                              + data.argv(), tmp)
        if rc != 0:
            raise Failure(f"make_dataset.py failed (exit {rc}): {last_lines(err)}")
        cache[key] = path
    return cache[key]


def fit_dnmf(ranks, grid, data_file, options, model, tmp, label, runner):
    """`dnmf fit` on `ranks` ranks (and `grid`) writing `model`; the seconds it took, or None
    after recording the failure."""
    argv = [MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF_BIN, "fit",
            data_file + ":/X"] + options + ["--output", model]
    if grid:
        argv += ["--grid", grid]
    try:
        rc, out, err, secs = run(argv, tmp)
    except Failure as exc:
        runner.record(label, False, str(exc))
        return None
    if rc != 0:
        runner.record(label, False, f"dnmf exit {rc}: {last_lines(err + out)}")
        return None
    return secs


def run_case(case, tmp, cache, runner, grep):
    tag = case.name
    try:
        data_file = make_data(case.data, tmp, cache)
    except Failure as exc:
        runner.record(f"{tag} data", False, str(exc))
        return
    options = expand(case.options, data_file)
    ref_data_file = data_file
    if case.reference_data:
        try:
            ref_data_file = make_data(case.reference_data, tmp, cache)
        except Failure as exc:
            runner.record(f"{tag} reference data", False, str(exc))
            return

    ref = os.path.join(tmp, f"{tag}.ref.h5")
    rc, out, err = sklearn_reference.run([ref_data_file + ":/X", "--output", ref] + options)
    if rc != 0:
        runner.record(f"{tag} reference", False,
                      f"sklearn_reference.py exit {rc}: {last_lines(err)}")
        return
    ref_attrs = read_attrs(ref)
    print(f"---- {tag} ({case.data.rows}x{case.data.cols} {case.data.dtype}"
          f"{', ' + case.note if case.note else ''}): sklearn n_iter_={int(ref_attrs['n_iter_'])} "
          f"reconstruction_err_={float(ref_attrs['reconstruction_err_']):.12g}", flush=True)
    for check in case.ref_checks:
        ok, detail = check(ref_attrs, case)
        runner.record(f"{tag} reference check", ok, detail)
    for check in case.file_checks:
        try:
            ok, detail = check(ref, data_file, options, tmp)
        except Failure as exc:
            ok, detail = False, str(exc)
        runner.record(f"{tag} reference check", ok, detail)

    models = []
    for ranks, grid in case.runs:
        label = f"{tag} P={ranks}" + (f" grid={grid}" if grid else "")
        if grep and grep not in label:
            continue
        model = os.path.join(tmp, f"{tag}.P{ranks}.{grid or 'auto'}.h5")
        secs = fit_dnmf(ranks, grid, data_file, options, model, tmp, label, runner)
        if secs is None:
            continue
        ok, worst, problems = measure(model, ref, case.rtol)
        attrs = read_attrs(model)
        used_grid = attrs.get("dnmf_grid", grid or "?")
        if isinstance(used_grid, bytes):
            used_grid = used_grid.decode()
        detail = (f"grid {used_grid:4s} n_iter_={int(attrs.get('n_iter_', -1)):4d} "
                  f"worst rel diff {worst:.2e} (rtol {case.rtol:g}) {secs:5.2f}s")
        if grid and used_grid != grid:
            ok = False
            problems.append(f"requested grid {grid}, model says {used_grid}")
        if problems:
            detail += "; " + "; ".join(problems)
        runner.record(label, ok, detail)
        models.append((f"P={ranks}" + (f"/{grid}" if grid else ""), model))

    if models and not runner.cli_checked:
        # the command-line tool itself, once per script run (the measures above are its own
        # functions, called in this process), on the first case's last run
        runner.cli_checked = True
        label, model = models[-1]
        cmd = [PYTHON, os.path.join(SCRIPTS, "compare_models.py"), model, ref,
               "--rtol", repr(case.rtol), "--attrs"] + MODEL_ATTRS
        try:
            rc, out, err, _ = run(cmd, tmp)
            runner.record(f"{tag} compare_models.py {label}", rc == 0,
                          f"exit 0: W, H, {', '.join(MODEL_ATTRS)} within rtol {case.rtol:g}"
                          if rc == 0
                          else f"exit {rc}: {last_lines(out + err, 8)}")
        except Failure as exc:
            runner.record(f"{tag} compare_models.py {label}", False, str(exc))

    for ranks, grid in case.repeat:
        label = f"{tag} P={ranks}" + (f" grid={grid}" if grid else "") + " repeated"
        first = dict(models).get(f"P={ranks}" + (f"/{grid}" if grid else ""))
        if (grep and grep not in label) or first is None:
            continue
        model = os.path.join(tmp, f"{tag}.P{ranks}.{grid or 'auto'}.again.h5")
        secs = fit_dnmf(ranks, grid, data_file, options, model, tmp, label, runner)
        if secs is None:
            continue
        same = []
        with h5py.File(first, "r") as fa, h5py.File(model, "r") as fb:
            for name in ("W", "H"):
                same.append(fa[name][()].tobytes() == fb[name][()].tobytes())
            for name in MODEL_ATTRS:
                same.append(np.asarray(fa.attrs[name]).tobytes()
                            == np.asarray(fb.attrs[name]).tobytes())
        runner.record(label, all(same), "W, H and attributes bit-identical to the first run"
                      if all(same) else "results differ between two identical runs")

    if len(models) >= 2:
        worst_pair, worst, problems = None, 0.0, []
        for (la, a), (lb, b) in itertools.combinations(models, 2):
            ok, diff, probs = measure(a, b, case.cross_rtol)
            if diff >= worst:
                worst, worst_pair = diff, f"{la} vs {lb}"
            problems += [f"{la} vs {lb} {p}" for p in probs]
        runner.record(f"{tag} across ranks", not problems,
                      f"{len(models)} runs, worst rel diff {worst:.2e} ({worst_pair}; "
                      f"rtol {case.cross_rtol:g})" + ("; " + "; ".join(problems[:4])
                                                     if problems else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="foundation", choices=sorted(SUITES) + ["all"])
    parser.add_argument("--case", action="append",
                        help="run only this case (repeatable); see --list")
    parser.add_argument("-k", dest="grep", help="run only runs whose label contains this text")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    args = parser.parse_args()

    cases = cases_for(args.suite)
    if args.case:
        unknown = set(args.case) - {c.name for c in cases}
        if unknown:
            parser.error(f"unknown case(s) {sorted(unknown)}; have {[c.name for c in cases]}")
        cases = [c for c in cases if c.name in args.case]
    if args.list:
        for c in cases:
            print(f"{c.name:20s} runs={c.runs} options={' '.join(c.options)}")
        return 0

    print(f"dnmf parity, suite {args.suite}: DNMF_BIN={DNMF_BIN} DNMF_MPIEXEC={MPIEXEC}",
          flush=True)
    runner = Runner()
    start = time.perf_counter()
    if not os.access(DNMF_BIN, os.X_OK):
        runner.record("dnmf executable", False, f"{DNMF_BIN} is not an executable file")
    else:
        with tempfile.TemporaryDirectory(prefix="dnmf-parity-") as tmp:
            workdir = tmp
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                workdir = os.path.abspath(args.keep)
            cache = {}
            for case in cases:
                try:
                    run_case(case, workdir, cache, runner, args.grep)
                except Exception as exc:  # keep going: one broken case is one failure
                    runner.record(f"{case.name}", False, f"{type(exc).__name__}: {exc}")
    print(f"parity suite {args.suite}: {time.perf_counter() - start:.1f} s", flush=True)
    if runner.failures:
        print("failures:")
        for line in runner.failures:
            print(f"  {line}")
    print(f"{runner.passed} passed, {runner.failed} failed")
    return 0 if runner.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

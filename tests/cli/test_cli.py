#!/usr/bin/python3
"""End-to-end checks of the `dnmf` command-line contract (spec/interface.md).

Every case runs `mpiexec -n 4 --oversubscribe $DNMF_BIN ...` (1 rank where noted) in a
temporary folder and checks
  * the exact exit code (0 success, 2 usage/parameters, 3 input data, 4 I/O),
  * for failures: stderr holds exactly one line from dnmf (starting with "dnmf"),
    and that line names the problem (and the file/object where relevant),
  * that the run ends within the timeout (a timeout is a failure: "hang"),
  * for successful fits: stdout has exactly one line starting with "dnmf fit:"
    that gives n_iter_ (the one-line summary), and the model file is complete.

Cases are grouped by the word before the colon in their name ("usage: ...", "output: ..."):
a new case joins its group by its name alone. CTest runs each group as its own test
(cli_<group>, tests/CMakeLists.txt), on input files written once by the cli_fixtures test.

Usage: /usr/bin/python3 tests/cli/test_cli.py [--group NAME ...] [-k SUBSTRING] [--keep DIR]
       /usr/bin/python3 tests/cli/test_cli.py --list
       /usr/bin/python3 tests/cli/test_cli.py --make-fixtures DIR [--expect-groups NAME ...]
       /usr/bin/python3 tests/cli/test_cli.py --group NAME --fixtures DIR
Environment: DNMF_BIN (default <repo>/build/bin/dnmf), DNMF_MPIEXEC (default mpiexec).
Ends with the line `N passed, M failed`; the exit code is non-zero on any failure.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(REPO, "scripts")

PYTHON = "/usr/bin/python3"
TIMEOUT = 120  # seconds per subprocess; exceeding it is a failure ("hang")
RANKS = 4

sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, DNMF_TEST_DRIVER, MPIEXEC  # noqa: E402  (sets the launch environment)

N, P, K = 90, 30, 5          # data.h5: /X N x P, /W0 N x K, /H0 K x P
# a valid, fast configuration: each error case changes exactly one thing
VALID = ["--n-components", "3", "--solver", "mu", "--init", "random", "--random-state", "0",
         "--max-iter", "20"]
CUSTOM = ["--n-components", str(K), "--solver", "mu", "--init", "custom",
          "--max-iter", "20"]

MODEL_ATTRS = ["reconstruction_err_", "n_iter_", "n_components_", "n_features_in_"]
PARAM_ATTRS = ["n_components", "init", "solver", "beta_loss", "tol", "max_iter",
               "random_state", "alpha_W", "alpha_H", "l1_ratio", "verbose", "shuffle"]


class Failure(AssertionError):
    pass


class Result:
    def __init__(self, argv, rc, out, err, secs):
        self.argv, self.rc, self.out, self.err, self.secs = argv, rc, out, err, secs

    def dnmf_lines(self):
        """Lines of stderr written by dnmf itself (not by the MPI launcher)."""
        return [line for line in self.err.splitlines() if line.lower().startswith("dnmf")]

    def summary(self):
        lines = self.dnmf_lines() or [line for line in self.err.splitlines() if line.strip()]
        return " | ".join(lines[:3])[:300]


def run(argv, cwd, env=None):
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                              env=env)
    except subprocess.TimeoutExpired:
        raise Failure(f"hang: no exit after {TIMEOUT} s: {' '.join(argv)}") from None
    return Result(argv, proc.returncode, proc.stdout, proc.stderr,
                  time.perf_counter() - start)


def dnmf(cwd, *args, ranks=RANKS):
    return run([MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF_BIN] + list(args), cwd)


def check(cond, message):
    if not cond:
        raise Failure(message)


def keyword_match(text, keyword):
    """keyword is a string or a tuple of alternatives; case-insensitive containment."""
    alternatives = keyword if isinstance(keyword, tuple) else (keyword,)
    return any(alt.lower() in text.lower() for alt in alternatives)


def expect_error(res, codes, keywords):
    """Exit code in codes (int or tuple), exactly one dnmf line on stderr naming keywords."""
    codes = codes if isinstance(codes, tuple) else (codes,)
    check(res.rc in codes, f"exit {res.rc}, expected {' or '.join(map(str, codes))}; "
          f"stderr: {res.summary()}")
    lines = res.dnmf_lines()
    check(len(lines) == 1, f"expected exactly one message from dnmf on stderr, got "
          f"{len(lines)}: {lines[:5]!r}")
    missing = [k for k in keywords if not keyword_match(lines[0], k)]
    check(not missing, f"message {lines[0]!r} does not mention {missing!r}")
    return f"exit {res.rc} {res.secs:.2f}s: {lines[0][:110]}"


def expect_fit_ok(res, model=None):
    """Exit 0, one 'dnmf fit:' summary line with n_iter_, and a complete model file."""
    check(res.rc == 0, f"exit {res.rc}, expected 0; stderr: {res.summary()}")
    summary = [line for line in res.out.splitlines() if line.startswith("dnmf fit:")]
    check(summary, f"no line starting with 'dnmf fit:' on stdout: {res.out[-300:]!r}")
    check("n_iter_" in summary[-1], f"summary line has no n_iter_: {summary[-1]!r}")
    if model is not None:
        check(os.path.isfile(model), f"model {model} was not written")
    return summary


def read_model(path):
    with h5py.File(path, "r") as f:
        attrs = {k: f.attrs[k] for k in f.attrs}
        W = f["W"][()] if "W" in f else None
        H = f["H"][()] if "H" in f else None
    return W, H, attrs


def text_attr(value):
    return value.decode() if isinstance(value, bytes) else str(value)


# ----------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------
def make_fixtures(tmp):
    """Write data.h5 (make_dataset.py), data32.h5, bad.h5 (bad objects), config files,
    a non-HDF5 file and a truncated HDF5 file."""
    for name, extra in (("data.h5", []), ("data32.h5", ["--dtype", "float32"])):
        res = run([PYTHON, os.path.join(SCRIPTS, "make_dataset.py"), name, "--rows", str(N),
                   "--cols", str(P), "--k", str(K), "--seed", "11"] + extra, tmp)
        if res.rc != 0:
            raise RuntimeError(f"make_dataset.py failed: {res.err}")
    with h5py.File(os.path.join(tmp, "data.h5"), "r") as f:
        X, W0, H0 = f["X"][()], f["W0"][()], f["H0"][()]
    with h5py.File(os.path.join(tmp, "bad.h5"), "w") as f:
        f["X"], f["W0"], f["H0"] = X, W0, H0
        f["one_d"] = X[0]
        f["three_d"] = X.reshape(3, N // 3, P)
        for name, value in (("negative", -1.0), ("nan", np.nan), ("posinf", np.inf)):
            Y = X.copy()
            Y[-1, -1] = value  # last row, last column: only the last rank's block has it
            f[name] = Y
        f["H_rows"] = H0[:K - 1]           # wrong first dimension
        f["H_cols"] = H0[:, :P - 1]        # wrong second dimension
        Wn = W0.copy()
        Wn[-1, -1] = -0.25
        f["W_negative"] = Wn
        f["H_zero"] = np.zeros_like(H0)
        # Sparse groups, valid and broken (AnnData CSR convention).
        Xs = X.copy()
        Xs[Xs < 0.8] = 0
        mask = Xs != 0
        data, indices = Xs[mask], np.nonzero(mask)[1].astype(np.int64)
        indptr = np.concatenate(([0], np.cumsum(mask.sum(axis=1)))).astype(np.int64)

        def sparse(name, data=data, indices=indices, indptr=indptr, shape=(N, P)):
            g = f.create_group(name)
            g["data"], g["indices"], g["indptr"] = data, indices, indptr
            g.attrs["encoding-type"] = "csr_matrix"
            g.attrs["shape"] = np.array(shape, dtype=np.int64)

        sparse("sp_ok")
        sparse("sp_start", indptr=indptr + 1)
        bad = indptr.copy()
        bad[N // 2] = bad[N // 2 + 1] + 1   # decreases in the middle
        sparse("sp_decreasing", indptr=bad)
        bad = indptr.copy()
        bad[-1] -= 1                        # ends before nnz
        sparse("sp_end", indptr=bad)
        bad = indices.copy()
        bad[-1] = P + 3                     # column out of range, in the last row
        sparse("sp_index", indices=bad)
        sparse("sp_length", data=data[:-1])
        bad = data.copy()
        bad[-1] = -2.0                      # a negative stored value in the last row
        sparse("sp_negative", data=bad)
        g = f.create_group("not_sparse")
        g["something"] = np.arange(3)
    with open(os.path.join(tmp, "not_hdf5.h5"), "w") as fh:
        fh.write("this is plain text, not an HDF5 file\n" * 20)
    with open(os.path.join(tmp, "data.h5"), "rb") as fh:
        blob = fh.read()
    with open(os.path.join(tmp, "truncated.h5"), "wb") as fh:
        fh.write(blob[:len(blob) // 2])
    with open(os.path.join(tmp, "good.toml"), "w") as fh:
        fh.write('# sklearn names\nn_components = 3\nsolver = "mu"\nmax_iter = 7\n'
                 'tol = 0.0\ninit = "random"\nrandom_state = 0\n')
    with open(os.path.join(tmp, "unknown_key.toml"), "w") as fh:
        fh.write('n_components = 3\nsolver = "mu"\nnot_a_parameter = 1\n')
    with open(os.path.join(tmp, "bad_value.toml"), "w") as fh:
        fh.write('n_components = 3\nsolver = "mu"\ninit = "random"\nmax_iter = 0\n')
    with open(os.path.join(tmp, "invalid.toml"), "w") as fh:
        fh.write('n_components = = 3\nsolver = "mu\n[[[\n')
    os.mkdir(os.path.join(tmp, "a_directory"))


# ----------------------------------------------------------------------------------------
# cases: each takes the work folder, raises Failure, returns a short detail string
# ----------------------------------------------------------------------------------------
CASES = []


def group_of(name):
    """A case's group: the word before the colon of its name."""
    return name.split(":", 1)[0].strip()


def groups():
    """Group names in the order their first case was registered."""
    return list(dict.fromkeys(group_of(name) for name, _ in CASES))


def case(name):
    def register(func):
        CASES.append((name, func))
        return func
    return register


def error_case(name, args, keywords, code=2, ranks=RANKS):
    """Register a case: `dnmf fit data.h5 ARGS -o out.h5` (or raw args) fails with code."""
    def func(tmp):
        res = dnmf(tmp, *args, ranks=ranks)
        detail = expect_error(res, code, keywords)
        check(not os.path.exists(os.path.join(tmp, "out.h5")), "out.h5 was written")
        return detail
    CASES.append((name, func))


# --- help -------------------------------------------------------------------------------
@case("help: dnmf --help exits 0 (1 rank)")
def _(tmp):
    res = dnmf(tmp, "--help", ranks=1)
    check(res.rc == 0, f"exit {res.rc}, expected 0: {res.summary()}")
    check("fit" in res.out and "usage" in res.out.lower(), f"help text lacks usage/fit: "
          f"{res.out[:200]!r}")
    return f"exit 0, {len(res.out.splitlines())} lines"


@case("help: dnmf fit --help exits 0 (1 rank)")
def _(tmp):
    res = dnmf(tmp, "fit", "--help", ranks=1)
    check(res.rc == 0, f"exit {res.rc}, expected 0: {res.summary()}")
    for opt in ("--n-components", "--output", "--solver", "--init", "--tol", "--max-iter",
                "--alpha-W", "--alpha-H", "--l1-ratio", "--grid", "--config"):
        check(opt in res.out, f"fit --help does not list {opt}")
    return f"exit 0, {len(res.out.splitlines())} lines"


# --- usage and parameter errors: exit 2 ---------------------------------------------------
FIT = ["fit", "data.h5"]
OUT = ["--output", "out.h5"]
error_case("usage: unknown option", FIT + VALID + ["--bogus-option", "1"] + OUT,
           ["bogus-option"])
error_case("usage: unknown subcommand", ["frobnicate", "data.h5"], ["frobnicate"])
error_case("usage: missing --output", FIT + VALID, ["output"])
error_case("usage: --max-iter 0", FIT + VALID + ["--max-iter", "0"] + OUT,
           [("max_iter", "max-iter")])
error_case("usage: --max-iter abc", FIT + VALID + ["--max-iter", "abc"] + OUT,
           [("max_iter", "max-iter")])
error_case("usage: --tol -1", FIT + VALID + ["--tol", "-1"] + OUT, ["tol"])
error_case("usage: --l1-ratio 2", FIT + VALID + ["--l1-ratio", "2"] + OUT,
           [("l1_ratio", "l1-ratio")])
error_case("usage: --alpha-W -1", FIT + VALID + ["--alpha-W", "-1"] + OUT,
           [("alpha_W", "alpha-W")])
error_case("usage: --n-components 0", FIT + VALID + ["--n-components", "0"] + OUT,
           [("n_components", "n-components")])
error_case("usage: --init bogus", ["fit", "data.h5", "--n-components", "3", "--solver", "mu",
                                   "--init", "bogus", "--random-state", "0"] + OUT,
           ["init", "bogus"])
error_case("usage: --solver bogus", ["fit", "data.h5", "--n-components", "3", "--solver",
                                     "bogus", "--init", "random", "--random-state", "0"] + OUT,
           ["solver", "bogus"])
error_case("usage: --beta-loss bogus", FIT + VALID + ["--beta-loss", "bogus"] + OUT,
           [("beta_loss", "beta-loss"), "bogus"])
error_case("usage: kullback-leibler with --solver cd",
           ["fit", "data.h5", "--n-components", "3", "--solver", "cd", "--init", "random",
            "--random-state", "0", "--beta-loss", "kullback-leibler"] + OUT,
           ["kullback-leibler", "cd"])
error_case("usage: --grid 3x3 at 4 ranks", FIT + VALID + ["--grid", "3x3"] + OUT,
           ["grid", "3x3"])
error_case("usage: malformed --grid 2by2", FIT + VALID + ["--grid", "2by2"] + OUT,
           ["grid", "2by2"])
error_case("usage: malformed --grid 4x", FIT + VALID + ["--grid", "4x"] + OUT, ["grid"])
error_case("usage: --init custom without --init-W",
           FIT + CUSTOM + ["--init-H", "data.h5:/H0"] + OUT, [("init-W", "init_W")])
error_case("usage: parameters checked before the input (bad --max-iter, missing file)",
           ["fit", "missing.h5"] + VALID + ["--max-iter", "0"] + OUT,
           [("max_iter", "max-iter")])


# --- config file ---------------------------------------------------------------------------
@case("config: sklearn keys are used")
def _(tmp):
    res = dnmf(tmp, "fit", "data.h5", "--config", "good.toml", "--output", "cfg.h5")
    expect_fit_ok(res, os.path.join(tmp, "cfg.h5"))
    W, H, attrs = read_model(os.path.join(tmp, "cfg.h5"))
    check(int(attrs["n_iter_"]) == 7, f"n_iter_ = {attrs['n_iter_']}, expected 7 (max_iter=7, "
          "tol=0 from the config)")
    check(int(attrs["n_components_"]) == 3, f"n_components_ = {attrs['n_components_']}, "
          "expected 3")
    check(text_attr(attrs["solver"]) == "mu", f"solver = {attrs['solver']!r}, expected 'mu'")
    check(text_attr(attrs["init"]) == "random", f"init = {attrs['init']!r}")
    check(int(attrs["random_state"]) == 0, f"random_state = {attrs['random_state']!r}")
    check(W.shape == (N, 3) and H.shape == (3, P), f"W {W.shape}, H {H.shape}")
    return "n_iter_=7 n_components_=3 solver=mu"


@case("config: command line overrides the config")
def _(tmp):
    res = dnmf(tmp, "fit", "data.h5", "--config", "good.toml", "--max-iter", "9",
               "--n-components", "2", "--output", "cfg2.h5")
    expect_fit_ok(res, os.path.join(tmp, "cfg2.h5"))
    W, H, attrs = read_model(os.path.join(tmp, "cfg2.h5"))
    check(int(attrs["n_iter_"]) == 9, f"n_iter_ = {attrs['n_iter_']}, expected 9")
    check(int(attrs["max_iter"]) == 9, f"max_iter = {attrs['max_iter']}, expected 9")
    check(int(attrs["n_components_"]) == 2, f"n_components_ = {attrs['n_components_']}")
    check(text_attr(attrs["solver"]) == "mu", "solver from the config was lost")
    return "max_iter 9 and n_components 2 from the command line, solver=mu from the config"


error_case("config: unknown key", FIT + ["--config", "unknown_key.toml"] + OUT,
           ["not_a_parameter", "unknown_key.toml"])
error_case("config: value out of range (max_iter = 0)",
           FIT + ["--config", "bad_value.toml"] + OUT, ["max_iter"])
error_case("config: invalid TOML", FIT + ["--config", "invalid.toml"] + OUT,
           ["invalid.toml"])
error_case("config: missing config file", FIT + ["--config", "no_such.toml"] + OUT,
           ["no_such.toml"], code=4)


# --- I/O failures of the input: exit 4; object-level problems: exit 3 ------------------------
error_case("input: missing file", ["fit", "no_such_file.h5"] + VALID + OUT,
           ["no_such_file.h5"], code=4)
error_case("input: not an HDF5 file", ["fit", "not_hdf5.h5"] + VALID + OUT,
           ["not_hdf5.h5"], code=4)
error_case("input: truncated HDF5 file (3 or 4)", ["fit", "truncated.h5"] + VALID + OUT,
           ["truncated.h5"], code=(4, 3))
error_case("input: missing object", ["fit", "data.h5:/nope"] + VALID + OUT,
           ["data.h5", "/nope"], code=3)
error_case("input: 1-D dataset", ["fit", "bad.h5:/one_d"] + VALID + OUT,
           ["one_d", ("2-d", "dimension", "rank")], code=3)
error_case("input: 3-D dataset", ["fit", "bad.h5:/three_d"] + VALID + OUT,
           ["three_d", ("2-d", "dimension", "rank")], code=3)

# --- bad values in X: exit 3 (the bad entry is in the last rank's block only) ---------------
error_case("data: negative value (last row/col)", ["fit", "bad.h5:/negative"] + VALID + OUT,
           ["negative"], code=3)
error_case("data: negative value, grid 2x2", ["fit", "bad.h5:/negative"] + VALID +
           ["--grid", "2x2"] + OUT, ["negative"], code=3)
error_case("data: NaN", ["fit", "bad.h5:/nan"] + VALID + OUT, ["nan"], code=3)
error_case("sparse: indptr not starting at 0", ["fit", "bad.h5:/sp_start"] + VALID + OUT,
           ["indptr", "sp_start"], code=3)
error_case("sparse: indptr decreasing", ["fit", "bad.h5:/sp_decreasing"] + VALID + OUT,
           ["indptr", "sp_decreasing"], code=3)
error_case("sparse: indptr not ending at nnz", ["fit", "bad.h5:/sp_end"] + VALID + OUT,
           ["indptr", "sp_end"], code=3)
error_case("sparse: index out of range (last rank)", ["fit", "bad.h5:/sp_index"] + VALID + OUT,
           ["index", "sp_index"], code=3)
error_case("sparse: data and indices lengths differ", ["fit", "bad.h5:/sp_length"] + VALID +
           OUT, ["sp_length"], code=3)
error_case("sparse: negative stored value", ["fit", "bad.h5:/sp_negative"] + VALID + OUT,
           ["negative"], code=3)
error_case("sparse: a group that is no sparse matrix", ["fit", "bad.h5:/not_sparse"] + VALID +
           OUT, ["not_sparse"], code=3)
error_case("sparse: implicit zeros with beta <= 0",
           ["fit", "bad.h5:/sp_ok", "--n-components", "3", "--solver", "mu", "--beta-loss",
            "itakura-saito", "--init", "random"] + OUT, ["zeros"], code=3)
error_case("data: +Inf", ["fit", "bad.h5:/posinf"] + VALID + OUT, ["inf"], code=3)
error_case("data: NaN at 3 ranks", ["fit", "bad.h5:/nan"] + VALID + OUT, ["nan"], code=3,
           ranks=3)

# --- custom init: exit 3 ---------------------------------------------------------------------
error_case("init: H with wrong first dimension",
           ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W0", "--init-H", "bad.h5:/H_rows"]
           + OUT, ["wrong first dimension"], code=3)
error_case("init: H with wrong second dimension",
           ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W0", "--init-H", "bad.h5:/H_cols"]
           + OUT, ["wrong second dimension"], code=3)
error_case("init: negative W0",
           ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W_negative", "--init-H",
                                         "bad.h5:/H0"] + OUT,
           ["negative", ("W_negative", "input W", " W")], code=3)
error_case("init: all-zero H0",
           ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W0", "--init-H", "bad.h5:/H_zero"]
           + OUT, ["zero", ("H_zero", "input H", " H")], code=3)
error_case("init: missing --init-H object",
           ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W0", "--init-H", "bad.h5:/nope"]
           + OUT, ["/nope"], code=3)

# --- output not writable: exit 4 --------------------------------------------------------------
error_case("output: folder does not exist", FIT + VALID + ["--output", "no_dir/out.h5"],
           ["no_dir"], code=4)
error_case("output: path is a directory", FIT + VALID + ["--output", "a_directory"],
           ["a_directory"], code=4)


# --- atomic outputs ---------------------------------------------------------------------------
@case("output: atomic (failed run leaves the file, success replaces it)")
def _(tmp):
    folder = os.path.join(tmp, "atomic")
    os.mkdir(folder)
    target = os.path.join(folder, "m.h5")
    with h5py.File(target, "w") as f:
        f["sentinel"] = np.arange(10.0)
        f.attrs["note"] = "must survive a failed run"
    with open(target, "rb") as fh:
        before = fh.read()
    listing = sorted(os.listdir(folder))

    for bad in (["fit", "bad.h5:/negative"] + VALID,
                ["fit", "bad.h5"] + CUSTOM + ["--init-W", "bad.h5:/W0",
                                              "--init-H", "bad.h5:/H_cols"]):
        res = dnmf(tmp, *bad, "--output", "atomic/m.h5")
        check(res.rc == 3, f"failing fit exit {res.rc}, expected 3: {res.summary()}")
        with open(target, "rb") as fh:
            check(fh.read() == before, "m.h5 changed after a failed run")
        check(sorted(os.listdir(folder)) == listing,
              f"folder changed after a failed run: {sorted(os.listdir(folder))}")

    res = dnmf(tmp, "fit", "data.h5", *VALID, "--output", "atomic/m.h5")
    expect_fit_ok(res, target)
    check(sorted(os.listdir(folder)) == ["m.h5"],
          f"temporary files left: {sorted(os.listdir(folder))}")
    with h5py.File(target, "r") as f:
        check("sentinel" not in f, "old content still there after a successful run")
        check(set(f.keys()) >= {"W", "H"}, f"datasets {list(f.keys())}")
        W, H = f["W"], f["H"]
        check(W.shape == (N, 3) and H.shape == (3, P), f"W {W.shape}, H {H.shape}")
        check(W.dtype == np.float64 and H.dtype == np.float64, f"dtypes {W.dtype}, {H.dtype}")
        check(np.all(np.isfinite(W[()])) and np.all(W[()] >= 0) and np.all(H[()] >= 0),
              "W/H not finite and non-negative")
        missing = [a for a in MODEL_ATTRS + PARAM_ATTRS if a not in f.attrs]
        check(not missing, f"missing root attributes {missing}")
        attrs = dict(f.attrs)
    check(int(attrs["n_components_"]) == 3 and int(attrs["n_features_in_"]) == P,
          f"n_components_={attrs['n_components_']} n_features_in_={attrs['n_features_in_']}")
    check(1 <= int(attrs["n_iter_"]) <= 20, f"n_iter_={attrs['n_iter_']}")
    check(float(attrs["reconstruction_err_"]) > 0, "reconstruction_err_ <= 0")
    expected = {"solver": "mu", "init": "random", "beta_loss": "frobenius", "alpha_H": "same"}
    for key, value in expected.items():
        check(text_attr(attrs[key]) == value, f"attribute {key} = {attrs[key]!r}, "
              f"expected {value!r}")
    for key, value in (("n_components", 3), ("max_iter", 20), ("random_state", 0),
                       ("tol", 1e-4), ("alpha_W", 0.0), ("l1_ratio", 0.0), ("verbose", 0)):
        check(float(attrs[key]) == value, f"attribute {key} = {attrs[key]!r}, expected {value}")
    check(not bool(attrs["shuffle"]), f"shuffle = {attrs['shuffle']!r}")
    return "failed runs left m.h5 byte-identical, success replaced it; all attributes present"


@case("output: an output that is one of the run's inputs is refused, under any spelling")
def _(tmp):
    folder = os.path.join(tmp, "clash")
    os.mkdir(folder)
    shutil.copy(os.path.join(tmp, "data.h5"), os.path.join(folder, "data.h5"))
    os.symlink("data.h5", os.path.join(folder, "link.h5"))
    os.link(os.path.join(folder, "data.h5"), os.path.join(folder, "hard.h5"))
    res = dnmf(folder, "fit", "data.h5", *VALID, "--output", "model.h5")
    expect_fit_ok(res, os.path.join(folder, "model.h5"))
    with open(os.path.join(folder, "src.mtx"), "w") as fh:
        fh.write("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0\n")
    sub = os.path.join(folder, "sub")
    os.mkdir(sub)
    fit = ["fit", "data.h5", *VALID]
    cases = [
        (fit + ["--output", "data.h5"], "--output is the same file as the input X"),
        (fit + ["--output", "./data.h5"], "--output is the same file as the input X"),
        (fit + ["--output", "sub/../data.h5"], "--output is the same file as the input X"),
        (fit + ["--output", "link.h5"], "--output is the same file as the input X"),
        (fit + ["--output", "hard.h5"], "--output is the same file as the input X"),
        (fit + ["--output", "out.h5", "--checkpoint", "data.h5"],
         "--checkpoint is the same file as the input X"),
        (fit + ["--output", "m2.h5", "--checkpoint", "m2.h5"],
         "--checkpoint is the same file as --output"),
        (fit + ["--init-W", "model.h5:/W", "--output", "model.h5"],
         "--output is the same file as --init-W"),
        (["transform", "--model", "model.h5", "data.h5", "--output", "data.h5"],
         "--output is the same file as the input X"),
        (["transform", "--model", "model.h5", "data.h5", "--output", "model.h5"],
         "--output is the same file as --model"),
        (["inverse-transform", "--model", "model.h5", "model.h5:/W", "--output", "model.h5"],
         "--output is the same file as the input W"),
        (["convert", "src.mtx", "src.mtx"], "DST is the same file as SOURCE"),
    ]
    before = {f: open(os.path.join(folder, f), "rb").read()
              for f in ("data.h5", "model.h5", "src.mtx")}
    listing = sorted(os.listdir(folder))
    for args, message in cases:
        res = dnmf(folder, *args)
        expect_error(res, 2, [message])
        for f, content in before.items():
            with open(os.path.join(folder, f), "rb") as fh:
                check(fh.read() == content, f"{f} changed after {' '.join(args)}")
        check(sorted(os.listdir(folder)) == listing,
              f"files changed after {' '.join(args)}: {sorted(os.listdir(folder))}")
    return f"{len(cases)} clashes refused with exit 2; inputs byte-identical"


@case("output: scikit-learn's NMF accepts the model file's parameters")
def _(tmp):
    from sklearn.decomposition import NMF
    details = []
    # Every parameter given (a numeric beta_loss, a real alpha_H), and sklearn's defaults, whose
    # None values (n_components, init, random_state) are absent attributes.
    runs = (("given", VALID + ["--beta-loss", "1.5", "--alpha-H", "0.25", "--tol", "1e-5"]),
            ("defaults", ["--solver", "cd", "--shuffle", "--max-iter", "5"]))
    for name, args in runs:
        model = os.path.join(tmp, f"sk_{name}.h5")
        expect_fit_ok(dnmf(tmp, "fit", "data.h5", *args, "--output", model), model)
        with h5py.File(model, "r") as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
        params = {k: attrs[k] for k in NMF().get_params() if k in attrs}
        if name == "defaults":
            absent = [k for k in ("n_components", "init", "random_state") if k in attrs]
            check(not absent, f"None values stored instead of absent: {absent}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = NMF(**params)
            est._validate_params()  # the check fit() runs first: types and ranges
        others = [str(w.message) for w in caught
                  if "boolean parameter" not in str(w.message)]  # shuffle is an int64 0/1
        check(not others, f"{name}: warnings {others}")
        got = est.get_params()
        differ = [k for k in params if not (got[k] == params[k])]
        check(not differ, f"{name}: get_params differs for {differ}")
        check(isinstance(got["max_iter"], (int, np.integer)) and
              isinstance(got["tol"], (float, np.floating)), f"{name}: types {got}")
        details.append(f"{name}: {len(params)} params")
    # Model files of the earlier textual schema ("None" / "auto" as text) still transform.
    old = os.path.join(tmp, "sk_old.h5")
    with h5py.File(os.path.join(tmp, "sk_defaults.h5"), "r") as src, h5py.File(old, "w") as dst:
        for key in src:
            src.copy(key, dst)
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        dst.attrs["n_components"] = "auto"
        dst.attrs["init"] = "None"
        dst.attrs["random_state"] = "None"
    res = dnmf(tmp, "transform", "--model", "sk_old.h5", "data.h5", "--output", "sk_t.h5")
    check(res.rc == 0, f"transform with an older model file: exit {res.rc}: {res.summary()}")
    details.append("older model file transforms")
    return "; ".join(details)


@case("output: float32 input gives a float32 model")
def _(tmp):
    res = dnmf(tmp, "fit", "data32.h5", *VALID, "--output", "m32.h5")
    expect_fit_ok(res, os.path.join(tmp, "m32.h5"))
    W, H, attrs = read_model(os.path.join(tmp, "m32.h5"))
    check(W.dtype == np.float32 and H.dtype == np.float32, f"dtypes {W.dtype}, {H.dtype}")
    return "W, H float32"


# --- info, verbose, summary line -------------------------------------------------------------
@case("info: shape and dtype (1 rank)")
def _(tmp):
    details = []
    for spec, dtype in (("data.h5", "float64"), ("data32.h5", "float32"),
                        ("data.h5:/H0", "float64")):
        res = dnmf(tmp, "info", spec, ranks=1)
        check(res.rc == 0, f"info {spec}: exit {res.rc}: {res.summary()}")
        rows, cols = (K, P) if spec.endswith("/H0") else (N, P)
        check(re.search(rf"\b{rows}\b\D{{1,6}}\b{cols}\b", res.out),
              f"info {spec}: shape {rows} x {cols} not in output {res.out[:300]!r}")
        check(dtype in res.out, f"info {spec}: dtype {dtype} not in output {res.out[:300]!r}")
        details.append(f"{spec}: {rows}x{cols} {dtype}")
    return "; ".join(details)


@case("balance: power-law rows, sorted longest first, 4 ranks")
def _(tmp):
    # Rows of Zipf-like lengths, longest first: blocks of equal row counts would give the first
    # block most of the entries. dnmf cuts rows and columns by stored entries instead; `dnmf info`
    # and `fit --verbose` report max/mean over ranks, which must stay under 1.10 on every grid,
    # and the fitted factors must not depend on the grid.
    res = run([PYTHON, os.path.join(SCRIPTS, "bench", "make_sparse.py"), "pl.h5", "--rows",
               "6000", "--cols", "800", "--nnz", "60000", "--k", "4", "--power-law", "--sorted",
               "--seed", "3"], tmp)
    check(res.rc == 0, f"make_sparse.py failed: {res.err[-300:]}")
    with h5py.File(os.path.join(tmp, "pl.h5"), "r") as f:
        indptr = f["X/indptr"][()]
    uniform = np.diff(indptr[[0, 1500, 3000, 4500, 6000]])
    naive = uniform.max() / uniform.mean()
    details = [f"row blocks of equal size: max/mean {naive:.2f}"]
    check(naive > 1.5, f"the test matrix is not skewed enough: {naive:.2f}")
    info = dnmf(tmp, "info", "pl.h5:/X", "--ranks", "4", "--n-components", "4", ranks=1)
    check(info.rc == 0, f"info: exit {info.rc}: {info.summary()}")
    m = re.search(r"max/mean ([0-9.]+)", info.out)
    check(m and float(m.group(1)) < 1.10, f"info: nnz per rank not balanced: {info.out!r}")
    details.append(f"info 4 ranks {m.group(1)}")
    base = ["pl.h5:/X", "--n-components", "4", "--solver", "mu", "--beta-loss", "1", "--init",
            "custom", "--init-W", "pl.h5:/W0", "--init-H", "pl.h5:/H0", "--tol", "0", "--max-iter", "15"]
    ref = dnmf(tmp, "fit", *base, "--output", "pl1.h5", ranks=1)
    expect_fit_ok(ref, os.path.join(tmp, "pl1.h5"))
    W1, H1, _ = read_model(os.path.join(tmp, "pl1.h5"))
    for grid in ("4x1", "2x2", "1x4"):
        out = f"pl_{grid}.h5"
        res = dnmf(tmp, "fit", *base, "--grid", grid, "--verbose", "--output", out, ranks=4)
        expect_fit_ok(res, os.path.join(tmp, out))
        m = re.search(r"stored entries per rank: max/mean ([0-9.]+)", res.out)
        check(m and float(m.group(1)) < 1.10, f"fit {grid}: not balanced: {res.out[:600]!r}")
        W, H, _ = read_model(os.path.join(tmp, out))
        diff = max(np.abs(W - W1).max() / np.abs(W1).max(), np.abs(H - H1).max() / np.abs(H1).max())
        check(diff < 1e-10, f"fit {grid}: differs from the 1-rank fit by {diff:.2e}")
        details.append(f"{grid} {m.group(1)} (diff {diff:.1e})")
    return "; ".join(details)


@case("balance: block-diagonal sparse on 2x2, permuted layout")
def _(tmp):
    # Two diagonal blocks: on a 2 x 2 grid the off-diagonal blocks stay empty wherever
    # contiguous cuts go (max/mean 2), so dnmf scatters rows and columns by a fixed permutation.
    # Everything users see must be as if no permutation happened: the fit from a random and an
    # nndsvdar start (both draw in item order), a checkpoint taken and resumed mid-run, and
    # transform, all equal to the 1-rank runs.
    import scipy.sparse as sp
    rng = np.random.default_rng(8)
    blocks = [sp.random(300, 40, density=0.2, random_state=rng, format="csr") for _ in range(2)]
    X = sp.block_diag(blocks, format="csr")
    X.data += 0.1
    with h5py.File(os.path.join(tmp, "bd.h5"), "w") as f:
        g = f.create_group("X")
        g["data"], g["indices"], g["indptr"] = X.data, X.indices, X.indptr
        g.attrs["encoding-type"], g.attrs["encoding-version"] = "csr_matrix", "0.1.0"
        g.attrs["shape"] = np.array(X.shape)
    details = []
    for init in ("random", "nndsvdar"):
        base = ["bd.h5:/X", "--n-components", "3", "--solver", "mu", "--beta-loss", "1",
                "--init", init, "--random-state", "4", "--tol", "0", "--max-iter", "30"]
        expect_fit_ok(dnmf(tmp, "fit", *base, "--output", f"bd1_{init}.h5", ranks=1))
        W1, H1, _ = read_model(os.path.join(tmp, f"bd1_{init}.h5"))
        res = dnmf(tmp, "fit", *base, "--grid", "2x2", "--verbose", "--output", f"bd4_{init}.h5",
                   ranks=4)
        expect_fit_ok(res)
        m = re.search(r"stored entries per rank: max/mean ([0-9.]+)", res.out)
        check(m and float(m.group(1)) < 1.10, f"2x2 {init}: not balanced: {res.out[:600]!r}")
        W, H, _ = read_model(os.path.join(tmp, f"bd4_{init}.h5"))
        diff = max(np.abs(W - W1).max() / np.abs(W1).max(), np.abs(H - H1).max() / np.abs(H1).max())
        check(diff < 1e-10, f"2x2 {init}: differs from the 1-rank fit by {diff:.2e}")
        details.append(f"{init}: max/mean {m.group(1)}, diff {diff:.1e}")
    # Interrupted after iteration 12 and resumed, both on the permuted 2 x 2 layout.
    env = dict(os.environ, DNMF_TEST_SIGNAL_AFTER_ITERATION="12")
    ck = ["--checkpoint", "bd.ckpt.h5", "--output", "bd4_resumed.h5", "--grid", "2x2"]
    stop = run([MPIEXEC, "-n", "4", "--oversubscribe", DNMF_TEST_DRIVER, "fit", *base, *ck], tmp,
               env)
    check(stop.rc == 75, f"signalled run: exit {stop.rc}, expected 75: {stop.summary()}")
    res = dnmf(tmp, "fit", *base, *ck, "--resume", "bd.ckpt.h5", ranks=4)
    expect_fit_ok(res)
    W, H, _ = read_model(os.path.join(tmp, "bd4_resumed.h5"))
    diff = max(np.abs(W - W1).max() / np.abs(W1).max(), np.abs(H - H1).max() / np.abs(H1).max())
    check(diff < 1e-10, f"resumed 2x2 fit differs from the 1-rank fit by {diff:.2e}")
    details.append(f"resumed diff {diff:.1e}")
    # transform of the same matrix with the model: 2 x 2 against 1 rank.
    outs = []
    for ranks, grid in ((1, []), (4, ["--grid", "2x2"])):
        out = f"bd_t{ranks}.h5"
        res = dnmf(tmp, "transform", "--model", "bd1_nndsvdar.h5", "bd.h5:/X", "--output", out,
                   *grid, ranks=ranks)
        check(res.rc == 0, f"transform on {ranks} rank(s): exit {res.rc}: {res.summary()}")
        outs.append(read_model(os.path.join(tmp, out))[0])
    diff = np.abs(outs[1] - outs[0]).max() / np.abs(outs[0]).max()
    check(diff < 1e-10, f"transform 2x2 differs from 1 rank by {diff:.2e}")
    details.append(f"transform diff {diff:.1e}")
    return "; ".join(details)


@case("sparse: a matrix without stored entries, 1 and 3 ranks")
def _(tmp):
    # Its indices and data are empty datasets with no storage, which HDF5 1.10 cannot read
    # collectively; scikit-learn fits it (n_iter_ 1, reconstruction_err_ 0), so dnmf must too.
    with h5py.File(os.path.join(tmp, "nothing.h5"), "w") as f:
        g = f.create_group("X")
        g["data"], g["indices"] = np.zeros(0), np.zeros(0, dtype=np.int64)
        g["indptr"] = np.zeros(11, dtype=np.int64)
        g.attrs["encoding-type"], g.attrs["encoding-version"] = "csr_matrix", "0.1.0"
        g.attrs["shape"] = np.array([10, 6])
    details = []
    for ranks in (1, 3):
        res = dnmf(tmp, "fit", "nothing.h5:/X", "--n-components", "2", "--output",
                   f"nothing{ranks}.h5", ranks=ranks)
        summary = expect_fit_ok(res, os.path.join(tmp, f"nothing{ranks}.h5"))
        _, _, attrs = read_model(os.path.join(tmp, f"nothing{ranks}.h5"))
        check(int(attrs["n_iter_"]) == 1 and float(attrs["reconstruction_err_"]) == 0,
              f"{ranks} rank(s): n_iter_ {attrs['n_iter_']}, error {attrs['reconstruction_err_']}")
        details.append(f"{ranks} rank(s): {summary[-1][:60]}")
    return "; ".join(details)


@case("anls-bpp: reaches cd's error in fewer iterations, 3 ranks")
def _(tmp):
    # Each anls-bpp half-step solves its factor exactly (the unit tests check it against brute
    # force); on this data it gets below cd's 200-iteration error within 80 iterations.
    base = ["data.h5", "--n-components", str(K), "--init", "nndsvda", "--random-state", "1",
            "--output"]
    cd = dnmf(tmp, "fit", *base, "cd.h5", "--solver", "cd", "--tol", "0", "--max-iter", "200")
    expect_fit_ok(cd, os.path.join(tmp, "cd.h5"))
    err_cd = float(read_model(os.path.join(tmp, "cd.h5"))[2]["reconstruction_err_"])
    res = dnmf(tmp, "fit", *base, "anls.h5", "--solver", "anls-bpp", "--tol", "0",
               "--max-iter", "100")
    expect_fit_ok(res, os.path.join(tmp, "anls.h5"))
    attrs = read_model(os.path.join(tmp, "anls.h5"))[2]
    err, n_iter = float(attrs["reconstruction_err_"]), int(attrs["n_iter_"])
    check(err <= err_cd * (1 + 1e-9), f"anls-bpp error {err} above cd's {err_cd}")
    check(text_attr(attrs["solver"]) == "anls-bpp", f"solver attribute {attrs['solver']!r}")
    refused = dnmf(tmp, "fit", "data.h5", "--solver", "anls-bpp", "--beta-loss",
                   "kullback-leibler", "--output", "no.h5")
    expect_error(refused, 2, ["beta_loss", "anls-bpp"])
    return f"cd 200 its {err_cd:.6f}; anls-bpp {n_iter} its {err:.6f}; KL refused (exit 2)"


error_case("info: missing file (1 rank)", ["info", "no_such_file.h5"], ["no_such_file.h5"],
           code=4, ranks=1)


@case("summary: one 'dnmf fit:' line, no table without --verbose")
def _(tmp):
    res = dnmf(tmp, "fit", "data.h5", *VALID, "--tol", "1e-9", "--output", "s.h5")
    lines = expect_fit_ok(res, os.path.join(tmp, "s.h5"))
    check(len(lines) == 1, f"expected one 'dnmf fit:' line (not one per rank), got {lines!r}")
    check(not re.search(r"^\s*10\s+\d", res.out, re.M), "iteration table printed without "
          "--verbose")
    return lines[0][:120]


@case("verbose: --verbose prints an iteration table")
def _(tmp):
    res = dnmf(tmp, "fit", "data.h5", *VALID, "--tol", "1e-9", "--max-iter", "30", "--verbose",
               "--output", "v.h5")
    lines = expect_fit_ok(res, os.path.join(tmp, "v.h5"))
    check(re.search(r"iteration", res.out, re.I), "no iteration table header in stdout")
    rows = re.findall(r"^\s*(10|20|30)\s+([0-9][0-9.eE+-]*)", res.out, re.M)
    check([r[0] for r in rows] == ["10", "20", "30"],
          f"expected table rows for iterations 10, 20, 30 (error checks), got {rows!r}")
    W, H, attrs = read_model(os.path.join(tmp, "v.h5"))
    check(int(attrs["verbose"]) >= 1, f"attribute verbose = {attrs['verbose']!r}")
    check("n_iter_=30" in lines[-1].replace(" ", ""), f"summary {lines[-1]!r}")
    return f"{len(rows)} table rows; {lines[-1][:80]}"


@case("verbose: cd's table shows '-' where the error is not computed, never a false 0")
def _(tmp):
    res = dnmf(tmp, "fit", "data.h5", "--n-components", "3", "--solver", "cd", "--init",
               "random", "--random-state", "0", "--max-iter", "20", "--verbose", "--output",
               "cdv.h5")
    expect_fit_ok(res, os.path.join(tmp, "cdv.h5"))
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+([0-9.]+)\s*$", res.out, re.M)
    check(len(rows) >= 2, f"no iteration rows in {res.out[:300]!r}")
    errors = {r[1] for r in rows}
    check(errors == {"-"}, f"error column {sorted(errors)!r}, expected only '-'")
    check(all(r[2] != "-" for r in rows), "violation column empty")
    return f"{len(rows)} rows, error column '-', violation shown"


# --- usage: checkpoint cadence -----------------------------------------------------------------
error_case("usage: --checkpoint-every 0 is refused (absent means signals and seconds only)",
           FIT + VALID + ["--checkpoint", "ck.h5", "--checkpoint-every", "0"] + OUT,
           ["checkpoint_every must be >= 1", "leave it out"])


# --- outputs are whole files ---------------------------------------------------------------------
@case("output: FILE:/object as an output or checkpoint is refused: outputs are whole files")
def _(tmp):
    expect_fit_ok(dnmf(tmp, "fit", "data.h5", *VALID, "--output", "whole.h5"),
                  os.path.join(tmp, "whole.h5"))
    cases = [
        (["fit", "data.h5", *VALID, "--output", "out.h5:/model"],
         ["--output names a whole file", "use --output out.h5", "/W, /H"]),
        (["fit", "data.h5", *VALID, "--output", "out.h5", "--checkpoint", "ck.h5:/state"],
         ["--checkpoint names a whole file", "use --checkpoint ck.h5"]),
        (["transform", "--model", "whole.h5", "data.h5", "--output", "out.h5:/W"],
         ["--output names a whole file", "use --output out.h5"]),
        (["inverse-transform", "--model", "whole.h5", "whole.h5:/W", "--output", "out.h5:/X"],
         ["--output names a whole file", "use --output out.h5"]),
    ]
    details = []
    for args, keywords in cases:
        res = dnmf(tmp, *args)
        details.append(expect_error(res, 2, keywords)[:40])
        check(not any(name.startswith(("out.h5", "ck.h5", ".out.h5")) for name in os.listdir(tmp)),
              f"something was written after {' '.join(args)}: {sorted(os.listdir(tmp))}")
    return "; ".join(details)


@case("output: an unseeded run records its seed; --random-state with it repeats the bits")
def _(tmp):
    details = []
    for solver in (["--solver", "cd", "--shuffle"], ["--solver", "mu"]):
        base = ["data.h5", "--n-components", "3", "--init", "random", "--max-iter", "15",
                *solver]
        res = dnmf(tmp, "fit", *base, "--output", "unseeded.h5")
        summary = expect_fit_ok(res, os.path.join(tmp, "unseeded.h5"))[-1]
        W1, H1, attrs = read_model(os.path.join(tmp, "unseeded.h5"))
        check("dnmf_seed" in attrs, f"no dnmf_seed attribute: {sorted(attrs)}")
        check(attrs["dnmf_seed"].dtype == np.int64, f"dnmf_seed is {attrs['dnmf_seed'].dtype}")
        seed = int(attrs["dnmf_seed"])
        check(f"seed={seed} " in summary, f"summary lacks seed={seed}: {summary!r}")
        check("random_state" not in attrs, "random_state stored for an unseeded run")
        res = dnmf(tmp, "fit", *base, "--random-state", str(seed), "--output", "seeded.h5")
        expect_fit_ok(res, os.path.join(tmp, "seeded.h5"))
        W2, H2, attrs2 = read_model(os.path.join(tmp, "seeded.h5"))
        check(np.array_equal(W1, W2) and np.array_equal(H1, H2),
              f"{solver[1]}: --random-state {seed} does not repeat the unseeded run")
        check(int(attrs2["dnmf_seed"]) == seed, "dnmf_seed differs from --random-state")
        details.append(f"{solver[1]}: seed {seed} repeated bit for bit")
    return "; ".join(details)


@case("output: the summary's s/iter after a resume counts only the iterations run now")
def _(tmp):
    base = ["data.h5", "--n-components", "3", "--solver", "mu", "--init", "random",
            "--random-state", "0", "--tol", "0", "--max-iter", "3000", "--output", "res.h5",
            "--checkpoint", "res.ckpt.h5", "--checkpoint-every", "2000"]
    expect_fit_ok(dnmf(tmp, "fit", *base), os.path.join(tmp, "res.h5"))
    with h5py.File(os.path.join(tmp, "res.ckpt.h5"), "r") as f:
        at = int(f.attrs["iteration"])
    check(at == 2000, f"checkpoint at iteration {at}, expected 2000")
    res = dnmf(tmp, "fit", *base, "--resume", "res.ckpt.h5")
    summary = expect_fit_ok(res, os.path.join(tmp, "res.h5"))[-1]
    m = re.search(r"n_iter_=(\d+) .* time=([0-9.]+)s \(([0-9.e+-]+) s/iter\)", summary)
    check(m, f"summary without time and s/iter: {summary!r}")
    n_iter, secs, per = int(m.group(1)), float(m.group(2)), float(m.group(3))
    check(n_iter == 3000, f"n_iter_={n_iter}, expected 3000")
    check(secs >= 0.01, f"the resumed part ran too briefly to tell ({secs} s)")
    ratio = secs / per  # iterations the time was divided by
    check(abs(ratio - 1000) < 0.2 * 1000, f"time {secs} s / {per} s/iter = {ratio:.0f} "
          "iterations, expected the 1000 run after the resume (not all 3000)")
    return f"{secs:.3f} s / {per:.4g} s/iter = {ratio:.0f} iterations"


# --- transform: the model's H as scikit-learn checks it -------------------------------------------
@case("data: transform refuses a model of another dtype than X (both ways)")
def _(tmp):
    expect_fit_ok(dnmf(tmp, "fit", "data.h5", *VALID, "--output", "m64.h5"))
    expect_fit_ok(dnmf(tmp, "fit", "data32.h5", *VALID, "--output", "m32.h5"))
    details = []
    for model, x, got in (("m32.h5", "data.h5", "float32"), ("m64.h5", "data32.h5", "float64")):
        res = dnmf(tmp, "transform", "--model", model, x, "--output", "out.h5")
        details.append(expect_error(res, 3, [
            f"H should have the same dtype as X. Got H.dtype = {got}.", model])[:40])
    for model, x in (("m32.h5", "data32.h5"), ("m64.h5", "data.h5")):
        res = dnmf(tmp, "transform", "--model", model, x, "--output", "same.h5")
        check(res.rc == 0, f"transform {model} on {x}: exit {res.rc}: {res.summary()}")
    return "; ".join(details)


@case("data: transform validates the model's H like a custom init")
def _(tmp):
    expect_fit_ok(dnmf(tmp, "fit", "data.h5", *VALID, "--output", "good.h5"))

    def model_with(name, H):
        with h5py.File(os.path.join(tmp, "good.h5"), "r") as src, \
                h5py.File(os.path.join(tmp, name), "w") as dst:
            for key in src:
                if key != "H":
                    src.copy(key, dst)
            for key, value in src.attrs.items():
                dst.attrs[key] = value
            dst["H"] = H
        return name

    _, H, _ = read_model(os.path.join(tmp, "good.h5"))
    neg, nan = H.copy(), H.copy()
    neg[-1, -1] = -0.5
    nan[-1, -1] = np.nan
    cases = [
        (model_with("neg.h5", neg), ["Negative values in data passed to NMF (input H)"]),
        (model_with("zero.h5", np.zeros_like(H)), ["Array passed to NMF (input H) is full of "
                                                   "zeros"]),
        (model_with("nan.h5", nan), [("NaN", "infinity")]),
        (model_with("k2.h5", H[:2]), ["Array with wrong first dimension passed to NMF (input H)."
                                      " Expected 3, but got 2"]),
    ]
    details = []
    for model, keywords in cases:
        res = dnmf(tmp, "transform", "--model", model, "data.h5", "--output", "out.h5")
        details.append(expect_error(res, 3, keywords + [model])[:40])
    return "; ".join(details)


# --- init: provided factors without init='custom' -------------------------------------------------
@case("init: --init-W/--init-H without --init custom warn as scikit-learn 1.6 does")
def _(tmp):
    warning = ("RuntimeWarning: When init!='custom', provided W or H are ignored. Set  "
               "init='custom' to use them as initialization.")
    res = dnmf(tmp, "fit", "data.h5", *VALID, "--init-W", "data.h5:/W0", "--init-H",
               "data.h5:/H0", "--output", "warned.h5")
    expect_fit_ok(res, os.path.join(tmp, "warned.h5"))
    check(res.err.count(warning) == 1, f"expected the warning once on stderr, got "
          f"{res.err.count(warning)}: {res.err[-400:]!r}")
    res = dnmf(tmp, "fit", "data.h5", *CUSTOM, "--init-W", "data.h5:/W0", "--init-H",
               "data.h5:/H0", "--output", "custom.h5")
    expect_fit_ok(res)
    check(warning not in res.err, "warned although init='custom'")
    return "warned once (rank 0), not with init='custom'"


# --- feature names: /feature_names and AnnData's var index ---------------------------------------
def h5ad(path, X, index=None, feature_names=None):
    """An AnnData-like file: dense /X, /var (a dataframe) with its index dataset."""
    with h5py.File(path, "w") as f:
        f["X"] = X
        var = f.create_group("var")
        var.attrs["_index"] = "_index"
        var.attrs["encoding-type"] = "dataframe"
        var.attrs["encoding-version"] = "0.2.0"
        var.attrs["column-order"] = np.array([], dtype=h5py.string_dtype())
        if index is not None:
            var.create_dataset("_index", data=np.array(index, dtype=object),
                               dtype=h5py.string_dtype())
        if feature_names is not None:
            f["feature_names"] = feature_names


@case("names: an .h5ad file's var index becomes the model's feature_names")
def _(tmp):
    with h5py.File(os.path.join(tmp, "data.h5"), "r") as f:
        X = f["X"][()]
    genes = [f"gene{j}" for j in range(P)]
    h5ad(os.path.join(tmp, "cells.h5ad"), X, index=genes)
    expect_fit_ok(dnmf(tmp, "fit", "cells.h5ad", *VALID, "--output", "cells.model.h5"))
    with h5py.File(os.path.join(tmp, "cells.model.h5"), "r") as f:
        check("feature_names" in f, f"no /feature_names in the model: {list(f)}")
        got = [s.decode() for s in f["feature_names"][()]]
    check(got == genes, f"feature_names {got[:4]}..., expected {genes[:4]}...")
    # Both present: /feature_names, dnmf's own convention, wins.
    own = np.array([f"f{j}".encode() for j in range(P)])
    h5ad(os.path.join(tmp, "both.h5ad"), X, index=genes, feature_names=own)
    expect_fit_ok(dnmf(tmp, "fit", "both.h5ad", *VALID, "--output", "both.model.h5"))
    with h5py.File(os.path.join(tmp, "both.model.h5"), "r") as f:
        got = [s.decode() for s in f["feature_names"][()]]
    check(got == [s.decode() for s in own], f"with both, feature_names {got[:4]}...")
    return f"{len(genes)} gene names carried; /feature_names preferred"


@case("names: feature names of the wrong length are refused, naming the dataset")
def _(tmp):
    with h5py.File(os.path.join(tmp, "data.h5"), "r") as f:
        X = f["X"][()]
    h5ad(os.path.join(tmp, "short.h5ad"), X, index=[f"g{j}" for j in range(P - 1)])
    with h5py.File(os.path.join(tmp, "short_names.h5"), "w") as f:
        f["X"] = X
        f["feature_names"] = np.array([b"a", b"b"])
    details = []
    for name, dataset in (("short.h5ad", "/var/_index"), ("short_names.h5", "/feature_names")):
        res = dnmf(tmp, "fit", name, *VALID, "--output", "out.h5")
        details.append(expect_error(res, 3, [f"{name}:{dataset}", "feature names",
                                             f"{P} features"])[:40])
    return "; ".join(details)


@case("names: feature names that are not strings are ignored with a warning")
def _(tmp):
    with h5py.File(os.path.join(tmp, "data.h5"), "r") as f:
        X = f["X"][()]
    with h5py.File(os.path.join(tmp, "int_names.h5"), "w") as f:
        f["X"] = X
        f["feature_names"] = np.arange(P)
    res = dnmf(tmp, "fit", "int_names.h5", *VALID, "--output", "int.model.h5")
    expect_fit_ok(res, os.path.join(tmp, "int.model.h5"))
    lines = [line for line in res.err.splitlines() if "not strings" in line]
    check(len(lines) == 1 and "int_names.h5:/feature_names" in lines[0],
          f"expected one warning naming the dataset, got {lines!r}")
    with h5py.File(os.path.join(tmp, "int.model.h5"), "r") as f:
        check("feature_names" not in f, "integer names were written to the model")
    return lines[0][:100]


# --- convert into an existing file ------------------------------------------------------------
MTX = ("%%MatrixMarket matrix coordinate real general\n% a comment\n4 3 4\n"
       "1 1 1.5\n2 3 2.0\n4 1 3.25\n4 3 0.5\n")
MTX_DENSE = np.array([[1.5, 0, 0], [0, 0, 2.0], [0, 0, 0], [3.25, 0, 0.5]])


def write_existing(path):
    """A file a user owns: datasets, a group, attributes on the root and on objects."""
    with h5py.File(path, "w") as f:
        f["keep"] = np.arange(12.0).reshape(3, 4)
        f["keep"].attrs["unit"] = "counts"
        f["names"] = np.array([b"a", b"b", b"c"])
        g = f.create_group("data")
        g["other"] = np.arange(5, dtype=np.int32)
        g.attrs["source"] = "lab"
        f.attrs["note"] = "must survive"
        f.attrs["version"] = 3


def snapshot(path, skip=()):
    """Every object's values, dtype and attributes, and the root's attributes."""
    out = {}
    with h5py.File(path, "r") as f:
        out["/"] = {k: np.asarray(v).tolist() for k, v in f.attrs.items()}

        def visit(name, obj):
            if any(name == s.strip("/") or name.startswith(s.strip("/") + "/") for s in skip):
                return
            attrs = {k: np.asarray(v).tolist() for k, v in obj.attrs.items()}
            if isinstance(obj, h5py.Dataset):
                out[name] = (str(obj.dtype), obj.shape, obj[()].tobytes(), attrs)
            else:
                out[name] = ("group", attrs)
        f.visititems(visit)
    return out


def read_csr(path, obj):
    import scipy.sparse as sp
    with h5py.File(path, "r") as f:
        g = f[obj]
        shape = tuple(int(v) for v in g.attrs["shape"])
        check(text_attr(g.attrs["encoding-type"]) == "csr_matrix", "not a csr_matrix group")
        return sp.csr_matrix((g["data"][()], g["indices"][()], g["indptr"][()]),
                             shape=shape).toarray()


@case("convert: adding an object to an existing file keeps every other object")
def _(tmp):
    import gzip
    folder = os.path.join(tmp, "conv")
    os.mkdir(folder)
    with open(os.path.join(folder, "src.mtx"), "w") as fh:
        fh.write(MTX)
    with gzip.open(os.path.join(folder, "src.mtx.gz"), "wt") as fh:
        fh.write(MTX)
    target = os.path.join(folder, "existing.h5")
    details = []
    for source, obj in (("src.mtx", "/counts"), ("src.mtx.gz", "/counts_gz")):
        write_existing(target)
        before = snapshot(target)
        res = dnmf(folder, "convert", source, f"existing.h5:{obj}", ranks=1)
        check(res.rc == 0, f"convert {source}: exit {res.rc}: {res.summary()}")
        after = snapshot(target, skip=(obj,))
        check(after == before, f"{source}: other objects changed: "
              f"{sorted(set(before) ^ set(after))} / values differ")
        check(np.array_equal(read_csr(target, obj), MTX_DENSE), f"{obj} holds the wrong matrix")
        check(sorted(os.listdir(folder)) == ["existing.h5", "src.mtx", "src.mtx.gz"],
              f"leftovers: {sorted(os.listdir(folder))}")
        details.append(f"{source} -> {obj}: {len(before)} other entries identical")
    # At 4 ranks too (rank 0 converts, the others wait).
    res = dnmf(folder, "convert", "src.mtx", "existing.h5:/counts4")
    check(res.rc == 0, f"convert at 4 ranks: exit {res.rc}: {res.summary()}")
    check(np.array_equal(read_csr(target, "/counts4"), MTX_DENSE), "/counts4 wrong")
    # A target that does not exist is created, as before.
    res = dnmf(folder, "convert", "src.mtx", "fresh.h5", ranks=1)
    check(res.rc == 0, f"convert to a new file: exit {res.rc}: {res.summary()}")
    check(np.array_equal(read_csr(os.path.join(folder, "fresh.h5"), "/X"), MTX_DENSE),
          "fresh.h5:/X wrong")
    return "; ".join(details)


@case("convert: an object already there is refused unless --overwrite, which replaces only it")
def _(tmp):
    folder = os.path.join(tmp, "conv_over")
    os.mkdir(folder)
    with open(os.path.join(folder, "src.mtx"), "w") as fh:
        fh.write(MTX)
    with open(os.path.join(folder, "other.mtx"), "w") as fh:
        fh.write("%%MatrixMarket matrix coordinate real general\n2 2 1\n2 2 7.0\n")
    target = os.path.join(folder, "existing.h5")
    write_existing(target)
    details = []
    with open(target, "rb") as fh:
        blob = fh.read()
    for obj in ("/keep", "/data/other", "/data"):
        res = dnmf(folder, "convert", "src.mtx", f"existing.h5:{obj}")
        details.append(expect_error(res, 2, ["existing.h5", obj, "--overwrite"])[:30])
        with open(target, "rb") as fh:
            check(fh.read() == blob, f"existing.h5 changed after the refusal of {obj}")
        check(sorted(os.listdir(folder)) == ["existing.h5", "other.mtx", "src.mtx"],
              f"leftovers: {sorted(os.listdir(folder))}")
    # A file that is not HDF5 cannot be added to, and is not replaced either.
    with open(os.path.join(folder, "notes.h5"), "w") as fh:
        fh.write("my notes\n")
    res = dnmf(folder, "convert", "src.mtx", "notes.h5")
    details.append(expect_error(res, 4, ["notes.h5", "not an HDF5 file"])[:30])
    with open(os.path.join(folder, "notes.h5")) as fh:
        check(fh.read() == "my notes\n", "notes.h5 was replaced")
    os.remove(os.path.join(folder, "notes.h5"))
    res = dnmf(folder, "convert", "src.mtx", "existing.h5:/counts", ranks=1)
    check(res.rc == 0, f"convert: exit {res.rc}: {res.summary()}")
    before = snapshot(target, skip=("/counts",))
    res = dnmf(folder, "convert", "other.mtx", "existing.h5:/counts", "--overwrite", ranks=1)
    check(res.rc == 0, f"convert --overwrite: exit {res.rc}: {res.summary()}")
    check(snapshot(target, skip=("/counts",)) == before, "--overwrite changed other objects")
    check(np.array_equal(read_csr(target, "/counts"), [[0, 0], [0, 7.0]]),
          "--overwrite did not replace /counts")
    res = dnmf(folder, "convert", "src.mtx", "existing.h5:/keep", "--overwrite", ranks=1)
    check(res.rc == 0, f"convert --overwrite over a dataset: exit {res.rc}: {res.summary()}")
    check(np.array_equal(read_csr(target, "/keep"), MTX_DENSE), "/keep not replaced")
    check(snapshot(target, skip=("/keep", "/counts")) ==
          {k: v for k, v in before.items() if k != "keep"}, "other objects changed")
    return "; ".join(details) + "; --overwrite replaced only the object"


@case("convert: a nested path creates its groups, in a new and an existing file")
def _(tmp):
    folder = os.path.join(tmp, "conv_nested")
    os.mkdir(folder)
    with open(os.path.join(folder, "src.mtx"), "w") as fh:
        fh.write(MTX)
    write_existing(os.path.join(folder, "existing.h5"))
    before = snapshot(os.path.join(folder, "existing.h5"))
    for target, obj in (("new.h5", "/data/M"), ("existing.h5", "/data/M"),
                        ("existing.h5", "/a/b/c/M")):
        res = dnmf(folder, "convert", "src.mtx", f"{target}:{obj}", ranks=1)
        check(res.rc == 0, f"convert to {target}:{obj}: exit {res.rc}: {res.summary()}")
        check(np.array_equal(read_csr(os.path.join(folder, target), obj), MTX_DENSE),
              f"{target}:{obj} wrong")
    after = snapshot(os.path.join(folder, "existing.h5"), skip=("/data/M", "/a"))
    check(after == before, "other objects of existing.h5 changed")
    with h5py.File(os.path.join(folder, "existing.h5"), "r") as f:
        check(text_attr(f["data"].attrs["source"]) == "lab", "/data lost its attribute")
        check(np.array_equal(f["data/other"][()], np.arange(5)), "/data/other changed")
    return "new.h5:/data/M, existing.h5:/data/M and :/a/b/c/M written; the rest kept"


# --- memory: a plan too large is refused before any work (exit 2), a failed allocation is
# exit 6, reported once ------------------------------------------------------------------------
# Every run here is under an address-space cap (RLIMIT_AS, `ulimit -v`, in KiB), so that a
# refusal that did not happen cannot take the machine's memory.
SAFETY_KIB = 6 * 1024 * 1024


def dnmf_limited(cwd, kib, *args, ranks=RANKS):
    """dnmf on `ranks` ranks, each under `ulimit -v kib` (set in the rank, not in mpiexec)."""
    script = f"ulimit -v {int(kib)} && exec \"$0\" \"$@\""
    return run([MPIEXEC, "-n", str(ranks), "--oversubscribe", "/bin/sh", "-c", script,
                DNMF_BIN] + list(args), cwd)


def expect_memory_refusal(res, source=None):
    keywords = ["needs about", "per rank", "can have"] + ([source] if source else [])
    detail = expect_error(res, 2, keywords)
    check(res.secs < 20, f"refused only after {res.secs:.1f} s")
    return detail


@case("memory: info's plan counts the k x k Grams and the solver's workspaces (1 rank)")
def _(tmp):
    units = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "TiB": 2.0**20}
    totals = {}
    for solver in ("cd", "mu", "anls-bpp"):
        res = dnmf(tmp, "info", "data.h5", "--ranks", "2", "--n-components", "5000",
                   "--init", "random", "--solver", solver, ranks=1)
        check(res.rc == 0, f"info --solver {solver}: exit {res.rc}: {res.summary()}")
        m = re.search(r"about ([\d.]+) (\w+) at peak", res.out)
        check(m, f"info --solver {solver}: no plan total in {res.out[-400:]!r}")
        check("Gram" in res.out, f"info --solver {solver}: no k x k Gram item: {res.out!r}")
        totals[solver] = float(m.group(1)) * units[m.group(2)]
    # A 5000 x 5000 float64 Gram is 190.7 MiB; cd's one pass holds two, anls-bpp adds its
    # float64 copy and Cholesky factor.
    check(totals["cd"] >= 2 * 190.7, f"cd plans {totals['cd']:.1f} MiB for k = 5000")
    check(totals["anls-bpp"] >= 3 * 190.7, f"anls-bpp plans {totals['anls-bpp']:.1f} MiB")
    bad = dnmf(tmp, "info", "data.h5", "--solver", "bogus", ranks=1)
    expect_error(bad, 2, ["solver", "bogus"])
    return ", ".join(f"{k} {v:.1f} MiB" for k, v in totals.items())


@case("memory: --n-components 100000 on a small matrix is refused, 1 and 4 ranks")
def _(tmp):
    details = []
    for ranks in (1, 4):
        res = dnmf_limited(tmp, SAFETY_KIB, "fit", "data.h5", "--n-components", "100000",
                           "--init", "random", "--output", "out.h5", ranks=ranks)
        details.append(f"{ranks} rank(s): " + expect_memory_refusal(res))
        check(not os.path.exists(os.path.join(tmp, "out.h5")), "out.h5 was written")
    return "; ".join(details)


@case("memory: k = 20000 on 60 x 12 is refused within seconds, 3 ranks")
def _(tmp):
    rng = np.random.default_rng(3)
    with h5py.File(os.path.join(tmp, "small.h5"), "w") as f:
        f["X"] = rng.random((60, 12))
    # Its k x k Grams alone are 3.2 GB each per rank: more than the 4 GiB address space allowed.
    res = dnmf_limited(tmp, 4 * 1024 * 1024, "fit", "small.h5", "--n-components", "20000",
                       "--init", "random", "--output", "out.h5", ranks=3)
    return expect_memory_refusal(res, "RLIMIT_AS")


@case("memory: a normal fit under a small RLIMIT_AS is refused naming the limit, 2 ranks")
def _(tmp):
    rng = np.random.default_rng(4)
    with h5py.File(os.path.join(tmp, "mid.h5"), "w") as f:
        f["X"] = rng.random((4000, 1000))
    args = ["fit", "mid.h5", "--n-components", "1000", "--init", "random", "--max-iter", "1",
            "--output", "out.h5"]
    ok = dnmf_limited(tmp, SAFETY_KIB, *args, ranks=2)  # about 140 MiB per rank
    expect_fit_ok(ok, os.path.join(tmp, "out.h5"))
    os.remove(os.path.join(tmp, "out.h5"))
    # 400 MiB of address space: a bare rank maps about 350 MiB of it (libraries, MPI's shared
    # segments, OpenBLAS's buffer), so the fit cannot have its 140 MiB. Without the check it
    # spun forever inside OpenBLAS, whose buffer allocation retries when malloc fails.
    res = dnmf_limited(tmp, 400 * 1024, *args, ranks=2)
    return expect_memory_refusal(res, "RLIMIT_AS")


@case("memory: an allocation that fails on every rank is exit 6, reported once, 4 ranks")
def _(tmp):
    # inverse-transform of a 20000 x 20000 float64 X: 800 MB per rank at 4 ranks, under a 1 GiB
    # cap of which a bare rank maps about 350 MiB. inverse-transform has no plan, so the
    # allocation itself fails, on every rank alike.
    rng = np.random.default_rng(5)
    with h5py.File(os.path.join(tmp, "wide.h5"), "w") as f:
        f["X"] = rng.random((30, 20000))
    fit = dnmf(tmp, "fit", "wide.h5", "--n-components", "2", "--init", "random",
               "--max-iter", "5", "--output", "model.h5")
    expect_fit_ok(fit, os.path.join(tmp, "model.h5"))
    with h5py.File(os.path.join(tmp, "w.h5"), "w") as f:
        f["W"] = rng.random((20000, 2))
    res = dnmf_limited(tmp, 1024 * 1024, "inverse-transform", "-m", "model.h5",
                       "w.h5", "-o", "x.h5")
    detail = expect_error(res, 6, ["out of memory"])
    check(res.secs < 30, f"exit only after {res.secs:.1f} s")
    check(not os.path.exists(os.path.join(tmp, "x.h5")), "x.h5 was written")
    return detail


# ----------------------------------------------------------------------------------------
def run_cases(tmp, selected, grep):
    """Runs the selected cases in tmp; prints one line each; returns the failure lines."""
    passed = 0
    failures = []
    for name, func in CASES:
        if group_of(name) not in selected or (grep and grep not in name):
            continue
        t0 = time.perf_counter()
        try:
            detail = func(tmp)
            ok = True
        except Failure as exc:
            ok, detail = False, str(exc)
        except Exception as exc:  # a broken case is a failure, not a crash
            ok, detail = False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        for leftover in ("out.h5",):
            path = os.path.join(tmp, leftover)
            if os.path.exists(path):
                os.remove(path)
        if ok:
            passed += 1
        else:
            failures.append(f"{name}: {detail}")
        print(f"{'PASS' if ok else 'FAIL'} {name:62s} [{time.perf_counter() - t0:5.2f}s] "
              f"{detail}", flush=True)
    return passed, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--group", action="append", metavar="NAME",
                        help="run only this group of cases (repeatable; default: all)")
    parser.add_argument("-k", dest="grep", help="run only cases whose name contains this")
    parser.add_argument("--list", action="store_true", help="print the groups and their cases")
    parser.add_argument("--make-fixtures", metavar="DIR",
                        help="write the input files into DIR (made if absent) and exit")
    parser.add_argument("--expect-groups", nargs="*", metavar="NAME",
                        help="with --make-fixtures: fail unless these are exactly the groups "
                             "(CTest registers one test per group)")
    parser.add_argument("--fixtures", metavar="DIR",
                        help="copy the input files from DIR instead of writing them")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (must not exist) and keep it")
    args = parser.parse_args()

    if args.list:
        for g in groups():
            names = [name for name, _ in CASES if group_of(name) == g]
            print(f"{g} ({len(names)} cases)")
            for name in names:
                print(f"  {name}")
        return 0
    if args.make_fixtures:
        if args.expect_groups is not None and sorted(args.expect_groups) != sorted(groups()):
            missing = sorted(set(groups()) - set(args.expect_groups))
            extra = sorted(set(args.expect_groups) - set(groups()))
            print(f"FAIL the CTest groups differ from the script's: not registered {missing}, "
                  f"registered but without cases {extra} (tests/CMakeLists.txt, DNMF_CLI_GROUPS)")
            return 1
        os.makedirs(args.make_fixtures, exist_ok=True)
        make_fixtures(os.path.abspath(args.make_fixtures))
        print(f"fixtures written to {args.make_fixtures}")
        return 0
    selected = args.group or groups()
    unknown = [g for g in selected if g not in groups()]
    if unknown:
        print(f"FAIL unknown group(s) {unknown}; groups: {', '.join(groups())}")
        return 1

    print(f"dnmf CLI contract ({', '.join(selected)}): DNMF_BIN={DNMF_BIN} "
          f"DNMF_MPIEXEC={MPIEXEC}", flush=True)
    start = time.perf_counter()
    if not os.access(DNMF_BIN, os.X_OK):
        print(f"FAIL dnmf executable: {DNMF_BIN} is not an executable file")
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="dnmf-cli-") as tmp:
        if args.keep:
            os.makedirs(args.keep)
            tmp = os.path.abspath(args.keep)
        if args.fixtures:  # a copy: cases write next to the inputs, groups may run in parallel
            shutil.copytree(args.fixtures, tmp, dirs_exist_ok=True)
        else:
            make_fixtures(tmp)
        passed, failures = run_cases(tmp, selected, args.grep)
    print(f"CLI contract: {time.perf_counter() - start:.1f} s")
    if failures:
        print("failures:")
        for line in failures:
            print(f"  {line}")
    print(f"{passed} passed, {len(failures)} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())

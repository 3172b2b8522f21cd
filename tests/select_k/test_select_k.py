#!/usr/bin/python3
"""`dnmf select-k` (issue #17), checked against a naive NumPy implementation of the issue's
formulas where the numbers are ours alone:
  - planted: 400 x 300 matrices W0 H0 + noise with r = 4, 6, 9; `--k 2:14` must choose r;
  - ranks: r = 6 (`--k 4:8`) at 1, 2 and 4 ranks with group sizes 1 and 2: the same chosen k
    and the same table up to summation order (1e-9 relative);
  - formulas: the held-out pattern is the issue's hash (a NumPy copy of it decides which entries
    to perturb: perturbing held-out entries leaves every training error as it was to the bit,
    perturbing one seen entry does not); the summary (means, standard errors std(ddof=1)/sqrt(R),
    the 1se and min rules) and the stability (cosine similarities of H's rows to replicate 0's,
    matched by scipy's linear_sum_assignment) recomputed from the recorded fits;
  - resume: SIGUSR1 mid-run gives exit 75, and `--resume` then gives the uninterrupted table;
  - bad input: each a message and its exit code.
Prints one line per check and ends with `N passed, M failed`.

Usage: /usr/bin/python3 tests/select_k/test_select_k.py [--groups planted,ranks,formulas,...]
"""
import argparse
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import scipy.optimize

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

RESULTS = {"passed": 0, "failed": 0}
U64 = np.uint64


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {name} {detail}", flush=True)


# ------------------------------------------------------------------------------------------
# the reference: the formulas, literally
# ------------------------------------------------------------------------------------------
def mix64(z):
    z = z + U64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
    return z ^ (z >> U64(31))


def held_out(seed, replicate, n, p, fraction):
    """The speckled pattern: key = mix(mix(mix(seed * 2^32 + replicate) ^ row) ^ col)."""
    with np.errstate(over="ignore"):
        rows = np.arange(n, dtype=U64)[:, None]
        cols = np.arange(p, dtype=U64)[None, :]
        key = mix64(mix64(mix64(U64(seed) * U64(2**32) + U64(replicate)) ^ rows) ^ cols)
    return (key >> U64(11)).astype(np.float64) * 2.0**-53 < fraction


def summary_reference(k, test, train):
    ks = np.unique(k)
    out = {"k": ks, "test_mean": [], "test_se": [], "train_mean": [], "train_se": []}
    for kk in ks:
        for name, v in (("test", test[k == kk]), ("train", train[k == kk])):
            out[name + "_mean"].append(v.mean())
            out[name + "_se"].append(v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0)
    return {key: np.asarray(v) for key, v in out.items()}


def choose_reference(s, rule):
    best = int(np.argmin(s["test_mean"]))
    if rule == "min":
        return int(s["k"][best])
    limit = s["test_mean"][best] + s["test_se"][best]
    return int(s["k"][np.nonzero(s["test_mean"] <= limit)[0][0]])


def stability_reference(H0, H):
    """Mean and least cosine similarity of H's rows to H0's, matched one to one."""
    def unit(M):
        n = np.linalg.norm(M, axis=1, keepdims=True)
        return np.divide(M, n, out=np.zeros_like(M), where=n > 0)
    S = unit(H) @ unit(H0).T
    rows, cols = scipy.optimize.linear_sum_assignment(-S)
    m = S[rows, cols]
    return m.mean(), m.min()


# ------------------------------------------------------------------------------------------
# running dnmf
# ------------------------------------------------------------------------------------------
def planted(path, r, seed=None, shape=(400, 300)):
    rng = np.random.RandomState(r if seed is None else seed)
    n, p = shape
    X = rng.rand(n, r) @ rng.rand(r, p)
    X += rng.rand(n, p) * 0.1 * X.mean()
    with h5py.File(path, "w") as f:
        f["X"] = X
    return X


def select_k(ranks, args, expect=0, name=""):
    cmd = [MPIEXEC, "-n", str(ranks), DNMF_BIN, "select-k"] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != expect:
        check(f"{name}: exit code", False, f"{p.returncode} (expected {expect})\n"
              f"{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
    return p


def read_selection(path):
    with h5py.File(path, "r") as f:
        tasks = {k: f["tasks"][k][()] for k in f["tasks"]}
        summary = {k: f["summary"][k][()] for k in f["summary"]}
        attrs = {k: f.attrs[k] for k in f.attrs}
    return tasks, summary, attrs


def table_close(a, b, names, rtol=1e-9):
    worst = 0.0
    for n in names:
        x, y = np.asarray(a[n], float), np.asarray(b[n], float)
        if x.shape != y.shape:
            return False, f"{n}: shapes {x.shape} vs {y.shape}"
        both = np.isnan(x) & np.isnan(y)
        d = np.where(both, 0, np.abs(x - y) / np.maximum(np.abs(y), 1e-300))
        worst = max(worst, float(np.max(d)))
    return worst <= rtol, f"worst relative difference {worst:.1e}"


ERR_COLUMNS = ["test_error", "train_error", "stability", "stability_min", "n_iter", "k",
               "replicate"]


# ------------------------------------------------------------------------------------------
# groups
# ------------------------------------------------------------------------------------------
def group_planted(tmp):
    for r in (4, 6, 9):
        x = os.path.join(tmp, f"planted{r}.h5")
        planted(x, r)
        out = os.path.join(tmp, f"sel{r}.h5")
        t0 = time.time()
        # Two groups of one rank: the fits of a k range run two at a time.
        p = select_k(2, [x, "--k", "2:14", "--group-size", 1, "--output", out],
                     name=f"planted r={r}")
        if p.returncode != 0:
            continue
        _, _, attrs = read_selection(out)
        chosen = int(attrs["chosen_k"])
        check(f"planted r={r}", chosen == r,
              f"chosen k={chosen} ({time.time() - t0:.1f} s on 2 ranks)")
        check(f"planted r={r}: table on stdout", f"chosen k={chosen}" in p.stdout
              and os.path.exists(os.path.join(tmp, f"sel{r}.csv"))
              and os.path.exists(os.path.join(tmp, f"sel{r}.tasks.csv")))


def group_ranks(tmp):
    x = os.path.join(tmp, "planted6.h5")
    planted(x, 6)
    ref = os.path.join(tmp, "ref.h5")
    # k = 4..8 around the planted 6: 15 fits per run, enough to give every group work.
    if select_k(1, [x, "--k", "4:8", "--output", ref], name="ranks 1").returncode != 0:
        return
    ref_tasks, _, ref_attrs = read_selection(ref)
    for ranks, g in ((2, 1), (2, 2), (4, 2)):
        out = os.path.join(tmp, f"sel-{ranks}-{g}.h5")
        p = select_k(ranks, [x, "--k", "4:8", "--group-size", g, "--output", out],
                     name=f"ranks {ranks} group size {g}")
        if p.returncode != 0:
            continue
        tasks, _, attrs = read_selection(out)
        ok, detail = table_close(tasks, ref_tasks, ERR_COLUMNS)
        groups = int(attrs["groups"])
        check(f"{ranks} ranks, group size {g} ({groups} groups): chosen k",
              int(attrs["chosen_k"]) == int(ref_attrs["chosen_k"]) == 6,
              f"{int(attrs['chosen_k'])}")
        check(f"{ranks} ranks, group size {g}: the 1-rank table", ok, detail)
        if groups > 1:
            check(f"{ranks} ranks, group size {g}: every group ran fits",
                  len(set(tasks["group"].tolist())) == groups, f"{sorted(set(tasks['group']))}")


def group_formulas(tmp):
    X = planted(os.path.join(tmp, "f.h5"), 5, seed=11)
    n, p = X.shape
    seed, fraction = 7, 0.15
    common = ["--k", "3:6", "--replicates", "3", "--holdout", fraction, "--random-state", seed]
    folder = os.path.join(tmp, "fits")
    out = os.path.join(tmp, "f-sel.h5")
    if select_k(2, [os.path.join(tmp, "f.h5"), "--output", out, "--checkpoint", folder]
                + common, name="formulas").returncode != 0:
        return
    tasks, summary, attrs = read_selection(out)
    # The summary and both rules, from the tasks.
    s = summary_reference(tasks["k"], tasks["test_error"], tasks["train_error"])
    ok, detail = table_close({"a": summary["test_error_mean"], "b": summary["test_error_se"],
                              "c": summary["train_error_mean"], "d": summary["train_error_se"]},
                             {"a": s["test_mean"], "b": s["test_se"], "c": s["train_mean"],
                              "d": s["train_se"]}, "abcd", rtol=1e-12)
    check("summary: means and standard errors", ok, detail)
    check("rule 1se", int(attrs["chosen_k"]) == choose_reference(s, "1se"),
          f"k={int(attrs['chosen_k'])}")
    out_min = os.path.join(tmp, "f-min.h5")
    if select_k(2, [os.path.join(tmp, "f.h5"), "--output", out_min, "--rule", "min",
                    "--checkpoint", folder, "--resume"] + common, name="rule min").returncode == 0:
        _, _, a = read_selection(out_min)
        check("rule min (all fits taken from the checkpoint folder)",
              int(a["chosen_k"]) == choose_reference(s, "min"), f"k={int(a['chosen_k'])}")
    # Stability from the recorded H of each fit.
    worst = 0.0
    for i in range(len(tasks["k"])):
        k, r = int(tasks["k"][i]), int(tasks["replicate"][i])
        if r == 0:
            continue
        with h5py.File(os.path.join(folder, f"task-k{k}-r0.h5"), "r") as f:
            H0 = f["H"][()]
        with h5py.File(os.path.join(folder, f"task-k{k}-r{r}.h5"), "r") as f:
            H = f["H"][()]
        mean, least = stability_reference(H0, H)
        worst = max(worst, abs(mean - tasks["stability"][i]),
                    abs(least - tasks["stability_min"][i]))
    check("stability: matched cosine similarities vs scipy's assignment", worst < 1e-12,
          f"worst difference {worst:.1e}")
    # The held-out pattern: perturb only replicate 0's held-out entries, then one seen entry.
    held = held_out(seed, 0, n, p, fraction)
    check("hold-out fraction", abs(held.mean() - fraction) < 0.01, f"{held.mean():.4f}")
    one = ["--k", "4:4", "--replicates", "1", "--holdout", fraction, "--random-state", seed]
    base, pert, seen = (os.path.join(tmp, f"{name}.h5") for name in ("base", "pert", "seen"))
    outs = []
    for name, Y in (("base", X), ("pert", np.where(held, X * 3 + 1, X)),
                    ("seen", np.where(~held & (np.arange(n * p).reshape(n, p) == np.argmax(
                        ~held)), X + 1, X))):
        path = os.path.join(tmp, f"{name}-x.h5")
        with h5py.File(path, "w") as f:
            f["X"] = Y
        o = os.path.join(tmp, f"{name}.h5")
        if select_k(2, [path, "--output", o] + one, name=f"held-out {name}").returncode != 0:
            return
        outs.append(read_selection(o)[0])
    b, q, s_ = outs
    check("perturbing held-out entries leaves the training error to the bit",
          b["train_error"][0] == q["train_error"][0] and b["n_iter"][0] == q["n_iter"][0],
          f"{b['train_error'][0]!r} vs {q['train_error'][0]!r}")
    check("... and changes the held-out error", q["test_error"][0] != b["test_error"][0],
          f"{b['test_error'][0]:.6g} -> {q['test_error'][0]:.6g}")
    check("perturbing one seen entry changes the training error",
          s_["train_error"][0] != b["train_error"][0],
          f"{b['train_error'][0]!r} vs {s_['train_error'][0]!r}")


def group_resume(tmp):
    x = os.path.join(tmp, "planted6.h5")
    planted(x, 6, shape=(200, 150))
    args = ["--k", "2:7", "--replicates", "2"]
    fits = 6 * 2
    full = os.path.join(tmp, "full.h5")
    if select_k(2, [x, "--output", full] + args, name="uninterrupted").returncode != 0:
        return
    folder = os.path.join(tmp, "ck")
    out = os.path.join(tmp, "stopped.h5")
    cmd = [MPIEXEC, "-n", "2", DNMF_BIN, "select-k", x, "--output", out, "--checkpoint",
           folder] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    while True:  # stop after the first finished fit
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("  k="):
            proc.send_signal(signal.SIGUSR1)  # mpirun forwards it to every rank
            break
    out_text, err = proc.communicate(timeout=300)
    recorded = len(glob.glob(os.path.join(folder, "task-*.h5")))
    check("SIGUSR1: exit 75 with the finished fits recorded",
          proc.returncode == 75 and 0 < recorded < fits and not os.path.exists(out),
          f"exit {proc.returncode}, {recorded} of {fits} recorded{err[-400:]}")
    p = select_k(2, [x, "--output", out, "--checkpoint", folder, "--resume"] + args,
                 name="resume")
    if p.returncode != 0:
        return
    ok, detail = table_close(read_selection(out)[0], read_selection(full)[0], ERR_COLUMNS,
                             rtol=0)
    check("resumed run: the uninterrupted table, bit for bit", ok and "resuming" in p.stdout,
          detail)
    p = select_k(2, [x, "--output", out, "--checkpoint", folder, "--resume", "--holdout", 0.2]
                 + args, expect=2, name="resume with another holdout")
    check("resume with another --holdout: refused (exit 2)", p.returncode == 2
          and "another run" in p.stderr, p.stderr.strip()[-200:])


def group_bad(tmp):
    x = os.path.join(tmp, "small.h5")
    with h5py.File(x, "w") as f:
        f["X"] = np.random.RandomState(0).rand(30, 20)
    out = os.path.join(tmp, "bad.h5")
    cases = [
        ("empty k range", ["--k", "5:3"], 2, "FIRST <= LAST"),
        ("k not a range", ["--k", "two"], 2, "FIRST:LAST"),
        ("k above min(n, p) with nndsvd", ["--k", "2:25", "--init", "nndsvd"], 2, "nndsvd"),
        ("holdout 0", ["--k", "2:3", "--holdout", "0"], 2, "(0, 1)"),
        ("holdout 1", ["--k", "2:3", "--holdout", "1"], 2, "(0, 1)"),
        ("too many groups for the ranks", ["--k", "2:3", "--group-size", "3"], 2, "more ranks"),
        ("solver cd", ["--k", "2:3", "--solver", "cd"], 2, "cd"),
        ("kl with anls-bpp", ["--k", "2:3", "--beta-loss", "kullback-leibler", "--solver",
                              "anls-bpp"], 2, "anls"),
        ("--resume without --checkpoint", ["--k", "2:3", "--resume"], 2, "--checkpoint"),
        ("output is the input", ["--k", "2:3", "--output", x], 2, "same file"),
        ("missing input", ["--k", "2:3", "--output", out], 4, ""),
        ("plot into a missing folder", ["--k", "2:3", "--plot",
                                        os.path.join(tmp, "no", "p.png")], 4, "does not exist"),
    ]
    for name, extra, code, words in cases:
        args = [x] if name != "missing input" else [os.path.join(tmp, "nope.h5")]
        if "--output" not in extra:
            extra = extra + ["--output", out]
        before = os.path.exists(x) and open(x, "rb").read()
        p = select_k(2, args + extra, expect=code, name=name)
        check(f"bad input: {name} (exit {code})",
              p.returncode == code and words in p.stderr and open(x, "rb").read() == before
              and not os.path.exists(out),
              next((line for line in p.stderr.splitlines() if line.startswith("dnmf:")), "")[:160])


GROUPS = {"planted": group_planted, "ranks": group_ranks, "formulas": group_formulas,
          "resume": group_resume, "bad": group_bad}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", default=",".join(GROUPS))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dnmf-selectk-") as tmp:
        for g in args.groups.split(","):
            GROUPS[g](tmp)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

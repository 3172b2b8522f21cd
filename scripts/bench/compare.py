#!/usr/bin/python3
"""dnmf against scikit-learn on the same data, from the same starting point, for the same
number of iterations, with each iteration set against the machine's floor.

  scripts/bench/compare.py [INPUT.h5[:/X]] [--k 20] [--iters 100] [--ranks 2] [--threads 2]
                           [--solvers mu,cd,mu-kl,anls-bpp] [--dtype float32]
                           [--json results.jsonl]

Default INPUT: Fashion-MNIST as scripts/fashion-mnist.sh writes it (out/fashion-mnist.h5).
The start is scikit-learn's random init (scripts/sklearn_init.py), or the input file's own
/W0 and /H0 when it has them with k columns (scripts/bench/make_sparse.py writes those).

In one run it measures, with the ranks running at once (OPENBLAS_NUM_THREADS=1 each):
  - the machine (build/bin/dnmf_machine_floor): per rank, the peak FMA rate of one core on its
    widest vectors (float64 and float32) and its share of the read bandwidth;
  - dnmf fit --verbose for each solver: seconds per iteration, per-phase min/avg/max over
    ranks, bytes received per iteration per rank, peak RSS per rank;
  - scikit-learn's own solver routine (scripts/bench/sklearn_time.py) with --threads BLAS
    threads.
The floor of an iteration on one rank is the larger of the time to read its block of X once
and its flops at that peak (float32 input: the float32 peak): 4k flops per stored entry for mu (Frobenius) and cd
(X H^T and W^T X), 8k for mu with other losses (W H is formed at the entries once per factor
update, on top of the two products). Memory is set against the rank's block of X plus its
factor rows (W and Ht blocks, both gathered and owned).

With --anls (and cd among the solvers), it also times --solver anls-bpp from the same start
to the error cd reaches in --iters iterations: anls-bpp runs of 5, 10, 20, ... iterations until
one gets there.

Prints a table, each target of issue #14 met or not (solver vs floor, vs scikit-learn,
anls-bpp vs cd per iteration), and one JSON line per measurement (also appended to --json).

  scripts/bench/compare.py --targets [--baseline-dnmf OLD/bin/dnmf] [--json results.jsonl]

runs all of issue #14's cases in one go (Fashion-MNIST at k = 20 in float64 with mu, cd, mu-KL
and anls-bpp against scikit-learn, the same in float32, k = 50 and k = 100, and a random sparse
20000 x 10000 matrix with 2e6 entries) and ends with one line per target: measured, bound, met
or not. The sparse target is a speed-up over dnmf before the SIMD kernels: a build of that
version given as --baseline-dnmf is timed in the same run; without it the issue's figures
(0.0206 s/iter for mu, 0.0213 for cd) stand in.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
SOLVERS = {
    "mu": (["--solver", "mu", "--beta-loss", "frobenius"], "mu", "frobenius", 4),
    "cd": (["--solver", "cd"], "cd", "frobenius", 4),
    "mu-kl": (["--solver", "mu", "--beta-loss", "kullback-leibler"], "mu", "kullback-leibler", 8),
    # scikit-learn has no ANLS solver: set against the floor and against cd only.
    "anls-bpp": (["--solver", "anls-bpp"], None, None, 4),
}
# The targets of this benchmark (issue #14): solver -> (most x the floor, least speed-up over
# scikit-learn). anls-bpp's target is per iteration against cd: at most 2x cd's s/iter.
TARGETS = {"mu": (1.5, 5.0), "cd": (1.5, 4.0), "mu-kl": (2.0, 5.0), "anls-bpp": (None, None)}


def sh(argv, env=None):
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr[-2000:]}")
    return proc.stdout


def mpi_env():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def machine_rates(floor_bin, ranks):
    """Per rank, with all ranks measuring at once (build/bin/dnmf_machine_floor): read bandwidth
    (B/s, the slowest rank's share) and peak FMA rate of the widest vectors (flop/s, float64 and
    float32, the slowest rank's)."""
    out = json.loads(sh(["mpirun", "-n", str(ranks), "--oversubscribe", floor_bin], mpi_env()))
    return {"read": min(out["read_bytes_per_s"]), "peak_f64": min(out["peak_flops_f64"]),
            "peak_f32": min(out["peak_flops_f32"]), "simd_path": out["simd_path"]}


def describe(spec):
    """(path, object, rows, cols, stored entries, bytes per stored entry, dense?)."""
    path, _, obj = spec.partition(":")
    obj = obj or "/X"
    with h5py.File(path, "r") as f:
        node = f[obj]
        if isinstance(node, h5py.Dataset):
            m, n = node.shape
            return path, obj, m, n, m * n, node.dtype.itemsize, True
        shape = node.attrs["shape"] if "shape" in node.attrs else node.attrs["h5sparse_shape"]
        nnz = node["data"].shape[0]
        return path, obj, int(shape[0]), int(shape[1]), nnz, node["data"].dtype.itemsize + 8, False


def starting_point(spec, path, k, work):
    with h5py.File(path, "r") as f:
        if "W0" in f and "H0" in f and f["W0"].shape[1] == k:
            return f"{path}:/W0", f"{path}:/H0"
    init = os.path.join(work, "init.h5")
    sh([PY, os.path.join(ROOT, "scripts", "sklearn_init.py"), spec, init, "--n-components", str(k)])
    return f"{init}:/W0", f"{init}:/H0"


def parse_dnmf(text):
    r = {}
    m = re.search(r"grid=(\d+)x(\d+) n_iter_=(\d+) reconstruction_err_=(\S+) time=([0-9.]+)s"
                  r" \(([0-9.e+-]+) s/iter\)", text)
    if not m:
        raise SystemExit(f"no summary line in dnmf's output:\n{text[-1500:]}")
    r["grid"] = (int(m.group(1)), int(m.group(2)))
    r["n_iter"] = int(m.group(3))
    r["reconstruction_err"] = float(m.group(4))
    r["seconds"] = float(m.group(5))
    r["seconds_per_iter"] = float(m.group(6))
    m = re.search(r"received per iteration per rank: min (\S+) B\s+avg (\S+) B\s+max (\S+) B", text)
    r["bytes_received_per_iter"] = [float(v) for v in m.groups()] if m else None
    m = re.search(r"peak RSS per rank: min (\S+) MiB\s+avg (\S+) MiB\s+max (\S+) MiB", text)
    r["peak_rss_mib"] = [float(v) for v in m.groups()] if m else None
    r["phases"] = {p: [float(a), float(b), float(c)] for p, a, b, c in re.findall(
        r"phase (\S+)\s+min\s+(\S+) s\s+avg\s+(\S+) s\s+max\s+(\S+) s", text)}
    return r


def measure(args):
    """One input, one k, one element type: every solver in args.solvers, with the machine's
    rates measured first. Prints the table and each target, returns the rows for a summary."""
    floor_bin = os.path.join(os.path.dirname(args.dnmf), "dnmf_machine_floor")
    if not os.path.exists(floor_bin):  # a --baseline-dnmf from before the floor program
        floor_bin = os.path.join(ROOT, "build", "bin", "dnmf_machine_floor")
    path, obj, m, n, entries, entry_bytes, dense = describe(args.input)
    spec = f"{path}:{obj}"
    lines = []

    def emit(record):
        lines.append(record)
        print(json.dumps(record), flush=True)

    with tempfile.TemporaryDirectory(prefix="dnmf-bench-") as work:
        w0, h0 = starting_point(spec, path, args.k, work)
        dw0, dh0 = w0, h0  # dnmf's start, in its own element type (scikit-learn keeps X's)
        if args.dtype:
            typed = os.path.join(work, f"init-{args.dtype}.h5")
            with h5py.File(typed, "w") as out:
                for name, ref in (("W0", w0), ("H0", h0)):
                    src, _, obj = ref.rpartition(":")
                    with h5py.File(src, "r") as f:
                        out[name] = np.asarray(f[obj], dtype=args.dtype)
            dw0, dh0 = f"{typed}:/W0", f"{typed}:/H0"
        rates = machine_rates(floor_bin, args.ranks)
        bw = rates["read"]
        # X's element type sets the peak: float32 input runs float32 end to end.
        value_bytes = entry_bytes if dense else entry_bytes - 8
        if args.dtype:
            entry_bytes += (4 if args.dtype == "float32" else 8) - value_bytes
            value_bytes = 4 if args.dtype == "float32" else 8
        peak = rates["peak_f32"] if value_bytes == 4 else rates["peak_f64"]
        emit({"what": "machine", "ranks": args.ranks, "read_bytes_per_s_per_rank": bw,
              "peak_flops_per_s_per_rank_f64": rates["peak_f64"],
              "peak_flops_per_s_per_rank_f32": rates["peak_f32"], "simd_path": rates["simd_path"]})
        def fit(opts, iters, out_name):
            return parse_dnmf(sh(
                ["mpirun", "-n", str(args.ranks), "--oversubscribe", args.dnmf, "fit", spec,
                 "--n-components", str(args.k), *opts, "--init", "custom", "--init-W", dw0,
                 "--init-H", dh0, "--tol", "0", "--max-iter", str(iters), "--verbose",
                 *(["--dtype", args.dtype] if args.dtype else []),
                 "--output", os.path.join(work, out_name)], mpi_env()))

        table = []
        anls = None
        for name in args.solvers.split(","):
            opts, sk_solver, sk_beta, flops_per_entry = SOLVERS[name]
            ours = fit(opts, args.iters, f"{name}.h5")
            pr, pc = ours["grid"]
            # The largest rank's share, assuming balanced blocks (dnmf balances sparse blocks).
            x_bytes = entries * entry_bytes / args.ranks
            flops = flops_per_entry * args.k * entries / args.ranks
            floor = max(x_bytes / bw, flops / peak)
            factor_bytes = value_bytes * args.k * (2 * m / pr + 2 * n / pc)
            rec = {"what": "dnmf", "solver": name, "input": spec, "m": m, "n": n,
                   "stored_entries": entries, "k": args.k, "iters": args.iters,
                   "ranks": args.ranks, "grid": f"{pr}x{pc}", **ours,
                   "floor_seconds_per_iter": floor,
                   "x_block_mib": x_bytes / 2**20, "factors_mib": factor_bytes / 2**20}
            emit(rec)
            theirs = None
            if not args.skip_sklearn and sk_solver:
                theirs = json.loads(sh([PY, os.path.join(ROOT, "scripts", "bench", "sklearn_time.py"),
                                        spec, "--solver", sk_solver, "--beta-loss", sk_beta,
                                        "--init-W", w0, "--init-H", h0, "--iters",
                                        str(args.iters), "--threads", str(args.threads)]))
                theirs["what"] = "sklearn"
                theirs["solver"] = name
                emit(theirs)
            table.append((name, rec, theirs))
            if args.anls and name == "cd":
                iters = 5
                while True:
                    run = fit(["--solver", "anls-bpp"], iters, "anls.h5")
                    if run["reconstruction_err"] <= ours["reconstruction_err"] or iters >= args.iters:
                        break
                    iters *= 2 if iters < 20 else 1.5
                    iters = int(iters)
                anls = {"what": "dnmf", "solver": "anls-bpp", "target": "cd's final error",
                        "cd_error": ours["reconstruction_err"], "cd_iters": ours["n_iter"],
                        "cd_seconds": ours["seconds"], **run,
                        "reached": run["reconstruction_err"] <= ours["reconstruction_err"]}
                emit(anls)

    print(f"\n{spec}: {m} x {n}, {entries} stored entries, k={args.k}, {args.iters} iterations; "
          f"dnmf {args.ranks} ranks x 1 thread, scikit-learn {args.threads} BLAS threads")
    print(f"machine per rank (all ranks at once): read {bw / 1e9:.1f} GB/s, peak FMA "
          f"{rates['peak_f64'] / 1e9:.1f} GFLOP/s float64, {rates['peak_f32'] / 1e9:.1f} float32 "
          f"({rates['simd_path']}); X is {8 * value_bytes}-bit")
    print("floor per iteration = max(X bytes per rank / read rate, flops per rank / peak)")
    print(f"{'solver':7} {'dnmf s/it':>10} {'sklearn s/it':>12} {'speed-up':>8} {'floor s/it':>10} "
          f"{'vs floor':>8} {'recv/it/rank':>12} {'RSS max MiB':>11} {'X+factors MiB':>13}")
    for name, rec, theirs in table:
        s_it = rec["seconds_per_iter"]
        t_it = theirs["seconds_per_iter"] if theirs else float("nan")
        recv = rec["bytes_received_per_iter"][2] if rec["bytes_received_per_iter"] else float("nan")
        rss = rec["peak_rss_mib"][2] if rec["peak_rss_mib"] else float("nan")
        print(f"{name:7} {s_it:10.4f} {t_it:12.4f} {t_it / s_it:7.2f}x "
              f"{rec['floor_seconds_per_iter']:10.4f} {s_it / rec['floor_seconds_per_iter']:7.2f}x "
              f"{recv / 1024:9.1f} KiB {rss:11.1f} {rec['x_block_mib'] + rec['factors_mib']:13.1f}")
        for phase, (lo, avg, hi) in rec["phases"].items():
            per = rec["n_iter"] or 1
            print(f"    {phase:14} min {lo / per:.2e}  avg {avg / per:.2e}  max {hi / per:.2e} s/it")
    if getattr(args, "quiet_targets", False):
        if args.json:
            with open(args.json, "a") as f:
                for rec in lines:
                    f.write(json.dumps(rec) + "\n")
        return table, anls
    print("targets:")
    per_iter = {name: rec["seconds_per_iter"] for name, rec, _ in table}
    for name, rec, theirs in table:
        most_floor, least_speedup = TARGETS.get(name, (None, None))
        ratio = rec["seconds_per_iter"] / rec["floor_seconds_per_iter"]
        if most_floor:
            print(f"  {name:8} vs floor   {ratio:6.2f}x  (target <= {most_floor}x: "
                  f"{'met' if ratio <= most_floor else 'NOT met'})")
        if least_speedup and theirs:
            up = theirs["seconds_per_iter"] / rec["seconds_per_iter"]
            print(f"  {name:8} vs sklearn {up:6.2f}x  (target >= {least_speedup}x: "
                  f"{'met' if up >= least_speedup else 'NOT met'})")
        if name == "anls-bpp" and "cd" in per_iter:
            r = rec["seconds_per_iter"] / per_iter["cd"]
            print(f"  anls-bpp vs cd s/iter {r:6.2f}x  (target <= 2x: "
                  f"{'met' if r <= 2 else 'NOT met'})")
    if anls:
        print(f"anls-bpp: error {anls['reconstruction_err']:.6g} after {anls['n_iter']} iterations "
              f"in {anls['seconds']:.2f} s; cd: {anls['cd_error']:.6g} after {anls['cd_iters']} "
              f"iterations in {anls['cd_seconds']:.2f} s"
              f"{'' if anls['reached'] else ' (not reached)'}")
    if args.json:
        with open(args.json, "a") as f:
            for rec in lines:
                f.write(json.dumps(rec) + "\n")
    return table, anls


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", default=os.path.join(ROOT, "out", "fashion-mnist.h5"))
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="scikit-learn's BLAS threads")
    ap.add_argument("--solvers", default="mu,cd,mu-kl")
    ap.add_argument("--json", help="append the JSON lines to this file too")
    ap.add_argument("--dnmf", default=os.path.join(ROOT, "build", "bin", "dnmf"))
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--dtype", choices=["float64", "float32"],
                    help="dnmf's element type (default: the input's); sets the floor's peak and "
                         "X's bytes (scikit-learn keeps the input's)")
    ap.add_argument("--anls", action="store_true", help="time anls-bpp to cd's final error")
    ap.add_argument("--targets", action="store_true",
                    help="every case of issue #14 in one run (Fashion-MNIST k=20 float64 and "
                         "float32, k=50 and 100, the sparse 20000 x 10000 case) and a summary "
                         "of each target, met or not")
    ap.add_argument("--baseline-dnmf",
                    help="with --targets: a dnmf built before the SIMD kernels, timed on the "
                         "sparse case in the same run (else the issue's figures are the baseline)")
    args = ap.parse_args()
    if not args.targets:
        measure(args)
        return 0
    return all_targets(args)


# The sparse case of issue #14 and dnmf's s/iter on it before the SIMD kernels (the issue's
# table, 2 ranks, idle machine): the baseline when no --baseline-dnmf is given.
SPARSE_CASE = ["--rows", "20000", "--cols", "10000", "--nnz", "2000000", "--k", "20"]
SPARSE_BEFORE = {"mu": 0.0206, "cd": 0.0213}


def all_targets(args):
    """Issue #14's cases, one after the other in this run, then one line per target."""
    results = []  # (case, solver, record, scikit-learn's record)

    def case(name, **over):
        cfg = argparse.Namespace(**{**vars(args), **over, "quiet_targets": True})
        print(f"\n=== {name} ===", flush=True)
        table, anls = measure(cfg)
        for solver, rec, theirs in table:
            results.append((name, solver, rec, theirs))
        return table, anls

    fm = args.input
    case("k=20 float64", input=fm, k=20, solvers="mu,cd,mu-kl,anls-bpp", dtype=None, anls=True)
    case("k=20 float32", input=fm, k=20, solvers="mu,cd", dtype="float32", skip_sklearn=True,
         anls=False)
    for k in (50, 100):
        case(f"k={k} float64", input=fm, k=k, solvers="mu,cd", dtype=None, skip_sklearn=True,
             anls=False)
    with tempfile.TemporaryDirectory(prefix="dnmf-sparse-") as tmp:
        sparse = os.path.join(tmp, "sparse.h5")
        sh([PY, os.path.join(ROOT, "scripts", "bench", "make_sparse.py"), sparse, *SPARSE_CASE])
        case("sparse 20000x10000 2e6", input=f"{sparse}:/X", k=20, solvers="mu,cd", dtype=None,
             skip_sklearn=True, anls=False)
        before = dict(SPARSE_BEFORE)
        source = "the issue's figures"
        if args.baseline_dnmf:
            table, _ = case("sparse, dnmf before the kernels", input=f"{sparse}:/X", k=20,
                            solvers="mu,cd", dtype=None, skip_sklearn=True, anls=False,
                            dnmf=args.baseline_dnmf)
            before = {solver: rec["seconds_per_iter"] for solver, rec, _ in table}
            source = f"{args.baseline_dnmf}, this run"

    got = {(c, s): (rec, theirs) for c, s, rec, theirs in results}
    rows = []

    def target(label, value, bound, at_most):
        met = value <= bound if at_most else value >= bound
        rows.append((label, value, ("<= " if at_most else ">= ") + f"{bound:g}x", met))

    for solver, bound in (("mu", 1.5), ("cd", 1.5), ("mu-kl", 2.0)):
        rec, _ = got[("k=20 float64", solver)]
        target(f"{solver} float64 vs floor", rec["seconds_per_iter"] / rec["floor_seconds_per_iter"],
               bound, True)
    for solver in ("mu", "cd"):
        rec, _ = got[("k=20 float32", solver)]
        target(f"{solver} float32 vs its floor",
               rec["seconds_per_iter"] / rec["floor_seconds_per_iter"], 1.5, True)
    anls_rec, _ = got[("k=20 float64", "anls-bpp")]
    cd_rec, _ = got[("k=20 float64", "cd")]
    target("anls-bpp s/iter vs cd", anls_rec["seconds_per_iter"] / cd_rec["seconds_per_iter"], 2.0,
           True)
    for solver in ("mu", "cd"):
        rec, _ = got[("sparse 20000x10000 2e6", solver)]
        target(f"sparse {solver} speed-up over before ({source})",
               before[solver] / rec["seconds_per_iter"], 2.0, False)
    for k in (50, 100):
        for solver in ("mu", "cd"):
            rec, _ = got[(f"k={k} float64", solver)]
            target(f"k={k} {solver} vs floor",
                   rec["seconds_per_iter"] / rec["floor_seconds_per_iter"], 2.0, True)
    for solver, bound in (("mu", 5.0), ("cd", 4.0), ("mu-kl", 5.0)):
        rec, theirs = got[("k=20 float64", solver)]
        if theirs:
            target(f"{solver} vs scikit-learn, same start",
                   theirs["seconds_per_iter"] / rec["seconds_per_iter"], bound, False)

    print("\ncase                     solver    dnmf s/it  floor s/it  vs floor  sklearn s/it")
    for c, s_, rec, theirs in results:
        t = f"{theirs['seconds_per_iter']:12.4f}" if theirs else f"{'-':>12}"
        print(f"{c:24} {s_:8} {rec['seconds_per_iter']:10.4f} {rec['floor_seconds_per_iter']:11.4f} "
              f"{rec['seconds_per_iter'] / rec['floor_seconds_per_iter']:8.2f}x {t}")
    print("\ntargets of issue #14 (this run):")
    for label, value, bound, met in rows:
        print(f"  {label:58} {value:6.2f}x  (target {bound}: {'met' if met else 'NOT met'})")
    summary = {"what": "targets", "targets": [
        {"target": label, "value": value, "bound": bound, "met": met}
        for label, value, bound, met in rows]}
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

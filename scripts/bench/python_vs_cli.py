#!/usr/bin/python3
"""Seconds per iteration of a fit through Python (dnmf.NMF under mpirun) against `dnmf fit` on
the same data, ranks, grid, start and iterations.

For each solver it runs
  cli:   mpirun -np R dnmf fit DATA --init random --random-state 0 --tol 0 --max-iter N
  path:  mpirun -np R python3 <this> --worker ...: dnmf.NMF(comm=COMM_WORLD).fit("DATA"),
         each rank reading its block (what the CLI does)
  rows:  the same with distributed=True on each rank's rows, read with h5py first
and prints the solver's s/iter (the CLI's summary line; dnmf_seconds_ / n_iter_ in Python),
the Python call's wall time per iteration (parameter checks, copies and gathers included) and
the ratio to the CLI. JSON lines go to stdout and --json.

  scripts/fashion-mnist.sh                          # once: writes out/fashion-mnist.h5
  /usr/bin/python3 scripts/bench/python_vs_cli.py --ranks 2 --iters 100
  /usr/bin/python3 scripts/bench/python_vs_cli.py DATA.h5:/X --solvers mu --iters 20
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")
ENV["PYTHONPATH"] = os.path.join(ROOT, "build", "python") + os.pathsep + ENV.get("PYTHONPATH", "")


def sh(argv):
    r = subprocess.run(argv, capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def worker(args):
    """Under mpirun: one timed fit through Python; rank 0 prints a JSON line."""
    import numpy as np  # noqa: F401
    from mpi4py import MPI

    import dnmf

    comm = MPI.COMM_WORLD
    params = dict(n_components=args.k, solver=args.solver, init="random", random_state=0,
                  tol=0.0, max_iter=args.iters, comm=comm)
    if args.grid:
        params["grid"] = args.grid
    if args.form == "rows":
        import h5py

        path, _, obj = args.input.partition(":")
        with h5py.File(path, "r") as f:
            n = f[obj or "/X"].shape[0]
            base, extra = divmod(n, comm.size)
            lo = comm.rank * base + min(comm.rank, extra)
            hi = lo + base + (1 if comm.rank < extra else 0)
            X = f[obj or "/X"][lo:hi]
        params["distributed"] = True
        params.pop("grid", None)
    else:
        X = args.input
    model = dnmf.NMF(**params)
    comm.Barrier()
    t = time.perf_counter()
    model.fit(X)
    wall = comm.allreduce(time.perf_counter() - t, op=MPI.MAX)
    if comm.rank == 0:
        print(json.dumps({"n_iter": model.n_iter_, "seconds": model.dnmf_seconds_,
                          "wall": wall, "err": model.reconstruction_err_,
                          "grid": list(model.dnmf_grid_)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", default=os.path.join(ROOT, "out", "fashion-mnist.h5:/X"))
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--solvers", default="mu,cd")
    ap.add_argument("--grid", help="PRxPC for cli and path (rows always uses Px1)")
    ap.add_argument("--json", help="also append the JSON lines to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--form", default="path", help=argparse.SUPPRESS)
    ap.add_argument("--solver", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    dnmf_bin = os.path.join(ROOT, "build", "bin", "dnmf")
    mpirun = ["mpirun", "-np", str(args.ranks), "--oversubscribe"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dnmf-bench-") as tmp:
        for solver in args.solvers.split(","):
            argv = mpirun + [dnmf_bin, "fit", args.input, "--n-components", str(args.k),
                             "--solver", solver, "--init", "random", "--random-state", "0",
                             "--tol", "0", "--max-iter", str(args.iters),
                             "--output", os.path.join(tmp, "m.h5")]
            if args.grid:
                argv += ["--grid", args.grid]
            t = time.perf_counter()
            text = sh(argv)
            wall = time.perf_counter() - t
            m = re.search(r"grid=(\d+x\d+) n_iter_=(\d+) reconstruction_err_=(\S+) "
                          r"time=([0-9.]+)s \(([0-9.e+-]+) s/iter\)", text)
            if not m:
                raise SystemExit(f"no summary line in dnmf's output:\n{text[-1500:]}")
            cli = float(m.group(5))
            rows.append({"solver": solver, "form": "cli", "grid": m.group(1),
                         "n_iter": int(m.group(2)), "s_per_iter": cli,
                         "process_wall_s": wall, "err": float(m.group(3))})
            for form in ("path", "rows"):
                argv = mpirun + [PY, os.path.abspath(__file__), args.input, "--worker",
                                 "--form", form, "--solver", solver, "--k", str(args.k),
                                 "--iters", str(args.iters)]
                if args.grid:
                    argv += ["--grid", args.grid]
                r = json.loads(sh(argv).strip().splitlines()[-1])
                rows.append({"solver": solver, "form": form, "grid": "x".join(map(str, r["grid"])),
                             "n_iter": r["n_iter"], "s_per_iter": r["seconds"] / r["n_iter"],
                             "call_s_per_iter": r["wall"] / r["n_iter"], "err": r["err"],
                             "vs_cli": r["seconds"] / r["n_iter"] / cli})
    print(f"{'solver':8s} {'form':5s} {'grid':5s} {'s/iter':>9s} {'call s/iter':>11s} "
          f"{'vs cli':>7s} {'error':>14s}")
    for r in rows:
        call = f"{r['call_s_per_iter']:.4f}" if "call_s_per_iter" in r else "-"
        ratio = f"{r['vs_cli']:.3f}" if "vs_cli" in r else "1"
        print(f"{r['solver']:8s} {r['form']:5s} {r['grid']:5s} {r['s_per_iter']:9.4f} "
              f"{call:>11s} {ratio:>7s} {r['err']:14.8g}")
    for r in rows:
        line = json.dumps(dict(r, ranks=args.ranks, k=args.k, input=args.input))
        print(line)
        if args.json:
            with open(args.json, "a") as f:
                f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

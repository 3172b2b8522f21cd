#!/usr/bin/env python3
"""Per-rank accounting on real ranks (README "Scaling"): one fixed problem fitted at
P = 1, 2, 4, ... 64 oversubscribed ranks (`dnmf fit --verbose`), each rank's peak RSS and bytes
received per iteration against the cost model (`dnmf info --ranks P`: the memory plan and the
words moved per iteration), and the per-phase times (read+write, init, iterations, error).

    /usr/bin/python3 scripts/bench/scaling_ranks.py [--max-ranks 64] [--rows 8000 --cols 6000]

Prints a table and one JSON line per P. Runs under flock /tmp/dnmf-bench.lock.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DNMF = os.path.join(ROOT, "build", "bin", "dnmf")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OPENBLAS_NUM_THREADS="1", OMPI_MCA_mpi_yield_when_idle="1")


def run(cmd):
    r = subprocess.run(["flock", "/tmp/dnmf-bench.lock"] + cmd, env=ENV, capture_output=True,
                       text=True)
    if r.returncode:
        raise SystemExit(r.stdout[-2000:] + r.stderr[-2000:])
    return r.stdout + r.stderr


def three(text, what):
    m = re.search(what + r": min ([\d.e+]+) \S+\s+avg ([\d.e+]+) \S+\s+max ([\d.e+]+)", text)
    return tuple(float(v) for v in m.groups())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=8000)
    ap.add_argument("--cols", type=int, default=6000)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--solver", default="mu")
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--max-ranks", type=int, default=64)
    a = ap.parse_args()
    import h5py
    import numpy as np
    with tempfile.TemporaryDirectory() as d:
        x = os.path.join(d, "x.h5")
        with h5py.File(x, "w") as f:
            f["X"] = np.random.RandomState(0).rand(a.rows, a.cols)
        print("| ranks | grid | peak RSS MiB min / max (max/min) | plan MiB | received B/iter/rank "
              "avg (max) | model B/iter | read+write s | init s | iterations s | error s |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        p = 1
        while p <= a.max_ranks:
            info = run([DNMF, "info", x, "--ranks", str(p), "--n-components", str(a.k),
                        "--solver", a.solver, "--init", "random"])
            plan = float(re.search(r"about ([\d.]+) MiB at peak", info).group(1))
            words = float(re.search(r"words moved per iteration per rank ~([\d.e+]+)", info)
                          .group(1))
            out = run(["mpirun", "--oversubscribe", "-np", str(p), DNMF, "fit", x,
                       "--n-components", str(a.k), "--solver", a.solver, "--init", "random",
                       "--random-state", "0", "--tol", "0", "--max-iter", str(a.iterations),
                       "--verbose", "--output", os.path.join(d, "m.h5")])
            grid = re.search(r"grid (\d+x\d+)", out).group(1)
            rss = three(out, "peak RSS per rank")
            recv = three(out, "received per iteration per rank")
            ph = {m.group(1): float(m.group(2)) for m in
                  re.finditer(r"phase (\w+)\s+min\s+[\d.]+ s\s+avg\s+[\d.]+ s\s+max\s+([\d.]+) s", out)}
            iters = sum(ph.get(k, 0) for k in ("gram", "allgather", "local_multiply",
                                               "reduce_scatter", "update"))
            r = dict(ranks=p, grid=grid, rss_min=rss[0], rss_avg=rss[1], rss_max=rss[2],
                     plan_mib=plan, received_avg=recv[1], received_max=recv[2],
                     model_bytes=8 * words, phases_max_s=ph)
            print(f"| {p} | {grid} | {rss[0]:.1f} / {rss[2]:.1f} ({rss[2] / rss[0]:.2f}) | "
                  f"{plan:.1f} | {recv[1]:.0f} ({recv[2]:.0f}) | {8 * words:.0f} | "
                  f"{ph.get('io', 0):.3f} | {ph.get('init', 0):.3f} | {iters:.3f} | "
                  f"{ph.get('error', 0):.3f} |", flush=True)
            print("JSON " + json.dumps(r), flush=True)
            p *= 2


if __name__ == "__main__":
    main()

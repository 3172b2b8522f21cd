#!/usr/bin/env python3
"""Scaling studies on a simulated cluster (SimGrid SMPI; sim/ and README "Scaling").

    scripts/bench/scaling_sim.py all        # calibrate, validate, rhea, weak, modern
    scripts/bench/scaling_sim.py validate   # one study; see --help
    scripts/bench/scaling_sim.py table FILE # the README's tables from a run's JSON lines

Builds sim/ with smpicxx into build-sim/ when needed. Steps:
  calibrate  the kernel rates of this core (dnmf_sim --calibrate, plus the cd and anls-bpp
             update phases of a real one-rank fit) into build-sim/rates.txt;
  validate   time per iteration at 1 and 2 ranks: measured (dnmf fit under Open MPI, the same
             synthetic block) against simulated on this machine's platform, with the real
             kernels (dnmf_sim) and with the charged ones (dnmf_sim_charged);
  rhea       MPI-FAUN's strong scaling on Rhea: dense 207360 x 138240, k = 50, 96..1536 ranks
             (mu, cd, anls-bpp); sparse density 0.001, 16..1536 ranks;
  weak       dense, a fixed block per rank, 16..16384 ranks, on Rhea;
  modern     the dense strong and weak cases on a 128-core, 200 Gb/s platform.
Each point prints a table row and a JSON line (prefix "JSON "). Timings run under
flock /tmp/dnmf-bench.lock (the machine is shared).
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCK = "/tmp/dnmf-bench.lock"

# --- platforms: every parameter, with its source ------------------------------------------
# Speeds are in the calibrated unit (sim/rates.hpp): 1 Gf = one second of this machine's core,
# so this machine's core is 1 Gf and another core is scaled by its FMA peak over this core's
# measured one (la::measure_peak_flops): the kernels are assumed to reach the same fraction of
# peak there as here.
PLATFORMS = {
    "this-machine": dict(
        cores=2, nodes=1, peak=None,  # the calibrated core itself
        bw="10GBps", lat="0.5us",  # (no network: one node; loopback = shared-memory MPI)
        loop_bw="10GBps", loop_lat="0.5us",
        source="this VM: 2 cores (nproc), one node; shared-memory copies at 10 GB/s, 0.5 us "
               "(assumed; at 1-2 ranks only k x k and factor blocks move)"),
    "rhea": dict(
        cores=16, nodes=1024, peak=16.0e9,
        bw="6.8GBps", lat="1us", loop_bw="12.8GBps", loop_lat="0.4us",
        source="OLCF Rhea: 2 x 8-core Intel Xeon E5-2650 (2.0 GHz Sandy Bridge, AVX: 8 double "
               "flops/cycle = 16 GF/s per core), FDR InfiniBand 4x (56 Gb/s signalling, 54.5 Gb/s "
               "data = 6.8 GB/s per node link, ~1 us MPI latency), modelled as one non-blocking "
               "switch; intra-node copies 12.8 GB/s per flow (a quarter of a socket's 4 x "
               "DDR3-1600 = 51.2 GB/s), 0.4 us (assumed)"),
    "modern": dict(
        cores=128, nodes=256, peak=39.2e9,
        bw="25GBps", lat="1us", loop_bw="25GBps", loop_lat="0.3us",
        source="a current node: 2 x 64-core AMD EPYC 7763 (2.45 GHz, AVX2 FMA: 16 double "
               "flops/cycle = 39.2 GF/s per core), HDR InfiniBand 200 Gb/s (25 GB/s, ~1 us), "
               "one non-blocking switch; intra-node 25 GB/s per flow, 0.3 us (assumed)"),
}


def sh(cmd, env=None, lock=True, stderr_too=False):
    if lock:
        cmd = ["flock", LOCK] + cmd
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return r.stdout + (r.stderr if stderr_too else "")


def build(bdir):
    if not os.path.exists(os.path.join(bdir, "CMakeCache.txt")):
        sh(["cmake", "-S", os.path.join(ROOT, "sim"), "-B", bdir, "-DCMAKE_CXX_COMPILER=smpicxx",
            "-DCMAKE_C_COMPILER=smpicc"], lock=False)
    sh(["cmake", "--build", bdir, "-j2"], lock=False)
    shim(bdir)


def shim(bdir):
    """sim/shm_backing.c, preloaded into the simulator: SMPI's shared-memory file on tmpfs."""
    src, lib = os.path.join(ROOT, "sim", "shm_backing.c"), os.path.join(bdir, "libdnmf_sim_shm.so")
    if not os.path.exists(lib) or os.path.getmtime(lib) < os.path.getmtime(src):
        sh(["cc", "-O2", "-shared", "-fPIC", "-o", lib, src, "-ldl"], lock=False)
    return lib


def platform(bdir, name, peak_here):
    # One non-blocking switch: each node's link (one way up, one down), and no backbone. (A
    # backbone of unlimited bandwidth is the same network, but every inter-node flow would
    # cross it, joining all flows in one sharing system that SimGrid re-solves at each event.)
    p = PLATFORMS[name]
    speed = 1.0 if p["peak"] is None else p["peak"] / peak_here
    path = os.path.join(bdir, f"platform-{name}.xml")
    with open(path, "w") as f:
        f.write(f"""<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<!-- {name}: {p['source']}.
     Core speed {speed:.4g} Gf = its peak over this machine's core's ({peak_here / 1e9:.1f} GF/s). -->
<platform version="4.1">
  <cluster id="{name}" prefix="{name}-" suffix="" radical="0-{p['nodes'] - 1}"
           speed="{speed:.6g}Gf" core="{p['cores']}" bw="{p['bw']}" lat="{p['lat']}"
           sharing_policy="SPLITDUPLEX"
           loopback_bw="{p['loop_bw']}" loopback_lat="{p['loop_lat']}"/>
</platform>
""")
    return path


def hostfile(bdir, name, ranks):
    p = PLATFORMS[name]
    nodes = math.ceil(ranks / p["cores"])
    if nodes > p["nodes"]:
        raise SystemExit(f"{ranks} ranks do not fit on {name}")
    path = os.path.join(bdir, f"hosts-{name}-{ranks}")
    with open(path, "w") as f:
        for r in range(ranks):  # ranks fill a node before the next (block placement)
            f.write(f"{name}-{r // p['cores']}\n")
    return path


# The factor all-gathers: a ring (MPICH's long-message algorithm; each rank passes blocks to its
# right neighbour, as Open MPI up to 1.10 did for gathers of 50 KB or more), instead of the
# Bruck and neighbour-exchange algorithms of Open MPI 4's table that smpi/coll-selector:ompi
# copies. Every rank receives the same bytes either way; the ring sends plain contiguous
# blocks, which SMPI does not copy when a buffer is in shared memory, where Bruck's indexed
# datatypes are packed and unpacked for real at every step (README "Simulated cluster").
ALLGATHERV = "--cfg=smpi/allgatherv:mpich_ring"

# No detached sends. SMPI sends messages under 64 KiB eagerly ("detached"), and SimGrid 3.32
# keeps every detached message in flight in one list for the whole simulation, which it
# searches linearly when each one completes: the simulator's cost per message grows with the
# number of ranks (78% of its time at 4096 ranks, `perf`). Here every send completes when it is
# delivered: at 1024 ranks (weak, mu) the simulator took 76 s instead of 152 and the simulated
# iteration moved by +0.4% (small sends now wait for their delivery).
NO_DETACHED = "--cfg=smpi/send-is-detached-thresh:0"


def simulate(bdir, name, peak, ranks, args, charged=True, label="", lock=True):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", DNMF_SIM_RATES=os.path.join(bdir, "rates.txt"))
    lib = os.path.join(bdir, "libdnmf_sim_shm.so")
    if os.path.exists(lib) and os.path.isdir(env.get("DNMF_SIM_SHM_DIR", "/dev/shm")):
        env["LD_PRELOAD"] = lib  # SMPI's shared-memory file on tmpfs (sim/shm_backing.c)
    # Buffers in SMPI's shared memory only where private ones would not fit in this machine's
    # memory: sharing costs page faults at every allocation, private buffers real copies.
    env.setdefault("DNMF_SIM_SHARED_FROM", str(2**16 if ranks > 1536 else 2**40 if ranks <= 192
                                               else 2**20))
    exe = os.path.join(bdir, "bin", "dnmf_sim_charged" if charged else "dnmf_sim")
    # One copy of the program's globals for all simulated ranks (no privatization: faster, and
    # the shared buffers need it); mpi::bytes_received keeps a counter per world rank.
    cmd = ["smpirun", "-np", str(ranks), "-platform", platform(bdir, name, peak), "-hostfile",
           hostfile(bdir, name, ranks),
           "--cfg=smpi/privatization:no",
           "--cfg=smpi/coll-selector:ompi", ALLGATHERV, NO_DETACHED, "--cfg=smpi/host-speed:1Gf",
           "--cfg=contexts/stack-size:1024", "--cfg=smpi/shared-malloc-blocksize:67108864",
           "--cfg=smpi/display-timing:no", "--cfg=smpi/shared-malloc:global"]
    if charged:
        cmd.append("--cfg=smpi/simulate-computation:no")
    cmd += os.environ.get("DNMF_SIM_EXTRA_CFG", "").split()
    start = time.time()
    out = sh(cmd + [exe] + [str(a) for a in args] + ["--label", label or "none"], env=env,
             lock=lock)
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    r["platform"] = name
    r["simulator_wall_seconds"] = round(time.time() - start, 1)  # includes waiting for the lock
    return r


def rates_peak(bdir):
    with open(os.path.join(bdir, "rates.txt")) as f:
        return float(dict(l.split() for l in f if l.strip())["peak_flops"])


def calibrate(bdir):
    exe = os.path.join(bdir, "bin", "dnmf_sim")
    one = platform(bdir, "this-machine", 1e9)
    hosts = hostfile(bdir, "this-machine", 1)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    base = ["smpirun", "-np", "1", "-platform", one, "-hostfile", hosts,
            "--cfg=smpi/privatization:no", "--cfg=smpi/host-speed:1Gf"]
    text = sh(base + [exe, "--calibrate", "--rows", "2000", "--cols", "1500", "--k", "50"], env=env)
    rates = dict(l.split() for l in text.splitlines() if l.strip() and not l.startswith("["))
    # cd's sweep and anls-bpp's solves depend on the iterates: taken from the update phase of a
    # real fit (per row of W and Ht, per iteration), not from one synthetic subproblem.
    m, n, k = 2000, 1500, 50
    for solver, key, per in (("cd", "cd", (m + n) * k * k), ("anls-bpp", "nnls", m + n)):
        out = sh(base + ["--cfg=smpi/display-timing:no", exe, "--solver", solver, "--rows", str(m),
                         "--cols", str(n), "--k", str(k), "--iterations", "6"], env=env)
        r = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
        rates[key] = "%.6g" % (r["phases"]["update"] / per)
    with open(os.path.join(bdir, "rates.txt"), "w") as f:
        for key, v in rates.items():
            f.write(f"{key} {v}\n")
    print("calibrated rates (s per unit; rates.hpp):")
    for key, v in rates.items():
        print(f"  {key:12s} {v}")


def measured(m, n, k, solver, ranks, iters):
    """dnmf fit under Open MPI on a uniform [0, 1) X, seconds per iteration of the loop: wall
    (the iteration table, end of iteration 2 to the last) and CPU (user + sys of the busiest
    rank, a run of 2 + iters iterations less one of 2). SMPI charges the real kernels their
    thread CPU time, so on a loaded machine the CPU figure is the one to compare."""
    import h5py
    import numpy as np
    dnmf = os.path.join(ROOT, "build", "bin", "dnmf")
    with tempfile.TemporaryDirectory() as d:
        x = os.path.join(d, "x.h5")
        with h5py.File(x, "w") as f:
            f["X"] = np.random.RandomState(0).rand(m, n)
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_mpi_yield_when_idle="1")
        wall, cpu = None, {}
        for last in (2, iters + 2):
            # not bound to a core: smpirun does not bind either
            inner = (f"/usr/bin/time -f 'cpu %U %S' {dnmf} fit {x} --n-components {k} --solver "
                     f"{solver} --init random --random-state 0 --tol 0 --max-iter {last} "
                     f"--verbose 2 --output {os.path.join(d, 'm.h5')}")
            out = sh(["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks), "sh",
                      "-c", inner], env=env, stderr_too=True)
            times = {}
            for line in out.splitlines():
                f = line.split()
                if len(f) >= 2 and f[0].isdigit():
                    times[int(f[0])] = float(f[-1])
                # mpirun may forward two ranks' lines as one: every "cpu U S" in the line counts
                for user, system in re.findall(r"\bcpu ([0-9.]+) ([0-9.]+)", line):
                    cpu[last] = max(cpu.get(last, 0.0), float(user) + float(system))
            if last > 2:
                wall = (times[last] - times[2]) / iters
        return wall, (cpu[iters + 2] - cpu[2]) / iters


def row(r, base=None, ref=None):
    eff = ""
    if base:
        t0, p0 = base
        eff = "%5.0f%%" % (100 * t0 * p0 / (r["seconds_per_iteration"] * r["ranks"]))
    ph = r["phases"]
    comm = ph["allgather"] + ph["reduce_scatter"] + ph["gram"]
    cells = [r["platform"], r["solver"], "sparse" if r["density"] else "dense", str(r["ranks"]),
             r["grid"], "%.4g" % r["seconds_per_iteration"], eff,
             "%.3g" % ph["local_multiply"], "%.3g" % ph["update"], "%.3g" % comm,
             "%.3g" % (r["bytes_received_per_rank"] / 2**20), ref or ""]
    print("| " + " | ".join(cells) + " |")
    print("JSON " + json.dumps(r), file=sys.stderr if os.environ.get("DNMF_JSON_STDERR") else sys.stdout)


HEADER = ("| platform | solver | X | ranks | grid | s/iter | efficiency | multiply s | update s | "
          "gram+gather+reduce s (max rank) | MiB received/rank/iter | MPI-FAUN |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")

# MPI-FAUN (Kannan, Ballard, Park, TKDE 2018) on Rhea, s/iter, as quoted in issue #18.
FAUN = {("mu", "dense", 96): 3.52, ("mu", "dense", 1536): 0.28,
        ("anls-bpp", "dense", 96): 3.62, ("anls-bpp", "dense", 1536): 0.29,
        ("anls-bpp", "sparse", 16): 2.75, ("anls-bpp", "sparse", 1536): 0.046}


def strong(bdir, name, peak, cases, iters):
    print(HEADER)
    for solver, density, ranks_list, m, n in cases:
        base = None
        for p in ranks_list:
            r = simulate(bdir, name, peak, p, ["--rows", m, "--cols", n, "--k", 50, "--solver",
                                               solver, "--density", density, "--iterations", iters,
                                               "--grid", "words"], label=f"strong-{name}")
            base = base or (r["seconds_per_iteration"], p)
            ref = FAUN.get((solver, "sparse" if density else "dense", p)) if name == "rhea" else None
            row(r, base, "%.3g s" % ref if ref else "")
            sys.stdout.flush()


def weak(bdir, name, peak, ranks_list, solvers, iters):
    print(HEADER)
    for solver in solvers:
        base = None
        for p in ranks_list:
            s = math.sqrt(p)
            m, n = int(2160 * s), int(1440 * s)  # 3.1 M entries (24.9 MB) per rank
            r = simulate(bdir, name, peak, p, ["--rows", m, "--cols", n, "--k", 50, "--solver",
                                               solver, "--iterations", iters, "--grid", "words"],
                         label=f"weak-{name}")
            # weak efficiency: time at the first point over time here
            base = base or r["seconds_per_iteration"]
            r["weak_efficiency"] = base / r["seconds_per_iteration"]
            row(dict(r), None, "")
            print("  weak efficiency %.0f%%" % (100 * r["weak_efficiency"]))
            sys.stdout.flush()


def validate(bdir, peak):
    m, n, k = 2000, 1500, 50
    print("| solver | ranks | measured wall s/iter | measured CPU s/iter | simulated, real kernels "
          "| vs CPU | simulated, charged | vs CPU |\n|---|---|---|---|---|---|---|---|")
    for solver in ("mu", "cd", "anls-bpp"):
        for p in (1, 2):
            w, t = measured(m, n, k, solver, p, 60)
            args = ["--rows", m, "--cols", n, "--k", k, "--solver", solver, "--iterations", 6]
            real = simulate(bdir, "this-machine", peak, p, args, charged=False, label="validate")
            ch = simulate(bdir, "this-machine", peak, p, args, charged=True, label="validate")
            a, b = real["seconds_per_iteration"], ch["seconds_per_iteration"]
            print(f"| {solver} | {p} | {w:.4g} | {t:.4g} | {a:.4g} | {100 * (a - t) / t:+.0f}% | "
                  f"{b:.4g} | {100 * (b - t) / t:+.0f}% |")
            print("JSON " + json.dumps(dict(label="validate", solver=solver, ranks=p,
                                            measured_wall=w, measured_cpu=t,
                                            simulated_real=a, simulated_charged=b)))
            sys.stdout.flush()


def tables(path):
    """The README's tables from a file of JSON lines (the last line of each point counts)."""
    points = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            line = line[5:] if line.startswith("JSON ") else line
            if line.startswith("{"):
                r = json.loads(line)
                if "phases" in r:
                    points[(r["label"], r["solver"], r["density"], r["ranks"])] = r
    cases = sorted({key[:3] for key in points})
    for label, solver, density in cases:
        rows = sorted((r for key, r in points.items() if key[:3] == (label, solver, density)),
                      key=lambda r: r["ranks"])
        kind = "sparse" if density else "dense"
        print(f"\n{label}, {solver}, {kind}:\n")
        print("| ranks | grid | X | s/iter (simulated) | efficiency | MPI-FAUN s/iter (efficiency) "
              "| products s | update s | Gram + gather + reduce s | MiB received per rank "
              "per iteration (model) | simulator wall s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        t0, p0 = rows[0]["seconds_per_iteration"], rows[0]["ranks"]
        f0 = FAUN.get((solver, kind, p0)) if label == "strong-rhea" else None
        for r in rows:
            t, p = r["seconds_per_iteration"], r["ranks"]
            eff = t0 / t if label.startswith("weak") else t0 * p0 / (t * p)
            ref = FAUN.get((solver, kind, p)) if label == "strong-rhea" else None
            faun = "%.3g (%.0f%%)" % (ref, 100 * f0 * p0 / (ref * p)) if ref and f0 else ""
            ph = r["phases"]
            comm = ph["allgather"] + ph["reduce_scatter"] + ph["gram"]
            model = r.get("model_bytes_per_rank", 0) / 2**20
            print(f"| {p} | {r['grid']} | {r['rows']} x {r['cols']} | {t:.4g} | {100 * eff:.0f}% | "
                  f"{faun} | {ph['local_multiply']:.3g} | {ph['update']:.3g} | {comm:.3g} | "
                  f"{r['bytes_received_per_rank'] / 2**20:.3g} ({model:.3g}) | "
                  f"{r.get('simulator_wall_seconds', '')} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("study", choices=["calibrate", "validate", "rhea", "weak", "modern", "all",
                                      "ci", "table"])
    ap.add_argument("results", nargs="?", help="table: a file of JSON lines (or a log of a run)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-sim"))
    ap.add_argument("--iterations", type=int, default=2,
                    help="simulated iterations (the first is a warm-up)")
    ap.add_argument("--max-ranks", type=int, default=16384)
    ap.add_argument("--ranks", default="",
                    help="only these rank counts, comma-separated (weak keeps its first point, "
                         "the base of its efficiency)")
    ap.add_argument("--points", default="",
                    help="rhea: only these SOLVER:DENSITY:RANKS points, comma-separated")
    a = ap.parse_args()
    if a.study == "table":
        tables(a.results or os.path.join(ROOT, "docs", "scaling-sim-results.jsonl"))
        return
    bdir = a.build_dir
    build(bdir)
    if a.study in ("calibrate", "all") or not os.path.exists(os.path.join(bdir, "rates.txt")):
        calibrate(bdir)
    peak = rates_peak(bdir)
    it = a.iterations
    only = {int(x) for x in a.ranks.split(",") if x}

    def pick(ranks, keep_first=False):
        return [p for i, p in enumerate(ranks)
                if p <= a.max_ranks and (not only or p in only or (keep_first and i == 0))]
    M, N = 207360, 138240
    dense_p = pick([96, 384, 1536])
    sparse_p = pick([16, 96, 384, 1536])
    if a.study in ("validate", "all"):
        validate(bdir, peak)
    if a.study == "rhea" and a.points:
        cases = []
        for pt in a.points.split(","):
            solver, density, ranks = pt.split(":")
            cases.append((solver, float(density), [int(ranks)], M, N))
        strong(bdir, "rhea", peak, cases, it)
    elif a.study in ("rhea", "all"):
        strong(bdir, "rhea", peak, [(s, 0, dense_p, M, N) for s in ("mu", "cd", "anls-bpp")] +
               [(s, 0.001, sparse_p, M, N) for s in ("mu", "anls-bpp")], it)
    weak_p = pick([16, 64, 256, 1024, 4096, 16384], keep_first=True)
    if a.study in ("weak", "all"):
        weak(bdir, "rhea", peak, weak_p, ["mu"], it)
    if a.study in ("modern", "all"):
        strong(bdir, "modern", peak,
               [("mu", 0, pick([128, 512, 2048]), M, N)], it)
        weak(bdir, "modern", peak, pick([128, 1024, 16384], keep_first=True), ["mu"], it)
    if a.study == "ci":  # the CTest case: 64 charged ranks on Rhea, dense and sparse
        strong(bdir, "rhea", peak, [("mu", 0, [64], 20736, 13824),
                                    ("anls-bpp", 0.01, [64], 20736, 13824)], it)


if __name__ == "__main__":
    main()

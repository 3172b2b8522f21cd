#!/usr/bin/env python3
"""CTest sim_smoke: builds sim/'s charged program with smpicxx and runs 64 simulated ranks on
the Rhea platform (scripts/bench/scaling_sim.py), dense mu and sparse anls-bpp, with fixed
kernel rates (this checks behaviour, not speed). Each run must finish, receive per rank the
bytes the cost model predicts (core/grid_shape.hpp, within 10%), and take at least the local
compute its charges add up to."""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "bench"))
import scaling_sim as s  # noqa: E402

bdir = sys.argv[1]
os.makedirs(bdir, exist_ok=True)
s.sh(["cmake", "-S", os.path.join(ROOT, "sim"), "-B", bdir, "-DCMAKE_CXX_COMPILER=smpicxx",
      "-DCMAKE_C_COMPILER=smpicc"], lock=False)
s.sh(["cmake", "--build", bdir, "--target", "dnmf_sim_charged", "-j2"], lock=False)
shutil.copy(os.path.join(HERE, "sim-rates.txt"), os.path.join(bdir, "rates.txt"))
rates = dict((l.split()[0], float(l.split()[1])) for l in open(os.path.join(bdir, "rates.txt")))
peak = rates["peak_flops"]
speed = s.PLATFORMS["rhea"]["peak"] / peak  # Gf per core, as platform() writes it

failures = []
m, n, k = 10368, 6912, 50
for solver, density, grid in (("mu", 0, "8x8"), ("anls-bpp", 0.01, "words")):
    r = s.simulate(bdir, "rhea", peak, 64, ["--rows", m, "--cols", n, "--k", k, "--solver", solver,
                                            "--density", density, "--iterations", 3, "--grid",
                                            grid], label="ci", lock=False)
    pr, pc = map(int, r["grid"].split("x"))
    got, model = r["bytes_received_per_rank"], r["model_bytes_per_rank"]
    print(f"{solver} density {density} grid {r['grid']}: {r['seconds_per_iteration']:.4g} s/iter, "
          f"{got:.0f} B received per rank (model {model:.0f})")
    if abs(got - model) > 0.1 * model:
        failures.append(f"{solver}: received {got} B per rank, the model says {model}")
    # the local products alone: two per iteration over the rank's block
    block = (m / pr) * (n / pc)
    if density:
        compute = block * density * k * (rates["csr_b"] + rates["csrt_b"])
    else:
        compute = 2 * 2 * block * k * rates["dense_ab"]
    compute /= speed
    if r["seconds_per_iteration"] < 0.95 * compute:
        failures.append(f"{solver}: {r['seconds_per_iteration']} s/iter is less than its "
                        f"local products' {compute} s")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("sim_smoke: ok")

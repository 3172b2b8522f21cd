#!/usr/bin/python3
"""Checkpoint and resume of `dnmf fit` (interface.md: --checkpoint, --resume, exit 75).

An interrupted run, resumed by repeating its command line with --resume added, must end with
the same bits in W, H, n_iter_ and reconstruction_err_ as an uninterrupted run on the same rank
layout, and within 1e-10 relative on another rank count. Interruptions are real SIGUSR1
signals: raised by the hooks of the test driver (tests/support/dnmf_test_driver.cpp) on the last
rank only (after a chosen iteration, or in the middle of writing a checkpoint), and sent from
outside to mpirun, which forwards it.

Ends with `N passed, M failed`; exits non-zero on any failure.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN as DNMF, DNMF_TEST_DRIVER, MPIEXEC  # noqa: E402
TIMEOUT = 300  # one call; generous for a loaded 2-core machine

results = []


def record(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name:58s} {detail}", flush=True)


def fit(ranks, args, env_extra=None, cwd=None):
    """Runs dnmf fit; with `env_extra` (fault injection) the test driver, which reads it."""
    env = dict(os.environ, **(env_extra or {}))
    exe = DNMF_TEST_DRIVER if env_extra else DNMF
    start = time.perf_counter()
    p = subprocess.run([MPIEXEC, "-n", str(ranks), "--oversubscribe", exe, "fit"] + args,
                       capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=cwd)
    return p.returncode, p.stdout + p.stderr, time.perf_counter() - start


def load(path):
    with h5py.File(path, "r") as f:
        return (f["W"][...], f["H"][...], int(f.attrs["n_iter_"]),
                float(f.attrs["reconstruction_err_"]))


def compare(a, b, rtol):
    """(ok, text): rtol 0 means the same bits."""
    wa, ha, na, ea = load(a)
    wb, hb, nb, eb = load(b)
    if rtol == 0:
        same = (np.array_equal(wa, wb) and np.array_equal(ha, hb) and na == nb and ea == eb)
        return same, "identical bits" if same else f"differ: n_iter {na}/{nb} err {ea!r}/{eb!r}"
    dw = np.max(np.abs(wa - wb)) / np.max(np.abs(wb))
    dh = np.max(np.abs(ha - hb)) / np.max(np.abs(hb))
    de = abs(ea - eb) / abs(eb)
    ok = na == nb and max(dw, dh, de) <= rtol
    return ok, f"W {dw:.1e} H {dh:.1e} err {de:.1e} n_iter {na}/{nb} (rtol {rtol:g})"


def quiet(cmd):
    """cmd without `--checkpoint-every 1`: a resumed run that writes no periodic checkpoints
    (they change nothing, as "periodic checkpoints change nothing" checks), so that the long
    runs below do not write ~2000 files each (minutes under the sanitizers)."""
    i = cmd.index("--checkpoint-every")
    return cmd[:i] + cmd[i + 2:]


def main():
    with tempfile.TemporaryDirectory(prefix="dnmf-ckpt-") as tmp:
        data = os.path.join(tmp, "data.h5")
        rng = np.random.default_rng(4)
        with h5py.File(data, "w") as f:
            f["X"] = np.abs(rng.standard_normal((203, 61)))
        other = os.path.join(tmp, "other.h5")
        with h5py.File(other, "w") as f:
            f["X"] = np.abs(rng.standard_normal((203, 61)))

        for solver in (["--solver", "mu"], ["--solver", "cd", "--shuffle"],
                       ["--solver", "mu", "--beta-loss", "kullback-leibler"]):
            name = " ".join(solver[1:])
            base = [data, "--n-components", "5", "--init", "random", "--random-state", "3",
                    "--tol", "0", "--max-iter", "60"] + solver
            ref = os.path.join(tmp, "ref.h5")
            rc, out, _ = fit(3, base + ["--output", ref])
            if rc != 0:
                record(f"{name}: uninterrupted run", False, out[-300:])
                continue
            for stop_after in (1, 17, 40):
                ck = os.path.join(tmp, f"ck-{stop_after}.h5")
                model = os.path.join(tmp, "m.h5")
                cmd = base + ["--output", model, "--checkpoint", ck]
                if os.path.exists(model):
                    os.remove(model)
                rc, out, secs = fit(3, cmd, {"DNMF_TEST_SIGNAL_AFTER_ITERATION": str(stop_after)})
                stopped = rc == 75 and os.path.exists(ck) and not os.path.exists(model)
                with h5py.File(ck, "r") if os.path.exists(ck) else open(os.devnull) as f:
                    it = int(f.attrs["iteration"]) if stopped else -1
                record(f"{name}: signal on last rank after iteration {stop_after}",
                       stopped and it == stop_after,
                       f"exit {rc}, checkpoint at iteration {it}, {secs:.2f}s")
                rc, out, _ = fit(3, cmd + ["--resume", ck])
                ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
                record(f"{name}: resumed from {stop_after} on 3 ranks", ok, text)
                rc, out, _ = fit(2, cmd + ["--resume", ck])
                ok, text = compare(model, ref, 1e-10) if rc == 0 else (False, out[-300:])
                record(f"{name}: resumed from {stop_after} on 2 ranks", ok, text)
                if stop_after == 17:
                    rc, out, _ = fit(4, cmd + ["--resume", ck, "--grid", "2x2"])
                    ok, text = compare(model, ref, 1e-10) if rc == 0 else (False, out[-300:])
                    record(f"{name}: resumed from {stop_after} on 4 ranks (2x2)", ok, text)

            # A signal before X is even read: the run must not die; the checkpoint holds the
            # starting point (iteration 0) and the resume gives the uninterrupted run's bits.
            ck = os.path.join(tmp, "ck-early.h5")
            model = os.path.join(tmp, "m.h5")
            if os.path.exists(model):
                os.remove(model)
            cmd = base + ["--output", model, "--checkpoint", ck]
            rc, out, secs = fit(3, cmd, {"DNMF_TEST_SIGNAL_BEFORE_READ": "0"})
            it = -1
            if rc == 75 and os.path.exists(ck):
                with h5py.File(ck, "r") as f:
                    it = int(f.attrs["iteration"])
            record(f"{name}: signal before the input is read", rc == 75 and it == 0,
                   f"exit {rc}, checkpoint at iteration {it}, {secs:.2f}s")
            rc, out, _ = fit(3, cmd + ["--resume", ck])
            ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
            record(f"{name}: resumed from the starting point", ok, text)

            # A signal in the middle of writing the checkpoint of iteration 10: that checkpoint
            # completes, the stop is agreed at the next boundary, and the previous file is kept.
            ck = os.path.join(tmp, "ck-during.h5")
            model = os.path.join(tmp, "m.h5")
            cmd = base + ["--output", model, "--checkpoint", ck, "--checkpoint-every", "5"]
            rc, out, _ = fit(3, cmd, {"DNMF_TEST_SIGNAL_DURING_CHECKPOINT": "10"})
            its = []
            for path in (ck, ck + ".prev"):
                if os.path.exists(path):
                    with h5py.File(path, "r") as f:
                        its.append(int(f.attrs["iteration"]))
            record(f"{name}: signal while a checkpoint is written", rc == 75 and its == [11, 10],
                   f"exit {rc}, checkpoint / previous at iterations {its}")
            rc, out, _ = fit(3, cmd + ["--resume", ck])
            ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
            record(f"{name}: resumed after the signal during writing", ok, text)

        base = [data, "--n-components", "5", "--init", "random", "--random-state", "3",
                "--tol", "0", "--max-iter", "60", "--solver", "mu"]
        ref = os.path.join(tmp, "ref.h5")
        fit(3, base + ["--output", ref])
        ck = os.path.join(tmp, "periodic.h5")
        model = os.path.join(tmp, "m.h5")
        cmd = base + ["--output", model, "--checkpoint", ck, "--checkpoint-every", "7"]
        rc, out, _ = fit(3, cmd)
        with h5py.File(ck, "r") as f:
            it = int(f.attrs["iteration"])
        ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
        record("periodic checkpoints change nothing", ok and it == 56,
               f"{text}; last checkpoint at iteration {it}")

        # Time-based checkpoints: written while the run goes on, without changing its result.
        ck_time = os.path.join(tmp, "timed.h5")
        rc, out, secs = fit(3, base + ["--output", model, "--checkpoint", ck_time,
                                       "--checkpoint-seconds", "1e-9", "--verbose"])
        written = out.count("checkpoint after iteration")
        ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
        record("time-based checkpoints change nothing", ok and written > 0 and
               os.path.exists(ck_time), f"{text}; {written} checkpoints written")

        # Refusals: changed parameters (2), another input (3); a missing checkpoint starts afresh.
        rc, out, _ = fit(3, cmd[:cmd.index("--tol") + 1] + ["1e-3"] + cmd[cmd.index("--tol") + 2:]
                         + ["--resume", ck])
        record("resume with changed parameters is refused", rc == 2 and "tol" in out,
               f"exit {rc}: {out.strip().splitlines()[0] if out.strip() else ''}")
        rc, out, _ = fit(3, [other] + cmd[1:] + ["--resume", ck])
        record("resume on another input is refused", rc == 3 and "does not match" in out,
               f"exit {rc}: {out.strip().splitlines()[0] if out.strip() else ''}")
        rc, out, _ = fit(3, cmd + ["--resume", os.path.join(tmp, "nothing-yet.h5")])
        ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
        record("resume from a missing checkpoint starts afresh", ok and "starting from" in out,
               text)

        # A real signal from outside: SIGUSR1 to mpirun, which forwards it to the ranks.
        big = os.path.join(tmp, "big.h5")
        with h5py.File(big, "w") as f:
            f["X"] = np.abs(rng.standard_normal((1000, 200)))
        base = [big, "--n-components", "8", "--init", "random", "--random-state", "1", "--tol",
                "0", "--max-iter", "2000", "--solver", "mu"]
        ck = os.path.join(tmp, "outside.h5")
        model = os.path.join(tmp, "big-m.h5")
        cmd = base + ["--output", model, "--checkpoint", ck, "--checkpoint-every", "1"]
        env = dict(os.environ)
        proc = subprocess.Popen([MPIEXEC, "-n", "2", "--oversubscribe", DNMF, "fit"] + cmd,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=env)
        time.sleep(1.5)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGUSR1)
        out, _ = proc.communicate(timeout=TIMEOUT)
        waited = time.perf_counter() - sent
        record("SIGUSR1 to mpirun: checkpoint and exit 75", proc.returncode == 75,
               f"exit {proc.returncode} {waited:.2f}s after the signal")
        if proc.returncode == 75:
            rc, out, _ = fit(2, quiet(cmd) + ["--resume", ck])
            ref = os.path.join(tmp, "big-ref.h5")
            rc2, out2, secs = fit(2, base + ["--output", ref])
            ok, text = compare(model, ref, 0) if rc == 0 and rc2 == 0 else (False, out[-300:])
            record("resumed after SIGUSR1 equals the uninterrupted run", ok, text)

        # SIGTERM and SIGINT to mpirun: it forwards SIGTERM to the ranks, which checkpoint and
        # exit 75, but mpirun itself exits 1 (README, "Checkpoint and resume").
        ref = os.path.join(tmp, "big-ref.h5")
        if not os.path.exists(ref):
            fit(2, base + ["--output", ref])
        for sig in (signal.SIGTERM, signal.SIGINT):
            ck = os.path.join(tmp, f"outside-{sig.name}.h5")
            cmd = base + ["--output", model, "--checkpoint", ck, "--checkpoint-every", "1"]
            proc = subprocess.Popen([MPIEXEC, "-n", "2", "--oversubscribe", DNMF, "fit"] + cmd,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            # Signal once the run is iterating (its first checkpoint exists), not on a timer.
            deadline = time.perf_counter() + 60
            while not os.path.exists(ck) and time.perf_counter() < deadline:
                time.sleep(0.05)
            proc.send_signal(sig)
            out, _ = proc.communicate(timeout=TIMEOUT)
            stopped = "stopped by a signal" in out and os.path.exists(ck)
            record(f"{sig.name} to mpirun: ranks checkpoint, mpirun exits 1",
                   stopped and proc.returncode == 1, f"exit {proc.returncode}")
            if stopped:
                rc, out, _ = fit(2, quiet(cmd) + ["--resume", ck])
                ok, text = compare(model, ref, 0) if rc == 0 else (False, out[-300:])
                record(f"resumed after {sig.name} equals the uninterrupted run", ok, text)

    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

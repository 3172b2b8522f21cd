"""dnmf.select_k (issue #17) against the CLI's `dnmf select-k` on the same data: the same
table (the same fits on the same grids), in memory and through files, alone and under mpirun."""
import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

import dnmf

DNMF_BIN = os.environ.get("DNMF_BIN", "dnmf")
MPIEXEC = os.environ.get("DNMF_MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")


def planted(r=5, n=200, p=150, seed=3):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, r) @ rng.rand(r, p)
    return X + rng.rand(n, p) * 0.1 * X.mean()


def cli(tmp_path, X, ranks, *args):
    x = tmp_path / "x.h5"
    with h5py.File(x, "w") as f:
        f["X"] = X
    out = tmp_path / f"cli-{ranks}.h5"
    subprocess.run([MPIEXEC, "-n", str(ranks), DNMF_BIN, "select-k", str(x), "--output",
                    str(out)] + [str(a) for a in args], check=True, env=ENV,
                   capture_output=True)
    with h5py.File(out, "r") as f:
        return {k: f["tasks"][k][()] for k in f["tasks"]}, int(f.attrs["chosen_k"])


def test_array_gives_the_cli_table(tmp_path):
    X = planted()
    res = dnmf.select_k(X, range(2, 9), replicates=2)
    tasks, chosen = cli(tmp_path, X, 1, "--k", "2:8", "--replicates", 2)
    assert res.chosen_k == chosen == 5
    for key in ("k", "replicate", "test_error", "train_error", "n_iter"):
        np.testing.assert_array_equal(res.tasks[key], tasks[key])
    summary, per_task = res.to_frames()
    assert list(summary["k"]) == list(range(2, 9)) and len(per_task) == 14
    assert res.rule == "1se" and res.min_error_k >= res.chosen_k


def test_path_input_output_and_rule(tmp_path):
    x = tmp_path / "x.h5"
    with h5py.File(x, "w") as f:
        f["X"] = planted()
    out = tmp_path / "sel.h5"
    res = dnmf.select_k(str(x), (2, 8, 2), replicates=2, rule="min", output=str(out))
    assert out.exists() and (tmp_path / "sel.csv").exists()
    assert list(res.summary["k"]) == [2, 4, 6, 8]
    assert res.chosen_k == res.min_error_k
    assert res.chosen_k == int(res.summary["k"][np.argmin(res.summary["test_error_mean"])])


def test_bad_arguments():
    X = planted()
    with pytest.raises(ValueError, match="rule"):
        dnmf.select_k(X, range(2, 4), rule="smallest")
    with pytest.raises(ValueError, match="holdout"):
        dnmf.select_k(X, range(2, 4), holdout=1.5)
    with pytest.raises(ValueError, match="FIRST <= LAST"):
        dnmf.select_k(X, (5, 3))


def test_under_mpirun_with_a_communicator(tmp_path):
    X = planted()
    np.save(tmp_path / "x.npy", X)
    script = textwrap.dedent(f"""
        import numpy as np, dnmf
        from mpi4py import MPI
        X = np.load({str(tmp_path / 'x.npy')!r})
        res = dnmf.select_k(X, range(2, 9), replicates=2, comm=MPI.COMM_WORLD, group_size=1)
        np.save({str(tmp_path)!r} + f"/test-{{MPI.COMM_WORLD.rank}}.npy", res.tasks["test_error"])
        print("chosen", res.chosen_k)
    """)
    p = subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-c", script], env=ENV,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    tasks, chosen = cli(tmp_path, X, 2, "--k", "2:8", "--replicates", 2, "--group-size", 1)
    for rank in (0, 1):  # every rank returns the whole result
        np.testing.assert_array_equal(np.load(tmp_path / f"test-{rank}.npy"), tasks["test_error"])
    assert p.stdout.count(f"chosen {chosen}") == 2

"""dnmf.select_k: `dnmf select-k` from Python (issue #17)."""
import os
import shutil
import tempfile
from dataclasses import dataclass, field

import h5py
import numpy as np
from mpi4py import MPI

from . import _core
from ._nmf import _is_path, _seed


@dataclass
class SelectKResult:
    """What a selection found. ``summary`` and ``tasks`` map column names to NumPy arrays (as
    in SELECTION.h5's /summary and /tasks); ``to_frames()`` gives them as pandas DataFrames."""

    chosen_k: int
    min_error_k: int
    rule: str
    summary: dict = field(repr=False)
    tasks: dict = field(repr=False)
    attrs: dict = field(repr=False)

    def to_frames(self):
        import pandas as pd

        return pd.DataFrame(self.summary), pd.DataFrame(self.tasks)


def _k_range(k):
    if isinstance(k, range):
        if len(k) == 0:
            return 1, 0, 1  # refused by select-k with its message
        return k[0], k[-1], k.step
    k = tuple(int(v) for v in k)
    if len(k) not in (2, 3):
        raise ValueError(f"k: expected a range or (first, last[, step]), got {k!r}")
    return k[0], k[1], k[2] if len(k) == 3 else 1


def select_k(X, k, *, replicates=3, holdout=0.1, rule="1se", group_size=None, comm=None,
             output=None, solver=None, beta_loss="frobenius", init=None, tol=1e-6, max_iter=500,
             random_state=0, alpha_W=0.0, alpha_H="same", l1_ratio=0.0):
    """Chooses the number of components by held-out error and stability, as `dnmf select-k`.

    X : array-like (dense, float32/float64), or a path "file.h5[:/object]". Every rank of
        ``comm`` passes the same X; an array goes to the fits through a temporary HDF5 file.
    k : range, or (first, last[, step]) with last included.
    rule : "1se" (smallest k within one standard error of the least held-out error) or "min".
    group_size : ranks per group of whole fits (None: chosen from X's size and the fits).
    output : keep the selection in this HDF5 file (plus its CSVs); None: a temporary file.
    solver : "anls-bpp" or "mu" (None: anls-bpp for beta_loss 2, else mu).
    The other keywords are the fits' scikit-learn parameters.
    Returns a SelectKResult, the same on every rank.
    """
    comm = MPI.COMM_SELF if comm is None else comm
    if rule not in ("1se", "min"):
        raise ValueError(f"rule: expected '1se' or 'min', got {rule!r}")
    if solver is None:
        solver = "anls-bpp" if beta_loss in (2, 2.0, "frobenius") else "mu"
    first, last, step = _k_range(k)
    beta = beta_loss if isinstance(beta_loss, str) else repr(float(beta_loss))
    params = {"n_components": None, "n_components_none": False,
              "init": "None" if init is None else init, "solver": solver, "beta_loss": beta,
              "tol": float(tol), "max_iter": int(max_iter), "random_state": _seed(random_state),
              "alpha_W": float(alpha_W), "alpha_H": None if alpha_H == "same" else float(alpha_H),
              "l1_ratio": float(l1_ratio), "verbose": 0, "shuffle": False}
    workdir = None
    if comm.Get_rank() == 0 and (output is None or not _is_path(X)):
        workdir = tempfile.mkdtemp(prefix="dnmf-select-k-")
    workdir = comm.bcast(workdir, root=0)
    try:
        if _is_path(X):
            source = os.fspath(X)
        else:
            source = os.path.join(workdir, "X.h5")
            if comm.Get_rank() == 0:
                with h5py.File(source, "w") as f:
                    f["X"] = np.asarray(X)
            comm.Barrier()
        target = output if output is not None else os.path.join(workdir, "selection.h5")
        _core.select_k(comm, params, source, os.fspath(target), first, last, step,
                       int(replicates), float(holdout), int(group_size or 0), rule == "min")
        with h5py.File(target, "r") as f:
            summary = {name: f["summary"][name][()] for name in f["summary"]}
            tasks = {name: f["tasks"][name][()] for name in f["tasks"]}
            attrs = {key: (v.decode() if isinstance(v, bytes) else v)
                     for key, v in f.attrs.items()}
        comm.Barrier()  # every rank has read it before the temporary folder goes
    finally:
        if workdir is not None and comm.Get_rank() == 0:
            shutil.rmtree(workdir, ignore_errors=True)
    return SelectKResult(int(attrs["chosen_k"]), int(attrs["min_error_k"]), str(attrs["rule"]),
                         summary, tasks, attrs)

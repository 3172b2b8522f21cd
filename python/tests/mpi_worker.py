#!/usr/bin/python3
"""Run by test_mpi.py under mpirun: fits every case of SPEC.json with dnmf.NMF(comm=COMM_WORLD)
and writes each rank's results to OUTDIR/<case>.r<rank>.npz (W rows and where they start, H,
n_iter_, reconstruction_err_, the grid used, and transform's W for the path cases)."""
import json
import os
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from mpi4py import MPI

import dnmf


def block(n, parts, index):
    """The rows block `index` of `parts` holds: dnmf's uniform cut (first n % parts one longer)."""
    base, extra = divmod(n, parts)
    begin = index * base + min(index, extra)
    return begin, begin + base + (1 if index < extra else 0)


def main():
    spec_path, outdir = sys.argv[1], sys.argv[2]
    with open(spec_path) as f:
        cases = json.load(f)
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    warnings.simplefilter("ignore")
    for case in cases:
        params = dict(case["params"])
        w0 = np.load(case["W0"]) if case.get("W0") else None
        h0 = np.load(case["H0"]) if case.get("H0") else None
        grid = tuple(case["grid"]) if case.get("grid") else None
        if case["form"] == "path":
            model = dnmf.NMF(comm=comm, grid=grid, **params)
            W = model.fit_transform(case["path"], W=w0, H=h0)
            start = model.dnmf_rows_[0]
            Wt = model.transform(case["path"])
            t_start = model.dnmf_rows_[0]
        elif case["form"] == "whole":
            X = np.load(case["npy"])
            model = dnmf.NMF(comm=comm, grid=grid, **params)
            W = model.fit_transform(X, W=w0, H=h0)
            start = 0
            Wt = model.transform(X)
            t_start = 0
        else:  # each rank passes its own rows (dnmf's uniform cut, as `--grid Px1` reads them)
            if case["sparse"]:
                X = sp.load_npz(case["npz"]).tocsr()
            else:
                X = np.load(case["npy"])
            lo, hi = block(X.shape[0], size, rank)
            if case.get("cut") == "first":  # rank 0 holds every row, the others none
                lo, hi = (0, X.shape[0]) if rank == 0 else (X.shape[0], X.shape[0])
            model = dnmf.NMF(comm=comm, grid=grid, distributed=True, **params)
            W = model.fit_transform(X[lo:hi], W=None if w0 is None else w0[lo:hi], H=h0)
            start = lo
            Wt = model.transform(X[lo:hi])
            t_start = lo
        np.savez(os.path.join(outdir, f"{case['name']}.r{rank}.npz"), W=W, start=start,
                 H=model.components_, n_iter=model.n_iter_, err=model.reconstruction_err_,
                 grid=np.array(model.dnmf_grid_), Wt=Wt, t_start=t_start)
    comm.Barrier()


if __name__ == "__main__":
    main()

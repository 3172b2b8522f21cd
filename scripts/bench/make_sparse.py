#!/usr/bin/python3
"""Write a random sparse matrix (AnnData CSR group /X) for benchmarks, with scikit-learn's
random init for it (/W0, /H0), without ever forming it densely.

  make_sparse.py OUT.h5 --rows 1000000 --cols 100000 --nnz 10000000 --k 20 [--power-law]

--power-law draws row lengths from a Zipf-like law (a few very long rows), to test balance;
with --sorted the rows come longest first (as in data ordered by popularity), the case where
blocks of equal row counts are most uneven.
"""
import argparse

import h5py
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition._nmf import _initialize_nmf


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output")
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--nnz", type=int, required=True)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--power-law", action="store_true")
    ap.add_argument("--sorted", action="store_true", help="longest rows first")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    if args.power_law:
        weights = 1.0 / np.arange(1, args.rows + 1) ** 0.8
        rng.shuffle(weights)
        lengths = rng.multinomial(args.nnz, weights / weights.sum())
        lengths = np.minimum(lengths, args.cols)
        if args.sorted:
            lengths = np.sort(lengths)[::-1]
    else:
        lengths = rng.multinomial(args.nnz, np.full(args.rows, 1.0 / args.rows))
    indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    indices = np.empty(indptr[-1], dtype=np.int64)
    for i in range(args.rows):  # distinct sorted columns per row
        n = lengths[i]
        if n:
            if n > args.cols // 10:
                picked = rng.choice(args.cols, size=n, replace=False)
            else:  # draw with repeats, keep distinct ones, then n of them at random
                picked = np.unique(rng.integers(0, args.cols, size=n * 2))
                picked = rng.permutation(picked)[:n]
            indices[indptr[i]:indptr[i + 1]] = np.sort(picked)
    data = rng.random(indptr[-1]) + 0.01
    X = sp.csr_matrix((data, indices, indptr), shape=(args.rows, args.cols))
    X.sum_duplicates()
    W0, H0 = _initialize_nmf(X, args.k, init="random", random_state=args.seed)
    with h5py.File(args.output, "w") as f:
        g = f.create_group("X")
        g["data"], g["indices"], g["indptr"] = X.data, X.indices.astype(np.int64), X.indptr
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["shape"] = np.array(X.shape, dtype=np.int64)
        f["W0"], f["H0"] = W0, H0
    print(f"wrote {args.output}: /X {X.shape} nnz {X.nnz} "
          f"(max row {np.diff(X.indptr).max()}), /W0 {W0.shape}, /H0 {H0.shape}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Write a synthetic non-negative test matrix and a custom NMF init to HDF5.

The file holds:
  /X   N x P, C order, non-negative. By default |standard normal| entries; with
       --low-rank R it is A @ B + noise with A (N x R), B (R x P) uniform in
       [0, 1) and noise 0.01 * |standard normal|.
  /W0  N x K and /H0  K x P, a strictly positive custom init:
       uniform[0.1, 1.1) * sqrt(mean(X) / K), the same scale as sklearn's
       random init.
All three have the chosen dtype. With --zeros F a fraction F of the entries of X
(chosen at random) is set to exact zero. With --format csr, /X is written as an
AnnData-style CSR group (data, indices, indptr; attributes encoding-type and
shape) holding the non-zero entries of the same matrix.

Everything is drawn from numpy.random.default_rng(seed) in this order: X, the
zero mask, W0, H0. The same arguments always give the same file.
"""
import argparse

import h5py
import numpy as np


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def fraction(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def make(rows, cols, k, seed, dtype, zeros=0.0, low_rank=None):
    """Return X, W0, H0 as float64 arrays (cast to dtype by the caller)."""
    rng = np.random.default_rng(seed)
    if low_rank:
        X = rng.random((rows, low_rank)) @ rng.random((low_rank, cols))
        X += 0.01 * np.abs(rng.standard_normal((rows, cols)))
    else:
        X = np.abs(rng.standard_normal((rows, cols)))
    if zeros > 0:
        X[rng.random((rows, cols)) < zeros] = 0.0
    X = X.astype(dtype)
    scale = np.sqrt(X.mean(dtype=np.float64) / k)
    W0 = (rng.uniform(0.1, 1.1, (rows, k)) * scale).astype(dtype)
    H0 = (rng.uniform(0.1, 1.1, (k, cols)) * scale).astype(dtype)
    return X, W0, H0


def write_sparse(group, X, fmt):
    """Store dense X as a sparse group (explicit zeros dropped).

    fmt: csr or csc (AnnData convention, int64 indices), csr32 (int32 indices and indptr), or
    h5sparse (the older h5sparse_format / h5sparse_shape attributes, CSR)."""
    by_columns = fmt == "csc"
    A = X.T if by_columns else X
    mask = A != 0
    index_type = np.int32 if fmt == "csr32" else np.int64
    group.create_dataset("data", data=A[mask])
    group.create_dataset("indices", data=np.nonzero(mask)[1].astype(index_type))
    group.create_dataset("indptr", data=np.concatenate(
        ([0], np.cumsum(mask.sum(axis=1)))).astype(index_type))
    if fmt == "h5sparse":
        group.attrs["h5sparse_format"] = "csr"
        group.attrs["h5sparse_shape"] = np.array(X.shape, dtype=np.int64)
        return
    group.attrs["encoding-type"] = "csc_matrix" if by_columns else "csr_matrix"
    group.attrs["encoding-version"] = "0.1.0"
    group.attrs["shape"] = np.array(X.shape, dtype=np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", help="HDF5 file to write (replaced if it exists)")
    parser.add_argument("--rows", type=positive_int, required=True, help="N, samples")
    parser.add_argument("--cols", type=positive_int, required=True, help="P, features")
    parser.add_argument("--k", type=positive_int, required=True, help="K, init components")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--zeros", "--sparse-zeros", dest="zeros", type=fraction,
                        default=0.0, metavar="FRACTION",
                        help="fraction of X entries set to exact zero (default 0)")
    parser.add_argument("--low-rank", type=positive_int, metavar="R",
                        help="X = rank-R non-negative product + small noise")
    parser.add_argument("--format", choices=["dense", "csr", "csc", "csr32", "h5sparse"],
                        default="dense", help="layout of /X (default dense)")
    parser.add_argument("--empty-rows", type=int, default=0, metavar="R",
                        help="zero the last R rows of X entirely")
    parser.add_argument("--empty-cols", type=int, default=0, metavar="C",
                        help="zero the first C columns of X entirely")
    args = parser.parse_args()

    X, W0, H0 = make(args.rows, args.cols, args.k, args.seed, args.dtype,
                     args.zeros, args.low_rank)
    if args.empty_rows:
        X[-args.empty_rows:, :] = 0
    if args.empty_cols:
        X[:, :args.empty_cols] = 0
    with h5py.File(args.output, "w") as f:
        if args.format != "dense":
            write_sparse(f.create_group("X"), X, args.format)
        else:
            f.create_dataset("X", data=X)
        f.create_dataset("W0", data=W0)
        f.create_dataset("H0", data=H0)
    print(f"wrote {args.output}: /X {X.shape} {X.dtype} {args.format}, "
          f"{np.count_nonzero(X == 0)} zeros, mean {X.mean(dtype=np.float64):.6g}; "
          f"/W0 {W0.shape}, /H0 {H0.shape}")


if __name__ == "__main__":
    main()

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


def write_csr(group, X):
    """Store dense X as an AnnData-convention CSR group (explicit zeros dropped)."""
    mask = X != 0
    group.create_dataset("data", data=X[mask])
    group.create_dataset("indices", data=np.nonzero(mask)[1].astype(np.int64))
    group.create_dataset("indptr", data=np.concatenate(
        ([0], np.cumsum(mask.sum(axis=1)))).astype(np.int64))
    group.attrs["encoding-type"] = "csr_matrix"
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
    parser.add_argument("--format", choices=["dense", "csr"], default="dense",
                        help="layout of /X (default dense)")
    args = parser.parse_args()

    X, W0, H0 = make(args.rows, args.cols, args.k, args.seed, args.dtype,
                     args.zeros, args.low_rank)
    with h5py.File(args.output, "w") as f:
        if args.format == "csr":
            write_csr(f.create_group("X"), X)
        else:
            f.create_dataset("X", data=X)
        f.create_dataset("W0", data=W0)
        f.create_dataset("H0", data=H0)
    print(f"wrote {args.output}: /X {X.shape} {X.dtype} {args.format}, "
          f"{np.count_nonzero(X == 0)} zeros, mean {X.mean(dtype=np.float64):.6g}; "
          f"/W0 {W0.shape}, /H0 {H0.shape}")


if __name__ == "__main__":
    main()

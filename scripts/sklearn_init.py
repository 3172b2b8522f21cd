#!/usr/bin/python3
"""Write scikit-learn's initial W0 and H0 for an HDF5 input, so dnmf and scikit-learn can be
started from the same point (dnmf: --init custom --init-W OUT:/W0 --init-H OUT:/H0).

Usage: sklearn_init.py INPUT.h5[:/X] OUT.h5 --n-components K [--init random] [--random-state 0]
"""
import argparse

import h5py
from sklearn.decomposition._nmf import _initialize_nmf


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="file.h5 or file.h5:/path (default object /X)")
    ap.add_argument("output", help="HDF5 file to write /W0 and /H0 into")
    ap.add_argument("--n-components", type=int, required=True)
    ap.add_argument("--init", default="random", choices=["random", "nndsvd", "nndsvda", "nndsvdar"])
    ap.add_argument("--random-state", type=int, default=0)
    args = ap.parse_args()
    path, _, obj = args.input.partition(":")
    with h5py.File(path, "r") as f:
        X = f[obj or "/X"][...]
    W, H = _initialize_nmf(X, args.n_components, init=args.init, random_state=args.random_state)
    with h5py.File(args.output, "w") as f:
        f["W0"] = W
        f["H0"] = H
    print(f"wrote {args.output}: /W0 {W.shape}, /H0 {H.shape} ({args.init}, seed {args.random_state})")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Time scikit-learn's NMF solvers (mu with 1.6 numerics, sklearn16.py; cd) per iteration.

Starts from a custom init (default: /W0 and /H0 of the input file, e.g. written by
make_dataset.py; or any `file.h5:/path`, such as an init dumped by dnmf) and runs
exactly --iters iterations with tol=0 through scikit-learn's own solver routine
(_fit_multiplicative_update or _fit_coordinate_descent). The MU routine also evaluates
the loss once at the start; the time of one such evaluation, measured separately, is
subtracted, so seconds_per_iter is the loop time divided by the iteration count. With
--repeats R the fastest of R runs is reported. Prints one JSON line:

  {"tool": "sklearn", "solver": "mu", "seconds_per_iter": ..., "iters": ...,
   "n": ..., "p": ..., "k": ..., "threads": ..., "beta_loss": ..., "dtype": ...,
   "total_seconds": ...}

threads is the BLAS thread count reported by threadpoolctl (set it with
--threads or the usual OPENBLAS_NUM_THREADS/OMP_NUM_THREADS variables).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import sklearn16  # noqa: E402
from sklearn_reference import parse_beta, read_matrix, split_spec  # noqa: E402


def blas_threads():
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else None


def run(mod, solver, X, W0, H0, beta, iters):
    """Return (loop seconds, total seconds) of one run from copies of W0, H0."""
    W, H = W0.copy(), H0.copy()
    if solver == "cd":  # the loop is all there is: no loss evaluation inside
        start = time.perf_counter()
        mod._fit_coordinate_descent(X, W, H, tol=0, max_iter=iters)
        total = time.perf_counter() - start
        return total, total
    start = time.perf_counter()
    mod._beta_divergence(X, W, H, beta, square_root=True)
    t_err = time.perf_counter() - start
    start = time.perf_counter()
    mod._fit_multiplicative_update(X, W, H, beta_loss=beta, max_iter=iters, tol=0)
    total = time.perf_counter() - start
    return max(total - t_err, 0.0), total


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", metavar="INPUT.h5[:/X]", help="dense dataset or sparse group")
    parser.add_argument("--solver", choices=["mu", "cd"], default="mu")
    parser.add_argument("--init-W", metavar="FILE.h5:/PATH", help="default: INPUT's file, /W0")
    parser.add_argument("--init-H", metavar="FILE.h5:/PATH", help="default: INPUT's file, /H0")
    parser.add_argument("--iters", type=int, default=50, help="MU iterations (default 50)")
    parser.add_argument("--beta-loss", type=parse_beta, default="frobenius")
    parser.add_argument("--repeats", type=int, default=1, help="runs; the fastest counts")
    parser.add_argument("--threads", type=int, help="limit BLAS threads (threadpoolctl)")
    args = parser.parse_args()

    mod = sklearn16.load_nmf_module()
    path, _ = split_spec(args.input)
    X = read_matrix(args.input)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    W0 = read_matrix(args.init_W or f"{path}:/W0").astype(X.dtype)
    H0 = read_matrix(args.init_H or f"{path}:/H0").astype(X.dtype)
    if W0.shape[0] != X.shape[0] or H0.shape[1] != X.shape[1] or W0.shape[1] != H0.shape[0]:
        raise SystemExit(f"error: init shapes W {W0.shape}, H {H0.shape} do not fit X {X.shape}")
    beta = float(mod._beta_loss_to_float(args.beta_loss))
    if args.solver == "cd" and beta != 2:
        raise SystemExit("error: cd minimizes the Frobenius loss only")

    with threadpool_limits(limits=args.threads, user_api="blas"):
        threads = blas_threads()
        best = min(run(mod, args.solver, X, W0, H0, beta, args.iters)
                   for _ in range(max(1, args.repeats)))
    print(json.dumps({
        "tool": "sklearn", "solver": args.solver, "seconds_per_iter": best[0] / args.iters,
        "iters": args.iters, "n": X.shape[0], "p": X.shape[1], "k": H0.shape[0],
        "threads": threads, "beta_loss": beta, "dtype": str(X.dtype),
        "total_seconds": best[1]}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""`dnmf transform` and `dnmf inverse-transform` against scikit-learn (1.6 numerics).

For cd, mu (Frobenius) and mu (Kullback-Leibler), on dense and sparse (CSR) X, at 1-4 ranks:
  * dnmf fit writes MODEL.h5; scikit-learn's NMF gets the model's components_ and parameters
    and transforms the same X; dnmf transform must give the same W within 1e-9 relative;
  * the round trip fit -> transform is close to fit_transform (within 0.1 of max |W|: sklearn's
    own test asserts atol 0.1 on data of unit scale);
  * inverse-transform writes X = W H (1e-12 relative to numpy's product);
  * a model applied to data with another number of features exits with code 3.
Ends with `N passed, M failed`.
"""
import os
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import sklearn16  # noqa: E402

sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN as DNMF, MPIEXEC  # noqa: E402  (sets the launch environment)
results = []


def record(name, ok, detail):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name:52s} {detail}", flush=True)


def dnmf(ranks, *args):
    p = subprocess.run([MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF] + list(args),
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def write_x(path, X, sparse):
    with h5py.File(path, "w") as f:
        if not sparse:
            f["X"] = X
            return
        A = sp.csr_matrix(X)
        g = f.create_group("X")
        g["data"], g["indices"], g["indptr"] = A.data, A.indices.astype(np.int64), A.indptr
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["shape"] = np.array(X.shape, dtype=np.int64)


def main():
    NMF, _ = sklearn16.nmf_class()
    rng = np.random.default_rng(8)
    X = np.abs(rng.standard_normal((67, 19)))
    X[X < 0.4] = 0.0  # zeros, so that sparse storage means something
    X_new = np.abs(rng.standard_normal((41, 19)))
    X_new[X_new < 0.4] = 0.0
    configs = {
        "cd": ["--solver", "cd"],
        "mu": ["--solver", "mu"],
        "mu_kl": ["--solver", "mu", "--beta-loss", "kullback-leibler"],
    }
    with tempfile.TemporaryDirectory(prefix="dnmf-transform-") as tmp:
        for sparse in (False, True):
            kind = "sparse" if sparse else "dense"
            train, new = os.path.join(tmp, f"train-{kind}.h5"), os.path.join(tmp, f"new-{kind}.h5")
            write_x(train, X, sparse)
            write_x(new, X_new, sparse)
            for name, opts in configs.items():
                model = os.path.join(tmp, f"{name}-{kind}.h5")
                rc, out = dnmf(3, "fit", train, "--n-components", "3", "--init", "random",
                               "--random-state", "0", "--tol", "1e-6", "--max-iter", "500",
                               "--alpha-W", "0.001", "--output", model, *opts)
                if rc != 0:
                    record(f"{name} {kind}: fit", False, out[-300:])
                    continue
                with h5py.File(model, "r") as f:
                    H = f["H"][...]
                    W_fit = f["W"][...]
                    attrs = dict(f.attrs)
                beta = attrs["beta_loss"]
                est = NMF(n_components=3, solver=attrs["solver"], beta_loss=beta,
                          tol=float(attrs["tol"]), max_iter=int(attrs["max_iter"]),
                          alpha_W=float(attrs["alpha_W"]), init="random", random_state=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(sp.csr_matrix(X) if sparse else X)  # sets the fitted attributes
                    est.components_ = H                          # then use dnmf's components
                    W_ref = est.transform(sp.csr_matrix(X_new) if sparse else X_new)
                for ranks in (1, 2, 3, 4):
                    out_w = os.path.join(tmp, "w.h5")
                    rc, out = dnmf(ranks, "transform", "--model", model, new, "--output", out_w)
                    if rc != 0:
                        record(f"{name} {kind} P={ranks}: transform", False, out[-300:])
                        continue
                    with h5py.File(out_w, "r") as f:
                        W = f["W"][...]
                    d = rel(W, W_ref)
                    record(f"{name} {kind} P={ranks}: transform vs sklearn", d <= 1e-9,
                           f"max rel diff {d:.2e} (rtol 1e-9)")
                rc, out = dnmf(2, "transform", "--model", model, train, "--output", out_w)
                with h5py.File(out_w, "r") as f:
                    W_again = f["W"][...]
                gap = rel(W_again, W_fit)
                record(f"{name} {kind}: fit then transform ~ fit_transform", gap < 0.1,
                       f"max diff {gap:.2e} of max |W| (below 0.1, like sklearn's test)")
                out_x = os.path.join(tmp, "x.h5")
                rc, out = dnmf(4, "inverse-transform", "--model", model, out_w, "--output", out_x)
                ok = rc == 0
                if ok:
                    with h5py.File(out_x, "r") as f:
                        d = rel(f["X"][...], W_again @ H)
                    ok = d <= 1e-12
                record(f"{name} {kind}: inverse-transform = W H", ok,
                       f"max rel diff {d:.2e}" if rc == 0 else out[-300:])
        # A model applied to data with another number of features.
        other = os.path.join(tmp, "other.h5")
        with h5py.File(other, "w") as f:
            f["X"] = np.abs(rng.standard_normal((10, 7)))
        rc, out = dnmf(4, "transform", "--model", model, other, "--output",
                       os.path.join(tmp, "w2.h5"))
        record("feature-count mismatch exits 3", rc == 3 and "features" in out,
               out.strip().splitlines()[0] if out.strip() else f"exit {rc}")
        rc, out = dnmf(2, "inverse-transform", "--model", model, out_w, "--output",
                       os.path.join(tmp, "x2.h5"), "--max-output-gb", "1e-9")
        record("inverse-transform above --max-output-gb exits 2", rc == 2 and "GB" in out,
               out.strip().splitlines()[-1] if out.strip() else f"exit {rc}")
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

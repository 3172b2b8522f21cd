#!/usr/bin/python3
"""NMF on the observed entries only (issue #16): `dnmf fit --missing nan|unstored`, `--mask`.

scikit-learn has no masked NMF, so every case is checked against a naive NumPy implementation
of the formulas the issue states (below, `mu_reference` and `anls_reference`), from the same
custom init, at several rank counts and on a 2x2 grid:
  - mu for beta 2, 1, 0.5, 0, with and without penalties, dense (NaN or a mask dataset) and
    sparse (--missing unstored, or stored NaN with --missing nan), masks as dense datasets or
    sparse groups on dense or sparse X, float64 (1e-9) and float32 (1e-4);
  - anls-bpp: each row of W (column of H) the exact NNLS over its observed entries, solved by
    scipy.optimize.nnls;
  - an all-ones mask gives today's numbers bit for bit; transform with H fixed; a checkpoint
    resumed with the same mask continues the run, with another mask is refused;
  - recovery of a planted rank-4 matrix with 30% of its entries removed;
  - bad input: each a message and its exit code.
Prints one line per check and ends with `N passed, M failed`.

Usage: /usr/bin/python3 tests/parity/test_missing.py [--groups mu,anls,ones,transform,...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import zlib

import h5py
import numpy as np
import scipy.optimize

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from script_env import DNMF_BIN, MPIEXEC  # noqa: E402  (sets the launch environment)

EPS = float(np.finfo(np.float32).eps)  # scikit-learn's EPSILON, for every dtype
EPS64 = float(np.finfo(np.float64).eps)
RESULTS = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {name} {detail}", flush=True)


# ------------------------------------------------------------------------------------------
# the reference: the formulas, literally
# ------------------------------------------------------------------------------------------
def mu_factors(X, M, Y, beta):
    """A = M o X o Y^(beta-2) and B = M o Y^(beta-1) with scikit-learn's clamps."""
    one = X.dtype.type(1)
    if beta == 2:
        return M * X, M * Y
    yn = np.where(Y < EPS, X.dtype.type(EPS), Y)  # beta < 2: clipped for the numerator
    if beta == 1:
        A = M * (X / yn)
    elif beta == 0:
        A = M * ((one / yn) ** 2 * X)
    else:
        A = M * (yn ** (beta - 2) * X)
    if beta == 1:
        B = M.copy()
    else:
        yb = np.where(Y < EPS, X.dtype.type(EPS), Y) if beta < 1 else Y
        B = M * yb ** (beta - 1)
    return A, B


def mu_apply(F, num, den, l1, l2, gamma):
    d = den
    if l1 > 0:
        d = d + F.dtype.type(l1)
    if l2 > 0:
        d = d + F.dtype.type(l2) * F
    d = np.where(d == 0, F.dtype.type(EPS), d)
    r = num / d
    if gamma != 1:
        r = r ** gamma
    return F * r


def divergence(X, M, Y, beta):
    """D_beta over the observed entries (spec section 6 restricted to M)."""
    obs = M.astype(bool)
    x, y = X[obs].astype(np.float64), Y[obs].astype(np.float64)
    if beta == 2:
        return 0.5 * np.sum((X[obs] - Y[obs]).astype(np.float64) ** 2)
    keep = x > EPS
    xk, yk = x[keep], np.maximum(y[keep], EPS)
    if beta == 1:
        return np.sum(xk * np.log(xk / yk)) + np.sum(y) - np.sum(xk)
    if beta == 0:
        return np.sum(xk / yk) - x.size - np.sum(np.log(xk / yk))
    return (np.sum(xk ** beta) - beta * np.sum(xk * yk ** (beta - 1))
            + (beta - 1) * np.sum(y ** beta)) / (beta * (beta - 1))


def penalties(n, p, alpha_W, alpha_H, l1_ratio):
    return (p * alpha_W * l1_ratio, p * alpha_W * (1 - l1_ratio),
            n * alpha_H * l1_ratio, n * alpha_H * (1 - l1_ratio))


def mu_reference(X, M, W, H, beta, max_iter, tol=0.0, alpha_W=0.0, alpha_H=0.0, l1_ratio=0.0,
                 update_h=True):
    n, p = X.shape
    l1W, l2W, l1H, l2H = penalties(n, p, alpha_W, alpha_H, l1_ratio)
    gamma = 1 / (2 - beta) if beta < 1 else (1 / (beta - 1) if beta > 2 else 1.0)
    M = M.astype(X.dtype)
    err0 = prev = np.sqrt(2 * divergence(X, M, W @ H, beta))
    it = 0
    for it in range(1, max_iter + 1):
        A, B = mu_factors(X, M, W @ H, beta)
        W = mu_apply(W, A @ H.T, B @ H.T, l1W, l2W, gamma)
        if beta < 1:
            W[W < EPS64] = 0
        if update_h:
            A, B = mu_factors(X, M, W @ H, beta)
            H = mu_apply(H, W.T @ A, W.T @ B, l1H, l2H, gamma)
            if beta <= 1:
                H[H < EPS64] = 0
        if tol > 0 and it % 10 == 0:
            err = np.sqrt(2 * divergence(X, M, W @ H, beta))
            if (prev - err) / err0 < tol:
                break
            prev = err
    return W, H, np.sqrt(2 * divergence(X, M, W @ H, beta)), it


def nnls_rows(F, X, M, G_other, l1, l2):
    """Each row i of F: argmin_{a>=0} 0.5 a^T G_i a - r_i^T a with G_i = B^T diag(M_i) B + l2 I
    and r_i = B^T (M_i o X_i) - l1, B = G_other (cols x k): scipy.optimize.nnls on the
    Cholesky form."""
    out = np.empty_like(F, dtype=np.float64)
    B = G_other.astype(np.float64)
    k = B.shape[1]
    for i in range(F.shape[0]):
        m = M[i].astype(bool)
        G = B[m].T @ B[m] + l2 * np.eye(k)
        r = B[m].T @ X[i, m].astype(np.float64) - l1
        L = np.linalg.cholesky(G)
        out[i] = scipy.optimize.nnls(L.T, np.linalg.solve(L, r))[0]
    return out


def anls_reference(X, M, W, H, max_iter, alpha_W=0.0, alpha_H=0.0, l1_ratio=0.0):
    n, p = X.shape
    l1W, l2W, l1H, l2H = penalties(n, p, alpha_W, alpha_H, l1_ratio)
    W, H = W.astype(np.float64), H.astype(np.float64)
    for _ in range(max_iter):
        W = nnls_rows(W, X, M, H.T, l1W, l2W)
        H = nnls_rows(H.T, X.T, M.T, W, l1H, l2H).T
    return W, H, np.sqrt(2 * divergence(X, M.astype(X.dtype), W @ H, 2)), max_iter


# ------------------------------------------------------------------------------------------
# running dnmf
# ------------------------------------------------------------------------------------------
def run(ranks, args, expect=0):
    cmd = [MPIEXEC, "-n", str(ranks), "--oversubscribe", DNMF_BIN] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != expect:
        print(f"  command: {' '.join(cmd)}\n  rc={p.returncode}\n  {p.stdout}\n  {p.stderr}")
    return p


def layouts(spec):
    """'1,2,3,4,2x2' -> [(ranks, grid args)]."""
    out = []
    for s in spec.split(","):
        if "x" in s:
            a, b = map(int, s.split("x"))
            out.append((a * b, ["--grid", s]))
        else:
            out.append((int(s), []))
    return out


def write_sparse(f, name, X, M):
    """X at the observed entries only, as a CSR group (the unstored entries are missing)."""
    g = f.create_group(name)
    indptr, indices, data = [0], [], []
    for i in range(X.shape[0]):
        cols = np.nonzero(M[i])[0]
        indices.extend(cols)
        data.extend(X[i, cols])
        indptr.append(len(indices))
    g["data"] = np.array(data, dtype=X.dtype)
    g["indices"] = np.array(indices, dtype=np.int64)
    g["indptr"] = np.array(indptr, dtype=np.int64)
    g.attrs["encoding-type"] = "csr_matrix"
    g.attrs["shape"] = np.array(X.shape, dtype=np.int64)


def make_case(tmp, name, n, p, k, seed, missing, dtype, fmt, zeros=0.0):
    rs = np.random.RandomState(seed)
    X = np.abs(rs.randn(n, p)).astype(dtype) + (dtype(0.1) if zeros == 0 else dtype(0))
    if zeros:
        X[rs.rand(n, p) < zeros] = 0
    M = (rs.rand(n, p) >= missing).astype(np.uint8)
    M[np.arange(n), rs.randint(0, p, n)] = 1  # no empty row or column
    M[rs.randint(0, n, p), np.arange(p)] = 1
    W0 = np.abs(rs.randn(n, k)).astype(dtype)
    H0 = np.abs(rs.randn(k, p)).astype(dtype)
    path = os.path.join(tmp, name + ".h5")
    with h5py.File(path, "w") as f:
        if fmt == "nan":
            Xn = X.copy()
            Xn[M == 0] = np.nan
            f["X"] = Xn
        elif fmt == "mask":
            Xn = X.copy()
            Xn[M == 0] = -7.0  # hidden entries: never read, so not an error
            f["X"] = Xn
            f["M"] = M.astype(np.float64) * 3  # nonzero = observed
        elif fmt == "sparse-nan":  # stored NaN = missing; unstored = observed zeros
            X[(M == 1) & (rs.rand(n, p) < 0.3)] = 0
            Xs = np.where(M == 1, X, np.nan)
            write_sparse(f, "X", Xs, (M == 0) | (X != 0))
        elif fmt in ("sparse-mask", "sparse-densemask", "dense-sparsemask"):
            # The mask decides: observed zeros (X unstored there, or stored 0), and stored values
            # at hidden entries that must never be read.
            X[(M == 1) & (rs.rand(n, p) < 0.3)] = 0
            junk = (M == 0) & (rs.rand(n, p) < 0.5)
            if fmt == "dense-sparsemask":
                f["X"] = np.where(M == 1, X, dtype(-7.0))
            else:
                write_sparse(f, "X", np.where(junk, dtype(5.0), X), (X != 0) | junk)
            if fmt == "sparse-densemask":
                f["M"] = M.astype(np.float64) * 3
            else:  # a CSR group; stored zeros at some hidden entries observe nothing
                write_sparse(f, "M", M.astype(np.float64), (M == 1) | junk)
        else:
            write_sparse(f, "X", X, M)
        f["W0"], f["H0"] = W0, H0
    flags = {"nan": ["--missing", "nan"], "sparse": ["--missing", "unstored"],
             "sparse-nan": ["--missing", "nan"]}.get(fmt, ["--mask", path + ":/M"])
    return path, X, M, W0, H0, flags


def read_model(path):
    with h5py.File(path, "r") as f:
        return f["W"][()], f["H"][()], float(f.attrs["reconstruction_err_"]), int(f.attrs["n_iter_"])


def rel(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b)) / max(np.max(np.abs(b)), 1e-300))


def parity_case(tmp, name, solver, beta, fmt, dtype, runs, pen=None, iters=30, tol=0.0,
                zeros=0.0, n=24, p=18, k=3):
    pen = pen or {}
    path, X, M, W0, H0, flags = make_case(tmp, name, n, p, k, zlib.crc32(name.encode()) % 1000, 0.25,
                                          dtype, fmt, zeros)
    if solver == "mu":
        Wr, Hr, err, it = mu_reference(X, M, W0, H0, beta, iters, tol, **pen)
    else:
        Wr, Hr, err, it = anls_reference(X, M, W0, H0, iters, **pen)
    limit = 1e-9 if dtype == np.float64 else 1e-4
    if solver == "anls-bpp":
        limit = max(limit, 1e-7)  # scipy's NNLS and BPP solve each row to rounding, differently
    args = ["fit", path, "--n-components", str(k), "--solver", solver, "--beta-loss", str(beta),
            "--init", "custom", "--init-W", path + ":/W0", "--init-H", path + ":/H0",
            "--max-iter", str(iters), "--tol", str(tol)] + flags
    for key, v in pen.items():
        args += ["--" + key.replace("_", "-"), str(v)]
    results = []
    for ranks, grid in layouts(runs):
        out = os.path.join(tmp, f"{name}-{ranks}{''.join(grid)}.h5")
        p_ = run(ranks, args + grid + ["--output", out])
        if p_.returncode != 0:
            check(f"{name} np={ranks}{''.join(grid)}", False, "run failed")
            continue
        W, H, e, nit = read_model(out)
        dw, dh, de = rel(W, Wr), rel(H, Hr), abs(e - err) / err
        ok = dw <= limit and dh <= limit and de <= limit and nit == it
        check(f"{name} np={ranks}{' '.join(grid)}", ok,
              f"W {dw:.1e} H {dh:.1e} err {de:.1e} n_iter {nit}/{it} (limit {limit:g})")
        results.append((W, H))


# ------------------------------------------------------------------------------------------
# the other checks
# ------------------------------------------------------------------------------------------
def all_ones(tmp):
    """A mask that hides nothing, and --missing nan on X without NaN: today's numbers exactly."""
    rs = np.random.RandomState(5)
    X = np.abs(rs.randn(20, 15))
    path = os.path.join(tmp, "ones.h5")
    with h5py.File(path, "w") as f:
        f["X"] = X
        f["M"] = np.ones_like(X)
    base = ["fit", path, "--n-components", "3", "--solver", "mu", "--beta-loss", "1",
            "--init", "random", "--random-state", "1", "--max-iter", "40"]
    outs = {}
    for tag, extra in [("plain", []), ("mask", ["--mask", path + ":/M"]),
                       ("nan", ["--missing", "nan"])]:
        out = os.path.join(tmp, f"ones-{tag}.h5")
        run(2, base + extra + ["--output", out])
        outs[tag] = read_model(out)
    # Sparse X with a mask that observes every entry (a dense dataset and a group).
    with h5py.File(path, "a") as f:
        write_sparse(f, "S", np.where(X > 0.5, X, 0), X > 0.5)
        write_sparse(f, "MS", np.ones_like(X), np.ones_like(X))
    for tag, x, extra in [("sparse plain", ":/S", []), ("sparse mask", ":/S", ["--mask", path + ":/M"]),
                          ("sparse mask group", ":/S", ["--mask", path + ":/MS"])]:
        out = os.path.join(tmp, f"ones-{tag.replace(' ', '-')}.h5")
        run(2, [base[0], path + x] + base[2:] + extra + ["--output", out])
        outs[tag] = read_model(out)
    for tag, plain in (("mask", "plain"), ("nan", "plain"), ("sparse mask", "sparse plain"),
                       ("sparse mask group", "sparse plain")):
        same = all(np.array_equal(a, b) for a, b in zip(outs[tag][:2], outs[plain][:2]))
        check(f"all-ones {tag}", same and outs[tag][2] == outs[plain][2],
              f"err {outs[tag][2]!r} vs {outs[plain][2]!r}")


def transform_case(tmp):
    """transform --missing nan: W for new rows with missing entries, H fixed."""
    path, X, M, W0, H0, flags = make_case(tmp, "tr", 24, 18, 3, 11, 0.25, np.float64, "nan")
    model = os.path.join(tmp, "tr-model.h5")
    run(2, ["fit", path, "--n-components", "3", "--solver", "mu", "--init", "custom",
            "--init-W", path + ":/W0", "--init-H", path + ":/H0", "--max-iter", "20",
            "--tol", "0", "--missing", "nan", "--output", model])
    _, H, _, _ = read_model(model)
    rs = np.random.RandomState(12)
    Xn = np.abs(rs.randn(10, 18)) + 0.1
    Mn = (rs.rand(10, 18) >= 0.3).astype(np.uint8)
    Mn[:, 0] = 1
    new = os.path.join(tmp, "tr-new.h5")
    with h5py.File(new, "w") as f:
        f["X"] = np.where(Mn == 1, Xn, np.nan)
    w0 = np.full((10, 3), np.sqrt(Xn[Mn == 1].mean() / 3))  # mu's start: the observed mean
    Wr, _, _, _ = mu_reference(Xn, Mn, w0, H, 2, 20, update_h=False)
    for ranks, grid in layouts("1,2x2"):
        out = os.path.join(tmp, f"tr-w{ranks}.h5")
        p_ = run(ranks, ["transform", "--model", model, new, "--missing", "nan", "--output", out]
                 + grid)
        if p_.returncode:
            check(f"transform np={ranks}", False)
            continue
        with h5py.File(out, "r") as f:
            d = rel(f["W"][()], Wr)
        check(f"transform np={ranks}{' '.join(grid)}", d <= 1e-9, f"W {d:.1e}")


def checkpoint_case(tmp):
    """The mask is part of the input's fingerprint."""
    path, X, M, W0, H0, flags = make_case(tmp, "ck", 24, 18, 3, 21, 0.25, np.float64, "mask")
    with h5py.File(path, "a") as f:
        M2 = f["M"][()].copy()
        M2[0, np.nonzero(M2[0])[0][0]] = 0
        f["M2"] = M2
    base = ["fit", path, "--n-components", "3", "--solver", "mu", "--init", "custom",
            "--init-W", path + ":/W0", "--init-H", path + ":/H0", "--max-iter", "10", "--tol", "0"]
    full = os.path.join(tmp, "ck-full.h5")
    run(2, base + flags + ["--output", full])
    ck = os.path.join(tmp, "ck.ckpt")
    run(2, base + flags + ["--checkpoint", ck, "--checkpoint-every", "5", "--output",
                           os.path.join(tmp, "ck-a.h5")])
    resumed = os.path.join(tmp, "ck-resumed.h5")
    run(2, base + flags + ["--resume", ck, "--output", resumed])
    a, b = read_model(full), read_model(resumed)
    check("checkpoint resume, same mask", np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]))
    p_ = run(2, base + ["--mask", path + ":/M2", "--resume", ck, "--output",
                        os.path.join(tmp, "ck-b.h5")], expect=3)
    lines = [ln for ln in p_.stderr.splitlines() if "dnmf: error" in ln]
    check("checkpoint resume, another mask: exit 3", p_.returncode == 3 and bool(lines),
          lines[0][:160] if lines else "")


def recovery_case(tmp):
    """Planted rank 4 plus noise 0.01, 30% removed: RMSE on the removed entries <= 2 x noise."""
    rs = np.random.RandomState(3)
    n, p, r, sigma = 150, 100, 4, 0.01
    Wt, Ht = rs.rand(n, r), rs.rand(r, p)
    X = np.maximum(Wt @ Ht + sigma * rs.randn(n, p), 0)
    removed = rs.rand(n, p) < 0.3
    path = os.path.join(tmp, "rec.h5")
    with h5py.File(path, "w") as f:
        f["X"] = np.where(removed, np.nan, X)
    for solver, iters in [("anls-bpp", 300), ("mu", 2000)]:
        out = os.path.join(tmp, f"rec-{solver}.h5")
        p_ = run(2, ["fit", path, "--n-components", str(r), "--solver", solver, "--init", "random",
                     "--random-state", "0", "--max-iter", str(iters), "--tol", "1e-8",
                     "--missing", "nan", "--output", out])
        if p_.returncode not in (0,):
            check(f"recovery {solver}", False)
            continue
        W, H, _, _ = read_model(out)
        rmse = float(np.sqrt(np.mean((W @ H - X)[removed] ** 2)))
        check(f"recovery {solver}", rmse <= 2 * sigma,
              f"RMSE on removed entries {rmse:.4f}, noise {sigma} (limit {2 * sigma})")


def bad_input(tmp):
    rs = np.random.RandomState(9)
    X = np.abs(rs.randn(12, 8)) + 0.1
    path = os.path.join(tmp, "bad.h5")
    with h5py.File(path, "w") as f:
        f["X"] = X
        Xn = X.copy()
        Xn[2, 3] = np.nan
        f["Xnan"] = Xn
        f["Mshape"] = np.ones((12, 7))
        Mr = np.ones_like(X)
        Mr[4, :] = 0
        f["Mrow"] = Mr
        Mc = np.ones_like(X)
        Mc[:, 6] = 0
        f["Mcol"] = Mc
        write_sparse(f, "S", X, (rs.rand(12, 8) < 0.5).astype(np.uint8) | np.eye(12, 8, dtype=np.uint8))
        write_sparse(f, "Sshape", np.ones((12, 9)), np.eye(12, 9))
    base = ["fit", "--n-components", "2", "--solver", "mu", "--init", "random", "--max-iter", "5",
            "--output", os.path.join(tmp, "bad-out.h5")]
    cases = [
        ("mask of the wrong shape", [path, "--mask", path + ":/Mshape"], 3, "12 x 7"),
        ("mask hides a row", [path, "--mask", path + ":/Mrow"], 3, "row 4"),
        ("mask hides a column", [path, "--mask", path + ":/Mcol"], 3, "column 6"),
        ("unstored on dense X", [path, "--missing", "unstored"], 2, "sparse"),
        ("mask hides a row of sparse X", [path + ":/S", "--mask", path + ":/Mrow"], 3, "row 4"),
        ("sparse mask of the wrong shape", [path, "--mask", path + ":/Sshape"], 3, "12 x 9"),
        ("NaN without --missing", [path + ":/Xnan"], 3, "NaN"),
        ("unknown --missing", [path, "--missing", "zero"], 2, "nan"),
        ("cd with a mask", [path + ":/Xnan", "--missing", "nan", "--solver", "cd"], 2, "mu"),
        ("nndsvda with unstored", [path + ":/S", "--missing", "unstored", "--init", "nndsvda"], 2,
         "random"),
    ]
    for name, extra, code, needle in cases:
        # Agreement across ranks matters where one rank can see the problem alone.
        ranks = 2 if "hides" in name or "NaN without" in name else 1
        p_ = run(ranks, base[:1] + extra[:1] + base[1:] + extra[1:], expect=code)
        lines = [ln for ln in (p_.stderr + p_.stdout).splitlines() if "dnmf: error" in ln]
        msg = lines[0] if lines else ""
        check(f"bad input: {name}: exit {code}", p_.returncode == code and needle in msg,
              msg[:160])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", default="",
                    help="comma-separated groups to run (default: all): mu, anls, ones, "
                         "transform, checkpoint, recovery, bad")
    opts = ap.parse_args()
    f64, f32 = np.float64, np.float32
    with tempfile.TemporaryDirectory(prefix="dnmf-missing-") as tmp:
        groups = {
            "mu": lambda: [
                parity_case(tmp, "mu-b2-nan", "mu", 2, "nan", f64, "1,3,2x2"),
                parity_case(tmp, "mu-b2-pen-mask", "mu", 2, "mask", f64, "4",
                            pen=dict(alpha_W=0.01, alpha_H=0.02, l1_ratio=0.5)),
                parity_case(tmp, "mu-b1-nan", "mu", 1, "nan", f64, "2x2",
                            pen=dict(alpha_W=0.01, alpha_H=0.01, l1_ratio=0.3)),
                parity_case(tmp, "mu-b0.5-nan", "mu", 0.5, "nan", f64, "2x2", zeros=0.1),
                parity_case(tmp, "mu-b0-mask", "mu", 0, "mask", f64, "1"),
                parity_case(tmp, "mu-b2-sparse", "mu", 2, "sparse", f64, "2,2x2"),
                parity_case(tmp, "mu-b1-sparse-pen", "mu", 1, "sparse", f64, "3",
                            pen=dict(alpha_W=0.01, alpha_H=0.01, l1_ratio=0.5)),
                parity_case(tmp, "mu-b0.5-sparse", "mu", 0.5, "sparse", f64, "2x2"),
                parity_case(tmp, "mu-b0-sparse", "mu", 0, "sparse", f64, "2x2"),
                parity_case(tmp, "mu-b2-sparse-nan", "mu", 2, "sparse-nan", f64, "1,2x2"),
                parity_case(tmp, "mu-b1-sparse-nan-pen", "mu", 1, "sparse-nan", f64, "2x2",
                            pen=dict(alpha_W=0.01, alpha_H=0.01, l1_ratio=0.5)),
                parity_case(tmp, "mu-b0.5-sparse-nan", "mu", 0.5, "sparse-nan", f64, "2"),
                parity_case(tmp, "mu-b2-nan-tol", "mu", 2, "nan", f64, "2", iters=200, tol=1e-3),
                parity_case(tmp, "mu-b2-nan-f32", "mu", 2, "nan", f32, "2x2"),
                parity_case(tmp, "mu-b1-sparse-f32", "mu", 1, "sparse", f32, "2x2"),
                parity_case(tmp, "mu-b0.5-mask-f32", "mu", 0.5, "mask", f32, "3"),
                # sparse X with a mask (a group or a dataset), dense X with a mask group
                parity_case(tmp, "mu-b2-sparse-mask", "mu", 2, "sparse-mask", f64, "1,2x2"),
                parity_case(tmp, "mu-b1-sparse-densemask-pen", "mu", 1, "sparse-densemask", f64,
                            "3", pen=dict(alpha_W=0.01, alpha_H=0.01, l1_ratio=0.5)),
                parity_case(tmp, "mu-b0.5-dense-sparsemask", "mu", 0.5, "dense-sparsemask", f64,
                            "2x2"),
                parity_case(tmp, "mu-b1-sparse-mask-f32", "mu", 1, "sparse-mask", f32, "2x2"),
            ],
            "anls": lambda: [
                parity_case(tmp, "anls-nan", "anls-bpp", 2, "nan", f64, "3,2x2", iters=8),
                parity_case(tmp, "anls-mask-pen", "anls-bpp", 2, "mask", f64, "2x2", iters=8,
                            pen=dict(alpha_W=0.01, alpha_H=0.02, l1_ratio=0.5)),
                parity_case(tmp, "anls-sparse", "anls-bpp", 2, "sparse", f64, "1,4", iters=8),
                parity_case(tmp, "anls-sparse-nan", "anls-bpp", 2, "sparse-nan", f64, "2x2",
                            iters=8),
                parity_case(tmp, "anls-sparse-f32", "anls-bpp", 2, "sparse", f32, "2x2", iters=8),
                parity_case(tmp, "anls-sparse-mask", "anls-bpp", 2, "sparse-mask", f64, "4,2x2",
                            iters=8),
                parity_case(tmp, "anls-dense-sparsemask", "anls-bpp", 2, "dense-sparsemask", f64,
                            "1,3", iters=8),
            ],
            "ones": lambda: all_ones(tmp),
            "transform": lambda: transform_case(tmp),
            "checkpoint": lambda: checkpoint_case(tmp),
            "recovery": lambda: recovery_case(tmp),
            "bad": lambda: bad_input(tmp),
        }
        for name, body in groups.items():
            if not opts.groups or name in opts.groups.split(","):
                body()
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""dnmf.NMF's Python API: inputs, scikit-learn integration, errors and warnings, 1.6 behaviour,
Ctrl-C and the GIL. One process (no comm); test_mpi.py covers the ranks."""
import os
import pathlib
import pickle
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.decomposition import NMF as SkNMF
from sklearn.decomposition import non_negative_factorization as sk_nnf
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import dnmf


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return np.abs(rng.randn(40, 12) @ rng.rand(12, 15))


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def both(X, **params):
    ours, theirs = dnmf.NMF(**params), SkNMF(**params)
    return ours, ours.fit_transform(X), theirs, theirs.fit_transform(X)


# --- inputs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["cd", "mu"])
def test_numbers_are_scikit_learns(X, solver):
    ours, W, theirs, Ws = both(X, n_components=4, solver=solver, init="random", random_state=1)
    assert rel(W, Ws) < 1e-9 and rel(ours.components_, theirs.components_) < 1e-9
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.reconstruction_err_ == pytest.approx(theirs.reconstruction_err_, rel=1e-9)
    assert rel(ours.transform(X), theirs.transform(X)) < 1e-9


@pytest.mark.parametrize("dtype,out", [(np.float32, np.float32), (np.float64, np.float64),
                                       (np.int64, np.float64), (np.int32, np.float64),
                                       (np.float16, np.float64)])
def test_dtypes(X, dtype, out):
    Xd = (X * 10).astype(dtype)
    m = dnmf.NMF(3, init="random", random_state=0, max_iter=30)
    W = m.fit_transform(Xd)
    assert W.dtype == out and m.components_.dtype == out and m.transform(Xd).dtype == out
    ref = SkNMF(3, init="random", random_state=0, max_iter=30).fit(Xd)
    assert rel(m.components_, ref.components_) < (1e-4 if out == np.float32 else 1e-9)


@pytest.mark.parametrize("fmt", ["csr", "csc", "unsorted-csr", "coo"])
def test_sparse_inputs_give_the_dense_numbers(X, fmt):
    Xs = X.copy()
    Xs[Xs < np.median(Xs)] = 0
    dense = dnmf.NMF(3, solver="mu", beta_loss=1, init="random", random_state=0, max_iter=50)
    Wd = dense.fit_transform(Xs)
    if fmt == "unsorted-csr":  # duplicates and unsorted indices: summed, as scipy would
        c = sp.coo_matrix(Xs)
        half = c.data / 2
        S = sp.csr_matrix((np.r_[half, half][::-1], (np.r_[c.row, c.row][::-1],
                                                     np.r_[c.col, c.col][::-1])), shape=Xs.shape)
        S.has_canonical_format = False
    else:
        S = getattr(sp, fmt + "_matrix")(Xs)
    m = dnmf.NMF(3, solver="mu", beta_loss=1, init="random", random_state=0, max_iter=50)
    W = m.fit_transform(S)
    assert rel(W, Wd) < 1e-9 and rel(m.components_, dense.components_) < 1e-9
    assert rel(m.transform(S), dense.transform(Xs)) < 1e-9


def test_dataframe_feature_names_and_set_output(X):
    df = pd.DataFrame(X, columns=[f"g{i}" for i in range(X.shape[1])])
    m = dnmf.NMF(3, init="nndsvda", max_iter=50).set_output(transform="pandas")
    out = m.fit_transform(df)
    assert list(m.feature_names_in_) == list(df.columns)
    assert list(m.get_feature_names_out()) == ["nmf0", "nmf1", "nmf2"]
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["nmf0", "nmf1", "nmf2"]
    assert isinstance(m.transform(df), pd.DataFrame)
    with pytest.raises(ValueError, match="feature names"):
        m.transform(df.rename(columns={"g0": "other"}))


def test_anndata(X):
    anndata = pytest.importorskip("anndata")
    names = [f"gene{i}" for i in range(X.shape[1])]
    for data in (X, sp.csr_matrix(X)):
        ad = anndata.AnnData(X=data, var=pd.DataFrame(index=names), dtype=data.dtype)
        m = dnmf.NMF(3, init="random", random_state=2, max_iter=40)
        W = m.fit_transform(ad)
        assert list(m.feature_names_in_) == names
        ref = dnmf.NMF(3, init="random", random_state=2, max_iter=40).fit_transform(X)
        assert rel(W, ref) < 1e-9
        assert m.transform(ad).shape == (X.shape[0], 3)


def test_path_strings(X, tmp_path):
    S = sp.csr_matrix(np.where(X > np.median(X), X, 0))
    f = tmp_path / "data.h5"
    with h5py.File(f, "w") as h:
        h["X"] = X
        h["feature_names"] = np.array([f"f{i}".encode() for i in range(X.shape[1])])
        g = h.create_group("S")
        g["data"], g["indices"], g["indptr"] = S.data, S.indices, S.indptr
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["shape"] = np.array(S.shape)
    for spec, arr in ((f"{f}:/X", X), (f"{f}:/S", S), (f, X), (pathlib.Path(f), X)):
        m = dnmf.NMF(3, init="random", random_state=0, max_iter=40)
        W = m.fit_transform(spec)
        ref = dnmf.NMF(3, init="random", random_state=0, max_iter=40)
        Wr = ref.fit_transform(arr)
        assert rel(W, Wr) < 1e-9 and rel(m.components_, ref.components_) < 1e-9
        assert m.n_features_in_ == X.shape[1] and m.dnmf_rows_ == (0, X.shape[0])
        assert list(m.feature_names_in_) == [f"f{i}" for i in range(X.shape[1])]
        assert rel(m.transform(spec), ref.transform(arr)) < 1e-9


def test_h5ad_path_gives_var_names(X, tmp_path):
    anndata = pytest.importorskip("anndata")
    names = [f"gene{i}" for i in range(X.shape[1])]
    path = tmp_path / "cells.h5ad"
    anndata.AnnData(X=sp.csr_matrix(X), var=pd.DataFrame(index=names),
                    dtype=X.dtype).write_h5ad(path)
    m = dnmf.NMF(2, init="random", random_state=0, max_iter=20).fit(f"{path}:/X")
    assert list(m.feature_names_in_) == names


def test_path_errors(tmp_path):
    with pytest.raises(OSError):
        dnmf.NMF(2).fit(str(tmp_path / "missing.h5"))
    f = tmp_path / "x.h5"
    with h5py.File(f, "w") as h:
        h["X"] = -np.ones((4, 3))
    with pytest.raises(ValueError, match="no object|not found|does not exist|missing"):
        dnmf.NMF(2).fit(f"{f}:/Y")
    with pytest.raises(ValueError, match="Negative values in data passed to NMF"):
        dnmf.NMF(2).fit(f"{f}:/X")


def test_custom_init_equals_scikit_learn(X):
    rng = np.random.RandomState(5)
    W0, H0 = rng.rand(X.shape[0], 4), rng.rand(4, X.shape[1])
    for solver in ("cd", "mu"):
        W = dnmf.NMF(4, init="custom", solver=solver, max_iter=60).fit_transform(X, W=W0, H=H0)
        Ws = SkNMF(4, init="custom", solver=solver, max_iter=60).fit_transform(X, W=W0, H=H0)
        assert rel(W, Ws) < 1e-9
    W, H, n_iter = dnmf.non_negative_factorization(X, W0, H0, 4, init="custom", max_iter=60)
    Ws, Hs, n_s = sk_nnf(X, W0, H0, 4, init="custom", max_iter=60)
    assert rel(W, Ws) < 1e-9 and rel(H, Hs) < 1e-9 and n_iter == n_s
    W, H2, _ = dnmf.non_negative_factorization(X, H=H, update_H=False, n_components=4)
    Ws, _, _ = sk_nnf(X, H=Hs, update_H=False, n_components=4)
    assert H2 is H or np.array_equal(H2, H)
    assert rel(W, Ws) < 1e-9


# --- scikit-learn integration ----------------------------------------------------------------
def test_params_clone_pickle(X):
    m = dnmf.NMF(5, solver="mu", alpha_W=0.1, grid=(1, 1))
    params = m.get_params()
    assert params["n_components"] == 5 and params["solver"] == "mu" and params["grid"] == (1, 1)
    assert params["comm"] is None and params["distributed"] is False
    c = clone(m).set_params(n_components=3)
    assert c.n_components == 3 and m.n_components == 5
    fitted = dnmf.NMF(3, init="random", random_state=0, max_iter=20).fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.components_, fitted.components_)
    assert np.array_equal(again.transform(X), fitted.transform(X))


def test_pipeline_and_grid_search(X):
    pipe = make_pipeline(MinMaxScaler(clip=True),
                         dnmf.NMF(init="random", random_state=0, max_iter=50))

    def score(est, Xv, y=None):  # minus the reconstruction error of the scaled data
        return -np.linalg.norm(est[0].transform(Xv) - est[-1].inverse_transform(est.transform(Xv)))

    search = GridSearchCV(pipe, {"nmf__n_components": [2, 6]}, cv=2, scoring=score,
                          error_score="raise")
    search.fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["nmf__n_components"] == 6  # more components fit better
    assert search.best_estimator_.transform(X).shape == (X.shape[0], 6)


def test_anls_bpp_solver(X):
    m = dnmf.NMF(4, solver="anls-bpp", init="nndsvda", max_iter=100)
    W = m.fit_transform(X)
    cd = SkNMF(4, init="nndsvda", max_iter=100).fit(X)
    assert W.min() >= 0 and m.reconstruction_err_ <= cd.reconstruction_err_ * 1.05


# --- errors and warnings -----------------------------------------------------------------------
def test_parameter_errors_are_scikit_learns(X):
    msg = "The 'max_iter' parameter of NMF must be an int in the range [1, inf). Got 0 instead."
    with pytest.raises(ValueError, match=re.escape(msg)):
        dnmf.NMF(max_iter=0).fit(X)
    with pytest.raises(ValueError, match="The 'solver' parameter of NMF must be a str among"):
        dnmf.NMF(solver="x").fit(X)
    with pytest.raises(ValueError, match="does not handle beta_loss = 'kullback-leibler'"):
        dnmf.NMF(beta_loss="kullback-leibler").fit(X)
    with pytest.raises(ValueError, match="solver 'anls-bpp' does not handle beta_loss = 1"):
        dnmf.NMF(solver="anls-bpp", beta_loss=1).fit(X)
    with pytest.raises(ValueError, match=re.escape("init = 'nndsvd' can only be used when")):
        dnmf.NMF(20, init="nndsvd").fit(X)


def test_data_errors_are_scikit_learns(X):
    with pytest.raises(ValueError, match="Negative values in data passed to NMF"):
        dnmf.NMF(2).fit(-X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        dnmf.NMF(2).fit(bad)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        dnmf.NMF(2).fit(X[0])
    with pytest.raises(ValueError, match=re.escape("Found array with 0 sample(s)")):
        dnmf.NMF(2).fit(X[:0])
    with pytest.raises(ValueError, match="When beta_loss <= 0 and X contains zeros"):
        dnmf.NMF(2, solver="mu", beta_loss=0).fit(np.where(X > 1, X, 0))
    with pytest.raises(NotFittedError):
        dnmf.NMF(2).transform(X)
    m = dnmf.NMF(2, max_iter=10).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but NMF is expecting 15 features"):
        m.transform(X[:, :3])
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        m.transform(-X)
    with pytest.raises(TypeError, match="should have the same dtype as X"):
        dnmf.NMF(2, init="custom").fit(X, W=np.ones((40, 2), np.float32), H=np.ones((2, 15)))
    with pytest.raises(ValueError, match=re.escape("Array passed to NMF (input H) is full of")):
        dnmf.NMF(2, init="custom").fit(X, W=np.ones((40, 2)), H=np.zeros((2, 15)))


def test_convergence_warning(X):
    with pytest.warns(ConvergenceWarning, match="Maximum number of iterations 3 reached"):
        dnmf.NMF(2, max_iter=3).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        dnmf.NMF(2, max_iter=3, tol=0).fit(X)  # never with tol = 0
    with pytest.warns(UserWarning, match="cannot update zeros present in the initialization"):
        dnmf.NMF(2, solver="mu", init="nndsvd", max_iter=5).fit(X)


# --- the 1.6 behaviour that scikit-learn 1.2.1's tests do not cover (spec §9, §12) --------------
def test_sklearn16_n_components_auto(X):
    assert dnmf.NMF().n_components == "auto"
    assert dnmf.NMF(max_iter=5).fit(X).n_components_ == X.shape[1]
    rng = np.random.RandomState(0)
    W0, H0 = rng.rand(X.shape[0], 2), rng.rand(2, X.shape[1])
    m = dnmf.NMF(init="custom", max_iter=5).fit(X, W=W0, H=H0)
    assert m.n_components_ == 2 and m.components_.shape == (2, X.shape[1])
    W, H, _ = dnmf.non_negative_factorization(X, W0, H0, init="custom", max_iter=5)
    assert W.shape == W0.shape and H.shape == H0.shape
    W, H, _ = dnmf.non_negative_factorization(X, H=H0, update_H=False, max_iter=5)
    assert np.array_equal(H, H0) and W.shape == (X.shape[0], 2)


def test_sklearn16_custom_init_shape_messages(X):
    H = np.ones((2, X.shape[1]))
    with pytest.raises(ValueError, match="Array with wrong first dimension passed to NMF "
                                         r"\(input W\). Expected 40, but got 5."):
        dnmf.NMF(2, init="custom").fit(X, W=np.ones((5, 2)), H=H)
    with pytest.raises(ValueError, match="Array with wrong second dimension passed to NMF "
                                         r"\(input W\). Expected 2, but got 3."):
        dnmf.NMF(2, init="custom").fit(X, W=np.ones((40, 3)), H=H)


def test_sklearn16_unused_w_h_warnings(X):
    W0, H0 = np.ones((X.shape[0], 2)), np.ones((2, X.shape[1]))
    with pytest.warns(RuntimeWarning, match="When init!='custom', provided W or H are ignored"):
        dnmf.NMF(2, init="random", max_iter=5).fit(X, W=W0, H=H0)
    with pytest.warns(RuntimeWarning, match="When update_H=False, the provided initial W is not"):
        dnmf.non_negative_factorization(X, W=W0, H=H0, update_H=False, max_iter=5)


def test_sklearn16_inverse_transform_xt(X):
    m = dnmf.NMF(3, max_iter=20).fit(X)
    W = m.transform(X)
    with pytest.raises(TypeError, match="Missing required positional argument"):
        m.inverse_transform()
    with pytest.raises(TypeError, match="Cannot use both X and Xt. Use X only"):
        m.inverse_transform(X=W, Xt=W)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xr = m.inverse_transform(W)
    assert rel(Xr, W @ m.components_) < 1e-12
    with pytest.warns(FutureWarning, match="Xt was renamed X in version 1.5"):
        assert np.array_equal(m.inverse_transform(Xt=W), Xr)


def test_sklearn16_eps_rule():
    """mu with beta < 1 on data with zeros follows 1.6's EPS rule (values below EPSILON, not only
    exact zeros), where 1.2.1 differs: compared with the 1.6 reference of scripts/sklearn16.py."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
    import sklearn16

    _, nnf16 = sklearn16.nmf_class()
    rng = np.random.RandomState(3)
    X = np.abs(rng.randn(30, 20))
    X[X < 0.6] = 0
    W0, H0 = rng.rand(30, 4) * 0.1, rng.rand(4, 20) * 0.1
    kw = dict(n_components=4, init="custom", solver="mu", beta_loss=0.5, tol=0, max_iter=30)
    W, H, _ = dnmf.non_negative_factorization(X, W0.copy(), H0.copy(), **kw)
    W16, _, _ = nnf16(X, W0.copy(), H0.copy(), **kw)
    W12, _, _ = sk_nnf(X, W0.copy(), H0.copy(), **kw)
    assert rel(W, W16) < 1e-9
    assert rel(W12, W16) > 1e-9 * 10  # the data tell the two rules apart


# --- runtime: no copy of X, the GIL and Ctrl-C -------------------------------------------------
IN_PLACE_CHILD = textwrap.dedent("""
    import resource, sys
    import numpy as np
    import dnmf
    X = np.random.RandomState(0).rand(20000, 500)  # 76 MiB in one allocation
    if sys.argv[1] == "readonly":
        X.setflags(write=False)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    dnmf.NMF(2, init="random", random_state=0, max_iter=2, solver="mu").fit(X)
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(grew * 1024 / X.nbytes)
""")


@pytest.mark.parametrize("flags", ["writeable", "readonly"])
def test_c_order_arrays_are_used_in_place(flags):
    # The peak memory grows by much less than X: its block is the array itself, not a copy.
    out = subprocess.run([sys.executable, "-c", IN_PLACE_CHILD, flags], capture_output=True,
                         text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), check=True)
    assert float(out.stdout.split()[-1]) < 0.25, out.stdout


def test_x_is_not_modified(X):
    for data in (X, np.asfortranarray(X), X[:, ::2], X.astype(np.float32)):
        before = data.copy()
        dnmf.NMF(3, solver="mu", init="random", random_state=0, max_iter=20).fit(data)
        assert np.array_equal(data, before)
    ref = dnmf.NMF(3, solver="mu", init="random", random_state=0, max_iter=20).fit(X[:, ::2])
    again = dnmf.NMF(3, solver="mu", init="random", random_state=0, max_iter=20)
    assert np.array_equal(again.fit(np.ascontiguousarray(X[:, ::2])).components_,
                          ref.components_)



def test_gil_is_released_during_fit():
    rng = np.random.RandomState(0)
    X = np.abs(rng.randn(3000, 400))
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.002)

    t = threading.Thread(target=tick)
    # 100 mu iterations on 3000 x 400, k = 40: tens of milliseconds at least on any machine.
    model = dnmf.NMF(40, solver="mu", init="random", random_state=0, tol=0, max_iter=100)
    t.start()
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    done.set()
    t.join()
    # The ticker wakes every 2 ms; had the fit kept the GIL, it could not have run at all while
    # the fit ran. Ask for a fifth of the ideal count (a loaded machine wakes threads late).
    ideal = seconds / 0.002
    assert ideal >= 15 and len(ticks) > 0.2 * ideal, (seconds, len(ticks))


SIGINT_CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import dnmf
    X = np.abs(np.random.RandomState(0).randn(2000, 300))
    print("fitting", flush=True)
    t = time.perf_counter()
    try:
        dnmf.NMF(30, init="random", random_state=0, tol=0, max_iter=100000).fit(X)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"KeyboardInterrupt after {time.perf_counter() - t:.2f} s", flush=True)
        sys.exit(3)
""")


def test_ctrl_c_stops_a_fit_with_keyboard_interrupt():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    p = subprocess.Popen([sys.executable, "-c", SIGINT_CHILD], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "fitting"
    time.sleep(1.5)  # inside the fit: 100000 iterations take minutes
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    stopped = time.perf_counter() - sent
    assert p.returncode == 3, (out, err)
    assert "KeyboardInterrupt after" in out
    assert stopped < 10, stopped


def with_nan(X, fraction=0.2, seed=1):
    rng = np.random.RandomState(seed)
    Xn = X.copy()
    hide = rng.rand(*X.shape) < fraction
    hide[np.arange(X.shape[0]), rng.randint(0, X.shape[1], X.shape[0])] = False
    hide[rng.randint(0, X.shape[0], X.shape[1]), np.arange(X.shape[1])] = False
    Xn[hide] = np.nan
    return Xn, ~hide


@pytest.mark.parametrize("solver", ["mu", "anls-bpp"])
def test_missing_nan_fits_the_observed_entries(X, solver):
    # missing="nan" fits only the observed entries (test_mpi.py: bit for bit the CLI's
    # --missing nan at 1-4 ranks): the caller's array untouched, reconstruction_err_ over the
    # observed entries, and there a smaller error than a fit that takes the gaps for zeros.
    Xn, seen = with_nan(X)
    before = Xn.copy()
    model = dnmf.NMF(4, solver=solver, init="random", random_state=0, tol=0, max_iter=40,
                     missing="nan")
    W = model.fit_transform(Xn)
    assert np.array_equal(np.isnan(Xn), np.isnan(before))
    assert np.array_equal(Xn[seen], before[seen])
    err = np.sqrt(np.sum((X - W @ model.components_)[seen] ** 2))
    assert abs(err - model.reconstruction_err_) <= 1e-9 * err
    zeros = dnmf.NMF(4, solver=solver, init="random", random_state=0, tol=0, max_iter=40)
    Wz = zeros.fit_transform(np.where(seen, X, 0.0))
    assert err < np.sqrt(np.sum((X - Wz @ zeros.components_)[seen] ** 2))
    # transform with H fixed takes NaN the same way
    Wt = model.transform(Xn)
    assert Wt.shape == W.shape and np.all(np.isfinite(Wt))


def test_missing_unstored_on_sparse_x(X):
    keep = X > np.median(X)
    keep[np.arange(X.shape[0]), np.argmax(X, axis=1)] = True  # every row and column observed
    keep[np.argmax(X, axis=0), np.arange(X.shape[1])] = True
    S = sp.csr_matrix(np.where(keep, X, 0.0))
    model = dnmf.NMF(3, solver="mu", init="random", random_state=0, tol=0, max_iter=30,
                     missing="unstored")
    W = model.fit_transform(S)
    rows, cols = S.nonzero()
    Y = W @ model.components_
    err = np.sqrt(np.sum((S.toarray()[rows, cols] - Y[rows, cols]) ** 2))
    assert abs(err - model.reconstruction_err_) <= 1e-9 * err


def test_missing_errors(X):
    Xn, _ = with_nan(X)
    with pytest.raises(ValueError, match="NaN"):  # scikit-learn's check, as without dnmf
        dnmf.NMF(3, solver="mu").fit(Xn)
    with pytest.raises(ValueError, match="mu"):
        dnmf.NMF(3, solver="cd", init="random", missing="nan").fit(Xn)
    with pytest.raises(ValueError, match="missing"):
        dnmf.NMF(3, solver="mu", missing="zero").fit(X)
    with pytest.raises(ValueError, match="sparse"):
        dnmf.NMF(3, solver="mu", init="random", missing="unstored").fit(X)
    Xr = X.copy()
    Xr[5, :] = np.nan
    with pytest.raises(ValueError, match="row 5"):
        dnmf.NMF(3, solver="mu", init="random", missing="nan").fit(Xr)

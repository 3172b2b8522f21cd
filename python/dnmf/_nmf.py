"""dnmf.NMF and dnmf.non_negative_factorization: scikit-learn's API (1.6) over dnmf's C++ estimator.

This module only checks parameters and inputs (with scikit-learn's own validation helpers and
messages) and hands buffers to dnmf._core; every number comes from the C++ code.
"""
import os
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from mpi4py import MPI  # initialises MPI (one process when not started by mpirun)

from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_non_negative

from . import _core

__all__ = ["NMF", "non_negative_factorization"]

# check_array's keyword for non-finite values: force_all_finite up to scikit-learn 1.5,
# ensure_all_finite from 1.6 (the old one warns there).
_FINITE_KEYWORD = ("ensure_all_finite"
                   if "ensure_all_finite" in check_array.__code__.co_varnames else "force_all_finite")


def _is_path(X):
    return isinstance(X, (str, os.PathLike))


def _is_anndata(X):
    return type(X).__name__ == "AnnData" and hasattr(X, "var_names") and hasattr(X, "X")


def _check_init(A, shape, whom, rank_share=False):
    """scikit-learn 1.6's check of a user-supplied W or H ('auto' skips a dimension). A rank's
    share of a distributed W (`rank_share`) may be empty; its values are checked in C++ over all
    ranks (the same messages), since zeros on one rank are no error."""
    A = check_array(A, ensure_min_samples=0 if rank_share else 1)
    for axis, name in ((0, "first"), (1, "second")):
        if shape[axis] != "auto" and A.shape[axis] != shape[axis]:
            raise ValueError(
                f"Array with wrong {name} dimension passed to {whom}. Expected {shape[axis]}, "
                f"but got {A.shape[axis]}."
            )
    if rank_share:
        return A
    check_non_negative(A, whom)
    if np.max(A) == 0:
        raise ValueError(f"Array passed to {whom} is full of zeros.")
    return A


def _grid_tuple(grid):
    if grid is None:
        return None
    if isinstance(grid, str):
        parts = grid.lower().split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"grid must be 'PRxPC' or a pair (PR, PC); got {grid!r}")
        return int(parts[0]), int(parts[1])
    pr, pc = grid
    return int(pr), int(pc)


def _seed(random_state):
    """The 32-bit seed dnmf draws its random init and cd order from (numpy's RandomState(seed),
    reproduced bit for bit). A RandomState or Generator gives one seed drawn from it."""
    if random_state is None:
        return None
    if isinstance(random_state, (Integral, np.integer)):
        seed = int(random_state)
        if not 0 <= seed < 2**32:
            raise ValueError("Seed must be between 0 and 2**32 - 1")
        return seed
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    raise ValueError(f"{random_state!r} cannot be used to seed a numpy.random.RandomState instance")


class _Collective:
    """Runs a check on every rank of `comm` and agrees on the outcome, so that an error one rank
    finds (e.g. in its own rows) is raised on every rank instead of leaving the others waiting in
    the next collective."""

    def __init__(self, comm):
        self.comm = comm

    def run(self, fn, *args, **kwargs):
        if self.comm.Get_size() == 1:
            return fn(*args, **kwargs)
        err = None
        result = None
        try:
            result = fn(*args, **kwargs)
        except Exception as e:  # re-raised below, on every rank
            err = e
        seen = self.comm.allgather(None if err is None else (type(err), str(err)))
        if err is not None:
            raise err
        for rank, failure in enumerate(seen):
            if failure is not None:
                cls = failure[0] if issubclass(failure[0], (ValueError, TypeError)) else ValueError
                raise cls(f"{failure[1]} (on rank {rank})")
        return result


class NMF(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorization X ~ W H, scikit-learn's NMF computed by dnmf.

    The parameters, attributes, methods, warnings and errors are those of
    ``sklearn.decomposition.NMF`` (1.6); see its documentation. dnmf adds:

    solver : 'cd', 'mu' or 'anls-bpp' (alternating NNLS by block principal pivoting, Frobenius).
    comm : mpi4py communicator, default None (this process alone). Every rank of ``comm`` must
        make the same calls.
    grid : (PR, PC) or 'PRxPC', default None (the grid ``dnmf fit`` would choose).
    distributed : bool, default False. With ``comm``, each rank passes only its own rows of X
        (and of a custom W), and fit_transform/transform return that rank's rows of W. Without it,
        every rank passes the whole X and gets the whole W. A path ``"file.h5:/X"`` is always read
        by the ranks in parallel, each reading its own block, and W comes back by rows
        (``dnmf_rows_`` says which). ``components_`` is the whole H on every rank.
    missing : None, 'nan' or 'unstored', default None. 'nan': the NaN entries of X (dense, or
        stored values of sparse X) are missing, and W and H are fitted to the observed entries
        only (``dnmf fit --missing nan``; mu and anls-bpp; README "Missing values"); an explicit
        mask M is ``X[M == 0] = np.nan``. 'unstored': sparse X, only its stored entries are
        observed. ``transform`` takes X with the same meaning. None: NaN is an error.
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None, StrOptions({"auto"})],
        "init": [StrOptions({"random", "nndsvd", "nndsvda", "nndsvdar", "custom"}), None],
        "beta_loss": [StrOptions({"frobenius", "kullback-leibler", "itakura-saito"}), Real],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "alpha_W": [Interval(Real, 0, None, closed="left")],
        "alpha_H": [Interval(Real, 0, None, closed="left"), StrOptions({"same"})],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "verbose": ["verbose"],
        "solver": [StrOptions({"mu", "cd", "anls-bpp"})],
        "shuffle": ["boolean"],
        "comm": [None, HasMethods(["Get_size", "Get_rank"])],
        "grid": [None, tuple, list, str],
        "distributed": ["boolean"],
        "missing": [None, StrOptions({"nan", "unstored"})],
    }

    def __init__(
        self,
        n_components="auto",
        *,
        init=None,
        solver="cd",
        beta_loss="frobenius",
        tol=1e-4,
        max_iter=200,
        random_state=None,
        alpha_W=0.0,
        alpha_H="same",
        l1_ratio=0.0,
        verbose=0,
        shuffle=False,
        comm=None,
        grid=None,
        distributed=False,
        missing=None,
    ):
        self.n_components = n_components
        self.init = init
        self.solver = solver
        self.beta_loss = beta_loss
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.verbose = verbose
        self.shuffle = shuffle
        self.comm = comm
        self.grid = grid
        self.distributed = distributed
        self.missing = missing

    # --- scikit-learn's tags (1.2-1.5 and 1.6+) ---------------------------------------------
    def _more_tags(self):
        return {"requires_positive_X": True, "preserves_dtype": [np.float64, np.float32]}

    if hasattr(BaseEstimator, "__sklearn_tags__"):

        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.positive_only = True
            tags.input_tags.sparse = True
            tags.transformer_tags.preserves_dtype = ["float64", "float32"]
            return tags

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    # --- the parts fit, transform and non_negative_factorization share -----------------------
    def _comm(self):
        return MPI.COMM_SELF if self.comm is None else self.comm

    def _check_solver(self):
        """scikit-learn's _check_params: the solver/beta pairing and the mu + nndsvd warning."""
        if self.solver != "mu" and self.beta_loss not in (2, "frobenius"):
            raise ValueError(
                f"Invalid beta_loss parameter: solver {self.solver!r} does not handle "
                f"beta_loss = {self.beta_loss!r}"
            )
        if self.solver == "mu" and self.init == "nndsvd":
            warnings.warn(
                "The multiplicative update ('mu') solver cannot update zeros present in the "
                "initialization, and so leads to poorer results when used jointly with "
                "init='nndsvd'. You may try init='nndsvda' or init='nndsvdar' instead.",
                UserWarning,
            )

    def _core_params(self, n_components):
        beta = self.beta_loss if isinstance(self.beta_loss, str) else repr(float(self.beta_loss))
        return {
            "n_components": None if n_components in (None, "auto") else int(n_components),
            "n_components_none": n_components is None,
            "init": "None" if self.init is None else self.init,
            "solver": self.solver,
            "beta_loss": beta,
            "tol": float(self.tol),
            "max_iter": int(self.max_iter),
            "random_state": _seed(self.random_state),
            "alpha_W": float(self.alpha_W),
            "alpha_H": None if self.alpha_H == "same" else float(self.alpha_H),
            "l1_ratio": float(self.l1_ratio),
            "verbose": int(self.verbose),
            "shuffle": bool(self.shuffle),
            "missing": self.missing or "",
        }

    def _to_input(self, X, reset):
        """X as dnmf._core takes it: ('path', spec), ('dense', array) or ('csr', ...); with its
        dtype (None for a path) and number of features (None for a path)."""
        if _is_path(X):
            return ("path", os.fspath(X)), None, None
        names = None
        if _is_anndata(X):
            names = np.asarray(X.var_names, dtype=object)
            X = X.X
        X = self._validate_data(
            X,
            accept_sparse=("csr", "csc"),
            dtype=[np.float64, np.float32],
            reset=reset,
            # a rank of a distributed X may hold no rows of it
            ensure_min_samples=0 if self.distributed else 1,
            # missing="nan": NaN marks a missing entry (dnmf checks the rest of X itself)
            **({_FINITE_KEYWORD: "allow-nan"} if self.missing == "nan" else {}),
        )
        if X.shape[0] > 0:  # a rank's empty share of a distributed X has no minimum
            check_non_negative(X, "NMF (input X)")
        if names is not None:
            self._check_anndata_names(names, reset)
        if sp.issparse(X):
            X = X.tocsr()  # CSC gives CSR's numbers (exact conversion)
            if not X.has_canonical_format:
                X = X.copy()
                X.sum_duplicates()
            return ("csr", X.data, X.indices, X.indptr, X.shape[0], X.shape[1]), X.dtype, X.shape[1]
        X = np.ascontiguousarray(X)
        return ("dense", X), X.dtype, X.shape[1]

    def _check_anndata_names(self, names, reset):
        if reset:
            if all(isinstance(n, str) for n in names):
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif hasattr(self, "feature_names_in_") and not np.array_equal(
            names, self.feature_names_in_
        ):
            raise ValueError("The feature names should match those that were passed during fit.")

    def _fit_transform(self, X, W=None, H=None, update_H=True):
        """W, H, n_iter as scikit-learn's _fit_transform returns them (X as given by the user),
        and the whole result of dnmf._core."""
        comm = self._comm()
        agree = _Collective(comm)
        xin, dtype, n_features = agree.run(self._to_input, X, True)
        agree.run(self._check_solver)
        n_components = self.n_components
        if n_components is None and n_features is not None:
            n_components = n_features
        grid = _grid_tuple(self.grid)
        if not update_H:
            if W is not None:
                warnings.warn(
                    "When update_H=False, the provided initial W is not used.", RuntimeWarning
                )
            H = agree.run(self._checked_h, H, n_components, n_features, dtype)
            out = _core.transform(
                comm, grid, self._core_params(H.shape[0]), xin, self._rows(xin), H
            )
            self._finish(out)
            return out["W"], H, out["n_iter"], out
        if self.init == "custom":
            W, H = agree.run(self._checked_wh, W, H, n_components, n_features, dtype, xin)
        else:
            if W is not None or H is not None:
                warnings.warn(
                    "When init!='custom', provided W or H are ignored. Set  init='custom' to use "
                    "them as initialization.",
                    RuntimeWarning,
                )
            W = H = None
        out = _core.fit(comm, grid, self._core_params(n_components), xin, self._rows(xin), W, H)
        self._finish(out)
        return out["W"], out["H"], out["n_iter"], out

    def _rows(self, xin):
        return bool(self.distributed) and xin[0] != "path"

    def _checked_h(self, H, n_components, n_features, dtype):
        if H is None:
            raise ValueError("Expected 2D array, got scalar array instead:\narray=None.")
        k = "auto" if n_components in (None, "auto") else n_components
        H = _check_init(H, (k, "auto" if n_features is None else n_features), "NMF (input H)")
        if dtype is not None and H.dtype != dtype:
            raise TypeError(f"H should have the same dtype as X. Got H.dtype = {H.dtype}.")
        return np.ascontiguousarray(H)

    def _checked_wh(self, W, H, n_components, n_features, dtype, xin):
        k = "auto" if n_components in (None, "auto") else n_components
        if W is None or H is None:
            raise ValueError("Expected 2D array, got scalar array instead:\narray=None.")
        H = _check_init(H, (k, "auto" if n_features is None else n_features), "NMF (input H)")
        n_samples = None if xin[0] == "path" or self.distributed else _n_samples(xin)
        W = _check_init(W, ("auto" if n_samples is None else n_samples, H.shape[0]),
                        "NMF (input W)", rank_share=self._rows(xin))
        if dtype is not None and (H.dtype != dtype or W.dtype != dtype):
            raise TypeError(
                f"H and W should have the same dtype as X. Got H.dtype = {H.dtype} and "
                f"W.dtype = {W.dtype}."
            )
        return np.ascontiguousarray(W), np.ascontiguousarray(H)

    def _finish(self, out):
        """The warnings scikit-learn gives after a solver run, and dnmf's facts of the run."""
        if out["n_iter"] == self.max_iter and self.tol > 0:
            warnings.warn(
                f"Maximum number of iterations {self.max_iter} reached. Increase it to improve "
                "convergence.",
                ConvergenceWarning,
            )
        start = int(out["row_start"])
        rows = (start, start + out["W"].shape[0])
        if getattr(self, "dnmf_rows_", None) != rows:  # transform changes no other attribute
            self.dnmf_rows_ = rows

    # --- scikit-learn's methods ------------------------------------------------------------
    def fit_transform(self, X, y=None, W=None, H=None):
        """Learn the model from X and return W (see sklearn.decomposition.NMF.fit_transform).

        X: array-like, sparse CSR/CSC, pandas DataFrame, AnnData, or "file.h5:/path"."""
        self._validate_params()
        path = _is_path(X)
        W, H, n_iter, out = self._fit_transform(X, W=W, H=H, update_H=True)
        self.reconstruction_err_ = out["reconstruction_err"]
        self.n_components_ = H.shape[0]
        self.components_ = H
        self.n_iter_ = n_iter
        self.dnmf_grid_ = tuple(out["grid"])
        self.dnmf_seconds_ = out["seconds"]  # the solver's wall time, as `dnmf fit` reports it
        self.dnmf_init_ = out["init_used"]
        self.dnmf_seed_ = out["seed"]
        if path:
            self.n_features_in_ = H.shape[1]
            if out["feature_names"]:
                self.feature_names_in_ = np.asarray(out["feature_names"], dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        return W

    def fit(self, X, y=None, **params):
        """Learn the model from X; returns self."""
        self.fit_transform(X, **params)
        return self

    def transform(self, X):
        """W for X with the components fixed (see sklearn.decomposition.NMF.transform)."""
        check_is_fitted(self)
        comm = self._comm()
        agree = _Collective(comm)
        xin, dtype, _ = agree.run(self._to_input, X, False)
        H = self.components_
        if dtype is not None and H.dtype != dtype:
            raise TypeError(f"H should have the same dtype as X. Got H.dtype = {H.dtype}.")
        agree.run(self._check_solver)
        out = _core.transform(
            comm, _grid_tuple(self.grid), self._core_params(H.shape[0]), xin, self._rows(xin), H
        )
        self._finish(out)
        return out["W"]

    def inverse_transform(self, X=None, *, Xt=None):
        """X @ components_ for this rank's rows of W (see sklearn.decomposition.NMF)."""
        if X is not None and Xt is not None:
            raise TypeError("Cannot use both X and Xt. Use X only.")
        if X is None and Xt is None:
            raise TypeError("Missing required positional argument: X.")
        if Xt is not None:
            warnings.warn(
                "Xt was renamed X in version 1.5 and will be removed in 1.7.", FutureWarning
            )
            X = Xt
        check_is_fitted(self)
        W = X.toarray() if sp.issparse(X) else np.asarray(X)
        H = self.components_
        dt = np.result_type(W.dtype, H.dtype)
        if dt not in (np.float32, np.float64):
            dt = np.float64
        return _core.matmul(np.ascontiguousarray(W, dtype=dt), np.ascontiguousarray(H, dtype=dt))


def _n_samples(xin):
    return xin[1].shape[0] if xin[0] == "dense" else xin[4]


def non_negative_factorization(
    X,
    W=None,
    H=None,
    n_components="auto",
    *,
    init=None,
    update_H=True,
    solver="cd",
    beta_loss="frobenius",
    tol=1e-4,
    max_iter=200,
    alpha_W=0.0,
    alpha_H="same",
    l1_ratio=0.0,
    random_state=None,
    verbose=0,
    shuffle=False,
    comm=None,
    grid=None,
    distributed=False,
    missing=None,
):
    """(W, H, n_iter) as sklearn.decomposition.non_negative_factorization returns them."""
    est = NMF(
        n_components=n_components,
        init=init,
        solver=solver,
        beta_loss=beta_loss,
        tol=tol,
        max_iter=max_iter,
        random_state=random_state,
        alpha_W=alpha_W,
        alpha_H=alpha_H,
        l1_ratio=l1_ratio,
        verbose=verbose,
        shuffle=shuffle,
        comm=comm,
        grid=grid,
        distributed=distributed,
        missing=missing,
    )
    est._validate_params()
    W, H, n_iter, _ = est._fit_transform(X, W=W, H=H, update_H=update_H)
    return W, H, n_iter

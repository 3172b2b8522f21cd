#!/usr/bin/python3
"""Fit scikit-learn's NMF (1.6 numerics, see sklearn16.py) and write a dnmf-style MODEL.h5.

The options mirror `dnmf fit` (interface.md) so that a dnmf run and this reference
can be started with the same arguments and compared with compare_models.py.

INPUT is `file.h5` (object /X) or `file.h5:/path`; the object is a 2-D dataset or
an AnnData-style sparse group (data, indices, indptr, attributes encoding-type and
shape). --init-W/--init-H take the same `file.h5:/path` form.

Output (C order; float32 if the data are float32, float64 otherwise):
  /W   n_samples x k, what fit_transform returned
  /H   k x n_features, components_
  root attributes: reconstruction_err_, n_iter_, n_components_, n_features_in_,
  fit_seconds (wall time of fit_transform), seconds_per_iter (= fit_seconds /
  n_iter_, so it includes init and the final error computation), every parameter
  under its sklearn name (parameters left at None are omitted), and `reference`
  naming the scikit-learn build used.

Notes: Debian's scikit-learn is 1.2.1, which has no n_components='auto'; this
script resolves 'auto' itself (k = rows of the custom H, otherwise n_features).
Custom W/H are cast to the data dtype. Errors raised by scikit-learn are printed
as one line and give exit code 1.
"""
import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sklearn16  # noqa: E402


def split_spec(spec, default_object="/X"):
    """'file.h5:/path' -> ('file.h5', '/path'); 'file.h5' -> ('file.h5', default)."""
    head, sep, tail = spec.rpartition(":")
    if sep and tail.startswith("/") and head:
        return head, tail
    return spec, default_object


def read_matrix(spec, default_object="/X"):
    """Read a dense dataset or a CSR/CSC group named by spec."""
    path, obj = split_spec(spec, default_object)
    with h5py.File(path, "r") as f:
        node = f[obj]
        if isinstance(node, h5py.Dataset):
            data = node[()]
            if data.ndim != 2:
                raise ValueError(f"{path}:{obj} is {data.ndim}-D, expected 2-D")
            return np.ascontiguousarray(data)
        if "encoding-type" in node.attrs:
            kind = node.attrs["encoding-type"]
            shape = tuple(int(s) for s in node.attrs["shape"])
        else:  # the older h5sparse convention
            kind = node.attrs["h5sparse_format"]
            kind = (kind.decode() if isinstance(kind, bytes) else str(kind)) + "_matrix"
            shape = tuple(int(s) for s in node.attrs["h5sparse_shape"])
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        parts = (node["data"][()], node["indices"][()], node["indptr"][()])
        if kind == "csr_matrix":
            return sp.csr_matrix(parts, shape=shape)
        if kind == "csc_matrix":
            return sp.csc_matrix(parts, shape=shape)
        raise ValueError(f"{path}:{obj}: unknown encoding-type {kind!r}")


def parse_beta(text):
    if text in ("frobenius", "kullback-leibler", "itakura-saito"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected frobenius, kullback-leibler, itakura-saito or a number")


def parse_alpha_h(text):
    return text if text == "same" else float(text)


def parse_k(text):
    return text if text == "auto" else int(text)


def add_fit_options(parser):
    """Options shared with `dnmf fit` (sklearn names with '-' for '_')."""
    parser.add_argument("--n-components", type=parse_k, default="auto")
    parser.add_argument("--init", choices=["random", "nndsvd", "nndsvda", "nndsvdar", "custom"],
                        default=None, help="default: sklearn's rule")
    parser.add_argument("--init-W", metavar="FILE.h5:/PATH")
    parser.add_argument("--init-H", metavar="FILE.h5:/PATH")
    parser.add_argument("--solver", choices=["cd", "mu"], default="cd")
    parser.add_argument("--beta-loss", type=parse_beta, default="frobenius")
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--random-state", type=int, default=None)
    parser.add_argument("--alpha-W", type=float, default=0.0)
    parser.add_argument("--alpha-H", type=parse_alpha_h, default="same")
    parser.add_argument("--l1-ratio", type=float, default=0.0)
    parser.add_argument("--shuffle", action="store_true")
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument("--dtype", choices=["float64", "float32"],
                        help="working dtype (default: that of the input)")


def load_inputs(args):
    """Return X, W0, H0 (W0/H0 None unless init is custom), all in the working dtype."""
    X = read_matrix(args.input)
    dtype = np.dtype(args.dtype) if args.dtype else X.dtype
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)  # sklearn converts other dtypes to float64
    X = X.astype(dtype, copy=False)
    W0 = H0 = None
    if args.init == "custom":
        if not (args.init_W and args.init_H):
            raise SystemExit("error: --init custom needs --init-W and --init-H")
        W0 = read_matrix(args.init_W).astype(dtype, copy=True)
        H0 = read_matrix(args.init_H).astype(dtype, copy=True)
    return X, W0, H0


def write_model(path, W, H, attrs):
    """Write /W, /H and root attributes to a temporary file, then rename it over path."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".h5.tmp", dir=folder)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("W", data=np.ascontiguousarray(W))
            f.create_dataset("H", data=np.ascontiguousarray(H))
            for key, value in attrs.items():
                if value is not None:
                    f.attrs[key] = value
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numerics", choices=["1.6", "1.2.1"], default="1.6",
                        help="1.6: Debian's scikit-learn patched to 1.6's EPS clipping "
                             "(default); 1.2.1: the unpatched package, to show where they differ")
    parser.add_argument("input", metavar="INPUT.h5[:/X]")
    parser.add_argument("--output", required=True, metavar="REF.h5")
    add_fit_options(parser)
    args = parser.parse_args(argv)

    if args.numerics == "1.6":
        NMF, _ = sklearn16.nmf_class()
    else:
        from sklearn.decomposition import NMF
    X, W0, H0 = load_inputs(args)
    k = args.n_components
    if k == "auto":  # 1.6 semantics, absent from 1.2.1
        k = H0.shape[0] if H0 is not None else None
    params = dict(n_components=k, init=args.init, solver=args.solver,
                  beta_loss=args.beta_loss, tol=args.tol, max_iter=args.max_iter,
                  random_state=args.random_state, alpha_W=args.alpha_W,
                  alpha_H=args.alpha_H, l1_ratio=args.l1_ratio, verbose=args.verbose,
                  shuffle=args.shuffle)
    model = NMF(**params)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            start = time.perf_counter()
            W = model.fit_transform(X, W=W0, H=H0)
            fit_seconds = time.perf_counter() - start
    except (ValueError, TypeError) as exc:
        print(f"sklearn_reference: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1

    H = model.components_
    report = sklearn16.patch_report()
    attrs = dict(params)
    attrs["n_components"] = args.n_components if k is None else k
    attrs.update(
        reconstruction_err_=float(model.reconstruction_err_),
        n_iter_=np.int64(model.n_iter_),
        n_components_=np.int64(model.n_components_),
        n_features_in_=np.int64(model.n_features_in_),
        fit_seconds=fit_seconds,
        seconds_per_iter=fit_seconds / model.n_iter_,
        reference=(f"scikit-learn {report['sklearn_version']} with 1.6 EPS clipping "
                   f"({report['patched_sites']} sites patched by sklearn16.py)"
                   if args.numerics == "1.6" else
                   f"scikit-learn {report['sklearn_version']}, unpatched"),
    )
    write_model(args.output, W, H, attrs)
    print(f"wrote {args.output}: W {W.shape} {W.dtype}, H {H.shape}, "
          f"reconstruction_err_={model.reconstruction_err_!r}, n_iter_={model.n_iter_}, "
          f"fit {fit_seconds:.3f} s ({fit_seconds / model.n_iter_:.3g} s/iter)")
    return 0


def run(argv):
    """main(argv) in this process, for test scripts that fit many references (one interpreter
    start and one scikit-learn import instead of one per fit): (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Load Debian's scikit-learn NMF module patched to behave like scikit-learn 1.6.

Debian 12 ships scikit-learn 1.2.1. The only numerical difference between its NMF
and the 1.6 one (spec/sklearn-nmf.md, sections 5.4, 12 and 14) is how small
values of the reconstruction WH are guarded before they are divided by or raised
to a negative power: 1.2.1 replaces only exact zeros by EPSILON, 1.6 replaces
every value below EPSILON. This module reads the installed `_nmf.py` source,
rewrites those guards (and only those: the two guards on zero denominators are
kept), checks that the expected number of places changed, and executes the
result as a new module inside the `sklearn.decomposition` package so that its
relative imports resolve against the installed scikit-learn.

Other 1.6 changes (n_components='auto', new warnings, reworded messages) are not
patched; callers that need 'auto' resolve it themselves.

Use from another script:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sklearn16
    NMF, non_negative_factorization = sklearn16.nmf_class()

Run directly, it prints the patched sites and a short experiment showing that the
patch matters for beta=0.5 on data with zeros and not at all for beta=2.
"""
import argparse
import importlib.util
import linecache
import re
import sys

PATCHED_NAME = "sklearn.decomposition._nmf_sklearn16"

# Arrays that hold values of W @ H (dense, sampled at X's stored entries, or one
# row/column of it). Guards "A[A == 0] = EPSILON" on these become "< EPSILON".
# Expected number of sites per array name in scikit-learn 1.2.1's _nmf.py.
EXPECTED_WH_SITES = {"WH_data": 1, "WH": 2, "WH_safe_X_data": 2, "WHi": 2}
# Zero-denominator guards that must be left alone.
EXPECTED_DENOMINATOR_SITES = 2

_GUARD = re.compile(r"\b(\w+)\[\1 == 0\] = EPSILON\b")

_module = None
_report = None


def patch_source(text):
    """Return (patched_text, report) or raise RuntimeError if the source is unexpected."""
    counts = {}
    left_alone = []

    def rewrite(match):
        name = match.group(1)
        if name in EXPECTED_WH_SITES:
            counts[name] = counts.get(name, 0) + 1
            return f"{name}[{name} < EPSILON] = EPSILON"
        left_alone.append(name)
        return match.group(0)

    patched = _GUARD.sub(rewrite, text)
    if counts != EXPECTED_WH_SITES:
        raise RuntimeError(
            f"sklearn16: unexpected WH guard sites in _nmf.py: found {counts}, "
            f"expected {EXPECTED_WH_SITES}; refusing to build a 1.6 reference")
    if left_alone != ["denominator"] * EXPECTED_DENOMINATOR_SITES:
        raise RuntimeError(
            f"sklearn16: unexpected '== 0] = EPSILON' guards left unpatched: {left_alone}; "
            f"expected {EXPECTED_DENOMINATOR_SITES} on 'denominator'")
    if "EPSILON = np.finfo(np.float32).eps" not in patched:
        raise RuntimeError("sklearn16: EPSILON definition not found in _nmf.py")
    report = {"patched_sites": sum(counts.values()), "per_array": dict(counts),
              "denominator_guards_kept": len(left_alone)}
    return patched, report


def load_nmf_module():
    """Return the patched `_nmf` module (built once per process)."""
    global _module, _report
    if _module is not None:
        return _module
    import sklearn
    import sklearn.decomposition._nmf as original
    with open(original.__file__, encoding="utf-8") as fh:
        text = fh.read()
    patched, report = patch_source(text)
    spec = importlib.util.spec_from_loader(PATCHED_NAME, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "sklearn.decomposition"
    module.__file__ = original.__file__ + " (patched to 1.6 EPS clipping)"
    sys.modules[PATCHED_NAME] = module
    # let tracebacks and warnings show the patched source lines
    linecache.cache[module.__file__] = (len(patched), None, patched.splitlines(True),
                                        module.__file__)
    exec(compile(patched, module.__file__, "exec"), module.__dict__)
    report["source"] = original.__file__
    report["sklearn_version"] = sklearn.__version__
    _module, _report = module, report
    return module


def patch_report():
    """Return a dict describing what load_nmf_module() changed."""
    load_nmf_module()
    return dict(_report)


def nmf_class():
    """Return (NMF, non_negative_factorization) from the patched module."""
    module = load_nmf_module()
    return module.NMF, module.non_negative_factorization


def _experiment(beta, init, n_components, max_iter):
    """Fit original and patched NMF on the digits data; return relative differences.

    Returns (max|dW|/max|W|, ||dW||_F/||W||_F, max|dH|/max|H|, d(err)/err)."""
    import numpy as np
    from sklearn.datasets import load_digits
    import sklearn.decomposition._nmf as original

    X = load_digits().data  # 1797 x 64, many exact zeros
    results = []
    for mod in (original, load_nmf_module()):
        model = mod.NMF(n_components=n_components, solver="mu", beta_loss=beta,
                        init=init, random_state=0, tol=0, max_iter=max_iter)
        W = model.fit_transform(X)
        results.append((W, model.components_, model.reconstruction_err_))
    (W0, H0, e0), (W1, H1, e1) = results
    return (np.abs(W1 - W0).max() / np.abs(W0).max(),
            np.linalg.norm(W1 - W0) / np.linalg.norm(W0),
            np.abs(H1 - H0).max() / np.abs(H0).max(),
            abs(e1 - e0) / abs(e0))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-iter", type=int, default=30,
                        help="MU iterations in the check experiment (default 30)")
    parser.add_argument("--n-components", type=int, default=10,
                        help="components in the check experiment (default 10)")
    parser.add_argument("--init", default="random",
                        help="init of the check experiment, random_state=0 (default random)")
    args = parser.parse_args()
    report = patch_report()
    print(f"patched {report['source']} (scikit-learn {report['sklearn_version']}): "
          f"{report['patched_sites']} WH guard sites {report['per_array']}, "
          f"{report['denominator_guards_kept']} denominator guards kept")
    print(f"digits data, mu, init={args.init}, k={args.n_components}, "
          f"{args.max_iter} iterations, tol=0; relative change patched vs 1.2.1:")
    for beta in (0.5, 2.0):
        dW, fW, dH, derr = _experiment(beta, args.init, args.n_components, args.max_iter)
        print(f"  beta={beta}: max|dW|/max|W| = {dW:.3e}  ||dW||/||W|| = {fW:.3e}  "
              f"max|dH|/max|H| = {dH:.3e}  d(err)/err = {derr:.3e}")


if __name__ == "__main__":
    main()

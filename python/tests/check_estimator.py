#!/usr/bin/python3
"""scikit-learn's estimator checks on dnmf.NMF.

1. check_estimator(dnmf.NMF(max_iter=500), and its mu and anls-bpp variants) passes every check:
   max_iter=500 is what scikit-learn's own test_common.py sets for its NMF
   (_set_checking_parameters), since 200 iterations do not converge on the checks' data.
2. With the defaults, scikit-learn's NMF itself fails the same few checks (fit_transform and
   transform differ by more than 0.01 after 200 iterations); dnmf.NMF() must fail exactly the
   checks scikit-learn's NMF fails, no other.
"""
import sys
import warnings

from sklearn.decomposition import NMF as SkNMF
from sklearn.utils.estimator_checks import check_estimator

import dnmf


def failing_checks(estimator):
    failed = []
    for est, check in check_estimator(estimator, generate_only=True):
        name = getattr(check, "func", check).__name__
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(est)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed.append(f"{name}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    return failed


def main():
    bad = 0
    for params in ({}, {"solver": "anls-bpp"}):
        est = dnmf.NMF(max_iter=500, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_estimator(est)  # raises on the first failing check
        print(f"check_estimator({est!r}): every check passed")
    for params in ({}, {"solver": "mu"}, {"solver": "mu", "max_iter": 500}):
        ours = failing_checks(dnmf.NMF(**params))
        theirs = failing_checks(SkNMF(**params))
        names = lambda fs: sorted(f.split(":")[0] for f in fs)  # noqa: E731
        same = names(ours) == names(theirs)
        print(f"check_estimator(NMF({params})): dnmf fails {len(ours)}, scikit-learn {len(theirs)}"
              f" checks: {'the same' if same else 'DIFFERENT'} {names(ours)}")
        if not same:
            bad += 1
            for f in ours:
                print("  dnmf: " + f)
            for f in theirs:
                print("  scikit-learn: " + f)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

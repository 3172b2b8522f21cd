#!/usr/bin/python3
"""Compare two MODEL.h5 files (e.g. a dnmf result and sklearn_reference.py's).

Measures, with A the first file and B the second (the reference):
  datasets  norm-wise relative error  max|a - b| / max(max|b|, tiny), where tiny
            is the smallest positive normal number of B's dtype. Shapes and dtypes
            must be equal. NaNs must sit at the same positions in both arrays;
            they are then left out of the measure.
  float attributes  |a - b| / |b| (|a - b| when b == 0; 0 when both are NaN).
  integer attributes must be equal.
  string/boolean attributes must be equal.

Every item gets one line: PASS or FAIL, the measure and the tolerance. The exit
code is 0 when every item passes and 1 otherwise (2 for usage errors).
"""
import argparse
import sys

import h5py
import numpy as np


def relative_error(a, b):
    """Norm-wise relative error of array a against reference b (see module doc)."""
    a = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b)
    tiny = np.finfo(b_arr.dtype).tiny if b_arr.dtype.kind == "f" else np.finfo(np.float64).tiny
    b = b_arr.astype(np.float64)
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(b))), tiny)
    return float(np.max(np.abs(a - b))) / scale


def compare_dataset(fa, fb, name, rtol):
    if name not in fa or name not in fb:
        missing = [p for p, f in (("A", fa), ("B", fb)) if name not in f]
        return False, f"missing in {' and '.join(missing)}"
    a, b = fa[name][()], fb[name][()]
    if a.shape != b.shape:
        return False, f"shape {a.shape} != {b.shape}"
    if a.dtype != b.dtype:
        return False, f"dtype {a.dtype} != {b.dtype}"
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False, f"NaN positions differ ({nan_a.sum()} vs {nan_b.sum()} NaNs)"
    keep = ~nan_a
    err = relative_error(a[keep], b[keep])
    note = f", {nan_a.sum()} NaNs at equal positions" if nan_a.any() else ""
    return err <= rtol, f"max|a-b|/max|b| = {err:.3e} (rtol {rtol:g}){note}"


def compare_attr(fa, fb, name, rtol):
    if name not in fa.attrs or name not in fb.attrs:
        missing = [p for p, f in (("A", fa), ("B", fb)) if name not in f.attrs]
        return False, f"missing in {' and '.join(missing)}"
    a, b = fa.attrs[name], fb.attrs[name]
    a_np, b_np = np.asarray(a), np.asarray(b)
    if a_np.dtype.kind in "iu" and b_np.dtype.kind in "iu":
        return bool(np.array_equal(a_np, b_np)), f"{a!r} vs {b!r} (integers, must be equal)"
    if a_np.dtype.kind in "fiu" and b_np.dtype.kind in "fiu" and a_np.size == b_np.size == 1:
        x, y = float(a_np), float(b_np)
        if np.isnan(x) and np.isnan(y):
            return True, "both NaN"
        err = abs(x - y) / abs(y) if y != 0 else abs(x - y)
        return err <= rtol, f"{x!r} vs {y!r}, |a-b|/|b| = {err:.3e} (rtol {rtol:g})"
    equal = a == b if isinstance(a, (str, bytes)) else bool(np.array_equal(a_np, b_np))
    return bool(equal), f"{a!r} vs {b!r} (must be equal)"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", metavar="A.h5", help="model to check")
    parser.add_argument("b", metavar="B.h5", help="reference model")
    parser.add_argument("--rtol", type=float, default=1e-9,
                        help="tolerance for datasets and float attributes (default 1e-9)")
    parser.add_argument("--datasets", nargs="*", default=["W", "H"],
                        help="datasets to compare (default: W H)")
    parser.add_argument("--attrs", nargs="*", default=["reconstruction_err_", "n_iter_"],
                        help="root attributes to compare (default: reconstruction_err_ n_iter_)")
    args = parser.parse_args()

    ok = True
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        items = [(f"/{d.lstrip('/')}", compare_dataset, d) for d in args.datasets]
        items += [(f"@{a}", compare_attr, a) for a in args.attrs]
        for label, func, name in items:
            passed, detail = func(fa, fb, name, args.rtol)
            ok &= passed
            print(f"{'PASS' if passed else 'FAIL'} {label}: {detail}")
    print(f"{'PASS' if ok else 'FAIL'}: {args.a} vs {args.b}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

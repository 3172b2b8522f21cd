#!/usr/bin/python3
"""Draws a `dnmf select-k` selection file: held-out and training error against k (mean and the
standard error over replicates, each replicate as a dot), and the stability of the components
(mean and least matched cosine similarity to replicate 0), with the chosen k marked.

    plot_selection.py SELECTION.h5 --output SELECTION.png

`dnmf select-k --plot PNG` runs this script (installed beside dnmf as dnmf-plot-selection)."""

import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("selection", help="the SELECTION.h5 written by dnmf select-k")
    ap.add_argument("--output", "-o", required=True, help="the PNG to write")
    args = ap.parse_args()
    with h5py.File(args.selection, "r") as f:
        s = {name: f["summary"][name][()] for name in f["summary"]}
        t = {name: f["tasks"][name][()] for name in f["tasks"]}
        a = {key: f.attrs[key] for key in f.attrs}
    chosen = int(a["chosen_k"])
    rule = a["rule"].decode() if isinstance(a["rule"], bytes) else str(a["rule"])
    k = s["k"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    top.errorbar(k, s["test_error_mean"], yerr=s["test_error_se"], color="C3", marker="o",
                 capsize=3, label="held-out error (mean ± s.e.)")
    top.errorbar(k, s["train_error_mean"], yerr=s["train_error_se"], color="C0", marker="s",
                 capsize=3, label="training error (mean ± s.e.)")
    top.scatter(t["k"], t["test_error"], color="C3", s=8, alpha=0.4, label="one replicate")
    top.axvline(chosen, color="k", linestyle="--", linewidth=1)
    errors = np.concatenate([s["test_error_mean"], s["train_error_mean"]])
    if np.nanmax(errors) > 20 * np.nanmin(errors):  # held-out error blowing up past some k
        top.set_yscale("log")
    top.set_ylabel("error per entry, sqrt(2 D / entries)")
    top.set_title(f"dnmf select-k: chosen k = {chosen} (rule {rule}, "
                  f"{int(a['replicates'])} replicates, {float(a['holdout']):g} held out)\n"
                  f"{a['input'].decode() if isinstance(a['input'], bytes) else a['input']}: "
                  f"{int(a['n_samples'])} x {int(a['n_features'])}, solver "
                  f"{a['solver'].decode() if isinstance(a['solver'], bytes) else a['solver']}",
                  fontsize=10)
    top.legend(fontsize=9)
    top.grid(alpha=0.3)
    if np.isfinite(s["stability_mean"]).any():
        bottom.plot(k, s["stability_mean"], color="C2", marker="o", label="mean matched similarity")
        bottom.plot(k, s["stability_min"], color="C2", marker="v", linestyle=":",
                    label="least matched similarity")
        bottom.legend(fontsize=9, loc="lower left")
    else:
        bottom.text(0.5, 0.5, "stability needs --replicates >= 2", ha="center",
                    transform=bottom.transAxes)
    bottom.axvline(chosen, color="k", linestyle="--", linewidth=1)
    bottom.set_ylim(min(0.5, np.nanmin(s["stability_min"]) - 0.05)
                    if np.isfinite(s["stability_min"]).any() else 0, 1.02)
    bottom.set_xlabel("k (n_components)")
    bottom.set_ylabel("stability of H\n(cosine, vs replicate 0)")
    bottom.grid(alpha=0.3)
    bottom.set_xticks(k)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Draw the NMF components of a MODEL.h5 as a grid of small grey-scale images.

Reads /H (k x p, p = height * width) and writes a PNG with the k components laid
out row by row, --cols per row. Each component is scaled to its own maximum
(black = 0, white = max), components are separated by a 1-pixel white gap, and the
whole picture is enlarged --scale times (nearest neighbour).
"""
import argparse

import h5py
import numpy as np
from PIL import Image


def parse_shape(text):
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HxW such as 28x28, got {text!r}")
    return h, w


def tile(H, shape, cols, gap=1):
    """Return a uint8 mosaic of the rows of H reshaped to `shape`."""
    k = H.shape[0]
    h, w = shape
    rows = -(-k // cols)
    cols = min(cols, k)
    canvas = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), 255, dtype=np.uint8)
    for c in range(k):
        comp = np.asarray(H[c], dtype=np.float64).reshape(h, w)
        peak = comp.max()
        img = comp / peak if peak > 0 else np.zeros_like(comp)
        r0, c0 = (c // cols) * (h + gap), (c % cols) * (w + gap)
        canvas[r0:r0 + h, c0:c0 + w] = np.round(255 * np.clip(img, 0, 1)).astype(np.uint8)
    return canvas


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", metavar="MODEL.h5", help="file with /H (k x p)")
    parser.add_argument("--output", required=True, help="PNG file to write")
    parser.add_argument("--cols", type=int, default=5, help="images per row (default 5)")
    parser.add_argument("--shape", type=parse_shape, default=(28, 28),
                        help="HxW of one component (default 28x28)")
    parser.add_argument("--scale", type=int, default=3, help="enlargement factor (default 3)")
    args = parser.parse_args()

    with h5py.File(args.model, "r") as f:
        H = f["H"][()]
    h, w = args.shape
    if H.ndim != 2 or H.shape[1] != h * w:
        raise SystemExit(f"error: /H has shape {H.shape}, expected k x {h * w} for {h}x{w}")
    mosaic = tile(H, args.shape, max(1, args.cols))
    image = Image.fromarray(mosaic, mode="L")
    image = image.resize((image.width * args.scale, image.height * args.scale), Image.NEAREST)
    image.save(args.output)
    print(f"wrote {args.output}: {H.shape[0]} components, {image.width}x{image.height} pixels")


if __name__ == "__main__":
    main()

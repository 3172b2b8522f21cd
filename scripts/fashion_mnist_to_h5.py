#!/usr/bin/python3
"""Convert Fashion-MNIST (Debian package dataset-fashion-mnist) to one HDF5 file.

Reads the gzipped IDX files train-images/labels (60000) and t10k-images/labels
(10000) from --data-dir and writes, training images first:
  /X       70000 x 784, C order, pixel / 255 (values in [0, 1]), --dtype
  /labels  70000 int64 class labels (0-9)
--limit N keeps only the first N rows (for quick tests).

IDX layout: a big-endian header of two zero bytes, a type byte (0x08 = unsigned
byte), a dimension count, then one big-endian uint32 per dimension, followed by
the raw row-major data.
"""
import argparse
import gzip
import os

import h5py
import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Return the array stored in a gzipped IDX file of unsigned bytes."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, header says {dims}")
    return data.reshape(dims)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True, help="HDF5 file to write")
    parser.add_argument("--data-dir", default=DEFAULT_DIR,
                        help=f"folder with the *-idx?-ubyte.gz files (default {DEFAULT_DIR})")
    parser.add_argument("--limit", type=int, help="keep only the first N rows")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    args = parser.parse_args()

    images, labels = [], []
    for part in ("train", "t10k"):
        img = read_idx(os.path.join(args.data_dir, f"{part}-images-idx3-ubyte.gz"))
        lab = read_idx(os.path.join(args.data_dir, f"{part}-labels-idx1-ubyte.gz"))
        if img.shape[0] != lab.shape[0]:
            raise SystemExit(f"{part}: {img.shape[0]} images but {lab.shape[0]} labels")
        images.append(img.reshape(img.shape[0], -1))
        labels.append(lab)
    pixels = np.concatenate(images)
    y = np.concatenate(labels).astype(np.int64)
    if args.limit is not None:
        pixels, y = pixels[:args.limit], y[:args.limit]
    X = np.ascontiguousarray(pixels, dtype=args.dtype) / np.array(255, dtype=args.dtype)

    with h5py.File(args.output, "w") as f:
        f.create_dataset("X", data=X)
        f.create_dataset("labels", data=y)
    print(f"wrote {args.output}: /X {X.shape} {X.dtype} in [{X.min():g}, {X.max():g}], "
          f"/labels {y.shape} {y.dtype} ({len(np.unique(y))} classes)")


if __name__ == "__main__":
    main()

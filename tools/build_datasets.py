#!/usr/bin/python3
"""Writes the float32 .npy data sets (all [N,1,28,28], labels int64 [N]) for the CLI and benchmarks.

    /usr/bin/python3 tools/build_datasets.py            # data/ (git-ignored) + the two small test fixtures

Needs Debian's dataset-fashion-mnist, python3-sklearn (its digits table) and python3-torch (the digits' upsampling).

Definitions live in nfp_data.py and are mirrored by tests/Shared (C#):
  fmnist_train_10k.npy   the first 10,000 images of the training file, in file order (no shuffle: the IDX
                         file is already in random class order, and C# `FashionMnist.LoadTrain().Take(10000)`
                         then gives the identical array)
  fmnist_test.npy        the 10,000 test images; fmnist_test_labels.npy their labels
  fmnist_test_0to4.npy   test images of classes 0-4 (file order); fmnist_test_5to9.npy classes 5-9
  digits28.npy           held-out sklearn digits (index % 5 == 0), x/16, bilinear 8x8 -> 28x28; digits28_labels.npy
  uniform_noise.npy      2,000 records, SplitMix64 seed 1001, U[0,1) in float64, then cast to float32 (so 1.0 can occur)
  gaussian_noise.npy     2,000 records, SplitMix64 seed 1002, Box-Muller, mean 0.5 std 0.25 clipped to [0,1]
  fmnist_inverted.npy    1 - x over the test set
  fmnist_rotated.npy     the test set rotated 90 degrees counter-clockwise (np.rot90 k=1)
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfp_data  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(REPO, "data")
FIXTURE_DIR = os.path.join(REPO, "tests", "fixtures", "data")


def save(directory, name, array):
    path = os.path.join(directory, name)
    np.save(path, np.ascontiguousarray(array))
    print(f"  {os.path.relpath(path, REPO)}: {array.dtype} {list(array.shape)} "
          f"range [{array.min():.3f}, {array.max():.3f}] {os.path.getsize(path)} bytes", flush=True)


def check_prerequisites():
    """Fails before writing anything, naming the Debian packages, rather than halfway through with a traceback."""
    missing = []
    if not os.path.isdir(nfp_data.FMNIST_DIR):
        missing.append("dataset-fashion-mnist")
    if not os.path.exists(nfp_data.DIGITS_CSV):
        missing.append("python3-sklearn")
    try:
        import torch  # noqa: F401  (the digits' bilinear upsampling is torch's, which the C# twin is tested against)
    except ImportError:
        missing.append("python3-torch")
    if missing:
        sys.exit(f"error: {', '.join(missing)} missing: run `sudo apt-get install {' '.join(missing)}` and try again.")


def main():
    check_prerequisites()
    began = time.time()
    os.makedirs(DATA_DIR, exist_ok=True)
    os.makedirs(FIXTURE_DIR, exist_ok=True)

    x_train, _ = nfp_data.load_fmnist("train")
    x_test, y_test = nfp_data.load_fmnist("t10k")
    save(DATA_DIR, "fmnist_train_10k.npy", x_train[:10000])
    save(DATA_DIR, "fmnist_test.npy", x_test)
    save(DATA_DIR, "fmnist_test_labels.npy", y_test)
    save(DATA_DIR, "fmnist_test_0to4.npy", x_test[y_test < 5])
    save(DATA_DIR, "fmnist_test_5to9.npy", x_test[y_test >= 5])

    d8, dy = nfp_data.load_digits_raw()
    held = nfp_data.digits_holdout_mask(len(dy))
    save(DATA_DIR, "digits28.npy", nfp_data.upsample_digits(d8[held]))
    save(DATA_DIR, "digits28_labels.npy", dy[held])

    save(DATA_DIR, "uniform_noise.npy", nfp_data.uniform_noise())
    save(DATA_DIR, "gaussian_noise.npy", nfp_data.gaussian_noise())
    save(DATA_DIR, "fmnist_inverted.npy", nfp_data.inverted(x_test))
    save(DATA_DIR, "fmnist_rotated.npy", nfp_data.rotated90(x_test))

    save(FIXTURE_DIR, "fmnist_test_16.npy", x_test[:16])
    save(FIXTURE_DIR, "digits28_first8.npy", nfp_data.upsample_digits(d8[:8]))
    # Prefixes of the default noise sets: C# regenerates the full sets and checks these records match.
    save(FIXTURE_DIR, "uniform_noise_first2.npy", nfp_data.uniform_noise()[:2])
    save(FIXTURE_DIR, "gaussian_noise_first2.npy", nfp_data.gaussian_noise()[:2])
    print(f"done in {time.time() - began:.1f}s")


if __name__ == "__main__":
    main()

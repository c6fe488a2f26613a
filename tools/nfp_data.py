"""Data definitions shared by build_models.py and build_datasets.py.

Every definition here has a C# twin in tests/Shared (namespace NeuralFP.TestData); keep them in step:
  - Fashion-MNIST: IDX gz files, pixels x/255, no mean/std normalisation.
  - Digits: sklearn digits.csv.gz, pixels x/16, bilinear 8x8 -> 28x28 (torch, align_corners=False).
  - Digits split: record i is held out (test) when i % DIGITS_HOLDOUT_MODULUS == DIGITS_HOLDOUT_REMAINDER
    (20%, no RNG, so C# reproduces it exactly).
  - Noise: counter-based SplitMix64 so C# can regenerate the same values without NumPy's RNG.
"""
import gzip
import os

import numpy as np

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

DIGITS_HOLDOUT_MODULUS = 5
DIGITS_HOLDOUT_REMAINDER = 0

UNIFORM_NOISE_SEED = 1001
GAUSSIAN_NOISE_SEED = 1002
NOISE_RECORDS = 2000
GAUSSIAN_MEAN = 0.5
GAUSSIAN_STD = 0.25


def _read_idx(path, header_bytes):
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing: run `apt-get install dataset-fashion-mnist`.")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes)


def load_fmnist(split):
    """split: 'train' or 't10k'. Returns (images float32 [N,1,28,28] in [0,1], labels int64 [N])."""
    images = _read_idx(os.path.join(FMNIST_DIR, f"{split}-images-idx3-ubyte.gz"), 16)
    labels = _read_idx(os.path.join(FMNIST_DIR, f"{split}-labels-idx1-ubyte.gz"), 8)
    x = (images.reshape(-1, 1, 28, 28).astype(np.float32) / np.float32(255.0))
    return x, labels.astype(np.int64)


def load_digits_raw():
    """Returns (pixels float32 [N,1,8,8] scaled by 1/16, labels int64 [N]) in file order."""
    table = np.loadtxt(DIGITS_CSV, delimiter=",", dtype=np.float32)
    x = (table[:, :64] / np.float32(16.0)).reshape(-1, 1, 8, 8)
    return x, table[:, 64].astype(np.int64)


def digits_holdout_mask(n):
    return (np.arange(n) % DIGITS_HOLDOUT_MODULUS) == DIGITS_HOLDOUT_REMAINDER


def upsample_digits(x8):
    """Bilinear 8x8 -> 28x28 exactly as torch does it (align_corners=False)."""
    import torch
    import torch.nn.functional as F
    t = torch.from_numpy(np.ascontiguousarray(x8, dtype=np.float32))
    return F.interpolate(t, size=(28, 28), mode="bilinear", align_corners=False).numpy()


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(seed, count):
    """Output i is SplitMix64's (i+1)-th value from state `seed` (counter form, vectorised)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(1, count + 1, dtype=np.uint64) * _GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform01(seed, count):
    """float64 in [0,1): the top 53 bits of each SplitMix64 value."""
    return (splitmix64(seed, count) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def uniform_noise(records=NOISE_RECORDS, seed=UNIFORM_NOISE_SEED):
    return uniform01(seed, records * 784).astype(np.float32).reshape(records, 1, 28, 28)


def gaussian_noise(records=NOISE_RECORDS, seed=GAUSSIAN_NOISE_SEED):
    """Box-Muller on consecutive uniform pairs (u1, u2): z = sqrt(-2 ln(1-u1)) cos(2 pi u2)."""
    n = records * 784
    u = uniform01(seed, 2 * n)
    u1, u2 = u[0::2], u[1::2]
    z = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)
    x = np.clip(GAUSSIAN_MEAN + GAUSSIAN_STD * z, 0.0, 1.0)
    return x.astype(np.float32).reshape(records, 1, 28, 28)


def inverted(x):
    return (np.float32(1.0) - x).astype(np.float32)


def rotated90(x):
    """Each image rotated 90 degrees counter-clockwise: out[r, c] = in[c, W-1-r] (np.rot90, k=1)."""
    return np.ascontiguousarray(np.rot90(x, k=1, axes=(2, 3)))

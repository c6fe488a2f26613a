#!/usr/bin/python3
"""Writes the small .npy files that tests/NeuralFP.Core.Tests/Tensors read, one per dtype and header variant.

Run with Debian's numpy: /usr/bin/python3 tools/make_npy_fixtures.py
The values are simple formulas so the C# tests can state what they expect without reading numpy.
"""
import io
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "npy"


def save(name, array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array, allow_pickle=array.dtype == object)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return write(name, buffer.getvalue())


def write(name, data):
    path = OUT / name
    path.write_bytes(data)
    assert len(data) < 2048, f"{name} is {len(data)} bytes"
    return data


def with_descr(data, old, new):
    """numpy always writes '|u1' and '<f4'; other spellings of the same dtype are made by editing the header."""
    assert len(old) == len(new) and data.count(old) == 1
    return data.replace(old, new)


def main():
    OUT.mkdir(parents=True, exist_ok=True)

    # Supported dtypes: value i of each array (C order) is given by the formula in the comment.
    f4 = save("float32.npy", (np.arange(12, dtype="<f4") * 0.25 - 1).reshape(3, 4))  # i*0.25 - 1
    save("float64.npy", (np.arange(6, dtype="<f8") / 3.0).reshape(2, 3))  # i/3
    u1 = save("uint8.npy", (np.arange(12) * 20).astype("|u1").reshape(2, 2, 3))  # i*20
    save("int32.npy", np.array([[-5, 0], [5, 100000]], dtype="<i4"))
    save("int64.npy", np.array([-3, 0, 7, 2**40], dtype="<i8"))
    save("scalar_float32.npy", np.array(2.5, dtype="<f4"))  # shape ()
    save("empty_float32.npy", np.zeros((0, 3), dtype="<f4"))

    # Header variants of the float32 array.
    save("float32_v2.npy", (np.arange(12, dtype="<f4") * 0.25 - 1).reshape(3, 4), version=(2, 0))
    save("float32_v3.npy", (np.arange(12, dtype="<f4") * 0.25 - 1).reshape(3, 4), version=(3, 0))
    write("uint8_little_marker.npy", with_descr(u1, b"'|u1'", b"'<u1'"))
    write("float32_native_marker.npy", with_descr(f4, b"'<f4'", b"'=f4'"))

    # Arrays NeuralFP must refuse.
    save("fortran_float32.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    save("bigendian_float32.npy", np.arange(4, dtype=">f4"))
    save("object.npy", np.array([1, "a"], dtype=object))
    save("float16.npy", np.arange(4, dtype="<f2"))


if __name__ == "__main__":
    main()

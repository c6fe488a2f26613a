#!/usr/bin/python3
"""Trains the reference models and exports them to tests/fixtures/models/ (ONNX opset 13).

Run from anywhere with Debian's python:  /usr/bin/python3 tools/build_models.py
Fully seeded and deterministic on CPU (2 threads). Every file has input `input` [N,1,28,28]
(dynamic N, except fmnist_cnn_fixedbatch.onnx where N=1) and output `logits`.
"""
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfp_data  # noqa: E402
from nfp_training import accuracy, seed_everything, train  # noqa: E402

SEED = 20240521
OPSET = 13
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "fixtures", "models")


class Cnn(nn.Sequential):
    def __init__(self, classes, hidden):
        super().__init__(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, hidden), nn.ReLU(),
            nn.Linear(hidden, classes))


class Mlp(nn.Sequential):
    def __init__(self):
        super().__init__(
            nn.Flatten(),
            nn.Linear(784, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10))


def export(model, name, dynamic=True):
    import onnx
    path = os.path.join(OUT_DIR, name)
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(
        model, dummy, path, opset_version=OPSET, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}} if dynamic else None,
        do_constant_folding=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    print(f"    wrote {name}: {os.path.getsize(path)} bytes, input {proto.graph.input[0].name} {dims}, "
          f"output {proto.graph.output[0].name}, ops {sorted({n.op_type for n in proto.graph.node})}", flush=True)


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    began = time.time()
    x_train, y_train = nfp_data.load_fmnist("train")
    x_test, y_test = nfp_data.load_fmnist("t10k")
    results = {}

    def run(name, make, x, y, xt, yt, epochs, lr=1e-3, batch=128, seed=SEED):
        t0 = time.time()
        print(f"{name}: training on {len(x)} records for {epochs} epochs", flush=True)
        seed_everything(seed)
        model = train(make(), x, y, epochs, lr, batch, seed)
        acc = accuracy(model, xt, yt)
        results[name] = acc
        print(f"    {name} test accuracy {acc:.4f} on {len(xt)} records ({time.time() - t0:.0f}s)", flush=True)
        return model

    cnn = run("fmnist_cnn", lambda: Cnn(10, 64), x_train, y_train, x_test, y_test, epochs=6)
    export(cnn, "fmnist_cnn.onnx")
    export(cnn, "fmnist_cnn_fixedbatch.onnx", dynamic=False)

    mlp = run("fmnist_mlp", Mlp, x_train, y_train, x_test, y_test, epochs=6)
    export(mlp, "fmnist_mlp.onnx")

    for lo, name in ((0, "fmnist_0to4_cnn"), (5, "fmnist_5to9_cnn")):
        tr = (y_train >= lo) & (y_train < lo + 5)
        te = (y_test >= lo) & (y_test < lo + 5)
        model = run(name, lambda: Cnn(5, 32), x_train[tr], y_train[tr] - lo, x_test[te], y_test[te] - lo, epochs=6)
        export(model, name + ".onnx")

    d8, dy = nfp_data.load_digits_raw()
    d28 = nfp_data.upsample_digits(d8)
    held = nfp_data.digits_holdout_mask(len(dy))
    digits = run("digits_cnn", lambda: Cnn(10, 32), d28[~held], dy[~held], d28[held], dy[held], epochs=30, batch=64)
    export(digits, "digits_cnn.onnx")

    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR) if f.endswith(".onnx"))
    print("summary:", ", ".join(f"{k} {v:.4f}" for k, v in results.items()))
    print(f"all ONNX fixtures: {total} bytes; total time {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()

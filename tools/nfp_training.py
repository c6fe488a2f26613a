"""Training helpers shared by build_models.py, build_panel.py and build_holdout.py: seeding, a seeded Adam/cross-entropy
loop, accuracy, a trained-and-measured model entry, the in-graph standardisation of raw table features, ONNX export."""
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(model, x, y, epochs, lr, batch, seed):
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(xs), generator=gen)
        total = 0.0
        for start in range(0, len(xs), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(xs[idx]), ys[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"    epoch {epoch + 1}/{epochs} loss {total / len(xs):.4f}", flush=True)
    model.eval()
    return model


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    preds = torch.cat([model(torch.from_numpy(x[i:i + 1000])).argmax(1) for i in range(0, len(x), 1000)])
    return float((preds.numpy() == y).mean())


def train_entry(results, name, make, epochs, lr, batch, seed, x, y, xt, yt):
    """Trains make() with the seeded loop, measures its test accuracy and records both under results[name]."""
    t0 = time.time()
    print(f"{name}: training on {len(x)} records for {epochs} epochs", flush=True)
    seed_everything(seed)
    model = train(make(), x, y, epochs, lr, batch, seed)
    acc = accuracy(model, xt, yt)
    results[name] = {"accuracy": round(acc, 4), "test_records": len(xt), "train_records": len(x), "epochs": epochs,
                     "seconds": round(time.time() - t0, 1)}
    print(f"    {name} test accuracy {acc:.4f} on {len(xt)} records ({time.time() - t0:.0f}s)", flush=True)
    return model


class Standardised(nn.Module):
    """Raw features in; (x − mean)/std as the graph's first nodes."""

    def __init__(self, mean, std, net):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(mean))
        self.register_buffer("std", torch.from_numpy(std))
        self.net = net

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def export_onnx(model, path, example, opset, output="logits", fold_batchnorm=True):
    """Exports with a dynamic batch (input `input`, one output); returns the file's size."""
    # TrainingMode.PRESERVE on an eval-mode model skips torch's eval peephole, which folds BatchNorm into Conv.
    mode = torch.onnx.TrainingMode.EVAL if fold_batchnorm else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(
        model, example, path, opset_version=opset, input_names=["input"], output_names=[output],
        dynamic_axes={"input": {0: "N"}, output: {0: "N"}}, do_constant_folding=True, training=mode)
    ops = "?"
    try:
        import onnx
        proto = onnx.load(path)
        onnx.checker.check_model(proto, full_check=True)
        ops = sorted({n.op_type for n in proto.graph.node})
    except ImportError:
        pass
    print(f"    wrote {os.path.basename(path)}: {os.path.getsize(path)} bytes, ops {ops}", flush=True)
    return os.path.getsize(path)


def fmnist_session(out_dir, train_records):
    """Seeded, deterministic CPU torch on 2 threads, the output folder made, and the first train_records Fashion-MNIST
    training images with the 10,000 test images: (x_train, y_train, x_test, y_test)."""
    import nfp_data
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)
    x_all, y_all = nfp_data.load_fmnist("train")
    x_test, y_test = nfp_data.load_fmnist("t10k")
    return x_all[:train_records], y_all[:train_records], x_test, y_test

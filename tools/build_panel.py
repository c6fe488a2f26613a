#!/usr/bin/python3
"""Builds the model panel for the detection benchmark (issue 8) into tests/fixtures/models/panel/.

Run from anywhere with Debian's python:  /usr/bin/python3 tools/build_panel.py
Seeded, CPU, 2 threads, trained briefly (a few minutes in all on two shared cores). Every image model takes
`input` [N,1,28,28] (pixels x/255) with a dynamic batch; the tabular model takes `input` [N,30] raw
breast-cancer features with the standardisation folded into the graph. The panel also uses the existing
tests/fixtures/models/fmnist_cnn.onnx and fmnist_mlp.onnx (built by build_models.py).

Shapes covered (each differs from the CNN the defaults used to be tuned on):
  bn_gap_cnn            Conv+BatchNorm (BN kept as BatchNormalization nodes), stride-2 convs, ReLU,
                        global-average-pool head (ReduceMean), one Gemm
  bn_gap_cnn_folded     the same weights exported with BN folded into the convs (torch's eval peephole)
  resnet                a small ResNet: stem, two residual blocks with Add, stride-2 downsampling, GAP head
  transformer           a pre-norm transformer encoder (2 blocks, 4 heads, d=32) over the 28 image rows
  gru                   a GRU (hidden 64) over the 28 rows, classifier on the last step
  softmax_cnn           a small CNN whose graph output is softmax probabilities ("probabilities")
  tabular_mlp           breast_cancer MLP, input standardisation as Sub/Div nodes in the graph
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfp_blocks import Residual  # noqa: E402
from nfp_training import Standardised, export_onnx, fmnist_session, train_entry  # noqa: E402

SEED = 20261130
OPSET = 13
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "fixtures", "models", "panel")
TRAIN_RECORDS = 20000  # first 20k training images (file order is already class-shuffled)


class BnGapCnn(nn.Module):
    def __init__(self):
        super().__init__()
        def block(cin, cout, stride):
            return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        self.features = nn.Sequential(*block(1, 16, 1), *block(16, 32, 2), *block(32, 64, 2))
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(Residual(16, 16, 1), Residual(16, 32, 2), Residual(32, 64, 2))
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean(dim=(2, 3)))


class EncoderBlock(nn.Module):
    """Pre-norm transformer block written out (no fused fast path), so the export is plain MatMul/Softmax."""

    def __init__(self, d, heads, activation=None):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), activation or nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        n, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).reshape(n, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        attention = torch.softmax(q @ k.transpose(-2, -1) / (d // h) ** 0.5, dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(n, t, d))
        return x + self.mlp(self.norm2(x))


class RowTransformer(nn.Module):
    def __init__(self, d=32, heads=4, depth=2):
        super().__init__()
        self.embed = nn.Linear(28, d)
        self.position = nn.Parameter(torch.zeros(1, 28, d))
        self.blocks = nn.Sequential(*[EncoderBlock(d, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        rows = x.reshape(x.shape[0], 28, 28)
        return self.head(self.norm(self.blocks(self.embed(rows) + self.position)).mean(dim=1))


class RowGru(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.gru = nn.GRU(28, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        sequence, _ = self.gru(x.reshape(x.shape[0], 28, 28))
        return self.head(sequence[:, -1])


class SoftmaxCnn(nn.Module):
    """Trained on logits; exported with a Softmax at the end, as many deployed models are."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(8, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 64), nn.Tanh(), nn.Linear(64, 10))
        self.probabilities = False

    def forward(self, x):
        logits = self.net(x)
        return torch.softmax(logits, dim=1) if self.probabilities else logits


def export(model, name, example, output="logits", fold_batchnorm=True):
    return export_onnx(model, os.path.join(OUT_DIR, name), example, OPSET, output, fold_batchnorm)


def main():
    began = time.time()
    x_train, y_train, x_test, y_test = fmnist_session(OUT_DIR, TRAIN_RECORDS)
    image = torch.zeros(1, 1, 28, 28)
    results = {}

    def run(name, make, epochs, lr=2e-3, batch=128, x=x_train, y=y_train, xt=x_test, yt=y_test):
        return train_entry(results, name, make, epochs, lr, batch, SEED, x, y, xt, yt)

    bn = run("bn_gap_cnn", BnGapCnn, epochs=2)
    results["bn_gap_cnn"]["bytes"] = export(bn, "bn_gap_cnn.onnx", image, fold_batchnorm=False)
    results["bn_gap_cnn_folded"] = dict(results["bn_gap_cnn"])
    results["bn_gap_cnn_folded"]["bytes"] = export(bn, "bn_gap_cnn_folded.onnx", image)

    resnet = run("resnet", ResNet, epochs=1)
    results["resnet"]["bytes"] = export(resnet, "resnet.onnx", image, fold_batchnorm=False)

    transformer = run("transformer", RowTransformer, epochs=2)
    results["transformer"]["bytes"] = export(transformer, "transformer.onnx", image)

    gru = run("gru", RowGru, epochs=2)
    results["gru"]["bytes"] = export(gru, "gru.onnx", image)

    softmax = run("softmax_cnn", SoftmaxCnn, epochs=2)
    softmax.probabilities = True
    results["softmax_cnn"]["bytes"] = export(softmax, "softmax_cnn.onnx", image, output="probabilities")

    # Tabular: breast_cancer; row i is a test row when i % 10 >= 7 (a modulus rule C# reproduces exactly);
    # the benchmark's reference is the training part (398 rows), its in-distribution test the rest (171).
    from sklearn.datasets import load_breast_cancer
    table = load_breast_cancer()
    xb, yb = table.data.astype(np.float32), table.target.astype(np.int64)
    te_mask = (np.arange(len(xb)) % 10) >= 7
    tr, te = np.flatnonzero(~te_mask), np.flatnonzero(te_mask)
    mean, std = xb[tr].mean(0), xb[tr].std(0) + np.float32(1e-6)
    tabular = run("tabular_mlp", lambda: Standardised(mean, std, nn.Sequential(
        nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 2))),
        epochs=60, lr=1e-3, batch=32, x=xb[tr], y=yb[tr], xt=xb[te], yt=yb[te])
    results["tabular_mlp"]["bytes"] = export(tabular, "tabular_mlp.onnx", torch.zeros(1, 30))

    results["_meta"] = {"seed": SEED, "torch": torch.__version__, "train_records_images": TRAIN_RECORDS,
                        "tabular_split": "row i is test when i % 10 >= 7", "seconds": round(time.time() - began, 1)}
    with open(os.path.join(OUT_DIR, "panel.json"), "w") as f:
        json.dump(results, f, indent=2)
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR) if f.endswith(".onnx"))
    print(f"panel ONNX files: {total} bytes; total time {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()

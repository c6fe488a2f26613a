#!/usr/bin/python3
"""Builds the held-out architectures into tests/fixtures/models/holdout/.

Run from anywhere with Debian's python:  /usr/bin/python3 tools/build_holdout.py

The detection panel (build_panel.py) chose every default. These models were built after the last default was chosen and
no choice may ever be made on them: they measure how the defaults carry to shapes nobody tuned on, as a new user's
model would. Seeded, CPU, 2 threads, deterministic, briefly trained. Image models take `input` [N,1,28,28] (pixels x/255)
with a dynamic batch; the table takes `input` [N,64] (scikit-learn's 8x8 digits as 64 raw values 0..16, standardisation
folded into the graph).

  mobilenet        depthwise-separable convs (grouped Conv), BatchNorm folded, HardSwish, stride 2, GlobalAveragePool head
  mixer            MLP-Mixer: 4x4 patches as 49 tokens, LayerNormalization, GELU token- and channel-MLPs, mean over tokens
  bilstm           bidirectional LSTM over the 28 rows, mean over time
  logsoftmax-cnn   input normalised inside the graph, 5x5 valid convs, LeakyReLU, MaxPool, dropout; output LogSoftmax
  resnet20         a deep narrow ResNet (He et al.'s CIFAR ResNet-20: 3 stages x 3 basic blocks, 16/32/64 channels, 19
                   ReLUs, BatchNorm folded, 1x1 projections, GlobalAveragePool head): depth, as a real model has it
  digits-table     MLP on the 64 raw values of scikit-learn's 8x8 digits, standardisation as Sub/Div nodes (many
                   features are constant zero in the reference)
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

SEED = 20261203
OPSET = 17
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "fixtures", "models", "holdout")
TRAIN_RECORDS = 20000  # the panel's training images: the benchmark's reference comes from the back of the file


class MobileNetLike(nn.Module):
    def __init__(self):
        super().__init__()

        def conv(cin, cout, k, stride, groups=1):
            return [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
                    nn.BatchNorm2d(cout), nn.Hardswish()]

        def separable(cin, cout, stride):
            return [*conv(cin, cin, 3, stride, groups=cin), *conv(cin, cout, 1, 1)]

        self.features = nn.Sequential(*conv(1, 16, 3, 1), *separable(16, 32, 2), *separable(32, 64, 2), *separable(64, 64, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.features(x)), 1))


class MixerBlock(nn.Module):
    def __init__(self, tokens, dim, token_hidden, channel_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.token = nn.Sequential(nn.Linear(tokens, token_hidden), nn.GELU(), nn.Linear(token_hidden, tokens))
        self.norm2 = nn.LayerNorm(dim)
        self.channel = nn.Sequential(nn.Linear(dim, channel_hidden), nn.GELU(), nn.Linear(channel_hidden, dim))

    def forward(self, x):  # [N, tokens, dim]
        x = x + self.token(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel(self.norm2(x))


class Mixer(nn.Module):
    def __init__(self, dim=48, depth=2):
        super().__init__()
        self.embed = nn.Conv2d(1, dim, 4, stride=4)
        self.blocks = nn.Sequential(*[MixerBlock(49, dim, 64, 96) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        tokens = self.embed(x).flatten(2).transpose(1, 2)
        return self.head(self.norm(self.blocks(tokens)).mean(dim=1))


class RowBiLstm(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 10)

    def forward(self, x):
        out, _ = self.lstm(x[:, 0])
        return self.head(out.mean(dim=1))


class LogSoftmaxCnn(nn.Module):
    """Trained on logits; exported with log_probabilities = True, so the graph's output is LogSoftmax."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(0.2860))
        self.register_buffer("std", torch.tensor(0.3530))
        self.net = nn.Sequential(
            nn.Conv2d(1, 12, 5), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
            nn.Conv2d(12, 24, 5), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(24 * 4 * 4, 64), nn.LeakyReLU(0.1), nn.Linear(64, 10))
        self.log_probabilities = False

    def forward(self, x):
        logits = self.net((x - self.mean) / self.std)
        return torch.log_softmax(logits, dim=1) if self.log_probabilities else logits


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for b in range(3):
                blocks.append(Residual(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def export(model, name, example, output="logits"):
    return export_onnx(model, os.path.join(OUT_DIR, name), example, OPSET, output)


def main():
    began = time.time()
    x_train, y_train, x_test, y_test = fmnist_session(OUT_DIR, TRAIN_RECORDS)
    image = torch.zeros(1, 1, 28, 28)
    results = {}

    def run(name, make, epochs, lr=2e-3, batch=128, x=x_train, y=y_train, xt=x_test, yt=y_test):
        return train_entry(results, name, make, epochs, lr, batch, SEED, x, y, xt, yt)

    mobilenet = run("mobilenet", MobileNetLike, epochs=2)
    results["mobilenet"]["bytes"] = export(mobilenet, "mobilenet.onnx", image)

    mixer = run("mixer", Mixer, epochs=2)
    results["mixer"]["bytes"] = export(mixer, "mixer.onnx", image)

    bilstm = run("bilstm", RowBiLstm, epochs=2)
    results["bilstm"]["bytes"] = export(bilstm, "bilstm.onnx", image)

    logsoftmax = run("logsoftmax_cnn", LogSoftmaxCnn, epochs=2)
    logsoftmax.log_probabilities = True
    results["logsoftmax_cnn"]["bytes"] = export(logsoftmax, "logsoftmax_cnn.onnx", image, output="log_probabilities")

    resnet20 = run("resnet20", ResNet20, epochs=1)
    results["resnet20"]["bytes"] = export(resnet20, "resnet20.onnx", image)

    # scikit-learn's 8x8 digits as a 64-column table; row i is a test row when i % 10 >= 7 (as the breast-cancer table).
    from sklearn.datasets import load_digits
    table = load_digits()
    xd, yd = table.data.astype(np.float32), table.target.astype(np.int64)
    te_mask = (np.arange(len(xd)) % 10) >= 7
    tr, te = np.flatnonzero(~te_mask), np.flatnonzero(te_mask)
    mean, std = xd[tr].mean(0), xd[tr].std(0) + np.float32(1e-6)
    digits = run("digits_table", lambda: Standardised(mean, std, nn.Sequential(
        nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))),
        epochs=40, lr=1e-3, batch=32, x=xd[tr], y=yd[tr], xt=xd[te], yt=yd[te])
    results["digits_table"]["bytes"] = export(digits, "digits_table.onnx", torch.zeros(1, 64))

    results["_meta"] = {"seed": SEED, "torch": torch.__version__, "opset": OPSET, "train_records_images": TRAIN_RECORDS,
                        "table_split": "row i is test when i % 10 >= 7", "seconds": round(time.time() - began, 1)}
    with open(os.path.join(OUT_DIR, "holdout.json"), "w") as f:
        json.dump(results, f, indent=2)
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR) if f.endswith(".onnx"))
    print(f"held-out ONNX files: {total} bytes; total time {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()

"""Training helpers shared by build_models.py and build_panel.py: seeding, a seeded Adam/cross-entropy loop, accuracy."""
import random

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

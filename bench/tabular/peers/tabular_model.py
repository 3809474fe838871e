#!/usr/bin/python3
"""PyTorch peer of bench_tabular_train: fastai's TabularModel on UCI Adult with the same settings
(Categorify / FillMissing / Normalize learned on the rows, embeddings min(600, round(1.6 n^0.56)),
layers [200, 100] Linear-ReLU-BatchNorm, AdamW wd 0.01, one-cycle lr 1e-2, shuffled batches with
drop_last). The table is pre-encoded into tensors and batches are index gathers: the fastest way
to feed this model from Python, not fastai's per-batch DataFrame path.

  tabular_model.py --data DIR/uci-adult [--epochs 3] [--batch-size 64] [--threads N]
Prints one JSON line.
"""
import argparse
import json
import time

import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "peers"))
from step_profile import StepProfile  # noqa: E402  (bench/peers)

COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
           "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
           "income"]
CATS = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country"]
CONTS = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


def read(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("|"):
                continue
            fields = [v.strip() for v in line.rstrip("\n").split(",")]
            rows.append(fields)
    return {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}


def encode(table):
    cats, cards = [], []
    for c in CATS:
        values = table[c]
        vocab = ["#na#"] + sorted({v for v in values if v not in ("", "?")})
        index = {v: i for i, v in enumerate(vocab)}
        cats.append([index.get(v, 0) for v in values])
        cards.append(len(vocab))
    conts = []
    for c in CONTS:
        x = np.array([float(v) for v in table[c]], dtype=np.float64)
        conts.append((x - x.mean()) / x.std(ddof=1))
    y = np.array([1 if v.startswith(">50K") else 0 for v in table["income"]])
    return (torch.tensor(np.array(cats).T, dtype=torch.int64), torch.tensor(np.array(conts).T, dtype=torch.float32),
            torch.tensor(y, dtype=torch.int64), cards)


class TabularModel(nn.Module):
    def __init__(self, cards, n_cont, out, layers=(200, 100)):
        super().__init__()
        sizes = [min(600, round(1.6 * n ** 0.56)) for n in cards]
        self.embeds = nn.ModuleList([nn.Embedding(n, s) for n, s in zip(cards, sizes)])
        for e in self.embeds:
            nn.init.trunc_normal_(e.weight, std=0.01)
        self.emb_drop = nn.Dropout(0.0)
        self.bn_cont = nn.BatchNorm1d(n_cont)
        blocks, width = [], sum(sizes) + n_cont
        for w in layers:
            blocks += [nn.Linear(width, w, bias=False), nn.ReLU(inplace=True), nn.BatchNorm1d(w)]
            width = w
        self.layers = nn.Sequential(*blocks)
        self.head = nn.Linear(width, out)

    def forward(self, x_cat, x_cont):
        x = torch.cat([e(x_cat[:, i]) for i, e in enumerate(self.embeds)], 1)
        x = torch.cat([self.emb_drop(x), self.bn_cont(x_cont)], 1)
        return self.head(self.layers(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=0, help="torch threads; 0 keeps PyTorch's default")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    x_cat, x_cont, y, cards = encode(read(a.data + "/adult.data"))
    model = TabularModel(cards, x_cont.shape[1], 2)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and "bn" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim > 1 and "bn" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.99))
    n = len(y)
    per_epoch = n // a.batch_size
    profile = StepProfile(f"TabularModel [200, 100], batch {a.batch_size}")
    extra = profile.warmup + 2 * profile.steps if profile.enabled else 0  # a profiled pass after the timed epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=per_epoch * a.epochs + extra,
                                                pct_start=0.25, div_factor=25.0, final_div_factor=1e5,
                                                base_momentum=0.85, max_momentum=0.95)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step(idx, profile):
        profile.begin_step()
        xb_cat, xb_cont, yb = x_cat[idx], x_cont[idx], y[idx]
        profile.phase("data")
        out = model(xb_cat, xb_cont)
        profile.phase("forward")
        loss = loss_fn(out, yb)
        profile.phase("loss")
        opt.zero_grad()
        loss.backward()
        profile.phase("backward")
        opt.step()
        profile.phase("optimizer")
        sched.step()
        profile.phase("rest")
        profile.end_step()
        return loss

    off = StepProfile("", enabled=False)
    start = time.perf_counter()
    for epoch in range(a.epochs):
        perm = torch.randperm(n)
        for b in range(per_epoch):
            loss = step(perm[b * a.batch_size:(b + 1) * a.batch_size], off)
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": "pytorch", "threads": torch.get_num_threads(), "batch_size": a.batch_size,
                      "epochs": a.epochs, "train_s": seconds,
                      "rows_per_s": per_epoch * a.batch_size * a.epochs / seconds,
                      "final_train_loss": loss.item()}))
    if profile.enabled:
        perm = torch.randperm(n)
        for b in range(extra):
            step(perm[b * a.batch_size:(b + 1) * a.batch_size], profile)


if __name__ == "__main__":
    main()

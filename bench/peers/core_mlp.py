#!/usr/bin/python3
"""PyTorch peer of bench/core_mlp.cpp: the same MLP, data sizes, optimizer and loop.

Usage: /usr/bin/python3 bench/peers/core_mlp.py [--threads N] [--epochs E] [--repeats R]
Prints one JSON line: {"us_per_step": ..., "steps": ..., "threads": ...}.
"""
import argparse
import json
import time

import torch
from torch import nn

from step_profile import StepProfile

FEATURES, CLASSES, BATCH, BATCHES = 32, 10, 64, 200


def make_model():
    torch.manual_seed(0)
    layers, width = [], FEATURES
    for hidden in (200, 100):  # fastai's LinBnDrop order, as core.mlp: Linear -> ReLU -> BatchNorm
        layers += [nn.Linear(width, hidden, bias=False), nn.ReLU(), nn.BatchNorm1d(hidden)]
        width = hidden
    layers.append(nn.Linear(width, CLASSES))
    return nn.Sequential(*layers)


def make_optimizer(model):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                             lr=1e-3, betas=(0.9, 0.99), eps=1e-5)


def run(x, y, epochs, profile=None):
    model = make_model()
    opt = make_optimizer(model)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    gen = torch.Generator().manual_seed(1)
    profile = profile or StepProfile("", enabled=False)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0], generator=gen)
        for b in range(BATCHES):
            profile.begin_step()
            idx = order[b * BATCH:(b + 1) * BATCH]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            profile.phase("data")
            loss = loss_fn(model(xb), yb)
            profile.phase("forward")
            loss.backward()
            profile.phase("backward")
            opt.step()
            opt.zero_grad(set_to_none=True)
            profile.phase("optimizer")
            profile.end_step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(BATCH * BATCHES, FEATURES, generator=gen)
    y = torch.randint(0, CLASSES, (BATCH * BATCHES,), generator=gen)
    run(x, y, 1)  # warm-up
    best = min(run(x, y, args.epochs) for _ in range(args.repeats))
    profile = StepProfile(f"core MLP 32-200-100-10, batch {BATCH}")
    if profile.enabled:  # ADAPT_BENCH_PROFILE: one more run, after the timed ones
        run(x, y, 1, profile)
    steps = args.epochs * BATCHES
    print(json.dumps({"us_per_step": 1e6 * best / steps, "steps": steps, "threads": args.threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

"""PyTorch peer of bench_dot_bias.cpp: fastai's EmbeddingDotBias (dot + biases, sigmoid_range
y_range (0, 5.5)) trained on random ids with MSE. Prints one JSON line like the C++ bench.

  python3 dot_bias_peer.py --batch 64 --users 610 --items 9724 --factors 50 --optimizer adam --threads 2
--optimizer adam: torch.optim.Adam with dense gradients (fastai's collab default; wd as decoupled
AdamW); --optimizer sparse_adam: sparse embedding gradients with torch.optim.SparseAdam (no wd).
"""
import argparse
import json
import resource
import time

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "peers"))
from step_profile import StepProfile  # noqa: E402  (bench/peers)


class EmbeddingDotBias(nn.Module):
    def __init__(self, n_users, n_items, n_factors, sparse, y_range=(0.0, 5.5)):
        super().__init__()
        self.u_weight = nn.Embedding(n_users, n_factors, sparse=sparse)
        self.i_weight = nn.Embedding(n_items, n_factors, sparse=sparse)
        self.u_bias = nn.Embedding(n_users, 1, sparse=sparse)
        self.i_bias = nn.Embedding(n_items, 1, sparse=sparse)
        for e in (self.u_weight, self.i_weight, self.u_bias, self.i_bias):
            nn.init.trunc_normal_(e.weight, std=0.01)
        self.y_range = y_range

    def forward(self, users, items):
        dot = (self.u_weight(users) * self.i_weight(items)).sum(1, keepdim=True)
        res = dot + self.u_bias(users) + self.i_bias(items)
        lo, hi = self.y_range
        return torch.sigmoid(res) * (hi - lo) + lo


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--users", type=int, default=610)
    p.add_argument("--items", type=int, default=9724)
    p.add_argument("--factors", type=int, default=50)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--optimizer", default="adam", choices=["adam", "sparse_adam"])
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    sparse = a.optimizer == "sparse_adam"
    model = EmbeddingDotBias(a.users, a.items, a.factors, sparse)
    if sparse:
        opt = torch.optim.SparseAdam(model.parameters(), lr=5e-3, betas=(0.9, 0.99), eps=1e-5)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=5e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.1)
    pool = [(torch.randint(1, a.users, (a.batch,)), torch.randint(1, a.items, (a.batch,)),
             torch.rand(a.batch, 1) * 4.5 + 0.5) for _ in range(64)]
    loss_fn = nn.MSELoss()

    def run(n, offset, profile):
        for s in range(n):
            profile.begin_step()
            u, i, y = pool[(s + offset) % len(pool)]
            opt.zero_grad(set_to_none=True)
            prediction = model(u, i)
            profile.phase("forward")
            loss = loss_fn(prediction, y)
            profile.phase("loss")
            profile.finish_step(loss, opt)

    off = StepProfile("", enabled=False)
    run(a.warmup, 0, off)
    start = time.perf_counter()
    run(a.steps, a.warmup, off)
    seconds = time.perf_counter() - start
    out = vars(a)
    out.update(side="pytorch", samples_per_s=a.steps * a.batch / seconds, step_ms=1000 * seconds / a.steps,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out), flush=True)
    profile = StepProfile(f"EmbeddingDotBias, batch {a.batch}, {a.items} item rows, {a.optimizer}")
    if profile.enabled:  # ADAPT_BENCH_PROFILE: more steps, after the timed ones, profiled
        run(profile.warmup + 2 * profile.steps, a.warmup + a.steps, profile)


if __name__ == "__main__":
    main()

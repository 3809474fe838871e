"""The training loop the PyTorch peers of the plugin benches share (bench/protein, bench/text).

Each peer reads the ids.tsv its bench wrote (bench/bench_support.h: "vocab_size\\t<V>", then one
"<label>\\t<id id ...>" line per sequence), builds its model and hands it to run(), which trains it
like the bench does: AdamW lr 1e-3, wd 0.01, batch 32, shuffled every epoch, one line per epoch.
Usage of a peer: PEER.py OUT_DIR/ids.tsv [EPOCHS] [THREADS]
"""
import sys
import time

import torch
from torch import nn

from step_profile import StepProfile

BATCH = 32


def read_ids(path):
    """(vocab_size, labels, one id tensor per sequence) from an ids.tsv."""
    with open(path) as f:
        vocab_size = int(f.readline().split("\t")[1])
        rows = [line.rstrip("\n").split("\t") for line in f]
    labels = [int(r[0]) for r in rows]
    ids = [torch.tensor([int(t) for t in r[1].split()]) for r in rows]
    return vocab_size, labels, ids


def run(make_model, forward, pad, default_epochs, name):
    """Parse the command line, train make_model(vocab_size) and print samples/s per epoch.

    forward(model, padded, lengths) gives the logits of a batch; name starts each printed line.
    With ADAPT_BENCH_PROFILE set, one more pass after the timed epochs profiles the steps.
    """
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else default_epochs
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    vocab_size, labels, ids = read_ids(path)
    torch.manual_seed(0)
    model = make_model(vocab_size)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(0)

    def step(batch, profile):
        profile.begin_step()
        seqs = [ids[i] for i in batch]
        lengths = torch.tensor([len(s) for s in seqs])
        padded = torch.full((BATCH, int(lengths.max())), pad, dtype=torch.long)
        for k, s in enumerate(seqs):
            padded[k, :len(s)] = s
        y = torch.tensor([labels[i] for i in batch])
        profile.phase("data")
        loss = nn.functional.cross_entropy(forward(model, padded, lengths), y)
        profile.phase("forward")
        opt.zero_grad()
        loss.backward()
        profile.phase("backward")
        opt.step()
        profile.phase("optimizer")
        value = loss.item()
        profile.phase("rest")
        profile.end_step()
        return value

    def batches():
        order = torch.randperm(len(ids), generator=g).tolist()
        return [order[start:start + BATCH] for start in range(0, len(order) - (BATCH - 1), BATCH)]

    off = StepProfile(name, enabled=False)
    for epoch in range(epochs):
        start_time = time.perf_counter()
        losses = [step(batch, off) for batch in batches()]
        rate = len(losses) * BATCH / (time.perf_counter() - start_time)
        print(f"{name} threads {torch.get_num_threads()} epoch {epoch + 1}: {rate:7.1f} samples/s "
              f"(loss {sum(losses) / len(losses):.4f})")
    profile = StepProfile(f"{name}, batch {BATCH}")
    if profile.enabled:  # as many passes as the profile's steps need (AMP's training part has 44 batches)
        todo = []
        while len(todo) < profile.warmup + 2 * profile.steps:
            todo += batches()
        for batch in todo[:profile.warmup + 2 * profile.steps]:
            step(batch, profile)

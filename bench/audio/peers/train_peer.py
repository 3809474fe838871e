#!/usr/bin/python3
"""Peer for bench_audio's training epoch: the same 4-stage CNN as audio.cnn (input batch norm,
conv3x3-BN-ReLU(-maxpool) with 32/64/128/256 channels, average+max pooling, dropout 0.3, linear),
AdamW, batch 64, on 64x101 log-mels of the 2,700 FSDD training clips (recordings 5-49), features
precomputed with torchaudio (the C++ side computes them in its loader). Reports training samples
per second for one epoch (best of 3 epochs), with 1 thread and with all threads.
--channels-last puts the weights and inputs in channels-last layout (what audio.cnn does), to show
what a PyTorch user gains from the same change. --threads N measures N threads only (run.sh gives
each setting its own process: oneDNN keeps the thread count its cached kernels were made with).
Usage: ADAPT_DATA_DIR=... /usr/bin/python3 bench/audio/peers/train_peer.py [--channels-last] [--threads N]"""
import glob
import json
import os
import sys
import time

import numpy as np
import soundfile
import torch
import torchaudio
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "peers"))
from step_profile import StepProfile  # noqa: E402  (bench/peers)

paths = sorted(glob.glob(os.path.join(os.environ["ADAPT_DATA_DIR"], "audio/free-spoken-digit-dataset/recordings/*.wav")))
paths = [p for p in paths if int(os.path.basename(p)[:-4].split("_")[2]) > 4]
logmel = nn.Sequential(torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80, n_mels=64),
                       torchaudio.transforms.AmplitudeToDB("power", top_db=80.0))
xs, ys = [], []
for p in paths:
    w = torch.from_numpy(soundfile.read(p, dtype="float32")[0])
    w = w[(len(w) - 8000) // 2:][:8000] if len(w) > 8000 else nn.functional.pad(w, (0, 8000 - len(w)))
    xs.append(logmel(w).unsqueeze(0))
    ys.append(int(os.path.basename(p)[0]))
x = torch.stack(xs)
y = torch.tensor(ys)
x = (x - x.mean(dim=(0, 1, 3), keepdim=True)) / x.std(dim=(0, 1, 3), keepdim=True)


def make_model():
    layers, c_in = [nn.BatchNorm2d(1)], 1
    chans = [32, 64, 128, 256]
    for i, c in enumerate(chans):
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
        if i + 1 < len(chans):
            layers.append(nn.MaxPool2d(2, ceil_mode=True))
        c_in = c

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(*layers)
            self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * c_in, 10))

        def forward(self, t):
            t = self.body(t)
            return self.head(torch.cat([t.mean((2, 3)), t.amax((2, 3))], 1))

    return Net()




def step(model, opt, idx, profile):
    profile.begin_step()
    xb, yb = x[idx], y[idx]
    profile.phase("data")
    opt.zero_grad()
    out = model(xb)
    profile.phase("forward")
    loss = nn.functional.cross_entropy(out, yb)
    profile.phase("loss")
    profile.finish_step(loss, opt)


off = StepProfile("", enabled=False)
channels_last = "--channels-last" in sys.argv
if channels_last:
    x = x.contiguous(memory_format=torch.channels_last)
results = {"impl": "pytorch", "train_clips": len(paths), "channels_last": channels_last,
           "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
thread_counts = (1, os.cpu_count())
if "--threads" in sys.argv:
    thread_counts = (int(sys.argv[sys.argv.index("--threads") + 1]),)
for threads in thread_counts:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = make_model()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    best = 1e30
    for epoch in range(3):
        model.train()
        perm = torch.randperm(len(x))
        start = time.perf_counter()
        for b in range(0, len(x) - 63, 64):
            step(model, opt, perm[b:b + 64], off)
        best = min(best, time.perf_counter() - start)
    results["train_samples_per_s_%d_threads" % threads] = len(x) / best
    profile = StepProfile("audio CNN [32, 64, 128, 256], batch 64" + (", channels last" if channels_last else ""),
                          warmup=5, steps=15)
    if profile.enabled:  # ADAPT_BENCH_PROFILE: one more epoch, after the timed ones, profiled
        perm = torch.randperm(len(x))
        for b in range(0, len(x) - 63, 64):
            step(model, opt, perm[b:b + 64], profile)
print(json.dumps(results, indent=1))

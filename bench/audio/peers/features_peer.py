#!/usr/bin/python3
"""Peer for bench_audio's decode and mel figures: python soundfile and torchaudio 0.13 on the same
FSDD clips with the same settings (8 kHz, n_fft 256, hop 80, 64 mels, power 2, centred, reflect).
Usage: ADAPT_DATA_DIR=... /usr/bin/python3 bench/audio/peers/features_peer.py [--repeat N]"""
import glob
import json
import os
import sys
import time

import numpy as np
import soundfile
import torch
import torchaudio

repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
paths = sorted(glob.glob(os.path.join(os.environ["ADAPT_DATA_DIR"], "audio/free-spoken-digit-dataset/recordings/*.wav")))
results = {"impl": "pytorch", "clips": len(paths), "threads_all": os.cpu_count()}


def best_of(fn):
    best = 1e30
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


waves = []


def decode():
    waves.clear()
    for p in paths:
        waves.append(soundfile.read(p, dtype="float32")[0])


t = best_of(decode)
audio_seconds = sum(len(w) for w in waves) / 8000.0
results["audio_seconds"] = audio_seconds
results["decode_s_per_s"] = audio_seconds / t

tensors = [torch.from_numpy(w) for w in waves]
batches = []
for b in range(0, len(tensors), 64):
    chunk = tensors[b:b + 64]
    longest = max(len(x) for x in chunk)
    batches.append(torch.stack([torch.nn.functional.pad(x, (0, longest - len(x))) for x in chunk]))

mel = torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80, n_mels=64)
logmel = torch.nn.Sequential(mel, torchaudio.transforms.AmplitudeToDB("power", top_db=80.0))
for name, transform in (("mel", mel), ("logmel", logmel)):
    for threads in (1, os.cpu_count()):
        torch.set_num_threads(threads)
        suffix = "_1thread" if threads == 1 else "_all_threads"
        with torch.no_grad():
            t = best_of(lambda: [transform(x) for x in tensors])
            results[name + "_per_clip" + suffix] = audio_seconds / t
            t = best_of(lambda: [transform(b) for b in batches])
            results[name + "_batched_padded" + suffix] = audio_seconds / t
print(json.dumps(results, indent=1))

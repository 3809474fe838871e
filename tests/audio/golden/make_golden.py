#!/usr/bin/python3
"""Writes the golden fixtures for tests/audio/test_features.cpp with torchaudio 0.13.

Run from the repository root:  /usr/bin/python3 tests/audio/golden/make_golden.py
Needs torch 1.13, torchaudio 0.13, numpy and soundfile. Set ADAPT_DATA_DIR to also write the
fixtures for two Free Spoken Digit Dataset clips (the clips themselves are never copied here:
the test reads them from ADAPT_DATA_DIR and compares with these outputs).

Every array is raw little-endian float32 in C order; manifest.json gives each case's settings,
input and shape. The test's error measure is max|ours - torchaudio| / max|torchaudio| over the
whole output (relative to the largest magnitude, so near-zero bins do not blow it up).
"""
import json
import os
import sys

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))


def synthetic(sample_rate, seconds):
    """Deterministic test signal: two harmonics, a chirp, an AM tone and seeded noise."""
    t = np.arange(int(sample_rate * seconds), dtype=np.float64) / sample_rate
    x = 0.4 * np.sin(2 * np.pi * 220.0 * t) + 0.2 * np.sin(2 * np.pi * 660.0 * t)
    f0, f1 = 100.0, 0.45 * sample_rate
    x += 0.2 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) / (2 * seconds) * t * t))
    x += 0.1 * (1 + np.sin(2 * np.pi * 3 * t)) * np.sin(2 * np.pi * 1500.0 * t)
    x += 0.05 * np.random.default_rng(1234).standard_normal(t.shape)
    x *= np.minimum(1.0, t / 0.05)  # a fade-in, so the quiet start exercises the top_db floor
    return x.astype(np.float32)


def transform(kind, o):
    common = dict(n_fft=o["n_fft"], win_length=o.get("win_length"), hop_length=o.get("hop_length"),
                  power=o.get("power", 2.0), center=True, pad_mode="reflect")
    if kind == "spectrogram":
        t = torchaudio.transforms.Spectrogram(**common)
    else:
        mel = dict(sample_rate=o["sample_rate"], f_min=o.get("f_min", 0.0), f_max=o.get("f_max"),
                   n_mels=o.get("n_mels", 128), norm=o.get("norm"), mel_scale=o.get("mel_scale", "htk"), **common)
        if kind == "mel":
            t = torchaudio.transforms.MelSpectrogram(**mel)
        else:
            t = torchaudio.transforms.MFCC(sample_rate=o["sample_rate"], n_mfcc=o.get("n_mfcc", 40),
                                           log_mels=o.get("log") == "log", melkwargs={
                                               k: v for k, v in mel.items() if k != "sample_rate"})
            return t
    log = o.get("log", "db")
    if log == "db":
        stype = "power" if o.get("power", 2.0) == 2.0 else "magnitude"
        return torch.nn.Sequential(t, torchaudio.transforms.AmplitudeToDB(stype, top_db=o.get("top_db")))
    return t


# Settings cover: power/magnitude, dB with and without top_db, none, HTK/Slaney scale and norm,
# win_length < n_fft, f_min/f_max, torchaudio's 16 kHz defaults, and MFCC with dB or log mels.
CASES = [
    ("spec_power_db", "spectrogram", 8000, dict(n_fft=256, hop_length=80, log="db", top_db=80.0)),
    ("spec_magnitude_short_window", "spectrogram", 8000,
     dict(n_fft=256, win_length=200, hop_length=64, power=1.0, log="none")),
    ("mel_htk_db", "mel", 8000, dict(n_fft=256, hop_length=80, n_mels=64, log="db", top_db=80.0)),
    ("mel_slaney_norm_magnitude", "mel", 8000,
     dict(n_fft=256, hop_length=80, n_mels=40, f_min=20.0, f_max=3800.0, mel_scale="slaney", norm="slaney",
          power=1.0, log="db")),
    ("mel_defaults_16k", "mel", 16000, dict(n_fft=400, n_mels=128, log="none")),
    ("mfcc_db", "mfcc", 8000, dict(n_fft=256, hop_length=80, n_mels=64, n_mfcc=20, log="db", top_db=80.0)),
    ("mfcc_log_mels_slaney", "mfcc", 8000,
     dict(n_fft=256, hop_length=80, n_mels=40, n_mfcc=13, mel_scale="slaney", log="log")),
]

FSDD_CLIPS = ["3_theo_7.wav", "8_yweweler_21.wav"]
FSDD_CASES = [
    ("mel_htk_db", "mel", 8000, dict(n_fft=256, hop_length=80, n_mels=64, log="db", top_db=80.0)),
    ("mfcc_db", "mfcc", 8000, dict(n_fft=256, hop_length=80, n_mels=64, n_mfcc=20, log="db", top_db=80.0)),
]


def write(name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(HERE, name))


def run(kind, o, signal, sr):
    with torch.no_grad():
        return transform(kind, dict(o, sample_rate=sr))(torch.from_numpy(signal)).numpy()


def main():
    manifest = {"error_measure": "max|ours - torchaudio| / max|torchaudio|", "tolerance": 1e-4,
                "torch": torch.__version__, "torchaudio": torchaudio.__version__, "cases": [], "fsdd": []}
    inputs = {}
    for name, kind, sr, o in CASES:
        key = "signal_%dk.f32" % (sr // 1000)
        if key not in inputs:
            inputs[key] = synthetic(sr, 0.5)
            write(key, inputs[key])
        out = run(kind, o, inputs[key], sr)
        write(name + ".f32", out)
        manifest["cases"].append(dict(name=name, kind=kind, options=dict(o, sample_rate=sr), input=key,
                                      output=name + ".f32", shape=list(out.shape)))
    data_dir = os.environ.get("ADAPT_DATA_DIR")
    if data_dir:
        import soundfile
        for clip in FSDD_CLIPS:
            path = os.path.join(data_dir, "audio/free-spoken-digit-dataset/recordings", clip)
            wave, sr = soundfile.read(path, dtype="float32")
            assert sr == 8000 and wave.ndim == 1 and len(wave) < 8000, (clip, sr, wave.shape)
            padded = np.zeros(8000, dtype=np.float32)  # the block pads a short clip at the end to 1 s
            padded[: len(wave)] = wave
            for name, kind, sr, o in FSDD_CASES:
                out = run(kind, o, padded, sr)
                fname = "fsdd_%s_%s.f32" % (clip[:-4], name)
                write(fname, out)
                manifest["fsdd"].append(dict(clip=clip, name=name, kind=kind, options=dict(o, sample_rate=sr),
                                             duration=1.0, output=fname, shape=list(out.shape)))
    else:
        print("ADAPT_DATA_DIR not set: FSDD fixtures not written", file=sys.stderr)
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()

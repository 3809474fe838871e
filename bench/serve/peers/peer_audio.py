"""Audio peer: the audio.mel block (audio/src/feature_block.cpp, feature_extractor.cpp) and audio.cnn
(audio/src/models.cpp).

Preprocessing, per clip: the file decoded by libsndfile (soundfile; integers scaled to [-1, 1), the
channels averaged), resampled to the block's rate by libsamplerate's sinc converter of the recipe's
quality when the file has another rate (ctypes; the plugin's own library, so the samples agree), then
the centred crop or the zero padding at the end to `n_samples`. Features, per batch: torchaudio's
MelSpectrogram with the block's settings (centred frames, reflect padding, a periodic Hann window,
|X|^power, HTK or Slaney mel filters), the log (dB with amin 1e-10 and top_db below each clip's
maximum, or ln(x + 1e-6)), then the block's normalisation (per-band mean and standard deviation
learned on train, or each image to mean 0 and standard deviation 1).
Model: input BatchNorm, conv3x3-BN-ReLU stages with 2x2 max pooling (ceil mode) between them, mean
and max over the image concatenated, then the linear head."""
import ctypes
import ctypes.util

import numpy as np
import soundfile
import torch
import torchaudio
from torch import nn


class _SrcData(ctypes.Structure):  # SRC_DATA of samplerate.h
    _fields_ = [("data_in", ctypes.POINTER(ctypes.c_float)), ("data_out", ctypes.POINTER(ctypes.c_float)),
                ("input_frames", ctypes.c_long), ("output_frames", ctypes.c_long),
                ("input_frames_used", ctypes.c_long), ("output_frames_gen", ctypes.c_long),
                ("end_of_input", ctypes.c_int), ("src_ratio", ctypes.c_double)]


CONVERTERS = {"best": 0, "medium": 1, "fastest": 2}  # SRC_SINC_BEST_QUALITY, _MEDIUM_, _FASTEST


def resample(wave, ratio, quality):
    """libsamplerate's src_simple on a mono float32 array, as audio/src/audio_file.cpp calls it."""
    if ratio == 1.0 or wave.size == 0:
        return wave
    name = ctypes.util.find_library("samplerate")
    if name is None:
        raise RuntimeError("peer_audio: libsamplerate is needed to resample (apt-get install libsamplerate0)")
    lib = ctypes.CDLL(name)
    wave = np.ascontiguousarray(wave, dtype=np.float32)
    out = np.zeros(int(np.ceil(wave.size * ratio)) + 16, dtype=np.float32)
    data = _SrcData(wave.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                    out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), wave.size, out.size, 0, 0, 1, ratio)
    err = lib.src_simple(ctypes.byref(data), CONVERTERS[quality], 1)
    if err:
        raise RuntimeError(f"peer_audio: resampling by {ratio} failed (libsamplerate error {err})")
    return out[: data.output_frames_gen]


class Clips:
    def __init__(self, state, dims, options):
        if state["kind"] != "mel":
            raise SystemExit(f"peer_audio: the {state['kind']} block is not replicated here (audio.mel is)")
        f = state["features"]
        self.column, self.quality = options["column"], options["resample_quality"]
        self.rate, self.n_samples = f["sample_rate"], dims["n_samples"]
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=f["sample_rate"], n_fft=f["n_fft"], win_length=f["win_length"], hop_length=f["hop_length"],
            f_min=f["f_min"], f_max=f["f_max"], n_mels=f["n_mels"], power=f["power"], center=f["center"],
            pad_mode=f["pad_mode"], norm="slaney" if f["norm"] == "slaney" else None, mel_scale=f["mel_scale"])
        self.log, self.top_db = f["log"], f["top_db"]
        self.db_multiplier = 10.0 if f["power"] == 2.0 else 20.0
        self.normalize = options["normalize"]
        if self.normalize == "global":
            self.mean = torch.tensor(state["mean"]).reshape(-1, 1)
            self.std = torch.tensor(state["std"]).reshape(-1, 1)

    def wave(self, path):
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
        mono = samples[:, 0] if samples.shape[1] == 1 else samples.mean(1, dtype=np.float64).astype(np.float32)
        if rate != self.rate:
            mono = resample(mono, self.rate / rate, self.quality)
        out = np.zeros(self.n_samples, dtype=np.float32)
        if mono.size >= self.n_samples:
            start = (mono.size - self.n_samples) // 2
            out[:] = mono[start:start + self.n_samples]
        else:
            out[: mono.size] = mono
        return out

    def encode(self, items):
        paths = [item if isinstance(item, str) else item[self.column] for item in items]
        x = self.mel(torch.from_numpy(np.stack([self.wave(p) for p in paths]))).unsqueeze(1)  # [B, 1, mels, frames]
        if self.log == "db":
            x = self.db_multiplier * torch.log10(x.clamp(min=1e-10))
            if self.top_db > 0:
                x = torch.max(x, x.amax(dim=(1, 2, 3), keepdim=True) - self.top_db)
        elif self.log == "log":
            x = torch.log(x + 1e-6)
        if self.normalize == "global":
            x = (x - self.mean) / self.std
        elif self.normalize == "example":
            flat = x.flatten(1)
            x = (x - flat.mean(1).view(-1, 1, 1, 1)) / flat.std(1).clamp(min=1e-5).view(-1, 1, 1, 1)
        return (x,)


class AudioCnn(nn.Module):
    def __init__(self, channels, n_outputs, input_norm):
        super().__init__()
        self.input_bn = nn.BatchNorm2d(1) if input_norm else None
        layers, width = [], 1
        for i, c in enumerate(channels):
            layers += [nn.Conv2d(width, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            if i + 1 < len(channels):
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            width = c
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(2 * width, n_outputs)

    def forward(self, x):
        if self.input_bn is not None:
            x = self.input_bn(x)
        x = self.body(x)
        return self.head(torch.cat([x.mean((2, 3)), x.amax((2, 3))], 1))


def build(export):
    preprocess = Clips(export.state, export.dims, export.recipe["inputs"][0])
    options = export.recipe["model"]
    model = AudioCnn(options["channels"], export.weights["head.weight"].shape[0], options["input_norm"])
    model.load_state_dict(export.weights)
    return preprocess, model

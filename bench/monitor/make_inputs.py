#!/usr/bin/python3
"""Writes the recipes and the input files of bench/monitor/run.sh's audio, protein and recsys models.
  make_inputs.py DATA_DIR OUT_DIR ROWS CLIPS [SEQUENCES]
Recipes (the plugins' real models and preprocessing; 2 epochs: their accuracy does not matter here,
their size does):
  OUT/audio.json    audio.mel + audio.cnn on FSDD (recipes/audio-fsdd.json's settings), from OUT/fsdd.csv
  OUT/protein.json  protein.sequence + protein.cnn on AMP Scanner v2 (bench/protein's CNN: emb 64,
                    128 channels, kernel 9, dilations 1/2/4, max_len 200)
  OUT/recsys.json   recsys.ids + recsys.dot_bias on MovieLens latest-small (bench/recsys's 50 factors,
                    y_range [0, 5.5]; a fifth of the ratings held out)
Inputs, each a CSV whose header names the column the model reads:
  OUT/audio_rows.csv    CLIPS FSDD clips (path), each clip once while CLIPS <= 3,000
  OUT/protein_rows.csv  SEQUENCES (default ROWS) AMP sequences (sequence), every part's records repeated
  OUT/recsys_rows.csv   ROWS MovieLens (user, item) pairs of ratings.csv, repeated past its 100,836"""
import csv
import itertools
import json
import sys
from pathlib import Path

data, out, rows, clips = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sequences_n = int(sys.argv[5]) if len(sys.argv) > 5 else rows
out.mkdir(parents=True, exist_ok=True)
train = {"schedule": "one_cycle", "epochs": 2}
wavs = sorted((data / "audio/free-spoken-digit-dataset/recordings").glob("*.wav"))
amp = data / "protein/amp-scanner-v2"
ratings = data / "recsys/movielens-latest-small/ratings.csv"

recipes = {
    "audio": {
        "seed": 42,
        "reader": {"name": "audio.csv", "path": str(out / "fsdd.csv")},
        "splitter": {"name": "core.by_column", "column": "split", "valid_values": []},
        "inputs": [{"name": "audio.mel", "sample_rate": 8000, "duration": 1.0, "n_fft": 256, "hop_length": 80,
                    "n_mels": 64, "normalize": "global", "random_crop": False}],
        "target": {"name": "core.category", "column": "label"},
        "loader": {"batch_size": 64, "workers": 1},
        "model": {"name": "audio.cnn", "channels": [32, 64, 128, 256], "dropout": 0.3},
        "metrics": ["core.accuracy"],
        "train": dict(train, lr=4e-3),
    },
    "protein": {
        "seed": 42,
        "reader": {"name": "protein.fasta", "path": str(amp), "file_pattern": "\\.fa$", "label_from": "file",
                   "split_pattern": "\\.(tr|eval|te)\\.fa$"},
        "splitter": {"name": "core.by_column", "column": "split", "train_values": ["tr"], "valid_values": ["eval"],
                     "test_values": ["te"]},
        "inputs": [{"name": "protein.sequence", "max_len": 200}],
        "target": {"name": "core.category", "column": "label"},
        "loader": {"batch_size": 32},
        "model": {"name": "protein.cnn", "emb_dim": 64, "channels": 128, "kernel_size": 9, "dilations": [1, 2, 4],
                  "dropout": 0.3},
        "metrics": ["core.accuracy"],
        "train": dict(train, lr=2e-3, wd=0.05),
    },
    "recsys": {
        "seed": 42,
        "reader": {"name": "recsys.interactions", "path": str(ratings), "rating_min": 0.5, "rating_max": 5.0},
        "splitter": {"name": "core.random", "valid_pct": 0.2},
        "inputs": [{"name": "recsys.ids"}],
        "target": {"name": "recsys.rating", "min": 0.5, "max": 5.0},
        "loader": {"batch_size": 64},
        "model": {"name": "recsys.dot_bias", "n_factors": 50, "y_range": [0.0, 5.5]},
        "metrics": ["core.rmse"],
        "train": dict(train, lr=5e-3, wd=0.1),
    },
}
for name, recipe in recipes.items():
    (out / f"{name}.json").write_text(json.dumps(recipe, indent=1))


def write(path, header, records, n):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(itertools.islice(itertools.cycle(records), n))


# FSDD's file names are DIGIT_SPEAKER_INDEX.wav; recordings 0-4 are the upstream test part.
fsdd = []
for wav in wavs:
    digit, speaker, index = wav.stem.split("_")
    fsdd.append([str(wav), digit, speaker, "test" if int(index) <= 4 else "train"])
write(out / "fsdd.csv", ["path", "label", "speaker", "split"], fsdd, len(fsdd))
write(out / "audio_rows.csv", ["path"], [[str(w)] for w in wavs], clips)

sequences = []
for fasta in sorted(amp.glob("*.fa")):
    lines = fasta.read_text().splitlines()
    for is_header, group in itertools.groupby(lines, key=lambda line: line.startswith(">")):
        if not is_header:
            sequences.append(["".join(line.strip() for line in group)])
write(out / "protein_rows.csv", ["sequence"], sequences, sequences_n)

with open(ratings, newline="") as f:
    pairs = [[r["userId"], r["movieId"]] for r in csv.DictReader(f)]
write(out / "recsys_rows.csv", ["user", "item"], pairs, rows)

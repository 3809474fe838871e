#!/usr/bin/python3
"""The PyTorch peer of `adapt predict`: the same model and weights (written by bench_serve_export;
preprocessing and modules rebuilt by bench/serve/peers/serve_peer.py and its modality modules: UCI
Adult's table model, the SMS text classifier, the FSDD audio CNN, the AMP protein CNN, MovieLens'
dot-bias model), read from a CSV in chunks of 2,048 rows, predicted in batches of 256 (adapt's
kPredictBatchSize), each prediction written as a CSV line: its label and probabilities (in the target
vocabulary's order) for a classifier, its value for a rating. Prints rows/s and peak resident memory.
  PEER_MODEL_DIR=DIR predict_loop.py ROWS.csv OUT.csv [THREADS]
"""
import csv
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "serve" / "peers"))
import torch  # noqa: E402

torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
os.environ.setdefault("PEER_THREADS", str(torch.get_num_threads()))
import serve_peer  # noqa: E402  (builds PREPROCESS and MODEL from PEER_MODEL_DIR)

rows_file, out_file = sys.argv[1], sys.argv[2]
labels = serve_peer.LABELS
start = time.perf_counter()
n = 0
with open(rows_file, newline="") as f, open(out_file, "w", newline="") as out, torch.no_grad():
    reader = csv.DictReader(f)
    writer = csv.writer(out)
    writer.writerow(["input", "label", "probabilities"] if labels is not None else ["input", "value"])
    chunk = []
    def flush(items):
        for b in range(0, len(items), 256):
            batch = items[b:b + 256]
            p = serve_peer.scores(serve_peer.MODEL(*serve_peer.PREPROCESS.encode(batch)))
            if labels is None:
                writer.writerows([n + b + i, f"{v:.6g}"] for i, v in enumerate(p.tolist()))
                continue
            for i, row in enumerate(p.tolist()):
                best = max(range(len(row)), key=row.__getitem__)
                writer.writerow([n + b + i, labels[best], ";".join(f"{v:.6g}" for v in row)])
    for row in reader:
        chunk.append(row)
        if len(chunk) == 2048:
            flush(chunk)
            n += len(chunk)
            chunk = []
    flush(chunk)
    n += len(chunk)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"peer: {n} rows in {seconds:.1f} s = {n / seconds:.0f} rows/s, peak RSS {peak_mb:.0f} MB")

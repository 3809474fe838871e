#!/usr/bin/python3
"""Checks that the peer predicts what `adapt predict` predicts on the same rows: the first ROWS lines
of adapt's --out CSV (input,label,prediction,...,error) against predict_loop.py's, in order. A
classifier's labels must be identical and every probability within TOL (matched by class name: the
export's target vocabulary orders the peer's); a rating must be within TOL. Prints the largest
difference; exits 1, naming the first disagreeing rows, when they differ or a row failed.
  agree.py NAME ADAPT_PREDS.csv PEER_PREDS.csv PEER_MODEL_DIR [ROWS] [TOL]
"""
import csv
import itertools
import json
import sys
from pathlib import Path

name, adapt_file, peer_file, model_dir = sys.argv[1:5]
rows = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
tol = float(sys.argv[6]) if len(sys.argv) > 6 else 1e-4
labels = json.loads((Path(model_dir) / "model.json").read_text())["blocks"]["y"].get("vocab")

worst, compared, problems = 0.0, 0, []
with open(adapt_file, newline="") as a, open(peer_file, newline="") as p:
    for ours, theirs in itertools.islice(zip(csv.DictReader(a), csv.DictReader(p)), rows):
        compared += 1
        where = f"{ours['input']} (peer row {theirs['input']})"
        if ours["error"]:
            problems.append(f"{where}: adapt failed: {ours['error']}")
            continue
        prediction = json.loads(ours["prediction"])
        if labels is None:
            diff = abs(prediction["rating"] - float(theirs["value"]))
        else:
            if prediction["label"] != theirs["label"]:
                problems.append(f"{where}: label {prediction['label']!r} against the peer's {theirs['label']!r}")
            peer = dict(zip(labels, map(float, theirs["probabilities"].split(";"))))
            diff = max(abs(prediction["probabilities"][k] - peer[k]) for k in labels)
        worst = max(worst, diff)
        if diff > tol:
            problems.append(f"{where}: differs by {diff:.3g} (adapt {ours['prediction']}, peer {theirs})")
if compared == 0:
    problems.append("no rows to compare")
print(f"agreement {name}: {compared} rows, max |adapt - peer| {worst:.3g}"
      + (", labels identical" if labels is not None and not problems else ""))
if problems:
    print(f"agreement {name}: FAILED, {len(problems)} problems (tolerance {tol:g}):", *problems[:10], sep="\n  ")
    sys.exit(1)

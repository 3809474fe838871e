"""RMSE of an adapt MovieLens run on all ratings of a part and on its cold ones (the movie has at most
5 ratings in training), predicting through `adapt predict` from JSON lines of (userId, movieId): the
title and genres come from the export's joined movies.csv.
Usage: movielens_cold.py ADAPT RUN_DIR DATA_DIR [PART]   (PART: valid or test; default valid)
"""
import collections
import csv
import json
import math
import subprocess
import sys

adapt, run, D = sys.argv[1], sys.argv[2], sys.argv[3] + "/recsys/movielens-latest-small"
PART = sys.argv[4] if len(sys.argv) > 4 else "valid"
rows = list(csv.DictReader(open(D + "/ratings.csv")))
split = list(csv.DictReader(open(run + "/split.csv")))
assert len(rows) == len(split)
count = collections.Counter(r["movieId"] for r, s in zip(rows, split) if s["part"] == "train")
test = [r for r, s in zip(rows, split) if s["part"] == PART]
with open(run + "/rows.jsonl", "w") as f:
    for r in test:
        f.write(json.dumps({"userId": r["userId"], "movieId": r["movieId"]}) + "\n")
out = subprocess.run([adapt, "--json", "predict", run + "/model.adapt", run + "/rows.jsonl"],
                     capture_output=True, text=True, check=True).stdout
preds = json.loads(out)
assert len(preds) == len(test), (len(preds), len(test))
def value(p):
    p = p["prediction"]
    return float(p["rating"] if isinstance(p, dict) else p)
se_all = se_cold = 0; n_cold = 0
for r, p in zip(test, preds):
    e = (value(p) - float(r["rating"])) ** 2
    se_all += e
    if count[r["movieId"]] <= 5: se_cold += e; n_cold += 1
print(f"{run}: all {math.sqrt(se_all/len(test)):.4f} cold {math.sqrt(se_cold/n_cold):.4f} ({n_cold} of {len(test)} cold)")

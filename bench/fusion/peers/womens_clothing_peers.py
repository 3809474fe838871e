"""Peers of the Women's Clothing fusion bench, scored on the rows adapt's run used.

Reads the run directory's split.csv (row, origin, part), so each peer fits on exactly adapt's
training rows and is scored on its test rows: TF-IDF of Title + Review Text with one-hot Division /
Department / Class and scaled Age / Positive Feedback Count, then logistic regression (ridge for
Rating) and XGBoost. Prints one line per model with the test metrics, and adapt's own rows from
metrics.json beside them. PART (default test) scores the valid part instead while the test part is
sealed (the peers choose nothing; adapt's rows then come from its valid scores).
Usage: womens_clothing_peers.py RUN_DIR CSV TARGET [PART]   (TARGET: "Recommended IND" or "Rating")
"""
import json
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, f1_score, r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

run_dir, csv_path, target = sys.argv[1], sys.argv[2], sys.argv[3]
part = sys.argv[4] if len(sys.argv) > 4 else "test"
frame = pd.read_csv(csv_path, keep_default_na=False, dtype=str)
split = pd.read_csv(f"{run_dir}/split.csv", keep_default_na=False)
assert len(split) == len(frame), f"split.csv has {len(split)} rows, the CSV {len(frame)}: not the same records"
train = split.part.values == "train"
test = split.part.values == part

frame["text"] = frame["Title"] + " xxfld " + frame["Review Text"]
for c in ["Age", "Positive Feedback Count"]:
    frame[c] = pd.to_numeric(frame[c])
features = ColumnTransformer([
    ("text", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "text"),
    ("cat", OneHotEncoder(handle_unknown="ignore"), ["Division Name", "Department Name", "Class Name"]),
    ("num", StandardScaler(), ["Age", "Positive Feedback Count"]),
])
x_train = features.fit_transform(frame[train])
x_test = features.transform(frame[test])
classification = target == "Recommended IND"
y = frame[target].astype(int).values
y_train, y_test = y[train], y[test]


def report(name, scores):
    print(f"{name:40s} " + "  ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)


def classification_scores(p):
    return {"auroc": roc_auc_score(y_test, p), "f1_macro": f1_score(y_test, p > 0.5, average="macro"),
            "accuracy": accuracy_score(y_test, p > 0.5)}


if classification:
    linear = LogisticRegression(C=4.0, max_iter=2000).fit(x_train, y_train)
    report("peer: TF-IDF + one-hot logistic", classification_scores(linear.predict_proba(x_test)[:, 1]))
    boosted = xgboost.XGBClassifier(n_estimators=400, max_depth=6, learning_rate=0.1, n_jobs=2, tree_method="hist")
    boosted.fit(sp.csr_matrix(x_train), y_train)
    report("peer: XGBoost on the same features", classification_scores(boosted.predict_proba(sp.csr_matrix(x_test))[:, 1]))
else:
    ridge = Ridge(alpha=1.0).fit(x_train, y_train)
    report("peer: ridge on TF-IDF + one-hot", {"r2": r2_score(y_test, ridge.predict(x_test))})
    boosted = xgboost.XGBRegressor(n_estimators=400, max_depth=6, learning_rate=0.1, n_jobs=2, tree_method="hist")
    boosted.fit(sp.csr_matrix(x_train), y_train)
    report("peer: XGBoost on the same features", {"r2": r2_score(y_test, boosted.predict(sp.csr_matrix(x_test)))})

with open(f"{run_dir}/metrics.json") as f:
    metrics = json.load(f)
rows = {"adapt: fused network": metrics["metrics"].get(part, {})}
for name, entry in metrics["baselines"].items():
    rows["adapt: " + name] = entry.get(part, {})
for name, scores in rows.items():
    report(name, {k: v for k, v in scores.items() if k != "loss"})

#!/usr/bin/python3
"""Writes the bench's recipes and request bodies from the shared data.
  make_inputs.py DATA_DIR OUT_DIR EPOCHS_SCALE
OUT/sms.json, OUT/adult.json: the recipes of tests/text/test_text_real_data.cpp and
tests/tabular/test_adult.cpp (baselines and reports dropped; epochs times EPOCHS_SCALE, at least 1).
OUT/sms.bodies, OUT/adult.bodies: one request a line, one input each, from the data's first rows
(SMS texts; adult.test rows).
OUT/audio.bodies, OUT/protein.bodies, OUT/recsys.bodies where bench/monitor/make_inputs.py wrote
OUT/NAME_rows.csv: its first 1,000 rows, one a request, as objects by column (a clip's path, a
sequence, a user and an item)."""
import csv
import itertools
import json
import sys
from pathlib import Path

data, out, scale = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
sms_file = data / "text/sms-spam-collection/SMSSpamCollection"
adult = data / "tabular/uci-adult"
columns = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
           "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"]
sms = {
    "seed": 42,
    "reader": {"name": "text.csv", "path": str(sms_file), "delimiter": "tab", "header": False,
               "column_names": ["label", "text"], "quoting": False, "drop_duplicates": True},
    "splitter": {"name": "core.stratified", "column": "label", "valid_pct": 0.0, "test_pct": 0.2},
    "inputs": [{"name": "text.tokens", "vocab_size": 4000, "max_tokens": 200}],
    "target": {"name": "core.category", "column": "label"},
    "transforms": [{"name": "text.token_dropout", "rate": 0.05}],
    "loader": {"batch_size": 32, "sampler": "bucket"},
    "model": {"name": "text.awd_lstm_classifier", "emb_size": 128, "hidden_size": 256, "n_layers": 1,
              "bidirectional": True, "drop_mult": 0.3},
    "metrics": ["core.accuracy"],
    "train": {"schedule": "one_cycle", "epochs": max(1, round(6 * scale)), "lr": 5e-3},
}
adult_recipe = {
    "seed": 42,
    "reader": {"name": "tabular.csv", "path": str(adult / "adult.data"), "test_path": str(adult / "adult.test"),
               "header": False, "column_names": columns, "comment": "|", "strip_suffix": ".", "valid_pct": 0.2},
    "splitter": {"name": "core.by_column", "column": "split"},
    "inputs": [{"name": "tabular.table",
                "cat_names": ["workclass", "education", "marital-status", "occupation", "relationship", "race",
                              "sex", "native-country", "capital-gain", "capital-loss"],
                "cont_names": ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"],
                "log_names": ["fnlwgt", "capital-gain", "capital-loss"]}],
    "target": {"name": "core.category", "column": "income"},
    "loader": {"batch_size": 256},
    "model": {"name": "tabular.model", "layers": [200, 100]},
    "metrics": ["core.accuracy"],
    "train": {"schedule": "one_cycle", "epochs": max(1, round(5 * scale)), "lr": 1e-2, "wd": 0.01},
}
out.mkdir(parents=True, exist_ok=True)
(out / "sms.json").write_text(json.dumps(sms, indent=1))
(out / "adult.json").write_text(json.dumps(adult_recipe, indent=1))
texts = [line.split("\t", 1)[1].rstrip("\n") for line in sms_file.open(encoding="utf-8", errors="replace")][:1000]
(out / "sms.bodies").write_text("".join(json.dumps({"inputs": [t]}) + "\n" for t in texts))
rows = [line.strip() for line in (adult / "adult.test").open() if line.strip() and not line.startswith("|")][:1000]
(out / "adult.bodies").write_text("".join(json.dumps({"inputs": [r]}) + "\n" for r in rows))
for name in ("audio", "protein", "recsys"):
    if (out / f"{name}_rows.csv").exists():
        with open(out / f"{name}_rows.csv", newline="") as f:
            records = list(itertools.islice(csv.DictReader(f), 1000))
        (out / f"{name}.bodies").write_text("".join(json.dumps({"inputs": [r]}) + "\n" for r in records))

#!/bin/sh
# adapt inspect's performance targets (issue 20): UCI Adult (48,842 rows) in <= 10 s and FSDD (3,000
# clips) in <= 30 s, label issues included, on a 2-core machine. Run on an idle machine:
#   ADAPT_DATA_DIR=/path/to/shared/data bench/inspect/run.sh [build-dir]
# Writes the recipes to a temporary folder, times `adapt inspect` on each with /usr/bin/time, and
# prints the label-issue precision/recall of the real-data tests (tests/inspect).
set -eu
build=${1:-build}
data=${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR to the shared data folder}
adapt="$build/bin/adapt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/adult.json" <<JSON
{"seed": 42,
 "reader": {"name": "tabular.csv", "path": "$data/tabular/uci-adult/adult.data",
            "test_path": "$data/tabular/uci-adult/adult.test", "header": false,
            "column_names": ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
                             "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
                             "hours-per-week", "native-country", "income"],
            "comment": "|", "strip_suffix": ".", "valid_pct": 0.2},
 "splitter": {"name": "core.by_column", "column": "split"},
 "inputs": [{"name": "tabular.table",
             "cat_names": ["workclass", "education", "marital-status", "occupation", "relationship", "race",
                           "sex", "native-country"],
             "cont_names": ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]}],
 "target": {"name": "core.category", "column": "income"},
 "model": {"name": "tabular.model"},
 "train": {"epochs": 1},
 "baselines": [{"name": "tabular.linear"}]}
JSON

echo "path,label,speaker" > "$tmp/fsdd.csv"
for f in "$data"/audio/free-spoken-digit-dataset/recordings/*.wav; do
  stem=$(basename "$f" .wav)
  echo "$f,${stem%%_*},$(echo "$stem" | cut -d_ -f2)" >> "$tmp/fsdd.csv"
done
cat > "$tmp/fsdd.json" <<JSON
{"seed": 42,
 "reader": {"name": "audio.csv", "path": "$tmp/fsdd.csv"},
 "splitter": {"name": "core.stratified", "column": "label", "valid_pct": 0.2},
 "inputs": [{"name": "audio.mel", "sample_rate": 8000, "duration": 1.0, "n_fft": 256, "hop_length": 80,
             "n_mels": 64}],
 "target": {"name": "core.category", "column": "label"},
 "model": {"name": "audio.cnn"},
 "train": {"epochs": 1},
 "baselines": [{"name": "audio.band_stats"}],
 "inspect": {"groups": ["speaker"]}}
JSON

uptime
for name in adult fsdd; do
  echo "== adapt inspect $name"
  /usr/bin/time -f "$name: %e s wall, %M kB peak" "$adapt" --threads 2 inspect "$tmp/$name.json" \
    --out "$tmp/$name-report" > "$tmp/$name.log"
  head -3 "$tmp/$name.log"
done
echo "== label-issue precision/recall (SMS Spam, UCI Adult with 5% flips)"
ADAPT_DATA_DIR="$data" "$build/bin/adapt_inspect_tests" \
  --gtest_filter='InspectRealData.SmsSpam*:InspectRealData.Adult*' | grep -E "flips|inspect took|OK|FAILED"

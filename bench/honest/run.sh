#!/usr/bin/env bash
# Honest-evaluation figures on the shipped real datasets (issue 21), on an idle machine:
#  1. `adapt sanity` on every recipe in recipes/ (shuffled labels and noise inputs must stay at chance;
#     the real model must beat its noise run), at the default short budget (3 epochs per phase);
#  2. calibration of the classifiers with a validation part: SMS Spam (10% of the rows carved as valid)
#     and AMP Scanner v2 (its "eval" file as valid), each a final run (--final) so that the ECE before
#     and after temperature scaling is measured on the test part, which the temperature never saw.
# Usage: bench/honest/run.sh [BUILD_DIR]   (ADAPT_DATA_DIR defaults to ../shared/data)
# Writes bench/honest/results/*.json and prints one line per figure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
adapt="$build/bin/adapt"
data=${ADAPT_DATA_DIR:-$repo/../shared/data}
out="$repo/bench/honest/results"
mkdir -p "$out"
export ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins"

"$repo/recipes/audio-fsdd-csv.sh" "$data/audio/free-spoken-digit-dataset/recordings" "$repo/runs/fsdd/fsdd.csv"
for recipe in "$repo"/recipes/*.json; do
  name=$(basename "$recipe" .json)
  start=$(date +%s)
  "$adapt" --json sanity "$recipe" >"$out/sanity-$name.json" 2>"$out/sanity-$name.log" || true
  python3 - "$out/sanity-$name.json" "$name" "$(($(date +%s) - start))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"sanity {sys.argv[2]}: {r['metric']} chance {r['chance']:.4f} +- {r['tolerance']:.4f}; real {r['real']:.4f}, "
      f"shuffled labels {r['shuffled_labels']:.4f}, noise inputs {r['noise_inputs']:.4f}; "
      f"{'passed' if r['passed'] else 'FAILED'} ({sys.argv[3]} s; {r['validation']})")
for f in r['findings']:
    print("   ", f)
PY
done

# Calibration: a validation part for the temperature, the test part to judge it.
python3 - "$repo" "$out" <<'PY'
import json, re, sys, pathlib
repo, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def load(name):  # the recipes hold // comments; paths become absolute
    text = re.sub(r'(?m)^\s*//.*$|\s//\s.*$', '', (repo / "recipes" / name).read_text())
    recipe = json.loads(text)
    path = recipe["reader"]["path"]
    recipe["reader"]["path"] = str((repo / "recipes" / path).resolve())
    return recipe
sms = load("text-sms.json")
sms["splitter"].update({"valid_pct": 0.1})
amp = load("protein-amp.json")
amp["splitter"].update({"train_values": ["tr"], "valid_values": ["eval"]})
for name, recipe in (("sms", sms), ("amp", amp)):
    (out / f"calibration-{name}.recipe.json").write_text(json.dumps(recipe, indent=2))
PY
for name in sms amp; do
  "$adapt" train "$out/calibration-$name.recipe.json" --final --force --out "$out/calibration-$name" \
    >"$out/calibration-$name.log" 2>&1
  python3 - "$out/calibration-$name/metrics.json" "$name" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["calibration"]
print(f"calibration {sys.argv[2]}: temperature {c['temperature']:.3f}; ECE valid {c['valid']['ece_before']:.4f} -> "
      f"{c['valid']['ece_after']:.4f}, test {c['test']['ece_before']:.4f} -> {c['test']['ece_after']:.4f}")
PY
done

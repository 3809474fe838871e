#!/usr/bin/env bash
# The Free Spoken Digit Dataset comes as one folder of DIGIT_SPEAKER_INDEX.wav files: this writes the
# CSV that recipes/audio-fsdd.json reads (path,label,speaker,split), with the upstream README's test
# part (recordings 0-4 of every digit and speaker; the rest trains).
#   recipes/audio-fsdd-csv.sh [RECORDINGS_DIR] [OUT_CSV]
# Defaults: ../shared/data/audio/free-spoken-digit-dataset/recordings beside the checkout, and
# runs/fsdd/fsdd.csv in the checkout (where the recipe looks for it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
recordings=$(cd "${1:-$repo/../shared/data/audio/free-spoken-digit-dataset/recordings}" && pwd)
out=${2:-$repo/runs/fsdd/fsdd.csv}
mkdir -p "$(dirname "$out")"
{
  echo "path,label,speaker,split"
  for file in "$recordings"/*.wav; do
    IFS=_ read -r digit speaker index <<<"$(basename "$file" .wav)"
    if ((index <= 4)); then part=test; else part=train; fi
    echo "$file,$digit,$speaker,$part"
  done
} >"$out"
echo "wrote $out ($(($(wc -l <"$out") - 1)) clips)"

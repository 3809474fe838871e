#!/bin/sh
# Issue 22's performance targets, side by side in one run (run on an idle machine):
#  - `adapt predict` on 1M UCI Adult rows: resident memory <= 300 MB, rows/s >= 3x a PyTorch-Python
#    loop with the same model, weights and batch size (peers/predict_loop.py, torch at 1 and 2 threads);
#  - `adapt drift` on 10,000 Adult rows in <= 5 s;
#  - per modality (issue 26: >= 2x the loop), `adapt predict` against the same loop on the same weights:
#      sms      the SMS Spam text classifier (text.awd_lstm_classifier), 100,000 messages (the collection
#               repeated);
#      audio    an FSDD spoken-digit CNN (audio.mel + audio.cnn), 3,000 clips (every clip once);
#      protein  the AMP Scanner v2 CNN (protein.sequence + protein.cnn), 20,000 sequences (repeated;
#               compute-bound: 100,000 took adapt 5 minutes at one thread);
#      recsys   a MovieLens latest-small dot-bias model (recsys.ids + recsys.dot_bias), 1,000,000
#               (user, item) pairs of ratings.csv (repeated); its output is the rating, not a label.
# Each side prints its loop's rows/s (from the first row read to the last written: `adapt predict
# --out` in its closing line on stderr, the peer on stdout; both leave out their start, LibTorch's
# load and the model's), and /usr/bin/time its whole process beside it. "adapt start-up" times the
# same command on the first row alone. bench/summarize.py sets them side by side three ways: loop
# against loop, process against process, and adapt's process against the peer's loop; rounds.sh runs
# one model's pair again in interleaved rounds and gives the median of each.
#    make_inputs.py writes the audio, protein and recsys recipes (2 epochs each: speed depends on the
#    model's size, not on its accuracy) and their inputs; each model trains once (kept in WORK/NAME).
# After each pair of runs, peers/agree.py checks that both sides predicted the same (the first 5,000
# rows: labels identical, probabilities and ratings within 1e-4) and stops the script when not.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPT_BUILD_BENCH=ON
#   ninja -C build adapt adapt_tabular adapt_text adapt_audio adapt_protein adapt_recsys bench_serve_export
#   bench/monitor/run.sh build /work/shared/data
# WORK=DIR keeps the models, inputs and predictions between runs (default: a new temporary folder);
# ROWS=N predicts N rows (clips) of every model instead, a quick check that the peers agree.
# MODELS="audio protein" runs only those of adult (with drift), sms, audio, protein, recsys.
set -eu
wanted() { case " ${MODELS:-adult sms audio protein recsys} " in *" $1 "*) return 0 ;; esac; return 1; }
build=${1:-build}
data=${2:?give the shared data folder}
here=$(cd "$(dirname "$0")" && pwd)
adapt="$build/bin/adapt"
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"

export_peer() {  # NAME: trains WORK/NAME.json once (into WORK/NAME), then writes its export for the peer
  [ -f "$work/$1/model.adapt" ] || "$adapt" train "$work/$1.json" --out "$work/$1" --force > "$work/train-$1.log"
  "$build/bin/bench_serve_export" "$work/$1/model.adapt" "$work/$1-peer"
}

# adapt predict and the peer's loop on the same rows, at 1 and 2 threads, each pair then checked.
compare() {  # NAME (WORK/NAME/model.adapt, WORK/NAME-peer) ROWS.csv
  head -n 2 "$2" > "$work/$1_one.csv"
  /usr/bin/time -f "adapt start-up $1 (the same command on one row): %e s" \
    "$adapt" --threads 2 predict "$work/$1/model.adapt" "$work/$1_one.csv" --out "$work/$1_one_preds.csv"
  for threads in 1 2; do
    /usr/bin/time -f "adapt predict $1 --threads $threads: %e s, peak RSS %M KB" \
      "$adapt" --threads "$threads" predict "$work/$1/model.adapt" "$2" --out "$work/$1_preds.csv"
    PEER_MODEL_DIR="$work/$1-peer" /usr/bin/time -f "peer process $1 --threads $threads: %e s" \
      /usr/bin/python3 "$here/peers/predict_loop.py" "$2" "$work/$1_peer_preds.csv" "$threads"
    /usr/bin/python3 "$here/peers/agree.py" "$1" "$work/$1_preds.csv" "$work/$1_peer_preds.csv" "$work/$1-peer" 5000
  done
}

/usr/bin/python3 "$here/../serve/make_inputs.py" "$data" "$work" 1
if wanted adult; then
export_peer adult

# 1M rows: adult.test's rows (comment line dropped) repeated, under a header naming the columns.
cols="age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income"
n=${ROWS:-1000000}
if [ ! -f "$work/rows.csv" ] || [ "$(wc -l < "$work/rows.csv")" -ne $((n + 1)) ]; then
  echo "$cols" > "$work/rows.csv"
  grep -v '^|' "$data/tabular/uci-adult/adult.test" | sed '/^\s*$/d; s/, /,/g; s/\.$//' > "$work/one.csv"
  while [ "$(wc -l < "$work/rows.csv")" -le "$n" ]; do cat "$work/one.csv" >> "$work/rows.csv"; done
  head -n $((n + 1)) "$work/rows.csv" > "$work/rows.tmp" && mv "$work/rows.tmp" "$work/rows.csv"
fi
echo "rows: $(($(wc -l < "$work/rows.csv") - 1))"
compare adult "$work/rows.csv"

# Drift on 10,000 rows of adult.test in the reader's own format.
grep -v '^|' "$data/tabular/uci-adult/adult.test" | head -n 10000 > "$work/drift10k.data"
/usr/bin/time -f "adapt drift (10,000 rows): %e s, peak RSS %M KB" \
  "$adapt" drift "$work/adult/model.adapt" "$work/drift10k.data" --out "$work/drift" || true
fi

# The SMS text classifier: 100,000 messages under a "text" header (CSV-quoted).
if wanted sms; then
export_peer sms
/usr/bin/python3 - "$data/text/sms-spam-collection/SMSSpamCollection" "$work/sms_rows.csv" "${ROWS:-100000}" <<'EOF'
import csv, itertools, sys
texts = [line.split("\t", 1)[1].rstrip("\n") for line in open(sys.argv[1], encoding="utf-8", errors="replace")]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["text"])
    w.writerows([t] for t in itertools.islice(itertools.cycle(texts), int(sys.argv[3])))
EOF
compare sms "$work/sms_rows.csv"
fi

# Audio, protein and recsys: make_inputs.py's recipes and inputs (3,000 clips, 20,000 sequences, 1M pairs).
/usr/bin/python3 "$here/make_inputs.py" "$data" "$work" "${ROWS:-1000000}" "${ROWS:-3000}" "${ROWS:-20000}"
for name in audio protein recsys; do
  if wanted $name; then
    export_peer $name
    compare $name "$work/${name}_rows.csv"
  fi
done

#!/bin/sh
# `adapt predict` against the PyTorch-Python loop in interleaved rounds, and the median of each
# comparison: loop against loop (the rows/s each prints), process against process, and adapt's
# process against the peer's loop. On a VM whose speed moves by minutes, one pair of runs can land in
# a slow spell of one side; the median of several interleaved pairs cannot be moved by one.
#   bench/monitor/rounds.sh BUILD WORK NAME [ROUNDS] [ROWS.csv]
# WORK and NAME as bench/monitor/run.sh leaves them (WORK/NAME/model.adapt, WORK/NAME-peer,
# WORK/NAME_rows.csv unless ROWS.csv is given); run that script once first. adapt runs with
# --threads ${ADAPT_THREADS:-2}, the peer with ${PEER_THREADS:-1} (each side's best on 2 cores).
set -eu
build=${1:?give the build folder}
work=${2:?give the work folder of bench/monitor/run.sh}
name=${3:?give the model name (recsys, adult, sms, audio, protein)}
rounds=${4:-7}
rows=${5:-$work/${name}_rows.csv}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
for round in $(seq 1 "$rounds"); do
  /usr/bin/time -f "adapt process %e s" "$build/bin/adapt" --threads "${ADAPT_THREADS:-2}" predict \
    "$work/$name/model.adapt" "$rows" --out "$work/${name}_preds.csv" 2>&1 | tee -a "$log"
  PEER_MODEL_DIR="$work/$name-peer" OPENBLAS_NUM_THREADS=1 /usr/bin/time -f "peer process %e s" \
    /usr/bin/python3 "$here/peers/predict_loop.py" "$rows" "$work/${name}_peer_preds.csv" "${PEER_THREADS:-1}" 2>&1 |
    tee -a "$log"
  echo "round $round done"
done
/usr/bin/python3 - "$log" <<'EOF'
import re, statistics, sys
text = open(sys.argv[1]).read()
adapt_loop = [float(r) for r in re.findall(r"adapt: \d+ predictions? written to .* \((\d+) rows/s; the model", text)]
adapt_process = [float(s) for s in re.findall(r"adapt process ([\d.]+) s", text)]
peer_loop = [float(r) for r in re.findall(r"peer: \d+ rows in [\d.]+ s = (\d+) rows/s", text)]
peer_process = [float(s) for s in re.findall(r"peer process ([\d.]+) s", text)]
rows = int(re.search(r"peer: (\d+) rows", text).group(1))
ratios = {
    "loop against loop": [a / p for a, p in zip(adapt_loop, peer_loop)],
    "process against process": [p / a for a, p in zip(adapt_process, peer_process)],
    "adapt's process against the peer's loop": [(rows / a) / p for a, p in zip(adapt_process, peer_loop)],
}
print(f"{len(adapt_process)} interleaved rounds, {rows} rows")
for what, values in ratios.items():
    print(f"{what}: median {statistics.median(values):.2f}x (rounds: {', '.join(f'{v:.2f}' for v in values)})")
EOF
rm -f "$log"

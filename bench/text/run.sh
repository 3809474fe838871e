#!/usr/bin/env bash
# Tokenization and BiLSTM training throughput against the PyTorch peer, side by side in one run.
#   bench/text/run.sh BUILD_DIR [DATA_DIR] [EPOCHS]   (DATA_DIR defaults to $ADAPT_DATA_DIR)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [DATA_DIR] [EPOCHS]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}/text/sms-spam-collection/SMSSpamCollection
epochs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins" "$build/bin/bench_text" "$data" "$out" "$epochs"
# The peer reads the token ids bench_text wrote: PyTorch's defaults, then OpenBLAS held to one
# thread with 1 and 2 torch threads.
/usr/bin/python3 "$here/peers/bilstm_peer.py" "$out/ids.tsv" "$epochs"
for t in 1 2; do
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/bilstm_peer.py" "$out/ids.tsv" "$epochs" $t
done

#!/usr/bin/env bash
# Training throughput of tabular.model against the PyTorch peer, side by side in one run.
#   bench/tabular/run.sh BUILD_DIR [DATA_DIR]   (DATA_DIR defaults to $ADAPT_DATA_DIR)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [DATA_DIR]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}/tabular/uci-adult
here=$(cd "$(dirname "$0")" && pwd)
export ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins"
for bs in 64 256; do
  for t in 1 2; do
    "$build/bin/bench_tabular_train" --data "$data" --epochs 3 --batch-size $bs --threads $t
  done
  # The peer: PyTorch's default threads, then with OpenBLAS held to one thread, then 1 and 2 torch threads.
  /usr/bin/python3 "$here/peers/tabular_model.py" --data "$data" --epochs 3 --batch-size $bs
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/tabular_model.py" --data "$data" --epochs 3 --batch-size $bs
  for t in 1 2; do
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/tabular_model.py" --data "$data" --epochs 3 --batch-size $bs --threads $t
  done
done

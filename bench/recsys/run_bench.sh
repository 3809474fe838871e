#!/bin/sh
# Runs the recsys benchmarks side by side: adapt (C++) and the PyTorch peer, one process per case
# (peak RSS is per process). Usage: bench/recsys/run_bench.sh BUILD_DIR  (prints JSON lines)
set -e
BENCH="${1:-build}/bin/recsys_bench"
PEER="$(dirname "$0")/peers/dot_bias_peer.py"
PY=/usr/bin/python3
for threads in 1 2; do
  for batch in 64 1024; do
    steps=$([ "$batch" = 64 ] && echo 4000 || echo 1000)
    "$BENCH" --batch $batch --threads $threads --steps $steps --optimizer adamw
    "$BENCH" --batch $batch --threads $threads --steps $steps --optimizer rowwise
    $PY "$PEER" --batch $batch --threads $threads --steps $steps --optimizer adam
    $PY "$PEER" --batch $batch --threads $threads --steps $steps --optimizer sparse_adam
  done
done
# Step time and peak memory against table size (batch 1024, 50 factors).
for items in 10000 10000000; do
  "$BENCH" --batch 1024 --items $items --threads 2 --steps 300 --warmup 50 --optimizer rowwise
  "$BENCH" --batch 1024 --items $items --threads 2 --steps 300 --warmup 50 --optimizer adamw
  $PY "$PEER" --batch 1024 --items $items --threads 2 --steps 300 --warmup 50 --optimizer sparse_adam
done

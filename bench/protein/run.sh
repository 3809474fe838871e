#!/usr/bin/env bash
# protein.cnn training throughput against the same CNN in PyTorch, side by side in one run; then
# adapt again with batches of similar lengths (loader.sampler "bucket", recipes/protein-amp.json).
#   bench/protein/run.sh BUILD_DIR [DATA_DIR] [EPOCHS]   (DATA_DIR defaults to $ADAPT_DATA_DIR)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [DATA_DIR] [EPOCHS]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}/protein/amp-scanner-v2
here=$(cd "$(dirname "$0")" && pwd)
"$here/../peers/ids_side_by_side.sh" "$build" bench_protein "$data" "$here/peers/cnn_peer.py" "${3:-3}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins" "$build/bin/bench_protein" "$data" "$out" "${3:-3}" bucket

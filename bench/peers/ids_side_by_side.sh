#!/usr/bin/env bash
# One adapt bench program and its PyTorch peer, side by side in one run. The bench program writes
# the token ids it trained on to OUT/ids.tsv; the peer trains on the same ids at PyTorch's defaults,
# then with OpenBLAS held to one thread (as adapt holds it) at 1 and 2 torch threads.
#   ids_side_by_side.sh BUILD_DIR BENCH_PROGRAM INPUT PEER_SCRIPT EPOCHS
set -euo pipefail
build=$1 bench=$2 input=$3 peer=$4 epochs=$5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins" "$build/bin/$bench" "$input" "$out" "$epochs"
/usr/bin/python3 "$peer" "$out/ids.tsv" "$epochs"
for t in 1 2; do
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$peer" "$out/ids.tsv" "$epochs" $t
done

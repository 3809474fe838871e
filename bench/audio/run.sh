#!/usr/bin/env bash
# Audio figures side by side in one run: adapt's bench_audio, then its peers (soundfile and
# torchaudio features, the PyTorch CNN training pass), on the same 3,000 FSDD clips. Each training
# thread setting runs in its own process on both sides: oneDNN keeps the thread count its cached
# kernels were made with, so a 2-thread epoch after a 1-thread one in the same process is slower.
#   bench/audio/run.sh BUILD_DIR [DATA_DIR] [REPEAT]   (DATA_DIR defaults to $ADAPT_DATA_DIR)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [DATA_DIR] [REPEAT]}
export ADAPT_DATA_DIR=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}
repeat=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
export ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins"
all=$(nproc)
"$build/bin/bench_audio" --repeat "$repeat" --skip-train
/usr/bin/python3 "$here/peers/features_peer.py" --repeat "$repeat"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/features_peer.py" --repeat "$repeat"
for threads in 1 "$all"; do
  "$build/bin/bench_audio" --skip-features --train-threads "$threads"
  /usr/bin/python3 "$here/peers/train_peer.py" --threads "$threads"
  # The peer's fastest setting on small machines: OpenBLAS held to one thread, as adapt holds it.
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/train_peer.py" --threads "$threads"
  # For reference, not the target: the peer with the channels-last layout that audio.cnn uses.
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peers/train_peer.py" --threads "$threads" --channels-last
done

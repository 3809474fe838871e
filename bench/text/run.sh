#!/usr/bin/env bash
# Tokenization and BiLSTM training throughput against the PyTorch peer, side by side in one run.
#   bench/text/run.sh BUILD_DIR [DATA_DIR] [EPOCHS]   (DATA_DIR defaults to $ADAPT_DATA_DIR)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [DATA_DIR] [EPOCHS]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}/text/sms-spam-collection/SMSSpamCollection
here=$(cd "$(dirname "$0")" && pwd)
"$here/../peers/ids_side_by_side.sh" "$build" bench_text "$data" "$here/peers/bilstm_peer.py" "${3:-3}"

#!/usr/bin/env bash
# Run-to-run spread of the real-data tests: each one retrained with ADAPT_TEST_SEED=1..N (same split,
# other initialisation and batch order) and with its own seed 42. The tests' floors sit below the
# smallest figure this prints; the figures go into bench/README.md and beside each test.
#   bench/spread/run.sh BUILD_DIR DATA_DIR ["SEEDS"] [GTEST_FILTER]
# SEEDS is a list ("42 1 2 3" by default); 42 is every test's own seed, so it reproduces the test.
# Run it on an idle machine: the tests train on every core.
set -euo pipefail
build="${1:?build dir}"; data="${2:?shared data dir}"; seeds="${3:-42 1 2 3}"
filter="${4:-ProteinRealData.*:TextRealData.*:TabularAdult.*:MovieLensSmall.Ensemble*:AudioFsdd.OfficialSplit:AudioFsdd.SpeakerHeldOut:FusionRealData.*}"
export ADAPT_DATA_DIR="$(cd "$data" && pwd)" ADAPT_PLUGIN_PATH="$(cd "$build" && pwd)/lib/adapt/plugins"
for seed in $seeds; do
  for suite in adapt_protein_tests adapt_text_tests adapt_tabular_tests adapt_recsys_tests adapt_audio_tests; do
    echo "=== $suite seed $seed"
    ADAPT_TEST_SEED="$seed" "$build/bin/$suite" --gtest_filter="$filter" 2>&1 |
      grep -E "TEST accuracy|test accuracy|TEST RMSE|fused AUROC|\[ +(OK|FAILED) +\]" || true
  done
done

#!/usr/bin/env bash
# What a fused training step costs against its branches' steps alone, and the fused model's data wait
# (bench_fused_step), on the Women's Clothing recipe. Run on an idle machine:
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPT_BUILD_BENCH=ON
#   ninja -C build bench_fused_step adapt_text adapt_text_spm adapt_tabular
#   bench/fusion/fused_step.sh build [DATA_DIR] [THREADS]
set -euo pipefail
build=${1:?usage: fused_step.sh BUILD_DIR [DATA_DIR] [THREADS]}
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}
threads=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1
recipe=$(mktemp --suffix=.json)
trap 'rm -f "$recipe"' EXIT
sed "s|DATA/|$data/|g" "$here/womens_clothing.json" > "$recipe"
"$build/bin/bench_fused_step" "$recipe" --threads "$threads" --batches 20 --repeats 3 --wait-batches 100

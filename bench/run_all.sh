#!/usr/bin/env bash
# Every training and inference comparison with its PyTorch peer in one go, then one summary table of
# ratios (bench/summarize.py) and, with --profile, the step profiles of each workload on both sides.
# Run it on an idle machine: on 2 cores anything else running distorts the ratios.
#
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPT_BUILD_BENCH=ON && ninja -C build
#   bench/run_all.sh build /work/shared/data /tmp/bench-all [--profile | --profiles-only] [--only core_mlp,...] [--same-allocator]
#
# adapt keeps freed memory for reuse (adapt/common/memory.h); the peers run with glibc's defaults,
# as PyTorch users run them. --same-allocator gives the peers adapt's setting too (GLIBC_TUNABLES),
# for the ratio of the code alone.
#
# Writes OUT/<workload>.log (each side's raw output), OUT/summary.md, and with --profile
# OUT/profiles/<workload>.md. --only runs the named workloads (matmul core_mlp tabular text protein
# audio recsys recsys_step predict) and keeps the other logs in OUT. A workload that fails is reported and the
# others go on; the exit code is then 1. Installs the Python peers' packages (Debian's python3-torch,
# python3-torchaudio, python3-soundfile, python3-fastapi for the serving peer's model code) when
# they are missing.
set -euo pipefail
args="$*"
build=$(cd "${1:?usage: run_all.sh BUILD_DIR DATA_DIR OUT_DIR [--profile]}" && pwd)
data=$(cd "${2:?usage: run_all.sh BUILD_DIR DATA_DIR OUT_DIR [--profile]}" && pwd)
out=${3:?usage: run_all.sh BUILD_DIR DATA_DIR OUT_DIR [--profile] [--only NAMES]}
shift 3
profile="" only="" timed=yes
while [ $# -gt 0 ]; do
  case $1 in
    --profile) profile=--profile ;;
    --profiles-only) profile=--profile timed=no ;;
    --only) only=",${2:?--only needs a comma-separated list},"; shift ;;
    --same-allocator)  # adapt's reuse_freed_memory() as glibc tunables, for every process started
      export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=1073741824 ;;
    *) echo "run_all: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! $py -c 'import torch, torchaudio, soundfile, numpy, fastapi' 2>/dev/null; then
  echo "run_all: installing the Python peers' packages"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y python3-torch python3-torchaudio python3-soundfile python3-numpy python3-fastapi
fi
for program in bench_matmul_peak bench_core_mlp bench_tabular_train bench_text bench_protein bench_audio recsys_bench \
  bench_serve_export adapt; do
  if [ ! -x "$build/bin/$program" ]; then
    echo "run_all: $build/bin/$program is missing: configure with -DADAPT_BUILD_BENCH=ON and build" >&2
    exit 2
  fi
done
load=$(cut -d' ' -f1 /proc/loadavg)
echo "run_all: load average $load on $(nproc) cores at the start (idle is below 0.5)"

selected() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }
failures=""
run() {  # run NAME COMMAND...: the command's output into OUT/NAME.log, timed; a failure is noted
  local name=$1
  shift
  selected "$name" && [ $timed = yes ] || return 0
  echo "run_all: $name ($(date +%H:%M:%S))"
  local start=$SECONDS
  if "$@" > "$out/$name.log" 2>&1; then
    echo "run_all: $name took $((SECONDS - start)) s"
  else
    echo "run_all: $name FAILED after $((SECONDS - start)) s; see $out/$name.log" >&2
    failures="$failures $name"
  fi
}

export ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins"
# A run with --only adds its context to the earlier run's.
[ -n "$only" ] || rm -f "$out/context.txt"
{
  echo "date: $(date -u +%Y-%m-%d)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "load at start: $load"
  echo "peers' allocator: ${GLIBC_TUNABLES:+GLIBC_TUNABLES=}${GLIBC_TUNABLES:-glibc defaults (adapt reuses freed memory)}"
  echo "command: bench/run_all.sh $args (commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown))"
} >> "$out/context.txt"

run matmul "$build/bin/bench_matmul_peak"
run core_mlp bash -c "'$build/bin/bench_core_mlp' --threads 1 && '$build/bin/bench_core_mlp' --threads 2"
run tabular "$here/tabular/run.sh" "$build" "$data"
run text "$here/text/run.sh" "$build" "$data" 3
run protein "$here/protein/run.sh" "$build" "$data" 3
run audio "$here/audio/run.sh" "$build" "$data" 5
run recsys "$here/recsys/run_bench.sh" "$build"
# The 10M / 10k step ratio again over 12 interleaved pairs: one run swings up to 2x on a shared VM.
run recsys_step "$here/recsys/step_ratio.sh" "$build" 12
run predict env WORK="$out/predict-work" "$here/monitor/run.sh" "$build" "$data"
[ $timed = no ] || rm -rf "$out/predict-work"

if [ "$profile" = --profile ]; then
  # One process per side at the thread setting the comparison above runs, the profile written after
  # the timed part (bench/step_profile.h, bench/peers/step_profile.py).
  mkdir -p "$out/profiles"
  ids=$(mktemp -d)
  trap 'rm -rf "$ids"' EXIT
  prof() {  # prof WORKLOAD COMMAND...: appends both sides' profiles to OUT/profiles/WORKLOAD.md
    local file="$out/profiles/$1.md"
    shift
    if ! ADAPT_BENCH_PROFILE="$file" "$@" >> "$out/profiles/raw.log" 2>&1; then
      echo "run_all: profile $(basename "$file" .md) FAILED: $*; see $out/profiles/raw.log" >&2
      failures="$failures profile:$(basename "$file" .md)"
    fi
  }
  for name in core_mlp tabular text protein audio recsys; do
    if selected "$name"; then rm -f "$out/profiles/$name.md"; fi
  done
  if selected core_mlp; then
    echo "run_all: profile core_mlp ($(date +%H:%M:%S))"
    prof core_mlp "$build/bin/bench_core_mlp" --threads 1 --epochs 1 --repeats 1
  fi
  if selected tabular; then
    echo "run_all: profile tabular ($(date +%H:%M:%S))"
    for bs in 64 256; do
      prof tabular "$build/bin/bench_tabular_train" --data "$data/tabular/uci-adult" --epochs 1 --batch-size $bs --threads 1
      OPENBLAS_NUM_THREADS=1 prof tabular $py "$here/tabular/peers/tabular_model.py" --data "$data/tabular/uci-adult" \
        --epochs 1 --batch-size $bs --threads 1
    done
  fi
  if selected text; then
    echo "run_all: profile text ($(date +%H:%M:%S))"
    prof text "$build/bin/bench_text" "$data/text/sms-spam-collection/SMSSpamCollection" "$ids" 1
    OPENBLAS_NUM_THREADS=1 prof text $py "$here/text/peers/bilstm_peer.py" "$ids/ids.tsv" 1 2
  fi
  if selected protein; then
    echo "run_all: profile protein ($(date +%H:%M:%S))"
    prof protein "$build/bin/bench_protein" "$data/protein/amp-scanner-v2" "$ids" 1
    OPENBLAS_NUM_THREADS=1 prof protein $py "$here/protein/peers/cnn_peer.py" "$ids/ids.tsv" 1 2
  fi
  if selected audio; then
    echo "run_all: profile audio ($(date +%H:%M:%S))"
    ADAPT_DATA_DIR="$data" prof audio "$build/bin/bench_audio" --skip-features --train-threads 2
    ADAPT_DATA_DIR="$data" OPENBLAS_NUM_THREADS=1 prof audio $py "$here/audio/peers/train_peer.py" --threads 2
  fi
  if selected recsys; then
    echo "run_all: profile recsys ($(date +%H:%M:%S))"
    for items in 10000 10000000; do
      prof recsys "$build/bin/recsys_bench" --batch 1024 --items $items --threads 2 --steps 100 --warmup 20 \
        --optimizer rowwise
      prof recsys $py "$here/recsys/peers/dot_bias_peer.py" --batch 1024 --items $items --threads 2 --steps 100 \
        --warmup 20 --optimizer sparse_adam
    done
  fi
fi

$py "$here/summarize.py" "$out" > "$out/summary.md"
cat "$out/summary.md"
if [ -n "$failures" ]; then
  echo "run_all: failed:$failures" >&2
  exit 1
fi

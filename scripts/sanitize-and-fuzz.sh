#!/usr/bin/env bash
# The sanitizer build (fuzz/README.md): configures build-sanitize with clang-14 (-DADAPT_FUZZ=ON: the
# core, its unit tests and the libFuzzer harnesses, all under AddressSanitizer + UBSan), runs the
# unit tests and each harness's committed corpus, then fuzzes each harness for a bounded time.
# Fails on any crash, leak, sanitizer report or uncaught exception; a crashing input is saved as
# build-sanitize/fuzz-artifacts/<harness>-crash-<sha1>, with the command that replays it.
#   scripts/sanitize-and-fuzz.sh                      every harness, ADAPT_FUZZ_SECONDS (20) each
#   ADAPT_FUZZ_SECONDS=600 scripts/sanitize-and-fuzz.sh csv fasta    longer, on some harnesses
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ADAPT_SANITIZE_BUILD_DIR:-build-sanitize}"
seconds="${ADAPT_FUZZ_SECONDS:-20}"
jobs="$(nproc)"
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(csv recipe archive manifest fasta wav interactions text)

if ! command -v clang++-14 >/dev/null 2>&1; then
  echo "sanitize-and-fuzz: clang++-14 is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  # -O0: a clean build takes half the time of -O1 (5 min instead of 10 here, most of this script),
  # for 1.5-3x fewer fuzzing runs of adapt's own code. No NDEBUG: assertions (nlohmann::json's) stay on.
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++-14 -DADAPT_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -gline-tables-only"
fi
cmake --build "$build_dir" -j "$jobs"

# The core's unit tests (label sanitize) and every harness's corpus replayed once (label fuzz).
(cd "$build_dir" && ctest --output-on-failure -j "$jobs" --timeout 900 -L 'sanitize|fuzz')

# New inputs go to a scratch corpus in the build tree; the committed one is only read. Harnesses that
# need a file write it to $TMPDIR; on tmpfs the fsync of each save costs nothing (10x the executions).
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
failed=()
for name in "${harnesses[@]}"; do
  scratch="$build_dir/fuzz-corpus/$name"
  mkdir -p "$scratch"
  echo "== fuzzing $name for ${seconds}s"
  if ! "$build_dir/bin/${name}_fuzzer" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$name-" "$scratch" "fuzz/corpus/$name" 2>"$build_dir/fuzz-$name.log"; then
    tail -n 60 "$build_dir/fuzz-$name.log"
    failed+=("$name")
  else
    grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "$build_dir/fuzz-$name.log" || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize-and-fuzz: FAILED: ${failed[*]}; the inputs are in $artifacts" >&2
  echo "  replay one: $build_dir/bin/<harness>_fuzzer $artifacts/<file>" >&2
  echo "  then fix the bug, add a regression test, and copy the input to fuzz/corpus/<harness>/" >&2
  exit 1
fi
echo "sanitize-and-fuzz: no crash, leak or sanitizer report (${#harnesses[@]} harnesses, ${seconds}s each)"

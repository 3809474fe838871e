#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing (apt-get), configures,
# builds, then runs the demos or the tests.
#   ./build.sh demo    every demo pipeline
#   ./build.sh test    the whole test suite (set ADAPT_DATA_DIR to run the real-data tests too)
#   ./build.sh build   just build
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-build}"
build_dir="${ADAPT_BUILD_DIR:-build}"
jobs="$(nproc)"

./scripts/install-deps.sh
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
# CI builds with warnings as errors; a developer's build only shows them.
werror=OFF
[ "${CI:-}" = true ] && werror=ON
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DADAPT_WERROR="$werror"
fi
# The demos need the command line and the plugins only; the test suites build for `test` and `build`.
targets=()
[ "$what" = demo ] && targets=(--target adapt_runtime)
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"

case "$what" in
  build) ;;
  demo) "$build_dir/bin/adapt" demo all --out "$build_dir/demo-runs" ;;
  test) (cd "$build_dir" && ctest --output-on-failure -j "$jobs" --timeout 1500) ;;
  *) echo "usage: ./build.sh [build|demo|test]" >&2; exit 2 ;;
esac

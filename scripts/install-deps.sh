#!/usr/bin/env bash
# Installs whatever adapt needs from Debian 12 packages; safe to run again (idempotent).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread libgloo-dev
  libboost-dev libboost-filesystem-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev
  libsndfile1-dev libfftw3-dev libsamplerate0-dev
  libsentencepiece-dev
  libxgboost-dev
  libxxhash-dev
  zlib1g-dev                    # PNG heatmaps in HTML pages (adapt show-batch, report.html)
  libcpp-httplib-dev            # `adapt serve` (docs/serving.md)
  clang-14 libclang-rt-14-dev   # the sanitizer build and libFuzzer (scripts/sanitize-and-fuzz.sh)
  espeak-ng                     # spoken words that are not digits: the FSDD out-of-domain test
  chromium                      # renders report.html in tests/core/run/test_html_report.cpp
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

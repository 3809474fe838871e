#!/usr/bin/env bash
# `adapt serve` against FastAPI + uvicorn + PyTorch serving the same weights, side by side in one run,
# loaded by wrk at concurrency 1, 8 and 64 with one input per request (bench/serve/README.md).
#   bench/serve/run.sh BUILD_DIR [DATA_DIR] [SECONDS]
# SECONDS per load point (default 30). Environment:
#   EPOCHS_SCALE   training budget relative to the real-data tests' recipes (default 1; 0.2 for a smoke run)
#   SOAK_SECONDS   length of the fixed-load soak on adapt's SMS server (default 600; 0 skips it)
#   WORK           keep models and logs here (default: a temporary folder, removed at exit)
#   MODELS         which models (default "sms adult"; also audio, protein, recsys: bench/monitor's FSDD CNN,
#                  AMP CNN and MovieLens dot-bias models, one row of their input files per request)
# Needs wrk and python3-{fastapi,uvicorn,torch,sentencepiece}; installs what is missing (apt-get).
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [DATA_DIR] [SECONDS]}" && pwd)
data=${2:-${ADAPT_DATA_DIR:?set ADAPT_DATA_DIR or pass DATA_DIR}}
seconds=${3:-30}
here=$(cd "$(dirname "$0")" && pwd)
adapt="$build/bin/adapt"
export ADAPT_PLUGIN_PATH="$build/lib/adapt/plugins"
[ -x "$adapt" ] && [ -x "$build/bin/bench_serve_export" ] ||
  { echo "run.sh: build adapt and bench_serve_export first (cmake -DADAPT_BUILD_BENCH=ON)" >&2; exit 1; }

missing=()
for p in wrk python3-fastapi python3-uvicorn python3-torch python3-sentencepiece; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "run.sh: installing ${missing[*]}"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

models=${MODELS:-sms adult}
# The monitor bench's recipes and input files for audio, protein and recsys (1,000 rows each).
case " $models " in *" audio "* | *" protein "* | *" recsys "*)
  /usr/bin/python3 "$here/../monitor/make_inputs.py" "$data" "$work" 1000 1000 1000 ;;
esac
/usr/bin/python3 "$here/make_inputs.py" "$data" "$work" "${EPOCHS_SCALE:-1}"
for m in $models; do
  if [ ! -f "$work/$m/model.adapt" ]; then
    echo "== training $m"
    "$adapt" train "$work/$m.json" --out "$work/$m" --force > "$work/$m.train.log"
  fi
  "$build/bin/bench_serve_export" "$work/$m/model.adapt" "$work/$m-peer"
done

wait_ready() {  # URL
  for _ in $(seq 300); do curl -sf "$1/healthz" > /dev/null && return 0; sleep 0.1; done
  echo "run.sh: no server at $1" >&2; return 1
}
port=18700
start_server() {  # KIND MODEL SETTING -> sets url and pid; KIND adapt or peer
  port=$((port + 1))
  if [ "$1" = adapt ]; then
    # shellcheck disable=SC2086
    "$adapt" serve "$work/$2/model.adapt" --port $port $3 > "$work/server.$port.log" 2>&1 &
  else
    (cd "$here/peers" && PEER_MODEL_DIR="$work/$2-peer" PEER_THREADS=1 exec /usr/bin/python3 -m uvicorn \
       serve_peer:app --port $port --log-level warning --no-access-log $3 > "$work/server.$port.log" 2>&1) &
  fi
  pid=$!
  pids+=("$pid")
  url="http://127.0.0.1:$port"
  wait_ready "$url"
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# Non-2xx answers and socket errors in a wrk report.
failed_in() {
  local non2xx errors
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$1"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$1"); errors=${errors:-0}
  echo $((non2xx + errors))
}
to_ms() { awk '{v=$1; if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else printf "%.2f", v*1000}'; }
# One wrk run: prints "req/s p50_ms p99_ms failed".
load() {  # URL CONCURRENCY SECONDS BODIES
  local threads=1; [ "$2" -ge 64 ] && threads=2
  BODIES="$4" wrk -t$threads -c"$2" -d"$3"s --latency --timeout 10s -s "$here/post.lua" "$1" > "$work/wrk.out" 2>&1
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out" | to_ms)
  echo "$rps $p50 $p99 $(failed_in "$work/wrk.out")"
}

echo
echo "| model | server | setting | concurrency | requests/s | p50 ms | p99 ms | failed |"
echo "|---|---|---|---|---|---|---|---|"
results="$work/results.txt"
: > "$results"
for m in $models; do
  for config in "adapt|--threads 1" "adapt|--threads 2" "adapt|--threads 1 --merge-requests" \
                "peer|--workers 1" "peer|--workers 2"; do
    kind=${config%%|*} setting=${config#*|}
    start_server "$kind" "$m" "$setting"
    load "$url" 8 2 "$work/$m.bodies" > /dev/null  # warm-up
    for c in 1 8 64; do
      read -r rps p50 p99 failed < <(load "$url" $c "$seconds" "$work/$m.bodies")
      echo "| $m | $kind | $setting | $c | $rps | $p50 | $p99 | $failed |"
      echo "$m $kind $c $rps $p99 $setting" >> "$results"
    done
    stop_server
  done
done

echo
echo "At concurrency 8, each side at its best setting (most requests/s):"
for m in $models; do
  # Issue 23 set SMS and Adult's bar; issue 26 asks every modality for 2x.
  case $m in sms | adult) target=3 ;; *) target=2 ;; esac
  best() { awk -v m="$m" -v k="$1" '$1 == m && $2 == k && $3 == 8 && $4 > r {r = $4; p = $5} END {print r, p}' "$results"; }
  read -r a_rps a_p99 < <(best adapt)
  read -r p_rps p_p99 < <(best peer)
  awk -v m="$m" -v t="$target" -v ar="$a_rps" -v ap="$a_p99" -v pr="$p_rps" -v pp="$p_p99" 'BEGIN {
    printf "  %s: adapt %.0f req/s, p99 %.2f ms; peer %.0f req/s, p99 %.2f ms: %.2fx the requests/s (target >= %d), p99 %.2f of the peer'\''s (target <= 0.33)\n",
      m, ar, ap, pr, pp, ar / pr, t, ap / pp }'
done

case " $models " in *" sms "*) ;; *) exit 0 ;; esac  # the reload and the soak serve SMS
echo
echo "Reload under load (adapt, SMS, concurrency 8, reloads spread over the run: POST /admin/reload and SIGHUP in turn):"
start_server adapt sms "--threads 1"
BODIES="$work/sms.bodies" wrk -t1 -c8 -d"${seconds}"s --timeout 10s -s "$here/post.lua" "$url" > "$work/wrk.reload" 2>&1 &
wrk_pid=$!
reloads=0
n_reloads=$(( seconds / 2 - 1 > 1 ? seconds / 2 - 1 : 1 ))
interval=$(awk -v s="$seconds" -v n="$n_reloads" 'BEGIN {print s / (n + 1)}')
for _ in $(seq "$n_reloads"); do
  sleep "$interval"
  if [ $((reloads % 2)) -eq 0 ]; then curl -sf -X POST -d '' "$url/admin/reload" > /dev/null; else kill -HUP "$pid"; fi
  reloads=$((reloads + 1))
done
wait "$wrk_pid"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.reload")
echo "  $reloads reloads, $requests requests, failed (non-2xx and socket errors): $(failed_in "$work/wrk.reload")"
curl -s "$url/metrics" | grep -o 'adapt_serve_reloads_total{[^}]*} [0-9]*' | sed 's/^/  /' || true
stop_server

soak=${SOAK_SECONDS:-600}
if [ "$soak" -gt 0 ]; then
  echo
  echo "Soak: adapt, SMS, concurrency 8 for $soak s; resident memory after a 10 s warm-up and at the end:"
  start_server adapt sms "--threads 1"
  load "$url" 8 10 "$work/sms.bodies" > /dev/null
  rss_start=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  read -r rps p50 p99 failed < <(load "$url" 8 "$soak" "$work/sms.bodies")
  rss_end=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v a="$rss_start" -v b="$rss_end" -v r="$rps" -v f="$failed" 'BEGIN {
    printf "  %.1f MiB -> %.1f MiB (%+.1f%%, target <= +5%%); %.0f req/s, %d failed\n", a/1024, b/1024, (b-a)*100/a, r, f }'
  stop_server
fi

#!/usr/bin/env bash
# The standard benchmark set (bench/README.md): builds Release, runs
#   fixed 100 calls for 60 s (plain and TLS OpenAI leg),
#   a ramp 100:100:1500 (20 s per step) until p99 downstream > 5 ms or a failure,
#   the wrk webhook check at 500 req/s,
#   the bare-relay floor (bench/floor: switchboard-floor, 100..1000 calls),
# then plots bench/latency.png. Results: bench/results/*.json, *.dat, *.txt.
# Environment: BUILD_DIR (default build-benchrel), RAMP (default 100:100:1500),
# STEP_S (20), FIXED_S (60), QUICK=1 (a short version of everything),
# NODELAY=1: LD_PRELOAD bench/tools/nodelay_preload.c into the harness and the
# server (TCP_NODELAY on every socket: the fix proposed for net/, RESULTS.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-benchrel}
ramp=${RAMP:-100:100:1500}
step_s=${STEP_S:-20}
fixed_s=${FIXED_S:-60}
webhook_s=30
if [[ "${QUICK:-0}" == 1 ]]; then ramp=50:50:100; step_s=5; fixed_s=10; webhook_s=5; fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" switchboard switchboard-bench switchboard-floor
bench=$build/bench/switchboard-bench
if [[ "${NODELAY:-0}" == 1 ]]; then
  gcc -O2 -shared -fPIC -o "$build/nodelay.so" "$root/bench/tools/nodelay_preload.c" -ldl
  export LD_PRELOAD="$build/nodelay.so"
fi
out=$root/bench/results
mkdir -p "$out"

run() { # name, args...
  local name=$1; shift
  echo "== $name: switchboard-bench $*" | tee "$out/$name.txt"
  "$bench" "$@" --out "$out/$name.json" --dat "$out/$name.dat" | tee -a "$out/$name.txt" || true
}
run fixed-100-plain --calls 100 --duration "$fixed_s"
run fixed-100-tls --calls 100 --duration "$fixed_s" --tls
run ramp-plain --ramp "$ramp" --step-duration "$step_s"
echo "== webhook: switchboard-bench --webhook-rate 500 --duration $webhook_s" | tee "$out/webhook-500.txt"
"$bench" --webhook-rate 500 --duration "$webhook_s" --out "$out/webhook-500.json" | tee -a "$out/webhook-500.txt"

echo "== floor: switchboard-floor --ramp 100,250,500,1000 --duration 10" | tee "$out/floor-ramp.txt"
"$build/bench/floor/switchboard-floor" --ramp 100,250,500,1000 --duration "$((step_s / 2))" \
  --out "$out/floor-ramp.json" | tee -a "$out/floor-ramp.txt" || true

gnuplot -e "dat='$out/ramp-plain.dat'; out='$root/bench/latency.png'" "$root/bench/plot.gp"
echo "plot: bench/latency.png; results: bench/results/"

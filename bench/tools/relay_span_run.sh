#!/usr/bin/env bash
# One bursty run under a loopback capture, then the relay's own span
# (relay_span.py): how bench/RESULTS.md's "relay's own span" figures were
# taken. Needs root and tcpdump (apt-get install tcpdump; not a dependency of
# the build or the tests).
#
#   bench/tools/relay_span_run.sh OUT_PREFIX CALLS server [SWITCHBOARD]
#   bench/tools/relay_span_run.sh OUT_PREFIX CALLS floor
#
# BUILD (default build/release) is the tree with switchboard-bench and
# switchboard-floor. Writes OUT_PREFIX.{json,txt,span}; the capture
# (~20 MB a second at 150 calls) is deleted unless KEEP=1.
set -euo pipefail
out=$1 calls=$2 kind=$3 sb=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../../build/release}

tcpdump -i lo -s 0 -B 262144 -w "$out.pcap" tcp > "$out.tcpdump.log" 2>&1 &
cap=$!
for _ in $(seq 50); do # bounded: tcpdump says it listens within a second
  grep -q listening "$out.tcpdump.log" && break
  sleep 0.1
done
sleep 0.5
if [ "$kind" = floor ]; then
  "$build/bench/floor/switchboard-floor" --calls "$calls" --burst 20 --duration 20 --warmup 2 \
    --protocol 1 --out "$out.json" > "$out.txt" 2>&1 || true
  skip=5 # the floor's 2 s warm-up and its calls' start
  args=(--floor)
else
  "$build/bench/switchboard-bench" --calls "$calls" --duration 20 --bursty \
    ${sb:+--switchboard "$sb"} --out "$out.json" > "$out.txt" 2>&1 || true
  skip=8 # the server's start and the calls' set-up
  args=()
fi
sleep 0.5
kill -INT "$cap"
wait "$cap" || true
grep -h "dropped by kernel" "$out.tcpdump.log"
python3 "$here/relay_span.py" "${args[@]}" --skip-s "$skip" "$out.pcap" | tee "$out.span"
[ -n "${KEEP:-}" ] || rm -f "$out.pcap"

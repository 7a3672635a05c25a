#!/usr/bin/env bash
# io_threads 1 vs 2, bursty, no capture: alternating pairs.
cd /work/cap
pkill -STOP -f fuzz_ws_frames
B=/work/main/build/release/bench/switchboard-bench
F=/work/main/build/release/bench/floor/switchboard-floor
one() { echo "== io$1-$2-$3 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; $B --calls $2 --duration 30 --bursty --server-io-threads $1 --out io$1-$2-$3.json > io$1-$2-$3.txt 2>&1; grep -h "down p50\|CPU/call\|totals" io$1-$2-$3.txt; }
fl() { echo "== floor-$1-$2 $(date -u +%T)"; $F --calls $1 --burst 20 --duration 20 --warmup 2 --out iofloor-$1-$2.json > iofloor-$1-$2.txt 2>&1; grep -h "down p50\|CPU" iofloor-$1-$2.txt; }
for n in 100 150; do
  fl $n 1; one 1 $n 1; one 2 $n 1
  one 2 $n 2; one 1 $n 2; fl $n 2
  one 1 $n 3; one 2 $n 3; fl $n 3
done
pkill -CONT -f fuzz_ws_frames
echo done $(date -u +%T)

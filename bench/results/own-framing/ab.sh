#!/usr/bin/env bash
# Beast framing (before: main 549dff3) vs our own framing (own: this branch), bursty,
# the same harness binary (bench-final, built with our framing), alternating pairs.
cd bench/results/own-framing
B=/work/ab/bench-final
one() { echo "== $1-$2-$3 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; $B --switchboard /work/ab/sb-$1 --calls $2 --duration 30 --bursty --out $1-$2-$3.json > $1-$2-$3.txt 2>&1; grep -h "down p50\|CPU/call\|totals" $1-$2-$3.txt; }
fl() { echo "== floor-$1-$2 $(date -u +%T)"; /work/ab/floor --calls $1 --burst 20 --duration 20 --warmup 2 --out floor-$1-$2.json > floor-$1-$2.txt 2>&1; grep -h "down p50\|CPU" floor-$1-$2.txt; }
for n in 100 150; do
  fl $n 1; one before $n 1; one own $n 1
  one own $n 2; one before $n 2
  one before $n 3; one own $n 3; fl $n 2
done
echo done $(date -u +%T)

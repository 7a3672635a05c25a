#!/usr/bin/env bash
# Issue 16.5's runs (bench/RESULTS.md "Cluster"): the three configurations
# at the same load, interleaved A/B/C and repeated; then the takeover at two
# lease lengths, callers not coming back (finalized) and coming back
# (resumed, [resume] grace_ms 10000).
#   bash bench/cluster/run.sh [BUILD_DIR] [OUT_DIR]
# REPS (2), LOADS ("50 100"), LEASES ("1000 3000"), TAKEOVER_CALLS (50).
set -euo pipefail
B=${1:-build/release}/bench/switchboard-cluster-bench
OUT=${2:-bench/results/cluster}
REPS=${REPS:-2}
LOADS=${LOADS:-50 100}
LEASES=${LEASES:-1000 3000}
mkdir -p "$OUT"
for calls in $LOADS; do
  for rep in $(seq 1 "$REPS"); do
    for cfg in "sqlite 1" "postgres 1" "postgres 2"; do
      set -- $cfg
      name="$1-$2node-$calls-$rep"
      echo "== $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
      "$B" --database "$1" --nodes "$2" --calls "$calls" --out "$OUT/$name.json" |
        tee "$OUT/$name.txt" || echo "(exit $?)"
    done
  done
done
for lease in $LEASES; do
  for rep in $(seq 1 "$REPS"); do
    name="takeover-lease$lease-$rep"
    echo "== $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$B" --takeover --calls "${TAKEOVER_CALLS:-50}" --lease-ms "$lease" --out "$OUT/$name.json" |
      tee "$OUT/$name.txt" || echo "(exit $?)"
    name="comeback-lease$lease-$rep"
    echo "== $name ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$B" --come-back --calls "${TAKEOVER_CALLS:-50}" --lease-ms "$lease" --grace-ms 10000 \
      --out "$OUT/$name.json" | tee "$OUT/$name.txt" || echo "(exit $?)"
  done
done

#!/usr/bin/env bash
# The frame-cost A/B (bench/RESULTS.md, "what a frame costs"): one harness,
# the server before (OLD_SB) and after (NEW_SB) the change, and the bare
# floor; per call count three rounds in rotated order.
set -u
R=${BUILD:-build/release}
F=$R/bench/floor/switchboard-floor
B=${HARNESS:?} OLD_SB=${OLD_SB:?} NEW_SB=${NEW_SB:?} OUT=${OUT:-bench/results/frame-cost}
run() { # name cmd...
  local name=$1; shift
  echo "$(date -u +%H:%M:%S) $name (load $(cut -d' ' -f1 /proc/loadavg))"
  "$@" > "$OUT/$name.txt" 2>&1
}
for n in 100 150; do
  for round in 1 2 3; do
    order=(floor old new); [ $round = 2 ] && order=(new floor old); [ $round = 3 ] && order=(old new floor)
    for k in "${order[@]}"; do
      case $k in
      floor) run floor-$n-$round $F --calls $n --burst 20 --duration 20 --warmup 2 --out $OUT/floor-$n-$round.json ;;
      old) run old-$n-$round $B --switchboard $OLD_SB --calls $n --duration 30 --bursty --out $OUT/old-$n-$round.json ;;
      new) run new-$n-$round $B --switchboard $NEW_SB --calls $n --duration 30 --bursty --out $OUT/new-$n-$round.json ;;
      esac
    done
  done
done

#!/usr/bin/env bash
# The calls' phases A/B (bench/RESULTS.md, "the calls' phases"): one server
# binary, the harness before (calls started exactly 1/rate apart) and after
# (each start put off by a random 0-20 ms), and the bare floor; per call
# count three rounds in rotated order. OLD is the harness built from main
# before the change; NEW from after.
set -u
R=${BUILD:-build/release}
SB=$R/app/switchboard; F=$R/bench/floor/switchboard-floor
OLD=${OLD:?} NEW=${NEW:?} OUT=${OUT:-bench/results/call-phases}
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
      old) run old-$n-$round $OLD --switchboard $SB --calls $n --duration 30 --bursty --out $OUT/old-$n-$round.json ;;
      new) run new-$n-$round $NEW --switchboard $SB --calls $n --duration 30 --bursty --out $OUT/new-$n-$round.json ;;
      esac
    done
  done
done
